/* SPDX-License-Identifier: Apache-2.0 */
/* record_scan.c: TLS record boundaries from their headers. */
#include "record_scan.h"

#include <string.h>

void record_scan_init(struct record_scan *scan)
{
    memset(scan, 0, sizeof *scan);
    scan->first_body_byte = -1;
}

static void read_header(const uint8_t bytes[RECORD_HEADER_BYTES], struct record_header *header)
{
    header->type = bytes[0];
    header->version = (uint16_t)(bytes[1] << 8 | bytes[2]);
    header->length = (uint16_t)(bytes[3] << 8 | bytes[4]);
    header->oversized = header->length > RECORD_MAX_BODY;
    header->unknown_type = header->type < RECORD_CHANGE_CIPHER_SPEC || header->type > RECORD_APPLICATION_DATA;
}

size_t record_scan_feed(struct record_scan *scan, const uint8_t *bytes, size_t length,
                        struct record_header *header, bool *complete)
{
    size_t taken = 0;
    *complete = false;
    while (taken < length) {
        if (scan->body_remaining > 0) {
            if (scan->first_body_byte < 0)
                scan->first_body_byte = bytes[taken];
            size_t skip = length - taken < scan->body_remaining ? length - taken : scan->body_remaining;
            scan->body_remaining -= skip;
            taken += skip;
            continue;
        }
        size_t want = RECORD_HEADER_BYTES - scan->header_have;
        size_t copy = length - taken < want ? length - taken : want;
        memcpy(scan->header + scan->header_have, bytes + taken, copy);
        scan->header_have += copy;
        taken += copy;
        if (scan->header_have < RECORD_HEADER_BYTES)
            break;
        read_header(scan->header, header);
        scan->header_have = 0;
        scan->body_remaining = header->length;
        scan->first_body_byte = -1;
        scan->records++;
        *complete = true;
        break;
    }
    return taken;
}

bool record_scan_next(struct record_scan *scan, const uint8_t **bytes, size_t *length,
                      struct record_header *header)
{
    while (*length > 0) {
        bool complete = false;
        size_t taken = record_scan_feed(scan, *bytes, *length, header, &complete);
        *bytes += taken;
        *length -= taken;
        if (complete)
            return true;
    }
    return false;
}

const char *record_type_name(uint8_t type)
{
    switch (type) {
    case RECORD_CHANGE_CIPHER_SPEC:
        return "change_cipher_spec";
    case RECORD_ALERT:
        return "alert";
    case RECORD_HANDSHAKE:
        return "handshake";
    case RECORD_APPLICATION_DATA:
        return "application_data";
    default:
        return "unknown";
    }
}

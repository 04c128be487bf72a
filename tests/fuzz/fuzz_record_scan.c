/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the TLS record scanner.
 *
 * The first byte picks how the rest is cut into pieces; the scan must
 * find the same records however the stream is cut, never take more than
 * it is given, and agree with a plain reference walk over the stream
 * (a header, then skip its length). */
#include "record_scan.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t reference_records(const uint8_t *data, size_t size)
{
    uint64_t records = 0;
    size_t at = 0;
    while (size - at >= RECORD_HEADER_BYTES) {
        size_t length = (size_t)data[at + 3] << 8 | data[at + 4];
        records++;
        at += RECORD_HEADER_BYTES;
        if (size - at < length)
            break;
        at += length;
    }
    return records;
}

static uint64_t scan_in_pieces(const uint8_t *data, size_t size, size_t piece)
{
    struct record_scan scan;
    record_scan_init(&scan);
    size_t at = 0;
    while (at < size) {
        size_t take = size - at < piece ? size - at : piece;
        while (take > 0) {
            struct record_header header;
            bool complete = false;
            size_t used = record_scan_feed(&scan, data + at, take, &header, &complete);
            if (used > take || (!complete && used != take))
                abort();
            if (complete && (header.oversized != (header.length > RECORD_MAX_BODY)))
                abort();
            at += used;
            take -= used;
        }
    }
    return scan.records;
}

/* The same walk through record_scan_next, in pieces. */
static uint64_t next_in_pieces(const uint8_t *data, size_t size, size_t piece)
{
    struct record_scan scan;
    record_scan_init(&scan);
    uint64_t seen = 0;
    for (size_t at = 0; at < size; at += piece) {
        const uint8_t *bytes = data + at;
        size_t length = size - at < piece ? size - at : piece;
        struct record_header header;
        while (record_scan_next(&scan, &bytes, &length, &header))
            seen++;
        if (length != 0 || bytes != data + at + (size - at < piece ? size - at : piece))
            abort();
    }
    if (seen != scan.records)
        abort();
    return seen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] % 37 + 1;
    data++;
    size--;
    uint64_t expected = reference_records(data, size);
    if (scan_in_pieces(data, size, size > 0 ? size : 1) != expected || scan_in_pieces(data, size, piece) != expected ||
        next_in_pieces(data, size, piece) != expected)
        abort();
    (void)record_type_name(size > 0 ? data[0] : 0);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the PROXY protocol header parser.
 *
 * Besides "no crash", it checks what the caller relies on when it peeks at
 * the socket, parses, and consumes header.length bytes:
 * - COMPLETE never claims more bytes than it was given, and the header
 *   alone (an exact-size copy, so ASan sees any read past it) parses the
 *   same;
 * - the answers for growing prefixes never contradict each other: a prefix
 *   of a complete header is INCOMPLETE, never an ERROR; once a prefix is an
 *   ERROR, every longer one is too;
 * - ERROR always has a reason, the other results none;
 * - INCOMPLETE is impossible once PROXY_PROTOCOL_MAX_HEADER bytes are in. */
#include "proxy_protocol.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every prefix is parsed for inputs up to this size (each parse is cheap,
 * but the loop is quadratic). */
#define PREFIX_CHECK_MAX 600

static void check_reason(enum proxy_parse_result result, const char *reason)
{
    if ((result == PROXY_PARSE_ERROR) != (reason != NULL))
        abort();
}

static bool headers_equal(const struct proxy_header *a, const struct proxy_header *b)
{
    return a->version == b->version && a->length == b->length && a->has_addresses == b->has_addresses
           && a->source_length == b->source_length && a->destination_length == b->destination_length
           && memcmp(&a->source, &b->source, sizeof a->source) == 0
           && memcmp(&a->destination, &b->destination, sizeof a->destination) == 0;
}

static void check_header_alone(const uint8_t *data, const struct proxy_header *header)
{
    struct proxy_header again;
    const char *reason;
    unsigned char *exact = malloc(header->length);

    if (exact == NULL)
        abort();
    memcpy(exact, data, header->length);
    if (proxy_protocol_parse(exact, header->length, &again, &reason) != PROXY_PARSE_COMPLETE
        || !headers_equal(&again, header))
        abort();
    free(exact);
}

static void check_complete(const uint8_t *data, size_t size, const struct proxy_header *header)
{
    if (header->length == 0 || header->length > size || header->length > PROXY_PROTOCOL_MAX_HEADER)
        abort();
    if (header->version == 1 && header->length > PROXY_PROTOCOL_V1_MAX_HEADER)
        abort();
    if (header->version != 1 && header->version != 2)
        abort();
    if (header->has_addresses) {
        if (header->source.ss_family != header->destination.ss_family
            || (header->source.ss_family != AF_INET && header->source.ss_family != AF_INET6)
            || header->source_length == 0 || header->source_length != header->destination_length)
            abort();
    } else if (header->source_length != 0 || header->destination_length != 0) {
        abort();
    }
    check_header_alone(data, header);
}

static void check_prefixes(const uint8_t *data, size_t size, enum proxy_parse_result whole,
                           const struct proxy_header *whole_header)
{
    bool seen_error = false;

    for (size_t prefix = 0; prefix < size; prefix++) {
        struct proxy_header header;
        const char *reason;
        enum proxy_parse_result result = proxy_protocol_parse(data, prefix, &header, &reason);

        check_reason(result, reason);
        if (seen_error && result != PROXY_PARSE_ERROR)
            abort();
        seen_error |= result == PROXY_PARSE_ERROR;

        switch (whole) {
        case PROXY_PARSE_COMPLETE:
            if (prefix < whole_header->length && result != PROXY_PARSE_INCOMPLETE)
                abort();
            if (prefix >= whole_header->length
                && (result != PROXY_PARSE_COMPLETE || !headers_equal(&header, whole_header)))
                abort();
            break;
        case PROXY_PARSE_INCOMPLETE:
            if (result != PROXY_PARSE_INCOMPLETE)
                abort();
            break;
        case PROXY_PARSE_ERROR:
            if (result == PROXY_PARSE_COMPLETE)
                abort();
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proxy_header header;
    const char *reason;
    enum proxy_parse_result result = proxy_protocol_parse(data, size, &header, &reason);

    check_reason(result, reason);
    if (result == PROXY_PARSE_COMPLETE)
        check_complete(data, size, &header);
    if (result == PROXY_PARSE_INCOMPLETE && size >= PROXY_PROTOCOL_MAX_HEADER)
        abort();
    if (size <= PREFIX_CHECK_MAX)
        check_prefixes(data, size, result, &header);
    return 0;
}

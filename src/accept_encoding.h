/* SPDX-License-Identifier: Apache-2.0 */
/* accept_encoding.h: which content coding to send (RFC 9110 12.5.3).
 * Pure: no I/O, no allocation, no logging; unit-tested and fuzzed. */
#ifndef TLSD_ACCEPT_ENCODING_H
#define TLSD_ACCEPT_ENCODING_H

#include <stddef.h>

/* The codings tlsd can send: the file itself, or a precompressed sibling
 * (FILE.gz, FILE.br) the site ships. No compression happens in tlsd. */
enum content_coding {
    CONTENT_CODING_IDENTITY = 0,
    CONTENT_CODING_GZIP = 1,
    CONTENT_CODING_BR = 2,
};

#define CONTENT_CODING_BIT(coding) (1u << (coding))

/* The coding to send for an Accept-Encoding field (`field` NULL: absent,
 * identity), among `available` (a mask of CONTENT_CODING_BIT()s; identity
 * is always available). Each element is a coding (case-insensitive;
 * "x-gzip" is gzip, "*" any coding not named) with an optional weight
 * ";q=" 0 to 1 with at most three decimals; an element whose weight is
 * malformed or out of range is skipped; q=0 refuses. The highest weight
 * wins; ties prefer br, then gzip, then identity. Identity named neither
 * by itself nor through "*" is acceptable but never preferred (the lowest
 * weight above 0: "gzip;q=0.5" gets gzip); even when refused, identity is
 * what is sent if nothing else is acceptable (never 406). */
enum content_coding accept_encoding_choose(const char *field, size_t length, unsigned available);

/* "br", "gzip" or NULL for identity: the Content-Encoding value. */
const char *content_coding_name(enum content_coding coding);

/* ".br", ".gz" or "" : the sibling file's suffix. */
const char *content_coding_suffix(enum content_coding coding);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* conditional.h: validators, conditional requests and byte ranges
 * (RFC 9110 8.8, 13, 14). Pure functions over buffers: no I/O, no
 * allocation, no logging; unit-tested and fuzzed alone.
 *
 * response.c asks one question, conditional_evaluate(): given the
 * request's fields and the selected representation's validators and
 * length, is the answer 200, 206 (and which bytes), 304, 412 or 416? */
#ifndef TLSD_CONDITIONAL_H
#define TLSD_CONDITIONAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* "\"" + 4 x 16 hex digits + 3 separators + "-" + a suffix of up to 9
 * bytes + "\"" + NUL */
#define CONDITIONAL_ETAG_SIZE 80
/* More ranges than this in one Range field: the field is ignored (200),
 * as a defence against range lists that cost more than the file. */
#define CONDITIONAL_MAX_RANGES 64

/* The validators of one representation. */
struct conditional_validators {
    const char *etag;          /* a strong entity-tag with its quotes; NULL: none */
    size_t etag_length;
    long long last_modified;   /* seconds since the epoch; < 0: none */
};

/* A strong entity-tag, quotes included, from what fstat() says of the
 * file: "\"<inode>-<size>-<mtime seconds>.<nanoseconds>\"" in lowercase
 * hex, then "-" and `suffix` inside the quotes when suffix is not NULL
 * ("br", "gz": the encoded representation has its own). Returns the
 * length written (NUL-terminated), 0 if it did not fit or the suffix has
 * a byte an entity-tag cannot hold (a quote, a space, a control). */
size_t conditional_etag(char *out, size_t out_size, uint64_t inode, uint64_t size, long long mtime_seconds,
                        long mtime_nanoseconds, const char *suffix);

enum conditional_match {
    CONDITIONAL_INVALID = -1,  /* not a valid field value: the caller ignores the field */
    CONDITIONAL_NO_MATCH = 0,
    CONDITIONAL_MATCH = 1,
};

/* Does a list of entity-tags ("*", or #entity-tag, each W/"..." or
 * "...", with OWS and empty elements allowed around commas) match `etag`?
 * `strong`: strong comparison (If-Match, If-Range: a weak tag never
 * matches); otherwise weak comparison (If-None-Match: W/ is ignored on
 * both sides). "*" matches any current representation, `etag` NULL
 * included; with `etag` NULL a list never matches. Empty, or no element
 * at all: INVALID. */
enum conditional_match conditional_etag_match(const char *field, size_t length, const char *etag,
                                              size_t etag_length, bool strong);

enum conditional_range {
    CONDITIONAL_RANGE_NONE = 0,        /* absent, not bytes=, malformed, too many: serve it whole */
    CONDITIONAL_RANGE_SINGLE,          /* one satisfiable range: *first..*last (inclusive) */
    CONDITIONAL_RANGE_MULTIPLE,        /* more than one satisfiable range: tlsd answers the whole 200 */
    CONDITIONAL_RANGE_UNSATISFIABLE,   /* valid, but no range overlaps the representation: 416 */
};

/* Parse a Range field (RFC 9110 14.1.2: "bytes=" then a list of
 * first-last, first- and -suffix; the unit case-insensitive, OWS around
 * each element) against a representation of `size` bytes. A last beyond
 * the end is the end; a suffix longer than the representation is all of
 * it; numbers that overflow 64 bits saturate. first > last anywhere, or
 * more than CONDITIONAL_MAX_RANGES elements, is malformed (NONE). Ranges
 * past the end are dropped; the rest, where they all overlap or touch,
 * collapse to SINGLE. Of a zero-length representation only "-N" (N > 0)
 * is satisfiable (RFC 9110 14.1.1), and it has no bytes to send: NONE;
 * any other valid range is UNSATISFIABLE. *first and *last (either may be
 * NULL) are set for SINGLE, 0 otherwise. */
enum conditional_range conditional_range_parse(const char *field, size_t length, uint64_t size,
                                               uint64_t *first, uint64_t *last);

/* If-Range (RFC 9110 13.1.5): true when the range may be served: the
 * field is an entity-tag that strongly matches `validators->etag`, or an
 * HTTP-date exactly equal to `validators->last_modified`. Anything else,
 * an invalid value (or `field` NULL) included, is false (serve it whole). */
bool conditional_if_range_holds(const char *field, size_t length, const struct conditional_validators *validators);

enum conditional_outcome {
    CONDITIONAL_OK = 200,
    CONDITIONAL_PARTIAL = 206,
    CONDITIONAL_NOT_MODIFIED = 304,
    CONDITIONAL_PRECONDITION_FAILED = 412,
    CONDITIONAL_RANGE_NOT_SATISFIABLE = 416,
};

/* The whole of RFC 9110 13.2.2's precedence for a GET or HEAD of an
 * existing representation of `size` bytes:
 *   1. If-Match (strong) false: 412; else if absent, If-Unmodified-Since
 *      earlier than last_modified: 412;
 *   2. If-None-Match (weak) matches: 304; else if absent,
 *      If-Modified-Since not earlier than last_modified: 304;
 *   3. GET only: Range, unless If-Range is present and does not hold:
 *      206 with *first..*last, 416, or (NONE, MULTIPLE) 200.
 * A field that is invalid (or `repeated`) is ignored, as if absent; so
 * are the date conditions when there is no last_modified, and the ETag
 * conditions when there is no ETag (If-Match then fails but for "*";
 * If-None-Match "*" still answers 304). If-Range is the exception: an
 * invalid or repeated one does not hold, and the answer is the whole 200.
 * `validators` NULL: none; `request` NULL: 200. *first and *last (either
 * may be NULL) are 0 unless 206. */
enum conditional_outcome conditional_evaluate(const struct http_request *request,
                                              const struct conditional_validators *validators, uint64_t size,
                                              uint64_t *first, uint64_t *last);

#endif

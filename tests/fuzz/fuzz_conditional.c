/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: HTTP-dates, entity-tag lists, Range, If-Range,
 * Accept-Encoding and the precedence of conditional_evaluate() on a
 * request parsed from the same bytes. The whole input is each field in
 * turn; the representation's sizes come from its first bytes. Besides
 * crashes and sanitizer reports, it stops on a broken promise: a range
 * outside the representation, a coding that is not available, a date
 * that does not survive format and parse. */
#include "accept_encoding.h"
#include "conditional.h"
#include "http.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ETAG "\"1b2c3-64-2ebc98a1.0\""

/* A range answer must lie inside the representation. */
static void check_range(bool single, uint64_t first, uint64_t last, uint64_t length)
{
    if (single && (first > last || last >= length))
        abort();
}

static void fuzz_date(const char *text, size_t length, long long *last_modified)
{
    long long seconds;
    char out[40];
    if (!http_date_parse(text, length, &seconds))
        return;
    *last_modified = seconds;   /* so that If-Range and the since-fields can be equal */
    long long again;
    /* a leap second (":60") formats as the next second, which parses to
     * the same; but for the one at the end of 9999, which is year 10000 */
    if (http_date_format(out, sizeof out, seconds) != 29) {
        if (seconds != 253402300800LL)
            abort();
        return;
    }
    if (!http_date_parse(out, 29, &again) || again != seconds)
        abort();
}

static void fuzz_fields(const char *text, size_t length, const uint64_t *sizes, size_t count,
                        const struct conditional_validators *validators)
{
    conditional_etag_match(text, length, ETAG, sizeof ETAG - 1, true);
    conditional_etag_match(text, length, ETAG, sizeof ETAG - 1, false);
    if (conditional_etag_match(text, length, NULL, 0, false) == CONDITIONAL_MATCH &&
        conditional_etag_match(text, length, ETAG, sizeof ETAG - 1, true) != CONDITIONAL_MATCH)
        abort();   /* only "*" matches without an ETag, and "*" matches every ETag */
    conditional_if_range_holds(text, length, validators);
    for (size_t i = 0; i < count; i++) {
        uint64_t first, last;
        enum conditional_range r = conditional_range_parse(text, length, sizes[i], &first, &last);
        check_range(r == CONDITIONAL_RANGE_SINGLE, first, last, sizes[i]);
    }
    for (unsigned available = 0; available < 8; available += 2) {   /* bit 0, identity, changes nothing */
        enum content_coding c = accept_encoding_choose(text, length, available);
        if (c != CONTENT_CODING_IDENTITY && (available & CONTENT_CODING_BIT(c)) == 0)
            abort();
    }
}

static void fuzz_request(const char *text, size_t length, const uint64_t *sizes, size_t count,
                         const struct conditional_validators *validators)
{
    struct http_request request;
    size_t consumed;
    int status;
    if (http_parse_request(text, length, &request, &consumed, &status) != HTTP_PARSE_COMPLETE)
        return;
    for (size_t i = 0; i < count; i++) {
        uint64_t first, last;
        enum conditional_outcome o = conditional_evaluate(&request, validators, sizes[i], &first, &last);
        check_range(o == CONDITIONAL_PARTIAL, first, last, sizes[i]);
        if (o == CONDITIONAL_PARTIAL && request.method != HTTP_METHOD_GET)
            abort();
    }
    conditional_evaluate(&request, NULL, sizes[0], NULL, NULL);
    accept_encoding_choose(request.accept_encoding.value, request.accept_encoding.length, 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    uint64_t derived = size;
    if (size >= 8)
        memcpy(&derived, data, 8);
    const uint64_t sizes[] = { derived, 0, 1, 100, derived % 65536, UINT64_MAX };
    const size_t count = sizeof sizes / sizeof sizes[0];

    long long last_modified = 784111777LL;
    fuzz_date(text, size, &last_modified);
    const struct conditional_validators validators = { ETAG, sizeof ETAG - 1, last_modified };
    const struct conditional_validators no_etag = { NULL, 0, last_modified };

    fuzz_fields(text, size, sizes, count, &validators);
    fuzz_request(text, size, sizes, count, &validators);
    fuzz_request(text, size, sizes, 1, &no_etag);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_conditional.c: unit tests for validators, conditional requests and
 * byte ranges (src/conditional.c).
 *
 * Every field goes through an exact-size heap copy (copy_of), so that a
 * read past `length` is an ASan/valgrind error, not a silent pass. The
 * field values marked "real" are as browsers and curl send them. */
#include "conditional.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

/* An exact-size heap copy of s, without its NUL. */
static char *copy_of(const char *s)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, s, n);
    return copy;
}

static enum conditional_match etag_match(const char *field, const char *etag, bool strong)
{
    char *copy = field ? copy_of(field) : NULL;
    enum conditional_match m = conditional_etag_match(copy, field ? strlen(field) : 0, etag,
                                                      etag ? strlen(etag) : 0, strong);
    free(copy);
    return m;
}

struct range_result {
    enum conditional_range kind;
    uint64_t first, last;
};

static struct range_result range(const char *field, uint64_t size)
{
    struct range_result r = { CONDITIONAL_RANGE_NONE, 12345, 12345 };
    char *copy = copy_of(field);
    r.kind = conditional_range_parse(copy, strlen(field), size, &r.first, &r.last);
    free(copy);
    return r;
}

static void assert_range(const char *field, uint64_t size, enum conditional_range kind)
{
    struct range_result r = range(field, size);
    ck_assert_msg(r.kind == kind, "\"%s\" of %llu: expected %d, got %d", field, (unsigned long long)size,
                  (int)kind, (int)r.kind);
    if (kind != CONDITIONAL_RANGE_SINGLE)
        ck_assert_msg(r.first == 0 && r.last == 0, "\"%s\": first/last set without SINGLE", field);
}

static void assert_single(const char *field, uint64_t size, uint64_t first, uint64_t last)
{
    struct range_result r = range(field, size);
    ck_assert_msg(r.kind == CONDITIONAL_RANGE_SINGLE && r.first == first && r.last == last,
                  "\"%s\" of %llu: expected %llu-%llu, got kind %d %llu-%llu", field, (unsigned long long)size,
                  (unsigned long long)first, (unsigned long long)last, (int)r.kind,
                  (unsigned long long)r.first, (unsigned long long)r.last);
}

/* The representation most tests ask about: 100 bytes, an ETag and
 * Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT. */
#define ETAG "\"1b2c3-64-2ebc98a1.0\""
#define LAST_MODIFIED 784111777LL
#define EARLIER "Sat, 05 Nov 1994 08:49:37 GMT"
#define SAME "Sun, 06 Nov 1994 08:49:37 GMT"
#define LATER "Sun, 06 Nov 1994 08:49:38 GMT"
static const struct conditional_validators validators = { ETAG, sizeof ETAG - 1, LAST_MODIFIED };

static bool if_range(const char *field, const struct conditional_validators *v)
{
    char *copy = copy_of(field);
    bool holds = conditional_if_range_holds(copy, strlen(field), v);
    free(copy);
    return holds;
}

/* ------------------------------------------------------------ entity-tags */

START_TEST(test_etag_format)
{
    char out[CONDITIONAL_ETAG_SIZE];
    size_t n = conditional_etag(out, sizeof out, 0x1b2c3, 100, 1795734000LL, 123456789L, NULL);
    ck_assert_str_eq(out, "\"1b2c3-64-6b08b9f0.75bcd15\"");
    ck_assert_uint_eq(n, strlen(out));

    conditional_etag(out, sizeof out, 0x1b2c3, 100, 1795734000LL, 123456789L, "br");
    ck_assert_str_eq(out, "\"1b2c3-64-6b08b9f0.75bcd15-br\"");
    conditional_etag(out, sizeof out, 0x1b2c3, 100, 1795734000LL, 123456789L, "gz");
    ck_assert_str_eq(out, "\"1b2c3-64-6b08b9f0.75bcd15-gz\"");
    conditional_etag(out, sizeof out, 0, 0, 0, 0, NULL);
    ck_assert_str_eq(out, "\"0-0-0.0\"");

    /* the widest: every number at 16 digits, a suffix; fits in the size */
    n = conditional_etag(out, sizeof out, UINT64_MAX, UINT64_MAX, -1LL, -1L, "gz");
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_lt(n, sizeof out);
    ck_assert_int_eq(out[0], '"');
    ck_assert_int_eq(out[n - 1], '"');

    /* what it writes is an entity-tag that matches itself strongly */
    ck_assert_int_eq(conditional_etag_match(out, n, out, n, true), CONDITIONAL_MATCH);
}
END_TEST

START_TEST(test_etag_format_refuses)
{
    char out[CONDITIONAL_ETAG_SIZE];
    size_t full = conditional_etag(out, sizeof out, 0x1b2c3, 100, 1795734000LL, 123456789L, "br");
    for (size_t size = 0; size <= full; size++) {
        memset(out, 'Z', sizeof out);
        ck_assert_uint_eq(conditional_etag(out, size, 0x1b2c3, 100, 1795734000LL, 123456789L, "br"), 0);
        for (size_t i = size; i < sizeof out; i++)
            ck_assert_int_eq(out[i], 'Z');
    }
    ck_assert_uint_eq(conditional_etag(out, full + 1, 0x1b2c3, 100, 1795734000LL, 123456789L, "br"), full);
    /* a suffix that would end the tag early or break the field */
    ck_assert_uint_eq(conditional_etag(out, sizeof out, 1, 2, 3, 4, "a\"b"), 0);
    ck_assert_uint_eq(conditional_etag(out, sizeof out, 1, 2, 3, 4, "a b"), 0);
    ck_assert_uint_eq(conditional_etag(out, sizeof out, 1, 2, 3, 4, "a\r\n"), 0);
    ck_assert_uint_eq(conditional_etag(NULL, 80, 1, 2, 3, 4, NULL), 0);
}
END_TEST

START_TEST(test_etag_match_lists)
{
    /* real: Chromium and Firefox revalidating send back the one ETag */
    ck_assert_int_eq(etag_match(ETAG, ETAG, false), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match(ETAG, ETAG, true), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match("\"other\"", ETAG, false), CONDITIONAL_NO_MATCH);
    ck_assert_int_eq(etag_match("\"a\", " ETAG ", \"b\"", ETAG, false), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match("\"a\",\"b\"", ETAG, false), CONDITIONAL_NO_MATCH);
    ck_assert_int_eq(etag_match("\"a\"\t,\t" ETAG, ETAG, true), CONDITIONAL_MATCH);
    /* empty elements (RFC 9110 5.6.1.2) and surrounding OWS */
    ck_assert_int_eq(etag_match(" , ," ETAG " ,, ", ETAG, false), CONDITIONAL_MATCH);
    /* "*": any current representation, with or without an ETag */
    ck_assert_int_eq(etag_match("*", ETAG, false), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match("*", ETAG, true), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match(" * ", NULL, true), CONDITIONAL_MATCH);
    /* no ETag to compare: a list never matches */
    ck_assert_int_eq(etag_match(ETAG, NULL, false), CONDITIONAL_NO_MATCH);
    /* "" is an entity-tag; a prefix or an extension is not the same tag */
    ck_assert_int_eq(etag_match("\"\"", "\"\"", true), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match("\"1b2c3-64-2ebc98a1.0-br\"", ETAG, false), CONDITIONAL_NO_MATCH);
    ck_assert_int_eq(etag_match("\"1b2c3-64-2ebc98a1\"", ETAG, false), CONDITIONAL_NO_MATCH);
    /* obs-text is etagc */
    ck_assert_int_eq(etag_match("\"\xc3\xa9\"", "\"\xc3\xa9\"", true), CONDITIONAL_MATCH);
}
END_TEST

START_TEST(test_etag_match_weak)
{
    /* weak comparison (If-None-Match): W/ ignored on both sides */
    ck_assert_int_eq(etag_match("W/" ETAG, ETAG, false), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match(ETAG, "W/" ETAG, false), CONDITIONAL_MATCH);
    ck_assert_int_eq(etag_match("W/" ETAG, "W/" ETAG, false), CONDITIONAL_MATCH);
    /* strong comparison (If-Match, If-Range): a weak tag never matches */
    ck_assert_int_eq(etag_match("W/" ETAG, ETAG, true), CONDITIONAL_NO_MATCH);
    ck_assert_int_eq(etag_match(ETAG, "W/" ETAG, true), CONDITIONAL_NO_MATCH);
    ck_assert_int_eq(etag_match("W/" ETAG ", " ETAG, ETAG, true), CONDITIONAL_MATCH);
    /* real: a weak tag as nginx's gzip filter makes them */
    ck_assert_int_eq(etag_match("W/\"6746b6b0-1a3f\"", "\"6746b6b0-1a3f\"", false), CONDITIONAL_MATCH);
}
END_TEST

START_TEST(test_etag_match_malformed)
{
    static const char *const bad[] = {
        "", " ", ",", " , ,", "abc", "\"abc", "abc\"", "\"a\" \"b\"", "\"a\";\"b\"", "W/abc", "w/\"abc\"",
        "W /\"abc\"", "W/ \"abc\"", "\"a b\"", "\"a\tb\"", "\"a\x01\"", "\"a\x7f\"", "*, \"a\"", "\"a\", *",
        "**", "\"a\"x", "\"a\",x", "W/", "W", "\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(etag_match(bad[i], ETAG, false) == CONDITIONAL_INVALID, "weak: \"%s\"", bad[i]);
        ck_assert_msg(etag_match(bad[i], ETAG, true) == CONDITIONAL_INVALID, "strong: \"%s\"", bad[i]);
    }
    ck_assert_int_eq(etag_match(NULL, ETAG, false), CONDITIONAL_INVALID);
    /* a NUL inside is a byte like any other: not etagc */
    ck_assert_int_eq(conditional_etag_match("\"a\0b\"", 5, "\"a\"", 3, false), CONDITIONAL_INVALID);
    /* the length is obeyed: the rest of the buffer is not the field */
    ck_assert_int_eq(conditional_etag_match(ETAG "garbage", sizeof ETAG - 1, ETAG, sizeof ETAG - 1, true),
                     CONDITIONAL_MATCH);
}
END_TEST

/* ------------------------------------------------------------ ranges */

START_TEST(test_range_basic)
{
    assert_single("bytes=0-0", 100, 0, 0);
    assert_single("bytes=0-", 100, 0, 99);        /* real: Chromium and Firefox media elements */
    assert_single("bytes=0-99", 100, 0, 99);      /* real: curl -r 0-99 */
    assert_single("bytes=10-19", 100, 10, 19);
    assert_single("bytes=99-", 100, 99, 99);
    assert_single("bytes=99-99", 100, 99, 99);
    assert_single("bytes=-1", 100, 99, 99);
    assert_single("bytes=-10", 100, 90, 99);
    assert_single("bytes=-100", 100, 0, 99);
    assert_single("bytes=-1000", 100, 0, 99);     /* a suffix longer than it: all of it */
    assert_single("bytes=50-1000", 100, 50, 99);  /* a last beyond the end: the end */
    assert_range("bytes=-0", 100, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=100-", 100, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=100-200", 100, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=5-4", 100, CONDITIONAL_RANGE_NONE);    /* first > last: invalid */
    assert_range("bytes=500-400", 100, CONDITIONAL_RANGE_NONE);
}
END_TEST

START_TEST(test_range_syntax)
{
    assert_single("BYTES=0-1", 100, 0, 1);
    assert_single("Bytes=0-1", 100, 0, 1);
    assert_single("bytes=0-1 ", 100, 0, 1);
    assert_single(" bytes=0-1", 100, 0, 1);
    assert_single("bytes= 0-1", 100, 0, 1);
    assert_single("bytes=0-1,\t", 100, 0, 1);
    assert_single("bytes=,0-1,,", 100, 0, 1);     /* empty list elements */
    assert_single("bytes=000-001", 100, 0, 1);
    static const char *const bad[] = {
        "", "bytes", "bytes=", "bytes=,", "bytes= , ,", "bytes =0-1", "bytes= =0-1", "bytes:0-1", "byte=0-1",
        "bytesx=0-1", "items=0-1", "bytes=0 -1", "bytes=0- 1", "bytes=0-1-2", "bytes=a-b", "bytes=1",
        "bytes=-", "bytes=--1", "bytes=-1-", "bytes=+1-2", "bytes=0x10-", "bytes=0-1;", "bytes=0-1 2-3",
        "bytes=0-1,a", "bytes=\xff", "bytes=0-1\x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_range(bad[i], 100, CONDITIONAL_RANGE_NONE);
    /* a NUL in the field is a byte, not an end */
    uint64_t first, last;
    ck_assert_int_eq(conditional_range_parse("bytes=0-1\0", 10, 100, &first, &last), CONDITIONAL_RANGE_NONE);
    /* the length is obeyed */
    ck_assert_int_eq(conditional_range_parse("bytes=0-12345", 9, 100, &first, &last), CONDITIONAL_RANGE_SINGLE);
    ck_assert_uint_eq(last, 1);
    ck_assert_int_eq(conditional_range_parse(NULL, 0, 100, &first, &last), CONDITIONAL_RANGE_NONE);
    ck_assert_int_eq(conditional_range_parse("bytes=0-1", 9, 100, NULL, NULL), CONDITIONAL_RANGE_SINGLE);
}
END_TEST

START_TEST(test_range_overflow)
{
    /* 2^64 and beyond saturate */
    assert_single("bytes=0-18446744073709551616", 100, 0, 99);
    assert_single("bytes=0-99999999999999999999999999999999", 100, 0, 99);
    assert_single("bytes=-99999999999999999999999999999999", 100, 0, 99);
    assert_range("bytes=18446744073709551616-", 100, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=99999999999999999999999-99999999999999999999999", 100,
                 CONDITIONAL_RANGE_UNSATISFIABLE);
    /* the largest representation there can be */
    assert_single("bytes=0-", UINT64_MAX, 0, UINT64_MAX - 1);
    assert_single("bytes=18446744073709551614-", UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 1);
    assert_single("bytes=-1", UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 1);
    assert_single("bytes=-18446744073709551615", UINT64_MAX, 0, UINT64_MAX - 1);
    assert_range("bytes=18446744073709551615-", UINT64_MAX, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=0-9, 18446744073709551613-", UINT64_MAX, CONDITIONAL_RANGE_MULTIPLE);
}
END_TEST

START_TEST(test_range_lists)
{
    assert_range("bytes=0-1,3-4", 100, CONDITIONAL_RANGE_MULTIPLE);
    assert_range("bytes=0-1 , 3-4", 100, CONDITIONAL_RANGE_MULTIPLE);
    assert_range("bytes=-1,0-0", 100, CONDITIONAL_RANGE_MULTIPLE);
    /* coalescing: overlapping, touching, in any order, duplicates */
    assert_single("bytes=0-1,2-3", 100, 0, 3);
    assert_single("bytes=2-3,0-1", 100, 0, 3);
    assert_single("bytes=0-50,10-20", 100, 0, 50);
    assert_single("bytes=50-,0-49", 100, 0, 99);
    assert_single("bytes=0-0,0-0,0-0", 100, 0, 0);
    assert_single("bytes=-10,85-89,80-84", 100, 80, 99);
    assert_single("bytes=0-10,5-,-3", 100, 0, 99);
    assert_single("bytes=0-4,10-14,5-9", 100, 0, 14);
    assert_range("bytes=0-4,10-14,6-9", 100, CONDITIONAL_RANGE_MULTIPLE);
    /* unsatisfiable members are dropped, the rest served */
    assert_single("bytes=0-1,200-300", 100, 0, 1);
    assert_single("bytes=200-,-0,5-6", 100, 5, 6);
    assert_range("bytes=200-,-0,300-400", 100, CONDITIONAL_RANGE_UNSATISFIABLE);
    /* one invalid member makes the whole field invalid */
    assert_range("bytes=0-1,5-4", 100, CONDITIONAL_RANGE_NONE);
    assert_range("bytes=0-1,x", 100, CONDITIONAL_RANGE_NONE);
}
END_TEST

/* "bytes=0-0,2-2,4-4,..." with `count` ranges, or the same range `count` times. */
static char *range_list(size_t count, bool same)
{
    char *s = malloc(16 + count * 16);
    ck_assert_ptr_nonnull(s);
    size_t used = (size_t)sprintf(s, "bytes=");
    for (size_t i = 0; i < count; i++)
        used += (size_t)sprintf(s + used, "%s%zu-%zu", i ? "," : "", same ? 0 : 2 * i, same ? 0 : 2 * i);
    return s;
}

START_TEST(test_range_limit)
{
    char *s = range_list(CONDITIONAL_MAX_RANGES, false);
    assert_range(s, 1000, CONDITIONAL_RANGE_MULTIPLE);
    free(s);
    s = range_list(CONDITIONAL_MAX_RANGES + 1, false);
    assert_range(s, 1000, CONDITIONAL_RANGE_NONE);
    free(s);
    /* the limit counts what was asked, not what is left after merging */
    s = range_list(CONDITIONAL_MAX_RANGES, true);
    assert_single(s, 1000, 0, 0);
    free(s);
    s = range_list(CONDITIONAL_MAX_RANGES + 1, true);
    assert_range(s, 1000, CONDITIONAL_RANGE_NONE);
    free(s);
    s = range_list(10000, true);
    assert_range(s, 1000, CONDITIONAL_RANGE_NONE);
    free(s);
    /* empty elements do not count */
    char many_commas[200] = "bytes=";
    for (size_t i = 0; i < 150; i++)
        strcat(many_commas, ",");
    strcat(many_commas, "1-2");
    assert_single(many_commas, 100, 1, 2);
}
END_TEST

START_TEST(test_range_zero_size)
{
    /* RFC 9110 14.1.1: of an empty representation only "-N" (N > 0) is
     * satisfiable, and it has no bytes: served whole (200) */
    assert_range("bytes=0-", 0, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=0-0", 0, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=-0", 0, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=0-,1-2", 0, CONDITIONAL_RANGE_UNSATISFIABLE);
    assert_range("bytes=-5", 0, CONDITIONAL_RANGE_NONE);
    assert_range("bytes=0-,-5", 0, CONDITIONAL_RANGE_NONE);
    assert_range("bytes=x", 0, CONDITIONAL_RANGE_NONE);
    assert_range("bytes=1-0", 0, CONDITIONAL_RANGE_NONE);
    /* a one-byte file */
    assert_single("bytes=0-", 1, 0, 0);
    assert_single("bytes=-5", 1, 0, 0);
    assert_range("bytes=1-", 1, CONDITIONAL_RANGE_UNSATISFIABLE);
}
END_TEST

/* ------------------------------------------------------------ If-Range */

START_TEST(test_if_range)
{
    ck_assert(if_range(ETAG, &validators));          /* real: Chromium resuming a download */
    ck_assert(!if_range("W/" ETAG, &validators));    /* weak: never */
    ck_assert(!if_range("\"other\"", &validators));
    ck_assert(!if_range(ETAG ", " ETAG, &validators)); /* one entity-tag, not a list */
    ck_assert(!if_range("*", &validators));
    ck_assert(if_range(SAME, &validators));          /* real: curl -C - -z */
    ck_assert(if_range("Sunday, 06-Nov-94 08:49:37 GMT", &validators));
    ck_assert(if_range("Sun Nov  6 08:49:37 1994", &validators));
    ck_assert(!if_range(EARLIER, &validators));      /* exactly equal, not "not later" */
    ck_assert(!if_range(LATER, &validators));
    ck_assert(!if_range("", &validators));
    ck_assert(!if_range("garbage", &validators));
    ck_assert(!if_range("\"unterminated", &validators));
    ck_assert(if_range(" " ETAG " ", &validators));

    /* a date that begins with W is a date, not a weak tag */
    const struct conditional_validators wednesday = { ETAG, sizeof ETAG - 1, 784382400LL };
    ck_assert(if_range("Wed, 09 Nov 1994 12:00:00 GMT", &wednesday));
    ck_assert(if_range("Wednesday, 09-Nov-94 12:00:00 GMT", &wednesday));

    const struct conditional_validators nothing = { NULL, 0, -1 };
    ck_assert(!if_range(ETAG, &nothing));
    ck_assert(!if_range("Thu, 01 Jan 1970 00:00:00 GMT", &nothing));
    const struct conditional_validators epoch = { NULL, 0, 0 };
    ck_assert(if_range("Thu, 01 Jan 1970 00:00:00 GMT", &epoch));
    ck_assert(!conditional_if_range_holds(ETAG, sizeof ETAG - 1, NULL));
    ck_assert(!conditional_if_range_holds(NULL, 0, &validators));
}
END_TEST

/* ------------------------------------------------------------ precedence */

/* Fields of a test request; NULL: absent; REPEATED: sent twice. */
static const char REPEATED[] = "(repeated)";

static struct http_field field(const char *value)
{
    struct http_field f = { NULL, 0, false };
    if (value == REPEATED)
        f.repeated = true;
    else if (value != NULL)
        f = (struct http_field){ value, strlen(value), false };
    return f;
}

struct precedence_case {
    enum http_method method;
    const char *if_match, *if_none_match, *if_modified_since, *if_unmodified_since, *range, *if_range;
    enum conditional_outcome outcome;
    uint64_t first, last;
};

static enum conditional_outcome evaluate(const struct precedence_case *c, const struct conditional_validators *v,
                                         uint64_t size, uint64_t *first, uint64_t *last)
{
    struct http_request request;
    memset(&request, 0, sizeof request);
    request.method = c->method;
    request.if_match = field(c->if_match);
    request.if_none_match = field(c->if_none_match);
    request.if_modified_since = field(c->if_modified_since);
    request.if_unmodified_since = field(c->if_unmodified_since);
    request.range = field(c->range);
    request.if_range = field(c->if_range);
    return conditional_evaluate(&request, v, size, first, last);
}

static void run_cases(const struct precedence_case *cases, size_t count, const struct conditional_validators *v,
                      uint64_t size)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t first = 7, last = 7;
        enum conditional_outcome got = evaluate(&cases[i], v, size, &first, &last);
        ck_assert_msg(got == cases[i].outcome, "case %zu: expected %d, got %d", i, (int)cases[i].outcome,
                      (int)got);
        if (got == CONDITIONAL_PARTIAL)
            ck_assert_msg(first == cases[i].first && last == cases[i].last, "case %zu: %llu-%llu", i,
                          (unsigned long long)first, (unsigned long long)last);
    }
}

#define GET HTTP_METHOD_GET
#define HEAD HTTP_METHOD_HEAD

START_TEST(test_precedence)
{
    static const struct precedence_case cases[] = {
        /* method, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, Range, If-Range */
        { GET, NULL, NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { HEAD, NULL, NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        /* 1. If-Match, strong; else If-Unmodified-Since */
        { GET, ETAG, NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, "\"other\"", NULL, NULL, NULL, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        { GET, "W/" ETAG, NULL, NULL, NULL, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        { GET, "*", NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, "\"a\", " ETAG, NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, "garbage", NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, "", NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, REPEATED, NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, EARLIER, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        { GET, NULL, NULL, NULL, SAME, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, LATER, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, "yesterday", NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, REPEATED, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, ETAG, NULL, NULL, EARLIER, NULL, NULL, CONDITIONAL_OK, 0, 0 },        /* If-Match wins */
        { GET, "garbage", NULL, NULL, EARLIER, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        { GET, REPEATED, NULL, NULL, EARLIER, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        /* 412 comes before 304 and 206 */
        { GET, "\"other\"", ETAG, NULL, NULL, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        { GET, "\"other\"", NULL, SAME, NULL, "bytes=0-1", NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        { HEAD, NULL, ETAG, NULL, EARLIER, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        /* 2. If-None-Match, weak; else If-Modified-Since */
        { GET, NULL, ETAG, NULL, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { HEAD, NULL, ETAG, NULL, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, "W/" ETAG, NULL, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, "*", NULL, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, "\"other\"", NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, SAME, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, NULL, LATER, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, NULL, EARLIER, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { HEAD, NULL, NULL, SAME, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, NULL, "Sun, 06 Nov 1994 08:49:37 UTC", NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, SAME ", " SAME, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, REPEATED, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        /* If-None-Match overrides If-Modified-Since, both ways */
        { GET, NULL, "\"other\"", SAME, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, ETAG, EARLIER, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, "garbage", SAME, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, REPEATED, SAME, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, ETAG, ETAG, NULL, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        /* 304 comes before 206 and 416 */
        { GET, NULL, ETAG, NULL, NULL, "bytes=0-1", NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, NULL, SAME, NULL, "bytes=500-", NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        /* 3. Range, GET only */
        { GET, NULL, NULL, NULL, NULL, "bytes=0-9", NULL, CONDITIONAL_PARTIAL, 0, 9 },
        { GET, NULL, NULL, NULL, NULL, "bytes=-10", NULL, CONDITIONAL_PARTIAL, 90, 99 },
        { HEAD, NULL, NULL, NULL, NULL, "bytes=0-9", NULL, CONDITIONAL_OK, 0, 0 },
        { HTTP_METHOD_OTHER, NULL, NULL, NULL, NULL, "bytes=0-9", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=100-", NULL, CONDITIONAL_RANGE_NOT_SATISFIABLE, 0, 0 },
        { HEAD, NULL, NULL, NULL, NULL, "bytes=100-", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=0-1,5-6", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=9-0", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "lines=1-2", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, REPEATED, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, ETAG, "\"other\"", EARLIER, SAME, "bytes=5-", NULL, CONDITIONAL_PARTIAL, 5, 99 },
        /* If-Range: the range only while the validator holds */
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", ETAG, CONDITIONAL_PARTIAL, 10, 99 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", SAME, CONDITIONAL_PARTIAL, 10, 99 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", "\"other\"", CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", "W/" ETAG, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", EARLIER, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", LATER, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", "garbage", CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", "", CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=10-", REPEATED, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=500-", "\"other\"", CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=500-", ETAG, CONDITIONAL_RANGE_NOT_SATISFIABLE, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, NULL, "\"other\"", CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, NULL, ETAG, CONDITIONAL_OK, 0, 0 },
    };
    run_cases(cases, sizeof cases / sizeof cases[0], &validators, 100);
}
END_TEST

START_TEST(test_precedence_missing_validators)
{
    /* no ETag: If-Match fails but for "*"; If-None-Match is ignored but
     * for "*", so If-Modified-Since counts */
    static const struct precedence_case no_etag[] = {
        { GET, ETAG, NULL, NULL, NULL, NULL, NULL, CONDITIONAL_PRECONDITION_FAILED, 0, 0 },
        { GET, "*", NULL, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, ETAG, NULL, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, "*", NULL, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, ETAG, SAME, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=0-0", ETAG, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=0-0", SAME, CONDITIONAL_PARTIAL, 0, 0 },
    };
    const struct conditional_validators only_date = { NULL, 0, LAST_MODIFIED };
    run_cases(no_etag, sizeof no_etag / sizeof no_etag[0], &only_date, 100);

    /* no Last-Modified: the date conditions are ignored */
    static const struct precedence_case no_date[] = {
        { GET, NULL, NULL, SAME, NULL, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, EARLIER, NULL, NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=0-0", SAME, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, ETAG, NULL, NULL, NULL, NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
    };
    const struct conditional_validators only_etag = { ETAG, sizeof ETAG - 1, -1 };
    run_cases(no_date, sizeof no_date / sizeof no_date[0], &only_etag, 100);
    run_cases(no_date, 3, NULL, 100);
}
END_TEST

START_TEST(test_precedence_zero_size)
{
    static const struct precedence_case cases[] = {
        { GET, NULL, NULL, NULL, NULL, "bytes=0-", NULL, CONDITIONAL_RANGE_NOT_SATISFIABLE, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=-5", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, NULL, NULL, NULL, "bytes=x", NULL, CONDITIONAL_OK, 0, 0 },
        { HEAD, NULL, NULL, NULL, NULL, "bytes=0-", NULL, CONDITIONAL_OK, 0, 0 },
        { GET, NULL, ETAG, NULL, NULL, "bytes=0-", NULL, CONDITIONAL_NOT_MODIFIED, 0, 0 },
    };
    run_cases(cases, sizeof cases / sizeof cases[0], &validators, 0);
}
END_TEST

/* The whole path: a request head as a client sends it, parsed, then judged. */
static enum conditional_outcome evaluate_head(const char *head, uint64_t size, uint64_t *first, uint64_t *last)
{
    struct http_request request;
    size_t consumed;
    int status;
    char *copy = copy_of(head);
    ck_assert_int_eq(http_parse_request(copy, strlen(head), &request, &consumed, &status), HTTP_PARSE_COMPLETE);
    enum conditional_outcome outcome = conditional_evaluate(&request, &validators, size, first, last);
    free(copy);
    return outcome;
}

START_TEST(test_real_requests)
{
    uint64_t first, last;
    /* Firefox 133 revalidating a stylesheet */
    ck_assert_int_eq(evaluate_head("GET /style.css HTTP/1.1\r\nHost: localhost:8443\r\n"
                                   "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 "
                                   "Firefox/133.0\r\n"
                                   "Accept: text/css,*/*;q=0.1\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n"
                                   "If-Modified-Since: " SAME "\r\nIf-None-Match: " ETAG "\r\n\r\n",
                                   100, &first, &last),
                     CONDITIONAL_NOT_MODIFIED);
    /* Chromium 131 playing a video */
    ck_assert_int_eq(evaluate_head("GET /clip.mp4 HTTP/1.1\r\nHost: localhost:8443\r\nConnection: keep-alive\r\n"
                                   "Accept-Encoding: identity;q=1, *;q=0\r\nRange: bytes=0-\r\n\r\n",
                                   100, &first, &last),
                     CONDITIONAL_PARTIAL);
    ck_assert_uint_eq(first, 0);
    ck_assert_uint_eq(last, 99);
    /* curl 7.88.1 -C - resuming, the validator still current */
    ck_assert_int_eq(evaluate_head("GET /big.iso HTTP/1.1\r\nHost: localhost:8443\r\nRange: bytes=40-\r\n"
                                   "User-Agent: curl/7.88.1\r\nAccept: */*\r\nIf-Range: " ETAG "\r\n\r\n",
                                   100, &first, &last),
                     CONDITIONAL_PARTIAL);
    ck_assert_uint_eq(first, 40);
    /* two Range lines: neither is trusted */
    ck_assert_int_eq(evaluate_head("GET /a HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n",
                                   100, &first, &last),
                     CONDITIONAL_OK);
    /* If-None-Match sent twice: ignored, If-Modified-Since decides */
    ck_assert_int_eq(evaluate_head("GET /a HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n"
                                   "if-none-match: \"y\"\r\nIf-Modified-Since: " SAME "\r\n\r\n",
                                   100, &first, &last),
                     CONDITIONAL_NOT_MODIFIED);
    ck_assert_int_eq(conditional_evaluate(NULL, &validators, 100, &first, &last), CONDITIONAL_OK);
}
END_TEST

static Suite *conditional_suite(void)
{
    Suite *s = suite_create("conditional");
    TCase *tc = tcase_create("etags");
    tcase_add_test(tc, test_etag_format);
    tcase_add_test(tc, test_etag_format_refuses);
    tcase_add_test(tc, test_etag_match_lists);
    tcase_add_test(tc, test_etag_match_weak);
    tcase_add_test(tc, test_etag_match_malformed);
    suite_add_tcase(s, tc);

    tc = tcase_create("ranges");
    tcase_add_test(tc, test_range_basic);
    tcase_add_test(tc, test_range_syntax);
    tcase_add_test(tc, test_range_overflow);
    tcase_add_test(tc, test_range_lists);
    tcase_add_test(tc, test_range_limit);
    tcase_add_test(tc, test_range_zero_size);
    tcase_add_test(tc, test_if_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("evaluate");
    tcase_add_test(tc, test_precedence);
    tcase_add_test(tc, test_precedence_missing_validators);
    tcase_add_test(tc, test_precedence_zero_size);
    tcase_add_test(tc, test_real_requests);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(conditional_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

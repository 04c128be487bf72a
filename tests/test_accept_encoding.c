/* SPDX-License-Identifier: Apache-2.0 */
/* test_accept_encoding.c: unit tests for the choice of content coding
 * (src/accept_encoding.c).
 *
 * Every field goes through an exact-size heap copy, so that a read past
 * `length` is an ASan/valgrind error. The values marked "real" are as the
 * clients named send them. */
#include "accept_encoding.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDENTITY CONTENT_CODING_IDENTITY
#define GZIP CONTENT_CODING_GZIP
#define BR CONTENT_CODING_BR
#define HAS_GZIP CONTENT_CODING_BIT(CONTENT_CODING_GZIP)
#define HAS_BR CONTENT_CODING_BIT(CONTENT_CODING_BR)
#define HAS_BOTH (HAS_GZIP | HAS_BR)

static enum content_coding choose(const char *field, unsigned available)
{
    size_t n = strlen(field);
    char *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, field, n);
    enum content_coding coding = accept_encoding_choose(copy, n, available);
    free(copy);
    return coding;
}

static void assert_choice(const char *field, unsigned available, enum content_coding expected)
{
    enum content_coding got = choose(field, available);
    ck_assert_msg(got == expected, "\"%s\" with %u: expected %d, got %d", field, available, (int)expected,
                  (int)got);
}

/* With every other coding refused, is `element` accepted with a weight
 * above 0? (gzip chosen: yes; identity: the element was refused or skipped) */
static enum content_coding alone(const char *element)
{
    char field[256];
    snprintf(field, sizeof field, "identity;q=0, %s", element);
    return choose(field, HAS_BOTH);
}

/* With "*" accepting everything, is gzip refused by `element`? (identity:
 * refused, q=0 read; gzip: the element was skipped, "*" let gzip in) */
static enum content_coding refused(const char *element)
{
    char field[256];
    snprintf(field, sizeof field, "*, %s", element);
    return choose(field, HAS_GZIP);
}

START_TEST(test_real_clients)
{
    static const char *const values[] = {
        "gzip, deflate, br, zstd",   /* Chromium 131, Firefox 133 */
        "deflate, gzip, br, zstd",   /* curl 8.x --compressed */
        "gzip, deflate, br",         /* Safari 17, curl 7.88 --compressed */
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        assert_choice(values[i], HAS_BOTH, BR);
        assert_choice(values[i], HAS_BR, BR);
        assert_choice(values[i], HAS_GZIP, GZIP);
        assert_choice(values[i], 0, IDENTITY);
    }
    assert_choice("gzip, deflate", HAS_BOTH, GZIP);        /* Wget 1.21 --compression=auto, older clients */
    assert_choice("gzip", HAS_BR, IDENTITY);
    assert_choice("identity", HAS_BOTH, IDENTITY);          /* curl without --compressed sends none */
    assert_choice("identity;q=1, *;q=0", HAS_BOTH, IDENTITY); /* real: Chromium media requests */
    assert_choice("gzip,deflate", HAS_BOTH, GZIP);          /* real: Python requests */
    assert_choice("br;q=1.0, gzip;q=0.8, *;q=0.1", HAS_BOTH, BR);
    ck_assert_int_eq(accept_encoding_choose(NULL, 0, HAS_BOTH), IDENTITY);   /* absent */
    assert_choice("", HAS_BOTH, IDENTITY);                  /* empty: no coding wanted */
}
END_TEST

START_TEST(test_weights)
{
    assert_choice("br;q=0.5, gzip", HAS_BOTH, GZIP);
    assert_choice("br;q=0.5, gzip;q=0.6", HAS_BOTH, GZIP);       /* unnamed identity: acceptable, never preferred */
    assert_choice("br;q=0.001", HAS_BOTH, BR);
    assert_choice("br;q=0.5, gzip;q=0.4, *;q=0.6", HAS_BOTH, IDENTITY);   /* "*" names identity too */
    assert_choice("br;q=0.5, gzip;q=0.6, identity;q=1", HAS_BOTH, IDENTITY);
    assert_choice("br;q=0.5, gzip;q=0.6, identity;q=0.5", HAS_BOTH, GZIP);
    assert_choice("br;q=0.5, gzip;q=0.4", HAS_BOTH, BR);
    assert_choice("br;q=0.5, gzip;q=0.4, identity;q=0.1", HAS_BOTH, BR);
    assert_choice("br;q=0.5, gzip;q=0.4, identity;q=0.1", HAS_GZIP, GZIP);
    assert_choice("br;q=0.5, gzip;q=0.4, identity;q=0.1", 0, IDENTITY);
    /* ties: br, then gzip, then identity */
    assert_choice("gzip;q=0.8, br;q=0.8, identity;q=0.1", HAS_BOTH, BR);
    assert_choice("gzip;q=0.8, br;q=0.8, identity;q=0.8", HAS_BOTH, BR);
    assert_choice("gzip;q=0.8, identity;q=0.8", HAS_BOTH, GZIP);
    assert_choice("gzip, br, identity", HAS_BOTH, BR);
    assert_choice("gzip, identity", HAS_BOTH, GZIP);
    assert_choice("br;q=1.000, gzip;q=1", HAS_BOTH, BR);
    /* refusals */
    assert_choice("gzip;q=0", HAS_GZIP, IDENTITY);
    assert_choice("br;q=0, gzip", HAS_BOTH, GZIP);
    assert_choice("br;q=0, gzip;q=0", HAS_BOTH, IDENTITY);
    assert_choice("identity;q=0", 0, IDENTITY);              /* nothing else: identity all the same */
    assert_choice("identity;q=0", HAS_BOTH, IDENTITY);
    assert_choice("identity;q=0, gzip", HAS_BOTH, GZIP);
    assert_choice("identity;q=0, gzip;q=0.001", HAS_BOTH, GZIP);
    assert_choice("*;q=0", HAS_BOTH, IDENTITY);
    assert_choice("*;q=0, br", HAS_BOTH, BR);
    assert_choice("*;q=0, identity", HAS_BOTH, IDENTITY);
    /* "*": every coding not named */
    assert_choice("*", HAS_BOTH, BR);
    assert_choice("*", HAS_GZIP, GZIP);
    assert_choice("*", 0, IDENTITY);
    assert_choice("br;q=0, *", HAS_BOTH, GZIP);
    assert_choice("*;q=0.5", HAS_BOTH, BR);                  /* identity gets the same weight: a tie */
    assert_choice("*;q=0.5, identity;q=0.4", HAS_BOTH, BR);
    assert_choice("*;q=0.5, gzip;q=0.6, identity;q=0.4", HAS_BOTH, GZIP);
    /* a coding named twice: its lowest weight */
    assert_choice("gzip, gzip;q=0", HAS_GZIP, IDENTITY);
    assert_choice("gzip;q=0, gzip", HAS_GZIP, IDENTITY);
    assert_choice("identity;q=0, gzip;q=0.9, gzip;q=0.2, br;q=0.5", HAS_BOTH, BR);
}
END_TEST

START_TEST(test_names)
{
    assert_choice("GZIP", HAS_GZIP, GZIP);
    assert_choice("x-gzip", HAS_GZIP, GZIP);
    assert_choice("X-Gzip;q=0.9, identity;q=0.5", HAS_GZIP, GZIP);
    assert_choice("Br", HAS_BR, BR);
    assert_choice("IDENTITY;q=0, gzip", HAS_GZIP, GZIP);
    /* unknown codings are ignored; so are near misses */
    assert_choice("zstd, deflate, compress, dcb, dcz", HAS_BOTH, IDENTITY);
    assert_choice("identity;q=0, gzip2, brotli, x-br, gzi, b", HAS_BOTH, IDENTITY);
    assert_choice("identity;q=0, x-compress, br", HAS_BOTH, BR);
}
END_TEST

START_TEST(test_qvalues)
{
    static const char *const accepted[] = {
        "gzip;q=0.5", "gzip;q=0.05", "gzip;q=0.005", "gzip;q=0.999", "gzip;q=1", "gzip;q=1.", "gzip;q=1.0",
        "gzip;q=1.00", "gzip;q=1.000", "gzip;Q=0.5", "gzip;Q=1", "gzip ; q=0.5", "gzip;q = 0.5",
        "gzip\t;\tq\t=\t0.5", "gzip;q=0.5 ", "gzip;level=9", "gzip;level=9;q=0.5", "gzip;q=0.5;level=9",
        "gzip;a=\"x, y;q=0\";q=0.2", "gzip;a=\"\\\"\"",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
        ck_assert_msg(alone(accepted[i]) == GZIP, "\"%s\" not accepted", accepted[i]);

    static const char *const zero[] = {
        "gzip;q=0", "gzip;q=0.", "gzip;q=0.0", "gzip;q=0.00", "gzip;q=0.000", "gzip;Q=0", "gzip ; q = 0",
    };
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++) {
        ck_assert_msg(refused(zero[i]) == IDENTITY, "\"%s\" does not refuse", zero[i]);
        ck_assert_msg(alone(zero[i]) == IDENTITY, "\"%s\" accepted", zero[i]);
    }

    /* malformed: the element is skipped, as if absent */
    static const char *const malformed[] = {
        "gzip;q=5", "gzip;q=-1", "gzip;q=-0", "gzip;q=0.0001", "gzip;q=0.0000", "gzip;q=1.0001", "gzip;q=1.5",
        "gzip;q=1.001", "gzip;q=2", "gzip;q=10", "gzip;q=00", "gzip;q=01", "gzip;q=.5", "gzip;q=",
        "gzip;q", "gzip;q=0.5x", "gzip;q=0.5.5", "gzip;q=0,5", "gzip;q=+0.5", "gzip;q=1e0", "gzip;q=0x1",
        "gzip;q=\"0.5\"", "gzip;q=99999999999999999999999999999999", "gzip;q=18446744073709551616",
        "gzip;qq=0.5;q=", "gzip;", "gzip;;q=0.5", "gzip;=1", "gzip;level", "gzip;level=", "gzip;a=\"x",
        "gzip q=0.5", "gzip/1", "\"gzip\"", "gzip;q=0.5;q", "gzip;q=0 .5",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        ck_assert_msg(alone(malformed[i]) == IDENTITY, "\"%s\" accepted", malformed[i]);
        /* the malformed element (q=0 included) refuses nothing: "*" lets gzip in */
        char field[256];
        snprintf(field, sizeof field, "*, %s", malformed[i]);
        if (strchr(malformed[i], ',') == NULL)   /* "q=0,5" is the element "q=0" and the element "5" */
            ck_assert_msg(refused(malformed[i]) == GZIP, "\"%s\" refused gzip", malformed[i]);
    }
}
END_TEST

START_TEST(test_list_syntax)
{
    assert_choice(", , gzip ,,", HAS_GZIP, GZIP);
    assert_choice(",", HAS_GZIP, IDENTITY);
    assert_choice("   ", HAS_GZIP, IDENTITY);
    assert_choice("gzip br", HAS_BOTH, IDENTITY);           /* one malformed element */
    assert_choice("gzip br, br", HAS_BOTH, BR);             /* skipped, the next one read */
    assert_choice("identity;q=0, gzip;a=\"x, br\"", HAS_BR, IDENTITY);  /* the comma is in the string */
    assert_choice("identity;q=0, gzip;a=\"x, br", HAS_BR, IDENTITY);    /* unterminated: to the end */
    assert_choice("identity;q=0, gzip;a=\"x\\\", br\", br", HAS_BR, BR);
    assert_choice("identity;q=0, gzip;a=\"x\\", HAS_GZIP, IDENTITY);
    assert_choice("\x01gzip, br", HAS_BOTH, BR);
    assert_choice("gzip\xff, br;q=0.5, identity;q=0", HAS_BOTH, BR);
    /* the length is obeyed */
    ck_assert_int_eq(accept_encoding_choose("br, gzip", 2, HAS_GZIP), IDENTITY);
    ck_assert_int_eq(accept_encoding_choose("gzip;q=0.5", 6, HAS_GZIP), IDENTITY);   /* "gzip;q" */
    ck_assert_int_eq(accept_encoding_choose("gzip\0, br", 9, HAS_BOTH), BR);
}
END_TEST

START_TEST(test_availability)
{
    for (unsigned mask = 0; mask < 16; mask++) {
        enum content_coding c = choose("gzip, br", mask);
        if (mask & HAS_BR)
            ck_assert_int_eq(c, BR);
        else if (mask & HAS_GZIP)
            ck_assert_int_eq(c, GZIP);
        else
            ck_assert_int_eq(c, IDENTITY);
        /* never a coding that is not available */
        c = choose("*", mask);
        ck_assert(c == IDENTITY || (mask & CONTENT_CODING_BIT(c)) != 0);
    }
    assert_choice("gzip, br", ~0u, BR);
    assert_choice("gzip, br", CONTENT_CODING_BIT(CONTENT_CODING_IDENTITY), IDENTITY);
}
END_TEST

START_TEST(test_long_field)
{
    /* thousands of elements: one pass, and the last still counts */
    size_t n = 0, size = 64 * 1024;
    char *field = malloc(size);
    ck_assert_ptr_nonnull(field);
    while (n + 32 < size)
        n += (size_t)snprintf(field + n, size - n, "x-unknown-%zu;q=0.5, ", n);
    n += (size_t)snprintf(field + n, size - n, "identity;q=0,br");
    ck_assert_int_eq(accept_encoding_choose(field, n, HAS_BR), BR);
    free(field);
}
END_TEST

START_TEST(test_names_and_suffixes)
{
    ck_assert_ptr_null(content_coding_name(IDENTITY));
    ck_assert_str_eq(content_coding_name(GZIP), "gzip");
    ck_assert_str_eq(content_coding_name(BR), "br");
    ck_assert_str_eq(content_coding_suffix(IDENTITY), "");
    ck_assert_str_eq(content_coding_suffix(GZIP), ".gz");
    ck_assert_str_eq(content_coding_suffix(BR), ".br");
}
END_TEST

static Suite *accept_encoding_suite(void)
{
    Suite *s = suite_create("accept_encoding");
    TCase *tc = tcase_create("choose");
    tcase_add_test(tc, test_real_clients);
    tcase_add_test(tc, test_weights);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_qvalues);
    tcase_add_test(tc, test_list_syntax);
    tcase_add_test(tc, test_availability);
    tcase_add_test(tc, test_long_field);
    tcase_add_test(tc, test_names_and_suffixes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(accept_encoding_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

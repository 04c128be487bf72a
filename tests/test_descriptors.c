/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of descriptors.c: the soft limit raised to the hard one, and
 * the connections a limit has room for. */
#include "descriptors.h"

#include <check.h>
#include <stdlib.h>
#include <sys/resource.h>

START_TEST(fit_counts_the_reserve_and_two_per_connection)
{
    /* one worker, one address: 24 for the process, 6 + 1 for the worker */
    ck_assert_uint_eq(descriptors_reserved(1, 1), 31);
    ck_assert_uint_eq(descriptors_connections_fit(1024, 1, 1), (1024 - 31) / 2);
    ck_assert_uint_eq(descriptors_connections_fit(64, 1, 1), 16);
    /* each worker and each of its listening sockets takes from the connections */
    ck_assert_uint_eq(descriptors_reserved(4, 2), 24 + 4 * 8);
    ck_assert_uint_lt(descriptors_connections_fit(1024, 4, 2), descriptors_connections_fit(1024, 1, 2));
    /* not even the reserve fits: no room at all, not a wrapped-around count */
    ck_assert_uint_eq(descriptors_connections_fit(31, 1, 1), 0);
    ck_assert_uint_eq(descriptors_connections_fit(10, 1, 1), 0);
    ck_assert_uint_eq(descriptors_connections_fit(0, 256, 16), 0);
}
END_TEST

START_TEST(raise_sets_soft_to_hard)
{
    struct rlimit start;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &start), 0);
    ck_assert(start.rlim_max > 64);
    /* a lower soft limit, as a service manager leaves it */
    struct rlimit low = { .rlim_cur = 64, .rlim_max = start.rlim_max };
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    struct descriptor_limit limit;
    descriptors_raise_limit(&limit);
    ck_assert_int_eq(limit.error, 0);
    ck_assert_uint_eq(limit.before, 64);
    ck_assert_uint_eq(limit.soft, (unsigned long)start.rlim_max);
    ck_assert_uint_eq(limit.hard, (unsigned long)start.rlim_max);
    struct rlimit now;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &now), 0);
    ck_assert(now.rlim_cur == start.rlim_max);
    /* again: nothing to raise, the same answer */
    descriptors_raise_limit(&limit);
    ck_assert_int_eq(limit.error, 0);
    ck_assert_uint_eq(limit.before, limit.soft);
}
END_TEST

static Suite *descriptors_suite(void)
{
    Suite *s = suite_create("descriptors");
    TCase *tc = tcase_create("limit");
    tcase_add_test(tc, fit_counts_the_reserve_and_two_per_connection);
    tcase_add_test(tc, raise_sets_soft_to_hard);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(descriptors_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

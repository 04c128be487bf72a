/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of session_cache.c: the map's contract (store, lookup,
 * overwrite, eviction of the oldest, expiry, refused input), 20,000
 * entries, and four threads sharing one cache. Times are given, never
 * read from the clock. */
#include "session_cache.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LIFETIME 300
#define T0 ((time_t)1700000000)

/* A 32-byte id derived from a number, as distinct as the numbers. */
static void make_id(unsigned char id[32], uint32_t number)
{
    memset(id, 0xa5, 32);
    id[0] = (unsigned char)(number >> 24);
    id[1] = (unsigned char)(number >> 16);
    id[2] = (unsigned char)(number >> 8);
    id[3] = (unsigned char)number;
}

static void make_data(unsigned char *data, size_t length, uint32_t number)
{
    for (size_t i = 0; i < length; i++)
        data[i] = (unsigned char)(number * 31 + i);
}

static int store_number(struct session_cache *cache, uint32_t number, time_t now)
{
    unsigned char id[32], data[100];
    make_id(id, number);
    make_data(data, sizeof data, number);
    return session_cache_store(cache, id, sizeof id, data, sizeof data, now);
}

/* Found, and holding what store_number() put there. */
static bool holds_number(struct session_cache *cache, uint32_t number, time_t now)
{
    unsigned char id[32], expected[100], found[200];
    size_t found_length = 0;
    make_id(id, number);
    make_data(expected, sizeof expected, number);
    if (session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, now) != 0)
        return false;
    return found_length == sizeof expected && memcmp(found, expected, sizeof expected) == 0;
}

START_TEST(create_refuses_zero)
{
    ck_assert_ptr_null(session_cache_create(0, LIFETIME));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(session_cache_create(10, 0));
    ck_assert_int_eq(errno, EINVAL);
    session_cache_free(NULL);
}
END_TEST

START_TEST(store_then_lookup)
{
    struct session_cache *cache = session_cache_create(10, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    const unsigned char id[] = { 1, 2, 3 };
    const unsigned char data[] = "serialized session";
    ck_assert_int_eq(session_cache_store(cache, id, sizeof id, data, sizeof data, T0), 0);
    ck_assert_uint_eq(session_cache_count(cache), 1);

    unsigned char found[64];
    size_t found_length = 0;
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, T0 + 1), 0);
    ck_assert_uint_eq(found_length, sizeof data);
    ck_assert_mem_eq(found, data, sizeof data);
    /* A lookup does not consume the entry. */
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, T0 + 2), 0);
    ck_assert_uint_eq(session_cache_count(cache), 1);
    session_cache_free(cache);
}
END_TEST

START_TEST(lookup_miss)
{
    struct session_cache *cache = session_cache_create(10, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    unsigned char found[64];
    size_t found_length = 12345;
    const unsigned char id[] = { 1, 2, 3 };
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, T0),
                     SESSION_CACHE_MISS);
    ck_assert_int_eq(session_cache_store(cache, id, sizeof id, (const unsigned char *)"x", 1, T0), 0);
    /* A prefix, a longer id and a different byte are other ids. */
    const unsigned char prefix[] = { 1, 2 };
    const unsigned char longer[] = { 1, 2, 3, 4 };
    const unsigned char other[] = { 1, 2, 4 };
    ck_assert_int_eq(session_cache_lookup(cache, prefix, sizeof prefix, found, sizeof found, &found_length, T0),
                     SESSION_CACHE_MISS);
    ck_assert_int_eq(session_cache_lookup(cache, longer, sizeof longer, found, sizeof found, &found_length, T0),
                     SESSION_CACHE_MISS);
    ck_assert_int_eq(session_cache_lookup(cache, other, sizeof other, found, sizeof found, &found_length, T0),
                     SESSION_CACHE_MISS);
    session_cache_free(cache);
}
END_TEST

START_TEST(overwrite_same_id)
{
    struct session_cache *cache = session_cache_create(10, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    unsigned char id[32];
    make_id(id, 7);
    unsigned char small[10], large[1000];
    make_data(small, sizeof small, 1);
    make_data(large, sizeof large, 2);
    unsigned char found[2000];
    size_t found_length = 0;

    ck_assert_int_eq(session_cache_store(cache, id, sizeof id, small, sizeof small, T0), 0);
    /* Larger, then smaller again: the buffer grows and is reused. */
    ck_assert_int_eq(session_cache_store(cache, id, sizeof id, large, sizeof large, T0), 0);
    ck_assert_uint_eq(session_cache_count(cache), 1);
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, T0), 0);
    ck_assert_uint_eq(found_length, sizeof large);
    ck_assert_mem_eq(found, large, sizeof large);

    ck_assert_int_eq(session_cache_store(cache, id, sizeof id, small, sizeof small, T0), 0);
    ck_assert_uint_eq(session_cache_count(cache), 1);
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, T0), 0);
    ck_assert_uint_eq(found_length, sizeof small);
    ck_assert_mem_eq(found, small, sizeof small);

    /* Empty values are values too. */
    ck_assert_int_eq(session_cache_store(cache, id, sizeof id, NULL, 0, T0), 0);
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, T0), 0);
    ck_assert_uint_eq(found_length, 0);
    session_cache_free(cache);
}
END_TEST

START_TEST(evicts_oldest_at_capacity)
{
    struct session_cache *cache = session_cache_create(3, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    for (uint32_t number = 1; number <= 3; number++)
        ck_assert_int_eq(store_number(cache, number, T0), 0);
    ck_assert_uint_eq(session_cache_count(cache), 3);

    ck_assert_int_eq(store_number(cache, 4, T0), 0);
    ck_assert_uint_eq(session_cache_count(cache), 3);
    ck_assert(!holds_number(cache, 1, T0));
    ck_assert(holds_number(cache, 2, T0));
    ck_assert(holds_number(cache, 3, T0));
    ck_assert(holds_number(cache, 4, T0));

    /* Overwriting makes an entry the newest: 2 is rewritten, so 3 goes. */
    ck_assert_int_eq(store_number(cache, 2, T0), 0);
    ck_assert_int_eq(store_number(cache, 5, T0), 0);
    ck_assert_uint_eq(session_cache_count(cache), 3);
    ck_assert(!holds_number(cache, 3, T0));
    ck_assert(holds_number(cache, 2, T0));
    ck_assert(holds_number(cache, 4, T0));
    ck_assert(holds_number(cache, 5, T0));
    session_cache_free(cache);
}
END_TEST

START_TEST(capacity_one)
{
    struct session_cache *cache = session_cache_create(1, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    for (uint32_t number = 1; number <= 50; number++) {
        ck_assert_int_eq(store_number(cache, number, T0), 0);
        ck_assert_uint_eq(session_cache_count(cache), 1);
        ck_assert(holds_number(cache, number, T0));
        ck_assert(!holds_number(cache, number - 1, T0));
    }
    session_cache_free(cache);
}
END_TEST

START_TEST(expires_at_lifetime)
{
    struct session_cache *cache = session_cache_create(10, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    ck_assert_int_eq(store_number(cache, 1, T0), 0);
    ck_assert_int_eq(store_number(cache, 2, T0 + 10), 0);
    ck_assert(holds_number(cache, 1, T0 + LIFETIME - 1));
    /* Valid for exactly `lifetime` seconds: gone at T0 + LIFETIME, and
     * removed when met. */
    ck_assert(!holds_number(cache, 1, T0 + LIFETIME));
    ck_assert_uint_eq(session_cache_count(cache), 1);
    ck_assert(holds_number(cache, 2, T0 + LIFETIME));

    /* A store removes the expired oldest entries on its way. */
    ck_assert_int_eq(store_number(cache, 3, T0 + 10 + LIFETIME), 0);
    ck_assert_uint_eq(session_cache_count(cache), 1);
    ck_assert(holds_number(cache, 3, T0 + 10 + LIFETIME));

    /* Overwriting restamps. */
    ck_assert_int_eq(store_number(cache, 3, T0 + 2 * LIFETIME), 0);
    ck_assert(holds_number(cache, 3, T0 + 3 * LIFETIME - 1));

    /* A clock stepped back does not expire anything. */
    ck_assert(holds_number(cache, 3, T0));
    session_cache_free(cache);
}
END_TEST

START_TEST(refuses_bad_lengths)
{
    struct session_cache *cache = session_cache_create(10, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    unsigned char id[SESSION_CACHE_ID_MAX + 1];
    memset(id, 7, sizeof id);
    static unsigned char data[SESSION_CACHE_DATA_MAX + 1];
    unsigned char found[64];
    size_t found_length = 0;

    ck_assert_int_eq(session_cache_store(cache, id, 0, data, 10, T0), -EINVAL);
    ck_assert_int_eq(session_cache_store(cache, id, SESSION_CACHE_ID_MAX + 1, data, 10, T0), -EINVAL);
    ck_assert_int_eq(session_cache_store(cache, id, 8, data, SESSION_CACHE_DATA_MAX + 1, T0), -EINVAL);
    ck_assert_int_eq(session_cache_lookup(cache, id, 0, found, sizeof found, &found_length, T0), -EINVAL);
    ck_assert_int_eq(session_cache_lookup(cache, id, SESSION_CACHE_ID_MAX + 1, found, sizeof found,
                                          &found_length, T0),
                     -EINVAL);
    ck_assert_uint_eq(session_cache_count(cache), 0);

    /* The limits themselves are accepted. */
    ck_assert_int_eq(session_cache_store(cache, id, 1, data, SESSION_CACHE_DATA_MAX, T0), 0);
    ck_assert_int_eq(session_cache_store(cache, id, SESSION_CACHE_ID_MAX, data, SESSION_CACHE_DATA_MAX, T0), 0);
    ck_assert_uint_eq(session_cache_count(cache), 2);
    session_cache_free(cache);
}
END_TEST

START_TEST(lookup_buffer_too_small)
{
    struct session_cache *cache = session_cache_create(10, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    ck_assert_int_eq(store_number(cache, 1, T0), 0);
    unsigned char id[32], found[99];
    make_id(id, 1);
    size_t found_length = 0;
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, found, sizeof found, &found_length, T0),
                     -ENOBUFS);
    ck_assert_uint_eq(found_length, 100);
    ck_assert_int_eq(session_cache_lookup(cache, id, sizeof id, NULL, 0, &found_length, T0), -ENOBUFS);
    /* The entry stays. */
    ck_assert(holds_number(cache, 1, T0));
    session_cache_free(cache);
}
END_TEST

START_TEST(twenty_thousand_entries)
{
    enum { CAPACITY = 20000 };
    struct session_cache *cache = session_cache_create(CAPACITY, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    for (uint32_t number = 0; number < CAPACITY; number++)
        ck_assert_int_eq(store_number(cache, number, T0 + number / 1000), 0);
    ck_assert_uint_eq(session_cache_count(cache), CAPACITY);
    for (uint32_t number = 0; number < CAPACITY; number++)
        ck_assert_msg(holds_number(cache, number, T0 + 20), "entry %u lost", number);

    /* The 20,001st evicts exactly one: the first stored. */
    ck_assert_int_eq(store_number(cache, CAPACITY, T0 + 20), 0);
    ck_assert_uint_eq(session_cache_count(cache), CAPACITY);
    ck_assert(!holds_number(cache, 0, T0 + 20));
    for (uint32_t number = 1; number <= CAPACITY; number++)
        ck_assert_msg(holds_number(cache, number, T0 + 20), "entry %u lost", number);
    session_cache_free(cache);
}
END_TEST

/* ---- threads ---------------------------------------------------------- */

enum { THREADS = 4, THREAD_CAPACITY = 500, ROUNDS = 20000 };

struct worker {
    pthread_t thread;
    struct session_cache *cache;
    uint32_t first_number;
    unsigned over_capacity;
    unsigned corrupt;
    unsigned errors;
};

static void *worker_run(void *context)
{
    struct worker *worker = context;
    unsigned char id[32], data[100], found[200];
    uint32_t state = worker->first_number * 2654435761u + 1;
    for (uint32_t round = 0; round < ROUNDS; round++) {
        state = state * 1103515245u + 12345u;
        /* Overlapping id ranges, so that threads overwrite each other's
         * entries and look up ones that another thread evicts. */
        uint32_t number = (state >> 8) % (THREAD_CAPACITY * 3);
        time_t now = T0 + round / 1000;
        make_id(id, number);
        if (state & 1) {
            make_data(data, sizeof data, number);
            if (session_cache_store(worker->cache, id, sizeof id, data, sizeof data, now) != 0)
                worker->errors++;
        } else {
            size_t found_length = 0;
            int result = session_cache_lookup(worker->cache, id, sizeof id, found, sizeof found, &found_length, now);
            if (result == 0) {
                make_data(data, sizeof data, number);
                if (found_length != sizeof data || memcmp(found, data, sizeof data) != 0)
                    worker->corrupt++;
            } else if (result != SESSION_CACHE_MISS) {
                worker->errors++;
            }
        }
        if (session_cache_count(worker->cache) > THREAD_CAPACITY)
            worker->over_capacity++;
    }
    return NULL;
}

START_TEST(four_threads_share_one_cache)
{
    struct session_cache *cache = session_cache_create(THREAD_CAPACITY, LIFETIME);
    ck_assert_ptr_nonnull(cache);
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){ .cache = cache, .first_number = (uint32_t)i + 1 };
        ck_assert_int_eq(pthread_create(&workers[i].thread, NULL, worker_run, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(pthread_join(workers[i].thread, NULL), 0);
        ck_assert_uint_eq(workers[i].over_capacity, 0);
        ck_assert_uint_eq(workers[i].corrupt, 0);
        ck_assert_uint_eq(workers[i].errors, 0);
    }
    ck_assert_uint_le(session_cache_count(cache), THREAD_CAPACITY);
    session_cache_free(cache);
}
END_TEST

static Suite *session_cache_suite(void)
{
    Suite *s = suite_create("session_cache");
    TCase *tc = tcase_create("map");
    tcase_add_test(tc, create_refuses_zero);
    tcase_add_test(tc, store_then_lookup);
    tcase_add_test(tc, lookup_miss);
    tcase_add_test(tc, overwrite_same_id);
    tcase_add_test(tc, evicts_oldest_at_capacity);
    tcase_add_test(tc, capacity_one);
    tcase_add_test(tc, expires_at_lifetime);
    tcase_add_test(tc, refuses_bad_lengths);
    tcase_add_test(tc, lookup_buffer_too_small);
    suite_add_tcase(s, tc);

    tc = tcase_create("scale");
    tcase_add_test(tc, twenty_thousand_entries);
    tcase_add_test(tc, four_threads_share_one_cache);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(session_cache_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}

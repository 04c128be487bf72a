/* SPDX-License-Identifier: Apache-2.0 */
/* session_cache.c: hash table with chaining + a store-order list. */
#include "session_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct cache_entry {
    struct cache_entry *next_in_bucket;
    /* Store order: the oldest entry is evicted first and expires first. */
    struct cache_entry *older;
    struct cache_entry *newer;
    uint64_t hash;
    time_t stored_at;
    unsigned char *data;
    size_t data_length;
    size_t data_capacity;
    size_t id_length;
    unsigned char id[SESSION_CACHE_ID_MAX];
};

struct bucket {
    struct cache_entry *first;
};

struct session_cache {
    pthread_mutex_t mutex;
    struct bucket *buckets;
    size_t bucket_mask;
    struct cache_entry *oldest;
    struct cache_entry *newest;
    size_t count;
    size_t max_entries;
    uint32_t lifetime_seconds;
    uint64_t hash_key[2];
};

/* ---- SipHash-2-4 (Aumasson and Bernstein), keyed per cache ------------ */

static uint64_t rotate_left(uint64_t value, unsigned bits)
{
    return (value << bits) | (value >> (64 - bits));
}

static void sip_round(uint64_t state[4])
{
    state[0] += state[1];
    state[1] = rotate_left(state[1], 13);
    state[1] ^= state[0];
    state[0] = rotate_left(state[0], 32);
    state[2] += state[3];
    state[3] = rotate_left(state[3], 16);
    state[3] ^= state[2];
    state[0] += state[3];
    state[3] = rotate_left(state[3], 21);
    state[3] ^= state[0];
    state[2] += state[1];
    state[1] = rotate_left(state[1], 17);
    state[1] ^= state[2];
    state[2] = rotate_left(state[2], 32);
}

static uint64_t load_little_endian(const unsigned char *bytes, size_t length)
{
    uint64_t value = 0;
    for (size_t i = 0; i < length; i++)
        value |= (uint64_t)bytes[i] << (8 * i);
    return value;
}

static uint64_t siphash(const uint64_t key[2], const unsigned char *bytes, size_t length)
{
    uint64_t state[4] = {
        key[0] ^ UINT64_C(0x736f6d6570736575),
        key[1] ^ UINT64_C(0x646f72616e646f6d),
        key[0] ^ UINT64_C(0x6c7967656e657261),
        key[1] ^ UINT64_C(0x7465646279746573),
    };
    size_t whole_words = length / 8;
    for (size_t i = 0; i < whole_words; i++) {
        uint64_t word = load_little_endian(bytes + 8 * i, 8);
        state[3] ^= word;
        sip_round(state);
        sip_round(state);
        state[0] ^= word;
    }
    uint64_t last = ((uint64_t)length << 56) | load_little_endian(bytes + 8 * whole_words, length % 8);
    state[3] ^= last;
    sip_round(state);
    sip_round(state);
    state[0] ^= last;
    state[2] ^= 0xff;
    for (int i = 0; i < 4; i++)
        sip_round(state);
    return state[0] ^ state[1] ^ state[2] ^ state[3];
}

/* ---- entries ---------------------------------------------------------- */

/* Stored values are serialized sessions: their master secrets must not
 * linger in freed memory. */
static void wipe(void *bytes, size_t length)
{
    if (length > 0)
        explicit_bzero(bytes, length);
}

static void entry_destroy(struct cache_entry *entry)
{
    wipe(entry->data, entry->data_capacity);
    free(entry->data);
    wipe(entry, sizeof *entry);
    free(entry);
}

static bool entry_expired(const struct session_cache *cache, const struct cache_entry *entry, time_t now)
{
    /* A clock stepped back is no reason to drop sessions; the bound on
     * entries still holds. */
    if (now < entry->stored_at)
        return false;
    /* Exact: now >= stored_at, so the true difference fits in uintmax_t. */
    return (uintmax_t)now - (uintmax_t)entry->stored_at >= cache->lifetime_seconds;
}

static struct bucket *bucket_of(struct session_cache *cache, uint64_t hash)
{
    return &cache->buckets[hash & cache->bucket_mask];
}

static struct cache_entry *find(struct session_cache *cache, const unsigned char *id, size_t id_length,
                                uint64_t hash)
{
    for (struct cache_entry *entry = bucket_of(cache, hash)->first; entry != NULL; entry = entry->next_in_bucket)
        if (entry->hash == hash && entry->id_length == id_length && memcmp(entry->id, id, id_length) == 0)
            return entry;
    return NULL;
}

static void append_newest(struct session_cache *cache, struct cache_entry *entry)
{
    entry->newer = NULL;
    entry->older = cache->newest;
    if (cache->newest != NULL)
        cache->newest->newer = entry;
    else
        cache->oldest = entry;
    cache->newest = entry;
}

static void unlink_order(struct session_cache *cache, struct cache_entry *entry)
{
    if (entry->older != NULL)
        entry->older->newer = entry->newer;
    else
        cache->oldest = entry->newer;
    if (entry->newer != NULL)
        entry->newer->older = entry->older;
    else
        cache->newest = entry->older;
    entry->older = entry->newer = NULL;
}

static void unlink_bucket(struct session_cache *cache, struct cache_entry *entry)
{
    struct cache_entry **link = &bucket_of(cache, entry->hash)->first;
    while (*link != entry)
        link = &(*link)->next_in_bucket;
    *link = entry->next_in_bucket;
    entry->next_in_bucket = NULL;
}

/* Takes the entry out of the table and the order; the caller owns it. */
static void detach(struct session_cache *cache, struct cache_entry *entry)
{
    unlink_bucket(cache, entry);
    unlink_order(cache, entry);
    cache->count--;
}

static void remove_expired_oldest(struct session_cache *cache, time_t now)
{
    /* Store order is stamp order as long as the clock runs forward; if it
     * did not, the rest expire when met by a lookup or evicted. */
    while (cache->oldest != NULL && entry_expired(cache, cache->oldest, now)) {
        struct cache_entry *expired = cache->oldest;
        detach(cache, expired);
        entry_destroy(expired);
    }
}

static bool id_length_valid(size_t id_length)
{
    return id_length >= 1 && id_length <= SESSION_CACHE_ID_MAX;
}

/* ---- API -------------------------------------------------------------- */

struct session_cache *session_cache_create(size_t max_entries, uint32_t lifetime_seconds)
{
    /* Buckets: a power of two, at least max_entries (load factor <= 1). */
    if (max_entries == 0 || lifetime_seconds == 0 || max_entries > SIZE_MAX / 2 / sizeof(struct bucket)) {
        errno = EINVAL;
        return NULL;
    }
    size_t bucket_count = 1;
    while (bucket_count < max_entries)
        bucket_count *= 2;

    struct session_cache *cache = calloc(1, sizeof *cache);
    if (cache == NULL)
        return NULL;
    cache->buckets = calloc(bucket_count, sizeof *cache->buckets);
    if (cache->buckets == NULL)
        goto fail;
    /* 16 bytes: getrandom(2) never returns fewer for requests up to 256
     * bytes, once the pool is initialised; it blocks until then. */
    ssize_t got;
    do
        got = getrandom(cache->hash_key, sizeof cache->hash_key, 0);
    while (got < 0 && errno == EINTR);
    if (got != (ssize_t)sizeof cache->hash_key) {
        if (got >= 0)
            errno = EIO;
        goto fail;
    }
    int error = pthread_mutex_init(&cache->mutex, NULL);
    if (error != 0) {
        errno = error;
        goto fail;
    }
    cache->bucket_mask = bucket_count - 1;
    cache->max_entries = max_entries;
    cache->lifetime_seconds = lifetime_seconds;
    return cache;

fail:;
    /* Nothing was stored yet: only the two allocations to release. */
    int saved_errno = errno;
    free(cache->buckets);
    free(cache);
    errno = saved_errno;
    return NULL;
}

void session_cache_free(struct session_cache *cache)
{
    if (cache == NULL)
        return;
    struct cache_entry *entry = cache->oldest;
    while (entry != NULL) {
        struct cache_entry *newer = entry->newer;
        entry_destroy(entry);
        entry = newer;
    }
    pthread_mutex_destroy(&cache->mutex);
    free(cache->buckets);
    wipe(cache->hash_key, sizeof cache->hash_key);
    free(cache);
}

int session_cache_store(struct session_cache *cache, const unsigned char *id, size_t id_length,
                        const unsigned char *data, size_t data_length, time_t now)
{
    if (!id_length_valid(id_length) || data_length > SESSION_CACHE_DATA_MAX)
        return -EINVAL;
    uint64_t hash = siphash(cache->hash_key, id, id_length);

    pthread_mutex_lock(&cache->mutex);
    int result = 0;
    remove_expired_oldest(cache, now);

    struct cache_entry *entry = find(cache, id, id_length, hash);
    struct cache_entry *evicted = NULL;
    struct cache_entry *created = NULL;
    if (entry == NULL && cache->count >= cache->max_entries)
        evicted = entry = cache->oldest;
    /* Allocate everything before changing anything, so that a failure
     * leaves the cache as it was. */
    unsigned char *new_data = NULL;
    size_t capacity = data_length > 0 ? data_length : 1;
    if (entry == NULL || entry->data_capacity < data_length) {
        new_data = malloc(capacity);
        if (new_data == NULL) {
            result = -ENOMEM;
            goto unlock;
        }
    }
    if (entry == NULL) {
        created = entry = calloc(1, sizeof *entry);
        if (created == NULL) {
            free(new_data);
            result = -ENOMEM;
            goto unlock;
        }
    }

    if (evicted != NULL) {
        detach(cache, evicted);
        wipe(evicted->data, evicted->data_length);
    }
    if (new_data != NULL) {
        wipe(entry->data, entry->data_capacity);
        free(entry->data);
        entry->data = new_data;
        entry->data_capacity = capacity;
    }
    if (data_length > 0)
        memcpy(entry->data, data, data_length);
    entry->data_length = data_length;
    entry->stored_at = now;

    if (created != NULL || evicted != NULL) {
        entry->hash = hash;
        entry->id_length = id_length;
        memset(entry->id, 0, sizeof entry->id);
        memcpy(entry->id, id, id_length);
        struct bucket *bucket = bucket_of(cache, hash);
        entry->next_in_bucket = bucket->first;
        bucket->first = entry;
        append_newest(cache, entry);
        cache->count++;
    } else {
        /* Overwritten: it is now the most recently stored. */
        unlink_order(cache, entry);
        append_newest(cache, entry);
    }

unlock:
    pthread_mutex_unlock(&cache->mutex);
    return result;
}

int session_cache_lookup(struct session_cache *cache, const unsigned char *id, size_t id_length,
                         unsigned char *data, size_t data_size, size_t *data_length, time_t now)
{
    if (!id_length_valid(id_length))
        return -EINVAL;
    uint64_t hash = siphash(cache->hash_key, id, id_length);

    pthread_mutex_lock(&cache->mutex);
    int result = 0;
    struct cache_entry *entry = find(cache, id, id_length, hash);
    if (entry == NULL) {
        result = SESSION_CACHE_MISS;
    } else if (entry_expired(cache, entry, now)) {
        detach(cache, entry);
        entry_destroy(entry);
        result = SESSION_CACHE_MISS;
    } else {
        *data_length = entry->data_length;
        if (entry->data_length > data_size)
            result = -ENOBUFS;
        else if (entry->data_length > 0)
            memcpy(data, entry->data, entry->data_length);
    }
    pthread_mutex_unlock(&cache->mutex);
    return result;
}

size_t session_cache_count(struct session_cache *cache)
{
    pthread_mutex_lock(&cache->mutex);
    size_t count = cache->count;
    pthread_mutex_unlock(&cache->mutex);
    return count;
}

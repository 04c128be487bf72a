/* SPDX-License-Identifier: Apache-2.0 */
/* session_cache.h: a bounded, thread-safe map from TLS session ids to
 * opaque byte strings (serialized sessions), independent of Mbed TLS.
 *
 * Lookups and stores are O(1) on average: a hash table keyed with a
 * random secret chosen at creation (so that nobody who picks session ids
 * can force collisions), plus a list in store order for eviction. At most
 * max_entries entries exist; when full, a store evicts the oldest one.
 * An entry expires lifetime_seconds after it was stored. All functions
 * lock an internal mutex: one cache may be shared by several threads. */
#ifndef TLSD_SESSION_CACHE_H
#define TLSD_SESSION_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A TLS session id is 1 to 32 bytes. */
#define SESSION_CACHE_ID_MAX 32
/* Largest value stored. A serialized TLS 1.2 session without a client
 * certificate takes about 130 bytes; this leaves room for one. */
#define SESSION_CACHE_DATA_MAX 4096

/* session_cache_lookup() result when there is no (unexpired) entry. */
#define SESSION_CACHE_MISS 1

struct session_cache;

/* NULL with errno set on failure: EINVAL if max_entries or
 * lifetime_seconds is 0, ENOMEM, or getrandom(2)'s error. */
struct session_cache *session_cache_create(size_t max_entries, uint32_t lifetime_seconds);

/* Wipes the stored values (they hold session secrets). NULL is allowed. */
void session_cache_free(struct session_cache *cache);

/* Stores a copy of data under id, stamped `now`, replacing any entry with
 * the same id. Returns 0, -EINVAL if id_length is 0 or above
 * SESSION_CACHE_ID_MAX or data_length above SESSION_CACHE_DATA_MAX, or
 * -ENOMEM (then the cache holds what it held before, less any expired
 * entries). */
int session_cache_store(struct session_cache *cache, const unsigned char *id, size_t id_length,
                        const unsigned char *data, size_t data_length, time_t now);

/* Copies the value stored under id into data and its length into
 * *data_length. Returns 0 if found and not expired at `now`;
 * SESSION_CACHE_MISS if absent or expired (an expired entry is removed);
 * -ENOBUFS if data_size is too small (*data_length then says how much is
 * needed, and the entry stays); -EINVAL for an id length out of range. */
int session_cache_lookup(struct session_cache *cache, const unsigned char *id, size_t id_length,
                         unsigned char *data, size_t data_size, size_t *data_length, time_t now);

/* Entries held, expired ones not yet met included. */
size_t session_cache_count(struct session_cache *cache);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* file_cache.c: small static files in memory, looked up again on disk at
 * most once per FILE_CACHE_VALID_SECONDS and replaced when their size,
 * mtime (to the nanosecond), inode or device changed. */
#include "file_cache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct file_cache_entry {
    bool used;
    uint64_t hash;
    size_t key_length;
    char key[FILE_CACHE_MAX_KEY];
    struct cached_body *body; /* NULL: the file is known to be absent */
    struct files_entry file;  /* what files_open() found; fd is always -1 here */
    bool serve_dotfiles;      /* what files_open() was told: a hit needs the same */
    time_t checked_at;
    uint64_t last_used;       /* for evicting the least recently used */
};

struct file_cache {
    struct file_cache_entry entries[FILE_CACHE_ENTRIES];
    size_t bytes;             /* content held, for FILE_CACHE_MAX_BYTES */
    uint64_t clock;
    struct file_cache_statistics statistics;
};

/* FNV-1a: the key is the request path, and the table is a short array
 * searched by hash first, so collisions cost a memcmp, nothing worse. */
static uint64_t hash_key(const char *key, size_t length)
{
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)key[i];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

struct file_cache *file_cache_create(void)
{
    return calloc(1, sizeof(struct file_cache));
}

void file_cache_release(struct cached_body *body)
{
    if (body != NULL && --body->references == 0)
        free(body);
}

static void drop_entry(struct file_cache *cache, struct file_cache_entry *entry)
{
    if (!entry->used)
        return;
    if (entry->body != NULL)
        cache->bytes -= entry->body->size;
    file_cache_release(entry->body);
    entry->body = NULL;
    entry->used = false;
}

void file_cache_clear(struct file_cache *cache)
{
    if (cache == NULL)
        return;
    for (size_t i = 0; i < FILE_CACHE_ENTRIES; i++)
        drop_entry(cache, &cache->entries[i]);
}

void file_cache_free(struct file_cache *cache)
{
    file_cache_clear(cache);
    free(cache);
}

struct file_cache_statistics file_cache_statistics(const struct file_cache *cache)
{
    return cache->statistics;
}

static struct file_cache_entry *find(struct file_cache *cache, uint64_t hash, const char *key, size_t length)
{
    for (size_t i = 0; i < FILE_CACHE_ENTRIES; i++) {
        struct file_cache_entry *entry = &cache->entries[i];
        if (entry->used && entry->hash == hash && entry->key_length == length &&
            memcmp(entry->key, key, length) == 0)
            return entry;
    }
    return NULL;
}

static bool same_file(const struct file_cache_entry *cached, const struct files_entry *found)
{
    const struct files_entry *file = &cached->file;
    return file->size == found->size && file->mtime == found->mtime &&
           file->mtime_nanoseconds == found->mtime_nanoseconds && file->inode == found->inode &&
           file->device == found->device;
}

/* The whole file, or NULL (out of memory, or it shrank under us: then it
 * is sent from the file as it is now). */
static struct cached_body *read_body(int fd, uint64_t size)
{
    struct cached_body *body = malloc(sizeof *body + (size_t)size);
    if (body == NULL)
        return NULL;
    body->references = 1;
    body->size = (size_t)size;
    size_t have = 0;
    while (have < body->size) {
        ssize_t got = pread(fd, body->bytes + have, body->size - have, (off_t)have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            free(body);
            return NULL;
        }
        have += (size_t)got;
    }
    return body;
}

/* A free slot, or the least recently used one emptied, until `size` more
 * bytes fit under FILE_CACHE_MAX_BYTES. */
static struct file_cache_entry *make_room(struct file_cache *cache, size_t size)
{
    struct file_cache_entry *slot = NULL;
    for (;;) {
        struct file_cache_entry *oldest = NULL;
        slot = NULL;
        for (size_t i = 0; i < FILE_CACHE_ENTRIES; i++) {
            struct file_cache_entry *entry = &cache->entries[i];
            if (!entry->used) {
                slot = entry;
                continue;
            }
            if (oldest == NULL || entry->last_used < oldest->last_used)
                oldest = entry;
        }
        if (slot != NULL && cache->bytes + size <= FILE_CACHE_MAX_BYTES)
            return slot;
        if (oldest == NULL)
            return NULL;  /* empty, and still too big: cannot happen below FILE_CACHE_MAX_FILE */
        drop_entry(cache, oldest);
    }
}

/* A path found missing is remembered as such for the same
 * FILE_CACHE_VALID_SECONDS: response.c asks for FILE.br and FILE.gz beside
 * every file it serves, and most have neither. A full cache makes room
 * as for any entry (the least recently used goes). */
static void remember_absence(struct file_cache *cache, uint64_t hash, const char *key, size_t length,
                             bool serve_dotfiles, time_t now)
{
    struct file_cache_entry *slot = make_room(cache, 0);
    if (slot == NULL)
        return;
    memset(slot, 0, sizeof *slot);
    slot->used = true;
    slot->hash = hash;
    slot->key_length = length;
    memcpy(slot->key, key, length);
    slot->body = NULL;
    slot->file.fd = -1;
    slot->serve_dotfiles = serve_dotfiles;
    slot->checked_at = now;
    slot->last_used = ++cache->clock;
}

enum files_result file_cache_open(struct file_cache *cache, int root_fd, const char *encoded_path, size_t length,
                                  const char *index, bool serve_dotfiles, time_t now, struct files_entry *entry,
                                  struct cached_body **body)
{
    *body = NULL;
    if (length > FILE_CACHE_MAX_KEY) {
        cache->statistics.uncached++;
        return files_open(root_fd, encoded_path, length, index, serve_dotfiles, entry);
    }
    uint64_t hash = hash_key(encoded_path, length);
    struct file_cache_entry *cached = find(cache, hash, encoded_path, length);
    /* A reload clears the cache, but an entry found with dot files served
     * must never answer for a lookup that hides them, whatever the order. */
    if (cached != NULL && now - cached->checked_at < FILE_CACHE_VALID_SECONDS &&
        cached->serve_dotfiles == serve_dotfiles) {
        cached->last_used = ++cache->clock;
        if (cached->body == NULL) {
            entry->fd = -1;
            cache->statistics.absent++;
            return FILES_NOT_FOUND;
        }
        cached->body->references++;
        *body = cached->body;
        *entry = cached->file;
        cache->statistics.hits++;
        return FILES_OK;
    }

    /* a miss, or time to look again: the same safe lookup as without a cache */
    enum files_result result = files_open(root_fd, encoded_path, length, index, serve_dotfiles, entry);
    if (cached != NULL && (result != FILES_OK || cached->body == NULL)) {
        drop_entry(cache, cached);
        cached = NULL;
    }
    if (result == FILES_NOT_FOUND)
        remember_absence(cache, hash, encoded_path, length, serve_dotfiles, now);
    if (result != FILES_OK)
        return result;
    if (cached != NULL && same_file(cached, entry)) {
        close(entry->fd);
        entry->fd = -1;
        cached->checked_at = now;
        cached->last_used = ++cache->clock;
        cached->body->references++;
        *body = cached->body;
        cache->statistics.revalidated++;
        return FILES_OK;
    }
    if (cached != NULL)
        drop_entry(cache, cached);
    if (entry->size > FILE_CACHE_MAX_FILE) {
        cache->statistics.uncached++;
        return FILES_OK;
    }
    struct cached_body *loaded = read_body(entry->fd, entry->size);
    if (loaded == NULL) {
        cache->statistics.uncached++;
        return FILES_OK;  /* send it from the file */
    }
    struct file_cache_entry *slot = make_room(cache, loaded->size);
    if (slot == NULL) {
        file_cache_release(loaded);
        cache->statistics.uncached++;
        return FILES_OK;
    }
    close(entry->fd);
    entry->fd = -1;
    slot->used = true;
    slot->hash = hash;
    slot->key_length = length;
    memcpy(slot->key, encoded_path, length);
    slot->body = loaded;
    slot->file = *entry;
    slot->serve_dotfiles = serve_dotfiles;
    slot->checked_at = now;
    slot->last_used = ++cache->clock;
    cache->bytes += loaded->size;
    loaded->references++;  /* one for the cache, one for the caller */
    *body = loaded;
    cache->statistics.loaded++;
    return FILES_OK;
}

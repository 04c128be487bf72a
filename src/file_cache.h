/* SPDX-License-Identifier: Apache-2.0 */
/* file_cache.h: small static files kept in memory, one cache per worker.
 *
 * Opening a file safely under the document root costs several system
 * calls per request (openat2, fstat, fcntl, read, close; twice that for a
 * directory's index). A cached file is served from memory, and looked up
 * again on disk (the same safe lookup) at most once per
 * FILE_CACHE_VALID_SECONDS: if its size, mtime, inode or device changed,
 * the new content replaces the old. Not thread-safe: each worker has its
 * own. */
#ifndef TLSD_FILE_CACHE_H
#define TLSD_FILE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "files.h"

#define FILE_CACHE_ENTRIES 64
#define FILE_CACHE_MAX_FILE (64 * 1024)        /* larger files are sent from the file */
#define FILE_CACHE_MAX_BYTES (1024 * 1024)     /* all cached content of one worker */
#define FILE_CACHE_MAX_KEY 256                 /* longer request paths are not cached */
#define FILE_CACHE_VALID_SECONDS 1

/* A cached file's content, reference-counted: a connection still sending
 * it keeps it alive after the cache has replaced or dropped it. */
struct cached_body {
    unsigned references;
    size_t size;
    unsigned char bytes[];
};

struct file_cache_statistics {
    uint64_t hits;          /* served from memory without touching the disk */
    uint64_t revalidated;   /* looked up again on disk, unchanged */
    uint64_t loaded;        /* read into the cache (a miss, or a changed file) */
    uint64_t uncached;      /* served from the file: too large, or the path too long */
    uint64_t absent;        /* known to be missing, without touching the disk */
};

struct file_cache;

struct file_cache *file_cache_create(void);
void file_cache_free(struct file_cache *cache);

/* Forget every entry (a reload: another document root or index). */
void file_cache_clear(struct file_cache *cache);

/* Like files_open(), through the cache. On FILES_OK either *body is set
 * (held for the caller: release it; entry->fd is -1) or *body is NULL and
 * entry->fd is open as files_open() leaves it. `now` is a monotonic
 * clock in seconds. A FILES_NOT_FOUND is remembered too, and answered
 * from memory for FILE_CACHE_VALID_SECONDS. */
enum files_result file_cache_open(struct file_cache *cache, int root_fd, const char *encoded_path, size_t length,
                                  const char *index, bool serve_dotfiles, time_t now, struct files_entry *entry,
                                  struct cached_body **body);

void file_cache_release(struct cached_body *body);

struct file_cache_statistics file_cache_statistics(const struct file_cache *cache);

#endif

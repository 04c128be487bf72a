/* SPDX-License-Identifier: Apache-2.0 */
/* files.h: safe lookup of a request path under the document root. */
#ifndef TLSD_FILES_H
#define TLSD_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FILES_MAX_PATH 4096

/* Percent-decode an encoded URL path into out (NUL-terminated) and
 * normalise it: "." segments dropped, ".." segments pop one level, repeated
 * slashes folded. The result always starts with "/". Returns the decoded
 * length, or -1 when the path is not acceptable: not starting with "/",
 * a bad %XX escape, a decoded NUL byte, a ".." that would climb above the
 * root, or a result longer than out_size - 1. (The caller answers 400.)
 * `trailing_slash` is set when the (decoded) path ends in "/". */
long files_normalize_path(const char *encoded, size_t length, char *out, size_t out_size,
                          int *trailing_slash);

enum files_result {
    FILES_OK = 0,
    FILES_NOT_FOUND,         /* 404: missing, not a regular file, no index, or outside the root */
    FILES_FORBIDDEN,         /* 404 as well to the client; logged as such: unreadable */
    FILES_REDIRECT_SLASH,    /* a directory asked for without its trailing slash: 301 to path + "/" */
    FILES_BAD_PATH,          /* 400: files_normalize_path refused it */
    FILES_HIDDEN,            /* 404 as well, whether it exists or not: a dot file (files_path_hidden) */
};

struct files_entry {
    int fd;                   /* open for reading, O_CLOEXEC; caller closes */
    uint64_t size;
    long long mtime;          /* seconds since the epoch */
    long mtime_nanoseconds;
    uint64_t inode;           /* with device, size and mtime: "is it still the same file?" */
    uint64_t device;
    const char *content_type; /* static string */
    bool is_index;            /* a directory's index file: the path named the directory */
};

/* Does the normalised `path` (files_normalize_path's result) name a dot
 * file: has it a segment that starts with '.' (/.git/config, /.env,
 * /sub/.htpasswd), other than a first segment ".well-known" (RFC 8615)? */
bool files_path_hidden(const char *path);

/* Open the file that `encoded_path` names under the directory open as
 * `root_fd`. A directory serves its `index` file (no listing). Unless
 * `serve_dotfiles`, a path that files_path_hidden() after decoding is
 * FILES_HIDDEN, before anything is looked up. The lookup never leaves the
 * root, symlinks included: openat2() with RESOLVE_BENEATH where the kernel
 * has it; otherwise open, then check through /proc/self/fd that the opened
 * file's real path lies inside the root's. On FILES_OK, `entry` is filled. */
enum files_result files_open(int root_fd, const char *encoded_path, size_t length,
                             const char *index, bool serve_dotfiles, struct files_entry *entry);

/* Content-Type by file extension (case-insensitive); text types carry
 * "; charset=utf-8"; unknown: "application/octet-stream". */
const char *files_content_type(const char *path);

#endif

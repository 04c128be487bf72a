/* SPDX-License-Identifier: Apache-2.0 */
/* files.c: safe lookup of a request path under the document root.
 *
 * Two layers keep a request inside the root:
 * 1. files_normalize_path() refuses anything that climbs above "/" after
 *    percent-decoding, so "..", "%2e%2e" and friends never reach the kernel.
 * 2. The kernel resolves the rest (symlinks) under RESOLVE_BENEATH with
 *    openat2(2); where openat2 is missing (ENOSYS, kernels before 5.6) or
 *    filtered (EPERM from a seccomp policy), the file is opened with
 *    openat(2) and the real path of the *opened descriptor* is checked
 *    against the root's through /proc/self/fd. Checking the descriptor, not
 *    the name, leaves no window between check and use.
 *
 * Known difference between the two: RESOLVE_BENEATH refuses every absolute
 * symlink (EXDEV), even one that points back inside the root; the fallback
 * accepts that one. Symlinks inside a document root should be relative.
 *
 * Files are opened O_NONBLOCK so that a FIFO cannot hang the event loop
 * (it is then refused as not a regular file); the flag is cleared on the
 * descriptor handed out. On FILES_NOT_FOUND and FILES_FORBIDDEN, errno is
 * left as the cause, for the caller's log line.
 *
 * Dot files (files_path_hidden) are refused on the decoded, normalised
 * path, before the kernel sees it, unless serve_dotfiles says otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* syscall(), O_LARGEFILE */
#endif

#include "files.h"
#include "hex.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(SYS_openat2) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define TLSD_HAVE_OPENAT2 1
#endif
#endif

#ifndef O_LARGEFILE
#define O_LARGEFILE 0
#endif
#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define FILES_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_LARGEFILE)

/* ------------------------------------------------------------ normalising */

/* The decoded byte whose encoding ends just before encoded[p], and the
 * width of that encoding (1, or 3 for %XX). Only for validated input:
 * there every '%' starts a three-byte escape and hex digits are never '%',
 * so reading escapes from the right is unambiguous. */
static unsigned char byte_before(const char *encoded, size_t p, size_t *width)
{
    if (p >= 3 && encoded[p - 3] == '%') {
        *width = 3;
        return (unsigned char)(hex_digit_value((unsigned char)encoded[p - 2]) << 4 |
                               hex_digit_value((unsigned char)encoded[p - 1]));
    }
    *width = 1;
    return (unsigned char)encoded[p - 1];
}

/* The decoded segment that ends just before encoded[p]: returns where it
 * starts; *decoded_length and *dots_only describe it. */
static size_t segment_before(const char *encoded, size_t p, size_t *decoded_length,
                             bool *dots_only)
{
    size_t n = 0;
    bool dots = true;
    while (p > 0) {
        size_t width;
        unsigned char c = byte_before(encoded, p, &width);
        if (c == '/')
            break;
        dots = dots && c == '.';
        n++;
        p -= width;
    }
    *decoded_length = n;
    *dots_only = dots;
    return p;
}

/* Decoding comes first, splitting second: "%2F" is a path separator like
 * "/" (and "%2e%2e" is ".."). That is what the file system will see, so it
 * is what the checks must see. A backslash is an ordinary byte.
 *
 * The walk goes from the right, counting pending ".." like
 * RFC 3986's remove_dot_segments: a segment is kept unless a later ".."
 * cancels it, and a ".." left over at the left end climbs above the root.
 * Going from the right needs no scratch buffer, and the size check is on
 * the result only: "/<5000 bytes>/../a" fits in a small `out`.
 * Like remove_dot_segments, a final "." or ".." leaves a trailing slash
 * ("/a/b/.." -> "/a/"): *trailing_slash says whether the result ends in "/". */
long files_normalize_path(const char *encoded, size_t length, char *out, size_t out_size,
                          int *trailing_slash)
{
    if (trailing_slash)
        *trailing_slash = 0;
    if (encoded == NULL || length == 0 || encoded[0] != '/')
        return -1;
    for (size_t i = 0; i < length; ) {
        if (encoded[i] == '\0')
            return -1;
        if (encoded[i] != '%') {
            i++;
            continue;
        }
        if (length - i < 3)
            return -1;
        int hi = hex_digit_value((unsigned char)encoded[i + 1]);
        int lo = hex_digit_value((unsigned char)encoded[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return -1;
        i += 3;
    }

    /* Pass 1: what stays, and how long the result is. */
    size_t kept = 0, kept_bytes = 0, pending_up = 0;
    bool trailing = false, last = true;
    size_t p = length;
    for (;;) {
        size_t n, width;
        bool dots;
        size_t start = segment_before(encoded, p, &n, &dots);
        bool dot = dots && n == 1, dotdot = dots && n == 2;
        if (last) {
            trailing = n == 0 || dot || dotdot;
            last = false;
        }
        if (dotdot) {
            pending_up++;
        } else if (n > 0 && !dot) {
            if (pending_up > 0) {
                pending_up--;
            } else {
                kept++;
                kept_bytes += n;
            }
        }
        /* encoded[0] is a literal '/', so start >= 1 and a separator precedes it. */
        (void)byte_before(encoded, start, &width);
        p = start - width;
        if (p == 0)
            break;
    }
    if (pending_up > 0)
        return -1;
    if (kept == 0)
        trailing = true;
    size_t total = kept == 0 ? 1 : kept_bytes + kept + (trailing ? 1 : 0);
    if (out == NULL || total >= out_size)
        return -1;

    /* Pass 2: the same walk, writing the kept segments from the right. */
    out[total] = '\0';
    out[0] = '/';
    size_t w = total;
    if (kept > 0 && trailing)
        out[--w] = '/';
    p = length;
    pending_up = 0;
    while (kept > 0) {
        size_t n, width;
        bool dots;
        size_t start = segment_before(encoded, p, &n, &dots);
        if (dots && n == 2) {
            pending_up++;
        } else if (n > 0 && !(dots && n == 1)) {
            if (pending_up > 0) {
                pending_up--;
            } else {
                for (size_t q = p; q > start; q -= width)
                    out[--w] = (char)byte_before(encoded, q, &width);
                out[--w] = '/';
            }
        }
        (void)byte_before(encoded, start, &width);
        p = start - width;
        if (p == 0)
            break;
    }
    if (trailing_slash)
        *trailing_slash = trailing;
    return (long)total;
}

/* ------------------------------------------------------------ opening */

/* Which way files_open() resolves paths. TLSD_FILES_NO_OPENAT2=1 in the
 * environment is a test hook: it forces the openat + /proc/self/fd
 * fallback so that tests/test_files.c runs the same cases on both paths.
 * Read once (workers are threads, hence the atomic). */
enum resolver { RESOLVER_UNKNOWN = 0, RESOLVER_OPENAT2, RESOLVER_FALLBACK };
static atomic_int resolver_mode;

static int current_resolver(void)
{
    int mode = atomic_load_explicit(&resolver_mode, memory_order_relaxed);
    if (mode == RESOLVER_UNKNOWN) {
#ifdef TLSD_HAVE_OPENAT2
        const char *hook = getenv("TLSD_FILES_NO_OPENAT2");
        mode = (hook != NULL && strcmp(hook, "1") == 0) ? RESOLVER_FALLBACK : RESOLVER_OPENAT2;
#else
        mode = RESOLVER_FALLBACK;
#endif
        atomic_store_explicit(&resolver_mode, mode, memory_order_relaxed);
    }
    return mode;
}

/* The real path of an open descriptor, as the kernel sees it. */
static bool descriptor_path(int fd, char *out, size_t out_size)
{
    char link[48];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, out_size);
    if (n <= 0 || (size_t)n >= out_size)
        return false;          /* no /proc, or truncated: refuse */
    out[n] = '\0';
    return out[0] == '/';
}

/* Does the file open as fd lie inside the directory open as root_fd?
 * Prefix match on a path-component boundary: "/srv/www" holds
 * "/srv/www/a", not "/srv/www2/a". */
static bool inside_root(int root_fd, int fd)
{
    char root[PATH_MAX], file[PATH_MAX];
    if (!descriptor_path(root_fd, root, sizeof root) || !descriptor_path(fd, file, sizeof file))
        return false;
    size_t n = strlen(root);
    if (n == 1)
        return true;           /* the root is "/" */
    return strncmp(file, root, n) == 0 && (file[n] == '\0' || file[n] == '/');
}

static int open_and_verify(int root_fd, const char *relative)
{
    int fd = openat(root_fd, relative, FILES_OPEN_FLAGS);
    if (fd < 0)
        return -1;
    if (!inside_root(root_fd, fd)) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

/* Open `relative` (no leading "/", no ".." left) under root_fd, never
 * leaving it. -1 with errno on failure; EXDEV means "outside". */
static int open_beneath(int root_fd, const char *relative)
{
#ifdef TLSD_HAVE_OPENAT2
    if (current_resolver() == RESOLVER_OPENAT2) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = FILES_OPEN_FLAGS;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
        long fd = syscall(SYS_openat2, root_fd, relative, &how, sizeof how);
        if (fd >= 0)
            return (int)fd;
        if (errno == ENOSYS)
            atomic_store_explicit(&resolver_mode, RESOLVER_FALLBACK, memory_order_relaxed);
        else if (errno != EPERM)   /* EPERM: maybe a seccomp filter; try the fallback */
            return -1;
    }
#else
    (void)current_resolver;
#endif
    return open_and_verify(root_fd, relative);
}

static enum files_result result_for_errno(int error)
{
    switch (error) {
    case ENOENT: case ENOTDIR: case ELOOP: case EXDEV: case ENAMETOOLONG:
    case ENXIO:                /* a UNIX socket */
    case ENODEV:
        return FILES_NOT_FOUND;
    default:                   /* EACCES, EPERM, and EMFILE & co.: worth a log line */
        return FILES_FORBIDDEN;
    }
}

/* Close fd keeping errno, and hand back `result`. */
static enum files_result close_with(int fd, enum files_result result, int error)
{
    close(fd);
    errno = error;
    return result;
}

/* A dot file is seldom meant for the public: /.git/config, /.env and
 * /.htpasswd left in a document root hand out a site's history and
 * secrets. /.well-known/ (RFC 8615) is the exception, published on purpose:
 * ACME challenges, security.txt. Only its own name is exempt, not dot
 * names below it. On the normalised path, where "." and ".." are gone and
 * every "%2e" and "%2f" decoded, a "/." starts a dot segment. */
bool files_path_hidden(const char *path)
{
    static const char well_known[] = "/.well-known/";
    size_t skip = 0;
    if (strncmp(path, well_known, sizeof well_known - 1) == 0)
        skip = sizeof well_known - 2;           /* from its closing '/' */
    else if (strcmp(path, "/.well-known") == 0)
        return false;
    return strstr(path + skip, "/.") != NULL;
}

enum files_result files_open(int root_fd, const char *encoded_path, size_t length,
                             const char *index, bool serve_dotfiles, struct files_entry *entry)
{
    char path[FILES_MAX_PATH];
    char index_path[FILES_MAX_PATH + 256];
    int trailing = 0;

    entry->fd = -1;
    entry->size = 0;
    entry->mtime = 0;
    entry->mtime_nanoseconds = 0;
    entry->inode = 0;
    entry->device = 0;
    entry->content_type = NULL;
    entry->is_index = false;

    long n = files_normalize_path(encoded_path, length, path, sizeof path, &trailing);
    if (n < 0)
        return FILES_BAD_PATH;
    /* before any lookup: a dot file that exists and one that does not (or
     * a dot directory, which would get its redirect) look the same */
    if (!serve_dotfiles && files_path_hidden(path)) {
        errno = ENOENT;
        return FILES_HIDDEN;
    }
    const char *relative = n == 1 ? "." : path + 1;   /* "sub/" stays "sub/" */
    const char *name = path;

    int fd = open_beneath(root_fd, relative);
    if (fd < 0)
        return result_for_errno(errno);
    struct stat st;
    if (fstat(fd, &st) != 0)
        return close_with(fd, FILES_FORBIDDEN, errno);

    if (S_ISDIR(st.st_mode)) {
        close(fd);
        if (!trailing)
            return FILES_REDIRECT_SLASH;
        if (index == NULL || index[0] == '\0') {
            errno = ENOENT;
            return FILES_NOT_FOUND;
        }
        /* Relative to the root, not to the directory: an index that is a
         * symlink elsewhere inside the root is fine. */
        int m = snprintf(index_path, sizeof index_path, "%s%s", n == 1 ? "" : relative, index);
        if (m < 0 || (size_t)m >= sizeof index_path) {
            errno = ENAMETOOLONG;
            return FILES_NOT_FOUND;
        }
        name = index_path;
        entry->is_index = true;
        fd = open_beneath(root_fd, index_path);
        if (fd < 0)
            return result_for_errno(errno);
        if (fstat(fd, &st) != 0)
            return close_with(fd, FILES_FORBIDDEN, errno);
    }
    if (!S_ISREG(st.st_mode))   /* FIFO, device, socket, or a directory as index */
        return close_with(fd, FILES_NOT_FOUND, ENOENT);

    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
        return close_with(fd, FILES_FORBIDDEN, errno);

    entry->fd = fd;
    entry->size = (uint64_t)st.st_size;
    entry->mtime = (long long)st.st_mtim.tv_sec;
    entry->mtime_nanoseconds = st.st_mtim.tv_nsec;
    entry->inode = (uint64_t)st.st_ino;
    entry->device = (uint64_t)st.st_dev;
    entry->content_type = files_content_type(name);
    return FILES_OK;
}

/* ------------------------------------------------------------ content types */

static bool extension_is(const char *ext, const char *lower)
{
    for (; *ext != '\0' && *lower != '\0'; ext++, lower++) {
        unsigned char c = (unsigned char)*ext;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)*lower)
            return false;
    }
    return *ext == '\0' && *lower == '\0';
}

const char *files_content_type(const char *path)
{
    static const struct { const char *extension, *type; } types[] = {
        { "html", "text/html; charset=utf-8" },
        { "htm", "text/html; charset=utf-8" },
        { "css", "text/css; charset=utf-8" },
        { "js", "text/javascript; charset=utf-8" },
        { "mjs", "text/javascript; charset=utf-8" },
        { "json", "application/json" },
        { "txt", "text/plain; charset=utf-8" },
        { "xml", "application/xml" },
        { "svg", "image/svg+xml" },
        { "png", "image/png" },
        { "jpg", "image/jpeg" },
        { "jpeg", "image/jpeg" },
        { "gif", "image/gif" },
        { "webp", "image/webp" },
        { "ico", "image/x-icon" },
        { "avif", "image/avif" },
        { "woff", "font/woff" },
        { "woff2", "font/woff2" },
        { "wasm", "application/wasm" },
        { "pdf", "application/pdf" },
        { "mp4", "video/mp4" },
        { "webm", "video/webm" },
        /* what else a dropped-in site commonly holds */
        { "ttf", "font/ttf" },
        { "otf", "font/otf" },
        { "ogv", "video/ogg" },
        { "mp3", "audio/mpeg" },
        { "ogg", "audio/ogg" },
        { "opus", "audio/ogg" },
        { "wav", "audio/wav" },
        { "m4a", "audio/mp4" },
        { "vtt", "text/vtt; charset=utf-8" },
        { "csv", "text/csv; charset=utf-8" },
        { "md", "text/markdown; charset=utf-8" },
        { "webmanifest", "application/manifest+json" },
        { "map", "application/json" },
        { "gz", "application/gzip" },
        { "zip", "application/zip" },
    };
    static const char fallback[] = "application/octet-stream";

    if (path == NULL)
        return fallback;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base)   /* none, or a dot file like ".htaccess" */
        return fallback;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (extension_is(dot + 1, types[i].extension))
            return types[i].type;
    return fallback;
}

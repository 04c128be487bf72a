/* SPDX-License-Identifier: Apache-2.0 */
/* small_file.c: the one bounded reader of a whole small file.
 *
 * The buffer holds one byte over the limit, so that a file that grew since
 * fstat() (or a pipe) shows as too large rather than silently cut. Growing
 * copies by hand instead of realloc(): the old buffer is wiped, never left
 * holding key bytes in freed memory. */
#include "small_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL_FILE_FIRST_CAPACITY 4096

/* memset through a volatile pointer: the compiler may not drop it as a
 * dead store before free(). */
static void *(*const volatile wipe)(void *, int, size_t) = memset;

void small_file_free(char *bytes, size_t length)
{
    if (bytes == NULL)
        return;
    wipe(bytes, 0, length);
    free(bytes);
}

/* The first buffer: the file's size when stat knows it (one read, no
 * copy), else a page; never more than limit + 1, the extra byte for the
 * NUL or for telling a file over the limit. */
static size_t first_capacity(int fd, size_t limit)
{
    struct stat status;
    size_t capacity = SMALL_FILE_FIRST_CAPACITY;
    if (fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_size >= 0)
        capacity = (size_t)status.st_size + 1;
    return capacity < limit + 1 ? capacity : limit + 1;
}

static char *grow(char *bytes, size_t length, size_t *capacity, size_t limit)
{
    size_t bigger = *capacity * 2 < limit + 1 ? *capacity * 2 : limit + 1;
    char *grown = malloc(bigger);
    if (grown != NULL) {
        memcpy(grown, bytes, length);
        *capacity = bigger;
    }
    small_file_free(bytes, length);
    return grown;
}

int small_file_read(int fd, size_t limit, char **bytes, size_t *length)
{
    size_t capacity = first_capacity(fd, limit), have = 0;
    char *buffer = malloc(capacity);
    *bytes = NULL;
    *length = 0;
    /* Read until end of file, or until limit + 1 bytes say it is too large. */
    while (buffer != NULL && have <= limit) {
        if (have == capacity) {
            buffer = grow(buffer, have, &capacity, limit);
            continue;
        }
        ssize_t got = read(fd, buffer + have, capacity - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int saved = errno;
            small_file_free(buffer, have);
            errno = saved;
            return -1;
        }
        if (got == 0)
            break;
        have += (size_t)got;
    }
    if (buffer == NULL || have > limit) {
        small_file_free(buffer, have);
        errno = buffer == NULL ? ENOMEM : EFBIG;
        return -1;
    }
    buffer[have] = '\0';   /* have < capacity: read() stopped short of filling it */
    *bytes = buffer;
    *length = have;
    return 0;
}

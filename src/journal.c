/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c: systemd's native journal protocol, spoken directly.
 *
 * Why not libsystemd: for the same reason as notify.c, a datagram of
 * "NAME=value\n" fields is all sd_journal_send() does. Entries are bounded
 * by log.c (LOG_JOURNAL_SIZE, about 12 KiB), far below a unix datagram's
 * limit (the socket's send buffer, raised below), so the memfd that
 * sd_journal_send() passes for huge entries is never needed; an entry that
 * still does not go (EMSGSIZE) is written to stderr by the caller. */
#include "journal.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

bool journal_stream_matches(const char *journal_stream, unsigned long long device, unsigned long long inode)
{
    if (journal_stream == NULL || *journal_stream < '0' || *journal_stream > '9')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long stream_device = strtoull(journal_stream, &end, 10);
    if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
        return false;
    const char *inode_text = end + 1;
    unsigned long long stream_inode = strtoull(inode_text, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    return stream_device == device && stream_inode == inode;
}

bool journal_field_name(const char *prefix, const char *key, char name[JOURNAL_NAME_MAX + 1])
{
    size_t prefix_length = strlen(prefix), key_length = strlen(key);
    if (key_length == 0 || prefix_length + key_length > JOURNAL_NAME_MAX)
        return false;
    memcpy(name, prefix, prefix_length);
    for (size_t i = 0; i < key_length; i++) {
        char c = key[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            c = '_';
        name[prefix_length + i] = c;
    }
    name[prefix_length + key_length] = '\0';
    return name[0] != '_';
}

int journal_priority(enum log_level level)
{
    switch (level) {
    case LOG_LEVEL_ERROR: return 3;   /* LOG_ERR */
    case LOG_LEVEL_WARN:  return 4;   /* LOG_WARNING */
    case LOG_LEVEL_INFO:  return 6;   /* LOG_INFO */
    case LOG_LEVEL_DEBUG: return 7;   /* LOG_DEBUG */
    }
    return 6;
}

/* A cut value ends before a UTF-8 continuation byte, so that what the
 * journal shows is not a broken character (unless the value has no
 * boundary at all near the cut). */
static size_t utf8_cut(const char *value, size_t room)
{
    size_t cut = room;
    while (cut > 0 && room - cut < 4 && ((unsigned char)value[cut] & 0xc0) == 0x80)
        cut--;
    return cut > 0 && room - cut < 4 ? cut : room;
}

size_t journal_append(struct journal_buffer *buffer, const char *name, const char *value, size_t length,
                      size_t at_least)
{
    size_t name_length = strlen(name);
    bool binary = memchr(value, '\n', length) != NULL;
    size_t overhead = name_length + (binary ? 1 + 8 + 1 : 1 + 1);
    if (buffer->length > buffer->size || buffer->size - buffer->length < overhead)
        return JOURNAL_NONE;
    size_t room = buffer->size - buffer->length - overhead;
    size_t kept = length <= room ? length : utf8_cut(value, room);
    if (kept < at_least)
        return JOURNAL_NONE;
    char *out = buffer->bytes + buffer->length;
    for (const char *p = name; *p != '\0'; p++)   /* a name, not a string: no NUL after it */
        *out++ = *p;
    if (binary) {
        *out++ = '\n';
        uint64_t little_endian = kept;
        for (int i = 0; i < 8; i++, little_endian >>= 8)
            *out++ = (char)(little_endian & 0xff);
    } else {
        *out++ = '=';
    }
    memcpy(out, value, kept);
    out[kept] = '\n';
    buffer->length += overhead + kept;
    return kept;
}

/* ---- the socket */

/* Set once before the workers start (journal_open), read by every thread. */
static _Atomic int journal_fd = -1;
static struct sockaddr_un journal_address;
static socklen_t journal_address_length;

/* Room for bursts: a datagram waits in the sender's buffer until journald
 * reads it, and a full buffer means EAGAIN (then stderr). */
#define JOURNAL_SEND_BUFFER (1024 * 1024)

bool journal_open(const char *path)
{
    journal_close();
    if (path == NULL)
        path = JOURNAL_SOCKET;
    struct stat status;
    size_t path_length = strlen(path);
    if (path_length >= sizeof journal_address.sun_path || stat(path, &status) != 0 || !S_ISSOCK(status.st_mode))
        return false;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    int send_buffer = JOURNAL_SEND_BUFFER;
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);   /* best effort */
    memset(&journal_address, 0, sizeof journal_address);
    journal_address.sun_family = AF_UNIX;
    memcpy(journal_address.sun_path, path, path_length);
    journal_address_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length + 1);
    atomic_store(&journal_fd, fd);
    return true;
}

bool journal_is_open(void)
{
    return atomic_load_explicit(&journal_fd, memory_order_relaxed) >= 0;
}

void journal_close(void)
{
    int fd = atomic_exchange(&journal_fd, -1);
    if (fd >= 0)
        close(fd);
}

bool journal_send(const char *entry, size_t length)
{
    /* acquire: the address written before the descriptor was published */
    int fd = atomic_load_explicit(&journal_fd, memory_order_acquire);
    if (fd < 0)
        return false;
    /* sendto with the address each time, as sd_journal_send() does: a
     * journald restarted on a new socket is found again. MSG_DONTWAIT: an
     * event loop never waits for journald. */
    for (;;) {
        ssize_t sent = sendto(fd, entry, length, MSG_DONTWAIT | MSG_NOSIGNAL,
                              (const struct sockaddr *)&journal_address, journal_address_length);
        if (sent >= 0)
            return (size_t)sent == length;
        if (errno != EINTR)
            return false;
    }
}

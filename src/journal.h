/* SPDX-License-Identifier: Apache-2.0 */
/* journal.h: systemd's journal, spoken natively: the one place that knows
 * its protocol (systemd's "Native Journal Protocol": one datagram per
 * entry on /run/systemd/journal/socket, no libsystemd), as notify.c is for
 * sd_notify. log.c decides what an entry holds; this module says how the
 * journal wants it: field names, the two field forms, priorities, whether
 * standard error is the journal, and the socket.
 *
 * The encoders are pure functions over a caller's buffer; the socket is
 * one per process, opened before the workers start and only read after. */
#ifndef TLSD_JOURNAL_H
#define TLSD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "log_level.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* A field name: uppercase letters, digits and '_', not starting with '_',
 * at most 64 bytes (journald drops fields with other names). */
#define JOURNAL_NAME_MAX 64

/* Standard error is the journal's stream exactly when $JOURNAL_STREAM is
 * "DEVICE:INODE" of standard error (systemd.exec(5)): inherited by a child
 * whose stderr went elsewhere, it does not match. */
bool journal_stream_matches(const char *journal_stream, unsigned long long device, unsigned long long inode);

/* prefix + key, uppercased, every other byte '_': "TLSD_", "t_ms" ->
 * "TLSD_T_MS". False (name unusable) when empty, too long, or the result
 * would start with '_'. */
bool journal_field_name(const char *prefix, const char *key, char name[JOURNAL_NAME_MAX + 1]);

/* syslog(3) priority of a log level: error 3, warn 4, info 6, debug 7. */
int journal_priority(enum log_level level);

struct journal_buffer {
    char *bytes;
    size_t size;
    size_t length;
};

#define JOURNAL_NONE ((size_t)-1)

/* Appends the field `name` with value[0, length): "NAME=value\n", or, when
 * the value holds a newline, the binary form "NAME\n", 64-bit little-endian
 * length, the bytes, "\n". As much of the value as fits, cut before a UTF-8
 * continuation byte, but at least `at_least` bytes (pass `length` for
 * whole-or-nothing). Returns the value bytes kept, or JOURNAL_NONE when
 * nothing was appended. */
size_t journal_append(struct journal_buffer *buffer, const char *name, const char *value, size_t length,
                      size_t at_least);

/* The process's socket to the journal at `path` (NULL: JOURNAL_SOCKET).
 * False when there is no such socket or no descriptor: log to stderr.
 * Replaces an earlier one; call before other threads send. */
bool journal_open(const char *path);
bool journal_is_open(void);
void journal_close(void);

/* One entry, one datagram. Never blocks: false when it was not sent
 * (journald's queue full, socket gone, entry too large), and the caller
 * writes the line to stderr instead. */
bool journal_send(const char *entry, size_t length);

#endif

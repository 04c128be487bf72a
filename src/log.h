/* SPDX-License-Identifier: Apache-2.0 */
/* log.h: tlsd's log lines on standard error, as logfmt text or JSON.
 *
 * Every line is assembled in memory and written with one write(2), so lines
 * from several event loops never interleave. A line is either a message
 * (log_message) or a set of key/value fields (log_line_*), which is what the
 * per-connection and handshake-stage lines are.
 *
 * A line holds at most LOG_LINE_SIZE bytes. A longer one is cut, and stays
 * valid: a value inside its string (never inside an escape), a field that
 * does not fit at all left out whole, and the line marked truncated=yes
 * (text) or "truncated":true (JSON), for which room is always kept.
 *
 * Under systemd's journal (standard error is the stream $JOURNAL_STREAM
 * names), a line is also an entry of the journal's own: MESSAGE= the line
 * without the "tlsd[PID]:" prefix (journald adds its own), PRIORITY= from
 * the level, SYSLOG_IDENTIFIER=tlsd, and each field as TLSD_<KEY>= its
 * value unescaped, sent as one datagram (journal.c). When that fails, the
 * line goes to standard error as "<PRIORITY>line", which journald reads
 * with the same priority. $TLSD_JOURNAL_SOCKET, read only under the
 * journal, names another socket (for tests). */
#ifndef TLSD_LOG_H
#define TLSD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log_level.h"

/* The first call also looks at standard error (log_detect_output). */
void log_setup(enum log_level level, enum log_format format);
/* Whether standard error is the journal, and its socket: again, for tests
 * that move standard error. Not while other threads log. */
void log_detect_output(void);
bool log_enabled(enum log_level level);

/* A free-form message: "tlsd[PID]: message" (text) or
 * {"pid":PID,"level":"info","msg":"message"} (JSON). */
void log_message(enum log_level level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* The inside of a JSON string for `value` (quotes, backslashes, control
 * bytes and bytes >= 0x7f escaped), handed to `emit` piece by piece. */
typedef void log_emit_function(void *context, const char *bytes, size_t length);
void log_escape_json(const char *value, log_emit_function *emit, void *context);

#define LOG_LINE_SIZE 4096
/* The journal entry of a line: its fields (unescaped, so they have their
 * own budget), then MESSAGE= the line and a few short fields. */
#define LOG_JOURNAL_FIELDS_SIZE 8192
#define LOG_JOURNAL_SIZE (LOG_JOURNAL_FIELDS_SIZE + LOG_LINE_SIZE + 128)

struct log_line {
    enum log_level level;
    bool enabled;       /* false: the level is off, and every call below does nothing */
    bool json;          /* the format when the line began, so that a reload never mixes two */
    size_t length;
    bool truncated;
    size_t message_start;   /* under the journal: after "<PRIORITY>", which only stderr gets */
    bool native;            /* the journal's socket is open: the fields below are filled */
    bool native_truncated;  /* a field left out of, or cut in, the entry */
    size_t native_length;
    char text[LOG_LINE_SIZE];
    char native_entry[LOG_JOURNAL_SIZE];
};

/* Start a structured line. Connection lines begin with conn= and peer=. */
void log_line_begin(struct log_line *line, enum log_level level);
void log_line_string(struct log_line *line, const char *key, const char *value);
void log_line_unsigned(struct log_line *line, const char *key, uint64_t value);
/* A number with `decimals` digits after the point (t_ms=0.41). */
void log_line_decimal(struct log_line *line, const char *key, double value, int decimals);
/* A bare word in text (e.g. "closed"); in JSON {"event":"closed"}. */
void log_line_event(struct log_line *line, const char *event);
void log_line_end(struct log_line *line);
/* Whether the line will be written: skip preparing costly values if not. */
bool log_line_enabled(const struct log_line *line);

#endif

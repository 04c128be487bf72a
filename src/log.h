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
/* Whether lines begin with their time, RFC 3339 UTC with milliseconds:
 * "2026-03-01T12:00:00.123Z tlsd[PID]: ..." (text), {"ts":"...",...}
 * (JSON). LOG_TIMESTAMPS_AUTO (the default): unless standard error is the
 * journal, which has its own. */
void log_set_timestamps(enum log_timestamps timestamps);
/* Whether lines carry their time now (what auto came to). */
bool log_timestamps_on(void);
/* The time as lines write it, from seconds and milliseconds since the
 * epoch: "2026-03-01T12:00:00.123Z" (25 bytes with the NUL). */
#define LOG_TIMESTAMP_SIZE 32
void log_format_timestamp(long long seconds, unsigned milliseconds, char out[LOG_TIMESTAMP_SIZE]);
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
/* yes/no in text, true/false in JSON. */
void log_line_bool(struct log_line *line, const char *key, bool value);
/* A list: comma-joined in text (`if_empty` for none, NULL: the field is
 * left out), an array of strings in JSON ([] for none). */
void log_line_list(struct log_line *line, const char *key, const char *const *items, size_t count,
                   const char *if_empty);
/* A value that may be absent: `if_none` in text ("none"), null in JSON. */
void log_line_optional(struct log_line *line, const char *key, const char *value, const char *if_none);
/* A free-form message as log_message writes it: the words (after "warn:"
 * or "error:") in text, "msg" in JSON; structured fields may follow. */
void log_line_message(struct log_line *line, const char *message);
/* Whether the line is JSON (and enabled): for fields only JSON carries. */
bool log_line_json(const struct log_line *line);
/* A number with `decimals` digits after the point (t_ms=0.41). */
void log_line_decimal(struct log_line *line, const char *key, double value, int decimals);
/* A bare word in text (e.g. "closed"); in JSON {"event":"closed"}. */
void log_line_event(struct log_line *line, const char *event);
void log_line_end(struct log_line *line);
/* Whether the line will be written: skip preparing costly values if not. */
bool log_line_enabled(const struct log_line *line);

#endif

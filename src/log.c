/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: log lines on standard error, logfmt text or JSON, and under
 * systemd the journal's structured entries of the same lines. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

/* atomic: a reload sets them while the workers read them */
static _Atomic int current_level = LOG_LEVEL_INFO;
static _Atomic int current_format = LOG_FORMAT_TEXT;
static _Atomic int current_timestamps = LOG_TIMESTAMPS_AUTO;

/* Whether standard error is the journal's stream: set before the workers
 * start, read by all. */
static _Atomic bool under_journal;
static pthread_once_t output_detected = PTHREAD_ONCE_INIT;

static void detect_output(void)
{
    struct stat status;
    const char *stream = getenv("JOURNAL_STREAM");
    bool journal = stream != NULL && fstat(STDERR_FILENO, &status) == 0 &&
                   journal_stream_matches(stream, (unsigned long long)status.st_dev,
                                          (unsigned long long)status.st_ino);
    journal_close();
    if (journal) {
        /* the override only under the journal: a stray variable elsewhere changes nothing */
        const char *path = getenv("TLSD_JOURNAL_SOCKET");
        (void)journal_open(path != NULL && *path != '\0' ? path : NULL);
    }
    atomic_store(&under_journal, journal);
}

static void detect_output_once(void)
{
    (void)pthread_once(&output_detected, detect_output);
}

static void detected_already(void)
{
}

void log_detect_output(void)
{
    (void)pthread_once(&output_detected, detected_already);   /* no first detection after this one */
    detect_output();
}

void log_setup(enum log_level level, enum log_format format)
{
    detect_output_once();
    atomic_store_explicit(&current_level, (int)level, memory_order_relaxed);
    atomic_store_explicit(&current_format, (int)format, memory_order_relaxed);
}

void log_set_timestamps(enum log_timestamps timestamps)
{
    atomic_store_explicit(&current_timestamps, (int)timestamps, memory_order_relaxed);
}

bool log_timestamps_on(void)
{
    int timestamps = atomic_load_explicit(&current_timestamps, memory_order_relaxed);
    if (timestamps != LOG_TIMESTAMPS_AUTO)
        return timestamps == LOG_TIMESTAMPS_ON;
    detect_output_once();
    return !atomic_load_explicit(&under_journal, memory_order_relaxed);
}

void log_format_timestamp(long long seconds, unsigned milliseconds, char out[LOG_TIMESTAMP_SIZE])
{
    time_t time = (time_t)seconds;
    struct tm utc;
    if (gmtime_r(&time, &utc) == NULL) {
        snprintf(out, LOG_TIMESTAMP_SIZE, "1970-01-01T00:00:00.000Z");
        return;
    }
    size_t length = strftime(out, LOG_TIMESTAMP_SIZE, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(out + length, LOG_TIMESTAMP_SIZE - length, ".%03uZ", milliseconds % 1000);
}

static void timestamp_now(char out[LOG_TIMESTAMP_SIZE])
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    log_format_timestamp((long long)now.tv_sec, (unsigned)(now.tv_nsec / 1000000), out);
}

bool log_enabled(enum log_level level)
{
    return (int)level <= atomic_load_explicit(&current_level, memory_order_relaxed);
}

/* One write(2) per line: lines from several event loops never interleave. */
static void write_whole(const char *text, size_t length)
{
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return;  /* nowhere left to report it */
        }
        text += written;
        length -= (size_t)written;
    }
}

/* Room kept at the end of every line for the truncation marker and the
 * line's end: however long its values (a client chooses those in its own
 * client_hello line), a cut line is still one JSON object, or a logfmt
 * line whose quotes balance, and it says that it was cut. */
#define TRUNCATED_JSON ",\"truncated\":true"
#define TRUNCATED_TEXT " truncated=yes"
#define LINE_END_ROOM (sizeof TRUNCATED_JSON - 1 + 2)   /* then "}\n" */
#define LINE_LIMIT (LOG_LINE_SIZE - LINE_END_ROOM)
_Static_assert(sizeof TRUNCATED_TEXT - 1 + 1 <= LINE_END_ROOM, "the text marker and '\\n' fit the reserve");

static size_t room_left(const struct log_line *line, size_t limit)
{
    return line->length < limit ? limit - line->length : 0;
}

/* All or nothing: a piece that does not fit is left out, and the line
 * marked truncated. */
static bool append(struct log_line *line, const char *text, size_t length)
{
    if (length > room_left(line, LINE_LIMIT)) {
        line->truncated = true;
        return false;
    }
    memcpy(line->text + line->length, text, length);
    line->length += length;
    return true;
}

static bool append_text(struct log_line *line, const char *text)
{
    return append(line, text, strlen(text));
}

/* As much of `text` as fits below `limit`: for bytes that need no escape.
 * Returns false when it was cut. */
static bool append_cut(struct log_line *line, const char *text, size_t length, size_t limit)
{
    size_t room = room_left(line, limit);
    bool whole = length <= room;
    if (!whole) {
        length = room;
        line->truncated = true;
    }
    memcpy(line->text + line->length, text, length);
    line->length += length;
    return whole;
}

/* A field that does not fit is dropped whole, key and all. */
static void drop_field(struct log_line *line, size_t field_start)
{
    line->length = field_start;
    line->truncated = true;
}

/* A piece of an escaped string: a run of bytes that need no escape, which
 * may be cut anywhere, or one escape sequence (\" or \u001f), which must
 * stay whole. Returns false to stop. */
typedef bool escape_piece_function(void *context, const char *bytes, size_t length, bool divisible);

/* One escaper for both formats: quotes and backslashes get a backslash,
 * control bytes and bytes from 0x7f up get \u00XX (JSON) or \xXX (logfmt),
 * so untrusted bytes (a client's SNI, a request path) never break a line
 * and the JSON stays valid ASCII. */
static void escape_string(const char *value, bool json, escape_piece_function *piece, void *context)
{
    const unsigned char *run = (const unsigned char *)value;
    const unsigned char *p = run;
    for (; *p; p++) {
        bool special = *p == '"' || *p == '\\' || *p < 0x20 || *p >= 0x7f;
        if (!special)
            continue;
        if (p > run && !piece(context, (const char *)run, (size_t)(p - run), true))
            return;
        char escaped[8];
        if (*p == '"' || *p == '\\')
            snprintf(escaped, sizeof escaped, "\\%c", *p);
        else
            snprintf(escaped, sizeof escaped, json ? "\\u%04x" : "\\x%02x", *p);
        if (!piece(context, escaped, strlen(escaped), false))
            return;
        run = p + 1;
    }
    if (p > run)
        (void)piece(context, (const char *)run, (size_t)(p - run), true);
}

struct emit_adapter {
    log_emit_function *emit;
    void *context;
};

static bool emit_piece(void *context, const char *bytes, size_t length, bool divisible)
{
    (void)divisible;
    struct emit_adapter *adapter = context;
    adapter->emit(adapter->context, bytes, length);
    return true;
}

void log_escape_json(const char *value, log_emit_function *emit, void *context)
{
    struct emit_adapter adapter = { emit, context };
    escape_string(value, true, emit_piece, &adapter);
}

/* Escaped pieces into a line, up to one byte short of the limit: the
 * closing quote always fits. */
static bool line_piece(void *context, const char *bytes, size_t length, bool divisible)
{
    struct log_line *line = context;
    const size_t limit = LINE_LIMIT - 1;
    if (divisible)
        return append_cut(line, bytes, length, limit);
    if (length > room_left(line, limit)) {
        line->truncated = true;
        return false;
    }
    memcpy(line->text + line->length, bytes, length);
    line->length += length;
    return true;
}

/* "value", escaped, and cut if need be. False when not even the quotes and
 * a first piece of a non-empty value fit: then the field goes whole. */
static bool append_quoted(struct log_line *line, const char *value, bool json)
{
    if (room_left(line, LINE_LIMIT) < 2) {   /* both quotes */
        line->truncated = true;
        return false;
    }
    line->text[line->length++] = '"';
    size_t content_start = line->length;
    escape_string(value, json, line_piece, line);
    if (line->length == content_start && *value != '\0')
        return false;
    line->text[line->length++] = '"';   /* line_piece kept a byte for it */
    return true;
}

/* logfmt: bare when the value is plain, quoted and escaped otherwise. */
static bool append_logfmt_value(struct log_line *line, const char *value)
{
    bool plain = *value != '\0';
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p >= 0x7f)
            plain = false;
    if (!plain)
        return append_quoted(line, value, false);
    size_t start = line->length;
    (void)append_cut(line, value, strlen(value), LINE_LIMIT);
    return line->length > start;
}

/* The journal entry's TLSD_<KEY>= field: the value unescaped, cut if it
 * may be (a string) and need be; a field left out or cut marks the entry. */
static void native_field(struct log_line *line, const char *key, const char *value, size_t length, bool cuttable)
{
    if (!line->native)
        return;
    char name[JOURNAL_NAME_MAX + 1];
    struct journal_buffer fields = { line->native_entry, LOG_JOURNAL_FIELDS_SIZE, line->native_length };
    size_t at_least = cuttable ? (length > 0) : length;
    size_t kept = journal_field_name("TLSD_", key, name) ? journal_append(&fields, name, value, length, at_least)
                                                        : JOURNAL_NONE;
    if (kept != length)
        line->native_truncated = true;
    line->native_length = fields.length;
}

/* The space between tokens, but none before the first one when there is
 * no prefix (under the journal). */
static bool append_separator(struct log_line *line)
{
    return line->length == line->message_start || append(line, " ", 1);
}

void log_line_begin(struct log_line *line, enum log_level level)
{
    char prefix[80];
    line->level = level;
    line->length = 0;
    line->truncated = false;
    line->message_start = 0;
    line->native = false;
    line->native_truncated = false;
    line->native_length = 0;
    /* Off: nothing is formatted at all. Handshakes build several lines
     * each, and formatting them for nothing cost 10 % of a resumed
     * handshake at log_level error. */
    line->enabled = log_enabled(level);
    line->json = current_format == LOG_FORMAT_JSON;
    if (!line->enabled)
        return;
    detect_output_once();
    char ts[LOG_TIMESTAMP_SIZE] = "";
    if (log_timestamps_on())
        timestamp_now(ts);
    if (atomic_load_explicit(&under_journal, memory_order_relaxed)) {
        /* journald names and numbers the process itself; "<N>" is for
         * stderr only (SyslogLevelPrefix=, on by default) */
        line->native = journal_is_open();
        line->message_start = (size_t)snprintf(prefix, sizeof prefix, "<%d>", journal_priority(level));
        append_text(line, prefix);
        if (!line->json) {
            append_text(line, ts);   /* only when asked for: the journal has its own time */
            return;
        }
    } else if (!line->json) {
        snprintf(prefix, sizeof prefix, "%s%stlsd[%ld]:", ts, *ts ? " " : "", (long)getpid());
        append_text(line, prefix);
        return;
    }
    snprintf(prefix, sizeof prefix, "{\"pid\":%ld,\"level\":\"%s\"", (long)getpid(), log_level_name(level));
    append_text(line, prefix);
    if (*ts) {
        snprintf(prefix, sizeof prefix, ",\"ts\":\"%s\"", ts);
        append_text(line, prefix);
    }
}

static bool append_key(struct log_line *line, const char *key)
{
    if (line->json)
        return append(line, ",\"", 2) && append_text(line, key) && append(line, "\":", 2);
    return append_separator(line) && append_text(line, key) && append(line, "=", 1);
}

bool log_line_enabled(const struct log_line *line)
{
    return line->enabled;
}

void log_line_string(struct log_line *line, const char *key, const char *value)
{
    if (!line->enabled)
        return;
    size_t start = line->length;
    bool whole = append_key(line, key) &&
                 (line->json ? append_quoted(line, value, true) : append_logfmt_value(line, value));
    if (!whole)
        drop_field(line, start);
    native_field(line, key, value, strlen(value), true);
}

void log_line_unsigned(struct log_line *line, const char *key, uint64_t value)
{
    if (!line->enabled)
        return;
    char number[32];
    snprintf(number, sizeof number, "%llu", (unsigned long long)value);
    size_t start = line->length;
    if (!append_key(line, key) || !append_text(line, number))
        drop_field(line, start);
    native_field(line, key, number, strlen(number), false);
}

void log_line_bool(struct log_line *line, const char *key, bool value)
{
    if (!line->enabled)
        return;
    const char *text = value ? "yes" : "no";
    size_t start = line->length;
    if (!append_key(line, key) || !append_text(line, line->json ? (value ? "true" : "false") : text))
        drop_field(line, start);
    native_field(line, key, text, strlen(text), false);
}

static bool count_piece(void *context, const char *bytes, size_t length, bool divisible)
{
    (void)bytes;
    (void)divisible;
    *(size_t *)context += length;
    return true;
}

static size_t escaped_length(const char *value, bool json)
{
    size_t length = 0;
    escape_string(value, json, count_piece, &length);
    return length;
}

/* A JSON array of strings: whole items only, as many as fit with the
 * closing bracket; a field without room for even "[]" goes whole. */
static void append_json_list(struct log_line *line, const char *key, const char *const *items, size_t count)
{
    size_t start = line->length;
    if (!append_key(line, key) || room_left(line, LINE_LIMIT) < 2) {
        drop_field(line, start);
        return;
    }
    line->text[line->length++] = '[';
    for (size_t i = 0; i < count; i++) {
        size_t needed = (i > 0) + 2 + escaped_length(items[i], true) + 1;   /* , "item" ] */
        if (needed > room_left(line, LINE_LIMIT)) {
            line->truncated = true;
            break;
        }
        if (i > 0)
            line->text[line->length++] = ',';
        (void)append_quoted(line, items[i], true);
    }
    line->text[line->length++] = ']';
}

/* The items joined with commas, as many whole ones as fit. */
static void join_items(char *out, size_t size, const char *const *items, size_t count)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        int written = snprintf(out + used, size - used, "%s%s", used ? "," : "", items[i]);
        if (written < 0 || (size_t)written >= size - used) {
            out[used] = '\0';
            return;
        }
        used += (size_t)written;
    }
}

void log_line_list(struct log_line *line, const char *key, const char *const *items, size_t count,
                   const char *if_empty)
{
    if (!line->enabled)
        return;
    char joined[LOG_LINE_SIZE];
    join_items(joined, sizeof joined, items, count);
    if (line->json) {
        append_json_list(line, key, items, count);
        native_field(line, key, joined, strlen(joined), true);
        return;
    }
    if (count == 0 && if_empty == NULL)
        return;
    log_line_string(line, key, count == 0 ? if_empty : joined);
}

void log_line_decimal(struct log_line *line, const char *key, double value, int decimals)
{
    if (!line->enabled)
        return;
    char number[48];
    snprintf(number, sizeof number, "%.*f", decimals, value);
    size_t start = line->length;
    if (!append_key(line, key) || !append_text(line, number))
        drop_field(line, start);
    native_field(line, key, number, strlen(number), false);
}

void log_line_event(struct log_line *line, const char *event)
{
    if (!line->enabled)
        return;
    if (line->json) {
        log_line_string(line, "event", event);
    } else {
        size_t start = line->length;
        if (!append_separator(line) || !append_text(line, event))
            drop_field(line, start);
        native_field(line, "event", event, strlen(event), true);
    }
}

/* The line as one journal entry: its fields, then PRIORITY=,
 * SYSLOG_IDENTIFIER= and MESSAGE= the line without "<N>" or '\n', for which
 * LOG_JOURNAL_SIZE keeps room. False: not sent. */
static bool send_native(struct log_line *line)
{
    struct journal_buffer entry = { line->native_entry, LOG_JOURNAL_SIZE, line->native_length };
    char priority[8];
    int priority_length = snprintf(priority, sizeof priority, "%d", journal_priority(line->level));
    const char *message = line->text + line->message_start;
    size_t message_length = line->length - line->message_start - 1;
    bool truncated = line->truncated || line->native_truncated;
    return journal_append(&entry, "PRIORITY", priority, (size_t)priority_length, (size_t)priority_length) !=
               JOURNAL_NONE &&
           journal_append(&entry, "SYSLOG_IDENTIFIER", "tlsd", 4, 4) != JOURNAL_NONE &&
           (!truncated || journal_append(&entry, "TLSD_TRUNCATED", "yes", 3, 3) != JOURNAL_NONE) &&
           journal_append(&entry, "MESSAGE", message, message_length, message_length) != JOURNAL_NONE &&
           journal_send(entry.bytes, entry.length);
}

void log_line_end(struct log_line *line)
{
    if (!line->enabled)
        return;
    /* the reserve below LINE_LIMIT holds the marker and the end */
    const char *end = line->json ? (line->truncated ? TRUNCATED_JSON "}\n" : "}\n")
                                 : (line->truncated ? TRUNCATED_TEXT "\n" : "\n");
    size_t end_length = strlen(end);
    memcpy(line->text + line->length, end, end_length);
    line->length += end_length;
    if (line->native && send_native(line))
        return;
    write_whole(line->text, line->length);
}

void log_line_message(struct log_line *line, const char *message)
{
    if (!line->enabled)
        return;
    if (line->json) {
        /* MESSAGE= carries it in the journal, not a TLSD_MSG= as well */
        bool native = line->native;
        line->native = false;
        log_line_string(line, "msg", message);
        line->native = native;
    } else {
        if (line->level <= LOG_LEVEL_WARN) {
            append_separator(line);
            append_text(line, log_level_name(line->level));
            append(line, ":", 1);
        }
        append_separator(line);
        append_cut(line, message, strlen(message), LINE_LIMIT);
    }
}

bool log_line_json(const struct log_line *line)
{
    return line->enabled && line->json;
}

void log_line_optional(struct log_line *line, const char *key, const char *value, const char *if_none)
{
    if (!line->enabled)
        return;
    if (value != NULL || !line->json) {
        log_line_string(line, key, value ? value : if_none);
        return;
    }
    size_t start = line->length;
    if (!append_key(line, key) || !append_text(line, "null"))
        drop_field(line, start);
    native_field(line, key, if_none, strlen(if_none), true);
}

void log_message(enum log_level level, const char *format, ...)
{
    if (!log_enabled(level))
        return;
    char message[LOG_LINE_SIZE / 2];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);

    struct log_line line;
    log_line_begin(&line, level);
    log_line_message(&line, message);
    log_line_end(&line);
}

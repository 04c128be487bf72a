/* log.c: log lines on standard error, logfmt text or JSON. */
#include "log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* atomic: a reload sets them while the workers read them */
static _Atomic int current_level = LOG_LEVEL_INFO;
static _Atomic int current_format = LOG_FORMAT_TEXT;

void log_setup(enum log_level level, enum log_format format)
{
    atomic_store_explicit(&current_level, (int)level, memory_order_relaxed);
    atomic_store_explicit(&current_format, (int)format, memory_order_relaxed);
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

static void append(struct log_line *line, const char *text, size_t length)
{
    /* keep room for the closing "}\n" */
    size_t room = sizeof line->text - 3 - line->length;
    if (length > room) {
        length = room;
        line->truncated = true;
    }
    memcpy(line->text + line->length, text, length);
    line->length += length;
}

static void append_text(struct log_line *line, const char *text)
{
    append(line, text, strlen(text));
}

/* One escaper for both formats: quotes and backslashes get a backslash,
 * control bytes and bytes from 0x7f up get \u00XX (JSON) or \xXX (logfmt),
 * so untrusted bytes (a client's SNI, a request path) never break a line
 * and the JSON stays valid ASCII. */
static void escape_string(const char *value, bool json, log_emit_function *emit, void *context)
{
    const unsigned char *run = (const unsigned char *)value;
    const unsigned char *p = run;
    for (; *p; p++) {
        bool special = *p == '"' || *p == '\\' || *p < 0x20 || *p >= 0x7f;
        if (!special)
            continue;
        if (p > run)
            emit(context, (const char *)run, (size_t)(p - run));
        char escaped[8];
        if (*p == '"' || *p == '\\')
            snprintf(escaped, sizeof escaped, "\\%c", *p);
        else
            snprintf(escaped, sizeof escaped, json ? "\\u%04x" : "\\x%02x", *p);
        emit(context, escaped, strlen(escaped));
        run = p + 1;
    }
    if (p > run)
        emit(context, (const char *)run, (size_t)(p - run));
}

void log_escape_json(const char *value, log_emit_function *emit, void *context)
{
    escape_string(value, true, emit, context);
}

static void emit_to_line(void *context, const char *bytes, size_t length)
{
    append(context, bytes, length);
}

static void append_json_escaped(struct log_line *line, const char *value)
{
    escape_string(value, true, emit_to_line, line);
}

/* logfmt: bare when the value is plain, quoted and escaped otherwise. */
static void append_logfmt_value(struct log_line *line, const char *value)
{
    bool plain = *value != '\0';
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p >= 0x7f)
            plain = false;
    if (plain) {
        append_text(line, value);
        return;
    }
    append(line, "\"", 1);
    escape_string(value, false, emit_to_line, line);
    append(line, "\"", 1);
}

static const char *level_name(enum log_level level)
{
    return config_log_level_name(level);
}

void log_line_begin(struct log_line *line, enum log_level level)
{
    char prefix[64];
    line->level = level;
    line->length = 0;
    line->truncated = false;
    /* Off: nothing is formatted at all. Handshakes build several lines
     * each, and formatting them for nothing cost 10 % of a resumed
     * handshake at log_level error. */
    line->enabled = log_enabled(level);
    line->json = current_format == LOG_FORMAT_JSON;
    if (!line->enabled)
        return;
    if (line->json)
        snprintf(prefix, sizeof prefix, "{\"pid\":%ld,\"level\":\"%s\"", (long)getpid(), level_name(level));
    else
        snprintf(prefix, sizeof prefix, "tlsd[%ld]:", (long)getpid());
    append_text(line, prefix);
}

static void append_key(struct log_line *line, const char *key)
{
    if (line->json) {
        append(line, ",\"", 2);
        append_text(line, key);
        append(line, "\":", 2);
    } else {
        append(line, " ", 1);
        append_text(line, key);
        append(line, "=", 1);
    }
}

bool log_line_enabled(const struct log_line *line)
{
    return line->enabled;
}

void log_line_string(struct log_line *line, const char *key, const char *value)
{
    if (!line->enabled)
        return;
    append_key(line, key);
    if (line->json) {
        append(line, "\"", 1);
        append_json_escaped(line, value);
        append(line, "\"", 1);
    } else {
        append_logfmt_value(line, value);
    }
}

void log_line_unsigned(struct log_line *line, const char *key, uint64_t value)
{
    if (!line->enabled)
        return;
    char number[32];
    snprintf(number, sizeof number, "%llu", (unsigned long long)value);
    append_key(line, key);
    append_text(line, number);
}

void log_line_decimal(struct log_line *line, const char *key, double value, int decimals)
{
    if (!line->enabled)
        return;
    char number[48];
    snprintf(number, sizeof number, "%.*f", decimals, value);
    append_key(line, key);
    append_text(line, number);
}

void log_line_event(struct log_line *line, const char *event)
{
    if (!line->enabled)
        return;
    if (line->json) {
        log_line_string(line, "event", event);
    } else {
        append(line, " ", 1);
        append_text(line, event);
    }
}

void log_line_end(struct log_line *line)
{
    if (!line->enabled)
        return;
    if (line->json) {
        if (line->truncated)
            append_text(line, ",\"truncated\":true");
        line->text[line->length++] = '}';
    }
    line->text[line->length++] = '\n';
    write_whole(line->text, line->length);
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
    if (line.json) {
        log_line_string(&line, "msg", message);
    } else {
        if (level <= LOG_LEVEL_WARN) {
            append(&line, " ", 1);
            append_text(&line, level_name(level));
            append(&line, ":", 1);
        }
        append(&line, " ", 1);
        append_text(&line, message);
    }
    log_line_end(&line);
}

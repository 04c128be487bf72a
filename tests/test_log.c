/* SPDX-License-Identifier: Apache-2.0 */
/* test_log.c: unit tests for the log lines (src/log.c).
 *
 * log.c writes to standard error; each test points STDERR_FILENO at a
 * temporary file with dup2(), makes lines, and reads them back. Every JSON
 * line must pass a strict JSON parser (RFC 8259, and ASCII only, as log.c
 * promises) however long its values are, and every text line must keep its
 * quotes balanced and its escapes whole: a client can make its own
 * client_hello line as long as it likes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "log.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ capture */

static int saved_stderr = -1;
static FILE *captured;

static void capture_begin(enum log_format format)
{
    captured = tmpfile();
    ck_assert_ptr_nonnull(captured);
    saved_stderr = dup(STDERR_FILENO);
    ck_assert_int_ge(saved_stderr, 0);
    ck_assert_int_eq(dup2(fileno(captured), STDERR_FILENO), STDERR_FILENO);
    log_setup(LOG_LEVEL_DEBUG, format);
    /* the exact lines below have no time; test_timestamps_* turn it on */
    log_set_timestamps(LOG_TIMESTAMPS_OFF);
}

/* Everything written since capture_begin(), NUL-terminated; free() it. */
static char *capture_end(size_t *length)
{
    ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
    close(saved_stderr);
    long size = ftell(captured);
    ck_assert_int_ge(size, 0);
    char *text = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    rewind(captured);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, captured), (size_t)size);
    text[size] = '\0';
    fclose(captured);
    *length = (size_t)size;
    return text;
}

/* ------------------------------------------------------------ strict JSON */

struct parser {
    const char *p, *end;
};

static bool parse_value(struct parser *in, int depth);

static void skip_space(struct parser *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
        in->p++;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool parse_string(struct parser *in)
{
    if (in->p >= in->end || *in->p != '"')
        return false;
    in->p++;
    while (in->p < in->end) {
        unsigned char c = (unsigned char)*in->p++;
        if (c == '"')
            return true;
        if (c < 0x20 || c >= 0x7f)   /* raw control bytes are invalid; log.c promises ASCII */
            return false;
        if (c != '\\')
            continue;
        if (in->p >= in->end)
            return false;
        c = (unsigned char)*in->p++;
        if (c == 'u') {
            if (in->end - in->p < 4)
                return false;
            for (int i = 0; i < 4; i++)
                if (!is_hex(*in->p++))
                    return false;
        } else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
            return false;
        }
    }
    return false;
}

static bool parse_digits(struct parser *in)
{
    const char *start = in->p;
    while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
        in->p++;
    return in->p > start;
}

static bool parse_number(struct parser *in)
{
    if (in->p < in->end && *in->p == '-')
        in->p++;
    if (in->p < in->end && *in->p == '0')
        in->p++;
    else if (!parse_digits(in))
        return false;
    if (in->p < in->end && *in->p == '.') {
        in->p++;
        if (!parse_digits(in))
            return false;
    }
    if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
        in->p++;
        if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
            in->p++;
        if (!parse_digits(in))
            return false;
    }
    return true;
}

static bool parse_literal(struct parser *in, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(in->end - in->p) < n || memcmp(in->p, word, n) != 0)
        return false;
    in->p += n;
    return true;
}

static bool parse_container(struct parser *in, int depth, char close, bool object)
{
    in->p++;
    skip_space(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return true;
    }
    for (;;) {
        skip_space(in);
        if (object) {
            if (!parse_string(in))
                return false;
            skip_space(in);
            if (in->p >= in->end || *in->p++ != ':')
                return false;
        }
        if (!parse_value(in, depth + 1))
            return false;
        skip_space(in);
        if (in->p >= in->end)
            return false;
        char c = *in->p++;
        if (c == close)
            return true;
        if (c != ',')
            return false;
    }
}

static bool parse_value(struct parser *in, int depth)
{
    if (depth > 32)
        return false;
    skip_space(in);
    if (in->p >= in->end)
        return false;
    switch (*in->p) {
    case '{': return parse_container(in, depth, '}', true);
    case '[': return parse_container(in, depth, ']', false);
    case '"': return parse_string(in);
    case 't': return parse_literal(in, "true");
    case 'f': return parse_literal(in, "false");
    case 'n': return parse_literal(in, "null");
    default: return parse_number(in);
    }
}

/* One line (without its '\n') is exactly one JSON object. */
static bool json_object_line(const char *line, size_t length)
{
    struct parser in = { line, line + length };
    if (length == 0 || line[0] != '{' || !parse_value(&in, 0))
        return false;
    skip_space(&in);
    return in.p == in.end;
}

/* ------------------------------------------------------------ logfmt */

/* "tlsd[PID]:" then " key=value" or " word" tokens; a value is bare (no
 * space, quote, '=' or backslash) or quoted with \" \\ \xHH escapes only. */
static bool logfmt_line(const char *line, size_t length)
{
    const char *p = line, *end = line + length;
    if (strncmp(p, "tlsd[", 5) != 0)
        return false;
    p = memchr(p, ':', length);
    if (p == NULL)
        return false;
    p++;
    while (p < end) {
        if (*p++ != ' ' || p >= end)
            return false;
        while (p < end && *p != ' ' && *p != '=' && *p != '"')
            p++;
        if (p >= end || *p == ' ')
            continue;                 /* a bare word (an event) */
        if (*p++ != '=')
            return false;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p >= end)
                    return false;     /* unbalanced quote */
                unsigned char c = (unsigned char)*p++;
                if (c == '"')
                    break;
                if (c < 0x20 || c >= 0x7f)
                    return false;
                if (c != '\\')
                    continue;
                if (p >= end)
                    return false;
                c = (unsigned char)*p++;
                if (c == 'x') {
                    if (end - p < 2 || !is_hex(p[0]) || !is_hex(p[1]))
                        return false;
                    p += 2;
                } else if (c != '"' && c != '\\') {
                    return false;
                }
            }
            if (p < end && *p != ' ')
                return false;
        } else {
            while (p < end && *p != ' ') {
                unsigned char c = (unsigned char)*p++;
                if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f)
                    return false;
            }
        }
    }
    return true;
}

/* ------------------------------------------------------------ helpers */

static bool ends_with(const char *line, size_t length, const char *suffix)
{
    size_t n = strlen(suffix);
    return length >= n && memcmp(line + length - n, suffix, n) == 0;
}

/* Each line of `text`: at most LOG_LINE_SIZE bytes with its '\n', valid,
 * and marked truncated exactly when `expect_truncated` says (-1: either).
 * Returns the number of lines. */
static size_t check_lines(const char *text, size_t length, bool json, int expect_truncated)
{
    size_t lines = 0;
    const char *p = text, *end = text + length;
    while (p < end) {
        const char *newline = memchr(p, '\n', (size_t)(end - p));
        ck_assert_msg(newline != NULL, "a line without its newline: %.80s", p);
        size_t n = (size_t)(newline - p);
        ck_assert_msg(n + 1 <= LOG_LINE_SIZE, "a line of %zu bytes", n + 1);
        if (json)
            ck_assert_msg(json_object_line(p, n), "not one JSON object (%zu bytes): ...%.200s", n,
                          n > 200 ? newline - 200 : p);
        else
            ck_assert_msg(logfmt_line(p, n), "not a logfmt line (%zu bytes): ...%.200s", n,
                          n > 200 ? newline - 200 : p);
        bool truncated = json ? ends_with(p, n, ",\"truncated\":true}") : ends_with(p, n, " truncated=yes");
        if (expect_truncated >= 0)
            ck_assert_msg(truncated == (expect_truncated == 1), "truncated marker %s: ...%.120s",
                          truncated ? "present" : "missing", n > 120 ? newline - 120 : p);
        lines++;
        p = newline + 1;
    }
    return lines;
}

/* Bytes that need escaping in both formats, then plain ones, repeated:
 * wherever a line is cut, it is near an escape. */
static void hostile_value(char *out, size_t size, size_t seed)
{
    static const char pieces[] = "\"\\\x01\n\x7f\xff" "a=b c" "\\\"" "\x1f";
    for (size_t i = 0; i + 1 < size; i++)
        out[i] = pieces[(i + seed) % (sizeof pieces - 1)];
    out[size - 1] = '\0';
}

struct collected {
    char *text;
    size_t length;
};

static void collect_json_escaped(void *context, const char *bytes, size_t length)
{
    struct collected *out = context;
    memcpy(out->text + out->length, bytes, length);
    out->length += length;
    out->text[out->length] = '\0';
}

/* The escaped text between `"KEY":"` and its closing quote, in out. */
static bool json_value_of(const char *line, const char *key, char *out, size_t size)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *p = strstr(line, pattern);
    if (p == NULL)
        return false;
    p += strlen(pattern);
    size_t n = 0;
    while (*p && *p != '"' && n + 2 < size) {
        if (*p == '\\')
            out[n++] = *p++;
        out[n++] = *p++;
    }
    out[n] = '\0';
    return *p == '"';
}

/* ------------------------------------------------------------ tests */

START_TEST(test_short_lines_unchanged)
{
    capture_begin(LOG_FORMAT_JSON);
    struct log_line line;
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_unsigned(&line, "conn", 7);
    log_line_string(&line, "s", "a\"b\\c\x01");
    log_line_decimal(&line, "t_ms", 1.5, 3);
    log_line_event(&line, "closed");
    log_line_end(&line);
    size_t length;
    char *text = capture_end(&length);
    char expected[256];
    snprintf(expected, sizeof expected,
             "{\"pid\":%ld,\"level\":\"info\",\"conn\":7,\"s\":\"a\\\"b\\\\c\\u0001\",\"t_ms\":1.500,"
             "\"event\":\"closed\"}\n", (long)getpid());
    ck_assert_str_eq(text, expected);
    free(text);

    capture_begin(LOG_FORMAT_TEXT);
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_unsigned(&line, "conn", 7);
    log_line_string(&line, "s", "a\"b\\c\x01");
    log_line_string(&line, "plain", "word");
    log_line_event(&line, "closed");
    log_line_end(&line);
    text = capture_end(&length);
    snprintf(expected, sizeof expected, "tlsd[%ld]: conn=7 s=\"a\\\"b\\\\c\\x01\" plain=word closed\n",
             (long)getpid());
    ck_assert_str_eq(text, expected);
    free(text);
}
END_TEST

/* Hundreds of fields: the line stops at a whole field, and says so. */
static void many_fields(enum log_format format)
{
    capture_begin(format);
    char value[48], key[16];
    struct log_line line;
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_unsigned(&line, "conn", 1);
    for (size_t i = 0; i < 400; i++) {
        snprintf(key, sizeof key, "k%03zu", i);
        hostile_value(value, sizeof value, i);
        if (i % 3 == 0)
            log_line_unsigned(&line, key, i * 1000003);
        else if (i % 7 == 0)
            log_line_event(&line, "word");
        else
            log_line_string(&line, key, value);
    }
    log_line_end(&line);
    size_t length;
    char *text = capture_end(&length);
    ck_assert_uint_eq(check_lines(text, length, format == LOG_FORMAT_JSON, 1), 1);
    ck_assert_uint_gt(length, LOG_LINE_SIZE - 64);   /* filled, not given up early */
    free(text);
}

START_TEST(test_many_fields_json) { many_fields(LOG_FORMAT_JSON); }
END_TEST

START_TEST(test_many_fields_text) { many_fields(LOG_FORMAT_TEXT); }
END_TEST

/* One huge value: cut inside its string, never inside an escape, and what
 * is kept is the start of the value. */
START_TEST(test_one_huge_value_json)
{
    static char value[20000], escaped[6 * sizeof value], kept[LOG_LINE_SIZE * 2];
    for (size_t seed = 0; seed < 16; seed++) {
        hostile_value(value, sizeof value, seed);
        capture_begin(LOG_FORMAT_JSON);
        struct log_line line;
        log_line_begin(&line, LOG_LEVEL_INFO);
        log_line_unsigned(&line, "conn", 1);
        log_line_string(&line, "alpn", value);
        log_line_string(&line, "after", "dropped");
        log_line_end(&line);
        size_t length;
        char *text = capture_end(&length);
        ck_assert_uint_eq(check_lines(text, length, true, 1), 1);
        ck_assert_msg(json_value_of(text, "alpn", kept, sizeof kept), "no alpn value: %.100s", text);
        struct collected all = { escaped, 0 };
        log_escape_json(value, collect_json_escaped, &all);
        ck_assert_uint_gt(strlen(kept), LOG_LINE_SIZE / 2);
        ck_assert_msg(strncmp(escaped, kept, strlen(kept)) == 0, "the kept value is not the start of the value");
        ck_assert_ptr_null(strstr(text, "\"after\""));
        free(text);
    }
}
END_TEST

START_TEST(test_one_huge_value_text)
{
    static char value[20000];
    for (size_t seed = 0; seed < 16; seed++) {
        hostile_value(value, sizeof value, seed);
        capture_begin(LOG_FORMAT_TEXT);
        struct log_line line;
        log_line_begin(&line, LOG_LEVEL_INFO);
        log_line_unsigned(&line, "conn", 1);
        log_line_string(&line, "alpn", value);
        log_line_end(&line);
        size_t length;
        char *text = capture_end(&length);
        ck_assert_uint_eq(check_lines(text, length, false, 1), 1);
        ck_assert_ptr_nonnull(strstr(text, " alpn=\""));
        free(text);
    }
}
END_TEST

/* Every cut position: a filler of growing length moves the end of the line
 * across each byte of the next key, value and escape sequence. */
static void sweep_cut_points(enum log_format format)
{
    static char filler[LOG_LINE_SIZE], value[400];
    capture_begin(format);
    for (size_t n = LOG_LINE_SIZE - 600; n < LOG_LINE_SIZE; n++) {
        memset(filler, 'f', n);
        filler[n] = '\0';
        hostile_value(value, sizeof value, n);
        struct log_line line;
        log_line_begin(&line, LOG_LEVEL_INFO);
        log_line_unsigned(&line, "conn", 1);
        log_line_string(&line, "fill", filler);
        log_line_string(&line, "value", value);
        log_line_unsigned(&line, "number", 1234567890);
        log_line_decimal(&line, "t_ms", 0.125, 3);
        log_line_event(&line, "closed");
        log_line_string(&line, "last", "x");
        log_line_end(&line);
    }
    size_t length;
    char *text = capture_end(&length);
    ck_assert_uint_eq(check_lines(text, length, format == LOG_FORMAT_JSON, -1), 600);
    free(text);
}

START_TEST(test_sweep_cut_points_json) { sweep_cut_points(LOG_FORMAT_JSON); }
END_TEST

START_TEST(test_sweep_cut_points_text) { sweep_cut_points(LOG_FORMAT_TEXT); }
END_TEST

/* A line that just fits is not marked; one byte more is. */
START_TEST(test_fits_exactly)
{
    static char filler[LOG_LINE_SIZE];
    size_t fitted = 0;
    for (size_t n = LOG_LINE_SIZE - 200; n < LOG_LINE_SIZE; n++) {
        memset(filler, 'f', n);
        filler[n] = '\0';
        capture_begin(LOG_FORMAT_JSON);
        struct log_line line;
        log_line_begin(&line, LOG_LEVEL_INFO);
        log_line_string(&line, "fill", filler);
        log_line_end(&line);
        size_t length;
        char *text = capture_end(&length);
        check_lines(text, length, true, -1);
        bool whole = strstr(text, "\"truncated\"") == NULL;
        if (whole) {
            ck_assert_uint_eq(length, n + strlen("{\"pid\":,\"level\":\"info\",\"fill\":\"\"}\n") +
                                      (size_t)snprintf(NULL, 0, "%ld", (long)getpid()));
            fitted = n;
        } else {
            ck_assert_uint_gt(n, fitted);   /* once cut, every longer one is cut too */
        }
        free(text);
    }
    ck_assert_uint_gt(fitted, LOG_LINE_SIZE - 100);   /* the reserve is small */
}
END_TEST

START_TEST(test_long_message)
{
    static char message[3 * LOG_LINE_SIZE];
    hostile_value(message, sizeof message, 3);
    capture_begin(LOG_FORMAT_JSON);
    log_message(LOG_LEVEL_WARN, "%s", message);
    size_t length;
    char *text = capture_end(&length);
    ck_assert_uint_eq(check_lines(text, length, true, -1), 1);
    free(text);
}
END_TEST


/* ------------------------------------------------------------ timestamps, types */

START_TEST(test_timestamp_format)
{
    char ts[LOG_TIMESTAMP_SIZE];
    log_format_timestamp(0, 0, ts);
    ck_assert_str_eq(ts, "1970-01-01T00:00:00.000Z");
    log_format_timestamp(1772366400LL, 7, ts);   /* 2026-03-01 12:00:00 UTC */
    ck_assert_str_eq(ts, "2026-03-01T12:00:00.007Z");
    log_format_timestamp(1772366400LL + 86399, 999, ts);
    ck_assert_str_eq(ts, "2026-03-02T11:59:59.999Z");
}
END_TEST

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" at `text` */
static bool is_timestamp(const char *text)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (text[i] == '\0')
            return false;
        if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i])
            return false;
    }
    return true;
}

/* One text line and one JSON line with the timestamps as set. */
static void timestamped_lines(enum log_timestamps timestamps, char **text_line, char **json_line)
{
    size_t length;
    capture_begin(LOG_FORMAT_TEXT);
    log_detect_output();
    log_set_timestamps(timestamps);
    log_message(LOG_LEVEL_INFO, "m");
    *text_line = capture_end(&length);
    capture_begin(LOG_FORMAT_JSON);
    log_detect_output();
    log_set_timestamps(timestamps);
    log_message(LOG_LEVEL_INFO, "m");
    *json_line = capture_end(&length);
}

/* Standard error is not the journal: auto means on. */
START_TEST(test_timestamps_without_journal)
{
    unsetenv("JOURNAL_STREAM");
    char expected_tail[64], *text, *json;
    snprintf(expected_tail, sizeof expected_tail, " tlsd[%ld]: m\n", (long)getpid());
    for (int mode = LOG_TIMESTAMPS_AUTO; mode <= LOG_TIMESTAMPS_ON; mode++) {
        timestamped_lines((enum log_timestamps)mode, &text, &json);
        ck_assert_msg(is_timestamp(text), "%s", text);
        ck_assert_str_eq(text + 24, expected_tail);
        const char *ts = strstr(json, ",\"ts\":\"");
        ck_assert_ptr_nonnull(ts);
        ck_assert(is_timestamp(ts + 7));
        ck_assert(json_object_line(json, strlen(json) - 1));
        free(text);
        free(json);
    }
    timestamped_lines(LOG_TIMESTAMPS_OFF, &text, &json);
    ck_assert_str_eq(text, expected_tail + 1);
    ck_assert_ptr_null(strstr(json, "\"ts\""));
    free(text);
    free(json);
}
END_TEST

/* Standard error is the journal's stream (its socket absent here, so the
 * lines stay on standard error as "<6>..."): auto means off. */
START_TEST(test_timestamps_under_journal)
{
    setenv("TLSD_JOURNAL_SOCKET", "/nonexistent/tlsd-test-socket", 1);
    char *text, *json;
    for (int mode = LOG_TIMESTAMPS_AUTO; mode <= LOG_TIMESTAMPS_OFF; mode++) {
        /* the stream is the capture file's: set it once that is stderr */
        captured = NULL;
        capture_begin(LOG_FORMAT_TEXT);
        struct stat status;
        ck_assert_int_eq(fstat(STDERR_FILENO, &status), 0);
        char stream[64];
        snprintf(stream, sizeof stream, "%llu:%llu", (unsigned long long)status.st_dev,
                 (unsigned long long)status.st_ino);
        setenv("JOURNAL_STREAM", stream, 1);
        log_detect_output();
        log_set_timestamps((enum log_timestamps)mode);
        ck_assert_int_eq(log_timestamps_on(), mode == LOG_TIMESTAMPS_ON);
        log_message(LOG_LEVEL_INFO, "m");
        size_t length;
        text = capture_end(&length);
        if (mode == LOG_TIMESTAMPS_ON) {
            ck_assert(strncmp(text, "<6>", 3) == 0 && is_timestamp(text + 3));
            ck_assert_str_eq(text + 3 + 24, " m\n");
        } else {
            ck_assert_str_eq(text, "<6>m\n");
        }
        free(text);
    }
    unsetenv("JOURNAL_STREAM");
    unsetenv("TLSD_JOURNAL_SOCKET");
    (void)json;
}
END_TEST

/* Booleans and lists: yes/no and commas in text, true/false and arrays in JSON. */
START_TEST(test_bool_and_list)
{
    static const char *const items[] = { "h2", "http/1.1", "a\"b" };
    capture_begin(LOG_FORMAT_JSON);
    struct log_line line;
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_bool(&line, "resumed", false);
    log_line_bool(&line, "ok", true);
    log_line_list(&line, "alpn", items, 3, "none");
    log_line_list(&line, "empty", items, 0, "none");
    log_line_end(&line);
    size_t length;
    char *text = capture_end(&length);
    char expected[256];
    snprintf(expected, sizeof expected,
             "{\"pid\":%ld,\"level\":\"info\",\"resumed\":false,\"ok\":true,"
             "\"alpn\":[\"h2\",\"http/1.1\",\"a\\\"b\"],\"empty\":[]}\n", (long)getpid());
    ck_assert_str_eq(text, expected);
    free(text);

    capture_begin(LOG_FORMAT_TEXT);
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_bool(&line, "resumed", false);
    log_line_bool(&line, "ok", true);
    log_line_list(&line, "alpn", items, 2, "none");
    log_line_list(&line, "empty", items, 0, "none");
    log_line_list(&line, "gone", items, 0, NULL);
    log_line_end(&line);
    text = capture_end(&length);
    snprintf(expected, sizeof expected, "tlsd[%ld]: resumed=no ok=yes alpn=h2,http/1.1 empty=none\n",
             (long)getpid());
    ck_assert_str_eq(text, expected);
    free(text);
}
END_TEST

/* A list longer than a line: whole items, a closed array, a valid line. */
START_TEST(test_huge_list_json)
{
    static char values[600][16];
    static const char *items[600];
    for (size_t i = 0; i < 600; i++) {
        snprintf(values[i], sizeof values[i], "item\"%03zu", i);
        items[i] = values[i];
    }
    for (size_t before = 0; before < 40; before++) {
        capture_begin(LOG_FORMAT_JSON);
        struct log_line line;
        log_line_begin(&line, LOG_LEVEL_INFO);
        char pad[64];
        memset(pad, 'p', before);
        pad[before] = '\0';
        log_line_string(&line, "pad", pad);
        log_line_list(&line, "list", items, 600, NULL);
        log_line_unsigned(&line, "after", 1);
        log_line_end(&line);
        size_t length;
        char *text = capture_end(&length);
        ck_assert_uint_eq(check_lines(text, length, true, 1), 1);
        ck_assert_ptr_nonnull(strstr(text, "\"list\":[\"item\\\"000\""));
        free(text);
    }
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("lines");
    tcase_add_test(tc, test_short_lines_unchanged);
    tcase_add_test(tc, test_many_fields_json);
    tcase_add_test(tc, test_many_fields_text);
    tcase_add_test(tc, test_one_huge_value_json);
    tcase_add_test(tc, test_one_huge_value_text);
    tcase_add_test(tc, test_sweep_cut_points_json);
    tcase_add_test(tc, test_sweep_cut_points_text);
    tcase_add_test(tc, test_fits_exactly);
    tcase_add_test(tc, test_long_message);
    tcase_add_test(tc, test_timestamp_format);
    tcase_add_test(tc, test_timestamps_without_journal);
    tcase_add_test(tc, test_timestamps_under_journal);
    tcase_add_test(tc, test_bool_and_list);
    tcase_add_test(tc, test_huge_list_json);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(log_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_journal.c: unit tests for the journal's native protocol
 * (src/journal.c) and the log lines as journal entries (src/log.c).
 *
 * The encoders are checked on their own; then standard error is pointed at
 * a temporary file that $JOURNAL_STREAM names, as systemd would, and the
 * journal at a unix datagram socket in a temporary directory
 * ($TLSD_JOURNAL_SOCKET): every datagram is parsed back, field by field,
 * values holding newlines, '=', control bytes and non-ASCII bytes too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "journal.h"
#include "log.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* ------------------------------------------------------------ encoders */

START_TEST(test_stream_matches)
{
    ck_assert(journal_stream_matches("8:12345", 8, 12345));
    ck_assert(!journal_stream_matches("8:12345", 8, 12346));
    ck_assert(!journal_stream_matches("9:12345", 8, 12345));
    ck_assert(journal_stream_matches("18446744073709551615:1", 18446744073709551615ULL, 1));
    const char *bad[] = { NULL, "", ":", "8:", ":1", "8", "8:1x", "x8:1", "-8:1", "8:-1", " 8:1", "8: 1",
                          "8:1:2", "18446744073709551616:1" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!journal_stream_matches(bad[i], 8, 1), "accepted '%s'", bad[i] ? bad[i] : "(null)");
}
END_TEST

START_TEST(test_field_name)
{
    char name[JOURNAL_NAME_MAX + 1];
    ck_assert(journal_field_name("TLSD_", "t_ms", name));
    ck_assert_str_eq(name, "TLSD_T_MS");
    ck_assert(journal_field_name("TLSD_", "cert0_not_after", name));
    ck_assert_str_eq(name, "TLSD_CERT0_NOT_AFTER");
    ck_assert(journal_field_name("TLSD_", "a-b.c d\xc3\xa9", name));
    ck_assert_str_eq(name, "TLSD_A_B_C_D__");
    ck_assert(!journal_field_name("TLSD_", "", name));
    ck_assert(!journal_field_name("", "_x", name));
    char key[80];
    memset(key, 'k', sizeof key);
    key[JOURNAL_NAME_MAX - 5] = '\0';   /* TLSD_ + 59: exactly 64 */
    ck_assert(journal_field_name("TLSD_", key, name));
    ck_assert_uint_eq(strlen(name), JOURNAL_NAME_MAX);
    key[JOURNAL_NAME_MAX - 5] = 'k';
    key[JOURNAL_NAME_MAX - 4] = '\0';
    ck_assert(!journal_field_name("TLSD_", key, name));
}
END_TEST

START_TEST(test_priority)
{
    ck_assert_int_eq(journal_priority(LOG_LEVEL_ERROR), 3);
    ck_assert_int_eq(journal_priority(LOG_LEVEL_WARN), 4);
    ck_assert_int_eq(journal_priority(LOG_LEVEL_INFO), 6);
    ck_assert_int_eq(journal_priority(LOG_LEVEL_DEBUG), 7);
}
END_TEST

START_TEST(test_append_forms)
{
    char bytes[64];
    struct journal_buffer buffer = { bytes, sizeof bytes, 0 };
    ck_assert_uint_eq(journal_append(&buffer, "A", "x=y", 3, 3), 3);
    ck_assert_uint_eq(journal_append(&buffer, "B", "1\n2", 3, 3), 3);
    ck_assert_uint_eq(journal_append(&buffer, "C", "", 0, 0), 0);
    static const char expected[] = "A=x=y\nB\n\x03\0\0\0\0\0\0\0" "1\n2\nC=\n";
    ck_assert_uint_eq(buffer.length, sizeof expected - 1);
    ck_assert(memcmp(bytes, expected, buffer.length) == 0);

    /* all or nothing, and nothing is nothing */
    struct journal_buffer small = { bytes, 8, 0 };
    ck_assert_uint_eq(journal_append(&small, "NAME", "value", 5, 5), JOURNAL_NONE);
    ck_assert_uint_eq(small.length, 0);
    /* cut: "NAME=" + 2 of "value" + "\n" in 8 bytes */
    ck_assert_uint_eq(journal_append(&small, "NAME", "value", 5, 1), 2);
    ck_assert_uint_eq(small.length, 8);
    ck_assert(memcmp(bytes, "NAME=va\n", 8) == 0);
    /* never a broken UTF-8 character: "é" is two bytes */
    struct journal_buffer utf8 = { bytes, 6, 0 };   /* room for 3 bytes: the third would be half of "é" */
    ck_assert_uint_eq(journal_append(&utf8, "N", "ab\xc3\xa9" "cd", 6, 1), 2);
    ck_assert(memcmp(bytes, "N=ab\n", 5) == 0);
}
END_TEST

/* ------------------------------------------------------------ entries */

struct field {
    char name[JOURNAL_NAME_MAX + 1];
    const char *value;
    size_t length;
    bool binary;
};

#define MAX_FIELDS 64

/* A datagram back into its fields, strictly: a name of [A-Z0-9_] not
 * starting with '_', "=value\n" or the binary form of the exact length. */
static size_t parse_entry(const char *data, size_t size, struct field *fields)
{
    size_t count = 0, at = 0;
    while (at < size) {
        ck_assert_uint_lt(count, MAX_FIELDS);
        struct field *field = &fields[count++];
        size_t name_length = 0;
        while (at + name_length < size && data[at + name_length] != '=' && data[at + name_length] != '\n')
            name_length++;
        ck_assert_msg(at + name_length < size && name_length > 0 && name_length <= JOURNAL_NAME_MAX,
                      "a bad name at %zu", at);
        memcpy(field->name, data + at, name_length);
        field->name[name_length] = '\0';
        ck_assert_msg(field->name[0] != '_' && strspn(field->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                      name_length, "an invalid name %s", field->name);
        at += name_length;
        field->binary = data[at++] == '\n';
        if (field->binary) {
            ck_assert_uint_ge(size - at, 8);
            uint64_t length = 0;
            for (int i = 7; i >= 0; i--)
                length = length << 8 | (unsigned char)data[at + (size_t)i];
            at += 8;
            ck_assert_msg(length < size - at && data[at + length] == '\n', "%s: a bad length", field->name);
            field->length = (size_t)length;
        } else {
            const char *newline = memchr(data + at, '\n', size - at);
            ck_assert_msg(newline != NULL, "%s: no newline", field->name);
            field->length = (size_t)(newline - (data + at));
        }
        field->value = data + at;
        at += field->length + 1;
    }
    return count;
}

static const struct field *field_of(const struct field *fields, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static void assert_field(const struct field *fields, size_t count, const char *name, const char *value,
                         size_t length)
{
    const struct field *field = field_of(fields, count, name);
    ck_assert_msg(field != NULL, "no %s", name);
    ck_assert_msg(field->length == length && memcmp(field->value, value, length) == 0, "%s=%.*s", name,
                  (int)field->length, field->value);
    ck_assert_msg(field->binary == (memchr(value, '\n', length) != NULL), "%s: the wrong form", name);
}

#define ASSERT_FIELD(fields, count, name, literal) assert_field(fields, count, name, literal, sizeof literal - 1)

/* ------------------------------------------------------------ the fake journal */

static char directory[64], socket_path[96];
static int receiver = -1, saved_stderr = -1;
static FILE *stderr_file;
static char datagram[LOG_JOURNAL_SIZE + 1024];

/* Standard error on a file JOURNAL_STREAM names, the journal a socket of
 * our own; log_detect_output() sees both. */
static void journal_begin(enum log_format format)
{
    snprintf(directory, sizeof directory, "/tmp/test_journal.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    snprintf(socket_path, sizeof socket_path, "%s/socket", directory);
    receiver = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(receiver, 0);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path);
    ck_assert_int_eq(bind(receiver, (struct sockaddr *)&address, sizeof address), 0);
    struct timeval timeout = { .tv_sec = 5 };
    ck_assert_int_eq(setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout), 0);

    stderr_file = tmpfile();
    ck_assert_ptr_nonnull(stderr_file);
    saved_stderr = dup(STDERR_FILENO);
    ck_assert_int_eq(dup2(fileno(stderr_file), STDERR_FILENO), STDERR_FILENO);
    struct stat status;
    ck_assert_int_eq(fstat(STDERR_FILENO, &status), 0);
    char stream[64];
    snprintf(stream, sizeof stream, "%llu:%llu", (unsigned long long)status.st_dev,
             (unsigned long long)status.st_ino);
    setenv("JOURNAL_STREAM", stream, 1);
    setenv("TLSD_JOURNAL_SOCKET", socket_path, 1);
    log_setup(LOG_LEVEL_DEBUG, format);
    log_detect_output();
    ck_assert(journal_is_open());
}

/* The next entry's fields (pointing into `datagram`). */
static size_t next_entry(struct field *fields, size_t *size)
{
    ssize_t received = recv(receiver, datagram, sizeof datagram, 0);
    ck_assert_int_gt(received, 0);
    *size = (size_t)received;
    return parse_entry(datagram, (size_t)received, fields);
}

/* What reached standard error (NUL-terminated; free it), and everything
 * back as it was. */
static char *journal_end(void)
{
    ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
    close(saved_stderr);
    long size = ftell(stderr_file);
    char *text = calloc(1, (size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    rewind(stderr_file);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, stderr_file), (size_t)size);
    fclose(stderr_file);
    unsetenv("JOURNAL_STREAM");
    unsetenv("TLSD_JOURNAL_SOCKET");
    log_detect_output();
    ck_assert(!journal_is_open());
    close(receiver);
    unlink(socket_path);
    rmdir(directory);
    return text;
}

/* ------------------------------------------------------------ tests */

START_TEST(test_line_fields)
{
    journal_begin(LOG_FORMAT_TEXT);
    struct log_line line;
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_unsigned(&line, "conn", 7);
    log_line_string(&line, "peer", "127.0.0.1:5000");
    log_line_string(&line, "stage", "client_hello");
    log_line_decimal(&line, "t_ms", 0.41, 3);
    log_line_string(&line, "sni", "a\nb=c\x01\xff\xc3\xa9\"\\");
    log_line_string(&line, "equals", "k=v");
    log_line_string(&line, "empty", "");
    log_line_event(&line, "closed");
    log_line_end(&line);

    struct field fields[MAX_FIELDS];
    size_t size, count = next_entry(fields, &size);
    ASSERT_FIELD(fields, count, "PRIORITY", "6");
    ASSERT_FIELD(fields, count, "SYSLOG_IDENTIFIER", "tlsd");
    ASSERT_FIELD(fields, count, "TLSD_CONN", "7");
    ASSERT_FIELD(fields, count, "TLSD_PEER", "127.0.0.1:5000");
    ASSERT_FIELD(fields, count, "TLSD_STAGE", "client_hello");
    ASSERT_FIELD(fields, count, "TLSD_T_MS", "0.410");
    ASSERT_FIELD(fields, count, "TLSD_SNI", "a\nb=c\x01\xff\xc3\xa9\"\\");   /* raw, binary form */
    ASSERT_FIELD(fields, count, "TLSD_EQUALS", "k=v");
    ASSERT_FIELD(fields, count, "TLSD_EMPTY", "");
    ASSERT_FIELD(fields, count, "TLSD_EVENT", "closed");
    /* the line as stderr has it, escaped, without "tlsd[PID]:" or "<6>" */
    ASSERT_FIELD(fields, count, "MESSAGE", "conn=7 peer=127.0.0.1:5000 stage=client_hello t_ms=0.410 "
                 "sni=\"a\\x0ab=c\\x01\\xff\\xc3\\xa9\\\"\\\\\" equals=\"k=v\" empty=\"\" closed");
    ck_assert_ptr_null(field_of(fields, count, "TLSD_TRUNCATED"));
    ck_assert_uint_eq(count, 11);
    char *text = journal_end();
    ck_assert_str_eq(text, "");   /* nothing on stderr */
    free(text);
}
END_TEST

START_TEST(test_priorities_and_messages)
{
    journal_begin(LOG_FORMAT_TEXT);
    log_message(LOG_LEVEL_ERROR, "e %d", 1);
    log_message(LOG_LEVEL_WARN, "w");
    log_message(LOG_LEVEL_INFO, "two\nlines");
    log_message(LOG_LEVEL_DEBUG, "d");
    static const char *const priorities[] = { "3", "4", "6", "7" };
    static const char *const messages[] = { "error: e 1", "warn: w", "two\nlines", "d" };
    for (size_t i = 0; i < 4; i++) {
        struct field fields[MAX_FIELDS];
        size_t size, count = next_entry(fields, &size);
        assert_field(fields, count, "PRIORITY", priorities[i], 1);
        assert_field(fields, count, "MESSAGE", messages[i], strlen(messages[i]));
        ck_assert_uint_eq(count, 3);   /* PRIORITY, SYSLOG_IDENTIFIER, MESSAGE: no TLSD_ fields */
    }
    char *text = journal_end();
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

/* JSON: MESSAGE is the JSON line; the fields are the same; a message is
 * not a TLSD_MSG field too. */
START_TEST(test_json)
{
    journal_begin(LOG_FORMAT_JSON);
    struct log_line line;
    log_line_begin(&line, LOG_LEVEL_WARN);
    log_line_unsigned(&line, "conn", 3);
    log_line_string(&line, "s", "x\ny");
    log_line_event(&line, "closed");
    log_line_end(&line);
    log_message(LOG_LEVEL_INFO, "hello");
    struct field fields[MAX_FIELDS];
    size_t size, count = next_entry(fields, &size);
    char expected[160];
    int length = snprintf(expected, sizeof expected,
                          "{\"pid\":%ld,\"level\":\"warn\",\"conn\":3,\"s\":\"x\\u000ay\",\"event\":\"closed\"}",
                          (long)getpid());
    assert_field(fields, count, "MESSAGE", expected, (size_t)length);
    ASSERT_FIELD(fields, count, "PRIORITY", "4");
    ASSERT_FIELD(fields, count, "TLSD_CONN", "3");
    ASSERT_FIELD(fields, count, "TLSD_S", "x\ny");
    ASSERT_FIELD(fields, count, "TLSD_EVENT", "closed");
    count = next_entry(fields, &size);
    length = snprintf(expected, sizeof expected, "{\"pid\":%ld,\"level\":\"info\",\"msg\":\"hello\"}",
                      (long)getpid());
    assert_field(fields, count, "MESSAGE", expected, (size_t)length);
    ck_assert_ptr_null(field_of(fields, count, "TLSD_MSG"));
    char *text = journal_end();
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

/* A client's huge value: the entry stays bounded, cut values and dropped
 * fields say TLSD_TRUNCATED=yes, and MESSAGE is the (cut) line. */
START_TEST(test_bounded)
{
    static char value[20000];
    for (size_t i = 0; i + 1 < sizeof value; i++)
        value[i] = "ab\n=\xc3\xa9"[i % 6];
    value[sizeof value - 1] = '\0';
    journal_begin(LOG_FORMAT_TEXT);
    struct log_line line;
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_unsigned(&line, "conn", 1);
    log_line_string(&line, "alpn", value);
    log_line_string(&line, "after", "dropped");
    log_line_end(&line);
    struct field fields[MAX_FIELDS];
    size_t size, count = next_entry(fields, &size);
    ck_assert_uint_le(size, LOG_JOURNAL_SIZE);
    ASSERT_FIELD(fields, count, "TLSD_TRUNCATED", "yes");
    ASSERT_FIELD(fields, count, "TLSD_CONN", "1");
    const struct field *alpn = field_of(fields, count, "TLSD_ALPN");
    ck_assert_ptr_nonnull(alpn);
    ck_assert_uint_gt(alpn->length, LOG_JOURNAL_FIELDS_SIZE - 100);
    ck_assert(memcmp(alpn->value, value, alpn->length) == 0);   /* the start of the value */
    ck_assert_int_ne((unsigned char)alpn->value[alpn->length - 1], 0xc3);   /* not half a character */
    const struct field *message = field_of(fields, count, "MESSAGE");
    ck_assert_ptr_nonnull(message);
    ck_assert_uint_lt(message->length, LOG_LINE_SIZE);
    ck_assert(message->length > 14 && memcmp(message->value + message->length - 14, " truncated=yes", 14) == 0);
    char *text = journal_end();
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

/* The socket gone: the line goes to stderr, "<PRIORITY>" first (journald
 * reads it from the stream), without tlsd's prefix. */
START_TEST(test_fallback)
{
    journal_begin(LOG_FORMAT_TEXT);
    ck_assert_int_eq(unlink(socket_path), 0);
    struct log_line line;
    log_line_begin(&line, LOG_LEVEL_INFO);
    log_line_unsigned(&line, "conn", 9);
    log_line_event(&line, "accepted");
    log_line_end(&line);
    log_message(LOG_LEVEL_WARN, "w");
    char *text = journal_end();
    ck_assert_str_eq(text, "<6>conn=9 accepted\n<4>warn: w\n");
    free(text);
}
END_TEST

/* JOURNAL_STREAM that is not stderr's (a child's inherited one): as ever. */
START_TEST(test_other_stream)
{
    journal_begin(LOG_FORMAT_TEXT);
    setenv("JOURNAL_STREAM", "1:1", 1);
    log_detect_output();
    ck_assert(!journal_is_open());
    log_message(LOG_LEVEL_INFO, "m");
    char *text = journal_end();
    char expected[64];
    /* not the journal: the line has its own time (log_timestamps auto) */
    snprintf(expected, sizeof expected, " tlsd[%ld]: m\n", (long)getpid());
    ck_assert_uint_ge(strlen(text), 24);
    ck_assert(text[4] == '-' && text[10] == 'T' && text[19] == '.' && text[23] == 'Z');
    ck_assert_str_eq(text + 24, expected);
    free(text);
}
END_TEST

static Suite *journal_suite(void)
{
    Suite *s = suite_create("journal");
    TCase *encoders = tcase_create("encoders");
    tcase_add_test(encoders, test_stream_matches);
    tcase_add_test(encoders, test_field_name);
    tcase_add_test(encoders, test_priority);
    tcase_add_test(encoders, test_append_forms);
    suite_add_tcase(s, encoders);
    TCase *entries = tcase_create("entries");
    tcase_add_test(entries, test_line_fields);
    tcase_add_test(entries, test_priorities_and_messages);
    tcase_add_test(entries, test_json);
    tcase_add_test(entries, test_bounded);
    tcase_add_test(entries, test_fallback);
    tcase_add_test(entries, test_other_stream);
    suite_add_tcase(s, entries);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(journal_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

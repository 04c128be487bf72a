/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ticket_keys.c: the key file parser (good files, every
 * malformed case, the limits), the file loader (modes, kinds of file,
 * size), the writer's text, the ticket callbacks on bytes that are not a
 * ticket, and tls_resumption_create() with a key file. Tickets issued and
 * resumed through real handshakes are in test_session_resume.c. */
#include "config.h"
#include "ticket_keys.h"
#include "tls.h"
#include "tls_private.h"

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>

/* Two keys as a person would write them: name, then secret. */
#define NAME_A "000102030405060708090a0b0c0d0e0f"
#define SECRET_A "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
#define KEY_A NAME_A SECRET_A
#define NAME_B "B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
#define SECRET_B "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
#define KEY_B NAME_B SECRET_B

static char error[1024];

static int parse(const char *text, struct ticket_key_set *set)
{
    error[0] = '\0';
    return ticket_keys_parse(text, strlen(text), "keys", set, error, sizeof error);
}

/* The file fails to parse, with `message` in the error. */
static void assert_refused(const char *text, const char *message)
{
    struct ticket_key_set set;
    ck_assert_msg(parse(text, &set) == -1, "accepted: %s", text);
    ck_assert_msg(strstr(error, message) != NULL, "\"%s\" is not in \"%s\"", message, error);
    ck_assert_uint_eq(set.count, 0);
}

/* A key made of 96 digits: seed repeated. */
static void key_line(char *out, unsigned seed)
{
    for (size_t i = 0; i < TICKET_KEY_HEX_LENGTH; i++)
        out[i] = "0123456789abcdef"[(seed + i * (seed | 1)) % 16];
    /* the first two digits tell keys apart */
    out[0] = "0123456789abcdef"[seed / 16 % 16];
    out[1] = "0123456789abcdef"[seed % 16];
    out[TICKET_KEY_HEX_LENGTH] = '\n';
    out[TICKET_KEY_HEX_LENGTH + 1] = '\0';
}

/* ---- the parser ---------------------------------------------------------- */

START_TEST(parse_one_key)
{
    struct ticket_key_set set;
    ck_assert_int_eq(parse(KEY_A "\n", &set), 0);
    ck_assert_uint_eq(set.count, 1);
    for (unsigned i = 0; i < TICKET_KEY_NAME_SIZE; i++)
        ck_assert_uint_eq(set.keys[0].name[i], i);
    for (unsigned i = 0; i < TICKET_KEY_SECRET_SIZE; i++)
        ck_assert_uint_eq(set.keys[0].secret[i], 0x10 + i);
    /* no final newline */
    ck_assert_int_eq(parse(KEY_A, &set), 0);
    ck_assert_uint_eq(set.count, 1);
}
END_TEST

START_TEST(parse_upper_case_and_order)
{
    struct ticket_key_set set;
    ck_assert_int_eq(parse(KEY_B "\n" KEY_A "\n", &set), 0);
    ck_assert_uint_eq(set.count, 2);
    ck_assert_uint_eq(set.keys[0].name[0], 0xb0);
    ck_assert_uint_eq(set.keys[0].secret[31], 0xdf);
    ck_assert_uint_eq(set.keys[1].name[15], 0x0f);
}
END_TEST

START_TEST(parse_comments_blanks_crlf)
{
    struct ticket_key_set set;
    const char *text = "# tlsd ticket keys\r\n"
                       "\r\n"
                       "   # an indented comment\n"
                       "\t\n"
                       "  " KEY_A " \t\r\n"
                       "#" KEY_B "\n"
                       "\t" KEY_B "\r\n"
                       "\n";
    ck_assert_int_eq(parse(text, &set), 0);
    ck_assert_uint_eq(set.count, 2);
    ck_assert_uint_eq(set.keys[0].name[1], 0x01);
    ck_assert_uint_eq(set.keys[1].name[1], 0xb1);
}
END_TEST

START_TEST(parse_eight_keys_not_nine)
{
    char text[10 * (TICKET_KEY_HEX_LENGTH + 1) + 1] = "";
    for (unsigned i = 0; i < TICKET_KEYS_MAX; i++)
        key_line(text + strlen(text), i + 1);
    struct ticket_key_set set;
    ck_assert_int_eq(parse(text, &set), 0);
    ck_assert_uint_eq(set.count, TICKET_KEYS_MAX);
    for (unsigned i = 0; i < TICKET_KEYS_MAX; i++)
        ck_assert_uint_eq(set.keys[i].name[0], i + 1);

    key_line(text + strlen(text), 9);
    assert_refused(text, "keys:9: more than 8 keys: a file holds at most 8");
}
END_TEST

START_TEST(parse_refuses_wrong_lengths)
{
    assert_refused(KEY_A "0\n", "keys:1: 97 hex digits, but a key is 96");
    assert_refused("# c\n" NAME_A "\n", "keys:2: 32 hex digits, but a key is 96");
    char short_key[] = KEY_A;
    short_key[95] = '\0';
    assert_refused(short_key, "keys:1: 95 hex digits, but a key is 96 (a 16-byte key name, then a 32-byte");
}
END_TEST

START_TEST(parse_refuses_non_hex)
{
    char text[] = KEY_A "\n";
    text[10] = 'g';
    assert_refused(text, "keys:1: 'g' (column 11) is not a hex digit");
    text[10] = ' ';
    assert_refused(text, "keys:1: a blank (column 11) is not a hex digit");
    text[10] = '\r';
    assert_refused(text, "keys:1: the byte 0x0d (column 11)");
    assert_refused("0x" KEY_A "\n", "keys:1: 'x' (column 2) is not a hex digit");
    /* a comment after a key is not a comment line */
    assert_refused(KEY_A " # the new one\n", "keys:1: a blank (column 97)");
    /* a NUL byte inside the buffer */
    struct ticket_key_set set;
    char with_nul[] = KEY_A "\n";
    with_nul[0] = '\0';
    ck_assert_int_eq(ticket_keys_parse(with_nul, sizeof with_nul - 1, "keys", &set, error, sizeof error), -1);
    ck_assert_msg(strstr(error, "keys:1: the byte 0x00 (column 1)") != NULL, "%s", error);
    /* a UTF-8 byte order mark */
    assert_refused("\xef\xbb\xbf" KEY_A "\n", "keys:1: the byte 0xef (column 1)");
}
END_TEST

START_TEST(parse_refuses_no_key)
{
    assert_refused("", "keys: no key: a key is a line of 96 hex digits (`openssl rand -hex 48`");
    assert_refused("\n\n  \r\n", "keys: no key");
    assert_refused("# only a comment\n# " KEY_A "\n", "keys: no key");
}
END_TEST

START_TEST(parse_refuses_a_name_twice)
{
    /* the same name with another secret */
    assert_refused("# two\n" KEY_A "\n\n" NAME_A SECRET_B "\n",
                   "keys:4: the same key name (the first 32 hex digits) as the key on line 2");
    /* the same key in other case */
    char lower_b[] = KEY_B;
    for (char *c = lower_b; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    char text[3 * (TICKET_KEY_HEX_LENGTH + 1) + 1];
    snprintf(text, sizeof text, "%s\n%s\n%s\n", KEY_B, KEY_A, lower_b);
    assert_refused(text, "keys:3: the same key name");
}
END_TEST

START_TEST(parse_wipes_the_set_on_error)
{
    struct ticket_key_set set;
    ck_assert_int_eq(parse(KEY_A "\n" KEY_B "\nnot a key\n", &set), -1);
    ck_assert_uint_eq(set.count, 0);
    static const unsigned char zero[sizeof set.keys] = { 0 };
    ck_assert_mem_eq(set.keys, zero, sizeof zero);
}
END_TEST

/* ---- the writer's text ------------------------------------------------------ */

START_TEST(format_parses_back)
{
    struct ticket_key_set set, again;
    ck_assert_int_eq(parse(KEY_B "\n" KEY_A "\n", &set), 0);
    char text[1024];
    size_t length = ticket_keys_format(&set, "made by a test\non a line", text, sizeof text);
    ck_assert_uint_eq(length, strlen(text));
    static const char head[] = "# tlsd session ticket keys (ticket_key_file in tlsd.conf), made by a test on a line\n"
                               "# one key a line, 96 hex digits";
    ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "%s", text);
    /* the keys, lower case, one a line, after the two comment lines */
    const char *keys = strchr(strchr(text, '\n') + 1, '\n') + 1;
    char expected_b[] = KEY_B;
    for (char *c = expected_b; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    char expected[2 * (TICKET_KEY_HEX_LENGTH + 1) + 1];
    snprintf(expected, sizeof expected, "%s\n%s\n", expected_b, KEY_A);
    ck_assert_str_eq(keys, expected);
    ck_assert_int_eq(ticket_keys_parse(text, length, "written", &again, error, sizeof error), 0);
    ck_assert_uint_eq(again.count, 2);
    ck_assert_mem_eq(&again.keys, &set.keys, sizeof set.keys);

    /* without a comment; and too small a buffer: snprintf's contract */
    length = ticket_keys_format(&set, NULL, text, sizeof text);
    static const char title[] = "# tlsd session ticket keys (ticket_key_file in tlsd.conf)\n# one key a line";
    ck_assert_msg(strncmp(text, title, strlen(title)) == 0, "%s", text);
    char small[40];
    ck_assert_uint_eq(ticket_keys_format(&set, NULL, small, sizeof small), length);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_uint_eq(ticket_keys_format(&set, NULL, NULL, 0), length);
}
END_TEST

/* ---- the loader ---------------------------------------------------------- */

static char directory[64];
static char path[128];

static void file_setup(void)
{
    snprintf(directory, sizeof directory, "/tmp/test_ticket_keys.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    snprintf(path, sizeof path, "%s/ticket.keys", directory);
    unsetenv("CREDENTIALS_DIRECTORY");
}

static void file_teardown(void)
{
    unlink(path);
    rmdir(path);
    rmdir(directory);
}

static void write_file(const char *text, size_t length, mode_t mode)
{
    unlink(path);
    FILE *file = fopen(path, "w");
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(fwrite(text, 1, length, file), length);
    ck_assert_int_eq(fclose(file), 0);
    ck_assert_int_eq(chmod(path, mode), 0);
}

static int load(struct ticket_key_set *set)
{
    error[0] = '\0';
    return ticket_keys_load_file(path, set, error, sizeof error);
}

static void assert_load_refused(const char *message_after_path)
{
    struct ticket_key_set set;
    ck_assert_int_eq(load(&set), -1);
    char expected[512];
    snprintf(expected, sizeof expected, "ticket_key_file %s%s", path, message_after_path);
    ck_assert_msg(strncmp(error, expected, strlen(expected)) == 0, "\"%s\" does not start with \"%s\"", error,
                  expected);
}

START_TEST(load_mode_0600)
{
    write_file(KEY_A "\n" KEY_B "\n", 2 * (TICKET_KEY_HEX_LENGTH + 1), 0600);
    struct ticket_key_set set;
    ck_assert_int_eq(load(&set), 0);
    ck_assert_uint_eq(set.count, 2);
    ck_assert_int_eq(chmod(path, 0400), 0);
    ck_assert_int_eq(load(&set), 0);
}
END_TEST

START_TEST(load_refuses_group_or_others)
{
    write_file(KEY_A "\n", TICKET_KEY_HEX_LENGTH + 1, 0640);
    assert_load_refused(": readable by group or others (mode 0640): run chmod 600 on it");
    ck_assert_int_eq(chmod(path, 0604), 0);
    assert_load_refused(": readable by group or others (mode 0604): run chmod 600 on it");
    ck_assert_int_eq(chmod(path, 0620), 0);
    assert_load_refused(": writable by group or others (mode 0620): run chmod 600 on it");
}
END_TEST

/* systemd's LoadCredential= copy: group bits are an ACL mask there */
START_TEST(load_credentials_directory_exception)
{
    write_file(KEY_A "\n", TICKET_KEY_HEX_LENGTH + 1, 0640);
    ck_assert_int_eq(setenv("CREDENTIALS_DIRECTORY", directory, 1), 0);
    struct ticket_key_set set;
    ck_assert_msg(load(&set) == 0, "%s", error);
    /* a directory that merely starts the same does not count */
    char longer[80];
    snprintf(longer, sizeof longer, "%s/tick", directory);
    ck_assert_int_eq(setenv("CREDENTIALS_DIRECTORY", longer, 1), 0);
    assert_load_refused(": readable by group or others");
    unsetenv("CREDENTIALS_DIRECTORY");
}
END_TEST

START_TEST(load_refuses_missing_directory_fifo)
{
    assert_load_refused(": No such file or directory");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    assert_load_refused(": not a regular file but a directory");
    ck_assert_int_eq(rmdir(path), 0);
    /* a FIFO: refused at once, not waited on */
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    assert_load_refused(": not a regular file");
}
END_TEST

START_TEST(load_size_limit)
{
    /* exactly 64 KiB: comments, then a key */
    static char text[TICKET_KEY_FILE_MAX + 2];
    memset(text, '#', sizeof text);
    for (size_t i = 79; i < sizeof text; i += 80)
        text[i] = '\n';
    size_t key_at = TICKET_KEY_FILE_MAX - (TICKET_KEY_HEX_LENGTH + 1);
    text[key_at - 1] = '\n';
    memcpy(text + key_at, KEY_A "\n", TICKET_KEY_HEX_LENGTH + 1);
    write_file(text, TICKET_KEY_FILE_MAX, 0600);
    struct ticket_key_set set;
    ck_assert_msg(load(&set) == 0, "%s", error);
    ck_assert_uint_eq(set.count, 1);
    /* one byte more */
    text[TICKET_KEY_FILE_MAX] = '\n';
    write_file(text, TICKET_KEY_FILE_MAX + 1, 0600);
    assert_load_refused(": 65537 bytes, more than the 65536 a key file may have");
}
END_TEST

START_TEST(load_names_the_line)
{
    write_file("# keys\n" KEY_A "\nzz\n", 7 + TICKET_KEY_HEX_LENGTH + 1 + 3, 0600);
    assert_load_refused(":3: 'z' (column 1) is not a hex digit");
    write_file("\n", 1, 0600);
    assert_load_refused(": no key");
}
END_TEST

/* ---- the callbacks on bytes that are not tickets -------------------------------- */

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static void random_setup(void)
{
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                           (const unsigned char *)"test_ticket_keys", 16),
                     0);
}

static void random_teardown(void)
{
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
}

static struct ticket_keys *keys_with(const char *text)
{
    struct ticket_keys *keys = ticket_keys_create(mbedtls_ctr_drbg_random, &drbg, 3600, error, sizeof error);
    ck_assert_msg(keys != NULL, "%s", error);
    if (text != NULL) {
        struct ticket_key_set set;
        ck_assert_int_eq(parse(text, &set), 0);
        ck_assert_int_eq(ticket_keys_use(keys, &set), 0);
    }
    return keys;
}

START_TEST(parse_ticket_refuses_what_is_not_one)
{
    struct ticket_keys *keys = keys_with(KEY_A "\n");
    mbedtls_ssl_session session;
    mbedtls_ssl_session_init(&session);
    unsigned char ticket[TICKET_OVERHEAD + 100];
    memset(ticket, 0, sizeof ticket);

    ck_assert_int_eq(ticket_keys_parse_ticket(keys, &session, ticket, 0), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    ck_assert_int_eq(ticket_keys_parse_ticket(keys, &session, ticket, TICKET_OVERHEAD - 1),
                     MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    /* the length field says 0, the ticket is longer */
    ck_assert_int_eq(ticket_keys_parse_ticket(keys, &session, ticket, sizeof ticket), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    /* consistent length, unknown key name */
    ticket[TICKET_HEADER_SIZE - 1] = 100;
    ck_assert_int_eq(ticket_keys_parse_ticket(keys, &session, ticket, sizeof ticket),
                     MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    /* a known name, and a tag that cannot be right */
    for (unsigned i = 0; i < TICKET_KEY_NAME_SIZE; i++)
        ticket[i] = (unsigned char)i;
    ck_assert_int_eq(ticket_keys_parse_ticket(keys, &session, ticket, sizeof ticket), MBEDTLS_ERR_SSL_INVALID_MAC);
    /* an empty state is a ticket too, as far as the length goes */
    ticket[TICKET_HEADER_SIZE - 1] = 0;
    ck_assert_int_eq(ticket_keys_parse_ticket(keys, &session, ticket, TICKET_OVERHEAD), MBEDTLS_ERR_SSL_INVALID_MAC);

    mbedtls_ssl_session_free(&session);
    ticket_keys_free(keys);
}
END_TEST

START_TEST(write_ticket_needs_room)
{
    struct ticket_keys *keys = keys_with(NULL);
    mbedtls_ssl_session session;
    mbedtls_ssl_session_init(&session);
    unsigned char buffer[TICKET_OVERHEAD];
    size_t length = 99;
    uint32_t lifetime = 0;
    ck_assert_int_eq(ticket_keys_write(keys, &session, buffer, buffer + TICKET_OVERHEAD - 1, &length, &lifetime),
                     MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(length, 0);
    mbedtls_ssl_session_free(&session);
    ticket_keys_free(keys);
}
END_TEST

START_TEST(issuing_name_and_use)
{
    struct ticket_keys *keys = keys_with(KEY_B "\n" KEY_A "\n");
    char name[TICKET_KEY_NAME_HEX_SIZE];
    ticket_keys_issuing_name(keys, name);
    ck_assert_str_eq(name, "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    /* back to own keys: a random name */
    ck_assert_int_eq(ticket_keys_use(keys, NULL), 0);
    char own[TICKET_KEY_NAME_HEX_SIZE];
    ticket_keys_issuing_name(keys, own);
    ck_assert_str_ne(own, name);
    ck_assert_uint_eq(strlen(own), 32);
    /* a set of nothing, or of too much, is refused and changes nothing */
    struct ticket_key_set set;
    memset(&set, 0, sizeof set);
    ck_assert_int_eq(ticket_keys_use(keys, &set), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    set.count = TICKET_KEYS_MAX + 1;
    ck_assert_int_eq(ticket_keys_use(keys, &set), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    ticket_keys_issuing_name(keys, name);
    ck_assert_str_eq(name, own);
    ticket_keys_free(keys);
    ticket_keys_free(NULL);
}
END_TEST

/* ---- tls_resumption with a key file ------------------------------------------------ */

START_TEST(resumption_loads_the_key_file)
{
    struct tlsd_config config;
    config_init(&config);
    config.ticket_key_file = strdup(path);
    char message[CONFIG_ERROR_SIZE];

    /* missing: an error naming it, as `tlsd -t` prints it */
    ck_assert_ptr_null(tls_resumption_create(&config, message, sizeof message));
    char expected[256];
    snprintf(expected, sizeof expected, "ticket_key_file %s: No such file or directory", path);
    ck_assert_str_eq(message, expected);

    write_file(KEY_B "\n" KEY_A "\n", 2 * (TICKET_KEY_HEX_LENGTH + 1), 0644);
    ck_assert_ptr_null(tls_resumption_create(&config, message, sizeof message));
    ck_assert_msg(strstr(message, ": readable by group or others (mode 0644)") != NULL, "%s", message);

    ck_assert_int_eq(chmod(path, 0600), 0);
    struct tls_resumption *resumption = tls_resumption_create(&config, message, sizeof message);
    ck_assert_msg(resumption != NULL, "%s", message);
    char name[TICKET_KEY_NAME_HEX_SIZE];
    ticket_keys_issuing_name(tls_resumption_ticket_keys(resumption), name);
    ck_assert_str_eq(name, "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf");

    /* the reload: another set, then tlsd's own keys */
    struct ticket_key_set set;
    ck_assert_int_eq(parse(KEY_A "\n", &set), 0);
    ck_assert_int_eq(tls_resumption_use_ticket_keys(resumption, &set, path, message, sizeof message), 0);
    ticket_keys_issuing_name(tls_resumption_ticket_keys(resumption), name);
    ck_assert_str_eq(name, NAME_A);
    ck_assert_int_eq(tls_resumption_use_ticket_keys(resumption, NULL, NULL, message, sizeof message), 0);
    ticket_keys_issuing_name(tls_resumption_ticket_keys(resumption), name);
    ck_assert_str_ne(name, NAME_A);
    tls_resumption_free(resumption);

    /* without a key file: own keys */
    free(config.ticket_key_file);
    config.ticket_key_file = NULL;
    resumption = tls_resumption_create(&config, message, sizeof message);
    ck_assert_msg(resumption != NULL, "%s", message);
    tls_resumption_free(resumption);
    config_free(&config);
}
END_TEST

static Suite *ticket_keys_suite(void)
{
    Suite *s = suite_create("ticket_keys");
    TCase *parser = tcase_create("parse");
    tcase_add_test(parser, parse_one_key);
    tcase_add_test(parser, parse_upper_case_and_order);
    tcase_add_test(parser, parse_comments_blanks_crlf);
    tcase_add_test(parser, parse_eight_keys_not_nine);
    tcase_add_test(parser, parse_refuses_wrong_lengths);
    tcase_add_test(parser, parse_refuses_non_hex);
    tcase_add_test(parser, parse_refuses_no_key);
    tcase_add_test(parser, parse_refuses_a_name_twice);
    tcase_add_test(parser, parse_wipes_the_set_on_error);
    tcase_add_test(parser, format_parses_back);
    suite_add_tcase(s, parser);

    TCase *loader = tcase_create("load");
    tcase_add_checked_fixture(loader, file_setup, file_teardown);
    tcase_add_test(loader, load_mode_0600);
    tcase_add_test(loader, load_refuses_group_or_others);
    tcase_add_test(loader, load_credentials_directory_exception);
    tcase_add_test(loader, load_refuses_missing_directory_fifo);
    tcase_add_test(loader, load_size_limit);
    tcase_add_test(loader, load_names_the_line);
    suite_add_tcase(s, loader);

    TCase *callbacks = tcase_create("callbacks");
    tcase_add_checked_fixture(callbacks, random_setup, random_teardown);
    tcase_add_test(callbacks, parse_ticket_refuses_what_is_not_one);
    tcase_add_test(callbacks, write_ticket_needs_room);
    tcase_add_test(callbacks, issuing_name_and_use);
    suite_add_tcase(s, callbacks);

    TCase *resumption = tcase_create("resumption");
    tcase_add_checked_fixture(resumption, file_setup, file_teardown);
    tcase_add_test(resumption, resumption_loads_the_key_file);
    suite_add_tcase(s, resumption);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(ticket_keys_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}

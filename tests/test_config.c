/* SPDX-License-Identifier: Apache-2.0 */
/* test_config.c: unit tests of the configuration parser (src/config.c). */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TLSD_SYSCONFDIR
#define TLSD_SYSCONFDIR "/usr/local/etc"
#endif
#ifndef TLSD_DATADIR
#define TLSD_DATADIR "/usr/local/share/tlsd"
#endif

static struct tlsd_config config;
static char error[CONFIG_ERROR_SIZE];

static void setup(void)
{
    config_init(&config);
    memset(error, 0, sizeof error);
}

static void teardown(void)
{
    config_free(&config);
}

static int parse(const char *text)
{
    return config_parse(&config, text, strlen(text), "x.conf", error, sizeof error);
}

static int parse_bytes(const char *text, size_t length)
{
    return config_parse(&config, text, length, "x.conf", error, sizeof error);
}

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* The message begins with `prefix` (e.g. "x.conf:3: ") and contains `part`. */
static void assert_error(const char *prefix, const char *part)
{
    ck_assert_msg(starts_with(error, prefix), "error '%s' does not start with '%s'", error, prefix);
    ck_assert_msg(part == NULL || strstr(error, part) != NULL,
                  "error '%s' does not contain '%s'", error, part);
}

static void assert_defaults(const struct tlsd_config *c)
{
    ck_assert_uint_eq(c->listen_count, 0);
    ck_assert_str_eq(c->certificate, TLSD_SYSCONFDIR "/tlsd/server.crt");
    ck_assert_str_eq(c->private_key, TLSD_SYSCONFDIR "/tlsd/server.key");
    ck_assert_str_eq(c->document_root, TLSD_DATADIR "/www");
    ck_assert_str_eq(c->index, "index.html");
    ck_assert(!c->serve_dotfiles);
    ck_assert_uint_eq(c->workers, 0);
    ck_assert_ptr_null(c->user);
    ck_assert_ptr_null(c->group);
    ck_assert_uint_eq(c->handshake_timeout, 10);
    ck_assert_uint_eq(c->idle_timeout, 60);
    ck_assert_uint_eq(c->max_connections, 10000);
    ck_assert_int_eq(c->min_tls_version, TLS_VERSION_1_2);
    ck_assert_int_eq(c->max_tls_version, 0);
    ck_assert_ptr_null(c->ciphersuites);
    ck_assert(c->session_tickets);
    ck_assert_uint_eq(c->session_cache_size, 20000);
    ck_assert_ptr_null(c->keylog_file);
    ck_assert_int_eq(c->log_level, LOG_LEVEL_INFO);
    ck_assert_int_eq(c->log_format, LOG_FORMAT_TEXT);
    ck_assert_int_eq(c->log_timestamps, LOG_TIMESTAMPS_AUTO);
    ck_assert_uint_eq(c->hsts, 0);
    ck_assert_str_eq(c->content_security_policy, CONFIG_DEFAULT_CONTENT_SECURITY_POLICY);
    ck_assert(c->precompressed);
    ck_assert(c->handshake_capture);
    ck_assert_str_eq(c->cache_control[CONFIG_CACHE_HTML], "no-cache");
    ck_assert_str_eq(c->cache_control[CONFIG_CACHE_STATIC], "max-age=600");
    ck_assert_str_eq(c->cache_control[CONFIG_CACHE_ERROR], "no-store");
    ck_assert_uint_eq(c->error_page_count, 0);
    ck_assert_ptr_null(config_error_page(c, 404));
}

static void assert_ipv4(const struct listen_address *address, const char *ip, unsigned port)
{
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)&address->address;
    char text[INET_ADDRSTRLEN];

    ck_assert_int_eq(in4->sin_family, AF_INET);
    ck_assert_uint_eq(address->address_length, sizeof(struct sockaddr_in));
    ck_assert_uint_eq(ntohs(in4->sin_port), port);
    ck_assert_ptr_nonnull(inet_ntop(AF_INET, &in4->sin_addr, text, sizeof text));
    ck_assert_str_eq(text, ip);
}

static void assert_ipv6(const struct listen_address *address, const char *ip, unsigned port)
{
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&address->address;
    char text[INET6_ADDRSTRLEN];

    ck_assert_int_eq(in6->sin6_family, AF_INET6);
    ck_assert_uint_eq(address->address_length, sizeof(struct sockaddr_in6));
    ck_assert_uint_eq(ntohs(in6->sin6_port), port);
    ck_assert_ptr_nonnull(inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text));
    ck_assert_str_eq(text, ip);
}

/* Write `length` bytes to a new temporary file; returns its path (malloc'd). */
static char *write_temp_file(const char *text, size_t length)
{
    const char *directory = getenv("TMPDIR");
    char *path = malloc(4096);
    int fd;

    ck_assert_ptr_nonnull(path);
    snprintf(path, 4096, "%s/test_config.XXXXXX",
             directory != NULL && directory[0] != '\0' ? directory : "/tmp");
    fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp %s: %s", path, strerror(errno));
    while (length > 0) {
        ssize_t written = write(fd, text, length);
        ck_assert_msg(written > 0, "write %s: %s", path, strerror(errno));
        text += written;
        length -= (size_t)written;
    }
    ck_assert_int_eq(close(fd), 0);
    return path;
}

/* -------------------------------------------------------------- defaults */

START_TEST(test_defaults)
{
    assert_defaults(&config);
}
END_TEST

START_TEST(test_empty_input)
{
    ck_assert_int_eq(parse_bytes(NULL, 0), 0);
    ck_assert_int_eq(parse(""), 0);
    ck_assert_int_eq(parse("\n\n   \n\t\n"), 0);
    ck_assert_int_eq(parse("# only a comment"), 0);
    assert_defaults(&config);
}
END_TEST

START_TEST(test_log_level_names)
{
    ck_assert_str_eq(log_level_name(LOG_LEVEL_ERROR), "error");
    ck_assert_str_eq(log_level_name(LOG_LEVEL_WARN), "warn");
    ck_assert_str_eq(log_level_name(LOG_LEVEL_INFO), "info");
    ck_assert_str_eq(log_level_name(LOG_LEVEL_DEBUG), "debug");
}
END_TEST

/* ------------------------------------------------------------- good keys */

START_TEST(test_every_key)
{
    const char *text =
        "listen 127.0.0.1:8443\n"
        "listen [::1]:8444\n"
        "certificate /etc/tlsd/chain.pem\n"
        "private_key /etc/tlsd/key.pem\n"
        "document_root /srv/my site\n"
        "index home.html\n"
        "workers 4\n"
        "user www-data\n"
        "group www-data\n"
        "handshake_timeout 5\n"
        "idle_timeout 120\n"
        "max_connections 500\n"
        "min_tls_version 1.3\n"
        "max_tls_version 1.3\n"
        "ciphersuites TLS1-3-AES-128-GCM-SHA256:TLS1-3-AES-256-GCM-SHA384\n"
        "session_tickets off\n"
        "serve_dotfiles on\n"
        "session_cache_size 0\n"
        "keylog_file /tmp/keys.log\n"
        "log_level debug\n"
        "log_format json\n"
        "hsts 63072000\n"
        "content_security_policy default-src 'none'\n"
        "precompressed off\n"
        "cache_control static public, max-age=31536000, immutable\n"
        "error_page 404 /404.html\n";

    ck_assert_msg(parse(text) == 0, "%s", error);
    ck_assert_uint_eq(config.listen_count, 2);
    ck_assert_str_eq(config.listen[0].text, "127.0.0.1:8443");
    assert_ipv4(&config.listen[0], "127.0.0.1", 8443);
    ck_assert_str_eq(config.listen[1].text, "[::1]:8444");
    assert_ipv6(&config.listen[1], "::1", 8444);
    ck_assert_str_eq(config.certificate, "/etc/tlsd/chain.pem");
    ck_assert_str_eq(config.private_key, "/etc/tlsd/key.pem");
    ck_assert_str_eq(config.document_root, "/srv/my site");
    ck_assert_str_eq(config.index, "home.html");
    ck_assert_uint_eq(config.workers, 4);
    ck_assert_str_eq(config.user, "www-data");
    ck_assert_str_eq(config.group, "www-data");
    ck_assert_uint_eq(config.handshake_timeout, 5);
    ck_assert_uint_eq(config.idle_timeout, 120);
    ck_assert_uint_eq(config.max_connections, 500);
    ck_assert_int_eq(config.min_tls_version, TLS_VERSION_1_3);
    ck_assert_int_eq(config.max_tls_version, TLS_VERSION_1_3);
    ck_assert_str_eq(config.ciphersuites, "TLS1-3-AES-128-GCM-SHA256:TLS1-3-AES-256-GCM-SHA384");
    ck_assert(!config.session_tickets);
    ck_assert(config.serve_dotfiles);
    ck_assert_uint_eq(config.session_cache_size, 0);
    ck_assert_str_eq(config.keylog_file, "/tmp/keys.log");
    ck_assert_int_eq(config.log_level, LOG_LEVEL_DEBUG);
    ck_assert_int_eq(config.log_format, LOG_FORMAT_JSON);
    ck_assert_uint_eq(config.hsts, 63072000);
    ck_assert_str_eq(config.content_security_policy, "default-src 'none'");
    ck_assert(!config.precompressed);
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_STATIC], "public, max-age=31536000, immutable");
    ck_assert_str_eq(config_error_page(&config, 404), "/404.html");
    ck_assert_msg(config_finish(&config, error, sizeof error) == 0, "%s", error);
    ck_assert_uint_eq(config.listen_count, 2);
}
END_TEST

/* Values at the edges of their ranges, and the other spellings. */
START_TEST(test_good_values)
{
    ck_assert_int_eq(parse("workers auto\nhandshake_timeout 1\nidle_timeout 86400\n"
                           "max_connections 1000000\nsession_cache_size 1000000\n"
                           "min_tls_version 1.2\nmax_tls_version 1.2\nhsts 0\n"), 0);
    ck_assert_uint_eq(config.workers, 0);
    ck_assert_uint_eq(config.handshake_timeout, 1);
    ck_assert_uint_eq(config.idle_timeout, 86400);
    ck_assert_uint_eq(config.max_connections, 1000000);
    ck_assert_uint_eq(config.session_cache_size, 1000000);
    ck_assert_int_eq(config.min_tls_version, TLS_VERSION_1_2);
    ck_assert_int_eq(config.max_tls_version, TLS_VERSION_1_2);
    ck_assert_uint_eq(config.hsts, 0);

    ck_assert_int_eq(parse("workers 1\nhandshake_timeout 3600\nmax_connections 1\n"), 0);
    ck_assert_uint_eq(config.workers, 1);
    ck_assert_uint_eq(config.handshake_timeout, 3600);
    ck_assert_uint_eq(config.max_connections, 1);
    ck_assert_int_eq(parse("workers 256\nidle_timeout 1\n"), 0);
    ck_assert_uint_eq(config.workers, 256);
    ck_assert_uint_eq(config.idle_timeout, 1);

    static const struct { const char *text; bool value; } booleans[] = {
        { "off", false }, { "on", true }, { "no", false }, { "yes", true },
        { "false", false }, { "true", true }, { "OFF", false }, { "On", true },
    };
    for (size_t i = 0; i < sizeof booleans / sizeof booleans[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "session_tickets %s\n", booleans[i].text);
        ck_assert_msg(parse(line) == 0, "%s", error);
        ck_assert_msg(config.session_tickets == booleans[i].value, "%s", booleans[i].text);
    }

    static const char *const levels[] = { "error", "warn", "info", "debug" };
    for (int level = 0; level < 4; level++) {
        char line[64];
        snprintf(line, sizeof line, "log_level %s\n", levels[level]);
        ck_assert_msg(parse(line) == 0, "%s", error);
        ck_assert_int_eq(config.log_level, level);
    }
    ck_assert_int_eq(parse("log_format json\nlog_format text\n"), 0);
    ck_assert_int_eq(config.log_format, LOG_FORMAT_TEXT);
    ck_assert_int_eq(parse("log_timestamps on\n"), 0);
    ck_assert_int_eq(config.log_timestamps, LOG_TIMESTAMPS_ON);
    ck_assert_int_eq(parse("log_timestamps off\n"), 0);
    ck_assert_int_eq(config.log_timestamps, LOG_TIMESTAMPS_OFF);
    ck_assert_int_eq(parse("log_timestamps off\nlog_timestamps AUTO\n"), 0);
    ck_assert_int_eq(config.log_timestamps, LOG_TIMESTAMPS_AUTO);
}
END_TEST

/* A string key set twice keeps the last value; the first is freed (the
 * sanitizer and valgrind runs would report it otherwise). */
START_TEST(test_string_set_twice)
{
    ck_assert_int_eq(parse("certificate /a.crt\ncertificate /b.crt\n"
                           "user alice\nuser bob\nciphersuites A\nciphersuites B\n"), 0);
    ck_assert_str_eq(config.certificate, "/b.crt");
    ck_assert_str_eq(config.user, "bob");
    ck_assert_str_eq(config.ciphersuites, "B");
}
END_TEST

START_TEST(test_keylog_off)
{
    ck_assert_int_eq(parse("keylog_file /tmp/k.log\n"), 0);
    ck_assert_str_eq(config.keylog_file, "/tmp/k.log");
    ck_assert_int_eq(parse("keylog_file off\n"), 0);
    ck_assert_ptr_null(config.keylog_file);
}
END_TEST

START_TEST(test_config_set_origin)
{
    ck_assert_int_eq(config_set(&config, "certificate", "/x.crt", "--cert", error, sizeof error), 0);
    ck_assert_str_eq(config.certificate, "/x.crt");
    ck_assert_int_eq(config_set(&config, "workers", "many", "--workers", error, sizeof error), -1);
    ck_assert_str_eq(error, "--workers: workers must be auto or a number from 1 to 256, not 'many'");
    ck_assert_int_eq(config_set(&config, "nope", "1", "-x", error, sizeof error), -1);
    ck_assert_str_eq(error, "-x: unknown key 'nope'");
    ck_assert_int_eq(config_set(&config, "certificate", "", "--cert", error, sizeof error), -1);
    ck_assert_str_eq(error, "--cert: certificate needs a value");
    /* Values from the command line are not trimmed: they are checked as given. */
    ck_assert_int_eq(config_set(&config, "workers", " 4", "--workers", error, sizeof error), -1);
    ck_assert_str_eq(config.certificate, "/x.crt");
}
END_TEST

START_TEST(test_free_twice)
{
    ck_assert_int_eq(parse("user u\ngroup g\nkeylog_file /k\nciphersuites c\n"
                           "cache_control html max-age=0\nerror_page 404 500 /e.html\n"), 0);
    config_free(&config);
    ck_assert_ptr_null(config.certificate);
    ck_assert_ptr_null(config.user);
    ck_assert_ptr_null(config.cache_control[CONFIG_CACHE_HTML]);
    ck_assert_ptr_null(config.content_security_policy);
    ck_assert_uint_eq(config.error_page_count, 0);
    ck_assert_ptr_null(config_error_page(&config, 404));
    config_free(&config);
    config_init(&config);
    assert_defaults(&config);
}
END_TEST

/* ------------------------------------------------------ site: issue 14 */

START_TEST(test_handshake_capture)
{
    ck_assert_int_eq(parse("handshake_capture off\n"), 0);
    ck_assert(!config.handshake_capture);
    ck_assert_int_eq(parse("handshake_capture on\n"), 0);
    ck_assert(config.handshake_capture);
}
END_TEST

START_TEST(test_precompressed)
{
    ck_assert_int_eq(parse("precompressed off\n"), 0);
    ck_assert(!config.precompressed);
    ck_assert_int_eq(parse("precompressed on\n"), 0);
    ck_assert(config.precompressed);
}
END_TEST

START_TEST(test_cache_control_classes)
{
    ck_assert_msg(parse("cache_control html max-age=0, must-revalidate\n"
                        "cache_control\tstatic \t public, max-age=31536000, immutable  # a comment\n"
                        "cache_control error no-cache\n") == 0, "%s", error);
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_HTML], "max-age=0, must-revalidate");
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_STATIC], "public, max-age=31536000, immutable");
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_ERROR], "no-cache");

    /* a class given again: the last value wins, and the others stay */
    ck_assert_int_eq(parse("cache_control html no-cache\ncache_control html private\n"), 0);
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_HTML], "private");
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_STATIC], "public, max-age=31536000, immutable");

    /* off: no header for that class only; a value again brings it back */
    ck_assert_int_eq(parse("cache_control static off\ncache_control error off\n"), 0);
    ck_assert_ptr_null(config.cache_control[CONFIG_CACHE_STATIC]);
    ck_assert_ptr_null(config.cache_control[CONFIG_CACHE_ERROR]);
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_HTML], "private");
    ck_assert_int_eq(parse("cache_control static max-age=60\n"), 0);
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_STATIC], "max-age=60");

    /* OFF is a value, as content_security_policy's is */
    ck_assert_int_eq(parse("cache_control html OFF\n"), 0);
    ck_assert_str_eq(config.cache_control[CONFIG_CACHE_HTML], "OFF");
}
END_TEST

/* Values from config_set (the command line, no line checks before it):
 * a byte that would split or end a header is refused, and nothing changes. */
START_TEST(test_header_values_checked)
{
    static const char *const bad[] = {
        "no-cache\r\nSet-Cookie: a=b", "no-cache\n", "\rx", "a\tb", "\x01", "x\x7f", "\xff",
    };
    char value[CONFIG_MAX_HEADER_VALUE + 16];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "html %s", bad[i]);
        ck_assert_int_eq(config_set(&config, "cache_control", line, "-o", error, sizeof error), -1);
        assert_error("-o: cache_control html: the byte 0x", "cannot be sent in a header");
        ck_assert_int_eq(config_set(&config, "content_security_policy", bad[i], "-o", error, sizeof error), -1);
        assert_error("-o: content_security_policy: the byte 0x", "printable ASCII on one line");
    }
    assert_defaults(&config);

    /* at most CONFIG_MAX_HEADER_VALUE characters, for either key */
    memset(value, 'a', sizeof value);
    value[CONFIG_MAX_HEADER_VALUE + 1] = '\0';
    ck_assert_int_eq(config_set(&config, "content_security_policy", value, "-o", error, sizeof error), -1);
    ck_assert_str_eq(error, "-o: content_security_policy must be at most 1024 characters");
    memcpy(value, "error ", 6);
    value[CONFIG_MAX_HEADER_VALUE + 1] = 'a';
    value[CONFIG_MAX_HEADER_VALUE + 7] = '\0';
    ck_assert_int_eq(config_set(&config, "cache_control", value, "-o", error, sizeof error), -1);
    ck_assert_str_eq(error, "-o: cache_control error must be at most 1024 characters");
    assert_defaults(&config);
    value[CONFIG_MAX_HEADER_VALUE + 6] = '\0';
    ck_assert_int_eq(config_set(&config, "cache_control", value, "-o", error, sizeof error), 0);
    ck_assert_uint_eq(strlen(config.cache_control[CONFIG_CACHE_ERROR]), CONFIG_MAX_HEADER_VALUE);
    ck_assert_int_eq(config_set(&config, "content_security_policy", value + 6, "-o", error, sizeof error), 0);
    ck_assert_uint_eq(strlen(config.content_security_policy), CONFIG_MAX_HEADER_VALUE);
    ck_assert_int_eq(parse("content_security_policy off\n"), 0);
    ck_assert_ptr_null(config.content_security_policy);
}
END_TEST

START_TEST(test_error_page_lists)
{
    ck_assert_msg(parse("error_page 404 /404.html\n"
                        "error_page 500 502  503\t504 /50x.html\n") == 0, "%s", error);
    ck_assert_uint_eq(config.error_page_count, 5);
    ck_assert_str_eq(config_error_page(&config, 404), "/404.html");
    ck_assert_str_eq(config_error_page(&config, 500), "/50x.html");
    ck_assert_str_eq(config_error_page(&config, 502), "/50x.html");
    ck_assert_str_eq(config_error_page(&config, 503), "/50x.html");
    ck_assert_str_eq(config_error_page(&config, 504), "/50x.html");
    ck_assert_ptr_null(config_error_page(&config, 403));
    ck_assert_ptr_null(config_error_page(&config, 501));
    ck_assert_ptr_null(config_error_page(&config, 200));
    ck_assert_ptr_null(config_error_page(&config, 0));

    /* a status again: its new page replaces the old, the count stays */
    ck_assert_int_eq(parse("error_page 503 403 /busy.html\n"), 0);
    ck_assert_uint_eq(config.error_page_count, 6);
    ck_assert_str_eq(config_error_page(&config, 503), "/busy.html");
    ck_assert_str_eq(config_error_page(&config, 403), "/busy.html");
    ck_assert_str_eq(config_error_page(&config, 502), "/50x.html");
    /* twice on one line: the one page, once */
    ck_assert_int_eq(parse("error_page 410 410 /gone/\n"), 0);
    ck_assert_uint_eq(config.error_page_count, 7);
    ck_assert_str_eq(config_error_page(&config, 410), "/gone/");

    /* off forgets them all; later lines start again */
    ck_assert_int_eq(parse("error_page off\n"), 0);
    ck_assert_uint_eq(config.error_page_count, 0);
    ck_assert_ptr_null(config_error_page(&config, 404));
    ck_assert_int_eq(parse("error_page 599 400 /.well-known/e.html\n"), 0);
    ck_assert_uint_eq(config.error_page_count, 2);
    ck_assert_str_eq(config_error_page(&config, 400), "/.well-known/e.html");
    ck_assert_str_eq(config_error_page(&config, 599), "/.well-known/e.html");
}
END_TEST

/* A bad error_page line after good ones changes none of them. */
START_TEST(test_error_page_bad_line_keeps)
{
    ck_assert_int_eq(parse("error_page 404 /404.html\n"), 0);
    ck_assert_int_eq(parse("error_page 404 500 /x?y\n"), -1);
    ck_assert_int_eq(parse("error_page 404 399 /new.html\n"), -1);
    ck_assert_int_eq(config_set(&config, "error_page", "404 /a\001b", "-o", error, sizeof error), -1);
    ck_assert_str_eq(error, "-o: error_page: the page '/a\001b' has a space or a control character");
    ck_assert_int_eq(config_set(&config, "error_page", " \t ", "-o", error, sizeof error), -1);
    assert_error("-o: error_page: give one or more statuses", NULL);
    ck_assert_uint_eq(config.error_page_count, 1);
    ck_assert_str_eq(config_error_page(&config, 404), "/404.html");
    ck_assert_ptr_null(config_error_page(&config, 500));
}
END_TEST

START_TEST(test_error_page_limit)
{
    char line[64];

    for (int status = 400; status < 400 + CONFIG_MAX_ERROR_PAGES; status++) {
        snprintf(line, sizeof line, "error_page %d /%d.html\n", status, status);
        ck_assert_msg(parse(line) == 0, "%s", error);
    }
    ck_assert_uint_eq(config.error_page_count, CONFIG_MAX_ERROR_PAGES);
    /* one more status is too many; a status again is not */
    ck_assert_int_eq(parse("\nerror_page 599 /599.html\n"), -1);
    ck_assert_str_eq(error, "x.conf:2: error_page: too many statuses with a page (at most 32)");
    ck_assert_int_eq(parse("error_page 400 /again.html\n"), 0);
    ck_assert_str_eq(config_error_page(&config, 400), "/again.html");
    /* a line that would go over changes nothing, not even its known statuses */
    ck_assert_int_eq(parse("error_page 401 599 /over.html\n"), -1);
    ck_assert_str_eq(config_error_page(&config, 401), "/401.html");
    ck_assert_ptr_null(config_error_page(&config, 599));
    ck_assert_uint_eq(config.error_page_count, CONFIG_MAX_ERROR_PAGES);
    /* off makes room */
    ck_assert_int_eq(parse("error_page off\nerror_page 599 /599.html\n"), 0);
    ck_assert_uint_eq(config.error_page_count, 1);
}
END_TEST

START_TEST(test_error_page_line_limit)
{
    char line[512];
    size_t used = (size_t)snprintf(line, sizeof line, "error_page");

    for (int status = 500; status <= 500 + CONFIG_MAX_ERROR_PAGES; status++)
        used += (size_t)snprintf(line + used, sizeof line - used, " %d", status);
    snprintf(line + used, sizeof line - used, " /5xx.html\n");
    ck_assert_int_eq(parse(line), -1);
    ck_assert_str_eq(error, "x.conf:1: error_page: too many statuses on one line (at most 32)");
    ck_assert_uint_eq(config.error_page_count, 0);
    /* 32 on one line is fine */
    line[strlen("error_page") + 4 * CONFIG_MAX_ERROR_PAGES] = '\0';
    ck_assert_int_eq(config_set(&config, "error_page", strcat(line, " /5xx.html") + strlen("error_page "),
                                "-o", error, sizeof error), 0);
    ck_assert_uint_eq(config.error_page_count, CONFIG_MAX_ERROR_PAGES);
    ck_assert_str_eq(config_error_page(&config, 531), "/5xx.html");
}
END_TEST

START_TEST(test_error_page_path_length)
{
    char value[1100];

    memcpy(value, "404 /", 5);
    memset(value + 5, 'a', 1023);
    value[5 + 1023] = '\0';    /* "/" and 1023 more: 1024 */
    ck_assert_int_eq(config_set(&config, "error_page", value, "-o", error, sizeof error), 0);
    ck_assert_uint_eq(strlen(config_error_page(&config, 404)), 1024);
    value[5 + 1023] = 'a';
    value[5 + 1024] = '\0';
    ck_assert_int_eq(config_set(&config, "error_page", value, "-o", error, sizeof error), -1);
    assert_error("-o: error_page: the page '/aaa", "...' is longer than 1024 characters");
    ck_assert_uint_eq(strlen(config_error_page(&config, 404)), 1024);
}
END_TEST

/* -------------------------------------------------------------- bad values */

static const struct bad_value {
    const char *key;
    const char *value;
    const char *message;    /* the whole message after "x.conf:3: " */
} bad_values[] = {
    { "handshake_timeout", "abc", "handshake_timeout must be a number of seconds from 1 to 3600, not 'abc'" },
    { "handshake_timeout", "0", "handshake_timeout must be a number of seconds from 1 to 3600, not '0'" },
    { "handshake_timeout", "3601", NULL },
    { "handshake_timeout", "-1", NULL },
    { "handshake_timeout", "+5", NULL },
    { "handshake_timeout", "0x10", NULL },
    { "handshake_timeout", "10s", NULL },
    { "handshake_timeout", "1 0", NULL },
    { "handshake_timeout", "1.5", NULL },
    { "handshake_timeout", "99999999999999999999999999999", NULL },
    { "idle_timeout", "0", "idle_timeout must be a number of seconds from 1 to 86400, not '0'" },
    { "idle_timeout", "86401", NULL },
    { "idle_timeout", "x", NULL },
    { "max_connections", "0", "max_connections must be a number from 1 to 1000000, not '0'" },
    { "max_connections", "1000001", NULL },
    { "max_connections", "4294967296", NULL },
    { "max_connections", "18446744073709551617", NULL },
    { "session_cache_size", "1000001", NULL },
    { "session_cache_size", "-0", NULL },
    { "session_cache_size", "big", NULL },
    { "hsts", "63072001", "hsts must be a number of seconds from 0 to 63072000, not '63072001'" },
    { "hsts", "1y", NULL },
    { "hsts", "-1", NULL },
    { "workers", "0", "workers must be auto or a number from 1 to 256, not '0'" },
    { "workers", "257", NULL },
    { "workers", "-1", NULL },
    { "workers", "autox", NULL },
    { "min_tls_version", "1.1", "min_tls_version must be 1.2 or 1.3, not '1.1'" },
    { "min_tls_version", "1.4", NULL },
    { "min_tls_version", "TLSv1.2", NULL },
    { "min_tls_version", "12", NULL },
    { "max_tls_version", "1.0", "max_tls_version must be 1.2 or 1.3, not '1.0'" },
    { "max_tls_version", "1.3.0", NULL },
    { "session_tickets", "maybe", "session_tickets must be on or off, not 'maybe'" },
    { "session_tickets", "1", NULL },
    { "serve_dotfiles", "all", "serve_dotfiles must be on or off, not 'all'" },
    { "log_level", "trace", "log_level must be error, warn, info or debug, not 'trace'" },
    { "log_level", "warning", NULL },
    { "log_format", "xml", "log_format must be text or json, not 'xml'" },
    { "log_timestamps", "yes", "log_timestamps must be auto, on or off, not 'yes'" },
    { "index", "a/b.html", "index must be a file name without '/', not 'a/b.html'" },
    { "index", "/index.html", NULL },
    { "index", "..", NULL },
    { "listen", "localhost:443", "listen: 'localhost' is not a numeric IPv4 address (host names are not looked up)" },
    { "listen", "1.2.3.4:65536", "listen: port must be 0 to 65535, not '65536'" },
    { "listen", "[::1", "listen: '[::1' is missing ']'" },
    { "listen", "1.2.3.4:443 proxy_v2", "listen 1.2.3.4:443: unknown option 'proxy_v2' (the one option is proxy_protocol)" },
    { "proxy_from", "10.0.0.1/8", "proxy_from: '10.0.0.1/8' has host bits set beyond /8 (did you mean the network's first address?)" },
    { "proxy_from", "10.0.0.0/33", "proxy_from: '10.0.0.0/33': the prefix length after '/' must be a number from 0 to 32" },
    { "proxy_from", "::/129", "proxy_from: '::/129': the prefix length after '/' must be a number from 0 to 128" },
    { "proxy_from", "10.0.0.0/", NULL },
    { "proxy_from", "10.0.0.0/08", NULL },
    { "proxy_from", "10.0.0.0/-1", NULL },
    { "proxy_from", "/8", NULL },
    { "proxy_from", "lb.example.com", "proxy_from: 'lb.example.com' is not a numeric IP address (host names are not looked up)" },
    { "proxy_from", "10.0.0.0/8 10.1.2.3/16", "proxy_from: '10.1.2.3/16' has host bits set beyond /16 (did you mean the network's first address?)" },
    { "proxy_protocol_timeout", "0", "proxy_protocol_timeout must be a number of seconds from 1 to 3600, not '0'" },
    { "proxy_protocol_timeout", "3601", NULL },
    { "precompressed", "br", "precompressed must be on or off, not 'br'" },
    { "handshake_capture", "all", "handshake_capture must be on or off, not 'all'" },
    { "cache_control", "css max-age=60", "cache_control: the class must be html, static or error, not 'css' (e.g. cache_control html no-cache)" },
    { "cache_control", "HTML no-cache", "cache_control: the class must be html, static or error, not 'HTML' (e.g. cache_control html no-cache)" },
    { "cache_control", "no-cache", "cache_control: the class must be html, static or error, not 'no-cache' (e.g. cache_control html no-cache)" },
    { "cache_control", "off", "cache_control: the class must be html, static or error, not 'off' (e.g. cache_control html no-cache)" },
    { "cache_control", "html", "cache_control html needs a value: a Cache-Control value such as no-cache, or off" },
    { "cache_control", "error\t", "cache_control error needs a value: a Cache-Control value such as no-cache, or off" },
    { "cache_control", "static\xc3\xa9", "cache_control: the class must be html, static or error, not 'static\xc3\xa9' (e.g. cache_control html no-cache)" },
    { "cache_control", "static max-age=\xc3\xa9", "cache_control static: the byte 0xc3 (character 9) cannot be sent in a header: the value must be printable ASCII on one line" },
    { "content_security_policy", "default-src '\xc3\xa9'", "content_security_policy: the byte 0xc3 (character 14) cannot be sent in a header: the value must be printable ASCII on one line" },
    { "error_page", "404", "error_page: give one or more statuses from 400 to 599, then the page (e.g. error_page 404 /404.html), or off" },
    { "error_page", "/404.html", "error_page: give one or more statuses from 400 to 599, then the page (e.g. error_page 404 /404.html), or off" },
    { "error_page", "404 404.html", "error_page: the page must be a path under document_root starting with /, e.g. /404.html, not '404.html'" },
    { "error_page", "404 http://example.org/404.html", "error_page: the page must be a path under document_root starting with /, e.g. /404.html, not 'http://example.org/404.html'" },
    { "error_page", "404 off", "error_page: the page must be a path under document_root starting with /, e.g. /404.html, not 'off'" },
    { "error_page", "399 /x.html", "error_page: '399' is not a status from 400 to 599" },
    { "error_page", "600 /x.html", "error_page: '600' is not a status from 400 to 599" },
    { "error_page", "404 4O4 /x.html", "error_page: '4O4' is not a status from 400 to 599" },
    { "error_page", "0404 /x.html", "error_page: '0404' is not a status from 400 to 599" },
    { "error_page", "+404 /x.html", "error_page: '+404' is not a status from 400 to 599" },
    { "error_page", "off /x.html", "error_page: 'off' is not a status from 400 to 599" },
    { "error_page", "404 /my page.html", "error_page: the page comes last, as one path without spaces, after the statuses (e.g. error_page 404 /404.html), not '/my'" },
    { "error_page", "404 /a.html 500", "error_page: the page comes last, as one path without spaces, after the statuses (e.g. error_page 404 /404.html), not '/a.html'" },
    { "error_page", "404 /404.html?from=x", "error_page: the page '/404.html?from=x' has a query ('?'): the page must be a plain path" },
    { "error_page", "404 /404.html#top", "error_page: the page '/404.html#top' has a fragment ('#'): the page must be a plain path" },
    { "error_page", "404 /not%20found.html", "error_page: the page '/not%20found.html' has a %-escape: name the file as it is, without escapes" },
    { "error_page", "404 /../etc/passwd", "error_page: the page '/../etc/passwd' has a '.' or '..' segment: the page must be a plain path under document_root" },
    { "error_page", "404 /errors/./404.html", "error_page: the page '/errors/./404.html' has a '.' or '..' segment: the page must be a plain path under document_root" },
    { "error_page", "404 /errors/..", "error_page: the page '/errors/..' has a '.' or '..' segment: the page must be a plain path under document_root" },
};

START_TEST(test_bad_value)
{
    const struct bad_value *bad = &bad_values[_i];
    char text[512], expected[512];

    snprintf(text, sizeof text, "# a comment\n\n%s %s\nworkers 3\n", bad->key, bad->value);
    ck_assert_msg(parse(text) == -1, "%s %s was accepted", bad->key, bad->value);
    if (bad->message != NULL) {
        snprintf(expected, sizeof expected, "x.conf:3: %s", bad->message);
        ck_assert_str_eq(error, expected);
    } else {
        snprintf(expected, sizeof expected, "'%s'", bad->value);
        assert_error("x.conf:3: ", bad->key);
        assert_error("x.conf:3: ", expected);
    }
    /* Nothing changed, and parsing stopped at the bad line. */
    assert_defaults(&config);
}
END_TEST

START_TEST(test_unknown_key)
{
    ck_assert_int_eq(parse("workers 2\n# comment\n\nxyz 1\nworkers 3\n"), -1);
    ck_assert_str_eq(error, "x.conf:4: unknown key 'xyz'");
    ck_assert_uint_eq(config.workers, 2);

    /* Keys are case-sensitive, and an unknown key without a value is
     * reported as unknown, not as missing a value. */
    ck_assert_int_eq(parse("Workers 2\n"), -1);
    ck_assert_str_eq(error, "x.conf:1: unknown key 'Workers'");
    ck_assert_int_eq(parse("\n\nbogus\n"), -1);
    ck_assert_str_eq(error, "x.conf:3: unknown key 'bogus'");
}
END_TEST

START_TEST(test_missing_value)
{
    ck_assert_int_eq(parse("workers 2\ncertificate\n"), -1);
    ck_assert_str_eq(error, "x.conf:2: certificate needs a value");
    ck_assert_int_eq(parse("\n\ncertificate    \t \n"), -1);
    ck_assert_str_eq(error, "x.conf:3: certificate needs a value");
    ck_assert_int_eq(parse("\nlisten # no address here\n"), -1);
    ck_assert_str_eq(error, "x.conf:2: listen needs a value");
    ck_assert_int_eq(parse("workers"), -1);
    ck_assert_str_eq(error, "x.conf:1: workers needs a value");
    assert_error("x.conf:1: ", NULL);
}
END_TEST

/* --------------------------------------------------------------- syntax */

START_TEST(test_comments_blank_crlf)
{
    const char *text =
        "# tlsd.conf\r\n"
        "\r\n"
        "   # indented comment\r\n"
        "\t \r\n"
        "  workers   8   # eight loops\r\n"
        "document_root\t/srv/www#1  \r\n"
        "user nobody#not-a-comment\r\n"
        "group staff\t#a comment\r\n"
        "index a.html\t\r\n"
        "keylog_file /tmp/k\r\n"
        "log_level debug";           /* last line without a newline */

    ck_assert_msg(parse(text) == 0, "%s", error);
    ck_assert_uint_eq(config.workers, 8);
    ck_assert_str_eq(config.document_root, "/srv/www#1");
    ck_assert_str_eq(config.user, "nobody#not-a-comment");
    ck_assert_str_eq(config.group, "staff");
    ck_assert_str_eq(config.index, "a.html");
    ck_assert_str_eq(config.keylog_file, "/tmp/k");
    ck_assert_int_eq(config.log_level, LOG_LEVEL_DEBUG);
}
END_TEST

START_TEST(test_crlf_line_numbers)
{
    ck_assert_int_eq(parse("# one\r\nworkers 1\r\n\r\nworkers x\r\n"), -1);
    ck_assert_str_eq(error, "x.conf:4: workers must be auto or a number from 1 to 256, not 'x'");
}
END_TEST

START_TEST(test_nul_byte)
{
    static const char text[] = "workers 4\nindex a\0b.html\nworkers 5\n";

    ck_assert_int_eq(parse_bytes(text, sizeof text - 1), -1);
    ck_assert_str_eq(error, "x.conf:2: line contains a NUL byte");
    ck_assert_uint_eq(config.workers, 4);
    ck_assert_str_eq(config.index, "index.html");

    /* A NUL byte in a comment is just as wrong: the file is not text. */
    static const char comment[] = "\n\n# \0\n";
    ck_assert_int_eq(parse_bytes(comment, sizeof comment - 1), -1);
    ck_assert_str_eq(error, "x.conf:3: line contains a NUL byte");
}
END_TEST

START_TEST(test_control_character)
{
    ck_assert_int_eq(parse("workers 4\nuser a\033[31mb\n"), -1);
    ck_assert_str_eq(error, "x.conf:2: line contains the control character 0x1b");
    ck_assert_int_eq(parse("user a\rb\n"), -1);
    assert_error("x.conf:1: ", "control character 0x0d");
}
END_TEST

START_TEST(test_long_lines)
{
    char *text = malloc(4 + 4097 + 64);
    ck_assert_ptr_nonnull(text);

    /* Exactly 4096 bytes (not counting CRLF) is allowed... */
    strcpy(text, "\n# ");
    memset(text + 3, 'a', 4094);
    strcpy(text + 3 + 4094, "\r\nworkers 7\n");
    ck_assert_msg(parse(text) == 0, "%s", error);
    ck_assert_uint_eq(config.workers, 7);

    /* ...one more is not. */
    strcpy(text, "\n# ");
    memset(text + 3, 'a', 4095);
    strcpy(text + 3 + 4095, "\nworkers 7\n");
    ck_assert_int_eq(parse(text), -1);
    ck_assert_str_eq(error, "x.conf:2: line is longer than 4096 bytes");

    /* A long value is stored whole. */
    strcpy(text, "document_root /");
    memset(text + 15, 'd', 4096 - 15);
    text[4096] = '\0';
    ck_assert_msg(parse(text) == 0, "%s", error);
    ck_assert_uint_eq(strlen(config.document_root), 4096 - 14);
    free(text);
}
END_TEST

/* --------------------------------------------------------------- listen */

START_TEST(test_listen_forms)
{
    struct listen_address address;

    ck_assert_int_eq(config_parse_listen("1.2.3.4:443", &address, error, sizeof error), 0);
    assert_ipv4(&address, "1.2.3.4", 443);
    ck_assert_str_eq(address.text, "1.2.3.4:443");

    ck_assert_int_eq(config_parse_listen("[::1]:8443", &address, error, sizeof error), 0);
    assert_ipv6(&address, "::1", 8443);
    ck_assert_str_eq(address.text, "[::1]:8443");

    ck_assert_int_eq(config_parse_listen("[::]:443", &address, error, sizeof error), 0);
    assert_ipv6(&address, "::", 443);

    ck_assert_int_eq(config_parse_listen("[2001:db8::17]:65535", &address, error, sizeof error), 0);
    assert_ipv6(&address, "2001:db8::17", 65535);

    ck_assert_int_eq(config_parse_listen("*:8443", &address, error, sizeof error), 0);
    assert_ipv4(&address, "0.0.0.0", 8443);
    ck_assert_str_eq(address.text, "*:8443");

    ck_assert_int_eq(config_parse_listen("8443", &address, error, sizeof error), 0);
    assert_ipv4(&address, "0.0.0.0", 8443);
    ck_assert_str_eq(address.text, "8443");

    ck_assert_int_eq(config_parse_listen("127.0.0.1:0", &address, error, sizeof error), 0);
    assert_ipv4(&address, "127.0.0.1", 0);

    ck_assert_int_eq(config_parse_listen("0", &address, error, sizeof error), 0);
    assert_ipv4(&address, "0.0.0.0", 0);
}
END_TEST

static const struct bad_listen {
    const char *text;
    const char *message;
} bad_listens[] = {
    { "", "listen: empty address" },
    { "1.2.3.4:65536", "listen: port must be 0 to 65535, not '65536'" },
    { "1.2.3.4:99999999999999999999", "listen: port must be 0 to 65535, not '99999999999999999999'" },
    { "1.2.3.4:", "listen: port must be 0 to 65535, not ''" },
    { "1.2.3.4:-1", "listen: port must be 0 to 65535, not '-1'" },
    { "1.2.3.4:http", "listen: port must be 0 to 65535, not 'http'" },
    { "1.2.3.4: 80", "listen: port must be 0 to 65535, not ''" },
    { "1.2.3.4:443 proxy", "listen 1.2.3.4:443: unknown option 'proxy' (the one option is proxy_protocol)" },
    { "1.2.3.4:443 proxy_protocol,", "listen 1.2.3.4:443: unknown option 'proxy_protocol,' (the one option is proxy_protocol)" },
    { "65536", "listen: port must be 0 to 65535, not '65536'" },
    { "[::1]:70000", "listen: port must be 0 to 65535, not '70000'" },
    { "[::1", "listen: '[::1' is missing ']'" },
    { "[::1]", "listen: '[::1]' is missing ':PORT'" },
    { "[::1]8443", "listen: '[::1]8443' has junk after ']' (expected ':PORT')" },
    { "[localhost]:443", "listen: 'localhost' is not a numeric IPv6 address" },
    { "[1.2.3.4]:443", "listen: '1.2.3.4' is not a numeric IPv6 address" },
    { "localhost:443", "listen: 'localhost' is not a numeric IPv4 address (host names are not looked up)" },
    { "example.com:443", "listen: 'example.com' is not a numeric IPv4 address (host names are not looked up)" },
    { "1.2.3:443", "listen: '1.2.3' is not a numeric IPv4 address (host names are not looked up)" },
    { "localhost", "listen: 'localhost' is not PORT, ADDR:PORT or [IPV6]:PORT" },
    { "1.2.3.4", "listen: '1.2.3.4' is missing ':PORT'" },
    { "::1:443", "listen: IPv6 addresses go in brackets, as in '[::1]:8443', not '::1:443'" },
    { ":443", "listen: ':443' has no address before ':' (use '*:PORT')" },
    { "[0000:0000:0000:0000:0000:0000:0000:0001]:0000000000000000000008443",
      "listen: '[0000:0000:0000:0000:0000:0000:0000:0001...' is too long (at most 63 characters)" },
};

START_TEST(test_listen_bad)
{
    const struct bad_listen *bad = &bad_listens[_i];
    struct listen_address address;

    memset(&address, 0x5a, sizeof address);
    ck_assert_int_eq(config_parse_listen(bad->text, &address, error, sizeof error), -1);
    ck_assert_str_eq(error, bad->message);
    /* The output is only written on success. */
    ck_assert_uint_eq((unsigned char)address.text[0], 0x5a);
}
END_TEST

START_TEST(test_listen_text_limit)
{
    struct listen_address address;
    /* 63 characters fit in text[64]. */
    const char *fits = "[0000:0000:0000:0000:0000:0000:0000:0001]:000000000000000008443";

    ck_assert_uint_eq(strlen(fits), 63);
    ck_assert_msg(config_parse_listen(fits, &address, error, sizeof error) == 0, "%s", error);
    assert_ipv6(&address, "::1", 8443);
    ck_assert_str_eq(address.text, fits);
}
END_TEST

START_TEST(test_listen_repeated)
{
    char text[4096] = "";
    size_t used = 0;

    for (int i = 0; i < CONFIG_MAX_LISTEN; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "listen 127.0.0.1:%d\n", 9000 + i);
    ck_assert_msg(parse(text) == 0, "%s", error);
    ck_assert_uint_eq(config.listen_count, CONFIG_MAX_LISTEN);
    for (int i = 0; i < CONFIG_MAX_LISTEN; i++)
        assert_ipv4(&config.listen[i], "127.0.0.1", (unsigned)(9000 + i));

    config_free(&config);
    config_init(&config);
    snprintf(text + used, sizeof text - used, "listen 127.0.0.1:9999\n");
    ck_assert_int_eq(parse(text), -1);
    ck_assert_str_eq(error, "x.conf:17: listen: too many addresses (at most 16)");
    ck_assert_uint_eq(config.listen_count, CONFIG_MAX_LISTEN);
}
END_TEST

START_TEST(test_listen_duplicate)
{
    ck_assert_int_eq(parse("listen 127.0.0.1:0\nlisten 127.0.0.1:0\nlisten [::1]:443\n"
                           "listen 0.0.0.0:443\n"), 0);
    ck_assert_uint_eq(config.listen_count, 4);
    ck_assert_int_eq(parse("listen [::0]:443\nlisten [::]:443\n"), -1);
    ck_assert_str_eq(error, "x.conf:2: listen: '[::]:443' is already listed as '[::0]:443'");
    ck_assert_int_eq(parse("listen *:443\n"), -1);
    ck_assert_str_eq(error, "x.conf:1: listen: '*:443' is already listed as '0.0.0.0:443'");
}
END_TEST

/* --------------------------------------------------------------- finish */

START_TEST(test_finish_default_listen)
{
    ck_assert_int_eq(config_finish(&config, error, sizeof error), 0);
    ck_assert_uint_eq(config.listen_count, 1);
    ck_assert_str_eq(config.listen[0].text, "0.0.0.0:8443");
    assert_ipv4(&config.listen[0], "0.0.0.0", 8443);
}
END_TEST

START_TEST(test_finish_keeps_listen)
{
    ck_assert_int_eq(parse("listen [::1]:9443\n"), 0);
    ck_assert_int_eq(config_finish(&config, error, sizeof error), 0);
    ck_assert_uint_eq(config.listen_count, 1);
    assert_ipv6(&config.listen[0], "::1", 9443);
}
END_TEST

START_TEST(test_finish_tls_versions)
{
    ck_assert_int_eq(parse("min_tls_version 1.3\nmax_tls_version 1.2\n"), 0);
    ck_assert_int_eq(config_finish(&config, error, sizeof error), -1);
    ck_assert_str_eq(error, "min_tls_version 1.3 is higher than max_tls_version 1.2");

    ck_assert_int_eq(parse("max_tls_version 1.3\n"), 0);
    ck_assert_msg(config_finish(&config, error, sizeof error) == 0, "%s", error);

    /* min 1.3 with no max: the build decides whether it can offer 1.3. */
    config_free(&config);
    config_init(&config);
    ck_assert_int_eq(parse("min_tls_version 1.3\n"), 0);
    ck_assert_msg(config_finish(&config, error, sizeof error) == 0, "%s", error);
}
END_TEST

START_TEST(test_proxy_settings)
{
    ck_assert_int_eq(config.proxy_protocol_timeout, 5);
    ck_assert_ptr_null(config.ticket_key_file);
    ck_assert_msg(parse("listen 127.0.0.1:8443 proxy_protocol\nlisten [::1]:8444\t proxy_protocol \n"
                        "listen 127.0.0.1:8445\n"
                        "proxy_from 10.0.0.0/8, 192.0.2.7  ::1\nproxy_from fd00::/8\n"
                        "proxy_protocol_timeout 30\nticket_key_file /etc/tlsd/ticket.keys\n") == 0, "%s", error);
    ck_assert_uint_eq(config.listen_count, 3);
    ck_assert(config.listen[0].proxy_protocol);
    ck_assert_str_eq(config.listen[0].text, "127.0.0.1:8443");
    ck_assert(config.listen[1].proxy_protocol);
    assert_ipv6(&config.listen[1], "::1", 8444);
    ck_assert(!config.listen[2].proxy_protocol);
    ck_assert_uint_eq(config.proxy_from_count, 4);
    char text[64];
    network_format(&config.proxy_from[0], text, sizeof text);
    ck_assert_str_eq(text, "10.0.0.0/8");
    network_format(&config.proxy_from[1], text, sizeof text);
    ck_assert_str_eq(text, "192.0.2.7/32");
    network_format(&config.proxy_from[2], text, sizeof text);
    ck_assert_str_eq(text, "::1/128");
    network_format(&config.proxy_from[3], text, sizeof text);
    ck_assert_str_eq(text, "fd00::/8");
    ck_assert_uint_eq(config.proxy_protocol_timeout, 30);
    ck_assert_str_eq(config.ticket_key_file, "/etc/tlsd/ticket.keys");
    ck_assert_msg(config_finish(&config, error, sizeof error) == 0, "%s", error);
    ck_assert_int_eq(parse("ticket_key_file off\n"), 0);
    ck_assert_ptr_null(config.ticket_key_file);
}
END_TEST

/* A listener that trusts PROXY headers from anyone lets any client claim
 * any address: refused until proxy_from says who may send them. */
START_TEST(test_finish_proxy_needs_proxy_from)
{
    ck_assert_int_eq(parse("listen 127.0.0.1:8443 proxy_protocol\n"), 0);
    ck_assert_int_eq(config_finish(&config, error, sizeof error), -1);
    ck_assert_str_eq(error, "listen 127.0.0.1:8443 proxy_protocol: set proxy_from to the addresses of the load "
                     "balancers allowed to send PROXY headers (e.g. proxy_from 10.0.0.0/8)");
    ck_assert_int_eq(parse("proxy_from 127.0.0.1\n"), 0);
    ck_assert_msg(config_finish(&config, error, sizeof error) == 0, "%s", error);
}
END_TEST

START_TEST(test_networks_contain)
{
    struct network network;
    struct sockaddr_in in4 = { .sin_family = AF_INET };
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
    ck_assert_int_eq(network_parse("10.1.0.0/16", &network, error, sizeof error), 0);
    inet_pton(AF_INET, "10.1.255.9", &in4.sin_addr);
    ck_assert(network_contains(&network, (struct sockaddr *)&in4));
    inet_pton(AF_INET, "10.2.0.1", &in4.sin_addr);
    ck_assert(!network_contains(&network, (struct sockaddr *)&in4));
    inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr);   /* IPv4-mapped counts as IPv4 */
    ck_assert(network_contains(&network, (struct sockaddr *)&in6));
    inet_pton(AF_INET6, "::a01:203", &in6.sin6_addr);         /* but not IPv4-compatible */
    ck_assert(!network_contains(&network, (struct sockaddr *)&in6));
    ck_assert_int_eq(network_parse("10.1.2.3/31", &network, error, sizeof error), -1);
    ck_assert_int_eq(network_parse("10.1.2.2/31", &network, error, sizeof error), 0);
    inet_pton(AF_INET, "10.1.2.3", &in4.sin_addr);
    ck_assert(network_contains(&network, (struct sockaddr *)&in4));
    inet_pton(AF_INET, "10.1.2.4", &in4.sin_addr);
    ck_assert(!network_contains(&network, (struct sockaddr *)&in4));
    ck_assert_int_eq(network_parse("0.0.0.0/0", &network, error, sizeof error), 0);
    ck_assert(network_contains(&network, (struct sockaddr *)&in4));
    ck_assert(!network_contains(&network, (struct sockaddr *)&in6)); /* ::a01:203 is not IPv4 */
    ck_assert_int_eq(network_parse("2001:db8:80::/41", &network, error, sizeof error), 0);
    inet_pton(AF_INET6, "2001:db8:ff::1", &in6.sin6_addr);
    ck_assert(network_contains(&network, (struct sockaddr *)&in6));
    inet_pton(AF_INET6, "2001:db8:7f::1", &in6.sin6_addr);
    ck_assert(!network_contains(&network, (struct sockaddr *)&in6));
    ck_assert_int_eq(network_parse("2001:db8:c0::/41", &network, error, sizeof error), -1);
    ck_assert_int_eq(network_parse("::1", &network, error, sizeof error), 0);
    inet_pton(AF_INET6, "::1", &in6.sin6_addr);
    ck_assert(network_contains(&network, (struct sockaddr *)&in6));
    struct sockaddr unknown = { .sa_family = AF_UNIX };
    ck_assert(!network_contains(&network, &unknown));
}
END_TEST

START_TEST(test_finish_fills_freed_paths)
{
    config_free(&config);
    ck_assert_int_eq(config_finish(&config, error, sizeof error), 0);
    ck_assert_str_eq(config.certificate, TLSD_SYSCONFDIR "/tlsd/server.crt");
    ck_assert_str_eq(config.private_key, TLSD_SYSCONFDIR "/tlsd/server.key");
    ck_assert_str_eq(config.document_root, TLSD_DATADIR "/www");
    ck_assert_str_eq(config.index, "index.html");
}
END_TEST

/* ----------------------------------------------------------------- files */

START_TEST(test_load_missing_file)
{
    char expected[256];

    ck_assert_int_eq(config_load_file(&config, "/nonexistent/tlsd/x.conf", error, sizeof error), -1);
    snprintf(expected, sizeof expected, "/nonexistent/tlsd/x.conf: %s", strerror(ENOENT));
    ck_assert_str_eq(error, expected);
    ck_assert_str_eq(error, "/nonexistent/tlsd/x.conf: No such file or directory");
    assert_defaults(&config);
}
END_TEST

START_TEST(test_load_directory)
{
    ck_assert_int_eq(config_load_file(&config, "/", error, sizeof error), -1);
    ck_assert_str_eq(error, "/: Is a directory");
}
END_TEST

START_TEST(test_load_temp_file)
{
    static const char good[] = "# test\nworkers 6\nlisten [::1]:8443\n";
    static const char bad[] = "# test\nworkers 6\nworkers six\n";
    char *path = write_temp_file(good, sizeof good - 1);
    char expected[4200];

    ck_assert_msg(config_load_file(&config, path, error, sizeof error) == 0, "%s", error);
    ck_assert_uint_eq(config.workers, 6);
    ck_assert_uint_eq(config.listen_count, 1);
    unlink(path);
    free(path);

    path = write_temp_file(bad, sizeof bad - 1);
    ck_assert_int_eq(config_load_file(&config, path, error, sizeof error), -1);
    snprintf(expected, sizeof expected,
             "%s:3: workers must be auto or a number from 1 to 256, not 'six'", path);
    ck_assert_str_eq(error, expected);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_load_empty_file)
{
    char *path = write_temp_file("", 0);

    ck_assert_msg(config_load_file(&config, path, error, sizeof error) == 0, "%s", error);
    assert_defaults(&config);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_load_large_file)
{
    size_t size = 1024 * 1024 + 1;
    char *text = malloc(size);
    char *path;
    char expected[4200];

    ck_assert_ptr_nonnull(text);
    /* 1 MiB of blank lines is fine; one byte more is not. */
    memset(text, '\n', size);
    path = write_temp_file(text, size - 1);
    ck_assert_msg(config_load_file(&config, path, error, sizeof error) == 0, "%s", error);
    unlink(path);
    free(path);

    path = write_temp_file(text, size);
    ck_assert_int_eq(config_load_file(&config, path, error, sizeof error), -1);
    snprintf(expected, sizeof expected, "%s: file is larger than 1048576 bytes", path);
    ck_assert_str_eq(error, expected);
    unlink(path);
    free(path);
    free(text);
}
END_TEST

/* The shipped conf/tlsd.conf: it parses, changes nothing, and every
 * example line ("#key value") is valid when uncommented. */
static char *example_conf_path(void)
{
    const char *srcdir = getenv("TESTS_SRCDIR");
    char *path = malloc(4096);

    ck_assert_ptr_nonnull(srcdir);
    ck_assert_ptr_nonnull(path);
    snprintf(path, 4096, "%s/../conf/tlsd.conf", srcdir);
    return path;
}

START_TEST(test_example_conf)
{
    char *path = example_conf_path();

    ck_assert_msg(config_load_file(&config, path, error, sizeof error) == 0, "%s", error);
    assert_defaults(&config);
    free(path);
}
END_TEST

START_TEST(test_example_conf_lines)
{
    char *path = example_conf_path();
    FILE *file = fopen(path, "r");
    char line[4200];
    unsigned line_number = 0, examples = 0;
    bool seen[64] = { false };
    static const char *const keys[] = {
        "listen", "certificate", "private_key", "document_root", "index", "workers",
        "user", "group", "handshake_timeout", "idle_timeout", "max_connections",
        "min_tls_version", "max_tls_version", "ciphersuites", "session_tickets",
        "session_cache_size", "keylog_file", "log_level", "log_format", "log_timestamps", "hsts",
        "proxy_from", "proxy_protocol_timeout", "ticket_key_file", "serve_dotfiles",
        "request_timeout", "session_timeout", "handshake_endpoint", "content_security_policy",
        "precompressed", "cache_control", "error_page", "handshake_capture",
    };
    size_t key_count = sizeof keys / sizeof keys[0];

    ck_assert_msg(file != NULL, "%s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, file) != NULL) {
        line_number++;
        if (line[0] != '#' || line[1] < 'a' || line[1] > 'z')
            continue;
        /* An example line: parse it uncommented, on its own. */
        struct tlsd_config example;
        char origin[4200];
        config_init(&example);
        snprintf(origin, sizeof origin, "%s:%u", path, line_number);
        int result = config_parse(&example, line + 1, strlen(line + 1), origin, error, sizeof error);
        /* the policy shown is the default one, word for word */
        bool policy = starts_with(line + 1, "content_security_policy ");
        bool is_default = result == 0 && example.content_security_policy != NULL &&
                          strcmp(example.content_security_policy, CONFIG_DEFAULT_CONTENT_SECURITY_POLICY) == 0;
        config_free(&example);
        ck_assert_msg(result == 0, "%s", error);
        ck_assert_msg(!policy || is_default, "%s: not the default content_security_policy", origin);
        examples++;
        for (size_t k = 0; k < key_count; k++) {
            size_t length = strlen(keys[k]);
            if (strncmp(line + 1, keys[k], length) == 0 && line[1 + length] == ' ')
                seen[k] = true;
        }
    }
    fclose(file);
    for (size_t k = 0; k < key_count; k++)
        ck_assert_msg(seen[k], "%s documents no example for '%s'", path, keys[k]);
    ck_assert_uint_ge(examples, key_count);
    free(path);
}
END_TEST

/* ----------------------------------------------------------------- main */

static Suite *config_suite(void)
{
    Suite *suite = suite_create("config");
    TCase *tc;

    tc = tcase_create("basics");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_empty_input);
    tcase_add_test(tc, test_log_level_names);
    tcase_add_test(tc, test_every_key);
    tcase_add_test(tc, test_good_values);
    tcase_add_test(tc, test_string_set_twice);
    tcase_add_test(tc, test_keylog_off);
    tcase_add_test(tc, test_config_set_origin);
    tcase_add_test(tc, test_free_twice);
    suite_add_tcase(suite, tc);

    tc = tcase_create("site");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_precompressed);
    tcase_add_test(tc, test_handshake_capture);
    tcase_add_test(tc, test_cache_control_classes);
    tcase_add_test(tc, test_header_values_checked);
    tcase_add_test(tc, test_error_page_lists);
    tcase_add_test(tc, test_error_page_bad_line_keeps);
    tcase_add_test(tc, test_error_page_limit);
    tcase_add_test(tc, test_error_page_line_limit);
    tcase_add_test(tc, test_error_page_path_length);
    suite_add_tcase(suite, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_bad_value, 0, (int)(sizeof bad_values / sizeof bad_values[0]));
    tcase_add_test(tc, test_unknown_key);
    tcase_add_test(tc, test_missing_value);
    suite_add_tcase(suite, tc);

    tc = tcase_create("syntax");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_comments_blank_crlf);
    tcase_add_test(tc, test_crlf_line_numbers);
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_control_character);
    tcase_add_test(tc, test_long_lines);
    suite_add_tcase(suite, tc);

    tc = tcase_create("listen");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_listen_forms);
    tcase_add_loop_test(tc, test_listen_bad, 0, (int)(sizeof bad_listens / sizeof bad_listens[0]));
    tcase_add_test(tc, test_listen_text_limit);
    tcase_add_test(tc, test_listen_repeated);
    tcase_add_test(tc, test_listen_duplicate);
    suite_add_tcase(suite, tc);

    tc = tcase_create("finish");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_finish_default_listen);
    tcase_add_test(tc, test_finish_keeps_listen);
    tcase_add_test(tc, test_finish_tls_versions);
    tcase_add_test(tc, test_finish_fills_freed_paths);
    tcase_add_test(tc, test_proxy_settings);
    tcase_add_test(tc, test_finish_proxy_needs_proxy_from);
    tcase_add_test(tc, test_networks_contain);
    suite_add_tcase(suite, tc);

    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_missing_file);
    tcase_add_test(tc, test_load_directory);
    tcase_add_test(tc, test_load_temp_file);
    tcase_add_test(tc, test_load_empty_file);
    tcase_add_test(tc, test_load_large_file);
    if (getenv("TESTS_SRCDIR") != NULL) {
        tcase_add_test(tc, test_example_conf);
        tcase_add_test(tc, test_example_conf_lines);
    } else {
        fprintf(stderr, "test_config: TESTS_SRCDIR is not set: "
                        "skipping the tests of conf/tlsd.conf\n");
    }
    suite_add_tcase(suite, tc);

    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(config_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_http.c: unit tests for the HTTP/1.x request parser and response
 * heads (src/http.c).
 *
 * Every parse goes through parse(), which hands the parser an exact-size
 * heap copy of the input: a read past `length` is then an ASan/valgrind
 * error, not a silent pass. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "http.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ samples */

/* curl 7.88.1 (Debian 12): curl -k https://localhost:8443/index.html */
static const char curl_head[] =
    "GET /index.html HTTP/1.1\r\n"
    "Host: localhost:8443\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "\r\n";

/* Chromium 131 on Linux, navigating to a URL with a query string. */
static const char chromium_head[] =
    "GET /docs/?lang=en&q=a%20b HTTP/1.1\r\n"
    "Host: localhost:8443\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: none\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "\r\n";

/* Firefox 133 fetching a stylesheet, revalidating. */
static const char firefox_head[] =
    "GET /style.css HTTP/1.1\r\n"
    "Host: localhost:8443\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\n"
    "Accept: text/css,*/*;q=0.1\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Connection: keep-alive\r\n"
    "Referer: https://localhost:8443/\r\n"
    "Cookie: theme=dark; name=J\xc3\xbcrgen\r\n"          /* obs-text (UTF-8) in a value */
    "Sec-Fetch-Dest: style\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "If-Modified-Since: Thu, 26 Nov 2026 22:00:00 GMT\r\n"
    "Priority: u=2\r\n"
    "\r\n";

/* wget-style HTTP/1.0 without keep-alive, bare LF line ends. */
static const char bare_lf_head[] =
    "GET /a.txt HTTP/1.0\n"
    "User-Agent: Wget/1.21.3\n"
    "Accept: */*\n"
    "\n";

/* ------------------------------------------------------------ helpers */

struct parsed {
    enum http_parse_result result;
    struct http_request req;
    size_t consumed;
    int status;
};

/* Move a pointer the parser returned into `copy` over to `orig`. */
static const char *rebase(const char *p, const char *copy, size_t n, const char *orig)
{
    if (p != NULL && p >= copy && p <= copy + n)
        return orig + (p - copy);
    return p;   /* NULL, or a static string such as the "/" of "https://host" */
}

static struct parsed parse_n(const char *s, size_t n)
{
    struct parsed out;
    char *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, s, n);
    memset(&out, 0xa5, sizeof out);   /* the parser must set every field */
    out.result = http_parse_request(copy, n, &out.req, &out.consumed, &out.status);
    out.req.method_text = rebase(out.req.method_text, copy, n, s);
    out.req.target = rebase(out.req.target, copy, n, s);
    out.req.path = rebase(out.req.path, copy, n, s);
    out.req.host = rebase(out.req.host, copy, n, s);
    struct http_field *fields[] = { &out.req.if_match, &out.req.if_none_match, &out.req.if_modified_since,
                                    &out.req.if_unmodified_since, &out.req.range, &out.req.if_range,
                                    &out.req.accept_encoding, &out.req.user_agent };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        fields[i]->value = rebase(fields[i]->value, copy, n, s);
    free(copy);
    return out;
}

static struct parsed parse(const char *s) { return parse_n(s, strlen(s)); }

#define ck_assert_span_eq(ptr, len, literal) do {                         \
        ck_assert_ptr_nonnull(ptr);                                       \
        ck_assert_uint_eq((len), strlen(literal));                        \
        ck_assert_mem_eq((ptr), (literal), strlen(literal));              \
    } while (0)

static void assert_error(const char *s, size_t n, int status)
{
    struct parsed p = parse_n(s, n);
    ck_assert_msg(p.result == HTTP_PARSE_ERROR && p.status == status,
                  "expected %d, got result %d status %d for \"%.*s\"",
                  status, (int)p.result, p.status, (int)(n > 200 ? 200 : n), s);
    ck_assert_uint_eq(p.consumed, 0);
}

static void assert_error_str(const char *s, int status) { assert_error(s, strlen(s), status); }

static struct parsed assert_complete_n(const char *s, size_t n)
{
    struct parsed p = parse_n(s, n);
    ck_assert_msg(p.result == HTTP_PARSE_COMPLETE,
                  "expected COMPLETE, got result %d status %d for \"%.*s\"",
                  (int)p.result, p.status, (int)(n > 200 ? 200 : n), s);
    ck_assert_int_eq(p.status, 0);
    return p;
}

static struct parsed assert_complete(const char *s)
{
    struct parsed p = assert_complete_n(s, strlen(s));
    ck_assert_uint_eq(p.consumed, strlen(s));
    return p;
}

/* A growable string for the big inputs. */
struct text { char *data; size_t length, capacity; };

static void text_add_n(struct text *t, const char *s, size_t n)
{
    if (t->length + n + 1 > t->capacity) {
        t->capacity = (t->length + n + 1) * 2;
        t->data = realloc(t->data, t->capacity);
        ck_assert_ptr_nonnull(t->data);
    }
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
}

static void text_add(struct text *t, const char *s) { text_add_n(t, s, strlen(s)); }

static void text_repeat(struct text *t, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text_add_n(t, &c, 1);
}

/* ------------------------------------------------------------ real clients */

START_TEST(test_curl)
{
    struct parsed p = assert_complete(curl_head);
    ck_assert_int_eq(p.req.method, HTTP_METHOD_GET);
    ck_assert_span_eq(p.req.method_text, p.req.method_length, "GET");
    ck_assert_span_eq(p.req.target, p.req.target_length, "/index.html");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/index.html");
    ck_assert_int_eq(p.req.version_minor, 1);
    ck_assert(p.req.keep_alive);
    ck_assert(!p.req.has_body);
    ck_assert_span_eq(p.req.host, p.req.host_length, "localhost:8443");
}
END_TEST

START_TEST(test_chromium)
{
    struct parsed p = assert_complete(chromium_head);
    ck_assert_int_eq(p.req.method, HTTP_METHOD_GET);
    ck_assert_span_eq(p.req.target, p.req.target_length, "/docs/?lang=en&q=a%20b");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/docs/");
    ck_assert(p.req.keep_alive);
    ck_assert(!p.req.has_body);
    ck_assert_span_eq(p.req.host, p.req.host_length, "localhost:8443");
}
END_TEST

START_TEST(test_firefox)
{
    struct parsed p = assert_complete(firefox_head);
    ck_assert_int_eq(p.req.method, HTTP_METHOD_GET);
    ck_assert_span_eq(p.req.path, p.req.path_length, "/style.css");
    ck_assert(p.req.keep_alive);
    ck_assert_span_eq(p.req.host, p.req.host_length, "localhost:8443");
}
END_TEST

START_TEST(test_bare_lf)
{
    struct parsed p = assert_complete(bare_lf_head);
    ck_assert_int_eq(p.req.version_minor, 0);
    ck_assert(!p.req.keep_alive);
    ck_assert_ptr_null(p.req.host);
    ck_assert_span_eq(p.req.path, p.req.path_length, "/a.txt");

    /* mixed line ends are fine too */
    assert_complete("GET / HTTP/1.1\nHost: a\r\nAccept: */*\n\r\n");
}
END_TEST

/* Every proper prefix of a valid head is INCOMPLETE, never an error. */
START_TEST(test_every_prefix_incomplete)
{
    static const char *const samples[] = {
        curl_head, chromium_head, firefox_head, bare_lf_head,
        "\r\n\r\nHEAD /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET https://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    };
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        size_t n = strlen(samples[s]);
        for (size_t k = 0; k < n; k++) {
            struct parsed p = parse_n(samples[s], k);
            ck_assert_msg(p.result == HTTP_PARSE_INCOMPLETE,
                          "sample %zu prefix %zu: result %d status %d", s, k,
                          (int)p.result, p.status);
            ck_assert_uint_eq(p.consumed, 0);
            ck_assert_int_eq(p.status, 0);
        }
        struct parsed p = assert_complete_n(samples[s], n);
        ck_assert_uint_eq(p.consumed, n);
    }
}
END_TEST

/* ------------------------------------------------------------ semantics */

START_TEST(test_head_method)
{
    struct parsed p = assert_complete("HEAD /big.iso HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert_int_eq(p.req.method, HTTP_METHOD_HEAD);
    ck_assert_span_eq(p.req.method_text, p.req.method_length, "HEAD");
}
END_TEST

START_TEST(test_http10_keep_alive)
{
    struct parsed p = assert_complete("GET / HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(p.req.version_minor, 0);
    ck_assert(!p.req.keep_alive);
    ck_assert_ptr_null(p.req.host);   /* no Host needed in 1.0 */

    p = assert_complete("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ck_assert(p.req.keep_alive);
    p = assert_complete("GET / HTTP/1.0\r\nconnection: Keep-Alive\r\nHost: h\r\n\r\n");
    ck_assert(p.req.keep_alive);
    ck_assert_span_eq(p.req.host, p.req.host_length, "h");
}
END_TEST

START_TEST(test_connection_close)
{
    struct parsed p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    ck_assert(!p.req.keep_alive);
    p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\nCONNECTION:Upgrade, CLOSE \r\n\r\n");
    ck_assert(!p.req.keep_alive);
    /* close wins over keep-alive, also across two header lines */
    p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n"
                        "Connection: ,close,\r\n\r\n");
    ck_assert(!p.req.keep_alive);
    p = assert_complete("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n");
    ck_assert(!p.req.keep_alive);
    /* tokens, not substrings */
    p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed, x-close\r\n\r\n");
    ck_assert(p.req.keep_alive);
    p = assert_complete("GET / HTTP/1.0\r\nConnection: keep-alive-ish\r\n\r\n");
    ck_assert(!p.req.keep_alive);
}
END_TEST

START_TEST(test_pipelined)
{
    static const char two[] =
        "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
        "HEAD /two HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        "GET /thr";
    size_t first = strlen("GET /one HTTP/1.1\r\nHost: h\r\n\r\n");
    size_t second = strlen("HEAD /two HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

    struct parsed p = assert_complete_n(two, strlen(two));
    ck_assert_uint_eq(p.consumed, first);
    ck_assert_span_eq(p.req.path, p.req.path_length, "/one");
    ck_assert(p.req.keep_alive);

    p = assert_complete_n(two + first, strlen(two) - first);
    ck_assert_uint_eq(p.consumed, second);
    ck_assert_int_eq(p.req.method, HTTP_METHOD_HEAD);
    ck_assert_span_eq(p.req.path, p.req.path_length, "/two");
    ck_assert(!p.req.keep_alive);

    p = parse(two + first + second);
    ck_assert_int_eq(p.result, HTTP_PARSE_INCOMPLETE);
}
END_TEST

START_TEST(test_leading_empty_lines)
{
    struct parsed p = assert_complete("\r\n\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/x");
    ck_assert_int_eq(parse("\r\n\r\n").result, HTTP_PARSE_INCOMPLETE);
    ck_assert_int_eq(parse("\r").result, HTTP_PARSE_INCOMPLETE);
    assert_error_str("\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}
END_TEST

START_TEST(test_missing_host)
{
    assert_error_str("GET / HTTP/1.1\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400);      /* duplicate */
    assert_error_str("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);                /* invalid */
    assert_error_str("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400);
    struct parsed p = assert_complete("GET / HTTP/1.1\r\nhOsT:  [::1]:8443 \t\r\n\r\n");
    ck_assert_span_eq(p.req.host, p.req.host_length, "[::1]:8443");
    p = assert_complete("GET / HTTP/1.1\r\nHost:\r\n\r\n");   /* empty is allowed */
    ck_assert_ptr_nonnull(p.req.host);
    ck_assert_uint_eq(p.req.host_length, 0);
}
END_TEST

START_TEST(test_versions)
{
    assert_error_str("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505);
    assert_error_str("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505);
    assert_error_str("GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505);
    assert_error_str("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505);   /* the h2 preface */
    /* 505 is known as soon as the request line is */
    assert_error_str("GET / HTTP/3.0\r\n", 505);

    static const char *const malformed[] = {
        "GET / HTTP/1\r\n\r\n", "GET / HTTP/1.\r\n\r\n", "GET / HTTP/11\r\n\r\n",
        "GET / HTTP/10.0\r\n\r\n", "GET / HTTP/1.10\r\n\r\n", "GET / http/1.1\r\n\r\n",
        "GET / HTTPS/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n", "GET / HTTP/1.1x\r\n\r\n",
        "GET / HTTP/a.1\r\n\r\n", "GET / HTTP/1.1\r\r\n\r\n", "GET /\r\n\r\n",
        "GET / \r\n\r\n", "GET\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        assert_error_str(malformed[i], 400);
}
END_TEST

START_TEST(test_other_methods)
{
    struct parsed p = assert_complete("POST /form HTTP/1.1\r\nHost: h\r\n"
                                      "Content-Type: application/x-www-form-urlencoded\r\n"
                                      "Content-Length: 7\r\n\r\n");
    ck_assert_int_eq(p.req.method, HTTP_METHOD_OTHER);
    ck_assert_span_eq(p.req.method_text, p.req.method_length, "POST");
    ck_assert(p.req.has_body);

    /* Methods are case-sensitive (RFC 9110 9.1): "get" is a valid token but
     * not GET, so it parses as OTHER and the caller answers 405. */
    p = assert_complete("get / HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_int_eq(p.req.method, HTTP_METHOD_OTHER);
    p = assert_complete("Head / HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_int_eq(p.req.method, HTTP_METHOD_OTHER);
    p = assert_complete("GETS / HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_int_eq(p.req.method, HTTP_METHOD_OTHER);

    /* asterisk-form: only for methods other than GET/HEAD */
    p = assert_complete("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_int_eq(p.req.method, HTTP_METHOD_OTHER);
    ck_assert_span_eq(p.req.path, p.req.path_length, "*");
    assert_error_str("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("HEAD * HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET ** HTTP/1.1\r\nHost: h\r\n\r\n", 400);

    /* method must be a token */
    assert_error_str("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("G\"T / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}
END_TEST

START_TEST(test_request_line_spacing)
{
    static const char *const bad[] = {
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /  HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /\tHTTP/1.1\r\nHost: h\r\n\r\n",
        " / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET x HTTP/1.1\r\nHost: h\r\n\r\n",          /* not origin-form */
        "GET ?x HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_error_str(bad[i], 400);
}
END_TEST

START_TEST(test_obs_fold)
{
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  continued\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\tcontinued\r\n\r\n", 400);
    /* whitespace before the first field line (RFC 9112 2.2) */
    assert_error_str("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400);
}
END_TEST

START_TEST(test_field_syntax)
{
    assert_error_str("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\n: empty-name\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX(A): 1\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX\xc3\xa4: 1\r\n\r\n", 400);

    struct parsed p = assert_complete("GET / HTTP/1.1\r\nHost:h\r\nX-Empty:\r\n"
                                      "X-Tab:\tv\t1\t\r\nX-Obs: \x80\xff\r\n\r\n");
    ck_assert_span_eq(p.req.host, p.req.host_length, "h");
}
END_TEST

START_TEST(test_nul_bytes)
{
#define WITH_LENGTH(literal) { literal, sizeof literal - 1 }   /* strlen stops at the NUL */
    static const struct { const char *s; size_t n; } cases[] = {
        WITH_LENGTH("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n"),
        WITH_LENGTH("GET / HTTP/1.1\r\nHost: h\r\nX-\0A: 1\r\n\r\n"),
        WITH_LENGTH("GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n"),
        WITH_LENGTH("G\0T / HTTP/1.1\r\nHost: h\r\n\r\n"),
        WITH_LENGTH("GET / HTTP/1.1\0\r\nHost: h\r\n\r\n"),
        WITH_LENGTH("\0GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        WITH_LENGTH("GET / HTTP/1.1\r\nHost: h\r\n\0\r\n\r\n"),
        WITH_LENGTH("GET / HTTP/1.1\r\nHost: h\0\r\n\r\n"),
    };
#undef WITH_LENGTH
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_error(cases[i].s, cases[i].n, 400);
}
END_TEST

START_TEST(test_control_bytes)
{
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01z\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7fz\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x1b[31mz\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rz\r\n\r\n", 400);     /* bare CR */
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nX-A: az\r\r\n\r\n", 400);
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", 400);
    assert_error_str("GET /\x1b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET /\xc3\xa4 HTTP/1.1\r\nHost: h\r\n\r\n", 400);   /* raw UTF-8 target */
    assert_error_str("GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n", 400);
}
END_TEST

/* ------------------------------------------------------------ limits */

static void build_target_request(struct text *t, size_t target_length, bool complete)
{
    text_add(t, "GET /");
    text_repeat(t, 'a', target_length - 1);
    if (complete)
        text_add(t, " HTTP/1.1\r\nHost: h\r\n\r\n");
}

START_TEST(test_414_boundary)
{
    struct text t = { 0 };
    build_target_request(&t, HTTP_MAX_TARGET_BYTES, true);
    struct parsed p = assert_complete_n(t.data, t.length);
    ck_assert_uint_eq(p.req.target_length, HTTP_MAX_TARGET_BYTES);
    ck_assert_uint_eq(p.req.path_length, HTTP_MAX_TARGET_BYTES);
    free(t.data);

    t = (struct text){ 0 };
    build_target_request(&t, HTTP_MAX_TARGET_BYTES + 1, true);
    assert_error(t.data, t.length, 414);
    free(t.data);

    /* still incomplete, but already too long: 414 now */
    t = (struct text){ 0 };
    build_target_request(&t, HTTP_MAX_TARGET_BYTES + 1, false);
    assert_error(t.data, t.length, 414);
    free(t.data);

    /* exactly at the limit and incomplete: wait */
    t = (struct text){ 0 };
    build_target_request(&t, HTTP_MAX_TARGET_BYTES, false);
    ck_assert_int_eq(parse_n(t.data, t.length).result, HTTP_PARSE_INCOMPLETE);
    free(t.data);

    /* the query counts: it is part of the request-target */
    t = (struct text){ 0 };
    text_add(&t, "GET /?");
    text_repeat(&t, 'q', HTTP_MAX_TARGET_BYTES - 1);
    text_add(&t, " HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_error(t.data, t.length, 414);
    free(t.data);
}
END_TEST

START_TEST(test_431_huge_header)
{
    struct text t = { 0 };
    text_add(&t, "GET / HTTP/1.1\r\nHost: h\r\nCookie: ");
    text_repeat(&t, 'c', 10000);
    text_add(&t, "\r\n\r\n");
    assert_error(t.data, t.length, 431);
    free(t.data);
}
END_TEST

START_TEST(test_431_head_size_boundary)
{
    static const char start[] = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ";
    static const char end[] = "\r\n\r\n";
    size_t fixed = strlen(start) + strlen(end);

    /* a head of exactly HTTP_MAX_HEADER_BYTES, with more bytes behind it */
    struct text t = { 0 };
    text_add(&t, start);
    text_repeat(&t, 'p', HTTP_MAX_HEADER_BYTES - fixed);
    text_add(&t, end);
    ck_assert_uint_eq(t.length, HTTP_MAX_HEADER_BYTES);
    text_add(&t, "GET /next HTTP/1.1\r\n");
    struct parsed p = assert_complete_n(t.data, t.length);
    ck_assert_uint_eq(p.consumed, HTTP_MAX_HEADER_BYTES);
    free(t.data);

    /* one byte more */
    t = (struct text){ 0 };
    text_add(&t, start);
    text_repeat(&t, 'p', HTTP_MAX_HEADER_BYTES - fixed + 1);
    text_add(&t, end);
    assert_error(t.data, t.length, 431);
    /* ... and its prefixes: INCOMPLETE below the limit, 431 from it on */
    ck_assert_int_eq(parse_n(t.data, HTTP_MAX_HEADER_BYTES - 1).result, HTTP_PARSE_INCOMPLETE);
    assert_error(t.data, HTTP_MAX_HEADER_BYTES, 431);
    assert_error(t.data, HTTP_MAX_HEADER_BYTES + 1, 431);
    free(t.data);
}
END_TEST

START_TEST(test_431_incomplete)
{
    /* a client that never ends its head */
    struct text t = { 0 };
    text_add(&t, "GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ");
    text_repeat(&t, 'l', HTTP_MAX_HEADER_BYTES + 100);
    ck_assert_int_eq(parse_n(t.data, HTTP_MAX_HEADER_BYTES - 1).result, HTTP_PARSE_INCOMPLETE);
    assert_error(t.data, HTTP_MAX_HEADER_BYTES, 431);
    assert_error(t.data, t.length, 431);
    free(t.data);

    /* a request line that never ends (long method, no target yet) */
    t = (struct text){ 0 };
    text_repeat(&t, 'G', HTTP_MAX_HEADER_BYTES);
    assert_error(t.data, t.length, 431);
    free(t.data);

    /* empty lines forever */
    t = (struct text){ 0 };
    while (t.length < HTTP_MAX_HEADER_BYTES)
        text_add(&t, "\r\n");
    assert_error(t.data, t.length, 431);
    free(t.data);
}
END_TEST

START_TEST(test_431_too_many_headers)
{
    char line[64];
    struct text t = { 0 };
    text_add(&t, "GET / HTTP/1.1\r\nHost: h\r\n");
    for (int i = 1; i < 100; i++) {   /* Host + 99 = 100 field lines */
        snprintf(line, sizeof line, "X-H%d: %d\r\n", i, i);
        text_add(&t, line);
    }
    size_t at_limit = t.length;
    text_add(&t, "\r\n");
    assert_complete_n(t.data, t.length);

    t.length = at_limit;
    text_add(&t, "X-One-More: 1\r\n\r\n");
    assert_error(t.data, t.length, 431);
    free(t.data);
}
END_TEST

/* ------------------------------------------------------------ bodies */

START_TEST(test_content_length)
{
    struct parsed p = assert_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    ck_assert(!p.req.has_body);
    p = assert_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n"
                        "content-length: 12\r\n\r\n");
    ck_assert(p.req.has_body);
    p = assert_complete("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551615\r\n\r\n");
    ck_assert(p.req.has_body);

    static const char *const bad[] = {
        "Content-Length: 12\r\nContent-Length: 13\r\n",
        "Content-Length: 12\r\nContent-Length: 0\r\n",
        "Content-Length: -1\r\n", "Content-Length: +5\r\n", "Content-Length: 5 5\r\n",
        "Content-Length: 5, 5\r\n", "Content-Length:\r\n", "Content-Length: 0x10\r\n",
        "Content-Length: 18446744073709551616\r\n", "Content-Length: 99999999999999999999999\r\n",
    };
    char buf[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(buf, sizeof buf, "POST / HTTP/1.1\r\nHost: h\r\n%s\r\n", bad[i]);
        assert_error_str(buf, 400);
    }
}
END_TEST

START_TEST(test_transfer_encoding)
{
    struct parsed p = assert_complete("POST / HTTP/1.1\r\nHost: h\r\n"
                                      "Transfer-Encoding: chunked\r\n\r\n");
    ck_assert(p.req.has_body);
    p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: gzip, chunked\r\n\r\n");
    ck_assert(p.req.has_body);
    /* both: the request-smuggling shape, refused */
    assert_error_str("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n", 400);
    assert_error_str("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                     "Content-Length: 0\r\n\r\n", 400);
}
END_TEST

/* ------------------------------------------------------------ targets */

START_TEST(test_query_and_fragment)
{
    struct parsed p = assert_complete("GET /a/b.html?x=1&y=%2F HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/a/b.html");
    ck_assert_span_eq(p.req.target, p.req.target_length, "/a/b.html?x=1&y=%2F");
    p = assert_complete("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/a");
    p = assert_complete("GET /?q HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/");
    p = assert_complete("GET /%7Euser/a%20b HTTP/1.1\r\nHost: h\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/%7Euser/a%20b");   /* still encoded */
}
END_TEST

START_TEST(test_absolute_form)
{
    struct parsed p = assert_complete("GET https://example.com:8443/a/b?c HTTP/1.1\r\n"
                                      "Host: other.example\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/a/b");
    ck_assert_span_eq(p.req.target, p.req.target_length, "https://example.com:8443/a/b?c");
    /* RFC 9112 3.2.2: the authority in the target wins over Host */
    ck_assert_span_eq(p.req.host, p.req.host_length, "example.com:8443");

    p = assert_complete("GET HTTP://Example.COM HTTP/1.1\r\nHost: example.com\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/");
    p = assert_complete("GET http://h?x HTTP/1.0\r\n\r\n");
    ck_assert_span_eq(p.req.path, p.req.path_length, "/");
    ck_assert_span_eq(p.req.host, p.req.host_length, "h");

    assert_error_str("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET https:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET https:/x HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET https: HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET https://user@h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    assert_error_str("GET h:443 HTTP/1.1\r\nHost: h\r\n\r\n", 400);   /* authority-form */
    /* Host is still required in 1.1 */
    assert_error_str("GET https://h/x HTTP/1.1\r\n\r\n", 400);
}
END_TEST

START_TEST(test_null_outputs_and_empty)
{
    struct http_request req;
    ck_assert_int_eq(http_parse_request("", 0, &req, NULL, NULL), HTTP_PARSE_INCOMPLETE);
    ck_assert_int_eq(http_parse_request(curl_head, strlen(curl_head), &req, NULL, NULL),
                     HTTP_PARSE_COMPLETE);
    ck_assert_int_eq(http_parse_request("GET / HTTP/9.9\r\n", 16, &req, NULL, NULL),
                     HTTP_PARSE_ERROR);
}
END_TEST

/* Random damage to valid heads: no crash, no read past the end (ASan,
 * valgrind), and every answer within the contract. */
START_TEST(test_mutations)
{
    static const char *const samples[] = { curl_head, chromium_head, firefox_head, bare_lf_head };
    static const char specials[] = { '\0', '\r', '\n', ' ', '\t', ':', '/', '%', '\x7f', '\xff' };
    char buf[2048];
    unsigned long long state = 0x2545F4914F6CDD1DULL;
    for (int round = 0; round < 20000; round++) {
        const char *s = samples[round % 4];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        int edits = 1 + (int)(state % 4);
        for (int e = 0; e < edits; e++) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            size_t at = (size_t)(state % n);
            buf[at] = (state >> 32) & 1 ? (char)(state >> 40) : specials[(state >> 40) % sizeof specials];
        }
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        size_t len = (state >> 20) % 8 == 0 ? (size_t)(state % (n + 1)) : n;
        struct parsed p = parse_n(buf, len);
        switch (p.result) {
        case HTTP_PARSE_COMPLETE:
            ck_assert_uint_gt(p.consumed, 0);
            ck_assert_uint_le(p.consumed, len);
            ck_assert_int_eq(p.status, 0);
            ck_assert_uint_ge(p.req.method_length, 1);
            ck_assert_uint_ge(p.req.path_length, 1);
            ck_assert_uint_le(p.req.path_length, p.req.target_length);
            ck_assert_int_ge(p.req.version_minor, 0);
            ck_assert_int_le(p.req.version_minor, 1);
            /* the same head alone parses the same */
            ck_assert_uint_eq(parse_n(buf, p.consumed).consumed, p.consumed);
            break;
        case HTTP_PARSE_INCOMPLETE:
            ck_assert_uint_eq(p.consumed, 0);
            ck_assert_int_eq(p.status, 0);
            break;
        case HTTP_PARSE_ERROR:
            ck_assert_msg(p.status == 400 || p.status == 414 || p.status == 431 || p.status == 505,
                          "status %d", p.status);
            break;
        default:
            ck_abort_msg("result %d", (int)p.result);
        }
    }
}
END_TEST

/* ------------------------------------------------------------ responses */

START_TEST(test_format_head)
{
    char out[512];
    size_t n = http_format_head(out, sizeof out, 200, "text/html; charset=utf-8", 123, true,
                                NULL, 1795734000LL);
    static const char expected[] =
        "HTTP/1.1 200 OK\r\n"
        "Server: tlsd\r\n"
        "Date: Thu, 26 Nov 2026 23:00:00 GMT\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Length: 123\r\n"
        "Connection: keep-alive\r\n"
        "\r\n";
    ck_assert_uint_eq(n, strlen(expected));
    ck_assert_str_eq(out, expected);

    n = http_format_head(out, sizeof out, 301, NULL, 0, false,
                         "Location: /sub/\r\nStrict-Transport-Security: max-age=60\r\n", 0);
    static const char expected301[] =
        "HTTP/1.1 301 Moved Permanently\r\n"
        "Server: tlsd\r\n"
        "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
        "Content-Length: 0\r\n"
        "Connection: close\r\n"
        "Location: /sub/\r\n"
        "Strict-Transport-Security: max-age=60\r\n"
        "\r\n";
    ck_assert_uint_eq(n, strlen(expected301));
    ck_assert_str_eq(out, expected301);

    n = http_format_head(out, sizeof out, 200, "video/mp4", UINT64_MAX, true, NULL,
                         951782400LL);   /* a leap day */
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_nonnull(strstr(out, "Date: Tue, 29 Feb 2000 00:00:00 GMT\r\n"));
    ck_assert_ptr_nonnull(strstr(out, "Content-Length: 18446744073709551615\r\n"));

    ck_assert_uint_eq(http_format_head(out, sizeof out, 42, NULL, 0, true, NULL, 0), 0);
}
END_TEST

START_TEST(test_format_head_does_not_fit)
{
    char full[512], out[512];
    size_t n = http_format_head(full, sizeof full, 404, "text/html; charset=utf-8", 150, true,
                                "X-Extra: 1\r\n", 1795734000LL);
    ck_assert_uint_gt(n, 0);
    for (size_t size = 0; size < n; size++) {
        memset(out, 'Z', sizeof out);
        ck_assert_uint_eq(http_format_head(out, size, 404, "text/html; charset=utf-8", 150, true,
                                           "X-Extra: 1\r\n", 1795734000LL), 0);
        for (size_t i = size; i < sizeof out; i++)   /* nothing written past out_size */
            ck_assert_int_eq(out[i], 'Z');
    }
    /* exactly the head's size: fits (no room for a NUL, none written) */
    memset(out, 'Z', sizeof out);
    ck_assert_uint_eq(http_format_head(out, n, 404, "text/html; charset=utf-8", 150, true,
                                       "X-Extra: 1\r\n", 1795734000LL), n);
    ck_assert_mem_eq(out, full, n);
    ck_assert_int_eq(out[n], 'Z');
}
END_TEST

START_TEST(test_status_text)
{
    static const struct { int code; const char *text; } table[] = {
        { 200, "OK" }, { 301, "Moved Permanently" }, { 304, "Not Modified" },
        { 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
        { 405, "Method Not Allowed" }, { 408, "Request Timeout" },
        { 413, "Content Too Large" }, { 414, "URI Too Long" },
        { 431, "Request Header Fields Too Large" }, { 500, "Internal Server Error" },
        { 503, "Service Unavailable" }, { 505, "HTTP Version Not Supported" },
        { 299, "Unknown" }, { -1, "Unknown" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        ck_assert_str_eq(http_status_text(table[i].code), table[i].text);
}
END_TEST

START_TEST(test_error_body)
{
    char out[512];
    size_t n = http_error_body(out, sizeof out, 404);
    static const char expected[] =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>404 Not Found</title>"
        "</head><body><h1>404 Not Found</h1></body></html>\n";
    ck_assert_uint_eq(n, strlen(expected));
    ck_assert_str_eq(out, expected);

    static const int codes[] = { 400, 403, 405, 408, 413, 414, 431, 500, 503, 505 };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char title[96];
        snprintf(title, sizeof title, "<title>%d %s</title>", codes[i], http_status_text(codes[i]));
        n = http_error_body(out, sizeof out, codes[i]);
        ck_assert_uint_eq(n, strlen(out));
        ck_assert_ptr_nonnull(strstr(out, title));
    }

    /* too small: 0, and a NUL-terminated (empty) out */
    size_t full = http_error_body(out, sizeof out, 431);
    ck_assert_uint_eq(http_error_body(out, full, 431), 0);
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(http_error_body(out, full + 1, 431), full);
    ck_assert_uint_eq(http_error_body(out, 0, 431), 0);
}
END_TEST

/* ------------------------------------------------------------ advisory fields */

#define ck_assert_field_eq(field, literal) do {                           \
        ck_assert(!(field).repeated);                                     \
        ck_assert_span_eq((field).value, (field).length, literal);        \
    } while (0)

#define ck_assert_field_absent(field, was_repeated) do {                  \
        ck_assert_ptr_null((field).value);                                \
        ck_assert_uint_eq((field).length, 0);                             \
        ck_assert_int_eq((field).repeated, (was_repeated));               \
    } while (0)

/* User-Agent: kept as sent, for the log; a second one makes it absent. */
START_TEST(test_user_agent)
{
    struct parsed p = assert_complete(firefox_head);
    ck_assert_field_eq(p.req.user_agent, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
    p = assert_complete("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent:   spaced out \t\r\n\r\n");
    ck_assert_field_eq(p.req.user_agent, "spaced out");
    p = assert_complete("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ck_assert_field_absent(p.req.user_agent, false);
    p = assert_complete("GET / HTTP/1.1\r\nHost: a\r\nuser-agent: one\r\nUSER-AGENT: two\r\n\r\n");
    ck_assert_field_absent(p.req.user_agent, true);
}
END_TEST

START_TEST(test_fields_real)
{
    struct parsed p = assert_complete(chromium_head);
    ck_assert_field_eq(p.req.accept_encoding, "gzip, deflate, br, zstd");
    ck_assert_field_absent(p.req.if_modified_since, false);
    ck_assert_field_absent(p.req.range, false);

    p = assert_complete(firefox_head);
    ck_assert_field_eq(p.req.if_modified_since, "Thu, 26 Nov 2026 22:00:00 GMT");
    ck_assert_field_eq(p.req.accept_encoding, "gzip, deflate, br, zstd");
    ck_assert_field_absent(p.req.if_none_match, false);

    p = assert_complete(curl_head);   /* curl without --compressed sends no Accept-Encoding */
    ck_assert_field_eq(p.req.user_agent, "curl/7.88.1");
    ck_assert_field_absent(p.req.accept_encoding, false);
    ck_assert_field_absent(p.req.if_match, false);
    ck_assert_field_absent(p.req.if_unmodified_since, false);
    ck_assert_field_absent(p.req.if_range, false);

    /* curl 7.88.1 -C - -r 100- resuming a download, bare LF */
    p = assert_complete("GET /big.iso HTTP/1.1\nHost: localhost:8443\nRange: bytes=100-\n"
                        "User-Agent: curl/7.88.1\nAccept: */*\nIf-Range: \"1b2c3-64-2ebc98a1.0\"\n\n");
    ck_assert_field_eq(p.req.range, "bytes=100-");
    ck_assert_field_eq(p.req.if_range, "\"1b2c3-64-2ebc98a1.0\"");
}
END_TEST

START_TEST(test_fields_all)
{
    struct parsed p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\n"
                                      "If-Match: \"a\"\r\n"
                                      "if-none-match:W/\"b\", \"c\"\r\n"
                                      "IF-MODIFIED-SINCE: \t Sun, 06 Nov 1994 08:49:37 GMT \t\r\n"
                                      "If-Unmodified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n"
                                      "RANGE: bytes=0-0\r\n"
                                      "If-Range: Sun Nov  6 08:49:37 1994\r\n"
                                      "Accept-Encoding: br;q=1.0, gzip;q=0.8\r\n"
                                      "\r\n");
    ck_assert_field_eq(p.req.if_match, "\"a\"");
    ck_assert_field_eq(p.req.if_none_match, "W/\"b\", \"c\"");
    ck_assert_field_eq(p.req.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
    ck_assert_field_eq(p.req.if_unmodified_since, "Sunday, 06-Nov-94 08:49:37 GMT");
    ck_assert_field_eq(p.req.range, "bytes=0-0");
    ck_assert_field_eq(p.req.if_range, "Sun Nov  6 08:49:37 1994");
    ck_assert_field_eq(p.req.accept_encoding, "br;q=1.0, gzip;q=0.8");
    /* near names are other fields */
    p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\nIf-Matches: x\r\nRanges: x\r\nContent-Range: x\r\n"
                        "Accept-Encodings: x\r\nTE: gzip\r\nIf-None: x\r\n\r\n");
    ck_assert_field_absent(p.req.if_match, false);
    ck_assert_field_absent(p.req.range, false);
    ck_assert_field_absent(p.req.accept_encoding, false);
    ck_assert_field_absent(p.req.if_none_match, false);
}
END_TEST

START_TEST(test_fields_repeated_and_empty)
{
    struct parsed p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\nrange: bytes=0-1\r\n"
                                      "Accept-Encoding: gzip\r\nAccept-Encoding: br\r\nAccept-Encoding: br\r\n"
                                      "If-None-Match: \"a\"\r\nIf-Match:\r\nIf-Range:   \r\n\r\n");
    ck_assert_field_absent(p.req.range, true);              /* even when both say the same */
    ck_assert_field_absent(p.req.accept_encoding, true);    /* a third line keeps it absent */
    ck_assert_field_eq(p.req.if_none_match, "\"a\"");
    /* empty: present, length 0 (conditional.c finds it invalid) */
    ck_assert_ptr_nonnull(p.req.if_match.value);
    ck_assert_uint_eq(p.req.if_match.length, 0);
    ck_assert(!p.req.if_match.repeated);
    ck_assert_ptr_nonnull(p.req.if_range.value);
    ck_assert_uint_eq(p.req.if_range.length, 0);
    /* an empty line and then a full one: repeated */
    p = assert_complete("GET / HTTP/1.1\r\nHost: h\r\nIf-Match:\r\nIf-Match: \"a\"\r\n\r\n");
    ck_assert_field_absent(p.req.if_match, true);
    /* an invalid byte in the value is still a 400, as for any field */
    assert_error_str("GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\x01\r\n\r\n", 400);
}
END_TEST

/* ------------------------------------------------------------ HTTP-date */

static long long date_of(const char *text)
{
    long long seconds = LLONG_MIN;
    size_t n = strlen(text);
    char *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, n);
    bool ok = http_date_parse(copy, n, &seconds);
    free(copy);
    ck_assert_msg(ok, "\"%s\" not parsed", text);
    return seconds;
}

static void assert_not_date(const char *text)
{
    long long seconds = 42;
    size_t n = strlen(text);
    char *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, n);
    ck_assert_msg(!http_date_parse(copy, n, &seconds), "\"%s\" parsed", text);
    ck_assert_int_eq(seconds, 42);
    free(copy);
}

static void assert_date_format(long long seconds, const char *expected)
{
    char out[40];
    memset(out, 'Z', sizeof out);
    size_t n = http_date_format(out, sizeof out, seconds);
    ck_assert_msg(n == 29 && strcmp(out, expected) == 0, "%lld: \"%s\"", seconds, n ? out : "(nothing)");
    ck_assert_int_eq(date_of(expected), seconds);
}

START_TEST(test_date_format)
{
    assert_date_format(0, "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_date_format(784111777LL, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_date_format(951782400LL, "Tue, 29 Feb 2000 00:00:00 GMT");
    assert_date_format(1795734000LL, "Thu, 26 Nov 2026 23:00:00 GMT");
    assert_date_format(2147483647LL, "Tue, 19 Jan 2038 03:14:07 GMT");
    assert_date_format(2147483648LL, "Tue, 19 Jan 2038 03:14:08 GMT");
    assert_date_format(4102444800LL, "Fri, 01 Jan 2100 00:00:00 GMT");
    assert_date_format(4107542400LL, "Mon, 01 Mar 2100 00:00:00 GMT");   /* 2100 has no 29 Feb */
    assert_date_format(-1LL, "Wed, 31 Dec 1969 23:59:59 GMT");
    assert_date_format(-2208988800LL, "Mon, 01 Jan 1900 00:00:00 GMT");
    assert_date_format(-62167219200LL, "Sat, 01 Jan 0000 00:00:00 GMT");
    assert_date_format(253402300799LL, "Fri, 31 Dec 9999 23:59:59 GMT");
    char out[40];
    ck_assert_uint_eq(http_date_format(out, sizeof out, -62167219201LL), 0);   /* year -1 */
    ck_assert_uint_eq(http_date_format(out, sizeof out, 253402300800LL), 0);   /* year 10000 */
    ck_assert_uint_eq(http_date_format(out, sizeof out, LLONG_MAX), 0);
    ck_assert_uint_eq(http_date_format(out, sizeof out, LLONG_MIN), 0);
    ck_assert_uint_eq(http_date_format(out, 29, 0), 0);
    ck_assert_uint_eq(http_date_format(out, 30, 0), 29);
    ck_assert_uint_eq(http_date_format(NULL, 30, 0), 0);
}
END_TEST

/* Against the C library's calendar, where time_t and gmtime_r reach. */
START_TEST(test_date_format_against_gmtime)
{
    long long step = 86400LL * 3 + 3661;   /* a little over three days: every weekday, hour, minute */
    for (long long t = -2208988800LL; t < 4102444800LL * 2; t += step) {
        time_t when = (time_t)t;
        struct tm tm;
        if ((long long)when != t || gmtime_r(&when, &tm) == NULL)
            continue;
        char expected[64], out[40];
        strftime(expected, sizeof expected, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        ck_assert_uint_eq(http_date_format(out, sizeof out, t), 29);
        ck_assert_str_eq(out, expected);
        long long back = 0;
        ck_assert(http_date_parse(out, 29, &back));
        ck_assert_int_eq(back, t);
    }
}
END_TEST

START_TEST(test_date_parse_forms)
{
    /* the three forms of RFC 9110 5.6.7's example */
    ck_assert_int_eq(date_of("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777LL);
    ck_assert_int_eq(date_of("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777LL);
    ck_assert_int_eq(date_of("Sun Nov  6 08:49:37 1994"), 784111777LL);
    ck_assert_int_eq(date_of("Sun Nov 06 08:49:37 1994"), 784111777LL);
    ck_assert_int_eq(date_of("Sun Nov 16 08:49:37 1994"), 784111777LL + 10 * 86400);
    /* the day name is not checked against the date */
    ck_assert_int_eq(date_of("Mon, 06 Nov 1994 08:49:37 GMT"), 784111777LL);
    ck_assert_int_eq(date_of("Friday, 06-Nov-94 08:49:37 GMT"), 784111777LL);
    /* leap years */
    ck_assert_int_eq(date_of("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400LL);
    ck_assert_int_eq(date_of("Sun, 29 Feb 2004 12:00:00 GMT"), 1078056000LL);
    ck_assert_int_eq(date_of("Thu, 29 Feb 2024 00:00:00 GMT"), 1709164800LL);
    ck_assert_int_eq(date_of("Tuesday, 29-Feb-00 00:00:00 GMT"), 951782400LL);
    ck_assert_int_eq(date_of("Tue Feb 29 00:00:00 2000"), 951782400LL);
    /* 1970, 2038 and beyond */
    ck_assert_int_eq(date_of("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    ck_assert_int_eq(date_of("Thursday, 01-Jan-70 00:00:00 GMT"), 0);
    ck_assert_int_eq(date_of("Thu Jan  1 00:00:00 1970"), 0);
    ck_assert_int_eq(date_of("Tue, 19 Jan 2038 03:14:08 GMT"), 2147483648LL);
    ck_assert_int_eq(date_of("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799LL);
    ck_assert_int_eq(date_of("Sat, 01 Jan 0000 00:00:00 GMT"), -62167219200LL);
    ck_assert_int_eq(date_of("Wed, 31 Dec 1969 23:59:59 GMT"), -1);
    /* RFC 850's two-digit year: 1970-2069 */
    ck_assert_int_eq(date_of("Friday, 31-Dec-99 23:59:59 GMT"), 946684799LL);
    ck_assert_int_eq(date_of("Saturday, 01-Jan-00 00:00:00 GMT"), 946684800LL);
    ck_assert_int_eq(date_of("Tuesday, 01-Jan-69 00:00:00 GMT"), 3124224000LL);
    /* a leap second is the next second */
    ck_assert_int_eq(date_of("Sat, 31 Dec 2016 23:59:60 GMT"), 1483228800LL);
    /* the length is obeyed */
    long long seconds = 0;
    ck_assert(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMTxyz", 29, &seconds));
    ck_assert_int_eq(seconds, 784111777LL);
    ck_assert(!http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 28, &seconds));
    ck_assert(!http_date_parse(NULL, 0, &seconds));
    ck_assert(!http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, NULL));
}
END_TEST

START_TEST(test_date_parse_malformed)
{
    static const char *const bad[] = {
        "", " ", "0", "784111777", "yesterday",
        "Sun, 06 Nob 1994 08:49:37 GMT",    /* wrong month */
        "Sun, 06 nov 1994 08:49:37 GMT",    /* names are case-sensitive */
        "sun, 06 Nov 1994 08:49:37 GMT", "SUN, 06 NOV 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 gmt", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 1994 08:49:37",        /* missing GMT */
        "Sun, 06 Nov 1994 08:49:37 GMT ",   /* extra spaces */
        " Sun, 06 Nov 1994 08:49:37 GMT", "Sun,  06 Nov 1994 08:49:37 GMT", "Sun, 06  Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994  08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37  GMT", "Sun,06 Nov 1994 08:49:37 GMT",
        "Sun 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1994 08:49:3 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 01994 08:49:37 GMT",
        "Sun, 06-Nov-1994 08:49:37 GMT", "Sun, 06 November 1994 08:49:37 GMT",
        "Sun, 31 Feb 2000 08:49:37 GMT",    /* days that do not exist */
        "Sun, 30 Feb 2000 08:49:37 GMT", "Sun, 29 Feb 1900 08:49:37 GMT", "Sun, 29 Feb 2100 08:49:37 GMT",
        "Sun, 29 Feb 2023 08:49:37 GMT", "Sun, 31 Apr 2000 08:49:37 GMT", "Sun, 31 Jun 2000 08:49:37 GMT",
        "Sun, 31 Sep 2000 08:49:37 GMT", "Sun, 31 Nov 2000 08:49:37 GMT", "Sun, 32 Jan 2000 08:49:37 GMT",
        "Sun, 00 Jan 2000 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",    /* hour 24 */
        "Sun, 06 Nov 1994 23:60:00 GMT", "Sun, 06 Nov 1994 23:59:61 GMT", "Sun, 06 Nov 1994 99:99:99 GMT",
        "Sun, 06 Nov 1994 08-49-37 GMT", "Sun, 06 Nov 1994 08:49:37.5 GMT", "Sun, 06 Nov -994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\r", "Sun, 06 Nov 1994 08:49:37 GMT\t",
        "Sunday, 06 Nov 1994 08:49:37 GMT", /* a long day name in IMF-fixdate */
        "Sun, 06-Nov-94 08:49:37 GMT",      /* a short one in RFC 850 */
        "Sunday, 06-Nov-94 08:49:37", "Sunday, 06-Nov-94 08:49:37 UTC", "Sunday, 6-Nov-94 08:49:37 GMT",
        "Sunday, 06 Nov 94 08:49:37 GMT", "Sunday, 06-nov-94 08:49:37 GMT", "Sunday, 31-Feb-94 08:49:37 GMT",
        "Sunday, 06-Nov-94 24:49:37 GMT", "Sunday,06-Nov-94 08:49:37 GMT", "Sundays, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994 GMT",     /* asctime has no zone */
        "Sun Nov 6 08:49:37 1994", "Sun Nov   6 08:49:37 1994", "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37  1994", "Sun  Nov  6 08:49:37 1994", "Sun Nov  31 08:49:37 1994",
        "Sun Nov 31 08:49:37 1994", "Sun Feb 29 08:49:37 1900", "Sun Nov  6 24:00:00 1994",
        "Sunday Nov  6 08:49:37 1994", "Sun, Nov  6 08:49:37 1994", "Sun Nov  0 08:49:37 1994",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_not_date(bad[i]);

    /* every proper prefix of each form is truncated, hence invalid */
    static const char *const good[] = {
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        for (size_t n = 0; n < strlen(good[i]); n++) {
            char *copy = malloc(n ? n : 1);
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, good[i], n);
            long long seconds;
            ck_assert_msg(!http_date_parse(copy, n, &seconds), "\"%.*s\" parsed", (int)n, good[i]);
            free(copy);
        }

    /* a NUL inside */
    long long seconds;
    ck_assert(!http_date_parse("Sun, 06 Nov 1994 08:49:37 G\0T", 29, &seconds));
    ck_assert(!http_date_parse("Sun, 06 Nov 1994\0""08:49:37 GMT", 29, &seconds));
}
END_TEST

START_TEST(test_format_head_no_length)
{
    char out[512];
    /* 304 (RFC 9110 8.6): the validators, no Content-Length */
    size_t n = http_format_head(out, sizeof out, 304, NULL, 1234, true,
                                "ETag: \"1b2c3-64-2ebc98a1.0\"\r\n", 1795734000LL);
    static const char expected304[] =
        "HTTP/1.1 304 Not Modified\r\n"
        "Server: tlsd\r\n"
        "Date: Thu, 26 Nov 2026 23:00:00 GMT\r\n"
        "Connection: keep-alive\r\n"
        "ETag: \"1b2c3-64-2ebc98a1.0\"\r\n"
        "\r\n";
    ck_assert_uint_eq(n, strlen(expected304));
    ck_assert_str_eq(out, expected304);

    n = http_format_head(out, sizeof out, 204, "text/plain", 5, false, NULL, 0);
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_null(strstr(out, "Content-Length"));
    ck_assert_ptr_nonnull(strstr(out, "Content-Type: text/plain\r\nConnection: close\r\n\r\n"));
    n = http_format_head(out, sizeof out, 100, NULL, 0, true, NULL, 0);
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_null(strstr(out, "Content-Length"));
    /* every other status keeps it, 0 included */
    static const int with_length[] = { 200, 206, 301, 400, 404, 412, 416, 500 };
    for (size_t i = 0; i < sizeof with_length / sizeof with_length[0]; i++) {
        n = http_format_head(out, sizeof out, with_length[i], NULL, 0, true, NULL, 0);
        ck_assert_uint_gt(n, 0);
        ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Length: 0\r\nConnection: keep-alive\r\n"));
    }
    /* too small, byte by byte, for a head without the length */
    for (size_t size = 0; size < strlen(expected304); size++)
        ck_assert_uint_eq(http_format_head(out, size, 304, NULL, 1234, true,
                                           "ETag: \"1b2c3-64-2ebc98a1.0\"\r\n", 1795734000LL), 0);
}
END_TEST

/* ------------------------------------------------------------ runner */

START_TEST(test_security_headers)
{
    char out[512];
    http_format_security_headers(out, sizeof out, 86400, "default-src 'self'", "Cache-Control: no-store\r\n");
    ck_assert_str_eq(out, "Strict-Transport-Security: max-age=86400\r\n"
                          "Content-Security-Policy: default-src 'self'\r\n"
                          "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
                          "Cache-Control: no-store\r\n");
    /* hsts 0 and no CSP: only the two that are always there */
    http_format_security_headers(out, sizeof out, 0, NULL, NULL);
    ck_assert_str_eq(out, "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n");
    /* too small: cut short, never past the end, always terminated */
    char small[24];
    memset(small, 'x', sizeof small);
    http_format_security_headers(small, sizeof small, 86400, "default-src 'self'", NULL);
    ck_assert_uint_lt(strlen(small), sizeof small);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");

    TCase *tc = tcase_create("clients");
    tcase_add_test(tc, test_curl);
    tcase_add_test(tc, test_chromium);
    tcase_add_test(tc, test_firefox);
    tcase_add_test(tc, test_bare_lf);
    tcase_add_test(tc, test_every_prefix_incomplete);
    suite_add_tcase(s, tc);

    tc = tcase_create("semantics");
    tcase_add_test(tc, test_head_method);
    tcase_add_test(tc, test_http10_keep_alive);
    tcase_add_test(tc, test_connection_close);
    tcase_add_test(tc, test_pipelined);
    tcase_add_test(tc, test_leading_empty_lines);
    tcase_add_test(tc, test_missing_host);
    tcase_add_test(tc, test_versions);
    tcase_add_test(tc, test_other_methods);
    suite_add_tcase(s, tc);

    tc = tcase_create("syntax");
    tcase_add_test(tc, test_request_line_spacing);
    tcase_add_test(tc, test_obs_fold);
    tcase_add_test(tc, test_field_syntax);
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_control_bytes);
    tcase_add_test(tc, test_null_outputs_and_empty);
    tcase_add_test(tc, test_mutations);
    tcase_set_timeout(tc, 60);   /* the mutation loop under valgrind */
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, test_414_boundary);
    tcase_add_test(tc, test_431_huge_header);
    tcase_add_test(tc, test_431_head_size_boundary);
    tcase_add_test(tc, test_431_incomplete);
    tcase_add_test(tc, test_431_too_many_headers);
    suite_add_tcase(s, tc);

    tc = tcase_create("bodies_targets");
    tcase_add_test(tc, test_content_length);
    tcase_add_test(tc, test_transfer_encoding);
    tcase_add_test(tc, test_query_and_fragment);
    tcase_add_test(tc, test_absolute_form);
    suite_add_tcase(s, tc);

    tc = tcase_create("advisory_fields");
    tcase_add_test(tc, test_fields_real);
    tcase_add_test(tc, test_fields_all);
    tcase_add_test(tc, test_fields_repeated_and_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("dates");
    tcase_add_test(tc, test_date_format);
    tcase_add_test(tc, test_date_format_against_gmtime);
    tcase_add_test(tc, test_date_parse_forms);
    tcase_add_test(tc, test_date_parse_malformed);
    suite_add_tcase(s, tc);

    tc = tcase_create("responses");
    tcase_add_test(tc, test_format_head);
    tcase_add_test(tc, test_format_head_no_length);
    tcase_add_test(tc, test_format_head_does_not_fit);
    tcase_add_test(tc, test_status_text);
    tcase_add_test(tc, test_user_agent);
    tcase_add_test(tc, test_error_body);
    tcase_add_test(tc, test_security_headers);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(http_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

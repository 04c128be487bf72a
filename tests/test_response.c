/* SPDX-License-Identifier: Apache-2.0 */
/* test_response.c: unit tests for the response plan (src/response.c),
 * without sockets: every status tlsd answers, the headers and the body
 * source each gets, over a temporary document root, with the file cache
 * off and on; and the pure 301 Location helper ("//", %0d%0a, queries,
 * absolute-form targets). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "response.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "file_cache.h"
#include "http.h"
#include "open_fds.h"

static char root_path[] = "/tmp/tlsd-response.XXXXXX";
static int root_fd = -1;
static struct tlsd_config config;
static struct file_cache *cache;
static struct response_context context;
static int open_fds_before;

static void write_file(const char *name, const char *content, size_t length)
{
    int fd = openat(root_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, length), (ssize_t)length);
    ck_assert_int_eq(close(fd), 0);
}

#define BIG_SIZE (FILE_CACHE_MAX_FILE + 1000)

/* The loop index: 0 = no file cache, 1 = with one. */
static void setup_root(int with_cache)
{
    strcpy(root_path, "/tmp/tlsd-response.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root_path));
    root_fd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(root_fd, 0);
    write_file("index.html", "<p>hello</p>", 12);
    write_file("empty.txt", "", 0);
    write_file(".env", "SECRET=1", 8);
    char *big = malloc(BIG_SIZE);
    ck_assert_ptr_nonnull(big);
    memset(big, 'b', BIG_SIZE);
    write_file("big.bin", big, BIG_SIZE);
    free(big);
    ck_assert_int_eq(mkdirat(root_fd, "sub", 0755), 0);
    write_file("sub/index.html", "<p>sub</p>", 10);
    ck_assert_int_eq(mkdirat(root_fd, "bare", 0755), 0);         /* no index */
    ck_assert_int_eq(mkdirat(root_fd, "a\r\nb", 0755), 0);       /* a name with CR LF in it */

    config_init(&config);
    cache = with_cache ? file_cache_create() : NULL;
    context = (struct response_context){
        .config = &config, .root_fd = root_fd, .file_cache = cache, .now = 100, .date = 2000000000 };
    open_fds_before = count_open_fds();
}

static void teardown(void)
{
    file_cache_free(cache);
    cache = NULL;
    config_free(&config);
    /* every plan released: nothing left open */
    ck_assert_int_eq(count_open_fds(), open_fds_before);
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", root_path);
    close(root_fd);
    ck_assert_int_eq(system(command), 0);
}

/* Parse `head` (a whole request head) into `request`: the buffer stays
 * alive in `buffer`. */
static void parse(const char *head, char *buffer, size_t size, struct http_request *request)
{
    size_t length = strlen(head), consumed = 0;
    int status = 0;
    ck_assert_uint_lt(length, size);
    memcpy(buffer, head, length);
    ck_assert_int_eq(http_parse_request(buffer, length, request, &consumed, &status), HTTP_PARSE_COMPLETE);
}

/* Plan the answer to "METHOD TARGET" with a Host header and `more` headers. */
static void plan_for(const char *method, const char *target, const char *more, struct response_plan *plan)
{
    char head[1024], buffer[1024];
    snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n", method, target, more ? more : "");
    struct http_request request;
    parse(head, buffer, sizeof buffer, &request);
    response_plan(&context, &request, plan);
}

/* The body bytes the plan would send. */
static size_t body_bytes(const struct response_plan *plan, char *out, size_t size)
{
    ck_assert_uint_le(plan->body_length, size);
    size_t length = (size_t)plan->body_length;
    switch (plan->body) {
    case RESPONSE_BODY_INLINE:
        memcpy(out, plan->inline_body + plan->body_offset, length);
        return length;
    case RESPONSE_BODY_MEMORY:
        memcpy(out, plan->memory + plan->body_offset, length);
        return length;
    case RESPONSE_BODY_CACHED:
        memcpy(out, plan->cached->bytes + plan->body_offset, length);
        return length;
    case RESPONSE_BODY_FILE:
        ck_assert_int_eq(pread(plan->fd, out, length, (off_t)plan->body_offset), (ssize_t)length);
        return length;
    case RESPONSE_BODY_NONE:
    default:
        return 0;
    }
}

static void assert_error_page(const struct response_plan *plan, int status, bool with_body)
{
    char expected[512], got[512];
    size_t length = http_error_body(expected, sizeof expected, status);
    ck_assert_int_eq(plan->status, status);
    ck_assert_str_eq(plan->content_type, "text/html; charset=utf-8");
    ck_assert_uint_eq(plan->content_length, length);
    if (!with_body) {
        ck_assert_int_eq(plan->body, RESPONSE_BODY_NONE);
        ck_assert_uint_eq(plan->body_length, 0);
        return;
    }
    ck_assert_int_eq(plan->body, RESPONSE_BODY_INLINE);
    ck_assert_uint_eq(body_bytes(plan, got, sizeof got), length);
    ck_assert_mem_eq(got, expected, length);
}

/* The value of the plan's header `name` (its first line), or NULL. */
static const char *header_value(const struct response_plan *plan, const char *name)
{
    static char value[1024];
    size_t name_length = strlen(name);
    for (const char *line = plan->headers; *line != '\0';) {
        const char *end = strstr(line, "\r\n");
        ck_assert_ptr_nonnull(end);
        if ((size_t)(end - line) > name_length + 2 && strncasecmp(line, name, name_length) == 0 &&
            line[name_length] == ':' && line[name_length + 1] == ' ') {
            size_t length = (size_t)(end - line) - name_length - 2;
            ck_assert_uint_lt(length, sizeof value);
            memcpy(value, line + name_length + 2, length);
            value[length] = '\0';
            return value;
        }
        line = end + 2;
    }
    return NULL;
}

START_TEST(test_file_200)
{
    setup_root(_i);
    struct response_plan plan;
    plan_for("GET", "/index.html", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_str_eq(plan.content_type, "text/html; charset=utf-8");
    ck_assert_uint_eq(plan.content_length, 12);
    ck_assert(plan.keep_alive);
    ck_assert_ptr_null(plan.log_reason);
    ck_assert_str_eq(header_value(&plan, "Cache-Control"), CONFIG_DEFAULT_CACHE_CONTROL_HTML);
    ck_assert_str_eq(header_value(&plan, "Accept-Ranges"), "bytes");
    ck_assert_ptr_nonnull(header_value(&plan, "ETag"));
    ck_assert_ptr_nonnull(header_value(&plan, "Last-Modified"));
    ck_assert_ptr_null(header_value(&plan, "Vary"));            /* no sibling */
    ck_assert_ptr_null(header_value(&plan, "Content-Encoding"));
    ck_assert_str_eq(plan.content_security_policy, CONFIG_DEFAULT_CONTENT_SECURITY_POLICY);
    ck_assert_int_eq(plan.body, _i ? RESPONSE_BODY_CACHED : RESPONSE_BODY_FILE);
    char got[64];
    ck_assert_uint_eq(body_bytes(&plan, got, sizeof got), 12);
    ck_assert_mem_eq(got, "<p>hello</p>", 12);
    response_plan_release(&plan);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_NONE);

    /* a directory's index; the query does not matter */
    plan_for("GET", "/sub/?x=1", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_uint_eq(plan.content_length, 10);
    response_plan_release(&plan);
    plan_for("GET", "/", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_uint_eq(plan.content_length, 12);
    response_plan_release(&plan);

    /* Connection: close is kept */
    plan_for("GET", "/index.html", "Connection: close\r\n", &plan);
    ck_assert(!plan.keep_alive);
    response_plan_release(&plan);
    teardown();
}
END_TEST

START_TEST(test_head_and_empty)
{
    setup_root(_i);
    struct response_plan plan;
    plan_for("HEAD", "/index.html", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_uint_eq(plan.content_length, 12);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_NONE);
    ck_assert_uint_eq(plan.body_length, 0);
    response_plan_release(&plan);

    plan_for("GET", "/empty.txt", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_str_eq(plan.content_type, "text/plain; charset=utf-8");
    ck_assert_uint_eq(plan.content_length, 0);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_NONE);
    response_plan_release(&plan);

    /* too large for the cache: from the file either way */
    plan_for("GET", "/big.bin", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_uint_eq(plan.content_length, BIG_SIZE);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_FILE);
    ck_assert_uint_eq(plan.body_offset, 0);
    ck_assert_uint_eq(plan.body_length, BIG_SIZE);
    response_plan_release(&plan);
    teardown();
}
END_TEST

START_TEST(test_redirect_301)
{
    setup_root(_i);
    struct response_plan plan;
    plan_for("GET", "/sub", NULL, &plan);
    assert_error_page(&plan, 301, true);
    ck_assert_str_eq(plan.headers, "Location: /sub/\r\n");
    ck_assert(plan.keep_alive);
    response_plan_release(&plan);

    plan_for("GET", "/sub?x=1&y=%0d%0a", NULL, &plan);
    ck_assert_str_eq(plan.headers, "Location: /sub/?x=1&y=%0d%0a\r\n");
    response_plan_release(&plan);

    /* "//sub" is the directory /sub, never a Location to host "sub" */
    plan_for("GET", "//sub", NULL, &plan);
    ck_assert_str_eq(plan.headers, "Location: /sub/\r\n");
    response_plan_release(&plan);

    plan_for("GET", "/a%0d%0ab", NULL, &plan);
    ck_assert_int_eq(plan.status, 301);
    ck_assert_str_eq(plan.headers, "Location: /a%0D%0Ab/\r\n");
    response_plan_release(&plan);

    plan_for("GET", "https://localhost/sub?q", NULL, &plan);
    ck_assert_str_eq(plan.headers, "Location: /sub/?q\r\n");
    response_plan_release(&plan);

    plan_for("HEAD", "/sub", NULL, &plan);
    assert_error_page(&plan, 301, false);
    ck_assert_str_eq(plan.headers, "Location: /sub/\r\n");
    response_plan_release(&plan);
    teardown();
}
END_TEST

START_TEST(test_not_found_404)
{
    setup_root(_i);
    struct response_plan plan;
    plan_for("GET", "/missing.html", NULL, &plan);
    assert_error_page(&plan, 404, true);
    ck_assert_ptr_null(plan.log_reason);
    ck_assert(plan.keep_alive);
    response_plan_release(&plan);

    plan_for("GET", "/bare/", NULL, &plan);   /* a directory without its index */
    assert_error_page(&plan, 404, true);
    response_plan_release(&plan);

    /* a dot file: a plain 404, and reason=hidden_file for the log */
    plan_for("GET", "/.env", NULL, &plan);
    assert_error_page(&plan, 404, true);
    ck_assert_str_eq(plan.log_reason, "hidden_file");
    response_plan_release(&plan);

    plan_for("HEAD", "/missing.html", NULL, &plan);
    assert_error_page(&plan, 404, false);
    response_plan_release(&plan);

    /* with dot files served, the same path is a file */
    config.serve_dotfiles = true;
    plan_for("GET", "/.env", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_uint_eq(plan.content_length, 8);
    response_plan_release(&plan);
    teardown();
}
END_TEST

START_TEST(test_bad_path_400)
{
    setup_root(_i);
    struct response_plan plan;
    plan_for("GET", "/../etc/passwd", NULL, &plan);
    assert_error_page(&plan, 400, true);
    ck_assert(!plan.keep_alive);
    response_plan_release(&plan);
    plan_for("GET", "/a%00b", NULL, &plan);
    assert_error_page(&plan, 400, true);
    response_plan_release(&plan);
    teardown();
}
END_TEST

START_TEST(test_method_405_and_body_413)
{
    setup_root(_i);
    struct response_plan plan;
    plan_for("POST", "/index.html", NULL, &plan);
    assert_error_page(&plan, 405, true);
    ck_assert_str_eq(plan.headers, "Allow: GET, HEAD\r\nCache-Control: " CONFIG_DEFAULT_CACHE_CONTROL_ERROR "\r\n");
    ck_assert(plan.keep_alive);
    response_plan_release(&plan);

    /* a body we would have to read past: close after the answer */
    plan_for("PUT", "/index.html", "Content-Length: 5\r\n", &plan);
    assert_error_page(&plan, 405, true);
    ck_assert(!plan.keep_alive);
    response_plan_release(&plan);

    plan_for("GET", "/index.html", "Content-Length: 5\r\n", &plan);
    assert_error_page(&plan, 413, true);
    ck_assert(!plan.keep_alive);
    response_plan_release(&plan);

    plan_for("HEAD", "/index.html", "Transfer-Encoding: chunked\r\n", &plan);
    assert_error_page(&plan, 413, false);
    ck_assert(!plan.keep_alive);
    response_plan_release(&plan);
    teardown();
}
END_TEST

static char *json_of(const void *handshake, enum response_handshake_format format)
{
    if (format == RESPONSE_HANDSHAKE_SVG)
        return strdup("<svg/>");
    if (format == RESPONSE_HANDSHAKE_TEXT)
        return strdup("ladder\n");
    return strdup((const char *)handshake);
}

static char *json_fails(const void *handshake, enum response_handshake_format format)
{
    (void)handshake;
    (void)format;
    return NULL;
}

START_TEST(test_handshake_endpoint)
{
    setup_root(_i);
    struct response_plan plan;
    context.handshake_body = json_of;
    context.handshake = "{\"stages\":[]}";
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT "?x", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_str_eq(plan.content_type, "application/json");
    ck_assert_str_eq(plan.headers, "Cache-Control: no-store\r\n");   /* and no validators */
    ck_assert_str_eq(plan.content_security_policy, RESPONSE_ENDPOINT_CSP);
    ck_assert_uint_eq(plan.content_length, 13);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_MEMORY);
    char got[64];
    ck_assert_uint_eq(body_bytes(&plan, got, sizeof got), 13);
    ck_assert_mem_eq(got, "{\"stages\":[]}", 13);
    response_plan_release(&plan);
    ck_assert_ptr_null(plan.memory);

    /* the ladder, drawn: SVG and text, under the endpoint's path and policy */
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT ".svg?x", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_str_eq(plan.content_type, "image/svg+xml");
    ck_assert_str_eq(plan.headers, "Cache-Control: no-store\r\n");
    ck_assert_str_eq(plan.content_security_policy, RESPONSE_ENDPOINT_CSP);
    ck_assert_uint_eq(plan.content_length, 6);
    response_plan_release(&plan);
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT ".txt", NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_str_eq(plan.content_type, "text/plain; charset=utf-8");
    ck_assert_str_eq(plan.headers, "Cache-Control: no-store\r\n");
    ck_assert_uint_eq(plan.content_length, 7);
    response_plan_release(&plan);
    /* other suffixes are ordinary paths */
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT ".png", NULL, &plan);
    ck_assert_int_eq(plan.status, 404);
    ck_assert_ptr_ne(plan.content_security_policy, RESPONSE_ENDPOINT_CSP);
    response_plan_release(&plan);

    plan_for("HEAD", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT, NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_uint_eq(plan.content_length, 13);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_NONE);
    response_plan_release(&plan);

    /* out of memory making the JSON */
    context.handshake_body = json_fails;
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT, NULL, &plan);
    assert_error_page(&plan, 500, true);
    response_plan_release(&plan);

    /* a connection without a record */
    context.handshake_body = json_of;
    context.handshake = NULL;
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT, NULL, &plan);
    assert_error_page(&plan, 404, true);
    response_plan_release(&plan);
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT ".svg", NULL, &plan);
    assert_error_page(&plan, 404, true);
    ck_assert_str_eq(plan.content_security_policy, RESPONSE_ENDPOINT_CSP);
    response_plan_release(&plan);

    /* the endpoint off: the path is looked up as a file */
    context.handshake = "{}";
    free(config.handshake_endpoint);
    config.handshake_endpoint = NULL;
    plan_for("GET", CONFIG_DEFAULT_HANDSHAKE_ENDPOINT, NULL, &plan);
    assert_error_page(&plan, 404, true);
    response_plan_release(&plan);
    teardown();
}
END_TEST

START_TEST(test_errors_without_request)
{
    setup_root(0);
    static const int statuses[] = { 400, 408, 414, 431, 501, 505 };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        struct response_plan plan;
        response_plan_error(&context, &plan, statuses[i]);
        assert_error_page(&plan, statuses[i], true);
        ck_assert(!plan.keep_alive);
        ck_assert_str_eq(plan.headers, "Cache-Control: " CONFIG_DEFAULT_CACHE_CONTROL_ERROR "\r\n");
        ck_assert_ptr_null(plan.log_reason);
        response_plan_release(&plan);
    }
    teardown();
}
END_TEST

/* ---- validators, conditional requests, ranges (RFC 9110 8.8, 13, 14) */

/* The ETag and Last-Modified a 200 of `target` carries, copied. */
static void validators_of(const char *target, char *etag, size_t etag_size, char *date, size_t date_size)
{
    struct response_plan plan;
    plan_for("GET", target, NULL, &plan);
    ck_assert_int_eq(plan.status, 200);
    snprintf(etag, etag_size, "%s", header_value(&plan, "ETag"));
    snprintf(date, date_size, "%s", header_value(&plan, "Last-Modified"));
    response_plan_release(&plan);
}

START_TEST(test_conditional)
{
    setup_root(_i);
    char etag[128], date[64], more[512];
    validators_of("/index.html", etag, sizeof etag, date, sizeof date);
    ck_assert_int_eq(etag[0], '"');                              /* strong */
    struct response_plan plan;

    snprintf(more, sizeof more, "If-None-Match: \"x\", %s\r\n", etag);
    plan_for("GET", "/index.html", more, &plan);
    ck_assert_int_eq(plan.status, 304);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_NONE);
    ck_assert_ptr_null(plan.content_type);
    ck_assert_str_eq(header_value(&plan, "ETag"), etag);
    ck_assert_str_eq(header_value(&plan, "Cache-Control"), CONFIG_DEFAULT_CACHE_CONTROL_HTML);
    ck_assert_ptr_null(header_value(&plan, "Content-Range"));
    response_plan_release(&plan);

    snprintf(more, sizeof more, "If-Modified-Since: %s\r\n", date);
    plan_for("HEAD", "/index.html", more, &plan);
    ck_assert_int_eq(plan.status, 304);
    response_plan_release(&plan);

    /* If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2) */
    snprintf(more, sizeof more, "If-None-Match: \"other\"\r\nIf-Modified-Since: %s\r\n", date);
    plan_for("GET", "/index.html", more, &plan);
    ck_assert_int_eq(plan.status, 200);
    response_plan_release(&plan);

    plan_for("GET", "/index.html", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT\r\n", &plan);
    ck_assert_int_eq(plan.status, 200);
    response_plan_release(&plan);

    plan_for("GET", "/index.html", "If-Match: \"other\"\r\n", &plan);
    assert_error_page(&plan, 412, true);
    ck_assert_str_eq(header_value(&plan, "Cache-Control"), CONFIG_DEFAULT_CACHE_CONTROL_ERROR);
    response_plan_release(&plan);
    teardown();
}
END_TEST

START_TEST(test_ranges)
{
    setup_root(_i);
    struct response_plan plan;
    char got[64], etag[128], date[64], more[512];
    plan_for("GET", "/index.html", "Range: bytes=3-7\r\n", &plan);
    ck_assert_int_eq(plan.status, 206);
    ck_assert_str_eq(header_value(&plan, "Content-Range"), "bytes 3-7/12");
    ck_assert_uint_eq(plan.content_length, 5);
    ck_assert_uint_eq(body_bytes(&plan, got, sizeof got), 5);
    ck_assert_mem_eq(got, "hello", 5);
    response_plan_release(&plan);

    /* the last bytes of a file sent from disk */
    plan_for("GET", "/big.bin", "Range: bytes=-10\r\n", &plan);
    ck_assert_int_eq(plan.status, 206);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_FILE);
    ck_assert_uint_eq(plan.body_offset, BIG_SIZE - 10);
    ck_assert_uint_eq(plan.body_length, 10);
    response_plan_release(&plan);

    plan_for("GET", "/index.html", "Range: bytes=12-\r\n", &plan);
    assert_error_page(&plan, 416, true);
    ck_assert_str_eq(header_value(&plan, "Content-Range"), "bytes */12");
    response_plan_release(&plan);

    /* HEAD ignores Range; so does a stale If-Range */
    plan_for("HEAD", "/index.html", "Range: bytes=0-1\r\n", &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_uint_eq(plan.content_length, 12);
    response_plan_release(&plan);
    plan_for("GET", "/index.html", "Range: bytes=0-1\r\nIf-Range: \"stale\"\r\n", &plan);
    ck_assert_int_eq(plan.status, 200);
    response_plan_release(&plan);
    validators_of("/index.html", etag, sizeof etag, date, sizeof date);
    snprintf(more, sizeof more, "Range: bytes=0-1\r\nIf-Range: %s\r\n", etag);
    plan_for("GET", "/index.html", more, &plan);
    ck_assert_int_eq(plan.status, 206);
    response_plan_release(&plan);
    teardown();
}
END_TEST

/* ---- precompressed siblings */

START_TEST(test_precompressed)
{
    setup_root(_i);
    write_file("style.css", "body{color:red}", 15);
    write_file("style.css.gz", "GZ", 2);
    write_file("style.css.br", "BRR", 3);
    write_file("sub/index.html.gz", "GZINDEX", 7);
    struct response_plan plan;
    char got[64], identity_etag[128], gzip_etag[128];

    plan_for("GET", "/style.css", NULL, &plan);                /* no Accept-Encoding */
    ck_assert_uint_eq(plan.content_length, 15);
    ck_assert_ptr_null(header_value(&plan, "Content-Encoding"));
    ck_assert_str_eq(header_value(&plan, "Vary"), "Accept-Encoding");
    ck_assert_str_eq(header_value(&plan, "Cache-Control"), CONFIG_DEFAULT_CACHE_CONTROL_STATIC);
    snprintf(identity_etag, sizeof identity_etag, "%s", header_value(&plan, "ETag"));
    response_plan_release(&plan);

    plan_for("GET", "/style.css", "Accept-Encoding: gzip\r\n", &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_str_eq(plan.content_type, "text/css; charset=utf-8");
    ck_assert_str_eq(header_value(&plan, "Content-Encoding"), "gzip");
    ck_assert_str_eq(header_value(&plan, "Vary"), "Accept-Encoding");
    ck_assert_uint_eq(body_bytes(&plan, got, sizeof got), 2);
    ck_assert_mem_eq(got, "GZ", 2);
    snprintf(gzip_etag, sizeof gzip_etag, "%s", header_value(&plan, "ETag"));
    ck_assert_str_ne(gzip_etag, identity_etag);
    response_plan_release(&plan);

    plan_for("GET", "/style.css", "Accept-Encoding: gzip, deflate, br, zstd\r\n", &plan);
    ck_assert_str_eq(header_value(&plan, "Content-Encoding"), "br");
    ck_assert_uint_eq(plan.content_length, 3);
    response_plan_release(&plan);

    plan_for("GET", "/style.css", "Accept-Encoding: br;q=0, gzip;q=0\r\n", &plan);
    ck_assert_ptr_null(header_value(&plan, "Content-Encoding"));
    ck_assert_uint_eq(plan.content_length, 15);
    response_plan_release(&plan);

    /* a range of the encoded representation; its own validator */
    char more[256];
    snprintf(more, sizeof more, "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", gzip_etag);
    plan_for("GET", "/style.css", more, &plan);
    ck_assert_int_eq(plan.status, 304);
    ck_assert_str_eq(header_value(&plan, "Vary"), "Accept-Encoding");
    response_plan_release(&plan);
    plan_for("GET", "/style.css", "Accept-Encoding: gzip\r\nRange: bytes=1-\r\n", &plan);
    ck_assert_int_eq(plan.status, 206);
    ck_assert_str_eq(header_value(&plan, "Content-Range"), "bytes 1-1/2");
    response_plan_release(&plan);

    /* a directory's index has its sibling too */
    plan_for("GET", "/sub/", "Accept-Encoding: gzip\r\n", &plan);
    ck_assert_str_eq(header_value(&plan, "Content-Encoding"), "gzip");
    ck_assert_str_eq(plan.content_type, "text/html; charset=utf-8");
    ck_assert_uint_eq(plan.content_length, 7);
    response_plan_release(&plan);

    config.precompressed = false;
    plan_for("GET", "/style.css", "Accept-Encoding: gzip, br\r\n", &plan);
    ck_assert_ptr_null(header_value(&plan, "Content-Encoding"));
    ck_assert_ptr_null(header_value(&plan, "Vary"));
    ck_assert_uint_eq(plan.content_length, 15);
    response_plan_release(&plan);
    teardown();
}
END_TEST

/* ---- error_page, Cache-Control classes */

START_TEST(test_error_page)
{
    setup_root(_i);
    write_file("404.html", "<h1>gone</h1>", 13);
    config.error_pages[0] = (struct config_error_page){ 404, strdup("/404.html") };
    config.error_pages[1] = (struct config_error_page){ 416, strdup("/missing.html") };
    config.error_page_count = 2;
    struct response_plan plan;
    char got[64];
    plan_for("GET", "/nothing-here", NULL, &plan);
    ck_assert_int_eq(plan.status, 404);
    ck_assert_str_eq(plan.content_type, "text/html; charset=utf-8");
    ck_assert_uint_eq(plan.content_length, 13);
    ck_assert_uint_eq(body_bytes(&plan, got, sizeof got), 13);
    ck_assert_mem_eq(got, "<h1>gone</h1>", 13);
    ck_assert_ptr_null(header_value(&plan, "ETag"));
    ck_assert_str_eq(header_value(&plan, "Cache-Control"), CONFIG_DEFAULT_CACHE_CONTROL_ERROR);
    response_plan_release(&plan);

    plan_for("HEAD", "/.env", NULL, &plan);                    /* hidden: the same 404 page, no body */
    ck_assert_int_eq(plan.status, 404);
    ck_assert_uint_eq(plan.content_length, 13);
    ck_assert_int_eq(plan.body, RESPONSE_BODY_NONE);
    response_plan_release(&plan);

    plan_for("GET", "/index.html", "Range: bytes=99-\r\n", &plan);   /* its page is missing: built-in */
    assert_error_page(&plan, 416, true);
    response_plan_release(&plan);

    struct response_plan error;
    response_plan_error(&context, &error, 404);
    ck_assert_uint_eq(error.content_length, 13);
    response_plan_release(&error);

    /* a class turned off, another changed */
    free(config.cache_control[CONFIG_CACHE_ERROR]);
    config.cache_control[CONFIG_CACHE_ERROR] = NULL;
    free(config.cache_control[CONFIG_CACHE_HTML]);
    config.cache_control[CONFIG_CACHE_HTML] = strdup("max-age=60");
    plan_for("GET", "/nothing-here", NULL, &plan);
    ck_assert_ptr_null(header_value(&plan, "Cache-Control"));
    response_plan_release(&plan);
    plan_for("GET", "/", NULL, &plan);
    ck_assert_str_eq(header_value(&plan, "Cache-Control"), "max-age=60");
    response_plan_release(&plan);
    /* no-store: nothing to revalidate with */
    free(config.cache_control[CONFIG_CACHE_HTML]);
    config.cache_control[CONFIG_CACHE_HTML] = strdup("private, no-store");
    plan_for("GET", "/", "If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT\r\n", &plan);
    ck_assert_int_eq(plan.status, 200);
    ck_assert_ptr_null(header_value(&plan, "ETag"));
    ck_assert_ptr_null(header_value(&plan, "Last-Modified"));
    ck_assert_str_eq(header_value(&plan, "Accept-Ranges"), "bytes");
    response_plan_release(&plan);
    teardown();
}
END_TEST

/* ---- the Location helper, pure */

static const char *location_for(const char *target)
{
    static char head[8192], buffer[8192], out[HTTP_MAX_TARGET_BYTES * 3 + 2];
    snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", target);
    struct http_request request;
    parse(head, buffer, sizeof buffer, &request);
    size_t length = response_redirect_location(&request, out, sizeof out);
    if (length == 0)
        return NULL;
    ck_assert_uint_eq(strlen(out), length);
    return out;
}

START_TEST(test_location)
{
    ck_assert_str_eq(location_for("/dir"), "/dir/");
    ck_assert_str_eq(location_for("/dir?x=1&y=2"), "/dir/?x=1&y=2");
    /* never to another host: "//evil.example" and "/\\evil" stay paths */
    ck_assert_str_eq(location_for("//evil.example"), "/evil.example/");
    ck_assert_str_eq(location_for("///evil.example/x"), "/evil.example/x/");
    ck_assert_str_eq(location_for("/.//evil.example"), "/evil.example/");
    ck_assert_str_eq(location_for("/%2f%2fevil.example"), "/evil.example/");
    ck_assert_str_eq(location_for("/%5cevil.example"), "/%5Cevil.example/");
    /* CR LF smuggled in the path stay encoded; in the query, as sent */
    ck_assert_str_eq(location_for("/a%0d%0aSet-Cookie:%20x=1"), "/a%0D%0ASet-Cookie:%20x=1/");
    ck_assert_str_eq(location_for("/a?%0d%0aSet-Cookie:x"), "/a/?%0d%0aSet-Cookie:x");
    /* normalised: dot segments, folded slashes, an encoded '?' stays in the path */
    ck_assert_str_eq(location_for("/a/./b/../c"), "/a/c/");
    ck_assert_str_eq(location_for("/a%3fb?c"), "/a%3Fb/?c");
    ck_assert_str_eq(location_for("/caf%C3%A9"), "/caf%C3%A9/");
    /* absolute-form: the path and query inside it */
    ck_assert_str_eq(location_for("https://host/dir?x"), "/dir/?x");
    ck_assert_str_eq(location_for("http://host//evil.example?x"), "/evil.example/?x");
    ck_assert_str_eq(location_for("https://host"), "/");
    ck_assert_str_eq(location_for("https://host?q"), "/?q");
    /* a path that already ends in "/" gets no second one */
    ck_assert_str_eq(location_for("/dir/"), "/dir/");
    /* none for a path that does not normalise */
    ck_assert_ptr_null(location_for("/../x"));
    ck_assert_ptr_null(location_for("/a%00"));
    ck_assert_ptr_null(location_for("/a%zz"));
}
END_TEST

START_TEST(test_location_room)
{
    struct http_request request;
    char buffer[256];
    parse("GET /abc?q HTTP/1.1\r\nHost: x\r\n\r\n", buffer, sizeof buffer, &request);
    char out[16];
    ck_assert_uint_eq(response_redirect_location(&request, out, 8), 7);  /* "/abc/?q" */
    ck_assert_str_eq(out, "/abc/?q");
    ck_assert_uint_eq(response_redirect_location(&request, out, 7), 0);
    ck_assert_uint_eq(response_redirect_location(&request, out, 3), 0);
    ck_assert_uint_eq(response_redirect_location(&request, out, 0), 0);

    /* the longest target, every byte encoded: fits the plan's headers */
    static char target[HTTP_MAX_TARGET_BYTES + 1];
    size_t used = 1;
    target[0] = '/';
    while (used + 3 <= HTTP_MAX_TARGET_BYTES) {
        memcpy(target + used, "%01", 3);
        used += 3;
    }
    target[used] = '\0';
    const char *location = location_for(target);
    ck_assert_ptr_nonnull(location);
    ck_assert_uint_lt(strlen(location) + sizeof "Location: \r\n", RESPONSE_HEADERS_SIZE);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("response");
    TCase *plans = tcase_create("plans");
    /* each test twice: without a file cache (0) and with one (1) */
    tcase_add_loop_test(plans, test_file_200, 0, 2);
    tcase_add_loop_test(plans, test_head_and_empty, 0, 2);
    tcase_add_loop_test(plans, test_redirect_301, 0, 2);
    tcase_add_loop_test(plans, test_not_found_404, 0, 2);
    tcase_add_loop_test(plans, test_bad_path_400, 0, 2);
    tcase_add_loop_test(plans, test_method_405_and_body_413, 0, 2);
    tcase_add_loop_test(plans, test_handshake_endpoint, 0, 2);
    tcase_add_test(plans, test_errors_without_request);
    tcase_add_loop_test(plans, test_conditional, 0, 2);
    tcase_add_loop_test(plans, test_ranges, 0, 2);
    tcase_add_loop_test(plans, test_precompressed, 0, 2);
    tcase_add_loop_test(plans, test_error_page, 0, 2);
    suite_add_tcase(suite, plans);
    TCase *location = tcase_create("location");
    tcase_add_test(location, test_location);
    tcase_add_test(location, test_location_room);
    suite_add_tcase(suite, location);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* http.h: HTTP/1.x request parsing and response heads. Pure functions over
 * buffers: no I/O, no allocation. */
#ifndef TLSD_HTTP_H
#define TLSD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADER_BYTES 8192   /* request line + headers; beyond: 431 */
#define HTTP_MAX_TARGET_BYTES 4096   /* request-target; beyond: 414 */

enum http_method { HTTP_METHOD_OTHER = 0, HTTP_METHOD_GET, HTTP_METHOD_HEAD };

/* A header field's value as sent (OWS trimmed), pointing into the buffer;
 * value NULL when absent. A field that may not be repeated, or a list
 * field sent on several lines (which would have to be joined), is kept
 * as absent with `repeated` set: every one of these is advisory (a
 * validator, a range, a preference), and ignoring it is always safe. */
struct http_field {
    const char *value;
    size_t length;
    bool repeated;
};

struct http_request {
    enum http_method method;
    const char *method_text;  size_t method_length;   /* point into the buffer */
    const char *target;       size_t target_length;   /* as sent, e.g. "/a%20b?x=1" */
    const char *path;         size_t path_length;     /* target without ?query / #fragment, still encoded */
    int version_minor;        /* HTTP/1.<minor>: 0 or 1 */
    bool keep_alive;          /* after the Connection header and the version's default */
    bool has_body;            /* Content-Length > 0 or any Transfer-Encoding */
    const char *host;         size_t host_length;     /* NULL if absent */
    /* What response.c and conditional.c need (RFC 9110 13, 14; 12.5.3). */
    struct http_field if_match;
    struct http_field if_none_match;
    struct http_field if_modified_since;
    struct http_field if_unmodified_since;
    struct http_field range;
    struct http_field if_range;
    struct http_field accept_encoding;
    struct http_field user_agent;   /* only logged (connection.c) */
};

/* Result of http_parse_request(). */
enum http_parse_result {
    HTTP_PARSE_INCOMPLETE = 0,   /* need more bytes (and fewer than the limit were given) */
    HTTP_PARSE_COMPLETE   = 1,   /* *consumed = bytes of request line + headers + blank line */
    HTTP_PARSE_ERROR      = -1,  /* *status = the status to answer with: 400, 414, 431, 505 */
};

/* Parse one request head from buf[0..length). Accepts CRLF and bare LF
 * line ends, rejects NUL and control bytes in the head (400), obsolete
 * line folding (400), a missing Host in HTTP/1.1 (400), versions other
 * than HTTP/1.0 and 1.1 (505), a target longer than HTTP_MAX_TARGET_BYTES
 * (414), a head longer than HTTP_MAX_HEADER_BYTES (431, also when
 * INCOMPLETE would otherwise be returned with length >= the limit).
 * Methods other than GET and HEAD parse fine with method OTHER: the caller
 * answers 405. */
enum http_parse_result http_parse_request(const char *buf, size_t length,
                                          struct http_request *request,
                                          size_t *consumed, int *status);

/* "OK", "Not Found", ... ; "Unknown" for codes it does not know. */
const char *http_status_text(int status);

/* Write a response head into out[0..out_size): status line, Server, Date
 * (from `now`, seconds since the epoch), Content-Type (omitted if NULL),
 * Content-Length (not for 1xx, 204 and 304: RFC 9110 8.6; content_length
 * is then unused), Connection: keep-alive|close, then `extra_headers`
 * verbatim (each line ending in \r\n; may be NULL), then the blank line.
 * Returns the length written, or 0 if it did not fit. */
size_t http_format_head(char *out, size_t out_size, int status,
                        const char *content_type, uint64_t content_length,
                        bool keep_alive, const char *extra_headers, long long now);

/* The headers every response carries, into out (NUL-terminated):
 * Strict-Transport-Security when hsts_seconds > 0, Content-Security-Policy
 * when csp is not NULL, X-Content-Type-Options and Referrer-Policy, then
 * `more` verbatim (may be NULL). What does not fit is left out. */
void http_format_security_headers(char *out, size_t out_size, unsigned long hsts_seconds, const char *csp,
                                  const char *more);

/* An HTTP-date (RFC 9110 5.6.7) in its preferred form, IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT"), of `seconds` since the epoch.
 * Returns the length written (NUL-terminated; 29), 0 if out_size < 30. */
size_t http_date_format(char *out, size_t out_size, long long seconds);

/* Parse an HTTP-date in any of its three forms (IMF-fixdate, obsolete
 * RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37
 * 1994"), exactly as RFC 9110 5.6.7 gives them: case-sensitive names, no
 * extra or missing spaces, a day that exists in its month, 00:00:00 to
 * 23:59:60. The day name need not agree with the date. A two-digit year
 * is 1970-2069: RFC 9110's "more than 50 years in the future is in the
 * past century" needs a clock, and this is a pure function; the two
 * differ only for years RFC 9110 puts 44 or more years ahead (70-76 in
 * 2026, one more each year). Returns true and sets *seconds, or
 * false for anything else (then the field is ignored). */
bool http_date_parse(const char *text, size_t length, long long *seconds);

/* A small HTML body for an error status, e.g. "<!doctype html>...404 Not
 * Found...". Returns its length written into out (NUL-terminated), 0 if
 * it did not fit. */
size_t http_error_body(char *out, size_t out_size, int status);

/* Percent-encode a decoded path for a Location header: every byte but
 * unreserved characters, sub-delims, ':', '@' and '/' becomes %XX, so no
 * CR, LF or space a client smuggled in through %0d%0a can reach the head.
 * Returns the length written (NUL-terminated), 0 if it did not fit. */
size_t http_encode_path(const char *path, size_t length, char *out, size_t out_size);

#endif

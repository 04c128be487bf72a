/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: HTTP/1.x request head parser and response heads (see http.h).
 *
 * The parser reads untrusted bytes: it is a pure function over
 * buf[0..length), allocates nothing, never looks at a byte at or past
 * `length`, and treats every byte value (NUL included) as data. It is
 * re-run from the start each time more bytes arrive; the head is at most
 * HTTP_MAX_HEADER_BYTES, so that costs little and keeps it stateless.
 *
 * Decisions beyond RFC 9112's MUSTs, all on the strict side:
 * - Methods are case-sensitive (RFC 9110 9.1): "get" is a well-formed
 *   token, so it parses as HTTP_METHOD_OTHER and the caller answers 405.
 * - The request-target is VCHAR only: a byte >= 0x80 there is 400 (browsers
 *   percent-encode; RFC 3986 has no raw non-ASCII). Field values may carry
 *   obs-text (0x80-0xFF) as RFC 9110 allows.
 * - Content-Length and Transfer-Encoding together: 400 (RFC 9112 6.1 allows
 *   rejecting; it is the request-smuggling shape, and tlsd reads no bodies).
 * - A Host value (and an absolute-form authority) with bytes outside
 *   RFC 3986's host/port characters, e.g. space, '/', '@': 400
 *   (RFC 9112 3.2: "invalid field value").
 * - Versions other than exactly HTTP/1.0 and HTTP/1.1 are 505, HTTP/1.2
 *   included, as http.h promises.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L   /* gmtime_r */
#endif

#include "http.h"
#include "hex.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define HTTP_MAX_HEADER_LINES 100

/* Internal step results. */
enum step { STEP_DONE, STEP_MORE, STEP_FAIL };

/* tchar, RFC 9110 5.6.2 */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

static bool is_vchar(unsigned char c) { return c >= 0x21 && c <= 0x7e; }
static bool is_ows(unsigned char c) { return c == ' ' || c == '\t'; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* field-value bytes: VCHAR, obs-text, SP, HTAB. Everything else (NUL, CR,
 * LF, other controls, DEL) is refused. */
static bool is_field_byte(unsigned char c) { return is_vchar(c) || c >= 0x80 || is_ows(c); }

/* uri-host [":" port] bytes: unreserved, pct-encoded, sub-delims, ':' and
 * the brackets of an IP-literal. */
static bool is_host_byte(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return strchr("-._~%!$&'()*+,;=:[]", c) != NULL && c != '\0';
}

static bool valid_host(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_host_byte(s[i]))
            return false;
    return true;
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Case-insensitive (ASCII) comparison of s[0..n) with a lowercase literal. */
static bool equals_ci(const unsigned char *s, size_t n, const char *lower)
{
    size_t m = strlen(lower);
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s[i]) != (unsigned char)lower[i])
            return false;
    return true;
}

/* What the header fields said, before they are folded into the request. */
struct head_state {
    bool seen_host;
    bool seen_content_length;
    uint64_t content_length;
    bool seen_transfer_encoding;
    bool connection_close;
    bool connection_keep_alive;
    bool absolute_form;
    const unsigned char *authority;
    size_t authority_length;
};

/* Request line: method SP request-target SP HTTP-version CRLF, one space
 * each, nothing else. On STEP_DONE *pos is just past the line end. */
static enum step parse_request_line(const unsigned char *b, size_t end, size_t *pos,
                                    struct http_request *req, int *status)
{
    size_t p = *pos;

    size_t method_start = p;
    while (p < end && is_tchar(b[p]))
        p++;
    if (p == end)
        return STEP_MORE;
    if (p == method_start || b[p] != ' ') {
        *status = 400;
        return STEP_FAIL;
    }
    req->method_text = (const char *)b + method_start;
    req->method_length = p - method_start;
    p++;

    size_t target_start = p;
    while (p < end && is_vchar(b[p])) {
        p++;
        /* Known to be too long before the line is complete: say so now. */
        if (p - target_start > HTTP_MAX_TARGET_BYTES) {
            *status = 414;
            return STEP_FAIL;
        }
    }
    if (p == end)
        return STEP_MORE;
    if (p == target_start || b[p] != ' ') {
        *status = 400;
        return STEP_FAIL;
    }
    req->target = (const char *)b + target_start;
    req->target_length = p - target_start;
    p++;

    /* HTTP-version = "HTTP/" DIGIT "." DIGIT (case-sensitive) */
    static const char proto[] = "HTTP/";
    for (size_t i = 0; i < sizeof proto - 1; i++, p++) {
        if (p == end)
            return STEP_MORE;
        if (b[p] != (unsigned char)proto[i]) {
            *status = 400;
            return STEP_FAIL;
        }
    }
    int digits[2];
    for (int i = 0; i < 2; i++) {
        if (p == end)
            return STEP_MORE;
        if (!is_digit(b[p])) {
            *status = 400;
            return STEP_FAIL;
        }
        digits[i] = b[p] - '0';
        p++;
        if (i == 0) {
            if (p == end)
                return STEP_MORE;
            if (b[p] != '.') {
                *status = 400;
                return STEP_FAIL;
            }
            p++;
        }
    }
    if (p == end)
        return STEP_MORE;
    if (b[p] == '\r') {
        p++;
        if (p == end)
            return STEP_MORE;
    }
    if (b[p] != '\n') {
        *status = 400;
        return STEP_FAIL;
    }
    p++;

    if (digits[0] != 1 || digits[1] > 1) {
        *status = 505;
        return STEP_FAIL;
    }
    req->version_minor = digits[1];
    *pos = p;
    return STEP_DONE;
}

/* Sort out the request-target's form and set path (RFC 9112 3.2). */
static bool classify_target(struct http_request *req, struct head_state *hs)
{
    const unsigned char *t = (const unsigned char *)req->target;
    size_t n = req->target_length;

    if (t[0] == '/') {                                   /* origin-form */
        size_t i = 0;
        while (i < n && t[i] != '?' && t[i] != '#')
            i++;
        req->path = req->target;
        req->path_length = i;
        return true;
    }
    if (n == 1 && t[0] == '*') {                         /* asterisk-form */
        if (req->method != HTTP_METHOD_OTHER)
            return false;
        req->path = req->target;
        req->path_length = 1;
        return true;
    }

    /* absolute-form: http(s)://authority[/path][?query] */
    size_t colon = 0;
    while (colon < n && t[colon] != ':')
        colon++;
    if (!(equals_ci(t, colon, "http") || equals_ci(t, colon, "https")))
        return false;
    if (n - colon < 3 || t[colon + 1] != '/' || t[colon + 2] != '/')
        return false;
    size_t a = colon + 3, e = a;
    while (e < n && t[e] != '/' && t[e] != '?' && t[e] != '#')
        e++;
    if (e == a || !valid_host(t + a, e - a))
        return false;
    hs->absolute_form = true;
    hs->authority = t + a;
    hs->authority_length = e - a;
    if (e < n && t[e] == '/') {
        size_t i = e;
        while (i < n && t[i] != '?' && t[i] != '#')
            i++;
        req->path = (const char *)t + e;
        req->path_length = i - e;
    } else {
        req->path = "/";                                 /* "https://host" or "https://host?q" */
        req->path_length = 1;
    }
    return true;
}

/* Connection: #connection-option, comma separated, case-insensitive. */
static void parse_connection(const unsigned char *v, size_t n, struct head_state *hs)
{
    size_t i = 0;
    while (i <= n) {
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (s < e && is_ows(v[s]))
            s++;
        while (e > s && is_ows(v[e - 1]))
            e--;
        if (equals_ci(v + s, e - s, "close"))
            hs->connection_close = true;
        else if (equals_ci(v + s, e - s, "keep-alive"))
            hs->connection_keep_alive = true;
        i++;   /* past the comma (or past the end: loop ends) */
    }
}

/* One header field line [ls, le) without its line end. */
static enum step parse_field_line(const unsigned char *b, size_t ls, size_t le,
                                  struct http_request *req, struct head_state *hs, int *status)
{
    *status = 400;
    if (is_ows(b[ls]))              /* obs-fold, or whitespace before the first field */
        return STEP_FAIL;

    size_t q = ls;
    while (q < le && is_tchar(b[q]))
        q++;
    if (q == ls || q == le || b[q] != ':')   /* empty name, no colon, space before colon, ... */
        return STEP_FAIL;
    const unsigned char *name = b + ls;
    size_t name_length = q - ls;

    size_t vs = q + 1, ve = le;
    while (vs < ve && is_ows(b[vs]))
        vs++;
    while (ve > vs && is_ows(b[ve - 1]))
        ve--;
    for (size_t i = vs; i < ve; i++)
        if (!is_field_byte(b[i]))
            return STEP_FAIL;
    const unsigned char *value = b + vs;
    size_t value_length = ve - vs;

    if (equals_ci(name, name_length, "host")) {
        if (hs->seen_host || !valid_host(value, value_length))
            return STEP_FAIL;
        hs->seen_host = true;
        req->host = (const char *)value;
        req->host_length = value_length;
    } else if (equals_ci(name, name_length, "connection")) {
        parse_connection(value, value_length, hs);
    } else if (equals_ci(name, name_length, "content-length")) {
        if (value_length == 0)
            return STEP_FAIL;
        uint64_t cl = 0;
        for (size_t i = 0; i < value_length; i++) {
            if (!is_digit(value[i]))
                return STEP_FAIL;
            unsigned d = (unsigned)(value[i] - '0');
            if (cl > (UINT64_MAX - d) / 10)
                return STEP_FAIL;
            cl = cl * 10 + d;
        }
        if (hs->seen_content_length && hs->content_length != cl)
            return STEP_FAIL;
        hs->seen_content_length = true;
        hs->content_length = cl;
    } else if (equals_ci(name, name_length, "transfer-encoding")) {
        hs->seen_transfer_encoding = true;
    }
    *status = 0;
    return STEP_DONE;
}

/* The head within b[0..end). */
static enum step parse_head(const unsigned char *b, size_t end, struct http_request *req,
                            size_t *consumed, int *status)
{
    struct head_state hs;
    memset(&hs, 0, sizeof hs);
    size_t p = 0;

    /* RFC 9112 2.2: ignore empty lines before the request line. */
    while (p < end && (b[p] == '\r' || b[p] == '\n')) {
        if (b[p] == '\r') {
            if (p + 1 == end)
                return STEP_MORE;
            if (b[p + 1] != '\n') {
                *status = 400;
                return STEP_FAIL;
            }
            p++;
        }
        p++;
    }

    enum step s = parse_request_line(b, end, &p, req, status);
    if (s != STEP_DONE)
        return s;
    if (req->method_length == 3 && memcmp(req->method_text, "GET", 3) == 0)
        req->method = HTTP_METHOD_GET;
    else if (req->method_length == 4 && memcmp(req->method_text, "HEAD", 4) == 0)
        req->method = HTTP_METHOD_HEAD;
    else
        req->method = HTTP_METHOD_OTHER;
    if (!classify_target(req, &hs)) {
        *status = 400;
        return STEP_FAIL;
    }

    for (unsigned lines = 0;; ) {
        const unsigned char *lf = memchr(b + p, '\n', end - p);
        if (lf == NULL)
            return STEP_MORE;
        size_t ls = p, le = (size_t)(lf - b), next = le + 1;
        if (le > ls && b[le - 1] == '\r')
            le--;
        p = next;
        if (le == ls)
            break;                  /* the blank line: end of head */
        if (++lines > HTTP_MAX_HEADER_LINES) {
            *status = 431;
            return STEP_FAIL;
        }
        s = parse_field_line(b, ls, le, req, &hs, status);
        if (s != STEP_DONE)
            return s;
    }

    if ((req->version_minor == 1 && !hs.seen_host) ||
        (hs.seen_content_length && hs.seen_transfer_encoding)) {
        *status = 400;
        return STEP_FAIL;
    }
    if (hs.absolute_form) {         /* RFC 9112 3.2.2: the target's authority wins */
        req->host = (const char *)hs.authority;
        req->host_length = hs.authority_length;
    }
    req->has_body = hs.seen_transfer_encoding || hs.content_length > 0;
    if (hs.connection_close)
        req->keep_alive = false;
    else
        req->keep_alive = req->version_minor == 1 || hs.connection_keep_alive;
    *consumed = p;
    return STEP_DONE;
}

enum http_parse_result http_parse_request(const char *buf, size_t length,
                                          struct http_request *request,
                                          size_t *consumed, int *status)
{
    size_t used = 0;
    int code = 0;
    memset(request, 0, sizeof *request);

    /* Only the first HTTP_MAX_HEADER_BYTES can hold an acceptable head. */
    size_t end = length < HTTP_MAX_HEADER_BYTES ? length : HTTP_MAX_HEADER_BYTES;
    enum http_parse_result result;
    switch (end ? parse_head((const unsigned char *)buf, end, request, &used, &code) : STEP_MORE) {
    case STEP_DONE:
        result = HTTP_PARSE_COMPLETE;
        break;
    case STEP_MORE:
        if (length >= HTTP_MAX_HEADER_BYTES) {
            code = 431;
            result = HTTP_PARSE_ERROR;
        } else {
            result = HTTP_PARSE_INCOMPLETE;
        }
        break;
    default:
        result = HTTP_PARSE_ERROR;
        break;
    }
    if (result != HTTP_PARSE_COMPLETE) {
        memset(request, 0, sizeof *request);
        used = 0;
    }
    if (result != HTTP_PARSE_ERROR)
        code = 0;
    if (consumed)
        *consumed = used;
    if (status)
        *status = code;
    return result;
}

const char *http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default:  return "Unknown";
    }
}

/* IMF-fixdate (RFC 9110 5.6.7) without the locale: "Sun, 06 Nov 1994 08:49:37 GMT". */
static size_t format_imf_date(char *out, size_t out_size, long long now)
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t t = (time_t)now;
    struct tm tm;
    if ((long long)t != now || gmtime_r(&t, &tm) == NULL)
        return 0;
    if (tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
        tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
        return 0;
    int n = snprintf(out, out_size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                     days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    return (n > 0 && (size_t)n < out_size) ? (size_t)n : 0;
}

/* Append s[0..n) at *pos if it fits; false otherwise. */
static bool append(char *out, size_t out_size, size_t *pos, const char *s, size_t n)
{
    if (n > out_size - *pos)
        return false;
    memcpy(out + *pos, s, n);
    *pos += n;
    return true;
}

static bool append_str(char *out, size_t out_size, size_t *pos, const char *s)
{
    return append(out, out_size, pos, s, strlen(s));
}

size_t http_format_head(char *out, size_t out_size, int status,
                        const char *content_type, uint64_t content_length,
                        bool keep_alive, const char *extra_headers, long long now)
{
    char line[96], date[48], length_text[32];

    if (out == NULL || status < 100 || status > 999)
        return 0;
    int n = snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", status, http_status_text(status));
    if (n <= 0 || (size_t)n >= sizeof line)
        return 0;
    if (format_imf_date(date, sizeof date, now) == 0)
        return 0;
    snprintf(length_text, sizeof length_text, "%llu", (unsigned long long)content_length);

    size_t pos = 0;
    bool ok = append(out, out_size, &pos, line, (size_t)n) &&
              append_str(out, out_size, &pos, "Server: tlsd\r\nDate: ") &&
              append_str(out, out_size, &pos, date) &&
              append_str(out, out_size, &pos, "\r\n");
    if (ok && content_type != NULL)
        ok = append_str(out, out_size, &pos, "Content-Type: ") &&
             append_str(out, out_size, &pos, content_type) &&
             append_str(out, out_size, &pos, "\r\n");
    ok = ok && append_str(out, out_size, &pos, "Content-Length: ") &&
         append_str(out, out_size, &pos, length_text) &&
         append_str(out, out_size, &pos, keep_alive ? "\r\nConnection: keep-alive\r\n"
                                                    : "\r\nConnection: close\r\n");
    if (ok && extra_headers != NULL)
        ok = append_str(out, out_size, &pos, extra_headers);
    ok = ok && append_str(out, out_size, &pos, "\r\n");
    if (!ok)
        return 0;
    if (pos < out_size)             /* a courtesy for logging and tests */
        out[pos] = '\0';
    return pos;
}

size_t http_error_body(char *out, size_t out_size, int status)
{
    if (out == NULL || out_size == 0)
        return 0;
    const char *text = http_status_text(status);
    int n = snprintf(out, out_size,
                     "<!doctype html><html><head><meta charset=\"utf-8\">"
                     "<title>%d %s</title></head><body><h1>%d %s</h1></body></html>\n",
                     status, text, status, text);
    if (n <= 0 || (size_t)n >= out_size) {
        out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

size_t http_encode_path(const char *path, size_t length, char *out, size_t out_size)
{
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char byte = (unsigned char)path[i];
        bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                     (byte >= '0' && byte <= '9') || (byte != 0 && strchr(keep, byte) != NULL);
        size_t need = plain ? 1 : 3;
        if (used + need >= out_size)
            return 0;
        if (plain) {
            out[used++] = (char)byte;
        } else {
            out[used++] = '%';
            out[used++] = hex_digit_upper(byte >> 4);
            out[used++] = hex_digit_upper(byte);
        }
    }
    if (used >= out_size)
        return 0;
    out[used] = '\0';
    return used;
}

void http_format_security_headers(char *out, size_t out_size, unsigned long hsts_seconds, const char *csp,
                                  const char *more)
{
    size_t used = 0;
    out[0] = '\0';
    if (hsts_seconds > 0)
        used += (size_t)snprintf(out + used, out_size - used, "Strict-Transport-Security: max-age=%lu\r\n",
                                 hsts_seconds);
    if (csp && used < out_size)
        used += (size_t)snprintf(out + used, out_size - used, "Content-Security-Policy: %s\r\n", csp);
    if (used < out_size)
        used += (size_t)snprintf(out + used, out_size - used,
                                 "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n");
    if (more && used < out_size)
        snprintf(out + used, out_size - used, "%s", more);
}

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
#include "http.h"
#include "hex.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "http_syntax.h"

#define HTTP_MAX_HEADER_LINES 100

/* Internal step results. */
enum step { STEP_DONE, STEP_MORE, STEP_FAIL };

/* field-value bytes: VCHAR, obs-text, SP, HTAB. Everything else (NUL, CR,
 * LF, other controls, DEL) is refused. */
static bool is_field_byte(unsigned char c) { return http_is_vchar(c) || c >= 0x80 || http_is_ows(c); }

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
    while (p < end && http_is_tchar(b[p]))
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
    while (p < end && http_is_vchar(b[p])) {
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
        if (!http_is_digit(b[p])) {
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
    if (!(http_equals_ci(t, colon, "http") || http_equals_ci(t, colon, "https")))
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
        while (s < e && http_is_ows(v[s]))
            s++;
        while (e > s && http_is_ows(v[e - 1]))
            e--;
        if (http_equals_ci(v + s, e - s, "close"))
            hs->connection_close = true;
        else if (http_equals_ci(v + s, e - s, "keep-alive"))
            hs->connection_keep_alive = true;
        i++;   /* past the comma (or past the end: loop ends) */
    }
}

/* Content-Length: 1*DIGIT within 64 bits; a repeat must say the same. */
static bool parse_content_length(const unsigned char *value, size_t length, struct head_state *hs)
{
    if (length == 0)
        return false;
    uint64_t cl = 0;
    for (size_t i = 0; i < length; i++) {
        if (!http_is_digit(value[i]))
            return false;
        unsigned d = (unsigned)(value[i] - '0');
        if (cl > (UINT64_MAX - d) / 10)
            return false;
        cl = cl * 10 + d;
    }
    if (hs->seen_content_length && hs->content_length != cl)
        return false;
    hs->seen_content_length = true;
    hs->content_length = cl;
    return true;
}

/* The advisory fields struct http_request keeps (RFC 9110 13, 14, 12.5.3),
 * by lowercase name. */
static struct http_field *advisory_field(struct http_request *req, const unsigned char *name, size_t n)
{
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        { "if-match", offsetof(struct http_request, if_match) },
        { "if-none-match", offsetof(struct http_request, if_none_match) },
        { "if-modified-since", offsetof(struct http_request, if_modified_since) },
        { "if-unmodified-since", offsetof(struct http_request, if_unmodified_since) },
        { "range", offsetof(struct http_request, range) },
        { "if-range", offsetof(struct http_request, if_range) },
        { "accept-encoding", offsetof(struct http_request, accept_encoding) },
        { "user-agent", offsetof(struct http_request, user_agent) },   /* for the request's log line */
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (http_equals_ci(name, n, fields[i].name))
            return (struct http_field *)(void *)((char *)req + fields[i].offset);
    return NULL;
}

/* A second line of the same field makes it absent for good (http.h):
 * joining list lines would need a copy, and every one of these may be
 * ignored safely. */
static void capture_field(struct http_field *field, const unsigned char *value, size_t length)
{
    if (field->value != NULL || field->repeated) {
        field->value = NULL;
        field->length = 0;
        field->repeated = true;
        return;
    }
    field->value = (const char *)value;
    field->length = length;
}

/* One header field line [ls, le) without its line end. */
static enum step parse_field_line(const unsigned char *b, size_t ls, size_t le,
                                  struct http_request *req, struct head_state *hs, int *status)
{
    *status = 400;
    if (http_is_ows(b[ls]))              /* obs-fold, or whitespace before the first field */
        return STEP_FAIL;

    size_t q = ls;
    while (q < le && http_is_tchar(b[q]))
        q++;
    if (q == ls || q == le || b[q] != ':')   /* empty name, no colon, space before colon, ... */
        return STEP_FAIL;
    const unsigned char *name = b + ls;
    size_t name_length = q - ls;

    size_t vs = q + 1, ve = le;
    while (vs < ve && http_is_ows(b[vs]))
        vs++;
    while (ve > vs && http_is_ows(b[ve - 1]))
        ve--;
    for (size_t i = vs; i < ve; i++)
        if (!is_field_byte(b[i]))
            return STEP_FAIL;
    const unsigned char *value = b + vs;
    size_t value_length = ve - vs;

    if (http_equals_ci(name, name_length, "host")) {
        if (hs->seen_host || !valid_host(value, value_length))
            return STEP_FAIL;
        hs->seen_host = true;
        req->host = (const char *)value;
        req->host_length = value_length;
    } else if (http_equals_ci(name, name_length, "connection")) {
        parse_connection(value, value_length, hs);
    } else if (http_equals_ci(name, name_length, "content-length")) {
        if (!parse_content_length(value, value_length, hs))
            return STEP_FAIL;
    } else if (http_equals_ci(name, name_length, "transfer-encoding")) {
        hs->seen_transfer_encoding = true;
    } else {
        struct http_field *field = advisory_field(req, name, name_length);
        if (field != NULL)
            capture_field(field, value, value_length);
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

/* ------------------------------------------------------------ HTTP-date
 * RFC 9110 5.6.7, without the locale, time zones or timegm(): the
 * proleptic Gregorian calendar computed here (H. Hinnant's days-from-civil
 * and civil-from-days), so that both directions are pure and the same on
 * every libc. Years 0000 to 9999: what a 4DIGIT year can say. */

static const char *const day_names[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const day_names_long[7] = { "Sunday", "Monday", "Tuesday", "Wednesday",
                                               "Thursday", "Friday", "Saturday" };
static const char *const month_names[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

#define SECONDS_PER_DAY 86400LL
#define DAYS_TO_YEAR_0 (-719528LL)          /* days_from_civil(0, 1, 1) */
#define DAYS_TO_YEAR_10000 2932897LL        /* days_from_civil(10000, 1, 1) */

struct civil_time {
    long long year;
    int month;   /* 1..12 */
    int day;     /* 1..31 */
    int hour, minute, second;
};

static bool is_leap_year(long long year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(long long year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

/* Days since 1970-01-01 of a date (year >= 0). */
static long long days_from_civil(long long year, int month, int day)
{
    year -= month <= 2;
    long long era = (year >= 0 ? year : year - 399) / 400;
    long long yoe = year - era * 400;
    long long doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The date of a day count (days since 1970-01-01, year 0 or later). */
static void civil_from_days(long long days, struct civil_time *t)
{
    days += 719468;
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    long long doe = days - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    t->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    t->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    t->year = yoe + era * 400 + (t->month <= 2);
}

size_t http_date_format(char *out, size_t out_size, long long seconds)
{
    if (out == NULL || out_size < 30 || seconds < DAYS_TO_YEAR_0 * SECONDS_PER_DAY ||
        seconds >= DAYS_TO_YEAR_10000 * SECONDS_PER_DAY)
        return 0;
    long long days = seconds / SECONDS_PER_DAY, rest = seconds % SECONDS_PER_DAY;
    if (rest < 0) {
        rest += SECONDS_PER_DAY;
        days--;
    }
    struct civil_time t;
    civil_from_days(days, &t);
    int weekday = (int)(((days % 7) + 11) % 7);   /* 1970-01-01 was a Thursday (4) */
    int n = snprintf(out, out_size, "%s, %02d %s %04lld %02d:%02d:%02d GMT", day_names[weekday], t.day,
                     month_names[t.month - 1], t.year, (int)(rest / 3600), (int)(rest / 60 % 60),
                     (int)(rest % 60));
    return (n > 0 && (size_t)n < out_size) ? (size_t)n : 0;
}

/* A cursor over the date's text: each take_ moves past what it read, or
 * fails; the forms are tried one after the other from the start. */
struct date_text {
    const char *s;
    size_t n, pos;
};

static bool take_literal(struct date_text *d, const char *literal)
{
    size_t m = strlen(literal);
    if (d->n - d->pos < m || memcmp(d->s + d->pos, literal, m) != 0)
        return false;
    d->pos += m;
    return true;
}

/* Exactly `count` digits (count <= 4). */
static bool take_digits(struct date_text *d, size_t count, int *value)
{
    if (d->n - d->pos < count)
        return false;
    int v = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned char c = (unsigned char)d->s[d->pos + i];
        if (!http_is_digit(c))
            return false;
        v = v * 10 + (c - '0');
    }
    d->pos += count;
    *value = v;
    return true;
}

/* One of `count` names, case-sensitive (RFC 9110: %s"..."); *index is its place. */
static bool take_name(struct date_text *d, const char *const *names, size_t count, int *index)
{
    for (size_t i = 0; i < count; i++)
        if (take_literal(d, names[i])) {
            *index = (int)i;
            return true;
        }
    return false;
}

/* time-of-day = hour ":" minute ":" second; 23:59:60 is a leap second */
static bool take_time_of_day(struct date_text *d, struct civil_time *t)
{
    return take_digits(d, 2, &t->hour) && take_literal(d, ":") && take_digits(d, 2, &t->minute) &&
           take_literal(d, ":") && take_digits(d, 2, &t->second) && t->hour <= 23 && t->minute <= 59 &&
           t->second <= 60;
}

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
static bool parse_imf_fixdate(struct date_text *d, struct civil_time *t)
{
    int ignored, year;
    if (!(take_name(d, day_names, 7, &ignored) && take_literal(d, ", ") &&
          take_digits(d, 2, &t->day) && take_literal(d, " ") &&
          take_name(d, month_names, 12, &t->month) && take_literal(d, " ") &&
          take_digits(d, 4, &year) && take_literal(d, " ") && take_time_of_day(d, t) &&
          take_literal(d, " GMT")))
        return false;
    t->month++;
    t->year = year;
    return true;
}

/* rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT". RFC 9110's 50-year rule
 * needs today's date, which a pure function does not have: the fixed
 * window 1970-2069 (http.h) never falls before the epoch, and differs
 * from the rule only for dates decades ahead, which no validator has. */
static bool parse_rfc850_date(struct date_text *d, struct civil_time *t)
{
    int ignored, year;
    if (!(take_name(d, day_names_long, 7, &ignored) && take_literal(d, ", ") &&
          take_digits(d, 2, &t->day) && take_literal(d, "-") &&
          take_name(d, month_names, 12, &t->month) && take_literal(d, "-") &&
          take_digits(d, 2, &year) && take_literal(d, " ") && take_time_of_day(d, t) &&
          take_literal(d, " GMT")))
        return false;
    t->month++;
    t->year = year < 70 ? 2000 + year : 1900 + year;
    return true;
}

/* asctime-date: "Sun Nov  6 08:49:37 1994" (day: 2DIGIT or SP DIGIT) */
static bool parse_asctime_date(struct date_text *d, struct civil_time *t)
{
    int ignored, year;
    if (!(take_name(d, day_names, 7, &ignored) && take_literal(d, " ") &&
          take_name(d, month_names, 12, &t->month) && take_literal(d, " ")))
        return false;
    if (!(take_literal(d, " ") ? take_digits(d, 1, &t->day) : take_digits(d, 2, &t->day)))
        return false;
    if (!(take_literal(d, " ") && take_time_of_day(d, t) && take_literal(d, " ") && take_digits(d, 4, &year)))
        return false;
    t->month++;
    t->year = year;
    return true;
}

bool http_date_parse(const char *text, size_t length, long long *seconds)
{
    static bool (*const forms[])(struct date_text *, struct civil_time *) = {
        parse_imf_fixdate, parse_rfc850_date, parse_asctime_date,
    };
    if (text == NULL || seconds == NULL)
        return false;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        struct date_text d = { text, length, 0 };
        struct civil_time t;
        if (!forms[i](&d, &t) || d.pos != length)
            continue;
        if (t.day < 1 || t.day > days_in_month(t.year, t.month))
            return false;
        *seconds = days_from_civil(t.year, t.month, t.day) * SECONDS_PER_DAY + t.hour * 3600LL +
                   t.minute * 60LL + t.second;
        return true;
    }
    return false;
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

/* RFC 9110 8.6: no Content-Length in a 1xx or 204; in a 304 it would have
 * to be the 200's length, which the head's caller does not always know. */
static bool has_content_length(int status)
{
    return status >= 200 && status != 204 && status != 304;
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
    if (http_date_format(date, sizeof date, now) == 0)
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
    if (ok && has_content_length(status))
        ok = append_str(out, out_size, &pos, "Content-Length: ") &&
             append_str(out, out_size, &pos, length_text) && append_str(out, out_size, &pos, "\r\n");
    ok = ok && append_str(out, out_size, &pos, keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
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

/* SPDX-License-Identifier: Apache-2.0 */
/* http_syntax.h: the byte classes and the field cursor of RFC 9110's
 * grammar, shared by the parsers of untrusted header fields (http.c,
 * conditional.c, accept_encoding.c): one definition of a tchar, of OWS,
 * of a case-insensitive token. Pure, header-only. */
#ifndef TLSD_HTTP_SYNTAX_H
#define TLSD_HTTP_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool http_is_ows(unsigned char c) { return c == ' ' || c == '\t'; }
static inline bool http_is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool http_is_vchar(unsigned char c) { return c >= 0x21 && c <= 0x7e; }

/* tchar, RFC 9110 5.6.2 */
static inline bool http_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || http_is_digit(c))
        return true;
    switch (c) {   /* a switch, not strchr: every header name byte comes here */
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

static inline unsigned char http_ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Case-insensitive (ASCII) comparison of s[0..n) with a lowercase literal. */
static inline bool http_equals_ci(const unsigned char *s, size_t n, const char *lower)
{
    if (strlen(lower) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (http_ascii_lower(s[i]) != (unsigned char)lower[i])
            return false;
    return true;
}

/* A cursor over one field's value: s[pos..n). */
struct http_cursor {
    const unsigned char *s;
    size_t n, pos;
};

static inline void http_skip_ows(struct http_cursor *f)
{
    while (f->pos < f->n && http_is_ows(f->s[f->pos]))
        f->pos++;
}

static inline bool http_at(const struct http_cursor *f, unsigned char c)
{
    return f->pos < f->n && f->s[f->pos] == c;
}

/* 1*tchar at the cursor; its length, 0 if there is none. */
static inline size_t http_take_token(struct http_cursor *f)
{
    size_t start = f->pos;
    while (f->pos < f->n && http_is_tchar(f->s[f->pos]))
        f->pos++;
    return f->pos - start;
}

#endif

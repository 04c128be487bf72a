/* SPDX-License-Identifier: Apache-2.0 */
/* conditional.c: validators, conditional requests and byte ranges (see
 * conditional.h; RFC 9110 8.8, 13, 14).
 *
 * Every field here comes from the client: each parser is a pure function
 * over field[0..length), reads no byte at or past `length`, allocates
 * nothing, and answers "invalid" rather than guess. An invalid field is
 * ignored by conditional_evaluate(), which is always safe: the client gets
 * the whole, current representation.
 *
 * Decisions where RFC 9110 leaves room:
 * - An empty field, or a list with no element, is invalid.
 * - A Range list may have OWS before and after each element (also right
 *   after "bytes="); nothing else may hold spaces ("bytes = 0-1" and
 *   "0 - 1" are invalid).
 * - Ranges that do not overlap the representation are dropped; the rest
 *   are merged where they overlap or touch. One range left: 206; more:
 *   the whole 200 (tlsd sends no multipart/byteranges).
 * - A zero-length representation: "bytes=-N" (N > 0) is satisfiable
 *   (RFC 9110 14.1.1) but has no bytes to send: the whole (empty) 200;
 *   every other range is unsatisfiable (416).
 * - CONDITIONAL_MAX_RANGES counts the ranges asked for, before merging:
 *   the cost of a field is in its length, not in what it merges to.
 * - If-Range invalid or sent twice does not hold: ignoring it would serve
 *   a part of a representation the client may no longer have.
 */
#include "conditional.h"

#include <stdio.h>
#include <string.h>

#include "http_syntax.h"


/* etagc = %x21 / %x23-7E / obs-text (RFC 9110 8.8.3) */
static bool is_etagc(unsigned char c) { return c == 0x21 || (c >= 0x23 && c != 0x7f); }

/* The field without its surrounding OWS, as a cursor. */
static struct http_cursor trimmed(const char *field, size_t length)
{
    struct http_cursor f = { (const unsigned char *)field, field ? length : 0, 0 };
    http_skip_ows(&f);
    while (f.n > f.pos && http_is_ows(f.s[f.n - 1]))
        f.n--;
    return f;
}

/* ------------------------------------------------------------ entity-tags */

size_t conditional_etag(char *out, size_t out_size, uint64_t inode, uint64_t size, long long mtime_seconds,
                        long mtime_nanoseconds, const char *suffix)
{
    if (out == NULL || out_size == 0)
        return 0;
    for (const char *c = suffix; c != NULL && *c != '\0'; c++)
        if (!is_etagc((unsigned char)*c))   /* a quote or a space would end the tag early */
            return 0;
    int n = snprintf(out, out_size, "\"%llx-%llx-%llx.%lx%s%s\"", (unsigned long long)inode,
                     (unsigned long long)size, (unsigned long long)mtime_seconds,
                     (unsigned long)mtime_nanoseconds, suffix ? "-" : "", suffix ? suffix : "");
    if (n <= 0 || (size_t)n >= out_size) {
        out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

/* One entity-tag at the cursor: [W/] DQUOTE *etagc DQUOTE. *opaque and
 * *opaque_length: the tag with its quotes, without W/. */
static bool take_entity_tag(struct http_cursor *f, bool *weak, const unsigned char **opaque, size_t *opaque_length)
{
    *weak = f->n - f->pos >= 2 && f->s[f->pos] == 'W' && f->s[f->pos + 1] == '/';
    if (*weak)
        f->pos += 2;
    if (!http_at(f, '"'))
        return false;
    size_t start = f->pos++;
    while (f->pos < f->n && is_etagc(f->s[f->pos]))
        f->pos++;
    if (!http_at(f, '"'))
        return false;
    f->pos++;
    *opaque = f->s + start;
    *opaque_length = f->pos - start;
    return true;
}

/* Does the list tag (weak or not) match the representation's `etag`? */
static bool tags_match(bool weak, const unsigned char *opaque, size_t opaque_length, const char *etag,
                       size_t etag_length, bool strong)
{
    bool etag_weak = etag_length >= 2 && etag[0] == 'W' && etag[1] == '/';
    if (etag_weak) {
        etag += 2;
        etag_length -= 2;
    }
    if (strong && (weak || etag_weak))
        return false;
    return opaque_length == etag_length && memcmp(opaque, etag, etag_length) == 0;
}

enum conditional_match conditional_etag_match(const char *field, size_t length, const char *etag,
                                              size_t etag_length, bool strong)
{
    struct http_cursor f = trimmed(field, length);
    if (f.n - f.pos == 1 && f.s[f.pos] == '*')
        return CONDITIONAL_MATCH;   /* any current representation: the caller has one */

    size_t elements = 0;
    bool matched = false;
    while (f.pos < f.n) {
        if (http_at(&f, ',')) {          /* an empty element */
            f.pos++;
            http_skip_ows(&f);
            continue;
        }
        bool weak;
        const unsigned char *opaque;
        size_t opaque_length;
        if (!take_entity_tag(&f, &weak, &opaque, &opaque_length))
            return CONDITIONAL_INVALID;
        elements++;
        if (etag != NULL && tags_match(weak, opaque, opaque_length, etag, etag_length, strong))
            matched = true;
        http_skip_ows(&f);
        if (f.pos < f.n && !http_at(&f, ','))
            return CONDITIONAL_INVALID;
    }
    if (elements == 0)
        return CONDITIONAL_INVALID;
    return matched ? CONDITIONAL_MATCH : CONDITIONAL_NO_MATCH;
}

/* ------------------------------------------------------------ ranges */

/* One closed interval of byte positions. */
struct byte_range {
    uint64_t first, last;
};

/* 1*DIGIT at the cursor; more than 64 bits saturates to UINT64_MAX. */
static bool take_number(struct http_cursor *f, uint64_t *value)
{
    size_t start = f->pos;
    uint64_t v = 0;
    for (; f->pos < f->n && http_is_digit(f->s[f->pos]); f->pos++) {
        unsigned d = (unsigned)(f->s[f->pos] - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    *value = v;
    return f->pos > start;
}

/* How one range-spec reads against `size`. */
enum range_spec { RANGE_SPEC_INVALID, RANGE_SPEC_UNSATISFIABLE, RANGE_SPEC_EMPTY_SUFFIX, RANGE_SPEC_BYTES };

/* One range-spec at the cursor (int-range or suffix-range), as the bytes
 * of `size` it asks for. */
static enum range_spec take_range_spec(struct http_cursor *f, uint64_t size, struct byte_range *range)
{
    uint64_t first, last = UINT64_MAX, suffix;
    if (http_at(f, '-')) {               /* suffix-range: the last `suffix` bytes */
        f->pos++;
        if (!take_number(f, &suffix))
            return RANGE_SPEC_INVALID;
        if (suffix == 0)
            return RANGE_SPEC_UNSATISFIABLE;
        if (size == 0)
            return RANGE_SPEC_EMPTY_SUFFIX;
        range->first = suffix >= size ? 0 : size - suffix;
        range->last = size - 1;
        return RANGE_SPEC_BYTES;
    }
    if (!take_number(f, &first) || !http_at(f, '-'))
        return RANGE_SPEC_INVALID;
    f->pos++;
    if (f->pos < f->n && http_is_digit(f->s[f->pos]) && (!take_number(f, &last) || last < first))
        return RANGE_SPEC_INVALID;
    if (first >= size)
        return RANGE_SPEC_UNSATISFIABLE;
    range->first = first;
    range->last = last >= size ? size - 1 : last;
    return RANGE_SPEC_BYTES;
}

/* The satisfiable ranges of a range-set (after "bytes="), into ranges[];
 * *count of them, *specs of all; false if the set is malformed or longer
 * than CONDITIONAL_MAX_RANGES. *empty_suffix: a "-N" on an empty file. */
static bool take_range_set(struct http_cursor *f, uint64_t size, struct byte_range *ranges, size_t *count,
                           bool *empty_suffix)
{
    size_t specs = 0;
    *count = 0;
    *empty_suffix = false;
    http_skip_ows(f);
    while (f->pos < f->n) {
        if (http_at(f, ',')) {
            f->pos++;
            http_skip_ows(f);
            continue;
        }
        if (++specs > CONDITIONAL_MAX_RANGES)
            return false;
        enum range_spec spec = take_range_spec(f, size, &ranges[*count]);
        if (spec == RANGE_SPEC_INVALID)
            return false;
        *count += spec == RANGE_SPEC_BYTES;
        *empty_suffix = *empty_suffix || spec == RANGE_SPEC_EMPTY_SUFFIX;
        http_skip_ows(f);
        if (f->pos < f->n && !http_at(f, ','))
            return false;
    }
    return specs > 0;
}

/* Sort by first byte, then merge ranges that overlap or touch; returns
 * how many are left. At most CONDITIONAL_MAX_RANGES: insertion sort. */
static size_t coalesce(struct byte_range *ranges, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        struct byte_range r = ranges[i];
        size_t j = i;
        for (; j > 0 && ranges[j - 1].first > r.first; j--)
            ranges[j] = ranges[j - 1];
        ranges[j] = r;
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        /* last < size <= UINT64_MAX: last + 1 does not wrap */
        if (kept > 0 && ranges[i].first <= ranges[kept - 1].last + 1) {
            if (ranges[i].last > ranges[kept - 1].last)
                ranges[kept - 1].last = ranges[i].last;
        } else {
            ranges[kept++] = ranges[i];
        }
    }
    return kept;
}

/* range-unit "=": "bytes", case-insensitive (RFC 9110 14.1). */
static bool take_bytes_unit(struct http_cursor *f)
{
    static const char unit[] = "bytes=";
    if (f->n - f->pos < sizeof unit - 1)
        return false;
    for (size_t i = 0; i < sizeof unit - 1; i++) {
        unsigned char c = f->s[f->pos + i];
        if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != (unsigned char)unit[i])
            return false;
    }
    f->pos += sizeof unit - 1;
    return true;
}

enum conditional_range conditional_range_parse(const char *field, size_t length, uint64_t size,
                                               uint64_t *first, uint64_t *last)
{
    struct byte_range ranges[CONDITIONAL_MAX_RANGES];
    size_t count = 0;
    bool empty_suffix = false;
    struct http_cursor f = trimmed(field, length);
    if (first)
        *first = 0;
    if (last)
        *last = 0;
    if (!take_bytes_unit(&f) || !take_range_set(&f, size, ranges, &count, &empty_suffix) || empty_suffix)
        return CONDITIONAL_RANGE_NONE;
    count = coalesce(ranges, count);
    if (count == 0)
        return CONDITIONAL_RANGE_UNSATISFIABLE;
    if (count > 1)
        return CONDITIONAL_RANGE_MULTIPLE;
    if (first)
        *first = ranges[0].first;
    if (last)
        *last = ranges[0].last;
    return CONDITIONAL_RANGE_SINGLE;
}

/* ------------------------------------------------------------ preconditions */

bool conditional_if_range_holds(const char *field, size_t length, const struct conditional_validators *validators)
{
    struct http_cursor f = trimmed(field, length);
    if (validators == NULL || f.pos == f.n)
        return false;
    /* RFC 9110 13.1.5: a DQUOTE in the first three bytes makes it one
     * entity-tag, compared strongly ("Wed, ..." is a date, W/"..." is not). */
    if (http_at(&f, '"') || (f.n - f.pos >= 3 && f.s[f.pos] == 'W' && f.s[f.pos + 1] == '/')) {
        bool weak;
        const unsigned char *opaque;
        size_t opaque_length;
        return take_entity_tag(&f, &weak, &opaque, &opaque_length) && f.pos == f.n &&
               validators->etag != NULL &&
               tags_match(weak, opaque, opaque_length, validators->etag, validators->etag_length, true);
    }
    long long date;
    return validators->last_modified >= 0 && http_date_parse((const char *)f.s + f.pos, f.n - f.pos, &date) &&
           date == validators->last_modified;
}

/* A field's date, or false when it is absent, repeated or invalid. */
static bool field_date(const struct http_field *field, long long *date)
{
    return field->value != NULL && http_date_parse(field->value, field->length, date);
}

/* Step 1 of RFC 9110 13.2.2: true when the request must fail with 412. */
static bool precondition_fails(const struct http_request *request, const struct conditional_validators *v)
{
    const struct http_field *if_match = &request->if_match;
    if (if_match->value != NULL) {
        enum conditional_match m = conditional_etag_match(if_match->value, if_match->length, v->etag,
                                                          v->etag_length, true);
        if (m != CONDITIONAL_INVALID)
            return m == CONDITIONAL_NO_MATCH;
    }
    long long since;
    return v->last_modified >= 0 && field_date(&request->if_unmodified_since, &since) &&
           since < v->last_modified;
}

/* Step 2: true when the answer is 304. If-None-Match without an ETag to
 * compare is ignored, but for "*" (the representation exists). */
static bool not_modified(const struct http_request *request, const struct conditional_validators *v)
{
    const struct http_field *if_none_match = &request->if_none_match;
    if (if_none_match->value != NULL) {
        enum conditional_match m = conditional_etag_match(if_none_match->value, if_none_match->length,
                                                          v->etag, v->etag_length, false);
        if (m == CONDITIONAL_MATCH)
            return true;
        if (m == CONDITIONAL_NO_MATCH && v->etag != NULL)
            return false;           /* If-Modified-Since is not looked at */
    }
    long long since;
    return v->last_modified >= 0 && field_date(&request->if_modified_since, &since) &&
           since >= v->last_modified;
}

enum conditional_outcome conditional_evaluate(const struct http_request *request,
                                              const struct conditional_validators *validators, uint64_t size,
                                              uint64_t *first, uint64_t *last)
{
    static const struct conditional_validators none = { NULL, 0, -1 };
    const struct conditional_validators *v = validators ? validators : &none;
    if (first)
        *first = 0;
    if (last)
        *last = 0;
    if (request == NULL)
        return CONDITIONAL_OK;
    if (precondition_fails(request, v))
        return CONDITIONAL_PRECONDITION_FAILED;
    if (not_modified(request, v))
        return CONDITIONAL_NOT_MODIFIED;
    const struct http_field *range = &request->range, *if_range = &request->if_range;
    if (request->method != HTTP_METHOD_GET || range->value == NULL)
        return CONDITIONAL_OK;
    /* A repeated If-Range says nothing we may trust: serve it whole. */
    if ((if_range->value != NULL || if_range->repeated) &&
        !conditional_if_range_holds(if_range->value, if_range->length, v))
        return CONDITIONAL_OK;
    switch (conditional_range_parse(range->value, range->length, size, first, last)) {
    case CONDITIONAL_RANGE_SINGLE:
        return CONDITIONAL_PARTIAL;
    case CONDITIONAL_RANGE_UNSATISFIABLE:
        return CONDITIONAL_RANGE_NOT_SATISFIABLE;
    default:
        return CONDITIONAL_OK;
    }
}

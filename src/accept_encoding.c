/* SPDX-License-Identifier: Apache-2.0 */
/* accept_encoding.c: which content coding to send (see accept_encoding.h;
 * RFC 9110 12.5.3, 12.4.2).
 *
 * The field comes from the client: a pure function over field[0..length)
 * that reads no byte past `length` and allocates nothing. Whatever it
 * cannot read, it skips, element by element: the worst outcome of a
 * misread field is the file itself (identity), which every client takes.
 *
 * Decisions where RFC 9110 leaves room:
 * - Parameters other than q are skipped (RFC 9110 has none for codings,
 *   but a quoted-string value is read whole, so a comma inside it does
 *   not end the element).
 * - A coding named twice gets its lowest weight: a refusal stands.
 */
#include "accept_encoding.h"

#include <stdbool.h>
#include <string.h>

#include "http_syntax.h"

#define WEIGHT_MAX 1000     /* q=1, in thousandths */
#define WEIGHT_UNSET (-1)   /* not named in the field */


/* quoted-string at the cursor (RFC 9110 5.6.4), backslash escapes included. */
static bool take_quoted_string(struct http_cursor *f)
{
    if (!http_at(f, '"'))
        return false;
    for (f->pos++; f->pos < f->n; f->pos++) {
        if (f->s[f->pos] == '"') {
            f->pos++;
            return true;
        }
        if (f->s[f->pos] == '\\' && ++f->pos == f->n)
            return false;
    }
    return false;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110
 * 12.4.2), in thousandths; -1 if malformed. */
static int take_qvalue(struct http_cursor *f)
{
    if (!http_at(f, '0') && !http_at(f, '1'))
        return -1;
    int whole = f->s[f->pos++] - '0', thousandths = 0, scale = 100;
    if (http_at(f, '.')) {
        f->pos++;
        for (int i = 0; i < 3 && f->pos < f->n && http_is_digit(f->s[f->pos]); i++, f->pos++, scale /= 10)
            thousandths += (f->s[f->pos] - '0') * scale;
    }
    if (f->pos < f->n && http_is_digit(f->s[f->pos]))   /* a fourth decimal, or "10" */
        return -1;
    if (whole == 1 && thousandths != 0)
        return -1;
    return whole * WEIGHT_MAX + thousandths;
}

/* One parameter after ";" OWS: name OWS "=" OWS value. A q parameter sets
 * *weight; false if it is malformed. */
static bool take_parameter(struct http_cursor *f, int *weight)
{
    size_t start = f->pos, name_length = http_take_token(f);
    if (name_length == 0)
        return false;
    bool is_q = http_equals_ci(f->s + start, name_length, "q");
    http_skip_ows(f);
    if (!http_at(f, '='))
        return false;
    f->pos++;
    http_skip_ows(f);
    if (is_q)
        return (*weight = take_qvalue(f)) >= 0;
    return http_at(f, '"') ? take_quoted_string(f) : http_take_token(f) > 0;
}

enum coding_name { NAME_OTHER, NAME_IDENTITY, NAME_GZIP, NAME_BR, NAME_ANY };

static enum coding_name coding_name(const unsigned char *s, size_t n)
{
    if (http_equals_ci(s, n, "gzip") || http_equals_ci(s, n, "x-gzip"))
        return NAME_GZIP;
    if (http_equals_ci(s, n, "br"))
        return NAME_BR;
    if (http_equals_ci(s, n, "identity"))
        return NAME_IDENTITY;
    if (n == 1 && s[0] == '*')
        return NAME_ANY;
    return NAME_OTHER;
}

/* One element: coding *( OWS ";" OWS parameter ), up to the next comma
 * or the end. False if malformed. */
static bool take_element(struct http_cursor *f, enum coding_name *name, int *weight)
{
    size_t start = f->pos, length = http_take_token(f);
    if (length == 0)
        return false;
    *name = coding_name(f->s + start, length);
    *weight = WEIGHT_MAX;
    for (;;) {
        http_skip_ows(f);
        if (f->pos == f->n || http_at(f, ','))
            return true;
        if (!http_at(f, ';'))
            return false;
        f->pos++;
        http_skip_ows(f);
        if (!take_parameter(f, weight))
            return false;
    }
}

/* Past the next comma that is not inside a quoted-string. */
static void skip_element(struct http_cursor *f)
{
    while (f->pos < f->n && !http_at(f, ',')) {
        if (!http_at(f, '"'))
            f->pos++;
        else if (!take_quoted_string(f))
            f->pos = f->n;
    }
}

/* What the field says of each coding tlsd knows (RFC 9110 12.5.3). */
struct weights {
    int by_name[NAME_ANY + 1];   /* WEIGHT_UNSET, or 0..WEIGHT_MAX */
};

static void read_weights(const char *field, size_t length, struct weights *w)
{
    struct http_cursor f = { (const unsigned char *)field, length, 0 };
    for (size_t i = 0; i <= NAME_ANY; i++)
        w->by_name[i] = WEIGHT_UNSET;
    while (f.pos < f.n) {
        http_skip_ows(&f);
        if (http_at(&f, ',')) {
            f.pos++;
            continue;
        }
        if (f.pos == f.n)
            break;
        enum coding_name name;
        int weight;
        if (!take_element(&f, &name, &weight)) {
            skip_element(&f);
            continue;
        }
        if (w->by_name[name] == WEIGHT_UNSET || weight < w->by_name[name])
            w->by_name[name] = weight;
    }
}

/* A coding's weight: its own, else "*"'s. Identity named by neither is
 * "acceptable by default" (RFC 9110 12.5.3) but nobody's preference: the
 * lowest weight above 0, so that "gzip;q=0.5" still gets gzip, as from
 * nginx's gzip_static. */
static int weight_of(const struct weights *w, enum coding_name name)
{
    int any = w->by_name[NAME_ANY];
    if (w->by_name[name] != WEIGHT_UNSET)
        return w->by_name[name];
    if (any != WEIGHT_UNSET)
        return any;
    return name == NAME_IDENTITY ? 1 : 0;
}

enum content_coding accept_encoding_choose(const char *field, size_t length, unsigned available)
{
    if (field == NULL)
        return CONTENT_CODING_IDENTITY;
    struct weights w;
    read_weights(field, length, &w);

    /* In order of preference on a tie: the first of the best wins. */
    static const struct {
        enum content_coding coding;
        enum coding_name name;
    } candidates[] = {
        { CONTENT_CODING_BR, NAME_BR },
        { CONTENT_CODING_GZIP, NAME_GZIP },
        { CONTENT_CODING_IDENTITY, NAME_IDENTITY },
    };
    enum content_coding best = CONTENT_CODING_IDENTITY;
    int best_weight = 0;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        bool can_send = candidates[i].coding == CONTENT_CODING_IDENTITY ||
                        (available & CONTENT_CODING_BIT(candidates[i].coding)) != 0;
        int weight = weight_of(&w, candidates[i].name);
        if (can_send && weight > best_weight) {
            best = candidates[i].coding;
            best_weight = weight;
        }
    }
    return best;   /* nothing acceptable: identity all the same, never 406 */
}

const char *content_coding_name(enum content_coding coding)
{
    switch (coding) {
    case CONTENT_CODING_GZIP: return "gzip";
    case CONTENT_CODING_BR: return "br";
    default: return NULL;
    }
}

const char *content_coding_suffix(enum content_coding coding)
{
    switch (coding) {
    case CONTENT_CODING_GZIP: return ".gz";
    case CONTENT_CODING_BR: return ".br";
    default: return "";
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of clienthello.c, fingerprint.c and tls_names.c: real ClientHellos captured from curl,
 * OpenSSL, GnuTLS and Chromium (tests/vectors/, expected values from
 * tests/vectors/ja_reference.py), every split and refragmentation of
 * them, and malformed input. Inputs are handed over in heap copies of
 * their exact size, so that AddressSanitizer or valgrind report any read
 * past the end. */
#include "clienthello.h"
#include "fingerprint.h"
#include "tls_names.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *scratch;

/* ---- helpers ---------------------------------------------------------- */

/* A heap copy of exactly `length` bytes (at least one byte is allocated so
 * that a zero-length input still has a valid, unreadable-past pointer). */
static uint8_t *exact_copy(const uint8_t *bytes, size_t length)
{
    uint8_t *copy = malloc(length > 0 ? length : 1);
    ck_assert_ptr_nonnull(copy);
    if (length > 0)
        memcpy(copy, bytes, length);
    return copy;
}

static enum clienthello_status parse_records_copy(const uint8_t *bytes, size_t length,
                                                  struct clienthello *hello)
{
    uint8_t *copy = exact_copy(bytes, length);
    enum clienthello_status status = clienthello_parse_records(length > 0 ? copy : copy + 1,
                                                               length, hello, scratch);
    free(copy);
    return status;
}

static enum clienthello_status parse_message_copy(const uint8_t *body, size_t length,
                                                  struct clienthello *hello)
{
    uint8_t *copy = exact_copy(body, length);
    enum clienthello_status status = clienthello_parse_message(length > 0 ? copy : copy + 1,
                                                               length, hello);
    free(copy);
    return status;
}

static void assert_same_list(const struct clienthello_list *a, const struct clienthello_list *b,
                             const char *what)
{
    ck_assert_msg(a->count == b->count, "%s: count %zu != %zu", what, a->count, b->count);
    size_t n = a->count < CLIENTHELLO_MAX_LIST ? a->count : CLIENTHELLO_MAX_LIST;
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(a->values[i] == b->values[i], "%s[%zu]: 0x%04x != 0x%04x", what, i,
                      a->values[i], b->values[i]);
}

/* Every field the same; record_bytes too unless the records differ. */
static void assert_same_hello(const struct clienthello *a, const struct clienthello *b,
                              bool same_records)
{
    ck_assert_uint_eq(a->record_version, b->record_version);
    ck_assert_uint_eq(a->client_version, b->client_version);
    ck_assert_int_eq(memcmp(a->random, b->random, 32), 0);
    ck_assert_uint_eq(a->session_id_length, b->session_id_length);
    assert_same_list(&a->cipher_suites, &b->cipher_suites, "cipher_suites");
    assert_same_list(&a->compression_methods, &b->compression_methods, "compression_methods");
    assert_same_list(&a->extensions, &b->extensions, "extensions");
    assert_same_list(&a->supported_versions, &b->supported_versions, "supported_versions");
    assert_same_list(&a->supported_groups, &b->supported_groups, "supported_groups");
    assert_same_list(&a->ec_point_formats, &b->ec_point_formats, "ec_point_formats");
    assert_same_list(&a->signature_algorithms, &b->signature_algorithms, "signature_algorithms");
    assert_same_list(&a->key_share_groups, &b->key_share_groups, "key_share_groups");
    assert_same_list(&a->psk_key_exchange_modes, &b->psk_key_exchange_modes, "psk_key_exchange_modes");
    ck_assert_int_eq(a->has_server_name, b->has_server_name);
    ck_assert_str_eq(a->server_name, b->server_name);
    ck_assert_uint_eq(a->alpn_count, b->alpn_count);
    for (size_t i = 0; i < a->alpn_count && i < CLIENTHELLO_MAX_ALPN; i++)
        ck_assert_str_eq(a->alpn[i], b->alpn[i]);
    ck_assert_uint_eq(a->alpn_first_length, b->alpn_first_length);
    ck_assert_uint_eq(a->alpn_first_byte, b->alpn_first_byte);
    ck_assert_uint_eq(a->alpn_last_byte, b->alpn_last_byte);
    ck_assert_int_eq(a->has_session_ticket, b->has_session_ticket);
    ck_assert_uint_eq(a->session_ticket_length, b->session_ticket_length);
    ck_assert_int_eq(a->has_pre_shared_key, b->has_pre_shared_key);
    ck_assert_int_eq(a->has_early_data, b->has_early_data);
    ck_assert_int_eq(a->has_renegotiation_info, b->has_renegotiation_info);
    ck_assert_int_eq(a->has_extended_master_secret, b->has_extended_master_secret);
    ck_assert_uint_eq(a->message_length, b->message_length);
    if (same_records)
        ck_assert_uint_eq(a->record_bytes, b->record_bytes);

    char text_a[4096], text_b[4096], md5_a[33], md5_b[33], ja4_a[40], ja4_b[40];
    clienthello_ja3(a, text_a, sizeof text_a, md5_a);
    clienthello_ja3(b, text_b, sizeof text_b, md5_b);
    ck_assert_str_eq(text_a, text_b);
    ck_assert_str_eq(md5_a, md5_b);
    clienthello_ja4(a, 't', ja4_a);
    clienthello_ja4(b, 't', ja4_b);
    ck_assert_str_eq(ja4_a, ja4_b);
}

/* ---- a builder for synthetic hellos ------------------------------------ */

struct builder {
    uint8_t bytes[70000];
    size_t length;
    size_t open[16];     /* offsets of the length fields of open vectors */
    size_t open_size[16];
    size_t depth;
};

static void put_u8(struct builder *b, unsigned v)
{
    ck_assert_uint_lt(b->length, sizeof b->bytes);
    b->bytes[b->length++] = (uint8_t)v;
}

static void put_u16(struct builder *b, unsigned v)
{
    put_u8(b, v >> 8);
    put_u8(b, v & 0xff);
}

static void put_bytes(struct builder *b, const void *bytes, size_t n)
{
    ck_assert_uint_le(b->length + n, sizeof b->bytes);
    memcpy(b->bytes + b->length, bytes, n);
    b->length += n;
}

/* Opens a vector with a `size`-byte length (1, 2 or 3), filled in by close(). */
static void open_vector(struct builder *b, size_t size)
{
    ck_assert_uint_lt(b->depth, 16);
    b->open[b->depth] = b->length;
    b->open_size[b->depth++] = size;
    for (size_t i = 0; i < size; i++)
        put_u8(b, 0);
}

static void close_vector(struct builder *b)
{
    ck_assert_uint_gt(b->depth, 0);
    b->depth--;
    size_t at = b->open[b->depth], size = b->open_size[b->depth];
    size_t n = b->length - at - size;
    for (size_t i = 0; i < size; i++)
        b->bytes[at + i] = (uint8_t)(n >> (8 * (size - 1 - i)));
}

static void put_u16_vector(struct builder *b, size_t size, const uint16_t *values, size_t n)
{
    open_vector(b, size);
    for (size_t i = 0; i < n; i++)
        put_u16(b, values[i]);
    close_vector(b);
}

static void open_extension(struct builder *b, unsigned type)
{
    put_u16(b, type);
    open_vector(b, 2);
}

/* Hello parts that tests change; the rest is fixed. */
struct hello_spec {
    unsigned version;
    const uint16_t *ciphers;
    size_t cipher_count;
    const char *sni;
    const char *const *alpn;       /* NULL-terminated */
    const uint16_t *groups;
    size_t group_count;
    const uint16_t *sigalgs;
    size_t sigalg_count;
    const uint16_t *versions;
    size_t version_count;
    const uint16_t *extra;         /* more empty extensions, in this order */
    size_t extra_count;
    bool no_extensions;
};

static const uint16_t default_ciphers[] = { 0x1301, 0x1302, 0xc02f };

/* A ClientHello body (no handshake header). */
static void build_body(struct builder *b, const struct hello_spec *spec)
{
    memset(b, 0, sizeof *b);
    put_u16(b, spec->version ? spec->version : 0x0303);
    for (int i = 0; i < 32; i++)
        put_u8(b, (unsigned)i);
    put_u8(b, 0);                                  /* session_id */
    if (spec->ciphers)
        put_u16_vector(b, 2, spec->ciphers, spec->cipher_count);
    else
        put_u16_vector(b, 2, default_ciphers, 3);
    put_u8(b, 1);
    put_u8(b, 0);                                  /* compression: null */
    if (spec->no_extensions)
        return;
    open_vector(b, 2);
    if (spec->sni) {
        open_extension(b, 0);
        open_vector(b, 2);
        put_u8(b, 0);
        open_vector(b, 2);
        put_bytes(b, spec->sni, strlen(spec->sni));
        close_vector(b);
        close_vector(b);
        close_vector(b);
    }
    if (spec->groups) {
        open_extension(b, 10);
        put_u16_vector(b, 2, spec->groups, spec->group_count);
        close_vector(b);
    }
    if (spec->sigalgs) {
        open_extension(b, 13);
        put_u16_vector(b, 2, spec->sigalgs, spec->sigalg_count);
        close_vector(b);
    }
    if (spec->alpn) {
        open_extension(b, 16);
        open_vector(b, 2);
        for (size_t i = 0; spec->alpn[i]; i++) {
            open_vector(b, 1);
            put_bytes(b, spec->alpn[i], strlen(spec->alpn[i]));
            close_vector(b);
        }
        close_vector(b);
        close_vector(b);
    }
    if (spec->versions) {
        open_extension(b, 43);
        put_u16_vector(b, 1, spec->versions, spec->version_count);
        close_vector(b);
    }
    for (size_t i = 0; i < spec->extra_count; i++) {
        open_extension(b, spec->extra[i]);
        close_vector(b);
    }
    close_vector(b);
}

/* Wraps a body in a handshake header and records of at most `fragment`
 * bytes each. Returns the length written to `out`. */
static size_t wrap_records(const uint8_t *body, size_t length, size_t fragment,
                           uint8_t *out, size_t out_size)
{
    size_t message_length = length + 4, pos = 0, done = 0;
    uint8_t header[4] = { 1, (uint8_t)(length >> 16), (uint8_t)(length >> 8), (uint8_t)length };

    while (done < message_length) {
        size_t n = message_length - done < fragment ? message_length - done : fragment;
        ck_assert_uint_le(pos + 5 + n, out_size);
        out[pos++] = 22;
        out[pos++] = 3;
        out[pos++] = 1;
        out[pos++] = (uint8_t)(n >> 8);
        out[pos++] = (uint8_t)n;
        for (size_t i = 0; i < n; i++, done++)
            out[pos++] = done < 4 ? header[done] : body[done - 4];
    }
    return pos;
}

static enum clienthello_status parse_spec(const struct hello_spec *spec, struct clienthello *hello)
{
    static struct builder b;
    static uint8_t records[80000];
    build_body(&b, spec);
    size_t n = wrap_records(b.bytes, b.length, 16384, records, sizeof records);
    return parse_records_copy(records, n, hello);
}

/* ---- the captured vectors ---------------------------------------------- */

static const char *const vector_names[] = {
    "chromium",
    "curl_openssl",
    "gnutls",
    "openssl_alpn_long",
    "openssl_default",
    "openssl_tls12",
    "openssl_tls13",
    "openssl_tls13_fragmented",
};
#define VECTOR_COUNT (sizeof vector_names / sizeof vector_names[0])

struct vector {
    uint8_t bytes[20000];
    size_t length;
    char keys[48][40];
    char values[48][4096];
    bool used[48];
    size_t count;
};

static char *vectors_dir(void)
{
    static char dir[4096];
    const char *srcdir = getenv("TESTS_SRCDIR");
    if (srcdir == NULL)
        return NULL;
    snprintf(dir, sizeof dir, "%s/vectors", srcdir);
    return dir;
}

static void load_vector(const char *name, struct vector *v)
{
    char path[4200];
    FILE *f;
    int c, nibble = -1;

    memset(v, 0, sizeof *v);
    snprintf(path, sizeof path, "%s/%s.hex", vectors_dir(), name);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while ((c = fgetc(f)) != EOF) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        else
            ck_abort_msg("%s: bad character %d", path, c);
        if (nibble < 0) {
            nibble = d;
        } else {
            ck_assert_uint_lt(v->length, sizeof v->bytes);
            v->bytes[v->length++] = (uint8_t)(nibble << 4 | d);
            nibble = -1;
        }
    }
    fclose(f);
    ck_assert_msg(nibble < 0, "%s: odd number of hex digits", path);

    snprintf(path, sizeof path, "%s/%s.expected", vectors_dir(), name);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *eq = strchr(line, '=');
        ck_assert_msg(eq != NULL, "%s: no '=' in %s", path, line);
        *eq = '\0';
        ck_assert_uint_lt(v->count, 48);
        ck_assert_uint_lt(strlen(line), sizeof v->keys[0]);
        ck_assert_uint_lt(strlen(eq + 1), sizeof v->values[0]);
        strcpy(v->keys[v->count], line);
        strcpy(v->values[v->count], eq + 1);
        v->count++;
    }
    fclose(f);
}

static const char *expected(struct vector *v, const char *key)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->keys[i], key) == 0) {
            v->used[i] = true;
            return v->values[i];
        }
    }
    ck_abort_msg("no %s in the expected values", key);
    return NULL;
}

static unsigned long expected_number(struct vector *v, const char *key)
{
    return strtoul(expected(v, key), NULL, 0);
}

static void check_list(struct vector *v, const char *key, const struct clienthello_list *list)
{
    const char *text = expected(v, key);
    size_t n = 0;
    while (*text) {
        char *end;
        unsigned long value = strtoul(text, &end, 16);
        ck_assert_msg(end != text, "%s: bad list %s", key, text);
        if (n < CLIENTHELLO_MAX_LIST)
            ck_assert_msg(list->values[n] == value, "%s[%zu]: 0x%04x, expected 0x%04lx", key, n,
                          list->values[n], value);
        n++;
        text = *end == ',' ? end + 1 : end;
    }
    ck_assert_msg(list->count == n, "%s: %zu values, expected %zu", key, list->count, n);
}

static void check_alpn(struct vector *v, const struct clienthello *hello)
{
    const char *text = expected(v, "alpn");
    size_t n = 0;
    while (*text) {
        size_t length = strcspn(text, ",");
        size_t kept = length < CLIENTHELLO_MAX_ALPN_LENGTH ? length : CLIENTHELLO_MAX_ALPN_LENGTH;
        if (n == 0) {
            ck_assert_uint_eq(hello->alpn_first_length, length);
            ck_assert_uint_eq(hello->alpn_first_byte, (uint8_t)text[0]);
            ck_assert_uint_eq(hello->alpn_last_byte, (uint8_t)text[length - 1]);
        }
        ck_assert_uint_lt(n, hello->alpn_count);
        ck_assert_uint_eq(strlen(hello->alpn[n]), kept);
        ck_assert_int_eq(memcmp(hello->alpn[n], text, kept), 0);
        n++;
        text += length;
        if (*text == ',')
            text++;
    }
    ck_assert_uint_eq(hello->alpn_count, n);
}

START_TEST(vector_fields)
{
    static struct vector v;
    struct clienthello hello;
    char ja3[4096], md5[33], ja4[40];

    load_vector(vector_names[_i], &v);
    ck_assert_int_eq(parse_records_copy(v.bytes, v.length, &hello), CLIENTHELLO_OK);

    ck_assert_uint_eq(hello.record_version, expected_number(&v, "record_version"));
    ck_assert_uint_eq(hello.record_bytes, expected_number(&v, "record_bytes"));
    ck_assert_uint_eq(hello.message_length, expected_number(&v, "message_length"));
    ck_assert_uint_eq(hello.client_version, expected_number(&v, "client_version"));
    ck_assert_uint_eq(hello.session_id_length, expected_number(&v, "session_id_length"));
    ck_assert_uint_eq(hello.cipher_suites.count, expected_number(&v, "cipher_count"));
    check_list(&v, "cipher_suites", &hello.cipher_suites);
    check_list(&v, "compression_methods", &hello.compression_methods);
    check_list(&v, "extensions", &hello.extensions);
    check_list(&v, "groups", &hello.supported_groups);
    check_list(&v, "ec_point_formats", &hello.ec_point_formats);
    check_list(&v, "signature_algorithms", &hello.signature_algorithms);
    check_list(&v, "supported_versions", &hello.supported_versions);
    check_list(&v, "key_share_groups", &hello.key_share_groups);
    check_list(&v, "psk_key_exchange_modes", &hello.psk_key_exchange_modes);
    ck_assert_uint_eq(hello.has_server_name, expected_number(&v, "has_sni"));
    ck_assert_str_eq(hello.server_name, expected(&v, "sni"));
    check_alpn(&v, &hello);
    ck_assert_uint_eq(hello.has_session_ticket, expected_number(&v, "has_session_ticket"));
    ck_assert_uint_eq(hello.session_ticket_length, expected_number(&v, "session_ticket_length"));
    ck_assert_uint_eq(hello.has_pre_shared_key, expected_number(&v, "has_pre_shared_key"));
    ck_assert_uint_eq(hello.has_early_data, expected_number(&v, "has_early_data"));
    ck_assert_uint_eq(hello.has_renegotiation_info, expected_number(&v, "has_renegotiation_info"));
    ck_assert_uint_eq(hello.has_extended_master_secret,
                      expected_number(&v, "has_extended_master_secret"));

    clienthello_ja3(&hello, ja3, sizeof ja3, md5);
    ck_assert_str_eq(ja3, expected(&v, "ja3"));
    ck_assert_str_eq(md5, expected(&v, "ja3_md5"));
    clienthello_ja4(&hello, 't', ja4);
    ck_assert_str_eq(ja4, expected(&v, "ja4"));

    for (size_t i = 0; i < v.count; i++)
        ck_assert_msg(v.used[i], "expected key %s is not checked", v.keys[i]);
}
END_TEST

/* Every prefix is INCOMPLETE; the whole is OK and the same as parsed at once. */
START_TEST(vector_every_split)
{
    static struct vector v;
    struct clienthello whole, part;

    load_vector(vector_names[_i], &v);
    ck_assert_int_eq(parse_records_copy(v.bytes, v.length, &whole), CLIENTHELLO_OK);
    ck_assert_uint_eq(whole.record_bytes, v.length);
    for (size_t n = 0; n < v.length; n++)
        ck_assert_msg(parse_records_copy(v.bytes, n, &part) == CLIENTHELLO_INCOMPLETE,
                      "prefix %zu of %zu", n, v.length);
    ck_assert_int_eq(parse_records_copy(v.bytes, v.length, &part), CLIENTHELLO_OK);
    assert_same_hello(&whole, &part, true);
}
END_TEST

/* The same message cut into records of other sizes parses the same. */
START_TEST(vector_refragmented)
{
    static struct vector v;
    static uint8_t records[80000];
    static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 64, 100, 512, 16384 };
    struct clienthello whole, again;

    load_vector(vector_names[_i], &v);
    /* The body, joined in scratch by the parse. */
    static uint8_t body[CLIENTHELLO_MAX_MESSAGE];
    ck_assert_int_eq(parse_records_copy(v.bytes, v.length, &whole), CLIENTHELLO_OK);
    memcpy(body, scratch, whole.message_length);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = wrap_records(body, whole.message_length, sizes[s], records, sizeof records);
        ck_assert_int_eq(parse_records_copy(records, n, &again), CLIENTHELLO_OK);
        ck_assert_uint_eq(again.record_bytes, n);
        again.record_version = whole.record_version;
        assert_same_hello(&whole, &again, false);
        /* Trailing bytes (the next flight, another record) are ignored. */
        memcpy(records + n, "\x17\x03\x03\x00\x01\x00", 6);
        ck_assert_int_eq(parse_records_copy(records, n + 6, &again), CLIENTHELLO_OK);
        ck_assert_uint_eq(again.record_bytes, n);
    }
}
END_TEST

/* Offsets and sizes of every length field in a ClientHello body. */
struct length_field {
    size_t offset, size;
};

static size_t find_length_fields(const uint8_t *body, size_t length, struct length_field *fields,
                                 size_t max)
{
    size_t n = 0, pos = 34;
#define FIELD(at, sz) do { ck_assert_uint_lt(n, max); fields[n].offset = (at); fields[n].size = (sz); n++; } while (0)
#define GET16(at) ((size_t)body[at] << 8 | body[(at) + 1])
    FIELD(pos, 1);
    pos += 1 + body[pos];
    FIELD(pos, 2);
    pos += 2 + GET16(pos);
    FIELD(pos, 1);
    pos += 1 + body[pos];
    if (pos == length)
        return n;
    FIELD(pos, 2);
    pos += 2;
    while (pos < length) {
        unsigned type = (unsigned)GET16(pos);
        size_t ext_length = GET16(pos + 2);
        size_t data = pos + 4, end = data + ext_length;
        FIELD(pos + 2, 2);
        switch (type) {
        case 0x0000:                       /* list, then (type, name) entries */
            FIELD(data, 2);
            for (size_t p = data + 2; p < end; p += 3 + GET16(p + 1))
                FIELD(p + 1, 2);
            break;
        case 0x0010:
            FIELD(data, 2);
            for (size_t p = data + 2; p < end; p += 1 + body[p])
                FIELD(p, 1);
            break;
        case 0x000a: case 0x000d:
            FIELD(data, 2);
            break;
        case 0x000b: case 0x002b: case 0x002d: case 0xff01:
            FIELD(data, 1);
            break;
        case 0x0033:
            FIELD(data, 2);
            for (size_t p = data + 2; p < end; p += 4 + GET16(p + 2))
                FIELD(p + 2, 2);
            break;
        default:
            break;
        }
        pos = end;
    }
#undef FIELD
#undef GET16
    return n;
}

static void set_length(uint8_t *body, const struct length_field *field, size_t value)
{
    for (size_t i = 0; i < field->size; i++)
        body[field->offset + i] = (uint8_t)(value >> (8 * (field->size - 1 - i)));
}

static size_t get_length(const uint8_t *body, const struct length_field *field)
{
    size_t value = 0;
    for (size_t i = 0; i < field->size; i++)
        value = value << 8 | body[field->offset + i];
    return value;
}

/* Each length field one more and one less: INVALID (the message alone) and
 * never OK (in records), and never a read out of bounds. */
START_TEST(vector_lying_lengths)
{
    static struct vector v;
    static uint8_t body[CLIENTHELLO_MAX_MESSAGE];
    static uint8_t records[40000];
    static struct length_field fields[512];
    struct clienthello hello;

    load_vector(vector_names[_i], &v);
    ck_assert_int_eq(parse_records_copy(v.bytes, v.length, &hello), CLIENTHELLO_OK);
    size_t length = hello.message_length;
    memcpy(body, scratch, length);
    size_t n = find_length_fields(body, length, fields, 512);
    ck_assert_uint_ge(n, 8);
    for (size_t i = 0; i < n; i++) {
        size_t original = get_length(body, &fields[i]);
        size_t max = fields[i].size == 1 ? 0xff : 0xffff;
        for (int delta = -1; delta <= 1; delta += 2) {
            if ((delta < 0 && original == 0) || (delta > 0 && original == max))
                continue;
            set_length(body, &fields[i], original + (size_t)delta);
            enum clienthello_status status = parse_message_copy(body, length, &hello);
            ck_assert_msg(status == CLIENTHELLO_INVALID, "%s: field at %zu %+d: status %d",
                          vector_names[_i], fields[i].offset, delta, status);
            size_t r = wrap_records(body, length, 16384, records, sizeof records);
            status = parse_records_copy(records, r, &hello);
            ck_assert_msg(status == CLIENTHELLO_INVALID, "records: field at %zu %+d: status %d",
                          fields[i].offset, delta, status);
            set_length(body, &fields[i], original);
        }
    }
    ck_assert_int_eq(parse_message_copy(body, length, &hello), CLIENTHELLO_OK);

    /* The record and handshake lengths themselves. */
    size_t r = wrap_records(body, length, 16384, records, sizeof records);
    records[4]++;                                       /* record length + 1 */
    ck_assert_int_eq(parse_records_copy(records, r, &hello), CLIENTHELLO_INCOMPLETE);
    records[4] -= 2;                                    /* record length - 1 */
    enum clienthello_status status = parse_records_copy(records, r, &hello);
    ck_assert(status == CLIENTHELLO_INVALID || status == CLIENTHELLO_INCOMPLETE);
    records[4]++;
    records[8]++;                                       /* handshake length + 1 */
    ck_assert_int_eq(parse_records_copy(records, r, &hello), CLIENTHELLO_INCOMPLETE);
    records[8] -= 2;                                    /* handshake length - 1 */
    ck_assert_int_eq(parse_records_copy(records, r, &hello), CLIENTHELLO_INVALID);
}
END_TEST

/* The message cut at every length: INVALID, except right after the
 * compression methods, where a hello without extensions is complete. */
START_TEST(vector_truncated)
{
    static struct vector v;
    static uint8_t body[CLIENTHELLO_MAX_MESSAGE];
    struct clienthello hello;

    load_vector(vector_names[_i], &v);
    ck_assert_int_eq(parse_records_copy(v.bytes, v.length, &hello), CLIENTHELLO_OK);
    size_t length = hello.message_length;
    memcpy(body, scratch, length);
    size_t pos = 34;
    pos += 1 + body[pos];
    pos += 2 + ((size_t)body[pos] << 8 | body[pos + 1]);
    pos += 1 + body[pos];
    for (size_t k = 0; k < length; k++) {
        enum clienthello_status status = parse_message_copy(body, k, &hello);
        if (k == pos)
            ck_assert_int_eq(status, CLIENTHELLO_OK);
        else
            ck_assert_msg(status == CLIENTHELLO_INVALID, "cut at %zu: %d", k, status);
    }
}
END_TEST

START_TEST(vectors_all_listed)
{
    DIR *dir = opendir(vectors_dir());
    struct dirent *entry;
    size_t found = 0;

    ck_assert_ptr_nonnull(dir);
    while ((entry = readdir(dir)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len < 5 || strcmp(entry->d_name + len - 4, ".hex") != 0)
            continue;
        bool listed = false;
        for (size_t i = 0; i < VECTOR_COUNT; i++)
            if (strlen(vector_names[i]) == len - 4 && strncmp(vector_names[i], entry->d_name, len - 4) == 0)
                listed = true;
        ck_assert_msg(listed, "%s is not in vector_names", entry->d_name);
        found++;
    }
    closedir(dir);
    ck_assert_uint_eq(found, VECTOR_COUNT);
}
END_TEST

/* ---- records ------------------------------------------------------------ */

START_TEST(records_short_input)
{
    struct clienthello hello;
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"", 0, &hello), CLIENTHELLO_INCOMPLETE);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x01\x00", 4, &hello),
                     CLIENTHELLO_INCOMPLETE);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"GET ", 4, &hello), CLIENTHELLO_INCOMPLETE);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x01\x00\x10", 5, &hello),
                     CLIENTHELLO_INCOMPLETE);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x01\x00\x10\x01\x00", 7, &hello),
                     CLIENTHELLO_INCOMPLETE);
}
END_TEST

START_TEST(records_not_tls)
{
    struct clienthello hello;
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(parse_records_copy((const uint8_t *)http, strlen(http), &hello), CLIENTHELLO_NOT_TLS);
    /* Application data, alert, change_cipher_spec first. */
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x17\x03\x03\x00\x01\x00", 6, &hello),
                     CLIENTHELLO_NOT_TLS);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28", 7, &hello),
                     CLIENTHELLO_NOT_TLS);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x14\x03\x03\x00\x01\x01", 6, &hello),
                     CLIENTHELLO_NOT_TLS);
    /* SSLv2-compatible CLIENT-HELLO: 2-byte header with the high bit set. */
    static const uint8_t sslv2[] = {
        0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
        0x07, 0x00, 0xc0, 0x05, 0x00, 0x80, 0x03, 0x00, 0x80, 0x01, 0x00, 0x80,
        0x06, 0x00, 0x40, 0x04, 0x00, 0x80, 0x02, 0x00, 0x80,
        0x3a, 0x1b, 0x53, 0x48, 0x49, 0x1a, 0xd0, 0x6f, 0x2e, 0x30, 0x7a, 0x1b, 0x16, 0x05, 0x96, 0x1e,
    };
    ck_assert_int_eq(parse_records_copy(sslv2, sizeof sslv2, &hello), CLIENTHELLO_NOT_TLS);
}
END_TEST

START_TEST(records_too_large)
{
    struct clienthello hello;
    /* As soon as the handshake header says more than CLIENTHELLO_MAX_MESSAGE. */
    static const uint8_t big[] = { 0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x40, 0x01 };
    ck_assert_int_eq(parse_records_copy(big, sizeof big, &hello), CLIENTHELLO_TOO_LARGE);
    static const uint8_t huge[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0xff, 0xff, 0xff };
    ck_assert_int_eq(parse_records_copy(huge, sizeof huge, &hello), CLIENTHELLO_TOO_LARGE);
    /* The header split over two records. */
    static const uint8_t split[] = { 0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00,
                                     0x16, 0x03, 0x01, 0x00, 0x02, 0x40, 0x01 };
    ck_assert_int_eq(parse_records_copy(split, sizeof split, &hello), CLIENTHELLO_TOO_LARGE);
    /* Exactly the limit is still accepted: more bytes wanted. */
    static const uint8_t limit[] = { 0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x40, 0x00, 0x03 };
    ck_assert_int_eq(parse_records_copy(limit, sizeof limit, &hello), CLIENTHELLO_INCOMPLETE);
    /* A record longer than TLSCiphertext allows. */
    static const uint8_t long_record[] = { 0x16, 0x03, 0x01, 0x41, 0x01, 0x01, 0x00 };
    ck_assert_int_eq(parse_records_copy(long_record, sizeof long_record, &hello), CLIENTHELLO_INVALID);
    static const uint8_t max_record[] = { 0x16, 0x03, 0x01, 0x41, 0x00, 0x01, 0x00 };
    ck_assert_int_eq(parse_records_copy(max_record, sizeof max_record, &hello), CLIENTHELLO_INCOMPLETE);
}
END_TEST

START_TEST(records_largest_hello)
{
    /* A hello of exactly CLIENTHELLO_MAX_MESSAGE bytes (a big padding
     * extension), in records of 16384 bytes: OK, and it fits in scratch. */
    static struct builder b;
    static uint8_t records[20000];
    static const uint16_t extra[] = { 0x0017 };
    struct hello_spec spec = { .extra = extra, .extra_count = 1 };
    struct clienthello hello;

    build_body(&b, &spec);
    b.depth = 0;
    /* Reopen the extensions block: drop its end and append padding. */
    size_t ext_block = 2 + 32 + 1 + 2 + 6 + 2;
    size_t padding = CLIENTHELLO_MAX_MESSAGE - b.length - 4;
    put_u16(&b, 0x0015);
    put_u16(&b, (unsigned)padding);
    for (size_t i = 0; i < padding; i++)
        put_u8(&b, 0);
    size_t block = b.length - ext_block - 2;
    b.bytes[ext_block] = (uint8_t)(block >> 8);
    b.bytes[ext_block + 1] = (uint8_t)block;
    ck_assert_uint_eq(b.length, CLIENTHELLO_MAX_MESSAGE);
    size_t n = wrap_records(b.bytes, b.length, 16384, records, sizeof records);
    ck_assert_uint_le(n, CLIENTHELLO_MAX_RECORD_BYTES);
    ck_assert_int_eq(parse_records_copy(records, n, &hello), CLIENTHELLO_OK);
    ck_assert_uint_eq(hello.message_length, CLIENTHELLO_MAX_MESSAGE);
    ck_assert_uint_eq(hello.extensions.count, 2);
    ck_assert_uint_eq(hello.extensions.values[1], 0x0015);
    ck_assert(hello.has_extended_master_secret);
}
END_TEST

START_TEST(records_zero_length_fragment)
{
    struct clienthello hello;
    static struct builder b;
    static uint8_t records[2000];
    struct hello_spec spec = { 0 };

    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x01\x00\x00", 5, &hello),
                     CLIENTHELLO_INVALID);
    /* A zero-length record between two fragments. */
    build_body(&b, &spec);
    size_t n = wrap_records(b.bytes, b.length, 10, records, sizeof records);
    memmove(records + 15 + 5, records + 15, n - 15);
    memcpy(records + 15, "\x16\x03\x01\x00\x00", 5);
    ck_assert_int_eq(parse_records_copy(records, n + 5, &hello), CLIENTHELLO_INVALID);
}
END_TEST

START_TEST(records_other_record_between)
{
    struct clienthello hello;
    static struct builder b;
    static uint8_t records[2000];
    struct hello_spec spec = { 0 };

    build_body(&b, &spec);
    size_t n = wrap_records(b.bytes, b.length, 10, records, sizeof records);
    /* The second record turns into an alert, then application data, then CCS. */
    static const uint8_t types[] = { 21, 23, 20, 24, 0 };
    for (size_t i = 0; i < sizeof types; i++) {
        records[15] = types[i];
        ck_assert_int_eq(parse_records_copy(records, n, &hello), CLIENTHELLO_INVALID);
    }
    records[15] = 22;
    ck_assert_int_eq(parse_records_copy(records, n, &hello), CLIENTHELLO_OK);
}
END_TEST

START_TEST(records_not_client_hello)
{
    struct clienthello hello;
    /* ServerHello (2), Certificate (11), HelloRequest (0): INVALID as soon
     * as the type byte is there. */
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x03\x00\x04\x02", 6, &hello),
                     CLIENTHELLO_INVALID);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x03\x00\x04\x0b\x00\x00\x00", 9, &hello),
                     CLIENTHELLO_INVALID);
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x03\x00\x04\x00\x00\x00\x00", 9, &hello),
                     CLIENTHELLO_INVALID);
    /* An empty ClientHello body. */
    ck_assert_int_eq(parse_records_copy((const uint8_t *)"\x16\x03\x01\x00\x04\x01\x00\x00\x00", 9, &hello),
                     CLIENTHELLO_INVALID);
}
END_TEST

START_TEST(records_message_ends_inside_record)
{
    /* A record holding the ClientHello and more handshake bytes after it:
     * the message is complete, the whole record counts in record_bytes. */
    static struct builder b;
    static uint8_t records[2000];
    struct hello_spec spec = { 0 };
    struct clienthello hello;

    build_body(&b, &spec);
    size_t n = wrap_records(b.bytes, b.length, 16384, records, sizeof records);
    size_t record_length = ((size_t)records[3] << 8 | records[4]) + 3;
    records[3] = (uint8_t)(record_length >> 8);
    records[4] = (uint8_t)record_length;
    memcpy(records + n, "\x0b\x00\x00", 3);
    ck_assert_int_eq(parse_records_copy(records, n + 3, &hello), CLIENTHELLO_OK);
    ck_assert_uint_eq(hello.record_bytes, n + 3);
    /* Until that whole record is there: INCOMPLETE. */
    ck_assert_int_eq(parse_records_copy(records, n + 2, &hello), CLIENTHELLO_INCOMPLETE);
}
END_TEST

/* ---- the message ------------------------------------------------------ */

static enum clienthello_status parse_built(struct builder *b, struct clienthello *hello)
{
    return parse_message_copy(b->bytes, b->length, hello);
}

static void start_hello(struct builder *b)
{
    memset(b, 0, sizeof *b);
    put_u16(b, 0x0303);
    for (int i = 0; i < 32; i++)
        put_u8(b, 0xaa);
    put_u8(b, 0);
    put_u16_vector(b, 2, default_ciphers, 3);
    put_u8(b, 1);
    put_u8(b, 0);
}

START_TEST(message_minimal)
{
    static struct builder b;
    struct clienthello hello;
    char ja3[256], md5[33], ja4[40];

    start_hello(&b);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_OK);
    ck_assert_uint_eq(hello.client_version, 0x0303);
    ck_assert_uint_eq(hello.cipher_suites.count, 3);
    ck_assert_uint_eq(hello.compression_methods.count, 1);
    ck_assert_uint_eq(hello.extensions.count, 0);
    ck_assert(!hello.has_server_name);
    ck_assert_uint_eq(hello.record_bytes, 0);
    ck_assert_uint_eq(hello.message_length, b.length);
    clienthello_ja3(&hello, ja3, sizeof ja3, md5);
    ck_assert_str_eq(ja3, "771,4865-4866-49199,,,");
    clienthello_ja4(&hello, 't', ja4);
    /* sha256("1301,1302,c02f"); no extensions: the c part is all zeros. */
    ck_assert_str_eq(ja4, "t12i030000_40b44b994229_000000000000");

    /* An empty extensions block is the same as none for the fingerprints. */
    put_u16(&b, 0);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_OK);
    clienthello_ja4(&hello, 't', ja4);
    ck_assert_str_eq(ja4, "t12i030000_40b44b994229_000000000000");
}
END_TEST

START_TEST(message_bad_fixed_fields)
{
    static struct builder b;
    struct clienthello hello;

    /* session_id of 33 bytes. */
    memset(&b, 0, sizeof b);
    put_u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        put_u8(&b, 0);
    put_u8(&b, 33);
    for (int i = 0; i < 33; i++)
        put_u8(&b, 0);
    put_u16_vector(&b, 2, default_ciphers, 3);
    put_u8(&b, 1);
    put_u8(&b, 0);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);

    /* Odd, and empty, cipher_suites. */
    start_hello(&b);
    b.length = 35;
    put_u16(&b, 3);
    put_u16(&b, 0x1301);
    put_u8(&b, 0x13);
    put_u8(&b, 1);
    put_u8(&b, 0);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);
    b.length = 35;
    put_u16(&b, 0);
    put_u8(&b, 1);
    put_u8(&b, 0);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);

    /* No compression method. */
    start_hello(&b);
    b.bytes[b.length - 2] = 0;
    b.length--;
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);

    /* One stray byte where the extensions length would be. */
    start_hello(&b);
    put_u8(&b, 0);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);

    /* An extensions block shorter, or longer, than what follows. */
    start_hello(&b);
    put_u16(&b, 4);
    put_u16(&b, 0x0017);
    put_u16(&b, 0);
    put_u8(&b, 0);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);
    b.length--;
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_OK);
    b.bytes[b.length - 5] = 5;
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);
    /* A lone extension type without its length. */
    start_hello(&b);
    put_u16(&b, 2);
    put_u16(&b, 0x0017);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);
}
END_TEST

START_TEST(message_duplicate_extension)
{
    static const uint16_t twice[] = { 0x0017, 0x0016, 0x0017 };
    static const uint16_t grease_twice[] = { 0x1a1a, 0x1a1a };
    struct hello_spec spec = { .extra = twice, .extra_count = 3 };
    struct clienthello hello;

    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_INVALID);
    spec.extra_count = 2;
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    spec.extra = grease_twice;
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_INVALID);
    /* server_name twice. */
    static struct builder b;
    start_hello(&b);
    open_vector(&b, 2);
    for (int i = 0; i < 2; i++) {
        open_extension(&b, 0);
        open_vector(&b, 2);
        put_u8(&b, 0);
        open_vector(&b, 2);
        put_bytes(&b, "a.example", 9);
        close_vector(&b);
        close_vector(&b);
        close_vector(&b);
    }
    close_vector(&b);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);
}
END_TEST

START_TEST(message_extension_contents)
{
    static struct builder b;
    struct clienthello hello;

    /* session_ticket with a ticket, early_data, EMS, renegotiation_info,
     * psk modes, key_share with two groups, pre_shared_key last. */
    start_hello(&b);
    open_vector(&b, 2);
    open_extension(&b, 0x0023);
    put_bytes(&b, "0123456789", 10);
    close_vector(&b);
    open_extension(&b, 0x002a);
    close_vector(&b);
    open_extension(&b, 0x0017);
    close_vector(&b);
    open_extension(&b, 0xff01);
    put_u8(&b, 0);
    close_vector(&b);
    open_extension(&b, 0x002d);
    put_u8(&b, 2);
    put_u8(&b, 1);
    put_u8(&b, 0);
    close_vector(&b);
    open_extension(&b, 0x000b);
    put_u8(&b, 1);
    put_u8(&b, 0);
    close_vector(&b);
    open_extension(&b, 0x0033);
    open_vector(&b, 2);
    put_u16(&b, 0x001d);
    open_vector(&b, 2);
    for (int i = 0; i < 32; i++)
        put_u8(&b, 9);
    close_vector(&b);
    put_u16(&b, 0x0017);
    open_vector(&b, 2);
    for (int i = 0; i < 65; i++)
        put_u8(&b, 4);
    close_vector(&b);
    close_vector(&b);
    close_vector(&b);
    size_t psk_at = b.length;
    open_extension(&b, 0x0029);
    open_vector(&b, 2);                /* identities */
    open_vector(&b, 2);
    put_bytes(&b, "ticket", 6);
    close_vector(&b);
    put_bytes(&b, "\0\0\0\1", 4);
    close_vector(&b);
    open_vector(&b, 2);                /* binders */
    open_vector(&b, 1);
    for (int i = 0; i < 32; i++)
        put_u8(&b, 7);
    close_vector(&b);
    close_vector(&b);
    close_vector(&b);
    close_vector(&b);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_OK);
    ck_assert(hello.has_session_ticket);
    ck_assert_uint_eq(hello.session_ticket_length, 10);
    ck_assert(hello.has_early_data);
    ck_assert(hello.has_extended_master_secret);
    ck_assert(hello.has_renegotiation_info);
    ck_assert(hello.has_pre_shared_key);
    ck_assert_uint_eq(hello.psk_key_exchange_modes.count, 2);
    ck_assert_uint_eq(hello.psk_key_exchange_modes.values[0], 1);
    ck_assert_uint_eq(hello.ec_point_formats.count, 1);
    ck_assert_uint_eq(hello.key_share_groups.count, 2);
    ck_assert_uint_eq(hello.key_share_groups.values[0], 0x001d);
    ck_assert_uint_eq(hello.key_share_groups.values[1], 0x0017);
    ck_assert_uint_eq(hello.extensions.count, 8);
    ck_assert_uint_eq(hello.extensions.values[7], 0x0029);

    /* pre_shared_key not last: INVALID. */
    static uint8_t psk[128];
    size_t psk_length = b.length - psk_at;
    memcpy(psk, b.bytes + psk_at, psk_length);
    b.length = psk_at;
    open_extension(&b, 0x0016);                /* encrypt_then_mac, then the psk */
    close_vector(&b);
    put_bytes(&b, psk, psk_length);
    size_t ext_block = 2 + 32 + 1 + 8 + 2;      /* version, random, session_id, suites, compression */
    size_t block_length = b.length - ext_block - 2;
    b.bytes[ext_block] = (uint8_t)(block_length >> 8);
    b.bytes[ext_block + 1] = (uint8_t)block_length;
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_OK);
    b.length = psk_at;
    put_bytes(&b, psk, psk_length);
    open_extension(&b, 0x0016);                /* the psk, then encrypt_then_mac */
    close_vector(&b);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_INVALID);
}
END_TEST

/* One extension with the given raw contents after a minimal hello. */
static enum clienthello_status parse_one_extension(unsigned type, const void *data, size_t length,
                                                   struct clienthello *hello)
{
    static struct builder b;
    start_hello(&b);
    open_vector(&b, 2);
    open_extension(&b, type);
    put_bytes(&b, data, length);
    close_vector(&b);
    close_vector(&b);
    return parse_built(&b, hello);
}

START_TEST(message_extension_strict_lengths)
{
    struct clienthello hello;
#define EXT(type, bytes) parse_one_extension(type, bytes, sizeof bytes - 1, &hello)
    /* server_name */
    ck_assert_int_eq(EXT(0, "\x00\x04\x00\x00\x01" "a"), CLIENTHELLO_OK);
    ck_assert_str_eq(hello.server_name, "a");
    ck_assert_int_eq(EXT(0, ""), CLIENTHELLO_INVALID);             /* the server's empty form */
    ck_assert_int_eq(EXT(0, "\x00\x00"), CLIENTHELLO_INVALID);     /* empty list */
    ck_assert_int_eq(EXT(0, "\x00\x03\x00\x00\x00"), CLIENTHELLO_INVALID); /* empty name */
    ck_assert_int_eq(EXT(0, "\x00\x04\x00\x00\x01" "ab"), CLIENTHELLO_INVALID);
    /* supported_groups: even, not empty */
    ck_assert_int_eq(EXT(10, "\x00\x02\x00\x1d"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(10, "\x00\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(10, "\x00\x03\x00\x1d\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(10, "\x00\x02\x00\x1d\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(10, "\x00"), CLIENTHELLO_INVALID);
    /* ec_point_formats */
    ck_assert_int_eq(EXT(11, "\x01\x00"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(11, "\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(11, "\x02\x00"), CLIENTHELLO_INVALID);
    /* signature_algorithms */
    ck_assert_int_eq(EXT(13, "\x00\x02\x04\x03"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(13, "\x00\x01\x04"), CLIENTHELLO_INVALID);
    /* ALPN */
    ck_assert_int_eq(EXT(16, "\x00\x03\x02h2"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(16, "\x00\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(16, "\x00\x01\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(16, "\x00\x04\x02h2\x00"), CLIENTHELLO_INVALID);   /* empty name */
    ck_assert_int_eq(EXT(16, "\x00\x03\x03h2"), CLIENTHELLO_INVALID);
    /* supported_versions, client form */
    ck_assert_int_eq(EXT(43, "\x02\x03\x04"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(43, "\x03\x04"), CLIENTHELLO_INVALID);     /* the server's form */
    ck_assert_int_eq(EXT(43, "\x01\x03"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(43, "\x00"), CLIENTHELLO_INVALID);
    /* key_share, client form: an empty list is allowed (RFC 8446 4.2.8) */
    ck_assert_int_eq(EXT(51, "\x00\x00"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(51, "\x00\x05\x00\x1d\x00\x01\x07"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(51, "\x00\x04\x00\x1d\x00\x00"), CLIENTHELLO_INVALID); /* empty key */
    ck_assert_int_eq(EXT(51, "\x00\x1d"), CLIENTHELLO_INVALID);                 /* the HRR form */
    /* psk_key_exchange_modes */
    ck_assert_int_eq(EXT(45, "\x01\x01"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(45, "\x00"), CLIENTHELLO_INVALID);
    /* early_data and extended_master_secret: empty */
    ck_assert_int_eq(EXT(42, "\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(23, "\x00"), CLIENTHELLO_INVALID);
    /* renegotiation_info */
    ck_assert_int_eq(EXT(0xff01, "\x00"), CLIENTHELLO_OK);
    ck_assert_int_eq(EXT(0xff01, ""), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(0xff01, "\x01"), CLIENTHELLO_INVALID);
    /* session_ticket: any contents, even none */
    ck_assert_int_eq(EXT(35, ""), CLIENTHELLO_OK);
    ck_assert(hello.has_session_ticket);
    ck_assert_uint_eq(hello.session_ticket_length, 0);
    /* pre_shared_key: short binder, empty identity, missing binders */
    ck_assert_int_eq(EXT(41, "\x00\x07\x00\x01x\x00\x00\x00\x00" "\x00\x02\x01\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(41, "\x00\x06\x00\x00\x00\x00\x00\x00" "\x00\x00"), CLIENTHELLO_INVALID);
    ck_assert_int_eq(EXT(41, "\x00\x07\x00\x01x\x00\x00\x00\x00"), CLIENTHELLO_INVALID);
    /* An unknown extension: skipped, whatever it holds. */
    ck_assert_int_eq(EXT(0x1234, "\xff\xff\xff"), CLIENTHELLO_OK);
    ck_assert_uint_eq(hello.extensions.values[0], 0x1234);
#undef EXT
}
END_TEST

START_TEST(message_server_name_values)
{
    static char name[300];
    struct hello_spec spec = { 0 };
    struct clienthello hello;

    spec.sni = "www.example.com";
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert(hello.has_server_name);
    ck_assert_str_eq(hello.server_name, "www.example.com");

    memset(name, 'a', 255);
    name[255] = '\0';
    spec.sni = name;
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert_str_eq(hello.server_name, name);
    memset(name, 'a', 256);
    name[256] = '\0';
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert(hello.has_server_name);
    ck_assert_str_eq(hello.server_name, "");

    spec.sni = "bad\x1bname";
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert(hello.has_server_name);
    ck_assert_str_eq(hello.server_name, "");
    spec.sni = "with space";
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert_str_eq(hello.server_name, "");
    spec.sni = "caf\xc3\xa9.example";
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert_str_eq(hello.server_name, "");

    /* A name with a NUL byte inside. */
    struct clienthello h2;
    ck_assert_int_eq(parse_one_extension(0, "\x00\x06\x00\x00\x03" "a\0b", 8, &h2), CLIENTHELLO_OK);
    ck_assert(h2.has_server_name);
    ck_assert_str_eq(h2.server_name, "");
    /* Another name type first, then host_name: the host_name is kept. */
    ck_assert_int_eq(parse_one_extension(0, "\x00\x08\x01\x00\x01z\x00\x00\x01y", 10, &h2),
                     CLIENTHELLO_OK);
    ck_assert_str_eq(h2.server_name, "y");
}
END_TEST

START_TEST(message_alpn_values)
{
    static const char *const many[] = { "a1", "b2", "c3", "d4", "e5", "f6", "g7", "h8", "i9",
                                        "j10", "k11", "l12", "m13", "n14", "o15", "p16", "q17",
                                        "r18", NULL };
    static const char *const long_name[] = {
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "h2", NULL };
    struct hello_spec spec = { 0 };
    struct clienthello hello;

    spec.alpn = many;
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert_uint_eq(hello.alpn_count, CLIENTHELLO_MAX_ALPN);
    ck_assert_str_eq(hello.alpn[0], "a1");
    ck_assert_str_eq(hello.alpn[15], "p16");

    spec.alpn = long_name;
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert_uint_eq(hello.alpn_count, 2);
    ck_assert_str_eq(hello.alpn[0], "0123456789abcdefghijklmnopqrstuv");
    ck_assert_uint_eq(hello.alpn_first_length, 46);
    ck_assert_uint_eq(hello.alpn_last_byte, 'J');
    ck_assert_str_eq(hello.alpn[1], "h2");

    /* Unprintable bytes are shown as '?'; JA4 still sees the real bytes. */
    struct clienthello h2;
    ck_assert_int_eq(parse_one_extension(16, "\x00\x04\x03\x00x\xff", 6, &h2), CLIENTHELLO_OK);
    ck_assert_str_eq(h2.alpn[0], "?x?");
    ck_assert_uint_eq(h2.alpn_first_byte, 0x00);
    ck_assert_uint_eq(h2.alpn_last_byte, 0xff);
}
END_TEST

START_TEST(message_list_overflow)
{
    static uint16_t ciphers[300];
    struct hello_spec spec = { 0 };
    struct clienthello hello;
    char ja4[40], ja3[4096], md5[33];

    for (size_t i = 0; i < 300; i++)
        ciphers[i] = (uint16_t)(0x0100 + i);
    spec.ciphers = ciphers;
    spec.cipher_count = 300;
    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    ck_assert_uint_eq(hello.cipher_suites.count, 300);
    ck_assert_uint_eq(hello.cipher_suites.values[CLIENTHELLO_MAX_LIST - 1], 0x0100 + CLIENTHELLO_MAX_LIST - 1);
    clienthello_ja4(&hello, 't', ja4);
    ck_assert_int_eq(strncmp(ja4, "t12i9900", 8), 0);
    clienthello_ja3(&hello, ja3, sizeof ja3, md5);
    ck_assert_uint_eq(strlen(md5), 32);
    /* A short JA3 buffer is cut, but the MD5 is of the whole text. */
    char short_text[10], md5_short[33];
    clienthello_ja3(&hello, short_text, sizeof short_text, md5_short);
    ck_assert_str_eq(short_text, "771,256-2");
    ck_assert_str_eq(md5_short, md5);
    clienthello_ja3(&hello, NULL, 0, md5_short);
    ck_assert_str_eq(md5_short, md5);
}
END_TEST

/* ---- fingerprints ------------------------------------------------------- */

/* JA4.md's worked example. */
static const uint16_t spec_ciphers[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
                                         0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
                                         0x0035 };
static const uint16_t spec_sigalgs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806,
                                         0x0601 };

START_TEST(ja4_specification_example)
{
    struct clienthello hello;
    char ja4[40];
    static struct builder b;

    /* Every extension of the example, in its order, with valid contents. */
    start_hello(&b);
    b.length = 35;
    put_u16_vector(&b, 2, spec_ciphers, 15);
    put_u8(&b, 1);
    put_u8(&b, 0);
    open_vector(&b, 2);
    static const uint16_t order[] = { 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d,
                                      0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b,
                                      0x000a, 0x0015 };
    for (size_t i = 0; i < 16; i++) {
        open_extension(&b, order[i]);
        switch (order[i]) {
        case 0x0000:
            put_bytes(&b, "\x00\x0e\x00\x00\x0b" "example.com", 16);
            break;
        case 0x0033:
            put_bytes(&b, "\x00\x05\x00\x1d\x00\x01\x01", 7);
            break;
        case 0x0010:
            put_bytes(&b, "\x00\x0c\x02h2\x08http/1.1", 14);
            break;
        case 0x002d:
            put_bytes(&b, "\x01\x01", 2);
            break;
        case 0x000d:
            put_u16_vector(&b, 2, spec_sigalgs, 8);
            break;
        case 0x002b:
            put_bytes(&b, "\x04\x03\x04\x03\x03", 5);
            break;
        case 0xff01:
            put_u8(&b, 0);
            break;
        case 0x000b:
            put_bytes(&b, "\x01\x00", 2);
            break;
        case 0x000a:
            put_bytes(&b, "\x00\x02\x00\x1d", 4);
            break;
        default:
            break;
        }
        close_vector(&b);
    }
    close_vector(&b);
    ck_assert_int_eq(parse_built(&b, &hello), CLIENTHELLO_OK);
    clienthello_ja4(&hello, 't', ja4);
    ck_assert_str_eq(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");

    /* Without signature algorithms (JA4.md: no trailing '_'): the same
     * extension list with 000d's data gone is no longer possible, so
     * clear the parsed list instead. */
    hello.signature_algorithms.count = 0;
    clienthello_ja4(&hello, 't', ja4);
    ck_assert_str_eq(ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");

    /* QUIC marker and no SNI: only the first part changes. */
    hello.has_server_name = false;
    clienthello_ja4(&hello, 'q', ja4);
    ck_assert_str_eq(ja4, "q13i1516h2_8daaf6152771_6d807ffa2a79");
}
END_TEST

START_TEST(ja4_alpn_rule)
{
    static const struct {
        const char *value;
        size_t length;
        const char *want;
    } cases[] = {
        { "h2", 2, "h2" }, { "http/1.1", 8, "h1" }, { "h", 1, "hh" },
        { "\xab", 1, "ab" }, { "\x20", 1, "20" }, { "\xab\xcd", 2, "ad" },
        { "\x20\x61", 2, "21" }, { "\x30\xab", 2, "3b" }, { "\x61\x20", 2, "60" },
        { "\x30\x31\xab\xcd", 4, "3d" }, { "\x30\xab\xcd\x31", 4, "01" },
        { "_x", 2, "58" }, { "Z9", 2, "Z9" },
    };
    uint8_t data[32];
    struct clienthello hello;
    char ja4[40];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        data[0] = 0;
        data[1] = (uint8_t)(cases[i].length + 1);
        data[2] = (uint8_t)cases[i].length;
        memcpy(data + 3, cases[i].value, cases[i].length);
        ck_assert_int_eq(parse_one_extension(16, data, cases[i].length + 3, &hello), CLIENTHELLO_OK);
        clienthello_ja4(&hello, 't', ja4);
        ck_assert_msg(strncmp(ja4 + 8, cases[i].want, 2) == 0, "case %zu: %s, expected %s", i,
                      ja4, cases[i].want);
    }
    /* No ALPN: "00". */
    ck_assert_int_eq(parse_one_extension(0x0017, "", 0, &hello), CLIENTHELLO_OK);
    clienthello_ja4(&hello, 't', ja4);
    ck_assert_int_eq(strncmp(ja4 + 8, "00", 2), 0);
}
END_TEST

START_TEST(ja4_versions)
{
    static const struct {
        unsigned legacy;
        uint16_t versions[3];
        size_t count;
        const char *want;
    } cases[] = {
        { 0x0303, { 0x7a7a, 0x0304, 0x0303 }, 3, "13" },
        { 0x0303, { 0x0303, 0x0302 }, 2, "12" },
        { 0x0303, { 0x0302, 0x0304 }, 2, "13" },       /* highest, not first */
        { 0x0303, { 0x0a0a }, 1, "12" },               /* only GREASE: legacy_version */
        { 0x0303, { 0x7f17 }, 1, "00" },               /* a draft number: unknown */
        { 0x0303, { 0 }, 0, "12" },
        { 0x0302, { 0 }, 0, "11" },
        { 0x0301, { 0 }, 0, "10" },
        { 0x0300, { 0 }, 0, "s3" },
        { 0x0002, { 0 }, 0, "s2" },
        { 0xfefd, { 0 }, 0, "d2" },
        { 0x0305, { 0 }, 0, "00" },
    };
    struct clienthello hello;
    char ja4[40];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hello_spec spec = { .version = cases[i].legacy, .versions = cases[i].versions,
                                   .version_count = cases[i].count };
        if (cases[i].count == 0)
            spec.versions = NULL;
        ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
        clienthello_ja4(&hello, 't', ja4);
        ck_assert_msg(strncmp(ja4 + 1, cases[i].want, 2) == 0, "case %zu: %s", i, ja4);
    }
}
END_TEST

START_TEST(grease_values)
{
    for (unsigned v = 0; v <= 0xffff; v++) {
        bool want = (v >> 8) == (v & 0xff) && (v & 0x0f) == 0x0a;
        ck_assert_msg(clienthello_is_grease((uint16_t)v) == want, "0x%04x", v);
    }
    ck_assert(clienthello_is_grease(0x0a0a));
    ck_assert(clienthello_is_grease(0xfafa));
    ck_assert(!clienthello_is_grease(0x0a1a));
    ck_assert(!clienthello_is_grease(0x0b0b));
    ck_assert(!clienthello_is_grease(0x000a));
}
END_TEST

START_TEST(grease_left_out_of_fingerprints)
{
    static const uint16_t ciphers[] = { 0x2a2a, 0x1301, 0x1302, 0xc02f };
    static const uint16_t groups[] = { 0xdada, 0x001d, 0x0017 };
    static const uint16_t sigalgs[] = { 0x0403, 0x3a3a, 0x0804 };
    static const uint16_t versions[] = { 0xeaea, 0x0304, 0x0303 };
    static const uint16_t extra[] = { 0x0a0a, 0x0017, 0xfafa };
    struct hello_spec with = { .ciphers = ciphers, .cipher_count = 4, .groups = groups,
                               .group_count = 3, .sigalgs = sigalgs, .sigalg_count = 3,
                               .versions = versions, .version_count = 3, .extra = extra,
                               .extra_count = 3, .sni = "a.example" };
    static const uint16_t ciphers2[] = { 0x1301, 0x1302, 0xc02f };
    static const uint16_t groups2[] = { 0x001d, 0x0017 };
    static const uint16_t sigalgs2[] = { 0x0403, 0x0804 };
    static const uint16_t versions2[] = { 0x0304, 0x0303 };
    static const uint16_t extra2[] = { 0x0017 };
    struct hello_spec without = { .ciphers = ciphers2, .cipher_count = 3, .groups = groups2,
                                  .group_count = 2, .sigalgs = sigalgs2, .sigalg_count = 2,
                                  .versions = versions2, .version_count = 2, .extra = extra2,
                                  .extra_count = 1, .sni = "a.example" };
    struct clienthello a, b;
    char ja3_a[512], ja3_b[512], md5_a[33], md5_b[33], ja4_a[40], ja4_b[40];

    ck_assert_int_eq(parse_spec(&with, &a), CLIENTHELLO_OK);
    ck_assert_int_eq(parse_spec(&without, &b), CLIENTHELLO_OK);
    /* GREASE is kept in the lists as sent... */
    ck_assert_uint_eq(a.cipher_suites.count, 4);
    ck_assert_uint_eq(a.cipher_suites.values[0], 0x2a2a);
    ck_assert_uint_eq(a.extensions.count, 7);
    /* ...and left out of both fingerprints. */
    clienthello_ja3(&a, ja3_a, sizeof ja3_a, md5_a);
    clienthello_ja3(&b, ja3_b, sizeof ja3_b, md5_b);
    ck_assert_str_eq(ja3_a, ja3_b);
    ck_assert_str_eq(ja3_a, "771,4865-4866-49199,0-10-13-43-23,29-23,");
    ck_assert_str_eq(md5_a, md5_b);
    clienthello_ja4(&a, 't', ja4_a);
    clienthello_ja4(&b, 't', ja4_b);
    ck_assert_str_eq(ja4_a, ja4_b);
    ck_assert_int_eq(strncmp(ja4_a, "t13d0305", 8), 0);
    /* All-GREASE cipher list: count 00, hash of nothing is zeros. */
    static const uint16_t only_grease[] = { 0x0a0a, 0x1a1a };
    struct hello_spec g = { .ciphers = only_grease, .cipher_count = 2, .no_extensions = true };
    ck_assert_int_eq(parse_spec(&g, &a), CLIENTHELLO_OK);
    clienthello_ja4(&a, 't', ja4_a);
    ck_assert_str_eq(ja4_a, "t12i000000_000000000000_000000000000");
    clienthello_ja3(&a, ja3_a, sizeof ja3_a, md5_a);
    ck_assert_str_eq(ja3_a, "771,,,,");
    ck_assert_str_eq(md5_a, "bddda940f9963577c41d7c28b1a5f65f");
}
END_TEST

START_TEST(ja3_known_md5)
{
    /* MD5 values computed independently (Python hashlib). */
    struct hello_spec spec = { .no_extensions = true };
    struct clienthello hello;
    char text[64], md5[33];

    ck_assert_int_eq(parse_spec(&spec, &hello), CLIENTHELLO_OK);
    clienthello_ja3(&hello, text, sizeof text, md5);
    ck_assert_str_eq(text, "771,4865-4866-49199,,,");
    ck_assert_str_eq(md5, "049a423b3b26cc15ac27ce16552f69b1");
}
END_TEST

/* ---- names -------------------------------------------------------------- */

START_TEST(names_cipher_suites)
{
    static const struct {
        uint16_t id;
        const char *name;
    } known[] = {
        { 0x1301, "TLS_AES_128_GCM_SHA256" }, { 0x1302, "TLS_AES_256_GCM_SHA384" },
        { 0x1303, "TLS_CHACHA20_POLY1305_SHA256" }, { 0x1304, "TLS_AES_128_CCM_SHA256" },
        { 0x1305, "TLS_AES_128_CCM_8_SHA256" },
        { 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" }, { 0x5600, "TLS_FALLBACK_SCSV" },
        { 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
        { 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
        { 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
        { 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
        { 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
        { 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
        { 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
        { 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
        { 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
        { 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
        { 0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" },
        { 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
        { 0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" },
        { 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" },
        { 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" },
        { 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256" }, { 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
        { 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
        { 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
        { 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA" }, { 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
        { 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" }, { 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA" },
        { 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256" }, { 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256" },
        { 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
        { 0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256" },
        { 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" }, { 0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM" },
        { 0xc09c, "TLS_RSA_WITH_AES_128_CCM" }, { 0xc09d, "TLS_RSA_WITH_AES_256_CCM" },
        { 0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM" }, { 0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM" },
        { 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" }, { 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
        { 0x0000, "TLS_NULL_WITH_NULL_NULL" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *name = clienthello_cipher_suite_name(known[i].id);
        ck_assert_msg(name != NULL, "0x%04x has no name", known[i].id);
        ck_assert_str_eq(name, known[i].name);
    }
    ck_assert_str_eq(clienthello_cipher_suite_name(0x3a3a), "GREASE");
    ck_assert_ptr_null(clienthello_cipher_suite_name(0x1399));
    ck_assert_ptr_null(clienthello_cipher_suite_name(0xffff));

    /* Every suite in every captured vector has a name. */
    const char *dir = vectors_dir();
    if (dir == NULL)
        return;
    for (size_t v = 0; v < VECTOR_COUNT; v++) {
        static struct vector vec;
        struct clienthello hello;
        load_vector(vector_names[v], &vec);
        ck_assert_int_eq(parse_records_copy(vec.bytes, vec.length, &hello), CLIENTHELLO_OK);
        for (size_t i = 0; i < hello.cipher_suites.count; i++)
            ck_assert_msg(clienthello_cipher_suite_name(hello.cipher_suites.values[i]) != NULL,
                          "%s: 0x%04x", vector_names[v], hello.cipher_suites.values[i]);
        for (size_t i = 0; i < hello.supported_groups.count; i++)
            ck_assert_msg(clienthello_group_name(hello.supported_groups.values[i]) != NULL,
                          "%s: group 0x%04x", vector_names[v], hello.supported_groups.values[i]);
        for (size_t i = 0; i < hello.signature_algorithms.count; i++)
            ck_assert_msg(clienthello_signature_algorithm_name(hello.signature_algorithms.values[i]) != NULL,
                          "%s: sigalg 0x%04x", vector_names[v], hello.signature_algorithms.values[i]);
        for (size_t i = 0; i < hello.supported_versions.count; i++)
            ck_assert_msg(clienthello_version_name(hello.supported_versions.values[i]) != NULL,
                          "%s: version 0x%04x", vector_names[v], hello.supported_versions.values[i]);
    }
}
END_TEST

START_TEST(names_groups)
{
    ck_assert_str_eq(clienthello_group_name(0x001d), "x25519");
    ck_assert_str_eq(clienthello_group_name(0x0017), "secp256r1");
    ck_assert_str_eq(clienthello_group_name(0x0018), "secp384r1");
    ck_assert_str_eq(clienthello_group_name(0x0019), "secp521r1");
    ck_assert_str_eq(clienthello_group_name(0x001e), "x448");
    ck_assert_str_eq(clienthello_group_name(0x0100), "ffdhe2048");
    ck_assert_str_eq(clienthello_group_name(0x0101), "ffdhe3072");
    ck_assert_str_eq(clienthello_group_name(0x0102), "ffdhe4096");
    ck_assert_str_eq(clienthello_group_name(0x0103), "ffdhe6144");
    ck_assert_str_eq(clienthello_group_name(0x0104), "ffdhe8192");
    ck_assert_str_eq(clienthello_group_name(0x11ec), "X25519MLKEM768");
    ck_assert_str_eq(clienthello_group_name(0x11eb), "SecP256r1MLKEM768");
    ck_assert_str_eq(clienthello_group_name(0x6399), "X25519Kyber768Draft00");
    ck_assert_str_eq(clienthello_group_name(0x1a1a), "GREASE");
    ck_assert_ptr_null(clienthello_group_name(0x7777));
}
END_TEST

START_TEST(names_signature_algorithms)
{
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0403), "ecdsa_secp256r1_sha256");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0503), "ecdsa_secp384r1_sha384");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0603), "ecdsa_secp521r1_sha512");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0804), "rsa_pss_rsae_sha256");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0805), "rsa_pss_rsae_sha384");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0806), "rsa_pss_rsae_sha512");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0809), "rsa_pss_pss_sha256");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0401), "rsa_pkcs1_sha256");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0201), "rsa_pkcs1_sha1");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0203), "ecdsa_sha1");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0807), "ed25519");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x0808), "ed448");
    ck_assert_str_eq(clienthello_signature_algorithm_name(0x4a4a), "GREASE");
    ck_assert_ptr_null(clienthello_signature_algorithm_name(0x0899));
}
END_TEST

START_TEST(names_extensions)
{
    static const struct {
        uint16_t id;
        const char *name;
    } known[] = {
        { 0x0000, "server_name" }, { 0x000a, "supported_groups" }, { 0x000b, "ec_point_formats" },
        { 0x000d, "signature_algorithms" }, { 0x0010, "application_layer_protocol_negotiation" },
        { 0x0017, "extended_master_secret" }, { 0x0023, "session_ticket" },
        { 0x0029, "pre_shared_key" }, { 0x002a, "early_data" }, { 0x002b, "supported_versions" },
        { 0x002d, "psk_key_exchange_modes" }, { 0x0033, "key_share" },
        { 0xff01, "renegotiation_info" }, { 0x0005, "status_request" },
        { 0x0012, "signed_certificate_timestamp" }, { 0x0015, "padding" },
        { 0x0016, "encrypt_then_mac" }, { 0x001c, "record_size_limit" },
        { 0x001b, "compress_certificate" }, { 0x0022, "delegated_credentials" },
        { 0x0031, "post_handshake_auth" }, { 0xfe0d, "encrypted_client_hello" },
        { 0x4469, "application_settings" }, { 0x44cd, "application_settings" },
        { 0x0039, "quic_transport_parameters" }, { 0x0032, "signature_algorithms_cert" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *name = clienthello_extension_name(known[i].id);
        ck_assert_msg(name != NULL, "0x%04x has no name", known[i].id);
        ck_assert_str_eq(name, known[i].name);
    }
    ck_assert_str_eq(clienthello_extension_name(0xcaca), "GREASE");
    ck_assert_ptr_null(clienthello_extension_name(0x7777));
}
END_TEST

START_TEST(names_versions)
{
    ck_assert_str_eq(clienthello_version_name(0x0304), "TLS1.3");
    ck_assert_str_eq(clienthello_version_name(0x0303), "TLS1.2");
    ck_assert_str_eq(clienthello_version_name(0x0302), "TLS1.1");
    ck_assert_str_eq(clienthello_version_name(0x0301), "TLS1.0");
    ck_assert_str_eq(clienthello_version_name(0x0300), "SSL3.0");
    ck_assert_str_eq(clienthello_version_name(0x5a5a), "GREASE");
    ck_assert_ptr_null(clienthello_version_name(0x0305));
    ck_assert_ptr_null(clienthello_version_name(0x7f1c));
}
END_TEST

START_TEST(names_alerts)
{
    ck_assert_str_eq(tls_alert_name(0), "close_notify");
    ck_assert_str_eq(tls_alert_name(20), "bad_record_mac");
    ck_assert_str_eq(tls_alert_name(40), "handshake_failure");
    ck_assert_str_eq(tls_alert_name(70), "protocol_version");
    ck_assert_str_eq(tls_alert_name(100), "no_renegotiation");
    ck_assert_str_eq(tls_alert_name(120), "no_application_protocol");
    ck_assert_ptr_null(tls_alert_name(-1));
    ck_assert_ptr_null(tls_alert_name(1));
    ck_assert_ptr_null(tls_alert_name(255));
}
END_TEST

static Suite *clienthello_suite(void)
{
    Suite *s = suite_create("clienthello");
    TCase *tc;

    if (vectors_dir() != NULL) {
        tc = tcase_create("vectors");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, vectors_all_listed);
        tcase_add_loop_test(tc, vector_fields, 0, VECTOR_COUNT);
        tcase_add_loop_test(tc, vector_every_split, 0, VECTOR_COUNT);
        tcase_add_loop_test(tc, vector_refragmented, 0, VECTOR_COUNT);
        tcase_add_loop_test(tc, vector_lying_lengths, 0, VECTOR_COUNT);
        tcase_add_loop_test(tc, vector_truncated, 0, VECTOR_COUNT);
        suite_add_tcase(s, tc);
    } else {
        printf("test_clienthello: TESTS_SRCDIR is not set: the captured-vector tests are skipped\n");
    }

    tc = tcase_create("records");
    tcase_add_test(tc, records_short_input);
    tcase_add_test(tc, records_not_tls);
    tcase_add_test(tc, records_too_large);
    tcase_add_test(tc, records_largest_hello);
    tcase_add_test(tc, records_zero_length_fragment);
    tcase_add_test(tc, records_other_record_between);
    tcase_add_test(tc, records_not_client_hello);
    tcase_add_test(tc, records_message_ends_inside_record);
    suite_add_tcase(s, tc);

    tc = tcase_create("message");
    tcase_add_test(tc, message_minimal);
    tcase_add_test(tc, message_bad_fixed_fields);
    tcase_add_test(tc, message_duplicate_extension);
    tcase_add_test(tc, message_extension_contents);
    tcase_add_test(tc, message_extension_strict_lengths);
    tcase_add_test(tc, message_server_name_values);
    tcase_add_test(tc, message_alpn_values);
    tcase_add_test(tc, message_list_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("fingerprints");
    tcase_add_test(tc, ja4_specification_example);
    tcase_add_test(tc, ja4_alpn_rule);
    tcase_add_test(tc, ja4_versions);
    tcase_add_test(tc, grease_values);
    tcase_add_test(tc, grease_left_out_of_fingerprints);
    tcase_add_test(tc, ja3_known_md5);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, names_cipher_suites);
    tcase_add_test(tc, names_groups);
    tcase_add_test(tc, names_signature_algorithms);
    tcase_add_test(tc, names_extensions);
    tcase_add_test(tc, names_versions);
    tcase_add_test(tc, names_alerts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* Exactly the size the header asks for, on the heap: an overrun shows. */
    scratch = malloc(CLIENTHELLO_MAX_MESSAGE);
    if (scratch == NULL)
        return 1;
    SRunner *runner = srunner_create(clienthello_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    free(scratch);
    return failed == 0 ? 0 : 1;
}

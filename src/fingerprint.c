/* SPDX-License-Identifier: Apache-2.0 */
/* fingerprint.c: the JA3 and JA4 fingerprints of a parsed ClientHello,
 * the one place outside the TLS modules that needs a hash. */
#include "fingerprint.h"

#include <mbedtls/md.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

/* JA4 leaves these two out of its extension hash (they are in its first part). */
#define EXT_SERVER_NAME 0x0000
#define EXT_ALPN 0x0010

/* Bounded text building: what does not fit is cut, the text stays
 * NUL-terminated. */
struct text {
    char *buffer;
    size_t size;
    size_t length;
};

static void text_add(struct text *t, const char *s)
{
    while (*s != '\0' && t->length + 1 < t->size)
        t->buffer[t->length++] = *s++;
    t->buffer[t->length] = '\0';
}

static void text_add_number(struct text *t, unsigned value, bool hex4)
{
    char digits[8];
    if (hex4)
        snprintf(digits, sizeof digits, "%04x", value & 0xffffu);
    else
        snprintf(digits, sizeof digits, "%u", value & 0xffffu);
    text_add(t, digits);
}

/* The first `hex_length` (even) hex digits of the hash of `text`. */
static void digest_hex(mbedtls_md_type_t type, const char *text, size_t length,
                       char *hex, size_t hex_length)
{
    unsigned char digest[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(type);

    if (info == NULL || mbedtls_md(info, (const unsigned char *)text, length, digest) != 0)
        memset(hex, '0', hex_length);   /* the Mbed TLS build lacks the hash */
    else
        hex_encode(digest, hex_length / 2, hex);
    hex[hex_length] = '\0';
}

static void ja3_list(struct text *t, const struct clienthello_list *list)
{
    bool first = true;
    for (size_t i = 0; i < clienthello_list_stored(list); i++) {
        if (clienthello_is_grease(list->values[i]))
            continue;
        if (!first)
            text_add(t, "-");
        text_add_number(t, list->values[i], false);
        first = false;
    }
}

void clienthello_ja3(const struct clienthello *hello, char *text, size_t text_size, char md5_hex[33])
{
    /* Five lists of at most CLIENTHELLO_MAX_LIST values of at most
     * "65535-": the whole text always fits, so its MD5 is always right
     * even when the caller's buffer is shorter. */
    char full[5 * CLIENTHELLO_MAX_LIST * 6 + 16];
    struct text t = { full, sizeof full, 0 };

    text_add_number(&t, hello->client_version, false);
    text_add(&t, ",");
    ja3_list(&t, &hello->cipher_suites);
    text_add(&t, ",");
    ja3_list(&t, &hello->extensions);
    text_add(&t, ",");
    ja3_list(&t, &hello->supported_groups);
    text_add(&t, ",");
    ja3_list(&t, &hello->ec_point_formats);

    digest_hex(MBEDTLS_MD_MD5, full, t.length, md5_hex, 32);
    if (text_size > 0) {
        struct text out = { text, text_size, 0 };
        text_add(&out, full);
    }
}

static const char *ja4_version(uint16_t version)
{
    switch (version) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
    }
}

static bool is_ascii_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Non-GREASE values sent: those stored, plus all past the stored ones
 * (counted as non-GREASE: only counts above 99 could tell, and those are
 * capped). */
static size_t count_non_grease(const struct clienthello_list *list)
{
    size_t n = list->count - clienthello_list_stored(list);
    for (size_t i = 0; i < clienthello_list_stored(list); i++)
        if (!clienthello_is_grease(list->values[i]))
            n++;
    return n;
}

/* Sorted copy of the stored non-GREASE values, leaving out `skip_a` and
 * `skip_b` when `skip` is set. */
static size_t sorted_values(const struct clienthello_list *list, uint16_t *out,
                            bool skip, uint16_t skip_a, uint16_t skip_b)
{
    size_t n = 0;
    for (size_t i = 0; i < clienthello_list_stored(list); i++) {
        uint16_t v = list->values[i];
        if (clienthello_is_grease(v) || (skip && (v == skip_a || v == skip_b)))
            continue;
        size_t j = n++;
        while (j > 0 && out[j - 1] > v) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = v;
    }
    return n;
}

/* The highest non-GREASE supported_versions value, if that extension is
 * there; else the hello's own version. */
static uint16_t ja4_highest_version(const struct clienthello *hello)
{
    uint16_t version = hello->client_version;
    bool have_version = false;
    for (size_t i = 0; i < clienthello_list_stored(&hello->supported_versions); i++) {
        uint16_t v = hello->supported_versions.values[i];
        if (!clienthello_is_grease(v) && (!have_version || v > version)) {
            version = v;
            have_version = true;
        }
    }
    return version;
}

static void ja4_alpn(const struct clienthello *hello, char alpn[3])
{
    if (hello->alpn_count == 0 || hello->alpn_first_length == 0) {
        memcpy(alpn, "00", 3);
    } else if (is_ascii_alnum(hello->alpn_first_byte) && is_ascii_alnum(hello->alpn_last_byte)) {
        alpn[0] = (char)hello->alpn_first_byte;
        alpn[1] = (char)hello->alpn_last_byte;
        alpn[2] = '\0';
    } else {
        /* JA4.md: the first and last characters of the value's hex form. */
        alpn[0] = hex_digit(hello->alpn_first_byte >> 4);
        alpn[1] = hex_digit(hello->alpn_last_byte);
        alpn[2] = '\0';
    }
}

/* Append `values` as 4-digit hex, each after `first_separator` (the
 * first) or a comma. */
static void ja4_add_values(struct text *t, const uint16_t *values, size_t count, const char *first_separator)
{
    for (size_t i = 0; i < count; i++) {
        text_add(t, i == 0 ? first_separator : ",");
        text_add_number(t, values[i], true);
    }
}

/* The first 12 hex digits of the SHA-256 of `t`, or twelve zeros for nothing. */
static void ja4_hash(const struct text *t, char hash[13])
{
    if (t->length == 0)
        memcpy(hash, "000000000000", 13);
    else
        digest_hex(MBEDTLS_MD_SHA256, t->buffer, t->length, hash, 12);
}

void clienthello_ja4(const struct clienthello *hello, char transport, char out[40])
{
    uint16_t values[CLIENTHELLO_MAX_LIST];
    /* Two lists of at most CLIENTHELLO_MAX_LIST "xxxx," items and a '_'. */
    char raw[2 * CLIENTHELLO_MAX_LIST * 5 + 8];
    char cipher_hash[13], extension_hash[13], alpn[3];
    ja4_alpn(hello, alpn);

    size_t n = sorted_values(&hello->cipher_suites, values, false, 0, 0);
    struct text t = { raw, sizeof raw, 0 };
    raw[0] = '\0';
    ja4_add_values(&t, values, n, "");
    ja4_hash(&t, cipher_hash);

    /* the sorted extensions (less SNI and ALPN), '_', the signature
     * algorithms in the client's order */
    n = sorted_values(&hello->extensions, values, true, EXT_SERVER_NAME, EXT_ALPN);
    t = (struct text){ raw, sizeof raw, 0 };
    raw[0] = '\0';
    ja4_add_values(&t, values, n, "");
    size_t signatures = 0;
    for (size_t i = 0; i < clienthello_list_stored(&hello->signature_algorithms); i++)
        if (!clienthello_is_grease(hello->signature_algorithms.values[i]))
            values[signatures++] = hello->signature_algorithms.values[i];
    ja4_add_values(&t, values, signatures, "_");
    ja4_hash(&t, extension_hash);

    size_t ciphers = count_non_grease(&hello->cipher_suites);
    size_t extensions = count_non_grease(&hello->extensions);
    snprintf(out, 40, "%c%s%c%02u%02u%s_%s_%s", transport, ja4_version(ja4_highest_version(hello)),
             hello->has_server_name ? 'd' : 'i',
             (unsigned)(ciphers > 99 ? 99 : ciphers), (unsigned)(extensions > 99 ? 99 : extensions),
             alpn, cipher_hash, extension_hash);
}

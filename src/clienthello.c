/* clienthello.c: the TLS ClientHello parser and the JA3 / JA4 fingerprints.
 *
 * Every read goes through a `reader` that knows how many bytes are left, and
 * every vector opens a sub-reader bounded by its own length field, so a
 * length that lies is caught where it is read, never by reading past it.
 * Nothing here allocates: fragments are joined in the caller's scratch. */
#include "clienthello.h"

#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>

#define RECORD_TYPE_HANDSHAKE 22
#define HANDSHAKE_CLIENT_HELLO 1
#define MAX_RECORD_LENGTH (16384 + 256)   /* RFC 8446 5.2: TLSCiphertext bound */

enum {
    EXT_SERVER_NAME = 0x0000,
    EXT_SUPPORTED_GROUPS = 0x000a,
    EXT_EC_POINT_FORMATS = 0x000b,
    EXT_SIGNATURE_ALGORITHMS = 0x000d,
    EXT_ALPN = 0x0010,
    EXT_EXTENDED_MASTER_SECRET = 0x0017,
    EXT_SESSION_TICKET = 0x0023,
    EXT_PRE_SHARED_KEY = 0x0029,
    EXT_EARLY_DATA = 0x002a,
    EXT_SUPPORTED_VERSIONS = 0x002b,
    EXT_PSK_KEY_EXCHANGE_MODES = 0x002d,
    EXT_KEY_SHARE = 0x0033,
    EXT_RENEGOTIATION_INFO = 0xff01,
};

#define CIPHER_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff

struct reader {
    const uint8_t *p;
    size_t left;
};

static bool read_bytes(struct reader *r, size_t n, const uint8_t **out)
{
    if (n > r->left)
        return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool read_u8(struct reader *r, uint8_t *value)
{
    const uint8_t *p;
    if (!read_bytes(r, 1, &p))
        return false;
    *value = p[0];
    return true;
}

static bool read_u16(struct reader *r, uint16_t *value)
{
    const uint8_t *p;
    if (!read_bytes(r, 2, &p))
        return false;
    *value = (uint16_t)((p[0] << 8) | p[1]);
    return true;
}

/* A vector with a 1- or 2-byte length: `sub` covers exactly its contents. */
static bool read_vector(struct reader *r, size_t length_bytes, struct reader *sub)
{
    size_t length;
    if (length_bytes == 1) {
        uint8_t n;
        if (!read_u8(r, &n))
            return false;
        length = n;
    } else {
        uint16_t n;
        if (!read_u16(r, &n))
            return false;
        length = n;
    }
    sub->left = length;
    return read_bytes(r, length, &sub->p);
}

static void list_add(struct clienthello_list *list, uint16_t value)
{
    if (list->count < CLIENTHELLO_MAX_LIST)
        list->values[list->count] = value;
    list->count++;
}

static size_t list_stored(const struct clienthello_list *list)
{
    return list->count < CLIENTHELLO_MAX_LIST ? list->count : CLIENTHELLO_MAX_LIST;
}

/* A list of 2-byte values filling the whole vector: at least one, even length. */
static bool read_u16_list(struct reader *r, size_t length_bytes, struct clienthello_list *list)
{
    struct reader values;
    if (!read_vector(r, length_bytes, &values) || r->left != 0)
        return false;
    if (values.left < 2 || values.left % 2 != 0)
        return false;
    while (values.left > 0) {
        uint16_t value = 0;
        read_u16(&values, &value);
        list_add(list, value);
    }
    return true;
}

/* A list of 1-byte values filling the whole vector: at least one. */
static bool read_u8_list(struct reader *r, struct clienthello_list *list)
{
    struct reader values;
    if (!read_vector(r, 1, &values) || r->left != 0 || values.left < 1)
        return false;
    while (values.left > 0) {
        uint8_t value = 0;
        read_u8(&values, &value);
        list_add(list, value);
    }
    return true;
}

bool clienthello_is_grease(uint16_t value)
{
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

/* RFC 6066 3: ServerNameList of (name_type, opaque<1..2^16-1>). The first
 * host_name is kept if it is printable ASCII (no space, no control byte). */
static bool parse_server_name(struct reader *r, struct clienthello *hello)
{
    struct reader names;
    bool found = false;

    if (!read_vector(r, 2, &names) || r->left != 0 || names.left == 0)
        return false;
    hello->has_server_name = true;
    while (names.left > 0) {
        uint8_t type;
        struct reader name;
        if (!read_u8(&names, &type) || !read_vector(&names, 2, &name) || name.left == 0)
            return false;
        if (type != 0 || found)
            continue;
        found = true;
        if (name.left >= sizeof hello->server_name)
            continue;
        bool printable = true;
        for (size_t i = 0; i < name.left; i++)
            if (name.p[i] < 0x21 || name.p[i] > 0x7e)
                printable = false;
        if (printable) {
            memcpy(hello->server_name, name.p, name.left);
            hello->server_name[name.left] = '\0';
        }
    }
    return true;
}

/* RFC 7301 3.1: ProtocolNameList protocol_name_list<2..2^16-1>, each
 * ProtocolName<1..2^8-1>. */
static bool parse_alpn(struct reader *r, struct clienthello *hello)
{
    struct reader names;

    if (!read_vector(r, 2, &names) || r->left != 0 || names.left < 2)
        return false;
    while (names.left > 0) {
        struct reader name;
        if (!read_vector(&names, 1, &name) || name.left == 0)
            return false;
        if (hello->alpn_count == 0) {
            hello->alpn_first_length = name.left;
            hello->alpn_first_byte = name.p[0];
            hello->alpn_last_byte = name.p[name.left - 1];
        }
        if (hello->alpn_count < CLIENTHELLO_MAX_ALPN) {
            char *out = hello->alpn[hello->alpn_count];
            size_t n = name.left < CLIENTHELLO_MAX_ALPN_LENGTH ? name.left : CLIENTHELLO_MAX_ALPN_LENGTH;
            /* Logged as text: bytes that are not printable become '?'. */
            for (size_t i = 0; i < n; i++)
                out[i] = (name.p[i] >= 0x20 && name.p[i] <= 0x7e) ? (char)name.p[i] : '?';
            out[n] = '\0';
            hello->alpn_count++;
        }
    }
    return true;
}

/* RFC 8446 4.2.8, client form: KeyShareEntry client_shares<0..2^16-1>,
 * each (group, key_exchange<1..2^16-1>). */
static bool parse_key_share(struct reader *r, struct clienthello *hello)
{
    struct reader shares;

    if (!read_vector(r, 2, &shares) || r->left != 0)
        return false;
    while (shares.left > 0) {
        uint16_t group;
        struct reader key;
        if (!read_u16(&shares, &group) || !read_vector(&shares, 2, &key) || key.left == 0)
            return false;
        list_add(&hello->key_share_groups, group);
    }
    return true;
}

/* RFC 8446 4.2.11: identities<7..2^16-1> of (identity<1..2^16-1>, uint32
 * age), then binders<33..2^16-1> of PskBinderEntry<32..255>. */
static bool parse_pre_shared_key(struct reader *r)
{
    struct reader identities, binders;

    if (!read_vector(r, 2, &identities) || !read_vector(r, 2, &binders) || r->left != 0)
        return false;
    if (identities.left == 0 || binders.left == 0)
        return false;
    while (identities.left > 0) {
        struct reader identity;
        const uint8_t *age;
        if (!read_vector(&identities, 2, &identity) || identity.left == 0
            || !read_bytes(&identities, 4, &age))
            return false;
    }
    while (binders.left > 0) {
        struct reader binder;
        if (!read_vector(&binders, 1, &binder) || binder.left < 32)
            return false;
    }
    return true;
}

static bool parse_extension(uint16_t type, struct reader *data, struct clienthello *hello)
{
    struct reader sub;

    switch (type) {
    case EXT_SERVER_NAME:
        return parse_server_name(data, hello);
    case EXT_SUPPORTED_GROUPS:
        return read_u16_list(data, 2, &hello->supported_groups);
    case EXT_EC_POINT_FORMATS:
        return read_u8_list(data, &hello->ec_point_formats);
    case EXT_SIGNATURE_ALGORITHMS:
        return read_u16_list(data, 2, &hello->signature_algorithms);
    case EXT_ALPN:
        return parse_alpn(data, hello);
    case EXT_SUPPORTED_VERSIONS:
        return read_u16_list(data, 1, &hello->supported_versions);
    case EXT_KEY_SHARE:
        return parse_key_share(data, hello);
    case EXT_PSK_KEY_EXCHANGE_MODES:
        return read_u8_list(data, &hello->psk_key_exchange_modes);
    case EXT_SESSION_TICKET:
        hello->has_session_ticket = true;
        hello->session_ticket_length = data->left;
        return true;
    case EXT_PRE_SHARED_KEY:
        hello->has_pre_shared_key = true;
        return parse_pre_shared_key(data);
    case EXT_EARLY_DATA:
        hello->has_early_data = true;
        return data->left == 0;
    case EXT_RENEGOTIATION_INFO:
        hello->has_renegotiation_info = true;
        return read_vector(data, 1, &sub) && data->left == 0;
    case EXT_EXTENDED_MASTER_SECRET:
        hello->has_extended_master_secret = true;
        return data->left == 0;
    default:
        return true;
    }
}

/* A malformed hello says where, for the log line that refuses it. */
static enum clienthello_status malformed(struct clienthello *hello, const char *where)
{
    hello->malformed_where = where;
    return CLIENTHELLO_INVALID;
}

static enum clienthello_status malformed_extension(struct clienthello *hello, const char *where, uint16_t type)
{
    hello->malformed_in_extension = true;
    hello->malformed_extension = type;
    return malformed(hello, where);
}

enum clienthello_status clienthello_parse_message(const uint8_t *body, size_t length,
                                                  struct clienthello *hello)
{
    struct reader r = { body, length };
    struct reader session_id, suites, compression, extensions;
    const uint8_t *random;
    /* RFC 8446 4.2: no extension type twice. One bit per type. */
    uint8_t seen[65536 / 8];

    memset(hello, 0, sizeof *hello);
    hello->message_length = length;

    if (!read_u16(&r, &hello->client_version) || !read_bytes(&r, 32, &random))
        return malformed(hello, "version or random");
    memcpy(hello->random, random, 32);

    if (!read_vector(&r, 1, &session_id) || session_id.left > 32)
        return malformed(hello, "session_id");
    hello->session_id_length = session_id.left;

    if (!read_vector(&r, 2, &suites) || suites.left < 2 || suites.left % 2 != 0)
        return malformed(hello, "cipher_suites");
    while (suites.left > 0) {
        uint16_t suite = 0;
        read_u16(&suites, &suite);
        list_add(&hello->cipher_suites, suite);
        if (suite == CIPHER_EMPTY_RENEGOTIATION_INFO_SCSV)
            hello->has_renegotiation_info = true;
    }

    if (!read_vector(&r, 1, &compression) || compression.left < 1)
        return malformed(hello, "compression_methods");
    while (compression.left > 0) {
        uint8_t method = 0;
        read_u8(&compression, &method);
        list_add(&hello->compression_methods, method);
    }

    if (r.left == 0)
        return CLIENTHELLO_OK;   /* no extensions block: allowed before TLS 1.3 */
    if (!read_vector(&r, 2, &extensions) || r.left != 0)
        return malformed(hello, "extensions length");

    memset(seen, 0, sizeof seen);
    while (extensions.left > 0) {
        uint16_t type;
        struct reader data;
        if (!read_u16(&extensions, &type) || !read_vector(&extensions, 2, &data))
            return malformed(hello, "extensions length");
        if (seen[type / 8] & (1u << (type % 8)))
            return malformed_extension(hello, "sent twice", type);
        seen[type / 8] |= (uint8_t)(1u << (type % 8));
        list_add(&hello->extensions, type);
        if (!parse_extension(type, &data, hello))
            return malformed_extension(hello, "malformed", type);
        /* RFC 8446 4.2.11: pre_shared_key MUST be the last extension. */
        if (type == EXT_PRE_SHARED_KEY && extensions.left != 0)
            return malformed_extension(hello, "not the last extension", type);
    }
    return CLIENTHELLO_OK;
}

enum clienthello_status clienthello_parse_records(const uint8_t *bytes, size_t length,
                                                  struct clienthello *hello, uint8_t *scratch)
{
    uint8_t header[4];
    size_t header_have = 0;     /* bytes of the 4-byte handshake header seen */
    size_t body_length = 0;     /* known once header_have == 4 */
    size_t body_have = 0;       /* bytes of the body joined into scratch */
    size_t pos = 0;
    uint16_t record_version = 0;

    memset(hello, 0, sizeof *hello);
    for (;;) {
        if (length - pos < 5)
            return CLIENTHELLO_INCOMPLETE;
        const uint8_t *record = bytes + pos;
        if (record[0] != RECORD_TYPE_HANDSHAKE)
            return pos == 0 ? CLIENTHELLO_NOT_TLS : CLIENTHELLO_INVALID;
        size_t record_length = ((size_t)record[3] << 8) | record[4];
        /* RFC 8446 5.1: no zero-length handshake fragments. */
        if (record_length > MAX_RECORD_LENGTH || record_length == 0)
            return CLIENTHELLO_INVALID;
        if (pos == 0)
            record_version = (uint16_t)((record[1] << 8) | record[2]);

        const uint8_t *fragment = record + 5;
        size_t available = length - pos - 5;
        if (available > record_length)
            available = record_length;
        size_t used = 0;

        while (header_have < 4 && used < available) {
            header[header_have++] = fragment[used++];
            if (header_have == 1 && header[0] != HANDSHAKE_CLIENT_HELLO)
                return CLIENTHELLO_INVALID;
            if (header_have == 4) {
                body_length = ((size_t)header[1] << 16) | ((size_t)header[2] << 8) | header[3];
                if (body_length > CLIENTHELLO_MAX_MESSAGE)
                    return CLIENTHELLO_TOO_LARGE;
            }
        }
        if (header_have == 4) {
            size_t n = available - used;
            if (n > body_length - body_have)
                n = body_length - body_have;
            memcpy(scratch + body_have, fragment + used, n);
            body_have += n;
        }
        if (available < record_length)
            return CLIENTHELLO_INCOMPLETE;
        pos += 5 + record_length;
        if (header_have == 4 && body_have == body_length)
            break;
    }

    enum clienthello_status status = clienthello_parse_message(scratch, body_length, hello);
    if (status == CLIENTHELLO_OK) {
        hello->record_version = record_version;
        hello->record_bytes = pos;
    }
    return status;
}

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

static const char hex_digits[] = "0123456789abcdef";

static void digest_hex(mbedtls_md_type_t type, const char *text, size_t length,
                       char *hex, size_t hex_length)
{
    unsigned char digest[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(type);

    if (info == NULL || mbedtls_md(info, (const unsigned char *)text, length, digest) != 0) {
        memset(hex, '0', hex_length);   /* the Mbed TLS build lacks the hash */
    } else {
        for (size_t i = 0; i < hex_length; i++)
            hex[i] = hex_digits[(digest[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f];
    }
    hex[hex_length] = '\0';
}

static void ja3_list(struct text *t, const struct clienthello_list *list)
{
    bool first = true;
    for (size_t i = 0; i < list_stored(list); i++) {
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
    size_t n = list->count - list_stored(list);
    for (size_t i = 0; i < list_stored(list); i++)
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
    for (size_t i = 0; i < list_stored(list); i++) {
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

void clienthello_ja4(const struct clienthello *hello, char transport, char out[40])
{
    uint16_t version = hello->client_version;
    bool have_version = false;
    uint16_t values[CLIENTHELLO_MAX_LIST];
    /* Two lists of at most CLIENTHELLO_MAX_LIST "xxxx," items and a '_'. */
    char raw[2 * CLIENTHELLO_MAX_LIST * 5 + 8];
    struct text t;
    char cipher_hash[13], extension_hash[13], alpn[3];
    size_t n;

    /* The highest non-GREASE supported_versions value, if that extension is there. */
    for (size_t i = 0; i < list_stored(&hello->supported_versions); i++) {
        uint16_t v = hello->supported_versions.values[i];
        if (!clienthello_is_grease(v) && (!have_version || v > version)) {
            version = v;
            have_version = true;
        }
    }

    if (hello->alpn_count == 0 || hello->alpn_first_length == 0) {
        strcpy(alpn, "00");
    } else if (is_ascii_alnum(hello->alpn_first_byte) && is_ascii_alnum(hello->alpn_last_byte)) {
        alpn[0] = (char)hello->alpn_first_byte;
        alpn[1] = (char)hello->alpn_last_byte;
        alpn[2] = '\0';
    } else {
        /* JA4.md: the first and last characters of the value's hex form. */
        alpn[0] = hex_digits[hello->alpn_first_byte >> 4];
        alpn[1] = hex_digits[hello->alpn_last_byte & 0x0f];
        alpn[2] = '\0';
    }

    n = sorted_values(&hello->cipher_suites, values, false, 0, 0);
    t = (struct text){ raw, sizeof raw, 0 };
    raw[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            text_add(&t, ",");
        text_add_number(&t, values[i], true);
    }
    if (n == 0)
        strcpy(cipher_hash, "000000000000");
    else
        digest_hex(MBEDTLS_MD_SHA256, raw, t.length, cipher_hash, 12);

    n = sorted_values(&hello->extensions, values, true, EXT_SERVER_NAME, EXT_ALPN);
    t = (struct text){ raw, sizeof raw, 0 };
    raw[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            text_add(&t, ",");
        text_add_number(&t, values[i], true);
    }
    bool first = true;
    for (size_t i = 0; i < list_stored(&hello->signature_algorithms); i++) {
        uint16_t v = hello->signature_algorithms.values[i];
        if (clienthello_is_grease(v))
            continue;
        text_add(&t, first ? "_" : ",");
        text_add_number(&t, v, true);
        first = false;
    }
    if (t.length == 0)
        strcpy(extension_hash, "000000000000");
    else
        digest_hex(MBEDTLS_MD_SHA256, raw, t.length, extension_hash, 12);

    size_t ciphers = count_non_grease(&hello->cipher_suites);
    size_t extensions = count_non_grease(&hello->extensions);
    snprintf(out, 40, "%c%s%c%02u%02u%s_%s_%s", transport, ja4_version(version),
             hello->has_server_name ? 'd' : 'i',
             (unsigned)(ciphers > 99 ? 99 : ciphers), (unsigned)(extensions > 99 ? 99 : extensions),
             alpn, cipher_hash, extension_hash);
}

struct name {
    uint16_t id;
    const char *name;
};

static const char *lookup(const struct name *table, size_t count, uint16_t id)
{
    if (clienthello_is_grease(id))
        return "GREASE";
    for (size_t i = 0; i < count; i++)
        if (table[i].id == id)
            return table[i].name;
    return NULL;
}

#define LOOKUP(table, id) lookup((table), sizeof(table) / sizeof((table)[0]), (id))

/* IANA TLS Cipher Suites registry, plus the TLS 1.3 suites and the SCSVs. */
static const struct name cipher_suites[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {0x0001, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, "TLS_RSA_WITH_NULL_SHA"},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"},
    {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA"},
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x000b, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x000c, "TLS_DH_DSS_WITH_DES_CBC_SHA"},
    {0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x000e, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x000f, "TLS_DH_RSA_WITH_DES_CBC_SHA"},
    {0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"},
    {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"},
    {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"},
    {0x001a, "TLS_DH_anon_WITH_DES_CBC_SHA"},
    {0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0x001e, "TLS_KRB5_WITH_DES_CBC_SHA"},
    {0x001f, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA"},
    {0x0020, "TLS_KRB5_WITH_RC4_128_SHA"},
    {0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA"},
    {0x0022, "TLS_KRB5_WITH_DES_CBC_MD5"},
    {0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5"},
    {0x0024, "TLS_KRB5_WITH_RC4_128_MD5"},
    {0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5"},
    {0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA"},
    {0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA"},
    {0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA"},
    {0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5"},
    {0x002a, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5"},
    {0x002b, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5"},
    {0x002c, "TLS_PSK_WITH_NULL_SHA"},
    {0x002d, "TLS_DHE_PSK_WITH_NULL_SHA"},
    {0x002e, "TLS_RSA_PSK_WITH_NULL_SHA"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA"},
    {0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA"},
    {0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
    {0x003b, "TLS_RSA_WITH_NULL_SHA256"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x003e, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256"},
    {0x003f, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256"},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256"},
    {0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
    {0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"},
    {0x008a, "TLS_PSK_WITH_RC4_128_SHA"},
    {0x008b, "TLS_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA"},
    {0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA"},
    {0x008e, "TLS_DHE_PSK_WITH_RC4_128_SHA"},
    {0x008f, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"},
    {0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA"},
    {0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA"},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA"},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"},
    {0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA"},
    {0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA"},
    {0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA"},
    {0x009a, "TLS_DHE_RSA_WITH_SEED_CBC_SHA"},
    {0x009b, "TLS_DH_anon_WITH_SEED_CBC_SHA"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00a0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"},
    {0x00a1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00a4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00a5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"},
    {0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
    {0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00b0, "TLS_PSK_WITH_NULL_SHA256"},
    {0x00b1, "TLS_PSK_WITH_NULL_SHA384"},
    {0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00b4, "TLS_DHE_PSK_WITH_NULL_SHA256"},
    {0x00b5, "TLS_DHE_PSK_WITH_NULL_SHA384"},
    {0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00b8, "TLS_RSA_PSK_WITH_NULL_SHA256"},
    {0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384"},
    {0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00bb, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00bc, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c6, "TLS_SM4_GCM_SM3"},
    {0x00c7, "TLS_SM4_CCM_SM3"},
    {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x1306, "TLS_AEGIS_256_SHA512"},
    {0x1307, "TLS_AEGIS_128L_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xc001, "TLS_ECDH_ECDSA_WITH_NULL_SHA"},
    {0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"},
    {0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"},
    {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc00b, "TLS_ECDH_RSA_WITH_NULL_SHA"},
    {0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA"},
    {0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"},
    {0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"},
    {0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA"},
    {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc015, "TLS_ECDH_anon_WITH_NULL_SHA"},
    {0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA"},
    {0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"},
    {0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
    {0xc01a, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA"},
    {0xc01b, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc01c, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0xc01d, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"},
    {0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"},
    {0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"},
    {0xc020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA"},
    {0xc021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"},
    {0xc022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xc029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc02a, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02e, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA"},
    {0xc034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"},
    {0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"},
    {0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0xc039, "TLS_ECDHE_PSK_WITH_NULL_SHA"},
    {0xc03a, "TLS_ECDHE_PSK_WITH_NULL_SHA256"},
    {0xc03b, "TLS_ECDHE_PSK_WITH_NULL_SHA384"},
    {0xc03c, "TLS_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xc03d, "TLS_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xc03e, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256"},
    {0xc03f, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384"},
    {0xc040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xc041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xc042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256"},
    {0xc043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384"},
    {0xc044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xc045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xc046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256"},
    {0xc047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384"},
    {0xc048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256"},
    {0xc049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384"},
    {0xc04a, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256"},
    {0xc04b, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384"},
    {0xc04c, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xc04d, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xc04e, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xc04f, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xc050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"},
    {0xc057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"},
    {0xc058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256"},
    {0xc059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384"},
    {0xc05a, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256"},
    {0xc05b, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384"},
    {0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc05e, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc05f, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xc065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xc066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xc067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xc068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xc069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xc06a, "TLS_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xc06b, "TLS_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xc06c, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xc06d, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xc06e, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xc06f, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xc070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xc071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc07a, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc07b, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc07c, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc07d, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc07e, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc07f, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc08a, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc08b, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc08c, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc08d, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc08e, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc08f, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xc093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xc094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc09a, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc09b, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc09c, "TLS_RSA_WITH_AES_128_CCM"},
    {0xc09d, "TLS_RSA_WITH_AES_256_CCM"},
    {0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM"},
    {0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM"},
    {0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8"},
    {0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8"},
    {0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"},
    {0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
    {0xc0a4, "TLS_PSK_WITH_AES_128_CCM"},
    {0xc0a5, "TLS_PSK_WITH_AES_256_CCM"},
    {0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM"},
    {0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM"},
    {0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8"},
    {0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8"},
    {0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8"},
    {0xc0ab, "TLS_PSK_DHE_WITH_AES_256_CCM_8"},
    {0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"},
    {0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
    {0xc0b0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256"},
    {0xc0b1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384"},
    {0xc0b2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256"},
    {0xc0b3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384"},
    {0xc0b4, "TLS_SHA256_SHA256"},
    {0xc0b5, "TLS_SHA384_SHA384"},
    {0xc0ff, "TLS_ECJPAKE_WITH_AES_128_CCM_8"},
    {0xc100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC"},
    {0xc101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC"},
    {0xc102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT"},
    {0xc103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L"},
    {0xc104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L"},
    {0xc105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S"},
    {0xc106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0xd002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0xd003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"},
    {0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"},
};

/* IANA TLS Supported Groups registry. */
static const struct name groups[] = {
    {0x0001, "sect163k1"}, {0x0002, "sect163r1"}, {0x0003, "sect163r2"},
    {0x0004, "sect193r1"}, {0x0005, "sect193r2"}, {0x0006, "sect233k1"},
    {0x0007, "sect233r1"}, {0x0008, "sect239k1"}, {0x0009, "sect283k1"},
    {0x000a, "sect283r1"}, {0x000b, "sect409k1"}, {0x000c, "sect409r1"},
    {0x000d, "sect571k1"}, {0x000e, "sect571r1"}, {0x000f, "secp160k1"},
    {0x0010, "secp160r1"}, {0x0011, "secp160r2"}, {0x0012, "secp192k1"},
    {0x0013, "secp192r1"}, {0x0014, "secp224k1"}, {0x0015, "secp224r1"},
    {0x0016, "secp256k1"}, {0x0017, "secp256r1"}, {0x0018, "secp384r1"},
    {0x0019, "secp521r1"}, {0x001a, "brainpoolP256r1"}, {0x001b, "brainpoolP384r1"},
    {0x001c, "brainpoolP512r1"}, {0x001d, "x25519"}, {0x001e, "x448"},
    {0x001f, "brainpoolP256r1tls13"}, {0x0020, "brainpoolP384r1tls13"},
    {0x0021, "brainpoolP512r1tls13"}, {0x0022, "GC256A"}, {0x0023, "GC256B"},
    {0x0024, "GC256C"}, {0x0025, "GC256D"}, {0x0026, "GC512A"}, {0x0027, "GC512B"},
    {0x0028, "GC512C"}, {0x0029, "curveSM2"},
    {0x0100, "ffdhe2048"}, {0x0101, "ffdhe3072"}, {0x0102, "ffdhe4096"},
    {0x0103, "ffdhe6144"}, {0x0104, "ffdhe8192"},
    {0x0200, "MLKEM512"}, {0x0201, "MLKEM768"}, {0x0202, "MLKEM1024"},
    {0x11eb, "SecP256r1MLKEM768"}, {0x11ec, "X25519MLKEM768"},
    {0x11ed, "SecP384r1MLKEM1024"},
    {0x6399, "X25519Kyber768Draft00"}, {0x639a, "SecP256r1Kyber768Draft00"},
    {0xff01, "arbitrary_explicit_prime_curves"}, {0xff02, "arbitrary_explicit_char2_curves"},
};

/* IANA TLS SignatureScheme registry (RFC 8446 names), and the TLS 1.2
 * hash/signature pairs that have no SignatureScheme name. */
static const struct name signature_algorithms[] = {
    {0x0101, "rsa_pkcs1_md5"},
    {0x0201, "rsa_pkcs1_sha1"}, {0x0202, "dsa_sha1"}, {0x0203, "ecdsa_sha1"},
    {0x0301, "rsa_pkcs1_sha224"}, {0x0302, "dsa_sha224"}, {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"}, {0x0402, "dsa_sha256"}, {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0420, "rsa_pkcs1_sha256_legacy"},
    {0x0501, "rsa_pkcs1_sha384"}, {0x0502, "dsa_sha384"}, {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0520, "rsa_pkcs1_sha384_legacy"},
    {0x0601, "rsa_pkcs1_sha512"}, {0x0602, "dsa_sha512"}, {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0620, "rsa_pkcs1_sha512_legacy"},
    {0x0704, "eccsi_sha256"}, {0x0705, "iso_ibs1"}, {0x0706, "iso_ibs2"},
    {0x0707, "iso_chinese_ibs"}, {0x0708, "sm2sig_sm3"},
    {0x0709, "gostr34102012_256a"}, {0x070a, "gostr34102012_256b"},
    {0x070b, "gostr34102012_256c"}, {0x070c, "gostr34102012_256d"},
    {0x070d, "gostr34102012_512a"}, {0x070e, "gostr34102012_512b"},
    {0x070f, "gostr34102012_512c"},
    {0x0804, "rsa_pss_rsae_sha256"}, {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"}, {0x0807, "ed25519"}, {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"}, {0x080a, "rsa_pss_pss_sha384"},
    {0x080b, "rsa_pss_pss_sha512"},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"}, {0x0905, "mldsa65"}, {0x0906, "mldsa87"},
};

/* IANA TLS ExtensionType Values registry, plus a few widely sent
 * unregistered ones (next_protocol_negotiation, channel_id,
 * application_settings). */
static const struct name extensions[] = {
    {0x0000, "server_name"}, {0x0001, "max_fragment_length"},
    {0x0002, "client_certificate_url"}, {0x0003, "trusted_ca_keys"},
    {0x0004, "truncated_hmac"}, {0x0005, "status_request"},
    {0x0006, "user_mapping"}, {0x0007, "client_authz"}, {0x0008, "server_authz"},
    {0x0009, "cert_type"}, {0x000a, "supported_groups"}, {0x000b, "ec_point_formats"},
    {0x000c, "srp"}, {0x000d, "signature_algorithms"}, {0x000e, "use_srtp"},
    {0x000f, "heartbeat"}, {0x0010, "application_layer_protocol_negotiation"},
    {0x0011, "status_request_v2"}, {0x0012, "signed_certificate_timestamp"},
    {0x0013, "client_certificate_type"}, {0x0014, "server_certificate_type"},
    {0x0015, "padding"}, {0x0016, "encrypt_then_mac"},
    {0x0017, "extended_master_secret"}, {0x0018, "token_binding"},
    {0x0019, "cached_info"}, {0x001a, "tls_lts"}, {0x001b, "compress_certificate"},
    {0x001c, "record_size_limit"}, {0x001d, "pwd_protect"}, {0x001e, "pwd_clear"},
    {0x001f, "password_salt"}, {0x0020, "ticket_pinning"},
    {0x0021, "tls_cert_with_extern_psk"}, {0x0022, "delegated_credentials"},
    {0x0023, "session_ticket"}, {0x0024, "TLMSP"}, {0x0025, "TLMSP_proxying"},
    {0x0026, "TLMSP_delegate"}, {0x0027, "supported_ekt_ciphers"},
    {0x0029, "pre_shared_key"}, {0x002a, "early_data"},
    {0x002b, "supported_versions"}, {0x002c, "cookie"},
    {0x002d, "psk_key_exchange_modes"}, {0x002f, "certificate_authorities"},
    {0x0030, "oid_filters"}, {0x0031, "post_handshake_auth"},
    {0x0032, "signature_algorithms_cert"}, {0x0033, "key_share"},
    {0x0034, "transparency_info"}, {0x0035, "connection_id_deprecated"},
    {0x0036, "connection_id"}, {0x0037, "external_id_hash"},
    {0x0038, "external_session_id"}, {0x0039, "quic_transport_parameters"},
    {0x003a, "ticket_request"}, {0x003b, "dnssec_chain"},
    {0x003c, "sequence_number_encryption_algorithms"}, {0x003d, "rrc"},
    {0x3374, "next_protocol_negotiation"},
    {0x4469, "application_settings"}, {0x44cd, "application_settings"},
    {0x754f, "channel_id_old"}, {0x7550, "channel_id"},
    {0xfd00, "ech_outer_extensions"}, {0xfe0d, "encrypted_client_hello"},
    {0xff01, "renegotiation_info"},
};

const char *clienthello_cipher_suite_name(uint16_t id)
{
    return LOOKUP(cipher_suites, id);
}

const char *clienthello_group_name(uint16_t id)
{
    return LOOKUP(groups, id);
}

const char *clienthello_signature_algorithm_name(uint16_t id)
{
    return LOOKUP(signature_algorithms, id);
}

const char *clienthello_extension_name(uint16_t id)
{
    return LOOKUP(extensions, id);
}

const char *clienthello_version_name(uint16_t version)
{
    switch (version) {
    case 0x0304: return "TLS1.3";
    case 0x0303: return "TLS1.2";
    case 0x0302: return "TLS1.1";
    case 0x0301: return "TLS1.0";
    case 0x0300: return "SSL3.0";
    case 0xfeff: return "DTLS1.0";
    case 0xfefd: return "DTLS1.2";
    case 0xfefc: return "DTLS1.3";
    default: return clienthello_is_grease(version) ? "GREASE" : NULL;
    }
}

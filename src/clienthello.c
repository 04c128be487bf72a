/* SPDX-License-Identifier: Apache-2.0 */
/* clienthello.c: the TLS ClientHello parser.
 *
 * Every read goes through a `reader` that knows how many bytes are left, and
 * every vector opens a sub-reader bounded by its own length field, so a
 * length that lies is caught where it is read, never by reading past it.
 * Nothing here allocates: fragments are joined in the caller's scratch.
 * Pure (no Mbed TLS): the fingerprints are in fingerprint.c, the names in
 * tls_names.c. */
#include "clienthello.h"

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

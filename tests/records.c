/* SPDX-License-Identifier: Apache-2.0 */
/* records.c: TLS records made and opened by hand (see records.h). */
#include "records.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl_ciphersuites.h>

#include "compat.h"

#define KEY_LENGTH 16          /* AES-128 */
#define TLS12_IV_LENGTH 4      /* the implicit part of the nonce */
#define TLS13_IV_LENGTH 12
#define KEY_BLOCK_LENGTH (2 * KEY_LENGTH + 2 * TLS12_IV_LENGTH)

_Static_assert(RECORDS_MAX_HELLOS * 4 == RECORDS_MAX_PLAINTEXT, "a record of ClientHellos fills a record");

int records_conf_client(mbedtls_ssl_config *config, int version)
{
    /* IANA numbers: the TLS 1.3 suite's name only exists in 3.x headers */
    static const int tls12_suites[] = {
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        0,
    };
    static const int tls13_suites[] = { 0x1301 /* TLS_AES_128_GCM_SHA256 */, 0 };
    if (version != 12 && version != 13)
        return -1;
    if (compat_conf_tls_versions(config, version, version) != 0)
        return -1;
    mbedtls_ssl_conf_ciphersuites(config, version == 13 ? tls13_suites : tls12_suites);
    return 0;
}

/* ---- Mbed TLS 2.28 / 3.6: key export. The one version-dependent part of
 * this file. compat.c's key-log hook is not enough here: it does not pass
 * the server random, which the TLS 1.2 key block needs. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
static void export_keys(void *context, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                        size_t secret_length, const unsigned char client_random[32],
                        const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct records_secrets *secrets = context;
    if (secrets == NULL)
        return;
    switch (type) {
    case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET:
        if (secret_length != sizeof secrets->master)
            return;
        memcpy(secrets->master, secret, sizeof secrets->master);
        memcpy(secrets->client_random, client_random, 32);
        memcpy(secrets->server_random, server_random, 32);
        secrets->prf_sha256 = prf == MBEDTLS_SSL_TLS_PRF_SHA256;
        secrets->version = 12;
        break;
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET:
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET:
        if (secret_length > sizeof secrets->client_traffic_secret)
            return;
        memcpy(type == MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET
                   ? secrets->client_traffic_secret : secrets->server_traffic_secret,
               secret, secret_length);
        memcpy(secrets->client_random, client_random, 32);
        secrets->traffic_secret_length = secret_length;
        secrets->version = 13;
        break;
#endif
    default:
        break;
    }
}

void records_capture(mbedtls_ssl_config *config, mbedtls_ssl_context *ssl, struct records_secrets *secrets)
{
    (void)config;
    mbedtls_ssl_set_export_keys_cb(ssl, export_keys, secrets);
}
#else
static int export_keys(void *context, const unsigned char *master, const unsigned char *key_block,
                       size_t mac_length, size_t key_length, size_t iv_length,
                       const unsigned char client_random[32], const unsigned char server_random[32],
                       mbedtls_tls_prf_types prf)
{
    struct records_secrets *secrets = context;
    if (secrets == NULL)
        return 0;
    memcpy(secrets->master, master, sizeof secrets->master);
    memcpy(secrets->client_random, client_random, 32);
    memcpy(secrets->server_random, server_random, 32);
    secrets->prf_sha256 = prf == MBEDTLS_SSL_TLS_PRF_SHA256;
    /* AES-GCM: no MAC keys, 16-byte keys, 4-byte implicit IVs */
    secrets->have_key_block = mac_length == 0 && key_length == KEY_LENGTH && iv_length == TLS12_IV_LENGTH;
    if (secrets->have_key_block)
        memcpy(secrets->key_block, key_block, KEY_BLOCK_LENGTH);
    secrets->version = 12;
    return 0;
}

void records_capture(mbedtls_ssl_config *config, mbedtls_ssl_context *ssl, struct records_secrets *secrets)
{
    (void)ssl;
    mbedtls_ssl_conf_export_keys_ext_cb(config, export_keys, secrets);
}
#endif
/* ---- end of the version-dependent part */

void records_keys_init(struct records_keys *keys)
{
    memset(keys, 0, sizeof *keys);
    mbedtls_gcm_init(&keys->write);
    mbedtls_gcm_init(&keys->read);
}

void records_keys_free(struct records_keys *keys)
{
    mbedtls_gcm_free(&keys->write);
    mbedtls_gcm_free(&keys->read);
    mbedtls_platform_zeroize(keys, sizeof *keys);
}

static int set_keys(struct records_keys *keys, enum records_role role, const unsigned char *client_key,
                    const unsigned char *server_key, const unsigned char *client_iv,
                    const unsigned char *server_iv, size_t iv_length)
{
    const unsigned char *write_key = role == RECORDS_CLIENT ? client_key : server_key;
    const unsigned char *read_key = role == RECORDS_CLIENT ? server_key : client_key;
    int result = mbedtls_gcm_setkey(&keys->write, MBEDTLS_CIPHER_ID_AES, write_key, KEY_LENGTH * 8);
    if (result == 0)
        result = mbedtls_gcm_setkey(&keys->read, MBEDTLS_CIPHER_ID_AES, read_key, KEY_LENGTH * 8);
    memcpy(keys->write_iv, role == RECORDS_CLIENT ? client_iv : server_iv, iv_length);
    memcpy(keys->read_iv, role == RECORDS_CLIENT ? server_iv : client_iv, iv_length);
    keys->write_sequence = 0;
    keys->read_sequence = 0;
    return result;
}

int records_keys_tls12(struct records_keys *keys, enum records_role role, const unsigned char master[48],
                       const unsigned char client_random[32], const unsigned char server_random[32],
                       unsigned char key_block[40])
{
    unsigned char randoms[64];
    unsigned char block[KEY_BLOCK_LENGTH];
    /* key expansion takes the server's random first (RFC 5246 6.3) */
    memcpy(randoms, server_random, 32);
    memcpy(randoms + 32, client_random, 32);
    int result = mbedtls_ssl_tls_prf(MBEDTLS_SSL_TLS_PRF_SHA256, master, 48, "key expansion", randoms,
                                     sizeof randoms, block, sizeof block);
    if (result == 0) {
        keys->version = 12;
        result = set_keys(keys, role, block, block + KEY_LENGTH, block + 2 * KEY_LENGTH,
                          block + 2 * KEY_LENGTH + TLS12_IV_LENGTH, TLS12_IV_LENGTH);
    }
    if (result == 0 && key_block)
        memcpy(key_block, block, sizeof block);
    mbedtls_platform_zeroize(block, sizeof block);
    return result;
}

int records_hkdf_expand_label(const unsigned char *secret, size_t secret_length, const char *label,
                              unsigned char *out, size_t out_length)
{
    /* HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label,
     * opaque context<0..255> (empty here) */
    unsigned char info[2 + 1 + 255 + 1];
    size_t label_length = strlen(label);
    if (label_length > 255 - 6 || out_length > 0xffff)
        return MBEDTLS_ERR_HKDF_BAD_INPUT_DATA;
    size_t n = 0;
    info[n++] = (unsigned char)(out_length >> 8);
    info[n++] = (unsigned char)out_length;
    info[n++] = (unsigned char)(6 + label_length);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, label_length);
    n += label_length;
    info[n++] = 0;
    return mbedtls_hkdf_expand(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), secret, secret_length, info, n, out,
                               out_length);
}

int records_keys_tls13(struct records_keys *keys, enum records_role role, const unsigned char *client_secret,
                       const unsigned char *server_secret, size_t secret_length)
{
    unsigned char client_key[KEY_LENGTH], server_key[KEY_LENGTH];
    unsigned char client_iv[TLS13_IV_LENGTH], server_iv[TLS13_IV_LENGTH];
    int result = records_hkdf_expand_label(client_secret, secret_length, "key", client_key, sizeof client_key);
    if (result == 0)
        result = records_hkdf_expand_label(client_secret, secret_length, "iv", client_iv, sizeof client_iv);
    if (result == 0)
        result = records_hkdf_expand_label(server_secret, secret_length, "key", server_key, sizeof server_key);
    if (result == 0)
        result = records_hkdf_expand_label(server_secret, secret_length, "iv", server_iv, sizeof server_iv);
    if (result == 0) {
        keys->version = 13;
        result = set_keys(keys, role, client_key, server_key, client_iv, server_iv, TLS13_IV_LENGTH);
    }
    mbedtls_platform_zeroize(client_key, sizeof client_key);
    mbedtls_platform_zeroize(server_key, sizeof server_key);
    return result;
}

int records_keys_after_handshake(struct records_keys *keys, const struct records_secrets *secrets,
                                 char *error, size_t error_size)
{
    if (secrets->version == 13) {
        if (secrets->traffic_secret_length != 32) {
            snprintf(error, error_size, "TLS 1.3 traffic secrets of %zu bytes (SHA-256 only)",
                     secrets->traffic_secret_length);
            return -1;
        }
        if (records_keys_tls13(keys, RECORDS_CLIENT, secrets->client_traffic_secret, secrets->server_traffic_secret,
                               secrets->traffic_secret_length) != 0) {
            snprintf(error, error_size, "TLS 1.3 key derivation failed");
            return -1;
        }
        return 0;
    }
    if (secrets->version != 12) {
        snprintf(error, error_size, "the handshake exported no keys");
        return -1;
    }
    if (!secrets->prf_sha256) {
        snprintf(error, error_size, "the handshake's PRF is not SHA-256 (another suite was negotiated)");
        return -1;
    }
    unsigned char block[KEY_BLOCK_LENGTH];
    if (records_keys_tls12(keys, RECORDS_CLIENT, secrets->master, secrets->client_random, secrets->server_random,
                           block) != 0) {
        snprintf(error, error_size, "TLS 1.2 key derivation failed");
        return -1;
    }
    bool same = !secrets->have_key_block || memcmp(block, secrets->key_block, sizeof block) == 0;
    mbedtls_platform_zeroize(block, sizeof block);
    if (!same) {
        snprintf(error, error_size, "the derived key block differs from Mbed TLS's own");
        return -1;
    }
    /* each side's Finished was record 0 */
    keys->write_sequence = 1;
    keys->read_sequence = 1;
    return 0;
}

static void put_u64(unsigned char *out, uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)value;
        value >>= 8;
    }
}

static void nonce_for(const struct records_keys *keys, const unsigned char *iv, uint64_t sequence,
                      unsigned char nonce[12])
{
    if (keys->version == 13) {
        unsigned char padded[8];
        put_u64(padded, sequence);
        memcpy(nonce, iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= padded[i];
    } else {
        memcpy(nonce, iv, TLS12_IV_LENGTH);
        put_u64(nonce + TLS12_IV_LENGTH, sequence);
    }
}

size_t records_sealed_size(const struct records_keys *keys, size_t length)
{
    return keys->version == 13 ? RECORDS_HEADER + length + 1 + RECORDS_TAG : length + RECORDS_OVERHEAD;
}

size_t records_seal(struct records_keys *keys, unsigned char type, const unsigned char *plaintext, size_t length,
                    unsigned char *out, size_t out_size)
{
    size_t total = records_sealed_size(keys, length);
    if (length > RECORDS_MAX_PLAINTEXT || total > out_size)
        return 0;
    size_t body = total - RECORDS_HEADER;
    unsigned char nonce[12];
    nonce_for(keys, keys->write_iv, keys->write_sequence, nonce);
    out[0] = keys->version == 13 ? RECORDS_APPLICATION_DATA : type;
    out[1] = 3;
    out[2] = 3;
    out[3] = (unsigned char)(body >> 8);
    out[4] = (unsigned char)body;
    int result;
    if (keys->version == 13) {
        /* TLSInnerPlaintext: content || type, no padding; AAD: the header */
        unsigned char *inner = out + RECORDS_HEADER;
        if (length > 0)
            memmove(inner, plaintext, length);
        inner[length] = type;
        result = mbedtls_gcm_crypt_and_tag(&keys->write, MBEDTLS_GCM_ENCRYPT, length + 1, nonce, sizeof nonce, out,
                                           RECORDS_HEADER, inner, inner, RECORDS_TAG, inner + length + 1);
    } else {
        unsigned char aad[13];
        put_u64(aad, keys->write_sequence);
        aad[8] = type;
        aad[9] = 3;
        aad[10] = 3;
        aad[11] = (unsigned char)(length >> 8);
        aad[12] = (unsigned char)length;
        memcpy(out + RECORDS_HEADER, nonce + TLS12_IV_LENGTH, RECORDS_EXPLICIT_NONCE);
        unsigned char *ciphertext = out + RECORDS_HEADER + RECORDS_EXPLICIT_NONCE;
        result = mbedtls_gcm_crypt_and_tag(&keys->write, MBEDTLS_GCM_ENCRYPT, length, nonce, sizeof nonce, aad,
                                           sizeof aad, plaintext, ciphertext, RECORDS_TAG, ciphertext + length);
    }
    if (result != 0)
        return 0;
    keys->write_sequence++;
    return total;
}

int records_open(struct records_keys *keys, const unsigned char *record, size_t record_length,
                 unsigned char *type, unsigned char *plaintext, size_t plaintext_size, size_t *plaintext_length)
{
    uint64_t sequence = keys->read_sequence++;
    if (record_length < RECORDS_HEADER)
        return -1;
    size_t body = ((size_t)record[3] << 8) | record[4];
    if (body != record_length - RECORDS_HEADER)
        return -1;
    unsigned char nonce[12];
    nonce_for(keys, keys->read_iv, sequence, nonce);
    if (keys->version == 13) {
        if (record[0] != RECORDS_APPLICATION_DATA || body < 1 + RECORDS_TAG || body - RECORDS_TAG > plaintext_size)
            return -1;
        size_t length = body - RECORDS_TAG;
        if (mbedtls_gcm_auth_decrypt(&keys->read, length, nonce, sizeof nonce, record, RECORDS_HEADER,
                                     record + RECORDS_HEADER + length, RECORDS_TAG, record + RECORDS_HEADER,
                                     plaintext) != 0)
            return -1;
        /* the real type is the last non-zero byte */
        while (length > 0 && plaintext[length - 1] == 0)
            length--;
        if (length == 0)
            return -1;
        *type = plaintext[length - 1];
        *plaintext_length = length - 1;
        return 0;
    }
    if (body < RECORDS_EXPLICIT_NONCE + RECORDS_TAG || body - RECORDS_EXPLICIT_NONCE - RECORDS_TAG > plaintext_size)
        return -1;
    size_t length = body - RECORDS_EXPLICIT_NONCE - RECORDS_TAG;
    /* the explicit nonce is whatever the sender put on the wire */
    memcpy(nonce + TLS12_IV_LENGTH, record + RECORDS_HEADER, RECORDS_EXPLICIT_NONCE);
    unsigned char aad[13];
    put_u64(aad, sequence);
    aad[8] = record[0];
    aad[9] = record[1];
    aad[10] = record[2];
    aad[11] = (unsigned char)(length >> 8);
    aad[12] = (unsigned char)length;
    const unsigned char *ciphertext = record + RECORDS_HEADER + RECORDS_EXPLICIT_NONCE;
    if (mbedtls_gcm_auth_decrypt(&keys->read, length, nonce, sizeof nonce, aad, sizeof aad, ciphertext + length,
                                 RECORDS_TAG, ciphertext, plaintext) != 0)
        return -1;
    *type = record[0];
    *plaintext_length = length;
    return 0;
}

/* ---- reader */

unsigned char *records_reader_space(struct records_reader *reader, size_t *room)
{
    if (reader->taken > 0) {
        memmove(reader->data, reader->data + reader->taken, reader->length - reader->taken);
        reader->length -= reader->taken;
        reader->taken = 0;
    }
    *room = sizeof reader->data - reader->length;
    return reader->data + reader->length;
}

void records_reader_filled(struct records_reader *reader, size_t count)
{
    reader->length += count;
}

int records_reader_next(struct records_reader *reader, const unsigned char **record, size_t *record_length)
{
    const unsigned char *start = reader->data + reader->taken;
    size_t held = reader->length - reader->taken;
    if (held < RECORDS_HEADER)
        return 0;
    size_t body = ((size_t)start[3] << 8) | start[4];
    if (body > RECORDS_MAX_BODY)
        return -1;
    if (held < RECORDS_HEADER + body)
        return 0;
    *record = start;
    *record_length = RECORDS_HEADER + body;
    reader->taken += RECORDS_HEADER + body;
    return 1;
}

/* ---- tally */

void records_tally_init(struct records_tally *tally)
{
    memset(tally, 0, sizeof *tally);
    tally->first_fatal = -1;
    tally->first_warning = -1;
}

int records_take(struct records_keys *keys, struct records_tally *tally, const unsigned char *record,
                 size_t record_length)
{
    static unsigned char plaintext[RECORDS_MAX_BODY];
    unsigned char type = 0;
    size_t length = 0;
    tally->records++;
    if (records_open(keys, record, record_length, &type, plaintext, sizeof plaintext, &length) != 0) {
        tally->undecryptable++;
        return -1;
    }
    switch (type) {
    case RECORDS_ALERT:
        /* a record may carry several alerts; tlsd's peers send one */
        for (size_t i = 0; i + 2 <= length; i += 2) {
            tally->alerts++;
            if (plaintext[i] == RECORDS_ALERT_FATAL) {
                tally->fatals++;
                if (tally->first_fatal < 0)
                    tally->first_fatal = plaintext[i + 1];
            } else {
                tally->warnings++;
                if (tally->first_warning < 0)
                    tally->first_warning = plaintext[i + 1];
            }
        }
        break;
    case RECORDS_APPLICATION_DATA: {
        size_t room = sizeof tally->app_head - 1 - tally->app_head_length;
        size_t copy = length < room ? length : room;
        memcpy(tally->app_head + tally->app_head_length, plaintext, copy);
        tally->app_head_length += copy;
        tally->app_head[tally->app_head_length] = '\0';
        tally->app_bytes += length;
        break;
    }
    case RECORDS_HANDSHAKE:
        tally->handshakes++;
        break;
    default:
        break;
    }
    return type;
}

int records_tally_http_status(const struct records_tally *tally)
{
    int status = 0;
    if (tally->app_head_length >= 12 && strncmp(tally->app_head, "HTTP/1.", 7) == 0 &&
        sscanf(tally->app_head + 9, "%3d", &status) == 1)
        return status;
    return 0;
}

const char *records_alert_name(int description)
{
    static const struct {
        int description;
        const char *name;
    } names[] = {
        { 0, "close_notify" }, { 10, "unexpected_message" }, { 20, "bad_record_mac" },
        { 21, "decryption_failed" }, { 22, "record_overflow" }, { 30, "decompression_failure" },
        { 40, "handshake_failure" }, { 41, "no_certificate" }, { 42, "bad_certificate" },
        { 43, "unsupported_certificate" }, { 44, "certificate_revoked" }, { 45, "certificate_expired" },
        { 46, "certificate_unknown" }, { 47, "illegal_parameter" }, { 48, "unknown_ca" },
        { 49, "access_denied" }, { 50, "decode_error" }, { 51, "decrypt_error" },
        { 60, "export_restriction" }, { 70, "protocol_version" }, { 71, "insufficient_security" },
        { 80, "internal_error" }, { 86, "inappropriate_fallback" }, { 90, "user_canceled" },
        { 100, "no_renegotiation" }, { 109, "missing_extension" }, { 110, "unsupported_extension" },
        { 111, "certificate_unobtainable" }, { 112, "unrecognized_name" },
        { 113, "bad_certificate_status_response" }, { 114, "bad_certificate_hash_value" },
        { 115, "unknown_psk_identity" }, { 116, "certificate_required" }, { 120, "no_application_protocol" },
    };
    static char unknown[16];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].description == description)
            return names[i].name;
    snprintf(unknown, sizeof unknown, "alert_%d", description);
    return unknown;
}

/* ---- floods */

size_t records_flood_record(struct records_keys *keys, enum records_flood flood, unsigned parameter,
                            unsigned char *out, size_t out_size)
{
    static unsigned char hellos[RECORDS_MAX_PLAINTEXT];
    static const unsigned char change_cipher_spec = 1;
    switch (flood) {
    case RECORDS_FLOOD_RENEGOTIATION: {
        if (parameter < 1 || parameter > RECORDS_MAX_HELLOS)
            return 0;
        /* msg_type client_hello (1), length 0: the shortest message that
         * asks a server for a renegotiation */
        if (hellos[0] != 1)
            for (size_t i = 0; i < sizeof hellos; i += 4)
                hellos[i] = 1;
        return records_seal(keys, RECORDS_HANDSHAKE, hellos, (size_t)parameter * 4, out, out_size);
    }
    case RECORDS_FLOOD_WARNING_ALERT: {
        unsigned char alert[2] = { RECORDS_ALERT_WARNING, (unsigned char)parameter };
        return records_seal(keys, RECORDS_ALERT, alert, sizeof alert, out, out_size);
    }
    case RECORDS_FLOOD_EMPTY:
        return records_seal(keys, RECORDS_APPLICATION_DATA, NULL, 0, out, out_size);
    case RECORDS_FLOOD_ZERO_HANDSHAKE:
        return records_seal(keys, RECORDS_HANDSHAKE, NULL, 0, out, out_size);
    case RECORDS_FLOOD_CCS:
        return records_seal(keys, RECORDS_CHANGE_CIPHER_SPEC, &change_cipher_spec, 1, out, out_size);
    case RECORDS_FLOOD_CCS_PLAINTEXT: {
        static const unsigned char record[6] = { RECORDS_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1 };
        if (out_size < sizeof record)
            return 0;
        memcpy(out, record, sizeof record);
        return sizeof record;
    }
    }
    return 0;
}

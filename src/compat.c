/* SPDX-License-Identifier: Apache-2.0 */
/* compat.c: the Mbed TLS 2.28 / 3.6 differences tlsd touches. */
#include "compat.h"
#include "session_cache.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ecp.h>
#include <mbedtls/bignum.h>
#include <mbedtls/platform_util.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <mbedtls/platform_time.h>
#include <psa/crypto.h>
#endif

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define TLSD_MBEDTLS3 1
#else
#define TLSD_MBEDTLS3 0
#endif

int compat_crypto_init(void)
{
#if TLSD_MBEDTLS3
    psa_status_t status = psa_crypto_init();
    return status == PSA_SUCCESS ? 0 : MBEDTLS_ERR_SSL_HW_ACCEL_FAILED;
#else
    return 0;
#endif
}

const char *compat_library_version(void)
{
    static char text[64];
    char version[32] = "";
    mbedtls_version_get_string(version);
#if defined(TLSD_MBEDTLS_CONFIGURATION)
    snprintf(text, sizeof text, "Mbed TLS %s, %s", version, TLSD_MBEDTLS_CONFIGURATION);
#else
    snprintf(text, sizeof text, "Mbed TLS %s", version);
#endif
    return text;
}

size_t compat_input_record_size(void)
{
    return MBEDTLS_SSL_IN_CONTENT_LEN;
}

size_t compat_output_record_size(void)
{
    return MBEDTLS_SSL_OUT_CONTENT_LEN;
}

int compat_max_tls_version(void)
{
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    return 13;
#else
    return 12;
#endif
}

int compat_pk_parse_keyfile(mbedtls_pk_context *key, const char *path,
                            compat_random_function random, void *random_context)
{
#if TLSD_MBEDTLS3
    return mbedtls_pk_parse_keyfile(key, path, NULL, random, random_context);
#else
    (void)random;
    (void)random_context;
    return mbedtls_pk_parse_keyfile(key, path, NULL);
#endif
}

int compat_pk_parse_key(mbedtls_pk_context *key, const unsigned char *pem, size_t pem_length,
                        compat_random_function random, void *random_context)
{
#if TLSD_MBEDTLS3
    return mbedtls_pk_parse_key(key, pem, pem_length, NULL, 0, random, random_context);
#else
    (void)random;
    (void)random_context;
    return mbedtls_pk_parse_key(key, pem, pem_length, NULL, 0);
#endif
}

int compat_pk_check_pair(const mbedtls_pk_context *public_key, const mbedtls_pk_context *private_key,
                         compat_random_function random, void *random_context)
{
#if TLSD_MBEDTLS3
    return mbedtls_pk_check_pair(public_key, private_key, random, random_context);
#else
    (void)random;
    (void)random_context;
    return mbedtls_pk_check_pair(public_key, private_key);
#endif
}

int compat_x509write_crt_set_serial(mbedtls_x509write_cert *certificate,
                                    const unsigned char *serial, size_t length)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03040000
    return mbedtls_x509write_crt_set_serial_raw(certificate, (unsigned char *)serial, length);
#else
    mbedtls_mpi number;
    mbedtls_mpi_init(&number);
    int result = mbedtls_mpi_read_binary(&number, serial, length);
    if (result == 0)
        result = mbedtls_x509write_crt_set_serial(certificate, &number);
    mbedtls_mpi_free(&number);
    return result;
#endif
}

int compat_conf_tls_versions(mbedtls_ssl_config *config, int min_version, int max_version)
{
    if (min_version < 12 || max_version > compat_max_tls_version() || min_version > max_version)
        return -1;
#if TLSD_MBEDTLS3
    mbedtls_ssl_conf_min_tls_version(config, min_version == 13 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                               : MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(config, max_version == 13 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                               : MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    return 0;
}

void compat_conf_tls13_forward_secret_resumption(mbedtls_ssl_config *config)
{
#if TLSD_MBEDTLS3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
    mbedtls_ssl_conf_tls13_key_exchange_modes(config, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL |
                                                          MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL);
#else
    (void)config;
#endif
}

void compat_conf_refuse_renegotiation(mbedtls_ssl_config *config)
{
#if defined(MBEDTLS_SSL_RENEGOTIATION)
    mbedtls_ssl_conf_renegotiation(config, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
#else
    (void)config;
#endif
}

int compat_conf_groups(mbedtls_ssl_config *config, struct compat_groups *storage, const uint16_t *groups)
{
    size_t count = 0;
    for (; groups[count] != 0; count++) {
        if (count == COMPAT_MAX_GROUPS)
            return -1;
        storage->iana[count] = groups[count];
#if !TLSD_MBEDTLS3
        /* 2.28 takes its own curve ids */
        const mbedtls_ecp_curve_info *curve = mbedtls_ecp_curve_info_from_tls_id(groups[count]);
        if (curve == NULL)
            return -1;
        storage->curves[count] = curve->grp_id;
#endif
    }
    storage->iana[count] = 0;
#if TLSD_MBEDTLS3
    mbedtls_ssl_conf_groups(config, storage->iana);
#else
    storage->curves[count] = MBEDTLS_ECP_DP_NONE;
    mbedtls_ssl_conf_curves(config, storage->curves);
#endif
    return 0;
}

/* Mbed TLS's state number as tlsd's: the numbers and some names differ
 * between 2.28 and 3.6. */
static enum tls_handshake_state handshake_state(int state)
{
    switch (state) {
    case MBEDTLS_SSL_HELLO_REQUEST: return TLS_STATE_HELLO_REQUEST;
    case MBEDTLS_SSL_CLIENT_HELLO: return TLS_STATE_CLIENT_HELLO;
    case MBEDTLS_SSL_SERVER_HELLO: return TLS_STATE_SERVER_HELLO;
    case MBEDTLS_SSL_SERVER_CERTIFICATE: return TLS_STATE_SERVER_CERTIFICATE;
    case MBEDTLS_SSL_SERVER_KEY_EXCHANGE: return TLS_STATE_SERVER_KEY_EXCHANGE;
    case MBEDTLS_SSL_CERTIFICATE_REQUEST: return TLS_STATE_CERTIFICATE_REQUEST;
    case MBEDTLS_SSL_SERVER_HELLO_DONE: return TLS_STATE_SERVER_HELLO_DONE;
    case MBEDTLS_SSL_CLIENT_CERTIFICATE: return TLS_STATE_CLIENT_CERTIFICATE;
    case MBEDTLS_SSL_CLIENT_KEY_EXCHANGE: return TLS_STATE_CLIENT_KEY_EXCHANGE;
    case MBEDTLS_SSL_CERTIFICATE_VERIFY: return TLS_STATE_CERTIFICATE_VERIFY;
    case MBEDTLS_SSL_CLIENT_CHANGE_CIPHER_SPEC: return TLS_STATE_CLIENT_CHANGE_CIPHER_SPEC;
    case MBEDTLS_SSL_CLIENT_FINISHED: return TLS_STATE_CLIENT_FINISHED;
    case MBEDTLS_SSL_SERVER_CHANGE_CIPHER_SPEC: return TLS_STATE_SERVER_CHANGE_CIPHER_SPEC;
    case MBEDTLS_SSL_SERVER_FINISHED: return TLS_STATE_SERVER_FINISHED;
    case MBEDTLS_SSL_FLUSH_BUFFERS: return TLS_STATE_FLUSH_BUFFERS;
    case MBEDTLS_SSL_HANDSHAKE_WRAPUP: return TLS_STATE_HANDSHAKE_WRAPUP;
    case MBEDTLS_SSL_HANDSHAKE_OVER: return TLS_STATE_HANDSHAKE_OVER;
    case MBEDTLS_SSL_SERVER_HELLO_VERIFY_REQUEST_SENT: return TLS_STATE_HELLO_VERIFY_REQUEST_SENT;
#if TLSD_MBEDTLS3
    /* 3.x renamed TLS 1.2's ticket state and added TLS 1.3's */
    case MBEDTLS_SSL_NEW_SESSION_TICKET: return TLS_STATE_NEW_SESSION_TICKET;
    case MBEDTLS_SSL_HELLO_RETRY_REQUEST: return TLS_STATE_HELLO_RETRY_REQUEST;
    case MBEDTLS_SSL_ENCRYPTED_EXTENSIONS: return TLS_STATE_ENCRYPTED_EXTENSIONS;
    case MBEDTLS_SSL_END_OF_EARLY_DATA: return TLS_STATE_END_OF_EARLY_DATA;
    case MBEDTLS_SSL_CLIENT_CERTIFICATE_VERIFY: return TLS_STATE_CLIENT_CERTIFICATE_VERIFY;
    case MBEDTLS_SSL_CLIENT_CCS_AFTER_SERVER_FINISHED: return TLS_STATE_CLIENT_CCS_AFTER_SERVER_FINISHED;
    case MBEDTLS_SSL_CLIENT_CCS_BEFORE_2ND_CLIENT_HELLO: return TLS_STATE_CLIENT_CCS_BEFORE_2ND_CLIENT_HELLO;
    case MBEDTLS_SSL_SERVER_CCS_AFTER_SERVER_HELLO: return TLS_STATE_SERVER_CCS_AFTER_SERVER_HELLO;
    case MBEDTLS_SSL_CLIENT_CCS_AFTER_CLIENT_HELLO: return TLS_STATE_CLIENT_CCS_AFTER_CLIENT_HELLO;
    case MBEDTLS_SSL_SERVER_CCS_AFTER_HELLO_RETRY_REQUEST: return TLS_STATE_SERVER_CCS_AFTER_HELLO_RETRY_REQUEST;
    case MBEDTLS_SSL_TLS1_3_NEW_SESSION_TICKET: return TLS_STATE_TLS13_NEW_SESSION_TICKET;
    case MBEDTLS_SSL_TLS1_3_NEW_SESSION_TICKET_FLUSH: return TLS_STATE_TLS13_NEW_SESSION_TICKET_FLUSH;
#else
    case MBEDTLS_SSL_SERVER_NEW_SESSION_TICKET: return TLS_STATE_NEW_SESSION_TICKET;
#endif
    default: return TLS_STATE_UNKNOWN;
    }
}

enum tls_handshake_state compat_ssl_state(const mbedtls_ssl_context *ssl)
{
#if TLSD_MBEDTLS3
    return handshake_state(ssl->MBEDTLS_PRIVATE(state));
#else
    return handshake_state(ssl->state);
#endif
}

bool compat_handshake_over(const mbedtls_ssl_context *ssl)
{
#if TLSD_MBEDTLS3
    return mbedtls_ssl_is_handshake_over((mbedtls_ssl_context *)ssl) != 0;
#else
    return ssl->state == MBEDTLS_SSL_HANDSHAKE_OVER;
#endif
}

bool compat_tls13_ticket_pending(const mbedtls_ssl_context *ssl)
{
#if TLSD_MBEDTLS3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
    enum tls_handshake_state state = compat_ssl_state(ssl);
    return state == TLS_STATE_TLS13_NEW_SESSION_TICKET || state == TLS_STATE_TLS13_NEW_SESSION_TICKET_FLUSH;
#else
    (void)ssl;
    return false;
#endif
}

void compat_session_set_ticket_age(mbedtls_ssl_session *session, int64_t age_seconds)
{
#if TLSD_MBEDTLS3 && defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C) && \
    defined(MBEDTLS_HAVE_TIME)
    session->MBEDTLS_PRIVATE(ticket_creation_time) = mbedtls_ms_time() - (mbedtls_ms_time_t)age_seconds * 1000;
#else
    (void)session;
    (void)age_seconds;
#endif
}

bool compat_ssl_read_should_retry(int result)
{
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    if (result == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
        return true;
#endif
#if defined(MBEDTLS_ERR_SSL_RECEIVED_EARLY_DATA)
    if (result == MBEDTLS_ERR_SSL_RECEIVED_EARLY_DATA)
        return true;
#endif
    (void)result;
    return false;
}

#if TLSD_MBEDTLS3
#define SESSION_FIELD(session, field) ((session)->MBEDTLS_PRIVATE(field))
#define CACHE_MISS MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND
#else
#define SESSION_FIELD(session, field) ((session)->field)
/* What 2.28's own mbedtls_ssl_cache_get() returns; the library only
 * tests for nonzero. */
#define CACHE_MISS 1
#endif

/* Set once, at start, before any worker runs: the same filter for every
 * configuration. */
static compat_may_store_function *shared_cache_may_store;

static int shared_cache_set(struct session_cache *cache, const unsigned char *id, size_t id_length,
                            const mbedtls_ssl_session *session)
{
    if (shared_cache_may_store != NULL && !shared_cache_may_store())
        return 0;  /* not kept: a later hello with this id gets a full handshake */
    unsigned char blob[SESSION_CACHE_DATA_MAX];
    size_t blob_length = 0;
    int result = mbedtls_ssl_session_save(session, blob, sizeof blob, &blob_length);
    if (result == 0 && session_cache_store(cache, id, id_length, blob, blob_length, time(NULL)) != 0)
        result = MBEDTLS_ERR_SSL_ALLOC_FAILED;
    /* The blob holds the master secret. */
    mbedtls_platform_zeroize(blob, sizeof blob);
    return result;
}

/* Both versions hand over a freshly initialised session (2.28 with the id
 * filled in) and take ownership of what it points to on success only.
 * mbedtls_ssl_session_load() overwrites pointers without freeing them and
 * frees the session on failure, so it loads into a temporary that is moved
 * into place only once complete and checked. */
static int shared_cache_get(struct session_cache *cache, const unsigned char *id, size_t id_length,
                            mbedtls_ssl_session *session)
{
    unsigned char blob[SESSION_CACHE_DATA_MAX];
    size_t blob_length = 0;
    if (session_cache_lookup(cache, id, id_length, blob, sizeof blob, &blob_length, time(NULL)) != 0)
        return CACHE_MISS;
    mbedtls_ssl_session loaded;
    mbedtls_ssl_session_init(&loaded);
    int result = mbedtls_ssl_session_load(&loaded, blob, blob_length);
    mbedtls_platform_zeroize(blob, sizeof blob);
    if (result != 0) {
        mbedtls_ssl_session_free(&loaded);
        return result;
    }
    /* Stored under its own id; a mismatch would mean resuming another
     * client's session. */
    if (SESSION_FIELD(&loaded, id_len) != id_length
        || memcmp(SESSION_FIELD(&loaded, id), id, id_length) != 0) {
        mbedtls_ssl_session_free(&loaded);
        return CACHE_MISS;
    }
    /* On 2.28 id points into *session: it is not read after this. */
    mbedtls_ssl_session_free(session);
    *session = loaded;
    /* Moved, not copied: only the stack copy of the secret goes. */
    mbedtls_platform_zeroize(&loaded, sizeof loaded);
    return 0;
}

#if TLSD_MBEDTLS3
static int shared_cache_get_callback(void *context, const unsigned char *id, size_t id_length,
                                     mbedtls_ssl_session *session)
{
    return shared_cache_get(context, id, id_length, session);
}

static int shared_cache_set_callback(void *context, const unsigned char *id, size_t id_length,
                                     const mbedtls_ssl_session *session)
{
    return shared_cache_set(context, id, id_length, session);
}
#else
/* 2.28 passes the id inside the session. */
static int shared_cache_get_callback(void *context, mbedtls_ssl_session *session)
{
    return shared_cache_get(context, session->id, session->id_len, session);
}

static int shared_cache_set_callback(void *context, const mbedtls_ssl_session *session)
{
    return shared_cache_set(context, session->id, session->id_len, session);
}
#endif

void compat_conf_shared_session_cache(mbedtls_ssl_config *config, struct session_cache *cache,
                                      compat_may_store_function *may_store)
{
    /* written at start; a reload writes the same value, so never again
     * while workers read it */
    if (shared_cache_may_store != may_store)
        shared_cache_may_store = may_store;
    mbedtls_ssl_conf_session_cache(config, cache, shared_cache_get_callback, shared_cache_set_callback);
}

bool compat_is_tls13(const mbedtls_ssl_context *ssl)
{
#if TLSD_MBEDTLS3
    return mbedtls_ssl_get_version_number(ssl) == MBEDTLS_SSL_VERSION_TLS1_3;
#else
    (void)ssl;
    return false;
#endif
}

/* Mbed TLS errors may carry a low-level code added to the SSL one
 * (MBEDTLS_ERROR_ADD): the table is searched for the whole code, then for
 * its high-level part. */
static const struct {
    int error;
    int alert;
} alert_for_error[] = {
    { MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE, MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE },
    { MBEDTLS_ERR_SSL_UNEXPECTED_RECORD, MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE },
    { MBEDTLS_ERR_SSL_INVALID_MAC, MBEDTLS_SSL_ALERT_MSG_BAD_RECORD_MAC },
    { MBEDTLS_ERR_SSL_INVALID_RECORD, MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR },
    { MBEDTLS_ERR_ECP_INVALID_KEY, MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER },
    { MBEDTLS_ERR_ECP_BAD_INPUT_DATA, MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER },
    { MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE, MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER },
#if TLSD_MBEDTLS3
    { MBEDTLS_ERR_SSL_DECODE_ERROR, MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR },
    { MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER, MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER },
    { MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION, MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION },
    { MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE },
    { MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION, MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_EXT },
    { MBEDTLS_ERR_SSL_BAD_CERTIFICATE, MBEDTLS_SSL_ALERT_MSG_BAD_CERT },
    { MBEDTLS_ERR_SSL_NO_APPLICATION_PROTOCOL, MBEDTLS_SSL_ALERT_MSG_NO_APPLICATION_PROTOCOL },
#else
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO, MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR },
    { MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION, MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION },
    /* the client's key share: a point off the curve, or of the wrong size */
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP, MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER },
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS, MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER },
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE, MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR },
    { MBEDTLS_ERR_SSL_BAD_HS_CHANGE_CIPHER_SPEC, MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE },
    { MBEDTLS_ERR_SSL_BAD_HS_FINISHED, MBEDTLS_SSL_ALERT_MSG_DECRYPT_ERROR },
    { MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE },
    { MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE },
#endif
};

#if !TLSD_MBEDTLS3
/* 2.28's "bad message X" codes, and the handshake type of X */
static const struct {
    int error;
    int message;
} expected_message[] = {
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO, MBEDTLS_SSL_HS_CLIENT_HELLO },
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE, MBEDTLS_SSL_HS_CLIENT_KEY_EXCHANGE },
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP, MBEDTLS_SSL_HS_CLIENT_KEY_EXCHANGE },
    { MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS, MBEDTLS_SSL_HS_CLIENT_KEY_EXCHANGE },
    { MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE, MBEDTLS_SSL_HS_CERTIFICATE },
    { MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_VERIFY, MBEDTLS_SSL_HS_CERTIFICATE_VERIFY },
};
#endif

int compat_alert_for_error(int error, int received_message)
{
    int high = -((-error) & 0xFF80);
#if !TLSD_MBEDTLS3
    for (size_t i = 0; i < sizeof expected_message / sizeof *expected_message; i++)
        if ((expected_message[i].error == error || expected_message[i].error == high) && received_message >= 0 &&
            received_message != expected_message[i].message)
            return MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE;
#else
    (void)received_message;
#endif
    for (int pass = 0; pass < 2; pass++) {
        int wanted = pass == 0 ? error : high;
        for (size_t i = 0; i < sizeof alert_for_error / sizeof *alert_for_error; i++)
            if (alert_for_error[i].error == wanted)
                return alert_for_error[i].alert;
    }
    return -1;
}

#if TLSD_MBEDTLS3
static void export_keys(void *context, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                        size_t secret_length, const unsigned char client_random[32],
                        const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    (void)server_random;
    (void)prf;
    struct compat_keylog_hook *hook = context;
    const char *label = NULL;
    switch (type) {
    case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET:
        label = "CLIENT_RANDOM";
        break;
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_EARLY_SECRET:
        label = "CLIENT_EARLY_TRAFFIC_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_EARLY_EXPORTER_SECRET:
        label = "EARLY_EXPORTER_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET:
        label = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET:
        label = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET:
        label = "CLIENT_TRAFFIC_SECRET_0";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET:
        label = "SERVER_TRAFFIC_SECRET_0";
        break;
#endif
    default:
        return;
    }
    hook->function(hook->context, label, client_random, secret, secret_length);
}
#else
static int export_keys(void *context, const unsigned char *master_secret, const unsigned char *key_block,
                       size_t mac_length, size_t key_length, size_t iv_length,
                       const unsigned char client_random[32], const unsigned char server_random[32],
                       mbedtls_tls_prf_types prf)
{
    (void)key_block;
    (void)mac_length;
    (void)key_length;
    (void)iv_length;
    (void)server_random;
    (void)prf;
    struct compat_keylog_hook *hook = context;
    hook->function(hook->context, "CLIENT_RANDOM", client_random, master_secret, 48);
    return 0;
}
#endif

void compat_conf_keylog(mbedtls_ssl_config *config, struct compat_keylog_hook *hook)
{
#if TLSD_MBEDTLS3
    (void)config;
    (void)hook;
#else
    mbedtls_ssl_conf_export_keys_ext_cb(config, export_keys, hook);
#endif
}

void compat_ssl_keylog(mbedtls_ssl_context *ssl, struct compat_keylog_hook *hook)
{
#if TLSD_MBEDTLS3
    mbedtls_ssl_set_export_keys_cb(ssl, export_keys, hook);
#else
    (void)ssl;
    (void)hook;
#endif
}

const mbedtls_x509_time *compat_crt_valid_to(const mbedtls_x509_crt *crt)
{
    return &crt->valid_to;
}

/* --- used by tlsd-mkcert --- */

void compat_crypto_free(void)
{
#if TLSD_MBEDTLS3
    mbedtls_psa_crypto_free();
#endif
}

int compat_pk_sign(mbedtls_pk_context *key, mbedtls_md_type_t hash_type, const unsigned char *hash,
                   size_t hash_length, unsigned char *signature, size_t signature_size,
                   size_t *signature_length, compat_random_function random, void *random_context)
{
#if TLSD_MBEDTLS3
    return mbedtls_pk_sign(key, hash_type, hash, hash_length, signature, signature_size,
                           signature_length, random, random_context);
#else
    if (signature_size < MBEDTLS_PK_SIGNATURE_MAX_SIZE)
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    return mbedtls_pk_sign(key, hash_type, hash, hash_length, signature, signature_length, random,
                           random_context);
#endif
}

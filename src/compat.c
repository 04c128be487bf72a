/* compat.c: the Mbed TLS 2.28 / 3.6 differences tlsd touches. */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/bignum.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
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
    snprintf(text, sizeof text, "Mbed TLS %s", version);
    return text;
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

void compat_conf_groups(mbedtls_ssl_config *config)
{
#if TLSD_MBEDTLS3
    static const uint16_t groups[] = {
        MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
        MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
        MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
    };
    mbedtls_ssl_conf_groups(config, groups);
#else
    static const mbedtls_ecp_group_id curves[] = {
        MBEDTLS_ECP_DP_CURVE25519,
        MBEDTLS_ECP_DP_SECP256R1,
        MBEDTLS_ECP_DP_NONE,
    };
    mbedtls_ssl_conf_curves(config, curves);
#endif
}

int compat_ssl_state(const mbedtls_ssl_context *ssl)
{
#if TLSD_MBEDTLS3
    return ssl->MBEDTLS_PRIVATE(state);
#else
    return ssl->state;
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

void compat_conf_session_cache(mbedtls_ssl_config *config, mbedtls_ssl_cache_context *cache)
{
    mbedtls_ssl_conf_session_cache(config, cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
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

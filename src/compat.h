/* SPDX-License-Identifier: Apache-2.0 */
/* compat.h: every difference between Mbed TLS 2.28 and 3.6 that tlsd
 * touches, in one place. The rest of the code calls these and never tests
 * MBEDTLS_VERSION_NUMBER itself. */
#ifndef TLSD_COMPAT_H
#define TLSD_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/version.h>
#include <mbedtls/ssl.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/ssl_cache.h>

#include "tls_handshake_state.h"

typedef int (*compat_random_function)(void *context, unsigned char *output, size_t length);

/* Initialise PSA crypto where the library has it (3.x needs it for TLS
 * 1.3 and for parsing keys). Returns 0 or an Mbed TLS error code. */
int compat_crypto_init(void);

/* "Mbed TLS 3.6.6" of the library linked at run time, with ", tlsd
 * configuration" when it is tlsd's own build (mbedtls/tlsd_config.h). */
const char *compat_library_version(void);

/* The record buffers this build was compiled with (MBEDTLS_SSL_IN/
 * OUT_CONTENT_LEN): no handshake message tlsd sends may exceed the
 * output one, because Mbed TLS does not split them across records. */
size_t compat_input_record_size(void);
size_t compat_output_record_size(void);

/* Highest TLS version this build can speak: 13 or 12. */
int compat_max_tls_version(void);

int compat_pk_parse_keyfile(mbedtls_pk_context *key, const char *path,
                            compat_random_function random, void *random_context);
int compat_pk_parse_key(mbedtls_pk_context *key, const unsigned char *pem, size_t pem_length,
                        compat_random_function random, void *random_context);
int compat_pk_check_pair(const mbedtls_pk_context *public_key, const mbedtls_pk_context *private_key,
                         compat_random_function random, void *random_context);

/* Serial number from big-endian bytes (at most 20). */
int compat_x509write_crt_set_serial(mbedtls_x509write_cert *certificate,
                                    const unsigned char *serial, size_t length);

/* Protocol versions as 12 / 13. Returns 0, or -1 if the build lacks one. */
int compat_conf_tls_versions(mbedtls_ssl_config *config, int min_version, int max_version);

/* TLS 1.3 resumption only with a fresh (EC)DHE exchange (psk_dhe_ke):
 * a pure-PSK resumption (psk_ke) would lose forward secrecy, everything
 * sealed under the ticket key. A client that offers only psk_ke gets a
 * full handshake. Nothing to do on 2.28. */
void compat_conf_tls13_forward_secret_resumption(mbedtls_ssl_config *config);

/* Refuse renegotiation; a build without MBEDTLS_SSL_RENEGOTIATION has no
 * code for it and refuses it already. */
void compat_conf_refuse_renegotiation(mbedtls_ssl_config *config);

/* Key-exchange groups, most preferred first, by their IANA numbers
 * (0-terminated; the policy in tls.c says which). `storage` holds the
 * list in the library's terms and lives as long as `config`. Returns 0, or
 * -1 if the build lacks one of them or there are too many. */
#define COMPAT_MAX_GROUPS 8
struct compat_groups {
    uint16_t iana[COMPAT_MAX_GROUPS + 1];
    mbedtls_ecp_group_id curves[COMPAT_MAX_GROUPS + 1];  /* 2.28 */
};
int compat_conf_groups(mbedtls_ssl_config *config, struct compat_groups *storage, const uint16_t *groups);

/* The handshake state (ssl->state, private in 3.x), in tlsd's terms. */
enum tls_handshake_state compat_ssl_state(const mbedtls_ssl_context *ssl);
bool compat_handshake_over(const mbedtls_ssl_context *ssl);

/* 3.6 sends TLS 1.3 NewSessionTickets from states after HANDSHAKE_OVER. */
bool compat_tls13_ticket_pending(const mbedtls_ssl_context *ssl);

/* Mbed TLS 3.6 checks a TLS 1.3 ticket's age itself, against a creation
 * time it stamps in milliseconds of the issuing machine's boot clock
 * (mbedtls_ms_time, CLOCK_BOOTTIME): meaningless on another machine of a
 * fleet. Set it from the ticket's wall-clock age instead, in this
 * machine's terms. Nothing to do on 2.28, which has no TLS 1.3 tickets. */
void compat_session_set_ticket_age(mbedtls_ssl_session *session, int64_t age_seconds);

/* An mbedtls_ssl_read() result that only means "call again" (3.x returns
 * some of these to servers after the handshake). */
bool compat_ssl_read_should_retry(int result);

/* Server-side session-id cache in our own struct session_cache, shared
 * by all threads: sessions are stored serialized (mbedtls_ssl_session_save)
 * under their id, stamped with time(NULL). A session whose serialized form
 * exceeds SESSION_CACHE_DATA_MAX (a large client certificate) is not
 * cached. The cache must outlive the config. */
struct session_cache;
/* `may_store` (NULL = always) says whether the session of the handshake
 * running now may be kept. */
typedef bool compat_may_store_function(void);
void compat_conf_shared_session_cache(mbedtls_ssl_config *config, struct session_cache *cache,
                                      compat_may_store_function *may_store);

/* Whether the connection speaks TLS 1.3 (known once the ClientHello is
 * processed). */
bool compat_is_tls13(const mbedtls_ssl_context *ssl);

/* The fatal alert an Mbed TLS error calls for where the RFCs name one
 * (decode_error for a malformed message, illegal_parameter for a bad
 * point or value, unexpected_message, protocol_version, bad_record_mac,
 * decrypt_error, ...), or -1 when the error does not say. The codes
 * differ: 3.x has DECODE_ERROR and ILLEGAL_PARAMETER, 2.28 names the
 * message it expected, for a malformed one and for another message in
 * its place alike: `received_message` (the type of the handshake message
 * the peer sent, when it was readable, else -1) tells them apart. */
int compat_alert_for_error(int error, int received_message);

/* Key export for the NSS key log: `function` gets the NSS label
 * ("CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", ...), the client
 * random and the secret. 2.28 registers it per config, 3.x per context:
 * call both; each is a no-op on the other version. */
typedef void compat_keylog_function(void *context, const char *label, const unsigned char client_random[32],
                                    const unsigned char *secret, size_t secret_length);
struct compat_keylog_hook {
    compat_keylog_function *function;
    void *context;
};
void compat_conf_keylog(mbedtls_ssl_config *config, struct compat_keylog_hook *hook);
void compat_ssl_keylog(mbedtls_ssl_context *ssl, struct compat_keylog_hook *hook);

/* The leaf certificate's fields used in log lines. */
const mbedtls_x509_time *compat_crt_valid_to(const mbedtls_x509_crt *crt);

/* --- used by tlsd-mkcert --- */

/* Releases what compat_crypto_init() set up (PSA's global state on 3.x),
 * so that a short-lived program exits valgrind-clean. Safe to call when
 * compat_crypto_init() was not called or failed. */
void compat_crypto_free(void);

/* Sign a hash (3.x also takes the signature buffer's size). */
int compat_pk_sign(mbedtls_pk_context *key, mbedtls_md_type_t hash_type, const unsigned char *hash,
                   size_t hash_length, unsigned char *signature, size_t signature_size,
                   size_t *signature_length, compat_random_function random, void *random_context);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* tls.c: Mbed TLS server setup, the TLS policy and the per-connection
 * handshake driver. The only module that sees inside a tls_server and a
 * tls_session. */
#include "tls.h"
#include "tls_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/x509_crt.h>

#include "cert_time.h"
#include "compat.h"
#include "config.h"
#include "key_log.h"
#include "log.h"
#include "secret_file.h"
#include "record_scan.h"
#include "session_cache.h"
#include "ticket_keys.h"

struct tls_server {
    mbedtls_ssl_config ssl_config;
    mbedtls_x509_crt chain;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context random;
    struct tls_resumption *resumption;  /* not owned; NULL = no resumption */
    bool session_cache_on;
    bool tickets_on;
    int ciphersuites[TLS_MAX_CIPHERSUITES + 1];
    struct compat_groups groups;        /* the policy's groups, as ssl_config holds them */
    struct keylog *keylog;       /* NULL unless keylog_file is set */
    struct compat_keylog_hook keylog_hook;  /* per configuration (2.28): finds the session in its step */
    bool export_keys;            /* keylog_file or handshake_capture: Mbed TLS hands tlsd the secrets */
    _Atomic unsigned references;
};

struct tls_resumption {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context random;      /* the ticket keys' alone: they call it under their lock */
    struct session_cache *session_cache;  /* NULL when session_cache_size is 0 */
    struct ticket_keys *tickets;
    unsigned session_cache_size;
    unsigned session_timeout;
};

struct tls_session {
    mbedtls_ssl_context ssl;
    struct tls_server *server;
    int fd;
    struct evbuffer *input;      /* bytes read from the socket, not yet given to Mbed TLS */
    struct evbuffer *output;     /* records Mbed TLS wrote, not yet sent to the socket */
    bool end_of_stream;          /* the peer closed its side */
    bool socket_drained;         /* the last recv() left nothing behind: wait for readability */
    int socket_errno;            /* errno of the last failed read or write */
    uint64_t bytes_received;
    uint64_t bytes_sent;
    bool sent_certificate;       /* a full handshake; no certificate means resumed */
    bool handshake_done;         /* tls_session_handshake returned TLS_IO_DONE */
    bool tls13;                  /* the version negotiated, once known */
    /* the records handed to Mbed TLS, judged before it acts on them */
    struct record_scan inbound_records;
    struct record_header last_inbound;
    uint64_t records_at_last_data;   /* inbound_records.records when data last came out (or the handshake ended) */
    uint64_t handshake_records_other; /* during the handshake: records of other types than handshake */
    bool peer_sent_ccs;          /* its handshake messages are encrypted from here on */
    enum tls_refusal refusal;
    bool refused_after_step;     /* the refusal judged what a completed handshake step read */
    /* the records Mbed TLS wrote, to tell whether it sent an alert itself */
    struct record_scan outbound_records;
    uint64_t alerts_written;
    uint64_t records_before_call, alerts_before_call;  /* at the start of the current Mbed TLS call */
    int alert_sent;              /* the fatal alert tlsd added (description), -1 if none */
    /* the latest ClientHello as tlsd's own parser read it (set by the step
     * callback, tls_session_set_hello), for the checks Mbed TLS lacks */
    const struct clienthello *hello;
    enum clienthello_status hello_status;
    tls_step_callback *on_step;
    tls_bytes_callback *on_received;
    tls_bytes_callback *on_sent;
    void *callback_context;
    struct compat_keylog_hook keylog_hook;  /* per session (3.6) */
    tls_key_log_callback *on_key_log;
    void *key_log_context;
};

void tls_error_text(int error, char *text, size_t size)
{
    mbedtls_strerror(error, text, size);
}

static void tls_server_use_resumption(struct tls_server *server, const struct tlsd_config *config);

/* ---- the TLS policy: all that tlsd decides about what it speaks, in one
 * place (compat.c applies what differs between Mbed TLS versions).
 *   versions     TLS 1.2, and 1.3 where the build has it; min_tls_version
 *                and max_tls_version may narrow that
 *   suites       policy_suites below, or the configuration's list, which
 *                policy_suite_allowed() vets
 *   groups       policy_groups below
 *   signatures   Mbed TLS's default preset
 *   ALPN         policy_alpn below
 *   renegotiation  refused
 *   resumption   TLS 1.3 only with a fresh key share (psk_dhe_ke); TLS 1.2
 *                only of sessions with extended master secret (see
 *                "resumption" below) */

/* TLS 1.3's three AEADs, then TLS 1.2 with ECDHE and AEAD only, ECDSA
 * before RSA and AES-128 before AES-256 (the cheaper, equally safe choice
 * first). Names Mbed TLS lacks (1.3 on 2.28) are skipped. */
static const char *const policy_suites[] = {
    "TLS1-3-AES-128-GCM-SHA256",
    "TLS1-3-AES-256-GCM-SHA384",
    "TLS1-3-CHACHA20-POLY1305-SHA256",
    "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
    "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384",
    "TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256",
    "TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256",
    "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384",
    "TLS-ECDHE-RSA-WITH-CHACHA20-POLY1305-SHA256",
};

/* A configured suite: any of TLS 1.3's; of TLS 1.2's, ECDHE (forward
 * secrecy) with an AEAD. */
static bool policy_suite_allowed(const char *name)
{
    if (strncmp(name, "TLS1-3-", 7) == 0)
        return true;
    bool ecdhe = strstr(name, "-ECDHE-") != NULL && strstr(name, "PSK") == NULL;
    bool aead = strstr(name, "-AES-128-GCM-") != NULL || strstr(name, "-AES-256-GCM-") != NULL ||
                strstr(name, "-CHACHA20-POLY1305-") != NULL;
    return ecdhe && aead;
}

/* Key-exchange groups by IANA number, most preferred first: X25519, then
 * P-256. */
static const uint16_t policy_groups[] = { 0x001d /* x25519 */, 0x0017 /* secp256r1 */, 0 };

/* Mbed TLS refuses a client whose ALPN list has none of ours (RFC 7301's
 * no_application_protocol), so both HTTP/1 names are listed: `curl -0`
 * offers only "http/1.0". */
static const char *const policy_alpn[] = { "http/1.1", "http/1.0", NULL };

static int policy_versions(struct tls_server *server, const struct tlsd_config *config, char *error,
                           size_t error_size)
{
    int max_version = config->max_tls_version ? config->max_tls_version : compat_max_tls_version();
    if (compat_conf_tls_versions(&server->ssl_config, config->min_tls_version, max_version) == 0)
        return 0;
    snprintf(error, error_size, "TLS versions %d.%d to %d.%d cannot be offered: %s speaks TLS 1.2%s",
             config->min_tls_version / 10, config->min_tls_version % 10, max_version / 10, max_version % 10,
             compat_library_version(), compat_max_tls_version() == 13 ? " and 1.3" : " only");
    return -1;
}

/* Apply the policy to the server's configuration (already given its
 * defaults). */
static int policy_apply(struct tls_server *server, const struct tlsd_config *config, char *error,
                        size_t error_size)
{
    if (tls_parse_ciphersuites(config->ciphersuites, server->ciphersuites, TLS_MAX_CIPHERSUITES + 1, error,
                               error_size) != 0 ||
        policy_versions(server, config, error, error_size) != 0)
        return -1;
    mbedtls_ssl_conf_ciphersuites(&server->ssl_config, server->ciphersuites);
    if (compat_conf_groups(&server->ssl_config, &server->groups, policy_groups) != 0) {
        snprintf(error, error_size, "cannot set up TLS: %s lacks X25519 or P-256", compat_library_version());
        return -1;
    }
    compat_conf_tls13_forward_secret_resumption(&server->ssl_config);
    /* Client-initiated renegotiation is a DoS lever and a source of past
     * attacks: refused. */
    compat_conf_refuse_renegotiation(&server->ssl_config);
    int result = mbedtls_ssl_conf_alpn_protocols(&server->ssl_config, (const char **)policy_alpn);
    if (result != 0) {
        char reason[160];
        tls_error_text(result, reason, sizeof reason);
        snprintf(error, error_size, "cannot set up TLS: %s", reason);
        return -1;
    }
    return 0;
}

/* IANA spelling (TLS_AES_128_GCM_SHA256, TLS_ECDHE_..._WITH_...) to Mbed
 * TLS's (TLS1-3-AES-128-GCM-SHA256, TLS-ECDHE-...-WITH-...). */
static void mbedtls_spelling(const char *name, char *out, size_t out_size)
{
    bool iana = strchr(name, '_') != NULL;
    bool tls13 = iana && strstr(name, "_WITH_") == NULL;
    snprintf(out, out_size, "%s%s", tls13 ? "TLS1-3-" : "", tls13 ? name + 4 : name);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = '-';
}

int tls_parse_ciphersuites(const char *text, int *ids, size_t ids_size, char *error, size_t error_size)
{
    size_t count = 0;
    if (text == NULL) {
        for (size_t i = 0; i < sizeof policy_suites / sizeof *policy_suites; i++) {
            int id = mbedtls_ssl_get_ciphersuite_id(policy_suites[i]);
            if (id != 0 && count + 1 < ids_size)
                ids[count++] = id;
        }
        ids[count] = 0;
        return 0;
    }
    const char *p = text;
    while (*p) {
        size_t length = strcspn(p, ":, \t");
        if (length > 0) {
            char name[96], spelled[112];
            if (length >= sizeof name) {
                snprintf(error, error_size, "ciphersuites: '%.40s...' is too long for a suite name", p);
                return -1;
            }
            memcpy(name, p, length);
            name[length] = '\0';
            mbedtls_spelling(name, spelled, sizeof spelled);
            int id = mbedtls_ssl_get_ciphersuite_id(spelled);
            if (id == 0) {
                snprintf(error, error_size, "ciphersuites: unknown or unsupported suite '%s' in %s", name,
                         compat_library_version());
                return -1;
            }
            if (!policy_suite_allowed(spelled)) {
                snprintf(error, error_size,
                         "ciphersuites: '%s' is not allowed: TLS 1.2 suites must use ECDHE key exchange "
                         "and an AEAD cipher (AES-GCM or ChaCha20-Poly1305)", name);
                return -1;
            }
            if (count + 1 >= ids_size) {
                snprintf(error, error_size, "ciphersuites: more than %zu suites", ids_size - 1);
                return -1;
            }
            ids[count++] = id;
        }
        p += length;
        if (*p)
            p++;
    }
    if (count == 0) {
        snprintf(error, error_size, "ciphersuites: the list is empty");
        return -1;
    }
    ids[count] = 0;
    return 0;
}

static const char *tls_version_name(const mbedtls_ssl_context *ssl)
{
    const char *version = mbedtls_ssl_get_version(ssl);
    if (strcmp(version, "TLSv1.2") == 0)
        return "TLS1.2";
    if (strcmp(version, "TLSv1.3") == 0)
        return "TLS1.3";
    return version;
}

/* Load the chain, giving the reason the way a person needs it: missing
 * file, unreadable, not PEM, or a certificate that does not parse. */
static int load_chain(struct tls_server *server, const char *path, char *error, size_t error_size)
{
    if (access(path, R_OK) != 0) {
        snprintf(error, error_size, "certificate %s: %s", path, strerror(errno));
        return -1;
    }
    int result = mbedtls_x509_crt_parse_file(&server->chain, path);
    if (result < 0) {
        char reason[160];
        tls_error_text(result, reason, sizeof reason);
        snprintf(error, error_size, "certificate %s: not a PEM certificate chain: %s", path, reason);
        return -1;
    }
    if (result > 0) {
        snprintf(error, error_size, "certificate %s: %d certificate(s) in the file could not be parsed",
                 path, result);
        return -1;
    }
    /* leaf first, then each certificate issued by the next one */
    int position = 1;
    for (const mbedtls_x509_crt *crt = &server->chain; crt->next != NULL && crt->next->raw.len > 0;
         crt = crt->next, position++) {
        const mbedtls_x509_crt *issuer = crt->next;
        if (crt->issuer_raw.len != issuer->subject_raw.len ||
            memcmp(crt->issuer_raw.p, issuer->subject_raw.p, crt->issuer_raw.len) != 0) {
            char subject[256], issuer_name[256];
            mbedtls_x509_dn_gets(subject, sizeof subject, &crt->issuer);
            mbedtls_x509_dn_gets(issuer_name, sizeof issuer_name, &issuer->subject);
            snprintf(error, error_size,
                     "certificate %s: certificate %d is issued by \"%s\" but certificate %d is \"%s\": "
                     "the file must hold the leaf first, then each intermediate in order",
                     path, position, subject, position + 1, issuer_name);
            return -1;
        }
    }
    return 0;
}

/* Mbed TLS sends the Certificate message in one record, so it must fit the
 * output record buffer (4 KiB in tlsd's own build, 16 KiB in Debian's).
 * Its length with the 4-byte handshake header: TLS 1.2 (RFC 5246 7.4.2)
 * 3 bytes of list length and 3 per certificate; TLS 1.3 (RFC 8446 4.4.2)
 * also a context byte and 2 bytes of extensions per certificate. */
static int check_chain_fits(const struct tls_server *server, const struct tlsd_config *config, char *error,
                            size_t error_size)
{
    int version = config->max_tls_version ? config->max_tls_version : compat_max_tls_version();
    size_t length = version == 13 ? 4 + 1 + 3 : 4 + 3;
    unsigned count = 0;
    for (const mbedtls_x509_crt *crt = &server->chain; crt != NULL && crt->raw.len > 0; crt = crt->next) {
        length += crt->raw.len + (version == 13 ? 3 + 2 : 3);
        count++;
    }
    size_t limit = compat_output_record_size();
    if (length <= limit)
        return 0;
    snprintf(error, error_size,
             "certificate %s: its %u certificate(s) make a %zu-byte Certificate message in TLS %d.%d, "
             "but %s sends at most %zu bytes in one record: leave the root out of the file (clients have "
             "it), or use a shorter chain or a smaller key",
             config->certificate, count, length, version / 10, version % 10, compat_library_version(), limit);
    return -1;
}

static int load_key(struct tls_server *server, const char *path, char *error, size_t error_size)
{
    struct stat status;
    if (stat(path, &status) != 0) {
        snprintf(error, error_size, "private_key %s: %s", path, strerror(errno));
        return -1;
    }
    if (access(path, R_OK) != 0) {
        snprintf(error, error_size, "private_key %s: %s", path, strerror(errno));
        return -1;
    }
    if (secret_file_check_mode("private_key", path, status.st_mode, error, error_size) != 0)
        return -1;
    int result = compat_pk_parse_keyfile(&server->key, path, mbedtls_ctr_drbg_random, &server->random);
    if (result != 0) {
        char reason[160];
        tls_error_text(result, reason, sizeof reason);
        snprintf(error, error_size, "private_key %s: not a usable PEM private key: %s", path, reason);
        return -1;
    }
    return 0;
}

static void write_keylog_line(void *context, const char *label, const unsigned char client_random[32],
                              const unsigned char *secret, size_t secret_length);

static void log_ticket_keys(struct tls_resumption *resumption, size_t count, const char *path)
{
    if (path == NULL) {
        log_message(LOG_LEVEL_INFO, "ticket keys: tlsd's own, random, rotated every %u s",
                    resumption->session_timeout);
        return;
    }
    char name[TICKET_KEY_NAME_HEX_SIZE];
    ticket_keys_issuing_name(resumption->tickets, name);
    /* half the name tells the keys of a file apart, and is what
     * tlsd-mkcert prints */
    log_message(LOG_LEVEL_INFO, "ticket keys: %zu from %s; new tickets use key %.16s", count, path, name);
}

struct tls_resumption *tls_resumption_create(const struct tlsd_config *config, char *error, size_t error_size)
{
    struct tls_resumption *resumption = calloc(1, sizeof *resumption);
    if (resumption == NULL) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    mbedtls_entropy_init(&resumption->entropy);
    mbedtls_ctr_drbg_init(&resumption->random);
    resumption->session_cache_size = config->session_cache_size;
    resumption->session_timeout = config->session_timeout;
    char reason[160];
    int result = compat_crypto_init();
    if (result == 0)
        result = mbedtls_ctr_drbg_seed(&resumption->random, mbedtls_entropy_func, &resumption->entropy,
                                       (const unsigned char *)"tlsd tickets", 12);
    if (result != 0) {
        tls_error_text(result, reason, sizeof reason);
        snprintf(error, error_size, "cannot seed the random generator: %s", reason);
        tls_resumption_free(resumption);
        return NULL;
    }
    if (config->session_cache_size > 0) {
        resumption->session_cache = session_cache_create(config->session_cache_size, config->session_timeout);
        if (resumption->session_cache == NULL) {
            snprintf(error, error_size, "cannot set up the session cache: %s", strerror(errno));
            tls_resumption_free(resumption);
            return NULL;
        }
    }
    resumption->tickets = ticket_keys_create(mbedtls_ctr_drbg_random, &resumption->random,
                                             config->session_timeout, error, error_size);
    if (resumption->tickets == NULL) {
        tls_resumption_free(resumption);
        return NULL;
    }
    struct ticket_key_set set;
    memset(&set, 0, sizeof set);
    result = 0;
    if (config->ticket_key_file != NULL)
        result = ticket_keys_load_file(config->ticket_key_file, &set, error, error_size);
    if (result == 0)
        result = tls_resumption_use_ticket_keys(resumption, config->ticket_key_file ? &set : NULL,
                                                config->ticket_key_file, error, error_size);
    mbedtls_platform_zeroize(&set, sizeof set);
    if (result != 0) {
        tls_resumption_free(resumption);
        return NULL;
    }
    return resumption;
}

int tls_resumption_use_ticket_keys(struct tls_resumption *resumption, const struct ticket_key_set *set,
                                   const char *path, char *error, size_t error_size)
{
    int result = ticket_keys_use(resumption->tickets, set);
    if (result != 0) {
        char reason[160];
        tls_error_text(result, reason, sizeof reason);
        if (set != NULL)
            snprintf(error, error_size, "ticket_key_file %s: cannot use the keys: %s", path ? path : "?", reason);
        else
            snprintf(error, error_size, "cannot make tlsd's own ticket keys: %s", reason);
        return -1;
    }
    log_ticket_keys(resumption, set != NULL ? set->count : 0, set != NULL ? (path != NULL ? path : "?") : NULL);
    return 0;
}

bool tls_resumption_settings_changed(const struct tls_resumption *resumption, const struct tlsd_config *config)
{
    return config->session_cache_size != resumption->session_cache_size ||
           config->session_timeout != resumption->session_timeout;
}

void tls_resumption_free(struct tls_resumption *resumption)
{
    if (resumption == NULL)
        return;
    ticket_keys_free(resumption->tickets);
    session_cache_free(resumption->session_cache);
    mbedtls_ctr_drbg_free(&resumption->random);
    mbedtls_entropy_free(&resumption->entropy);
    free(resumption);
}

struct tls_server *tls_server_create(const struct tlsd_config *config, struct tls_resumption *resumption,
                                     char *error, size_t error_size)
{
    struct tls_server *server = calloc(1, sizeof *server);
    if (server == NULL) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    server->references = 1;
    mbedtls_ssl_config_init(&server->ssl_config);
    mbedtls_x509_crt_init(&server->chain);
    mbedtls_pk_init(&server->key);
    mbedtls_entropy_init(&server->entropy);
    mbedtls_ctr_drbg_init(&server->random);
    server->resumption = resumption;

    char reason[160];
    int result = compat_crypto_init();
    if (result == 0)
        result = mbedtls_ctr_drbg_seed(&server->random, mbedtls_entropy_func, &server->entropy,
                                       (const unsigned char *)"tlsd", 4);
    if (result != 0) {
        tls_error_text(result, reason, sizeof reason);
        snprintf(error, error_size, "cannot seed the random generator: %s", reason);
        goto fail;
    }
    if (load_chain(server, config->certificate, error, error_size) != 0 ||
        check_chain_fits(server, config, error, error_size) != 0 ||
        load_key(server, config->private_key, error, error_size) != 0)
        goto fail;
    result = compat_pk_check_pair(&server->chain.pk, &server->key, mbedtls_ctr_drbg_random, &server->random);
    if (result != 0) {
        char subject[256];
        mbedtls_x509_dn_gets(subject, sizeof subject, &server->chain.subject);
        snprintf(error, error_size, "private_key %s does not match the certificate's public key "
                 "(leaf \"%s\" in %s)", config->private_key, subject, config->certificate);
        goto fail;
    }
    result = mbedtls_ssl_config_defaults(&server->ssl_config, MBEDTLS_SSL_IS_SERVER,
                                         MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (result == 0)
        mbedtls_ssl_conf_rng(&server->ssl_config, mbedtls_ctr_drbg_random, &server->random);
    if (result != 0 || policy_apply(server, config, error, error_size) != 0)
        goto fail_reason;
    result = mbedtls_ssl_conf_own_cert(&server->ssl_config, &server->chain, &server->key);
    if (result != 0)
        goto fail_reason;
    tls_server_use_resumption(server, config);
    if (config->keylog_file) {
        server->keylog = keylog_open(config->keylog_file, config->user, error, error_size);
        if (server->keylog == NULL)
            goto fail;
    }
    /* the key log file, and each connection's own lines for its capture */
    server->export_keys = config->keylog_file != NULL || config->handshake_capture;
    if (server->export_keys) {
        server->keylog_hook.function = write_keylog_line;
        server->keylog_hook.context = server;
        compat_conf_keylog(&server->ssl_config, &server->keylog_hook);
    }
    return server;

fail_reason:
    if (result != 0) {
        tls_error_text(result, reason, sizeof reason);
        snprintf(error, error_size, "cannot set up TLS: %s", reason);
    }
fail:
    tls_server_release(server);
    return NULL;
}

bool tls_handshake_pending(const mbedtls_ssl_context *ssl)
{
    return !compat_handshake_over(ssl) || compat_tls13_ticket_pending(ssl);
}

void tls_server_reference(struct tls_server *server)
{
    atomic_fetch_add_explicit(&server->references, 1, memory_order_relaxed);
}

void tls_server_release(struct tls_server *server)
{
    /* workers release from their own threads: the last one frees */
    if (server == NULL || atomic_fetch_sub_explicit(&server->references, 1, memory_order_acq_rel) > 1)
        return;
    keylog_close(server->keylog);
    mbedtls_ssl_config_free(&server->ssl_config);
    mbedtls_pk_free(&server->key);
    mbedtls_x509_crt_free(&server->chain);
    mbedtls_ctr_drbg_free(&server->random);
    mbedtls_entropy_free(&server->entropy);
    free(server);
}

unsigned tls_server_describe_chain(const struct tls_server *server, tls_certificate_visitor *visit, void *context)
{
    unsigned position = 0;
    for (const mbedtls_x509_crt *crt = &server->chain; crt != NULL && crt->raw.len > 0; crt = crt->next) {
        struct tls_certificate_info info = { .position = position };
        mbedtls_x509_dn_gets(info.subject, sizeof info.subject, &crt->subject);
        mbedtls_x509_dn_gets(info.issuer, sizeof info.issuer, &crt->issuer);
        snprintf(info.key, sizeof info.key, "%s-%zu", mbedtls_pk_get_name(&crt->pk), mbedtls_pk_get_bitlen(&crt->pk));
        cert_time_format(compat_crt_valid_to(crt), info.not_after, sizeof info.not_after);
        info.expired = mbedtls_x509_time_is_past(compat_crt_valid_to(crt));
        if (visit)
            visit(context, &info);
        position++;
    }
    return position;
}

static void log_certificate(void *context, const struct tls_certificate_info *certificate)
{
    (void)context;
    log_message(LOG_LEVEL_INFO, "certificate %u (%s): subject=\"%s\" issuer=\"%s\" not_after=%s%s",
                certificate->position, certificate->position == 0 ? "leaf" : "intermediate", certificate->subject,
                certificate->issuer, certificate->not_after, certificate->expired ? " EXPIRED" : "");
}

void tls_server_log_chain(const struct tls_server *server)
{
    (void)tls_server_describe_chain(server, log_certificate, NULL);
}

bool tls_server_tickets_on(const struct tls_server *server)
{
    return server->tickets_on;
}

void tls_server_key_type(const struct tls_server *server, bool *rsa, size_t *bits)
{
    *rsa = mbedtls_pk_can_do((mbedtls_pk_context *)&server->key, MBEDTLS_PK_RSA);
    *bits = mbedtls_pk_get_bitlen(&server->key);
}

const char *tls_suite_name(uint16_t suite)
{
    return mbedtls_ssl_get_ciphersuite_name(suite);
}

void tls_session_observe(struct tls_session *session, const struct tls_observer *observer)
{
    session->on_step = observer ? observer->on_step : NULL;
    session->on_received = observer ? observer->on_received : NULL;
    session->on_sent = observer ? observer->on_sent : NULL;
    session->callback_context = observer ? observer->context : NULL;
}

size_t tls_session_output_pending(const struct tls_session *session)
{
    return evbuffer_get_length(session->output);
}

void tls_session_socket_readable(struct tls_session *session)
{
    session->socket_drained = false;
}

uint64_t tls_session_bytes_received(const struct tls_session *session)
{
    return session->bytes_received;
}

uint64_t tls_session_bytes_sent(const struct tls_session *session)
{
    return session->bytes_sent;
}

enum tls_refusal tls_session_refusal(const struct tls_session *session)
{
    return session->refusal;
}

bool tls_session_refused_after_step(const struct tls_session *session)
{
    return session->refused_after_step;
}

const char *tls_session_refused_record_type(const struct tls_session *session)
{
    return record_type_name(session->last_inbound.type);
}

int tls_session_alert_sent(const struct tls_session *session)
{
    return session->alert_sent;
}

const char *tls_session_version(const struct tls_session *session)
{
    return tls_version_name(&session->ssl);
}

const char *tls_session_suite(const struct tls_session *session)
{
    return mbedtls_ssl_get_ciphersuite(&session->ssl);
}

const char *tls_session_alpn(const struct tls_session *session)
{
    return mbedtls_ssl_get_alpn_protocol(&session->ssl);
}

bool tls_session_resumed(const struct tls_session *session)
{
    return !session->sent_certificate;
}

const struct tls_server *tls_session_server(const struct tls_session *session)
{
    return session->server;
}

struct ticket_keys *tls_resumption_ticket_keys(struct tls_resumption *resumption)
{
    return resumption->tickets;
}

const mbedtls_ssl_config *tls_server_ssl_config(const struct tls_server *server)
{
    return &server->ssl_config;
}

const char *tls_library_version(void)
{
    return compat_library_version();
}

int tls_max_version(void)
{
    return compat_max_tls_version();
}

void tls_record_sizes(size_t *input, size_t *output)
{
    *input = compat_input_record_size();
    *output = compat_output_record_size();
}

void tls_wipe(void *secret, size_t size)
{
    mbedtls_platform_zeroize(secret, size);
}

/* ---- what tlsd refuses beyond Mbed TLS's own checks */

static const struct {
    const char *reason;
    int alert;
} refusals[TLS_REFUSAL_COUNT] = {
    [TLS_REFUSAL_NONE] = { "none", -1 },
    /* RFC 5246 §7.2.2 sends no_renegotiation as a warning when the
     * connection goes on; tlsd closes it (as nginx does), so the same
     * description goes at the fatal level: the client reads why. */
    [TLS_REFUSAL_RENEGOTIATION] = { "renegotiation_attempt", MBEDTLS_SSL_ALERT_MSG_NO_RENEGOTIATION },
    [TLS_REFUSAL_RECORD_FLOOD] = { "record_flood", MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE },
    [TLS_REFUSAL_MALFORMED_HELLO] = { "malformed_client_hello", MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR },
    /* RFC 7627 §5.3: "the server MUST abort the abbreviated handshake" */
    [TLS_REFUSAL_EMS_REQUIRED] = { "extended_master_secret_missing", MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE },
};

const char *tls_refusal_reason(enum tls_refusal refusal)
{
    return refusal < TLS_REFUSAL_COUNT ? refusals[refusal].reason : "unknown";
}

/* A record the peer sent, judged from its header before Mbed TLS reads
 * its body. */
static enum tls_refusal judge_record(struct tls_session *session, const struct record_header *header)
{
    if (!session->handshake_done) {
        /* handshake messages are bounded by Mbed TLS and the timeout; any
         * other record, or an empty handshake one (RFC 8446 §5.1: never
         * sent), is not */
        if (header->type != RECORD_HANDSHAKE || header->length == 0)
            session->handshake_records_other++;
        if (header->type == RECORD_CHANGE_CIPHER_SPEC)
            session->peer_sent_ccs = true;
        return session->handshake_records_other > TLS_MAX_HANDSHAKE_RECORDS_OTHER ? TLS_REFUSAL_RECORD_FLOOD
                                                                                  : TLS_REFUSAL_NONE;
    }
    /* TLS 1.2 has no handshake message for a client to send after the
     * handshake but a ClientHello: renegotiation, which tlsd refuses.
     * Refused before Mbed TLS reads it: it would answer each hello in the
     * record with an alert of its own. */
    if (header->type == RECORD_HANDSHAKE && !session->tls13)
        return TLS_REFUSAL_RENEGOTIATION;
    if (session->inbound_records.records - session->records_at_last_data > TLS_MAX_RECORDS_WITHOUT_DATA)
        return TLS_REFUSAL_RECORD_FLOOD;
    return TLS_REFUSAL_NONE;
}

/* The bytes about to go to Mbed TLS: returns 0, or refuses them. */
static int scan_inbound(struct tls_session *session, const unsigned char *bytes, size_t length)
{
    struct record_header header;
    while (record_scan_next(&session->inbound_records, &bytes, &length, &header)) {
        session->last_inbound = header;
        session->refusal = judge_record(session, &header);
        if (session->refusal != TLS_REFUSAL_NONE)
            return MBEDTLS_ERR_SSL_UNEXPECTED_RECORD;
    }
    return 0;
}

/* Records Mbed TLS wrote: counted, and alerts among them (whose type
 * shows outside the encryption, but in TLS 1.3). */
static void scan_outbound(struct tls_session *session, const unsigned char *bytes, size_t length)
{
    struct record_header header;
    while (record_scan_next(&session->outbound_records, &bytes, &length, &header))
        if (header.type == RECORD_ALERT)
            session->alerts_written++;
}

/* Mbed TLS is about to be called: what it writes from now on is this
 * call's (an alert it sends when the call fails). */
static void begin_call(struct tls_session *session)
{
    session->records_before_call = session->outbound_records.records;
    session->alerts_before_call = session->alerts_written;
}

static bool alert_written_in_call(const struct tls_session *session)
{
    if (session->alerts_written != session->alerts_before_call)
        return true;
    /* TLS 1.3 hides the type of what it encrypts; a failing call writes
     * nothing but its alert */
    return session->tls13 && session->outbound_records.records != session->records_before_call;
}

/* The last record the peer sent is a fatal alert in the clear (a client
 * that does not trust the chain says unknown_ca so, even in TLS 1.3,
 * before it has keys), whatever error the library made of it (3.6 may
 * try to decrypt it and report a bad MAC). */
static bool peer_sent_fatal_alert(const struct tls_session *session)
{
    return session->last_inbound.type == RECORD_ALERT && session->last_inbound.length == 2 &&
           session->inbound_records.body_remaining == 0 && session->inbound_records.first_body_byte == 2;
}

/* Failures after which no alert is owed or can be sent: the peer's own
 * fatal alert (RFC 8446 6.2: the connection is closed at once), its
 * close, a dead socket. */
static bool failure_needs_alert(const struct tls_session *session, int error)
{
    if (session->socket_errno != 0 || peer_sent_fatal_alert(session))
        return false;
    switch (error) {
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
    case MBEDTLS_ERR_SSL_CONN_EOF:
    case MBEDTLS_ERR_NET_RECV_FAILED:
    case MBEDTLS_ERR_NET_SEND_FAILED:
    case MBEDTLS_ERR_NET_CONN_RESET:
        return false;
    default:
        return true;
    }
}

/* The type of the handshake message the peer sent last, while its
 * handshake messages are in the clear (before its ChangeCipherSpec; in
 * TLS 1.3 only its hellos are), else -1. */
static int received_message(const struct tls_session *session)
{
    if (session->last_inbound.type != RECORD_HANDSHAKE || session->peer_sent_ccs)
        return -1;
    return session->inbound_records.first_body_byte;
}

int tls_session_add_fatal_alert(struct tls_session *session, int error)
{
    if (session->alert_sent >= 0 || !failure_needs_alert(session, error) || alert_written_in_call(session))
        return -1;
    int alert;
    if (session->refusal != TLS_REFUSAL_NONE)
        alert = refusals[session->refusal].alert;
    else if (session->last_inbound.oversized)   /* the library's errors say "bad input" */
        alert = MBEDTLS_SSL_ALERT_MSG_RECORD_OVERFLOW;
    else if (session->last_inbound.unknown_type)  /* RFC 8446 §5 */
        alert = MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE;
    else
        alert = compat_alert_for_error(error, received_message(session));
    if (alert < 0)
        alert = session->handshake_done ? MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR : MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE;
    if (mbedtls_ssl_send_alert_message(&session->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL, (unsigned char)alert) != 0)
        return -1;
    session->alert_sent = alert;
    return alert;
}

/* ---- resumption: which sessions are kept (RFC 7627)
 *
 * A TLS 1.2 session made without extended master secret is never kept
 * (no ticket, no cache entry): resuming it would carry the weakness of
 * its master secret into the new connection (the triple handshake
 * attack), and RFC 7627 §5.3 forbids resuming it for a client that now
 * offers the extension. The library's callbacks get the session but not
 * the connection; the connection whose handshake step is running is the
 * one that stores, and each worker runs one step at a time. */

static _Thread_local struct tls_session *session_in_step;

static bool hello_offers_ems(const struct tls_session *session)
{
    return session->hello != NULL && session->hello_status == CLIENTHELLO_OK &&
           session->hello->has_extended_master_secret;
}

static bool session_may_be_kept(void)
{
    const struct tls_session *session = session_in_step;
    return session == NULL || session->tls13 || hello_offers_ems(session);
}

static int write_ticket(void *p_ticket, const mbedtls_ssl_session *session, unsigned char *start,
                        const unsigned char *end, size_t *length, uint32_t *lifetime)
{
    if (!session_may_be_kept()) {
        /* Mbed TLS sends an empty ticket: "none", which every client
         * reads. It sends the lifetime too: set, or its stack goes out. */
        *length = 0;
        *lifetime = 0;
        return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
    }
    return ticket_keys_write(p_ticket, session, start, end, length, lifetime);
}

/* Session ids and tickets, as the configuration says, through the filter
 * above. */
static void tls_server_use_resumption(struct tls_server *server, const struct tlsd_config *config)
{
    struct tls_resumption *resumption = server->resumption;
    if (resumption != NULL && config->session_cache_size > 0 && resumption->session_cache != NULL) {
        compat_conf_shared_session_cache(&server->ssl_config, resumption->session_cache, session_may_be_kept);
        server->session_cache_on = true;
    }
    if (resumption != NULL && config->session_tickets) {
        mbedtls_ssl_conf_session_tickets_cb(&server->ssl_config, write_ticket, ticket_keys_parse_ticket,
                                            resumption->tickets);
        server->tickets_on = true;
    }
}

void tls_session_set_hello(struct tls_session *session, const struct clienthello *hello,
                           enum clienthello_status status)
{
    session->hello = hello;
    session->hello_status = status;
}

/* After a handshake step: what tlsd refuses that Mbed TLS let through. */
static enum tls_refusal judge_step(const struct tls_session *session, enum tls_handshake_state before,
                                   enum tls_handshake_state after)
{
    if (session->hello_status == CLIENTHELLO_INVALID)
        return TLS_REFUSAL_MALFORMED_HELLO;
    /* a TLS 1.2 server goes from its ServerHello straight to its
     * ChangeCipherSpec only when it resumes */
    if (before == TLS_STATE_SERVER_HELLO && after == TLS_STATE_SERVER_CHANGE_CIPHER_SPEC && !session->tls13 &&
        session->hello != NULL && !hello_offers_ems(session))
        return TLS_REFUSAL_EMS_REQUIRED;
    return TLS_REFUSAL_NONE;
}

/* ---- per-connection session: Mbed TLS reads from and writes to evbuffers,
 * and we move bytes between them and the socket. Writes are coalesced: the
 * server's whole flight (ServerHello ... ServerHelloDone, four records)
 * leaves in one send() when Mbed TLS next asks to read, which with
 * TCP_NODELAY avoids the Nagle/delayed-ACK stall (Mbed TLS issue 7471). */

#define TLS_READ_CHUNK 16384

static int session_send(void *context, const unsigned char *buf, size_t length)
{
    struct tls_session *session = context;
    /* After the peer's fatal alert nothing more is owed (RFC 8446 6.2):
     * what Mbed TLS writes then is an alert of its own (3.6 answers the
     * plaintext alert it cannot decrypt with bad_record_mac), and goes
     * nowhere. */
    if (peer_sent_fatal_alert(session))
        return (int)length;
    if (evbuffer_add(session->output, buf, length) != 0)
        return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    scan_outbound(session, buf, length);
    if (session->on_sent)
        session->on_sent(session->callback_context, buf, length);
    return (int)length;
}

static int session_receive(void *context, unsigned char *buf, size_t length)
{
    struct tls_session *session = context;
    if (evbuffer_get_length(session->input) == 0) {
        /* About to wait for the peer: whatever we owe it must leave first. */
        if (evbuffer_get_length(session->output) > 0 && tls_session_flush(session) < 0)
            return MBEDTLS_ERR_NET_SEND_FAILED;
        if (session->end_of_stream)
            return 0;
        /* A recv() that returned less than it could have emptied the
         * socket: asking again would only earn EAGAIN, one system call per
         * request. The event loop (level-triggered) says when more comes. */
        if (session->socket_drained) {
            session->socket_drained = false;
            return MBEDTLS_ERR_SSL_WANT_READ;
        }
        unsigned char chunk[TLS_READ_CHUNK];
        ssize_t received = recv(session->fd, chunk, sizeof chunk, 0);
        if (received > 0 && (size_t)received < sizeof chunk)
            session->socket_drained = true;
        if (received == 0) {
            session->end_of_stream = true;
            return 0;
        }
        if (received < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return MBEDTLS_ERR_SSL_WANT_READ;
            session->socket_errno = errno;
            return MBEDTLS_ERR_NET_RECV_FAILED;
        }
        session->bytes_received += (uint64_t)received;
        if (session->on_received)
            session->on_received(session->callback_context, chunk, (size_t)received);
        if (evbuffer_add(session->input, chunk, (size_t)received) != 0)
            return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    }
    int handed = evbuffer_remove(session->input, buf, length);
    if (handed > 0) {
        int refused = scan_inbound(session, buf, (size_t)handed);
        if (refused != 0)
            return refused;
    }
    return handed;
}

int tls_session_flush(struct tls_session *session)
{
    while (evbuffer_get_length(session->output) > 0) {
        int sent = evbuffer_write(session->output, session->fd);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 1;
            if (errno == EINTR)
                continue;
            session->socket_errno = errno;
            return -1;
        }
        session->bytes_sent += (uint64_t)sent;
    }
    return 0;
}

/* One secret of `session`: to keylog_file, and to the session's own
 * callback (its capture). */
static void session_keylog_line(void *context, const char *label, const unsigned char client_random[32],
                                const unsigned char *secret, size_t secret_length)
{
    struct tls_session *session = context;
    if (session->server->keylog)
        keylog_write(session->server->keylog, label, client_random, secret, secret_length);
    if (session->on_key_log == NULL)
        return;
    char line[KEYLOG_LINE_MAX];
    size_t length = keylog_format_line(line, label, client_random, secret, secret_length);
    if (length > 0)
        session->on_key_log(session->key_log_context, line, length);
    tls_wipe(line, sizeof line);
}

/* Mbed TLS 2.28 exports keys per configuration: the session is the one
 * whose handshake step is running on this thread. */
static void write_keylog_line(void *context, const char *label, const unsigned char client_random[32],
                              const unsigned char *secret, size_t secret_length)
{
    struct tls_server *server = context;
    struct tls_session *session = session_in_step;
    if (session != NULL && session->server == server)
        session_keylog_line(session, label, client_random, secret, secret_length);
    else if (server->keylog)
        keylog_write(server->keylog, label, client_random, secret, secret_length);
}

void tls_session_on_key_log(struct tls_session *session, tls_key_log_callback *callback, void *context)
{
    session->on_key_log = callback;
    session->key_log_context = context;
}

struct tls_session *tls_session_create(struct tls_server *server, int fd, int *error)
{
    struct tls_session *session = calloc(1, sizeof *session);
    if (session == NULL) {
        *error = MBEDTLS_ERR_SSL_ALLOC_FAILED;
        return NULL;
    }
    mbedtls_ssl_init(&session->ssl);
    session->fd = fd;
    session->alert_sent = -1;
    session->hello_status = CLIENTHELLO_INCOMPLETE;
    record_scan_init(&session->inbound_records);
    record_scan_init(&session->outbound_records);
    session->input = evbuffer_new();
    session->output = evbuffer_new();
    *error = MBEDTLS_ERR_SSL_ALLOC_FAILED;
    if (session->input != NULL && session->output != NULL)
        *error = mbedtls_ssl_setup(&session->ssl, &server->ssl_config);
    if (*error != 0) {
        tls_session_destroy(session);
        return NULL;
    }
    session->server = server;
    tls_server_reference(server);
    if (server->export_keys) {
        session->keylog_hook.function = session_keylog_line;
        session->keylog_hook.context = session;
        compat_ssl_keylog(&session->ssl, &session->keylog_hook);
    }
    mbedtls_ssl_set_bio(&session->ssl, session, session_send, session_receive, NULL);
    return session;
}

void tls_session_destroy(struct tls_session *session)
{
    if (session == NULL)
        return;
    mbedtls_ssl_free(&session->ssl);
    if (session->input)
        evbuffer_free(session->input);
    if (session->output)
        evbuffer_free(session->output);
    if (session->server)
        tls_server_release(session->server);
    free(session);
}

static int io_code(struct tls_session *session, int result, int *error)
{
    if (result == MBEDTLS_ERR_SSL_WANT_READ)
        return TLS_IO_WANT_READ;
    if (result == MBEDTLS_ERR_SSL_WANT_WRITE)
        return TLS_IO_WANT_WRITE;
    if (result == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || result == MBEDTLS_ERR_SSL_CONN_EOF ||
        (result == 0 && session->end_of_stream))
        return TLS_IO_CLOSED;
    *error = result;
    return TLS_IO_FAILED;
}

/* Output above the high-water mark: read nothing more from this peer
 * until it takes some (the caller waits for the socket to be writable). */
static bool output_backed_up(const struct tls_session *session)
{
    return evbuffer_get_length(session->output) >= TLS_OUTPUT_HIGH_WATER;
}

static int handshake_step(struct tls_session *session, int *error)
{
    enum tls_handshake_state before = compat_ssl_state(&session->ssl);
    begin_call(session);
    session_in_step = session;
    int result = mbedtls_ssl_handshake_step(&session->ssl);
    session_in_step = NULL;
    enum tls_handshake_state after = compat_ssl_state(&session->ssl);
    if (result == 0 && before == TLS_STATE_SERVER_CERTIFICATE && after != before)
        session->sent_certificate = true;
    if (result == 0 && before == TLS_STATE_CLIENT_HELLO)
        session->tls13 = compat_is_tls13(&session->ssl);
    if (session->on_step && result != MBEDTLS_ERR_SSL_WANT_READ && result != MBEDTLS_ERR_SSL_WANT_WRITE)
        session->on_step(session->callback_context, session, before, after, result);
    if (result == 0) {
        session->refusal = judge_step(session, before, after);
        session->refused_after_step = session->refusal != TLS_REFUSAL_NONE;
        if (session->refused_after_step)
            result = MBEDTLS_ERR_SSL_UNEXPECTED_RECORD;
    }
    return result == 0 ? 0 : io_code(session, result, error);
}

enum tls_io tls_session_handshake(struct tls_session *session, int *error)
{
    /* Step by step rather than mbedtls_ssl_handshake(): each step is a
     * stage of the handshake that the log shows. */
    while (tls_handshake_pending(&session->ssl)) {
        if (output_backed_up(session))
            return TLS_IO_WANT_WRITE;
        int result = handshake_step(session, error);
        if (result != 0)
            return (enum tls_io)result;
    }
    if (!session->handshake_done) {
        session->handshake_done = true;
        session->records_at_last_data = session->inbound_records.records;
    }
    return TLS_IO_DONE;
}

int tls_session_read(struct tls_session *session, unsigned char *buf, size_t size, int *error)
{
    for (;;) {
        if (output_backed_up(session))
            return TLS_IO_WANT_WRITE;
        begin_call(session);
        int result = mbedtls_ssl_read(&session->ssl, buf, size);
        if (result > 0) {
            session->records_at_last_data = session->inbound_records.records;
            return result;
        }
        if (compat_ssl_read_should_retry(result))
            continue;
        /* 0 is the end of the stream, or an empty application data
         * record (legal; counted as a record without data) */
        if (result == 0 && !session->end_of_stream)
            continue;
        if (result == 0)
            return TLS_IO_CLOSED;
        return io_code(session, result, error);
    }
}

int tls_session_write(struct tls_session *session, const unsigned char *buf, size_t size, int *error)
{
    begin_call(session);
    int result = mbedtls_ssl_write(&session->ssl, buf, size);
    if (result > 0)
        return result;
    return io_code(session, result, error);
}

enum tls_io tls_session_close_notify(struct tls_session *session, int *error)
{
    begin_call(session);
    int result = mbedtls_ssl_close_notify(&session->ssl);
    if (result == 0)
        return TLS_IO_DONE;
    return (enum tls_io)io_code(session, result, error);
}

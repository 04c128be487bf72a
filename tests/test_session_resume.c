/* End-to-end test of compat_conf_shared_session_cache(): a server and a
 * client in one process, joined by two in-memory byte queues, do a full
 * TLS 1.2 handshake (no tickets), then the client offers the saved session
 * on a second connection. Resumption is told from the handshake states
 * both sides go through: in TLS 1.2 only a full handshake has the server
 * send (and the client read) a Certificate message. The key and a
 * self-signed certificate are made at test time. */
#include "compat.h"
#include "session_cache.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/x509_crt.h>

/* ---- in-memory transport ------------------------------------------------ */

struct byte_queue {
    unsigned char bytes[1 << 16];
    size_t length;
};

/* One side's view: it sends into one queue and receives from the other. */
struct pipe_end {
    struct byte_queue *outgoing;
    struct byte_queue *incoming;
};

static int pipe_send(void *context, const unsigned char *buf, size_t length)
{
    struct byte_queue *queue = ((struct pipe_end *)context)->outgoing;
    size_t room = sizeof queue->bytes - queue->length;
    if (room == 0)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (length > room)
        length = room;
    memcpy(queue->bytes + queue->length, buf, length);
    queue->length += length;
    return (int)length;
}

static int pipe_receive(void *context, unsigned char *buf, size_t length)
{
    struct byte_queue *queue = ((struct pipe_end *)context)->incoming;
    if (queue->length == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (length > queue->length)
        length = queue->length;
    memcpy(buf, queue->bytes, length);
    memmove(queue->bytes, queue->bytes + length, queue->length - length);
    queue->length -= length;
    return (int)length;
}

/* ---- credentials and configurations ------------------------------------ */

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_pk_context server_key;
static mbedtls_x509_crt server_certificate;

static void make_credentials(void)
{
    ck_assert_int_eq(mbedtls_pk_setup(&server_key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    ck_assert_int_eq(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(server_key),
                                         mbedtls_ctr_drbg_random, &drbg),
                     0);
    mbedtls_x509write_cert writer;
    mbedtls_x509write_crt_init(&writer);
    mbedtls_x509write_crt_set_version(&writer, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&writer, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&writer, &server_key);
    mbedtls_x509write_crt_set_issuer_key(&writer, &server_key);
    static const unsigned char serial[] = { 0x01, 0x02, 0x03 };
    ck_assert_int_eq(compat_x509write_crt_set_serial(&writer, serial, sizeof serial), 0);
    ck_assert_int_eq(mbedtls_x509write_crt_set_subject_name(&writer, "CN=localhost"), 0);
    ck_assert_int_eq(mbedtls_x509write_crt_set_issuer_name(&writer, "CN=localhost"), 0);
    ck_assert_int_eq(mbedtls_x509write_crt_set_validity(&writer, "20200101000000", "20491231235959"), 0);
    static unsigned char der[2048];
    int written = mbedtls_x509write_crt_der(&writer, der, sizeof der, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_x509write_crt_free(&writer);
    ck_assert_int_gt(written, 0);
    /* x509write fills the buffer from its end. */
    ck_assert_int_eq(mbedtls_x509_crt_parse_der(&server_certificate, der + sizeof der - (size_t)written,
                                                (size_t)written),
                     0);
}

static void setup(void)
{
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&server_key);
    mbedtls_x509_crt_init(&server_certificate);
    ck_assert_int_eq(compat_crypto_init(), 0);
    ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                           (const unsigned char *)"test_session_resume", 19),
                     0);
    make_credentials();
}

static void teardown(void)
{
    mbedtls_x509_crt_free(&server_certificate);
    mbedtls_pk_free(&server_key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    compat_crypto_free();
}

static void configure(mbedtls_ssl_config *config, int endpoint)
{
    mbedtls_ssl_config_init(config);
    ck_assert_int_eq(mbedtls_ssl_config_defaults(config, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                 MBEDTLS_SSL_PRESET_DEFAULT),
                     0);
    /* Session ids are a TLS 1.2 mechanism. */
    ck_assert_int_eq(compat_conf_tls_versions(config, 12, 12), 0);
    mbedtls_ssl_conf_rng(config, mbedtls_ctr_drbg_random, &drbg);
    if (endpoint == MBEDTLS_SSL_IS_SERVER) {
        ck_assert_int_eq(mbedtls_ssl_conf_own_cert(config, &server_certificate, &server_key), 0);
    } else {
        /* The test is about resumption, not about trust. */
        mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_NONE);
        /* Without a ticket the client can only offer the session id. */
        mbedtls_ssl_conf_session_tickets(config, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
    }
}

/* ---- one connection ------------------------------------------------------ */

struct handshake_path {
    bool server_sent_certificate;
    bool client_read_certificate;
};

/* One step of one side; false once its handshake is over. */
static bool step(mbedtls_ssl_context *ssl, bool *certificate_state_seen)
{
    if (compat_handshake_over(ssl))
        return false;
    if (compat_ssl_state(ssl) == MBEDTLS_SSL_SERVER_CERTIFICATE)
        *certificate_state_seen = true;
    int result = mbedtls_ssl_handshake_step(ssl);
    ck_assert_msg(result == 0 || result == MBEDTLS_ERR_SSL_WANT_READ || result == MBEDTLS_ERR_SSL_WANT_WRITE,
                  "handshake step: -0x%04x", (unsigned)-result);
    return true;
}

/* Handshakes to the end. If offered is not NULL the client offers that
 * session; if saved is not NULL the client's session is saved there. */
static struct handshake_path connect_once(const mbedtls_ssl_config *server_config,
                                          const mbedtls_ssl_config *client_config,
                                          const mbedtls_ssl_session *offered, mbedtls_ssl_session *saved)
{
    static struct byte_queue to_server, to_client;
    to_server.length = to_client.length = 0;
    struct pipe_end server_end = { &to_client, &to_server };
    struct pipe_end client_end = { &to_server, &to_client };
    mbedtls_ssl_context server, client;
    mbedtls_ssl_init(&server);
    mbedtls_ssl_init(&client);
    ck_assert_int_eq(mbedtls_ssl_setup(&server, server_config), 0);
    ck_assert_int_eq(mbedtls_ssl_setup(&client, client_config), 0);
    ck_assert_int_eq(mbedtls_ssl_set_hostname(&client, "localhost"), 0);
    mbedtls_ssl_set_bio(&server, &server_end, pipe_send, pipe_receive, NULL);
    mbedtls_ssl_set_bio(&client, &client_end, pipe_send, pipe_receive, NULL);
    if (offered != NULL)
        ck_assert_int_eq(mbedtls_ssl_set_session(&client, offered), 0);

    struct handshake_path path = { false, false };
    bool server_busy = true, client_busy = true;
    for (int round = 0; round < 200 && (server_busy || client_busy); round++) {
        client_busy = step(&client, &path.client_read_certificate);
        server_busy = step(&server, &path.server_sent_certificate);
    }
    ck_assert_msg(!server_busy && !client_busy, "handshake did not finish");

    /* Application data goes through both ways: the keys agree. */
    static const unsigned char request[] = "GET / HTTP/1.0\r\n\r\n";
    unsigned char received[64];
    ck_assert_int_eq(mbedtls_ssl_write(&client, request, sizeof request), (int)sizeof request);
    ck_assert_int_eq(mbedtls_ssl_read(&server, received, sizeof received), (int)sizeof request);
    ck_assert_mem_eq(received, request, sizeof request);

    if (saved != NULL)
        ck_assert_int_eq(mbedtls_ssl_get_session(&client, saved), 0);
    mbedtls_ssl_free(&server);
    mbedtls_ssl_free(&client);
    return path;
}

/* ---- tests ----------------------------------------------------------------- */

START_TEST(second_connection_resumes)
{
    struct session_cache *cache = session_cache_create(100, 3600);
    ck_assert_ptr_nonnull(cache);
    mbedtls_ssl_config server_config, client_config;
    configure(&server_config, MBEDTLS_SSL_IS_SERVER);
    configure(&client_config, MBEDTLS_SSL_IS_CLIENT);
    compat_conf_shared_session_cache(&server_config, cache);
    mbedtls_ssl_session saved;
    mbedtls_ssl_session_init(&saved);

    struct handshake_path full = connect_once(&server_config, &client_config, NULL, &saved);
    ck_assert(full.server_sent_certificate);
    ck_assert(full.client_read_certificate);
    ck_assert_uint_eq(session_cache_count(cache), 1);

    struct handshake_path resumed = connect_once(&server_config, &client_config, &saved, NULL);
    ck_assert_msg(!resumed.server_sent_certificate, "the server did a full handshake");
    ck_assert_msg(!resumed.client_read_certificate, "the client did a full handshake");
    /* A resumed session is not stored again. */
    ck_assert_uint_eq(session_cache_count(cache), 1);

    /* Resumable more than once. */
    resumed = connect_once(&server_config, &client_config, &saved, NULL);
    ck_assert(!resumed.server_sent_certificate);

    /* A client that offers nothing gets a full handshake and a new entry. */
    full = connect_once(&server_config, &client_config, NULL, NULL);
    ck_assert(full.server_sent_certificate);
    ck_assert_uint_eq(session_cache_count(cache), 2);

    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&client_config);
    mbedtls_ssl_config_free(&server_config);
    session_cache_free(cache);
}
END_TEST

/* The control: the same offer to a server without the cache, or with an
 * emptied one, ends in a full handshake, not in an error. */
START_TEST(no_cache_no_resumption)
{
    struct session_cache *cache = session_cache_create(1, 3600);
    ck_assert_ptr_nonnull(cache);
    mbedtls_ssl_config server_config, bare_server_config, client_config;
    configure(&server_config, MBEDTLS_SSL_IS_SERVER);
    configure(&bare_server_config, MBEDTLS_SSL_IS_SERVER);
    configure(&client_config, MBEDTLS_SSL_IS_CLIENT);
    compat_conf_shared_session_cache(&server_config, cache);
    mbedtls_ssl_session saved;
    mbedtls_ssl_session_init(&saved);

    connect_once(&server_config, &client_config, NULL, &saved);
    struct handshake_path path = connect_once(&bare_server_config, &client_config, &saved, NULL);
    ck_assert(path.server_sent_certificate);
    ck_assert(path.client_read_certificate);

    /* Capacity 1: another client's full handshake evicts the session. */
    connect_once(&server_config, &client_config, NULL, NULL);
    ck_assert_uint_eq(session_cache_count(cache), 1);
    path = connect_once(&server_config, &client_config, &saved, NULL);
    ck_assert(path.server_sent_certificate);
    ck_assert(path.client_read_certificate);

    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&client_config);
    mbedtls_ssl_config_free(&bare_server_config);
    mbedtls_ssl_config_free(&server_config);
    session_cache_free(cache);
}
END_TEST

static Suite *session_resume_suite(void)
{
    Suite *s = suite_create("session_resume");
    TCase *tc = tcase_create("tls12");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, second_connection_resumes);
    tcase_add_test(tc, no_cache_no_resumption);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(session_resume_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}

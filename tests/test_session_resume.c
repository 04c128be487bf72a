/* SPDX-License-Identifier: Apache-2.0 */
/* End-to-end tests of resumption: a server and a client in one process,
 * joined by two in-memory byte queues, do a full handshake, then the
 * client offers the saved session on a second connection.
 *
 * - session ids: compat_conf_shared_session_cache(), TLS 1.2, no tickets;
 * - session tickets: the ticket_keys callbacks (ticket_keys.h), between
 *   servers that share keys as a fleet does, across key rotations, with
 *   tampered and expired tickets; TLS 1.2 on both Mbed TLS versions, and
 *   TLS 1.3 where the library has it.
 *
 * Resumption is told from the handshake states the server goes through:
 * only a full handshake has it send a Certificate message (TLS 1.2 and
 * 1.3 alike), and in TLS 1.2 only then does the client read one. The key
 * and a self-signed certificate are made at test time. */
#include "compat.h"
#include "config.h"
#include "inprocess_tls.h"
#include "session_cache.h"
#include "ticket_keys.h"
#include "tls.h"
#include "tls_private.h"

#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pem.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/x509_crt.h>

/* ---- credentials and configurations ------------------------------------ */

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_pk_context server_key;
static mbedtls_x509_crt server_certificate;

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
    inprocess_make_credentials(&server_key, &server_certificate, &drbg);
}

static void teardown(void)
{
    mbedtls_x509_crt_free(&server_certificate);
    mbedtls_pk_free(&server_key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    compat_crypto_free();
}

/* One TLS version (12 or 13); a client with tickets on or off. */
static void configure_version(mbedtls_ssl_config *config, int endpoint, int version, bool client_tickets)
{
    mbedtls_ssl_config_init(config);
    ck_assert_int_eq(mbedtls_ssl_config_defaults(config, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                 MBEDTLS_SSL_PRESET_DEFAULT),
                     0);
    ck_assert_int_eq(compat_conf_tls_versions(config, version, version), 0);
    mbedtls_ssl_conf_rng(config, mbedtls_ctr_drbg_random, &drbg);
    if (endpoint == MBEDTLS_SSL_IS_SERVER) {
        ck_assert_int_eq(mbedtls_ssl_conf_own_cert(config, &server_certificate, &server_key), 0);
    } else {
        /* The test is about resumption, not about trust. */
        mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_NONE);
        mbedtls_ssl_conf_session_tickets(config, client_tickets ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                                : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#if defined(MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED)
        /* a TLS 1.3 client ignores NewSessionTicket unless told */
        if (client_tickets)
            mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
                config, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
    }
}

/* Session ids are a TLS 1.2 mechanism; without a ticket the client can
 * only offer the session id. */
static void configure(mbedtls_ssl_config *config, int endpoint)
{
    configure_version(config, endpoint, 12, false);
}

/* ---- one connection ------------------------------------------------------ */

struct handshake_path {
    bool server_sent_certificate;
    bool client_read_certificate;
};

/* One step of one side; false once its handshake is over (for a TLS 1.3
 * server: once its NewSessionTicket is written too). */
static bool step(mbedtls_ssl_context *ssl, bool *certificate_state_seen)
{
    if (!tls_handshake_pending(ssl))
        return false;
    if (compat_ssl_state(ssl) == TLS_STATE_SERVER_CERTIFICATE)
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
    static const unsigned char response[] = "HTTP/1.0 204 No Content\r\n\r\n";
    unsigned char received[64];
    ck_assert_int_eq(mbedtls_ssl_write(&client, request, sizeof request), (int)sizeof request);
    ck_assert_int_eq(mbedtls_ssl_read(&server, received, sizeof received), (int)sizeof request);
    ck_assert_mem_eq(received, request, sizeof request);
    ck_assert_int_eq(mbedtls_ssl_write(&server, response, sizeof response), (int)sizeof response);
    /* A TLS 1.3 ticket arrives after the handshake, before the response:
     * the session to save is the one that holds it. Mbed TLS 3.6 takes
     * it in two calls: WANT_READ (with the response still queued), then
     * RECEIVED_NEW_SESSION_TICKET. */
    bool session_taken = false;
    int got;
    for (int call = 0; call < 10; call++) {
        got = mbedtls_ssl_read(&client, received, sizeof received);
        if (got == MBEDTLS_ERR_SSL_WANT_READ && to_client.length > 0)
            continue;
        if (!compat_ssl_read_should_retry(got))
            break;
        if (saved != NULL && !session_taken) {
            ck_assert_int_eq(mbedtls_ssl_get_session(&client, saved), 0);
            session_taken = true;
        }
    }
    ck_assert_int_eq(got, (int)sizeof response);
    ck_assert_mem_eq(received, response, sizeof response);

    if (saved != NULL && !session_taken)
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
    compat_conf_shared_session_cache(&server_config, cache, NULL);
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
    compat_conf_shared_session_cache(&server_config, cache, NULL);
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

/* ---- session tickets ------------------------------------------------------ */

/* The ticket callbacks with a window on them: the name of the key each
 * new ticket is sealed with, what parsing returned, and one bit to flip
 * in the ticket as it reaches the server (a tampered ticket on the wire). */
struct ticket_hooks {
    struct ticket_keys *keys;
    int writes;
    unsigned char issued_name[TICKET_KEY_NAME_SIZE];
    size_t issued_length;
    int parses;
    int parse_result;
    long flip_bit;      /* -1: none */
};

static int hooked_write(void *context, const mbedtls_ssl_session *session, unsigned char *start,
                        const unsigned char *end, size_t *length, uint32_t *lifetime)
{
    struct ticket_hooks *hooks = context;
    int result = ticket_keys_write(hooks->keys, session, start, end, length, lifetime);
    if (result == 0) {
        hooks->writes++;
        memcpy(hooks->issued_name, start, TICKET_KEY_NAME_SIZE);
        hooks->issued_length = *length;
    }
    return result;
}

static int hooked_parse(void *context, mbedtls_ssl_session *session, unsigned char *buf, size_t length)
{
    struct ticket_hooks *hooks = context;
    if (hooks->flip_bit >= 0 && (size_t)hooks->flip_bit / 8 < length)
        buf[hooks->flip_bit / 8] ^= (unsigned char)(1u << (hooks->flip_bit % 8));
    hooks->parses++;
    hooks->parse_result = ticket_keys_parse_ticket(hooks->keys, session, buf, length);
    return hooks->parse_result;
}

static time_t fake_now;
static time_t fake_clock(void)
{
    return fake_now;
}

static const uint32_t LIFETIME = 3600;

/* Key sets made of fixed bytes: every "server" that uses one shares it,
 * as the instances of a fleet share a key file. */
static void make_key(struct ticket_key *key, unsigned char seed)
{
    for (size_t i = 0; i < TICKET_KEY_NAME_SIZE; i++)
        key->name[i] = (unsigned char)(seed + i);
    for (size_t i = 0; i < TICKET_KEY_SECRET_SIZE; i++)
        key->secret[i] = (unsigned char)(seed * 7 + i);
}

static struct ticket_key_set key_set(const unsigned char *seeds, size_t count)
{
    struct ticket_key_set set;
    memset(&set, 0, sizeof set);
    for (size_t i = 0; i < count; i++)
        make_key(&set.keys[i], seeds[i]);
    set.count = count;
    return set;
}

/* A server of its own (its own config and its own ticket_keys object)
 * with the keys of `set`, or tlsd's own random keys if NULL. */
struct ticket_server {
    mbedtls_ssl_config config;
    struct ticket_hooks hooks;
};

static void ticket_server_setup(struct ticket_server *server, int version, const struct ticket_key_set *set,
                                uint32_t lifetime)
{
    memset(&server->hooks, 0, sizeof server->hooks);
    server->hooks.flip_bit = -1;
    char error[256];
    server->hooks.keys = ticket_keys_create(mbedtls_ctr_drbg_random, &drbg, lifetime, error, sizeof error);
    ck_assert_msg(server->hooks.keys != NULL, "%s", error);
    ticket_keys_set_clock(server->hooks.keys, fake_clock);
    if (set != NULL)
        ck_assert_int_eq(ticket_keys_use(server->hooks.keys, set), 0);
    configure_version(&server->config, MBEDTLS_SSL_IS_SERVER, version, true);
    mbedtls_ssl_conf_session_tickets_cb(&server->config, hooked_write, hooked_parse, &server->hooks);
}

static void ticket_server_free(struct ticket_server *server)
{
    mbedtls_ssl_config_free(&server->config);
    ticket_keys_free(server->hooks.keys);
}

static void ticket_setup(void)
{
    setup();
    fake_now = time(NULL);
}

/* A full handshake with `server` that leaves a ticket in `saved`. */
static void issue_ticket(struct ticket_server *server, const mbedtls_ssl_config *client_config,
                         mbedtls_ssl_session *saved)
{
    int writes = server->hooks.writes;
    mbedtls_ssl_session_free(saved);
    mbedtls_ssl_session_init(saved);
    struct handshake_path path = connect_once(&server->config, client_config, NULL, saved);
    ck_assert(path.server_sent_certificate);
    ck_assert_int_eq(server->hooks.writes, writes + 1);
}

/* Offers `ticket` to `server`: true if the session resumed. */
static bool resumes(struct ticket_server *server, const mbedtls_ssl_config *client_config,
                    const mbedtls_ssl_session *ticket, mbedtls_ssl_session *renewed)
{
    int parses = server->hooks.parses;
    struct handshake_path path = connect_once(&server->config, client_config, ticket, renewed);
    ck_assert_msg(server->hooks.parses == parses + 1, "the server did not parse the ticket");
    return !path.server_sent_certificate;
}

static const unsigned char SEED_K = 0x10, SEED_K2 = 0x40;

START_TEST(ticket_resumes_on_another_server_with_the_same_keys)
{
    struct ticket_key_set k = key_set(&SEED_K, 1);
    struct ticket_server a, b;
    ticket_server_setup(&a, 12, &k, LIFETIME);
    ticket_server_setup(&b, 12, &k, LIFETIME);
    mbedtls_ssl_config client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 12, true);
    mbedtls_ssl_session saved;
    mbedtls_ssl_session_init(&saved);

    issue_ticket(&a, &client_config, &saved);
    ck_assert_mem_eq(a.hooks.issued_name, k.keys[0].name, TICKET_KEY_NAME_SIZE);
    ck_assert_uint_gt(a.hooks.issued_length, TICKET_OVERHEAD);
    ck_assert_msg(resumes(&b, &client_config, &saved, NULL), "server B did not resume A's ticket");
    ck_assert_int_eq(b.hooks.parse_result, 0);
    /* and A itself, of course */
    ck_assert(resumes(&a, &client_config, &saved, NULL));

    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&client_config);
    ticket_server_free(&b);
    ticket_server_free(&a);
}
END_TEST

/* tlsd-mkcert --rotate-ticket-keys puts a new key K2 first: the file's
 * old key K still resumes, new tickets use K2; once K has left the file,
 * K's tickets get a full handshake and K2's resume. */
START_TEST(rotated_keys_resume_old_tickets_and_issue_with_the_new_key)
{
    struct ticket_key_set k = key_set(&SEED_K, 1);
    const unsigned char rotated_seeds[] = { SEED_K2, SEED_K };
    struct ticket_key_set rotated = key_set(rotated_seeds, 2);
    struct ticket_key_set k2_only = key_set(&SEED_K2, 1);
    struct ticket_server old, fresh, k2;
    ticket_server_setup(&old, 12, &k, LIFETIME);
    ticket_server_setup(&fresh, 12, &rotated, LIFETIME);
    ticket_server_setup(&k2, 12, &k2_only, LIFETIME);
    mbedtls_ssl_config client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 12, true);
    mbedtls_ssl_session saved, renewed;
    mbedtls_ssl_session_init(&saved);
    mbedtls_ssl_session_init(&renewed);

    issue_ticket(&old, &client_config, &saved);
    ck_assert_msg(resumes(&fresh, &client_config, &saved, NULL), "[K2, K] did not resume K's ticket");
    /* (Mbed TLS does not renew a TLS 1.2 ticket that resumed) */
    issue_ticket(&fresh, &client_config, &renewed);
    ck_assert_mem_eq(fresh.hooks.issued_name, rotated.keys[0].name, TICKET_KEY_NAME_SIZE);
    char name[TICKET_KEY_NAME_HEX_SIZE];
    ticket_keys_issuing_name(fresh.hooks.keys, name);
    ck_assert_str_eq(name, "404142434445464748494a4b4c4d4e4f");

    ck_assert_msg(!resumes(&k2, &client_config, &saved, NULL), "[K2] resumed a ticket of K");
    ck_assert_int_eq(k2.hooks.parse_result, MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    ck_assert_msg(resumes(&k2, &client_config, &renewed, NULL), "[K2] did not resume a ticket of K2");

    mbedtls_ssl_session_free(&renewed);
    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&client_config);
    ticket_server_free(&k2);
    ticket_server_free(&fresh);
    ticket_server_free(&old);
}
END_TEST

/* One bit flipped anywhere in the ticket: a full handshake, and the
 * reason the parser gives. */
START_TEST(tampered_ticket_gets_a_full_handshake)
{
    struct ticket_key_set k = key_set(&SEED_K, 1);
    struct ticket_server server;
    ticket_server_setup(&server, 12, &k, LIFETIME);
    mbedtls_ssl_config client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 12, true);
    mbedtls_ssl_session saved;
    mbedtls_ssl_session_init(&saved);
    issue_ticket(&server, &client_config, &saved);
    long ticket_bits = (long)server.hooks.issued_length * 8;

    const struct {
        const char *where;
        long bit;
        int result;
    } flips[] = {
        { "key name", 3, MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED },
        { "created", 16 * 8 + 7 * 8, MBEDTLS_ERR_SSL_INVALID_MAC },
        { "IV", 24 * 8 + 1, MBEDTLS_ERR_SSL_INVALID_MAC },
        { "length", 36 * 8 + 2, MBEDTLS_ERR_SSL_BAD_INPUT_DATA },
        { "length, low bit", 37 * 8, MBEDTLS_ERR_SSL_BAD_INPUT_DATA },
        { "encrypted state", 38 * 8 + 5, MBEDTLS_ERR_SSL_INVALID_MAC },
        { "encrypted state, last byte", ticket_bits - 17 * 8, MBEDTLS_ERR_SSL_INVALID_MAC },
        { "tag", ticket_bits - 1, MBEDTLS_ERR_SSL_INVALID_MAC },
    };
    for (size_t i = 0; i < sizeof flips / sizeof *flips; i++) {
        server.hooks.flip_bit = flips[i].bit;
        ck_assert_msg(!resumes(&server, &client_config, &saved, NULL), "a flip in the %s resumed",
                      flips[i].where);
        ck_assert_msg(server.hooks.parse_result == flips[i].result, "a flip in the %s: -0x%04x, not -0x%04x",
                      flips[i].where, (unsigned)-server.hooks.parse_result, (unsigned)-flips[i].result);
    }
    /* the ticket itself was never harmed: it still resumes */
    server.hooks.flip_bit = -1;
    ck_assert(resumes(&server, &client_config, &saved, NULL));

    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&client_config);
    ticket_server_free(&server);
}
END_TEST

/* A ticket resumes for the lifetime after it is issued, and from at
 * most TICKET_CLOCK_SKEW_SECONDS in the future (another instance's clock). */
START_TEST(ticket_expires_after_its_lifetime)
{
    struct ticket_key_set k = key_set(&SEED_K, 1);
    struct ticket_server server;
    ticket_server_setup(&server, 12, &k, LIFETIME);
    mbedtls_ssl_config client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 12, true);
    mbedtls_ssl_session saved;
    mbedtls_ssl_session_init(&saved);
    time_t issued = fake_now;
    issue_ticket(&server, &client_config, &saved);

    fake_now = issued + LIFETIME;
    ck_assert_msg(resumes(&server, &client_config, &saved, NULL), "not resumed at the end of its lifetime");
    fake_now = issued + LIFETIME + 1;
    ck_assert_msg(!resumes(&server, &client_config, &saved, NULL), "resumed after its lifetime");
    ck_assert_int_eq(server.hooks.parse_result, MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    fake_now = issued - TICKET_CLOCK_SKEW_SECONDS;
    ck_assert_msg(resumes(&server, &client_config, &saved, NULL), "not resumed within the clock skew");
    fake_now = issued - TICKET_CLOCK_SKEW_SECONDS - 1;
    ck_assert_msg(!resumes(&server, &client_config, &saved, NULL), "resumed from beyond the clock skew");
    ck_assert_int_eq(server.hooks.parse_result, MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);

    /* a short lifetime, the way a server would be set up with one */
    struct ticket_server brief;
    ticket_server_setup(&brief, 12, &k, 60);
    fake_now = issued + 61;
    ck_assert(!resumes(&brief, &client_config, &saved, NULL));
    ck_assert_int_eq(brief.hooks.parse_result, MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);

    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&client_config);
    ticket_server_free(&brief);
    ticket_server_free(&server);
}
END_TEST

/* Without a key file: a random key, replaced when a ticket is issued a
 * lifetime or more after it was made; the previous key still resumes
 * the tickets it issued. */
START_TEST(own_keys_rotate_after_the_lifetime)
{
    const uint32_t lifetime = 100;
    struct ticket_server server;
    time_t made = time(NULL);   /* the own key is made now, on the real clock */
    ticket_server_setup(&server, 12, NULL, lifetime);
    fake_now = made;
    mbedtls_ssl_config client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 12, true);
    mbedtls_ssl_session first, second;
    mbedtls_ssl_session_init(&first);
    mbedtls_ssl_session_init(&second);
    char name_1[TICKET_KEY_NAME_HEX_SIZE], name_2[TICKET_KEY_NAME_HEX_SIZE], name_3[TICKET_KEY_NAME_HEX_SIZE];
    ticket_keys_issuing_name(server.hooks.keys, name_1);

    fake_now = made + lifetime / 2;
    issue_ticket(&server, &client_config, &first);
    unsigned char first_name[TICKET_KEY_NAME_SIZE];
    memcpy(first_name, server.hooks.issued_name, sizeof first_name);
    ticket_keys_issuing_name(server.hooks.keys, name_2);
    ck_assert_str_eq(name_1, name_2);

    /* a lifetime (and a little, for the real clock's second) later */
    fake_now = made + lifetime + 2;
    issue_ticket(&server, &client_config, &second);
    ck_assert_msg(memcmp(server.hooks.issued_name, first_name, sizeof first_name) != 0, "the key did not rotate");
    ticket_keys_issuing_name(server.hooks.keys, name_2);
    ck_assert_str_ne(name_1, name_2);
    ck_assert_msg(resumes(&server, &client_config, &first, NULL), "the previous key did not resume its ticket");
    ck_assert(resumes(&server, &client_config, &second, NULL));

    /* the next rotation: the first key is gone, and its ticket too old */
    fake_now = made + 2 * lifetime + 4;
    issue_ticket(&server, &client_config, &second);
    ticket_keys_issuing_name(server.hooks.keys, name_3);
    ck_assert_str_ne(name_3, name_2);
    ck_assert_str_ne(name_3, name_1);
    ck_assert(!resumes(&server, &client_config, &first, NULL));
    ck_assert(resumes(&server, &client_config, &second, NULL));

    mbedtls_ssl_session_free(&second);
    mbedtls_ssl_session_free(&first);
    mbedtls_ssl_config_free(&client_config);
    ticket_server_free(&server);
}
END_TEST

/* The reload: keys switched under a running server. */
START_TEST(keys_switched_at_run_time)
{
    struct ticket_key_set k = key_set(&SEED_K, 1);
    struct ticket_server server, other;
    ticket_server_setup(&server, 12, NULL, LIFETIME);
    ticket_server_setup(&other, 12, &k, LIFETIME);
    mbedtls_ssl_config client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 12, true);
    mbedtls_ssl_session own, shared;
    mbedtls_ssl_session_init(&own);
    mbedtls_ssl_session_init(&shared);

    issue_ticket(&server, &client_config, &own);
    issue_ticket(&other, &client_config, &shared);
    ck_assert(!resumes(&server, &client_config, &shared, NULL));

    ck_assert_int_eq(ticket_keys_use(server.hooks.keys, &k), 0);
    ck_assert_msg(resumes(&server, &client_config, &shared, NULL), "the file's keys are not used");
    ck_assert_msg(!resumes(&server, &client_config, &own, NULL), "the own keys are still used");

    /* back to own keys: new ones; and again: kept */
    ck_assert_int_eq(ticket_keys_use(server.hooks.keys, NULL), 0);
    ck_assert(!resumes(&server, &client_config, &shared, NULL));
    issue_ticket(&server, &client_config, &own);
    ck_assert_int_eq(ticket_keys_use(server.hooks.keys, NULL), 0);
    ck_assert_msg(resumes(&server, &client_config, &own, NULL), "a second switch to own keys replaced them");

    /* a bad set changes nothing */
    struct ticket_key_set empty;
    memset(&empty, 0, sizeof empty);
    ck_assert_int_ne(ticket_keys_use(server.hooks.keys, &empty), 0);
    ck_assert(resumes(&server, &client_config, &own, NULL));

    mbedtls_ssl_session_free(&shared);
    mbedtls_ssl_session_free(&own);
    mbedtls_ssl_config_free(&client_config);
    ticket_server_free(&other);
    ticket_server_free(&server);
}
END_TEST

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
/* TLS 1.3 tickets go through the same callbacks. Mbed TLS also checks a
 * TLS 1.3 ticket's age against the age the client reports (within a few
 * seconds), from a creation time of its own; ticket_keys sets that time
 * from the ticket's `created`, so that a ticket from another machine,
 * whose boot clock says nothing here, still resumes. A server whose clock
 * says the ticket is 30 s older than the client knows it to be shows it:
 * the ticket parses, and Mbed TLS refuses it. */
START_TEST(tls13_ticket_resumes_on_another_server)
{
    struct ticket_key_set k = key_set(&SEED_K, 1);
    struct ticket_server a, b;
    ticket_server_setup(&a, 13, &k, LIFETIME);
    ticket_server_setup(&b, 13, &k, LIFETIME);
    mbedtls_ssl_config client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 13, true);
    mbedtls_ssl_session saved;
    mbedtls_ssl_session_init(&saved);

    issue_ticket(&a, &client_config, &saved);
    ck_assert_mem_eq(a.hooks.issued_name, k.keys[0].name, TICKET_KEY_NAME_SIZE);
    ck_assert_msg(resumes(&b, &client_config, &saved, NULL), "server B did not resume A's TLS 1.3 ticket");
    ck_assert_int_eq(b.hooks.parse_result, 0);

    fake_now += 30;
    ck_assert_msg(!resumes(&b, &client_config, &saved, NULL), "the ticket's age is not the one it carries");
    ck_assert_int_eq(b.hooks.parse_result, 0);
    fake_now -= 30;

    struct ticket_key_set k2 = key_set(&SEED_K2, 1);
    ck_assert_int_eq(ticket_keys_use(b.hooks.keys, &k2), 0);
    ck_assert(!resumes(&b, &client_config, &saved, NULL));
    ck_assert_int_eq(b.hooks.parse_result, MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);

    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&client_config);
    ticket_server_free(&b);
    ticket_server_free(&a);
}
END_TEST
#endif

/* ---- tlsd's own TLS configuration (tls_server_create) ------------------------ */

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
static char policy_directory[] = "/tmp/tlsd-resume-policy.XXXXXX";
static char policy_certificate[64], policy_key[64];

/* The credentials above, as the PEM files tlsd loads. */
static void write_policy_credentials(void)
{
    ck_assert_ptr_nonnull(mkdtemp(policy_directory));
    snprintf(policy_certificate, sizeof policy_certificate, "%s/server.crt", policy_directory);
    snprintf(policy_key, sizeof policy_key, "%s/server.key", policy_directory);
    static unsigned char pem[4096];
    size_t length = 0;
    ck_assert_int_eq(mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
                                              server_certificate.raw.p, server_certificate.raw.len, pem,
                                              sizeof pem, &length),
                     0);
    FILE *file = fopen(policy_certificate, "w");
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(fwrite(pem, 1, strlen((char *)pem), file), strlen((char *)pem));
    fclose(file);
    ck_assert_int_eq(mbedtls_pk_write_key_pem(&server_key, pem, sizeof pem), 0);
    int fd = open(policy_key, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, pem, strlen((char *)pem)), (ssize_t)strlen((char *)pem));
    close(fd);
}

static void remove_policy_credentials(void)
{
    unlink(policy_certificate);
    unlink(policy_key);
    rmdir(policy_directory);
}

/* TLS 1.3 resumption keeps forward secrecy: tlsd resumes with psk_dhe_ke
 * (a fresh key share) only. A client that offers only psk_ke (a resumption
 * without one) gets a full handshake; offering psk_dhe_ke, it resumes. */
START_TEST(tls13_resumption_needs_a_key_share)
{
    write_policy_credentials();
    struct tlsd_config config;
    config_init(&config);
    char error[512] = "";
    ck_assert_int_eq(config_set(&config, "certificate", policy_certificate, "test", error, sizeof error), 0);
    ck_assert_int_eq(config_set(&config, "private_key", policy_key, "test", error, sizeof error), 0);
    ck_assert_msg(config_finish(&config, error, sizeof error) == 0, "%s", error);
    struct tls_resumption *resumption = tls_resumption_create(&config, error, sizeof error);
    ck_assert_msg(resumption != NULL, "%s", error);
    struct tls_server *server = tls_server_create(&config, resumption, error, sizeof error);
    ck_assert_msg(server != NULL, "%s", error);

    mbedtls_ssl_config client_config, psk_ke_client_config;
    configure_version(&client_config, MBEDTLS_SSL_IS_CLIENT, 13, true);
    configure_version(&psk_ke_client_config, MBEDTLS_SSL_IS_CLIENT, 13, true);
    mbedtls_ssl_conf_tls13_key_exchange_modes(&psk_ke_client_config, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK |
                                                                         MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL);
    mbedtls_ssl_session saved;
    mbedtls_ssl_session_init(&saved);
    struct handshake_path path = connect_once(tls_server_ssl_config(server), &client_config, NULL, &saved);
    ck_assert(path.server_sent_certificate);

    path = connect_once(tls_server_ssl_config(server), &psk_ke_client_config, &saved, NULL);
    ck_assert_msg(path.server_sent_certificate, "tlsd resumed with psk_ke: no forward secrecy");
    path = connect_once(tls_server_ssl_config(server), &client_config, &saved, NULL);
    ck_assert_msg(!path.server_sent_certificate, "control: psk_dhe_ke did not resume");

    mbedtls_ssl_session_free(&saved);
    mbedtls_ssl_config_free(&psk_ke_client_config);
    mbedtls_ssl_config_free(&client_config);
    tls_server_release(server);
    tls_resumption_free(resumption);
    config_free(&config);
    remove_policy_credentials();
}
END_TEST
#endif

static Suite *session_resume_suite(void)
{
    Suite *s = suite_create("session_resume");
    TCase *tc = tcase_create("tls12");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, second_connection_resumes);
    tcase_add_test(tc, no_cache_no_resumption);
    suite_add_tcase(s, tc);

    TCase *tickets = tcase_create("tickets");
    tcase_add_checked_fixture(tickets, ticket_setup, teardown);
    tcase_add_test(tickets, ticket_resumes_on_another_server_with_the_same_keys);
    tcase_add_test(tickets, rotated_keys_resume_old_tickets_and_issue_with_the_new_key);
    tcase_add_test(tickets, tampered_ticket_gets_a_full_handshake);
    tcase_add_test(tickets, ticket_expires_after_its_lifetime);
    tcase_add_test(tickets, own_keys_rotate_after_the_lifetime);
    tcase_add_test(tickets, keys_switched_at_run_time);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    tcase_add_test(tickets, tls13_ticket_resumes_on_another_server);
#endif
    suite_add_tcase(s, tickets);

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    TCase *policy = tcase_create("tlsd_policy");
    tcase_add_checked_fixture(policy, setup, teardown);
    tcase_add_test(policy, tls13_resumption_needs_a_key_share);
    suite_add_tcase(s, policy);
#endif
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

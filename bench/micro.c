/* SPDX-License-Identifier: Apache-2.0 */
/* micro.c: tlsd's micro-benchmarks, one scenario per run, made to be
 * measured by callgrind (bench/micro.sh) rather than by a clock.
 *
 *   micro [--iterations N] [--pki DIR] [--tls13] SCENARIO
 *
 *   http-parse          http_parse_request() over Chromium's GET head
 *   handshake-full      tls_session_create + tls_session_handshake against an
 *                       in-process Mbed TLS client, then teardown
 *   handshake-resumed   the same, the client offering its saved session
 *                       (a ticket; the server's cache is on too, as tlsd's is)
 *   request-keepalive   on one established connection: request, parse,
 *                       response head + 2 KB body through tls_session_write,
 *                       client reads it all
 *   info                prints the Mbed TLS version and whether --tls13 works
 *
 * The server and the client share one thread and a non-blocking
 * socketpair(AF_UNIX, SOCK_STREAM), taking turns: no scheduler, no network,
 * so the instruction counts repeat from run to run.
 *
 * Each scenario's measured loop is the function bench_<scenario> (dashes as
 * underscores); every call into tlsd's server side inside it goes through a
 * function named server_side_*, so callgrind can measure the whole
 * (--toggle-collect=bench_handshake_full) or the server's share alone
 * (--toggle-collect='server_side_*'). None of those calls the others.
 *
 * --pki DIR names what `tlsd-mkcert -d DIR` wrote (server.crt, server.key,
 * ca.crt); the client verifies the chain for "localhost" as a browser
 * would. Exit status: 0 when every iteration did what it should (a resumed
 * handshake that was full counts as a failure), 1 otherwise, 2 on usage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "compat.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "tls.h"

/* callgrind toggles collection on these names: they must stay whole,
 * un-inlined, un-cloned functions under -O2 */
#if defined(__clang__)
#define MEASURED __attribute__((noinline, used))
#else
#define MEASURED __attribute__((noinline, noclone, used))
#endif
/* the body of a measured function and of its unmeasured twin: inlined into
 * both, so neither ends in a tail jump that could end collection early */
#define INLINED static inline __attribute__((always_inline))

/* as connection.c: plaintext handed to Mbed TLS at a time, one record */
#define PENDING_SIZE 16384
#define BODY_SIZE 2048
/* turns of server then client before a handshake or exchange is declared
 * stuck: a TLS 1.2 handshake takes under ten */
#define MAX_TURNS 200
#define ERROR_SIZE 512

/* Chromium 131 on Linux navigating to a page (as tests/test_http.c) */
static const char chromium_request[] =
    "GET /docs/?lang=en&q=a%20b HTTP/1.1\r\n"
    "Host: localhost:8443\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: none\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "\r\n";

static const char *const client_alpn[] = { "http/1.1", NULL };

struct bench_options {
    const char *scenario;
    unsigned long iterations;
    const char *pki_dir;
    bool tls13;
};

/* The in-process client: one configuration for every connection, and the
 * session it saved for resumption. */
struct client_side {
    mbedtls_ssl_config config;
    mbedtls_x509_crt ca;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context random;
    mbedtls_ssl_session saved_session;
    bool has_saved_session;
};

/* One connection: tlsd's session on one end of the socketpair, the
 * client's context on the other. */
struct connection_pair {
    struct tls_session *server;       /* NULL until accepted */
    mbedtls_ssl_context client;
    bool client_started;
    mbedtls_net_context client_socket;
    int server_fd;
};

/* What the server side of request-keepalive owns, as connection.c does per
 * connection. */
struct server_buffers {
    char request[HTTP_MAX_HEADER_BYTES];
    size_t request_length;
    unsigned char pending[PENDING_SIZE];
    unsigned char body[BODY_SIZE];
    const struct tlsd_config *config;
};

/* read back by nobody: keeps the compiler from dropping parse results */
static volatile size_t benchmark_sink;

/* ------------------------------------------------------------ setup */

/* The one call of tls_server_create(): its signature may grow (a shared
 * session cache / ticket key), and only this function should have to
 * follow. */
static struct tls_resumption *bench_resumption;  /* session cache and ticket keys, as tlsd has one */

static struct tls_server *create_tls_server(const struct tlsd_config *config, char *error, size_t error_size)
{
    bench_resumption = tls_resumption_create(config, error, error_size);
    if (bench_resumption == NULL)
        return NULL;
    return tls_server_create(config, bench_resumption, error, error_size);
}

static void free_tls_server(struct tls_server *server)
{
    tls_server_release(server);
    tls_resumption_free(bench_resumption);
    bench_resumption = NULL;
}

static int make_server_config(struct tlsd_config *config, const struct bench_options *options,
                              char *error, size_t error_size)
{
    char path[4096];
    config_init(config);
    snprintf(path, sizeof path, "%s/server.crt", options->pki_dir);
    if (config_set(config, "certificate", path, "--pki", error, error_size) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/server.key", options->pki_dir);
    if (config_set(config, "private_key", path, "--pki", error, error_size) != 0)
        return -1;
    /* TLS 1.2 unless asked: the figures then compare between 2.28 and 3.6 */
    const char *version = options->tls13 ? "1.3" : "1.2";
    if (config_set(config, "min_tls_version", version, "--tls13", error, error_size) != 0 ||
        config_set(config, "max_tls_version", version, "--tls13", error, error_size) != 0)
        return -1;
    return 0;
}

static int client_side_setup(struct client_side *client, const struct bench_options *options)
{
    mbedtls_ssl_config_init(&client->config);
    mbedtls_x509_crt_init(&client->ca);
    mbedtls_entropy_init(&client->entropy);
    mbedtls_ctr_drbg_init(&client->random);
    mbedtls_ssl_session_init(&client->saved_session);
    client->has_saved_session = false;

    char path[4096];
    snprintf(path, sizeof path, "%s/ca.crt", options->pki_dir);
    int result = mbedtls_ctr_drbg_seed(&client->random, mbedtls_entropy_func, &client->entropy,
                                       (const unsigned char *)"tlsd-bench-client", 17);
    if (result == 0)
        result = mbedtls_x509_crt_parse_file(&client->ca, path);
    if (result == 0)
        result = mbedtls_ssl_config_defaults(&client->config, MBEDTLS_SSL_IS_CLIENT,
                                             MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (result == 0)
        result = mbedtls_ssl_conf_alpn_protocols(&client->config, (const char **)client_alpn);
    if (result != 0) {
        char text[160];
        tls_error_text(result, text, sizeof text);
        fprintf(stderr, "micro: client setup (%s): %s\n", path, text);
        return -1;
    }
    int version = options->tls13 ? TLS_VERSION_1_3 : TLS_VERSION_1_2;
    if (compat_conf_tls_versions(&client->config, version, version) != 0) {
        fprintf(stderr, "micro: %s cannot speak TLS %s\n", compat_library_version(),
                options->tls13 ? "1.3" : "1.2");
        return -1;
    }
    mbedtls_ssl_conf_rng(&client->config, mbedtls_ctr_drbg_random, &client->random);
    mbedtls_ssl_conf_ca_chain(&client->config, &client->ca, NULL);
    mbedtls_ssl_conf_authmode(&client->config, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_session_tickets(&client->config, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#if MBEDTLS_VERSION_NUMBER >= 0x03060100
    /* 3.6.1 and later drop TLS 1.3 tickets unless the client asks for them */
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        &client->config, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
    return 0;
}

static void client_side_free(struct client_side *client)
{
    mbedtls_ssl_session_free(&client->saved_session);
    mbedtls_ssl_config_free(&client->config);
    mbedtls_x509_crt_free(&client->ca);
    mbedtls_ctr_drbg_free(&client->random);
    mbedtls_entropy_free(&client->entropy);
}

static void pair_close(struct connection_pair *pair)
{
    tls_session_destroy(pair->server);
    if (pair->client_started)
        mbedtls_ssl_free(&pair->client);
    if (pair->server_fd >= 0)
        close(pair->server_fd);
    mbedtls_net_free(&pair->client_socket);
    pair->server = NULL;
    pair->client_started = false;
    pair->server_fd = -1;
}

/* ------------------------------------------------------------ tlsd's side
 *
 * Each step of the server runs through a `struct server_steps`: the loops
 * being measured use `measured_steps`, whose functions are named
 * server_side_* for callgrind; the set-up outside them (the first
 * handshake, the warm-up request) uses `setup_steps`, the same code under
 * other names, so that the server-only figure holds the loop alone. */

struct server_buffers;

struct server_steps {
    int (*accept)(struct connection_pair *pair, struct tls_server *server);
    int (*handshake_turn)(struct connection_pair *pair);
    size_t (*serve_request)(struct connection_pair *pair, struct server_buffers *buffers);
};

/* What hslog's parse of the client's ClientHello tells the session in
 * tlsd (tls_session_set_hello): hslog is not in these figures, and without
 * it a TLS 1.2 session, whose hello is not known to offer extended master
 * secret, is not kept. Mbed TLS's client offers it. */
static const struct clienthello client_hello = { .has_extended_master_secret = true };

/* Accepting a connection: start_tls() in connection.c. */
INLINED int accept_connection(struct connection_pair *pair, struct tls_server *server)
{
    int result = 0;
    pair->server = tls_session_create(server, pair->server_fd, &result);
    if (pair->server != NULL)
        tls_session_set_hello(pair->server, &client_hello, CLIENTHELLO_OK);
    return result;
}

/* One turn of the server: do_handshake() then the flush connection_run()
 * does before waiting. 1 = done, 0 = waiting, -1 = failed. */
INLINED int handshake_turn(struct connection_pair *pair)
{
    int error = 0;
    enum tls_io result = tls_session_handshake(pair->server, &error);
    if (tls_session_flush(pair->server) < 0)
        return -1;
    if (result == TLS_IO_DONE)
        return 1;
    if (result == TLS_IO_WANT_READ || result == TLS_IO_WANT_WRITE)
        return 0;
    char text[160];
    tls_error_text(error, text, sizeof text);
    fprintf(stderr, "micro: server handshake: %s\n", text);
    return -1;
}

static MEASURED int server_side_accept(struct connection_pair *pair, struct tls_server *server)
{
    return accept_connection(pair, server);
}

static MEASURED int server_side_handshake(struct connection_pair *pair)
{
    return handshake_turn(pair);
}

static int setup_accept(struct connection_pair *pair, struct tls_server *server)
{
    return accept_connection(pair, server);
}

static int setup_handshake(struct connection_pair *pair)
{
    return handshake_turn(pair);
}

/* offer_saved_session: the client asks to resume, as a browser coming back */
static int pair_open(struct connection_pair *pair, const struct server_steps *steps, struct tls_server *server,
                     struct client_side *client, bool offer_saved_session)
{
    memset(pair, 0, sizeof *pair);
    pair->server_fd = -1;
    mbedtls_net_init(&pair->client_socket);
    mbedtls_ssl_init(&pair->client);
    pair->client_started = true;  /* from here mbedtls_ssl_free() is due */

    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
        fprintf(stderr, "micro: socketpair: %s\n", strerror(errno));
        pair_close(pair);
        return -1;
    }
    pair->server_fd = fds[0];
    pair->client_socket.fd = fds[1];

    int result = steps->accept(pair, server);
    if (result == 0)
        result = mbedtls_ssl_setup(&pair->client, &client->config);
    if (result == 0)
        result = mbedtls_ssl_set_hostname(&pair->client, "localhost");
    if (result == 0 && offer_saved_session && client->has_saved_session)
        result = mbedtls_ssl_set_session(&pair->client, &client->saved_session);
    if (result != 0) {
        char text[160];
        tls_error_text(result, text, sizeof text);
        fprintf(stderr, "micro: connection setup: %s\n", text);
        pair_close(pair);
        return -1;
    }
    mbedtls_ssl_set_bio(&pair->client, &pair->client_socket, mbedtls_net_send, mbedtls_net_recv, NULL);
    return 0;
}

/* ------------------------------------------------------------ handshake */

static int pair_handshake(struct connection_pair *pair, const struct server_steps *steps)
{
    bool server_done = false, client_done = false;
    for (int turn = 0; turn < MAX_TURNS; turn++) {
        if (!server_done) {
            int step = steps->handshake_turn(pair);
            if (step < 0)
                return -1;
            server_done = step == 1;
        }
        if (!client_done) {
            int result = mbedtls_ssl_handshake(&pair->client);
            if (result == 0) {
                client_done = true;
            } else if (result != MBEDTLS_ERR_SSL_WANT_READ && result != MBEDTLS_ERR_SSL_WANT_WRITE) {
                char text[160];
                tls_error_text(result, text, sizeof text);
                fprintf(stderr, "micro: client handshake: %s\n", text);
                return -1;
            }
        }
        if (server_done && client_done)
            return 0;
    }
    fprintf(stderr, "micro: the handshake did not finish in %d turns\n", MAX_TURNS);
    return -1;
}

/* After a full handshake: keep the session for resumption. A TLS 1.3
 * ticket arrives after the handshake, so read until it is in. */
static int client_save_session(struct connection_pair *pair, struct client_side *client, bool tls13)
{
#ifdef MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
    if (tls13) {
        unsigned char ignored[64];
        int result = MBEDTLS_ERR_SSL_WANT_READ;
        for (int turn = 0; turn < MAX_TURNS && result == MBEDTLS_ERR_SSL_WANT_READ; turn++)
            result = mbedtls_ssl_read(&pair->client, ignored, sizeof ignored);
        if (result != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            fprintf(stderr, "micro: no TLS 1.3 session ticket from the server (%d)\n", result);
            return -1;
        }
    }
#else
    (void)tls13;  /* 2.28 has no TLS 1.3 */
#endif
    mbedtls_ssl_session_free(&client->saved_session);
    mbedtls_ssl_session_init(&client->saved_session);
    int result = mbedtls_ssl_get_session(&pair->client, &client->saved_session);
    if (result != 0) {
        char text[160];
        tls_error_text(result, text, sizeof text);
        fprintf(stderr, "micro: saving the session: %s\n", text);
        return -1;
    }
    client->has_saved_session = true;
    return 0;
}

/* ------------------------------------------------------------ requests */

static MEASURED unsigned long bench_http_parse(unsigned long iterations)
{
    unsigned long failures = 0;
    for (unsigned long i = 0; i < iterations; i++) {
        struct http_request request;
        size_t consumed = 0;
        int status = 0;
        if (http_parse_request(chromium_request, sizeof chromium_request - 1, &request, &consumed, &status) !=
            HTTP_PARSE_COMPLETE)
            failures++;
        benchmark_sink += consumed + request.host_length;
    }
    return failures;
}

static int client_send_request(struct connection_pair *pair)
{
    size_t sent = 0, length = sizeof chromium_request - 1;
    for (int turn = 0; turn < MAX_TURNS && sent < length; turn++) {
        int result = mbedtls_ssl_write(&pair->client, (const unsigned char *)chromium_request + sent, length - sent);
        if (result > 0)
            sent += (size_t)result;
        else if (result != MBEDTLS_ERR_SSL_WANT_READ && result != MBEDTLS_ERR_SSL_WANT_WRITE)
            return -1;
    }
    return sent == length ? 0 : -1;
}

/* The server's part of one request, as read_request(), begin_response()
 * and send_response() in connection.c, with the body from memory instead
 * of a file: read and parse the head, format the response head, put head
 * and body in one plaintext buffer, encrypt it, flush. Returns the
 * plaintext length of the response, or 0 on failure. */
INLINED size_t serve_request(struct connection_pair *pair, struct server_buffers *buffers)
{
    struct http_request request;
    size_t consumed = 0;
    int status = 0, error = 0;
    for (int turn = 0;; turn++) {
        if (buffers->request_length > 0 &&
            http_parse_request(buffers->request, buffers->request_length, &request, &consumed, &status) ==
                HTTP_PARSE_COMPLETE)
            break;
        if (turn == MAX_TURNS)
            return 0;
        /* the event loop's readability, as connection_run() passes it on:
         * the last recv() may have emptied the socket */
        tls_session_socket_readable(pair->server);
        int received = tls_session_read(pair->server, (unsigned char *)buffers->request + buffers->request_length,
                                        HTTP_MAX_HEADER_BYTES - buffers->request_length, &error);
        if (received <= 0)
            return 0;  /* the client sent the whole head before this turn */
        buffers->request_length += (size_t)received;
    }
    char extra[HTTP_MAX_TARGET_BYTES * 3 + CONFIG_MAX_HEADER_VALUE + 512];
    http_format_security_headers(extra, sizeof extra, buffers->config->hsts, buffers->config->content_security_policy,
                                 NULL);
    size_t head_length = http_format_head((char *)buffers->pending, PENDING_SIZE, 200, "text/html; charset=utf-8",
                                          BODY_SIZE, request.keep_alive, extra, (long long)time(NULL));
    if (head_length == 0 || head_length + BODY_SIZE > PENDING_SIZE)
        return 0;
    memcpy(buffers->pending + head_length, buffers->body, BODY_SIZE);
    size_t length = head_length + BODY_SIZE, sent = 0;
    for (int turn = 0; turn < MAX_TURNS && sent < length; turn++) {
        int written = tls_session_write(pair->server, buffers->pending + sent, length - sent, &error);
        if (written > 0)
            sent += (size_t)written;
        else if (written != TLS_IO_WANT_READ && written != TLS_IO_WANT_WRITE)
            return 0;
        if (tls_session_flush(pair->server) < 0)
            return 0;
    }
    /* as finish_response(): keep what a pipelining client sent after it */
    memmove(buffers->request, buffers->request + consumed, buffers->request_length - consumed);
    buffers->request_length -= consumed;
    return sent == length ? length : 0;
}

/* 3.x tells a client of each TLS 1.3 ticket through mbedtls_ssl_read() */
static bool client_read_should_retry(int result)
{
#ifdef MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
    return result == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET;
#else
    (void)result;
    return false;
#endif
}

static int client_read_response(struct connection_pair *pair, size_t expected)
{
    unsigned char response[PENDING_SIZE];
    size_t received = 0;
    for (int turn = 0; turn < MAX_TURNS && received < expected; turn++) {
        int result = mbedtls_ssl_read(&pair->client, response + received, sizeof response - received);
        if (result > 0)
            received += (size_t)result;
        else if (result != MBEDTLS_ERR_SSL_WANT_READ && result != MBEDTLS_ERR_SSL_WANT_WRITE &&
                 !client_read_should_retry(result))
            return -1;
    }
    if (received != expected || memcmp(response, "HTTP/1.1 200 OK\r\n", 17) != 0)
        return -1;
    return 0;
}

static MEASURED size_t server_side_serve_request(struct connection_pair *pair, struct server_buffers *buffers)
{
    return serve_request(pair, buffers);
}

static size_t setup_serve_request(struct connection_pair *pair, struct server_buffers *buffers)
{
    return serve_request(pair, buffers);
}

static const struct server_steps measured_steps = {
    .accept = server_side_accept,
    .handshake_turn = server_side_handshake,
    .serve_request = server_side_serve_request,
};

static const struct server_steps setup_steps = {
    .accept = setup_accept,
    .handshake_turn = setup_handshake,
    .serve_request = setup_serve_request,
};

/* Open, handshake, close; counts the failures (a handshake that should
 * have resumed and did not is one). */
INLINED unsigned long connect_many(struct tls_server *server, struct client_side *client,
                                   unsigned long iterations, bool expect_resumed)
{
    unsigned long failures = 0;
    for (unsigned long i = 0; i < iterations; i++) {
        struct connection_pair pair;
        if (pair_open(&pair, &measured_steps, server, client, expect_resumed) != 0) {
            failures++;
            continue;
        }
        if (pair_handshake(&pair, &measured_steps) != 0 || tls_session_resumed(pair.server) != expect_resumed)
            failures++;
        pair_close(&pair);
    }
    return failures;
}

/* The measured loops: see the top of the file. */
static MEASURED unsigned long bench_handshake_full(struct tls_server *server, struct client_side *client,
                                                   unsigned long iterations)
{
    return connect_many(server, client, iterations, false);
}

static MEASURED unsigned long bench_handshake_resumed(struct tls_server *server, struct client_side *client,
                                                      unsigned long iterations)
{
    return connect_many(server, client, iterations, true);
}

static int round_trip(struct connection_pair *pair, const struct server_steps *steps, struct server_buffers *buffers)
{
    if (client_send_request(pair) != 0)
        return -1;
    size_t response_length = steps->serve_request(pair, buffers);
    if (response_length == 0)
        return -1;
    return client_read_response(pair, response_length);
}

static MEASURED unsigned long bench_request_keepalive(struct connection_pair *pair, struct server_buffers *buffers,
                                                      unsigned long iterations)
{
    unsigned long failures = 0;
    for (unsigned long i = 0; i < iterations; i++)
        if (round_trip(pair, &measured_steps, buffers) != 0)
            failures++;
    return failures;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *stream)
{
    fprintf(stream,
            "Usage: micro [--iterations N] [--pki DIR] [--tls13] SCENARIO\n"
            "Scenarios: http-parse, handshake-full, handshake-resumed, request-keepalive, info\n"
            "  --pki DIR   what `tlsd-mkcert -d DIR` wrote (needed by all but http-parse)\n"
            "  --tls13     TLS 1.3 instead of 1.2 (Mbed TLS 3.x)\n"
            "Run it under callgrind with bench/micro.sh.\n");
}

static int parse_options(int argc, char **argv, struct bench_options *options)
{
    static const struct option long_options[] = {
        { "iterations", required_argument, NULL, 'n' },
        { "pki", required_argument, NULL, 'p' },
        { "tls13", no_argument, NULL, '3' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options->iterations = 1000;
    int option;
    while ((option = getopt_long(argc, argv, "n:p:h", long_options, NULL)) != -1) {
        switch (option) {
        case 'n': {
            char *end = NULL;
            errno = 0;
            options->iterations = strtoul(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' || options->iterations == 0) {
                fprintf(stderr, "micro: --iterations wants a positive whole number, not \"%s\"\n", optarg);
                return -1;
            }
            break;
        }
        case 'p':
            options->pki_dir = optarg;
            break;
        case '3':
            options->tls13 = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return -1;
    }
    options->scenario = argv[optind];
    return 0;
}

static int run_tls_scenario(const struct bench_options *options)
{
    char error[ERROR_SIZE];
    struct tlsd_config config;
    if (make_server_config(&config, options, error, sizeof error) != 0) {
        fprintf(stderr, "micro: %s\n", error);
        config_free(&config);
        return 2;
    }
    /* the server was made first: compat_crypto_init() (PSA) is then done
     * for the client too */
    struct tls_server *server = create_tls_server(&config, error, sizeof error);
    if (server == NULL) {
        fprintf(stderr, "micro: %s\n", error);
        tls_resumption_free(bench_resumption);
        config_free(&config);
        return 1;
    }
    struct client_side client;
    if (client_side_setup(&client, options) != 0) {
        client_side_free(&client);
        free_tls_server(server);
        config_free(&config);
        return 1;
    }

    /* one full handshake outside the measurement: the lazy set-up of
     * either library is not what a connection costs, and the client gets
     * the session that handshake-resumed offers */
    int status = 1;
    unsigned long failures = 0;
    struct connection_pair pair;
    if (pair_open(&pair, &setup_steps, server, &client, false) != 0)
        goto done;
    if (pair_handshake(&pair, &setup_steps) != 0 || client_save_session(&pair, &client, options->tls13) != 0) {
        pair_close(&pair);
        goto done;
    }
    if (strcmp(options->scenario, "request-keepalive") == 0) {
        struct server_buffers *buffers = calloc(1, sizeof *buffers);
        if (buffers == NULL) {
            pair_close(&pair);
            goto done;
        }
        buffers->config = &config;
        for (size_t i = 0; i < BODY_SIZE; i++)
            buffers->body[i] = (unsigned char)('a' + i % 26);
        /* warm-up round: the steady state of a kept-alive connection is
         * what is measured, not its first request */
        if (round_trip(&pair, &setup_steps, buffers) != 0)
            failures++;
        else
            failures = bench_request_keepalive(&pair, buffers, options->iterations);
        free(buffers);
        pair_close(&pair);
    } else {
        pair_close(&pair);
        if (strcmp(options->scenario, "handshake-full") == 0)
            failures = bench_handshake_full(server, &client, options->iterations);
        else
            failures = bench_handshake_resumed(server, &client, options->iterations);
    }
    if (failures > 0)
        fprintf(stderr, "micro: %s: %lu of %lu iterations failed\n", options->scenario, failures,
                options->iterations);
    else
        status = 0;
done:
    client_side_free(&client);
    free_tls_server(server);
    config_free(&config);
    return status;
}

int main(int argc, char **argv)
{
    struct bench_options options = { 0 };
    if (parse_options(argc, argv, &options) != 0)
        return 2;
    /* tls.c logs at info; a benchmark wants errors only */
    log_setup(LOG_LEVEL_ERROR, LOG_FORMAT_TEXT);

    if (strcmp(options.scenario, "info") == 0) {
        printf("library=\"%s\" tls13=%s\n", compat_library_version(), compat_max_tls_version() >= 13 ? "yes" : "no");
        return 0;
    }
    if (strcmp(options.scenario, "http-parse") == 0) {
        unsigned long failures = bench_http_parse(options.iterations);
        if (failures > 0) {
            fprintf(stderr, "micro: http-parse: %lu of %lu parses failed\n", failures, options.iterations);
            return 1;
        }
        return 0;
    }
    if (strcmp(options.scenario, "handshake-full") != 0 && strcmp(options.scenario, "handshake-resumed") != 0 &&
        strcmp(options.scenario, "request-keepalive") != 0) {
        fprintf(stderr, "micro: unknown scenario \"%s\"\n", options.scenario);
        usage(stderr);
        return 2;
    }
    if (options.pki_dir == NULL) {
        fprintf(stderr, "micro: %s needs --pki DIR (made by tlsd-mkcert -d DIR)\n", options.scenario);
        return 2;
    }
    if (options.tls13 && compat_max_tls_version() < 13) {
        fprintf(stderr, "micro: --tls13: %s speaks TLS 1.2 only\n", compat_library_version());
        return 2;
    }
    int status = run_tls_scenario(&options);
    compat_crypto_free();
    return status;
}

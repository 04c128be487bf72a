/* SPDX-License-Identifier: Apache-2.0 */
/* hostile.c: a bounded hostile-load client for tlsd (tests/t-hostile.sh and
 * bench/hostile.sh).
 *
 * One thread, one epoll loop, loopback only (127.0.0.1). It keeps up to
 * --connections connections open at once, starting new ones at most --rate
 * per second for --seconds, each of one kind: every kind of --mix once, in
 * order, then picked by weight:
 *
 *   normal           TLS handshake, GET --path, reads the whole 200 response
 *   slowloris        a TLS record header, then one byte of a ClientHello
 *                    every --slow-interval s until tlsd closes (handshake_timeout)
 *   garbage          random bytes (fixed-seed PRNG) that are neither a TLS
 *                    record nor plain HTTP; tlsd must close
 *   truncated        a prefix of a real ClientHello, then either a half-close
 *                    (tlsd sees end of stream) or a stall (handshake_timeout)
 *   oversized        a handshake record header announcing more than a TLS
 *                    record may hold (18432 or 65535 bytes), then that data
 *   sslv2            an SSLv2-style CLIENT-HELLO (0x80 0x2e 0x01 0x03 0x01 ...)
 *   reset_handshake  a real ClientHello, then, once tlsd's first flight has
 *                    arrived and unread, a reset (SO_LINGER {1, 0})
 *   reset_response   TLS handshake, GET --big-path, reads a few KB, reset
 *   no_read          TLS handshake, GET --big-path, then no reading until
 *                    nothing more has arrived for --hold seconds (tlsd must
 *                    give up: send_timeout), then drains to see that tlsd
 *                    cut the response and closed
 *
 * The flood kinds (in the default mix like the others): a TLS 1.2
 * handshake (AES-128-GCM), then, without reading, records made by hand
 * (tests/records.c) as fast as the socket takes them, --flood-bytes of
 * them, then a sealed GET --path; tlsd must close the connection rather
 * than absorb the flood and answer the GET:
 *
 *   renegotiation_flood  handshake records of 4096 ClientHellos (01 00 00 00)
 *                        each: with renegotiation off, Mbed TLS answers each
 *                        hello with a no_renegotiation warning
 *   alert_flood          alert records, warning user_canceled
 *   empty_flood          application-data records with no plaintext
 *   ccs_flood            ChangeCipherSpec records, sealed
 *
 * The ClientHello is curl's, captured in tests/vectors/curl_openssl.hex. The
 * TLS kinds use Mbed TLS's client (non-blocking, shared configuration).
 *
 * It stops starting connections after --seconds, gives those in flight at
 * most 4 more seconds, then closes what is left ("cut") and prints one line
 * per kind: started, expected (the outcome the kind expects: a refusal, a
 * timeout, a response), unexpected (with the reasons), cut, and for the
 * kinds that complete a response the latency percentiles. Every loop is
 * bounded by --total connections and by the clock.
 *
 * Unexpected outcomes are counted by reason: connect_failed;
 * closed_before_flight (tlsd closed on a whole, valid ClientHello without
 * answering); tls_handshake_failed, closed_in_handshake, status_not_200,
 * short_response, reset_by_server (a normal request failed);
 * flood_absorbed (tlsd answered the GET after a whole flood), record_keys
 * (no keys from the handshake), record_undecryptable (a record of tlsd's
 * did not open: the derived keys are wrong);
 * response_too_small_to_reset (--big-path too small); no_response,
 * response_not_cut (a client that had read nothing for --hold seconds still
 * got the whole response: tlsd never gave up on it); timeout_<step>
 * (nothing happened by the deadline: tlsd's timeout + 8 s).
 *
 * Exit status: 0 when every finished connection ended as its kind expects,
 * 1 when some did not, 2 when it could not run (bad options, TLS setup,
 * descriptor limit, or not one connection could be made). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "client_util.h"
#include "compat.h"
#include "records.h"

#define GRACE_SECONDS 4.0          /* in-flight connections after --seconds */
#define MAX_CONNECTING 256         /* connects not yet completed, at once */
#define DEADLINE_SLACK 8.0         /* beyond the server's timeout, before "timeout" */
#define MAX_REASONS 8
#define MAX_VERBOSE_LINES 40
#define HOLD_LOOK_SECONDS 0.5      /* no_read: how often the unread queue is looked at */
#define FLOOD_BATCH (2 * RECORDS_MAX_RECORD)   /* floods: bytes sealed at once */
#define FLOOD_BATCHES_PER_EVENT 8

enum kind {
    KIND_NORMAL,
    KIND_SLOWLORIS,
    KIND_GARBAGE,
    KIND_TRUNCATED,
    KIND_OVERSIZED,
    KIND_SSLV2,
    KIND_RESET_HANDSHAKE,
    KIND_RESET_RESPONSE,
    KIND_NO_READ,
    KIND_RENEGOTIATION_FLOOD,     /* the first flood kind */
    KIND_ALERT_FLOOD,
    KIND_EMPTY_FLOOD,
    KIND_CCS_FLOOD,
    KIND_COUNT
};

static const char *const kind_names[KIND_COUNT] = {
    "normal", "slowloris", "garbage", "truncated", "oversized", "sslv2",
    "reset_handshake", "reset_response", "no_read",
    "renegotiation_flood", "alert_flood", "empty_flood", "ccs_flood",
};

static bool is_flood(enum kind kind)
{
    return kind >= KIND_RENEGOTIATION_FLOOD;
}

enum step {
    STEP_FREE,
    STEP_CONNECTING,
    STEP_SEND,            /* raw bytes going out */
    STEP_SLOW,            /* slowloris: one byte per tick, watching for the close */
    STEP_AWAIT_FLIGHT,    /* reset_handshake: hello sent, waiting for tlsd's answer */
    STEP_WAIT_CLOSE,      /* raw: waiting for tlsd to close */
    STEP_TLS_HANDSHAKE,
    STEP_TLS_WRITE,
    STEP_TLS_READ,
    STEP_HOLD,            /* no_read: not reading at all */
    STEP_DRAIN,           /* no_read: reading what is left, expecting a cut */
    STEP_FLOOD,           /* floods: hand-made records, then the GET, going out */
    STEP_FLOOD_READ,      /* floods: reading tlsd's records, expecting a close */
};

static const char *const step_names[] = {
    "free", "connecting", "send", "slow", "await_flight", "wait_close",
    "tls_handshake", "tls_write", "tls_read", "hold", "drain", "flood", "flood_read",
};

/* A flood connection's record layer: after the handshake it seals and
 * opens its own records (tests/records.c). */
struct flood {
    struct records_secrets secrets;
    struct records_keys keys;
    struct records_reader reader;
    struct records_tally tally;
    uint64_t bytes_left;          /* of the flood, before the GET */
    bool request_sealed;
    size_t batch_length;
    size_t batch_sent;
    unsigned char batch[FLOOD_BATCH];
};

enum outcome { OUTCOME_EXPECTED, OUTCOME_UNEXPECTED, OUTCOME_CUT };

struct conn {
    enum step step;
    enum kind kind;
    int fd;
    bool registered;
    uint32_t interest;
    double started;
    double deadline;
    double wake_at;               /* 0: no timer */
    const unsigned char *out;     /* raw bytes to send */
    size_t out_length;
    size_t out_sent;
    unsigned char *owned;         /* `out` when made for this connection */
    bool half_close;
    mbedtls_ssl_context *ssl;
    char request[512];
    size_t request_length;
    size_t request_sent;
    char head[2048];
    size_t head_length;
    bool head_done;
    int status;
    long long content_length;     /* -1 until known */
    uint64_t body;
    uint64_t reset_after;
    bool raw_drain;               /* no_read: head decrypted, the rest counted undecrypted */
    int queued;                   /* no_read: bytes waiting unread, at the last look */
    double queue_grew_at;
    int socket_errno;
    struct flood *flood;          /* the flood kinds only */
    struct conn *next_free;
};

struct reason_count {
    const char *reason;
    unsigned long count;
};

struct kind_stats {
    unsigned weight;
    unsigned long started;
    unsigned long connected;
    unsigned long expected;
    unsigned long unexpected;
    unsigned long cut;
    struct reason_count reasons[MAX_REASONS];
    unsigned long other_reasons;
    double *latencies;            /* ms, of expected outcomes */
    size_t latency_count;
    size_t latency_capacity;
};

struct options {
    int port;
    unsigned connections;
    double seconds;
    double rate;
    unsigned long total;
    uint64_t seed;
    const char *path;
    const char *big_path;
    const char *cafile;
    double server_timeout;
    double hold;
    double slow_interval;
    double flood_bytes;
    bool verbose;
    bool progress;
};

static struct options options = {
    .port = 0,
    .connections = 200,
    .seconds = 10,
    .rate = 1000,
    .total = 100000,
    .seed = 1,
    .path = "/",
    .big_path = "/big.bin",
    .cafile = NULL,
    .server_timeout = 10,
    .hold = -1,
    .slow_interval = 1.0,
    .flood_bytes = 1048576,
    .verbose = false,
    .progress = false,
};

static struct kind_stats stats[KIND_COUNT];
static struct conn *conns;
static struct conn *free_list;
static unsigned open_count;
static unsigned connecting_count;
static unsigned peak_open;
static unsigned long started_total;
static unsigned long connected_total;
static unsigned long local_failures;     /* socket() or connect() refused locally */
static unsigned verbose_lines;
static int epoll_fd = -1;
static uint64_t prng_state;

static mbedtls_ssl_config tls_config;
static mbedtls_ssl_config record_config;   /* the floods: TLS 1.2, AES-128-GCM only */
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_x509_crt ca_chain;
static const char *alpn_list[] = { "http/1.1", NULL };

/* curl 7.88.1's ClientHello (tests/vectors/curl_openssl.hex): one record
 * of 517 bytes, offering TLS 1.3 and 1.2, SNI localhost. */
static const unsigned char client_hello[517] = {
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x7f, 0x07, 0x73, 0xde, 0x4b,
    0x95, 0xf7, 0x16, 0xc1, 0xa5, 0x92, 0xe7, 0x1d, 0x11, 0x58, 0xdb, 0xda, 0x3b, 0xa9, 0x2b, 0xc3,
    0xe5, 0x83, 0x0f, 0x3e, 0x60, 0x56, 0xfd, 0x9f, 0xca, 0x15, 0x54, 0x20, 0x45, 0xa0, 0x06, 0xc4,
    0x9c, 0x5a, 0xdb, 0xf6, 0x71, 0x9f, 0xbf, 0xf4, 0x33, 0x04, 0x10, 0x19, 0x4b, 0x5b, 0xe9, 0x8e,
    0xf1, 0x23, 0xca, 0x31, 0x3f, 0xdc, 0xda, 0xf4, 0x11, 0x27, 0x3a, 0xe9, 0x00, 0x3e, 0x13, 0x02,
    0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
    0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27,
    0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d,
    0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x01, 0x75,
    0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x68, 0x6f,
    0x73, 0x74, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16, 0x00, 0x14,
    0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01, 0x01, 0x02,
    0x01, 0x03, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74,
    0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x31,
    0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07,
    0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01,
    0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02,
    0x00, 0x2b, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d, 0x00,
    0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x51, 0xa2, 0xe2,
    0xe3, 0x29, 0x25, 0xe9, 0xde, 0xd6, 0x89, 0xad, 0x9b, 0xbb, 0x6c, 0x06, 0xa7, 0xe6, 0x54, 0x62,
    0x78, 0x55, 0x13, 0x8b, 0x35, 0x01, 0x4f, 0xd3, 0x7b, 0xd6, 0x15, 0xd1, 0x7e, 0x00, 0x15, 0x00,
    0xb4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00,};

/* SSLv2-compatible CLIENT-HELLO: 2-byte header with the high bit set
 * (length 46), msg_type 1, version 3.1, cipher specs 21 bytes, no session
 * id, a 16-byte challenge: 2 + 9 + 21 + 16 bytes. */
static const unsigned char sslv2_hello[48] = {
    0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
    0x01, 0x00, 0x80, 0x03, 0x00, 0x80, 0x07, 0x00, 0xc0, 0x06, 0x00, 0x40,
    0x04, 0x00, 0x80, 0x02, 0x00, 0x80, 0x00, 0x00, 0x35,
    0x9a, 0x1c, 0x32, 0x47, 0x5e, 0x60, 0x7b, 0x88, 0x91, 0xa3, 0xb6, 0xc4, 0xd2, 0xe0, 0xf1, 0x0f,
};

/* xorshift64*: a fixed seed gives the same mix, lengths and garbage */
static uint64_t prng_next(void)
{
    prng_state ^= prng_state >> 12;
    prng_state ^= prng_state << 25;
    prng_state ^= prng_state >> 27;
    return prng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t prng_below(uint64_t bound)
{
    return bound ? prng_next() % bound : 0;
}

/* Every kind with a weight once, in order, then by weight at random: a
 * short run (a slow or loaded machine makes few connections) still has
 * each kind, which a test may count on. */
static enum kind pick_kind(void)
{
    static int next_unseen;
    while (next_unseen < KIND_COUNT) {
        int k = next_unseen++;
        if (stats[k].weight > 0)
            return (enum kind)k;
    }
    unsigned total = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        total += stats[k].weight;
    uint64_t pick = prng_below(total);
    for (int k = 0; k < KIND_COUNT; k++) {
        if (pick < stats[k].weight)
            return (enum kind)k;
        pick -= stats[k].weight;
    }
    return KIND_NORMAL;
}

static void add_reason(struct kind_stats *kind, const char *reason)
{
    for (int i = 0; i < MAX_REASONS; i++) {
        if (kind->reasons[i].reason == NULL) {
            kind->reasons[i].reason = reason;
            kind->reasons[i].count = 1;
            return;
        }
        if (strcmp(kind->reasons[i].reason, reason) == 0) {
            kind->reasons[i].count++;
            return;
        }
    }
    kind->other_reasons++;
}

static void add_latency(struct kind_stats *kind, double ms)
{
    if (kind->latency_count == kind->latency_capacity) {
        size_t capacity = kind->latency_capacity ? kind->latency_capacity * 2 : 256;
        double *grown = realloc(kind->latencies, capacity * sizeof *grown);
        if (grown == NULL)
            return;
        kind->latencies = grown;
        kind->latency_capacity = capacity;
    }
    kind->latencies[kind->latency_count++] = ms;
}

static void want(struct conn *c, uint32_t events)
{
    if (events == 0) {
        if (c->registered)
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
        c->registered = false;
        c->interest = 0;
        return;
    }
    if (c->registered && c->interest == events)
        return;
    struct epoll_event event = { .events = events, .data.ptr = c };
    if (epoll_ctl(epoll_fd, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &event) != 0) {
        perror("hostile: epoll_ctl");
        exit(2);
    }
    c->registered = true;
    c->interest = events;
}

/* The end of one connection. `reset`: close with an RST (SO_LINGER 0). */
static void finish(struct conn *c, enum outcome outcome, const char *reason, bool reset)
{
    struct kind_stats *kind = &stats[c->kind];
    double now = now_seconds();
    switch (outcome) {
    case OUTCOME_EXPECTED:
        kind->expected++;
        if (c->kind == KIND_NORMAL || c->kind == KIND_RESET_RESPONSE || c->kind == KIND_NO_READ)
            add_latency(kind, (now - c->started) * 1000.0);
        break;
    case OUTCOME_UNEXPECTED:
        kind->unexpected++;
        add_reason(kind, reason);
        if (options.verbose && verbose_lines < MAX_VERBOSE_LINES) {
            /* the local port finds the connection in tlsd's log (peer=) */
            struct sockaddr_in local = { 0 };
            socklen_t local_length = sizeof local;
            getsockname(c->fd, (struct sockaddr *)&local, &local_length);
            verbose_lines++;
            fprintf(stderr, "hostile: unexpected: kind=%s reason=%s step=%s peer=127.0.0.1:%u after_ms=%.0f "
                    "errno=%s status=%d body=%llu\n",
                    kind_names[c->kind], reason, step_names[c->step], ntohs(local.sin_port),
                    (now - c->started) * 1000.0, c->socket_errno ? strerror(c->socket_errno) : "-", c->status,
                    (unsigned long long)c->body);
        }
        break;
    case OUTCOME_CUT:
        kind->cut++;
        break;
    }
    if (c->ssl) {
        if (!reset && outcome == OUTCOME_EXPECTED)
            (void)mbedtls_ssl_close_notify(c->ssl);  /* best effort, non-blocking */
        mbedtls_ssl_free(c->ssl);
        free(c->ssl);
        c->ssl = NULL;
    }
    if (c->flood) {
        records_keys_free(&c->flood->keys);
        free(c->flood);
        c->flood = NULL;
    }
    if (reset) {
        struct linger linger = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    }
    if (c->step == STEP_CONNECTING)
        connecting_count--;
    close(c->fd);  /* also leaves the epoll set */
    free(c->owned);
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->step = STEP_FREE;
    c->next_free = free_list;
    free_list = c;
    open_count--;
}

static void unexpected_errno(struct conn *c, const char *reason, int error)
{
    c->socket_errno = error;
    finish(c, OUTCOME_UNEXPECTED, reason, false);
}

/* ---- raw kinds */

static bool closed_by_peer_errno(int error)
{
    return error == ECONNRESET || error == EPIPE || error == ECONNABORTED;
}

/* Read and discard; true when tlsd has closed (end of stream or reset). */
static bool drained_to_close(struct conn *c)
{
    unsigned char discard[4096];
    for (int i = 0; i < 64; i++) {
        ssize_t got = recv(c->fd, discard, sizeof discard, 0);
        if (got > 0)
            continue;
        if (got == 0)
            return true;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return false;
        c->socket_errno = errno;
        return true;
    }
    return false;
}

static void after_sent(struct conn *c, double now)
{
    switch (c->kind) {
    case KIND_RESET_HANDSHAKE:
        c->step = STEP_AWAIT_FLIGHT;
        want(c, EPOLLIN);
        break;
    case KIND_SLOWLORIS:
        /* the record header is out: now one byte per tick */
        c->step = STEP_SLOW;
        c->out_length = sizeof client_hello;
        c->wake_at = now + options.slow_interval;
        want(c, EPOLLIN);
        break;
    case KIND_TRUNCATED:
        if (c->half_close)
            shutdown(c->fd, SHUT_WR);
        c->step = STEP_WAIT_CLOSE;
        want(c, EPOLLIN);
        break;
    default:
        c->step = STEP_WAIT_CLOSE;
        want(c, EPOLLIN);
        break;
    }
}

/* What a close by tlsd means for this kind while it is still sending. */
static void closed_while_sending(struct conn *c)
{
    if (c->kind == KIND_RESET_HANDSHAKE)
        finish(c, OUTCOME_UNEXPECTED, "closed_before_flight", false);
    else
        finish(c, OUTCOME_EXPECTED, NULL, false);
}

static void run_send(struct conn *c, double now)
{
    while (c->out_sent < c->out_length) {
        ssize_t sent = send(c->fd, c->out + c->out_sent, c->out_length - c->out_sent, MSG_NOSIGNAL);
        if (sent > 0) {
            c->out_sent += (size_t)sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            want(c, EPOLLOUT | EPOLLIN);
            return;
        }
        if (sent < 0 && closed_by_peer_errno(errno)) {
            c->socket_errno = errno;
            closed_while_sending(c);
            return;
        }
        unexpected_errno(c, "send_failed", errno);
        return;
    }
    after_sent(c, now);
}

static void run_slow_tick(struct conn *c, double now)
{
    if (c->out_sent < c->out_length) {
        ssize_t sent = send(c->fd, c->out + c->out_sent, 1, MSG_NOSIGNAL);
        if (sent == 1) {
            c->out_sent++;
        } else if (sent < 0 && closed_by_peer_errno(errno)) {
            c->socket_errno = errno;
            finish(c, OUTCOME_EXPECTED, NULL, false);
            return;
        } else if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            unexpected_errno(c, "send_failed", errno);
            return;
        }
    }
    c->wake_at = now + options.slow_interval;
}

static void build_raw(struct conn *c)
{
    switch (c->kind) {
    case KIND_SLOWLORIS:
        c->out = client_hello;
        c->out_length = sizeof client_hello;
        c->out_sent = 0;
        break;
    case KIND_GARBAGE: {
        size_t length = 64 + (size_t)prng_below(1985);
        c->owned = malloc(length);
        if (c->owned == NULL) {
            fprintf(stderr, "hostile: out of memory\n");
            exit(2);
        }
        for (size_t i = 0; i < length; i++)
            c->owned[i] = (unsigned char)prng_next();
        /* not a TLS content type (20..24), not plain HTTP ('A'..'Z'): tlsd
         * must refuse it at once, not wait for a record */
        unsigned char first = c->owned[0];
        while ((first >= 20 && first <= 24) || (first >= 'A' && first <= 'Z'))
            first = (unsigned char)prng_next();
        c->owned[0] = first;
        c->out = c->owned;
        c->out_length = length;
        break;
    }
    case KIND_TRUNCATED:
        c->out = client_hello;
        c->out_length = 1 + (size_t)prng_below(sizeof client_hello - 1);
        c->half_close = prng_below(2) == 0;
        break;
    case KIND_OVERSIZED: {
        size_t announced = prng_below(2) == 0 ? 18432 : 65535;
        size_t length = 5 + (announced < 20000 ? announced : 20000);
        c->owned = malloc(length);
        if (c->owned == NULL) {
            fprintf(stderr, "hostile: out of memory\n");
            exit(2);
        }
        c->owned[0] = 0x16;
        c->owned[1] = 0x03;
        c->owned[2] = 0x01;
        c->owned[3] = (unsigned char)(announced >> 8);
        c->owned[4] = (unsigned char)announced;
        for (size_t i = 5; i < length; i++)
            c->owned[i] = client_hello[5 + (i - 5) % (sizeof client_hello - 5)];
        c->out = c->owned;
        c->out_length = length;
        break;
    }
    case KIND_SSLV2:
        c->out = sslv2_hello;
        c->out_length = sizeof sslv2_hello;
        break;
    case KIND_RESET_HANDSHAKE:
    default:
        c->out = client_hello;
        c->out_length = sizeof client_hello;
        break;
    }
}

/* ---- TLS kinds */

static int bio_send(void *context, const unsigned char *buffer, size_t length)
{
    struct conn *c = context;
    ssize_t sent = send(c->fd, buffer, length, MSG_NOSIGNAL);
    if (sent >= 0)
        return (int)sent;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    c->socket_errno = errno;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_receive(void *context, unsigned char *buffer, size_t length)
{
    struct conn *c = context;
    ssize_t got = recv(c->fd, buffer, length, 0);
    if (got >= 0)
        return (int)got;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_READ;
    c->socket_errno = errno;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

/* Feed response bytes: the head (status, Content-Length), then the body. */
static bool take_response(struct conn *c, const unsigned char *bytes, size_t length)
{
    if (!c->head_done) {
        size_t room = sizeof c->head - 1 - c->head_length;
        size_t take = length < room ? length : room;
        memcpy(c->head + c->head_length, bytes, take);
        size_t before = c->head_length;
        c->head_length += take;
        c->head[c->head_length] = '\0';
        char *end = strstr(c->head, "\r\n\r\n");
        if (end == NULL)
            return c->head_length < sizeof c->head - 1;
        c->head_done = true;
        size_t head_bytes = (size_t)(end + 4 - c->head);
        c->body = (uint64_t)(before + length - head_bytes);
        if (sscanf(c->head, "HTTP/1.%*d %d", &c->status) != 1)
            c->status = -1;
        c->content_length = -1;
        for (char *line = strstr(c->head, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
            if (strncasecmp(line + 2, "Content-Length:", 15) == 0)
                c->content_length = atoll(line + 17);
        }
        return true;
    }
    c->body += length;
    return true;
}

static bool response_complete(const struct conn *c)
{
    return c->head_done && c->content_length >= 0 && c->body >= (uint64_t)c->content_length;
}

static bool tls_closed_code(int result)
{
    return result == 0 || result == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || result == MBEDTLS_ERR_SSL_CONN_EOF;
}

static void begin_tls(struct conn *c)
{
    c->ssl = malloc(sizeof *c->ssl);
    if (c->ssl == NULL) {
        fprintf(stderr, "hostile: out of memory\n");
        exit(2);
    }
    mbedtls_ssl_init(c->ssl);
    if (is_flood(c->kind)) {
        c->flood = calloc(1, sizeof *c->flood);
        if (c->flood == NULL) {
            fprintf(stderr, "hostile: out of memory\n");
            exit(2);
        }
        records_keys_init(&c->flood->keys);
        records_tally_init(&c->flood->tally);
    }
    mbedtls_ssl_config *config = is_flood(c->kind) ? &record_config : &tls_config;
    if (mbedtls_ssl_setup(c->ssl, config) != 0 || mbedtls_ssl_set_hostname(c->ssl, "localhost") != 0) {
        finish(c, OUTCOME_UNEXPECTED, "local_tls_setup", false);
        return;
    }
    mbedtls_ssl_set_bio(c->ssl, c, bio_send, bio_receive, NULL);
    const char *path = c->kind == KIND_NORMAL ? options.path : options.big_path;
    int length = snprintf(c->request, sizeof c->request,
                          "GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: tlsd-hostile\r\n"
                          "Connection: close\r\n\r\n", path);
    c->request_length = length > 0 && (size_t)length < sizeof c->request ? (size_t)length : 0;
    c->content_length = -1;
    c->reset_after = 1024 + prng_below(31 * 1024);  /* "a few KB" of the body */
    c->step = STEP_TLS_HANDSHAKE;
}

static void run_tls(struct conn *c, double now);

/* no_read after its hold: tlsd should have given up (send_timeout) and
 * closed with the response cut short. */
static void drain_result(struct conn *c, bool closed)
{
    if (!closed)
        return;
    if (!c->head_done)
        finish(c, OUTCOME_UNEXPECTED, "no_response", false);
    else if (c->status != 200)
        finish(c, OUTCOME_UNEXPECTED, "status_not_200", false);
    else if (response_complete(c))
        finish(c, OUTCOME_UNEXPECTED, "response_not_cut", false);
    else
        finish(c, OUTCOME_EXPECTED, NULL, false);
}

/* no_read, once the head is known: count the rest without decrypting it.
 * Ciphertext outweighs plaintext, so "less than Content-Length arrived
 * before the close" still proves the cut. */
static void run_raw_drain(struct conn *c)
{
    unsigned char discard[65536];
    for (int i = 0; i < 64; i++) {
        ssize_t got = recv(c->fd, discard, sizeof discard, 0);
        if (got > 0) {
            c->body += (uint64_t)got;
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            want(c, EPOLLIN);
            return;
        }
        if (got < 0)
            c->socket_errno = errno;
        if (got == 0 || closed_by_peer_errno(errno))
            drain_result(c, true);
        else
            finish(c, OUTCOME_UNEXPECTED, "drain_failed", false);
        return;
    }
    want(c, EPOLLIN);
}

static void run_tls_read(struct conn *c)
{
    unsigned char buffer[16384];
    for (int rounds = 0; rounds < 4096; rounds++) {
        int result = mbedtls_ssl_read(c->ssl, buffer, sizeof buffer);
        if (result > 0) {
            if (!take_response(c, buffer, (size_t)result)) {
                finish(c, OUTCOME_UNEXPECTED, "bad_response_head", false);
                return;
            }
            if (c->step == STEP_DRAIN) {
                if (response_complete(c)) {
                    drain_result(c, true);
                    return;
                }
                if (c->head_done) {
                    c->raw_drain = true;
                    run_raw_drain(c);
                    return;
                }
                continue;
            }
            if (c->head_done && c->status != 200) {
                finish(c, OUTCOME_UNEXPECTED, "status_not_200", false);
                return;
            }
            if (c->kind == KIND_NORMAL && response_complete(c)) {
                finish(c, OUTCOME_EXPECTED, NULL, false);
                return;
            }
            if (c->kind == KIND_RESET_RESPONSE && c->head_done && c->body >= c->reset_after) {
                finish(c, OUTCOME_EXPECTED, NULL, true);
                return;
            }
            if (c->kind == KIND_RESET_RESPONSE && response_complete(c)) {
                finish(c, OUTCOME_UNEXPECTED, "response_too_small_to_reset", false);
                return;
            }
            continue;
        }
        if (compat_ssl_read_should_retry(result))
            continue;
        if (result == MBEDTLS_ERR_SSL_WANT_READ) {
            want(c, EPOLLIN);
            return;
        }
        if (result == MBEDTLS_ERR_SSL_WANT_WRITE) {
            want(c, EPOLLOUT);
            return;
        }
        if (c->step == STEP_DRAIN) {
            /* end of stream, close_notify or a reset: tlsd closed */
            drain_result(c, tls_closed_code(result) ||
                                (result == MBEDTLS_ERR_NET_RECV_FAILED && closed_by_peer_errno(c->socket_errno)));
            if (c->step == STEP_DRAIN)
                finish(c, OUTCOME_UNEXPECTED, "tls_read_error", false);
            return;
        }
        if (tls_closed_code(result)) {
            finish(c, OUTCOME_UNEXPECTED, "short_response", false);
            return;
        }
        finish(c, OUTCOME_UNEXPECTED,
               result == MBEDTLS_ERR_NET_RECV_FAILED ? "reset_by_server" : "tls_read_error", false);
        return;
    }
    want(c, EPOLLIN);  /* bounded work per event; level-triggered, comes back */
}

static void begin_flood(struct conn *c);

static void run_tls(struct conn *c, double now)
{
    if (c->step == STEP_TLS_HANDSHAKE) {
        /* 2.28 exports keys per configuration: point it at this
         * connection's secrets before each of its steps */
        if (c->flood)
            records_capture(&record_config, c->ssl, &c->flood->secrets);
        int result = mbedtls_ssl_handshake(c->ssl);
        if (result == MBEDTLS_ERR_SSL_WANT_READ) {
            want(c, EPOLLIN);
            return;
        }
        if (result == MBEDTLS_ERR_SSL_WANT_WRITE) {
            want(c, EPOLLOUT);
            return;
        }
        if (result != 0) {
            if (options.verbose && verbose_lines < MAX_VERBOSE_LINES) {
                char text[160];
                mbedtls_strerror(result, text, sizeof text);
                fprintf(stderr, "hostile: %s handshake: %s\n", kind_names[c->kind], text);
            }
            finish(c, OUTCOME_UNEXPECTED, tls_closed_code(result) ? "closed_in_handshake" : "tls_handshake_failed",
                   false);
            return;
        }
        if (c->flood) {
            begin_flood(c);
            return;
        }
        c->step = STEP_TLS_WRITE;
    }
    if (c->step == STEP_TLS_WRITE) {
        while (c->request_sent < c->request_length) {
            int result = mbedtls_ssl_write(c->ssl, (const unsigned char *)c->request + c->request_sent,
                                           c->request_length - c->request_sent);
            if (result > 0) {
                c->request_sent += (size_t)result;
                continue;
            }
            if (result == MBEDTLS_ERR_SSL_WANT_READ || result == MBEDTLS_ERR_SSL_WANT_WRITE) {
                want(c, result == MBEDTLS_ERR_SSL_WANT_READ ? EPOLLIN : EPOLLOUT);
                return;
            }
            finish(c, OUTCOME_UNEXPECTED, "tls_write_failed", false);
            return;
        }
        if (c->kind == KIND_NO_READ) {
            c->step = STEP_HOLD;
            want(c, 0);
            c->queued = -1;
            c->queue_grew_at = now;
            c->wake_at = now + HOLD_LOOK_SECONDS;
            return;
        }
        c->step = STEP_TLS_READ;
    }
    if (c->step == STEP_TLS_READ || c->step == STEP_DRAIN)
        run_tls_read(c);
}

/* ---- floods */

static enum records_flood flood_record_kind(enum kind kind)
{
    switch (kind) {
    case KIND_RENEGOTIATION_FLOOD:
        return RECORDS_FLOOD_RENEGOTIATION;
    case KIND_ALERT_FLOOD:
        return RECORDS_FLOOD_WARNING_ALERT;
    case KIND_EMPTY_FLOOD:
        return RECORDS_FLOOD_EMPTY;
    case KIND_CCS_FLOOD:
    default:
        return RECORDS_FLOOD_CCS;
    }
}

static void run_flood(struct conn *c);

/* The handshake is over: keys from its secrets, and from here on the
 * Mbed TLS context is done with (its sequence numbers would be wrong). */
static void begin_flood(struct conn *c)
{
    struct flood *flood = c->flood;
    char error[160];
    int result = records_keys_after_handshake(&flood->keys, &flood->secrets, error, sizeof error);
    memset(&flood->secrets, 0, sizeof flood->secrets);
    mbedtls_ssl_free(c->ssl);
    free(c->ssl);
    c->ssl = NULL;
    if (result != 0) {
        if (options.verbose && verbose_lines < MAX_VERBOSE_LINES) {
            verbose_lines++;
            fprintf(stderr, "hostile: %s: %s\n", kind_names[c->kind], error);
        }
        finish(c, OUTCOME_UNEXPECTED, "record_keys", false);
        return;
    }
    flood->bytes_left = (uint64_t)options.flood_bytes;
    c->step = STEP_FLOOD;
    run_flood(c);
}

/* The next batch: flood records while the budget lasts, then the GET. */
static void fill_flood_batch(struct conn *c)
{
    struct flood *flood = c->flood;
    enum records_flood kind = flood_record_kind(c->kind);
    unsigned parameter = kind == RECORDS_FLOOD_RENEGOTIATION ? RECORDS_MAX_HELLOS : 90 /* user_canceled */;
    flood->batch_length = flood->batch_sent = 0;
    while (flood->bytes_left > 0) {
        size_t made = records_flood_record(&flood->keys, kind, parameter, flood->batch + flood->batch_length,
                                           sizeof flood->batch - flood->batch_length);
        if (made == 0)
            return;
        flood->batch_length += made;
        flood->bytes_left = made < flood->bytes_left ? flood->bytes_left - made : 0;
    }
    if (!flood->request_sealed) {
        char request[512];
        int length = snprintf(request, sizeof request,
                              "GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: tlsd-hostile\r\n\r\n", options.path);
        size_t made = records_seal(&flood->keys, RECORDS_APPLICATION_DATA, (const unsigned char *)request,
                                   (size_t)length, flood->batch + flood->batch_length,
                                   sizeof flood->batch - flood->batch_length);
        flood->batch_length += made;
        flood->request_sealed = made > 0;
    }
}

static void run_flood(struct conn *c)
{
    struct flood *flood = c->flood;
    for (int batches = 0; batches < FLOOD_BATCHES_PER_EVENT; batches++) {
        if (flood->batch_sent == flood->batch_length) {
            if (flood->request_sealed) {
                /* all out: what does tlsd answer? */
                c->step = STEP_FLOOD_READ;
                want(c, EPOLLIN);
                return;
            }
            fill_flood_batch(c);
            if (flood->batch_length == 0) {
                finish(c, OUTCOME_UNEXPECTED, "record_seal_failed", false);
                return;
            }
        }
        while (flood->batch_sent < flood->batch_length) {
            ssize_t sent = send(c->fd, flood->batch + flood->batch_sent, flood->batch_length - flood->batch_sent,
                                MSG_NOSIGNAL);
            if (sent > 0) {
                flood->batch_sent += (size_t)sent;
                continue;
            }
            if (sent < 0 && errno == EINTR)
                continue;
            if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                /* not reading: only tlsd's close (FIN or reset) matters */
                want(c, EPOLLOUT | EPOLLRDHUP);
                return;
            }
            if (sent < 0 && closed_by_peer_errno(errno)) {
                c->socket_errno = errno;
                finish(c, OUTCOME_EXPECTED, NULL, false);   /* tlsd closed mid-flood */
                return;
            }
            unexpected_errno(c, "send_failed", errno);
            return;
        }
    }
    want(c, EPOLLOUT | EPOLLRDHUP);  /* bounded work per event; comes back */
}

/* After the flood and the GET: tlsd's records, opened here. A close is the
 * expected end; an answer to the GET means the flood was absorbed. */
static void run_flood_read(struct conn *c)
{
    struct flood *flood = c->flood;
    for (int rounds = 0; rounds < 64; rounds++) {
        size_t room = 0;
        unsigned char *space = records_reader_space(&flood->reader, &room);
        ssize_t got = recv(c->fd, space, room, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (got < 0 && !closed_by_peer_errno(errno)) {
            unexpected_errno(c, "recv_failed", errno);
            return;
        }
        if (got <= 0) {
            c->socket_errno = got < 0 ? errno : 0;
            finish(c, OUTCOME_EXPECTED, NULL, false);
            return;
        }
        records_reader_filled(&flood->reader, (size_t)got);
        const unsigned char *record;
        size_t length;
        int next;
        while ((next = records_reader_next(&flood->reader, &record, &length)) > 0) {
            if (records_take(&flood->keys, &flood->tally, record, length) < 0) {
                finish(c, OUTCOME_UNEXPECTED, "record_undecryptable", false);
                return;
            }
            if (records_tally_http_status(&flood->tally) != 0) {
                c->status = records_tally_http_status(&flood->tally);
                finish(c, OUTCOME_UNEXPECTED, "flood_absorbed", false);
                return;
            }
        }
        if (next < 0) {
            finish(c, OUTCOME_UNEXPECTED, "record_undecryptable", false);
            return;
        }
    }
}

/* ---- one connection */

static void begin_kind(struct conn *c, double now)
{
    stats[c->kind].connected++;
    connected_total++;
    switch (c->kind) {
    case KIND_NORMAL:
    case KIND_RESET_RESPONSE:
    case KIND_NO_READ:
    case KIND_RENEGOTIATION_FLOOD:
    case KIND_ALERT_FLOOD:
    case KIND_EMPTY_FLOOD:
    case KIND_CCS_FLOOD:
        begin_tls(c);
        if (c->step == STEP_TLS_HANDSHAKE)
            run_tls(c, now);
        return;
    case KIND_SLOWLORIS:
        build_raw(c);
        /* the record header at once: tlsd is now inside a handshake */
        c->out_length = 5;
        c->step = STEP_SEND;
        run_send(c, now);
        return;
    default:
        build_raw(c);
        c->step = STEP_SEND;
        run_send(c, now);
        return;
    }
}

static void on_event(struct conn *c, uint32_t events, double now)
{
    switch (c->step) {
    case STEP_CONNECTING: {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
        connecting_count--;
        if (error != 0) {
            c->step = STEP_SEND;  /* no longer counted as connecting */
            unexpected_errno(c, "connect_failed", error);
            return;
        }
        begin_kind(c, now);
        return;
    }
    case STEP_SEND:
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            run_send(c, now);
        else if ((events & EPOLLIN) && drained_to_close(c))
            closed_while_sending(c);
        return;
    case STEP_SLOW:
    case STEP_WAIT_CLOSE:
        if (drained_to_close(c))
            finish(c, OUTCOME_EXPECTED, NULL, false);
        return;
    case STEP_AWAIT_FLIGHT: {
        unsigned char peek;
        ssize_t got = recv(c->fd, &peek, 1, MSG_PEEK);
        if (got == 1)
            finish(c, OUTCOME_EXPECTED, NULL, true);   /* tlsd's flight is waiting, unread: reset */
        else if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            unexpected_errno(c, "closed_before_flight", got < 0 ? errno : 0);
        return;
    }
    case STEP_DRAIN:
        if (c->raw_drain)
            run_raw_drain(c);
        else
            run_tls(c, now);
        return;
    case STEP_TLS_HANDSHAKE:
    case STEP_TLS_WRITE:
    case STEP_TLS_READ:
        run_tls(c, now);
        return;
    case STEP_FLOOD:
        if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            finish(c, OUTCOME_EXPECTED, NULL, false);   /* tlsd closed mid-flood */
        else
            run_flood(c);
        return;
    case STEP_FLOOD_READ:
        run_flood_read(c);
        return;
    case STEP_HOLD:
    case STEP_FREE:
    default:
        return;
    }
}

static void on_timer(struct conn *c, double now)
{
    c->wake_at = 0;
    if (c->step == STEP_SLOW) {
        run_slow_tick(c, now);
    } else if (c->step == STEP_HOLD) {
        /* tlsd's idle timer runs from its last progress, which is when
         * our receive queue last grew; hold until it has been still long
         * enough that tlsd must have given up, then drain */
        int queued = 0;
        if (ioctl(c->fd, FIONREAD, &queued) != 0)
            queued = c->queued;
        if (queued != c->queued) {
            c->queued = queued;
            c->queue_grew_at = now;
        }
        if (now - c->queue_grew_at < options.hold) {
            c->wake_at = now + HOLD_LOOK_SECONDS;
            return;
        }
        c->step = STEP_DRAIN;
        run_tls(c, now);
    }
}

static double kind_deadline(enum kind kind)
{
    double bound = options.server_timeout + DEADLINE_SLACK;
    return kind == KIND_NO_READ ? bound + options.hold + options.server_timeout : bound;
}

static bool start_one(double now)
{
    struct conn *c = free_list;
    if (c == NULL)
        return false;
    enum kind kind = pick_kind();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        local_failures++;
        if (options.verbose && verbose_lines < MAX_VERBOSE_LINES) {
            verbose_lines++;
            fprintf(stderr, "hostile: socket: %s\n", strerror(errno));
        }
        return false;
    }
    free_list = c->next_free;
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->kind = kind;
    c->started = now;
    c->deadline = now + kind_deadline(kind);
    c->content_length = -1;
    open_count++;
    if (open_count > peak_open)
        peak_open = open_count;
    started_total++;
    stats[kind].started++;
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (kind == KIND_NO_READ || kind == KIND_RESET_RESPONSE) {
        /* a small window: tlsd's writes stall after a few KB instead of
         * handing the whole file to the kernel, so the reset or the
         * stall lands in the middle of the response */
        int size = 16384;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)options.port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->step = STEP_CONNECTING;
    connecting_count++;
    if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0) {
        connecting_count--;
        begin_kind(c, now);
    } else if (errno == EINPROGRESS) {
        want(c, EPOLLOUT);
    } else {
        int error = errno;
        connecting_count--;
        c->step = STEP_SEND;
        unexpected_errno(c, "connect_failed", error);
        return true;
    }
    return true;
}

static const char *const timeout_reasons[] = {
    "timeout", "timeout_connecting", "timeout_sending", "timeout_slowloris_not_closed",
    "timeout_no_flight", "timeout_not_closed", "timeout_in_handshake", "timeout_writing_request",
    "timeout_reading_response", "timeout_holding", "timeout_draining", "timeout_flooding",
    "timeout_flood_not_closed",
};
_Static_assert(sizeof timeout_reasons / sizeof *timeout_reasons == STEP_FLOOD_READ + 1, "one reason per step");
_Static_assert(sizeof step_names / sizeof *step_names == STEP_FLOOD_READ + 1, "one name per step");

/* ---- setup, options, summary */

static void conf_random_and_trust(mbedtls_ssl_config *config)
{
    mbedtls_ssl_conf_rng(config, mbedtls_ctr_drbg_random, &drbg);
    if (options.cafile) {
        mbedtls_ssl_conf_ca_chain(config, &ca_chain, NULL);
        mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else {
        mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_NONE);
    }
}

static int setup_tls(void)
{
    mbedtls_ssl_config_init(&tls_config);
    mbedtls_ssl_config_init(&record_config);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&ca_chain);
    int result = compat_crypto_init();
    if (result == 0)
        result = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)"hostile", 7);
    if (result == 0)
        result = mbedtls_ssl_config_defaults(&tls_config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                             MBEDTLS_SSL_PRESET_DEFAULT);
    if (result == 0 && options.cafile) {
        result = mbedtls_x509_crt_parse_file(&ca_chain, options.cafile);
        if (result > 0)
            result = MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT;
    }
    if (result == 0)
        result = mbedtls_ssl_conf_alpn_protocols(&tls_config, alpn_list);
    if (result == 0)
        result = mbedtls_ssl_config_defaults(&record_config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                             MBEDTLS_SSL_PRESET_DEFAULT);
    if (result == 0)
        result = mbedtls_ssl_conf_alpn_protocols(&record_config, alpn_list);
    if (result == 0 && records_conf_client(&record_config, 12) != 0) {
        fprintf(stderr, "hostile: TLS setup: no TLS 1.2 with AES-128-GCM for the flood kinds\n");
        return -1;
    }
    if (result != 0) {
        char text[160];
        mbedtls_strerror(result, text, sizeof text);
        fprintf(stderr, "hostile: TLS setup: %s\n", text);
        return -1;
    }
    conf_random_and_trust(&tls_config);
    conf_random_and_trust(&record_config);
    return 0;
}

static void free_tls(void)
{
    mbedtls_ssl_config_free(&tls_config);
    mbedtls_ssl_config_free(&record_config);
    mbedtls_x509_crt_free(&ca_chain);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    compat_crypto_free();
}

static int parse_mix(const char *text)
{
    for (int k = 0; k < KIND_COUNT; k++)
        stats[k].weight = 0;
    const char *p = text;
    while (*p) {
        size_t length = strcspn(p, ",");
        const char *equals = memchr(p, '=', length);
        size_t name_length = equals ? (size_t)(equals - p) : length;
        int found = -1;
        for (int k = 0; k < KIND_COUNT; k++)
            if (strlen(kind_names[k]) == name_length && strncmp(p, kind_names[k], name_length) == 0)
                found = k;
        if (found < 0) {
            fprintf(stderr, "hostile: --mix: unknown kind '%.*s'\n", (int)name_length, p);
            return -1;
        }
        long weight = 1;
        if (equals) {
            char *end = NULL;
            weight = strtol(equals + 1, &end, 10);
            if (end != p + length || weight < 0 || weight > 1000) {
                fprintf(stderr, "hostile: --mix: weight of %s must be 0 to 1000\n", kind_names[found]);
                return -1;
            }
        }
        stats[found].weight = (unsigned)weight;
        p += length;
        if (*p == ',')
            p++;
    }
    unsigned total = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        total += stats[k].weight;
    if (total == 0) {
        fprintf(stderr, "hostile: --mix: every weight is 0\n");
        return -1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hostile --port PORT [options]   (connects to 127.0.0.1 only)\n"
            "  --connections N     at most N connections open at once (default 200)\n"
            "  --seconds T         start connections for T seconds, then at most %.0f s more (default 10)\n"
            "  --rate R            at most R new connections per second (default 1000)\n"
            "  --total M           at most M connections in all (default 100000)\n"
            "  --seed S            PRNG seed: the mix, lengths and garbage (default 1)\n"
            "  --mix K=W,...       kinds and weights (default: every kind, weight 1);\n"
            "                      kinds: normal slowloris garbage truncated oversized sslv2\n"
            "                      reset_handshake reset_response no_read, and the floods\n"
            "                      renegotiation_flood alert_flood empty_flood ccs_flood\n"
            "  --path P            what normal connections GET (default /)\n"
            "  --big-path P        what reset_response and no_read GET: must be far larger than\n"
            "                      what the kernel buffers (tcp_wmem's maximum, 4 MB by default,\n"
            "                      on tlsd's side): 16 MB (default /big.bin)\n"
            "  --cafile FILE       verify tlsd's chain (for host localhost); default: no check\n"
            "  --server-timeout S  tlsd's handshake_timeout / idle_timeout, the longer (default 10)\n"
            "  --hold S            no_read drains once nothing has arrived for S seconds: more than\n"
            "                      tlsd's idle_timeout and its loop's delay (default server-timeout + 5)\n"
            "  --slow-interval S   slowloris sends one byte every S seconds (default 1)\n"
            "  --flood-bytes B     what a flood sends before its GET (default 1048576: 64 records of\n"
            "                      ClientHellos, or some 34000 small records)\n"
            "  --progress          a line per second on standard error\n"
            "  --verbose           the first %d unexpected outcomes on standard error\n",
            GRACE_SECONDS, MAX_VERBOSE_LINES);
}

static int parse_options(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "port", required_argument, NULL, 'p' },
        { "connections", required_argument, NULL, 'n' },
        { "seconds", required_argument, NULL, 't' },
        { "rate", required_argument, NULL, 'r' },
        { "total", required_argument, NULL, 'T' },
        { "seed", required_argument, NULL, 's' },
        { "mix", required_argument, NULL, 'm' },
        { "path", required_argument, NULL, 'P' },
        { "big-path", required_argument, NULL, 'B' },
        { "cafile", required_argument, NULL, 'c' },
        { "server-timeout", required_argument, NULL, 'S' },
        { "hold", required_argument, NULL, 'H' },
        { "slow-interval", required_argument, NULL, 'i' },
        { "flood-bytes", required_argument, NULL, 'F' },
        { "progress", no_argument, NULL, 'g' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    /* every kind, the floods included: tlsd closes each flood early */
    for (int k = 0; k < KIND_COUNT; k++)
        stats[k].weight = 1;
    int option;
    double value;
    while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        bool ok = true;
        switch (option) {
        case 'p':
            ok = parse_number(optarg, 1, 65535, &value);
            options.port = (int)value;
            break;
        case 'n':
            ok = parse_number(optarg, 1, 100000, &value);
            options.connections = (unsigned)value;
            break;
        case 't':
            ok = parse_number(optarg, 0.1, 3600, &options.seconds);
            break;
        case 'r':
            ok = parse_number(optarg, 1, 1e6, &options.rate);
            break;
        case 'T':
            ok = parse_number(optarg, 1, 1e8, &value);
            options.total = (unsigned long)value;
            break;
        case 's':
            ok = parse_number(optarg, 0, 1e15, &value);
            options.seed = (uint64_t)value;
            break;
        case 'm':
            if (parse_mix(optarg) != 0)
                return -1;
            break;
        case 'P':
            options.path = optarg;
            ok = optarg[0] == '/' && strlen(optarg) < 256;
            break;
        case 'B':
            options.big_path = optarg;
            ok = optarg[0] == '/' && strlen(optarg) < 256;
            break;
        case 'c':
            options.cafile = optarg;
            break;
        case 'S':
            ok = parse_number(optarg, 0.1, 3600, &options.server_timeout);
            break;
        case 'H':
            ok = parse_number(optarg, 0, 3600, &options.hold);
            break;
        case 'i':
            ok = parse_number(optarg, 0.01, 60, &options.slow_interval);
            break;
        case 'F':
            ok = parse_number(optarg, 1, 1e9, &options.flood_bytes);
            break;
        case 'g':
            options.progress = true;
            break;
        case 'v':
            options.verbose = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
        if (!ok) {
            const char *name = "?";
            for (const struct option *known = long_options; known->name; known++)
                if (known->val == option)
                    name = known->name;
            fprintf(stderr, "hostile: bad value for --%s: %s\n", name, optarg);
            return -1;
        }
    }
    if (optind != argc || options.port == 0) {
        usage(stderr);
        return -1;
    }
    if (options.hold < 0)
        options.hold = options.server_timeout + 5;
    /* the PRNG must not start at 0 */
    prng_state = options.seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    if (prng_state == 0)
        prng_state = 1;
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, size_t count, double fraction)
{
    size_t index = (size_t)(fraction * (double)(count - 1) + 0.5);
    return sorted[index < count ? index : count - 1];
}

static void print_summary(double elapsed)
{
    unsigned long expected = 0, unexpected = 0, cut = 0;
    for (int k = 0; k < KIND_COUNT; k++) {
        struct kind_stats *kind = &stats[k];
        expected += kind->expected;
        unexpected += kind->unexpected;
        cut += kind->cut;
        if (kind->weight == 0 && kind->started == 0)
            continue;
        printf("kind=%s weight=%u started=%lu connected=%lu expected=%lu unexpected=%lu cut=%lu",
               kind_names[k], kind->weight, kind->started, kind->connected, kind->expected, kind->unexpected,
               kind->cut);
        if (kind->latency_count > 0) {
            qsort(kind->latencies, kind->latency_count, sizeof *kind->latencies, compare_doubles);
            printf(" p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f",
                   percentile(kind->latencies, kind->latency_count, 0.50),
                   percentile(kind->latencies, kind->latency_count, 0.90),
                   percentile(kind->latencies, kind->latency_count, 0.99),
                   kind->latencies[kind->latency_count - 1]);
        }
        printf(" reasons=");
        bool any = false;
        for (int i = 0; i < MAX_REASONS && kind->reasons[i].reason; i++) {
            printf("%s%s:%lu", any ? "," : "", kind->reasons[i].reason, kind->reasons[i].count);
            any = true;
        }
        if (kind->other_reasons)
            printf("%sother:%lu", any ? "," : "", kind->other_reasons);
        else if (!any)
            printf("none");
        printf("\n");
    }
    printf("total started=%lu connected=%lu expected=%lu unexpected=%lu cut=%lu peak_open=%u "
           "local_failures=%lu elapsed_s=%.1f\n",
           started_total, connected_total, expected, unexpected, cut, peak_open, local_failures, elapsed);
    fflush(stdout);
}

static int raise_descriptor_limit(unsigned needed)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur >= needed)
        return 0;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= needed ? needed : limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < needed) {
        fprintf(stderr, "hostile: %u connections need %u descriptors; the hard limit is %llu "
                "(raise it: ulimit -Hn, or LimitNOFILE / limits.conf)\n",
                needed - 32, needed, (unsigned long long)limit.rlim_max);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (parse_options(argc, argv) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    if (raise_descriptor_limit(options.connections + 32) != 0)
        return 2;
    if (setup_tls() != 0) {
        free_tls();
        return 2;
    }
    conns = calloc(options.connections, sizeof *conns);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (conns == NULL || epoll_fd < 0) {
        fprintf(stderr, "hostile: setup: %s\n", strerror(errno));
        return 2;
    }
    for (unsigned i = options.connections; i-- > 0;) {
        conns[i].fd = -1;
        conns[i].next_free = free_list;
        free_list = &conns[i];
    }
    printf("hostile: 127.0.0.1:%d connections=%u seconds=%.1f rate=%.0f seed=%llu server_timeout=%.1f "
           "hold=%.1f tls=%s verify=%s\n",
           options.port, options.connections, options.seconds, options.rate, (unsigned long long)options.seed,
           options.server_timeout, options.hold, compat_library_version(), options.cafile ? "yes" : "no");
    fflush(stdout);

    double begin = now_seconds();
    double launch_end = begin + options.seconds;
    double hard_stop = launch_end + GRACE_SECONDS;
    double burst = options.rate / 20.0 > 1.0 ? options.rate / 20.0 : 1.0;
    double tokens = 1.0, last = begin, next_scan = begin, next_progress = begin + 1.0;
    struct epoll_event events[512];
    for (;;) {
        double now = now_seconds();
        if (now >= hard_stop)
            break;
        bool launching = now < launch_end && started_total < options.total;
        if (!launching && open_count == 0)
            break;
        if (launching) {
            tokens += (now - last) * options.rate;
            if (tokens > burst)
                tokens = burst;
            while (tokens >= 1.0 && open_count < options.connections && connecting_count < MAX_CONNECTING &&
                   started_total < options.total) {
                if (!start_one(now))
                    break;
                tokens -= 1.0;
            }
        }
        last = now;
        int ready = epoll_wait(epoll_fd, events, (int)(sizeof events / sizeof *events), launching ? 5 : 20);
        if (ready < 0 && errno != EINTR) {
            perror("hostile: epoll_wait");
            return 2;
        }
        now = now_seconds();
        for (int i = 0; i < ready; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->step != STEP_FREE)
                on_event(c, events[i].events, now);
        }
        if (now >= next_scan) {
            next_scan = now + 0.005;
            for (unsigned i = 0; i < options.connections; i++) {
                struct conn *c = &conns[i];
                if (c->step == STEP_FREE)
                    continue;
                if (c->wake_at > 0 && c->wake_at <= now)
                    on_timer(c, now);
                if (c->step != STEP_FREE && now >= c->deadline)
                    finish(c, OUTCOME_UNEXPECTED, timeout_reasons[c->step], false);
            }
        }
        if (options.progress && now >= next_progress) {
            next_progress += 1.0;
            unsigned long expected = 0, unexpected = 0;
            for (int k = 0; k < KIND_COUNT; k++) {
                expected += stats[k].expected;
                unexpected += stats[k].unexpected;
            }
            fprintf(stderr, "hostile: t=%.0f open=%u started=%lu expected=%lu unexpected=%lu\n", now - begin,
                    open_count, started_total, expected, unexpected);
        }
    }
    for (unsigned i = 0; i < options.connections; i++)
        if (conns[i].step != STEP_FREE)
            finish(&conns[i], OUTCOME_CUT, NULL, false);
    print_summary(now_seconds() - begin);

    unsigned long unexpected = 0;
    for (int k = 0; k < KIND_COUNT; k++) {
        unexpected += stats[k].unexpected;
        free(stats[k].latencies);
    }
    close(epoll_fd);
    free(conns);
    free_tls();
    if (started_total == 0 || connected_total == 0) {
        fprintf(stderr, "hostile: %s\n", started_total == 0 ? "no connection could be started"
                                                             : "no connection could be made");
        return 2;
    }
    return unexpected ? 1 : 0;
}

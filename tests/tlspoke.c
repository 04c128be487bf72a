/* SPDX-License-Identifier: Apache-2.0 */
/* tlspoke.c: one TLS connection to tlsd on 127.0.0.1, a real handshake
 * with Mbed TLS's client, then records made by hand (tests/records.c):
 *
 *   request                a GET / as one application-data record; the
 *                          response must decrypt and say HTTP/1.1 200 (the
 *                          control: it proves the key derivation)
 *   bad_mac                the same record with one ciphertext byte flipped,
 *                          then what the server sends (a fatal
 *                          bad_record_mac alert is right; a bare close is not)
 *   renegotiation          handshake records, each of --per-record
 *                          ClientHellos 01 00 00 00
 *   warning_alert          alert records, level warning, --alert description
 *   empty_record           application-data records with no plaintext
 *   zero_length_handshake  handshake records with no plaintext
 *   ccs                    ChangeCipherSpec records (01), sealed with the
 *                          write keys, or in the clear with --plaintext
 *
 * The floods send --records records as fast as the socket takes them,
 * reading what the server sends meanwhile unless --no-read; then they read
 * for at most --linger seconds more, or until the server closes. The whole
 * run takes at most --seconds. --watch-pid follows a process's VmRSS (the
 * tlsd under test) and --max-rss-mb stops sending once it is exceeded.
 *
 * One line on standard output:
 *   attack=NAME tls=1.2 records_sent=N bytes_sent=B server_closed=yes|no
 *   close=fin|reset|none alert=fatal:NAME|warning:NAME|none
 *   alerts_received=K warnings_received=W fatals_received=F
 *   records_received=R undecryptable=U app_bytes=A http_status=S
 *   stopped=done|closed|seconds|rss send_seconds=T1 seconds=T
 *   [rss_start_kb=X rss_peak_kb=Y rss_end_kb=Z]
 * send_seconds: from the start (connect) until sending stopped; seconds:
 * the whole run, the reading afterwards included. rss_end_kb is taken
 * after that reading, which drains what the server had queued.
 * alert= names the first fatal alert if any, else the first warning.
 * close=reset also covers a send() that failed with EPIPE or ECONNRESET.
 *
 * Exit status: 0 when it ran; 1 when it ran but its own record layer
 * failed (a server record did not open, or `request` got no decrypted HTTP
 * response): the derived keys are wrong; 2 on setup errors (bad options,
 * connection refused, TLS handshake failure). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

#define PROGRAM "tlspoke"
#define BATCH_SIZE 65536
#define RSS_LOOK_SECONDS 0.1

enum attack {
    ATTACK_REQUEST,
    ATTACK_BAD_MAC,
    ATTACK_RENEGOTIATION,
    ATTACK_WARNING_ALERT,
    ATTACK_EMPTY_RECORD,
    ATTACK_ZERO_LENGTH_HANDSHAKE,
    ATTACK_CCS,
    ATTACK_COUNT
};

static const char *const attack_names[ATTACK_COUNT] = {
    "request", "bad_mac", "renegotiation", "warning_alert", "empty_record", "zero_length_handshake", "ccs",
};

struct options {
    int port;
    int attack;                   /* -1 until given */
    const char *cafile;
    const char *path;
    unsigned long records;
    unsigned per_record;
    unsigned alert;
    bool plaintext;
    bool no_read;
    double seconds;
    double linger;
    int tls_version;
    long watch_pid;
    double max_rss_mb;
};

static struct options options = {
    .attack = -1,
    .path = "/",
    .records = 20000,
    .per_record = RECORDS_MAX_HELLOS,
    .alert = 90,                  /* user_canceled */
    .seconds = 15,
    .linger = 2,
    .tls_version = 12,
    .watch_pid = 0,
    .max_rss_mb = 0,
};

enum close_kind { CLOSE_NONE, CLOSE_FIN, CLOSE_RESET };
enum stop_reason { STOP_DONE, STOP_CLOSED, STOP_SECONDS, STOP_RSS };
static const char *const stop_names[] = { "done", "closed", "seconds", "rss" };

struct run {
    int fd;
    double begin;
    double deadline;
    struct records_keys keys;
    struct records_reader reader;
    struct records_tally tally;
    unsigned long records_sent;
    uint64_t bytes_sent;
    enum close_kind close;
    enum stop_reason stopped;
    bool reader_broken;           /* a record header announced too much */
    long rss_start_kb, rss_peak_kb, rss_end_kb;
    double next_rss_look;
    double sent_at;               /* when sending stopped */
};

static int poll_timeout_ms(double until)
{
    double left = until - now_seconds();
    if (left <= 0)
        return 0;
    return left > 1.0 ? 1000 : (int)(left * 1000.0) + 1;
}

static long rss_kb(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, file))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(file);
    return kb;
}

/* true when the watched process is over --max-rss-mb */
static bool look_at_rss(struct run *run, double now)
{
    if (options.watch_pid == 0 || now < run->next_rss_look)
        return false;
    run->next_rss_look = now + RSS_LOOK_SECONDS;
    long kb = rss_kb(options.watch_pid);
    if (kb < 0)
        return false;
    if (run->rss_start_kb < 0)
        run->rss_start_kb = kb;
    if (kb > run->rss_peak_kb)
        run->rss_peak_kb = kb;
    return options.max_rss_mb > 0 && (double)kb > options.max_rss_mb * 1024.0;
}

/* ---- the handshake, through Mbed TLS */

static int bio_send(void *context, const unsigned char *buffer, size_t length)
{
    int fd = *(int *)context;
    ssize_t sent = send(fd, buffer, length, MSG_NOSIGNAL);
    if (sent >= 0)
        return (int)sent;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_receive(void *context, unsigned char *buffer, size_t length)
{
    int fd = *(int *)context;
    ssize_t got = recv(fd, buffer, length, 0);
    if (got >= 0)
        return (int)got;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_READ;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

static int connect_loopback(double deadline)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, PROGRAM ": socket: %s\n", strerror(errno));
        return -1;
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)options.port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0 && errno != EINPROGRESS) {
        fprintf(stderr, PROGRAM ": connect to 127.0.0.1:%d: %s\n", options.port, strerror(errno));
        close(fd);
        return -1;
    }
    struct pollfd waiting = { .fd = fd, .events = POLLOUT };
    while (poll(&waiting, 1, poll_timeout_ms(deadline)) == 0 && now_seconds() < deadline)
        ;
    int error = 0;
    socklen_t length = sizeof error;
    if (!(waiting.revents & (POLLOUT | POLLERR | POLLHUP))) {
        error = ETIMEDOUT;
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
    }
    if (error != 0) {
        fprintf(stderr, PROGRAM ": connect to 127.0.0.1:%d: %s\n", options.port, strerror(error));
        close(fd);
        return -1;
    }
    return fd;
}

static void tls_error(const char *what, int result)
{
    char text[160];
    mbedtls_strerror(result, text, sizeof text);
    fprintf(stderr, PROGRAM ": %s: %s (-0x%04x)\n", what, text, (unsigned)-result);
}

/* Handshake on `run->fd`, then the keys into run->keys. 0 or -1. */
static int handshake(struct run *run)
{
    static const char *alpn[] = { "http/1.1", NULL };
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_ssl_config config;
    mbedtls_ssl_context ssl;
    struct records_secrets secrets;
    memset(&secrets, 0, sizeof secrets);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&ca);
    mbedtls_ssl_config_init(&config);
    mbedtls_ssl_init(&ssl);
    int status = -1;
    int result = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)PROGRAM,
                                       strlen(PROGRAM));
    if (result == 0)
        result = mbedtls_ssl_config_defaults(&config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                             MBEDTLS_SSL_PRESET_DEFAULT);
    if (result == 0 && options.cafile) {
        result = mbedtls_x509_crt_parse_file(&ca, options.cafile);
        if (result > 0)
            result = MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT;
    }
    if (result == 0)
        result = mbedtls_ssl_conf_alpn_protocols(&config, alpn);
    if (result != 0) {
        tls_error("TLS setup", result);
        goto done;
    }
    if (records_conf_client(&config, options.tls_version) != 0) {
        fprintf(stderr, PROGRAM ": this Mbed TLS (%s) cannot offer TLS 1.%d\n", compat_library_version(),
                options.tls_version - 10);
        goto done;
    }
    mbedtls_ssl_conf_rng(&config, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_ca_chain(&config, &ca, NULL);
    mbedtls_ssl_conf_authmode(&config, options.cafile ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
    result = mbedtls_ssl_setup(&ssl, &config);
    if (result == 0)
        result = mbedtls_ssl_set_hostname(&ssl, "localhost");
    if (result != 0) {
        tls_error("TLS setup", result);
        goto done;
    }
    mbedtls_ssl_set_bio(&ssl, &run->fd, bio_send, bio_receive, NULL);
    for (;;) {
        records_capture(&config, &ssl, &secrets);
        result = mbedtls_ssl_handshake(&ssl);
        if (result == 0)
            break;
        if (result != MBEDTLS_ERR_SSL_WANT_READ && result != MBEDTLS_ERR_SSL_WANT_WRITE) {
            tls_error("TLS handshake", result);
            goto done;
        }
        struct pollfd waiting = { .fd = run->fd, .events = result == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT };
        if (now_seconds() >= run->deadline) {
            fprintf(stderr, PROGRAM ": TLS handshake: no answer within --seconds\n");
            goto done;
        }
        (void)poll(&waiting, 1, poll_timeout_ms(run->deadline));
    }
    const char *suite = mbedtls_ssl_get_ciphersuite(&ssl);
    if (suite == NULL || strstr(suite, "AES-128-GCM-SHA256") == NULL) {
        fprintf(stderr, PROGRAM ": unexpected suite %s\n", suite ? suite : "(none)");
        goto done;
    }
    char error[160];
    if (records_keys_after_handshake(&run->keys, &secrets, error, sizeof error) != 0) {
        fprintf(stderr, PROGRAM ": %s\n", error);
        goto done;
    }
    status = 0;
done:
    /* From here on the context is not used for I/O: everything on the
     * socket is sealed and opened by records.c. */
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&config);
    mbedtls_x509_crt_free(&ca);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    memset(&secrets, 0, sizeof secrets);
    return status;
}

/* ---- after the handshake: our records out, the server's in */

/* Read and open what has arrived. Returns false once the server has
 * closed (end of stream or reset). */
static bool read_available(struct run *run)
{
    for (int rounds = 0; rounds < 256; rounds++) {
        size_t room = 0;
        unsigned char *space = records_reader_space(&run->reader, &room);
        ssize_t got = recv(run->fd, space, room, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (got <= 0) {
            if (run->close == CLOSE_NONE)
                run->close = got == 0 ? CLOSE_FIN : CLOSE_RESET;
            return false;
        }
        records_reader_filled(&run->reader, (size_t)got);
        const unsigned char *record;
        size_t length;
        int next;
        while ((next = records_reader_next(&run->reader, &record, &length)) > 0)
            (void)records_take(&run->keys, &run->tally, record, length);
        if (next < 0) {
            run->reader_broken = true;
            return false;
        }
    }
    return true;
}

/* The response's head has arrived and its whole body too. */
static bool response_complete(const struct records_tally *tally)
{
    const char *end = strstr(tally->app_head, "\r\n\r\n");
    if (end == NULL)
        return false;
    size_t head = (size_t)(end + 4 - tally->app_head);
    long long length = -1;
    for (const char *line = strstr(tally->app_head, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, "Content-Length:", 15) == 0)
            length = atoll(line + 17);
    return length >= 0 && tally->app_bytes >= head + (uint64_t)length;
}

/* Send `out` (records of `record_size` bytes each, or one record when
 * record_size is 0) as the socket takes it. Returns false when sending
 * must stop (closed, time, RSS). */
static bool send_all(struct run *run, const unsigned char *out, size_t length, size_t record_size)
{
    size_t sent_here = 0;
    while (sent_here < length) {
        double now = now_seconds();
        if (now >= run->deadline) {
            run->stopped = STOP_SECONDS;
            return false;
        }
        if (look_at_rss(run, now)) {
            run->stopped = STOP_RSS;
            return false;
        }
        short events = POLLOUT | (options.no_read ? POLLRDHUP : POLLIN);
        struct pollfd waiting = { .fd = run->fd, .events = events };
        int ready = poll(&waiting, 1, options.watch_pid ? 100 : poll_timeout_ms(run->deadline));
        if (ready < 0 && errno != EINTR) {
            perror(PROGRAM ": poll");
            run->stopped = STOP_CLOSED;
            return false;
        }
        if (ready <= 0)
            continue;
        if ((waiting.revents & POLLIN) && !read_available(run)) {
            run->stopped = STOP_CLOSED;
            return false;
        }
        if (waiting.revents & (POLLRDHUP | POLLHUP)) {
            /* not reading: the server's end of stream or reset, seen without
             * taking what it sent before (read afterwards) */
            if (run->close == CLOSE_NONE)
                run->close = (waiting.revents & (POLLHUP | POLLERR)) ? CLOSE_RESET : CLOSE_FIN;
            run->stopped = STOP_CLOSED;
            return false;
        }
        if (!(waiting.revents & (POLLOUT | POLLERR)))
            continue;
        ssize_t sent = send(run->fd, out + sent_here, length - sent_here, MSG_NOSIGNAL);
        if (sent > 0) {
            uint64_t before = run->bytes_sent;
            sent_here += (size_t)sent;
            run->bytes_sent += (uint64_t)sent;
            if (record_size > 0)
                run->records_sent += (unsigned long)(run->bytes_sent / record_size - before / record_size);
            else if (sent_here == length)
                run->records_sent++;
            continue;
        }
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (run->close == CLOSE_NONE)
            run->close = CLOSE_RESET;   /* EPIPE, ECONNRESET */
        run->stopped = STOP_CLOSED;
        return false;
    }
    return true;
}

/* After sending: what the server still sends, for at most --linger
 * seconds, until it closes (or, for `request`, the response is whole). */
static void read_after(struct run *run)
{
    double until = now_seconds() + options.linger;
    if (until > run->deadline)
        until = run->deadline;
    /* a close seen without reading still leaves what came before it */
    for (;;) {
        if (options.attack == ATTACK_REQUEST && response_complete(&run->tally))
            return;
        struct pollfd waiting = { .fd = run->fd, .events = POLLIN };
        int ready = poll(&waiting, 1, poll_timeout_ms(until));
        if (ready < 0 && errno != EINTR)
            return;
        if (ready > 0 && !read_available(run))
            return;
        double now = now_seconds();
        look_at_rss(run, now);
        if (now >= until)
            return;
    }
}

static enum records_flood flood_of(enum attack attack)
{
    switch (attack) {
    case ATTACK_RENEGOTIATION:
        return RECORDS_FLOOD_RENEGOTIATION;
    case ATTACK_WARNING_ALERT:
        return RECORDS_FLOOD_WARNING_ALERT;
    case ATTACK_EMPTY_RECORD:
        return RECORDS_FLOOD_EMPTY;
    case ATTACK_ZERO_LENGTH_HANDSHAKE:
        return RECORDS_FLOOD_ZERO_HANDSHAKE;
    case ATTACK_CCS:
    default:
        return options.plaintext ? RECORDS_FLOOD_CCS_PLAINTEXT : RECORDS_FLOOD_CCS;
    }
}

static void flood(struct run *run, unsigned char *batch, size_t batch_size)
{
    enum records_flood kind = flood_of((enum attack)options.attack);
    unsigned parameter = kind == RECORDS_FLOOD_RENEGOTIATION ? options.per_record : options.alert;
    unsigned long queued = 0;
    while (queued < options.records) {
        size_t length = 0, record_size = 0;
        while (queued < options.records) {
            size_t made = records_flood_record(&run->keys, kind, parameter, batch + length, batch_size - length);
            if (made == 0)
                break;
            record_size = made;
            length += made;
            queued++;
        }
        if (length == 0) {
            fprintf(stderr, PROGRAM ": sealing a record failed\n");
            run->stopped = STOP_CLOSED;
            return;
        }
        if (!send_all(run, batch, length, record_size))
            return;
    }
    run->stopped = STOP_DONE;
}

static void request(struct run *run, unsigned char *batch, size_t batch_size)
{
    char text[512];
    int length = snprintf(text, sizeof text, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", options.path);
    size_t sealed = records_seal(&run->keys, RECORDS_APPLICATION_DATA, (const unsigned char *)text, (size_t)length,
                                 batch, batch_size);
    if (options.attack == ATTACK_BAD_MAC && run->keys.version == 13)
        batch[RECORDS_HEADER] ^= 0x01;                              /* the first ciphertext byte */
    else if (options.attack == ATTACK_BAD_MAC)
        batch[RECORDS_HEADER + RECORDS_EXPLICIT_NONCE] ^= 0x01;     /* after the explicit nonce */
    if (send_all(run, batch, sealed, 0))
        run->stopped = STOP_DONE;
}

/* ---- options */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " PROGRAM " --port PORT --attack ATTACK [options]   (connects to 127.0.0.1 only)\n"
            "  --attack A        request, bad_mac, renegotiation, warning_alert, empty_record,\n"
            "                    zero_length_handshake or ccs\n"
            "  --cafile FILE     verify tlsd's chain for host localhost (default: no check)\n"
            "  --records N       records a flood sends, 1 to 100000000 (default 20000)\n"
            "  --per-record N    renegotiation: ClientHellos per record, 1 to %d (default %d)\n"
            "  --alert D         warning_alert: the description, 0 to 255 (default 90, user_canceled)\n"
            "  --plaintext       ccs: ChangeCipherSpec in the clear (default: sealed)\n"
            "  --no-read         read nothing while sending (default: read what comes)\n"
            "  --seconds S       the whole run, handshake included, at most S s (default 15)\n"
            "  --linger S        after sending, read for at most S s more (default 2)\n"
            "  --path P          what request and bad_mac GET (default /)\n"
            "  --tls13           TLS 1.3 (TLS_AES_128_GCM_SHA256) instead of 1.2; Mbed TLS 3.x only\n"
            "  --watch-pid PID   report the VmRSS of process PID (the tlsd under test)\n"
            "  --max-rss-mb M    stop sending once that VmRSS exceeds M MB (needs --watch-pid)\n"
            "Prints one line: attack= ... records_sent= bytes_sent= server_closed= close= alert= ...\n"
            "Exit status: 0 ran, 1 ran but a server record did not open, 2 setup error.\n",
            RECORDS_MAX_HELLOS, RECORDS_MAX_HELLOS);
}

static bool whole(double value)
{
    return value == (double)(long long)value;
}

static int parse_options(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "port", required_argument, NULL, 'p' },
        { "attack", required_argument, NULL, 'a' },
        { "cafile", required_argument, NULL, 'c' },
        { "records", required_argument, NULL, 'n' },
        { "per-record", required_argument, NULL, 'k' },
        { "alert", required_argument, NULL, 'A' },
        { "plaintext", no_argument, NULL, 'P' },
        { "no-read", no_argument, NULL, 'R' },
        { "seconds", required_argument, NULL, 't' },
        { "linger", required_argument, NULL, 'l' },
        { "path", required_argument, NULL, 'g' },
        { "tls13", no_argument, NULL, '3' },
        { "watch-pid", required_argument, NULL, 'w' },
        { "max-rss-mb", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int option;
    double value = 0;
    while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        bool ok = true;
        switch (option) {
        case 'p':
            ok = parse_number(optarg, 1, 65535, &value) && whole(value);
            options.port = (int)value;
            break;
        case 'a':
            ok = false;
            for (int a = 0; a < ATTACK_COUNT; a++)
                if (strcmp(optarg, attack_names[a]) == 0) {
                    options.attack = a;
                    ok = true;
                }
            break;
        case 'c':
            options.cafile = optarg;
            ok = access(optarg, R_OK) == 0;
            break;
        case 'n':
            ok = parse_number(optarg, 1, 1e8, &value) && whole(value);
            options.records = (unsigned long)value;
            break;
        case 'k':
            ok = parse_number(optarg, 1, RECORDS_MAX_HELLOS, &value) && whole(value);
            options.per_record = (unsigned)value;
            break;
        case 'A':
            ok = parse_number(optarg, 0, 255, &value) && whole(value);
            options.alert = (unsigned)value;
            break;
        case 'P':
            options.plaintext = true;
            break;
        case 'R':
            options.no_read = true;
            break;
        case 't':
            ok = parse_number(optarg, 0.1, 3600, &options.seconds);
            break;
        case 'l':
            ok = parse_number(optarg, 0, 3600, &options.linger);
            break;
        case 'g':
            options.path = optarg;
            ok = optarg[0] == '/' && strlen(optarg) < 256 && strpbrk(optarg, " \r\n") == NULL;
            break;
        case '3':
            options.tls_version = 13;
            break;
        case 'w':
            ok = parse_number(optarg, 1, 4194304, &value) && whole(value);
            options.watch_pid = (long)value;
            break;
        case 'm':
            ok = parse_number(optarg, 1, 1048576, &options.max_rss_mb);
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
            if (option == 'a')
                fprintf(stderr, PROGRAM ": unknown --attack '%s' (see --help)\n", optarg);
            else if (option == 'c')
                fprintf(stderr, PROGRAM ": --cafile %s: %s\n", optarg, strerror(errno));
            else
                fprintf(stderr, PROGRAM ": bad value for --%s: %s (see --help)\n", name, optarg);
            return -1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, PROGRAM ": unexpected argument '%s' (see --help)\n", argv[optind]);
        return -1;
    }
    if (options.port == 0 || options.attack < 0) {
        fprintf(stderr, PROGRAM ": --port and --attack are required (see --help)\n");
        return -1;
    }
    if (options.max_rss_mb > 0 && options.watch_pid == 0) {
        fprintf(stderr, PROGRAM ": --max-rss-mb needs --watch-pid\n");
        return -1;
    }
    if (options.plaintext && options.attack != ATTACK_CCS) {
        fprintf(stderr, PROGRAM ": --plaintext is for --attack ccs\n");
        return -1;
    }
    if (options.tls_version == 13 && compat_max_tls_version() < 13) {
        fprintf(stderr, PROGRAM ": --tls13: this Mbed TLS (%s) has no TLS 1.3\n", compat_library_version());
        return -1;
    }
    return 0;
}

static void print_result(const struct run *run)
{
    const struct records_tally *tally = &run->tally;
    char alert[64] = "none";
    if (tally->first_fatal >= 0)
        snprintf(alert, sizeof alert, "fatal:%s", records_alert_name(tally->first_fatal));
    else if (tally->first_warning >= 0)
        snprintf(alert, sizeof alert, "warning:%s", records_alert_name(tally->first_warning));
    static const char *const close_names[] = { "none", "fin", "reset" };
    printf("attack=%s tls=1.%d records_sent=%lu bytes_sent=%llu server_closed=%s close=%s alert=%s "
           "alerts_received=%lu warnings_received=%lu fatals_received=%lu records_received=%lu undecryptable=%lu "
           "app_bytes=%llu http_status=%d stopped=%s send_seconds=%.2f seconds=%.2f",
           attack_names[options.attack], options.tls_version - 10, run->records_sent,
           (unsigned long long)run->bytes_sent, run->close != CLOSE_NONE ? "yes" : "no", close_names[run->close],
           alert, tally->alerts, tally->warnings, tally->fatals, tally->records, tally->undecryptable,
           (unsigned long long)tally->app_bytes, records_tally_http_status(tally), stop_names[run->stopped],
           run->sent_at - run->begin, now_seconds() - run->begin);
    if (options.watch_pid)
        printf(" rss_start_kb=%ld rss_peak_kb=%ld rss_end_kb=%ld", run->rss_start_kb, run->rss_peak_kb,
               run->rss_end_kb);
    printf("\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (parse_options(argc, argv) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    static struct run run;
    run.fd = -1;
    run.begin = now_seconds();
    run.deadline = run.begin + options.seconds;
    run.rss_start_kb = run.rss_peak_kb = run.rss_end_kb = -1;
    records_keys_init(&run.keys);
    records_tally_init(&run.tally);
    if (compat_crypto_init() != 0) {
        fprintf(stderr, PROGRAM ": crypto initialisation failed\n");
        return 2;
    }
    look_at_rss(&run, run.begin);
    run.fd = connect_loopback(run.deadline);
    int status = 2;
    unsigned char *batch = malloc(BATCH_SIZE + RECORDS_MAX_RECORD);
    if (batch == NULL || run.fd < 0 || handshake(&run) != 0)
        goto done;
    if (options.attack == ATTACK_REQUEST || options.attack == ATTACK_BAD_MAC)
        request(&run, batch, BATCH_SIZE + RECORDS_MAX_RECORD);
    else
        flood(&run, batch, BATCH_SIZE);
    run.sent_at = now_seconds();
    read_after(&run);
    run.next_rss_look = 0;
    look_at_rss(&run, now_seconds());
    if (options.watch_pid)
        run.rss_end_kb = rss_kb(options.watch_pid);
    print_result(&run);
    status = 0;
    if (run.tally.undecryptable > 0 || run.reader_broken) {
        fprintf(stderr, PROGRAM ": %lu server record(s) did not open%s: the derived keys are wrong\n",
                run.tally.undecryptable, run.reader_broken ? " (and a record header was too long)" : "");
        status = 1;
    } else if (options.attack == ATTACK_REQUEST && records_tally_http_status(&run.tally) == 0) {
        fprintf(stderr, PROGRAM ": request: no HTTP response decrypted\n");
        status = 1;
    }
done:
    free(batch);
    if (run.fd >= 0)
        close(run.fd);
    records_keys_free(&run.keys);
    compat_crypto_free();
    return status;
}

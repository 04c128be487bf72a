/* SPDX-License-Identifier: Apache-2.0 */
/* connection.c: one client, from accept to close.
 *
 * Each connection is a small state machine run by connection_run()
 * whenever its socket is readable or writable or its timer fires. Every
 * phase handler goes as far as it can without blocking and says what it
 * waits for; connection_run() then flushes the records Mbed TLS produced
 * and arms exactly the events needed. One teardown path,
 * connection_destroy(), frees everything and logs why. */
#include "connection.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "capture.h"
#include "clock.h"
#include "file_cache.h"
#include "hslog.h"
#include "http.h"
#include "ladder.h"
#include "log.h"
#include "networks.h"
#include "proxy_protocol.h"
#include "response.h"
#include "tls.h"
#include "tls_names.h"
#include "worker.h"

#define MAX_REQUESTS_PER_CONNECTION 1000
/* plaintext read from a body at a time: four full records for one read()
 * (Mbed TLS cuts it into records of the negotiated size) */
#define PENDING_SIZE (64 * 1024)
#define LINGER_SECONDS 2
#define LINGER_MAX_BYTES (64 * 1024)

enum connection_phase {
    PHASE_PROXY_HEADER,     /* a proxy_protocol listener: the load balancer's header comes first */
    PHASE_WAIT_FIRST_BYTE,  /* accepted; no TLS context yet (saves ~33 KiB per idle socket) */
    PHASE_HANDSHAKE,
    PHASE_READ_REQUEST,
    PHASE_SEND_RESPONSE,
    PHASE_CLOSING,          /* close_notify queued, waiting for it to leave */
    PHASE_LINGER,           /* our side shut down; reading what the peer still sends so it gets our last bytes, not a reset */
};

enum action { ACTION_CONTINUE, ACTION_WAIT_READ, ACTION_WAIT_WRITE, ACTION_DESTROYED };

/* How much of a request's Host and User-Agent its log line keeps (then "...") */
#define REQUEST_HOST_LOGGED 256
#define REQUEST_USER_AGENT_LOGGED 256

struct connection {
    struct connection *next;
    struct connection *previous;
    struct worker_loop *loop;
    /* what it is served with, from accept to close (a reference) */
    struct generation *generation;
    const struct tlsd_config *config;  /* generation->config */
    uint64_t id;
    int fd;
    char peer[64];                /* the client: from the PROXY header when there is one */
    char proxy[64];               /* the load balancer that sent the header; "" without one */
    unsigned char *proxy_bytes;   /* a PROXY header that arrived in pieces, so far */
    size_t proxy_bytes_length;
    enum connection_phase phase;
    struct event *read_event;
    struct event *write_event;
    struct event *timer;
    struct tls_session *tls;
    struct hslog *hslog;          /* the handshake log, allocated with the TLS context */
    struct hslog_record *handshake_record;  /* for the handshake endpoint, NULL if off */
    struct capture *capture;      /* its first bytes and secrets (handshake_capture), NULL if off */
    char *owned_body;             /* a body sent from memory that is ours to free (the record as JSON) */
    bool tls_started;
    bool established;
    bool close_notify_queued;
    struct timespec accepted_at;
    struct timespec first_byte_at;
    struct timespec request_started_at;  /* its first byte: duration_ms runs to the response's last */
    const char *close_reason;
    int alert_sent;               /* a fatal alert sent on a failure (description), -1 if none */
    const char *refused_record;   /* the type of the record that was refused, or NULL */
    const char *response_reason;  /* why the request was refused, for its log line; NULL: no reason= */
    unsigned requests_served;
    size_t linger_bytes;

    /* the request being read: head bytes, possibly with a pipelined next one behind */
    char *request;                /* HTTP_MAX_HEADER_BYTES: the loop's shared one, our own, or NULL */
    size_t request_length;
    size_t request_consumed;

    /* the response being sent: `pending` holds plaintext not yet accepted by
     * Mbed TLS (kept unchanged across WANT_* so the retry uses the same buffer) */
    unsigned char *pending;       /* PENDING_SIZE: the loop's shared one; our own (what was unsent); NULL */
    size_t pending_length;
    size_t pending_sent;
    size_t pending_body_from;     /* pending's bytes from here on came from the file or memory body */
    bool write_retry;             /* Mbed TLS wants the last write repeated with the same bytes */
    int file_fd;
    uint64_t file_remaining;
    const char *memory_body;     /* a body sent from memory (owned_body, a cached file) */
    struct cached_body *cached_body;  /* held while memory_body points into it */
    size_t head_length;
    uint64_t plaintext_sent;
    int status;
    bool keep_alive;
    bool request_started;         /* request_started_at is set */
    struct request_log *request_log;  /* while a response is under way; NULL between requests */
};

/* What the request's log line says of it, from its start to its end:
 * allocated per response, so that an idle connection holds none of it. */
struct request_log {
    char summary[160];            /* "GET /path", or "-" */
    /* Host and User-Agent as sent (cut, then "..."), "" if none */
    char host[REQUEST_HOST_LOGGED + 8];
    char user_agent[REQUEST_USER_AGENT_LOGGED + 8];
};

static void connection_run(struct connection *connection);

static _Atomic uint64_t accepted_total;

uint64_t connection_accepted_total(void)
{
    return atomic_load_explicit(&accepted_total, memory_order_relaxed);
}

void connection_format_address(const struct sockaddr *address, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (address->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)address;
        inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
        snprintf(out, size, "%s:%u", host, ntohs(in4->sin_port));
    } else if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(out, size, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(out, size, "unknown");
    }
}

static void begin_connection_line(struct log_line *line, const struct connection *connection,
                                  enum log_level level)
{
    log_line_begin(line, level);
    log_line_unsigned(line, "conn", connection->id);
    log_line_string(line, "peer", connection->peer);
}

static void set_timer(struct connection *connection, unsigned seconds)
{
    struct timeval timeout = { .tv_sec = (time_t)seconds, .tv_usec = 0 };
    event_add(connection->timer, &timeout);
}

static void connection_destroy(struct connection *connection, const char *reason)
{
    struct worker_loop *loop = connection->loop;
    struct log_line line;
    begin_connection_line(&line, connection, LOG_LEVEL_INFO);
    log_line_event(&line, "closed");
    log_line_string(&line, "reason", reason);
    if (connection->refused_record)
        log_line_string(&line, "record_type", connection->refused_record);
    if (connection->alert_sent >= 0) {
        const char *alert = tls_alert_name(connection->alert_sent);
        log_line_string(&line, "alert_sent", alert ? alert : "unknown");
    }
    log_line_unsigned(&line, "requests", connection->requests_served);
    log_line_decimal(&line, "duration_ms", milliseconds_since(&connection->accepted_at), 1);
    log_line_end(&line);

    /* whatever Mbed TLS queued last (an alert) goes, if the socket takes it */
    if (connection->tls_started)
        (void)tls_session_flush(connection->tls);

    event_free(connection->read_event);
    event_free(connection->write_event);
    event_free(connection->timer);
    if (connection->hslog) {
        hslog_free(connection->hslog);
        free(connection->hslog);
    }
    if (connection->tls_started)
        tls_session_destroy(connection->tls);
    if (connection->file_fd >= 0)
        close(connection->file_fd);
    file_cache_release(connection->cached_body);
    free(connection->handshake_record);
    free(connection->request_log);
    capture_free(connection->capture);
    free(connection->owned_body);
    free(connection->proxy_bytes);
    if (connection->request != loop->shared_request)
        free(connection->request);
    if (connection->pending != loop->shared_pending)
        free(connection->pending);
    close(connection->fd);
    generation_release(connection->generation);

    if (connection->previous)
        connection->previous->next = connection->next;
    else
        loop->connections = connection->next;
    if (connection->next)
        connection->next->previous = connection->previous;
    loop->connection_count--;
    free(connection);
    if (loop->on_connection_closed)
        loop->on_connection_closed(loop->worker);
}

/* A failure before TLS started (no ClientHello at all, or no valid PROXY
 * header): one line. `detail` may be NULL. */
static void log_failure_before_tls(struct connection *connection, const char *at, const char *reason,
                                   const char *detail)
{
    struct log_line line;
    begin_connection_line(&line, connection, LOG_LEVEL_INFO);
    log_line_string(&line, "stage", "handshake_failed");
    bool proxy_header = strcmp(at, "proxy_header") == 0;
    /* before a PROXY header the clock runs from accept; before TLS, from its first byte */
    log_line_decimal(&line, "t_ms", proxy_header ? milliseconds_since(&connection->accepted_at) : 0.0, 3);
    log_line_string(&line, "at", at);
    log_line_string(&line, "reason", reason);
    if (detail)
        log_line_string(&line, "detail", detail);
    if (!proxy_header)
        log_line_unsigned(&line, "bytes_received", 0);
    log_line_end(&line);
}

static void log_handshake_failure(struct connection *connection, const char *reason)
{
    log_failure_before_tls(connection, "client_hello", reason, NULL);
}

static enum action fail_proxy_header(struct connection *connection, const char *reason, const char *detail)
{
    log_failure_before_tls(connection, "proxy_header", reason, detail);
    connection_destroy(connection, "handshake_failed");
    return ACTION_DESTROYED;
}

/* The header is taken off the socket exactly: what follows is the
 * client's TLS, for Mbed TLS to read. Bytes are peeked, and consumed only
 * once they are known to be header; a header that arrives in pieces is
 * consumed piece by piece (so the socket does not stay readable) and kept
 * in proxy_bytes. */
static enum action read_proxy_header(struct connection *connection)
{
    unsigned char bytes[PROXY_PROTOCOL_MAX_HEADER];
    size_t have = connection->proxy_bytes_length;
    if (have > 0)
        memcpy(bytes, connection->proxy_bytes, have);
    ssize_t peeked = recv(connection->fd, bytes + have, sizeof bytes - have, MSG_PEEK);
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return ACTION_WAIT_READ;
    if (peeked <= 0) {
        if (peeked == 0)
            return fail_proxy_header(connection, "proxy_header_missing",
                                     have > 0 ? "the peer closed in the middle of the header"
                                              : "the peer closed without sending a header");
        connection_destroy(connection, "reset");
        return ACTION_DESTROYED;
    }
    struct proxy_header header;
    const char *reason = NULL;
    enum proxy_parse_result result = proxy_protocol_parse(bytes, have + (size_t)peeked, &header, &reason);
    if (result == PROXY_PARSE_ERROR)
        return fail_proxy_header(connection, "proxy_header_invalid", reason);
    size_t take = result == PROXY_PARSE_COMPLETE ? header.length - have : (size_t)peeked;
    ssize_t taken = recv(connection->fd, bytes + have, take, 0);
    if (taken != (ssize_t)take) {
        connection_destroy(connection, "reset");
        return ACTION_DESTROYED;
    }
    if (result == PROXY_PARSE_INCOMPLETE) {
        if (connection->proxy_bytes == NULL) {
            connection->proxy_bytes = malloc(PROXY_PROTOCOL_MAX_HEADER);
            if (connection->proxy_bytes == NULL) {
                connection_destroy(connection, "out_of_memory");
                return ACTION_DESTROYED;
            }
        }
        memcpy(connection->proxy_bytes + have, bytes + have, take);
        connection->proxy_bytes_length += take;
        return ACTION_WAIT_READ;
    }
    free(connection->proxy_bytes);
    connection->proxy_bytes = NULL;
    connection->proxy_bytes_length = 0;
    if (header.has_addresses)
        connection_format_address((const struct sockaddr *)&header.source, connection->peer,
                                  sizeof connection->peer);
    struct log_line line;
    begin_connection_line(&line, connection, LOG_LEVEL_DEBUG);
    log_line_event(&line, "proxy_header");
    log_line_unsigned(&line, "version", (uint64_t)header.version);
    log_line_string(&line, "proxy", connection->proxy);
    if (!header.has_addresses)
        log_line_string(&line, "client", "unknown (a LOCAL or UNKNOWN header: the proxy's own connection)");
    log_line_end(&line);
    /* the TLS handshake gets its own full handshake_timeout */
    connection->phase = PHASE_WAIT_FIRST_BYTE;
    set_timer(connection, connection->config->handshake_timeout);
    return ACTION_CONTINUE;
}

/* After a fatal alert: send what is queued, then close without
 * close_notify, reading what the peer still sends for a moment so that
 * the close does not reset the connection and destroy the alert in
 * flight. */
static enum action close_after_alert(struct connection *connection, const char *reason)
{
    struct tls_session *tls = connection->tls;
    /* the handshake log is done: it watches the wire no more */
    tls_session_observe(tls, NULL);
    tls_session_set_hello(tls, NULL, CLIENTHELLO_INCOMPLETE);
    connection->close_reason = reason;
    connection->close_notify_queued = true;
    connection->phase = PHASE_CLOSING;
    set_timer(connection, LINGER_SECONDS);
    return ACTION_CONTINUE;
}

/* A failed handshake: the fatal alert it calls for (unless Mbed TLS sent
 * one, or the client did), the log line, and the close. */
static enum action fail_handshake(struct connection *connection, const char *reason, int error)
{
    if (!connection->tls_started) {
        log_handshake_failure(connection, reason);
        connection_destroy(connection, "handshake_failed");
        return ACTION_DESTROYED;
    }
    struct tls_session *tls = connection->tls;
    if (error != 0)
        (void)tls_session_add_fatal_alert(tls, error);
    if (tls_session_refusal(tls) != TLS_REFUSAL_NONE)
        reason = tls_refusal_reason(tls_session_refusal(tls));
    hslog_failed(connection->hslog, tls, reason, error);
    return close_after_alert(connection, "handshake_failed");
}

/* A TLS failure after the handshake (a record that fails authentication,
 * one tlsd refuses, any Mbed TLS error): the alert, one line, the close. */
static enum action fail_established(struct connection *connection, int error)
{
    struct tls_session *tls = connection->tls;
    connection->alert_sent = tls_session_add_fatal_alert(tls, error);
    if (tls_session_refusal(tls) != TLS_REFUSAL_NONE) {
        connection->refused_record = tls_session_refused_record_type(tls);
        return close_after_alert(connection, tls_refusal_reason(tls_session_refusal(tls)));
    }
    char text[160];
    tls_error_text(error, text, sizeof text);
    struct log_line line;
    begin_connection_line(&line, connection, LOG_LEVEL_INFO);
    log_line_string(&line, "error", text);
    log_line_end(&line);
    return close_after_alert(connection, "tls_error");
}

/* A client that speaks plain HTTP to the TLS port gets a plain answer
 * saying so (as nginx does), not a silent close. */
static bool looks_like_plain_http(const unsigned char *bytes, size_t length)
{
    if (length < 4)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (bytes[i] == ' ')
            return i > 0;
        if (bytes[i] < 'A' || bytes[i] > 'Z')
            return false;
    }
    return false;
}

/* The observer of the wire: the handshake log while the handshake lasts,
 * the capture while it keeps bytes. */
static void observe_step(void *context, struct tls_session *session, enum tls_handshake_state state_before,
                         enum tls_handshake_state state_after, int result)
{
    struct connection *connection = context;
    if (connection->hslog)
        hslog_step(connection->hslog, session, state_before, state_after, result);
}

static void observe_received(void *context, const unsigned char *bytes, size_t length)
{
    struct connection *connection = context;
    if (connection->hslog)
        hslog_received(connection->hslog, bytes, length);
    if (connection->capture)
        capture_bytes(connection->capture, true, bytes, length);
}

static void observe_sent(void *context, const unsigned char *bytes, size_t length)
{
    struct connection *connection = context;
    if (connection->hslog)
        hslog_sent(connection->hslog, bytes, length);
    if (connection->capture)
        capture_bytes(connection->capture, false, bytes, length);
}

static void capture_key_log_line(void *context, const char *line, size_t length)
{
    struct connection *connection = context;
    capture_key_log(connection->capture, line, length);
}

/* Only a connection that can ask for its capture keeps one; without
 * memory it simply has none (the endpoint answers 404). */
static void start_capture(struct connection *connection)
{
    const struct tlsd_config *config = connection->config;
    if (!config->handshake_capture || config->handshake_endpoint == NULL)
        return;
    connection->capture = capture_create(connection->id, connection->peer, connection->fd);
    if (connection->capture)
        tls_session_on_key_log(connection->tls, capture_key_log_line, connection);
}

static enum action start_tls(struct connection *connection)
{
    unsigned char peek[8];
    ssize_t peeked = recv(connection->fd, peek, sizeof peek, MSG_PEEK);
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return ACTION_WAIT_READ;
    if (peeked <= 0) {
        connection_destroy(connection, peeked == 0 ? "peer_close_before_hello" : "reset");
        return ACTION_DESTROYED;
    }
    connection->first_byte_at = clock_now();
    if (looks_like_plain_http(peek, (size_t)peeked)) {
        static const char answer[] =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 60\r\nConnection: close\r\n\r\n"
            "This is a TLS port: use https:// to talk to this server.   \n";
        ssize_t ignored = send(connection->fd, answer, sizeof answer - 1, MSG_NOSIGNAL);
        (void)ignored;
        log_handshake_failure(connection, "plain_http");
        /* linger: closing with the request unread would reset the
         * connection and could destroy the answer before it is read */
        shutdown(connection->fd, SHUT_WR);
        connection->close_reason = "plain_http";
        connection->phase = PHASE_LINGER;
        set_timer(connection, LINGER_SECONDS);
        return ACTION_CONTINUE;
    }
    /* The TLS context only once the client has sent a byte: an idle
     * socket costs a few hundred bytes, not ~35 KiB. */
    connection->hslog = calloc(1, sizeof *connection->hslog);
    if (connection->hslog == NULL)
        return fail_handshake(connection, "out_of_memory", 0);
    int result = 0;
    connection->tls = tls_session_create(connection->generation->tls, connection->fd, &result);
    if (connection->tls == NULL)
        return fail_handshake(connection, "setup_failed", result);
    connection->tls_started = true;
    hslog_init(connection->hslog, connection->id, connection->peer, &connection->first_byte_at);
    start_capture(connection);
    const struct tls_observer observer = {
        .on_step = observe_step, .on_received = observe_received, .on_sent = observe_sent, .context = connection,
    };
    tls_session_observe(connection->tls, &observer);
    if (connection->config->handshake_endpoint)
        hslog_keep_record(connection->hslog);
    connection->phase = PHASE_HANDSHAKE;
    return ACTION_CONTINUE;
}

/* Between requests: the idle timeout runs, and the capture gives back the
 * room it does not use, since thousands of connections may wait here. */
static void wait_for_request(struct connection *connection)
{
    connection->phase = PHASE_READ_REQUEST;
    set_timer(connection, connection->config->idle_timeout);
    if (connection->capture)
        capture_compact(connection->capture);
}

static enum action do_handshake(struct connection *connection)
{
    int error = 0;
    enum tls_io result = tls_session_handshake(connection->tls, &error);
    switch (result) {
    case TLS_IO_DONE:
        connection->established = true;
        hslog_established(connection->hslog, connection->tls);
        connection->handshake_record = hslog_take_record(connection->hslog);
        tls_session_set_hello(connection->tls, NULL, CLIENTHELLO_INCOMPLETE);
        hslog_free(connection->hslog);
        free(connection->hslog);
        connection->hslog = NULL;
        /* the handshake is over: only the capture still watches the wire */
        tls_session_on_key_log(connection->tls, NULL, NULL);
        if (connection->capture && !capture_full(connection->capture)) {
            const struct tls_observer observer = {
                .on_received = observe_received, .on_sent = observe_sent, .context = connection,
            };
            tls_session_observe(connection->tls, &observer);
        } else {
            tls_session_observe(connection->tls, NULL);
        }
        wait_for_request(connection);
        return ACTION_CONTINUE;
    case TLS_IO_WANT_READ:
        return ACTION_WAIT_READ;
    case TLS_IO_WANT_WRITE:
        return ACTION_WAIT_WRITE;
    case TLS_IO_CLOSED:
        return fail_handshake(connection, "peer_closed", 0);
    case TLS_IO_FAILED:
    default:
        return fail_handshake(connection, "tls_error", error);
    }
}

/* ---- responses: response.c decides what to answer; here it is sent */

/* The head, the plan's headers and the ones every response carries, and
 * an error page fit in one record (16 KiB of plaintext). */
_Static_assert(RESPONSE_HEADERS_SIZE + CONFIG_MAX_HEADER_VALUE + 512 + 1024 + RESPONSE_INLINE_SIZE <= 16384,
               "an error response must fit in one record");
_Static_assert(PENDING_SIZE >= 16384, "the pending buffer holds at least one record");

/* The plan's body becomes the connection's to stream. */
static void take_body(struct connection *connection, struct response_plan *plan)
{
    connection->file_remaining = plan->body_length;
    switch (plan->body) {
    case RESPONSE_BODY_INLINE:
        memcpy(connection->pending + connection->pending_length, plan->inline_body, (size_t)plan->body_length);
        connection->pending_length += (size_t)plan->body_length;
        connection->file_remaining = 0;
        break;
    case RESPONSE_BODY_MEMORY:
        connection->owned_body = plan->memory;
        connection->memory_body = plan->memory + plan->body_offset;
        break;
    case RESPONSE_BODY_CACHED:
        connection->cached_body = plan->cached;
        connection->memory_body = (const char *)plan->cached->bytes + plan->body_offset;
        break;
    case RESPONSE_BODY_FILE:
        connection->file_fd = plan->fd;
        if (plan->body_offset > 0 && lseek(plan->fd, (off_t)plan->body_offset, SEEK_SET) < 0)
            connection->file_remaining = 0;  /* cannot happen for a regular file */
        break;
    case RESPONSE_BODY_NONE:
    default:
        connection->file_remaining = 0;
        break;
    }
    plan->body = RESPONSE_BODY_NONE;
}

static void start_response(struct connection *connection, struct response_plan *plan)
{
    /* room for the plan's headers and the CSP */
    char extra[RESPONSE_HEADERS_SIZE + CONFIG_MAX_HEADER_VALUE + 512];
    const struct tlsd_config *config = connection->config;
    http_format_security_headers(extra, sizeof extra, config->hsts, plan->content_security_policy,
                                 plan->headers_length > 0 ? plan->headers : NULL);
    if (connection->pending != connection->loop->shared_pending) {
        free(connection->pending);  /* NULL, or the last response's parked remainder, sent */
        connection->pending = connection->loop->shared_pending;
    }
    connection->write_retry = false;
    connection->keep_alive = plan->keep_alive;
    if (connection->requests_served + 1 >= MAX_REQUESTS_PER_CONNECTION || connection->loop->draining)
        connection->keep_alive = false;
    connection->status = plan->status;
    connection->response_reason = plan->log_reason;
    connection->head_length = http_format_head((char *)connection->pending, PENDING_SIZE, plan->status,
                                               plan->content_type, plan->content_length, connection->keep_alive,
                                               extra, (long long)time(NULL));
    if (connection->head_length == 0) {
        /* cannot happen with the sizes above; never send a broken head */
        response_plan_release(plan);
        connection->status = 500;
        connection->keep_alive = false;
        connection->head_length = http_format_head((char *)connection->pending, PENDING_SIZE, 500,
                                                   NULL, 0, false, NULL, (long long)time(NULL));
    }
    connection->pending_length = connection->head_length;
    connection->pending_sent = 0;
    connection->plaintext_sent = 0;
    take_body(connection, plan);
    connection->pending_body_from = connection->pending_length;
    connection->phase = PHASE_SEND_RESPONSE;
}


/* A header's value for the log, cut at `limit` bytes with "..." (the
 * log escapes what it needs to). */
static void copy_for_log(char *out, size_t limit, const char *value, size_t length)
{
    if (value == NULL) {
        out[0] = '\0';
        return;
    }
    if (length > limit)
        snprintf(out, limit + 4, "%.*s...", (int)limit, value);
    else
        snprintf(out, limit + 4, "%.*s", (int)length, value);
}

/* The request's log facts (a request that did not parse: NULL, "-"). Out
 * of memory, the line says "-" and nothing else of the request. */
static void summarise_request(struct connection *connection, const struct http_request *request)
{
    if (connection->request_log == NULL)
        connection->request_log = malloc(sizeof *connection->request_log);
    struct request_log *log = connection->request_log;
    if (log == NULL)
        return;
    if (request == NULL) {
        snprintf(log->summary, sizeof log->summary, "-");
        log->host[0] = log->user_agent[0] = '\0';
        return;
    }
    snprintf(log->summary, sizeof log->summary, "%.*s %.*s",
             (int)(request->method_length > 16 ? 16 : request->method_length), request->method_text,
             (int)(request->target_length > 128 ? 128 : request->target_length), request->target);
    copy_for_log(log->host, REQUEST_HOST_LOGGED, request->host, request->host_length);
    copy_for_log(log->user_agent, REQUEST_USER_AGENT_LOGGED, request->user_agent.value, request->user_agent.length);
}

static const char *request_summary(const struct connection *connection)
{
    return connection->request_log ? connection->request_log->summary : "-";
}

/* The handshake endpoint's body: this connection's record, nobody else's. */
static char *handshake_body(const void *handshake, enum response_handshake_format format)
{
    const struct connection *connection = handshake;
    if (format == RESPONSE_HANDSHAKE_SVG)
        return ladder_svg(connection->handshake_record);
    if (format == RESPONSE_HANDSHAKE_TEXT)
        return ladder_text(connection->handshake_record);
    return hslog_record_json(connection->handshake_record, connection->peer, connection->tls);
}

/* ENDPOINT.pcapng's body: this connection's capture, nobody else's. */
static char *capture_pcapng_body(const void *capture, size_t *length)
{
    return (char *)capture_pcapng(capture, length);
}

/* What response.c may look at to answer this connection. */
static struct response_context response_context_of(struct connection *connection)
{
    struct worker_loop *loop = connection->loop;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (struct response_context){
        .config = connection->config,
        .root_fd = connection->generation->root_fd,
        /* the worker's cache holds its current generation's files: a
         * connection accepted before a reload looks up its own root */
        .file_cache = connection->generation == loop->generation ? loop->file_cache : NULL,
        .now = now.tv_sec,
        .date = (long long)time(NULL),
        .handshake_body = handshake_body,
        .handshake = connection->handshake_record ? connection : NULL,
        .capture_pcapng = capture_pcapng_body,
        .capture = connection->capture,
        .connection_id = connection->id,
    };
}

static void answer_request(struct connection *connection, const struct http_request *request)
{
    const struct response_context context = response_context_of(connection);
    struct response_plan plan;
    summarise_request(connection, request);
    response_plan(&context, request, &plan);
    start_response(connection, &plan);
}

/* A request that did not parse, or was not finished in time: the error
 * page, then close. */
static void respond_with_error(struct connection *connection, int status)
{
    const struct response_context context = response_context_of(connection);
    struct response_plan plan;
    summarise_request(connection, NULL);
    connection->request_consumed = connection->request_length;
    response_plan_error(&context, &plan, status);
    start_response(connection, &plan);
}

static void log_request(struct connection *connection)
{
    struct log_line line;
    begin_connection_line(&line, connection, LOG_LEVEL_INFO);
    const struct request_log *request = connection->request_log;
    log_line_string(&line, "request", request_summary(connection));
    log_line_unsigned(&line, "status", (uint64_t)connection->status);
    uint64_t body_sent = connection->plaintext_sent > connection->head_length
                             ? connection->plaintext_sent - connection->head_length : 0;
    log_line_unsigned(&line, "bytes", body_sent);
    if (connection->response_reason)
        log_line_string(&line, "reason", connection->response_reason);
    if (request && request->host[0])
        log_line_string(&line, "host", request->host);
    if (request && request->user_agent[0])
        log_line_string(&line, "user_agent", request->user_agent);
    log_line_decimal(&line, "duration_ms",
                     connection->request_started ? milliseconds_since(&connection->request_started_at) : 0.0, 3);
    log_line_end(&line);
}

static void finish_response(struct connection *connection)
{
    log_request(connection);
    free(connection->request_log);
    connection->request_log = NULL;
    connection->response_reason = NULL;
    connection->requests_served++;
    if (connection->file_fd >= 0) {
        close(connection->file_fd);
        connection->file_fd = -1;
    }
    connection->memory_body = NULL;
    file_cache_release(connection->cached_body);
    connection->cached_body = NULL;
    free(connection->owned_body);
    connection->owned_body = NULL;
    /* keep what a pipelining client already sent after this request */
    if (connection->request != NULL)
        memmove(connection->request, connection->request + connection->request_consumed,
                connection->request_length - connection->request_consumed);
    connection->request_length -= connection->request_consumed;
    connection->request_consumed = 0;
    /* a pipelined request's bytes are here already: its clock starts now */
    connection->request_started = connection->request_length > 0;
    if (connection->request_started)
        connection->request_started_at = clock_now();
    if (connection->keep_alive && !connection->loop->draining) {
        wait_for_request(connection);
    } else {
        connection->close_reason = "done";
        connection->phase = PHASE_CLOSING;
    }
}

static enum action read_request(struct connection *connection)
{
    if (connection->request == NULL)
        connection->request = connection->loop->shared_request;
    for (;;) {
        if (connection->request_length > 0) {
            struct http_request request;
            size_t consumed = 0;
            int status = 0;
            enum http_parse_result parsed = http_parse_request(connection->request, connection->request_length,
                                                               &request, &consumed, &status);
            if (parsed == HTTP_PARSE_COMPLETE) {
                connection->request_consumed = consumed;
                answer_request(connection, &request);
                return ACTION_CONTINUE;
            }
            if (parsed == HTTP_PARSE_ERROR) {
                respond_with_error(connection, status);
                return ACTION_CONTINUE;
            }
        }
        /* stopping: a kept-alive connection closes between requests; a new
         * one is still owed the request it came for */
        if (connection->loop->draining && connection->request_length == 0 && connection->requests_served > 0) {
            connection->close_reason = "shutdown";
            connection->phase = PHASE_CLOSING;
            return ACTION_CONTINUE;
        }
        int error = 0;
        int received = tls_session_read(connection->tls,
                                        (unsigned char *)connection->request + connection->request_length,
                                        HTTP_MAX_HEADER_BYTES - connection->request_length, &error);
        if (received > 0) {
            /* The clock for a request head starts at its first byte and is
             * not wound back by more bytes: a slowloris client that sends
             * one byte at a time gets request_timeout, not forever. */
            if (connection->request_length == 0) {
                set_timer(connection, connection->config->request_timeout);
                connection->request_started_at = clock_now();
                connection->request_started = true;
            }
            connection->request_length += (size_t)received;
            continue;
        }
        switch (received) {
        case TLS_IO_WANT_READ:
            return ACTION_WAIT_READ;
        case TLS_IO_WANT_WRITE:
            return ACTION_WAIT_WRITE;
        case TLS_IO_CLOSED:
            connection->close_reason = "peer_close";
            connection->phase = PHASE_CLOSING;
            return ACTION_CONTINUE;
        default:
            return fail_established(connection, error);
        }
    }
}

static enum action send_response(struct connection *connection)
{
    if (connection->pending == NULL)
        connection->pending = connection->loop->shared_pending;
    assert(connection->pending != NULL);  /* the loop's buffers exist while it runs */
    for (;;) {
        /* bounds each connection's memory whatever the file size */
        if (tls_session_output_pending(connection->tls) >= TLS_OUTPUT_HIGH_WATER)
            return ACTION_WAIT_WRITE;
        if (connection->pending_sent == connection->pending_length) {
            if (connection->file_remaining == 0) {
                finish_response(connection);
                return ACTION_CONTINUE;
            }
            if (connection->pending != connection->loop->shared_pending) {
                free(connection->pending);  /* a parked remainder, sent */
                connection->pending = connection->loop->shared_pending;
            }
            connection->pending_length = 0;
            connection->pending_sent = 0;
            connection->pending_body_from = 0;
        }
        /* top up the plaintext buffer from the file: the head and the
         * start of the body share the first record */
        if (connection->file_remaining > 0 && connection->pending_sent == 0 &&
            connection->pending == connection->loop->shared_pending && connection->pending_length < PENDING_SIZE) {
            size_t room = PENDING_SIZE - connection->pending_length;
            size_t want = connection->file_remaining < room ? (size_t)connection->file_remaining : room;
            ssize_t got;
            if (connection->memory_body) {
                memcpy(connection->pending + connection->pending_length, connection->memory_body, want);
                connection->memory_body += want;
                got = (ssize_t)want;
            } else {
                got = read(connection->file_fd, connection->pending + connection->pending_length, want);
            }
            if (got <= 0) {
                log_message(LOG_LEVEL_ERROR, "conn=%llu reading the file for \"%s\" failed: %s",
                            (unsigned long long)connection->id, request_summary(connection),
                            got == 0 ? "it shrank while being sent" : strerror(errno));
                connection_destroy(connection, "file_error");
                return ACTION_DESTROYED;
            }
            connection->pending_length += (size_t)got;
            connection->file_remaining -= (uint64_t)got;
        }
        int error = 0;
        int written = tls_session_write(connection->tls, connection->pending + connection->pending_sent,
                                        connection->pending_length - connection->pending_sent, &error);
        connection->write_retry = written == TLS_IO_WANT_READ || written == TLS_IO_WANT_WRITE;
        if (written > 0) {
            connection->pending_sent += (size_t)written;
            connection->plaintext_sent += (uint64_t)written;
            continue;
        }
        if (written == TLS_IO_WANT_READ)
            return ACTION_WAIT_READ;
        if (written == TLS_IO_WANT_WRITE)
            return ACTION_WAIT_WRITE;
        if (written == TLS_IO_CLOSED) {
            connection_destroy(connection, "peer_close");
            return ACTION_DESTROYED;
        }
        return fail_established(connection, error);
    }
}

static enum action close_gracefully(struct connection *connection)
{
    if (connection->established && !connection->close_notify_queued) {
        int error = 0;
        enum tls_io result = tls_session_close_notify(connection->tls, &error);
        if (result == TLS_IO_WANT_READ || result == TLS_IO_WANT_WRITE)
            return result == TLS_IO_WANT_READ ? ACTION_WAIT_READ : ACTION_WAIT_WRITE;
        connection->close_notify_queued = true;
    }
    if (connection->tls_started && tls_session_output_pending(connection->tls) > 0)
        return ACTION_WAIT_WRITE;
    shutdown(connection->fd, SHUT_WR);
    connection->phase = PHASE_LINGER;
    set_timer(connection, LINGER_SECONDS);
    return ACTION_CONTINUE;
}

static enum action linger(struct connection *connection)
{
    char discard[4096];
    for (;;) {
        ssize_t got = recv(connection->fd, discard, sizeof discard, 0);
        if (got > 0) {
            connection->linger_bytes += (size_t)got;
            if (connection->linger_bytes > LINGER_MAX_BYTES)
                break;
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return ACTION_WAIT_READ;
        if (got < 0 && errno == EINTR)
            continue;
        break;
    }
    connection_destroy(connection, connection->close_reason ? connection->close_reason : "done");
    return ACTION_DESTROYED;
}

static enum action run_phase(struct connection *connection)
{
    switch (connection->phase) {
    case PHASE_PROXY_HEADER:
        return read_proxy_header(connection);
    case PHASE_WAIT_FIRST_BYTE:
        return start_tls(connection);
    case PHASE_HANDSHAKE:
        return do_handshake(connection);
    case PHASE_READ_REQUEST:
        return read_request(connection);
    case PHASE_SEND_RESPONSE:
        return send_response(connection);
    case PHASE_CLOSING:
        return close_gracefully(connection);
    case PHASE_LINGER:
    default:
        return linger(connection);
    }
}

/* A connection waiting for a slow reader keeps no plaintext of its body:
 * what was read but not yet encrypted goes back to the file (or the
 * memory it came from), to be read again when the reader catches up.
 * Not while Mbed TLS wants its last write repeated with the same bytes. */
static void give_back_body(struct connection *connection)
{
    size_t from = connection->pending_sent > connection->pending_body_from ? connection->pending_sent
                                                                           : connection->pending_body_from;
    if (connection->write_retry || from >= connection->pending_length)
        return;
    size_t unsent = connection->pending_length - from;
    if (connection->memory_body)
        connection->memory_body -= unsent;
    else if (connection->file_fd < 0 || lseek(connection->file_fd, -(off_t)unsent, SEEK_CUR) < 0)
        return;
    connection->file_remaining += unsent;
    connection->pending_length = from;
}

/* Before the connection waits: what it still needs moves out of the
 * loop's shared buffers into its own, and its own empty ones are freed. */
static int park_buffers(struct connection *connection)
{
    struct worker_loop *loop = connection->loop;
    if (connection->request != NULL) {
        bool shared = connection->request == loop->shared_request;
        if (connection->request_length == 0) {
            if (!shared)
                free(connection->request);
            connection->request = NULL;
        } else if (shared) {
            char *own = malloc(HTTP_MAX_HEADER_BYTES);
            if (own == NULL)
                return -1;
            memcpy(own, connection->request, connection->request_length);
            connection->request = own;
        }
    }
    if (connection->pending != NULL) {
        bool shared = connection->pending == loop->shared_pending;
        if (connection->phase == PHASE_SEND_RESPONSE)
            give_back_body(connection);
        /* unsent plaintext (the head, an error page, a write to repeat):
         * Mbed TLS wants it again, unchanged, on retry; only that is kept */
        if (connection->pending_sent == connection->pending_length) {
            if (!shared)
                free(connection->pending);
            connection->pending = NULL;
            connection->pending_length = connection->pending_sent = 0;
        } else if (shared) {
            size_t unsent = connection->pending_length - connection->pending_sent;
            unsigned char *own = malloc(unsent);
            if (own == NULL)
                return -1;
            memcpy(own, connection->pending + connection->pending_sent, unsent);
            connection->pending = own;
            connection->pending_body_from = connection->pending_body_from > connection->pending_sent
                                                ? connection->pending_body_from - connection->pending_sent : 0;
            connection->pending_length = unsent;
            connection->pending_sent = 0;
        }
    }
    return 0;
}

int connection_loop_setup(struct worker_loop *loop)
{
    loop->shared_request = malloc(HTTP_MAX_HEADER_BYTES);
    loop->shared_pending = malloc(PENDING_SIZE);
    if (loop->shared_request == NULL || loop->shared_pending == NULL) {
        connection_loop_free(loop);
        return -1;
    }
    return 0;
}

void connection_loop_free(struct worker_loop *loop)
{
    free(loop->shared_request);
    free(loop->shared_pending);
    loop->shared_request = NULL;
    loop->shared_pending = NULL;
}

static void connection_run(struct connection *connection)
{
    for (;;) {
        enum action action = run_phase(connection);
        if (action == ACTION_DESTROYED)
            return;
        if (action == ACTION_CONTINUE)
            continue;

        int flushed = 0;
        if (connection->tls_started) {
            uint64_t sent_before = tls_session_bytes_sent(connection->tls);
            flushed = tls_session_flush(connection->tls);
            if (flushed < 0) {
                connection_destroy(connection, "reset");
                return;
            }
            /* a slow reader that still makes progress is not idle */
            if (tls_session_bytes_sent(connection->tls) != sent_before && connection->phase == PHASE_SEND_RESPONSE)
                set_timer(connection, connection->config->idle_timeout);
        }
        if (action == ACTION_WAIT_WRITE && flushed == 0)
            continue;  /* the socket took it all: carry on */
        if (park_buffers(connection) != 0) {
            connection_destroy(connection, "out_of_memory");
            return;
        }

        if (action == ACTION_WAIT_READ)
            event_add(connection->read_event, NULL);
        else
            event_del(connection->read_event);
        if (flushed == 1)
            event_add(connection->write_event, NULL);
        else
            event_del(connection->write_event);
        return;
    }
}

static void on_socket_event(evutil_socket_t fd, short what, void *context)
{
    (void)fd;
    struct connection *connection = context;
    /* the socket has something to read: the next recv() is worth it */
    if ((what & EV_READ) && connection->tls_started)
        tls_session_socket_readable(connection->tls);
    connection_run(connection);
}

static void on_timeout(evutil_socket_t fd, short what, void *context)
{
    (void)fd;
    (void)what;
    struct connection *connection = context;
    switch (connection->phase) {
    case PHASE_PROXY_HEADER:
        fail_proxy_header(connection, "proxy_header_timeout",
                          connection->proxy_bytes_length > 0 ? "the header was not finished in time"
                                                             : "no header arrived in time");
        return;
    case PHASE_WAIT_FIRST_BYTE:
    case PHASE_HANDSHAKE:
        /* a started handshake closes as any failure does: run it */
        if (fail_handshake(connection, "handshake_timeout", 0) == ACTION_CONTINUE)
            connection_run(connection);
        return;
    case PHASE_READ_REQUEST:
        if (connection->request_length > 0) {
            /* a request started but never finished: say so, then close */
            respond_with_error(connection, 408);
        } else {
            connection->close_reason = "idle_timeout";
            connection->phase = PHASE_CLOSING;
        }
        set_timer(connection, connection->config->idle_timeout);
        connection_run(connection);
        return;
    case PHASE_SEND_RESPONSE:
        connection_destroy(connection, "send_timeout");
        return;
    case PHASE_CLOSING:
    case PHASE_LINGER:
    default:
        connection_destroy(connection, connection->close_reason ? connection->close_reason : "done");
        return;
    }
}

static bool proxy_allowed(const struct tlsd_config *config, const struct sockaddr *peer)
{
    for (size_t i = 0; i < config->proxy_from_count; i++)
        if (network_contains(&config->proxy_from[i], peer))
            return true;
    return false;
}

void connection_accept(struct worker_loop *loop, int fd, const struct sockaddr *peer, int peer_length,
                       bool proxy_protocol)
{
    (void)peer_length;
    struct connection *connection = calloc(1, sizeof *connection);
    if (connection == NULL) {
        log_message(LOG_LEVEL_ERROR, "out of memory accepting a connection");
        close(fd);
        return;
    }
    connection->loop = loop;
    /* held until it closes: a reload does not change what it started with */
    connection->generation = loop->generation;
    generation_hold(connection->generation);
    connection->config = connection->generation->config;
    connection->fd = fd;
    connection->file_fd = -1;
    connection->alert_sent = -1;
    connection->id = atomic_fetch_add_explicit(&accepted_total, 1, memory_order_relaxed) + 1;
    connection->phase = proxy_protocol ? PHASE_PROXY_HEADER : PHASE_WAIT_FIRST_BYTE;
    connection->accepted_at = clock_now();
    connection_format_address(peer, connection->peer, sizeof connection->peer);
    if (proxy_protocol)
        memcpy(connection->proxy, connection->peer, sizeof connection->proxy);
    connection->read_event = event_new(loop->base, fd, EV_READ | EV_PERSIST, on_socket_event, connection);
    connection->write_event = event_new(loop->base, fd, EV_WRITE | EV_PERSIST, on_socket_event, connection);
    connection->timer = evtimer_new(loop->base, on_timeout, connection);
    if (!connection->read_event || !connection->write_event || !connection->timer) {
        log_message(LOG_LEVEL_ERROR, "out of memory accepting a connection");
        if (connection->read_event)
            event_free(connection->read_event);
        if (connection->write_event)
            event_free(connection->write_event);
        if (connection->timer)
            event_free(connection->timer);
        close(fd);
        generation_release(connection->generation);
        free(connection);
        return;
    }
    connection->next = loop->connections;
    if (loop->connections)
        loop->connections->previous = connection;
    loop->connections = connection;
    loop->connection_count++;

    struct log_line line;
    begin_connection_line(&line, connection, LOG_LEVEL_DEBUG);
    log_line_event(&line, "accepted");
    log_line_end(&line);

    if (proxy_protocol && !proxy_allowed(connection->config, peer)) {
        fail_proxy_header(connection, "proxy_not_allowed",
                          "the peer is not in proxy_from, so its PROXY header cannot be trusted");
        return;
    }
    set_timer(connection,
              proxy_protocol ? connection->config->proxy_protocol_timeout : connection->config->handshake_timeout);
    event_add(connection->read_event, NULL);
}

void connection_drain_all(struct worker_loop *loop)
{
    loop->draining = true;
    struct connection *connection = loop->connections;
    while (connection) {
        struct connection *next = connection->next;
        switch (connection->phase) {
        case PHASE_PROXY_HEADER:
        case PHASE_WAIT_FIRST_BYTE:
        case PHASE_HANDSHAKE:
            /* A client whose connection was accepted is served: its
             * handshake finishes and its first request is answered, with
             * Connection: close. Cutting it would fail a request that no
             * load balancer retries. */
            break;
        case PHASE_READ_REQUEST:
            if (connection->request_length == 0 && connection->requests_served > 0) {
                connection->close_reason = "shutdown";
                connection->phase = PHASE_CLOSING;
                connection_run(connection);
            }
            break;
        default:
            connection->keep_alive = false;  /* finish this response, then close */
            break;
        }
        connection = next;
    }
}

void connection_close_all(struct worker_loop *loop)
{
    struct connection *connection = loop->connections;
    while (connection) {
        struct connection *next = connection->next;
        connection_destroy(connection, "shutdown_timeout");
        connection = next;
    }
}

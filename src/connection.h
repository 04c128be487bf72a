/* connection.h: one client, from accept to close: TLS handshake, HTTP
 * requests and responses, timeouts. Driven by libevent read/write events,
 * never by blocking calls. */
#ifndef TLSD_CONNECTION_H
#define TLSD_CONNECTION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

struct event_base;
struct tls_server;
struct connection;

/* What every connection of one event loop (one worker) shares. */
struct server_state {
    struct event_base *base;
    const struct tlsd_config *config;
    struct tls_server *tls;          /* the current generation; connections keep their own reference */
    int root_fd;                     /* the document root, open as a directory */
    struct file_cache *file_cache;   /* this worker's; NULL = none */
    unsigned max_connections;        /* this worker's share of max_connections */
    _Atomic unsigned connection_count;  /* atomic: the main thread reads it for STATUS= */
    bool draining;                   /* stopping: finish in-flight responses, accept nothing */
    struct connection *connections;  /* all open ones, for draining */
    /* called when a connection closes, e.g. to resume accepting */
    void (*on_connection_closed)(struct server_state *state);
    void *listener_context;
    void *worker;                    /* the worker this loop belongs to */
    /* Buffers lent to whichever connection is running: a request read and
     * answered within one turn of the loop (the usual case) needs no
     * buffer of its own, so an idle connection holds none. */
    char *shared_request;            /* HTTP_MAX_HEADER_BYTES */
    unsigned char *shared_pending;   /* plaintext of a response, one record */
};

/* Allocate (and free) the loop's shared buffers. Returns 0 or -1. */
int connection_state_setup(struct server_state *state);
void connection_state_free(struct server_state *state);

/* Connections accepted since start, over all workers (ids are unique
 * across workers). */
uint64_t connection_accepted_total(void);

/* Take over an accepted, non-blocking socket. With `proxy_protocol` the
 * peer must be in proxy_from and send a PROXY header first, which gives
 * the client's real address. On failure the socket is closed and logged. */
void connection_accept(struct server_state *state, int fd, const struct sockaddr *peer, int peer_length,
                       bool proxy_protocol);

/* Stop: connections idle between requests close now; every other one
 * goes on until its response is sent (a connection still in its handshake
 * or waiting for its first request gets that request answered), then
 * closes. */
void connection_drain_all(struct server_state *state);

/* Close every connection at once (the drain deadline passed). */
void connection_close_all(struct server_state *state);

/* "127.0.0.1:53422" or "[::1]:53422". */
void connection_format_address(const struct sockaddr *address, char *out, size_t size);

#endif

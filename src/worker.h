/* SPDX-License-Identifier: Apache-2.0 */
/* worker.h: the event loops that serve connections, one thread each
 * (`workers`), and the generations of configuration they serve with.
 *
 * The main thread keeps signals, timers and systemd notification; each
 * worker has its own event loop, its own listening sockets (SO_REUSEPORT)
 * and its own connections, so workers share nothing on the hot path but
 * the read-only TLS configuration, the session cache and the ticket keys. */
#ifndef TLSD_WORKER_H
#define TLSD_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct connection;
struct event_base;
struct file_cache;
struct listen_sockets;
struct tls_server;
struct worker;

/* One reload's worth of what connections are served with. Workers hold a
 * reference to the one they give new connections; each connection holds
 * one to the generation it was accepted with, and is served by it (TLS,
 * document root, headers, timeouts) until it closes. */
struct generation {
    struct tlsd_config *config;
    struct tls_server *tls;
    int root_fd;
    _Atomic unsigned references;
};

/* Takes ownership of all three; holds one reference. NULL when out of
 * memory (then nothing is taken). */
struct generation *generation_create(struct tlsd_config *config, struct tls_server *tls, int root_fd);
void generation_hold(struct generation *generation);
void generation_release(struct generation *generation);

/* One worker's event loop, as its listener and its connections see it:
 * the contract between worker.c, listener.c and connection.c. The worker
 * owns it and sets every field but the connection list and count, which
 * connection.c keeps. */
struct worker_loop {
    struct event_base *base;
    /* what new connections are served with (the worker's reference) */
    struct generation *generation;
    /* this worker's small files, for `generation` only: a reload clears it,
     * and a connection of an older generation looks up on disk */
    struct file_cache *file_cache;
    unsigned max_connections;           /* this worker's share of max_connections */
    _Atomic unsigned connection_count;  /* atomic: the main thread reads it for STATUS= */
    bool draining;                      /* stopping: finish in-flight responses, accept nothing */
    struct connection *connections;     /* all open ones, for draining */
    /* A connection closed: the worker resumes accepting, or finishes its
     * drain. The one entry back from connection.c, and the worker's. */
    void (*on_connection_closed)(struct worker *worker);
    struct worker *worker;
    /* Buffers lent to whichever connection is running: a request read and
     * answered within one turn of the loop (the usual case) needs no
     * buffer of its own, so an idle connection holds none. */
    char *shared_request;               /* HTTP_MAX_HEADER_BYTES */
    unsigned char *shared_pending;      /* plaintext of a response, one record */
};

struct worker_pool;

/* Set up `count` workers, each accepting on its own sockets from
 * `sockets`, and start their threads. `main_base` is told (its loop exits)
 * when every worker has stopped. Returns NULL with a message in `error`. */
struct worker_pool *worker_pool_start(struct event_base *main_base, unsigned count, struct listen_sockets *sockets,
                                      struct generation *generation, char *error, size_t error_size);

/* New connections get `generation` from now on (a reload). */
void worker_pool_update(struct worker_pool *pool, struct generation *generation);

/* Stop accepting; idle connections close, busy ones finish their response
 * within `timeout_seconds`. The main loop exits when all have stopped. */
void worker_pool_stop(struct worker_pool *pool, unsigned timeout_seconds);

/* Wait for the threads and free everything. */
void worker_pool_free(struct worker_pool *pool);

/* Open connections over all workers. */
unsigned worker_pool_connections(const struct worker_pool *pool);

/* `workers auto` (0): the CPUs this process may run on. */
unsigned worker_count(unsigned configured);

#endif

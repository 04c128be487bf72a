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
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct event_base;
struct listen_sockets;
struct tls_server;

/* One reload's worth of what connections are served with. Workers hold a
 * reference to the one they serve new connections with. */
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

/* SPDX-License-Identifier: Apache-2.0 */
/* listener.h: listening sockets and the accept loop. */
#ifndef TLSD_LISTENER_H
#define TLSD_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct worker_loop;
struct listener_set;

/* The listening sockets of every worker: fds[worker * CONFIG_MAX_LISTEN + i]
 * for the i-th address; -1 once a worker's listener has taken it. */
struct listen_sockets {
    int *fds;
    unsigned workers;
    size_t per_worker;
    bool proxy_protocol[CONFIG_MAX_LISTEN];  /* the i-th address expects a PROXY header */
};

/* Bind and listen on every address in `config`, once per worker (with
 * SO_REUSEPORT when there are several), or take the sockets systemd
 * passed (LISTEN_FDS), shared by all workers. Returns NULL with a message
 * in `error` when an address cannot be bound. */
struct listen_sockets *listener_open(const struct tlsd_config *config, unsigned workers, char *error,
                                     size_t error_size);

/* Close what no worker has taken, and free. */
void listener_close(struct listen_sockets *sockets);

/* Accept on `worker`'s sockets into `loop` (whose event loop runs them).
 * At the loop's max_connections accepting pauses, until
 * listener_connection_closed() finds a place free. */
struct listener_set *listener_start(struct worker_loop *loop, struct listen_sockets *sockets, unsigned worker,
                                    char *error, size_t error_size);

/* A connection of the loop closed (the worker says so): resume accepting
 * if it was paused at max_connections. NULL: no listener, nothing to do. */
void listener_connection_closed(struct listener_set *set);

/* Take every connection waiting in the kernel's listen queues: the
 * kernel completed their TCP handshake, and closing the listening socket
 * would reset them (a client mid-request to a load balancer sees an
 * error no retry covers). Done at the stop, right before listener_stop.
 * Returns how many were taken. */
unsigned listener_accept_backlog(struct listener_set *set);

/* Stop accepting and close the listening sockets. */
void listener_stop(struct listener_set *set);

#endif

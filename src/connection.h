/* SPDX-License-Identifier: Apache-2.0 */
/* connection.h: one client, from accept to close: TLS handshake, HTTP
 * requests and responses, timeouts. Driven by libevent read/write events,
 * never by blocking calls. */
#ifndef TLSD_CONNECTION_H
#define TLSD_CONNECTION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

struct connection;
struct worker_loop;

/* Allocate (and free) the loop's shared buffers. Returns 0 or -1. */
int connection_loop_setup(struct worker_loop *loop);
void connection_loop_free(struct worker_loop *loop);

/* Connections accepted since start, over all workers (ids are unique
 * across workers). */
uint64_t connection_accepted_total(void);

/* Take over an accepted, non-blocking socket. It is served with the
 * loop's generation of the moment (it holds a reference) until it closes.
 * With `proxy_protocol` the peer must be in proxy_from and send a PROXY
 * header first, which gives the client's real address. On failure the
 * socket is closed and logged. */
void connection_accept(struct worker_loop *loop, int fd, const struct sockaddr *peer, int peer_length,
                       bool proxy_protocol);

/* Stop: connections idle between requests close now; every other one
 * goes on until its response is sent (a connection still in its handshake
 * or waiting for its first request gets that request answered), then
 * closes. */
void connection_drain_all(struct worker_loop *loop);

/* Close every connection at once (the drain deadline passed). */
void connection_close_all(struct worker_loop *loop);

/* "127.0.0.1:53422" or "[::1]:53422". */
void connection_format_address(const struct sockaddr *address, char *out, size_t size);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* descriptors.h: the process's descriptor limit (RLIMIT_NOFILE) and the
 * connections it has room for. */
#ifndef TLSD_DESCRIPTORS_H
#define TLSD_DESCRIPTORS_H

#include <stdbool.h>
#include <stddef.h>

/* What descriptors_raise_limit() found and did. */
struct descriptor_limit {
    unsigned long before;   /* the soft limit tlsd was started with */
    unsigned long soft;     /* the soft limit now: what tlsd has */
    unsigned long hard;
    int error;              /* errno of a failed raise; 0 if none */
};

/* Raise the soft limit to the hard one, as nginx's worker_rlimit_nofile
 * does: the soft limit (1024 by default, for select()'s sake) is far
 * below what a server with thousands of connections needs, and tlsd
 * never uses select(). */
void descriptors_raise_limit(struct descriptor_limit *limit);

/* Descriptors a connection may hold: its socket, and the file it sends. */
#define DESCRIPTORS_PER_CONNECTION 2

/* Descriptors tlsd holds besides its connections: standard streams, the
 * notify and log sockets, the key log, event loops and their pipes, each
 * worker's listening sockets, document roots of generations still in use,
 * and files read briefly (configuration, keys, paths being resolved). */
unsigned long descriptors_reserved(unsigned workers, size_t listen_count);

/* The connections `limit` descriptors have room for, for `workers`
 * workers on `listen_count` addresses; 0 when not even the reserve fits. */
unsigned long descriptors_connections_fit(unsigned long limit, unsigned workers, size_t listen_count);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* descriptors.c: the descriptor limit, raised at start, and the
 * connections it has room for (max_connections is lowered to fit, so
 * that running out of descriptors is not how tlsd finds its limit). */
#include "descriptors.h"

#include <errno.h>
#include <sys/resource.h>

/* the process's own: standard streams (3), notify and log sockets (2), key
 * log (1), the main loop with its signal pair and the pool's pipe (6),
 * document roots of a few generations (4), files read briefly (4), spare */
#define RESERVED_PROCESS 24
/* each worker's: event loop and its wake-up (2), control pipe (2), paths
 * being resolved (2); plus one per listening socket */
#define RESERVED_PER_WORKER 6

static unsigned long as_count(rlim_t value)
{
    /* RLIM_INFINITY, or beyond what any count here needs */
    return value == RLIM_INFINITY || value > (rlim_t)~0UL / 2 ? ~0UL / 2 : (unsigned long)value;
}

void descriptors_raise_limit(struct descriptor_limit *limit)
{
    struct rlimit now;
    limit->error = 0;
    if (getrlimit(RLIMIT_NOFILE, &now) != 0) {
        limit->error = errno;
        limit->before = limit->soft = limit->hard = 0;
        return;
    }
    limit->before = limit->soft = as_count(now.rlim_cur);
    limit->hard = as_count(now.rlim_max);
    if (now.rlim_cur == now.rlim_max)
        return;
    struct rlimit raised = { .rlim_cur = now.rlim_max, .rlim_max = now.rlim_max };
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        limit->error = errno;
        return;
    }
    limit->soft = limit->hard;
}

unsigned long descriptors_reserved(unsigned workers, size_t listen_count)
{
    return RESERVED_PROCESS + (unsigned long)workers * (RESERVED_PER_WORKER + listen_count);
}

unsigned long descriptors_connections_fit(unsigned long limit, unsigned workers, size_t listen_count)
{
    unsigned long reserved = descriptors_reserved(workers, listen_count);
    return limit > reserved ? (limit - reserved) / DESCRIPTORS_PER_CONNECTION : 0;
}

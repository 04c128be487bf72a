/* listener.h: listening sockets and the accept loop. */
#ifndef TLSD_LISTENER_H
#define TLSD_LISTENER_H

#include <stddef.h>

#include "config.h"

struct server_state;
struct listener_set;

/* Bind and listen on every address in `config`, accepting into `state`.
 * Returns NULL with a message in `error` when an address cannot be bound. */
struct listener_set *listener_start(struct server_state *state, const struct tlsd_config *config,
                                    char *error, size_t error_size);

/* Stop accepting and close the listening sockets. */
void listener_stop(struct listener_set *set);

#endif

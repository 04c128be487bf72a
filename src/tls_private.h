/* SPDX-License-Identifier: Apache-2.0 */
/* tls_private.h: what the unit tests need of tls.c's Mbed TLS side, and
 * nothing the daemon uses: tls.c and tests/ include it, no other module.
 * tls.h is the boundary; this is the test's way through it. */
#ifndef TLSD_TLS_PRIVATE_H
#define TLSD_TLS_PRIVATE_H

#include <stdbool.h>

#include <mbedtls/ssl.h>

#include "tls.h"

struct ticket_keys;

/* Whether the handshake still has steps to run. True also for Mbed TLS
 * 3.6's TLS 1.3 NewSessionTicket states, which come after "handshake over"
 * but belong to the handshake as the log shows it. */
bool tls_handshake_pending(const mbedtls_ssl_context *ssl);

/* The server's configuration, to set up a session of a test's own on it. */
const mbedtls_ssl_config *tls_server_ssl_config(const struct tls_server *server);

/* The ticket keys in use. */
struct ticket_keys *tls_resumption_ticket_keys(struct tls_resumption *resumption);

#endif

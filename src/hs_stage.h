/* SPDX-License-Identifier: Apache-2.0 */
/* hs_stage.h: the handshake stages as data, and which stage a handshake
 * step completed (pure: no Mbed TLS, no log, no I/O).
 *
 * A stage is what one log line of the handshake stands for: a message on
 * the wire (client_hello ... finished_server), or the handshake's end.
 * Their names come from the list below, so a name can never disagree with
 * its stage. */
#ifndef TLSD_HS_STAGE_H
#define TLSD_HS_STAGE_H

#include <stdbool.h>

#include "tls_handshake_state.h"

#define HS_STAGES(X)                                                                                           \
    /* messages, in the order TLS 1.2 and 1.3 send them */                                                     \
    X(client_hello)                                                                                            \
    X(hello_retry_request)                                                                                     \
    X(server_hello)                                                                                            \
    X(encrypted_extensions)                                                                                    \
    X(certificate)                                                                                             \
    X(server_key_exchange)                                                                                     \
    X(certificate_verify)                                                                                      \
    X(server_hello_done)                                                                                       \
    X(client_key_exchange)                                                                                     \
    X(change_cipher_spec_client)                                                                               \
    X(finished_client)                                                                                         \
    X(new_session_ticket)                                                                                      \
    X(change_cipher_spec_server)                                                                               \
    X(finished_server)                                                                                         \
    /* the end */                                                                                              \
    X(established)                                                                                             \
    X(handshake_failed)                                                                                        \
    /* a failure in a state that sends or reads no message */                                                  \
    X(handshake)                                                                                               \
    /* a debug line per step, not a stage of the record */                                                    \
    X(step)

enum hs_stage {
    HS_STAGE_NONE,  /* a step that completed no message: no line */
#define HS_STAGE_ENUM(name) HS_STAGE_##name,
    HS_STAGES(HS_STAGE_ENUM)
#undef HS_STAGE_ENUM
    HS_STAGE_END
};

/* The stage's name ("server_hello"), NULL for HS_STAGE_NONE and values
 * out of range. */
const char *hs_stage_name(enum hs_stage stage);

/* Who sent a stage's message: the client, the server, or nobody (the
 * handshake's end, a failure, a step). */
enum hs_sender { HS_SENDER_NONE, HS_SENDER_CLIENT, HS_SENDER_SERVER };
enum hs_sender hs_stage_sender(enum hs_stage stage);
/* "client", "server", or NULL for HS_SENDER_NONE. */
const char *hs_sender_name(enum hs_sender sender);

/* What the mapping needs besides the states: what the server's own
 * records said so far, and the configuration. */
struct hs_stage_context {
    bool tls13;        /* the ServerHello sent said TLS 1.3 */
    bool hello_retry;  /* a HelloRetryRequest was sent */
    bool tickets_on;   /* the server issues session tickets */
};

/* What one completed step did. */
struct hs_step {
    enum hs_stage completed;  /* the stage the step finished (NONE: no message) */
    bool logged;              /* whether it gets a line: 3.6 passes through TLS 1.3's ticket
                               * states even with tickets off, and sends none */
    bool resumed;             /* a TLS 1.2 server_hello that skipped the certificate */
};

/* The step from `before` to `after` completed (Mbed TLS returned 0). */
struct hs_step hs_stage_step(const struct hs_stage_context *context, enum tls_handshake_state before,
                             enum tls_handshake_state after);

/* A step in `state` failed: the stage it was working on, or
 * HS_STAGE_handshake for a state that sends or reads no message. */
enum hs_stage hs_stage_in_progress(const struct hs_stage_context *context, enum tls_handshake_state state);

#endif

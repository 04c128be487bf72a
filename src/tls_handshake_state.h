/* SPDX-License-Identifier: Apache-2.0 */
/* tls_handshake_state.h: the server's handshake states, engine-neutral
 * (pure: no Mbed TLS). compat.c translates Mbed TLS's state numbers, which
 * differ between 2.28 and 3.6, into these; the handshake observer (tls.h's
 * step callback, hs_stage.c) sees only these.
 *
 * One list for both protocols, as Mbed TLS has it: TLS 1.2's states, then
 * those only TLS 1.3 passes through. */
#ifndef TLSD_TLS_HANDSHAKE_STATE_H
#define TLSD_TLS_HANDSHAKE_STATE_H

#define TLS_HANDSHAKE_STATES(X)                                                                                \
    X(HELLO_REQUEST)                                                                                           \
    X(CLIENT_HELLO)                                                                                            \
    X(SERVER_HELLO)                                                                                            \
    X(SERVER_CERTIFICATE)                                                                                      \
    X(SERVER_KEY_EXCHANGE)                                                                                     \
    X(CERTIFICATE_REQUEST)                                                                                     \
    X(SERVER_HELLO_DONE)                                                                                       \
    X(CLIENT_CERTIFICATE)                                                                                      \
    X(CLIENT_KEY_EXCHANGE)                                                                                     \
    X(CERTIFICATE_VERIFY)                                                                                      \
    X(CLIENT_CHANGE_CIPHER_SPEC)                                                                               \
    X(CLIENT_FINISHED)                                                                                         \
    X(SERVER_CHANGE_CIPHER_SPEC)                                                                               \
    X(SERVER_FINISHED)                                                                                         \
    X(FLUSH_BUFFERS)                                                                                           \
    X(HANDSHAKE_WRAPUP)                                                                                        \
    X(HANDSHAKE_OVER)                                                                                          \
    X(NEW_SESSION_TICKET)           /* TLS 1.2's (2.28: SERVER_NEW_SESSION_TICKET) */                          \
    X(HELLO_VERIFY_REQUEST_SENT)                                                                               \
    /* TLS 1.3 only */                                                                                         \
    X(HELLO_RETRY_REQUEST)                                                                                     \
    X(ENCRYPTED_EXTENSIONS)                                                                                    \
    X(END_OF_EARLY_DATA)                                                                                       \
    X(CLIENT_CERTIFICATE_VERIFY)                                                                               \
    X(CLIENT_CCS_AFTER_SERVER_FINISHED)                                                                        \
    X(CLIENT_CCS_BEFORE_2ND_CLIENT_HELLO)                                                                      \
    X(SERVER_CCS_AFTER_SERVER_HELLO)                                                                           \
    X(CLIENT_CCS_AFTER_CLIENT_HELLO)                                                                           \
    X(SERVER_CCS_AFTER_HELLO_RETRY_REQUEST)                                                                    \
    X(TLS13_NEW_SESSION_TICKET)                                                                                \
    X(TLS13_NEW_SESSION_TICKET_FLUSH)                                                                          \
    /* a state this list does not know (a newer library) */                                                    \
    X(UNKNOWN)

enum tls_handshake_state {
#define TLS_HANDSHAKE_STATE_ENUM(name) TLS_STATE_##name,
    TLS_HANDSHAKE_STATES(TLS_HANDSHAKE_STATE_ENUM)
#undef TLS_HANDSHAKE_STATE_ENUM
    TLS_STATE_COUNT
};

/* "SERVER_HELLO": Mbed TLS's name without its prefix, for debug lines. */
static inline const char *tls_handshake_state_name(enum tls_handshake_state state)
{
    static const char *const names[] = {
#define TLS_HANDSHAKE_STATE_NAME(name) [TLS_STATE_##name] = #name,
        TLS_HANDSHAKE_STATES(TLS_HANDSHAKE_STATE_NAME)
#undef TLS_HANDSHAKE_STATE_NAME
    };
    return (unsigned)state < TLS_STATE_COUNT ? names[state] : "UNKNOWN";
}

#endif

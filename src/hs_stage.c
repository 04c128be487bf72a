/* SPDX-License-Identifier: Apache-2.0 */
/* hs_stage.c: the handshake stages and the state -> stage tables.
 *
 * Mbed TLS runs the handshake as a state machine, one message per state.
 * tls.c steps it one state at a time and reports the state before and
 * after each step; a completed step finished the stage of the state it
 * started in. One table per protocol, since the same state means different
 * messages in TLS 1.2 and 1.3; states a handshake passes through without
 * a message (no client certificate is asked for) have no stage. */
#include "hs_stage.h"

#include <stddef.h>

static const char *const stage_names[HS_STAGE_END] = {
    [HS_STAGE_NONE] = NULL,
#define HS_STAGE_NAME(name) [HS_STAGE_##name] = #name,
    HS_STAGES(HS_STAGE_NAME)
#undef HS_STAGE_NAME
};

const char *hs_stage_name(enum hs_stage stage)
{
    return (unsigned)stage < HS_STAGE_END ? stage_names[stage] : NULL;
}

/* Who sends each message; the stages not listed are nobody's. */
static const enum hs_sender stage_senders[HS_STAGE_END] = {
    [HS_STAGE_client_hello] = HS_SENDER_CLIENT,
    [HS_STAGE_hello_retry_request] = HS_SENDER_SERVER,
    [HS_STAGE_server_hello] = HS_SENDER_SERVER,
    [HS_STAGE_encrypted_extensions] = HS_SENDER_SERVER,
    [HS_STAGE_certificate] = HS_SENDER_SERVER,  /* tlsd asks for no client certificate */
    [HS_STAGE_server_key_exchange] = HS_SENDER_SERVER,
    [HS_STAGE_certificate_verify] = HS_SENDER_SERVER,
    [HS_STAGE_server_hello_done] = HS_SENDER_SERVER,
    [HS_STAGE_client_key_exchange] = HS_SENDER_CLIENT,
    [HS_STAGE_change_cipher_spec_client] = HS_SENDER_CLIENT,
    [HS_STAGE_finished_client] = HS_SENDER_CLIENT,
    [HS_STAGE_new_session_ticket] = HS_SENDER_SERVER,
    [HS_STAGE_change_cipher_spec_server] = HS_SENDER_SERVER,
    [HS_STAGE_finished_server] = HS_SENDER_SERVER,
};

enum hs_sender hs_stage_sender(enum hs_stage stage)
{
    return (unsigned)stage < HS_STAGE_END ? stage_senders[stage] : HS_SENDER_NONE;
}

const char *hs_sender_name(enum hs_sender sender)
{
    switch (sender) {
    case HS_SENDER_CLIENT:
        return "client";
    case HS_SENDER_SERVER:
        return "server";
    default:
        return NULL;
    }
}

/* The state a step started in -> the stage it completed. Unlisted states
 * (and those listed as NONE) send or read no message. */
static const enum hs_stage tls12_stages[TLS_STATE_COUNT] = {
    [TLS_STATE_CLIENT_HELLO] = HS_STAGE_client_hello,
    [TLS_STATE_SERVER_HELLO] = HS_STAGE_server_hello,
    [TLS_STATE_SERVER_CERTIFICATE] = HS_STAGE_certificate,
    [TLS_STATE_SERVER_KEY_EXCHANGE] = HS_STAGE_server_key_exchange,
    [TLS_STATE_CERTIFICATE_REQUEST] = HS_STAGE_NONE,
    [TLS_STATE_SERVER_HELLO_DONE] = HS_STAGE_server_hello_done,
    [TLS_STATE_CLIENT_CERTIFICATE] = HS_STAGE_NONE,
    [TLS_STATE_CLIENT_KEY_EXCHANGE] = HS_STAGE_client_key_exchange,
    [TLS_STATE_CERTIFICATE_VERIFY] = HS_STAGE_NONE,
    [TLS_STATE_CLIENT_CHANGE_CIPHER_SPEC] = HS_STAGE_change_cipher_spec_client,
    [TLS_STATE_CLIENT_FINISHED] = HS_STAGE_finished_client,
    /* a step here that stays here wrote the NewSessionTicket (see below) */
    [TLS_STATE_SERVER_CHANGE_CIPHER_SPEC] = HS_STAGE_change_cipher_spec_server,
    [TLS_STATE_SERVER_FINISHED] = HS_STAGE_finished_server,
};

static const enum hs_stage tls13_stages[TLS_STATE_COUNT] = {
    [TLS_STATE_CLIENT_HELLO] = HS_STAGE_client_hello,
    [TLS_STATE_HELLO_RETRY_REQUEST] = HS_STAGE_hello_retry_request,
    [TLS_STATE_SERVER_HELLO] = HS_STAGE_server_hello,
    [TLS_STATE_ENCRYPTED_EXTENSIONS] = HS_STAGE_encrypted_extensions,
    [TLS_STATE_CERTIFICATE_REQUEST] = HS_STAGE_NONE,
    [TLS_STATE_SERVER_CERTIFICATE] = HS_STAGE_certificate,
    [TLS_STATE_CERTIFICATE_VERIFY] = HS_STAGE_certificate_verify,
    [TLS_STATE_SERVER_FINISHED] = HS_STAGE_finished_server,
    [TLS_STATE_CLIENT_CERTIFICATE] = HS_STAGE_NONE,
    [TLS_STATE_CLIENT_CERTIFICATE_VERIFY] = HS_STAGE_NONE,
    [TLS_STATE_CLIENT_FINISHED] = HS_STAGE_finished_client,
    [TLS_STATE_TLS13_NEW_SESSION_TICKET] = HS_STAGE_new_session_ticket,
};

/* States only TLS 1.3 passes through. */
static bool tls13_only(enum tls_handshake_state state)
{
    return state >= TLS_STATE_HELLO_RETRY_REQUEST && state <= TLS_STATE_TLS13_NEW_SESSION_TICKET_FLUSH;
}

/* The ServerHello says which protocol it is; until tlsd has read it from
 * its own records (3.6 sends TLS 1.3's first flight in one go, after the
 * step that made the ServerHello) both tables agree, but for the states
 * only TLS 1.3 has. */
static const enum hs_stage *table_for(const struct hs_stage_context *context, enum tls_handshake_state before)
{
    return context->tls13 || context->hello_retry || tls13_only(before) ? tls13_stages : tls12_stages;
}

static enum hs_stage lookup(const enum hs_stage *table, enum tls_handshake_state state)
{
    return (unsigned)state < TLS_STATE_COUNT ? table[state] : HS_STAGE_NONE;
}

struct hs_step hs_stage_step(const struct hs_stage_context *context, enum tls_handshake_state before,
                             enum tls_handshake_state after)
{
    struct hs_step step = { HS_STAGE_NONE, false, false };
    const enum hs_stage *table = table_for(context, before);
    if (before == TLS_STATE_CLIENT_HELLO && after == TLS_STATE_CLIENT_HELLO) {
        /* 3.6 reads every hello in its TLS 1.3 code first; a step that
         * stays at CLIENT_HELLO hands a TLS 1.2 hello over to the 1.2 code */
        return step;
    }
    if (table == tls12_stages && before == TLS_STATE_SERVER_CHANGE_CIPHER_SPEC && after == before) {
        /* Mbed TLS writes TLS 1.2's NewSessionTicket from this state and
         * stays there for the ChangeCipherSpec itself */
        step.completed = HS_STAGE_new_session_ticket;
    } else {
        step.completed = lookup(table, before);
    }
    step.logged = step.completed != HS_STAGE_NONE &&
                  !(step.completed == HS_STAGE_new_session_ticket && !context->tickets_on);
    /* TLS 1.2 resumption skips the certificate: Mbed TLS goes from the
     * ServerHello straight to ChangeCipherSpec (or its ticket) */
    step.resumed = step.completed == HS_STAGE_server_hello && after == TLS_STATE_SERVER_CHANGE_CIPHER_SPEC;
    return step;
}

enum hs_stage hs_stage_in_progress(const struct hs_stage_context *context, enum tls_handshake_state state)
{
    enum hs_stage stage = lookup(table_for(context, state), state);
    return stage != HS_STAGE_NONE ? stage : HS_STAGE_handshake;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* hslog.h: the handshake stage log. Every stage of a connection's TLS
 * handshake gets one line, in wire order, with the time since the
 * connection's first byte and the facts of that stage: what the client
 * offered (read from its ClientHello), what the server chose (read from
 * the server's own ServerHello and ServerKeyExchange), the chain sent,
 * and at the end how it went.
 *
 * The parts: hs_stage.c says which stage a step completed (pure, over
 * tlsd's own handshake states), hslog_facts.c describes the facts once for
 * the line and the record, hslog_record.c keeps the handshake record and
 * makes its JSON, and this module captures the wire and writes the lines.
 * It knows TLS only through tls.h's accessors. */
#ifndef TLSD_HSLOG_H
#define TLSD_HSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "clienthello.h"
#include "hs_stage.h"
#include "hslog_record.h"
#include "tls_handshake_state.h"

struct tls_session;

#define HSLOG_MAX_PENDING HSLOG_MAX_STAGES

/* A stage whose step completed but whose line waits for its facts: Mbed
 * TLS 3.6 sends a TLS 1.3 flight (ServerHello ... Finished) in one go after
 * the last of its steps, and the ServerHello's facts are read from it. */
struct hslog_event {
    enum hs_stage stage;
    double t_ms;
    bool resumed;                 /* server_hello of TLS 1.2: the step skipped the certificate */
};

struct hslog {
    uint64_t connection_id;
    const char *peer;
    struct timespec first_byte;

    /* the client's bytes, kept until the handshake ends (bounded) */
    unsigned char *inbound;
    size_t inbound_length;
    size_t inbound_capacity;
    size_t inbound_parsed;        /* bytes of records already read as ClientHellos */
    struct clienthello *hello;    /* the latest ClientHello, once parsed */
    enum clienthello_status hello_status;
    unsigned client_hellos;       /* 2 after a HelloRetryRequest */
    size_t hello_offset;          /* where in `inbound` the latest ClientHello's records start */

    /* what the server sent, from its own plaintext records */
    uint16_t server_version;      /* 0x0303 / 0x0304; 0 until the ServerHello */
    uint16_t server_suite;
    uint16_t group;               /* key exchange group, 0 if unknown */
    uint16_t hello_retry_group;
    uint16_t signature_algorithm;
    bool server_resumed_psk;      /* TLS 1.3 ServerHello with pre_shared_key */
    bool server_sent_ccs;         /* later TLS 1.2 handshake records are encrypted */
    bool hello_retry;
    int alert_sent;               /* description, -1 if none seen */
    int alert_received;

    /* for the handshake record: the ServerHello's random and session id,
     * and the headers of the records sent */
    uint8_t server_random[32];
    uint8_t session_id[32];
    size_t session_id_length;
    size_t server_wire_count;
    struct hslog_wire_record server_wire[HSLOG_MAX_WIRE_RECORDS];

    bool server_hello_seen;
    bool server_key_exchange_seen;
    bool resumed;
    bool finished;                /* established or failed was logged */
    const struct tls_session *session;
    struct hslog_event pending[HSLOG_MAX_PENDING];
    size_t pending_count;
    enum hs_stage stage_in_progress;  /* where a failure stops */
    enum hs_stage last_stage;     /* the latest stage whose step completed */

    /* every stage logged, for the handshake record */
    struct hslog_stage_time stages[HSLOG_MAX_STAGES];
    size_t stage_count;
    bool keep_record;             /* keep `record` when established */
    struct hslog_record *record;  /* the facts of the handshake, for the client that asks */
};

void hslog_init(struct hslog *log, uint64_t connection_id, const char *peer, const struct timespec *first_byte);
void hslog_free(struct hslog *log);

/* tls_session callbacks (tls_observer; context = the hslog) */
void hslog_received(void *context, const unsigned char *bytes, size_t length);
void hslog_sent(void *context, const unsigned char *bytes, size_t length);
void hslog_step(void *context, struct tls_session *session, enum tls_handshake_state state_before,
                enum tls_handshake_state state_after, int result);

/* The handshake completed: the `established` line. Frees the capture. */
void hslog_established(struct hslog *log, const struct tls_session *session);

/* The handshake failed: the ClientHello if it was read but not logged yet,
 * then `handshake_failed` with the stage, the reason (and Mbed TLS's text
 * for `error` when not 0), the alerts sent and received, and the bytes
 * received. `session` may be NULL when TLS never started. */
void hslog_failed(struct hslog *log, const struct tls_session *session, const char *reason, int error);

/* Ask for the handshake record (hslog_record.h), made when the handshake
 * is established; hslog_take_record() hands it over (the caller frees it)
 * after hslog_established(), or returns NULL. The record becomes JSON with
 * hslog_record_json(). */
void hslog_keep_record(struct hslog *log);
struct hslog_record *hslog_take_record(struct hslog *log);



#endif

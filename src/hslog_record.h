/* SPDX-License-Identifier: Apache-2.0 */
/* hslog_record.h: the handshake record, the facts the handshake endpoint
 * shows. It is kept compact (the ClientHello as its bytes) for the
 * connection's life and turned into JSON only when the client asks: most
 * connections never do, and formatting it for each of them cost more than
 * a resumed handshake's own work. */
#ifndef TLSD_HSLOG_RECORD_H
#define TLSD_HSLOG_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clienthello.h"
#include "hs_stage.h"

struct tls_session;

#define HSLOG_MAX_STAGES 24
#define HSLOG_MAX_WIRE_RECORDS 16
#define HSLOG_CLIENT 0
#define HSLOG_SERVER 1

/* A record on the wire (its header): content type and fragment length. */
struct hslog_wire_record {
    uint8_t type;
    uint16_t length;
};

/* A stage logged, and when (milliseconds since the connection's first
 * byte; a float keeps microseconds for the first 16 s, and the record is
 * kept as long as the connection: 8 bytes, not 16). */
struct hslog_stage_time {
    float t_ms;
    uint8_t stage;                  /* enum hs_stage */
};
_Static_assert(HS_STAGE_END <= UINT8_MAX, "a stage fits struct hslog_stage_time's byte");

struct hslog_record {
    uint64_t connection_id;
    uint16_t server_version;
    uint16_t server_suite;
    uint16_t group;                 /* 0 if unknown */
    uint16_t signature_algorithm;   /* 0 if unknown */
    bool resumed;
    bool hello_retry;
    bool failed;                    /* the handshake stopped (the record of a failure) */
    enum hs_stage failed_at;        /* where, when failed */
    int alert_sent;                 /* description, -1 if none */
    int alert_received;
    double handshake_ms;
    bool randoms_known;             /* client_random and server_random are filled in */
    uint8_t client_random[32];
    uint8_t server_random[32];
    size_t session_id_length;       /* the ServerHello's session id (TLS 1.3: the echo) */
    uint8_t session_id[32];
    /* the first records each way ([HSLOG_CLIENT], [HSLOG_SERVER]), in order */
    size_t wire_count[2];
    struct hslog_wire_record wire[2][HSLOG_MAX_WIRE_RECORDS];
    size_t stage_count;
    struct hslog_stage_time stages[HSLOG_MAX_STAGES];
    enum clienthello_status hello_status;
    size_t hello_length;
    unsigned char hello_bytes[];    /* the ClientHello's records, as received */
};

/* A record holding a copy of the ClientHello's records (`hello_length`
 * may be 0); the caller fills in the rest and frees it. NULL when out of
 * memory. */
struct hslog_record *hslog_record_new(const unsigned char *hello_bytes, size_t hello_length);

/* Records of a failure are not kept today (the connection closes); the
 * renderers (ladder.c) still draw them. */

/* The record as JSON (malloc'd; NULL when out of memory). `session` is the
 * connection's, for the chain sent and the negotiated names. */
char *hslog_record_json(const struct hslog_record *record, const char *peer, const struct tls_session *session);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* ladder.h: the handshake record drawn as a ladder diagram, two columns
 * (the client, tlsd) and one arrow per message, grouped into flights, with
 * the round trips, the time of each message and a lock on what travels
 * encrypted: as SVG (the page's <img>) and as text for a terminal (80
 * columns). Pure: a function of the record (hslog_record.h), nothing else. */
#ifndef TLSD_LADDER_H
#define TLSD_LADDER_H

#include <stdbool.h>
#include <stddef.h>

#include "hs_stage.h"
#include "hslog_record.h"

#define LADDER_MAX_MESSAGES HSLOG_MAX_STAGES
/* The text ladder's width, in columns, never exceeded. */
#define LADDER_TEXT_WIDTH 80

/* One message of the handshake, as drawn. */
struct ladder_message {
    const char *name;        /* "ClientHello" */
    double t_ms;             /* when tlsd sent it or finished reading it */
    enum hs_stage stage;
    unsigned size;           /* bytes of the record it travelled in (fragment); 0: unknown */
    unsigned record;         /* that record's number in its direction, from 1; 0: unknown */
    unsigned flight;         /* from 1: messages one side sends before waiting for the other */
    unsigned round_trip;     /* the round trip a server flight completes (0: none) */
    bool from_client;
    bool encrypted;
};

/* The messages of a record, in wire order, into `out` (at most `max`):
 * how many. A stage that is not a message (established, the failure) is
 * left out. */
size_t ladder_messages(const struct hslog_record *record, struct ladder_message *out, size_t max);

/* The message's name for a stage ("ServerKeyExchange"), NULL for a stage
 * that is not a message. */
const char *ladder_message_name(enum hs_stage stage);

/* The round trips the client waited for before it could send its request. */
unsigned ladder_round_trips(const struct ladder_message *messages, size_t count);

/* The ladder as an SVG document / as text lines of at most
 * LADDER_TEXT_WIDTH columns (malloc'd, NUL-terminated; NULL when out of
 * memory). */
char *ladder_svg(const struct hslog_record *record);
char *ladder_text(const struct hslog_record *record);

#endif

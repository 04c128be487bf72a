/* SPDX-License-Identifier: Apache-2.0 */
/* hslog_facts.h: the facts of a handshake as the log line and the JSON
 * record both show them, described once (pure: clienthello.h only). Each
 * output has its own keys, order and way of writing "none"; the facts and
 * their values are the same. */
#ifndef TLSD_HSLOG_FACTS_H
#define TLSD_HSLOG_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clienthello.h"

/* What a ClientHello offered. */
enum hslog_hello_fact {
    HSLOG_HELLO_RECORD_VERSION,        /* text */
    HSLOG_HELLO_CLIENT_VERSION,        /* text */
    HSLOG_HELLO_OFFERED_VERSIONS,      /* list: supported_versions, else the client_version */
    HSLOG_HELLO_SNI,                   /* text, NULL when none */
    HSLOG_HELLO_ALPN,                  /* list */
    HSLOG_HELLO_OFFERED_SUITES,        /* count, GREASE left out */
    HSLOG_HELLO_CIPHER_SUITES,         /* list */
    HSLOG_HELLO_GROUPS,                /* list */
    HSLOG_HELLO_KEY_SHARES,            /* list; `sent` says whether there was one */
    HSLOG_HELLO_SIGNATURE_ALGORITHMS,  /* list */
    HSLOG_HELLO_EXTENSIONS,            /* list, in the client's order */
    HSLOG_HELLO_RESUMPTION_OFFERED,    /* list: session_id, ticket, psk */
    HSLOG_HELLO_SESSION_ID_LENGTH,     /* count */
    HSLOG_HELLO_JA3,                   /* text */
    HSLOG_HELLO_JA4,                   /* text */
};

enum hslog_value_kind { HSLOG_VALUE_TEXT, HSLOG_VALUE_LIST, HSLOG_VALUE_COUNT };

/* One fact's value. Lists hold names (IANA's, or 0x%04x for values
 * without one), in the client's order, GREASE left out. Valid only
 * during the emit call. */
struct hslog_value {
    enum hslog_value_kind kind;
    const char *text;           /* TEXT (NULL: not sent) */
    const char *const *items;   /* LIST */
    size_t item_count;
    bool sent;                  /* LIST: the client's list had any entry at all, GREASE included */
    uint64_t count;             /* COUNT */
};

typedef void hslog_value_emit(void *context, const struct hslog_value *value);

/* Describe one fact of `hello` (parsed: CLIENTHELLO_OK) to `emit`. */
void hslog_facts_hello(const struct clienthello *hello, enum hslog_hello_fact fact, hslog_value_emit *emit,
                       void *context);

/* A protocol version's name ("TLS1.2"), or "unknown". */
const char *hslog_facts_version_name(uint16_t version);
/* A group's / signature scheme's name; "unknown" for 0 and values
 * without one. */
const char *hslog_facts_group_name(uint16_t group);
const char *hslog_facts_signature_name(uint16_t scheme);

#endif

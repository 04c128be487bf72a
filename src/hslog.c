/* SPDX-License-Identifier: Apache-2.0 */
/* hslog.c: the handshake stage log.
 *
 * tls.c reports each handshake step (hslog_step) and the bytes crossing
 * the wire (hslog_received, hslog_sent); hs_stage.c says which stage a
 * step completed. The facts of each stage come from the bytes on the
 * wire: the client's records (its ClientHello, parsed in full by
 * clienthello.c) and the server's own plaintext records (ServerHello,
 * ServerKeyExchange, alerts), so the log says what was really sent, on
 * 2.28 and 3.6 alike. hslog_facts.c describes the ClientHello for this
 * log and for the handshake record (hslog_record.c) alike. */
#include "hslog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hslog_facts.h"
#include "log.h"
#include "tls.h"
#include "tls_names.h"

#define TLS_RECORD_CHANGE_CIPHER_SPEC 20
#define TLS_RECORD_ALERT 21
#define TLS_RECORD_HANDSHAKE 22
#define HANDSHAKE_SERVER_HELLO 2
#define HANDSHAKE_SERVER_KEY_EXCHANGE 12
#define EXTENSION_PRE_SHARED_KEY 41
#define EXTENSION_SUPPORTED_VERSIONS 43
#define EXTENSION_KEY_SHARE 51
#define INBOUND_FIRST_CAPACITY 2048

/* ---- names */

/* The chosen group's name ("x25519"), NULL if none was seen. */
static const char *hslog_group_name(const struct hslog *log)
{
    return log->group == 0 ? NULL : hslog_facts_group_name(log->group);
}

/* ---- lines */

static void begin_stage_at(struct hslog *log, struct log_line *line, enum hs_stage stage, double t_ms)
{
    if (stage != HS_STAGE_step && log->stage_count < HSLOG_MAX_STAGES) {
        log->stages[log->stage_count].stage = (uint8_t)stage;
        log->stages[log->stage_count].t_ms = (float)t_ms;
        log->stage_count++;
    }
    log_line_begin(line, LOG_LEVEL_INFO);
    log_line_unsigned(line, "conn", log->connection_id);
    log_line_string(line, "peer", log->peer);
    log_line_string(line, "stage", hs_stage_name(stage));
    const char *from = hs_sender_name(hs_stage_sender(stage));
    if (from)
        log_line_string(line, "from", from);
    log_line_decimal(line, "t_ms", t_ms, 3);
}

static void begin_stage(struct hslog *log, struct log_line *line, enum hs_stage stage)
{
    begin_stage_at(log, line, stage, milliseconds_since(&log->first_byte));
}

/* The ClientHello's facts, in the line's order and with its keys. At
 * info the line is short enough to read (versions, SNI, ALPN, counts,
 * JA4); at debug it has every list in full. */
enum hello_field_shown { SHOWN_ALWAYS, SHOWN_AT_DEBUG, SHOWN_AS_COUNT_AT_INFO };

struct hello_field {
    const char *key;
    const char *if_none;   /* the text for no value or an empty list (NULL: the empty text) */
    enum hslog_hello_fact fact;
    bool only_if_sent;     /* no field when the client sent no such list */
    enum hello_field_shown shown;
    const char *count_key; /* SHOWN_AS_COUNT_AT_INFO: the key of its count */
};

static const struct hello_field hello_fields[] = {
    { "record_version", NULL, HSLOG_HELLO_RECORD_VERSION, false, SHOWN_AT_DEBUG, NULL },
    { "client_version", NULL, HSLOG_HELLO_CLIENT_VERSION, false, SHOWN_AT_DEBUG, NULL },
    { "offered_versions", NULL, HSLOG_HELLO_OFFERED_VERSIONS, false, SHOWN_ALWAYS, NULL },
    { "sni", "none", HSLOG_HELLO_SNI, false, SHOWN_ALWAYS, NULL },
    { "alpn", "none", HSLOG_HELLO_ALPN, false, SHOWN_ALWAYS, NULL },
    { "offered_suites", NULL, HSLOG_HELLO_OFFERED_SUITES, false, SHOWN_ALWAYS, NULL },
    { "cipher_suites", NULL, HSLOG_HELLO_CIPHER_SUITES, false, SHOWN_AT_DEBUG, NULL },
    { "groups", "none", HSLOG_HELLO_GROUPS, false, SHOWN_AS_COUNT_AT_INFO, "offered_groups" },
    { "key_shares", NULL, HSLOG_HELLO_KEY_SHARES, true, SHOWN_AT_DEBUG, NULL },
    { "signature_algorithms", "none", HSLOG_HELLO_SIGNATURE_ALGORITHMS, false, SHOWN_AT_DEBUG, NULL },
    { "extensions", "none", HSLOG_HELLO_EXTENSIONS, false, SHOWN_AS_COUNT_AT_INFO, "offered_extensions" },
    { "resumption_offered", "none", HSLOG_HELLO_RESUMPTION_OFFERED, false, SHOWN_ALWAYS, NULL },
    { "session_id_length", NULL, HSLOG_HELLO_SESSION_ID_LENGTH, false, SHOWN_AT_DEBUG, NULL },
    { "ja3", NULL, HSLOG_HELLO_JA3, false, SHOWN_AT_DEBUG, NULL },
    { "ja4", NULL, HSLOG_HELLO_JA4, false, SHOWN_ALWAYS, NULL },
};

struct hello_line {
    struct log_line *line;
    const struct hello_field *field;
    bool debug;
};

static void hello_field_value(void *context, const struct hslog_value *value)
{
    const struct hello_line *hello = context;
    const struct hello_field *field = hello->field;
    switch (value->kind) {
    case HSLOG_VALUE_TEXT:
        log_line_optional(hello->line, field->key, value->text, field->if_none ? field->if_none : "");
        break;
    case HSLOG_VALUE_COUNT:
        log_line_unsigned(hello->line, field->key, value->count);
        break;
    case HSLOG_VALUE_LIST:
        if (field->only_if_sent && !value->sent && !log_line_json(hello->line))
            break;   /* JSON has [], as the handshake endpoint does */
        if (field->shown == SHOWN_AS_COUNT_AT_INFO && !hello->debug)
            log_line_unsigned(hello->line, field->count_key, value->item_count);
        else
            log_line_list(hello->line, field->key, value->items, value->item_count,
                          field->if_none ? field->if_none : "");
        break;
    }
}

static void log_client_hello(struct hslog *log)
{
    struct log_line line;
    begin_stage(log, &line, HS_STAGE_client_hello);
    if (!log_line_enabled(&line))
        return;  /* the names and fingerprints below cost more than the rest of a resumption */
    bool debug = log_enabled(LOG_LEVEL_DEBUG);
    for (size_t i = 0; i < sizeof hello_fields / sizeof *hello_fields; i++) {
        if (hello_fields[i].shown == SHOWN_AT_DEBUG && !debug)
            continue;
        struct hello_line context = { &line, &hello_fields[i], debug };
        hslog_facts_hello(log->hello, hello_fields[i].fact, hello_field_value, &context);
    }
    log_line_end(&line);
}

/* Parse the next ClientHello in the captured bytes, skipping the
 * ChangeCipherSpec a TLS 1.3 client may send before its second hello. */
static void parse_client_hello(struct hslog *log)
{
    static _Thread_local uint8_t scratch[CLIENTHELLO_MAX_MESSAGE];
    size_t offset = log->inbound_parsed;
    while (log->inbound_length - offset >= 5 && log->inbound[offset] == TLS_RECORD_CHANGE_CIPHER_SPEC) {
        size_t record = 5 + ((size_t)log->inbound[offset + 3] << 8 | log->inbound[offset + 4]);
        if (log->inbound_length - offset < record)
            break;
        offset += record;
    }
    if (log->hello == NULL) {
        log->hello = malloc(sizeof *log->hello);
        if (log->hello == NULL) {
            log->hello_status = CLIENTHELLO_INVALID;
            return;
        }
    }
    log->hello_status = clienthello_parse_records(log->inbound + offset, log->inbound_length - offset,
                                                  log->hello, scratch);
    if (log->hello_status == CLIENTHELLO_OK) {
        log->hello_offset = offset;
        log->inbound_parsed = offset + log->hello->record_bytes;
    }
}

static void log_parse_failure(struct hslog *log)
{
    static const char *const reasons[] = {
        [CLIENTHELLO_INCOMPLETE] = "incomplete",
        [CLIENTHELLO_OK] = "ok",
        [CLIENTHELLO_NOT_TLS] = "not_tls",
        [CLIENTHELLO_INVALID] = "malformed",
        [CLIENTHELLO_TOO_LARGE] = "too_large",
    };
    struct log_line line;
    begin_stage(log, &line, HS_STAGE_client_hello);
    log_line_string(&line, "parse_error", reasons[log->hello_status]);
    const struct clienthello *hello = log->hello;
    if (log->hello_status == CLIENTHELLO_INVALID && hello != NULL && hello->malformed_where != NULL) {
        char detail[96];
        if (hello->malformed_in_extension) {
            const char *name = clienthello_extension_name(hello->malformed_extension);
            if (name)
                snprintf(detail, sizeof detail, "extension %s: %s", name, hello->malformed_where);
            else
                snprintf(detail, sizeof detail, "extension 0x%04x: %s", hello->malformed_extension,
                         hello->malformed_where);
        } else {
            snprintf(detail, sizeof detail, "%s", hello->malformed_where);
        }
        log_line_string(&line, "detail", detail);
    }
    log_line_unsigned(&line, "bytes", log->inbound_length - log->inbound_parsed);
    log_line_end(&line);
}

/* The suite as IANA names it (what Wireshark shows), and as OpenSSL does
 * (what curl's --ciphers takes) when it has a name there. */
static void suite_fields(struct log_line *line, uint16_t suite)
{
    const char *iana = suite ? clienthello_cipher_suite_name(suite) : NULL;
    log_line_string(line, "suite", iana ? iana : "unknown");
    const char *openssl = suite ? tls_suite_openssl_name(suite) : NULL;
    if (openssl)
        log_line_string(line, "suite_openssl", openssl);
}

static void log_server_hello(struct hslog *log, const struct hslog_event *event)
{
    struct log_line line;
    begin_stage_at(log, &line, HS_STAGE_server_hello, event->t_ms);
    log_line_string(&line, "version",
                    log->server_hello_seen ? hslog_facts_version_name(log->server_version) : "unknown");
    suite_fields(&line, log->server_hello_seen ? log->server_suite : 0);
    if (log->server_version == 0x0304)
        log_line_optional(&line, "group", hslog_group_name(log), "none");
    log->resumed = log->server_version == 0x0304 ? log->server_resumed_psk : event->resumed;
    log_line_bool(&line, "resumed", log->resumed);
    log_line_optional(&line, "alpn", tls_session_alpn(log->session), "none");
    log_line_end(&line);
}

static void certificate_fields(void *context, const struct tls_certificate_info *certificate)
{
    struct log_line *line = context;
    char key[80];
    snprintf(key, sizeof key, "cert%u_subject", certificate->position);
    log_line_string(line, key, certificate->subject);
    snprintf(key, sizeof key, "cert%u_issuer", certificate->position);
    log_line_string(line, key, certificate->issuer);
    snprintf(key, sizeof key, "cert%u_key", certificate->position);
    log_line_string(line, key, certificate->key);
    snprintf(key, sizeof key, "cert%u_not_after", certificate->position);
    log_line_string(line, key, certificate->not_after);
}

static void log_certificate(struct hslog *log, const struct hslog_event *event)
{
    struct log_line line;
    begin_stage_at(log, &line, HS_STAGE_certificate, event->t_ms);
    if (!log_line_enabled(&line))
        return;
    unsigned count = tls_server_describe_chain(tls_session_server(log->session), certificate_fields, &line);
    log_line_unsigned(&line, "chain_length", count);
    log_line_end(&line);
}

/* TLS 1.3's CertificateVerify is encrypted; Mbed TLS signs with the first
 * scheme in the client's signature_algorithms that fits the key, so that
 * is what it used. */
static uint16_t tls13_signature_algorithm(const struct hslog *log)
{
    bool rsa;
    size_t bits;
    tls_server_key_type(tls_session_server(log->session), &rsa, &bits);
    if (log->hello == NULL)
        return 0;
    const struct clienthello_list *offered = &log->hello->signature_algorithms;
    for (size_t i = 0; i < offered->count && i < CLIENTHELLO_MAX_LIST; i++) {
        uint16_t scheme = offered->values[i];
        if (rsa && (scheme == 0x0804 || scheme == 0x0805 || scheme == 0x0806))
            return scheme;
        if (!rsa && ((bits == 256 && scheme == 0x0403) || (bits == 384 && scheme == 0x0503) ||
                     (bits == 521 && scheme == 0x0603)))
            return scheme;
    }
    return 0;
}

/* A line with at most one fact. */
static void log_simple_stage(struct hslog *log, const struct hslog_event *event, const char *key, const char *value)
{
    struct log_line line;
    begin_stage_at(log, &line, event->stage, event->t_ms);
    if (key)
        log_line_string(&line, key, value);
    log_line_end(&line);
}

static void log_event(struct hslog *log, const struct hslog_event *event)
{
    switch (event->stage) {
    case HS_STAGE_hello_retry_request:
        log_simple_stage(log, event, "group", hslog_facts_group_name(log->hello_retry_group));
        break;
    case HS_STAGE_server_hello:
        log_server_hello(log, event);
        break;
    case HS_STAGE_certificate:
        log_certificate(log, event);
        break;
    case HS_STAGE_server_key_exchange: {
        struct log_line line;
        begin_stage_at(log, &line, event->stage, event->t_ms);
        log_line_optional(&line, "group", hslog_group_name(log), "none");
        log_line_string(&line, "signature_algorithm", hslog_facts_signature_name(log->signature_algorithm));
        log_line_end(&line);
        break;
    }
    case HS_STAGE_certificate_verify:
        log->signature_algorithm = tls13_signature_algorithm(log);
        log_simple_stage(log, event, "signature_algorithm", hslog_facts_signature_name(log->signature_algorithm));
        break;
    default:
        log_simple_stage(log, event, NULL, NULL);
        break;
    }
}

/* Whether the facts of an event's line are known yet. */
static bool event_ready(const struct hslog *log, const struct hslog_event *event)
{
    switch (event->stage) {
    case HS_STAGE_server_hello:
        return log->server_hello_seen;
    case HS_STAGE_hello_retry_request:
        return log->hello_retry;
    case HS_STAGE_server_key_exchange:
        return log->server_key_exchange_seen;
    default:
        return true;
    }
}

/* Write the waiting lines, in order, as far as their facts are known (or
 * all of them, with what is known, when `all`). */
static void drain(struct hslog *log, bool all)
{
    size_t done = 0;
    while (done < log->pending_count && (all || event_ready(log, &log->pending[done]))) {
        log_event(log, &log->pending[done]);
        done++;
    }
    memmove(log->pending, log->pending + done, (log->pending_count - done) * sizeof *log->pending);
    log->pending_count -= done;
}

/* ---- the steps */

static struct hs_stage_context stage_context(const struct hslog *log, const struct tls_session *session)
{
    struct hs_stage_context context = {
        .tls13 = log->server_version == 0x0304,
        .hello_retry = log->hello_retry,
        .tickets_on = session != NULL && tls_server_tickets_on(tls_session_server(session)),
    };
    return context;
}

static void log_step(struct hslog *log, enum tls_handshake_state before, enum tls_handshake_state after)
{
    struct log_line line;
    begin_stage(log, &line, HS_STAGE_step);
    log_line_string(&line, "state_from", tls_handshake_state_name(before));
    log_line_string(&line, "state_to", tls_handshake_state_name(after));
    log_line_end(&line);
}

/* The client's bytes are all here: its line can go at once. */
static void client_hello_read(struct hslog *log, struct tls_session *session)
{
    drain(log, true);
    log->client_hellos++;
    parse_client_hello(log);
    if (log->hello_status == CLIENTHELLO_OK)
        log_client_hello(log);
    else
        log_parse_failure(log);
    /* what tlsd's own policy checks read (a malformed hello is refused) */
    tls_session_set_hello(session, log->hello, log->hello_status);
}

void hslog_step(void *context, struct tls_session *session, enum tls_handshake_state state_before,
                enum tls_handshake_state state_after, int result)
{
    struct hslog *log = context;
    log->session = session;
    struct hs_stage_context stages = stage_context(log, session);
    if (result != 0) {
        log->stage_in_progress = hs_stage_in_progress(&stages, state_before);
        return;
    }
    struct hs_step step = hs_stage_step(&stages, state_before, state_after);
    if (step.completed != HS_STAGE_NONE)
        log->last_stage = step.completed;
    if (log_enabled(LOG_LEVEL_DEBUG))
        log_step(log, state_before, state_after);
    if (!step.logged)
        return;
    if (step.completed == HS_STAGE_client_hello) {
        client_hello_read(log, session);
        return;
    }
    if (log->pending_count == HSLOG_MAX_PENDING)
        drain(log, true);
    struct hslog_event *event = &log->pending[log->pending_count++];
    event->stage = step.completed;
    event->t_ms = milliseconds_since(&log->first_byte);
    event->resumed = step.resumed;
    drain(log, false);
}

/* ---- the wire */

void hslog_received(void *context, const unsigned char *bytes, size_t length)
{
    struct hslog *log = context;
    if (log->inbound_length >= CLIENTHELLO_MAX_RECORD_BYTES)
        return;
    size_t room = CLIENTHELLO_MAX_RECORD_BYTES - log->inbound_length;
    if (length > room)
        length = room;
    if (log->inbound_length + length > log->inbound_capacity) {
        size_t capacity = log->inbound_capacity ? log->inbound_capacity : INBOUND_FIRST_CAPACITY;
        while (capacity < log->inbound_length + length)
            capacity *= 2;
        if (capacity > CLIENTHELLO_MAX_RECORD_BYTES)
            capacity = CLIENTHELLO_MAX_RECORD_BYTES;
        unsigned char *grown = realloc(log->inbound, capacity);
        if (grown == NULL)
            return;
        log->inbound = grown;
        log->inbound_capacity = capacity;
    }
    memcpy(log->inbound + log->inbound_length, bytes, length);
    log->inbound_length += length;
}

static uint16_t read16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Our own ServerHello (or HelloRetryRequest): version, suite, group, PSK. */
static void read_server_hello(struct hslog *log, const unsigned char *body, size_t length)
{
    static const unsigned char retry_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    };
    if (length < 2 + 32 + 1)
        return;
    bool retry = memcmp(body + 2, retry_random, 32) == 0;
    uint16_t version = read16(body);
    size_t at = 2 + 32;
    size_t session_id = body[at];
    at += 1 + session_id;
    if (at + 3 > length)
        return;
    uint16_t suite = read16(body + at);
    at += 3;  /* suite, compression */
    uint16_t group = 0;
    bool psk = false;
    if (at + 2 <= length) {
        size_t end = at + 2 + read16(body + at);
        at += 2;
        if (end > length)
            end = length;
        while (at + 4 <= end) {
            uint16_t type = read16(body + at);
            size_t size = read16(body + at + 2);
            at += 4;
            if (at + size > end)
                break;
            if (type == EXTENSION_SUPPORTED_VERSIONS && size == 2)
                version = read16(body + at);
            else if (type == EXTENSION_KEY_SHARE && size >= 2)
                group = read16(body + at);
            else if (type == EXTENSION_PRE_SHARED_KEY)
                psk = true;
            at += size;
        }
    }
    if (retry) {
        log->hello_retry = true;
        log->hello_retry_group = group;
        return;
    }
    memcpy(log->server_random, body + 2, sizeof log->server_random);
    log->session_id_length = session_id <= sizeof log->session_id && 2 + 32 + 1 + session_id <= length ? session_id : 0;
    memcpy(log->session_id, body + 2 + 32 + 1, log->session_id_length);
    log->server_version = version;
    log->server_suite = suite;
    log->server_resumed_psk = psk;
    log->server_hello_seen = true;
    if (group)
        log->group = group;
}

/* ECDHE ServerKeyExchange: curve_type 3, named group, point, then the
 * signature scheme. */
static void read_server_key_exchange(struct hslog *log, const unsigned char *body, size_t length)
{
    log->server_key_exchange_seen = true;
    if (length < 4 || body[0] != 3)
        return;
    log->group = read16(body + 1);
    size_t point = body[3];
    if (4 + point + 2 <= length)
        log->signature_algorithm = read16(body + 4 + point);
}

static void read_record(struct hslog *log, unsigned type, const unsigned char *body, size_t fragment)
{
    if (type == TLS_RECORD_CHANGE_CIPHER_SPEC) {
        /* TLS 1.3's ChangeCipherSpec is a dummy for middleboxes (its
         * records are all type 23 anyway); TLS 1.2's starts encryption */
        if (log->server_version == 0x0303)
            log->server_sent_ccs = true;
    } else if (type == TLS_RECORD_ALERT && fragment == 2 && !log->server_sent_ccs) {
        log->alert_sent = body[1];
    } else if (type == TLS_RECORD_HANDSHAKE && !log->server_sent_ccs) {
        size_t at = 0;
        while (at + 4 <= fragment) {
            unsigned message = body[at];
            size_t size = (size_t)body[at + 1] << 16 | (size_t)body[at + 2] << 8 | body[at + 3];
            if (at + 4 + size > fragment)
                break;
            if (message == HANDSHAKE_SERVER_HELLO)
                read_server_hello(log, body + at + 4, size);
            else if (message == HANDSHAKE_SERVER_KEY_EXCHANGE)
                read_server_key_exchange(log, body + at + 4, size);
            at += 4 + size;
        }
    }
}

void hslog_sent(void *context, const unsigned char *bytes, size_t length)
{
    struct hslog *log = context;
    /* 2.28 hands over one record per call, 3.6 a whole TLS 1.3 flight */
    size_t at = 0;
    while (length - at >= 5) {
        size_t fragment = read16(bytes + at + 3);
        if (fragment > length - at - 5)
            break;
        if (log->server_wire_count < HSLOG_MAX_WIRE_RECORDS) {
            log->server_wire[log->server_wire_count].type = bytes[at];
            log->server_wire[log->server_wire_count].length = (uint16_t)fragment;
            log->server_wire_count++;
        }
        read_record(log, bytes[at], bytes + at + 5, fragment);
        at += 5 + fragment;
    }
    drain(log, false);
}

/* A plaintext alert the client sent after its hello (e.g. bad_certificate
 * when it does not trust the chain). */
static void find_received_alert(struct hslog *log)
{
    size_t at = log->inbound_parsed;
    while (at + 5 <= log->inbound_length) {
        size_t fragment = read16(log->inbound + at + 3);
        if (at + 5 + fragment > log->inbound_length)
            break;
        if (log->inbound[at] == TLS_RECORD_ALERT && fragment == 2)
            log->alert_received = log->inbound[at + 6];
        at += 5 + fragment;
    }
}

/* ---- the handshake record */

/* The headers of the client's records, from the start of its bytes. */
static void record_client_wire(const struct hslog *log, struct hslog_record *record)
{
    size_t at = 0;
    while (at + 5 <= log->inbound_length && record->wire_count[HSLOG_CLIENT] < HSLOG_MAX_WIRE_RECORDS) {
        size_t fragment = read16(log->inbound + at + 3);
        struct hslog_wire_record *wire = &record->wire[HSLOG_CLIENT][record->wire_count[HSLOG_CLIENT]++];
        wire->type = log->inbound[at];
        wire->length = (uint16_t)fragment;
        at += 5 + fragment;
    }
}

/* What the ladder draws besides the stages: the randoms, the session id,
 * the records each way. */
static void record_wire(const struct hslog *log, struct hslog_record *record)
{
    record->hello_retry = log->hello_retry;
    if (log->hello != NULL && log->hello_status == CLIENTHELLO_OK && log->server_hello_seen) {
        record->randoms_known = true;
        memcpy(record->client_random, log->hello->random, sizeof record->client_random);
        memcpy(record->server_random, log->server_random, sizeof record->server_random);
    }
    record->session_id_length = log->session_id_length;
    memcpy(record->session_id, log->session_id, sizeof record->session_id);
    record->wire_count[HSLOG_SERVER] = log->server_wire_count;
    memcpy(record->wire[HSLOG_SERVER], log->server_wire, sizeof log->server_wire);
    record_client_wire(log, record);
}

static void keep_record(struct hslog *log, double handshake_ms)
{
    size_t hello_length = 0;
    if (log->hello != NULL && log->hello_status == CLIENTHELLO_OK)
        hello_length = log->hello->record_bytes;
    struct hslog_record *record = hslog_record_new(log->inbound + log->hello_offset, hello_length);
    if (record == NULL)
        return;  /* the endpoint then answers 404, as for a connection without one */
    record->connection_id = log->connection_id;
    record->server_version = log->server_version;
    record->server_suite = log->server_suite;
    record->group = log->group;
    record->signature_algorithm = log->signature_algorithm;
    record->resumed = log->resumed;
    record->handshake_ms = handshake_ms;
    record->stage_count = log->stage_count;
    memcpy(record->stages, log->stages, sizeof record->stages);
    record->hello_status = hello_length > 0 ? CLIENTHELLO_OK : log->hello_status;
    record_wire(log, record);
    free(log->record);
    log->record = record;
}

void hslog_keep_record(struct hslog *log)
{
    log->keep_record = true;
}

struct hslog_record *hslog_take_record(struct hslog *log)
{
    struct hslog_record *record = log->record;
    log->record = NULL;
    return record;
}

/* ---- start and end */

void hslog_init(struct hslog *log, uint64_t connection_id, const char *peer, const struct timespec *first_byte)
{
    memset(log, 0, sizeof *log);
    log->connection_id = connection_id;
    log->peer = peer;
    log->first_byte = *first_byte;
    log->alert_sent = -1;
    log->alert_received = -1;
    log->stage_in_progress = HS_STAGE_client_hello;
    log->last_stage = HS_STAGE_NONE;
}

void hslog_free(struct hslog *log)
{
    /* the record, if any, belongs to whoever takes it (hslog_take_record) */
    free(log->inbound);
    free(log->hello);
    log->inbound = NULL;
    log->hello = NULL;
    log->inbound_length = log->inbound_capacity = 0;
}

void hslog_established(struct hslog *log, const struct tls_session *session)
{
    log->session = session;
    drain(log, true);
    log->resumed = tls_session_resumed(session);
    struct log_line line;
    begin_stage(log, &line, HS_STAGE_established);
    log_line_string(&line, "version", tls_session_version(session));
    if (log->server_hello_seen)
        suite_fields(&line, log->server_suite);
    else
        log_line_string(&line, "suite", tls_session_suite(session));  /* Mbed TLS's name: the best known */
    log_line_optional(&line, "group", hslog_group_name(log), "none");
    log_line_bool(&line, "resumed", log->resumed);
    log_line_optional(&line, "alpn", tls_session_alpn(session), "none");
    double handshake_ms = milliseconds_since(&log->first_byte);
    log_line_decimal(&line, "handshake_ms", handshake_ms, 3);
    log_line_end(&line);
    log->finished = true;
    if (log->keep_record)
        keep_record(log, handshake_ms);
    hslog_free(log);
}

/* The failure's facts: where it stopped, why, and the alerts. */
static void failure_fields(struct hslog *log, struct log_line *line, const struct tls_session *session,
                           const char *reason, int error)
{
    /* tlsd's own refusal of what a completed step read stops at that step */
    bool after_step = session != NULL && tls_session_refused_after_step(session) && log->last_stage != HS_STAGE_NONE;
    log_line_string(line, "at", hs_stage_name(after_step ? log->last_stage : log->stage_in_progress));
    log_line_string(line, "reason", reason);
    if (error != 0 && (session == NULL || tls_session_refusal(session) == TLS_REFUSAL_NONE)) {
        char text[160];
        tls_error_text(error, text, sizeof text);
        log_line_string(line, "error", text);
    }
    /* the alert tlsd added is known even when it went encrypted */
    int alert_sent = session != NULL && tls_session_alert_sent(session) >= 0 ? tls_session_alert_sent(session)
                                                                             : log->alert_sent;
    const char *sent = alert_sent >= 0 ? tls_alert_name(alert_sent) : "none";
    log_line_string(line, "alert_sent", sent ? sent : "unknown");
    if (log->alert_received >= 0) {
        const char *received = tls_alert_name(log->alert_received);
        log_line_string(line, "alert_received", received ? received : "unknown");
        const char *hint = tls_alert_received_hint(log->alert_received);
        if (hint)
            log_line_string(line, "hint", hint);
    }
}

void hslog_failed(struct hslog *log, const struct tls_session *session, const char *reason, int error)
{
    if (log->finished)
        return;
    if (session)
        log->session = session;
    drain(log, true);
    /* a hello that Mbed TLS refused still shows what the client offered */
    if (log->client_hellos == 0 && log->inbound_length > 0) {
        parse_client_hello(log);
        if (log->hello_status == CLIENTHELLO_OK)
            log_client_hello(log);
        else if (log->hello_status != CLIENTHELLO_INCOMPLETE)
            log_parse_failure(log);
    }
    find_received_alert(log);
    struct log_line line;
    begin_stage(log, &line, HS_STAGE_handshake_failed);
    failure_fields(log, &line, session, reason, error);
    log_line_unsigned(&line, "bytes_received", session ? tls_session_bytes_received(session) : log->inbound_length);
    log_line_end(&line);
    log->finished = true;
    hslog_free(log);
}

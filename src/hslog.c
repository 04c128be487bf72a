/* hslog.c: the handshake stage log.
 *
 * Mbed TLS runs the handshake as a state machine, one message per state.
 * tls.c steps it one state at a time and tells us the state before and
 * after each step; the tables below turn a completed step into the stage it
 * finished. The facts of each stage come from the bytes on the wire: the
 * client's records (its ClientHello, parsed in full by clienthello.c) and
 * the server's own plaintext records (ServerHello, ServerKeyExchange,
 * alerts), so the log says what was really sent, on 2.28 and 3.6 alike. */
#include "hslog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "log.h"
#include "tls.h"

#define TLS_RECORD_CHANGE_CIPHER_SPEC 20
#define TLS_RECORD_ALERT 21
#define TLS_RECORD_HANDSHAKE 22
#define HANDSHAKE_SERVER_HELLO 2
#define HANDSHAKE_SERVER_KEY_EXCHANGE 12
#define EXTENSION_PRE_SHARED_KEY 41
#define EXTENSION_SUPPORTED_VERSIONS 43
#define EXTENSION_KEY_SHARE 51
#define INBOUND_FIRST_CAPACITY 2048

/* ---- the state -> stage tables: one for each protocol, since the same
 * Mbed TLS state means different messages in TLS 1.2 and 1.3, and states a
 * handshake passes through without a message (no client certificate is
 * asked for) have no stage. */

struct stage_entry {
    int state;            /* the step at this state completed... */
    const char *stage;    /* ...this stage (NULL: no message, no line) */
};

static const struct stage_entry tls12_stages[] = {
    { TLS_STATE_CLIENT_HELLO, "client_hello" },
    { TLS_STATE_SERVER_HELLO, "server_hello" },
    { TLS_STATE_SERVER_CERTIFICATE, "certificate" },
    { TLS_STATE_SERVER_KEY_EXCHANGE, "server_key_exchange" },
    { TLS_STATE_CERTIFICATE_REQUEST, NULL },
    { TLS_STATE_SERVER_HELLO_DONE, "server_hello_done" },
    { TLS_STATE_CLIENT_CERTIFICATE, NULL },
    { TLS_STATE_CLIENT_KEY_EXCHANGE, "client_key_exchange" },
    { TLS_STATE_CERTIFICATE_VERIFY, NULL },
    { TLS_STATE_CLIENT_CHANGE_CIPHER_SPEC, "change_cipher_spec_client" },
    { TLS_STATE_CLIENT_FINISHED, "finished_client" },
    /* a step here that stays here wrote the NewSessionTicket (see below) */
    { TLS_STATE_SERVER_CHANGE_CIPHER_SPEC, "change_cipher_spec_server" },
    { TLS_STATE_SERVER_FINISHED, "finished_server" },
};

static const struct stage_entry tls13_stages[] = {
    { TLS_STATE_CLIENT_HELLO, "client_hello" },
    { TLS_STATE_HELLO_RETRY_REQUEST, "hello_retry_request" },
    { TLS_STATE_SERVER_HELLO, "server_hello" },
    { TLS_STATE_ENCRYPTED_EXTENSIONS, "encrypted_extensions" },
    { TLS_STATE_CERTIFICATE_REQUEST, NULL },
    { TLS_STATE_SERVER_CERTIFICATE, "certificate" },
    { TLS_STATE_CERTIFICATE_VERIFY, "certificate_verify" },
    { TLS_STATE_SERVER_FINISHED, "finished_server" },
    { TLS_STATE_CLIENT_CERTIFICATE, NULL },
    { TLS_STATE_CLIENT_CERTIFICATE_VERIFY, NULL },
    { TLS_STATE_CLIENT_FINISHED, "finished_client" },
    { TLS_STATE_TLS13_NEW_SESSION_TICKET, "new_session_ticket" },
};

static const char *stage_for(const struct hslog *log, int state_before, int state_after)
{
    const struct stage_entry *table = tls12_stages;
    size_t count = sizeof tls12_stages / sizeof *tls12_stages;
    /* The ServerHello says which protocol it is (our own record is read
     * before its step is reported); until then both tables agree. */
    if (log->server_version == 0x0304 || log->hello_retry || state_before >= TLS_STATE_HELLO_RETRY_REQUEST) {
        table = tls13_stages;
        count = sizeof tls13_stages / sizeof *tls13_stages;
    }
    /* 3.6 reads every hello in its TLS 1.3 code first; a step that stays
     * at CLIENT_HELLO hands a TLS 1.2 hello over to the 1.2 code */
    if (state_before == TLS_STATE_CLIENT_HELLO && state_after == TLS_STATE_CLIENT_HELLO)
        return NULL;
    /* Mbed TLS writes TLS 1.2's NewSessionTicket from the
     * SERVER_CHANGE_CIPHER_SPEC state and stays there for the CCS itself */
    if (table == tls12_stages && state_before == TLS_STATE_SERVER_CHANGE_CIPHER_SPEC && state_after == state_before)
        return "new_session_ticket";
    for (size_t i = 0; i < count; i++)
        if (table[i].state == state_before)
            return table[i].stage;
    return NULL;
}

/* The stage a failure interrupted: the one the state was working on. */
static const char *stage_in_progress(const struct hslog *log, int state)
{
    const char *stage = stage_for(log, state, state + 1);
    return stage ? stage : "handshake";
}

/* ---- names */

const char *hslog_alert_name(int description)
{
    switch (description) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return NULL;
    }
}

static void name_or_hex(char *out, size_t size, const char *name, unsigned value)
{
    if (name)
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "0x%04x", value);
}

/* Join a list's names with commas, GREASE left out. */
static void join_names(char *out, size_t size, const struct clienthello_list *list,
                       const char *(*name_of)(uint16_t))
{
    size_t used = 0;
    out[0] = '\0';
    size_t kept = list->count < CLIENTHELLO_MAX_LIST ? list->count : CLIENTHELLO_MAX_LIST;
    for (size_t i = 0; i < kept; i++) {
        if (clienthello_is_grease(list->values[i]))
            continue;
        char one[64];
        name_or_hex(one, sizeof one, name_of(list->values[i]), list->values[i]);
        int written = snprintf(out + used, size - used, "%s%s", used ? "," : "", one);
        if (written < 0 || (size_t)written >= size - used) {
            out[used] = '\0';
            return;
        }
        used += (size_t)written;
    }
}

static size_t count_without_grease(const struct clienthello_list *list)
{
    size_t count = 0;
    size_t kept = list->count < CLIENTHELLO_MAX_LIST ? list->count : CLIENTHELLO_MAX_LIST;
    for (size_t i = 0; i < kept; i++)
        if (!clienthello_is_grease(list->values[i]))
            count++;
    return count + (list->count - kept);
}

const char *hslog_group_name(const struct hslog *log)
{
    if (log->group == 0)
        return "none";
    const char *name = clienthello_group_name(log->group);
    return name ? name : "unknown";
}

/* ---- lines */

static double milliseconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1000.0 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void begin_stage_at(struct hslog *log, struct log_line *line, const char *stage, double t_ms)
{
    if (strcmp(stage, "step") != 0 && log->stage_count < HSLOG_MAX_PENDING) {
        log->stages[log->stage_count].stage = stage;
        log->stages[log->stage_count].t_ms = t_ms;
        log->stage_count++;
    }
    log_line_begin(line, LOG_LEVEL_INFO);
    log_line_unsigned(line, "conn", log->connection_id);
    log_line_string(line, "peer", log->peer);
    log_line_string(line, "stage", stage);
    log_line_decimal(line, "t_ms", t_ms, 3);
}

static void begin_stage(struct hslog *log, struct log_line *line, const char *stage)
{
    begin_stage_at(log, line, stage, milliseconds_since(&log->first_byte));
}

static const char *version_name(uint16_t version)
{
    const char *name = clienthello_version_name(version);
    return name ? name : "unknown";
}

/* A client that offers TLS 1.3 sends a random session id for middlebox
 * compatibility: only without 1.3 is a session id a resumption try. */
static bool offers_tls13(const struct clienthello *hello)
{
    for (size_t i = 0; i < hello->supported_versions.count && i < CLIENTHELLO_MAX_LIST; i++)
        if (hello->supported_versions.values[i] == 0x0304)
            return true;
    return false;
}

static void log_client_hello(struct hslog *log)
{
    const struct clienthello *hello = log->hello;
    struct log_line line;
    char text[2048];
    begin_stage(log, &line, "client_hello");
    if (!log_line_enabled(&line))
        return;  /* the names and fingerprints below cost more than the rest of a resumption */
    log_line_string(&line, "record_version", version_name(hello->record_version));
    log_line_string(&line, "client_version", version_name(hello->client_version));
    if (hello->supported_versions.count > 0)
        join_names(text, sizeof text, &hello->supported_versions, clienthello_version_name);
    else
        snprintf(text, sizeof text, "%s", version_name(hello->client_version));
    log_line_string(&line, "offered_versions", text);
    log_line_string(&line, "sni", hello->has_server_name && hello->server_name[0] ? hello->server_name : "none");
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < hello->alpn_count && i < CLIENTHELLO_MAX_ALPN; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? "," : "", hello->alpn[i]);
    log_line_string(&line, "alpn", hello->alpn_count ? text : "none");
    log_line_unsigned(&line, "offered_suites", count_without_grease(&hello->cipher_suites));
    if (log_enabled(LOG_LEVEL_DEBUG)) {
        join_names(text, sizeof text, &hello->cipher_suites, clienthello_cipher_suite_name);
        log_line_string(&line, "suites", text);
    }
    join_names(text, sizeof text, &hello->supported_groups, clienthello_group_name);
    log_line_string(&line, "groups", text[0] ? text : "none");
    if (hello->key_share_groups.count > 0) {
        join_names(text, sizeof text, &hello->key_share_groups, clienthello_group_name);
        log_line_string(&line, "key_shares", text);
    }
    join_names(text, sizeof text, &hello->signature_algorithms, clienthello_signature_algorithm_name);
    log_line_string(&line, "signature_algorithms", text[0] ? text : "none");
    join_names(text, sizeof text, &hello->extensions, clienthello_extension_name);
    log_line_string(&line, "extensions", text[0] ? text : "none");
    used = 0;
    text[0] = '\0';
    if (hello->session_id_length > 0 && !offers_tls13(hello))
        used += (size_t)snprintf(text + used, sizeof text - used, "%ssession_id", used ? "," : "");
    if (hello->session_ticket_length > 0)
        used += (size_t)snprintf(text + used, sizeof text - used, "%sticket", used ? "," : "");
    if (hello->has_pre_shared_key)
        used += (size_t)snprintf(text + used, sizeof text - used, "%spsk", used ? "," : "");
    log_line_string(&line, "resumption_offered", used ? text : "none");
    log_line_unsigned(&line, "session_id_length", hello->session_id_length);
    char ja3_text[2048], ja3[33], ja4[40];
    clienthello_ja3(hello, ja3_text, sizeof ja3_text, ja3);
    clienthello_ja4(hello, 't', ja4);
    log_line_string(&line, "ja3", ja3);
    log_line_string(&line, "ja4", ja4);
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
    begin_stage(log, &line, "client_hello");
    log_line_string(&line, "parse_error", reasons[log->hello_status]);
    const struct clienthello *hello = log->hello;
    if (log->hello_status == CLIENTHELLO_INVALID && hello != NULL && hello->malformed_where != NULL) {
        char detail[96];
        if (hello->malformed_in_extension) {
            char name[48];
            name_or_hex(name, sizeof name, clienthello_extension_name(hello->malformed_extension),
                        hello->malformed_extension);
            snprintf(detail, sizeof detail, "extension %s: %s", name, hello->malformed_where);
        } else {
            snprintf(detail, sizeof detail, "%s", hello->malformed_where);
        }
        log_line_string(&line, "detail", detail);
    }
    log_line_unsigned(&line, "bytes", log->inbound_length - log->inbound_parsed);
    log_line_end(&line);
}

static void log_server_hello(struct hslog *log, const struct hslog_event *event)
{
    struct log_line line;
    begin_stage_at(log, &line, "server_hello", event->t_ms);
    log_line_string(&line, "version", log->server_hello_seen ? version_name(log->server_version) : "unknown");
    const char *suite = tls_suite_name(log->server_suite);
    log_line_string(&line, "suite", suite ? suite : "unknown");
    if (log->server_version == 0x0304)
        log_line_string(&line, "group", hslog_group_name(log));
    log->resumed = log->server_version == 0x0304 ? log->server_resumed_psk : event->resumed;
    log_line_string(&line, "resumed", log->resumed ? "yes" : "no");
    const char *alpn = tls_session_alpn(log->session);
    log_line_string(&line, "alpn", alpn ? alpn : "none");
    log_line_end(&line);
}

static void log_certificate_fields(void *context, const struct tls_certificate_info *certificate)
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

static void log_certificate(struct hslog *log, const struct tls_session *session, double t_ms)
{
    struct log_line line;
    begin_stage_at(log, &line, "certificate", t_ms);
    if (!log_line_enabled(&line))
        return;
    unsigned position = tls_server_describe_chain(tls_session_server(session), log_certificate_fields, &line);
    log_line_unsigned(&line, "chain_length", position);
    log_line_end(&line);
}

/* TLS 1.3's CertificateVerify is encrypted; Mbed TLS signs with the first
 * scheme in the client's signature_algorithms that fits the key, so that
 * is what it used. */
static uint16_t tls13_signature_algorithm(const struct hslog *log, const struct tls_session *session)
{
    bool rsa;
    size_t bits;
    tls_server_key_type(tls_session_server(session), &rsa, &bits);
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

static void log_simple_stage(struct hslog *log, const struct hslog_event *event, const char *key, const char *value)
{
    struct log_line line;
    begin_stage_at(log, &line, event->stage, event->t_ms);
    if (key)
        log_line_string(&line, key, value);
    log_line_end(&line);
}

static const char *signature_name(uint16_t scheme)
{
    if (scheme == 0)
        return "unknown";
    const char *name = clienthello_signature_algorithm_name(scheme);
    return name ? name : "unknown";
}

static void log_event(struct hslog *log, const struct hslog_event *event)
{
    const char *stage = event->stage;
    if (strcmp(stage, "hello_retry_request") == 0) {
        const char *group = clienthello_group_name(log->hello_retry_group);
        log_simple_stage(log, event, "group", group ? group : "unknown");
    } else if (strcmp(stage, "server_hello") == 0) {
        log_server_hello(log, event);
    } else if (strcmp(stage, "certificate") == 0) {
        log_certificate(log, log->session, event->t_ms);
    } else if (strcmp(stage, "server_key_exchange") == 0) {
        struct log_line line;
        begin_stage_at(log, &line, stage, event->t_ms);
        log_line_string(&line, "group", hslog_group_name(log));
        log_line_string(&line, "signature_algorithm", signature_name(log->signature_algorithm));
        log_line_end(&line);
    } else if (strcmp(stage, "certificate_verify") == 0) {
        log->signature_algorithm = tls13_signature_algorithm(log, log->session);
        log_simple_stage(log, event, "signature_algorithm", signature_name(log->signature_algorithm));
    } else {
        log_simple_stage(log, event, NULL, NULL);
    }
}

/* Whether the facts of an event's line are known yet. */
static bool event_ready(const struct hslog *log, const struct hslog_event *event)
{
    if (strcmp(event->stage, "server_hello") == 0)
        return log->server_hello_seen;
    if (strcmp(event->stage, "hello_retry_request") == 0)
        return log->hello_retry;
    if (strcmp(event->stage, "server_key_exchange") == 0)
        return log->server_key_exchange_seen;
    return true;
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

void hslog_step(void *context, struct tls_session *session, int state_before, int state_after, int result)
{
    struct hslog *log = context;
    log->session = session;
    if (result != 0) {
        log->stage_in_progress = stage_in_progress(log, state_before);
        return;
    }
    const char *stage = stage_for(log, state_before, state_after);
    if (stage != NULL)
        log->last_stage = stage;
    if (log_enabled(LOG_LEVEL_DEBUG)) {
        struct log_line line;
        begin_stage(log, &line, "step");
        log_line_unsigned(&line, "mbedtls_state_from", (uint64_t)state_before);
        log_line_unsigned(&line, "mbedtls_state_to", (uint64_t)state_after);
        log_line_end(&line);
    }
    /* 3.6 passes through its TLS 1.3 ticket states even with tickets off */
    if (stage != NULL && strcmp(stage, "new_session_ticket") == 0 && !tls_server_tickets_on(tls_session_server(session)))
        stage = NULL;
    if (stage == NULL)
        return;
    if (strcmp(stage, "client_hello") == 0) {
        /* the client's bytes are all here: its line can go at once */
        drain(log, true);
        log->client_hellos++;
        parse_client_hello(log);
        if (log->hello_status == CLIENTHELLO_OK)
            log_client_hello(log);
        else
            log_parse_failure(log);
        /* what tlsd's own policy checks read (a malformed hello is refused) */
        tls_session_set_hello(session, log->hello, log->hello_status);
        return;
    }
    if (log->pending_count == HSLOG_MAX_PENDING)
        drain(log, true);
    struct hslog_event *event = &log->pending[log->pending_count++];
    event->stage = stage;
    event->t_ms = milliseconds_since(&log->first_byte);
    /* TLS 1.2 resumption skips the certificate: Mbed TLS goes from the
     * ServerHello straight to ChangeCipherSpec (or its ticket) */
    event->resumed = strcmp(stage, "server_hello") == 0 && state_after == TLS_STATE_SERVER_CHANGE_CIPHER_SPEC;
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

/* ---- the handshake record (JSON), for the client that asks for its own */

struct json {
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
};

static void json_raw(struct json *json, const char *text, size_t length)
{
    if (json->failed)
        return;
    if (json->length + length + 1 > json->capacity) {
        size_t capacity = json->capacity ? json->capacity : 4096;
        while (capacity < json->length + length + 1)
            capacity *= 2;
        char *grown = realloc(json->data, capacity);
        if (grown == NULL) {
            json->failed = true;
            return;
        }
        json->data = grown;
        json->capacity = capacity;
    }
    memcpy(json->data + json->length, text, length);
    json->length += length;
    json->data[json->length] = '\0';
}

static void json_text(struct json *json, const char *text)
{
    json_raw(json, text, strlen(text));
}

static void emit_to_json(void *context, const char *bytes, size_t length)
{
    json_raw(context, bytes, length);
}

static void json_string(struct json *json, const char *value)
{
    if (value == NULL) {
        json_text(json, "null");
        return;
    }
    json_raw(json, "\"", 1);
    log_escape_json(value, emit_to_json, json);
    json_raw(json, "\"", 1);
}

static void json_key(struct json *json, const char *key, bool first)
{
    if (!first)
        json_raw(json, ",", 1);
    json_string(json, key);
    json_raw(json, ":", 1);
}

static void json_name_list(struct json *json, const char *key, const struct clienthello_list *list,
                           const char *(*name_of)(uint16_t))
{
    json_key(json, key, false);
    json_raw(json, "[", 1);
    bool first = true;
    size_t kept = list->count < CLIENTHELLO_MAX_LIST ? list->count : CLIENTHELLO_MAX_LIST;
    for (size_t i = 0; i < kept; i++) {
        if (clienthello_is_grease(list->values[i]))
            continue;
        char one[64];
        name_or_hex(one, sizeof one, name_of(list->values[i]), list->values[i]);
        if (!first)
            json_raw(json, ",", 1);
        json_string(json, one);
        first = false;
    }
    json_raw(json, "]", 1);
}

static void json_number(struct json *json, double value, int decimals)
{
    char number[48];
    snprintf(number, sizeof number, "%.*f", decimals, value);
    json_text(json, number);
}

static void json_certificate(void *context, const struct tls_certificate_info *certificate)
{
    struct json *json = context;
    bool first = certificate->position == 0;
    json_raw(json, first ? "{" : ",{", first ? 1 : 2);
    json_key(json, "subject", true);
    json_string(json, certificate->subject);
    json_key(json, "issuer", false);
    json_string(json, certificate->issuer);
    json_key(json, "key", false);
    json_string(json, certificate->key);
    json_key(json, "not_after", false);
    json_string(json, certificate->not_after);
    json_raw(json, "}", 1);
}

static char *build_json(const struct hslog *log, const struct tls_session *session, double handshake_ms)
{
    struct json json = { 0 };
    char text[256];
    json_raw(&json, "{", 1);
    json_key(&json, "connection", true);
    snprintf(text, sizeof text, "%llu", (unsigned long long)log->connection_id);
    json_text(&json, text);
    json_key(&json, "peer", false);
    json_string(&json, log->peer);
    json_key(&json, "version", false);
    json_string(&json, tls_session_version(session));
    const char *iana = clienthello_cipher_suite_name(log->server_suite);
    json_key(&json, "suite", false);
    json_string(&json, iana);
    json_key(&json, "suite_mbedtls", false);
    json_string(&json, tls_session_suite(session));
    json_key(&json, "group", false);
    json_string(&json, log->group ? hslog_group_name(log) : NULL);
    json_key(&json, "signature_algorithm", false);
    json_string(&json, log->signature_algorithm ? signature_name(log->signature_algorithm) : NULL);
    const char *alpn = tls_session_alpn(session);
    json_key(&json, "alpn", false);
    json_string(&json, alpn);
    json_key(&json, "resumed", false);
    json_text(&json, log->resumed ? "true" : "false");
    json_key(&json, "handshake_ms", false);
    json_number(&json, handshake_ms, 3);

    json_key(&json, "stages", false);
    json_raw(&json, "[", 1);
    for (size_t i = 0; i < log->stage_count; i++) {
        json_raw(&json, i ? ",{" : "{", i ? 2 : 1);
        json_key(&json, "stage", true);
        json_string(&json, log->stages[i].stage);
        json_key(&json, "t_ms", false);
        json_number(&json, log->stages[i].t_ms, 3);
        json_raw(&json, "}", 1);
    }
    json_raw(&json, "]", 1);

    const struct clienthello *hello = log->hello;
    json_key(&json, "client_hello", false);
    if (hello == NULL || log->hello_status != CLIENTHELLO_OK) {
        json_text(&json, "null");
    } else {
        json_raw(&json, "{", 1);
        json_key(&json, "sni", true);
        json_string(&json, hello->has_server_name && hello->server_name[0] ? hello->server_name : NULL);
        if (hello->supported_versions.count > 0) {
            json_name_list(&json, "offered_versions", &hello->supported_versions, clienthello_version_name);
        } else {
            json_key(&json, "offered_versions", false);
            json_raw(&json, "[", 1);
            json_string(&json, version_name(hello->client_version));
            json_raw(&json, "]", 1);
        }
        json_name_list(&json, "cipher_suites", &hello->cipher_suites, clienthello_cipher_suite_name);
        json_name_list(&json, "groups", &hello->supported_groups, clienthello_group_name);
        json_name_list(&json, "key_shares", &hello->key_share_groups, clienthello_group_name);
        json_name_list(&json, "signature_algorithms", &hello->signature_algorithms,
                       clienthello_signature_algorithm_name);
        json_key(&json, "alpn", false);
        json_raw(&json, "[", 1);
        for (size_t i = 0; i < hello->alpn_count && i < CLIENTHELLO_MAX_ALPN; i++) {
            if (i)
                json_raw(&json, ",", 1);
            json_string(&json, hello->alpn[i]);
        }
        json_raw(&json, "]", 1);
        json_name_list(&json, "extensions", &hello->extensions, clienthello_extension_name);
        json_key(&json, "resumption_offered", false);
        json_raw(&json, "[", 1);
        bool first = true;
        if (hello->session_id_length > 0 && !offers_tls13(hello)) {
            json_string(&json, "session_id");
            first = false;
        }
        if (hello->session_ticket_length > 0) {
            json_text(&json, first ? "" : ",");
            json_string(&json, "ticket");
            first = false;
        }
        if (hello->has_pre_shared_key) {
            json_text(&json, first ? "" : ",");
            json_string(&json, "psk");
        }
        json_raw(&json, "]", 1);
        char ja3_text[2048], ja3[33], ja4[40];
        clienthello_ja3(hello, ja3_text, sizeof ja3_text, ja3);
        clienthello_ja4(hello, 't', ja4);
        json_key(&json, "ja3", false);
        json_string(&json, ja3);
        json_key(&json, "ja4", false);
        json_string(&json, ja4);
        json_raw(&json, "}", 1);
    }

    json_key(&json, "certificates", false);
    json_raw(&json, "[", 1);
    if (!log->resumed) {
        (void)tls_server_describe_chain(tls_session_server(session), json_certificate, &json);
    }
    json_raw(&json, "]}", 2);
    if (json.failed) {
        free(json.data);
        return NULL;
    }
    return json.data;
}

static void keep_record(struct hslog *log, double handshake_ms)
{
    size_t hello_length = 0;
    if (log->hello != NULL && log->hello_status == CLIENTHELLO_OK)
        hello_length = log->hello->record_bytes;
    struct hslog_record *record = malloc(sizeof *record + hello_length);
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
    record->hello_length = hello_length;
    if (hello_length > 0)
        memcpy(record->hello_bytes, log->inbound + log->hello_offset, hello_length);
    free(log->record);
    log->record = record;
}

char *hslog_record_json(const struct hslog_record *record, const char *peer, const struct tls_session *session)
{
    /* the same facts as at the handshake's end, in an hslog of its own */
    static _Thread_local uint8_t scratch[CLIENTHELLO_MAX_MESSAGE];
    struct hslog *log = calloc(1, sizeof *log);
    if (log == NULL)
        return NULL;
    log->connection_id = record->connection_id;
    log->peer = peer;
    log->server_version = record->server_version;
    log->server_suite = record->server_suite;
    log->group = record->group;
    log->signature_algorithm = record->signature_algorithm;
    log->resumed = record->resumed;
    log->stage_count = record->stage_count;
    memcpy(log->stages, record->stages, sizeof log->stages);
    log->hello_status = record->hello_status;
    if (record->hello_length > 0) {
        log->hello = malloc(sizeof *log->hello);
        if (log->hello == NULL ||
            clienthello_parse_records(record->hello_bytes, record->hello_length, log->hello, scratch) !=
                CLIENTHELLO_OK)
            log->hello_status = CLIENTHELLO_INVALID;
    }
    char *json = build_json(log, session, record->handshake_ms);
    free(log->hello);
    free(log);
    return json;
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
    log->stage_in_progress = "client_hello";
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
    /* a handshake that sent no certificate resumed a session */
    log->resumed = tls_session_resumed(session);
    struct log_line line;
    begin_stage(log, &line, "established");
    log_line_string(&line, "version", tls_session_version(session));
    log_line_string(&line, "suite", tls_session_suite(session));
    log_line_string(&line, "group", hslog_group_name(log));
    log_line_string(&line, "resumed", log->resumed ? "yes" : "no");
    const char *alpn = tls_session_alpn(session);
    log_line_string(&line, "alpn", alpn ? alpn : "none");
    double handshake_ms = milliseconds_since(&log->first_byte);
    log_line_decimal(&line, "handshake_ms", handshake_ms, 3);
    log_line_end(&line);
    log->finished = true;
    if (log->keep_record)
        keep_record(log, handshake_ms);
    hslog_free(log);
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
    begin_stage(log, &line, "handshake_failed");
    /* tlsd's own refusal of what a completed step read stops at that step */
    bool after_step = session != NULL && tls_session_refused_after_step(session) && log->last_stage != NULL;
    log_line_string(&line, "at", after_step ? log->last_stage : log->stage_in_progress);
    log_line_string(&line, "reason", reason);
    if (error != 0 && (session == NULL || tls_session_refusal(session) == TLS_REFUSAL_NONE)) {
        char text[160];
        tls_error_text(error, text, sizeof text);
        log_line_string(&line, "error", text);
    }
    /* the alert tlsd added is known even when it went encrypted */
    int alert_sent = session != NULL && tls_session_alert_sent(session) >= 0 ? tls_session_alert_sent(session)
                                                                               : log->alert_sent;
    const char *sent = alert_sent >= 0 ? hslog_alert_name(alert_sent) : "none";
    log_line_string(&line, "alert_sent", sent ? sent : "unknown");
    if (log->alert_received >= 0) {
        const char *received = hslog_alert_name(log->alert_received);
        log_line_string(&line, "alert_received", received ? received : "unknown");
    }
    log_line_unsigned(&line, "bytes_received", session ? tls_session_bytes_received(session) : log->inbound_length);
    log_line_end(&line);
    log->finished = true;
    hslog_free(log);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* hslog_record.c: the handshake record and its JSON, for the client that
 * asks for its own handshake. */
#include "hslog_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hslog_facts.h"
#include "ladder.h"
#include "log.h"
#include "tls.h"
#include "tls_names.h"

struct hslog_record *hslog_record_new(const unsigned char *hello_bytes, size_t hello_length)
{
    struct hslog_record *record = calloc(1, sizeof *record + hello_length);
    if (record == NULL)
        return NULL;
    record->hello_length = hello_length;
    record->alert_sent = -1;
    record->alert_received = -1;
    if (hello_length > 0)
        memcpy(record->hello_bytes, hello_bytes, hello_length);
    return record;
}

/* ---- a growing JSON text */

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

static void json_number(struct json *json, double value, int decimals)
{
    char number[48];
    snprintf(number, sizeof number, "%.*f", decimals, value);
    json_text(json, number);
}

/* ---- the parts of the record */

static void json_negotiated(struct json *json, const struct hslog_record *record, const char *peer,
                            const struct tls_session *session)
{
    char number[32];
    json_key(json, "connection", true);
    snprintf(number, sizeof number, "%llu", (unsigned long long)record->connection_id);
    json_text(json, number);
    json_key(json, "peer", false);
    json_string(json, peer);
    json_key(json, "version", false);
    json_string(json, tls_session_version(session));
    json_key(json, "suite", false);
    json_string(json, clienthello_cipher_suite_name(record->server_suite));
    json_key(json, "suite_mbedtls", false);
    json_string(json, tls_session_suite(session));
    json_key(json, "group", false);
    json_string(json, record->group ? hslog_facts_group_name(record->group) : NULL);
    json_key(json, "signature_algorithm", false);
    json_string(json, record->signature_algorithm ? hslog_facts_signature_name(record->signature_algorithm) : NULL);
    json_key(json, "alpn", false);
    json_string(json, tls_session_alpn(session));
    json_key(json, "resumed", false);
    json_text(json, record->resumed ? "true" : "false");
    json_key(json, "handshake_ms", false);
    json_number(json, record->handshake_ms, 3);
}

static void json_stages(struct json *json, const struct hslog_record *record)
{
    json_key(json, "stages", false);
    json_raw(json, "[", 1);
    for (size_t i = 0; i < record->stage_count; i++) {
        json_raw(json, i ? ",{" : "{", i ? 2 : 1);
        json_key(json, "stage", true);
        json_string(json, hs_stage_name(record->stages[i].stage));
        json_key(json, "t_ms", false);
        json_number(json, record->stages[i].t_ms, 3);
        json_raw(json, "}", 1);
    }
    json_raw(json, "]", 1);
}

static void json_hex(struct json *json, const uint8_t *bytes, size_t length)
{
    char hex[3];
    json_raw(json, "\"", 1);
    for (size_t i = 0; i < length; i++) {
        snprintf(hex, sizeof hex, "%02x", bytes[i]);
        json_raw(json, hex, 2);
    }
    json_raw(json, "\"", 1);
}

/* The randoms and session id, as hex (Wireshark shows them so). */
static void json_randoms(struct json *json, const struct hslog_record *record)
{
    json_key(json, "client_random", false);
    if (record->randoms_known)
        json_hex(json, record->client_random, sizeof record->client_random);
    else
        json_text(json, "null");
    json_key(json, "server_random", false);
    if (record->randoms_known)
        json_hex(json, record->server_random, sizeof record->server_random);
    else
        json_text(json, "null");
    json_key(json, "session_id", false);
    size_t length = record->session_id_length <= sizeof record->session_id ? record->session_id_length : 0;
    json_hex(json, record->session_id, length);
}

/* Each message as the ladder draws it: who sent it, when, its record and
 * flight, and whether it travelled encrypted. */
static void json_messages(struct json *json, const struct hslog_record *record)
{
    struct ladder_message messages[LADDER_MAX_MESSAGES];
    size_t count = ladder_messages(record, messages, LADDER_MAX_MESSAGES);
    char number[32];
    json_key(json, "round_trips", false);
    snprintf(number, sizeof number, "%u", ladder_round_trips(messages, count));
    json_text(json, number);
    json_key(json, "messages", false);
    json_raw(json, "[", 1);
    for (size_t i = 0; i < count; i++) {
        json_raw(json, i ? ",{" : "{", i ? 2 : 1);
        json_key(json, "message", true);
        json_string(json, messages[i].name);
        json_key(json, "stage", false);
        json_string(json, hs_stage_name(messages[i].stage));
        json_key(json, "from", false);
        json_string(json, messages[i].from_client ? "client" : "server");
        json_key(json, "t_ms", false);
        json_number(json, messages[i].t_ms, 3);
        json_key(json, "size", false);
        json_number(json, messages[i].size, 0);
        json_key(json, "record", false);
        json_number(json, messages[i].record, 0);
        json_key(json, "flight", false);
        json_number(json, messages[i].flight, 0);
        json_key(json, "encrypted", false);
        json_text(json, messages[i].encrypted ? "true" : "false");
        json_raw(json, "}", 1);
    }
    json_raw(json, "]", 1);
}

/* The ClientHello's facts, in the record's order and with its keys. */
static const struct {
    enum hslog_hello_fact fact;
    const char *key;
} json_hello_facts[] = {
    { HSLOG_HELLO_SNI, "sni" },
    { HSLOG_HELLO_OFFERED_VERSIONS, "offered_versions" },
    { HSLOG_HELLO_CIPHER_SUITES, "cipher_suites" },
    { HSLOG_HELLO_GROUPS, "groups" },
    { HSLOG_HELLO_KEY_SHARES, "key_shares" },
    { HSLOG_HELLO_SIGNATURE_ALGORITHMS, "signature_algorithms" },
    { HSLOG_HELLO_ALPN, "alpn" },
    { HSLOG_HELLO_EXTENSIONS, "extensions" },
    { HSLOG_HELLO_RESUMPTION_OFFERED, "resumption_offered" },
    { HSLOG_HELLO_JA3, "ja3" },
    { HSLOG_HELLO_JA4, "ja4" },
};

static void json_value(void *context, const struct hslog_value *value)
{
    struct json *json = context;
    if (value->kind == HSLOG_VALUE_TEXT) {
        json_string(json, value->text);
    } else if (value->kind == HSLOG_VALUE_COUNT) {
        json_number(json, (double)value->count, 0);
    } else {
        json_raw(json, "[", 1);
        for (size_t i = 0; i < value->item_count; i++) {
            if (i)
                json_raw(json, ",", 1);
            json_string(json, value->items[i]);
        }
        json_raw(json, "]", 1);
    }
}

static void json_client_hello(struct json *json, const struct clienthello *hello)
{
    json_key(json, "client_hello", false);
    if (hello == NULL) {
        json_text(json, "null");
        return;
    }
    json_raw(json, "{", 1);
    for (size_t i = 0; i < sizeof json_hello_facts / sizeof *json_hello_facts; i++) {
        json_key(json, json_hello_facts[i].key, i == 0);
        hslog_facts_hello(hello, json_hello_facts[i].fact, json_value, json);
    }
    json_raw(json, "}", 1);
}

static void json_certificate(void *context, const struct tls_certificate_info *certificate)
{
    struct json *json = context;
    json_raw(json, certificate->position == 0 ? "{" : ",{", certificate->position == 0 ? 1 : 2);
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

/* The ClientHello of the record, parsed again (NULL when there is none). */
static struct clienthello *parse_hello(const struct hslog_record *record)
{
    static _Thread_local uint8_t scratch[CLIENTHELLO_MAX_MESSAGE];
    if (record->hello_length == 0 || record->hello_status != CLIENTHELLO_OK)
        return NULL;
    struct clienthello *hello = malloc(sizeof *hello);
    if (hello != NULL &&
        clienthello_parse_records(record->hello_bytes, record->hello_length, hello, scratch) != CLIENTHELLO_OK) {
        free(hello);
        hello = NULL;
    }
    return hello;
}

char *hslog_record_json(const struct hslog_record *record, const char *peer, const struct tls_session *session)
{
    struct json json = { 0 };
    struct clienthello *hello = parse_hello(record);
    json_raw(&json, "{", 1);
    json_negotiated(&json, record, peer, session);
    json_stages(&json, record);
    json_randoms(&json, record);
    json_messages(&json, record);
    json_client_hello(&json, hello);
    json_key(&json, "certificates", false);
    json_raw(&json, "[", 1);
    /* a resumed handshake sent none */
    if (!record->resumed)
        (void)tls_server_describe_chain(tls_session_server(session), json_certificate, &json);
    json_raw(&json, "]}", 2);
    free(hello);
    if (json.failed) {
        free(json.data);
        return NULL;
    }
    return json.data;
}

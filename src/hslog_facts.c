/* SPDX-License-Identifier: Apache-2.0 */
/* hslog_facts.c: the facts of a handshake, described once for the log
 * line and the JSON record. */
#include "hslog_facts.h"

#include <stdio.h>

#include "fingerprint.h"
#include "tls_names.h"

#define NAME_SIZE 64

const char *hslog_facts_version_name(uint16_t version)
{
    const char *name = clienthello_version_name(version);
    return name ? name : "unknown";
}

const char *hslog_facts_group_name(uint16_t group)
{
    const char *name = clienthello_group_name(group);
    return name ? name : "unknown";
}

const char *hslog_facts_signature_name(uint16_t scheme)
{
    if (scheme == 0)
        return "unknown";
    const char *name = clienthello_signature_algorithm_name(scheme);
    return name ? name : "unknown";
}

/* A list's names, GREASE left out, in `names` (the emit call's storage). */
struct name_list {
    char names[CLIENTHELLO_MAX_LIST][NAME_SIZE];
    const char *items[CLIENTHELLO_MAX_LIST];
    size_t count;
};

static void name_values(struct name_list *out, const struct clienthello_list *list, const char *(*name_of)(uint16_t))
{
    out->count = 0;
    size_t kept = list->count < CLIENTHELLO_MAX_LIST ? list->count : CLIENTHELLO_MAX_LIST;
    for (size_t i = 0; i < kept; i++) {
        uint16_t value = list->values[i];
        if (clienthello_is_grease(value))
            continue;
        const char *name = name_of(value);
        if (name)
            snprintf(out->names[out->count], NAME_SIZE, "%s", name);
        else
            snprintf(out->names[out->count], NAME_SIZE, "0x%04x", value);
        out->items[out->count] = out->names[out->count];
        out->count++;
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

/* A client that offers TLS 1.3 sends a random session id for middlebox
 * compatibility: only without 1.3 is a session id a resumption try. */
static bool offers_tls13(const struct clienthello *hello)
{
    for (size_t i = 0; i < hello->supported_versions.count && i < CLIENTHELLO_MAX_LIST; i++)
        if (hello->supported_versions.values[i] == 0x0304)
            return true;
    return false;
}

static void emit_text(hslog_value_emit *emit, void *context, const char *text)
{
    struct hslog_value value = { .kind = HSLOG_VALUE_TEXT, .text = text };
    emit(context, &value);
}

static void emit_count(hslog_value_emit *emit, void *context, uint64_t count)
{
    struct hslog_value value = { .kind = HSLOG_VALUE_COUNT, .count = count };
    emit(context, &value);
}

static void emit_items(hslog_value_emit *emit, void *context, const char *const *items, size_t count, bool sent)
{
    struct hslog_value value = { .kind = HSLOG_VALUE_LIST, .items = items, .item_count = count, .sent = sent };
    emit(context, &value);
}

static void emit_names(hslog_value_emit *emit, void *context, const struct clienthello_list *list,
                       const char *(*name_of)(uint16_t))
{
    static _Thread_local struct name_list names;  /* 9 KB: off the stack */
    name_values(&names, list, name_of);
    emit_items(emit, context, names.items, names.count, list->count > 0);
}

static void describe_offered_versions(const struct clienthello *hello, hslog_value_emit *emit, void *context)
{
    if (hello->supported_versions.count > 0) {
        emit_names(emit, context, &hello->supported_versions, clienthello_version_name);
        return;
    }
    const char *only = hslog_facts_version_name(hello->client_version);
    emit_items(emit, context, &only, 1, true);
}

static void describe_resumption(const struct clienthello *hello, hslog_value_emit *emit, void *context)
{
    const char *offered[3];
    size_t count = 0;
    if (hello->session_id_length > 0 && !offers_tls13(hello))
        offered[count++] = "session_id";
    if (hello->session_ticket_length > 0)
        offered[count++] = "ticket";
    if (hello->has_pre_shared_key)
        offered[count++] = "psk";
    emit_items(emit, context, offered, count, true);
}

static void describe_alpn(const struct clienthello *hello, hslog_value_emit *emit, void *context)
{
    const char *protocols[CLIENTHELLO_MAX_ALPN];
    size_t count = 0;
    for (size_t i = 0; i < hello->alpn_count && i < CLIENTHELLO_MAX_ALPN; i++)
        protocols[count++] = hello->alpn[i];
    emit_items(emit, context, protocols, count, true);
}

static void describe_fingerprint(const struct clienthello *hello, enum hslog_hello_fact fact,
                                 hslog_value_emit *emit, void *context)
{
    char ja3_text[2048], fingerprint[40];
    if (fact == HSLOG_HELLO_JA3)
        clienthello_ja3(hello, ja3_text, sizeof ja3_text, fingerprint);
    else
        clienthello_ja4(hello, 't', fingerprint);
    emit_text(emit, context, fingerprint);
}

void hslog_facts_hello(const struct clienthello *hello, enum hslog_hello_fact fact, hslog_value_emit *emit,
                       void *context)
{
    switch (fact) {
    case HSLOG_HELLO_RECORD_VERSION:
        emit_text(emit, context, hslog_facts_version_name(hello->record_version));
        break;
    case HSLOG_HELLO_CLIENT_VERSION:
        emit_text(emit, context, hslog_facts_version_name(hello->client_version));
        break;
    case HSLOG_HELLO_OFFERED_VERSIONS:
        describe_offered_versions(hello, emit, context);
        break;
    case HSLOG_HELLO_SNI:
        emit_text(emit, context, hello->has_server_name && hello->server_name[0] ? hello->server_name : NULL);
        break;
    case HSLOG_HELLO_ALPN:
        describe_alpn(hello, emit, context);
        break;
    case HSLOG_HELLO_OFFERED_SUITES:
        emit_count(emit, context, count_without_grease(&hello->cipher_suites));
        break;
    case HSLOG_HELLO_CIPHER_SUITES:
        emit_names(emit, context, &hello->cipher_suites, clienthello_cipher_suite_name);
        break;
    case HSLOG_HELLO_GROUPS:
        emit_names(emit, context, &hello->supported_groups, clienthello_group_name);
        break;
    case HSLOG_HELLO_KEY_SHARES:
        emit_names(emit, context, &hello->key_share_groups, clienthello_group_name);
        break;
    case HSLOG_HELLO_SIGNATURE_ALGORITHMS:
        emit_names(emit, context, &hello->signature_algorithms, clienthello_signature_algorithm_name);
        break;
    case HSLOG_HELLO_EXTENSIONS:
        emit_names(emit, context, &hello->extensions, clienthello_extension_name);
        break;
    case HSLOG_HELLO_RESUMPTION_OFFERED:
        describe_resumption(hello, emit, context);
        break;
    case HSLOG_HELLO_SESSION_ID_LENGTH:
        emit_count(emit, context, hello->session_id_length);
        break;
    case HSLOG_HELLO_JA3:
    case HSLOG_HELLO_JA4:
        describe_fingerprint(hello, fact, emit, context);
        break;
    }
}

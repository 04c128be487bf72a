/* SPDX-License-Identifier: Apache-2.0 */
/* test_ladder.c: unit tests for the ladder (src/ladder.c): each flow tlsd
 * logs, as its record holds it (the stages tlsd logged against openssl
 * s_client and curl, t-hslog.sh's sequences, and the record headers each
 * way), drawn as text and SVG: arrows in wire order and direction,
 * flights, round trips, locks, the title and description; then records no
 * handshake makes (empty, overfull, nonsense values). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* memmem */
#endif
#include "ladder.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CH HS_STAGE_client_hello
#define HRR HS_STAGE_hello_retry_request
#define SH HS_STAGE_server_hello
#define EE HS_STAGE_encrypted_extensions
#define CERT HS_STAGE_certificate
#define SKE HS_STAGE_server_key_exchange
#define CV HS_STAGE_certificate_verify
#define SHD HS_STAGE_server_hello_done
#define CKE HS_STAGE_client_key_exchange
#define CCSC HS_STAGE_change_cipher_spec_client
#define FINC HS_STAGE_finished_client
#define NST HS_STAGE_new_session_ticket
#define CCSS HS_STAGE_change_cipher_spec_server
#define FINS HS_STAGE_finished_server
#define END HS_STAGE_established

/* A flow: its stages (ending with END or the failure), the records'
 * headers each way (type << 16 | length; 0 ends), and what is expected. */
struct flow {
    const char *name;
    uint16_t version;
    bool resumed, hello_retry;
    enum hs_stage stages[HSLOG_MAX_STAGES];
    unsigned client_wire[HSLOG_MAX_WIRE_RECORDS];
    unsigned server_wire[HSLOG_MAX_WIRE_RECORDS];
    unsigned flights[HSLOG_MAX_STAGES];   /* of each message */
    unsigned records[HSLOG_MAX_STAGES];   /* of each message */
    unsigned round_trips;
};

#define W(type, length) ((type) << 16 | (length))

static const struct flow flows[] = {
    { "TLS 1.2 full, with a ticket", 0x0303, false, false,
      { CH, SH, CERT, SKE, SHD, CKE, CCSC, FINC, NST, CCSS, FINS, END },
      { W(22, 512), W(22, 37), W(20, 1), W(22, 40), W(23, 100) },
      { W(22, 61), W(22, 1100), W(22, 116), W(22, 4), W(22, 202), W(20, 1), W(22, 40) },
      { 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4 },
      { 1, 1, 2, 3, 4, 2, 3, 4, 5, 6, 7 }, 2 },
    { "TLS 1.2 full, without a ticket", 0x0303, false, false,
      { CH, SH, CERT, SKE, SHD, CKE, CCSC, FINC, CCSS, FINS, END },
      { W(22, 300), W(22, 37), W(20, 1), W(22, 40) },
      { W(22, 61), W(22, 1100), W(22, 116), W(22, 4), W(20, 1), W(22, 40) },
      { 1, 2, 2, 2, 2, 3, 3, 3, 4, 4 },
      { 1, 1, 2, 3, 4, 2, 3, 4, 5, 6 }, 2 },
    { "TLS 1.2 resumed by session id", 0x0303, true, false,
      { CH, SH, CCSS, FINS, CCSC, FINC, END },
      { W(22, 300), W(20, 1), W(22, 40) },
      { W(22, 93), W(20, 1), W(22, 40) },
      { 1, 2, 2, 2, 3, 3 },
      { 1, 1, 2, 3, 2, 3 }, 1 },
    { "TLS 1.2 resumed by ticket", 0x0303, true, false,
      { CH, SH, NST, CCSS, FINS, CCSC, FINC, END },
      { W(22, 500), W(20, 1), W(22, 40) },
      { W(22, 93), W(22, 202), W(20, 1), W(22, 40) },
      { 1, 2, 2, 2, 2, 3, 3 },
      { 1, 1, 2, 3, 4, 2, 3 }, 1 },
    { "TLS 1.3 full", 0x0304, false, false,
      { CH, SH, EE, CERT, CV, FINS, FINC, NST, END },
      { W(22, 512), W(20, 1), W(23, 53), W(23, 100) },
      { W(22, 122), W(20, 1), W(23, 27), W(23, 1100), W(23, 96), W(23, 53), W(23, 200) },
      { 1, 2, 2, 2, 2, 2, 3, 4 },
      { 1, 1, 3, 4, 5, 6, 3, 7 }, 1 },
    { "TLS 1.3 after a HelloRetryRequest", 0x0304, false, true,
      { CH, HRR, CH, SH, EE, CERT, CV, FINS, FINC, NST, END },
      { W(22, 512), W(20, 1), W(22, 600), W(23, 53) },
      { W(22, 88), W(20, 1), W(22, 122), W(23, 27), W(23, 1100), W(23, 96), W(23, 53), W(23, 200) },
      { 1, 2, 3, 4, 4, 4, 4, 4, 5, 6 },
      { 1, 1, 3, 3, 4, 5, 6, 7, 4, 8 }, 2 },
    { "TLS 1.3 resumed with a PSK", 0x0304, true, false,
      { CH, SH, EE, FINS, FINC, NST, END },
      { W(22, 700), W(20, 1), W(23, 53) },
      { W(22, 128), W(23, 27), W(23, 53), W(23, 200) },
      { 1, 2, 2, 2, 3, 4 },
      { 1, 1, 2, 3, 3, 4 }, 1 },
};

/* A record as hslog_record_new() makes it, without its ClientHello (the
 * ladder never reads it; this test links no TLS). */
static struct hslog_record *new_record(void)
{
    struct hslog_record *record = calloc(1, sizeof *record);
    ck_assert_ptr_nonnull(record);
    record->alert_sent = -1;
    record->alert_received = -1;
    return record;
}

static size_t stage_count(const struct flow *flow)
{
    size_t count = 0;
    while (count < HSLOG_MAX_STAGES && flow->stages[count] != HS_STAGE_NONE)
        count++;
    return count;
}

static size_t wire_count(const unsigned *wire)
{
    size_t count = 0;
    while (count < HSLOG_MAX_WIRE_RECORDS && wire[count] != 0)
        count++;
    return count;
}

static struct hslog_record *record_of(const struct flow *flow)
{
    struct hslog_record *record = new_record();
    record->server_version = flow->version;
    record->resumed = flow->resumed;
    record->hello_retry = flow->hello_retry;
    record->stage_count = stage_count(flow);
    for (size_t i = 0; i < record->stage_count; i++) {
        record->stages[i].stage = flow->stages[i];
        record->stages[i].t_ms = 1.5 * (double)i + (flow->stages[i] == CKE || flow->stages[i] == FINC ? 40 : 0);
    }
    record->handshake_ms = 1.5 * (double)record->stage_count + 40;
    const unsigned *wires[2] = { flow->client_wire, flow->server_wire };
    for (int side = 0; side < 2; side++) {
        record->wire_count[side] = wire_count(wires[side]);
        for (size_t i = 0; i < record->wire_count[side]; i++) {
            record->wire[side][i].type = (uint8_t)(wires[side][i] >> 16);
            record->wire[side][i].length = (uint16_t)wires[side][i];
        }
    }
    record->randoms_known = true;
    memset(record->client_random, 0xc1, sizeof record->client_random);
    memset(record->server_random, 0x5e, sizeof record->server_random);
    record->session_id_length = 32;
    memset(record->session_id, 0xab, sizeof record->session_id);
    return record;
}

static void assert_lines_fit(const char *text)
{
    size_t column = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            column = 0;
            continue;
        }
        column++;
        ck_assert_msg(column <= LADDER_TEXT_WIDTH, "a line is wider than 80 columns: %s", text);
        ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "not printable ASCII");
    }
}

static size_t occurrences(const char *text, const char *what)
{
    size_t count = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        count++;
    return count;
}

/* The text draws one arrow per message, in order and in its direction. */
static void assert_text_arrows(const char *text, const struct ladder_message *messages, size_t count)
{
    const char *at = text;
    for (size_t i = 0; i < count; i++) {
        char arrow[64];
        snprintf(arrow, sizeof arrow, "|%s %s ", messages[i].from_client ? "---" : "<--", messages[i].name);
        const char *found = strstr(at, arrow);
        ck_assert_msg(found != NULL, "arrow %zu (%s) missing or out of order in\n%s", i, arrow, text);
        const char *end = strchr(found, '\n');
        ck_assert_ptr_nonnull(end);
        bool locked = memmem(found, (size_t)(end - found), "[locked]", 8) != NULL;
        ck_assert_int_eq(locked, messages[i].encrypted);
        if (messages[i].from_client)
            ck_assert_ptr_nonnull(memmem(found, (size_t)(end - found), "->|", 3));
        at = end;
    }
}

START_TEST(each_flow_drawn)
{
    const struct flow *flow = &flows[_i];
    struct hslog_record *record = record_of(flow);
    struct ladder_message messages[LADDER_MAX_MESSAGES];
    size_t count = ladder_messages(record, messages, LADDER_MAX_MESSAGES);
    ck_assert_uint_eq(count, stage_count(flow) - 1);
    size_t encrypted = 0;
    for (size_t i = 0; i < count; i++) {
        ck_assert_int_eq(messages[i].stage, flow->stages[i]);
        ck_assert_msg(messages[i].flight == flow->flights[i], "%s: message %zu in flight %u", flow->name, i,
                      messages[i].flight);
        ck_assert_msg(messages[i].record == flow->records[i], "%s: message %zu in record %u", flow->name, i,
                      messages[i].record);
        encrypted += messages[i].encrypted;
    }
    ck_assert_uint_eq(ladder_round_trips(messages, count), flow->round_trips);

    char *text = ladder_text(record);
    ck_assert_ptr_nonnull(text);
    assert_lines_fit(text);
    assert_text_arrows(text, messages, count);
    ck_assert_uint_eq(occurrences(text, "[locked]"), encrypted + 1);  /* and the legend */
    char round_trips[32];
    snprintf(round_trips, sizeof round_trips, ": %u round trip%s", flow->round_trips, flow->round_trips > 1 ? "s" : "");
    ck_assert_ptr_nonnull(strstr(text, round_trips));
    ck_assert_ptr_nonnull(strstr(text, flow->version == 0x0304 ? "TLS 1.3" : "TLS 1.2"));
    ck_assert_ptr_nonnull(strstr(text, "client random: c1c1"));
    ck_assert_ptr_nonnull(strstr(text, "+ the network round trip"));
    ck_assert_uint_eq(occurrences(text, "tlsd signed in"), flow->resumed ? 0 : 1);

    char *svg = ladder_svg(record);
    ck_assert_ptr_nonnull(svg);
    ck_assert_ptr_nonnull(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    ck_assert_ptr_nonnull(strstr(svg, "<title id=\"ladder-title\">Your TLS 1."));
    ck_assert_ptr_nonnull(strstr(svg, "<desc id=\"ladder-desc\">"));
    ck_assert_ptr_nonnull(strstr(svg, "</svg>\n"));
    ck_assert_ptr_null(strstr(svg, " style="));  /* the endpoint's policy allows no inline style */
    ck_assert_uint_eq(occurrences(svg, "<line "), count + 2);  /* the arrows and the two columns */
    ck_assert_uint_eq(occurrences(svg, "<g transform="), encrypted);  /* a lock each */
    ck_assert_uint_eq(occurrences(svg, "<text x=\"8\""), flow->round_trips);
    const char *at = strstr(svg, "</desc>");
    for (size_t i = 0; i < count; i++) {
        char label[64];
        snprintf(label, sizeof label, ">%s%s</text>", messages[i].name, messages[i].encrypted ? " (encrypted)" : "");
        at = strstr(at, label);
        ck_assert_msg(at != NULL, "%s: SVG arrow %zu (%s) missing or out of order", flow->name, i, label);
    }
    free(svg);
    free(text);
    free(record);
}
END_TEST

START_TEST(a_failed_handshake)
{
    struct hslog_record *record = new_record();
    record->server_version = 0x0303;
    record->stage_count = 2;
    record->stages[0].stage = CH;
    record->stages[1].stage = HS_STAGE_handshake_failed;
    record->failed = true;
    record->failed_at = CH;
    record->alert_sent = 70;  /* protocol_version */
    char *text = ladder_text(record);
    ck_assert_ptr_nonnull(text);
    assert_lines_fit(text);
    ck_assert_ptr_nonnull(strstr(text, "|--- ClientHello"));
    ck_assert_ptr_nonnull(strstr(text, "x stopped at client_hello")); ck_assert_ptr_nonnull(strstr(text, "alert sent: protocol_version, received: none"));
    ck_assert_ptr_nonnull(strstr(text, "(failed): 0 round trips, "));
    char *svg = ladder_svg(record);
    ck_assert_ptr_nonnull(strstr(svg, "stopped at client_hello; alert sent: protocol_version"));
    ck_assert_ptr_nonnull(strstr(svg, "The handshake stopped at client_hello"));
    free(svg);
    free(text);

    /* stopped later, after the chain went: the client's alert */
    record->stage_count = 0;
    const enum hs_stage stages[] = { CH, SH, CERT, SKE, SHD, HS_STAGE_handshake_failed };
    for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
        record->stages[record->stage_count++].stage = stages[i];
    record->failed_at = CKE;
    record->alert_sent = -1;
    record->alert_received = 48;  /* unknown_ca */
    text = ladder_text(record);
    ck_assert_ptr_nonnull(strstr(text, "|<-- ServerHelloDone"));
    ck_assert_ptr_nonnull(strstr(text, "alert sent: none, received: unknown_ca"));
    assert_lines_fit(text);
    free(text);
    free(record);
}
END_TEST

START_TEST(records_no_handshake_makes)
{
    /* empty */
    struct hslog_record *record = new_record();
    char *text = ladder_text(record);
    char *svg = ladder_svg(record);
    ck_assert_ptr_nonnull(strstr(text, "TLS (version unknown) handshake (full): 0 round trips, 0.000 ms"));
    ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
    assert_lines_fit(text);
    free(text);
    free(svg);

    /* counts beyond the arrays, stages out of range, absurd times and sizes */
    record->stage_count = 1000;
    for (size_t i = 0; i < HSLOG_MAX_STAGES; i++) {
        record->stages[i].stage = i % 3 == 0 ? (enum hs_stage)(1000 + i) : (i % 3 == 1 ? FINC : CCSS);
        record->stages[i].t_ms = i % 2 ? -5e300 : 1e300;
    }
    record->wire_count[0] = record->wire_count[1] = 99999;
    for (size_t i = 0; i < HSLOG_MAX_WIRE_RECORDS; i++) {
        record->wire[0][i].type = (uint8_t)i;
        record->wire[0][i].length = 65535;
        record->wire[1][i].type = 20;
    }
    record->session_id_length = 5000;
    record->randoms_known = true;
    record->failed = true;
    record->failed_at = (enum hs_stage)77777;
    record->alert_sent = 12345;
    record->alert_received = 255;
    record->handshake_ms = 1e308;
    text = ladder_text(record);
    svg = ladder_svg(record);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(svg);
    assert_lines_fit(text);
    ck_assert_ptr_nonnull(strstr(text, "alert sent: unknown, received: unknown"));
    ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
    free(text);
    free(svg);
    free(record);
}
END_TEST

START_TEST(every_message_stage_has_a_name)
{
    for (int stage = HS_STAGE_client_hello; stage <= HS_STAGE_finished_server; stage++)
        ck_assert_ptr_nonnull(ladder_message_name((enum hs_stage)stage));
    ck_assert_ptr_null(ladder_message_name(HS_STAGE_established));
    ck_assert_ptr_null(ladder_message_name(HS_STAGE_handshake_failed));
    ck_assert_ptr_null(ladder_message_name(HS_STAGE_NONE));
}
END_TEST

static Suite *ladder_suite(void)
{
    Suite *suite = suite_create("ladder");
    TCase *drawn = tcase_create("flows");
    tcase_add_loop_test(drawn, each_flow_drawn, 0, (int)(sizeof flows / sizeof *flows));
    tcase_add_test(drawn, a_failed_handshake);
    tcase_add_test(drawn, records_no_handshake_makes);
    tcase_add_test(drawn, every_message_stage_has_a_name);
    suite_add_tcase(suite, drawn);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(ladder_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* ladder.c: the handshake record drawn as a ladder, as SVG and as text.
 *
 * The messages come from the record's stages (wire order, as logged);
 * each is matched with the record it travelled in by walking the records
 * of its direction in order (Mbed TLS sends one handshake message per
 * record, and so do the clients we know; a ChangeCipherSpec is its own
 * record, and in TLS 1.3 only a middlebox dummy, not drawn). */
#include "ladder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hslog_facts.h"
#include "tls_names.h"

#define RECORD_CHANGE_CIPHER_SPEC 20
#define RECORD_ALERT 21

/* ---- the messages */

const char *ladder_message_name(enum hs_stage stage)
{
    switch (stage) {
    case HS_STAGE_client_hello: return "ClientHello";
    case HS_STAGE_hello_retry_request: return "HelloRetryRequest";
    case HS_STAGE_server_hello: return "ServerHello";
    case HS_STAGE_encrypted_extensions: return "EncryptedExtensions";
    case HS_STAGE_certificate: return "Certificate";
    case HS_STAGE_server_key_exchange: return "ServerKeyExchange";
    case HS_STAGE_certificate_verify: return "CertificateVerify";
    case HS_STAGE_server_hello_done: return "ServerHelloDone";
    case HS_STAGE_client_key_exchange: return "ClientKeyExchange";
    case HS_STAGE_change_cipher_spec_client: return "ChangeCipherSpec";
    case HS_STAGE_finished_client: return "Finished";
    case HS_STAGE_new_session_ticket: return "NewSessionTicket";
    case HS_STAGE_change_cipher_spec_server: return "ChangeCipherSpec";
    case HS_STAGE_finished_server: return "Finished";
    default: return NULL;
    }
}

static bool from_client(enum hs_stage stage)
{
    return stage == HS_STAGE_client_hello || stage == HS_STAGE_client_key_exchange ||
           stage == HS_STAGE_change_cipher_spec_client || stage == HS_STAGE_finished_client;
}

static bool is_change_cipher_spec(enum hs_stage stage)
{
    return stage == HS_STAGE_change_cipher_spec_client || stage == HS_STAGE_change_cipher_spec_server;
}

static bool travels_encrypted(bool tls13, enum hs_stage stage)
{
    if (tls13)
        return stage != HS_STAGE_client_hello && stage != HS_STAGE_hello_retry_request &&
               stage != HS_STAGE_server_hello;
    return stage == HS_STAGE_finished_client || stage == HS_STAGE_finished_server;
}

/* The next record of a direction for a message: a ChangeCipherSpec's for
 * one, a handshake (or TLS 1.3 encrypted) record for the others. */
static void match_record(const struct hslog_record *record, int side, size_t *next, bool tls13,
                         struct ladder_message *message)
{
    size_t count = record->wire_count[side] < HSLOG_MAX_WIRE_RECORDS ? record->wire_count[side]
                                                                     : HSLOG_MAX_WIRE_RECORDS;
    bool ccs = is_change_cipher_spec(message->stage);
    while (*next < count) {
        const struct hslog_wire_record *wire = &record->wire[side][*next];
        (*next)++;
        bool wire_ccs = wire->type == RECORD_CHANGE_CIPHER_SPEC;
        if (wire->type == RECORD_ALERT || (wire_ccs && tls13) || wire_ccs != ccs)
            continue;
        message->record = (unsigned)*next;
        message->size = wire->length;
        return;
    }
}

/* Flights change with the direction; a server flight answering a client
 * one completes a round trip, unless all it holds is a TLS 1.3 ticket the
 * client does not wait for. */
static void mark_flights(struct ladder_message *messages, size_t count)
{
    unsigned flight = 0;
    unsigned round_trip = 0;
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || messages[i].from_client != messages[i - 1].from_client)
            flight++;
        messages[i].flight = flight;
    }
    for (size_t i = 0; i < count; i++) {
        if (messages[i].from_client || (i > 0 && messages[i - 1].flight == messages[i].flight) || i == 0)
            continue;
        bool waited = false;
        for (size_t j = i; j < count && messages[j].flight == messages[i].flight; j++)
            waited = waited || messages[j].stage != HS_STAGE_new_session_ticket;
        if (waited)
            messages[i].round_trip = ++round_trip;
    }
}

size_t ladder_messages(const struct hslog_record *record, struct ladder_message *out, size_t max)
{
    bool tls13 = record->server_version == 0x0304;
    size_t next[2] = { 0, 0 };
    size_t count = 0;
    size_t stages = record->stage_count < HSLOG_MAX_STAGES ? record->stage_count : HSLOG_MAX_STAGES;
    for (size_t i = 0; i < stages && count < max; i++) {
        enum hs_stage stage = record->stages[i].stage;
        const char *name = ladder_message_name(stage);
        if (name == NULL)
            continue;
        struct ladder_message *message = &out[count++];
        memset(message, 0, sizeof *message);
        message->stage = stage;
        message->name = name;
        message->from_client = from_client(stage);
        message->t_ms = record->stages[i].t_ms;
        message->encrypted = travels_encrypted(tls13, stage);
        int side = message->from_client ? HSLOG_CLIENT : HSLOG_SERVER;
        match_record(record, side, &next[side], tls13, message);
    }
    mark_flights(out, count);
    return count;
}

unsigned ladder_round_trips(const struct ladder_message *messages, size_t count)
{
    unsigned round_trips = 0;
    for (size_t i = 0; i < count; i++)
        if (messages[i].round_trip > round_trips)
            round_trips = messages[i].round_trip;
    return round_trips;
}

/* ---- what the drawing says besides the arrows */

struct ladder {
    const struct hslog_record *record;
    struct ladder_message messages[LADDER_MAX_MESSAGES];
    size_t count;
    unsigned round_trips;
    size_t gap_before;     /* the client message after the long client-side gap; 0: none */
    size_t signed_at;      /* the message tlsd signed (its time since the previous one); 0: none */
};

/* The longest wait between a server flight and the client's answer. */
static size_t longest_client_gap(const struct ladder_message *messages, size_t count)
{
    size_t best = 0;
    double longest = -1;
    for (size_t i = 1; i < count; i++) {
        if (!messages[i].from_client || messages[i - 1].from_client)
            continue;
        double gap = messages[i].t_ms - messages[i - 1].t_ms;
        if (gap > longest) {
            longest = gap;
            best = i;
        }
    }
    return best;
}

static void ladder_build(struct ladder *ladder, const struct hslog_record *record)
{
    memset(ladder, 0, sizeof *ladder);
    ladder->record = record;
    ladder->count = ladder_messages(record, ladder->messages, LADDER_MAX_MESSAGES);
    ladder->round_trips = ladder_round_trips(ladder->messages, ladder->count);
    ladder->gap_before = longest_client_gap(ladder->messages, ladder->count);
    for (size_t i = 1; i < ladder->count; i++) {
        enum hs_stage stage = ladder->messages[i].stage;
        if (stage == HS_STAGE_certificate_verify || stage == HS_STAGE_server_key_exchange)
            ladder->signed_at = i;
    }
}

/* What the client did in the gap before message `at`. */
static const char *gap_label(const struct ladder *ladder, size_t at)
{
    bool certificate = false;
    bool retry = false;
    for (size_t i = at; i > 0 && !ladder->messages[i - 1].from_client; i--) {
        certificate = certificate || ladder->messages[i - 1].stage == HS_STAGE_certificate;
        retry = retry || ladder->messages[i - 1].stage == HS_STAGE_hello_retry_request;
    }
    bool tls13 = ladder->record->server_version == 0x0304;
    if (retry)
        return "the client makes a key share in the group asked for";
    if (certificate && !tls13)
        return "the client verifies the chain, makes its key share";
    if (certificate)
        return "the client verifies chain and signature, derives keys";
    return "the client checks tlsd's Finished, derives keys";
}

static double signing_ms(const struct ladder *ladder)
{
    size_t at = ladder->signed_at;
    return ladder->messages[at].t_ms - ladder->messages[at - 1].t_ms;
}

static const char *version_text(const struct hslog_record *record)
{
    if (record->server_version == 0x0304)
        return "TLS 1.3";
    if (record->server_version == 0x0303)
        return "TLS 1.2";
    return "TLS (version unknown)";
}

static const char *flow_text(const struct hslog_record *record)
{
    if (record->failed)
        return "failed";
    if (record->resumed)
        return record->server_version == 0x0304 ? "resumed with a PSK" : "resumed";
    return record->hello_retry ? "full, after a HelloRetryRequest" : "full";
}

static const char *alert_text(int alert)
{
    const char *name = alert >= 0 ? tls_alert_name(alert) : NULL;
    return alert < 0 ? "none" : name ? name : "unknown";
}

/* ---- a growing text */

struct text {
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
};

static void text_printf(struct text *text, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *text, const char *format, ...)
{
    if (text->failed)
        return;
    va_list args;
    va_start(args, format);
    int needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (needed < 0) {
        text->failed = true;
        return;
    }
    if (text->length + (size_t)needed + 1 > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 4096;
        while (capacity < text->length + (size_t)needed + 1)
            capacity *= 2;
        char *grown = realloc(text->data, capacity);
        if (grown == NULL) {
            text->failed = true;
            return;
        }
        text->data = grown;
        text->capacity = capacity;
    }
    va_start(args, format);
    vsnprintf(text->data + text->length, (size_t)needed + 1, format, args);
    va_end(args);
    text->length += (size_t)needed;
}

static char *text_done(struct text *text)
{
    if (text->failed) {
        free(text->data);
        return NULL;
    }
    return text->data;
}

static void text_hex(struct text *text, const uint8_t *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++)
        text_printf(text, "%02x", bytes[i]);
}

/* "517 B, record 1" or "" when unknown. */
static void message_detail(const struct ladder_message *message, char *out, size_t size)
{
    if (message->record == 0)
        snprintf(out, size, "%s", "");
    else
        snprintf(out, size, "%u B, record %u", message->size, message->record);
}

/* ---- text */

/* Columns: the margin (flight, round trip), the client's line at
 * TEXT_CLIENT, tlsd's at TEXT_SERVER, then the time, 80 in all. */
#define TEXT_CLIENT 8
#define TEXT_SERVER 66
#define TEXT_INSIDE (TEXT_SERVER - TEXT_CLIENT - 1)

static double clamp_ms(double ms)
{
    return ms < 0 ? 0 : ms > 999999.999 ? 999999.999 : ms;
}

static void text_arrow(struct text *text, const struct ladder_message *message)
{
    char margin[16];
    char label[64];
    char detail[40];
    char inside[TEXT_INSIDE + 1];
    snprintf(margin, sizeof margin, "f%u", message->flight % 100);
    if (message->round_trip)
        snprintf(margin + strlen(margin), sizeof margin - strlen(margin), " RT%u", message->round_trip % 10);
    message_detail(message, detail, sizeof detail);
    snprintf(label, sizeof label, " %s%s%s%s ", message->name, detail[0] ? " " : "", detail,
             message->encrypted ? " [locked]" : "");
    memset(inside, '-', TEXT_INSIDE);
    inside[TEXT_INSIDE] = '\0';
    size_t label_length = strlen(label);
    if (label_length > TEXT_INSIDE - 6)
        label_length = TEXT_INSIDE - 6;
    memcpy(inside + 3, label, label_length);
    if (message->from_client)
        inside[TEXT_INSIDE - 1] = '>';
    else
        inside[0] = '<';
    text_printf(text, "%-*.*s|%s|%10.3f ms\n", TEXT_CLIENT, TEXT_CLIENT - 1, margin, inside,
                clamp_ms(message->t_ms));
}

/* A note between the lines, on the client's side or tlsd's. */
static void text_note(struct text *text, const char *note, bool server_side)
{
    text_printf(text, "%-*s|%*.*s|\n", TEXT_CLIENT, "", server_side ? TEXT_INSIDE : -TEXT_INSIDE, TEXT_INSIDE - 2,
                note);
}

static void text_header(struct text *text, const struct ladder *ladder)
{
    char line[160];
    const struct hslog_record *record = ladder->record;
    snprintf(line, sizeof line, "%s handshake (%s): %u round trip%s, %.3f ms", version_text(record),
             flow_text(record), ladder->round_trips, ladder->round_trips == 1 ? "" : "s",
             clamp_ms(record->handshake_ms));
    text_printf(text, "%.*s\n", LADDER_TEXT_WIDTH, line);
    text_printf(text, "%-*s%-*s%s\n", TEXT_CLIENT, "", TEXT_SERVER - TEXT_CLIENT - 2, "client", "tlsd   time (ms)");
}

static void text_footer(struct text *text, const struct ladder *ladder)
{
    const struct hslog_record *record = ladder->record;
    if (record->failed) {
        char note[TEXT_INSIDE + 1];
        snprintf(note, sizeof note, " x stopped at %s",
                 hs_stage_name(record->failed_at) ? hs_stage_name(record->failed_at) : "?");
        text_note(text, note, false);
        snprintf(note, sizeof note, "   alert sent: %s, received: %s", alert_text(record->alert_sent),
                 alert_text(record->alert_received));
        text_note(text, note, false);
    }
    text_printf(text, "f = flight, RT = round trip completed, [locked] = travels encrypted\n");
    if (record->randoms_known) {
        text_printf(text, "client random: ");
        text_hex(text, record->client_random, sizeof record->client_random);
        text_printf(text, "\nserver random: ");
        text_hex(text, record->server_random, sizeof record->server_random);
        text_printf(text, "\nsession id: ");
        size_t length = record->session_id_length <= 32 ? record->session_id_length : 32;
        text_hex(text, record->session_id, length);
        text_printf(text, "%s\n", length ? "" : "(empty)");
    }
}

char *ladder_text(const struct hslog_record *record)
{
    struct ladder *ladder = malloc(sizeof *ladder);
    if (ladder == NULL)
        return NULL;
    ladder_build(ladder, record);
    struct text text = { 0 };
    text_header(&text, ladder);
    for (size_t i = 0; i < ladder->count; i++) {
        const struct ladder_message *message = &ladder->messages[i];
        char note[TEXT_INSIDE + 1];
        if (i > 0 && i == ladder->gap_before) {
            snprintf(note, sizeof note, "  %s", gap_label(ladder, i));
            text_note(&text, note, false);
            snprintf(note, sizeof note, "  + the network round trip: %.3f ms in all",
                     clamp_ms(message->t_ms - ladder->messages[i - 1].t_ms));
            text_note(&text, note, false);
        }
        text_arrow(&text, message);
        if (i > 0 && i == ladder->signed_at) {
            snprintf(note, sizeof note, "tlsd signed in %.3f ms  ", clamp_ms(signing_ms(ladder)));
            text_note(&text, note, true);
        }
    }
    text_footer(&text, ladder);
    free(ladder);
    return text_done(&text);
}

/* ---- SVG (presentation attributes only: the endpoint's policy allows no style) */

#define SVG_WIDTH 760
#define SVG_CLIENT 170
#define SVG_SERVER 590
#define SVG_ROW 34
#define SVG_TOP 96

static void svg_lock(struct text *svg, int x, int y)
{
    text_printf(svg,
                "<g transform=\"translate(%d %d)\" aria-hidden=\"true\"><path d=\"M-3 0v-3a3 3 0 0 1 6 0v3\" "
                "fill=\"none\" stroke=\"#7a5200\" stroke-width=\"1.5\"/><rect x=\"-4.5\" y=\"0\" width=\"9\" "
                "height=\"7\" rx=\"1\" fill=\"#b07800\"/></g>",
                x, y);
}

static void svg_arrow(struct text *svg, const struct ladder_message *message, int y)
{
    char detail[40];
    message_detail(message, detail, sizeof detail);
    int from = message->from_client ? SVG_CLIENT : SVG_SERVER;
    int to = message->from_client ? SVG_SERVER - 8 : SVG_CLIENT + 8;
    int head = message->from_client ? -1 : 1;
    text_printf(svg, "<g><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1d4f91\" stroke-width=\"2\"/>", from,
                y, to, y);
    text_printf(svg, "<path d=\"M%d %dl%d -5v10z\" fill=\"#1d4f91\"/>", to - 8 * head, y, 8 * head);
    int middle = (SVG_CLIENT + SVG_SERVER) / 2;
    if (message->encrypted)  /* before the label, about 7 px a character at 13 px */
        svg_lock(svg, middle - 7 * (int)(strlen(message->name) + strlen(" (encrypted)")) / 2 - 12, y - 16);
    text_printf(svg, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">%s%s</text>", middle, y - 6,
                message->name, message->encrypted ? " (encrypted)" : "");
    if (detail[0])
        text_printf(svg, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">%s</text>",
                    middle, y + 13, detail);
    text_printf(svg, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#333\">%.3f ms</text></g>\n", SVG_SERVER + 12,
                y + 4, clamp_ms(message->t_ms));
}

/* The flights' bands and the round trips' brackets (from the client's
 * flight to the server's that answers it), behind the arrows. */
static void svg_flight(struct text *svg, const struct ladder *ladder, size_t first, int y_first, int y_last,
                       int y_asked)
{
    const struct ladder_message *message = &ladder->messages[first];
    text_printf(svg,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#666\">flight %u</text>\n",
                SVG_CLIENT - 60, y_first - 24, SVG_SERVER - SVG_CLIENT + 60, y_last - y_first + 34,
                message->flight % 2 ? "#eef3fa" : "#f7f7f2", SVG_CLIENT - 56, y_first - 12, message->flight);
    if (message->round_trip)
        text_printf(svg,
                    "<path d=\"M40 %dh-8v%dh8\" fill=\"none\" stroke=\"#888\"/>"
                    "<text x=\"8\" y=\"%d\" font-size=\"11\" fill=\"#333\">RT %u</text>\n",
                    y_asked - 24, y_last - y_asked + 34, (y_asked + y_last) / 2, message->round_trip);
}

/* The rows: each message's y, with room for the gap's note. */
static int svg_rows(const struct ladder *ladder, int *rows)
{
    int y = SVG_TOP;
    for (size_t i = 0; i < ladder->count; i++) {
        if (i > 0 && ladder->messages[i].flight != ladder->messages[i - 1].flight)
            y += 14;
        if (i > 0 && i == ladder->gap_before)
            y += 30;
        rows[i] = y;
        y += SVG_ROW + (i == ladder->signed_at && i > 0 ? 10 : 0);
    }
    return y;
}

static void svg_notes(struct text *svg, const struct ladder *ladder, const int *rows)
{
    size_t at = ladder->gap_before;
    if (at > 0)
        text_printf(svg,
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\" font-style=\"italic\" fill=\"#7a3b00\">%s</text>"
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\" font-style=\"italic\" fill=\"#7a3b00\">+ the network "
                    "round trip: %.3f ms in all</text>\n",
                    SVG_CLIENT + 8, rows[at] - 48, gap_label(ladder, at), SVG_CLIENT + 8, rows[at] - 34,
                    clamp_ms(ladder->messages[at].t_ms - ladder->messages[at - 1].t_ms));
    at = ladder->signed_at;
    if (at > 0)
        text_printf(svg,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\" fill=\"#7a3b00\">tlsd signed in "
                    "%.3f ms</text>\n",
                    SVG_SERVER - 8, rows[at] + 26, clamp_ms(signing_ms(ladder)));
}

static void svg_description(struct text *svg, const struct ladder *ladder)
{
    const struct hslog_record *record = ladder->record;
    text_printf(svg, "<title id=\"ladder-title\">Your %s handshake with tlsd (%s)</title><desc id=\"ladder-desc\">",
                version_text(record), flow_text(record));
    text_printf(svg, "%zu messages in %u round trip%s, %.3f ms. ", ladder->count, ladder->round_trips,
                ladder->round_trips == 1 ? "" : "s", clamp_ms(record->handshake_ms));
    for (size_t i = 0; i < ladder->count; i++) {
        const struct ladder_message *message = &ladder->messages[i];
        text_printf(svg, "Flight %u: %s sent %s%s at %.3f ms. ", message->flight,
                    message->from_client ? "the client" : "tlsd", message->name,
                    message->encrypted ? ", encrypted," : "", clamp_ms(message->t_ms));
    }
    if (record->failed)
        text_printf(svg, "The handshake stopped at %s; alert sent: %s, received: %s.",
                    hs_stage_name(record->failed_at) ? hs_stage_name(record->failed_at) : "?",
                    alert_text(record->alert_sent), alert_text(record->alert_received));
    text_printf(svg, "</desc>\n");
}

static void svg_head(struct text *svg, const struct ladder *ladder, int height)
{
    const struct hslog_record *record = ladder->record;
    text_printf(svg,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "role=\"img\" aria-labelledby=\"ladder-title ladder-desc\" font-family=\"sans-serif\">\n",
                SVG_WIDTH, height, SVG_WIDTH, height);
    svg_description(svg, ladder);
    text_printf(svg, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", SVG_WIDTH, height);
    text_printf(svg,
                "<text x=\"16\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s handshake (%s): %u round trip%s, "
                "%.3f ms</text>\n",
                version_text(record), flow_text(record), ladder->round_trips, ladder->round_trips == 1 ? "" : "s",
                clamp_ms(record->handshake_ms));
    text_printf(svg,
                "<text x=\"%d\" y=\"58\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">client</text>"
                "<text x=\"%d\" y=\"58\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">tlsd</text>"
                "<text x=\"%d\" y=\"40\" font-size=\"11\" fill=\"#555\">time (tlsd's clock)</text>\n",
                SVG_CLIENT, SVG_SERVER, SVG_SERVER + 12);
}

char *ladder_svg(const struct hslog_record *record)
{
    struct ladder *ladder = malloc(sizeof *ladder);
    if (ladder == NULL)
        return NULL;
    ladder_build(ladder, record);
    int rows[LADDER_MAX_MESSAGES + 1];
    int bottom = svg_rows(ladder, rows);
    int height = bottom + (record->failed ? 40 : 10);
    struct text svg = { 0 };
    svg_head(&svg, ladder, height);
    int y_asked = SVG_TOP;
    for (size_t i = 0; i < ladder->count; i++) {
        size_t last = i;
        while (last + 1 < ladder->count && ladder->messages[last + 1].flight == ladder->messages[i].flight)
            last++;
        svg_flight(&svg, ladder, i, rows[i], rows[last], ladder->messages[i].from_client ? rows[i] : y_asked);
        if (ladder->messages[i].from_client)
            y_asked = rows[i];
        i = last;
    }
    text_printf(&svg,
                "<line x1=\"%d\" y1=\"66\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"2\"/>"
                "<line x1=\"%d\" y1=\"66\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"2\"/>\n",
                SVG_CLIENT, SVG_CLIENT, bottom, SVG_SERVER, SVG_SERVER, bottom);
    for (size_t i = 0; i < ladder->count; i++)
        svg_arrow(&svg, &ladder->messages[i], rows[i]);
    svg_notes(&svg, ladder, rows);
    if (record->failed)
        text_printf(&svg,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\" fill=\"#b00020\">stopped at %s; "
                    "alert sent: %s, received: %s</text>\n",
                    (SVG_CLIENT + SVG_SERVER) / 2, bottom + 20,
                    hs_stage_name(record->failed_at) ? hs_stage_name(record->failed_at) : "?",
                    alert_text(record->alert_sent), alert_text(record->alert_received));
    text_printf(&svg, "</svg>\n");
    free(ladder);
    return text_done(&svg);
}

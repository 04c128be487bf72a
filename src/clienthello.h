/* SPDX-License-Identifier: Apache-2.0 */
/* clienthello.h: a parser for the TLS ClientHello, over the raw bytes a
 * client sent (TLS records). The JA3 / JA4 fingerprints of what it parsed
 * are in fingerprint.h, the IANA names of its values in tls_names.h.
 *
 * Pure functions over buffers: no I/O, no allocation, never a read past a
 * length field. tlsd feeds it the bytes its receive callback saw, so it
 * copes with a ClientHello fragmented over several records and with bytes
 * that arrive over several reads (call again with more: INCOMPLETE). */
#ifndef TLSD_CLIENTHELLO_H
#define TLSD_CLIENTHELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A ClientHello handshake message larger than this is refused: no real
 * client sends one near it (Chromium's, with a post-quantum key share, is
 * under 2 KiB), and it bounds what tlsd keeps per connection. */
#define CLIENTHELLO_MAX_MESSAGE 16384
/* Records needed to carry the largest accepted message, with headers. */
#define CLIENTHELLO_MAX_RECORD_BYTES (CLIENTHELLO_MAX_MESSAGE + 64 * 5)

#define CLIENTHELLO_MAX_LIST 128      /* entries kept per list; the count goes on */
#define CLIENTHELLO_MAX_ALPN 16
#define CLIENTHELLO_MAX_ALPN_LENGTH 32

enum clienthello_status {
    CLIENTHELLO_INCOMPLETE = 0,  /* a valid prefix: give more bytes */
    CLIENTHELLO_OK,              /* parsed */
    CLIENTHELLO_NOT_TLS,         /* the first record is not a TLS handshake record */
    CLIENTHELLO_INVALID,         /* malformed: a length that lies, a truncated field, a wrong type */
    CLIENTHELLO_TOO_LARGE,       /* over CLIENTHELLO_MAX_MESSAGE */
};

struct clienthello_list {
    uint16_t values[CLIENTHELLO_MAX_LIST];
    size_t count;                /* how many were sent (values holds the first CLIENTHELLO_MAX_LIST) */
};

struct clienthello {
    uint16_t record_version;     /* of the first record */
    uint16_t client_version;     /* legacy_version in the hello */
    uint16_t malformed_extension; /* see malformed_where */
    uint8_t random[32];
    size_t session_id_length;
    struct clienthello_list cipher_suites;       /* in order, GREASE included as sent */
    struct clienthello_list compression_methods;
    struct clienthello_list extensions;          /* types, in order, GREASE included */
    struct clienthello_list supported_versions;  /* extension 43 */
    struct clienthello_list supported_groups;    /* extension 10 */
    struct clienthello_list ec_point_formats;    /* extension 11 */
    struct clienthello_list signature_algorithms;/* extension 13 */
    struct clienthello_list key_share_groups;    /* extension 51 */
    struct clienthello_list psk_key_exchange_modes; /* extension 45 */
    bool has_server_name;
    char server_name[256];       /* host_name of extension 0, NUL-terminated; "" if absent or not printable */
    size_t alpn_count;
    char alpn[CLIENTHELLO_MAX_ALPN][CLIENTHELLO_MAX_ALPN_LENGTH + 1]; /* extension 16, in order */
    bool has_session_ticket;     /* extension 35 present */
    size_t session_ticket_length;/* > 0: the client tries to resume with a ticket */
    bool has_pre_shared_key;     /* extension 41: TLS 1.3 resumption */
    bool has_early_data;         /* extension 42 */
    bool has_renegotiation_info; /* extension 0xff01 or SCSV 0x00ff */
    bool has_extended_master_secret; /* extension 23 */
    /* CLIENTHELLO_INVALID from the message: what is wrong, for the log
     * ("cipher_suites", "extensions length"; with malformed_in_extension,
     * what is wrong with extension malformed_extension: "malformed",
     * "sent twice"); NULL otherwise */
    bool malformed_in_extension;
    const char *malformed_where;
    size_t message_length;       /* the handshake message body's length */
    size_t record_bytes;         /* bytes of records consumed to hold the whole message */
    /* The first ALPN name as sent, for JA4: alpn[0] may be cut to
     * CLIENTHELLO_MAX_ALPN_LENGTH and has unprintable bytes shown as '?',
     * but JA4 takes the real first and last bytes. */
    size_t alpn_first_length;
    uint8_t alpn_first_byte;
    uint8_t alpn_last_byte;
};

/* Parse the ClientHello from the start of a client's byte stream: TLS
 * records (content type 22) whose fragments are joined into the handshake
 * message. `scratch` must hold CLIENTHELLO_MAX_MESSAGE bytes (used to join
 * fragments; the caller provides it so the parser allocates nothing). */
enum clienthello_status clienthello_parse_records(const uint8_t *bytes, size_t length,
                                                  struct clienthello *hello, uint8_t *scratch);

/* Parse a ClientHello handshake message body (after the 4-byte handshake
 * header), as found in `msg_type 1`. */
enum clienthello_status clienthello_parse_message(const uint8_t *body, size_t length,
                                                  struct clienthello *hello);

/* GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ..., 0xfafa. */
bool clienthello_is_grease(uint16_t value);

/* Entries of `list` held in values[] (count goes on past the cap). */
static inline size_t clienthello_list_stored(const struct clienthello_list *list)
{
    return list->count < CLIENTHELLO_MAX_LIST ? list->count : CLIENTHELLO_MAX_LIST;
}

#endif

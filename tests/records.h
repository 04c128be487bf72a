/* SPDX-License-Identifier: Apache-2.0 */
/* records.h: TLS records made and opened by hand after a handshake done by
 * Mbed TLS's client (tests/tlspoke, tests/hostile, tests/test_records).
 *
 * The client offers TLS 1.2 with TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256
 * and TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256 only (records_conf_client), so
 * the record protection is always AES-128-GCM and the PRF SHA-256. The
 * master secret and both randoms come from Mbed TLS's key export
 * (records_capture); the write keys and implicit IVs are derived here, and
 * after the handshake the caller stops using the mbedtls_ssl_context for
 * I/O: it seals its own records onto the socket and opens the server's
 * itself, so that it can send what no library would and see every alert.
 *
 * With Mbed TLS 3.6 the client can offer TLS 1.3 instead (TLS1-3-AES-128-
 * GCM-SHA256 only): the keys then come from the application traffic
 * secrets by HKDF-Expand-Label.
 *
 * TLS 1.2 AES-GCM record (RFC 5246, RFC 5288):
 *   type(1) 03 03 length(2) | explicit nonce(8) | ciphertext | tag(16)
 *   nonce = implicit IV(4) || explicit nonce(8); the explicit part is the
 *   sequence number, as Mbed TLS and OpenSSL do
 *   AAD = sequence number(8) || type || 03 03 || plaintext length(2)
 * TLS 1.3 record (RFC 8446 5.2): outer type 23, the real type after the
 *   plaintext; nonce = IV(12) XOR sequence number; AAD = the record header.
 *
 * Sequence numbers: each side's Finished is record 0 of its protected
 * stream (TLS 1.2), so right after the handshake both sides are at 1; in
 * TLS 1.3 the application traffic keys start at 0. Nothing here is
 * thread-safe; none of it needs to be. */
#ifndef TLSD_TESTS_RECORDS_H
#define TLSD_TESTS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/gcm.h>
#include <mbedtls/ssl.h>

#define RECORDS_HEADER 5
#define RECORDS_EXPLICIT_NONCE 8
#define RECORDS_TAG 16
#define RECORDS_MAX_PLAINTEXT 16384
/* What a TLS 1.2 AES-GCM record adds to its plaintext. */
#define RECORDS_OVERHEAD (RECORDS_HEADER + RECORDS_EXPLICIT_NONCE + RECORDS_TAG)
/* The most a record's body may hold (RFC 5246 6.2.3: 2^14 + 2048). */
#define RECORDS_MAX_BODY (RECORDS_MAX_PLAINTEXT + 2048)
#define RECORDS_MAX_RECORD (RECORDS_HEADER + RECORDS_MAX_BODY)

enum records_content_type {
    RECORDS_CHANGE_CIPHER_SPEC = 20,
    RECORDS_ALERT = 21,
    RECORDS_HANDSHAKE = 22,
    RECORDS_APPLICATION_DATA = 23,
};

enum records_alert_level { RECORDS_ALERT_WARNING = 1, RECORDS_ALERT_FATAL = 2 };

/* ---- the handshake's secrets, from Mbed TLS's key export */

struct records_secrets {
    int version;                          /* 12 or 13 once exported; 0 before */
    unsigned char client_random[32];
    unsigned char server_random[32];
    unsigned char master[48];             /* TLS 1.2 */
    bool prf_sha256;                      /* TLS 1.2: the PRF was SHA-256 */
    bool have_key_block;                  /* Mbed TLS 2.28 also hands over its key block */
    unsigned char key_block[40];
    size_t traffic_secret_length;         /* TLS 1.3: 32 for SHA-256 */
    unsigned char client_traffic_secret[48];
    unsigned char server_traffic_secret[48];
};

/* Offer what this module can seal: TLS 1.2 (version 12) with the two
 * ECDHE AES-128-GCM-SHA256 suites, or TLS 1.3 (13) with
 * TLS1-3-AES-128-GCM-SHA256. Returns 0, or -1 if the build lacks it. */
int records_conf_client(mbedtls_ssl_config *config, int version);

/* Point Mbed TLS's key export at `secrets` (or nowhere: NULL). Call it
 * before every mbedtls_ssl_handshake() step of a connection: 2.28 exports
 * keys per configuration, 3.6 per context, and connections that share a
 * configuration must each get their own secrets. */
void records_capture(mbedtls_ssl_config *config, mbedtls_ssl_context *ssl, struct records_secrets *secrets);

/* ---- keys and records */

enum records_role { RECORDS_CLIENT, RECORDS_SERVER };

struct records_keys {
    int version;                          /* 12 or 13 */
    mbedtls_gcm_context write;
    mbedtls_gcm_context read;
    unsigned char write_iv[12];           /* TLS 1.2: the first 4 bytes only */
    unsigned char read_iv[12];
    uint64_t write_sequence;
    uint64_t read_sequence;
};

/* TLS 1.2: key_block = PRF(master, "key expansion", server_random ||
 * client_random) = client_write_key[16] server_write_key[16]
 * client_IV[4] server_IV[4]. `role` picks which side writes with which;
 * both sequence numbers start at 0. `key_block` (40 bytes, may be NULL)
 * receives the block. Returns 0 or an Mbed TLS error. */
int records_keys_tls12(struct records_keys *keys, enum records_role role, const unsigned char master[48],
                       const unsigned char client_random[32], const unsigned char server_random[32],
                       unsigned char key_block[40]);

/* TLS 1.3: key = HKDF-Expand-Label(secret, "key", "", 16), iv = ...("iv",
 * "", 12), SHA-256. Sequence numbers start at 0. */
int records_keys_tls13(struct records_keys *keys, enum records_role role, const unsigned char *client_secret,
                       const unsigned char *server_secret, size_t secret_length);

/* HKDF-Expand-Label (RFC 8446 7.1) with SHA-256 and an empty context. */
int records_hkdf_expand_label(const unsigned char *secret, size_t secret_length, const char *label,
                              unsigned char *out, size_t out_length);

/* The client's keys right after a handshake that `secrets` captured:
 * sequence numbers 1 (TLS 1.2: each Finished was record 0) or 0 (1.3).
 * For 2.28 it also checks the derived key block against the library's.
 * Returns 0, or -1 with a reason in `error`. */
int records_keys_after_handshake(struct records_keys *keys, const struct records_secrets *secrets,
                                 char *error, size_t error_size);

void records_keys_init(struct records_keys *keys);
void records_keys_free(struct records_keys *keys);

/* Seal one record of `type` around `length` bytes of plaintext (at most
 * RECORDS_MAX_PLAINTEXT) into `out`, with the write sequence number, and
 * advance it. Returns the record's length, or 0 when `out_size` is too
 * small or GCM failed. */
size_t records_seal(struct records_keys *keys, unsigned char type, const unsigned char *plaintext, size_t length,
                    unsigned char *out, size_t out_size);

/* What records_seal() needs for `length` bytes of plaintext. */
size_t records_sealed_size(const struct records_keys *keys, size_t length);

/* Open one whole record (header and body) sealed by the other side, with
 * the read sequence number, and advance it whatever the result (the peer
 * counted it too). `*type` is the content type (TLS 1.3: the inner one).
 * Returns 0, or -1 when the record is malformed or its tag does not
 * verify. `plaintext` needs room for the body's length. */
int records_open(struct records_keys *keys, const unsigned char *record, size_t record_length,
                 unsigned char *type, unsigned char *plaintext, size_t plaintext_size, size_t *plaintext_length);

/* ---- cutting a byte stream into records */

struct records_reader {
    unsigned char data[2 * RECORDS_MAX_RECORD];
    size_t length;       /* bytes held */
    size_t taken;        /* of them, the records already handed out */
};

/* Where the next received bytes go, and how many fit (never 0 while
 * records_reader_next() is called in between). */
unsigned char *records_reader_space(struct records_reader *reader, size_t *room);
void records_reader_filled(struct records_reader *reader, size_t count);

/* The next whole record at `*record` (header included; valid until the
 * next call). Returns 1, 0 when more bytes are needed, -1 when the header
 * announces more than a record may hold. */
int records_reader_next(struct records_reader *reader, const unsigned char **record, size_t *record_length);

/* ---- what the server sent */

struct records_tally {
    unsigned long records;        /* records read */
    unsigned long undecryptable;  /* records whose tag did not verify */
    unsigned long alerts;
    unsigned long warnings;
    unsigned long fatals;
    int first_fatal;              /* description, -1 if none */
    int first_warning;            /* description, -1 if none */
    unsigned long handshakes;     /* post-handshake messages (TLS 1.3 tickets, HelloRequest) */
    uint64_t app_bytes;           /* application data, plaintext */
    char app_head[4096];          /* its first bytes, NUL-terminated */
    size_t app_head_length;
};

void records_tally_init(struct records_tally *tally);

/* Open one record from the server and count it. Returns its content type,
 * or -1 when it did not open (counted as undecryptable). */
int records_take(struct records_keys *keys, struct records_tally *tally, const unsigned char *record,
                 size_t record_length);

/* The HTTP status at the start of the application data, or 0. */
int records_tally_http_status(const struct records_tally *tally);

/* "bad_record_mac" for 20, ...; "alert_N" for an unknown one (a static
 * buffer). */
const char *records_alert_name(int description);

/* ---- floods: one record of each kind */

enum records_flood {
    RECORDS_FLOOD_RENEGOTIATION,   /* handshake record of `count` ClientHellos 01 00 00 00 */
    RECORDS_FLOOD_WARNING_ALERT,   /* alert record: warning, description `count` */
    RECORDS_FLOOD_EMPTY,           /* application data, no plaintext */
    RECORDS_FLOOD_ZERO_HANDSHAKE,  /* handshake record, no plaintext */
    RECORDS_FLOOD_CCS,             /* ChangeCipherSpec (01), sealed */
    RECORDS_FLOOD_CCS_PLAINTEXT,   /* ChangeCipherSpec (01) in the clear: 14 03 03 00 01 01 */
};

/* The most ClientHellos one record holds: RECORDS_MAX_PLAINTEXT / 4. */
#define RECORDS_MAX_HELLOS 4096

/* Append one record of `flood` to `out`. `parameter`: the ClientHellos
 * per record (renegotiation, 1 to RECORDS_MAX_HELLOS) or the alert's
 * description (warning alert). Returns its length, 0 if it does not fit. */
size_t records_flood_record(struct records_keys *keys, enum records_flood flood, unsigned parameter,
                            unsigned char *out, size_t out_size);

#endif

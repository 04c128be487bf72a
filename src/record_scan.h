/* SPDX-License-Identifier: Apache-2.0 */
/* record_scan.h: where the TLS records are in a byte stream, from their
 * plaintext headers alone (type, version, length: RFC 8446 §5.1, RFC 5246
 * §6.2.1). tlsd feeds it the bytes it hands to Mbed TLS, so that it knows
 * which record the library is about to process (a ClientHello after a TLS
 * 1.2 handshake, one more alert) before the library acts on it. Pure: no
 * Mbed TLS, no allocation, no I/O. */
#ifndef TLSD_RECORD_SCAN_H
#define TLSD_RECORD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORD_HEADER_BYTES 5
/* The largest record body a peer may send: 2^14 plus TLS 1.2's
 * ciphertext expansion (RFC 5246 §6.2.3; TLS 1.3 allows less). */
#define RECORD_MAX_BODY (16384 + 2048)

enum record_type {
    RECORD_CHANGE_CIPHER_SPEC = 20,
    RECORD_ALERT = 21,
    RECORD_HANDSHAKE = 22,
    RECORD_APPLICATION_DATA = 23,
};

struct record_header {
    uint8_t type;
    uint16_t version;
    uint16_t length;
    bool oversized;      /* length > RECORD_MAX_BODY: record_overflow */
    bool unknown_type;   /* none of the four types above */
};

struct record_scan {
    uint8_t header[RECORD_HEADER_BYTES];
    size_t header_have;      /* bytes of the next header seen so far */
    size_t body_remaining;   /* bytes of the current record's body still to come */
    uint64_t records;        /* headers completed since the start */
    int first_body_byte;     /* of the latest record (a handshake message's type), -1 until it passes */
};

void record_scan_init(struct record_scan *scan);

/* Scan `length` bytes that follow those already scanned. Returns how many
 * were taken: all of them, or fewer when a header completed, which is then
 * in *header with true in *complete (scan the rest with another call).
 * After a header the scan goes on past its body whatever the header says:
 * judging it is the caller's job. */
size_t record_scan_feed(struct record_scan *scan, const uint8_t *bytes, size_t length,
                        struct record_header *header, bool *complete);

/* The next header that completes in *bytes, which it advances past what
 * it scanned: true with it in *header, or false once all of them are
 * scanned. `while (record_scan_next(...))` visits every header. */
bool record_scan_next(struct record_scan *scan, const uint8_t **bytes, size_t *length,
                      struct record_header *header);

/* The content type's name ("handshake"), or "unknown". */
const char *record_type_name(uint8_t type);

#endif

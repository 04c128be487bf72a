/* SPDX-License-Identifier: Apache-2.0 */
/* capture.h: one connection's own capture (handshake_capture): the bytes
 * as tlsd received and sent them, from the first, with the time of each
 * chunk, and this connection's TLS key log lines; written out as a pcapng
 * file (pcapng.h) that Wireshark opens decrypted, for the connection that
 * asks for it. Nothing of another connection is ever in it, nor the
 * server's key: the secrets are those its client already holds.
 *
 * Bounded: at most CAPTURE_MAX_BYTES of chunks (bytes and a 16-byte
 * header each) and CAPTURE_MAX_SECRETS of key log lines per connection.
 * The server's bytes stop at CAPTURE_MAX_BYTES - CAPTURE_CLIENT_RESERVE,
 * so that the client's next requests (the one asking for the capture)
 * still fit; a direction once stopped stays stopped (no gap in a stream),
 * and the file's comment says so. Freed at close. */
#ifndef TLSD_CAPTURE_H
#define TLSD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAPTURE_MAX_BYTES (32 * 1024)
#define CAPTURE_CLIENT_RESERVE (4 * 1024)
#define CAPTURE_MAX_SECRETS 1280  /* six TLS 1.3 lines of a SHA-384 suite */

struct capture;

/* A capture of connection `id` between `peer` (as connection.c writes it:
 * "192.0.2.1:443", "[2001:db8::1]:443") and the local end of `fd`. NULL
 * when out of memory. */
struct capture *capture_create(uint64_t id, const char *peer, int fd);
/* Frees it and wipes the secrets (NULL is allowed). */
void capture_free(struct capture *capture);

/* Bytes as they crossed the wire, now. */
void capture_bytes(struct capture *capture, bool from_client, const unsigned char *bytes, size_t length);
/* One NSS key log line of this connection, with its newline. */
void capture_key_log(struct capture *capture, const char *line, size_t length);
/* Both directions have stopped: nothing more will be kept. */
bool capture_full(const struct capture *capture);

/* Give back the room the capture does not use (when a connection goes
 * idle: thousands of them may wait). */
void capture_compact(struct capture *capture);

/* The pcapng file of what is kept (malloc'd, *length bytes), or NULL
 * when out of memory. */
unsigned char *capture_pcapng(const struct capture *capture, size_t *length);

#endif

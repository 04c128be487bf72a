/* SPDX-License-Identifier: Apache-2.0 */
/* pcapng.h: a pcapng file (draft-ietf-opsawg-pcapng) of one TCP
 * connection, written into a caller's buffer: the section header, one
 * raw-IP interface (LINKTYPE_RAW), a Decryption Secrets Block with NSS key
 * log lines, and the bytes of each direction as packets with synthesized
 * IPv4 or IPv6 and TCP headers (a three-way handshake first, then
 * sequence and acknowledgement numbers that follow the bytes, so that a
 * reader reassembles the stream). Little-endian. Pure: no allocation. */
#ifndef TLSD_PCAPNG_H
#define TLSD_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPNG_BLOCK_SECTION_HEADER 0x0A0D0D0AU
#define PCAPNG_BLOCK_INTERFACE 0x00000001U
#define PCAPNG_BLOCK_ENHANCED_PACKET 0x00000006U
#define PCAPNG_BLOCK_DECRYPTION_SECRETS 0x0000000AU
#define PCAPNG_SECRETS_TLS_KEY_LOG 0x544c534bU  /* "TLSK": NSS key log lines */
#define PCAPNG_LINKTYPE_RAW 101
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4DU

#define PCAPNG_TCP_SYN 0x02
#define PCAPNG_TCP_PSH 0x08
#define PCAPNG_TCP_ACK 0x10

/* The connection's two ends and where each direction's sequence stands. */
struct pcapng_flow {
    bool ipv6;
    uint8_t client_address[16];   /* IPv4: the first 4 bytes, network order */
    uint8_t server_address[16];
    uint16_t client_port, server_port;
    uint32_t client_next;         /* the next sequence number each side sends */
    uint32_t server_next;
};

/* A flow with the initial sequence numbers tlsd uses (fixed: nothing in
 * them is secret or needs to be). */
void pcapng_flow_init(struct pcapng_flow *flow, bool ipv6, const uint8_t client_address[16], uint16_t client_port,
                      const uint8_t server_address[16], uint16_t server_port);

/* Bytes each block takes. */
size_t pcapng_header_size(const char *comment);
size_t pcapng_secrets_size(size_t secrets_length);
size_t pcapng_packet_size(const struct pcapng_flow *flow, size_t payload_length);

/* Each writer returns the bytes written at out, or 0 if `size` is too small
 * (then nothing is promised about out). */

/* The section header (with `comment`, NULL for none, and the application
 * "tlsd") and the one interface. */
size_t pcapng_write_header(uint8_t *out, size_t size, const char *comment);
/* A Decryption Secrets Block of NSS key log text. */
size_t pcapng_write_secrets(uint8_t *out, size_t size, const char *secrets, size_t secrets_length);
/* The three-way handshake: SYN, SYN-ACK, ACK, at `microseconds` since the
 * epoch; the sequence numbers move past the SYNs. */
size_t pcapng_write_tcp_open(uint8_t *out, size_t size, struct pcapng_flow *flow, uint64_t microseconds);
/* One segment of `payload` from the client (or the server), acknowledging
 * all the other side sent; the sender's sequence moves on. Payloads above
 * 65495 bytes are refused (0). */
size_t pcapng_write_segment(uint8_t *out, size_t size, struct pcapng_flow *flow, bool from_client,
                            uint64_t microseconds, const uint8_t *payload, size_t payload_length);

#endif

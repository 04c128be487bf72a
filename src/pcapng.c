/* SPDX-License-Identifier: Apache-2.0 */
/* pcapng.c: a pcapng file of one TCP connection's bytes, with its TLS
 * secrets (pure: writes into the caller's buffer). */
#include "pcapng.h"

#include <string.h>

#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define TCP_HEADER 20
#define MAX_PAYLOAD (65535 - IPV4_HEADER - TCP_HEADER)
#define CLIENT_ISN 0x10000000U
#define SERVER_ISN 0x20000000U

#define OPTION_END 0
#define OPTION_COMMENT 1
#define OPTION_SHB_USERAPPL 4

static const char application[] = "tlsd";

static size_t padded(size_t length)
{
    return (length + 3) & ~(size_t)3;
}

static void put16le(uint8_t *at, uint16_t value)
{
    at[0] = (uint8_t)value;
    at[1] = (uint8_t)(value >> 8);
}

static void put32le(uint8_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (uint8_t)(value >> (8 * i));
}

static void put16be(uint8_t *at, uint16_t value)
{
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
}

static void put32be(uint8_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (uint8_t)(value >> (24 - 8 * i));
}

/* An option: code, length, value, zero padding. Returns its size. */
static size_t put_option(uint8_t *at, uint16_t code, const void *value, size_t length)
{
    put16le(at, code);
    put16le(at + 2, (uint16_t)length);
    memcpy(at + 4, value, length);
    memset(at + 4 + length, 0, padded(length) - length);
    return 4 + padded(length);
}

void pcapng_flow_init(struct pcapng_flow *flow, bool ipv6, const uint8_t client_address[16], uint16_t client_port,
                      const uint8_t server_address[16], uint16_t server_port)
{
    memset(flow, 0, sizeof *flow);
    flow->ipv6 = ipv6;
    memcpy(flow->client_address, client_address, 16);
    memcpy(flow->server_address, server_address, 16);
    flow->client_port = client_port;
    flow->server_port = server_port;
    flow->client_next = CLIENT_ISN;
    flow->server_next = SERVER_ISN;
}

static size_t comment_length(const char *comment)
{
    size_t length = comment ? strlen(comment) : 0;
    return length > 0xfff0 ? 0xfff0 : length;
}

size_t pcapng_header_size(const char *comment)
{
    size_t length = comment_length(comment);
    size_t options = 4 + padded(sizeof application - 1) + 4;
    if (length > 0)
        options += 4 + padded(length);
    return 28 + options + 20;
}

size_t pcapng_secrets_size(size_t secrets_length)
{
    return 20 + padded(secrets_length);
}

size_t pcapng_packet_size(const struct pcapng_flow *flow, size_t payload_length)
{
    return 32 + padded((flow->ipv6 ? IPV6_HEADER : IPV4_HEADER) + TCP_HEADER + payload_length);
}

/* Type and total length at both ends of a block of `total` bytes. */
static void frame_block(uint8_t *out, uint32_t type, size_t total)
{
    put32le(out, type);
    put32le(out + 4, (uint32_t)total);
    put32le(out + total - 4, (uint32_t)total);
}

size_t pcapng_write_header(uint8_t *out, size_t size, const char *comment)
{
    size_t total = pcapng_header_size(comment);
    if (size < total)
        return 0;
    size_t length = comment_length(comment);
    size_t section = total - 20;
    put32le(out + 8, PCAPNG_BYTE_ORDER_MAGIC);
    put16le(out + 12, 1);                 /* version 1.0 */
    put16le(out + 14, 0);
    memset(out + 16, 0xff, 8);            /* section length: not given (-1) */
    size_t at = 24;
    if (length > 0)
        at += put_option(out + at, OPTION_COMMENT, comment, length);
    at += put_option(out + at, OPTION_SHB_USERAPPL, application, sizeof application - 1);
    put_option(out + at, OPTION_END, "", 0);   /* the last: `section` already counts it */
    frame_block(out, PCAPNG_BLOCK_SECTION_HEADER, section);
    uint8_t *interface = out + section;
    frame_block(interface, PCAPNG_BLOCK_INTERFACE, 20);
    put16le(interface + 8, PCAPNG_LINKTYPE_RAW);
    put16le(interface + 10, 0);
    put32le(interface + 12, 0);           /* snaplen: no limit */
    return total;
}

size_t pcapng_write_secrets(uint8_t *out, size_t size, const char *secrets, size_t secrets_length)
{
    size_t total = pcapng_secrets_size(secrets_length);
    if (size < total || secrets_length > 0xffff0000U)
        return 0;
    frame_block(out, PCAPNG_BLOCK_DECRYPTION_SECRETS, total);
    put32le(out + 8, PCAPNG_SECRETS_TLS_KEY_LOG);
    put32le(out + 12, (uint32_t)secrets_length);
    if (secrets_length > 0)
        memcpy(out + 16, secrets, secrets_length);
    memset(out + 16 + secrets_length, 0, padded(secrets_length) - secrets_length);
    return total;
}

static uint16_t ipv4_checksum(const uint8_t *header)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < IPV4_HEADER; i += 2)
        sum += (uint32_t)(header[i] << 8 | header[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The IP header of a packet carrying `tcp_length` bytes of TCP. Returns
 * its size. */
static size_t put_ip(uint8_t *at, const struct pcapng_flow *flow, bool from_client, size_t tcp_length)
{
    const uint8_t *source = from_client ? flow->client_address : flow->server_address;
    const uint8_t *destination = from_client ? flow->server_address : flow->client_address;
    if (flow->ipv6) {
        put32be(at, 0x60000000U);
        put16be(at + 4, (uint16_t)tcp_length);
        at[6] = 6;                        /* next header: TCP */
        at[7] = 64;                       /* hop limit */
        memcpy(at + 8, source, 16);
        memcpy(at + 24, destination, 16);
        return IPV6_HEADER;
    }
    at[0] = 0x45;
    at[1] = 0;
    put16be(at + 2, (uint16_t)(IPV4_HEADER + tcp_length));
    put16be(at + 4, 0);                   /* identification */
    put16be(at + 6, 0x4000);              /* don't fragment */
    at[8] = 64;
    at[9] = 6;
    put16be(at + 10, 0);
    memcpy(at + 12, source, 4);
    memcpy(at + 16, destination, 4);
    put16be(at + 10, ipv4_checksum(at));
    return IPV4_HEADER;
}

static void put_tcp(uint8_t *at, const struct pcapng_flow *flow, bool from_client, uint8_t flags,
                    uint32_t sequence, uint32_t acknowledgement)
{
    put16be(at, from_client ? flow->client_port : flow->server_port);
    put16be(at + 2, from_client ? flow->server_port : flow->client_port);
    put32be(at + 4, sequence);
    put32be(at + 8, (flags & PCAPNG_TCP_ACK) ? acknowledgement : 0);
    at[12] = (TCP_HEADER / 4) << 4;
    at[13] = flags;
    put16be(at + 14, 65535);              /* window */
    put16be(at + 16, 0);                  /* checksum: not computed (readers do not check it by default) */
    put16be(at + 18, 0);
}

/* One Enhanced Packet Block: IP, TCP and payload. */
static size_t put_packet(uint8_t *out, size_t size, const struct pcapng_flow *flow, bool from_client,
                         uint8_t flags, uint32_t sequence, uint32_t acknowledgement, uint64_t microseconds,
                         const uint8_t *payload, size_t payload_length)
{
    size_t total = pcapng_packet_size(flow, payload_length);
    if (size < total || payload_length > MAX_PAYLOAD)
        return 0;
    size_t ip_length = (flow->ipv6 ? IPV6_HEADER : IPV4_HEADER) + TCP_HEADER + payload_length;
    frame_block(out, PCAPNG_BLOCK_ENHANCED_PACKET, total);
    put32le(out + 8, 0);                  /* interface 0 */
    put32le(out + 12, (uint32_t)(microseconds >> 32));
    put32le(out + 16, (uint32_t)microseconds);
    put32le(out + 20, (uint32_t)ip_length);
    put32le(out + 24, (uint32_t)ip_length);
    uint8_t *packet = out + 28;
    size_t at = put_ip(packet, flow, from_client, TCP_HEADER + payload_length);
    put_tcp(packet + at, flow, from_client, flags, sequence, acknowledgement);
    at += TCP_HEADER;
    if (payload_length > 0)
        memcpy(packet + at, payload, payload_length);
    memset(packet + ip_length, 0, padded(ip_length) - ip_length);
    return total;
}

size_t pcapng_write_tcp_open(uint8_t *out, size_t size, struct pcapng_flow *flow, uint64_t microseconds)
{
    size_t syn = pcapng_packet_size(flow, 0);
    if (size < 3 * syn)
        return 0;
    uint32_t client = flow->client_next, server = flow->server_next;
    (void)put_packet(out, size, flow, true, PCAPNG_TCP_SYN, client, 0, microseconds, NULL, 0);
    (void)put_packet(out + syn, size - syn, flow, false, PCAPNG_TCP_SYN | PCAPNG_TCP_ACK, server, client + 1,
                     microseconds, NULL, 0);
    (void)put_packet(out + 2 * syn, size - 2 * syn, flow, true, PCAPNG_TCP_ACK, client + 1, server + 1,
                     microseconds, NULL, 0);
    flow->client_next = client + 1;
    flow->server_next = server + 1;
    return 3 * syn;
}

size_t pcapng_write_segment(uint8_t *out, size_t size, struct pcapng_flow *flow, bool from_client,
                            uint64_t microseconds, const uint8_t *payload, size_t payload_length)
{
    uint32_t *sender = from_client ? &flow->client_next : &flow->server_next;
    uint32_t other = from_client ? flow->server_next : flow->client_next;
    size_t written = put_packet(out, size, flow, from_client, PCAPNG_TCP_PSH | PCAPNG_TCP_ACK, *sender, other,
                                microseconds, payload, payload_length);
    if (written > 0)
        *sender += (uint32_t)payload_length;
    return written;
}

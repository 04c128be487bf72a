/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the pcapng writer.
 *
 * The input drives a file: its first byte picks IPv4 or IPv6 and the
 * piece size, the next bytes are the comment and the secrets, the rest is
 * cut into segments whose direction the bytes pick. The file is written
 * into a buffer of exactly the size the size functions give (so that
 * ASan catches a write past it), and every block must have the same
 * 32-bit-aligned length at both ends, with the sequence numbers moving
 * by exactly the bytes sent. */
#include "pcapng.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t get32le(const uint8_t *at)
{
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

static void check_blocks(const uint8_t *at, const uint8_t *end)
{
    while (at < end) {
        if (end - at < 12)
            abort();
        uint32_t length = get32le(at + 4);
        if (length % 4 != 0 || length > (size_t)(end - at) || get32le(at + length - 4) != length)
            abort();
        at += length;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    bool ipv6 = data[0] & 1;
    size_t piece = (size_t)(data[0] >> 1) + 1;
    size_t comment_length = data[1] % 64, secrets_length = data[2];
    data += 3;
    size -= 3;
    if (comment_length + secrets_length > size)
        return 0;
    char comment[64];
    memcpy(comment, data, comment_length);
    comment[comment_length] = '\0';
    const char *secrets = (const char *)data + comment_length;
    const uint8_t *payload = data + comment_length + secrets_length;
    size_t payload_length = size - comment_length - secrets_length;

    static const uint8_t client[16] = { 10, 0, 0, 1 }, server[16] = { 10, 0, 0, 2 };
    struct pcapng_flow flow;
    pcapng_flow_init(&flow, ipv6, client, 1234, server, 443);
    size_t total = pcapng_header_size(comment) + pcapng_secrets_size(secrets_length) + 3 * pcapng_packet_size(&flow, 0);
    for (size_t at = 0; at < payload_length; at += piece)
        total += pcapng_packet_size(&flow, payload_length - at < piece ? payload_length - at : piece);
    uint8_t *out = malloc(total);
    if (out == NULL)
        return 0;
    size_t used = pcapng_write_header(out, total, comment);
    used += pcapng_write_secrets(out + used, total - used, secrets, secrets_length);
    used += pcapng_write_tcp_open(out + used, total - used, &flow, 0);
    uint32_t sent[2] = { flow.server_next, flow.client_next };
    for (size_t at = 0; at < payload_length; at += piece) {
        size_t length = payload_length - at < piece ? payload_length - at : piece;
        bool from_client = payload[at] & 1;
        used += pcapng_write_segment(out + used, total - used, &flow, from_client, at, payload + at, length);
        sent[from_client] += (uint32_t)length;
    }
    if (used != total || sent[0] != flow.server_next || sent[1] != flow.client_next)
        abort();
    check_blocks(out, out + used);
    free(out);
    return 0;
}

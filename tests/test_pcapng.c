/* SPDX-License-Identifier: Apache-2.0 */
/* test_pcapng.c: unit tests for the pcapng writer (src/pcapng.c): block
 * types and lengths at both ends, 32-bit alignment, the Decryption
 * Secrets Block, IPv4 and IPv6 headers, and TCP sequence and
 * acknowledgement numbers that follow the bytes; and for the connection's
 * capture made of it (src/capture.c): its bound and its file. */
#include "pcapng.h"
#include "capture.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t client4[16] = { 192, 0, 2, 1 };
static const uint8_t server4[16] = { 198, 51, 100, 7 };
static const uint8_t client6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t server6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static uint32_t get32le(const uint8_t *at)
{
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

static uint32_t get32be(const uint8_t *at)
{
    return (uint32_t)at[0] << 24 | (uint32_t)at[1] << 16 | (uint32_t)at[2] << 8 | (uint32_t)at[3];
}

static uint16_t get16be(const uint8_t *at)
{
    return (uint16_t)(at[0] << 8 | at[1]);
}

/* Walks blocks from `at` to `end`: each has a multiple of 4 as its
 * length, the same at both ends. Returns how many. */
static unsigned check_blocks(const uint8_t *at, const uint8_t *end)
{
    unsigned blocks = 0;
    while (at < end) {
        ck_assert_int_ge(end - at, 12);
        uint32_t length = get32le(at + 4);
        ck_assert_uint_eq(length % 4, 0);
        ck_assert_uint_le(length, (size_t)(end - at));
        ck_assert_uint_eq(get32le(at + length - 4), length);
        at += length;
        blocks++;
    }
    ck_assert_ptr_eq(at, end);
    return blocks;
}

START_TEST(test_header)
{
    uint8_t out[512];
    const char *comment = "tlsd connection 1";  /* 17 bytes: padded to 20 */
    size_t size = pcapng_header_size(comment);
    ck_assert_uint_eq(pcapng_write_header(out, size - 1, comment), 0);
    ck_assert_uint_eq(pcapng_write_header(out, sizeof out, comment), size);
    ck_assert_uint_eq(check_blocks(out, out + size), 2);
    ck_assert_uint_eq(get32le(out), PCAPNG_BLOCK_SECTION_HEADER);
    ck_assert_uint_eq(get32le(out + 8), PCAPNG_BYTE_ORDER_MAGIC);
    ck_assert_uint_eq(out[12] | out[13] << 8, 1);  /* major version */
    /* options: comment (code 1, 17 bytes), then shb_userappl "tlsd" */
    ck_assert_uint_eq(out[24], 1);
    ck_assert_uint_eq(out[26], 17);
    ck_assert_mem_eq(out + 28, comment, 17);
    ck_assert_uint_eq(out[48], 4);
    ck_assert_mem_eq(out + 52, "tlsd", 4);
    const uint8_t *interface = out + get32le(out + 4);
    ck_assert_uint_eq(get32le(interface), PCAPNG_BLOCK_INTERFACE);
    ck_assert_uint_eq(interface[8] | interface[9] << 8, PCAPNG_LINKTYPE_RAW);
    /* no comment: no option for it */
    ck_assert_uint_eq(pcapng_header_size(NULL), pcapng_header_size(""));
    ck_assert_uint_eq(pcapng_header_size(comment), pcapng_header_size(NULL) + 4 + 20);
}
END_TEST

START_TEST(test_secrets)
{
    static const char lines[] = "CLIENT_RANDOM 0102 0304\n";  /* 24 bytes */
    uint8_t out[256];
    memset(out, 0xee, sizeof out);
    for (size_t length = 0; length <= 27; length++) {
        char text[32];
        memset(text, 'x', sizeof text);
        memcpy(text, lines, length < sizeof lines - 1 ? length : sizeof lines - 1);
        size_t size = pcapng_secrets_size(length);
        ck_assert_uint_eq(size % 4, 0);
        ck_assert_uint_eq(pcapng_write_secrets(out, size - 1, text, length), 0);
        ck_assert_uint_eq(pcapng_write_secrets(out, sizeof out, text, length), size);
        ck_assert_uint_eq(check_blocks(out, out + size), 1);
        ck_assert_uint_eq(get32le(out), PCAPNG_BLOCK_DECRYPTION_SECRETS);
        ck_assert_uint_eq(get32le(out + 8), PCAPNG_SECRETS_TLS_KEY_LOG);
        ck_assert_uint_eq(get32le(out + 12), length);
        ck_assert_mem_eq(out + 16, text, length);
        for (size_t pad = 16 + length; pad < size - 4; pad++)
            ck_assert_uint_eq(out[pad], 0);
    }
}
END_TEST

/* The IP packet of the EPB at `block`; its length in *length. */
static const uint8_t *packet_of(const uint8_t *block, uint32_t *length)
{
    ck_assert_uint_eq(get32le(block), PCAPNG_BLOCK_ENHANCED_PACKET);
    *length = get32le(block + 20);
    ck_assert_uint_eq(get32le(block + 24), *length);
    return block + 28;
}

START_TEST(test_ipv4_stream)
{
    struct pcapng_flow flow;
    pcapng_flow_init(&flow, false, client4, 50000, server4, 443);
    uint8_t out[4096];
    uint64_t time = 1700000000123456ULL;
    size_t used = pcapng_write_tcp_open(out, sizeof out, &flow, time);
    ck_assert_uint_eq(used, 3 * pcapng_packet_size(&flow, 0));
    uint32_t client_isn = flow.client_next - 1, server_isn = flow.server_next - 1;
    static const uint8_t hello[5] = { 0x16, 3, 1, 0, 0 };
    static const uint8_t reply[7] = { 0x16, 3, 3, 0, 2, 0xaa, 0xbb };
    size_t first = used;
    used += pcapng_write_segment(out + used, sizeof out - used, &flow, true, time + 10, hello, sizeof hello);
    size_t second = used;
    used += pcapng_write_segment(out + used, sizeof out - used, &flow, false, time + 20, reply, sizeof reply);
    size_t third = used;
    used += pcapng_write_segment(out + used, sizeof out - used, &flow, true, time + 30, hello, sizeof hello);
    ck_assert_uint_eq(check_blocks(out, out + used), 6);

    uint32_t length;
    /* SYN: no ACK number; SYN-ACK acknowledges the SYN */
    const uint8_t *syn = packet_of(out, &length);
    ck_assert_uint_eq(length, 40);
    ck_assert_uint_eq(syn[20 + 13], PCAPNG_TCP_SYN);
    const uint8_t *syn_ack = packet_of(out + pcapng_packet_size(&flow, 0), &length);
    ck_assert_uint_eq(syn_ack[20 + 13], PCAPNG_TCP_SYN | PCAPNG_TCP_ACK);
    ck_assert_uint_eq(get32be(syn_ack + 20 + 8), client_isn + 1);

    const uint8_t *ip = packet_of(out + first, &length);
    ck_assert_uint_eq(length, 20 + 20 + sizeof hello);
    ck_assert_uint_eq(ip[0], 0x45);
    ck_assert_uint_eq(get16be(ip + 2), length);
    ck_assert_uint_eq(ip[9], 6);
    ck_assert_mem_eq(ip + 12, client4, 4);
    ck_assert_mem_eq(ip + 16, server4, 4);
    /* the header checksum verifies: the sum over the header is all ones */
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += get16be(ip + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ck_assert_uint_eq(sum, 0xffff);
    ck_assert_uint_eq(get16be(ip + 20), 50000);
    ck_assert_uint_eq(get16be(ip + 22), 443);
    ck_assert_uint_eq(get32be(ip + 24), client_isn + 1);
    ck_assert_uint_eq(get32be(ip + 28), server_isn + 1);
    ck_assert_uint_eq(ip[20 + 13], PCAPNG_TCP_PSH | PCAPNG_TCP_ACK);
    ck_assert_mem_eq(ip + 40, hello, sizeof hello);
    /* the time: microseconds, high word first */
    ck_assert_uint_eq(((uint64_t)get32le(out + first + 12) << 32) | get32le(out + first + 16), time + 10);

    ip = packet_of(out + second, &length);
    ck_assert_mem_eq(ip + 12, server4, 4);
    ck_assert_uint_eq(get16be(ip + 20), 443);
    ck_assert_uint_eq(get32be(ip + 24), server_isn + 1);
    ck_assert_uint_eq(get32be(ip + 28), client_isn + 1 + sizeof hello);

    ip = packet_of(out + third, &length);
    ck_assert_uint_eq(get32be(ip + 24), client_isn + 1 + sizeof hello);
    ck_assert_uint_eq(get32be(ip + 28), server_isn + 1 + sizeof reply);
    ck_assert_uint_eq(flow.client_next, client_isn + 1 + 2 * sizeof hello);
}
END_TEST

START_TEST(test_ipv6)
{
    struct pcapng_flow flow;
    pcapng_flow_init(&flow, true, client6, 40000, server6, 8443);
    uint8_t out[512];
    static const uint8_t payload[3] = { 1, 2, 3 };
    size_t used = pcapng_write_segment(out, sizeof out, &flow, false, 1, payload, sizeof payload);
    ck_assert_uint_eq(used, pcapng_packet_size(&flow, sizeof payload));
    ck_assert_uint_eq(check_blocks(out, out + used), 1);
    uint32_t length;
    const uint8_t *ip = packet_of(out, &length);
    ck_assert_uint_eq(length, 40 + 20 + 3);
    ck_assert_uint_eq(ip[0] >> 4, 6);
    ck_assert_uint_eq(get16be(ip + 4), 20 + 3);
    ck_assert_uint_eq(ip[6], 6);
    ck_assert_mem_eq(ip + 8, server6, 16);
    ck_assert_mem_eq(ip + 24, client6, 16);
    ck_assert_uint_eq(get16be(ip + 40), 8443);
    ck_assert_uint_eq(get16be(ip + 42), 40000);
    ck_assert_mem_eq(ip + 60, payload, 3);
    /* padding to 32 bits is zero */
    ck_assert_uint_eq(out[28 + 63], 0);
}
END_TEST

START_TEST(test_limits)
{
    struct pcapng_flow flow;
    pcapng_flow_init(&flow, false, client4, 1, server4, 2);
    uint32_t before = flow.server_next;
    size_t size = pcapng_packet_size(&flow, 70000);
    uint8_t *out = malloc(size);
    ck_assert_ptr_nonnull(out);
    static uint8_t payload[70000];
    /* too much for one IPv4 packet: refused, and the sequence stays */
    ck_assert_uint_eq(pcapng_write_segment(out, size, &flow, false, 0, payload, sizeof payload), 0);
    ck_assert_uint_eq(flow.server_next, before);
    /* too small a buffer: the same */
    ck_assert_uint_eq(pcapng_write_segment(out, pcapng_packet_size(&flow, 10) - 1, &flow, false, 0, payload, 10), 0);
    ck_assert_uint_eq(flow.server_next, before);
    ck_assert_uint_eq(pcapng_write_tcp_open(out, 3 * pcapng_packet_size(&flow, 0) - 1, &flow, 0), 0);
    ck_assert_uint_eq(pcapng_write_segment(out, size, &flow, false, 0, payload, 65495), pcapng_packet_size(&flow, 65495));
    ck_assert_uint_eq(flow.server_next, before + 65495);
    free(out);
}
END_TEST

/* The blocks of a capture's file, by type: counts[0] SHB, [1] IDB, [2] DSB, [3] EPB. */
static void count_blocks(const uint8_t *file, size_t length, unsigned counts[4])
{
    memset(counts, 0, 4 * sizeof *counts);
    ck_assert_uint_eq(check_blocks(file, file + length) > 0, 1);
    for (const uint8_t *at = file; at < file + length; at += get32le(at + 4)) {
        uint32_t type = get32le(at);
        counts[type == PCAPNG_BLOCK_SECTION_HEADER ? 0 : type == PCAPNG_BLOCK_INTERFACE ? 1
               : type == PCAPNG_BLOCK_DECRYPTION_SECRETS ? 2 : 3]++;
    }
}

START_TEST(test_capture_file)
{
    struct capture *capture = capture_create(7, "192.0.2.1:50000", -1);
    ck_assert_ptr_nonnull(capture);
    static const char line[] = "CLIENT_RANDOM 00 11\n";
    uint8_t hello[100], flight[200];
    memset(hello, 0x16, sizeof hello);
    memset(flight, 0x17, sizeof flight);
    capture_bytes(capture, true, hello, sizeof hello);
    capture_key_log(capture, line, sizeof line - 1);
    capture_bytes(capture, false, flight, sizeof flight);
    capture_bytes(capture, false, flight, 0);  /* nothing: no packet */
    size_t length = 0;
    uint8_t *file = capture_pcapng(capture, &length);
    ck_assert_ptr_nonnull(file);
    unsigned counts[4];
    count_blocks(file, length, counts);
    ck_assert_uint_eq(counts[0], 1);
    ck_assert_uint_eq(counts[1], 1);
    ck_assert_uint_eq(counts[2], 1);
    ck_assert_uint_eq(counts[3], 3 + 2);
    /* the secrets come before the first packet, as they are */
    const uint8_t *secrets = file + get32le(file + 4);
    secrets += get32le(secrets + 4);
    ck_assert_uint_eq(get32le(secrets), PCAPNG_BLOCK_DECRYPTION_SECRETS);
    ck_assert_uint_eq(get32le(secrets + 12), sizeof line - 1);
    ck_assert_mem_eq(secrets + 16, line, sizeof line - 1);
    /* the first data packet: the client's address and port, its bytes */
    const uint8_t *packet = secrets + get32le(secrets + 4);
    for (int i = 0; i < 3; i++)
        packet += get32le(packet + 4);
    uint32_t ip_length;
    const uint8_t *ip = packet_of(packet, &ip_length);
    ck_assert_uint_eq(ip_length, 40 + sizeof hello);
    ck_assert_mem_eq(ip + 12, client4, 4);
    ck_assert_uint_eq(get16be(ip + 20), 50000);
    ck_assert_mem_eq(ip + 40, hello, sizeof hello);
    ck_assert(memmem(file, length, "Capture stopped", 15) == NULL);
    free(file);
    capture_free(capture);
}
END_TEST

START_TEST(test_capture_bound)
{
    struct capture *capture = capture_create(8, "[2001:db8::1]:443", -1);
    ck_assert_ptr_nonnull(capture);
    uint8_t chunk[1000];
    memset(chunk, 0xaa, sizeof chunk);
    size_t kept = 0;
    for (int i = 0; i < 40; i++)
        capture_bytes(capture, false, chunk, sizeof chunk);
    ck_assert(!capture_full(capture));
    /* the client's bytes still fit: the reserve */
    for (int i = 0; i < 40; i++)
        capture_bytes(capture, true, chunk, sizeof chunk);
    ck_assert(capture_full(capture));
    size_t length = 0;
    uint8_t *file = capture_pcapng(capture, &length);
    ck_assert_ptr_nonnull(file);
    unsigned counts[4];
    count_blocks(file, length, counts);
    /* 16-byte chunk headers: (32768 - 4096) / 1016 = 28 of the server's,
     * then 4 of the client's up to 32768 */
    kept = counts[3] - 3;
    ck_assert_uint_eq(kept, 28 + 4);
    ck_assert_uint_le(kept * 1016, CAPTURE_MAX_BYTES);
    ck_assert(memmem(file, length, "Capture stopped for both directions", 35) != NULL);
    /* IPv6 from the peer's text */
    const uint8_t *packet = file;
    for (int i = 0; i < 3; i++)
        packet += get32le(packet + 4);
    uint32_t ip_length;
    ck_assert_uint_eq(packet_of(packet, &ip_length)[0] >> 4, 6);
    free(file);
    capture_free(capture);
    /* an IPv4 client on a dual-stack socket is IPv4 */
    capture = capture_create(9, "[::ffff:192.0.2.1]:50000", -1);
    capture_bytes(capture, true, chunk, 10);
    file = capture_pcapng(capture, &length);
    packet = file;
    for (int i = 0; i < 3; i++)
        packet += get32le(packet + 4);
    const uint8_t *ip = packet_of(packet, &ip_length);
    ck_assert_uint_eq(ip[0], 0x45);
    ck_assert_mem_eq(ip + 12, client4, 4);
    free(file);
    capture_free(capture);
}
END_TEST

/* The payload bytes of every packet of a capture file, concatenated, and
 * the secrets block's text. */
static size_t capture_payloads(const uint8_t *file, size_t length, uint8_t *out, size_t size, char *secrets,
                               size_t secrets_size)
{
    size_t used = 0;
    for (const uint8_t *block = file; block + 12 <= file + length; block += get32le(block + 4)) {
        uint32_t type = get32le(block);
        if (type == PCAPNG_BLOCK_DECRYPTION_SECRETS) {
            uint32_t secrets_length = get32le(block + 12);
            ck_assert_uint_lt(secrets_length, secrets_size);
            memcpy(secrets, block + 16, secrets_length);
            secrets[secrets_length] = '\0';
        } else if (type == PCAPNG_BLOCK_ENHANCED_PACKET) {   /* IPv4 + TCP (40 bytes), then the payload */
            uint32_t ip_length;
            const uint8_t *ip = packet_of(block, &ip_length);
            ck_assert_uint_le(used + ip_length - 40, size);
            memcpy(out + used, ip + 40, ip_length - 40);
            used += ip_length - 40;
        }
    }
    return used;
}

/* Giving back unused room (an idle connection) loses nothing: bytes and
 * secrets added before and after, in both directions, all come out, and
 * the secrets' bound still holds. */
START_TEST(test_capture_compact)
{
    struct capture *capture = capture_create(10, "192.0.2.1:50000", -1);
    ck_assert_ptr_nonnull(capture);
    capture_compact(capture);   /* nothing captured yet */
    uint8_t expected[3000];
    for (size_t i = 0; i < sizeof expected; i++)
        expected[i] = (uint8_t)(i * 7 + 3);
    char line[201];
    memset(line, 's', 199);
    line[199] = '\n';
    line[200] = '\0';
    capture_bytes(capture, true, expected, 500);
    capture_key_log(capture, line, 200);
    capture_key_log(capture, line, 200);   /* past the first 256 bytes of secrets */
    capture_bytes(capture, false, expected + 500, 1000);
    capture_compact(capture);
    capture_compact(capture);   /* again: nothing to give back */
    capture_key_log(capture, line, 200);
    capture_bytes(capture, true, expected + 1500, 700);
    capture_compact(capture);
    capture_bytes(capture, false, expected + 2200, 800);
    /* the secrets stay bounded: 6 more lines make 1800 bytes, over the 1280 */
    for (int i = 0; i < 6; i++)
        capture_key_log(capture, line, 200);
    size_t length = 0;
    uint8_t *file = capture_pcapng(capture, &length);
    ck_assert_ptr_nonnull(file);
    uint8_t payload[4000];
    char secrets[CAPTURE_MAX_SECRETS + 1];
    ck_assert_uint_eq(capture_payloads(file, length, payload, sizeof payload, secrets, sizeof secrets),
                      sizeof expected);
    ck_assert_mem_eq(payload, expected, sizeof expected);
    ck_assert_uint_eq(strlen(secrets), CAPTURE_MAX_SECRETS / 200 * 200);
    for (size_t i = 0; i < strlen(secrets); i += 200)
        ck_assert_mem_eq(secrets + i, line, 200);
    free(file);
    capture_free(capture);
}
END_TEST

static Suite *pcapng_suite(void)
{
    Suite *s = suite_create("pcapng");
    TCase *tc = tcase_create("write");
    tcase_add_test(tc, test_header);
    tcase_add_test(tc, test_secrets);
    tcase_add_test(tc, test_ipv4_stream);
    tcase_add_test(tc, test_ipv6);
    tcase_add_test(tc, test_limits);
    suite_add_tcase(s, tc);
    TCase *capture = tcase_create("capture");
    tcase_add_test(capture, test_capture_file);
    tcase_add_test(capture, test_capture_bound);
    tcase_add_test(capture, test_capture_compact);
    suite_add_tcase(s, capture);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(pcapng_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

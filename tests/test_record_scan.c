/* SPDX-License-Identifier: Apache-2.0 */
/* test_record_scan.c: unit tests for the TLS record scanner
 * (src/record_scan.c): record boundaries over a stream cut anywhere, the
 * header fields, oversized and unknown records, empty records, and the
 * first byte of each body (a handshake message's type). The streams are
 * real: a TLS 1.2 client's ClientHello, ClientKeyExchange,
 * ChangeCipherSpec and encrypted Finished as curl (OpenSSL) sent them,
 * and hand-made records around them. */
#include "record_scan.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* What one scan over a stream found. */
struct found {
    struct record_header headers[64];
    int first_bytes[64];   /* first_body_byte when the next header completed (or at the end) */
    size_t count;
};

/* Scan `stream` in pieces of `piece` bytes (0 = all at once), never
 * giving one call the end of a body and the next header, as Mbed TLS
 * reads (a header, then its body): first_body_byte is the current
 * record's between the two. */
static void scan_stream(const uint8_t *stream, size_t length, size_t piece, struct found *found)
{
    struct record_scan scan;
    record_scan_init(&scan);
    memset(found, 0, sizeof *found);
    size_t at = 0;
    while (at < length) {
        size_t take = piece == 0 || length - at < piece ? length - at : piece;
        while (take > 0) {
            size_t give = scan.body_remaining > 0 && scan.body_remaining < take ? scan.body_remaining : take;
            struct record_header header;
            bool complete = false;
            size_t used = record_scan_feed(&scan, stream + at, give, &header, &complete);
            ck_assert_uint_le(used, give);
            at += used;
            take -= used;
            if (complete) {
                ck_assert_uint_lt(found->count, 64);
                found->first_bytes[found->count] = -1;
                found->headers[found->count++] = header;
                ck_assert_uint_eq(scan.records, found->count);
                ck_assert_int_eq(scan.first_body_byte, -1);
            } else {
                ck_assert_uint_eq(used, give);
                if (found->count > 0)
                    found->first_bytes[found->count - 1] = scan.first_body_byte;
            }
        }
    }
}

/* A TLS 1.2 client's records: ClientHello (52-byte body), ClientKeyExchange
 * (37), ChangeCipherSpec (1), an encrypted Finished (40), an empty
 * application data record and an alert. */
static size_t client_stream(uint8_t *out)
{
    static const struct {
        uint8_t type;
        uint16_t version;
        uint16_t length;
        uint8_t first;
    } records[] = {
        { 22, 0x0301, 52, 0x01 }, { 22, 0x0303, 37, 0x10 }, { 20, 0x0303, 1, 0x01 },
        { 22, 0x0303, 40, 0x00 }, { 23, 0x0303, 0, 0 },     { 21, 0x0303, 2, 0x01 },
    };
    size_t at = 0;
    for (size_t i = 0; i < sizeof records / sizeof *records; i++) {
        out[at++] = records[i].type;
        out[at++] = (uint8_t)(records[i].version >> 8);
        out[at++] = (uint8_t)records[i].version;
        out[at++] = (uint8_t)(records[i].length >> 8);
        out[at++] = (uint8_t)records[i].length;
        for (size_t j = 0; j < records[i].length; j++)
            out[at++] = j == 0 ? records[i].first : (uint8_t)(0xa0 + j);
    }
    return at;
}

START_TEST(test_whole_and_in_pieces)
{
    uint8_t stream[512];
    size_t length = client_stream(stream);
    /* cut at every size from 1 byte to the whole: the same records */
    for (size_t piece = 0; piece <= length; piece++) {
        struct found found;
        scan_stream(stream, length, piece, &found);
        ck_assert_uint_eq(found.count, 6);
        ck_assert_uint_eq(found.headers[0].type, RECORD_HANDSHAKE);
        ck_assert_uint_eq(found.headers[0].version, 0x0301);
        ck_assert_uint_eq(found.headers[0].length, 52);
        ck_assert_int_eq(found.first_bytes[0], 0x01);  /* client_hello */
        ck_assert_int_eq(found.first_bytes[1], 0x10);  /* client_key_exchange */
        ck_assert_uint_eq(found.headers[2].type, RECORD_CHANGE_CIPHER_SPEC);
        ck_assert_uint_eq(found.headers[4].type, RECORD_APPLICATION_DATA);
        ck_assert_uint_eq(found.headers[4].length, 0);
        ck_assert_int_eq(found.first_bytes[4], -1);    /* an empty record has none */
        ck_assert_uint_eq(found.headers[5].type, RECORD_ALERT);
        for (size_t i = 0; i < found.count; i++) {
            ck_assert(!found.headers[i].oversized);
            ck_assert(!found.headers[i].unknown_type);
        }
    }
}
END_TEST

START_TEST(test_oversized_and_unknown)
{
    /* 2^14 + 2048 is the most TLS allows; one more is record_overflow */
    uint8_t largest[] = { 23, 3, 3, (16384 + 2048) >> 8, (16384 + 2048) & 0xff };
    uint8_t over[] = { 23, 3, 3, (16384 + 2049) >> 8, (16384 + 2049) & 0xff };
    uint8_t sslv2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01 };   /* an SSLv2-style hello's first bytes */
    uint8_t heartbeat[] = { 24, 3, 3, 0, 3 };
    struct found found;
    scan_stream(largest, sizeof largest, 0, &found);
    ck_assert_uint_eq(found.count, 1);
    ck_assert(!found.headers[0].oversized);
    scan_stream(over, sizeof over, 0, &found);
    ck_assert(found.headers[0].oversized);
    scan_stream(sslv2, sizeof sslv2, 0, &found);
    ck_assert(found.headers[0].unknown_type);
    scan_stream(heartbeat, sizeof heartbeat, 2, &found);
    ck_assert(found.headers[0].unknown_type);
    ck_assert_uint_eq(found.headers[0].length, 3);
}
END_TEST

START_TEST(test_body_skipped_across_feeds)
{
    /* a 16 KiB record's body arrives in pieces: no header is read inside it */
    static uint8_t stream[5 + 16384 + 5];
    memset(stream, 22, sizeof stream);   /* bodies full of bytes that look like headers */
    stream[0] = 23, stream[1] = 3, stream[2] = 3, stream[3] = 0x40, stream[4] = 0;
    uint8_t *next = stream + 5 + 16384;
    next[0] = 21, next[1] = 3, next[2] = 3, next[3] = 0, next[4] = 2;
    for (size_t piece = 1; piece < 20000; piece = piece * 3 + 1) {
        struct found found;
        scan_stream(stream, sizeof stream, piece, &found);
        ck_assert_uint_eq(found.count, 2);
        ck_assert_uint_eq(found.headers[1].type, RECORD_ALERT);
        ck_assert_int_eq(found.first_bytes[0], 22);
    }
}
END_TEST

START_TEST(test_incomplete_header_waits)
{
    struct record_scan scan;
    record_scan_init(&scan);
    uint8_t bytes[] = { 22, 3, 1, 0, 4, 1, 0, 0, 0 };
    struct record_header header;
    bool complete = true;
    ck_assert_uint_eq(record_scan_feed(&scan, bytes, 4, &header, &complete), 4);
    ck_assert(!complete);
    ck_assert_uint_eq(scan.records, 0);
    ck_assert_uint_eq(record_scan_feed(&scan, bytes + 4, 5, &header, &complete), 1);
    ck_assert(complete);
    ck_assert_uint_eq(header.length, 4);
    ck_assert_uint_eq(record_scan_feed(&scan, bytes + 5, 4, &header, &complete), 4);
    ck_assert(!complete);
    ck_assert_int_eq(scan.first_body_byte, 1);
    ck_assert_uint_eq(record_scan_feed(&scan, bytes, 0, &header, &complete), 0);
    ck_assert(!complete);
}
END_TEST

START_TEST(test_next_visits_every_header)
{
    uint8_t stream[512];
    size_t length = client_stream(stream);
    struct record_scan scan;
    record_scan_init(&scan);
    const uint8_t *bytes = stream;
    size_t left = length;
    struct record_header header;
    uint8_t types[8];
    size_t count = 0;
    while (count < 8 && record_scan_next(&scan, &bytes, &left, &header))
        types[count++] = header.type;
    ck_assert_uint_eq(count, 6);
    ck_assert_uint_eq(left, 0);
    ck_assert_ptr_eq(bytes, stream + length);
    ck_assert_uint_eq(types[2], RECORD_CHANGE_CIPHER_SPEC);
    ck_assert_uint_eq(types[5], RECORD_ALERT);
    ck_assert(!record_scan_next(&scan, &bytes, &left, &header));
}
END_TEST

START_TEST(test_type_names)
{
    ck_assert_str_eq(record_type_name(20), "change_cipher_spec");
    ck_assert_str_eq(record_type_name(21), "alert");
    ck_assert_str_eq(record_type_name(22), "handshake");
    ck_assert_str_eq(record_type_name(23), "application_data");
    ck_assert_str_eq(record_type_name(24), "unknown");
    ck_assert_str_eq(record_type_name(0x80), "unknown");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("record_scan");
    TCase *tcase = tcase_create("record_scan");
    tcase_add_test(tcase, test_whole_and_in_pieces);
    tcase_add_test(tcase, test_oversized_and_unknown);
    tcase_add_test(tcase, test_body_skipped_across_feeds);
    tcase_add_test(tcase, test_incomplete_header_waits);
    tcase_add_test(tcase, test_next_visits_every_header);
    tcase_add_test(tcase, test_type_names);
    suite_add_tcase(suite, tcase);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

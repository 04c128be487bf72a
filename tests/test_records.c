/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the hand-made record layer (tests/records.c) that tlspoke and
 * hostile use after a real handshake:
 *
 * - known answers: the TLS 1.2 PRF (SHA-256) vector from the IETF TLS
 *   list (msg03416) that records_keys_tls12() relies on, and
 *   HKDF-Expand-Label on RFC 8448's server handshake traffic secret;
 * - seal and open round trips between a client's and a server's keys,
 *   the record layout, and records that must not open (a flipped byte, a
 *   wrong sequence number);
 * - against Mbed TLS itself: an Mbed TLS client and server in one process,
 *   joined by in-memory queues, finish a handshake; then the client's
 *   keys come from records_capture() and records_keys_after_handshake(),
 *   and the server's mbedtls_ssl_read() must take the records sealed here,
 *   and what its mbedtls_ssl_write() sends must open here. A flipped byte
 *   earns a fatal bad_record_mac alert, a record of ClientHellos one
 *   no_renegotiation warning each. TLS 1.2 on both Mbed TLS versions, and
 *   TLS 1.3 where the library has it. */
#include "compat.h"
#include "inprocess_tls.h"
#include "records.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/x509_crt.h>

static void from_hex(const char *hex, unsigned char *out, size_t length)
{
    ck_assert_uint_eq(strlen(hex), 2 * length);
    for (size_t i = 0; i < length; i++) {
        unsigned value = 0;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &value), 1);
        out[i] = (unsigned char)value;
    }
}

/* ---- known answers ------------------------------------------------------ */

START_TEST(tls12_prf_sha256_known_answer)
{
    unsigned char secret[16], seed[16], expected[100], output[100];
    from_hex("9bbe436ba940f017b17652849a71db35", secret, sizeof secret);
    from_hex("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof seed);
    from_hex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
             "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
             "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
             "87347b66",
             expected, sizeof expected);
    ck_assert_int_eq(compat_crypto_init(), 0);
    ck_assert_int_eq(mbedtls_ssl_tls_prf(MBEDTLS_SSL_TLS_PRF_SHA256, secret, sizeof secret, "test label", seed,
                                         sizeof seed, output, sizeof output),
                     0);
    ck_assert_mem_eq(output, expected, sizeof expected);
    compat_crypto_free();
}
END_TEST

START_TEST(hkdf_expand_label_rfc8448)
{
    /* RFC 8448 3: the server handshake traffic secret and its write key and IV */
    unsigned char secret[32], key[16], iv[12], expected_key[16], expected_iv[12];
    from_hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", secret, sizeof secret);
    from_hex("3fce516009c21727d0f2e4e86ee403bc", expected_key, sizeof expected_key);
    from_hex("5d313eb2671276ee13000b30", expected_iv, sizeof expected_iv);
    ck_assert_int_eq(records_hkdf_expand_label(secret, sizeof secret, "key", key, sizeof key), 0);
    ck_assert_int_eq(records_hkdf_expand_label(secret, sizeof secret, "iv", iv, sizeof iv), 0);
    ck_assert_mem_eq(key, expected_key, sizeof key);
    ck_assert_mem_eq(iv, expected_iv, sizeof iv);
}
END_TEST

/* ---- round trips -------------------------------------------------------- */

static const unsigned char master[48] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
};
static const unsigned char client_random[32] = { 0xc1, 0xc2, 0xc3 };
static const unsigned char server_random[32] = { 0x51, 0x52, 0x53 };

static void pair_tls12(struct records_keys *client, struct records_keys *server)
{
    records_keys_init(client);
    records_keys_init(server);
    unsigned char block_client[40], block_server[40];
    ck_assert_int_eq(records_keys_tls12(client, RECORDS_CLIENT, master, client_random, server_random, block_client),
                     0);
    ck_assert_int_eq(records_keys_tls12(server, RECORDS_SERVER, master, client_random, server_random, block_server),
                     0);
    ck_assert_mem_eq(block_client, block_server, sizeof block_client);
    /* the IVs are the block's last 8 bytes: client's, then server's */
    ck_assert_mem_eq(client->write_iv, block_client + 32, 4);
    ck_assert_mem_eq(client->read_iv, block_client + 36, 4);
}

static void pair_tls13(struct records_keys *client, struct records_keys *server)
{
    unsigned char client_secret[32], server_secret[32];
    memset(client_secret, 0x11, sizeof client_secret);
    memset(server_secret, 0x22, sizeof server_secret);
    records_keys_init(client);
    records_keys_init(server);
    ck_assert_int_eq(records_keys_tls13(client, RECORDS_CLIENT, client_secret, server_secret, 32), 0);
    ck_assert_int_eq(records_keys_tls13(server, RECORDS_SERVER, client_secret, server_secret, 32), 0);
}

static void round_trips(struct records_keys *client, struct records_keys *server)
{
    static unsigned char plaintext[RECORDS_MAX_PLAINTEXT];
    static unsigned char record[RECORDS_MAX_RECORD];
    static unsigned char opened[RECORDS_MAX_BODY];
    for (size_t i = 0; i < sizeof plaintext; i++)
        plaintext[i] = (unsigned char)(i * 7);
    static const size_t lengths[] = { 0, 1, 2, 37, 1000, RECORDS_MAX_PLAINTEXT };
    static const unsigned char types[] = { RECORDS_APPLICATION_DATA, RECORDS_ALERT, RECORDS_HANDSHAKE,
                                           RECORDS_CHANGE_CIPHER_SPEC };
    for (size_t t = 0; t < sizeof types; t++) {
        for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
            size_t length = lengths[l];
            size_t sealed = records_seal(client, types[t], plaintext, length, record, sizeof record);
            ck_assert_uint_eq(sealed, records_sealed_size(client, length));
            ck_assert_uint_eq(((size_t)record[3] << 8 | record[4]), sealed - RECORDS_HEADER);
            unsigned char type = 0;
            size_t opened_length = 99999;
            ck_assert_int_eq(records_open(server, record, sealed, &type, opened, sizeof opened, &opened_length), 0);
            ck_assert_uint_eq(type, types[t]);
            ck_assert_uint_eq(opened_length, length);
            ck_assert_mem_eq(opened, plaintext, length);
            /* and back */
            sealed = records_seal(server, types[t], plaintext, length, record, sizeof record);
            ck_assert_int_eq(records_open(client, record, sealed, &type, opened, sizeof opened, &opened_length), 0);
            ck_assert_uint_eq(opened_length, length);
        }
    }
    ck_assert_uint_eq(client->write_sequence, 4 * 6);
    ck_assert_uint_eq(server->read_sequence, 4 * 6);
    /* one flipped byte anywhere after the header */
    size_t sealed = records_seal(client, RECORDS_APPLICATION_DATA, plaintext, 100, record, sizeof record);
    uint64_t sequence = server->read_sequence;
    unsigned char type;
    size_t opened_length;
    for (size_t at = RECORDS_HEADER; at < sealed; at += 13) {
        record[at] ^= 0x40;
        ck_assert_int_eq(records_open(server, record, sealed, &type, opened, sizeof opened, &opened_length), -1);
        server->read_sequence = sequence;
        record[at] ^= 0x40;
    }
    /* the header is authenticated too (TLS 1.2: type and version in the
     * AAD; TLS 1.3: the whole header) */
    record[client->version == 12 ? 0 : 2] ^= 0x02;
    ck_assert_int_eq(records_open(server, record, sealed, &type, opened, sizeof opened, &opened_length), -1);
    server->read_sequence = sequence;
    record[client->version == 12 ? 0 : 2] ^= 0x02;
    /* the right record at the wrong sequence number */
    server->read_sequence++;
    ck_assert_int_eq(records_open(server, record, sealed, &type, opened, sizeof opened, &opened_length), -1);
    server->read_sequence -= 2;
    ck_assert_int_eq(records_open(server, record, sealed, &type, opened, sizeof opened, &opened_length), 0);
}

START_TEST(tls12_round_trip)
{
    ck_assert_int_eq(compat_crypto_init(), 0);
    struct records_keys client, server;
    pair_tls12(&client, &server);
    round_trips(&client, &server);
    records_keys_free(&client);
    records_keys_free(&server);
    compat_crypto_free();
}
END_TEST

START_TEST(tls13_round_trip)
{
    ck_assert_int_eq(compat_crypto_init(), 0);
    struct records_keys client, server;
    pair_tls13(&client, &server);
    round_trips(&client, &server);
    records_keys_free(&client);
    records_keys_free(&server);
    compat_crypto_free();
}
END_TEST

START_TEST(tls12_record_layout)
{
    ck_assert_int_eq(compat_crypto_init(), 0);
    struct records_keys client, server;
    pair_tls12(&client, &server);
    client.write_sequence = 0x0102030405060708ULL;
    unsigned char record[64];
    static const unsigned char alert[2] = { RECORDS_ALERT_WARNING, 90 };
    ck_assert_uint_eq(records_seal(&client, RECORDS_ALERT, alert, 2, record, sizeof record), 2 + RECORDS_OVERHEAD);
    static const unsigned char head[] = { RECORDS_ALERT, 3, 3, 0, 2 + 8 + 16, 1, 2, 3, 4, 5, 6, 7, 8 };
    ck_assert_mem_eq(record, head, sizeof head);
    ck_assert_uint_eq(client.write_sequence, 0x0102030405060709ULL);
    /* too little room: nothing, and the sequence number stays */
    ck_assert_uint_eq(records_seal(&client, RECORDS_ALERT, alert, 2, record, 2 + RECORDS_OVERHEAD - 1), 0);
    ck_assert_uint_eq(client.write_sequence, 0x0102030405060709ULL);
    /* the floods */
    unsigned char big[RECORDS_MAX_RECORD];
    ck_assert_uint_eq(records_flood_record(&client, RECORDS_FLOOD_RENEGOTIATION, RECORDS_MAX_HELLOS, big, sizeof big),
                      RECORDS_MAX_PLAINTEXT + RECORDS_OVERHEAD);
    ck_assert_uint_eq(records_flood_record(&client, RECORDS_FLOOD_RENEGOTIATION, RECORDS_MAX_HELLOS + 1, big,
                                           sizeof big),
                      0);
    ck_assert_uint_eq(records_flood_record(&client, RECORDS_FLOOD_EMPTY, 0, big, sizeof big), RECORDS_OVERHEAD);
    ck_assert_uint_eq(big[0], RECORDS_APPLICATION_DATA);
    ck_assert_uint_eq(records_flood_record(&client, RECORDS_FLOOD_ZERO_HANDSHAKE, 0, big, sizeof big),
                      RECORDS_OVERHEAD);
    ck_assert_uint_eq(big[0], RECORDS_HANDSHAKE);
    ck_assert_uint_eq(records_flood_record(&client, RECORDS_FLOOD_CCS, 0, big, sizeof big), 1 + RECORDS_OVERHEAD);
    ck_assert_uint_eq(big[0], RECORDS_CHANGE_CIPHER_SPEC);
    uint64_t before = client.write_sequence;
    static const unsigned char clear_ccs[] = { 20, 3, 3, 0, 1, 1 };
    ck_assert_uint_eq(records_flood_record(&client, RECORDS_FLOOD_CCS_PLAINTEXT, 0, big, sizeof big), 6);
    ck_assert_mem_eq(big, clear_ccs, 6);
    ck_assert_uint_eq(client.write_sequence, before);
    records_keys_free(&client);
    records_keys_free(&server);
    compat_crypto_free();
}
END_TEST

START_TEST(reader_cuts_records)
{
    static struct records_reader reader;
    memset(&reader, 0, sizeof reader);
    static const unsigned char stream[] = {
        23, 3, 3, 0, 2, 'h', 'i',     /* one whole record */
        21, 3, 3, 0, 3, 1, 2, 3,      /* another, given a byte at a time */
    };
    const unsigned char *record;
    size_t length;
    for (size_t i = 0; i < sizeof stream; i++) {
        size_t room;
        unsigned char *space = records_reader_space(&reader, &room);
        ck_assert_uint_gt(room, 0);
        *space = stream[i];
        records_reader_filled(&reader, 1);
        int next = records_reader_next(&reader, &record, &length);
        if (i == 6 || i == sizeof stream - 1) {
            ck_assert_int_eq(next, 1);
            ck_assert_uint_eq(length, i == 6 ? 7 : 8);
            ck_assert_uint_eq(record[0], i == 6 ? 23 : 21);
        } else {
            ck_assert_int_eq(next, 0);
        }
    }
    /* a header announcing more than a record may hold */
    size_t room;
    unsigned char *space = records_reader_space(&reader, &room);
    static const unsigned char too_long[] = { 23, 3, 3, 0xff, 0xff };
    memcpy(space, too_long, sizeof too_long);
    records_reader_filled(&reader, sizeof too_long);
    ck_assert_int_eq(records_reader_next(&reader, &record, &length), -1);
}
END_TEST

START_TEST(alert_names)
{
    ck_assert_str_eq(records_alert_name(20), "bad_record_mac");
    ck_assert_str_eq(records_alert_name(100), "no_renegotiation");
    ck_assert_str_eq(records_alert_name(0), "close_notify");
    ck_assert_str_eq(records_alert_name(201), "alert_201");
}
END_TEST

/* ---- against Mbed TLS ---------------------------------------------------- */

static void queue_put(struct byte_queue *queue, const unsigned char *bytes, size_t length)
{
    ck_assert_uint_le(length, sizeof queue->bytes - queue->length);
    memcpy(queue->bytes + queue->length, bytes, length);
    queue->length += length;
}

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_pk_context server_key;
static mbedtls_x509_crt server_certificate;
static struct byte_queue to_server, to_client;
static struct pipe_end client_end = { &to_server, &to_client };
static struct pipe_end server_end = { &to_client, &to_server };
static mbedtls_ssl_config client_config, server_config;
static mbedtls_ssl_context client, server;
static struct records_keys keys;

static void setup(void)
{
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&server_key);
    mbedtls_x509_crt_init(&server_certificate);
    mbedtls_ssl_config_init(&client_config);
    mbedtls_ssl_config_init(&server_config);
    mbedtls_ssl_init(&client);
    mbedtls_ssl_init(&server);
    records_keys_init(&keys);
    to_server.length = to_client.length = 0;
    ck_assert_int_eq(compat_crypto_init(), 0);
    ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                           (const unsigned char *)"test_records", 12),
                     0);
    inprocess_make_credentials(&server_key, &server_certificate, &drbg);
}

static void teardown(void)
{
    records_keys_free(&keys);
    mbedtls_ssl_free(&client);
    mbedtls_ssl_free(&server);
    mbedtls_ssl_config_free(&client_config);
    mbedtls_ssl_config_free(&server_config);
    mbedtls_x509_crt_free(&server_certificate);
    mbedtls_pk_free(&server_key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    compat_crypto_free();
}

/* A full handshake at `version` (12 or 13), the client through
 * records_conf_client() and records_capture(); then the client's keys. */
static void handshake(int version)
{
    ck_assert_int_eq(mbedtls_ssl_config_defaults(&client_config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                 MBEDTLS_SSL_PRESET_DEFAULT),
                     0);
    ck_assert_int_eq(records_conf_client(&client_config, version), 0);
    mbedtls_ssl_conf_rng(&client_config, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_authmode(&client_config, MBEDTLS_SSL_VERIFY_NONE);  /* not about trust */
    ck_assert_int_eq(mbedtls_ssl_config_defaults(&server_config, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                 MBEDTLS_SSL_PRESET_DEFAULT),
                     0);
    ck_assert_int_eq(compat_conf_tls_versions(&server_config, 12, compat_max_tls_version()), 0);
    mbedtls_ssl_conf_rng(&server_config, mbedtls_ctr_drbg_random, &drbg);
    ck_assert_int_eq(mbedtls_ssl_conf_own_cert(&server_config, &server_certificate, &server_key), 0);
    /* as tlsd: no renegotiation */
    compat_conf_refuse_renegotiation(&server_config);
    ck_assert_int_eq(mbedtls_ssl_setup(&client, &client_config), 0);
    ck_assert_int_eq(mbedtls_ssl_setup(&server, &server_config), 0);
    ck_assert_int_eq(mbedtls_ssl_set_hostname(&client, "localhost"), 0);
    mbedtls_ssl_set_bio(&client, &client_end, pipe_send, pipe_receive, NULL);
    mbedtls_ssl_set_bio(&server, &server_end, pipe_send, pipe_receive, NULL);
    struct records_secrets secrets;
    memset(&secrets, 0, sizeof secrets);
    bool client_done = false, server_done = false;
    for (int round = 0; round < 100 && !(client_done && server_done); round++) {
        if (!client_done) {
            records_capture(&client_config, &client, &secrets);
            int result = mbedtls_ssl_handshake(&client);
            ck_assert_msg(result == 0 || result == MBEDTLS_ERR_SSL_WANT_READ, "client handshake: -0x%04x",
                          (unsigned)-result);
            client_done = result == 0;
        }
        if (!server_done) {
            int result = mbedtls_ssl_handshake(&server);
            ck_assert_msg(result == 0 || result == MBEDTLS_ERR_SSL_WANT_READ, "server handshake: -0x%04x",
                          (unsigned)-result);
            server_done = result == 0;
        }
    }
    ck_assert(client_done && server_done);
    ck_assert_int_eq(secrets.version, version);
    char error[160] = "";
    ck_assert_msg(records_keys_after_handshake(&keys, &secrets, error, sizeof error) == 0, "%s", error);
    /* everything the server sent went into the client's handshake */
    ck_assert_uint_eq(to_client.length, 0);
    ck_assert_uint_eq(to_server.length, 0);
}

/* What the server answers to the next records, opened here. */
static void take_server_records(struct records_tally *tally)
{
    size_t at = 0;
    while (at < to_client.length) {
        ck_assert_uint_ge(to_client.length - at, RECORDS_HEADER);
        size_t length = RECORDS_HEADER + ((size_t)to_client.bytes[at + 3] << 8 | to_client.bytes[at + 4]);
        ck_assert_uint_le(at + length, to_client.length);
        ck_assert_int_ge(records_take(&keys, tally, to_client.bytes + at, length), 0);
        at += length;
    }
    to_client.length = 0;
}

static void talk_to_mbedtls(int version)
{
    handshake(version);
    unsigned char record[RECORDS_MAX_RECORD];
    unsigned char buffer[256];
    struct records_tally tally;
    records_tally_init(&tally);

    /* the client's records reach the server's application */
    static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    size_t sealed = records_seal(&keys, RECORDS_APPLICATION_DATA, (const unsigned char *)request,
                                 sizeof request - 1, record, sizeof record);
    queue_put(&to_server, record, sealed);
    int result;
    do
        result = mbedtls_ssl_read(&server, buffer, sizeof buffer);
    while (compat_ssl_read_should_retry(result));
    ck_assert_int_eq(result, (int)sizeof request - 1);
    ck_assert_mem_eq(buffer, request, sizeof request - 1);

    /* the server's records open here */
    static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    ck_assert_int_eq(mbedtls_ssl_write(&server, (const unsigned char *)response, sizeof response - 1),
                     (int)sizeof response - 1);
    take_server_records(&tally);
    ck_assert_uint_eq(tally.undecryptable, 0);
    ck_assert_uint_eq(tally.app_bytes, sizeof response - 1);
    ck_assert_int_eq(records_tally_http_status(&tally), 200);

    if (version == 12) {
        /* four ClientHellos in one record: a no_renegotiation warning each */
        ck_assert_uint_gt(records_flood_record(&keys, RECORDS_FLOOD_RENEGOTIATION, 4, record, sizeof record), 0);
        queue_put(&to_server, record, RECORDS_OVERHEAD + 16);
        /* one message per call at most: call more often than needed */
        for (int i = 0; i < 8; i++)
            (void)mbedtls_ssl_read(&server, buffer, sizeof buffer);
        take_server_records(&tally);
        ck_assert_uint_eq(tally.undecryptable, 0);
        ck_assert_uint_eq(tally.warnings, 4);
        ck_assert_int_eq(tally.first_warning, 100);

        /* a warning alert from the client is taken in silence */
        ck_assert_uint_gt(records_flood_record(&keys, RECORDS_FLOOD_WARNING_ALERT, 90, record, sizeof record), 0);
        queue_put(&to_server, record, 2 + RECORDS_OVERHEAD);
        result = mbedtls_ssl_read(&server, buffer, sizeof buffer);
        ck_assert_int_eq(result, MBEDTLS_ERR_SSL_WANT_READ);
        ck_assert_uint_eq(to_client.length, 0);
    }

    /* a flipped byte: the server refuses the record with a fatal
     * bad_record_mac alert */
    sealed = records_seal(&keys, RECORDS_APPLICATION_DATA, (const unsigned char *)request, sizeof request - 1,
                          record, sizeof record);
    record[sealed - 20] ^= 0x01;
    queue_put(&to_server, record, sealed);
    result = mbedtls_ssl_read(&server, buffer, sizeof buffer);
    ck_assert_int_eq(result, MBEDTLS_ERR_SSL_INVALID_MAC);
    take_server_records(&tally);
    ck_assert_uint_eq(tally.undecryptable, 0);
    ck_assert_uint_eq(tally.fatals, 1);
    ck_assert_int_eq(tally.first_fatal, 20);
}

START_TEST(tls12_against_mbedtls)
{
    talk_to_mbedtls(12);
}
END_TEST

START_TEST(tls13_against_mbedtls)
{
    talk_to_mbedtls(13);
}
END_TEST

static Suite *records_suite(void)
{
    Suite *s = suite_create("records");
    TCase *tc = tcase_create("offline");
    tcase_add_test(tc, tls12_prf_sha256_known_answer);
    tcase_add_test(tc, hkdf_expand_label_rfc8448);
    tcase_add_test(tc, tls12_round_trip);
    tcase_add_test(tc, tls13_round_trip);
    tcase_add_test(tc, tls12_record_layout);
    tcase_add_test(tc, reader_cuts_records);
    tcase_add_test(tc, alert_names);
    suite_add_tcase(s, tc);

    TCase *live = tcase_create("against_mbedtls");
    tcase_add_checked_fixture(live, setup, teardown);
    tcase_add_test(live, tls12_against_mbedtls);
    if (compat_max_tls_version() >= 13)
        tcase_add_test(live, tls13_against_mbedtls);
    suite_add_tcase(s, live);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(records_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}

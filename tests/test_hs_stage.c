/* SPDX-License-Identifier: Apache-2.0 */
/* test_hs_stage.c: unit tests for the handshake stages (src/hs_stage.c):
 * the names made from the stage list, and the state -> stage mapping over
 * the real step sequences Mbed TLS 2.28 and 3.6 run, as tlsd's debug log
 * recorded them (openssl s_client and curl against tlsd on loopback):
 * full and resumed TLS 1.2 (session id, ticket), full TLS 1.3, a
 * HelloRetryRequest and a PSK resumption. Each step carries what tlsd had
 * read from its own records when the step was reported (3.6 sends TLS
 * 1.3's ServerHello only with the rest of its flight). */
#include "hs_stage.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct step {
    enum tls_handshake_state before, after;
    bool tls13;        /* the ServerHello sent said TLS 1.3 */
    bool hello_retry;  /* a HelloRetryRequest was sent */
};

/* a step of a TLS 1.2 handshake (or before the ServerHello) */
#define S(from, to) { TLS_STATE_##from, TLS_STATE_##to, false, false }
/* a step of TLS 1.3 once its ServerHello was read */
#define S13(from, to) { TLS_STATE_##from, TLS_STATE_##to, true, false }
/* after a HelloRetryRequest, before / after the ServerHello was read */
#define SR(from, to) { TLS_STATE_##from, TLS_STATE_##to, false, true }
#define SR13(from, to) { TLS_STATE_##from, TLS_STATE_##to, true, true }

/* The stages the steps log, in order, space-separated; a server_hello
 * that skipped the certificate (a TLS 1.2 resumption) is "server_hello*". */
static void run(const struct step *steps, size_t count, bool tickets_on, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        struct hs_stage_context context = { steps[i].tls13, steps[i].hello_retry, tickets_on };
        struct hs_step step = hs_stage_step(&context, steps[i].before, steps[i].after);
        if (!step.logged)
            continue;
        ck_assert_ptr_nonnull(hs_stage_name(step.completed));
        used += (size_t)snprintf(out + used, size - used, "%s%s%s", used ? " " : "", hs_stage_name(step.completed),
                                 step.resumed ? "*" : "");
        ck_assert_uint_lt(used, size);
    }
}

#define EXPECT_STAGES(steps, tickets_on, expected)                                                             \
    do {                                                                                                       \
        char got[512];                                                                                         \
        run((steps), sizeof(steps) / sizeof *(steps), (tickets_on), got, sizeof got);                             \
        ck_assert_str_eq(got, expected);                                                                       \
    } while (0)

#define TLS12_FULL                                                                                             \
    "client_hello server_hello certificate server_key_exchange server_hello_done client_key_exchange "         \
    "change_cipher_spec_client finished_client new_session_ticket change_cipher_spec_server finished_server"
#define TLS12_RESUMED                                                                                          \
    "client_hello server_hello* change_cipher_spec_server finished_server change_cipher_spec_client "          \
    "finished_client"
#define TLS13_FULL                                                                                             \
    "client_hello server_hello encrypted_extensions certificate certificate_verify finished_server "          \
    "finished_client new_session_ticket"

/* 3.6, openssl s_client -tls1_2 (asks for a ticket) */
static const struct step tls12_full_36[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, CLIENT_HELLO),  /* the TLS 1.3 code hands the hello over */
    S(CLIENT_HELLO, SERVER_HELLO),
    S(SERVER_HELLO, SERVER_CERTIFICATE),
    S(SERVER_CERTIFICATE, SERVER_KEY_EXCHANGE),
    S(SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST),
    S(CERTIFICATE_REQUEST, SERVER_HELLO_DONE),
    S(SERVER_HELLO_DONE, CLIENT_CERTIFICATE),
    S(CLIENT_CERTIFICATE, CLIENT_KEY_EXCHANGE),
    S(CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY),
    S(CERTIFICATE_VERIFY, CLIENT_CHANGE_CIPHER_SPEC),
    S(CLIENT_CHANGE_CIPHER_SPEC, CLIENT_FINISHED),
    S(CLIENT_FINISHED, SERVER_CHANGE_CIPHER_SPEC),
    S(SERVER_CHANGE_CIPHER_SPEC, SERVER_CHANGE_CIPHER_SPEC),  /* the NewSessionTicket */
    S(SERVER_CHANGE_CIPHER_SPEC, SERVER_FINISHED),
    S(SERVER_FINISHED, FLUSH_BUFFERS),
    S(FLUSH_BUFFERS, HANDSHAKE_WRAPUP),
    S(HANDSHAKE_WRAPUP, HANDSHAKE_OVER),
};

/* 2.28, the same client */
static const struct step tls12_full_228[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, SERVER_HELLO),
    S(SERVER_HELLO, SERVER_CERTIFICATE),
    S(SERVER_CERTIFICATE, SERVER_KEY_EXCHANGE),
    S(SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST),
    S(CERTIFICATE_REQUEST, SERVER_HELLO_DONE),
    S(SERVER_HELLO_DONE, CLIENT_CERTIFICATE),
    S(CLIENT_CERTIFICATE, CLIENT_KEY_EXCHANGE),
    S(CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY),
    S(CERTIFICATE_VERIFY, CLIENT_CHANGE_CIPHER_SPEC),
    S(CLIENT_CHANGE_CIPHER_SPEC, CLIENT_FINISHED),
    S(CLIENT_FINISHED, SERVER_CHANGE_CIPHER_SPEC),
    S(SERVER_CHANGE_CIPHER_SPEC, SERVER_CHANGE_CIPHER_SPEC),
    S(SERVER_CHANGE_CIPHER_SPEC, SERVER_FINISHED),
    S(SERVER_FINISHED, FLUSH_BUFFERS),
    S(FLUSH_BUFFERS, HANDSHAKE_WRAPUP),
    S(HANDSHAKE_WRAPUP, HANDSHAKE_OVER),
};

/* curl asks for no ticket: no step stays at SERVER_CHANGE_CIPHER_SPEC (3.6) */
static const struct step tls12_full_no_ticket[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, CLIENT_HELLO),
    S(CLIENT_HELLO, SERVER_HELLO),
    S(SERVER_HELLO, SERVER_CERTIFICATE),
    S(SERVER_CERTIFICATE, SERVER_KEY_EXCHANGE),
    S(SERVER_KEY_EXCHANGE, CERTIFICATE_REQUEST),
    S(CERTIFICATE_REQUEST, SERVER_HELLO_DONE),
    S(SERVER_HELLO_DONE, CLIENT_CERTIFICATE),
    S(CLIENT_CERTIFICATE, CLIENT_KEY_EXCHANGE),
    S(CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY),
    S(CERTIFICATE_VERIFY, CLIENT_CHANGE_CIPHER_SPEC),
    S(CLIENT_CHANGE_CIPHER_SPEC, CLIENT_FINISHED),
    S(CLIENT_FINISHED, SERVER_CHANGE_CIPHER_SPEC),
    S(SERVER_CHANGE_CIPHER_SPEC, SERVER_FINISHED),
    S(SERVER_FINISHED, FLUSH_BUFFERS),
    S(FLUSH_BUFFERS, HANDSHAKE_WRAPUP),
    S(HANDSHAKE_WRAPUP, HANDSHAKE_OVER),
};

/* Resumed (s_client -sess_in), by session id (-no_ticket) and by ticket:
 * Mbed TLS runs the same steps for both, on 2.28 without the first
 * CLIENT_HELLO -> CLIENT_HELLO. The server's Finished comes first. */
static const struct step tls12_resumed_session_id_36[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, CLIENT_HELLO),
    S(CLIENT_HELLO, SERVER_HELLO),
    S(SERVER_HELLO, SERVER_CHANGE_CIPHER_SPEC),
    S(SERVER_CHANGE_CIPHER_SPEC, SERVER_FINISHED),
    S(SERVER_FINISHED, CLIENT_CHANGE_CIPHER_SPEC),
    S(CLIENT_CHANGE_CIPHER_SPEC, CLIENT_FINISHED),
    S(CLIENT_FINISHED, HANDSHAKE_WRAPUP),
    S(HANDSHAKE_WRAPUP, HANDSHAKE_OVER),
};

static const struct step tls12_resumed_ticket_228[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, SERVER_HELLO),
    S(SERVER_HELLO, SERVER_CHANGE_CIPHER_SPEC),
    S(SERVER_CHANGE_CIPHER_SPEC, SERVER_FINISHED),
    S(SERVER_FINISHED, CLIENT_CHANGE_CIPHER_SPEC),
    S(CLIENT_CHANGE_CIPHER_SPEC, CLIENT_FINISHED),
    S(CLIENT_FINISHED, HANDSHAKE_WRAPUP),
    S(HANDSHAKE_WRAPUP, HANDSHAKE_OVER),
};

/* 3.6, curl --tlsv1.3: the ServerHello is read only from the flight that
 * follows the SERVER_HELLO step */
static const struct step tls13_full[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, SERVER_HELLO),
    S(SERVER_HELLO, SERVER_CCS_AFTER_SERVER_HELLO),
    S13(SERVER_CCS_AFTER_SERVER_HELLO, ENCRYPTED_EXTENSIONS),
    S13(ENCRYPTED_EXTENSIONS, CERTIFICATE_REQUEST),
    S13(CERTIFICATE_REQUEST, SERVER_CERTIFICATE),
    S13(SERVER_CERTIFICATE, CERTIFICATE_VERIFY),
    S13(CERTIFICATE_VERIFY, SERVER_FINISHED),
    S13(SERVER_FINISHED, CLIENT_FINISHED),
    S13(CLIENT_FINISHED, HANDSHAKE_WRAPUP),
    S13(HANDSHAKE_WRAPUP, TLS13_NEW_SESSION_TICKET),
    S13(TLS13_NEW_SESSION_TICKET, TLS13_NEW_SESSION_TICKET_FLUSH),
    S13(TLS13_NEW_SESSION_TICKET_FLUSH, HANDSHAKE_OVER),
};

/* s_client -tls1_3 -groups secp384r1:X25519: a key share the server does
 * not take, a HelloRetryRequest, a second hello */
static const struct step tls13_hello_retry[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, HELLO_RETRY_REQUEST),
    S(HELLO_RETRY_REQUEST, SERVER_CCS_AFTER_HELLO_RETRY_REQUEST),
    SR(SERVER_CCS_AFTER_HELLO_RETRY_REQUEST, CLIENT_HELLO),
    SR(CLIENT_HELLO, SERVER_HELLO),
    SR(SERVER_HELLO, SERVER_CCS_AFTER_SERVER_HELLO),
    SR13(SERVER_CCS_AFTER_SERVER_HELLO, ENCRYPTED_EXTENSIONS),
    SR13(ENCRYPTED_EXTENSIONS, CERTIFICATE_REQUEST),
    SR13(CERTIFICATE_REQUEST, SERVER_CERTIFICATE),
    SR13(SERVER_CERTIFICATE, CERTIFICATE_VERIFY),
    SR13(CERTIFICATE_VERIFY, SERVER_FINISHED),
    SR13(SERVER_FINISHED, CLIENT_FINISHED),
    SR13(CLIENT_FINISHED, HANDSHAKE_WRAPUP),
    SR13(HANDSHAKE_WRAPUP, TLS13_NEW_SESSION_TICKET),
    SR13(TLS13_NEW_SESSION_TICKET, TLS13_NEW_SESSION_TICKET_FLUSH),
    SR13(TLS13_NEW_SESSION_TICKET_FLUSH, HANDSHAKE_OVER),
};

/* s_client -tls1_3 -sess_in: no certificate, no CertificateVerify */
static const struct step tls13_psk[] = {
    S(HELLO_REQUEST, CLIENT_HELLO),
    S(CLIENT_HELLO, SERVER_HELLO),
    S(SERVER_HELLO, SERVER_CCS_AFTER_SERVER_HELLO),
    S13(SERVER_CCS_AFTER_SERVER_HELLO, ENCRYPTED_EXTENSIONS),
    S13(ENCRYPTED_EXTENSIONS, SERVER_FINISHED),
    S13(SERVER_FINISHED, CLIENT_FINISHED),
    S13(CLIENT_FINISHED, HANDSHAKE_WRAPUP),
    S13(HANDSHAKE_WRAPUP, TLS13_NEW_SESSION_TICKET),
    S13(TLS13_NEW_SESSION_TICKET, TLS13_NEW_SESSION_TICKET_FLUSH),
    S13(TLS13_NEW_SESSION_TICKET_FLUSH, HANDSHAKE_OVER),
};

START_TEST(every_stage_has_a_unique_name)
{
    for (int stage = HS_STAGE_NONE + 1; stage < HS_STAGE_END; stage++) {
        const char *name = hs_stage_name((enum hs_stage)stage);
        ck_assert_ptr_nonnull(name);
        ck_assert_uint_gt(strlen(name), 0);
        for (int other = HS_STAGE_NONE + 1; other < stage; other++)
            ck_assert_str_ne(name, hs_stage_name((enum hs_stage)other));
    }
    ck_assert_ptr_null(hs_stage_name(HS_STAGE_NONE));
    ck_assert_ptr_null(hs_stage_name(HS_STAGE_END));
    ck_assert_str_eq(hs_stage_name(HS_STAGE_client_hello), "client_hello");
    ck_assert_str_eq(hs_stage_name(HS_STAGE_new_session_ticket), "new_session_ticket");
}
END_TEST

/* Every message has a sender; the end, a failure and a step have none. */
START_TEST(every_message_has_a_sender)
{
    for (int stage = HS_STAGE_client_hello; stage <= HS_STAGE_finished_server; stage++)
        ck_assert_int_ne(hs_stage_sender((enum hs_stage)stage), HS_SENDER_NONE);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_client_hello), HS_SENDER_CLIENT);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_client_key_exchange), HS_SENDER_CLIENT);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_change_cipher_spec_client), HS_SENDER_CLIENT);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_finished_client), HS_SENDER_CLIENT);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_server_hello), HS_SENDER_SERVER);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_finished_server), HS_SENDER_SERVER);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_established), HS_SENDER_NONE);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_handshake_failed), HS_SENDER_NONE);
    ck_assert_int_eq(hs_stage_sender(HS_STAGE_END), HS_SENDER_NONE);
    ck_assert_str_eq(hs_sender_name(HS_SENDER_CLIENT), "client");
    ck_assert_str_eq(hs_sender_name(HS_SENDER_SERVER), "server");
    ck_assert_ptr_null(hs_sender_name(HS_SENDER_NONE));
}
END_TEST

START_TEST(every_state_has_a_unique_name)
{
    for (int state = 0; state < TLS_STATE_COUNT; state++) {
        const char *name = tls_handshake_state_name((enum tls_handshake_state)state);
        ck_assert_uint_gt(strlen(name), 0);
        for (int other = 0; other < state; other++)
            ck_assert_str_ne(name, tls_handshake_state_name((enum tls_handshake_state)other));
    }
    ck_assert_str_eq(tls_handshake_state_name(TLS_STATE_SERVER_HELLO), "SERVER_HELLO");
}
END_TEST

START_TEST(tls12_full_handshake)
{
    EXPECT_STAGES(tls12_full_36, true, TLS12_FULL);
    EXPECT_STAGES(tls12_full_228, true, TLS12_FULL);
}
END_TEST

START_TEST(tls12_full_handshake_without_ticket)
{
    const char *expected = "client_hello server_hello certificate server_key_exchange server_hello_done "
                           "client_key_exchange change_cipher_spec_client finished_client "
                           "change_cipher_spec_server finished_server";
    EXPECT_STAGES(tls12_full_no_ticket, true, expected);
    EXPECT_STAGES(tls12_full_no_ticket, false, expected);
}
END_TEST

START_TEST(tls12_resumed)
{
    EXPECT_STAGES(tls12_resumed_session_id_36, true, TLS12_RESUMED);
    EXPECT_STAGES(tls12_resumed_ticket_228, true, TLS12_RESUMED);
}
END_TEST

START_TEST(tls13_full_handshake)
{
    EXPECT_STAGES(tls13_full, true, TLS13_FULL);
}
END_TEST

START_TEST(tls13_hello_retry_request)
{
    EXPECT_STAGES(tls13_hello_retry, true, "client_hello hello_retry_request client_hello server_hello "
                                           "encrypted_extensions certificate certificate_verify finished_server "
                                           "finished_client new_session_ticket");
}
END_TEST

START_TEST(tls13_psk_resumption)
{
    EXPECT_STAGES(tls13_psk, true,
                  "client_hello server_hello encrypted_extensions finished_server finished_client new_session_ticket");
}
END_TEST

START_TEST(tls13_tickets_off)
{
    /* 3.6 passes through the ticket states anyway: no line for them, but
     * the step did complete the stage */
    EXPECT_STAGES(tls13_full, false,
                  "client_hello server_hello encrypted_extensions certificate certificate_verify finished_server "
                  "finished_client");
    struct hs_stage_context off = { true, false, false };
    struct hs_step step = hs_stage_step(&off, TLS_STATE_TLS13_NEW_SESSION_TICKET, TLS_STATE_TLS13_NEW_SESSION_TICKET_FLUSH);
    ck_assert_int_eq(step.completed, HS_STAGE_new_session_ticket);
    ck_assert(!step.logged);
}
END_TEST

START_TEST(the_stage_a_failure_interrupts)
{
    struct hs_stage_context tls12 = { false, false, true };
    struct hs_stage_context tls13 = { true, false, true };
    ck_assert_int_eq(hs_stage_in_progress(&tls12, TLS_STATE_CLIENT_HELLO), HS_STAGE_client_hello);
    ck_assert_int_eq(hs_stage_in_progress(&tls12, TLS_STATE_CLIENT_KEY_EXCHANGE), HS_STAGE_client_key_exchange);
    ck_assert_int_eq(hs_stage_in_progress(&tls12, TLS_STATE_SERVER_CHANGE_CIPHER_SPEC),
                     HS_STAGE_change_cipher_spec_server);
    /* the client's CertificateVerify in TLS 1.2, the server's in 1.3 */
    ck_assert_int_eq(hs_stage_in_progress(&tls12, TLS_STATE_CERTIFICATE_VERIFY), HS_STAGE_handshake);
    ck_assert_int_eq(hs_stage_in_progress(&tls13, TLS_STATE_CERTIFICATE_VERIFY), HS_STAGE_certificate_verify);
    ck_assert_int_eq(hs_stage_in_progress(&tls12, TLS_STATE_SERVER_CCS_AFTER_SERVER_HELLO), HS_STAGE_handshake);
    ck_assert_int_eq(hs_stage_in_progress(&tls12, TLS_STATE_HELLO_RETRY_REQUEST), HS_STAGE_hello_retry_request);
    ck_assert_int_eq(hs_stage_in_progress(&tls13, TLS_STATE_UNKNOWN), HS_STAGE_handshake);
    ck_assert_int_eq(hs_stage_in_progress(&tls13, (enum tls_handshake_state)1000), HS_STAGE_handshake);
}
END_TEST

static Suite *hs_stage_suite(void)
{
    Suite *suite = suite_create("hs_stage");
    TCase *names = tcase_create("names");
    tcase_add_test(names, every_stage_has_a_unique_name);
    tcase_add_test(names, every_state_has_a_unique_name);
    tcase_add_test(names, every_message_has_a_sender);
    suite_add_tcase(suite, names);
    TCase *steps = tcase_create("steps");
    tcase_add_test(steps, tls12_full_handshake);
    tcase_add_test(steps, tls12_full_handshake_without_ticket);
    tcase_add_test(steps, tls12_resumed);
    tcase_add_test(steps, tls13_full_handshake);
    tcase_add_test(steps, tls13_hello_retry_request);
    tcase_add_test(steps, tls13_psk_resumption);
    tcase_add_test(steps, tls13_tickets_off);
    tcase_add_test(steps, the_stage_a_failure_interrupts);
    suite_add_tcase(suite, steps);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(hs_stage_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

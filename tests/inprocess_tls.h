/* SPDX-License-Identifier: Apache-2.0 */
/* inprocess_tls.h: a TLS client and server in one process, for the Check
 * suites (tests/test_session_resume.c, tests/test_records.c): an
 * in-memory transport (two byte queues, each side sending into one and
 * receiving from the other, through Mbed TLS's BIO callbacks) and a
 * self-signed server credential made at test time. */
#ifndef TLSD_TESTS_INPROCESS_TLS_H
#define TLSD_TESTS_INPROCESS_TLS_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

struct byte_queue {
    unsigned char bytes[1 << 17];
    size_t length;
};

/* One side's view: it sends into one queue and receives from the other. */
struct pipe_end {
    struct byte_queue *outgoing;
    struct byte_queue *incoming;
};

/* mbedtls_ssl_send_t / mbedtls_ssl_recv_t with a struct pipe_end as the
 * context: WANT_WRITE when the queue is full, WANT_READ when empty. */
int pipe_send(void *context, const unsigned char *buf, size_t length);
int pipe_receive(void *context, unsigned char *buf, size_t length);

/* A P-256 key and a self-signed certificate for CN=localhost into `key`
 * and `certificate` (initialised by the caller); fails the test if it
 * cannot. */
void inprocess_make_credentials(mbedtls_pk_context *key, mbedtls_x509_crt *certificate,
                                mbedtls_ctr_drbg_context *drbg);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* inprocess_tls.c: the in-process TLS pair of inprocess_tls.h. */
#include "inprocess_tls.h"

#include <check.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "compat.h"

int pipe_send(void *context, const unsigned char *buf, size_t length)
{
    struct byte_queue *queue = ((struct pipe_end *)context)->outgoing;
    size_t room = sizeof queue->bytes - queue->length;
    if (room == 0)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (length > room)
        length = room;
    memcpy(queue->bytes + queue->length, buf, length);
    queue->length += length;
    return (int)length;
}

int pipe_receive(void *context, unsigned char *buf, size_t length)
{
    struct byte_queue *queue = ((struct pipe_end *)context)->incoming;
    if (queue->length == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (length > queue->length)
        length = queue->length;
    memcpy(buf, queue->bytes, length);
    memmove(queue->bytes, queue->bytes + length, queue->length - length);
    queue->length -= length;
    return (int)length;
}

void inprocess_make_credentials(mbedtls_pk_context *key, mbedtls_x509_crt *certificate,
                                mbedtls_ctr_drbg_context *drbg)
{
    ck_assert_int_eq(mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    ck_assert_int_eq(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key), mbedtls_ctr_drbg_random,
                                         drbg),
                     0);
    mbedtls_x509write_cert writer;
    mbedtls_x509write_crt_init(&writer);
    mbedtls_x509write_crt_set_version(&writer, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&writer, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&writer, key);
    mbedtls_x509write_crt_set_issuer_key(&writer, key);
    static const unsigned char serial[] = { 0x01, 0x02, 0x03 };
    ck_assert_int_eq(compat_x509write_crt_set_serial(&writer, serial, sizeof serial), 0);
    ck_assert_int_eq(mbedtls_x509write_crt_set_subject_name(&writer, "CN=localhost"), 0);
    ck_assert_int_eq(mbedtls_x509write_crt_set_issuer_name(&writer, "CN=localhost"), 0);
    ck_assert_int_eq(mbedtls_x509write_crt_set_validity(&writer, "20200101000000", "20491231235959"), 0);
    static unsigned char der[2048];
    int written = mbedtls_x509write_crt_der(&writer, der, sizeof der, mbedtls_ctr_drbg_random, drbg);
    mbedtls_x509write_crt_free(&writer);
    ck_assert_int_gt(written, 0);
    /* x509write fills the buffer from its end. */
    ck_assert_int_eq(mbedtls_x509_crt_parse_der(certificate, der + sizeof der - (size_t)written, (size_t)written), 0);
}

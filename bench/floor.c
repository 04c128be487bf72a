/* SPDX-License-Identifier: Apache-2.0 */
/* bench/floor.c: the public-key floor of a full TLS 1.2 ECDHE handshake on
 * the Mbed TLS it is linked with (2.28 or 3.6, Debian's or tlsd's own), so
 * that each tlsd build's handshake rate can be set against its own
 * library. Per operation, on one core, the median of 5 batches:
 *   ecdsa_p256_sign  the ServerKeyExchange signature (SHA-256 digest)
 *   rsa2048_sign     the same with an RSA-2048 key
 *   x25519_ecdhe     the server's share: setup, make_params, read_public,
 *                    calc_secret, as the TLS 1.2 server code calls them
 * and floor=NAME max_hs_per_s = 1 / (sign + x25519_ecdhe): an upper bound
 * that leaves out hashing, AES-GCM, tickets, TCP and HTTP.
 *
 *   floor [-t SECONDS_PER_BATCH]
 * Output: key=value lines. Built by bench/builds.sh against each library. */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <psa/crypto.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_pk_context ecdsa_key, rsa_key;
static unsigned char client_share[64];
static size_t client_share_length;

static void must(int result, const char *what)
{
    if (result != 0) {
        fprintf(stderr, "floor: %s failed: -0x%04x\n", what, (unsigned)-result);
        exit(1);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sign_with(mbedtls_pk_context *key)
{
    unsigned char digest[32] = { 1, 2, 3 }, signature[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t length;
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    must(mbedtls_pk_sign(key, MBEDTLS_MD_SHA256, digest, sizeof digest, signature, sizeof signature, &length,
                         mbedtls_ctr_drbg_random, &drbg), "sign");
#else
    must(mbedtls_pk_sign(key, MBEDTLS_MD_SHA256, digest, sizeof digest, signature, &length,
                         mbedtls_ctr_drbg_random, &drbg), "sign");
#endif
}

static void ecdsa_sign(void) { sign_with(&ecdsa_key); }
static void rsa_sign(void) { sign_with(&rsa_key); }

static void x25519_ecdhe(void)
{
    mbedtls_ecdh_context server;
    unsigned char params[128], secret[32];
    size_t length;
    mbedtls_ecdh_init(&server);
    must(mbedtls_ecdh_setup(&server, MBEDTLS_ECP_DP_CURVE25519), "ecdh_setup");
    must(mbedtls_ecdh_make_params(&server, &length, params, sizeof params, mbedtls_ctr_drbg_random, &drbg),
         "make_params");
    must(mbedtls_ecdh_read_public(&server, client_share, client_share_length), "read_public");
    must(mbedtls_ecdh_calc_secret(&server, &length, secret, sizeof secret, mbedtls_ctr_drbg_random, &drbg),
         "calc_secret");
    mbedtls_ecdh_free(&server);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* seconds per operation: the median of 5 batches of about `seconds` each */
static double time_operation(void (*operation)(void), double seconds)
{
    double batches[5];
    for (int b = 0; b < 5; b++) {
        long count = 0;
        double start = now(), elapsed;
        do {
            operation();
            count++;
            elapsed = now() - start;
        } while (elapsed < seconds);
        batches[b] = elapsed / (double)count;
    }
    qsort(batches, 5, sizeof batches[0], by_value);
    return batches[2];
}

static void set_up(void)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    must(psa_crypto_init() == PSA_SUCCESS ? 0 : -1, "psa_crypto_init");
#endif
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    must(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0), "drbg_seed");
    mbedtls_pk_init(&ecdsa_key);
    mbedtls_pk_init(&rsa_key);
    must(mbedtls_pk_setup(&ecdsa_key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "pk_setup");
    must(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(ecdsa_key), mbedtls_ctr_drbg_random, &drbg),
         "ecp_gen_key");
    must(mbedtls_pk_setup(&rsa_key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), "pk_setup");
    must(mbedtls_rsa_gen_key(mbedtls_pk_rsa(rsa_key), mbedtls_ctr_drbg_random, &drbg, 2048, 65537), "rsa_gen_key");
    /* the client's share once, in the ClientKeyExchange format */
    mbedtls_ecdh_context client;
    mbedtls_ecdh_init(&client);
    must(mbedtls_ecdh_setup(&client, MBEDTLS_ECP_DP_CURVE25519), "ecdh_setup");
    must(mbedtls_ecdh_make_public(&client, &client_share_length, client_share, sizeof client_share,
                                  mbedtls_ctr_drbg_random, &drbg), "make_public");
    mbedtls_ecdh_free(&client);
}

int main(int argc, char **argv)
{
    double seconds = 0.3;
    if (argc == 3 && strcmp(argv[1], "-t") == 0 && atof(argv[2]) > 0)
        seconds = atof(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: floor [-t SECONDS_PER_BATCH]\n");
        return 2;
    }
    set_up();
    char version[32];
    mbedtls_version_get_string(version);
    double ecdsa = time_operation(ecdsa_sign, seconds);
    double rsa = time_operation(rsa_sign, seconds);
    double x25519 = time_operation(x25519_ecdhe, seconds);
    printf("mbedtls_version=%s\n", version);
    printf("op=ecdsa_p256_sign us=%.1f\nop=rsa2048_sign us=%.1f\nop=x25519_ecdhe us=%.1f\n", ecdsa * 1e6,
           rsa * 1e6, x25519 * 1e6);
    printf("floor=ecdsa_x25519 max_hs_per_s=%.1f\n", 1 / (ecdsa + x25519));
    printf("floor=rsa_x25519 max_hs_per_s=%.1f\n", 1 / (rsa + x25519));
    mbedtls_pk_free(&ecdsa_key);
    mbedtls_pk_free(&rsa_key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* mbedtls/tlsd_config.h: the Mbed TLS 3.6 configuration tlsd is built on
 * by mbedtls/build.sh (it replaces include/mbedtls/mbedtls_config.h, so the
 * installed headers and the library agree on every structure).
 *
 * What tlsd speaks and nothing else: TLS 1.2 and 1.3 over TCP, ECDHE with
 * X25519 or P-256, AES-GCM and ChaCha20-Poly1305, ECDSA and RSA
 * certificates. Every other module, key exchange and mode is left out:
 * smaller code, a smaller attack surface and smaller per-connection
 * structures. tlsd's own policy (src/tls.c) still decides what is offered;
 * this file decides what exists.
 *
 * Measured on tlsd's workload (README, "Performance"), and left out on
 * purpose: p256-m (slower on x86-64), MBEDTLS_USE_PSA_CRYPTO (halves RSA
 * signing), a smaller MBEDTLS_SSL_IN_CONTENT_LEN (clients may send 16 KiB
 * records), MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH (drops large requests after
 * a TLS 1.2 handshake with a small output buffer: Mbed-TLS/mbedtls#4485). */
#ifndef TLSD_MBEDTLS_CONFIG_H
#define TLSD_MBEDTLS_CONFIG_H

/* tlsd -V and the configure summary name the build by this */
#define TLSD_MBEDTLS_CONFIGURATION "tlsd configuration"

/* ---- platform */
#define MBEDTLS_HAVE_ASM            /* assembly bignum multiplication */
#define MBEDTLS_HAVE_TIME           /* session and ticket lifetimes */
#define MBEDTLS_HAVE_TIME_DATE      /* certificate validity (tlsd -t warns on expiry) */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_FS_IO               /* certificates and keys are read from files */
#define MBEDTLS_THREADING_C         /* `workers`: one event loop per thread */
#define MBEDTLS_THREADING_PTHREAD
#define MBEDTLS_ENTROPY_C           /* getrandom(2) */
#define MBEDTLS_CTR_DRBG_C          /* tlsd's random generator */
#define MBEDTLS_HMAC_DRBG_C         /* deterministic ECDSA, PSA's DRBG */
#define MBEDTLS_ERROR_C             /* error texts in the log */
#define MBEDTLS_VERSION_C           /* tlsd -V */

/* ---- protocol: TLS 1.2 and 1.3 servers, stream transport only (no DTLS) */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_CLI_C           /* the test suite's and bench/micro's clients; not linked into tlsd */
#define MBEDTLS_NET_C               /* bench/micro's client socket; not linked into tlsd */
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE  /* browsers send a session id and expect the CCS */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* resumption, with a fresh key share */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED /* TLS 1.2: ECDHE only (forward secrecy) */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET     /* tlsd resumes TLS 1.2 only with it */
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TICKET_C
#define MBEDTLS_SSL_CACHE_C                    /* the session cache's entry format */
#define MBEDTLS_SSL_ALPN                       /* http/1.1 */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION     /* the name is logged */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES         /* a client learns why it was refused */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE      /* TLS 1.3 requires it; tlsd asks for no client certificate */
/* Not defined: MBEDTLS_SSL_RENEGOTIATION (tlsd refuses it: the code is left
 * out), MBEDTLS_SSL_PROTO_DTLS and its options, CBC suites and
 * MBEDTLS_SSL_ENCRYPT_THEN_MAC, RSA/PSK/DHE/static-ECDH key exchange,
 * MBEDTLS_SSL_MAX_FRAGMENT_LENGTH, MBEDTLS_SSL_CONTEXT_SERIALIZATION,
 * early data. */

/* Record buffers. Input: 16 KiB, the protocol's maximum, which every client
 * may send. Output: 4 KiB, which every response is cut into; saves 12 KiB
 * per connection. Handshake messages are not split across records, so the
 * Certificate message must fit: tlsd -t and start-up check every chain. */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* ---- ciphers: the AEADs of tlsd's suites */
#define MBEDTLS_AES_C
#define MBEDTLS_AESNI_C             /* x86-64 AES-NI and PCLMUL, checked at run time */
#define MBEDTLS_AESCE_C             /* the same on arm64 */
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C

/* ---- hashes */
#define MBEDTLS_MD_C
#define MBEDTLS_MD5_C               /* the JA3 fingerprint in the handshake log */
#define MBEDTLS_SHA1_C              /* certificates: key identifiers, old signatures */
#define MBEDTLS_SHA224_C            /* shares sha256.c; PSA expects it with SHA-256 */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C              /* tlsd's ticket keys */

/* ---- public keys */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_MPI_WINDOW_SIZE 6   /* RSA and signing about 10 % faster, 2 KiB more per RSA key */
#define MBEDTLS_GENPRIME            /* tlsd-mkcert's RSA keys */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15           /* TLS 1.2 RSA signatures, most certificates */
#define MBEDTLS_PKCS1_V21           /* RSA-PSS: TLS 1.3 with an RSA key */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT        /* certificates signed with RSA-PSS */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED      /* X25519, the first group */
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED       /* P-256: the second group, ECDSA keys */
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED       /* P-384 certificates (e.g. Let's Encrypt's ECDSA intermediates) */
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED       /* P-521 certificates */
/* HACL*'s formally verified X25519, 8.8x faster than the generic code in
 * TLS 1.2's key exchange (3rdparty/everest; Apache-2.0 only) */
#define MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC            /* RFC 6979: no signature depends on the RNG */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C                     /* tlsd-mkcert */
#define MBEDTLS_PSA_CRYPTO_C                   /* TLS 1.3's key schedule */
#define MBEDTLS_PSA_KEY_STORE_DYNAMIC

/* ---- certificates and encodings */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PEM_WRITE_C                    /* tlsd-mkcert */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CREATE_C                  /* tlsd-mkcert */
#define MBEDTLS_X509_CRT_WRITE_C               /* tlsd-mkcert */

#endif

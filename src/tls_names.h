/* SPDX-License-Identifier: Apache-2.0 */
/* tls_names.h: the IANA names of TLS values, for log lines: cipher suites,
 * groups, signature schemes, extensions, versions and alerts. Pure tables,
 * no Mbed TLS: tlsd names what the client sent, including what Mbed TLS
 * does not know. */
#ifndef TLSD_TLS_NAMES_H
#define TLSD_TLS_NAMES_H

#include <stdint.h>

/* IANA names, e.g. "TLS_AES_128_GCM_SHA256", "x25519", "ecdsa_secp256r1_sha256",
 * "server_name", "TLS1.3"; "GREASE" for GREASE values; NULL when unknown
 * (the caller prints 0x%04x). The clienthello_ prefix is historical: they
 * name values of ServerHellos and certificates too. */
const char *clienthello_cipher_suite_name(uint16_t id);
const char *clienthello_group_name(uint16_t id);
const char *clienthello_signature_algorithm_name(uint16_t id);
const char *clienthello_extension_name(uint16_t id);
const char *clienthello_version_name(uint16_t version);

/* A cipher suite's OpenSSL name ("ECDHE-ECDSA-AES128-GCM-SHA256", what
 * curl's --ciphers takes; TLS 1.3's are IANA's), for the suites Mbed TLS
 * can negotiate; NULL for the others. */
const char *tls_suite_openssl_name(uint16_t id);

/* An alert description's name (RFC 8446 6, "handshake_failure"), or NULL. */
const char *tls_alert_name(int description);

/* What a fatal alert received from the client most likely means
 * (unknown_ca: it does not trust the chain), or NULL. */
const char *tls_alert_received_hint(int description);

#endif

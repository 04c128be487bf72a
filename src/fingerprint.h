/* SPDX-License-Identifier: Apache-2.0 */
/* fingerprint.h: the JA3 and JA4 fingerprints of a parsed ClientHello.
 *
 * Not pure: the fingerprints are hashes (MD5, SHA-256) and Mbed TLS
 * computes them; this is the one module besides the TLS ones that needs
 * it, so that the parser (clienthello.c) stays free of Mbed TLS. */
#ifndef TLSD_FINGERPRINT_H
#define TLSD_FINGERPRINT_H

#include <stddef.h>

#include "clienthello.h"

/* JA3 (salesforce/ja3): the text "771,4865-4866-...,0-23-...,29-23-24,0" and
 * its MD5 as 32 lower-case hex digits. GREASE values are left out. */
void clienthello_ja3(const struct clienthello *hello, char *text, size_t text_size, char md5_hex[33]);

/* JA4 (FoxIO JA4 spec, JA4.md): e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1".
 * `transport` is 't' for TCP. */
void clienthello_ja4(const struct clienthello *hello, char transport, char out[40]);

#endif

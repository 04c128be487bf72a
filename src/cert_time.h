/* SPDX-License-Identifier: Apache-2.0 */
/* cert_time.h: the one text for a certificate's time, as tlsd's log
 * lines, its status page and tlsd-mkcert's report show it: RFC 3339 in
 * UTC, "2027-12-28T23:32:10Z" (X.509 times are UTC). */
#ifndef TLSD_CERT_TIME_H
#define TLSD_CERT_TIME_H

#include <stddef.h>
#include <time.h>

#include <mbedtls/x509.h>

/* "YYYY-MM-DDThh:mm:ssZ" and its NUL. */
#define CERT_TIME_TEXT_SIZE 21

/* A certificate's validity bound, as Mbed TLS parsed it. */
void cert_time_format(const mbedtls_x509_time *time, char *out, size_t size);

/* A time tlsd computed (tlsd-mkcert's validity, the date a file is made). */
void cert_time_format_epoch(time_t when, char *out, size_t size);

#endif

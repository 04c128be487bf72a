/* SPDX-License-Identifier: Apache-2.0 */
/* cert_time.c: the one text for a certificate's time. */
#include "cert_time.h"

#include <stdio.h>

static void format_fields(int year, int month, int day, int hour, int minute, int second, char *out,
                          size_t size)
{
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute, second);
}

void cert_time_format(const mbedtls_x509_time *time, char *out, size_t size)
{
    format_fields(time->year, time->mon, time->day, time->hour, time->min, time->sec, out, size);
}

void cert_time_format_epoch(time_t when, char *out, size_t size)
{
    struct tm tm;
    if (gmtime_r(&when, &tm) == NULL) {
        snprintf(out, size, "unknown");
        return;
    }
    format_fields(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, out, size);
}

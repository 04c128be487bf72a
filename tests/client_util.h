/* SPDX-License-Identifier: Apache-2.0 */
/* client_util.h: the small pieces tests/hostile.c and tests/tlspoke.c
 * (the test clients) both need. */
#ifndef TLSD_TESTS_CLIENT_UTIL_H
#define TLSD_TESTS_CLIENT_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* An option's number: the whole text a number from minimum to maximum. */
static inline bool parse_number(const char *text, double minimum, double maximum, double *out)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum)
        return false;
    *out = value;
    return true;
}

#endif

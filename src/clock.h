/* SPDX-License-Identifier: Apache-2.0 */
/* clock.h: time spent, for the t_ms and duration_ms of log lines. The
 * monotonic clock: a wall-clock step (NTP, an operator) must not make a
 * handshake look negative or an hour long. Header-only and pure. */
#ifndef TLSD_CLOCK_H
#define TLSD_CLOCK_H

#include <time.h>

/* Now on CLOCK_MONOTONIC, the `start` that milliseconds_since takes. */
static inline struct timespec clock_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now;
}

/* Milliseconds from `start` (taken with clock_now) to now. */
static inline double milliseconds_since(const struct timespec *start)
{
    struct timespec now = clock_now();
    return (double)(now.tv_sec - start->tv_sec) * 1000.0 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* notify.h: readiness and status for systemd (Type=notify). */
#ifndef TLSD_NOTIFY_H
#define TLSD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Read NOTIFY_SOCKET and WATCHDOG_USEC from the environment (and remove
 * them, so that children do not inherit them), and open the one socket
 * every message goes out on: kept for the process's life, so that
 * notifying needs no free descriptor. */
void notify_setup(void);

/* Whether a notification socket was given. */
bool notify_enabled(void);

/* Send one message, e.g. "READY=1\nSTATUS=serving". Nothing happens when
 * tlsd was not started by systemd. Main thread only. */
void notify_send(const char *message);

/* The watchdog interval systemd asked for, in microseconds; 0 if none. */
uint64_t notify_watchdog_usec(void);

#endif

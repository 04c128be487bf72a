/* SPDX-License-Identifier: Apache-2.0 */
/* notify.c: the sd_notify datagram protocol, spoken directly.
 *
 * Why not libsystemd: the protocol is one datagram per message on a unix
 * socket named in $NOTIFY_SOCKET, and linking all of libsystemd (and its
 * compression libraries, the path of the 2024 xz backdoor) into a TLS
 * server for that is more attack surface than the feature is worth.
 * OpenSSH made the same choice. */
#include "notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static struct sockaddr_un notify_address;
static socklen_t notify_address_length;
static uint64_t watchdog_usec;

/* The one socket every message goes out on, opened at setup and kept:
 * a socket per message needs a free descriptor, and when the connections
 * have taken them all (EMFILE) WATCHDOG=1 could not be sent and systemd
 * killed a server that was alive. -1: not open (not yet, or it failed). */
static int notify_fd = -1;

static int notify_open(void)
{
    if (notify_fd < 0) {
        notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (notify_fd < 0)
            log_message(LOG_LEVEL_WARN, "notify: socket: %s", strerror(errno));
    }
    return notify_fd;
}

void notify_setup(void)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (path != NULL && path[0] != '\0') {
        size_t length = strlen(path);
        if ((path[0] == '/' || path[0] == '@') && length < sizeof notify_address.sun_path) {
            memset(&notify_address, 0, sizeof notify_address);
            notify_address.sun_family = AF_UNIX;
            memcpy(notify_address.sun_path, path, length);
            /* "@name" is an abstract socket: a leading NUL byte */
            if (path[0] == '@')
                notify_address.sun_path[0] = '\0';
            notify_address_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);
        } else {
            log_message(LOG_LEVEL_WARN, "NOTIFY_SOCKET '%s' is not a usable socket path: not notifying", path);
        }
    }
    const char *usec = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    if (usec != NULL && (pid == NULL || strtol(pid, NULL, 10) == (long)getpid())) {
        char *end = NULL;
        unsigned long long value = strtoull(usec, &end, 10);
        if (end != usec && *end == '\0')
            watchdog_usec = value;
    }
    /* now, while descriptors are plenty; kept for the process's life */
    if (notify_enabled())
        notify_open();
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

bool notify_enabled(void)
{
    return notify_address_length > 0;
}

uint64_t notify_watchdog_usec(void)
{
    return watchdog_usec;
}

static ssize_t notify_sendto(const char *message)
{
    return sendto(notify_fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&notify_address,
                  notify_address_length);
}

void notify_send(const char *message)
{
    if (!notify_enabled() || notify_open() < 0)
        return;
    ssize_t sent = notify_sendto(message);
    if (sent < 0 && (errno == EBADF || errno == ENOTSOCK)) {
        /* the descriptor is not our socket any more (something closed
         * it, and its number may be another file's now): leave it, and
         * send on a fresh socket, once */
        notify_fd = -1;
        if (notify_open() >= 0)
            sent = notify_sendto(message);
    }
    if (sent < 0)
        log_message(LOG_LEVEL_WARN, "notify: cannot reach systemd: %s", strerror(errno));
}

/* SPDX-License-Identifier: Apache-2.0 */
/* listener.c: listening sockets, accept, and the connection limit. */
#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "connection.h"
#include "log.h"
#include "worker.h"

#define LISTEN_BACKLOG 511
#define ACCEPT_RETRY_SECONDS 1

struct listener_set {
    struct worker_loop *loop;
    struct evconnlistener *listeners[CONFIG_MAX_LISTEN];
    bool proxy_protocol[CONFIG_MAX_LISTEN];
    size_t count;
    bool paused;                 /* at max_connections or out of descriptors */
    /* A shortage of descriptors (EMFILE) lasts from the first failed
     * accept until a whole retry interval passes without one: accepting
     * again drains a backlog that runs out again in bursts, and that is
     * still the same shortage. */
    bool starved;
    bool waiting_for_room;       /* accept failed: paused until there is room */
    struct event *retry_timer;   /* looks for room, then ends the shortage */
};

/* Workers out of descriptors now. Descriptors are the process's, so one
 * shortage is one episode however many workers meet it: the first to
 * starve logs the pause and the last to find room logs the resume. */
static _Atomic unsigned starved_workers;

/* A connection needs its socket and, while it sends a file, the file's:
 * accepting resumes when there is room for both. Probing with dup() costs
 * no client a failed accept, and the probes are closed at once. */
#define ACCEPT_ROOM_DESCRIPTORS 2

static bool room_for_a_connection(struct listener_set *set)
{
    int probes[ACCEPT_ROOM_DESCRIPTORS];
    size_t taken = 0;
    evutil_socket_t fd = evconnlistener_get_fd(set->listeners[0]);
    while (taken < ACCEPT_ROOM_DESCRIPTORS && (probes[taken] = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0)
        taken++;
    for (size_t i = 0; i < taken; i++)
        close(probes[i]);
    return taken == ACCEPT_ROOM_DESCRIPTORS;
}

static void starve(struct listener_set *set, int error)
{
    if (set->starved)
        return;
    set->starved = true;
    if (atomic_fetch_add(&starved_workers, 1) == 0)
        log_message(LOG_LEVEL_WARN, "accept: %s: accepting paused with %u connection(s) open; retried every "
                    "%d s until there is room (logged once per shortage)", strerror(error),
                    set->loop->connection_count, ACCEPT_RETRY_SECONDS);
}

static void unstarve(struct listener_set *set)
{
    if (!set->starved)
        return;
    set->starved = false;
    if (atomic_fetch_sub(&starved_workers, 1) == 1)
        log_message(LOG_LEVEL_WARN, "accepting resumed: descriptors free again (%u connection(s) open)",
                    set->loop->connection_count);
}

static void set_accepting(struct listener_set *set, bool accepting)
{
    for (size_t i = 0; i < set->count; i++) {
        if (accepting)
            evconnlistener_enable(set->listeners[i]);
        else
            evconnlistener_disable(set->listeners[i]);
    }
    set->paused = !accepting;
}

void listener_connection_closed(struct listener_set *set)
{
    if (set == NULL || !set->paused)
        return;
    struct worker_loop *loop = set->loop;
    /* out of descriptors, the retry timer decides */
    if (loop->connection_count < loop->max_connections && !set->waiting_for_room) {
        set_accepting(set, true);
        log_message(LOG_LEVEL_WARN, "accepting resumed (%u connections open)", loop->connection_count);
    }
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *peer,
                      int peer_length, void *context)
{
    struct listener_set *set = context;
    struct worker_loop *loop = set->loop;
    bool proxy_protocol = false;
    for (size_t i = 0; i < set->count; i++)
        if (set->listeners[i] == listener)
            proxy_protocol = set->proxy_protocol[i];
    connection_accept(loop, fd, peer, peer_length, proxy_protocol);
    if (loop->connection_count >= loop->max_connections && !set->paused) {
        set_accepting(set, false);
        log_message(LOG_LEVEL_WARN, "max_connections (%u) reached: accepting paused until one closes",
                    loop->max_connections);
    }
}

static void on_retry(evutil_socket_t fd, short what, void *context)
{
    (void)fd;
    (void)what;
    struct listener_set *set = context;
    struct timeval retry = { .tv_sec = ACCEPT_RETRY_SECONDS, .tv_usec = 0 };
    if (set->waiting_for_room) {
        if (!room_for_a_connection(set)) {
            evtimer_add(set->retry_timer, &retry);
            return;
        }
        set->waiting_for_room = false;
        /* accept again, and end the shortage if that holds for a while */
        evtimer_add(set->retry_timer, &retry);
    } else {
        unstarve(set);
    }
    if (set->paused && set->loop->connection_count < set->loop->max_connections)
        set_accepting(set, true);
}

static void on_accept_error(struct evconnlistener *listener, void *context)
{
    (void)listener;
    struct listener_set *set = context;
    int error = EVUTIL_SOCKET_ERROR();
    if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
        /* Out of descriptors: the pending connection stays in the backlog
         * and the socket stays readable. Pause rather than spin, and say
         * so once per shortage, not once per attempt. */
        starve(set, error);
        set->waiting_for_room = true;
        set_accepting(set, false);
        struct timeval retry = { .tv_sec = ACCEPT_RETRY_SECONDS, .tv_usec = 0 };
        evtimer_add(set->retry_timer, &retry);
        return;
    }
    log_message(LOG_LEVEL_WARN, "accept: %s", strerror(error));
}

static int bind_one(const struct listen_address *address, const struct sockaddr *where, socklen_t where_length,
                    bool reuse_port, char *error, size_t error_size)
{
    int fd = socket(address->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(error, error_size, "listen %s: socket: %s", address->text, strerror(errno));
        return -1;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    /* One socket per worker on the same port: the kernel spreads new
     * connections over them, so workers never contend for one queue. */
    if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
        snprintf(error, error_size, "listen %s: SO_REUSEPORT: %s", address->text, strerror(errno));
        close(fd);
        return -1;
    }
    /* "[::]:443" means IPv6 only, so that "0.0.0.0:443" can sit beside it */
    if (address->address.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd, where, where_length) != 0 ||
        listen(fd, LISTEN_BACKLOG) != 0) {
        snprintf(error, error_size, "listen %s: %s", address->text, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Sockets passed by systemd (socket activation): LISTEN_PID is ours and
 * LISTEN_FDS says how many, starting at descriptor 3. Returns how many
 * were taken into fds[], 0 when none were passed, -1 on a bad one. */
#define LISTEN_FDS_START 3
static int take_activated_sockets(int *fds, size_t capacity, char *error, size_t error_size)
{
    const char *pid_text = getenv("LISTEN_PID");
    const char *count_text = getenv("LISTEN_FDS");
    if (pid_text == NULL || count_text == NULL)
        return 0;
    char *end = NULL;
    long pid = strtol(pid_text, &end, 10);
    if (end == pid_text || *end != '\0' || pid != (long)getpid())
        return 0;
    long count = strtol(count_text, &end, 10);
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (end == count_text || *end != '\0' || count < 0 || (size_t)count > capacity) {
        snprintf(error, error_size, "LISTEN_FDS=%s: expected 0 to %zu sockets", count_text, capacity);
        return -1;
    }
    for (long i = 0; i < count; i++) {
        int fd = LISTEN_FDS_START + (int)i;
        int listening = 0;
        socklen_t length = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening) {
            snprintf(error, error_size, "socket activation: descriptor %d is not a listening socket", fd);
            return -1;
        }
        evutil_make_socket_nonblocking(fd);
        evutil_make_socket_closeonexec(fd);
        fds[i] = fd;
    }
    return (int)count;
}

static int add_listener(struct listener_set *set, int fd, bool proxy_protocol, char *error, size_t error_size)
{
    /* Mbed TLS writes each handshake record separately; we coalesce them,
     * and NODELAY makes the coalesced flight leave at once. Linux copies
     * it from the listening socket to every accepted one, which saves a
     * system call per connection. */
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    struct evconnlistener *listener = evconnlistener_new(
        set->loop->base, on_accept, set, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
    if (listener == NULL) {
        snprintf(error, error_size, "cannot start accepting on descriptor %d", fd);
        return -1;
    }
    evconnlistener_set_error_cb(listener, on_accept_error);
    set->proxy_protocol[set->count] = proxy_protocol;
    set->listeners[set->count++] = listener;
    return 0;
}

/* Whether a socket bound to `bound` serves the listen line `address`: the
 * same family and port, and the same IP or a wildcard line. */
static bool socket_matches(const struct sockaddr_storage *bound, const struct listen_address *address)
{
    if (bound->ss_family != address->address.ss_family)
        return false;
    if (bound->ss_family == AF_INET) {
        const struct sockaddr_in *socket_address = (const struct sockaddr_in *)bound;
        const struct sockaddr_in *line = (const struct sockaddr_in *)&address->address;
        return socket_address->sin_port == line->sin_port &&
               (line->sin_addr.s_addr == htonl(INADDR_ANY) ||
                line->sin_addr.s_addr == socket_address->sin_addr.s_addr);
    }
    if (bound->ss_family == AF_INET6) {
        const struct sockaddr_in6 *socket_address = (const struct sockaddr_in6 *)bound;
        const struct sockaddr_in6 *line = (const struct sockaddr_in6 *)&address->address;
        return socket_address->sin6_port == line->sin6_port &&
               (IN6_IS_ADDR_UNSPECIFIED(&line->sin6_addr) ||
                memcmp(&line->sin6_addr, &socket_address->sin6_addr, sizeof line->sin6_addr) == 0);
    }
    return false;
}

/* A socket systemd passed takes the options of the listen line with its
 * address: that is where an administrator says proxy_protocol. */
static bool activated_socket_uses_proxy_protocol(int fd, const struct tlsd_config *config)
{
    struct sockaddr_storage bound;
    memset(&bound, 0, sizeof bound);
    socklen_t bound_length = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_length) != 0)
        return false;
    for (size_t i = 0; i < config->listen_count; i++)
        if (socket_matches(&bound, &config->listen[i]))
            return config->listen[i].proxy_protocol;
    return false;
}

static void describe_socket(int fd, char *text, size_t size)
{
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    snprintf(text, size, "?");
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_length) == 0)
        connection_format_address((struct sockaddr *)&bound, text, size);
}

/* Sockets with SO_REUSEPORT share a port with any other such socket of
 * the same user: another tlsd would silently get half the connections.
 * Binding once without it first makes a port in use an error, as it is
 * with one worker, and fixes the port when the configured one is 0. */
static int probe_address(const struct listen_address *address, struct sockaddr_storage *bound,
                         socklen_t *bound_length, char *error, size_t error_size)
{
    int fd = bind_one(address, (const struct sockaddr *)&address->address, address->address_length, false, error,
                      error_size);
    if (fd < 0)
        return -1;
    *bound_length = sizeof *bound;
    int result = getsockname(fd, (struct sockaddr *)bound, bound_length);
    if (result != 0)
        snprintf(error, error_size, "listen %s: getsockname: %s", address->text, strerror(errno));
    close(fd);
    return result;
}

struct listen_sockets *listener_open(const struct tlsd_config *config, unsigned workers, char *error,
                                     size_t error_size)
{
    struct listen_sockets *sockets = calloc(1, sizeof *sockets);
    int *fds = calloc((size_t)workers * CONFIG_MAX_LISTEN, sizeof *fds);
    if (sockets == NULL || fds == NULL) {
        snprintf(error, error_size, "out of memory");
        free(sockets);
        free(fds);
        return NULL;
    }
    sockets->fds = fds;
    sockets->workers = workers;
    for (size_t i = 0; i < (size_t)workers * CONFIG_MAX_LISTEN; i++)
        fds[i] = -1;

    int activated[CONFIG_MAX_LISTEN];
    int activated_count = take_activated_sockets(activated, CONFIG_MAX_LISTEN, error, error_size);
    if (activated_count < 0) {
        listener_close(sockets);
        return NULL;
    }
    if (activated_count > 0) {
        log_message(LOG_LEVEL_INFO, "socket activation: using %d socket(s) passed by systemd (LISTEN_FDS) "
                    "instead of the listen lines", activated_count);
        sockets->per_worker = (size_t)activated_count;
        for (int i = 0; i < activated_count; i++) {
            fds[i] = activated[i];
            sockets->proxy_protocol[i] = activated_socket_uses_proxy_protocol(activated[i], config);
            char text[64];
            describe_socket(activated[i], text, sizeof text);
            log_message(LOG_LEVEL_INFO, "listening on %s (from systemd)%s", text,
                        sockets->proxy_protocol[i] ? ", PROXY protocol" : "");
        }
        /* systemd passed one socket per address: the workers share it */
        for (unsigned worker = 1; worker < workers; worker++) {
            for (int i = 0; i < activated_count; i++) {
                int copy = fcntl(activated[i], F_DUPFD_CLOEXEC, 0);
                if (copy < 0) {
                    snprintf(error, error_size, "socket activation: dup: %s", strerror(errno));
                    listener_close(sockets);
                    return NULL;
                }
                fds[worker * CONFIG_MAX_LISTEN + (unsigned)i] = copy;
            }
        }
        return sockets;
    }

    sockets->per_worker = config->listen_count;
    for (size_t i = 0; i < config->listen_count; i++) {
        const struct listen_address *address = &config->listen[i];
        sockets->proxy_protocol[i] = address->proxy_protocol;
        /* The first worker binds the address as written; the others bind
         * the port it got, which differs when the configured port is 0. */
        struct sockaddr_storage bound = address->address;
        socklen_t bound_length = address->address_length;
        if (workers > 1 && probe_address(address, &bound, &bound_length, error, error_size) != 0) {
            listener_close(sockets);
            return NULL;
        }
        for (unsigned worker = 0; worker < workers; worker++) {
            int fd = bind_one(address, (const struct sockaddr *)&bound, bound_length, workers > 1, error,
                              error_size);
            if (fd < 0) {
                listener_close(sockets);
                return NULL;
            }
            fds[worker * CONFIG_MAX_LISTEN + i] = fd;
            if (worker == 0) {
                bound_length = sizeof bound;
                getsockname(fd, (struct sockaddr *)&bound, &bound_length);
                char text[64];
                describe_socket(fd, text, sizeof text);
                log_message(LOG_LEVEL_INFO, "listening on %s%s", text,
                            address->proxy_protocol ? ", PROXY protocol" : "");
            }
        }
    }
    return sockets;
}

void listener_close(struct listen_sockets *sockets)
{
    if (sockets == NULL)
        return;
    for (size_t i = 0; i < (size_t)sockets->workers * CONFIG_MAX_LISTEN; i++)
        if (sockets->fds[i] >= 0)
            close(sockets->fds[i]);
    free(sockets->fds);
    free(sockets);
}

struct listener_set *listener_start(struct worker_loop *loop, struct listen_sockets *sockets, unsigned worker,
                                    char *error, size_t error_size)
{
    struct listener_set *set = calloc(1, sizeof *set);
    if (set == NULL) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    set->loop = loop;
    set->retry_timer = evtimer_new(loop->base, on_retry, set);
    if (set->retry_timer == NULL) {
        snprintf(error, error_size, "out of memory");
        free(set);
        return NULL;
    }
    for (size_t i = 0; i < sockets->per_worker; i++) {
        int *fd = &sockets->fds[worker * CONFIG_MAX_LISTEN + i];
        if (add_listener(set, *fd, sockets->proxy_protocol[i], error, error_size) != 0) {
            listener_stop(set);
            return NULL;
        }
        *fd = -1;  /* the listener owns it now */
    }
    return set;
}

/* Bound on the connections taken from one queue at the stop: the kernel
 * holds at most somaxconn (4096 by default) in it. */
#define BACKLOG_DRAIN_MAX 4096

unsigned listener_accept_backlog(struct listener_set *set)
{
    if (set == NULL)
        return 0;
    unsigned accepted = 0;
    for (size_t i = 0; i < set->count; i++) {
        evutil_socket_t fd = evconnlistener_get_fd(set->listeners[i]);
        for (unsigned tries = 0; tries < BACKLOG_DRAIN_MAX; tries++) {
            struct sockaddr_storage peer;
            socklen_t peer_length = sizeof peer;
            int client = accept4(fd, (struct sockaddr *)&peer, &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (client < 0) {
                if (errno == EINTR)
                    continue;
                break;  /* EAGAIN: the queue is empty; anything else: nothing more to take */
            }
            connection_accept(set->loop, client, (struct sockaddr *)&peer, (int)peer_length,
                              set->proxy_protocol[i]);
            accepted++;
        }
    }
    return accepted;
}

void listener_stop(struct listener_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++)
        evconnlistener_free(set->listeners[i]);
    if (set->starved)
        atomic_fetch_sub(&starved_workers, 1);
    event_free(set->retry_timer);
    free(set);
}

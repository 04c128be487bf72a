/* SPDX-License-Identifier: Apache-2.0 */
/* worker.c: one event loop per thread, and the generations they serve. */
#include "autoconfig.h"

#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "connection.h"
#include "file_cache.h"
#include "listener.h"
#include "log.h"
#include "tls.h"

#define MAX_WORKERS 256

struct generation *generation_create(struct tlsd_config *config, struct tls_server *tls, int root_fd)
{
    struct generation *generation = calloc(1, sizeof *generation);
    if (generation == NULL)
        return NULL;
    generation->config = config;
    generation->tls = tls;
    generation->root_fd = root_fd;
    atomic_init(&generation->references, 1);
    return generation;
}

void generation_hold(struct generation *generation)
{
    atomic_fetch_add_explicit(&generation->references, 1, memory_order_relaxed);
}

void generation_release(struct generation *generation)
{
    if (generation == NULL ||
        atomic_fetch_sub_explicit(&generation->references, 1, memory_order_acq_rel) > 1)
        return;
    tls_server_release(generation->tls);
    if (generation->root_fd >= 0)
        close(generation->root_fd);
    config_free(generation->config);
    free(generation->config);
    free(generation);
}

/* What the main thread tells a worker, through the worker's pipe: pipe
 * writes this small are atomic, and the worker's loop wakes for them. */
enum message_kind { MESSAGE_UPDATE, MESSAGE_STOP };
struct message {
    enum message_kind kind;
    struct generation *generation;  /* UPDATE: held for the worker */
    unsigned timeout_seconds;       /* STOP */
};

struct worker {
    struct worker_pool *pool;
    unsigned index;
    pthread_t thread;
    bool thread_started;
    struct worker_loop loop;
    bool finished;                  /* counted as stopped (once) */
    struct listener_set *listeners;
    int control[2];                 /* main writes [1], the worker reads [0] */
    struct event *control_event;
    struct event *shutdown_timer;
    unsigned shutdown_timeout;      /* seconds, for the log */
};

struct worker_pool {
    struct worker *workers;
    unsigned count;
    int stopped[2];                 /* each worker writes a byte to [1] as it ends */
    struct event *stopped_event;
    unsigned stopped_count;
    struct event_base *main_base;
};

unsigned worker_count(unsigned configured)
{
    if (configured > 0)
        return configured;
    cpu_set_t cpus;
    long count = 0;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0)
        count = CPU_COUNT(&cpus);
    if (count < 1)
        count = sysconf(_SC_NPROCESSORS_ONLN);
    if (count < 1)
        count = 1;
    return count > MAX_WORKERS ? MAX_WORKERS : (unsigned)count;
}

static void serve_generation(struct worker *worker, struct generation *generation)
{
    struct generation *old = worker->loop.generation;
    worker->loop.generation = generation;
    /* Another document root or index: nothing cached still holds. The
     * cache serves the new generation only; connections of the old one
     * (each holds its generation) look up their own root on disk. */
    file_cache_clear(worker->loop.file_cache);
    /* Each worker gets its share of max_connections (the shares add up to
     * it, at least one each), so that no worker waits on another's count. */
    unsigned limit = generation->config->max_connections, count = worker->pool->count;
    unsigned share = limit / count + (worker->index < limit % count ? 1 : 0);
    worker->loop.max_connections = share > 0 ? share : 1;
    generation_release(old);
}

/* Worker 0 runs on the main thread's loop, so that with one worker tlsd
 * stays a single-threaded process: glibc's malloc then skips its atomic
 * locking, which Mbed TLS's bignum code (thousands of allocations per
 * handshake) feels. Its end is counted rather than ending the loop. */
static void count_stopped(struct worker_pool *pool, unsigned how_many)
{
    pool->stopped_count += how_many;
    if (pool->stopped_count >= pool->count)
        event_base_loopexit(pool->main_base, NULL);
}

static void worker_finished(struct worker *worker)
{
    /* once: the drain's last close and the deadline could both say so */
    if (worker->finished)
        return;
    worker->finished = true;
    if (worker->index == 0)
        count_stopped(worker->pool, 1);
    else
        event_base_loopexit(worker->loop.base, NULL);
}

/* The loop's one "connection closed" entry: serving, a place freed may
 * resume accepting; draining, the last one finishes the worker. */
static void on_connection_closed(struct worker *worker)
{
    if (worker->loop.draining) {
        if (worker->loop.connection_count == 0)
            worker_finished(worker);
        return;
    }
    listener_connection_closed(worker->listeners);
}

static void on_shutdown_deadline(evutil_socket_t fd, short what, void *context)
{
    (void)fd;
    (void)what;
    struct worker *worker = context;
    log_message(LOG_LEVEL_WARN, "shutdown: %u connection(s) still busy after %u s: closing them",
                worker->loop.connection_count, worker->shutdown_timeout);
    connection_close_all(&worker->loop);
    worker_finished(worker);
}

static void stop_worker(struct worker *worker, unsigned timeout_seconds)
{
    if (worker->loop.draining)
        return;
    unsigned waiting = listener_accept_backlog(worker->listeners);
    if (waiting > 0)
        log_message(LOG_LEVEL_INFO, "shutdown: accepted %u connection(s) waiting in the listen queue", waiting);
    listener_stop(worker->listeners);
    worker->listeners = NULL;
    connection_drain_all(&worker->loop);
    if (worker->loop.connection_count == 0) {
        worker_finished(worker);
        return;
    }
    worker->shutdown_timeout = timeout_seconds;
    struct timeval deadline = { .tv_sec = (time_t)timeout_seconds, .tv_usec = 0 };
    evtimer_add(worker->shutdown_timer, &deadline);
}

static void on_control(evutil_socket_t fd, short what, void *context)
{
    (void)what;
    struct worker *worker = context;
    struct message message;
    for (;;) {
        ssize_t got = read(fd, &message, sizeof message);
        if (got != (ssize_t)sizeof message) {
            if (got < 0 && errno == EINTR)
                continue;
            return;  /* EAGAIN: all read; writes this small never arrive in pieces */
        }
        if (message.kind == MESSAGE_UPDATE)
            serve_generation(worker, message.generation);
        else
            stop_worker(worker, message.timeout_seconds);
    }
}

static void send_message(struct worker *worker, const struct message *message)
{
    ssize_t written;
    do
        written = write(worker->control[1], message, sizeof *message);
    while (written < 0 && errno == EINTR);
    if (written != (ssize_t)sizeof *message)
        log_message(LOG_LEVEL_ERROR, "worker %u: cannot pass a message: %s", worker->index,
                    written < 0 ? strerror(errno) : "short write");
}

static void *run_worker(void *argument)
{
    struct worker *worker = argument;
    /* named, so that top -H and /proc show which thread is which */
    char name[16];
    snprintf(name, sizeof name, "tlsd-worker-%u", worker->index);
    pthread_setname_np(pthread_self(), name);
    event_base_dispatch(worker->loop.base);
    connection_close_all(&worker->loop);
    listener_stop(worker->listeners);
    worker->listeners = NULL;
    ssize_t written;
    do
        written = write(worker->pool->stopped[1], "x", 1);
    while (written < 0 && errno == EINTR);
    return NULL;
}

static void on_worker_stopped(evutil_socket_t fd, short what, void *context)
{
    (void)what;
    struct worker_pool *pool = context;
    char bytes[64];
    ssize_t got;
    while ((got = read(fd, bytes, sizeof bytes)) > 0)
        count_stopped(pool, (unsigned)got);
}

static int make_pipe(int ends[2])
{
    if (pipe2(ends, O_CLOEXEC) != 0)
        return -1;
    /* the reader is an event loop: it must never block on an empty pipe */
    return fcntl(ends[0], F_SETFL, O_NONBLOCK);
}

static int setup_worker(struct worker_pool *pool, unsigned index, struct listen_sockets *sockets,
                        struct generation *generation, char *error, size_t error_size)
{
    struct worker *worker = &pool->workers[index];
    worker->pool = pool;
    worker->index = index;
    worker->loop.worker = worker;
    worker->loop.on_connection_closed = on_connection_closed;
    if (make_pipe(worker->control) != 0) {
        snprintf(error, error_size, "worker %u: pipe: %s", index, strerror(errno));
        return -1;
    }
    if (index == 0) {
        worker->loop.base = pool->main_base;
    } else {
        struct event_config *event_config = event_config_new();
        if (event_config == NULL) {
            snprintf(error, error_size, "out of memory");
            return -1;
        }
        /* one thread per loop: no locking inside libevent */
        event_config_set_flag(event_config, EVENT_BASE_FLAG_NOLOCK);
        worker->loop.base = event_base_new_with_config(event_config);
        event_config_free(event_config);
    }
    if (worker->loop.base == NULL) {
        snprintf(error, error_size, "worker %u: cannot create an event loop", index);
        return -1;
    }
    worker->control_event = event_new(worker->loop.base, worker->control[0], EV_READ | EV_PERSIST, on_control,
                                      worker);
    worker->shutdown_timer = evtimer_new(worker->loop.base, on_shutdown_deadline, worker);
    if (worker->control_event == NULL || worker->shutdown_timer == NULL) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    worker->loop.file_cache = file_cache_create();
    if (worker->loop.file_cache == NULL || connection_loop_setup(&worker->loop) != 0) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    event_add(worker->control_event, NULL);
    generation_hold(generation);
    serve_generation(worker, generation);
    worker->listeners = listener_start(&worker->loop, sockets, index, error, error_size);
    return worker->listeners == NULL ? -1 : 0;
}

struct worker_pool *worker_pool_start(struct event_base *main_base, unsigned count, struct listen_sockets *sockets,
                                      struct generation *generation, char *error, size_t error_size)
{
    struct worker_pool *pool = calloc(1, sizeof *pool);
    struct worker *workers = calloc(count, sizeof *workers);
    if (pool == NULL || workers == NULL) {
        snprintf(error, error_size, "out of memory");
        free(pool);
        free(workers);
        return NULL;
    }
    pool->workers = workers;
    pool->count = count;
    pool->main_base = main_base;
    pool->stopped[0] = pool->stopped[1] = -1;
    for (unsigned i = 0; i < count; i++)
        workers[i].control[0] = workers[i].control[1] = -1;
    if (make_pipe(pool->stopped) != 0) {
        snprintf(error, error_size, "pipe: %s", strerror(errno));
        goto fail;
    }
    pool->stopped_event = event_new(main_base, pool->stopped[0], EV_READ | EV_PERSIST, on_worker_stopped, pool);
    if (pool->stopped_event == NULL) {
        snprintf(error, error_size, "out of memory");
        goto fail;
    }
    event_add(pool->stopped_event, NULL);
    for (unsigned i = 0; i < count; i++)
        if (setup_worker(pool, i, sockets, generation, error, error_size) != 0)
            goto fail;

    /* Signals belong to the main thread's loop: the workers block them
     * (threads inherit the mask they are created with). */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    for (unsigned i = 1; i < count; i++) {
        int result = pthread_create(&workers[i].thread, NULL, run_worker, &workers[i]);
        if (result != 0) {
            pthread_sigmask(SIG_SETMASK, &previous, NULL);
            snprintf(error, error_size, "cannot start worker %u: %s", i, strerror(result));
            goto fail;
        }
        workers[i].thread_started = true;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return pool;

fail:
    worker_pool_stop(pool, 0);
    worker_pool_free(pool);
    return NULL;
}

void worker_pool_update(struct worker_pool *pool, struct generation *generation)
{
    for (unsigned i = 0; i < pool->count; i++) {
        generation_hold(generation);
        struct message message = { .kind = MESSAGE_UPDATE, .generation = generation };
        send_message(&pool->workers[i], &message);
    }
}

void worker_pool_stop(struct worker_pool *pool, unsigned timeout_seconds)
{
    for (unsigned i = 0; i < pool->count; i++) {
        if (i > 0 && !pool->workers[i].thread_started)
            continue;
        struct message message = { .kind = MESSAGE_STOP, .timeout_seconds = timeout_seconds };
        send_message(&pool->workers[i], &message);
    }
}

void worker_pool_free(struct worker_pool *pool)
{
    if (pool == NULL)
        return;
    for (unsigned i = 0; i < pool->count; i++) {
        struct worker *worker = &pool->workers[i];
        if (worker->thread_started)
            pthread_join(worker->thread, NULL);
        /* messages sent after the worker stopped still hold a generation */
        if (worker->control[0] >= 0) {
            struct message message;
            while (read(worker->control[0], &message, sizeof message) == (ssize_t)sizeof message)
                if (message.kind == MESSAGE_UPDATE)
                    generation_release(message.generation);
        }
        connection_close_all(&worker->loop);
        listener_stop(worker->listeners);
        if (worker->control_event)
            event_free(worker->control_event);
        if (worker->shutdown_timer)
            event_free(worker->shutdown_timer);
        if (worker->loop.base && worker->loop.base != pool->main_base)
            event_base_free(worker->loop.base);
        file_cache_free(worker->loop.file_cache);
        connection_loop_free(&worker->loop);
        generation_release(worker->loop.generation);
        for (int end = 0; end < 2; end++)
            if (worker->control[end] >= 0)
                close(worker->control[end]);
    }
    if (pool->stopped_event)
        event_free(pool->stopped_event);
    for (int end = 0; end < 2; end++)
        if (pool->stopped[end] >= 0)
            close(pool->stopped[end]);
    free(pool->workers);
    free(pool);
}

unsigned worker_pool_connections(const struct worker_pool *pool)
{
    unsigned total = 0;
    for (unsigned i = 0; i < pool->count; i++)
        total += atomic_load_explicit(&pool->workers[i].loop.connection_count, memory_order_relaxed);
    return total;
}

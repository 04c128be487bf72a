/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: command line, configuration, wiring, signals. */
#include "autoconfig.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "connection.h"
#include "descriptors.h"
#include "files.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "ticket_keys.h"
#include "tls.h"
#include "worker.h"

#define DEFAULT_CONFIG_FILE TLSD_SYSCONFDIR "/tlsd/tlsd.conf"
#define SHUTDOWN_TIMEOUT_SECONDS 10

enum exit_status { EXIT_CLEAN = 0, EXIT_CONFIGURATION = 1, EXIT_RUNTIME = 2 };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tlsd [-c FILE] [-t] [-V] [-h]\n"
            "            [-l ADDR:PORT]... [--cert FILE] [--key FILE] [--root DIR]\n"
            "            [--keylog FILE] [--log-level LEVEL] [--workers N]\n"
            "\n"
            "  -c FILE            configuration file (default %s)\n"
            "  -t                 check the configuration, certificate chain and key, then exit\n"
            "  -V                 print the version and the libraries tlsd runs on\n"
            "  -h                 this help\n"
            "  -l ADDR:PORT       listen here instead of the file's listen lines (repeatable)\n"
            "  --cert FILE        certificate chain, PEM, leaf first\n"
            "  --key FILE         private key, PEM, mode 0600\n"
            "  --root DIR         document root\n"
            "  --keylog FILE      write NSS key log lines for Wireshark (weakens secrecy)\n"
            "  --log-level LEVEL  error, warn, info or debug\n"
            "  --workers N        event loops (N or auto)\n"
            "\n"
            "Options on the command line win over the file. See tlsd(8) and tlsd.conf(5).\n",
            DEFAULT_CONFIG_FILE);
}

static void print_version(void)
{
    size_t input, output;
    tls_record_sizes(&input, &output);
    printf("tlsd %s\n%s (TLS 1.2%s)\nlibevent %s\nrecord buffers: %zu bytes in, %zu out\n", PACKAGE_VERSION,
           tls_library_version(), tls_max_version() == 13 ? " and 1.3" : " only", event_get_version(), input,
           output);
}

/* One --option VALUE, applied as the file line `key VALUE` would be. */
struct command_line_setting {
    const char *key;
    const char *value;
    const char *origin;
};

/* Command-line values, applied over the file's. */
struct command_line {
    const char *config_file;
    bool check_only;
    const char *listen[CONFIG_MAX_LISTEN];
    size_t listen_count;
    /* every setting in order, repeats included (each is checked, the last
     * wins): room for argc of them, as no command line holds more */
    struct command_line_setting *settings;
    size_t setting_count;
};

static int parse_command_line(int argc, char **argv, struct command_line *line)
{
    enum { OPT_CERT = 256, OPT_KEY, OPT_ROOT, OPT_KEYLOG, OPT_LOG_LEVEL, OPT_WORKERS };
    static const struct option options[] = {
        { "cert", required_argument, NULL, OPT_CERT },
        { "key", required_argument, NULL, OPT_KEY },
        { "root", required_argument, NULL, OPT_ROOT },
        { "keylog", required_argument, NULL, OPT_KEYLOG },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "workers", required_argument, NULL, OPT_WORKERS },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    static const struct { int option; const char *key; const char *origin; } settings[] = {
        { OPT_CERT, "certificate", "--cert" },       { OPT_KEY, "private_key", "--key" },
        { OPT_ROOT, "document_root", "--root" },     { OPT_KEYLOG, "keylog_file", "--keylog" },
        { OPT_LOG_LEVEL, "log_level", "--log-level" }, { OPT_WORKERS, "workers", "--workers" },
    };
    line->settings = calloc((size_t)argc, sizeof *line->settings);
    if (line->settings == NULL) {
        fprintf(stderr, "tlsd: out of memory\n");
        return -1;
    }
    int option;
    while ((option = getopt_long(argc, argv, "c:tVhl:", options, NULL)) != -1) {
        switch (option) {
        case 'c':
            line->config_file = optarg;
            break;
        case 't':
            line->check_only = true;
            break;
        case 'V':
            print_version();
            exit(EXIT_CLEAN);
        case 'h':
            usage(stdout);
            exit(EXIT_CLEAN);
        case 'l':
            if (line->listen_count == CONFIG_MAX_LISTEN) {
                fprintf(stderr, "tlsd: -l: at most %d listen addresses\n", CONFIG_MAX_LISTEN);
                return -1;
            }
            line->listen[line->listen_count++] = optarg;
            break;
        default: {
            bool known = false;
            for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
                if (settings[i].option != option)
                    continue;
                /* a repeated option: the last one wins, as in the file */
                line->settings[line->setting_count++] =
                    (struct command_line_setting){ settings[i].key, optarg, settings[i].origin };
                known = true;
            }
            if (!known) {
                usage(stderr);
                return -1;
            }
        }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tlsd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    return 0;
}

static int load_configuration(const struct command_line *line, struct tlsd_config *config,
                              char *error, size_t error_size)
{
    config_init(config);
    const char *file = line->config_file;
    bool explicit_file = file != NULL;
    if (!explicit_file)
        file = DEFAULT_CONFIG_FILE;
    if (explicit_file || access(file, F_OK) == 0) {
        if (config_load_file(config, file, error, error_size) != 0)
            return -1;
    }
    if (line->listen_count > 0)
        config->listen_count = 0;  /* -l replaces the file's listen lines */
    for (size_t i = 0; i < line->listen_count; i++)
        if (config_set(config, "listen", line->listen[i], "-l", error, error_size) != 0)
            return -1;
    for (size_t i = 0; i < line->setting_count; i++) {
        const struct command_line_setting *setting = &line->settings[i];
        if (config_set(config, setting->key, setting->value, setting->origin, error, error_size) != 0)
            return -1;
    }
    return config_finish(config, error, error_size);
}

static int open_document_root(const char *path, char *error, size_t error_size)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        snprintf(error, error_size, "document_root %s: %s", path, strerror(errno));
    return fd;
}

/* Why an error page cannot be served, from files_open()'s answer. */
static const char *error_page_problem(enum files_result result, int error)
{
    switch (result) {
    case FILES_HIDDEN:
        return "a dot file, and serve_dotfiles is off";
    case FILES_REDIRECT_SLASH:
        return "a directory";
    case FILES_BAD_PATH:
        return "not a path files can be served from";
    default:
        return strerror(error);
    }
}

/* Has a page before the i-th the same path (and so been checked)? */
static bool error_page_checked(const struct tlsd_config *config, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(config->error_pages[j].path, config->error_pages[i].path) == 0)
            return true;
    return false;
}

/* Each error_page looked up as a request for it would be: one that cannot
 * be served is a warning, not a failure (the built-in page stands in),
 * once per page with all its statuses. */
static void warn_missing_error_pages(const struct tlsd_config *config, int root_fd)
{
    for (size_t i = 0; i < config->error_page_count; i++) {
        const char *path = config->error_pages[i].path;
        if (error_page_checked(config, i))
            continue;
        struct files_entry entry;
        enum files_result result = files_open(root_fd, path, strlen(path), config->index,
                                              config->serve_dotfiles, &entry);
        int error = errno;
        if (result == FILES_OK) {
            close(entry.fd);
            continue;
        }
        char statuses[CONFIG_MAX_ERROR_PAGES * 4 + 1] = "";
        size_t used = 0;
        for (size_t j = i; j < config->error_page_count; j++)
            if (strcmp(config->error_pages[j].path, path) == 0)
                used += (size_t)snprintf(statuses + used, sizeof statuses - used, "%s%d", used ? " " : "",
                                         config->error_pages[j].status);
        log_message(LOG_LEVEL_WARN, "error_page %s %s: not found under %s (%s): the built-in page is served",
                    statuses, path, config->document_root, error_page_problem(result, error));
    }
}

/* A loaded configuration (taken over) with its TLS setup and document
 * root, as one generation: at start and on every reload. Returns
 * EXIT_CLEAN with *generation set, or the exit status for what failed,
 * with the reason in `error` and everything freed. */
static int build_generation(struct tlsd_config *config, struct tls_resumption *resumption,
                            struct generation **generation, char *error, size_t error_size)
{
    *generation = NULL;
    int root_fd = -1;
    struct tls_server *tls = tls_server_create(config, resumption, error, error_size);
    if (tls != NULL)
        root_fd = open_document_root(config->document_root, error, error_size);
    if (tls == NULL || root_fd < 0) {
        tls_server_release(tls);
        config_free(config);
        free(config);
        return EXIT_CONFIGURATION;
    }
    warn_missing_error_pages(config, root_fd);
    *generation = generation_create(config, tls, root_fd);
    if (*generation == NULL) {
        snprintf(error, error_size, "out of memory");
        close(root_fd);
        tls_server_release(tls);
        config_free(config);
        free(config);
        return EXIT_RUNTIME;
    }
    return EXIT_CLEAN;
}

/* ---- descriptors */

/* Raise the soft descriptor limit to the hard one, and say what tlsd has. */
static unsigned long raise_descriptor_limit(void)
{
    struct descriptor_limit limit;
    descriptors_raise_limit(&limit);
    if (limit.error != 0)
        log_message(LOG_LEVEL_WARN, "descriptors: cannot raise the soft limit %lu to the hard limit %lu: %s",
                    limit.before, limit.hard, strerror(limit.error));
    else if (limit.soft != limit.before)
        log_message(LOG_LEVEL_INFO, "descriptors: soft limit raised from %lu to the hard limit, %lu", limit.before,
                    limit.soft);
    else
        log_message(LOG_LEVEL_INFO, "descriptors: limit %lu", limit.soft);
    return limit.soft;
}

/* Lower max_connections to what `limit` descriptors have room for, and
 * say so: a limit found by running out of descriptors would fail
 * whatever needs one next (a file to send, a reload). The workers share
 * the process's descriptors and split max_connections, at least one
 * each. */
static void fit_max_connections(struct tlsd_config *config, unsigned long limit, unsigned workers)
{
    unsigned long fit = descriptors_connections_fit(limit, workers, config->listen_count);
    if (config->max_connections <= fit)
        return;
    unsigned long needed = descriptors_reserved(workers, config->listen_count) +
                           (unsigned long)config->max_connections * DESCRIPTORS_PER_CONNECTION;
    if (fit < workers)
        fit = workers;
    log_message(LOG_LEVEL_WARN, "max_connections %u lowered to %lu to fit the descriptor limit %lu (%d per "
                "connection, %lu kept for %u worker(s)); a limit of %lu would allow %u (LimitNOFILE= in the "
                "unit, or ulimit -n)", config->max_connections, fit, limit, DESCRIPTORS_PER_CONNECTION,
                descriptors_reserved(workers, config->listen_count), workers, needed, config->max_connections);
    config->max_connections = (unsigned)fit;
}

/* ---- running */

#define STATUS_INTERVAL_SECONDS 5

struct daemon {
    struct event_base *base;             /* the main thread's: signals and timers */
    struct generation *generation;       /* the current one; replaced by a reload */
    struct tls_resumption *resumption;   /* session cache and ticket keys: kept across reloads */
    const struct command_line *command_line;
    struct worker_pool *workers;
    struct event *status_timer;
    struct event *watchdog_timer;
    unsigned long descriptor_limit;      /* the soft RLIMIT_NOFILE, raised at start */
    unsigned worker_count;               /* fixed at start: a reload keeps it */
    bool stopping;
};

static void send_status(struct daemon *daemon, const char *state_word)
{
    char message[160];
    snprintf(message, sizeof message, "%sSTATUS=%s: %u connection(s) open, %llu accepted since start",
             state_word, daemon->stopping ? "stopping" : "serving", worker_pool_connections(daemon->workers),
             (unsigned long long)connection_accepted_total());
    notify_send(message);
}

static void on_status_timer(evutil_socket_t fd, short what, void *context)
{
    (void)fd;
    (void)what;
    send_status(context, "");
}

static void on_watchdog_timer(evutil_socket_t fd, short what, void *context)
{
    (void)fd;
    (void)what;
    (void)context;
    /* the loop is turning, so tlsd is alive */
    notify_send("WATCHDOG=1");
}

/* A lifecycle line (starting, ready, reloads, stopping): the words a
 * person reads, as ever; in JSON also "event" and the facts as fields of
 * their own, for a program. Add fields, then log_line_end. */
static void __attribute__((format(printf, 4, 5)))
lifecycle_begin(struct log_line *line, enum log_level level, const char *event, const char *format, ...)
{
    char message[LOG_LINE_SIZE / 2];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    log_line_begin(line, level);
    log_line_message(line, message);
    if (log_line_json(line))
        log_line_string(line, "event", event);
}

static void log_lifecycle_connections(enum log_level level, const char *event, const char *signal_name,
                                      unsigned connections, const char *message)
{
    struct log_line line;
    lifecycle_begin(&line, level, event, "%s", message);
    if (log_line_json(&line)) {
        if (signal_name)
            log_line_string(&line, "signal", signal_name);
        log_line_unsigned(&line, "open_connections", connections);
    }
    log_line_end(&line);
}

static void on_stop_signal(evutil_socket_t signal_number, short what, void *context)
{
    (void)what;
    struct daemon *daemon = context;
    if (daemon->stopping)
        return;
    daemon->stopping = true;
    const char *signal_name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
    unsigned open = worker_pool_connections(daemon->workers);
    char message[128];
    snprintf(message, sizeof message, "%s: stopping; finishing %u open connection(s)", signal_name, open);
    log_lifecycle_connections(LOG_LEVEL_INFO, "stopping", signal_name, open, message);
    notify_send("STOPPING=1\nSTATUS=stopping");
    /* the main loop ends when the last worker has */
    worker_pool_stop(daemon->workers, SHUTDOWN_TIMEOUT_SECONDS);
}

static bool same_listen_lines(const struct tlsd_config *a, const struct tlsd_config *b)
{
    if (a->listen_count != b->listen_count)
        return false;
    for (size_t i = 0; i < a->listen_count; i++)
        if (strcmp(a->listen[i].text, b->listen[i].text) != 0 ||
            a->listen[i].proxy_protocol != b->listen[i].proxy_protocol)
            return false;
    return true;
}

/* SIGHUP: a new generation of configuration, chain and key. Connections
 * keep the TLS generation they started with (reference-counted); new ones
 * get the new one. Anything wrong and the running generation stays. */
static void on_hangup(evutil_socket_t signal_number, short what, void *context)
{
    (void)signal_number;
    (void)what;
    struct daemon *daemon = context;
    if (daemon->stopping)
        return;
    notify_send("RELOADING=1\nSTATUS=reloading");
    struct log_line line;
    lifecycle_begin(&line, LOG_LEVEL_INFO, "reloading", "SIGHUP: reloading the configuration, certificate and key");
    if (log_line_json(&line))
        log_line_string(&line, "signal", "SIGHUP");
    log_line_end(&line);
    char error[CONFIG_ERROR_SIZE];
    struct tlsd_config *fresh = malloc(sizeof *fresh);
    struct generation *generation = NULL;
    const struct tlsd_config *running = daemon->generation->config;
    /* read before anything changes: a bad key file fails the whole reload */
    struct ticket_key_set ticket_keys;
    memset(&ticket_keys, 0, sizeof ticket_keys);
    if (fresh == NULL) {
        snprintf(error, sizeof error, "out of memory");
    } else if (load_configuration(daemon->command_line, fresh, error, sizeof error) != 0 ||
               (fresh->ticket_key_file != NULL &&
                ticket_keys_load_file(fresh->ticket_key_file, &ticket_keys, error, sizeof error) != 0)) {
        config_free(fresh);
        free(fresh);
    } else {
        fit_max_connections(fresh, daemon->descriptor_limit, daemon->worker_count);
        build_generation(fresh, daemon->resumption, &generation, error, sizeof error);
    }
    if (generation == NULL) {
        tls_wipe(&ticket_keys, sizeof ticket_keys);
        lifecycle_begin(&line, LOG_LEVEL_ERROR, "reload_failed", "reload failed, the running configuration stays: %s",
                        error);
        if (log_line_json(&line))
            log_line_string(&line, "error", error);
        log_line_end(&line);
        send_status(daemon, "READY=1\n");
        return;
    }
    if (tls_resumption_use_ticket_keys(daemon->resumption, fresh->ticket_key_file ? &ticket_keys : NULL,
                                       fresh->ticket_key_file, error, sizeof error) != 0)
        log_message(LOG_LEVEL_ERROR, "reload: %s; the ticket keys in use stay", error);
    tls_wipe(&ticket_keys, sizeof ticket_keys);
    if (!same_listen_lines(fresh, running))
        log_message(LOG_LEVEL_WARN, "reload: listen lines changed; the sockets and their options stay as they are "
                    "until a restart");
    if (tls_resumption_settings_changed(daemon->resumption, fresh))
        log_message(LOG_LEVEL_WARN, "reload: session_cache_size and session_timeout stay as they are until a "
                    "restart (the sessions of the running ones are kept)");
    if (fresh->workers != running->workers)
        log_message(LOG_LEVEL_WARN, "reload: workers changed; the number of workers stays as it is until a "
                    "restart");
    log_setup(fresh->log_level, fresh->log_format);
    log_set_timestamps(generation->config->log_timestamps);   /* fresh, now the generation's */
    worker_pool_update(daemon->workers, generation);
    generation_release(daemon->generation);
    daemon->generation = generation;
    unsigned open = worker_pool_connections(daemon->workers);
    char message[160];
    snprintf(message, sizeof message, "reloaded: new connections use the new configuration; %u open "
             "connection(s) finish on the old one", open);
    log_lifecycle_connections(LOG_LEVEL_INFO, "reloaded", NULL, open, message);
    tls_server_log_chain(generation->tls);
    send_status(daemon, "READY=1\n");
}

/* Started as root: bind and read the keys as root, then become `user`
 * (and `group`, else the user's own group) for good. */
static int drop_privileges(const struct tlsd_config *config, char *error, size_t error_size)
{
    if (geteuid() != 0) {
        if (config->user)
            log_message(LOG_LEVEL_INFO, "user %s: not started as root, staying user %ld", config->user,
                        (long)geteuid());
        return 0;
    }
    if (config->user == NULL) {
        log_message(LOG_LEVEL_WARN, "running as root: set `user` (and `group`) in tlsd.conf to drop "
                    "privileges after binding");
        return 0;
    }
    if (strcmp(config->user, "root") == 0)
        return 0;  /* root, as configured: nothing to say */
    struct passwd *account = getpwnam(config->user);
    if (account == NULL) {
        snprintf(error, error_size, "user %s: no such user", config->user);
        return -1;
    }
    uid_t uid = account->pw_uid;
    gid_t gid = account->pw_gid;
    if (config->group) {
        struct group *named = getgrnam(config->group);
        if (named == NULL) {
            snprintf(error, error_size, "group %s: no such group", config->group);
            return -1;
        }
        gid = named->gr_gid;
    }
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        snprintf(error, error_size, "cannot become user %s: %s", config->user, strerror(errno));
        return -1;
    }
    if (uid != 0 && setuid(0) == 0) {
        snprintf(error, error_size, "dropping privileges to %s did not stick", config->user);
        return -1;
    }
    log_message(LOG_LEVEL_INFO, "dropped privileges: now user %s (uid %ld, gid %ld)", config->user, (long)uid,
                (long)gid);
    return 0;
}

static int run(struct daemon *daemon)
{
    const struct tlsd_config *config = daemon->generation->config;
    daemon->base = event_base_new();
    if (daemon->base == NULL) {
        log_message(LOG_LEVEL_ERROR, "cannot create the event loop");
        return EXIT_RUNTIME;
    }
    char error[CONFIG_ERROR_SIZE];
    int status = EXIT_CLEAN;
    struct event_base *base = daemon->base;
    unsigned workers = worker_count(config->workers);
    daemon->worker_count = workers;
    struct listen_sockets *sockets = listener_open(config, workers, error, sizeof error);
    struct event *term = evsignal_new(base, SIGTERM, on_stop_signal, daemon);
    struct event *interrupt = evsignal_new(base, SIGINT, on_stop_signal, daemon);
    struct event *hangup = evsignal_new(base, SIGHUP, on_hangup, daemon);
    daemon->status_timer = event_new(base, -1, EV_PERSIST, on_status_timer, daemon);
    daemon->watchdog_timer = event_new(base, -1, EV_PERSIST, on_watchdog_timer, daemon);
    if (sockets == NULL) {
        log_message(LOG_LEVEL_ERROR, "%s", error);
        status = EXIT_RUNTIME;
    } else if (!term || !interrupt || !hangup || !daemon->status_timer || !daemon->watchdog_timer) {
        log_message(LOG_LEVEL_ERROR, "cannot set up signal handling");
        status = EXIT_RUNTIME;
    } else if (drop_privileges(config, error, sizeof error) != 0) {
        log_message(LOG_LEVEL_ERROR, "%s", error);
        status = EXIT_CONFIGURATION;
    } else if ((daemon->workers = worker_pool_start(base, workers, sockets, daemon->generation, error,
                                                    sizeof error)) == NULL) {
        log_message(LOG_LEVEL_ERROR, "cannot start the workers: %s", error);
        status = EXIT_RUNTIME;
    } else {
        evsignal_add(term, NULL);
        evsignal_add(interrupt, NULL);
        evsignal_add(hangup, NULL);
        if (notify_enabled()) {
            struct timeval every = { .tv_sec = STATUS_INTERVAL_SECONDS, .tv_usec = 0 };
            evtimer_add(daemon->status_timer, &every);
        }
        uint64_t watchdog = notify_watchdog_usec();
        if (watchdog > 0) {
            /* ping at half the interval systemd allows */
            struct timeval half = { .tv_sec = (time_t)(watchdog / 2000000), .tv_usec = (suseconds_t)(watchdog / 2 % 1000000) };
            evtimer_add(daemon->watchdog_timer, &half);
        }
        struct log_line line;
        lifecycle_begin(&line, LOG_LEVEL_INFO, "ready", "ready: serving %s with %u worker(s)", config->document_root,
                        workers);
        if (log_line_json(&line)) {
            log_line_string(&line, "document_root", config->document_root);
            log_line_unsigned(&line, "workers", workers);
        }
        log_line_end(&line);
        send_status(daemon, "READY=1\n");
        event_base_dispatch(base);
        lifecycle_begin(&line, LOG_LEVEL_INFO, "stopped", "stopped");
        log_line_end(&line);
    }
    worker_pool_free(daemon->workers);
    listener_close(sockets);
    struct event *events[] = { term, interrupt, hangup, daemon->status_timer, daemon->watchdog_timer };
    for (size_t i = 0; i < sizeof events / sizeof *events; i++)  /* NOLINT(bugprone-sizeof-expression) */
        if (events[i])
            event_free(events[i]);
    event_base_free(base);
    return status;
}

/* The user and group tlsd would become, looked up now: an unknown name
 * fails `tlsd -t` (the unit's ExecStartPre=) and the start before
 * anything is bound, not the start after binding. */
static int check_account(const struct tlsd_config *config, char *error, size_t error_size)
{
    if (config->user != NULL && getpwnam(config->user) == NULL) {
        snprintf(error, error_size, "user %s: no such user", config->user);
        return -1;
    }
    if (config->group != NULL && getgrnam(config->group) == NULL) {
        snprintf(error, error_size, "group %s: no such group", config->group);
        return -1;
    }
    return 0;
}

/* The configuration, checked as far as it can be without TLS: the file
 * and the command line, the account, and max_connections against the
 * descriptors. Returns EXIT_CLEAN with *out set, or the exit status with
 * the reason printed. */
static int prepare_configuration(const struct command_line *line, struct tlsd_config **out,
                                 unsigned long *descriptor_limit)
{
    struct tlsd_config *config = malloc(sizeof *config);
    char error[CONFIG_ERROR_SIZE];
    *out = NULL;
    if (config == NULL) {
        fprintf(stderr, "tlsd: out of memory\n");
        return EXIT_RUNTIME;
    }
    int result = load_configuration(line, config, error, sizeof error);
    if (result == 0)
        result = check_account(config, error, sizeof error);
    if (result != 0) {
        fprintf(stderr, "tlsd: %s\n", error);
        config_free(config);
        free(config);
        return EXIT_CONFIGURATION;
    }
    /* -t prints its verdict and what is wrong or lowered, nothing else */
    enum log_level level = config->log_level;
    if (line->check_only && level > LOG_LEVEL_WARN)
        level = LOG_LEVEL_WARN;
    log_setup(level, config->log_format);
    log_set_timestamps(config->log_timestamps);
    *descriptor_limit = raise_descriptor_limit();
    fit_max_connections(config, *descriptor_limit, worker_count(config->workers));
    *out = config;
    return EXIT_CLEAN;
}

/* The first line of a running tlsd: what it is and what it runs on. */
static void log_starting(void)
{
    static const char *const versions[] = { "TLS1.2", "TLS1.3" };
    bool tls13 = tls_max_version() == 13;
    struct log_line line;
    lifecycle_begin(&line, LOG_LEVEL_INFO, "starting", "tlsd %s starting on %s (TLS 1.2%s), libevent %s",
                    PACKAGE_VERSION, tls_library_version(), tls13 ? " and 1.3" : "", event_get_version());
    if (log_line_json(&line)) {
        log_line_string(&line, "tlsd_version", PACKAGE_VERSION);
        log_line_string(&line, "tls_library", tls_library_version());
        log_line_list(&line, "tls_versions", versions, tls13 ? 2 : 1, NULL);
        log_line_string(&line, "libevent", event_get_version());
    }
    log_line_end(&line);
}

/* Everything after the command line: check, or serve until stopped. */
static int check_or_serve(const struct command_line *line)
{
    unsigned long descriptor_limit = 0;
    struct tlsd_config *config = NULL;
    char error[CONFIG_ERROR_SIZE];
    int status = prepare_configuration(line, &config, &descriptor_limit);
    if (status != EXIT_CLEAN)
        return status;
    struct tls_resumption *resumption = tls_resumption_create(config, error, sizeof error);
    if (resumption == NULL) {
        fprintf(stderr, "tlsd: %s\n", error);
        config_free(config);
        free(config);
        return EXIT_CONFIGURATION;
    }
    struct generation *generation = NULL;
    status = build_generation(config, resumption, &generation, error, sizeof error);
    if (status != EXIT_CLEAN) {
        fprintf(stderr, "tlsd: %s\n", error);
        tls_resumption_free(resumption);
        return status;
    }
    if (line->check_only) {
        printf("configuration ok\n");
        generation_release(generation);
        tls_resumption_free(resumption);
        return EXIT_CLEAN;
    }

    log_starting();
    tls_server_log_chain(generation->tls);
    if (config->keylog_file)
        log_message(LOG_LEVEL_WARN, "keylog_file %s: the secrets of every connection are written there; "
                    "anyone who can read it can decrypt captured traffic. Use it for debugging only.",
                    config->keylog_file);

    struct daemon daemon;
    memset(&daemon, 0, sizeof daemon);
    daemon.generation = generation;
    daemon.resumption = resumption;
    daemon.command_line = line;
    daemon.descriptor_limit = descriptor_limit;
    status = run(&daemon);
    generation_release(daemon.generation);
    /* after the last generation: no connection can resume any more */
    tls_resumption_free(resumption);
    return status;
}

int main(int argc, char **argv)
{
    /* A peer that resets mid-write must not kill us: writes get EPIPE. */
    signal(SIGPIPE, SIG_IGN);
    notify_setup();

    struct command_line line;
    memset(&line, 0, sizeof line);
    int status = parse_command_line(argc, argv, &line) == 0 ? check_or_serve(&line) : EXIT_CONFIGURATION;
    free(line.settings);
    return status;
}

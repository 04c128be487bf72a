/* SPDX-License-Identifier: Apache-2.0 */
/* config.c: tlsd.conf and command-line settings into a struct tlsd_config.
 *
 * config_parse() is a pure function over a buffer: the bytes come from a
 * file an administrator wrote, so every line is checked (length, NUL and
 * control bytes) before it is split, and every value is validated here so
 * that the rest of the daemon can trust the struct. */

/* The build compiles with -std=c11, which hides POSIX: ask for it. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "config.h"
#include "small_file.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TLSD_SYSCONFDIR
#define TLSD_SYSCONFDIR "/usr/local/etc"
#endif
#ifndef TLSD_DATADIR
#define TLSD_DATADIR "/usr/local/share/tlsd"
#endif

#define DEFAULT_CERTIFICATE   TLSD_SYSCONFDIR "/tlsd/server.crt"
#define DEFAULT_PRIVATE_KEY   TLSD_SYSCONFDIR "/tlsd/server.key"
#define DEFAULT_DOCUMENT_ROOT TLSD_DATADIR "/www"
#define DEFAULT_INDEX         "index.html"
#define DEFAULT_LISTEN        "0.0.0.0:8443"

#define CONFIG_MAX_LINE       4096
#define CONFIG_MAX_FILE_SIZE  (1024 * 1024)

static void set_error(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *error, size_t error_size, const char *format, ...)
{
    va_list arguments;

    if (error == NULL || error_size == 0)
        return;
    va_start(arguments, format);
    vsnprintf(error, error_size, format, arguments);
    va_end(arguments);
}

/* Replace *slot with a copy of value (NULL clears it). The old value is
 * freed only once the copy exists, so a failed set changes nothing. */
static int replace_string(char **slot, const char *value)
{
    char *copy = NULL;

    if (value != NULL) {
        copy = strdup(value);
        if (copy == NULL)
            return -1;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

/* ------------------------------------------------------------ init/free */

void config_init(struct tlsd_config *config)
{
    memset(config, 0, sizeof *config);
    /* A failed strdup leaves NULL; config_finish() fills it or reports. */
    config->certificate = strdup(DEFAULT_CERTIFICATE);
    config->private_key = strdup(DEFAULT_PRIVATE_KEY);
    config->document_root = strdup(DEFAULT_DOCUMENT_ROOT);
    config->index = strdup(DEFAULT_INDEX);
    config->serve_dotfiles = false;
    config->workers = 0;
    config->handshake_timeout = 10;
    config->idle_timeout = 60;
    config->request_timeout = 10;
    config->max_connections = 10000;
    config->min_tls_version = TLS_VERSION_1_2;
    config->max_tls_version = 0;
    config->ciphersuites = NULL;
    config->session_tickets = true;
    config->session_cache_size = 20000;
    config->session_timeout = 3600;
    config->ticket_key_file = NULL;
    config->proxy_protocol_timeout = 5;
    config->keylog_file = NULL;
    config->log_level = LOG_LEVEL_INFO;
    config->log_format = LOG_FORMAT_TEXT;
    config->log_timestamps = LOG_TIMESTAMPS_AUTO;
    config->hsts = 0;
    config->handshake_endpoint = strdup(CONFIG_DEFAULT_HANDSHAKE_ENDPOINT);
    config->handshake_capture = true;
    config->content_security_policy = strdup(CONFIG_DEFAULT_CONTENT_SECURITY_POLICY);
    config->precompressed = true;
    config->cache_control[CONFIG_CACHE_HTML] = strdup(CONFIG_DEFAULT_CACHE_CONTROL_HTML);
    config->cache_control[CONFIG_CACHE_STATIC] = strdup(CONFIG_DEFAULT_CACHE_CONTROL_STATIC);
    config->cache_control[CONFIG_CACHE_ERROR] = strdup(CONFIG_DEFAULT_CACHE_CONTROL_ERROR);
    config->error_page_count = 0;
}

static void free_error_pages(struct tlsd_config *config)
{
    for (size_t i = 0; i < config->error_page_count; i++) {
        free(config->error_pages[i].path);
        config->error_pages[i].path = NULL;
    }
    config->error_page_count = 0;
}

void config_free(struct tlsd_config *config)
{
    char **strings[] = {
        &config->certificate, &config->private_key, &config->document_root,
        &config->index, &config->user, &config->group,
        &config->ciphersuites, &config->keylog_file, &config->ticket_key_file,
        &config->handshake_endpoint, &config->content_security_policy,
        &config->cache_control[CONFIG_CACHE_HTML], &config->cache_control[CONFIG_CACHE_STATIC],
        &config->cache_control[CONFIG_CACHE_ERROR],
    };
    _Static_assert(CONFIG_CACHE_CLASSES == 3, "config_free frees every cache_control class");

    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        free(*strings[i]);
        *strings[i] = NULL;
    }
    free_error_pages(config);
    config->listen_count = 0;
    config->proxy_from_count = 0;
}

/* --------------------------------------------------------------- listen */

/* Decimal digits only: no sign, no spaces, no 0x, no trailing junk. */
static int parse_decimal(const char *text, unsigned long max, unsigned long *out)
{
    unsigned long value = 0;

    if (*text == '\0')
        return -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned digit = (unsigned)(*p - '0');
        if (value > (max - digit) / 10)
            return -1;
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

static bool all_digits(const char *text)
{
    return *text != '\0' && text[strspn(text, "0123456789")] == '\0';
}

static int parse_port(const char *text, uint16_t *port, char *error, size_t error_size)
{
    unsigned long value;

    if (parse_decimal(text, 65535, &value) != 0) {
        set_error(error, error_size, "listen: port must be 0 to 65535, not '%s'", text);
        return -1;
    }
    *port = (uint16_t)value;
    return 0;
}

static int parse_listen_address(const char *text, struct listen_address *out,
                                char *error, size_t error_size)
{
    struct listen_address result;
    char host[sizeof result.text];
    const char *port_text;
    uint16_t port;
    size_t length = strlen(text);

    memset(&result, 0, sizeof result);
    if (length == 0) {
        set_error(error, error_size, "listen: empty address");
        return -1;
    }
    if (length >= sizeof result.text) {
        set_error(error, error_size, "listen: '%.40s...' is too long (at most %zu characters)",
                  text, sizeof result.text - 1);
        return -1;
    }
    memcpy(result.text, text, length + 1);

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL) {
            set_error(error, error_size, "listen: '%s' is missing ']'", text);
            return -1;
        }
        size_t host_length = (size_t)(close - text - 1);
        memcpy(host, text + 1, host_length);
        host[host_length] = '\0';
        if (close[1] != ':') {
            set_error(error, error_size, close[1] == '\0'
                      ? "listen: '%s' is missing ':PORT'"
                      : "listen: '%s' has junk after ']' (expected ':PORT')", text);
            return -1;
        }
        port_text = close + 2;

        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&result.address;
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) {
            set_error(error, error_size, "listen: '%s' is not a numeric IPv6 address", host);
            return -1;
        }
        if (parse_port(port_text, &port, error, error_size) != 0)
            return -1;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        result.address_length = sizeof *in6;
        *out = result;
        return 0;
    }

    const char *colon = strrchr(text, ':');
    if (colon == NULL) {
        if (all_digits(text)) {
            /* A bare port: every IPv4 address. */
            host[0] = '*';
            host[1] = '\0';
            port_text = text;
        } else {
            struct in_addr probe;
            if (inet_pton(AF_INET, text, &probe) == 1)
                set_error(error, error_size, "listen: '%s' is missing ':PORT'", text);
            else
                set_error(error, error_size,
                          "listen: '%s' is not PORT, ADDR:PORT or [IPV6]:PORT", text);
            return -1;
        }
    } else {
        size_t host_length = (size_t)(colon - text);
        memcpy(host, text, host_length);
        host[host_length] = '\0';
        port_text = colon + 1;
        if (memchr(host, ':', host_length) != NULL) {
            set_error(error, error_size,
                      "listen: IPv6 addresses go in brackets, as in '[::1]:8443', not '%s'", text);
            return -1;
        }
    }

    struct sockaddr_in *in4 = (struct sockaddr_in *)&result.address;
    if (strcmp(host, "*") == 0) {
        in4->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (host[0] == '\0') {
        set_error(error, error_size, "listen: '%s' has no address before ':' (use '*:PORT')", text);
        return -1;
    } else if (inet_pton(AF_INET, host, &in4->sin_addr) != 1) {
        set_error(error, error_size,
                  "listen: '%s' is not a numeric IPv4 address (host names are not looked up)", host);
        return -1;
    }
    if (parse_port(port_text, &port, error, error_size) != 0)
        return -1;
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    result.address_length = sizeof *in4;
    *out = result;
    return 0;
}

int config_parse_listen(const char *text, struct listen_address *out,
                        char *error, size_t error_size)
{
    char address[sizeof out->text + 1];
    size_t address_length = strcspn(text, " \t");

    if (text[address_length] == '\0')
        return parse_listen_address(text, out, error, error_size);
    if (address_length >= sizeof address) {
        set_error(error, error_size, "listen: '%.40s...' is too long (at most %zu characters)",
                  text, sizeof out->text - 1);
        return -1;
    }
    memcpy(address, text, address_length);
    address[address_length] = '\0';
    struct listen_address result;
    if (parse_listen_address(address, &result, error, error_size) != 0)
        return -1;
    /* options after the address, separated by blanks */
    const char *option = text + address_length;
    for (;;) {
        option += strspn(option, " \t");
        if (*option == '\0') {
            *out = result;
            return 0;
        }
        size_t option_length = strcspn(option, " \t");
        if (option_length == strlen("proxy_protocol") && strncmp(option, "proxy_protocol", option_length) == 0) {
            result.proxy_protocol = true;
        } else {
            set_error(error, error_size, "listen %s: unknown option '%.*s' (the one option is proxy_protocol)",
                      address, (int)(option_length > 40 ? 40 : option_length), option);
            return -1;
        }
        option += option_length;
    }
}

/* ----------------------------------------------------------------- keys */

/* How each key's value is checked and where it goes. */
enum value_kind {
    VALUE_LISTEN,
    VALUE_NETWORKS,         /* proxy_from: addresses and networks, accumulating */
    VALUE_STRING,           /* any non-empty text */
    VALUE_INDEX,            /* a file name: no '/' */
    VALUE_WORKERS,          /* auto or a number */
    VALUE_UNSIGNED,         /* unsigned field, range min..max */
    VALUE_UNSIGNED_LONG,    /* unsigned long field, range min..max */
    VALUE_TLS_VERSION,
    VALUE_BOOL,
    VALUE_OPTIONAL_STRING,  /* "off" = NULL */
    VALUE_OPTIONAL_PATH,    /* "off" = NULL, else a URL path starting with '/' */
    VALUE_HEADER,           /* "off" = NULL, else a response header's value (check_header_value) */
    VALUE_CACHE_CONTROL,    /* CLASS then a VALUE_HEADER: one of the field's array, by class */
    VALUE_ERROR_PAGES,      /* error_page: STATUS... PATH, accumulating; "off" clears */
    VALUE_LOG_LEVEL,
    VALUE_LOG_FORMAT,
    VALUE_LOG_TIMESTAMPS,
};

struct config_key {
    const char *name;
    enum value_kind kind;
    size_t offset;
    unsigned long min, max;
    const char *what;       /* for numbers: "a number" / "a number of seconds" */
};

#define FIELD(name) offsetof(struct tlsd_config, name)

static const struct config_key config_keys[] = {
    { "listen",             VALUE_LISTEN,          0, 0, 0, NULL },
    { "proxy_from",         VALUE_NETWORKS,        0, 0, 0, NULL },
    { "proxy_protocol_timeout", VALUE_UNSIGNED,    FIELD(proxy_protocol_timeout), 1, 3600, "a number of seconds" },
    { "certificate",        VALUE_STRING,          FIELD(certificate), 0, 0, NULL },
    { "private_key",        VALUE_STRING,          FIELD(private_key), 0, 0, NULL },
    { "document_root",      VALUE_STRING,          FIELD(document_root), 0, 0, NULL },
    { "index",              VALUE_INDEX,           FIELD(index), 0, 0, NULL },
    { "serve_dotfiles",     VALUE_BOOL,            FIELD(serve_dotfiles), 0, 0, NULL },
    { "workers",            VALUE_WORKERS,         FIELD(workers), 1, 256, NULL },
    { "user",               VALUE_STRING,          FIELD(user), 0, 0, NULL },
    { "group",              VALUE_STRING,          FIELD(group), 0, 0, NULL },
    { "handshake_timeout",  VALUE_UNSIGNED,        FIELD(handshake_timeout), 1, 3600, "a number of seconds" },
    { "idle_timeout",       VALUE_UNSIGNED,        FIELD(idle_timeout), 1, 86400, "a number of seconds" },
    { "request_timeout",    VALUE_UNSIGNED,        FIELD(request_timeout), 1, 3600, "a number of seconds" },
    { "max_connections",    VALUE_UNSIGNED,        FIELD(max_connections), 1, 1000000, "a number" },
    { "min_tls_version",    VALUE_TLS_VERSION,     FIELD(min_tls_version), 0, 0, NULL },
    { "max_tls_version",    VALUE_TLS_VERSION,     FIELD(max_tls_version), 0, 0, NULL },
    { "ciphersuites",       VALUE_STRING,          FIELD(ciphersuites), 0, 0, NULL },
    { "session_tickets",    VALUE_BOOL,            FIELD(session_tickets), 0, 0, NULL },
    { "session_cache_size", VALUE_UNSIGNED,        FIELD(session_cache_size), 0, 1000000, "a number (0 = off)" },
    { "session_timeout",    VALUE_UNSIGNED,        FIELD(session_timeout), 60, 604800, "a number of seconds" },
    { "ticket_key_file",    VALUE_OPTIONAL_STRING, FIELD(ticket_key_file), 0, 0, NULL },
    { "keylog_file",        VALUE_OPTIONAL_STRING, FIELD(keylog_file), 0, 0, NULL },
    { "log_level",          VALUE_LOG_LEVEL,       FIELD(log_level), 0, 0, NULL },
    { "log_format",         VALUE_LOG_FORMAT,      FIELD(log_format), 0, 0, NULL },
    { "log_timestamps",     VALUE_LOG_TIMESTAMPS,  FIELD(log_timestamps), 0, 0, NULL },
    { "hsts",               VALUE_UNSIGNED_LONG,   FIELD(hsts), 0, 63072000, "a number of seconds" },
    { "handshake_endpoint", VALUE_OPTIONAL_PATH,   FIELD(handshake_endpoint), 0, 0, NULL },
    { "handshake_capture",  VALUE_BOOL,            FIELD(handshake_capture), 0, 0, NULL },
    { "content_security_policy", VALUE_HEADER,    FIELD(content_security_policy), 0, 0, NULL },
    { "precompressed",      VALUE_BOOL,            FIELD(precompressed), 0, 0, NULL },
    { "cache_control",      VALUE_CACHE_CONTROL,   FIELD(cache_control), 0, 0, NULL },
    { "error_page",         VALUE_ERROR_PAGES,     0, 0, 0, NULL },
};

static const struct config_key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
        if (strcmp(config_keys[i].name, name) == 0)
            return &config_keys[i];
    return NULL;
}

static int parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static uint16_t listen_port(const struct listen_address *address)
{
    if (address->address.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&address->address)->sin6_port);
    return ntohs(((const struct sockaddr_in *)&address->address)->sin_port);
}

static bool same_address(const struct listen_address *a, const struct listen_address *b)
{
    if (a->address.ss_family != b->address.ss_family)
        return false;
    if (a->address.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)&a->address;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&b->address;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->address;
    const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->address;
    return x->sin6_port == y->sin6_port
        && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

static int add_listen(struct tlsd_config *config, const char *value, char *why, size_t why_size)
{
    struct listen_address address;

    if (config->listen_count >= CONFIG_MAX_LISTEN) {
        snprintf(why, why_size, "listen: too many addresses (at most %d)", CONFIG_MAX_LISTEN);
        return -1;
    }
    if (config_parse_listen(value, &address, why, why_size) != 0)
        return -1;
    /* The same address twice would only fail later, at bind(); port 0
     * is a fresh ephemeral port each time, so it may repeat. */
    for (size_t i = 0; i < config->listen_count; i++) {
        if (listen_port(&address) != 0 && same_address(&config->listen[i], &address)) {
            snprintf(why, why_size, "listen: '%s' is already listed as '%s'",
                     value, config->listen[i].text);
            return -1;
        }
    }
    config->listen[config->listen_count++] = address;
    return 0;
}

/* "proxy_from 10.0.0.0/8 192.0.2.7, ::1": blanks or commas between. */
static int add_networks(struct tlsd_config *config, const char *value, char *why, size_t why_size)
{
    const char *word = value;
    for (;;) {
        word += strspn(word, " \t,");
        if (*word == '\0')
            return 0;
        size_t length = strcspn(word, " \t,");
        char text[64];
        if (length >= sizeof text) {
            snprintf(why, why_size, "proxy_from: '%.40s...' is not an IP address or ADDR/PREFIX network", word);
            return -1;
        }
        memcpy(text, word, length);
        text[length] = '\0';
        if (config->proxy_from_count >= CONFIG_MAX_PROXY_FROM) {
            snprintf(why, why_size, "proxy_from: too many networks (at most %d)", CONFIG_MAX_PROXY_FROM);
            return -1;
        }
        char reason[CONFIG_ERROR_SIZE - 32];
        if (network_parse(text, &config->proxy_from[config->proxy_from_count], reason, sizeof reason) != 0) {
            snprintf(why, why_size, "proxy_from: %s", reason);
            return -1;
        }
        config->proxy_from_count++;
        word += length;
    }
}

/* ------------------------------------------------------ response headers */

/* A value sent as a header as it is: printable ASCII on one line (no CR,
 * LF or other control byte, which would split or end the header; no byte
 * above 0x7e, which HTTP gives no meaning), at most
 * CONFIG_MAX_HEADER_VALUE characters. `name` starts the message. */
static int check_header_value(const char *name, const char *value, char *why, size_t why_size)
{
    size_t length = strlen(value);

    if (length > CONFIG_MAX_HEADER_VALUE) {
        snprintf(why, why_size, "%s must be at most %d characters", name, CONFIG_MAX_HEADER_VALUE);
        return -1;
    }
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c > 0x7e) {
            snprintf(why, why_size, "%s: the byte 0x%02x (character %zu) cannot be sent in a header: "
                     "the value must be printable ASCII on one line", name, c, i + 1);
            return -1;
        }
    }
    return 0;
}

/* "off" (in lower case) clears the header, anything else is its value. */
static int set_header(char **slot, const char *name, const char *value, char *why, size_t why_size)
{
    bool off = strcmp(value, "off") == 0;

    if (!off && check_header_value(name, value, why, why_size) != 0)
        return -1;
    if (replace_string(slot, off ? NULL : value) != 0) {
        snprintf(why, why_size, "%s: out of memory", name);
        return -1;
    }
    return 0;
}

/* "cache_control html no-cache": the class, blanks, then the value (the
 * rest of the line) or off. */
static int set_cache_control(char **slots, const char *value, char *why, size_t why_size)
{
    static const char *const classes[CONFIG_CACHE_CLASSES] = {
        [CONFIG_CACHE_HTML] = "html", [CONFIG_CACHE_STATIC] = "static", [CONFIG_CACHE_ERROR] = "error",
    };
    size_t class_length = strcspn(value, " \t");
    const char *rest = value + class_length + strspn(value + class_length, " \t");

    for (size_t i = 0; i < CONFIG_CACHE_CLASSES; i++) {
        if (strlen(classes[i]) != class_length || strncmp(value, classes[i], class_length) != 0)
            continue;
        char name[32];
        snprintf(name, sizeof name, "cache_control %s", classes[i]);
        if (*rest == '\0') {
            snprintf(why, why_size, "%s needs a value: a Cache-Control value such as no-cache, or off", name);
            return -1;
        }
        return set_header(&slots[i], name, rest, why, why_size);
    }
    snprintf(why, why_size, "cache_control: the class must be html, static or error, not '%.*s' "
             "(e.g. cache_control html no-cache)", (int)(class_length > 40 ? 40 : class_length), value);
    return -1;
}

/* ----------------------------------------------------------- error pages */

#define ERROR_PAGE_MAX_PATH 1024
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define ERROR_PAGE_MIN_STATUS 400
#define ERROR_PAGE_MAX_STATUS 599
#define ERROR_PAGE_EXAMPLE "e.g. error_page 404 /404.html"

const char *config_error_page(const struct tlsd_config *config, int status)
{
    for (size_t i = 0; i < config->error_page_count; i++)
        if (config->error_pages[i].status == status)
            return config->error_pages[i].path;
    return NULL;
}

/* Does the path have a segment "." or ".."? */
static bool has_dot_segment(const char *path, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (path[i] != '/')
            continue;
        size_t segment = strcspn(path + i + 1, "/");
        if (i + 1 + segment > length)
            segment = length - i - 1;
        if ((segment == 1 && path[i + 1] == '.') ||
            (segment == 2 && path[i + 1] == '.' && path[i + 2] == '.'))
            return true;
    }
    return false;
}

/* The page is a plain URL path under document_root, looked up as a
 * request's would be: no query, fragment, escape or dot segment. */
static int check_error_page_path(const char *path, size_t length, char *why, size_t why_size)
{
    int shown = (int)(length > 60 ? 60 : length);
    const char *problem = NULL;

    if (path[0] != '/') {
        snprintf(why, why_size, "error_page: the page must be a path under document_root starting with /, "
                 "e.g. /404.html, not '%.*s'", shown, path);
        return -1;
    }
    if (length > ERROR_PAGE_MAX_PATH)
        problem = "is longer than " STRINGIFY(ERROR_PAGE_MAX_PATH) " characters";
    else if (memchr(path, '?', length) != NULL)
        problem = "has a query ('?'): the page must be a plain path";
    else if (memchr(path, '#', length) != NULL)
        problem = "has a fragment ('#'): the page must be a plain path";
    else if (memchr(path, '%', length) != NULL)
        problem = "has a %-escape: name the file as it is, without escapes";
    else if (has_dot_segment(path, length))
        problem = "has a '.' or '..' segment: the page must be a plain path under document_root";
    for (size_t i = 0; problem == NULL && i < length; i++)
        if ((unsigned char)path[i] <= 0x20 || path[i] == 0x7f)
            problem = "has a space or a control character";
    if (problem == NULL)
        return 0;
    snprintf(why, why_size, "error_page: the page '%.*s%s' %s", shown, path, length > 60 ? "..." : "", problem);
    return -1;
}

/* One error_page line, parsed: the statuses and the page. */
struct error_page_line {
    int statuses[CONFIG_MAX_ERROR_PAGES];
    size_t count;
    const char *path;       /* inside the value, not NUL-terminated before its end */
    size_t path_length;
};

/* One status word (not the last word of the line). */
static int parse_error_page_status(const char *word, size_t length, struct error_page_line *line,
                                   char *why, size_t why_size)
{
    char text[4] = "";
    unsigned long status = 0;
    int shown = (int)(length > 40 ? 40 : length);

    if (word[0] == '/') {
        snprintf(why, why_size, "error_page: the page comes last, as one path without spaces, after the "
                 "statuses (" ERROR_PAGE_EXAMPLE "), not '%.*s'", shown, word);
        return -1;
    }
    if (length == 3)
        memcpy(text, word, length);
    if (length != 3 || parse_decimal(text, ERROR_PAGE_MAX_STATUS, &status) != 0 ||
        status < ERROR_PAGE_MIN_STATUS) {
        snprintf(why, why_size, "error_page: '%.*s' is not a status from %d to %d", shown, word,
                 ERROR_PAGE_MIN_STATUS, ERROR_PAGE_MAX_STATUS);
        return -1;
    }
    if (line->count == CONFIG_MAX_ERROR_PAGES) {
        snprintf(why, why_size, "error_page: too many statuses on one line (at most %d)",
                 CONFIG_MAX_ERROR_PAGES);
        return -1;
    }
    line->statuses[line->count++] = (int)status;
    return 0;
}

/* "500 502 503 504 /50x.html": statuses, then the page, as the last word. */
static int parse_error_page_line(const char *value, struct error_page_line *line, char *why, size_t why_size)
{
    const char *word = value + strspn(value, " \t");

    line->count = 0;
    for (;;) {
        size_t length = strcspn(word, " \t");
        const char *next = word + length + strspn(word + length, " \t");
        if (*next == '\0') {
            line->path = word;
            line->path_length = length;
            break;
        }
        if (parse_error_page_status(word, length, line, why, why_size) != 0)
            return -1;
        word = next;
    }
    if (line->count == 0) {
        snprintf(why, why_size, "error_page: give one or more statuses from %d to %d, then the page "
                 "(" ERROR_PAGE_EXAMPLE "), or off", ERROR_PAGE_MIN_STATUS, ERROR_PAGE_MAX_STATUS);
        return -1;
    }
    return check_error_page_path(line->path, line->path_length, why, why_size);
}

static struct config_error_page *find_error_page(struct tlsd_config *config, int status)
{
    for (size_t i = 0; i < config->error_page_count; i++)
        if (config->error_pages[i].status == status)
            return &config->error_pages[i];
    return NULL;
}

/* How many of the line's statuses have no page yet (each counted once). */
static size_t new_error_pages(struct tlsd_config *config, const struct error_page_line *line)
{
    size_t added = 0;

    for (size_t i = 0; i < line->count; i++) {
        bool seen = find_error_page(config, line->statuses[i]) != NULL;
        for (size_t j = 0; j < i && !seen; j++)
            seen = line->statuses[j] == line->statuses[i];
        added += seen ? 0 : 1;
    }
    return added;
}

/* Every check and allocation before the first change: a line that fails
 * leaves the pages as they were, and leaks nothing. */
static int store_error_pages(struct tlsd_config *config, const struct error_page_line *line,
                             char *why, size_t why_size)
{
    char *copies[CONFIG_MAX_ERROR_PAGES];

    if (config->error_page_count + new_error_pages(config, line) > CONFIG_MAX_ERROR_PAGES) {
        snprintf(why, why_size, "error_page: too many statuses with a page (at most %d)",
                 CONFIG_MAX_ERROR_PAGES);
        return -1;
    }
    for (size_t i = 0; i < line->count; i++) {
        copies[i] = strndup(line->path, line->path_length);
        if (copies[i] == NULL) {
            while (i > 0)
                free(copies[--i]);
            snprintf(why, why_size, "error_page: out of memory");
            return -1;
        }
    }
    for (size_t i = 0; i < line->count; i++) {
        struct config_error_page *page = find_error_page(config, line->statuses[i]);
        if (page == NULL) {
            page = &config->error_pages[config->error_page_count++];
            page->status = line->statuses[i];
        } else {
            free(page->path);   /* a status given again: the last page wins */
        }
        page->path = copies[i];
    }
    return 0;
}

static int set_error_pages(struct tlsd_config *config, const char *value, char *why, size_t why_size)
{
    struct error_page_line line;

    if (strcmp(value, "off") == 0) {
        free_error_pages(config);
        return 0;
    }
    if (parse_error_page_line(value, &line, why, why_size) != 0)
        return -1;
    return store_error_pages(config, &line, why, why_size);
}

/* Check `value` for `key` and store it. Returns 0, or -1 with the reason
 * (without origin) in `why`. */
static int set_value(struct tlsd_config *config, const struct config_key *key,
                     const char *value, char *why, size_t why_size)
{
    void *field = (char *)config + key->offset;
    unsigned long number;

    switch (key->kind) {
    case VALUE_LISTEN:
        return add_listen(config, value, why, why_size);

    case VALUE_NETWORKS:
        return add_networks(config, value, why, why_size);

    case VALUE_INDEX:
        if (strchr(value, '/') != NULL || strcmp(value, ".") == 0 || strcmp(value, "..") == 0) {
            snprintf(why, why_size, "%s must be a file name without '/', not '%s'",
                     key->name, value);
            return -1;
        }
        /* fall through */
    case VALUE_STRING:
        if (replace_string(field, value) != 0)
            goto out_of_memory;
        return 0;

    case VALUE_OPTIONAL_PATH:
        if (strcmp(value, "off") != 0 && (value[0] != '/' || strpbrk(value, "?# \t%") != NULL)) {
            snprintf(why, why_size, "%s must be off or a URL path starting with '/' (no query, no "
                     "spaces, no %%-escapes), not '%s'", key->name, value);
            return -1;
        }
        /* fall through */
    case VALUE_OPTIONAL_STRING:
        if (replace_string(field, strcmp(value, "off") == 0 ? NULL : value) != 0)
            goto out_of_memory;
        return 0;

    case VALUE_HEADER:
        return set_header(field, key->name, value, why, why_size);

    case VALUE_CACHE_CONTROL:
        return set_cache_control(field, value, why, why_size);

    case VALUE_ERROR_PAGES:
        return set_error_pages(config, value, why, why_size);

    case VALUE_WORKERS:
        if (strcasecmp(value, "auto") == 0) {
            *(unsigned *)field = 0;
            return 0;
        }
        if (parse_decimal(value, key->max, &number) != 0 || number < key->min) {
            snprintf(why, why_size, "%s must be auto or a number from %lu to %lu, not '%s'",
                     key->name, key->min, key->max, value);
            return -1;
        }
        *(unsigned *)field = (unsigned)number;
        return 0;

    case VALUE_UNSIGNED:
    case VALUE_UNSIGNED_LONG:
        if (parse_decimal(value, key->max, &number) != 0 || number < key->min) {
            snprintf(why, why_size, "%s must be %s from %lu to %lu, not '%s'",
                     key->name, key->what, key->min, key->max, value);
            return -1;
        }
        if (key->kind == VALUE_UNSIGNED)
            *(unsigned *)field = (unsigned)number;
        else
            *(unsigned long *)field = number;
        return 0;

    case VALUE_TLS_VERSION:
        if (strcmp(value, "1.2") == 0) {
            *(int *)field = TLS_VERSION_1_2;
        } else if (strcmp(value, "1.3") == 0) {
            *(int *)field = TLS_VERSION_1_3;
        } else {
            snprintf(why, why_size, "%s must be 1.2 or 1.3, not '%s'", key->name, value);
            return -1;
        }
        return 0;

    case VALUE_BOOL:
        if (parse_bool(value, field) != 0) {
            snprintf(why, why_size, "%s must be on or off, not '%s'", key->name, value);
            return -1;
        }
        return 0;

    case VALUE_LOG_LEVEL:
        for (int level = LOG_LEVEL_ERROR; level <= LOG_LEVEL_DEBUG; level++) {
            if (strcasecmp(value, log_level_name((enum log_level)level)) == 0) {
                *(enum log_level *)field = (enum log_level)level;
                return 0;
            }
        }
        snprintf(why, why_size, "%s must be error, warn, info or debug, not '%s'",
                 key->name, value);
        return -1;

    case VALUE_LOG_FORMAT:
        if (strcasecmp(value, "text") == 0) {
            *(enum log_format *)field = LOG_FORMAT_TEXT;
        } else if (strcasecmp(value, "json") == 0) {
            *(enum log_format *)field = LOG_FORMAT_JSON;
        } else {
            snprintf(why, why_size, "%s must be text or json, not '%s'", key->name, value);
            return -1;
        }
        return 0;

    case VALUE_LOG_TIMESTAMPS: {
        static const char *const names[] = { [LOG_TIMESTAMPS_AUTO] = "auto", [LOG_TIMESTAMPS_ON] = "on",
                                             [LOG_TIMESTAMPS_OFF] = "off" };
        for (int mode = LOG_TIMESTAMPS_AUTO; mode <= LOG_TIMESTAMPS_OFF; mode++) {
            if (strcasecmp(value, names[mode]) == 0) {
                *(enum log_timestamps *)field = (enum log_timestamps)mode;
                return 0;
            }
        }
        snprintf(why, why_size, "%s must be auto, on or off, not '%s'", key->name, value);
        return -1;
    }
    }
    snprintf(why, why_size, "%s: internal error: unhandled kind", key->name);
    return -1;

out_of_memory:
    snprintf(why, why_size, "%s: out of memory", key->name);
    return -1;
}

int config_set(struct tlsd_config *config, const char *key, const char *value,
               const char *origin, char *error, size_t error_size)
{
    const struct config_key *entry = find_key(key);
    char why[CONFIG_ERROR_SIZE];

    if (origin == NULL)
        origin = "configuration";
    if (entry == NULL) {
        set_error(error, error_size, "%s: unknown key '%s'", origin, key);
        return -1;
    }
    if (value == NULL || value[0] == '\0') {
        set_error(error, error_size, "%s: %s needs a value", origin, key);
        return -1;
    }
    if (set_value(config, entry, value, why, sizeof why) != 0) {
        set_error(error, error_size, "%s: %s", origin, why);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- parse */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One line, without its '\n' (and a '\r' before it already dropped),
 * copied into a NUL-terminated buffer the caller owns. */
static int parse_line(struct tlsd_config *config, char *line, const char *origin,
                      char *error, size_t error_size)
{
    char *key, *value, *end;

    while (is_blank(*line))
        line++;
    if (*line == '\0' || *line == '#')
        return 0;

    key = line;
    while (*line != '\0' && !is_blank(*line))
        line++;
    if (*line != '\0')
        *line++ = '\0';
    while (is_blank(*line))
        line++;
    value = line;

    /* A '#' starts a comment only at the start of a word, so that
     * "document_root /srv/c#" keeps its '#'. */
    end = value;
    while (*end != '\0' && !(*end == '#' && (end == value || is_blank(end[-1]))))
        end++;
    while (end > value && is_blank(end[-1]))
        end--;
    *end = '\0';

    return config_set(config, key, value, origin, error, error_size);
}

int config_parse(struct tlsd_config *config, const char *text, size_t length,
                 const char *filename, char *error, size_t error_size)
{
    char line[CONFIG_MAX_LINE + 1];
    char origin[CONFIG_ERROR_SIZE];
    size_t position = 0;
    unsigned long line_number = 0;

    if (filename == NULL)
        filename = "configuration";
    while (position < length) {
        const char *start = text + position;
        const char *newline = memchr(start, '\n', length - position);
        size_t line_length = newline != NULL ? (size_t)(newline - start) : length - position;

        position += line_length + (newline != NULL ? 1 : 0);
        line_number++;
        if (line_length > 0 && start[line_length - 1] == '\r')
            line_length--;

        if (line_length > CONFIG_MAX_LINE) {
            set_error(error, error_size, "%s:%lu: line is longer than %d bytes",
                      filename, line_number, CONFIG_MAX_LINE);
            return -1;
        }
        for (size_t i = 0; i < line_length; i++) {
            unsigned char c = (unsigned char)start[i];
            if (c == '\0') {
                set_error(error, error_size, "%s:%lu: line contains a NUL byte",
                          filename, line_number);
                return -1;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                set_error(error, error_size, "%s:%lu: line contains the control character 0x%02x",
                          filename, line_number, c);
                return -1;
            }
        }
        memcpy(line, start, line_length);
        line[line_length] = '\0';

        snprintf(origin, sizeof origin, "%s:%lu", filename, line_number);
        if (parse_line(config, line, origin, error, error_size) != 0)
            return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------- file */

int config_load_file(struct tlsd_config *config, const char *path,
                     char *error, size_t error_size)
{
    struct stat status;
    char *text = NULL;
    size_t length = 0;
    int result = -1;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_error(error, error_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &status) != 0) {
        set_error(error, error_size, "%s: %s", path, strerror(errno));
    } else if (S_ISDIR(status.st_mode)) {
        set_error(error, error_size, "%s: %s", path, strerror(EISDIR));
    } else if (small_file_read(fd, CONFIG_MAX_FILE_SIZE, &text, &length) != 0) {
        if (errno == EFBIG)
            set_error(error, error_size, "%s: file is larger than %d bytes", path, CONFIG_MAX_FILE_SIZE);
        else
            set_error(error, error_size, "%s: %s", path, errno == ENOMEM ? "out of memory" : strerror(errno));
    } else {
        result = config_parse(config, text, length, path, error, error_size);
    }
    small_file_free(text, length);
    close(fd);
    return result;
}

/* --------------------------------------------------------------- finish */

static const char *tls_version_text(int version)
{
    return version == TLS_VERSION_1_3 ? "1.3" : "1.2";
}

int config_finish(struct tlsd_config *config, char *error, size_t error_size)
{
    struct {
        char **slot;
        const char *value;
    } defaults[] = {
        { &config->certificate, DEFAULT_CERTIFICATE },
        { &config->private_key, DEFAULT_PRIVATE_KEY },
        { &config->document_root, DEFAULT_DOCUMENT_ROOT },
        { &config->index, DEFAULT_INDEX },
    };

    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        if (*defaults[i].slot == NULL && replace_string(defaults[i].slot, defaults[i].value) != 0) {
            set_error(error, error_size, "configuration: out of memory");
            return -1;
        }
    }
    if (config->listen_count == 0) {
        if (config_parse_listen(DEFAULT_LISTEN, &config->listen[0], error, error_size) != 0)
            return -1;
        config->listen_count = 1;
    }
    /* A PROXY header from anyone would let any client claim any address. */
    for (size_t i = 0; i < config->listen_count; i++) {
        if (config->listen[i].proxy_protocol && config->proxy_from_count == 0) {
            set_error(error, error_size,
                      "listen %s proxy_protocol: set proxy_from to the addresses of the load balancers "
                      "allowed to send PROXY headers (e.g. proxy_from 10.0.0.0/8)", config->listen[i].text);
            return -1;
        }
    }
    if (config->max_tls_version != 0 && config->min_tls_version > config->max_tls_version) {
        set_error(error, error_size,
                  "min_tls_version %s is higher than max_tls_version %s",
                  tls_version_text(config->min_tls_version),
                  tls_version_text(config->max_tls_version));
        return -1;
    }
    return 0;
}

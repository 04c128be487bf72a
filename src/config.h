/* SPDX-License-Identifier: Apache-2.0 */
/* config.h: the configuration of tlsd, parsed from tlsd.conf and the
 * command line. The parser is a pure function over a buffer: no I/O but
 * config_load_file(), which reads the file and hands it to the parser. */
#ifndef TLSD_CONFIG_H
#define TLSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "log_level.h"
#include "networks.h"

#define CONFIG_MAX_LISTEN 16
#define CONFIG_MAX_PROXY_FROM 64
#define CONFIG_ERROR_SIZE 512
#define CONFIG_MAX_HEADER_VALUE 1024   /* a value sent as a response header */
#define CONFIG_MAX_ERROR_PAGES 32      /* error_page statuses */

/* TLS versions as the config writes them: 12 for "1.2", 13 for "1.3". */
enum { TLS_VERSION_1_2 = 12, TLS_VERSION_1_3 = 13 };

struct listen_address {
    char text[64];                  /* as written, e.g. "[::1]:8443" */
    struct sockaddr_storage address;
    socklen_t address_length;
    bool proxy_protocol;            /* expects a PROXY protocol header before TLS */
};

/* Response classes with their own Cache-Control (the cache_control key). */
enum config_cache_class {
    CONFIG_CACHE_HTML = 0,   /* a file served as text/html */
    CONFIG_CACHE_STATIC,     /* any other file */
    CONFIG_CACHE_ERROR,      /* an error response (4xx, 5xx), built-in page or error_page */
    CONFIG_CACHE_CLASSES
};

/* error_page STATUS... PATH: the page of one status. */
struct config_error_page {
    int status;                     /* 400..599 */
    char *path;                     /* a URL path under document_root, "/404.html" */
};

struct tlsd_config {
    /* pointers and sizes first, then 4-byte fields, then flags: no padding */
    struct listen_address listen[CONFIG_MAX_LISTEN];
    struct network proxy_from[CONFIG_MAX_PROXY_FROM];  /* who may send PROXY headers */
    size_t listen_count;            /* 0 until a listen line: defaults fill it */
    size_t proxy_from_count;
    char *certificate;              /* PEM chain: leaf first, then intermediates */
    char *private_key;
    char *document_root;
    char *index;
    char *user;
    char *group;
    char *ciphersuites;             /* NULL = the default policy; else the list as written */
    char *ticket_key_file;          /* NULL = tlsd's own random keys */
    char *keylog_file;              /* NULL = off */
    unsigned long hsts;             /* seconds; 0 = no header */
    char *handshake_endpoint;       /* URL path of the handshake record; NULL = off */
    char *content_security_policy;  /* the header's value for the site; NULL = off */
    char *cache_control[CONFIG_CACHE_CLASSES];  /* the header's value per class; NULL = none */
    struct config_error_page error_pages[CONFIG_MAX_ERROR_PAGES];
    size_t error_page_count;
    unsigned proxy_protocol_timeout;  /* seconds for the PROXY header, from accept */
    unsigned workers;               /* 0 = auto: one event loop per CPU */
    unsigned handshake_timeout;     /* seconds */
    unsigned idle_timeout;          /* seconds */
    unsigned request_timeout;       /* seconds for a whole request head, from its first byte */
    unsigned max_connections;
    int min_tls_version;            /* TLS_VERSION_1_2 or TLS_VERSION_1_3 */
    int max_tls_version;            /* 0 = the highest the Mbed TLS build offers */
    unsigned session_cache_size;
    unsigned session_timeout;       /* seconds a session can be resumed; ticket keys rotate as often */
    enum log_level log_level;
    enum log_format log_format;
    enum log_timestamps log_timestamps;   /* auto: unless standard error is the journal */
    bool serve_dotfiles;            /* false: a path with a segment ".name" is 404 (files_path_hidden) */
    bool session_tickets;
    bool handshake_capture;         /* keep each connection's first bytes and secrets for ENDPOINT.pcapng */
    bool precompressed;             /* serve FILE.br / FILE.gz beside FILE to clients that accept them */
};

/* The error_page path for `status`, or NULL: the built-in page. */
const char *config_error_page(const struct tlsd_config *config, int status);

/* The defaults of the keys above. The site's policy lets a static site's
 * own (same-origin) scripts, styles, fonts, images, media and frames load,
 * inline <script> and <style> included, and nothing from elsewhere; the
 * bundled page tightens it with its own <meta> policy, and the handshake
 * endpoint always gets RESPONSE_ENDPOINT_CSP (response.c). */
#define CONFIG_DEFAULT_HANDSHAKE_ENDPOINT "/.well-known/tlsd/handshake"
#define CONFIG_DEFAULT_CONTENT_SECURITY_POLICY \
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " \
    "img-src 'self' data:; font-src 'self' data:; media-src 'self' blob:; object-src 'none'; " \
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
/* Cache-Control: a page is revalidated on every visit (a 304 when it did
 * not change), so an edit shows at once; other files are fresh for ten
 * minutes; an error is never stored (the file may appear). */
#define CONFIG_DEFAULT_CACHE_CONTROL_HTML "no-cache"
#define CONFIG_DEFAULT_CACHE_CONTROL_STATIC "max-age=600"
#define CONFIG_DEFAULT_CACHE_CONTROL_ERROR "no-store"

/* Fill in every default (listen is left empty: see config_finish). */
void config_init(struct tlsd_config *config);

/* Free every string the config owns; the struct can be reused after
 * config_init(). */
void config_free(struct tlsd_config *config);

/* Set one key. `origin` names where the value came from for messages
 * ("tlsd.conf:12", "--cert"). Repeated `listen`, `proxy_from` and
 * `error_page` keys accumulate (`error_page off` clears; a status given
 * again gets the new page); `cache_control` keeps the last value per
 * class; any other key set twice keeps the last value. Returns 0, or -1 with a message
 * "ORIGIN: what is wrong" in `error`. */
int config_set(struct tlsd_config *config, const char *key, const char *value,
               const char *origin, char *error, size_t error_size);

/* Parse a whole configuration text (not NUL-terminated necessarily).
 * `filename` is used in messages: "FILE:LINE: what is wrong". Keys are set
 * in order with config_set(). Returns 0 or -1 with `error` filled. */
int config_parse(struct tlsd_config *config, const char *text, size_t length,
                 const char *filename, char *error, size_t error_size);

/* Read `path` and config_parse() it. A file that cannot be read is an
 * error naming the path and the reason (strerror). */
int config_load_file(struct tlsd_config *config, const char *path,
                     char *error, size_t error_size);

/* Called once after the file and the command line: adds the default
 * listen address when none was given, and fills the defaults that depend
 * on the install paths. Returns 0 or -1 with `error` filled. */
int config_finish(struct tlsd_config *config, char *error, size_t error_size);

/* Parse "ADDR:PORT", "[IPV6]:PORT", "*:PORT" or "PORT" (all addresses),
 * optionally followed by options: "proxy_protocol".
 * Numeric addresses only; port 0 asks the kernel for an ephemeral port.
 * Returns 0 or -1 with a message (without origin) in `error`. */
int config_parse_listen(const char *text, struct listen_address *out,
                        char *error, size_t error_size);

#endif

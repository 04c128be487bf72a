/* SPDX-License-Identifier: Apache-2.0 */
/* response.h: what to answer a request, apart from how to send it.
 *
 * From a parsed request and a read-only context (configuration, document
 * root, file cache, the connection's handshake record), response_plan()
 * decides the status, the headers that depend on the request and where the
 * body comes from. connection.c formats the head (with the security
 * headers every response carries), and streams the body. The model is
 * OpenBSD httpd's server_file.c: one function answers "what is served". */
#ifndef TLSD_RESPONSE_H
#define TLSD_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http.h"

struct tlsd_config;
struct file_cache;
struct cached_body;

/* Header lines of one plan: a Location of a maximal target re-encoded
 * (every byte as %XX), with room for a few short ones beside it. */
#define RESPONSE_HEADERS_SIZE (HTTP_MAX_TARGET_BYTES * 3 + 256)
/* An error page (http_error_body). */
#define RESPONSE_INLINE_SIZE 512
/* The handshake endpoint's policy, whatever the site's: JSON, an SVG
 * (presentation attributes only) or text for this connection's page to
 * fetch, never a document to run or frame. */
#define RESPONSE_ENDPOINT_CSP "default-src 'none'; frame-ancestors 'none'"

enum response_body_source {
    RESPONSE_BODY_NONE,    /* nothing after the head: HEAD, an empty file */
    RESPONSE_BODY_INLINE,  /* plan->inline_body: an error page */
    RESPONSE_BODY_MEMORY,  /* plan->memory, malloc'd: the handshake record (JSON, SVG, text) */
    RESPONSE_BODY_CACHED,  /* plan->cached: a file_cache body, held for the plan */
    RESPONSE_BODY_FILE,    /* plan->fd: an open file */
};

struct response_plan {
    int status;
    const char *content_type;       /* static string; NULL: no Content-Type */
    uint64_t content_length;        /* what Content-Length says, also for HEAD */
    bool keep_alive;                /* false: close after this response */
    const char *log_reason;         /* reason= on the request's log line; NULL: none */
    const char *content_security_policy;  /* the header's value; NULL: none */
    char headers[RESPONSE_HEADERS_SIZE];  /* header lines, each ending in CRLF; NUL-terminated */
    size_t headers_length;
    /* The body: body_length bytes of `body` from body_offset (0 for HEAD
     * or an empty body, and then `body` is NONE). */
    enum response_body_source body;
    uint64_t body_offset;
    uint64_t body_length;
    char inline_body[RESPONSE_INLINE_SIZE];
    char *memory;
    struct cached_body *cached;
    int fd;
};

/* The handshake endpoint's representations of the record: the endpoint's
 * path is the JSON, the path plus ".svg" or ".txt" the ladder drawn. */
enum response_handshake_format {
    RESPONSE_HANDSHAKE_JSON,
    RESPONSE_HANDSHAKE_SVG,
    RESPONSE_HANDSHAKE_TEXT,
};

/* The record of the connection's own handshake in `format` (malloc'd,
 * NUL-terminated; NULL when out of memory). Called only for the handshake
 * endpoint. */
typedef char *response_handshake_body(const void *handshake, enum response_handshake_format format);

/* The connection's own capture as a pcapng file (malloc'd, *length
 * bytes; NULL when out of memory). Called only for ENDPOINT.pcapng. */
typedef char *response_capture_pcapng(const void *capture, size_t *length);
#define RESPONSE_CAPTURE_SUFFIX ".pcapng"

struct response_context {
    const struct tlsd_config *config;  /* document root's index, dot files, the handshake endpoint */
    int root_fd;                       /* the document root, open as a directory */
    struct file_cache *file_cache;     /* NULL: look up on disk every time */
    time_t now;                        /* monotonic seconds, for the file cache */
    long long date;                    /* seconds since the epoch: the response's Date */
    response_handshake_body *handshake_body;
    const void *handshake;             /* handshake_body's argument; NULL: this connection has no record (404) */
    response_capture_pcapng *capture_pcapng;
    const void *capture;               /* capture_pcapng's argument; NULL: no capture (404) */
    uint64_t connection_id;            /* names the capture's file */
};

/* Decide the answer to `request`. Every resource the plan takes (an open
 * file, a cached body, the JSON) belongs to the plan until
 * response_plan_release() or until the caller takes it over (then it sets
 * `body` to RESPONSE_BODY_NONE). */
void response_plan(const struct response_context *context, const struct http_request *request,
                   struct response_plan *plan);

/* An error answered without a request to go by (a request that does not
 * parse: its status from http_parse_request; one not finished in time:
 * 408): the error page (the site's error_page, or the built-in one), then
 * the connection closes. */
void response_plan_error(const struct response_context *context, struct response_plan *plan, int status);

/* Free what the plan still holds. */
void response_plan_release(struct response_plan *plan);

/* The Location of the 301 for a directory asked for without its trailing
 * slash: the request's path decoded, normalised ("//evil.example" is
 * "/evil.example", never another host), encoded again (CR and LF stay
 * %0D%0A), then "/" unless it ends in one, then the target's query as
 * sent. Pure. Returns the length written into out (NUL-terminated), or 0
 * when there is none (a path that does not normalise, a query with
 * control bytes, no room). */
size_t response_redirect_location(const struct http_request *request, char *out, size_t out_size);

#endif

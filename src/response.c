/* SPDX-License-Identifier: Apache-2.0 */
/* response.c: what to answer a request (status, headers, body source),
 * decided apart from how connection.c sends it. One place for every
 * "what is served" question: which file, which representation of it
 * (a precompressed sibling), which part (a range), whether at all
 * (conditional requests), which error page, which Cache-Control and
 * which Content-Security-Policy. */
#include "response.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accept_encoding.h"
#include "conditional.h"
#include "config.h"
#include "file_cache.h"
#include "files.h"

static void plan_reset(struct response_plan *plan, const struct response_context *context, bool keep_alive)
{
    plan->status = 0;
    plan->content_type = NULL;
    plan->content_length = 0;
    plan->keep_alive = keep_alive;
    plan->log_reason = NULL;
    plan->content_security_policy = context->config->content_security_policy;
    plan->headers[0] = '\0';
    plan->headers_length = 0;
    plan->body = RESPONSE_BODY_NONE;
    plan->body_offset = 0;
    plan->body_length = 0;
    plan->inline_body[0] = '\0';
    plan->memory = NULL;
    plan->cached = NULL;
    plan->fd = -1;
}

/* One header line, "Name: value\r\n"; a line that does not fit is left
 * out whole, never cut. */
static void plan_add_header(struct response_plan *plan, const char *name, const char *value)
{
    size_t room = sizeof plan->headers - plan->headers_length;
    int written = snprintf(plan->headers + plan->headers_length, room, "%s: %s\r\n", name, value);
    if (written < 0 || (size_t)written >= room) {
        plan->headers[plan->headers_length] = '\0';
        return;
    }
    plan->headers_length += (size_t)written;
}

static void plan_cache_control(const struct response_context *context, struct response_plan *plan,
                               enum config_cache_class class)
{
    const char *value = context->config->cache_control[class];
    if (value != NULL)
        plan_add_header(plan, "Cache-Control", value);
}

/* ---- representations: a file found under the root, or its sibling */

struct representation {
    struct files_entry entry;      /* entry.fd open, or -1 with `cached` set */
    struct cached_body *cached;
    enum content_coding coding;
};

static void representation_release(struct representation *found)
{
    if (found->entry.fd >= 0)
        close(found->entry.fd);
    found->entry.fd = -1;
    file_cache_release(found->cached);
    found->cached = NULL;
}

static enum files_result look_up(const struct response_context *context, const char *path, size_t length,
                                 struct representation *found)
{
    const struct tlsd_config *config = context->config;
    found->cached = NULL;
    found->coding = CONTENT_CODING_IDENTITY;
    if (context->file_cache)
        return file_cache_open(context->file_cache, context->root_fd, path, length, config->index,
                               config->serve_dotfiles, context->now, &found->entry, &found->cached);
    return files_open(context->root_fd, path, length, config->index, config->serve_dotfiles, &found->entry);
}

/* The plan takes the representation's bytes [offset, offset + length);
 * with length 0 (HEAD, an empty file, a 304) it takes nothing. */
static void plan_body(struct response_plan *plan, struct representation *found, uint64_t offset, uint64_t length)
{
    if (length == 0) {
        representation_release(found);
        return;
    }
    if (found->cached != NULL) {
        plan->body = RESPONSE_BODY_CACHED;
        plan->cached = found->cached;
        found->cached = NULL;
    } else {
        plan->body = RESPONSE_BODY_FILE;
        plan->fd = found->entry.fd;
        found->entry.fd = -1;
    }
    plan->body_offset = offset;
    plan->body_length = length;
}

/* ---- errors */

/* The site's own page for `status` (error_page), if it has one that can
 * be found: a missing one falls back to the built-in page (tlsd -t and
 * start-up warn about it). */
static bool plan_error_page(const struct response_context *context, struct response_plan *plan, int status,
                            bool is_head)
{
    const char *path = config_error_page(context->config, status);
    struct representation page;
    if (path == NULL || look_up(context, path, strlen(path), &page) != FILES_OK)
        return false;
    plan->content_type = page.entry.content_type;
    plan->content_length = page.entry.size;
    plan_body(plan, &page, 0, is_head ? 0 : page.entry.size);
    return true;
}

/* An error page (or a redirect's), with its body unless the request was
 * HEAD. */
static void plan_error(const struct response_context *context, struct response_plan *plan, int status,
                       bool is_head)
{
    plan->status = status;
    if (status >= 400) {
        plan_cache_control(context, plan, CONFIG_CACHE_ERROR);
        if (plan_error_page(context, plan, status, is_head))
            return;
    }
    plan->content_type = "text/html; charset=utf-8";
    size_t length = http_error_body(plan->inline_body, sizeof plan->inline_body, status);
    plan->content_length = length;
    if (!is_head && length > 0) {
        plan->body = RESPONSE_BODY_INLINE;
        plan->body_length = length;
    }
}

void response_plan_error(const struct response_context *context, struct response_plan *plan, int status)
{
    plan_reset(plan, context, false);
    plan_error(context, plan, status, false);
}

void response_plan_release(struct response_plan *plan)
{
    switch (plan->body) {
    case RESPONSE_BODY_MEMORY:
        free(plan->memory);
        plan->memory = NULL;
        break;
    case RESPONSE_BODY_CACHED:
        file_cache_release(plan->cached);
        plan->cached = NULL;
        break;
    case RESPONSE_BODY_FILE:
        close(plan->fd);
        plan->fd = -1;
        break;
    case RESPONSE_BODY_NONE:
    case RESPONSE_BODY_INLINE:
    default:
        break;
    }
    plan->body = RESPONSE_BODY_NONE;
    plan->body_length = 0;
}

size_t response_redirect_location(const struct http_request *request, char *out, size_t out_size)
{
    char decoded[FILES_MAX_PATH];
    int trailing_slash = 0;
    long decoded_length =
        files_normalize_path(request->path, request->path_length, decoded, sizeof decoded, &trailing_slash);
    if (decoded_length <= 0 || out_size == 0)
        return 0;
    /* The query (and a fragment, if a client sent one) is what follows the
     * path: the target's first '?' or '#', in origin-form and absolute-form
     * alike, since neither a scheme nor an authority holds one. */
    size_t query_at = 0;
    while (query_at < request->target_length && request->target[query_at] != '?' &&
           request->target[query_at] != '#')
        query_at++;
    const char *query = request->target + query_at;
    size_t query_length = request->target_length - query_at;
    /* http_parse_request refuses control bytes; this never sends one anyway */
    for (size_t i = 0; i < query_length; i++)
        if ((unsigned char)query[i] < 0x20 || (unsigned char)query[i] == 0x7f)
            return 0;
    size_t length = http_encode_path(decoded, (size_t)decoded_length, out, out_size);
    if (length == 0)
        return 0;
    bool slash = decoded[decoded_length - 1] != '/';
    if (length + (slash ? 1 : 0) + query_length >= out_size) {
        out[0] = '\0';
        return 0;
    }
    if (slash)
        out[length++] = '/';
    memcpy(out + length, query, query_length);
    length += query_length;
    out[length] = '\0';
    return length;
}

/* The handshake endpoint's representations: the path itself is the JSON,
 * the path plus a suffix the ladder drawn. */
static const struct {
    const char *suffix;
    const char *content_type;
} handshake_formats[] = {
    [RESPONSE_HANDSHAKE_JSON] = { "", "application/json" },
    [RESPONSE_HANDSHAKE_SVG] = { ".svg", "image/svg+xml" },
    [RESPONSE_HANDSHAKE_TEXT] = { ".txt", "text/plain; charset=utf-8" },
};

/* Whether the request is for the handshake endpoint, and in which format. */
static bool is_handshake_endpoint(const struct tlsd_config *config, const struct http_request *request,
                                  enum response_handshake_format *format)
{
    const char *endpoint = config->handshake_endpoint;
    if (endpoint == NULL)
        return false;
    size_t length = strlen(endpoint);
    if (request->path_length < length || memcmp(request->path, endpoint, length) != 0)
        return false;
    for (size_t i = 0; i < sizeof handshake_formats / sizeof *handshake_formats; i++) {
        const char *suffix = handshake_formats[i].suffix;
        if (request->path_length == length + strlen(suffix) &&
            memcmp(request->path + length, suffix, strlen(suffix)) == 0) {
            *format = (enum response_handshake_format)i;
            return true;
        }
    }
    return false;
}

/* This connection's own handshake, and nobody else's: never stored, no
 * validators, and the strictest policy (JSON, an SVG drawn with
 * presentation attributes only, or text: nothing runs in any of them). */
static void plan_handshake_record(const struct response_context *context, struct response_plan *plan,
                                  enum response_handshake_format format, bool is_head)
{
    plan->content_security_policy = RESPONSE_ENDPOINT_CSP;
    if (context->handshake == NULL || context->handshake_body == NULL) {
        plan_error(context, plan, 404, is_head);
        return;
    }
    char *json = context->handshake_body(context->handshake, format);
    if (json == NULL) {
        plan_error(context, plan, 500, is_head);
        return;
    }
    plan->status = 200;
    plan->content_type = handshake_formats[format].content_type;
    plan->content_length = strlen(json);
    plan_add_header(plan, "Cache-Control", "no-store");
    if (is_head || plan->content_length == 0) {
        free(json);
        return;
    }
    plan->body = RESPONSE_BODY_MEMORY;
    plan->memory = json;
    plan->body_length = plan->content_length;
}

/* FILE.br or FILE.gz beside the file the request named (for a directory:
 * beside its index), looked up as safely as the file itself. */
static bool look_up_sibling(const struct response_context *context, const struct http_request *request,
                            const struct files_entry *original, enum content_coding coding,
                            struct representation *sibling)
{
    char path[HTTP_MAX_TARGET_BYTES + 3 * 256 + 8];
    sibling->entry.fd = -1;
    sibling->cached = NULL;
    if (request->path_length >= sizeof path)
        return false;
    size_t used = request->path_length;
    memcpy(path, request->path, used);
    if (original->is_index) {
        const char *index = context->config->index;
        size_t encoded = http_encode_path(index, strlen(index), path + used, sizeof path - used);
        if (encoded == 0)
            return false;
        used += encoded;
    }
    const char *suffix = content_coding_suffix(coding);
    size_t suffix_length = strlen(suffix);
    if (used + suffix_length >= sizeof path)
        return false;
    memcpy(path + used, suffix, suffix_length + 1);   /* with its NUL: files_open takes a length, tidy a string */
    used += suffix_length;
    if (look_up(context, path, used, sibling) != FILES_OK)
        return false;
    sibling->coding = coding;
    return true;
}

/* Which representation to send: the file, or a precompressed sibling the
 * client accepts (accept_encoding_choose). *vary: there is a choice, so
 * caches must key on Accept-Encoding, whatever this client gets. */
static void choose_representation(const struct response_context *context, const struct http_request *request,
                                  struct representation *chosen, bool *vary)
{
    static const enum content_coding codings[] = { CONTENT_CODING_BR, CONTENT_CODING_GZIP };
    struct representation siblings[sizeof codings / sizeof codings[0]];
    unsigned available = 0;
    *vary = false;
    if (!context->config->precompressed)
        return;
    for (size_t i = 0; i < sizeof codings / sizeof codings[0]; i++)
        if (look_up_sibling(context, request, &chosen->entry, codings[i], &siblings[i]))
            available |= CONTENT_CODING_BIT(codings[i]);
    *vary = available != 0;
    enum content_coding coding = accept_encoding_choose(request->accept_encoding.value,
                                                        request->accept_encoding.length, available);
    for (size_t i = 0; i < sizeof codings / sizeof codings[0]; i++) {
        if (codings[i] != coding || coding == CONTENT_CODING_IDENTITY) {
            representation_release(&siblings[i]);
            continue;
        }
        const char *content_type = chosen->entry.content_type;  /* the original's, not application/gzip */
        representation_release(chosen);
        *chosen = siblings[i];
        chosen->entry.content_type = content_type;
    }
}

static enum config_cache_class cache_class_of(const struct representation *found)
{
    const char *type = found->entry.content_type;
    return type != NULL && strncmp(type, "text/html", 9) == 0 ? CONFIG_CACHE_HTML : CONFIG_CACHE_STATIC;
}

/* A class whose Cache-Control says no-store is never kept, so it gets no
 * validators to revalidate with (like the handshake endpoint). */
static bool never_stored(const struct response_context *context, enum config_cache_class class)
{
    const char *value = context->config->cache_control[class];
    return value != NULL && strstr(value, "no-store") != NULL;
}

/* What a 200, 206 and 304 of the representation all carry (RFC 9110
 * 15.4.5: a 304 has what guides caches, not the content's metadata). */
static void plan_validators(const struct response_context *context, struct response_plan *plan,
                            const struct representation *found, const struct conditional_validators *validators,
                            bool vary)
{
    if (validators->etag != NULL)
        plan_add_header(plan, "ETag", validators->etag);
    if (plan->status != 304 && validators->last_modified >= 0) {
        char date[40];
        if (http_date_format(date, sizeof date, validators->last_modified) > 0)
            plan_add_header(plan, "Last-Modified", date);
    }
    plan_cache_control(context, plan, cache_class_of(found));
    if (vary)
        plan_add_header(plan, "Vary", "Accept-Encoding");
    if (plan->status == 304)
        return;
    const char *encoding = content_coding_name(found->coding);
    if (encoding != NULL)
        plan_add_header(plan, "Content-Encoding", encoding);
    plan_add_header(plan, "Accept-Ranges", "bytes");
}

/* The representation, whole or a range of it, or a 304, 412 or 416 for it. */
static void plan_representation(const struct response_context *context, const struct http_request *request,
                                struct response_plan *plan, struct representation *found, bool vary, bool is_head)
{
    const struct files_entry *file = &found->entry;
    char etag[CONDITIONAL_ETAG_SIZE];
    /* an encoded representation has its own: "...-br", "...-gz" */
    const char *etag_suffix = found->coding == CONTENT_CODING_IDENTITY ? NULL : content_coding_suffix(found->coding) + 1;
    size_t etag_length = conditional_etag(etag, sizeof etag, file->inode, file->size, file->mtime,
                                          file->mtime_nanoseconds, etag_suffix);
    /* RFC 9110 8.8.2.1: never a Last-Modified after the response's Date */
    long long last_modified = file->mtime < context->date ? file->mtime : context->date;
    struct conditional_validators validators = { etag_length > 0 ? etag : NULL, etag_length, last_modified };
    if (never_stored(context, cache_class_of(found)))
        validators = (struct conditional_validators){ NULL, 0, -1 };
    uint64_t first = 0, last = 0;
    enum conditional_outcome outcome = conditional_evaluate(request, &validators, file->size, &first, &last);
    if (outcome == CONDITIONAL_PRECONDITION_FAILED || outcome == CONDITIONAL_RANGE_NOT_SATISFIABLE) {
        if (outcome == CONDITIONAL_RANGE_NOT_SATISFIABLE) {
            char range[48];
            snprintf(range, sizeof range, "bytes */%" PRIu64, file->size);
            plan_add_header(plan, "Content-Range", range);
        }
        representation_release(found);
        plan_error(context, plan, (int)outcome, is_head);
        return;
    }
    plan->status = (int)outcome;
    plan_validators(context, plan, found, &validators, vary);
    if (outcome == CONDITIONAL_NOT_MODIFIED) {
        representation_release(found);
        return;
    }
    uint64_t offset = 0, length = file->size;
    if (outcome == CONDITIONAL_PARTIAL) {
        char range[80];
        snprintf(range, sizeof range, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, file->size);
        plan_add_header(plan, "Content-Range", range);
        offset = first;
        length = last - first + 1;
    }
    plan->content_type = file->content_type;
    plan->content_length = length;
    plan_body(plan, found, offset, is_head ? 0 : length);
}

/* ENDPOINT.pcapng: this connection's own bytes and secrets (capture.h). */
static bool is_capture_endpoint(const struct tlsd_config *config, const struct http_request *request)
{
    const char *endpoint = config->handshake_endpoint;
    size_t length = endpoint ? strlen(endpoint) : 0;
    size_t suffix = sizeof RESPONSE_CAPTURE_SUFFIX - 1;
    return endpoint && request->path_length == length + suffix && memcmp(request->path, endpoint, length) == 0 &&
           memcmp(request->path + length, RESPONSE_CAPTURE_SUFFIX, suffix) == 0;
}

/* Like the record: never stored, the endpoint's policy; a download. */
static void plan_capture(const struct response_context *context, struct response_plan *plan, bool is_head)
{
    plan->content_security_policy = RESPONSE_ENDPOINT_CSP;
    if (context->capture == NULL || context->capture_pcapng == NULL) {
        plan_error(context, plan, 404, is_head);
        return;
    }
    size_t length = 0;
    char *pcapng = context->capture_pcapng(context->capture, &length);
    if (pcapng == NULL) {
        plan_error(context, plan, 500, is_head);
        return;
    }
    char disposition[64];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"tlsd-conn-%" PRIu64 ".pcapng\"",
             context->connection_id);
    plan->status = 200;
    plan->content_type = "application/x-pcapng";
    plan->content_length = length;
    plan_add_header(plan, "Cache-Control", "no-store");
    plan_add_header(plan, "Content-Disposition", disposition);
    if (is_head || length == 0) {
        free(pcapng);
        return;
    }
    plan->body = RESPONSE_BODY_MEMORY;
    plan->memory = pcapng;
    plan->body_length = length;
}

static void plan_file(const struct response_context *context, const struct http_request *request,
                      struct response_plan *plan, bool is_head)
{
    struct representation found;
    switch (look_up(context, request->path, request->path_length, &found)) {
    case FILES_OK: {
        bool vary = false;
        choose_representation(context, request, &found, &vary);
        plan_representation(context, request, plan, &found, vary, is_head);
        return;
    }
    case FILES_REDIRECT_SLASH: {
        char location[HTTP_MAX_TARGET_BYTES * 3 + 2];
        if (response_redirect_location(request, location, sizeof location) == 0) {
            plan_error(context, plan, 404, is_head);
            return;
        }
        plan_add_header(plan, "Location", location);
        plan_error(context, plan, 301, is_head);
        return;
    }
    case FILES_BAD_PATH:
        plan->keep_alive = false;
        plan_error(context, plan, 400, is_head);
        return;
    case FILES_HIDDEN:
        plan->log_reason = "hidden_file";  /* the client sees a plain 404 */
        plan_error(context, plan, 404, is_head);
        return;
    case FILES_NOT_FOUND:
    case FILES_FORBIDDEN:
    default:
        plan_error(context, plan, 404, is_head);
        return;
    }
}

void response_plan(const struct response_context *context, const struct http_request *request,
                   struct response_plan *plan)
{
    bool is_head = request->method == HTTP_METHOD_HEAD;
    plan_reset(plan, context, request->keep_alive);
    if (request->method == HTTP_METHOD_OTHER) {
        /* the body of a method we do not serve would have to be read
         * and discarded to stay in step: close instead */
        plan->keep_alive = plan->keep_alive && !request->has_body;
        plan_add_header(plan, "Allow", "GET, HEAD");
        plan_error(context, plan, 405, false);
        return;
    }
    if (request->has_body) {
        /* A GET or HEAD with a body: the same; refusing and closing is
         * simpler and safe. */
        plan->keep_alive = false;
        plan_error(context, plan, 413, is_head);
        return;
    }
    enum response_handshake_format format;
    if (is_handshake_endpoint(context->config, request, &format)) {
        plan_handshake_record(context, plan, format, is_head);
        return;
    }
    if (is_capture_endpoint(context->config, request)) {
        plan_capture(context, plan, is_head);
        return;
    }
    plan_file(context, request, plan, is_head);
}

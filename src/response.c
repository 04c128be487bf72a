/* SPDX-License-Identifier: Apache-2.0 */
/* response.c: what to answer a request (status, headers, body source),
 * decided apart from how connection.c sends it. */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "file_cache.h"
#include "files.h"

static void plan_reset(struct response_plan *plan, bool keep_alive)
{
    plan->status = 0;
    plan->content_type = NULL;
    plan->content_length = 0;
    plan->keep_alive = keep_alive;
    plan->log_reason = NULL;
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

/* An error page, with its body unless the request was HEAD. */
static void plan_error(struct response_plan *plan, int status, bool is_head)
{
    plan->status = status;
    plan->content_type = "text/html; charset=utf-8";
    size_t length = http_error_body(plan->inline_body, sizeof plan->inline_body, status);
    plan->content_length = length;
    if (!is_head && length > 0) {
        plan->body = RESPONSE_BODY_INLINE;
        plan->body_length = length;
    }
}

void response_plan_error(struct response_plan *plan, int status)
{
    plan_reset(plan, false);
    plan_error(plan, status, false);
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

static bool is_handshake_endpoint(const struct tlsd_config *config, const struct http_request *request)
{
    const char *endpoint = config->handshake_endpoint;
    return endpoint && request->path_length == strlen(endpoint) &&
           memcmp(request->path, endpoint, request->path_length) == 0;
}

/* This connection's own handshake, and nobody else's. */
static void plan_handshake_record(const struct response_context *context, struct response_plan *plan,
                                  bool is_head)
{
    if (context->handshake == NULL || context->handshake_json == NULL) {
        plan_error(plan, 404, is_head);
        return;
    }
    char *json = context->handshake_json(context->handshake);
    if (json == NULL) {
        plan_error(plan, 500, is_head);
        return;
    }
    plan->status = 200;
    plan->content_type = "application/json";
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

static enum files_result look_up(const struct response_context *context, const struct http_request *request,
                                 struct files_entry *entry, struct cached_body **cached)
{
    const struct tlsd_config *config = context->config;
    *cached = NULL;
    if (context->file_cache)
        return file_cache_open(context->file_cache, context->root_fd, request->path, request->path_length,
                               config->index, config->serve_dotfiles, context->now, entry, cached);
    return files_open(context->root_fd, request->path, request->path_length, config->index,
                      config->serve_dotfiles, entry);
}

static void plan_file(const struct response_context *context, const struct http_request *request,
                      struct response_plan *plan, bool is_head)
{
    struct files_entry entry;
    struct cached_body *cached = NULL;
    switch (look_up(context, request, &entry, &cached)) {
    case FILES_OK:
        plan->status = 200;
        plan->content_type = entry.content_type;
        plan->content_length = entry.size;
        if (is_head || entry.size == 0) {
            if (entry.fd >= 0)
                close(entry.fd);
            file_cache_release(cached);
        } else if (cached) {
            plan->body = RESPONSE_BODY_CACHED;
            plan->cached = cached;
            plan->body_length = entry.size;
        } else {
            plan->body = RESPONSE_BODY_FILE;
            plan->fd = entry.fd;
            plan->body_length = entry.size;
        }
        return;
    case FILES_REDIRECT_SLASH: {
        char location[HTTP_MAX_TARGET_BYTES * 3 + 2];
        if (response_redirect_location(request, location, sizeof location) == 0) {
            plan_error(plan, 404, is_head);
            return;
        }
        plan_add_header(plan, "Location", location);
        plan_error(plan, 301, is_head);
        return;
    }
    case FILES_BAD_PATH:
        plan->keep_alive = false;
        plan_error(plan, 400, is_head);
        return;
    case FILES_HIDDEN:
        plan->log_reason = "hidden_file";  /* the client sees a plain 404 */
        plan_error(plan, 404, is_head);
        return;
    case FILES_NOT_FOUND:
    case FILES_FORBIDDEN:
    default:
        plan_error(plan, 404, is_head);
        return;
    }
}

void response_plan(const struct response_context *context, const struct http_request *request,
                   struct response_plan *plan)
{
    bool is_head = request->method == HTTP_METHOD_HEAD;
    plan_reset(plan, request->keep_alive);
    if (request->method == HTTP_METHOD_OTHER) {
        /* the body of a method we do not serve would have to be read
         * and discarded to stay in step: close instead */
        plan->keep_alive = plan->keep_alive && !request->has_body;
        plan_add_header(plan, "Allow", "GET, HEAD");
        plan_error(plan, 405, false);
        return;
    }
    if (request->has_body) {
        /* A GET or HEAD with a body: the same; refusing and closing is
         * simpler and safe. */
        plan->keep_alive = false;
        plan_error(plan, 413, is_head);
        return;
    }
    if (is_handshake_endpoint(context->config, request)) {
        plan_handshake_record(context, plan, is_head);
        return;
    }
    plan_file(context, request, plan, is_head);
}

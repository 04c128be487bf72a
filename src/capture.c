/* SPDX-License-Identifier: Apache-2.0 */
/* capture.c: one connection's own bytes and secrets, bounded, and the
 * pcapng file made of them (capture.h). */
#include "capture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pcapng.h"

/* a chunk: from_client (1 byte), 3 bytes 0, length (4), microseconds (8), bytes */
#define CHUNK_HEADER 16
#define FIRST_ALLOCATION 4096
#define FIRST_SECRETS_ALLOCATION 256   /* TLS 1.2's one line (176 bytes) */

struct capture {
    uint64_t id;
    uint64_t opened_at;           /* microseconds since the epoch */
    struct pcapng_flow flow;      /* addresses and ports; the sequence numbers start here */
    unsigned char *chunks;
    size_t used, allocated;
    bool client_stopped, server_stopped;
    size_t secrets_length, secrets_allocated;
    unsigned char *secrets;
};

static uint64_t now_microseconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (uint64_t)now.tv_sec * 1000000U + (uint64_t)now.tv_nsec / 1000U;
}

/* "192.0.2.1:443" or "[2001:db8::1]:443" into an address and a port. */
static bool parse_peer(const char *peer, bool *ipv6, uint8_t address[16], uint16_t *port)
{
    char host[64];
    const char *colon = strrchr(peer, ':');
    if (colon == NULL || (size_t)(colon - peer) >= sizeof host)
        return false;
    size_t length = (size_t)(colon - peer);
    *ipv6 = peer[0] == '[';
    if (*ipv6) {
        if (length < 2 || peer[length - 1] != ']')
            return false;
        memcpy(host, peer + 1, length - 2);
        host[length - 2] = '\0';
    } else {
        memcpy(host, peer, length);
        host[length] = '\0';
    }
    *port = (uint16_t)strtoul(colon + 1, NULL, 10);
    return inet_pton(*ipv6 ? AF_INET6 : AF_INET, host, address) == 1;
}

/* The local end of `fd`, in the peer's family (a PROXY header may give
 * another: then the unspecified address, with the port). */
static void local_end(int fd, bool ipv6, uint8_t address[16], uint16_t *port)
{
    struct sockaddr_storage local = { .ss_family = AF_UNSPEC };
    socklen_t length = sizeof local;
    memset(address, 0, 16);
    *port = 0;
    if (getsockname(fd, (struct sockaddr *)&local, &length) != 0)
        return;
    if (local.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&local;
        *port = ntohs(in6->sin6_port);
        if (ipv6)
            memcpy(address, &in6->sin6_addr, 16);
        else if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            memcpy(address, (const uint8_t *)&in6->sin6_addr + 12, 4);
    } else if (local.ss_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)&local;
        *port = ntohs(in4->sin_port);
        if (!ipv6)
            memcpy(address, &in4->sin_addr, 4);
    }
}

struct capture *capture_create(uint64_t id, const char *peer, int fd)
{
    struct capture *capture = calloc(1, sizeof *capture);
    if (capture == NULL)
        return NULL;
    bool ipv6 = false;
    uint8_t client[16] = { 0 }, server[16];
    uint16_t client_port = 0, server_port;
    const char *client_text = peer;
    char mapped[64];
    /* an IPv4 client on a dual-stack socket is written ::ffff:a.b.c.d */
    if (strncmp(peer, "[::ffff:", 8) == 0 && strchr(peer, '.') != NULL) {
        const char *end = strchr(peer, ']');
        if (end != NULL && (size_t)(end - peer) < sizeof mapped) {
            snprintf(mapped, sizeof mapped, "%.*s%s", (int)(end - peer - 8), peer + 8, end + 1);
            client_text = mapped;
        }
    }
    if (!parse_peer(client_text, &ipv6, client, &client_port))
        memset(client, 0, sizeof client);
    local_end(fd, ipv6, server, &server_port);
    pcapng_flow_init(&capture->flow, ipv6, client, client_port, server, server_port);
    capture->id = id;
    capture->opened_at = now_microseconds();
    return capture;
}

void capture_free(struct capture *capture)
{
    if (capture == NULL)
        return;
    free(capture->chunks);
    if (capture->secrets)
        explicit_bzero(capture->secrets, capture->secrets_allocated);
    free(capture->secrets);
    free(capture);
}

bool capture_full(const struct capture *capture)
{
    return capture->client_stopped && capture->server_stopped;
}

/* Resize a buffer holding `used` bytes to `size`. Secrets are moved by
 * hand, so that no copy is left unwiped in freed memory. */
static bool resize(unsigned char **buffer, size_t *allocated, size_t used, size_t size, bool secret)
{
    unsigned char *moved = secret ? malloc(size) : realloc(*buffer, size);
    if (moved == NULL)
        return false;
    if (secret && *buffer != NULL) {
        memcpy(moved, *buffer, used);
        explicit_bzero(*buffer, *allocated);
        free(*buffer);
    }
    *buffer = moved;
    *allocated = size;
    return true;
}

/* Room for `needed` more bytes, growing by doubling from `first` up to `cap`. */
static bool make_room(unsigned char **buffer, size_t *allocated, size_t used, size_t needed, size_t first,
                      size_t cap, bool secret)
{
    if (used + needed <= *allocated)
        return true;
    size_t size = *allocated ? *allocated : first;
    while (size < used + needed)
        size *= 2;
    if (size > cap)
        size = cap;
    return used + needed <= size && resize(buffer, allocated, used, size, secret);
}

void capture_compact(struct capture *capture)
{
    /* an idle connection keeps what it captured and no room to spare;
     * the next bytes grow it again */
    if (capture->used > 0 && capture->used < capture->allocated)
        resize(&capture->chunks, &capture->allocated, capture->used, capture->used, false);
    if (capture->secrets_length > 0 && capture->secrets_length < capture->secrets_allocated)
        resize(&capture->secrets, &capture->secrets_allocated, capture->secrets_length, capture->secrets_length,
               true);
}

void capture_bytes(struct capture *capture, bool from_client, const unsigned char *bytes, size_t length)
{
    bool *stopped = from_client ? &capture->client_stopped : &capture->server_stopped;
    size_t limit = from_client ? CAPTURE_MAX_BYTES : CAPTURE_MAX_BYTES - CAPTURE_CLIENT_RESERVE;
    if (*stopped || length == 0)
        return;
    if (capture->used + CHUNK_HEADER + length > limit ||
        !make_room(&capture->chunks, &capture->allocated, capture->used, CHUNK_HEADER + length, FIRST_ALLOCATION,
                   CAPTURE_MAX_BYTES, false)) {
        *stopped = true;
        return;
    }
    unsigned char *chunk = capture->chunks + capture->used;
    uint32_t length32 = (uint32_t)length;
    uint64_t at = now_microseconds();
    memset(chunk, 0, CHUNK_HEADER);
    chunk[0] = from_client ? 1 : 0;
    memcpy(chunk + 4, &length32, 4);
    memcpy(chunk + 8, &at, 8);
    memcpy(chunk + CHUNK_HEADER, bytes, length);
    capture->used += CHUNK_HEADER + length;
}

void capture_key_log(struct capture *capture, const char *line, size_t length)
{
    if (!make_room(&capture->secrets, &capture->secrets_allocated, capture->secrets_length, length,
                   FIRST_SECRETS_ALLOCATION, CAPTURE_MAX_SECRETS, true))
        return;
    memcpy(capture->secrets + capture->secrets_length, line, length);
    capture->secrets_length += length;
}

/* The file's comment: what it is, and where it stops. */
static void describe(const struct capture *capture, char *out, size_t size)
{
    int used = snprintf(out, size,
                        "tlsd connection %llu: its bytes as tlsd received and sent them, from the first; "
                        "IP and TCP headers synthesized; its own TLS secrets (Decryption Secrets Block)",
                        (unsigned long long)capture->id);
    if (used <= 0 || (size_t)used >= size || !(capture->client_stopped || capture->server_stopped))
        return;
    snprintf(out + used, size - (size_t)used, ". Capture stopped for %s: at most %u bytes are kept per connection",
             capture->client_stopped && capture->server_stopped ? "both directions"
             : capture->server_stopped                          ? "the server's bytes"
                                                                : "the client's bytes",
             (unsigned)CAPTURE_MAX_BYTES);
}

/* Walks the chunks: from_client, time, bytes. Returns the next offset, 0 at the end. */
static size_t next_chunk(const struct capture *capture, size_t at, bool *from_client, uint64_t *time,
                         const unsigned char **bytes, size_t *length)
{
    if (at + CHUNK_HEADER > capture->used)
        return 0;
    const unsigned char *chunk = capture->chunks + at;
    uint32_t length32;
    *from_client = chunk[0] != 0;
    memcpy(&length32, chunk + 4, 4);
    memcpy(time, chunk + 8, 8);
    *bytes = chunk + CHUNK_HEADER;
    *length = length32;
    return at + CHUNK_HEADER + length32;
}

unsigned char *capture_pcapng(const struct capture *capture, size_t *length)
{
    char comment[400];
    describe(capture, comment, sizeof comment);
    struct pcapng_flow flow = capture->flow;
    size_t total = pcapng_header_size(comment) + pcapng_secrets_size(capture->secrets_length) +
                   3 * pcapng_packet_size(&flow, 0);
    bool from_client;
    uint64_t time;
    const unsigned char *bytes;
    size_t size;
    for (size_t at = 0; (at = next_chunk(capture, at, &from_client, &time, &bytes, &size)) != 0;)
        total += pcapng_packet_size(&flow, size);
    unsigned char *out = malloc(total);
    if (out == NULL)
        return NULL;
    size_t used = pcapng_write_header(out, total, comment);
    used += pcapng_write_secrets(out + used, total - used, (const char *)capture->secrets, capture->secrets_length);
    used += pcapng_write_tcp_open(out + used, total - used, &flow, capture->opened_at);
    for (size_t at = 0; (at = next_chunk(capture, at, &from_client, &time, &bytes, &size)) != 0;)
        used += pcapng_write_segment(out + used, total - used, &flow, from_client, time, bytes, size);
    *length = used;
    return out;
}

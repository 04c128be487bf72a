/* SPDX-License-Identifier: Apache-2.0 */
/* proxy_protocol.h: the PROXY protocol header (versions 1 and 2) that a
 * load balancer such as HAProxy sends before the client's first byte, to
 * say who the client really is.
 * Spec: https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt
 *
 * The parser is a pure function over a buffer: no I/O, no allocation. */
#ifndef TLSD_PROXY_PROTOCOL_H
#define TLSD_PROXY_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* A version 1 header is at most 107 bytes, CRLF included (spec 2.1). */
#define PROXY_PROTOCOL_V1_MAX_HEADER 107
/* Version 2 headers may carry TLVs; anything longer than this is refused
 * (nginx has the same bound). */
#define PROXY_PROTOCOL_MAX_HEADER 4096

enum proxy_parse_result {
    PROXY_PARSE_COMPLETE,    /* a whole, valid header: header->length bytes */
    PROXY_PARSE_INCOMPLETE,  /* a valid beginning: wait for more bytes */
    PROXY_PARSE_ERROR,       /* not a valid header: *reason says why */
};

struct proxy_header {
    int version;                          /* 1 or 2 */
    size_t length;                        /* bytes the header takes, to be consumed */
    /* false for v2 LOCAL (the proxy's own health check), v1 UNKNOWN, and
     * v2 families without an IP address (UNSPEC, UNIX): the connection's
     * own addresses stand. */
    bool has_addresses;
    struct sockaddr_storage source;       /* the client, port in network order */
    socklen_t source_length;
    struct sockaddr_storage destination;  /* the address the client connected to */
    socklen_t destination_length;
};

/* Parse the header at the start of `bytes`. On PROXY_PARSE_ERROR,
 * *reason is a static English phrase such as "version 1 header has no
 * CRLF within 107 bytes"; otherwise it is NULL. *header is all zeros
 * unless the result is PROXY_PARSE_COMPLETE. Bytes after the header are
 * not looked at. `bytes` may be NULL when `length` is 0; `header` and
 * `reason` may be NULL when not wanted.
 *
 * Re-run it from the start as bytes arrive: a valid beginning is
 * INCOMPLETE, and anything that cannot become a header is an ERROR as soon
 * as the byte that shows it is in (a TLS ClientHello on its first byte). */
enum proxy_parse_result proxy_protocol_parse(const unsigned char *bytes, size_t length,
                                             struct proxy_header *header, const char **reason);

#endif

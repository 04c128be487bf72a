/* SPDX-License-Identifier: Apache-2.0 */
/* networks.h: lists of IP networks ("10.0.0.0/8", "::1", "192.0.2.7/32")
 * and whether an address falls in one, for proxy_from. */
#ifndef TLSD_NETWORKS_H
#define TLSD_NETWORKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct network {
    int family;                  /* AF_INET or AF_INET6 */
    unsigned char address[16];   /* 4 bytes used for AF_INET; host bits are zero */
    unsigned prefix_length;      /* 0..32 or 0..128 */
};

/* Parse "ADDR" (a single host) or "ADDR/PREFIX", numeric only. Host bits
 * set beyond the prefix ("10.0.0.1/8") are an error, as a typo is more
 * likely than intent. Returns 0, or -1 with the reason in `error`. */
int network_parse(const char *text, struct network *out, char *error, size_t error_size);

/* Whether `address` (AF_INET or AF_INET6; an IPv4-mapped IPv6 address
 * counts as its IPv4 address) is inside `network`. */
bool network_contains(const struct network *network, const struct sockaddr *address);

/* "10.0.0.0/8" */
void network_format(const struct network *network, char *out, size_t size);

#endif

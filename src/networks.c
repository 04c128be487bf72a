/* SPDX-License-Identifier: Apache-2.0 */
/* networks.c: IP networks for proxy_from. */
#include "networks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int network_parse(const char *text, struct network *out, char *error, size_t error_size)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(text, '/');
    size_t host_length = slash ? (size_t)(slash - text) : strlen(text);
    struct network result;
    memset(&result, 0, sizeof result);

    if (host_length == 0 || host_length >= sizeof host) {
        snprintf(error, error_size, "'%s' is not an IP address or ADDR/PREFIX network", text);
        return -1;
    }
    memcpy(host, text, host_length);
    host[host_length] = '\0';
    unsigned max_prefix;
    if (inet_pton(AF_INET, host, result.address) == 1) {
        result.family = AF_INET;
        max_prefix = 32;
    } else if (inet_pton(AF_INET6, host, result.address) == 1) {
        result.family = AF_INET6;
        max_prefix = 128;
    } else {
        snprintf(error, error_size, "'%s' is not a numeric IP address (host names are not looked up)", host);
        return -1;
    }
    result.prefix_length = max_prefix;
    if (slash) {
        const char *digits = slash + 1;
        unsigned long prefix = 0;
        size_t count = strspn(digits, "0123456789");
        if (count == 0 || count > 3 || digits[count] != '\0' || (count > 1 && digits[0] == '0')) {
            snprintf(error, error_size, "'%s': the prefix length after '/' must be a number from 0 to %u",
                     text, max_prefix);
            return -1;
        }
        for (size_t i = 0; i < count; i++)
            prefix = prefix * 10 + (unsigned long)(digits[i] - '0');
        if (prefix > max_prefix) {
            snprintf(error, error_size, "'%s': the prefix length after '/' must be a number from 0 to %u",
                     text, max_prefix);
            return -1;
        }
        result.prefix_length = (unsigned)prefix;
    }
    size_t bytes = max_prefix / 8;
    for (size_t i = 0; i < bytes; i++) {
        unsigned bits_here = result.prefix_length > i * 8 ? result.prefix_length - (unsigned)i * 8 : 0;
        unsigned char mask = bits_here >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits_here));
        if (result.address[i] & (unsigned char)~mask) {
            snprintf(error, error_size, "'%s' has host bits set beyond /%u (did you mean the network's first "
                     "address?)", text, result.prefix_length);
            return -1;
        }
    }
    *out = result;
    return 0;
}

bool network_contains(const struct network *network, const struct sockaddr *address)
{
    const unsigned char *bytes;
    int family = address->sa_family;
    if (family == AF_INET) {
        bytes = (const unsigned char *)&((const struct sockaddr_in *)address)->sin_addr;
    } else if (family == AF_INET6) {
        const struct in6_addr *in6 = &((const struct sockaddr_in6 *)address)->sin6_addr;
        bytes = in6->s6_addr;
        if (IN6_IS_ADDR_V4MAPPED(in6)) {
            family = AF_INET;
            bytes += 12;
        }
    } else {
        return false;
    }
    if (family != network->family)
        return false;
    unsigned full_bytes = network->prefix_length / 8;
    unsigned rest_bits = network->prefix_length % 8;
    if (memcmp(bytes, network->address, full_bytes) != 0)
        return false;
    if (rest_bits == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest_bits));
    return (bytes[full_bytes] & mask) == network->address[full_bytes];
}

void network_format(const struct network *network, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    inet_ntop(network->family, network->address, host, sizeof host);
    snprintf(out, size, "%s/%u", host, network->prefix_length);
}

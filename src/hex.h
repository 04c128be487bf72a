/* SPDX-License-Identifier: Apache-2.0 */
/* hex.h: hexadecimal both ways, the one copy tlsd has: reading hex (URL
 * %-escapes in files.c, ticket keys in ticket_keys.c) and writing it (key
 * log lines, ticket key names and files, JA3/JA4 hashes, %-escapes in
 * http.c). Header-only and pure: no I/O, no allocation. */
#ifndef TLSD_HEX_H
#define TLSD_HEX_H

#include <stddef.h>

/* 0..15, or -1 for a byte that is not a hex digit (either case). */
static inline int hex_digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The digit for the low four bits of `value`: lower case, as key logs,
 * ticket key files and JA3/JA4 have it. */
static inline char hex_digit(unsigned value)
{
    return "0123456789abcdef"[value & 15u];
}

/* Upper case, for URL %-escapes (RFC 3986 2.1: producers should use it). */
static inline char hex_digit_upper(unsigned value)
{
    return "0123456789ABCDEF"[value & 15u];
}

/* `length` bytes as 2 * `length` lower-case digits at `out`, without a
 * NUL: callers write hex into the middle of lines. Returns 2 * length. */
static inline size_t hex_encode(const unsigned char *bytes, size_t length, char *out)
{
    for (size_t i = 0; i < length; i++) {
        out[2 * i] = hex_digit(bytes[i] >> 4);
        out[2 * i + 1] = hex_digit(bytes[i]);
    }
    return 2 * length;
}

#endif

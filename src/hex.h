/* hex.h: the value of one hexadecimal digit, for the parsers that read
 * hex (URL %-escapes in files.c, ticket keys in ticket_keys.c). */
#ifndef TLSD_HEX_H
#define TLSD_HEX_H

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

#endif

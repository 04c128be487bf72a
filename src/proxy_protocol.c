/* SPDX-License-Identifier: Apache-2.0 */
/* proxy_protocol.c: the PROXY protocol header parser (see proxy_protocol.h).
 *
 * The parser reads untrusted bytes: it is a pure function over
 * bytes[0..length), allocates nothing, keeps no state, and never looks at a
 * byte past the end of the header it finds. It is re-run from the start each
 * time more bytes arrive; a header is at most PROXY_PROTOCOL_MAX_HEADER
 * bytes, so that costs little and keeps the caller simple.
 *
 * Decisions are taken as early as the bytes allow, and only on bytes
 * already seen, so the answer for a prefix never contradicts the answer for
 * the whole: a prefix of a valid header is INCOMPLETE, and once a prefix is
 * an ERROR every longer input is too. A client that speaks TLS (or HTTP)
 * straight to a port that expects a PROXY header is refused on its first
 * byte instead of being waited for.
 *
 * Decisions beyond the spec's MUSTs, all on the strict side:
 * - Version 1: printable ASCII only; "PROXY UNKNOWN" may be followed by a
 *   space and printable text, which is ignored.
 * - Version 1: while a field is still arriving, IPv4 addresses and ports
 *   are checked exactly as a prefix; an IPv6 address only by its
 *   characters, its length, at most one "::" and at most 4 hex digits in a
 *   row (a complete one is checked with inet_pton).
 * - Version 2: the family byte must be one of the seven the spec lists,
 *   for LOCAL too (the spec: other values "must be rejected"), although it
 *   also says LOCAL's family "is ignored" and HAProxy's own receiver skips
 *   LOCAL's block unread. LOCAL skips the address block its family implies
 *   and its TLVs are checked like PROXY's, CRC32c included: HAProxy sends
 *   LOCAL as UNSPEC with no block, or with "proxy-v2-options crc32c" just a
 *   CRC32c TLV, and a sender whose checksum is wrong must be refused.
 * - Version 2 datagram (UDP, UNIX datagram) with the PROXY command is
 *   refused: tlsd serves TCP. UNSPEC and UNIX stream are accepted without
 *   addresses, as the spec allows.
 * - Version 2 TLVs must tile the rest of the header exactly; at most one
 *   CRC32c TLV (type 0x03; 0x04 is NOOP), exactly 4 bytes, and it must
 *   match. Other TLVs (ALPN, authority, unique id, SSL, NOOP, custom) are
 *   skipped.
 */
#include "proxy_protocol.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------ common */

static const char tls_instead_reason[] =
    "a TLS handshake instead of a PROXY header: the client did not come through the load balancer";
static const char text_instead_reason[] =
    "plain text (such as an HTTP request) instead of a PROXY header: "
    "the client did not come through the load balancer";
static const char no_signature_reason[] =
    "neither a version 1 (\"PROXY \") nor a version 2 PROXY protocol signature";

static bool is_printable_ascii(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

/* The first byte of a TLS record carrying a handshake message. */
#define TLS_HANDSHAKE_CONTENT_TYPE 0x16

/* What the peer most likely sent instead, said as precisely as the first
 * byte that differs allows: the usual mistake is a client that bypassed the
 * load balancer. */
static const char *not_a_proxy_header_reason(const unsigned char *bytes, size_t differs_at)
{
    if (bytes[0] == TLS_HANDSHAKE_CONTENT_TYPE)
        return tls_instead_reason;
    if (bytes[0] >= 'A' && bytes[0] <= 'Z' && is_printable_ascii(bytes[differs_at]))
        return text_instead_reason;
    return no_signature_reason;
}

/* ------------------------------------------------------------ version 1 */

#define V1_PREFIX "PROXY "

/* Longest text forms: "255.255.255.255" and
 * "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". */
#define IPV4_TEXT_MAX 15
#define IPV6_TEXT_MAX 45
#define PORT_TEXT_MAX 5

enum literal_match { LITERAL_MATCH, LITERAL_INCOMPLETE, LITERAL_MISMATCH };

/* Whether bytes[position..end) starts with `literal`, or is a prefix of it;
 * *matched counts the bytes that agree. */
static enum literal_match match_literal(const unsigned char *bytes, size_t position, size_t end,
                                        const char *literal, size_t *matched)
{
    for (*matched = 0; literal[*matched] != '\0'; ++*matched) {
        if (position + *matched >= end)
            return LITERAL_INCOMPLETE;
        if (bytes[position + *matched] != (unsigned char)literal[*matched])
            return LITERAL_MISMATCH;
    }
    return LITERAL_MATCH;
}

static bool is_decimal_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool is_hex_digit(unsigned char c)
{
    return is_decimal_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

enum v1_field_kind { FIELD_IPV4, FIELD_IPV6, FIELD_PORT };

struct v1_field {
    enum v1_field_kind kind;
    const char *invalid_reason;
};

/* A dotted quad, or (when `partial`) the beginning of one: at most four
 * groups of 1-3 digits, each 0-255 without a leading zero. The spec forbids
 * leading zeros ("confusion with octal"), which not every inet_pton does. */
static bool ipv4_text_is_valid(const unsigned char *text, size_t length, bool partial)
{
    unsigned groups = 1, group_value = 0;
    size_t group_digits = 0;

    if (length > IPV4_TEXT_MAX)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '.') {
            if (group_digits == 0 || ++groups > 4)
                return false;
            group_digits = 0;
            group_value = 0;
            continue;
        }
        if (!is_decimal_digit(text[i]) || (group_digits == 1 && group_value == 0))
            return false;
        group_value = group_value * 10 + (unsigned)(text[i] - '0');
        if (++group_digits > 3 || group_value > 255)
            return false;
    }
    return partial || (groups == 4 && group_digits > 0);
}

/* The beginning of an IPv6 address, judged by what can never become one:
 * a bad character, too long, ":::", a second "::", 5 hex digits in a row. */
static bool ipv6_text_may_be_prefix(const unsigned char *text, size_t length)
{
    size_t digits_in_a_row = 0;
    bool seen_double_colon = false;

    if (length > IPV6_TEXT_MAX)
        return false;
    for (size_t i = 0; i < length; i++) {
        if (is_hex_digit(text[i])) {
            if (++digits_in_a_row > 4)
                return false;
            continue;
        }
        digits_in_a_row = 0;
        if (text[i] == '.')
            continue;
        if (text[i] != ':')
            return false;
        if (i > 0 && text[i - 1] == ':') {
            if (seen_double_colon)
                return false;   /* ":::" or a second "::" */
            seen_double_colon = true;
        }
    }
    return true;
}

/* A decimal port 0-65535 without sign or leading zero, or (when `partial`)
 * the beginning of one. */
static bool port_text_is_valid(const unsigned char *text, size_t length, bool partial,
                               unsigned *port)
{
    unsigned value = 0;

    if (length > PORT_TEXT_MAX || (length == 0 && !partial) || (length > 1 && text[0] == '0'))
        return false;
    for (size_t i = 0; i < length; i++) {
        if (!is_decimal_digit(text[i]))
            return false;
        value = value * 10 + (unsigned)(text[i] - '0');
    }
    *port = value;
    return value <= 65535;
}

static bool field_char_is_allowed(enum v1_field_kind kind, unsigned char c)
{
    switch (kind) {
    case FIELD_IPV4: return is_decimal_digit(c) || c == '.';
    case FIELD_IPV6: return is_hex_digit(c) || c == ':' || c == '.';
    case FIELD_PORT: return is_decimal_digit(c);
    }
    return false;
}

static bool field_may_be_prefix(const struct v1_field *field, const unsigned char *text,
                                size_t length)
{
    unsigned ignored_port;

    switch (field->kind) {
    case FIELD_IPV4: return ipv4_text_is_valid(text, length, true);
    case FIELD_IPV6: return ipv6_text_may_be_prefix(text, length);
    case FIELD_PORT: return port_text_is_valid(text, length, true, &ignored_port);
    }
    return false;
}

/* A complete address field into `address` (port left 0). */
static bool address_field_parse(const struct v1_field *field, const unsigned char *text,
                                size_t length, struct sockaddr_storage *address,
                                socklen_t *address_length)
{
    char nul_terminated[IPV6_TEXT_MAX + 1];

    if (length == 0 || length > IPV6_TEXT_MAX || !field_may_be_prefix(field, text, length))
        return false;
    if (field->kind == FIELD_IPV4 && !ipv4_text_is_valid(text, length, false))
        return false;
    memcpy(nul_terminated, text, length);
    nul_terminated[length] = '\0';

    memset(address, 0, sizeof *address);
    if (field->kind == FIELD_IPV4) {
        struct sockaddr_in *ipv4 = (struct sockaddr_in *)address;
        ipv4->sin_family = AF_INET;
        *address_length = sizeof *ipv4;
        return inet_pton(AF_INET, nul_terminated, &ipv4->sin_addr) == 1;
    }
    struct sockaddr_in6 *ipv6 = (struct sockaddr_in6 *)address;
    ipv6->sin6_family = AF_INET6;
    *address_length = sizeof *ipv6;
    return inet_pton(AF_INET6, nul_terminated, &ipv6->sin6_addr) == 1;
}

static void address_set_port(struct sockaddr_storage *address, unsigned port)
{
    if (address->ss_family == AF_INET)
        ((struct sockaddr_in *)address)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)address)->sin6_port = htons((uint16_t)port);
}

/* Why a byte cannot be where it is, for bytes that are no field's. */
static const char *v1_stray_byte_reason(unsigned char c, const char *otherwise)
{
    if (c == '\n')
        return "version 1 header has an LF without a CR before it";
    if (!is_printable_ascii(c) && c != '\r')
        return "version 1 header has a byte that is not printable ASCII";
    return otherwise;
}

/* The field at *position, which ends at `delimiter` (' ' between fields, '\r'
 * after the last). On success *text and *text_length are the field and
 * *position is past a ' ' delimiter, or on the '\r'. */
static enum proxy_parse_result v1_scan_field(const unsigned char *bytes, size_t *position,
                                             size_t end, const struct v1_field *field,
                                             unsigned char delimiter, const unsigned char **text,
                                             size_t *text_length, const char **reason)
{
    size_t start = *position;
    size_t cursor = start;

    while (cursor < end && field_char_is_allowed(field->kind, bytes[cursor]))
        cursor++;
    *text = bytes + start;
    *text_length = cursor - start;

    if (cursor == end) {
        if (field_may_be_prefix(field, *text, *text_length))
            return PROXY_PARSE_INCOMPLETE;
        *reason = field->invalid_reason;
        return PROXY_PARSE_ERROR;
    }
    if (*text_length == 0 && bytes[cursor] == ' ') {
        *reason = "version 1 fields must be separated by exactly one space";
        return PROXY_PARSE_ERROR;
    }
    if (bytes[cursor] != delimiter) {
        const char *misplaced = field->invalid_reason;
        if (*text_length > 0 && bytes[cursor] == '\r')
            misplaced = "version 1 TCP line ends before its four fields (addresses and ports)";
        else if (*text_length > 0 && bytes[cursor] == ' ')
            misplaced = "version 1 TCP line has text after the destination port";
        *reason = v1_stray_byte_reason(bytes[cursor], misplaced);
        return PROXY_PARSE_ERROR;
    }
    *position = delimiter == ' ' ? cursor + 1 : cursor;
    return PROXY_PARSE_COMPLETE;
}

/* The CRLF at *position; on success *position is past it. */
static enum proxy_parse_result v1_scan_crlf(const unsigned char *bytes, size_t *position,
                                            size_t end, const char **reason)
{
    if (*position >= end)
        return PROXY_PARSE_INCOMPLETE;
    if (bytes[*position] != '\r') {
        *reason = v1_stray_byte_reason(bytes[*position], "version 1 header has text where CRLF belongs");
        return PROXY_PARSE_ERROR;
    }
    if (*position + 1 >= end)
        return PROXY_PARSE_INCOMPLETE;
    if (bytes[*position + 1] != '\n') {
        *reason = "version 1 header has a CR not followed by LF";
        return PROXY_PARSE_ERROR;
    }
    *position += 2;
    return PROXY_PARSE_COMPLETE;
}

/* "PROXY UNKNOWN" then CRLF, or a space and ignored printable text first. */
static enum proxy_parse_result v1_scan_unknown_rest(const unsigned char *bytes, size_t *position,
                                                    size_t end, const char **reason)
{
    if (*position >= end)
        return PROXY_PARSE_INCOMPLETE;
    if (bytes[*position] == ' ') {
        while (++*position < end && is_printable_ascii(bytes[*position]))
            ;
    } else if (bytes[*position] != '\r') {
        *reason = v1_stray_byte_reason(bytes[*position],
                                       "version 1 protocol is not TCP4, TCP6 or UNKNOWN");
        return PROXY_PARSE_ERROR;
    }
    return v1_scan_crlf(bytes, position, end, reason);
}

/* "TCP4 "/"TCP6 " are matched with their space, "UNKNOWN" without. */
static enum proxy_parse_result v1_scan_protocol(const unsigned char *bytes, size_t *position,
                                                size_t end, int *family, const char **reason)
{
    static const struct { const char *literal; int family; } protocols[] = {
        { "TCP4 ", AF_INET }, { "TCP6 ", AF_INET6 }, { "UNKNOWN", AF_UNSPEC },
    };
    bool some_incomplete = false;
    size_t longest_match = 0;

    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++) {
        size_t matched;
        enum literal_match match = match_literal(bytes, *position, end, protocols[i].literal, &matched);
        if (match == LITERAL_MATCH) {
            *family = protocols[i].family;
            *position += matched;
            return PROXY_PARSE_COMPLETE;
        }
        some_incomplete |= match == LITERAL_INCOMPLETE;
        if (matched > longest_match)
            longest_match = matched;
    }
    if (some_incomplete)
        return PROXY_PARSE_INCOMPLETE;

    unsigned char stray = bytes[*position + longest_match];
    if (longest_match == 0 && stray == ' ')
        *reason = "version 1 fields must be separated by exactly one space";
    else
        *reason = v1_stray_byte_reason(stray, "version 1 protocol is not TCP4, TCP6 or UNKNOWN");
    return PROXY_PARSE_ERROR;
}

/* "<source> <destination> <source port> <destination port>" after "TCP4 "
 * or "TCP6 ", up to (not including) the CR. */
static enum proxy_parse_result v1_scan_tcp_fields(const unsigned char *bytes, size_t *position,
                                                  size_t end, int family,
                                                  struct proxy_header *header, const char **reason)
{
    const struct v1_field source_address = {
        family == AF_INET ? FIELD_IPV4 : FIELD_IPV6,
        family == AF_INET ? "version 1 source address is not a valid IPv4 address"
                          : "version 1 source address is not a valid IPv6 address",
    };
    const struct v1_field destination_address = {
        source_address.kind,
        family == AF_INET ? "version 1 destination address is not a valid IPv4 address"
                          : "version 1 destination address is not a valid IPv6 address",
    };
    static const struct v1_field source_port = {
        FIELD_PORT, "version 1 source port is not a decimal number 0-65535 without leading zeros",
    };
    static const struct v1_field destination_port = {
        FIELD_PORT, "version 1 destination port is not a decimal number 0-65535 without leading zeros",
    };
    const unsigned char *text;
    size_t text_length;
    unsigned port;
    enum proxy_parse_result result;

    result = v1_scan_field(bytes, position, end, &source_address, ' ', &text, &text_length, reason);
    if (result != PROXY_PARSE_COMPLETE)
        return result;
    if (!address_field_parse(&source_address, text, text_length, &header->source,
                             &header->source_length)) {
        *reason = source_address.invalid_reason;
        return PROXY_PARSE_ERROR;
    }

    result = v1_scan_field(bytes, position, end, &destination_address, ' ', &text, &text_length,
                           reason);
    if (result != PROXY_PARSE_COMPLETE)
        return result;
    if (!address_field_parse(&destination_address, text, text_length, &header->destination,
                             &header->destination_length)) {
        *reason = destination_address.invalid_reason;
        return PROXY_PARSE_ERROR;
    }

    result = v1_scan_field(bytes, position, end, &source_port, ' ', &text, &text_length, reason);
    if (result != PROXY_PARSE_COMPLETE)
        return result;
    if (!port_text_is_valid(text, text_length, false, &port)) {
        *reason = source_port.invalid_reason;
        return PROXY_PARSE_ERROR;
    }
    address_set_port(&header->source, port);

    result = v1_scan_field(bytes, position, end, &destination_port, '\r', &text, &text_length,
                           reason);
    if (result != PROXY_PARSE_COMPLETE)
        return result;
    if (!port_text_is_valid(text, text_length, false, &port)) {
        *reason = destination_port.invalid_reason;
        return PROXY_PARSE_ERROR;
    }
    address_set_port(&header->destination, port);
    return PROXY_PARSE_COMPLETE;
}

static enum proxy_parse_result parse_version_1(const unsigned char *bytes, size_t length,
                                               struct proxy_header *header, const char **reason)
{
    /* Never look past 107 bytes: a longer line is invalid whatever follows. */
    size_t end = length < PROXY_PROTOCOL_V1_MAX_HEADER ? length : PROXY_PROTOCOL_V1_MAX_HEADER;
    size_t position = 0;
    int family = AF_UNSPEC;
    enum proxy_parse_result result;

    switch (match_literal(bytes, 0, end, V1_PREFIX, &position)) {
    case LITERAL_INCOMPLETE: return PROXY_PARSE_INCOMPLETE;
    case LITERAL_MISMATCH: *reason = not_a_proxy_header_reason(bytes, position); return PROXY_PARSE_ERROR;
    case LITERAL_MATCH: break;
    }

    result = v1_scan_protocol(bytes, &position, end, &family, reason);
    if (result == PROXY_PARSE_COMPLETE) {
        if (family == AF_UNSPEC) {
            result = v1_scan_unknown_rest(bytes, &position, end, reason);
        } else {
            result = v1_scan_tcp_fields(bytes, &position, end, family, header, reason);
            if (result == PROXY_PARSE_COMPLETE)
                result = v1_scan_crlf(bytes, &position, end, reason);
        }
    }
    if (result == PROXY_PARSE_INCOMPLETE && length >= PROXY_PROTOCOL_V1_MAX_HEADER) {
        *reason = "version 1 header has no CRLF within 107 bytes";
        return PROXY_PARSE_ERROR;
    }
    if (result != PROXY_PARSE_COMPLETE)
        return result;

    header->version = 1;
    header->length = position;
    header->has_addresses = family != AF_UNSPEC;
    return PROXY_PARSE_COMPLETE;
}

/* ------------------------------------------------------------ version 2 */

static const unsigned char v2_signature[12] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};

/* signature, version and command, family and transport, 16-bit length */
#define V2_FIXED_LENGTH 16
#define V2_VERSION 2
#define V2_COMMAND_LOCAL 0
#define V2_COMMAND_PROXY 1

/* The family byte: address family in the high nibble, transport in the low. */
#define V2_UNSPEC 0x00
#define V2_TCP_OVER_IPV4 0x11
#define V2_UDP_OVER_IPV4 0x12
#define V2_TCP_OVER_IPV6 0x21
#define V2_UDP_OVER_IPV6 0x22
#define V2_UNIX_STREAM 0x31
#define V2_UNIX_DATAGRAM 0x32

#define V2_TLV_HEADER_LENGTH 3
#define V2_TLV_TYPE_CRC32C 0x03
#define V2_CRC32C_LENGTH 4

/* Bytes of the address block for a family byte the spec lists, or -1. */
static int v2_address_block_length(unsigned char family)
{
    switch (family) {
    case V2_UNSPEC: return 0;
    case V2_TCP_OVER_IPV4: case V2_UDP_OVER_IPV4: return 2 * 4 + 2 * 2;
    case V2_TCP_OVER_IPV6: case V2_UDP_OVER_IPV6: return 2 * 16 + 2 * 2;
    case V2_UNIX_STREAM: case V2_UNIX_DATAGRAM: return 2 * 108;
    default: return -1;
    }
}

/* CRC32c (Castagnoli, reflected polynomial 0x82F63B78), as RFC 4960
 * appendix B and HAProxy compute it; bitwise, since it runs at most once
 * per connection over at most 4 KB. */
static uint32_t crc32c_update(uint32_t crc, const unsigned char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return crc;
}

/* The CRC32c of the header with its checksum field read as zeros. */
static uint32_t v2_header_crc32c(const unsigned char *bytes, size_t header_length,
                                 size_t checksum_offset)
{
    static const unsigned char zeros[V2_CRC32C_LENGTH] = { 0 };
    uint32_t crc = 0xFFFFFFFFu;

    crc = crc32c_update(crc, bytes, checksum_offset);
    crc = crc32c_update(crc, zeros, sizeof zeros);
    crc = crc32c_update(crc, bytes + checksum_offset + V2_CRC32C_LENGTH,
                        header_length - checksum_offset - V2_CRC32C_LENGTH);
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t read_big_endian_32(const unsigned char *bytes)
{
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

/* The TLVs in bytes[offset..header_length) must tile it exactly; a CRC32c
 * among them must be the only one and must match. */
static enum proxy_parse_result v2_check_tlvs(const unsigned char *bytes, size_t offset,
                                             size_t header_length, const char **reason)
{
    size_t checksum_offset = 0;
    bool has_checksum = false;

    while (offset < header_length) {
        if (header_length - offset < V2_TLV_HEADER_LENGTH) {
            *reason = "version 2 TLV is cut short by the end of the header";
            return PROXY_PARSE_ERROR;
        }
        unsigned char type = bytes[offset];
        size_t value_length = (size_t)bytes[offset + 1] << 8 | bytes[offset + 2];
        size_t value_offset = offset + V2_TLV_HEADER_LENGTH;
        if (value_length > header_length - value_offset) {
            *reason = "version 2 TLV value runs past the end of the header";
            return PROXY_PARSE_ERROR;
        }
        if (type == V2_TLV_TYPE_CRC32C) {
            if (value_length != V2_CRC32C_LENGTH) {
                *reason = "version 2 CRC32c TLV is not 4 bytes long";
                return PROXY_PARSE_ERROR;
            }
            if (has_checksum) {
                *reason = "version 2 header has more than one CRC32c TLV";
                return PROXY_PARSE_ERROR;
            }
            has_checksum = true;
            checksum_offset = value_offset;
        }
        offset = value_offset + value_length;
    }
    if (has_checksum && v2_header_crc32c(bytes, header_length, checksum_offset)
                            != read_big_endian_32(bytes + checksum_offset)) {
        *reason = "version 2 CRC32c checksum does not match the header";
        return PROXY_PARSE_ERROR;
    }
    return PROXY_PARSE_COMPLETE;
}

/* Addresses and ports stay in network byte order, as on the wire. */
static void v2_read_addresses(const unsigned char *block, unsigned char family,
                              struct proxy_header *header)
{
    if (family == V2_TCP_OVER_IPV4) {
        struct sockaddr_in *source = (struct sockaddr_in *)&header->source;
        struct sockaddr_in *destination = (struct sockaddr_in *)&header->destination;
        source->sin_family = AF_INET;
        destination->sin_family = AF_INET;
        memcpy(&source->sin_addr, block, 4);
        memcpy(&destination->sin_addr, block + 4, 4);
        memcpy(&source->sin_port, block + 8, 2);
        memcpy(&destination->sin_port, block + 10, 2);
        header->source_length = sizeof *source;
        header->destination_length = sizeof *destination;
    } else {
        struct sockaddr_in6 *source = (struct sockaddr_in6 *)&header->source;
        struct sockaddr_in6 *destination = (struct sockaddr_in6 *)&header->destination;
        source->sin6_family = AF_INET6;
        destination->sin6_family = AF_INET6;
        memcpy(&source->sin6_addr, block, 16);
        memcpy(&destination->sin6_addr, block + 16, 16);
        memcpy(&source->sin6_port, block + 32, 2);
        memcpy(&destination->sin6_port, block + 34, 2);
        header->source_length = sizeof *source;
        header->destination_length = sizeof *destination;
    }
}

static enum proxy_parse_result parse_version_2(const unsigned char *bytes, size_t length,
                                               struct proxy_header *header, const char **reason)
{
    size_t signature_seen = length < sizeof v2_signature ? length : sizeof v2_signature;

    if (memcmp(bytes, v2_signature, signature_seen) != 0) {
        *reason = no_signature_reason;
        return PROXY_PARSE_ERROR;
    }
    if (length <= 12)
        return PROXY_PARSE_INCOMPLETE;

    unsigned version = bytes[12] >> 4, command = bytes[12] & 0x0f;
    if (version != V2_VERSION) {
        *reason = "version 2 signature followed by a version other than 2";
        return PROXY_PARSE_ERROR;
    }
    if (command != V2_COMMAND_LOCAL && command != V2_COMMAND_PROXY) {
        *reason = "version 2 header has a command other than LOCAL (0) and PROXY (1)";
        return PROXY_PARSE_ERROR;
    }
    if (length <= 13)
        return PROXY_PARSE_INCOMPLETE;

    unsigned char family = bytes[13];
    int address_block_length = v2_address_block_length(family);
    if (address_block_length < 0) {
        *reason = "version 2 header has an unknown address family or transport";
        return PROXY_PARSE_ERROR;
    }
    if (command == V2_COMMAND_PROXY
        && (family == V2_UDP_OVER_IPV4 || family == V2_UDP_OVER_IPV6 || family == V2_UNIX_DATAGRAM)) {
        *reason = "version 2 header announces a datagram connection to this TCP server";
        return PROXY_PARSE_ERROR;
    }
    if (length <= 14)
        return PROXY_PARSE_INCOMPLETE;

    /* A high length byte of 0x10 or more already means 4096+ bytes after the
     * fixed part: refuse now rather than after the last length byte. */
    static const char too_long_reason[] = "version 2 header is longer than 4096 bytes";
    if ((size_t)bytes[14] << 8 > PROXY_PROTOCOL_MAX_HEADER - V2_FIXED_LENGTH) {
        *reason = too_long_reason;
        return PROXY_PARSE_ERROR;
    }
    if (length <= 15)
        return PROXY_PARSE_INCOMPLETE;

    size_t declared_length = (size_t)bytes[14] << 8 | bytes[15];
    size_t header_length = V2_FIXED_LENGTH + declared_length;
    if (header_length > PROXY_PROTOCOL_MAX_HEADER) {
        *reason = too_long_reason;
        return PROXY_PARSE_ERROR;
    }
    if (declared_length < (size_t)address_block_length) {
        *reason = "version 2 header length is too short for its address family";
        return PROXY_PARSE_ERROR;
    }
    if (length < header_length)
        return PROXY_PARSE_INCOMPLETE;

    enum proxy_parse_result result = v2_check_tlvs(
        bytes, V2_FIXED_LENGTH + (size_t)address_block_length, header_length, reason);
    if (result != PROXY_PARSE_COMPLETE)
        return result;

    header->version = 2;
    header->length = header_length;
    header->has_addresses = command == V2_COMMAND_PROXY
                            && (family == V2_TCP_OVER_IPV4 || family == V2_TCP_OVER_IPV6);
    if (header->has_addresses)
        v2_read_addresses(bytes + V2_FIXED_LENGTH, family, header);
    return PROXY_PARSE_COMPLETE;
}

/* ------------------------------------------------------------ entry */

enum proxy_parse_result proxy_protocol_parse(const unsigned char *bytes, size_t length,
                                             struct proxy_header *header, const char **reason)
{
    struct proxy_header ignored_header;
    const char *ignored_reason;
    enum proxy_parse_result result;

    if (header == NULL)
        header = &ignored_header;
    if (reason == NULL)
        reason = &ignored_reason;
    memset(header, 0, sizeof *header);
    *reason = NULL;

    if (length == 0)
        return PROXY_PARSE_INCOMPLETE;
    if (bytes[0] == (unsigned char)V1_PREFIX[0])
        result = parse_version_1(bytes, length, header, reason);
    else if (bytes[0] == v2_signature[0])
        result = parse_version_2(bytes, length, header, reason);
    else {
        *reason = not_a_proxy_header_reason(bytes, 0);
        result = PROXY_PARSE_ERROR;
    }

    /* Addresses read from a line that later proved bad must not leak out. */
    if (result != PROXY_PARSE_COMPLETE)
        memset(header, 0, sizeof *header);
    if (result != PROXY_PARSE_ERROR)
        *reason = NULL;
    return result;
}

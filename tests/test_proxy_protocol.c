/* SPDX-License-Identifier: Apache-2.0 */
/* test_proxy_protocol.c: unit tests of the PROXY protocol header parser
 * (src/proxy_protocol.c).
 *
 * Every parse goes through parse(), which hands the parser an exact-size
 * heap copy of the input: a read past `length` is then an ASan/valgrind
 * error, not a silent pass.
 *
 * The haproxy_* samples are real bytes, captured on loopback from HAProxy
 * 2.6.12 (Debian 12) in TCP mode: frontends on 127.0.0.1 and [::1] (TLS on
 * one, UNIX sockets on others), backend servers with "send-proxy",
 * "send-proxy-v2", "send-proxy-v2 proxy-v2-options crc32c",
 * "proxy-v2-options unique-id" and "send-proxy-v2-ssl-cn proxy-v2-options
 * crc32c,authority,ssl-cipher,cert-sig,cert-key,unique-id", plus
 * "check check-send-proxy" for the health checks. The server was a python3
 * listener recording the first bytes of each connection; clients were
 * python3 sockets (sending "hello\r\n") and curl. The same bytes are the
 * seeds in tests/fuzz/seeds/proxy_protocol/.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "proxy_protocol.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ captures */

/* Version 1, client 127.0.0.1 -> frontend 127.0.0.1:32857, "send-proxy". */
static const unsigned char haproxy_v1_tcp4[] =
    "PROXY TCP4 127.0.0.1 127.0.0.1 59116 32857\r\n"
    "hello\r\n";

/* Version 1, client ::1 -> frontend [::1]:32857. */
static const unsigned char haproxy_v1_tcp6[] =
    "PROXY TCP6 ::1 ::1 54288 32857\r\n"
    "hello\r\n";

/* Version 1 health check ("check check-send-proxy"): not UNKNOWN, as older
 * specs suggested, but the check connection's own addresses (HAProxy's
 * source port 42498 -> the server, 33293). Nothing follows. */
static const unsigned char haproxy_v1_health_check[] =
    "PROXY TCP4 127.0.0.1 127.0.0.1 42498 33293\r\n";

/* Version 1 for a client on a UNIX socket frontend: no address to give. */
static const unsigned char haproxy_v1_unknown_unix_client[] =
    "PROXY UNKNOWN\r\n"
    "hello\r\n";

/* Version 1, IPv4 client on a frontend bound to ::ffff:127.0.0.1: TCP6 with
 * IPv4-mapped addresses. */
static const unsigned char haproxy_v1_mapped[] =
    "PROXY TCP6 ::ffff:127.0.0.1 ::ffff:127.0.0.1 46576 32857\r\n"
    "hello\r\n";

/* Version 2, client 127.0.0.1 -> frontend 127.0.0.1:35751, "send-proxy-v2". */
static const unsigned char haproxy_v2_inet[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x11, 0x00, 0x0c,  /* PROXY, TCP over IPv4, 12 bytes follow */
    0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,  /* source, destination address */
    0xa7, 0x8a, 0x8b, 0xa7,  /* ports 42890, 35751 */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2, client ::1 -> frontend [::1]:35751. */
static const unsigned char haproxy_v2_inet6[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x21, 0x00, 0x24,  /* PROXY, TCP over IPv6, 36 bytes follow */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* source address */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* destination address */
    0xd6, 0x0e, 0x8b, 0xa7,  /* ports 54798, 35751 */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2 health check ("check check-send-proxy"): LOCAL, UNSPEC, no
 * address block. Nothing follows. */
static const unsigned char haproxy_v2_local_check[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x20, 0x00, 0x00, 0x00,  /* LOCAL, UNSPEC, 0 bytes follow */
};

/* Version 2 for a client on a UNIX socket frontend: LOCAL too, although a
 * real client follows. */
static const unsigned char haproxy_v2_local_unix_client[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x20, 0x00, 0x00, 0x00,  /* LOCAL, UNSPEC, 0 bytes follow */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2, IPv4 client on a frontend bound to ::ffff:127.0.0.1. */
static const unsigned char haproxy_v2_mapped[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x21, 0x00, 0x24,  /* PROXY, TCP over IPv6, 36 bytes follow */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
    0x7f, 0x00, 0x00, 0x01,  /* source address */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
    0x7f, 0x00, 0x00, 0x01,  /* destination address */
    0xed, 0x28, 0x8b, 0xa7,  /* ports 60712, 35751 */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2 health check with "proxy-v2-options crc32c": the CRC32c TLV
 * comes straight after the fixed part. */
static const unsigned char haproxy_v2_crc32c_local_check[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x20, 0x00, 0x00, 0x07,  /* LOCAL, UNSPEC, 7 bytes follow */
    0x03, 0x00, 0x04, 0xa9, 0xb8, 0x7e, 0x8f,  /* TLV CRC32C, 4 bytes */
};

/* Version 2 with a CRC32c TLV, client 127.0.0.1 -> 127.0.0.1:37713. */
static const unsigned char haproxy_v2_crc32c_inet[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x11, 0x00, 0x13,  /* PROXY, TCP over IPv4, 19 bytes follow */
    0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,  /* source, destination address */
    0xab, 0x02, 0x93, 0x51,  /* ports 43778, 37713 */
    0x03, 0x00, 0x04, 0x72, 0xc2, 0x3f, 0xed,  /* TLV CRC32C, 4 bytes */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2 with a CRC32c TLV, client ::1 -> [::1]:37713. */
static const unsigned char haproxy_v2_crc32c_inet6[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x21, 0x00, 0x2b,  /* PROXY, TCP over IPv6, 43 bytes follow */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* source address */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* destination address */
    0x89, 0xd2, 0x93, 0x51,  /* ports 35282, 37713 */
    0x03, 0x00, 0x04, 0x67, 0x86, 0xda, 0xaa,  /* TLV CRC32C, 4 bytes */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2, "proxy-v2-options unique-id", client 127.0.0.1 -> :34375. */
static const unsigned char haproxy_v2_unique_id_inet[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x11, 0x00, 0x3d,  /* PROXY, TCP over IPv4, 61 bytes follow */
    0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,  /* source, destination address */
    0xbb, 0xc8, 0x86, 0x47,  /* ports 48072, 34375 */
    0x05, 0x00, 0x2e, 0x37, 0x46, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x3a,
    0x42, 0x42, 0x43, 0x38, 0x5f, 0x37, 0x46, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x31, 0x3a, 0x38, 0x36, 0x34, 0x37, 0x5f, 0x36, 0x42, 0x30, 0x39, 0x30,
    0x42, 0x35, 0x37, 0x5f, 0x30, 0x30, 0x30, 0x36, 0x3a, 0x33, 0x41, 0x34,
    0x39,  /* TLV UNIQUE_ID, 46 bytes */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2, "proxy-v2-options unique-id", client ::1 -> [::1]:34375. */
static const unsigned char haproxy_v2_unique_id_inet6[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x21, 0x00, 0x85,  /* PROXY, TCP over IPv6, 133 bytes follow */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* source address */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* destination address */
    0xed, 0xdc, 0x86, 0x47,  /* ports 60892, 34375 */
    0x05, 0x00, 0x5e, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x3a,
    0x45, 0x44, 0x44, 0x43, 0x5f, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x31, 0x3a, 0x38, 0x36, 0x34, 0x37, 0x5f, 0x36, 0x42, 0x30, 0x39, 0x30,
    0x42, 0x35, 0x37, 0x5f, 0x30, 0x30, 0x30, 0x37, 0x3a, 0x33, 0x41, 0x34,
    0x39,  /* TLV UNIQUE_ID, 94 bytes */
    /* what followed the header: the client's "hello\r\n" */
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a,
};

/* Version 2 from a TLS frontend, "send-proxy-v2-ssl-cn proxy-v2-options
 * crc32c,authority,ssl-cipher,cert-sig,cert-key,unique-id", curl (ALPN h2)
 * to https://127.0.0.1 (no SNI): CRC32c, ALPN, unique id and SSL TLVs. */
static const unsigned char haproxy_v2_ssl_inet[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x11, 0x00, 0x90,  /* PROXY, TCP over IPv4, 144 bytes follow */
    0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,  /* source, destination address */
    0xd3, 0x2c, 0xb6, 0x53,  /* ports 54060, 46675 */
    0x03, 0x00, 0x04, 0x3e, 0x44, 0x8e, 0x94,  /* TLV CRC32C, 4 bytes */
    0x01, 0x00, 0x02, 0x68, 0x32,  /* TLV ALPN, 2 bytes */
    0x05, 0x00, 0x2e, 0x37, 0x46, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x3a,
    0x44, 0x33, 0x32, 0x43, 0x5f, 0x37, 0x46, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x31, 0x3a, 0x42, 0x36, 0x35, 0x33, 0x5f, 0x36, 0x42, 0x30, 0x39, 0x30,
    0x42, 0x35, 0x37, 0x5f, 0x30, 0x30, 0x30, 0x38, 0x3a, 0x33, 0x41, 0x34,
    0x39,  /* TLV UNIQUE_ID, 46 bytes */
    0x20, 0x00, 0x44, 0x01, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x07, 0x54,
    0x4c, 0x53, 0x76, 0x31, 0x2e, 0x33, 0x25, 0x00, 0x05, 0x45, 0x43, 0x32,
    0x35, 0x36, 0x24, 0x00, 0x11, 0x65, 0x63, 0x64, 0x73, 0x61, 0x2d, 0x77,
    0x69, 0x74, 0x68, 0x2d, 0x53, 0x48, 0x41, 0x32, 0x35, 0x36, 0x23, 0x00,
    0x16, 0x54, 0x4c, 0x53, 0x5f, 0x41, 0x45, 0x53, 0x5f, 0x32, 0x35, 0x36,
    0x5f, 0x47, 0x43, 0x4d, 0x5f, 0x53, 0x48, 0x41, 0x33, 0x38, 0x34,  /* TLV SSL, 68 bytes */
    /* what followed, in the same read: the first 24 of the 104 bytes of the
     * client's request, HTTP/2 in clear (HAProxy ended TLS) */
    0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32,
    0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
};

/* The same from ::1 with SNI "localhost": an AUTHORITY TLV too. */
static const unsigned char haproxy_v2_ssl_inet6[] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,  /* signature */
    0x21, 0x21, 0x00, 0xe4,  /* PROXY, TCP over IPv6, 228 bytes follow */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* source address */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01,  /* destination address */
    0x84, 0x76, 0xb6, 0x53,  /* ports 33910, 46675 */
    0x03, 0x00, 0x04, 0x43, 0x5e, 0xb9, 0x27,  /* TLV CRC32C, 4 bytes */
    0x01, 0x00, 0x02, 0x68, 0x32,  /* TLV ALPN, 2 bytes */
    0x02, 0x00, 0x09, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x68, 0x6f, 0x73, 0x74,  /* TLV AUTHORITY, 9 bytes */
    0x05, 0x00, 0x5e, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x3a,
    0x38, 0x34, 0x37, 0x36, 0x5f, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x31, 0x3a, 0x42, 0x36, 0x35, 0x33, 0x5f, 0x36, 0x42, 0x30, 0x39, 0x30,
    0x42, 0x35, 0x41, 0x5f, 0x30, 0x30, 0x30, 0x39, 0x3a, 0x33, 0x41, 0x34,
    0x39,  /* TLV UNIQUE_ID, 94 bytes */
    0x20, 0x00, 0x44, 0x01, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x07, 0x54,
    0x4c, 0x53, 0x76, 0x31, 0x2e, 0x33, 0x25, 0x00, 0x05, 0x45, 0x43, 0x32,
    0x35, 0x36, 0x24, 0x00, 0x11, 0x65, 0x63, 0x64, 0x73, 0x61, 0x2d, 0x77,
    0x69, 0x74, 0x68, 0x2d, 0x53, 0x48, 0x41, 0x32, 0x35, 0x36, 0x23, 0x00,
    0x16, 0x54, 0x4c, 0x53, 0x5f, 0x41, 0x45, 0x53, 0x5f, 0x32, 0x35, 0x36,
    0x5f, 0x47, 0x43, 0x4d, 0x5f, 0x53, 0x48, 0x41, 0x33, 0x38, 0x34,  /* TLV SSL, 68 bytes */
    /* what followed, in the same read: the first 24 of the 107 bytes of the
     * client's request, HTTP/2 in clear (HAProxy ended TLS) */
    0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32,
    0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
};

struct capture {
    const char *name;
    const unsigned char *bytes;
    size_t size;               /* header and what followed it */
    size_t header_length;
    int version;
    bool has_addresses;
    const char *source;        /* inet_ntop text, NULL without addresses */
    unsigned source_port;
    const char *destination;
    unsigned destination_port;
    bool has_crc32c;
};

/* Text samples end in the array's NUL, which is no part of the capture. */
#define TEXT(array) #array, array, sizeof array - 1
#define BINARY(array) #array, array, sizeof array

static const struct capture captures[] = {
    { TEXT(haproxy_v1_tcp4), 44, 1, true, "127.0.0.1", 59116, "127.0.0.1", 32857, false },
    { TEXT(haproxy_v1_tcp6), 32, 1, true, "::1", 54288, "::1", 32857, false },
    { TEXT(haproxy_v1_health_check), 44, 1, true, "127.0.0.1", 42498, "127.0.0.1", 33293, false },
    { TEXT(haproxy_v1_unknown_unix_client), 15, 1, false, NULL, 0, NULL, 0, false },
    { TEXT(haproxy_v1_mapped), 58, 1, true, "::ffff:127.0.0.1", 46576, "::ffff:127.0.0.1", 32857,
      false },
    { BINARY(haproxy_v2_inet), 28, 2, true, "127.0.0.1", 42890, "127.0.0.1", 35751, false },
    { BINARY(haproxy_v2_inet6), 52, 2, true, "::1", 54798, "::1", 35751, false },
    { BINARY(haproxy_v2_local_check), 16, 2, false, NULL, 0, NULL, 0, false },
    { BINARY(haproxy_v2_local_unix_client), 16, 2, false, NULL, 0, NULL, 0, false },
    { BINARY(haproxy_v2_mapped), 52, 2, true, "::ffff:127.0.0.1", 60712, "::ffff:127.0.0.1", 35751,
      false },
    { BINARY(haproxy_v2_crc32c_local_check), 23, 2, false, NULL, 0, NULL, 0, true },
    { BINARY(haproxy_v2_crc32c_inet), 35, 2, true, "127.0.0.1", 43778, "127.0.0.1", 37713, true },
    { BINARY(haproxy_v2_crc32c_inet6), 59, 2, true, "::1", 35282, "::1", 37713, true },
    { BINARY(haproxy_v2_unique_id_inet), 77, 2, true, "127.0.0.1", 48072, "127.0.0.1", 34375,
      false },
    { BINARY(haproxy_v2_unique_id_inet6), 149, 2, true, "::1", 60892, "::1", 34375, false },
    { BINARY(haproxy_v2_ssl_inet), 160, 2, true, "127.0.0.1", 54060, "127.0.0.1", 46675, true },
    { BINARY(haproxy_v2_ssl_inet6), 244, 2, true, "::1", 33910, "::1", 46675, true },
};
#define CAPTURE_COUNT ((int)(sizeof captures / sizeof captures[0]))

/* ------------------------------------------------------------ helpers */

struct parsed {
    enum proxy_parse_result result;
    struct proxy_header header;
    const char *reason;
};

static struct parsed parse(const void *bytes, size_t length)
{
    struct parsed out;
    unsigned char *copy = malloc(length ? length : 1);
    ck_assert_ptr_nonnull(copy);
    if (length > 0)
        memcpy(copy, bytes, length);
    memset(&out, 0xa5, sizeof out);   /* the parser must set every field */
    out.result = proxy_protocol_parse(copy, length, &out.header, &out.reason);
    free(copy);
    return out;
}

static const char *result_name(enum proxy_parse_result result)
{
    switch (result) {
    case PROXY_PARSE_COMPLETE: return "COMPLETE";
    case PROXY_PARSE_INCOMPLETE: return "INCOMPLETE";
    case PROXY_PARSE_ERROR: return "ERROR";
    }
    return "(not a result)";
}

static struct parsed assert_complete(const void *bytes, size_t length, size_t header_length)
{
    struct parsed p = parse(bytes, length);
    ck_assert_msg(p.result == PROXY_PARSE_COMPLETE, "expected COMPLETE, got %s (%s) for %zu bytes",
                  result_name(p.result), p.reason ? p.reason : "no reason", length);
    ck_assert_ptr_null(p.reason);
    ck_assert_uint_eq(p.header.length, header_length);
    return p;
}

static void assert_incomplete(const void *bytes, size_t length)
{
    struct parsed p = parse(bytes, length);
    ck_assert_msg(p.result == PROXY_PARSE_INCOMPLETE, "expected INCOMPLETE, got %s (%s) for %zu bytes",
                  result_name(p.result), p.reason ? p.reason : "no reason", length);
    ck_assert_ptr_null(p.reason);
    ck_assert_uint_eq(p.header.length, 0);
    ck_assert(!p.header.has_addresses);
}

/* An ERROR whose reason contains `reason_part`. */
static void assert_error(const void *bytes, size_t length, const char *reason_part)
{
    struct parsed p = parse(bytes, length);
    ck_assert_msg(p.result == PROXY_PARSE_ERROR, "expected ERROR (%s), got %s for %zu bytes",
                  reason_part, result_name(p.result), length);
    ck_assert_ptr_nonnull(p.reason);
    ck_assert_msg(strstr(p.reason, reason_part) != NULL, "reason \"%s\" does not contain \"%s\"",
                  p.reason, reason_part);
    ck_assert_uint_eq(p.header.length, 0);
    ck_assert(!p.header.has_addresses);
}

static void assert_address(const struct sockaddr_storage *address, socklen_t address_length,
                           const char *text, unsigned port)
{
    char printed[INET6_ADDRSTRLEN];

    if (strchr(text, ':') != NULL) {
        const struct sockaddr_in6 *ipv6 = (const struct sockaddr_in6 *)address;
        ck_assert_int_eq(ipv6->sin6_family, AF_INET6);
        ck_assert_uint_eq(address_length, sizeof *ipv6);
        ck_assert_ptr_nonnull(inet_ntop(AF_INET6, &ipv6->sin6_addr, printed, sizeof printed));
        ck_assert_uint_eq(ntohs(ipv6->sin6_port), port);
    } else {
        const struct sockaddr_in *ipv4 = (const struct sockaddr_in *)address;
        ck_assert_int_eq(ipv4->sin_family, AF_INET);
        ck_assert_uint_eq(address_length, sizeof *ipv4);
        ck_assert_ptr_nonnull(inet_ntop(AF_INET, &ipv4->sin_addr, printed, sizeof printed));
        ck_assert_uint_eq(ntohs(ipv4->sin_port), port);
    }
    ck_assert_str_eq(printed, text);
}

static void assert_no_addresses(const struct parsed *p)
{
    ck_assert(!p->header.has_addresses);
    ck_assert_uint_eq(p->header.source_length, 0);
    ck_assert_uint_eq(p->header.destination_length, 0);
}

/* The shortest prefix of bytes[0..length) that is an ERROR, checking that
 * every shorter one is INCOMPLETE and every longer one an ERROR too: the
 * parser never takes back what it said. */
static size_t error_decided_at(const unsigned char *bytes, size_t length)
{
    size_t decided_at = 0;

    for (size_t prefix = 0; prefix <= length; prefix++) {
        struct parsed p = parse(bytes, prefix);
        if (decided_at == 0 && p.result == PROXY_PARSE_ERROR)
            decided_at = prefix;
        if (decided_at == 0)
            ck_assert_msg(p.result == PROXY_PARSE_INCOMPLETE, "prefix %zu: %s before any error",
                          prefix, result_name(p.result));
        else
            ck_assert_msg(p.result == PROXY_PARSE_ERROR && p.reason != NULL,
                          "prefix %zu: %s after an error at %zu", prefix, result_name(p.result),
                          decided_at);
    }
    return decided_at;
}

/* CRC32c written independently of the parser's, to build test headers. */
static uint32_t test_crc32c(const unsigned char *bytes, size_t length)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; bit++)
            crc = crc & 1u ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

/* A version 2 header under construction. */
struct v2_builder {
    unsigned char bytes[PROXY_PROTOCOL_MAX_HEADER + 64];
    size_t length;
};

static const unsigned char v2_signature[12] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};

static void v2_put(struct v2_builder *b, const void *data, size_t length)
{
    ck_assert_uint_le(b->length + length, sizeof b->bytes);
    memcpy(b->bytes + b->length, data, length);
    b->length += length;
}

static void v2_put_byte(struct v2_builder *b, unsigned char byte) { v2_put(b, &byte, 1); }

static void v2_put_repeated(struct v2_builder *b, unsigned char byte, size_t count)
{
    for (size_t i = 0; i < count; i++)
        v2_put_byte(b, byte);
}

static void v2_begin(struct v2_builder *b, unsigned char version_command, unsigned char family)
{
    b->length = 0;
    v2_put(b, v2_signature, sizeof v2_signature);
    v2_put_byte(b, version_command);
    v2_put_byte(b, family);
    v2_put_byte(b, 0);   /* the length, set by v2_finish() */
    v2_put_byte(b, 0);
}

/* 192.0.2.1:56324 -> 198.51.100.7:443 */
static void v2_put_inet_addresses(struct v2_builder *b)
{
    static const unsigned char addresses[12] = {
        192, 0, 2, 1, 198, 51, 100, 7, 0xdc, 0x04, 0x01, 0xbb,
    };
    v2_put(b, addresses, sizeof addresses);
}

static void v2_put_tlv(struct v2_builder *b, unsigned char type, const void *value, size_t length)
{
    v2_put_byte(b, type);
    v2_put_byte(b, (unsigned char)(length >> 8));
    v2_put_byte(b, (unsigned char)length);
    v2_put(b, value, length);
}

/* Set the length field to cover everything put so far. */
static void v2_finish(struct v2_builder *b)
{
    size_t declared = b->length - 16;
    b->bytes[14] = (unsigned char)(declared >> 8);
    b->bytes[15] = (unsigned char)declared;
}

/* Append a CRC32c TLV, then finish and fill the checksum in. */
static void v2_finish_with_crc32c(struct v2_builder *b)
{
    static const unsigned char zeros[4] = { 0 };
    v2_put_tlv(b, 0x03, zeros, sizeof zeros);
    v2_finish(b);
    uint32_t crc = test_crc32c(b->bytes, b->length);
    b->bytes[b->length - 4] = (unsigned char)(crc >> 24);
    b->bytes[b->length - 3] = (unsigned char)(crc >> 16);
    b->bytes[b->length - 2] = (unsigned char)(crc >> 8);
    b->bytes[b->length - 1] = (unsigned char)crc;
}

/* ------------------------------------------------------------ captures */

START_TEST(test_capture)
{
    const struct capture *c = &captures[_i];
    struct parsed p = assert_complete(c->bytes, c->size, c->header_length);

    ck_assert_int_eq(p.header.version, c->version);
    ck_assert_int_eq(p.header.has_addresses, c->has_addresses);
    if (c->has_addresses) {
        assert_address(&p.header.source, p.header.source_length, c->source, c->source_port);
        assert_address(&p.header.destination, p.header.destination_length, c->destination,
                       c->destination_port);
    } else {
        assert_no_addresses(&p);
    }
}
END_TEST

/* Every prefix shorter than the header waits; the header and anything
 * longer is the same COMPLETE. */
START_TEST(test_capture_every_prefix)
{
    const struct capture *c = &captures[_i];
    struct parsed whole = parse(c->bytes, c->size);

    for (size_t prefix = 0; prefix < c->header_length; prefix++)
        assert_incomplete(c->bytes, prefix);
    for (size_t prefix = c->header_length; prefix <= c->size; prefix++) {
        struct parsed p = assert_complete(c->bytes, prefix, c->header_length);
        ck_assert_msg(memcmp(&p.header, &whole.header, sizeof p.header) == 0,
                      "%s: prefix %zu parses differently", c->name, prefix);
    }
}
END_TEST

/* What comes after the header, however hostile, changes nothing. */
START_TEST(test_capture_bytes_after_header)
{
    static const unsigned char client_hello_start[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
    const struct capture *c = &captures[_i];
    struct parsed alone = assert_complete(c->bytes, c->header_length, c->header_length);
    unsigned char *joined = malloc(2 * PROXY_PROTOCOL_MAX_HEADER);
    ck_assert_ptr_nonnull(joined);
    memcpy(joined, c->bytes, c->header_length);

    const size_t tail_lengths[] = { 1, 2, 3, 107, PROXY_PROTOCOL_MAX_HEADER };
    const unsigned char fillers[] = { 0x00, '\r', '\n', 0xff, ' ', 'P' };
    for (size_t l = 0; l < sizeof tail_lengths / sizeof tail_lengths[0]; l++) {
        for (size_t f = 0; f < sizeof fillers; f++) {
            memset(joined + c->header_length, fillers[f], tail_lengths[l]);
            struct parsed p = assert_complete(joined, c->header_length + tail_lengths[l],
                                              c->header_length);
            ck_assert(memcmp(&p.header, &alone.header, sizeof p.header) == 0);
        }
    }
    /* A TLS ClientHello, then a second PROXY header. */
    memcpy(joined + c->header_length, client_hello_start, sizeof client_hello_start);
    assert_complete(joined, c->header_length + sizeof client_hello_start, c->header_length);
    memcpy(joined + c->header_length, c->bytes, c->header_length);
    assert_complete(joined, 2 * c->header_length, c->header_length);
    free(joined);
}
END_TEST

/* Each byte of the header replaced by a few values: whatever the result,
 * it is consistent (COMPLETE within the bytes, ERROR with a reason). */
START_TEST(test_capture_mutations)
{
    static const unsigned char replacements[] = {
        0x00, 0x01, 0x0a, 0x0d, 0x20, 0x2e, 0x30, 0x3a, 0x7f, 0x80, 0xff,
    };
    const struct capture *c = &captures[_i];
    unsigned char *mutated = malloc(c->size);
    ck_assert_ptr_nonnull(mutated);

    for (size_t position = 0; position < c->header_length; position++) {
        for (size_t r = 0; r < sizeof replacements; r++) {
            memcpy(mutated, c->bytes, c->size);
            mutated[position] = replacements[r];
            struct parsed p = parse(mutated, c->size);
            if (p.result == PROXY_PARSE_COMPLETE) {
                ck_assert_uint_le(p.header.length, c->size);
                ck_assert_ptr_null(p.reason);
            } else if (p.result == PROXY_PARSE_ERROR) {
                ck_assert_ptr_nonnull(p.reason);
            } else {
                ck_assert_int_eq(p.result, PROXY_PARSE_INCOMPLETE);
            }
        }
    }
    free(mutated);
}
END_TEST

/* HAProxy's checksums are what the test's own CRC32c says. */
START_TEST(test_crc32c_matches_haproxy)
{
    static const unsigned char check_string[] = "123456789";
    /* RFC 3720 B.4 / the CRC catalogue's check value for CRC-32C */
    ck_assert_uint_eq(test_crc32c(check_string, 9), 0xE3069283u);

    for (int i = 0; i < CAPTURE_COUNT; i++) {
        const struct capture *c = &captures[i];
        if (!c->has_crc32c)
            continue;
        /* HAProxy puts the CRC32c TLV first after the addresses. */
        size_t address_block = c->bytes[13] == 0x11 ? 12 : c->bytes[13] == 0x21 ? 36 : 0;
        size_t checksum_at = 16 + address_block + 3;
        ck_assert_int_eq(c->bytes[checksum_at - 3], 0x03);
        unsigned char zeroed[PROXY_PROTOCOL_MAX_HEADER];
        memcpy(zeroed, c->bytes, c->header_length);
        memset(zeroed + checksum_at, 0, 4);
        uint32_t sent = (uint32_t)c->bytes[checksum_at] << 24 | (uint32_t)c->bytes[checksum_at + 1] << 16
                        | (uint32_t)c->bytes[checksum_at + 2] << 8 | c->bytes[checksum_at + 3];
        ck_assert_uint_eq(test_crc32c(zeroed, c->header_length), sent);
    }
}
END_TEST

/* A CRC32c catches every single-bit error: no flipped header is accepted
 * (but for the CRC32c TLV's own type byte, which makes it another TLV), and
 * a flip in an address is reported as a bad checksum. */
START_TEST(test_crc32c_catches_bit_flips)
{
    for (int i = 0; i < CAPTURE_COUNT; i++) {
        const struct capture *c = &captures[i];
        if (!c->has_crc32c)
            continue;
        unsigned char flipped[PROXY_PROTOCOL_MAX_HEADER];
        /* HAProxy puts the CRC32c TLV first after the addresses. */
        size_t address_block = c->bytes[13] == 0x11 ? 12 : c->bytes[13] == 0x21 ? 36 : 0;
        size_t checksum_type_at = 16 + address_block;
        ck_assert_int_eq(c->bytes[checksum_type_at], 0x03);

        for (size_t position = 0; position < c->header_length; position++) {
            if (position == checksum_type_at)
                continue;
            for (int bit = 0; bit < 8; bit++) {
                memcpy(flipped, c->bytes, c->header_length);
                flipped[position] ^= (unsigned char)(1u << bit);
                struct parsed p = parse(flipped, c->header_length);
                ck_assert_msg(p.result != PROXY_PARSE_COMPLETE, "%s: byte %zu bit %d flipped is accepted",
                              c->name, position, bit);
                if (position >= 16 && position < 16 + address_block)
                    assert_error(flipped, c->header_length, "CRC32c checksum does not match");
            }
        }
        /* The checksum itself, off by one. */
        memcpy(flipped, c->bytes, c->header_length);
        flipped[checksum_type_at + 3 + 3]++;
        assert_error(flipped, c->header_length, "CRC32c checksum does not match");
    }
}
END_TEST

/* ------------------------------------------------------------ version 1 */

START_TEST(test_v1_unknown_forms)
{
    struct parsed p;
    static const char long_form[] =
        "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";

    p = assert_complete("PROXY UNKNOWN\r\n", 15, 15);
    ck_assert_int_eq(p.header.version, 1);
    assert_no_addresses(&p);

    /* The spec's worst case: 107 bytes, ignored after UNKNOWN. */
    ck_assert_uint_eq(strlen(long_form), PROXY_PROTOCOL_V1_MAX_HEADER);
    p = assert_complete(long_form, strlen(long_form), PROXY_PROTOCOL_V1_MAX_HEADER);
    assert_no_addresses(&p);

    /* Anything printable, even what would be wrong after TCP4. */
    assert_complete("PROXY UNKNOWN \r\n", 16, 16);
    static const char odd_text[] = "PROXY UNKNOWN  two spaces, 999.1.1.1, 65536!\r\n";
    assert_complete(odd_text, strlen(odd_text), strlen(odd_text));
    assert_complete("PROXY UNKNOWN TCP4 1.2.3.4 5.6.7.8 1 2\r\nPROXY", 45, 40);
}
END_TEST

START_TEST(test_v1_field_limits)
{
    struct parsed p;
    static const char longest_tcp6[] =
        "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    static const char longest_mapped[] =
        "PROXY TCP6 0000:0000:0000:0000:0000:ffff:255.255.255.255 "
        "0000:0000:0000:0000:0000:ffff:255.255.255.255 65535 65535\r\n";

    p = assert_complete("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n", 56, 56);
    assert_address(&p.header.source, p.header.source_length, "255.255.255.255", 65535);
    assert_address(&p.header.destination, p.header.destination_length, "255.255.255.255", 65535);

    p = assert_complete("PROXY TCP4 0.0.0.0 10.0.0.1 0 0\r\n", 33, 33);
    assert_address(&p.header.source, p.header.source_length, "0.0.0.0", 0);
    assert_address(&p.header.destination, p.header.destination_length, "10.0.0.1", 0);

    p = assert_complete(longest_tcp6, strlen(longest_tcp6), 104);
    assert_address(&p.header.source, p.header.source_length,
                   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);

    /* IPv6 texts written out in full with an IPv4 tail (45 characters) make
     * a 118-byte line: the spec's 107-byte limit wins. */
    ck_assert_uint_gt(strlen(longest_mapped), PROXY_PROTOCOL_V1_MAX_HEADER);
    assert_error(longest_mapped, strlen(longest_mapped), "no CRLF within 107 bytes");

    /* Upper and mixed case hex, "::" in the middle, an embedded IPv4. */
    p = assert_complete("PROXY TCP6 2001:DB8::1 2001:db8:0:0:0:0:0:Ab 1 2\r\n", 50, 50);
    assert_address(&p.header.source, p.header.source_length, "2001:db8::1", 1);
    assert_address(&p.header.destination, p.header.destination_length, "2001:db8::ab", 2);
    p = assert_complete("PROXY TCP6 :: ::ffff:192.0.2.1 65535 1\r\n", 40, 40);
    assert_address(&p.header.source, p.header.source_length, "::", 65535);
    assert_address(&p.header.destination, p.header.destination_length, "::ffff:192.0.2.1", 1);
}
END_TEST

START_TEST(test_v1_crlf_within_107)
{
    char line[PROXY_PROTOCOL_V1_MAX_HEADER + 8];

    /* "PROXY UNKNOWN " and text up to 107 bytes in all. */
    memset(line, 'a', sizeof line);
    memcpy(line, "PROXY UNKNOWN ", 14);

    /* CRLF ending at byte 107: accepted. */
    memcpy(line + 105, "\r\n", 2);
    assert_complete(line, 107, 107);
    /* No CRLF in 106 bytes: could still come. */
    assert_incomplete(line, 105);
    line[105] = 'a';
    assert_incomplete(line, 106);
    /* 107 bytes without CRLF: refused at once, even if one comes next. */
    memcpy(line + 106, "\r\n", 2);
    assert_error(line, 107, "no CRLF within 107 bytes");
    assert_error(line, 108, "no CRLF within 107 bytes");
    ck_assert_uint_eq(error_decided_at((const unsigned char *)line, 108), 107);
}
END_TEST

/* ------------------------------------------------------------ version 2 */

/* LOCAL with each family the spec lists: the address block is skipped. */
START_TEST(test_v2_local_every_family)
{
    static const struct { unsigned char family; size_t address_block; } families[] = {
        { 0x00, 0 }, { 0x11, 12 }, { 0x12, 12 }, { 0x21, 36 }, { 0x22, 36 }, { 0x31, 216 }, { 0x32, 216 },
    };
    struct v2_builder b;

    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        v2_begin(&b, 0x20, families[i].family);
        v2_put_repeated(&b, 0xee, families[i].address_block);
        v2_finish(&b);
        struct parsed p = assert_complete(b.bytes, b.length, 16 + families[i].address_block);
        ck_assert_int_eq(p.header.version, 2);
        assert_no_addresses(&p);

        if (families[i].address_block > 0) {
            b.length--;
            v2_finish(&b);
            assert_error(b.bytes, b.length, "too short for its address family");
        }
    }
}
END_TEST

START_TEST(test_v2_proxy_without_addresses)
{
    struct v2_builder b;
    struct parsed p;

    /* UNSPEC: the spec lets the receiver accept it with its own addresses. */
    v2_begin(&b, 0x21, 0x00);
    v2_finish(&b);
    p = assert_complete(b.bytes, b.length, 16);
    assert_no_addresses(&p);

    /* UNIX stream: two 108-byte paths, not an IP address. */
    v2_begin(&b, 0x21, 0x31);
    v2_put(&b, "/run/haproxy/client.sock", 24);
    v2_put_repeated(&b, 0, 108 - 24);
    v2_put(&b, "/run/tlsd.sock", 14);
    v2_put_repeated(&b, 0, 108 - 14);
    v2_finish_with_crc32c(&b);
    p = assert_complete(b.bytes, b.length, 16 + 216 + 7);
    assert_no_addresses(&p);
}
END_TEST

START_TEST(test_v2_tlvs)
{
    struct v2_builder b;
    struct parsed p;
    static const unsigned char ssl_value[] = {
        0x07, 0x00, 0x00, 0x00, 0x00,                     /* client bits, verify */
        0x21, 0x00, 0x07, 'T', 'L', 'S', 'v', '1', '.', '3', /* PP2_SUBTYPE_SSL_VERSION */
    };

    /* NOOP, empty value, custom, SSL with sub-TLVs, ALPN: all skipped. */
    v2_begin(&b, 0x21, 0x11);
    v2_put_inet_addresses(&b);
    v2_put_tlv(&b, 0x04, "\0\0\0", 3);
    v2_put_tlv(&b, 0x04, "", 0);
    v2_put_tlv(&b, 0xe0, "vendor", 6);
    v2_put_tlv(&b, 0x20, ssl_value, sizeof ssl_value);
    v2_put_tlv(&b, 0x01, "http/1.1", 8);
    v2_finish(&b);
    p = assert_complete(b.bytes, b.length, b.length);
    assert_address(&p.header.source, p.header.source_length, "192.0.2.1", 56324);
    assert_address(&p.header.destination, p.header.destination_length, "198.51.100.7", 443);

    /* The same with a CRC32c at the end. */
    b.length = 16 + 12;
    v2_put_tlv(&b, 0x05, "unique", 6);
    v2_finish_with_crc32c(&b);
    assert_complete(b.bytes, b.length, b.length);

    /* One byte of TLV header left over. */
    b.length = 16 + 12;
    v2_put_tlv(&b, 0x04, "", 0);
    v2_put_byte(&b, 0x04);
    v2_finish(&b);
    assert_error(b.bytes, b.length, "TLV is cut short");
    /* Two bytes. */
    v2_put_byte(&b, 0x00);
    v2_finish(&b);
    assert_error(b.bytes, b.length, "TLV is cut short");
    /* A value one byte longer than what is left. */
    b.length = 16 + 12;
    v2_put_tlv(&b, 0x01, "h2", 2);
    b.bytes[b.length - 3] = 3;
    v2_finish(&b);
    assert_error(b.bytes, b.length, "TLV value runs past the end");
    /* A length of 0xffff in a short header. */
    b.bytes[b.length - 4] = 0xff;
    b.bytes[b.length - 3] = 0xff;
    assert_error(b.bytes, b.length, "TLV value runs past the end");

    /* LOCAL's TLVs are checked too. */
    v2_begin(&b, 0x20, 0x00);
    v2_put_tlv(&b, 0x04, "ab", 2);
    b.length--;
    v2_finish(&b);
    assert_error(b.bytes, b.length, "TLV value runs past the end");
}
END_TEST

START_TEST(test_v2_crc32c)
{
    struct v2_builder b;

    /* Valid, then the checksum wrong, then an address byte changed. */
    v2_begin(&b, 0x21, 0x11);
    v2_put_inet_addresses(&b);
    v2_finish_with_crc32c(&b);
    assert_complete(b.bytes, b.length, 16 + 12 + 7);
    b.bytes[b.length - 1] ^= 0x80;
    assert_error(b.bytes, b.length, "CRC32c checksum does not match");
    b.bytes[b.length - 1] ^= 0x80;
    b.bytes[19] ^= 0x01;
    assert_error(b.bytes, b.length, "CRC32c checksum does not match");

    /* A CRC32c TLV must be 4 bytes. */
    v2_begin(&b, 0x21, 0x11);
    v2_put_inet_addresses(&b);
    v2_put_tlv(&b, 0x03, "\0\0\0", 3);
    v2_finish(&b);
    assert_error(b.bytes, b.length, "CRC32c TLV is not 4 bytes long");
    v2_begin(&b, 0x21, 0x11);
    v2_put_inet_addresses(&b);
    v2_put_tlv(&b, 0x03, "\0\0\0\0\0", 5);
    v2_finish(&b);
    assert_error(b.bytes, b.length, "CRC32c TLV is not 4 bytes long");

    /* Two of them, even both right, are refused. */
    v2_begin(&b, 0x21, 0x11);
    v2_put_inet_addresses(&b);
    v2_put_tlv(&b, 0x03, "\0\0\0\0", 4);
    v2_finish_with_crc32c(&b);
    assert_error(b.bytes, b.length, "more than one CRC32c TLV");

    /* A checksum of all zeros is not "no checksum". */
    v2_begin(&b, 0x21, 0x11);
    v2_put_inet_addresses(&b);
    v2_put_tlv(&b, 0x03, "\0\0\0\0", 4);
    v2_finish(&b);
    assert_error(b.bytes, b.length, "CRC32c checksum does not match");
}
END_TEST

START_TEST(test_v2_length_limits)
{
    struct v2_builder b;

    /* Exactly 4096 bytes: a NOOP TLV fills up to the limit. */
    v2_begin(&b, 0x21, 0x11);
    v2_put_inet_addresses(&b);
    size_t padding = PROXY_PROTOCOL_MAX_HEADER - b.length - 3;
    v2_put_byte(&b, 0x04);
    v2_put_byte(&b, (unsigned char)(padding >> 8));
    v2_put_byte(&b, (unsigned char)padding);
    v2_put_repeated(&b, 0, padding);
    v2_finish(&b);
    ck_assert_uint_eq(b.length, PROXY_PROTOCOL_MAX_HEADER);
    assert_complete(b.bytes, b.length, PROXY_PROTOCOL_MAX_HEADER);
    assert_incomplete(b.bytes, b.length - 1);

    /* One more byte: refused as soon as the length field is in. */
    v2_put_byte(&b, 0);
    v2_finish(&b);
    ck_assert_uint_eq(b.bytes[14], 0x0f);
    ck_assert_uint_eq(b.bytes[15], 0xf1);
    assert_error(b.bytes, b.length, "longer than 4096 bytes");
    ck_assert_uint_eq(error_decided_at(b.bytes, 40), 16);

    /* A high length byte of 0x10 is decided on that byte. */
    b.bytes[14] = 0x10;
    b.bytes[15] = 0x00;
    ck_assert_uint_eq(error_decided_at(b.bytes, 40), 15);
    b.bytes[14] = 0xff;
    b.bytes[15] = 0xff;
    ck_assert_uint_eq(error_decided_at(b.bytes, 40), 15);
}
END_TEST

/* ------------------------------------------------------------ malformed */

#define V2_SIGNATURE "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a"

struct malformed {
    const char *name;
    const char *bytes;
    size_t length;
    const char *reason_part;
    size_t decided_at;   /* the shortest prefix that is an ERROR */
};

#define BAD(name, literal, reason_part, decided_at) \
    { name, literal, sizeof literal - 1, reason_part, decided_at }

static const struct malformed malformed_inputs[] = {
    /* Not a PROXY header at all: refused on the first byte that shows it. */
    BAD("TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "a TLS handshake instead", 1),
    BAD("TLS ClientHello byte alone", "\x16", "did not come through the load balancer", 1),
    BAD("HTTP request", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "HTTP request", 1),
    BAD("HTTP PUT", "PUT / HTTP/1.1\r\n", "plain text", 2),
    BAD("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "plain text", 3),
    BAD("lower case proxy", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "neither a version 1", 1),
    BAD("PROXY without space", "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", "plain text", 6),
    BAD("NUL first", "\0PROXY ", "neither a version 1", 1),
    BAD("SSH banner", "SSH-2.0-OpenSSH_9.2\r\n", "plain text", 1),

    /* Version 2 fixed part. */
    BAD("v2 signature, wrong byte 5", "\x0d\x0a\x0d\x0a\x01", "neither a version 1", 5),
    BAD("v2 signature, QUIX", "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x58\x0a", "neither", 11),
    BAD("v2 bare CRLF CRLF then text", "\r\n\r\nGET", "neither", 5),
    BAD("v2 version 1", V2_SIGNATURE "\x11\x11\x00\x0c", "version other than 2", 13),
    BAD("v2 version 3", V2_SIGNATURE "\x31\x11\x00\x0c", "version other than 2", 13),
    BAD("v2 version 0", V2_SIGNATURE "\x01\x11\x00\x0c", "version other than 2", 13),
    BAD("v2 command 2", V2_SIGNATURE "\x22\x11\x00\x0c", "command other than LOCAL", 13),
    BAD("v2 command 15", V2_SIGNATURE "\x2f\x11\x00\x0c", "command other than LOCAL", 13),
    BAD("v2 family 4", V2_SIGNATURE "\x21\x41\x00\x0c", "unknown address family", 14),
    BAD("v2 transport 3", V2_SIGNATURE "\x21\x13\x00\x0c", "unknown address family", 14),
    BAD("v2 INET, UNSPEC transport", V2_SIGNATURE "\x21\x10\x00\x0c", "unknown address family", 14),
    BAD("v2 UNSPEC, STREAM transport", V2_SIGNATURE "\x21\x01\x00\x00", "unknown address family", 14),
    BAD("v2 LOCAL, family 0xff", V2_SIGNATURE "\x20\xff\x00\x00", "unknown address family", 14),
    BAD("v2 PROXY UDP over IPv4", V2_SIGNATURE "\x21\x12\x00\x0c", "datagram", 14),
    BAD("v2 PROXY UDP over IPv6", V2_SIGNATURE "\x21\x22\x00\x24", "datagram", 14),
    BAD("v2 PROXY UNIX datagram", V2_SIGNATURE "\x21\x32\x00\xd8", "datagram", 14),
    BAD("v2 INET, length 11", V2_SIGNATURE "\x21\x11\x00\x0b" "\x7f\x00\x00\x01\x7f\x00\x00\x01\x00\x50\x01",
        "too short for its address family", 16),
    BAD("v2 INET, length 0", V2_SIGNATURE "\x21\x11\x00\x00", "too short for its address family", 16),
    BAD("v2 INET6, length 35", V2_SIGNATURE "\x21\x21\x00\x23", "too short for its address family", 16),
    BAD("v2 UNIX, length 215", V2_SIGNATURE "\x21\x31\x00\xd7", "too short for its address family", 16),
    BAD("v2 length 4081", V2_SIGNATURE "\x21\x11\x0f\xf1", "longer than 4096 bytes", 16),
    BAD("v2 length 4096", V2_SIGNATURE "\x21\x11\x10\x00", "longer than 4096 bytes", 15),
    BAD("v2 length 65535", V2_SIGNATURE "\x20\x00\xff\xff", "longer than 4096 bytes", 15),
    BAD("v2 TLV overruns", V2_SIGNATURE "\x21\x11\x00\x10" "\x7f\x00\x00\x01\x7f\x00\x00\x01\x00\x50\x01\xbb"
        "\x04\x00\x02" "\x00", "TLV value runs past the end", 32),
    BAD("v2 TLV header cut", V2_SIGNATURE "\x21\x11\x00\x0e" "\x7f\x00\x00\x01\x7f\x00\x00\x01\x00\x50\x01\xbb"
        "\x04\x00", "TLV is cut short", 30),
    BAD("v2 CRC32c TLV of 2 bytes", V2_SIGNATURE "\x20\x00\x00\x05" "\x03\x00\x02\x00\x00",
        "CRC32c TLV is not 4 bytes", 21),
    BAD("v2 CRC32c wrong", V2_SIGNATURE "\x20\x00\x00\x07" "\x03\x00\x04\xa9\xb8\x7e\x8e",
        "CRC32c checksum does not match", 23),

    /* Version 1 spacing. */
    BAD("v1 two spaces after PROXY", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "exactly one space", 7),
    BAD("v1 two spaces after TCP4", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", "exactly one space", 12),
    BAD("v1 two spaces between addresses", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "exactly one space", 20),
    BAD("v1 two spaces before the source port", "PROXY TCP4 1.2.3.4 5.6.7.8  1 2\r\n", "exactly one space", 28),
    BAD("v1 two spaces before the destination port", "PROXY TCP4 1.2.3.4 5.6.7.8 1  2\r\n",
        "exactly one space", 30),
    BAD("v1 space before CRLF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "text after the destination port", 31),
    BAD("v1 five fields", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "text after the destination port", 31),
    BAD("v1 three fields", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "ends before its four fields", 29),
    BAD("v1 tab", "PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n", "not printable ASCII", 11),
    BAD("v1 tab between fields", "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", "not printable ASCII", 19),
    BAD("v1 TCP4 without fields", "PROXY TCP4\r\n", "not TCP4, TCP6 or UNKNOWN", 11),

    /* Version 1 protocol. */
    BAD("v1 TCP5", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "not TCP4, TCP6 or UNKNOWN", 10),
    BAD("v1 UDP4", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "not TCP4, TCP6 or UNKNOWN", 8),
    BAD("v1 tcp4 lower case", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "not TCP4, TCP6 or UNKNOWN", 7),
    BAD("v1 UNKNOWNX", "PROXY UNKNOWNX\r\n", "not TCP4, TCP6 or UNKNOWN", 14),

    /* Version 1 ports. */
    BAD("v1 port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "source port is not", 32),
    BAD("v1 port 99999", "PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", "destination port is not", 34),
    BAD("v1 port 0080", "PROXY TCP4 1.2.3.4 5.6.7.8 1 0080\r\n", "destination port is not", 31),
    BAD("v1 port 00", "PROXY TCP4 1.2.3.4 5.6.7.8 00 2\r\n", "source port is not", 29),
    BAD("v1 port -1", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "source port is not", 28),
    BAD("v1 port +80", "PROXY TCP4 1.2.3.4 5.6.7.8 1 +80\r\n", "destination port is not", 30),
    BAD("v1 port 123456", "PROXY TCP4 1.2.3.4 5.6.7.8 123456 2\r\n", "source port is not", 33),
    BAD("v1 port in hex", "PROXY TCP4 1.2.3.4 5.6.7.8 0x50 2\r\n", "source port is not", 29),
    BAD("v1 port name", "PROXY TCP4 1.2.3.4 5.6.7.8 https 2\r\n", "source port is not", 28),

    /* Version 1 addresses. */
    BAD("v1 IPv6 address in TCP4", "PROXY TCP4 ::1 ::1 1 2\r\n", "source address is not a valid IPv4", 12),
    BAD("v1 IPv4 address in TCP6", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", "source address is not a valid IPv6", 19),
    BAD("v1 IPv4 destination in TCP6", "PROXY TCP6 ::1 5.6.7.8 1 2\r\n", "destination address is not a valid IPv6",
        23),
    BAD("v1 IPv4 with 3 parts", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "source address is not a valid IPv4", 17),
    BAD("v1 IPv4 with 5 parts", "PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n", "source address is not a valid IPv4", 19),
    BAD("v1 IPv4 leading zero", "PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n", "source address is not a valid IPv4", 19),
    BAD("v1 IPv4 octal", "PROXY TCP4 010.0.0.1 5.6.7.8 1 2\r\n", "source address is not a valid IPv4", 13),
    BAD("v1 IPv4 256", "PROXY TCP4 1.2.3.4 256.0.0.1 1 2\r\n", "destination address is not a valid IPv4",
        22),
    BAD("v1 IPv4 empty part", "PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n", "source address is not a valid IPv4", 14),
    BAD("v1 IPv4 trailing dot", "PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n", "source address is not a valid IPv4", 19),
    BAD("v1 host name", "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", "source address is not a valid IPv4", 12),
    BAD("v1 IPv6 two ::", "PROXY TCP6 1::2::3 ::1 1 2\r\n", "source address is not a valid IPv6", 17),
    BAD("v1 IPv6 :::", "PROXY TCP6 1:::2 ::1 1 2\r\n", "source address is not a valid IPv6", 15),
    BAD("v1 IPv6 nine groups", "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", "source address is not a valid IPv6", 29),
    BAD("v1 IPv6 five hex digits", "PROXY TCP6 12345::1 ::1 1 2\r\n", "source address is not a valid IPv6", 16),
    BAD("v1 IPv6 zone", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "source address is not a valid IPv6", 19),
    BAD("v1 IPv6 brackets", "PROXY TCP6 [::1] [::1] 1 2\r\n", "source address is not a valid IPv6", 12),

    /* Version 1 line ends and bytes. */
    BAD("v1 LF alone", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "LF without a CR", 31),
    BAD("v1 UNKNOWN LF alone", "PROXY UNKNOWN\n", "LF without a CR", 14),
    BAD("v1 UNKNOWN text LF alone", "PROXY UNKNOWN abc\nrest\r\n", "LF without a CR", 18),
    BAD("v1 CR CR LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", "CR not followed by LF", 32),
    BAD("v1 CR then text", "PROXY UNKNOWN\rX", "CR not followed by LF", 15),
    BAD("v1 CR inside an address", "PROXY TCP4 1.2\r\n", "ends before its four fields", 15),
    BAD("v1 NUL in an address", "PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2\r\n", "not printable ASCII", 19),
    BAD("v1 NUL after PROXY", "PROXY\0TCP4", "neither", 6),
    BAD("v1 NUL in UNKNOWN text", "PROXY UNKNOWN a\0b\r\n", "not printable ASCII", 16),
    BAD("v1 UTF-8 in UNKNOWN text", "PROXY UNKNOWN caf\xc3\xa9\r\n", "not printable ASCII", 18),
    BAD("v1 DEL in UNKNOWN text", "PROXY UNKNOWN \x7f\r\n", "not printable ASCII", 15),
    BAD("v1 TCP6 over 107 bytes", "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ::1 1 2\r\n",
        "source address is not a valid IPv6", 56),
};
#define MALFORMED_COUNT ((int)(sizeof malformed_inputs / sizeof malformed_inputs[0]))

START_TEST(test_malformed)
{
    const struct malformed *m = &malformed_inputs[_i];
    const unsigned char *bytes = (const unsigned char *)m->bytes;
    struct parsed p = parse(bytes, m->length);

    ck_assert_msg(p.result == PROXY_PARSE_ERROR, "%s: %s instead of ERROR", m->name, result_name(p.result));
    ck_assert_msg(p.reason != NULL && strstr(p.reason, m->reason_part) != NULL,
                  "%s: reason \"%s\" does not contain \"%s\"", m->name, p.reason ? p.reason : "(none)",
                  m->reason_part);
    ck_assert_uint_eq(p.header.length, 0);
    ck_assert(!p.header.has_addresses);
    size_t decided_at = error_decided_at(bytes, m->length);
    ck_assert_msg(decided_at == m->decided_at, "%s: decided after %zu bytes, not %zu", m->name, decided_at,
                  m->decided_at);
}
END_TEST

struct beginning {
    const char *bytes;
    size_t length;
};

#define START(literal) { literal, sizeof literal - 1 }

/* Valid beginnings: INCOMPLETE, never an ERROR. */
static const struct beginning beginnings[] = {
    START(""),
    START("P"),
    START("PROXY"),
    START("PROXY "),
    START("PROXY TCP"),
    START("PROXY UNKNOWN"),
    START("PROXY UNKNOWN "),
    START("PROXY UNKNOWN anything at all"),
    START("PROXY UNKNOWN\r"),
    START("PROXY TCP4 "),
    START("PROXY TCP4 127.0."),
    START("PROXY TCP4 127.0.0.1"),
    START("PROXY TCP4 127.0.0.1 "),
    START("PROXY TCP4 255.255.255.25"),
    START("PROXY TCP4 1.2.3.4 5.6.7.8 0"),
    START("PROXY TCP4 1.2.3.4 5.6.7.8 6553"),
    START("PROXY TCP4 1.2.3.4 5.6.7.8 65535 "),
    START("PROXY TCP4 1.2.3.4 5.6.7.8 1 2"),
    START("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r"),
    START("PROXY TCP6 ::"),
    START("PROXY TCP6 ::ffff:127.0.0."),
    START("PROXY TCP6 2001:DB8:"),
    START("PROXY TCP6 ::1 ::1 54288 32857\r"),
    START("\r"),
    START("\r\n\r\n\0"),
    START(V2_SIGNATURE),
    START(V2_SIGNATURE "\x21"),
    START(V2_SIGNATURE "\x21\x11"),
    START(V2_SIGNATURE "\x21\x11\x00"),
    START(V2_SIGNATURE "\x21\x11\x00\x0c"),
    START(V2_SIGNATURE "\x21\x11\x00\x0c\x7f\x00\x00\x01"),
    START(V2_SIGNATURE "\x20\x00\x0f"),
    START(V2_SIGNATURE "\x20\x00\x0f\xf0"),   /* exactly 4096: waits for them */
    START(V2_SIGNATURE "\x20\x32\x00\xd8"),   /* LOCAL: a datagram family is fine */
};
#define BEGINNING_COUNT ((int)(sizeof beginnings / sizeof beginnings[0]))

START_TEST(test_valid_beginnings)
{
    const struct beginning *b = &beginnings[_i];

    for (size_t prefix = 0; prefix <= b->length; prefix++)
        assert_incomplete(b->bytes, prefix);
}
END_TEST

START_TEST(test_null_outputs_and_empty)
{
    struct proxy_header header;
    const char *reason = "untouched";

    /* Empty input waits, and needs no bytes pointer. */
    ck_assert_int_eq(proxy_protocol_parse(NULL, 0, &header, &reason), PROXY_PARSE_INCOMPLETE);
    ck_assert_ptr_null(reason);

    /* Outputs may be left out. */
    ck_assert_int_eq(proxy_protocol_parse(haproxy_v2_inet, sizeof haproxy_v2_inet, NULL, NULL),
                     PROXY_PARSE_COMPLETE);
    ck_assert_int_eq(proxy_protocol_parse((const unsigned char *)"\x16", 1, NULL, NULL), PROXY_PARSE_ERROR);
    ck_assert_int_eq(proxy_protocol_parse((const unsigned char *)"\x16", 1, &header, NULL),
                     PROXY_PARSE_ERROR);
    ck_assert_uint_eq(header.length, 0);
}
END_TEST

/* A bad v1 line must not leave the addresses it had read in the output. */
START_TEST(test_error_clears_header)
{
    struct parsed p = parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n", 36);
    static const struct proxy_header zero;

    ck_assert_int_eq(p.result, PROXY_PARSE_ERROR);
    ck_assert(memcmp(&p.header, &zero, sizeof zero) == 0);
    p = parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 6553", 33);
    ck_assert_int_eq(p.result, PROXY_PARSE_INCOMPLETE);
    ck_assert(memcmp(&p.header, &zero, sizeof zero) == 0);
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *proxy_protocol_suite(void)
{
    Suite *s = suite_create("proxy_protocol");

    TCase *tc = tcase_create("haproxy");
    tcase_add_loop_test(tc, test_capture, 0, CAPTURE_COUNT);
    tcase_add_loop_test(tc, test_capture_every_prefix, 0, CAPTURE_COUNT);
    tcase_add_loop_test(tc, test_capture_bytes_after_header, 0, CAPTURE_COUNT);
    tcase_add_loop_test(tc, test_capture_mutations, 0, CAPTURE_COUNT);
    tcase_add_test(tc, test_crc32c_matches_haproxy);
    tcase_add_test(tc, test_crc32c_catches_bit_flips);
    tcase_set_timeout(tc, 60);   /* the mutation loops under valgrind */
    suite_add_tcase(s, tc);

    tc = tcase_create("version_1");
    tcase_add_test(tc, test_v1_unknown_forms);
    tcase_add_test(tc, test_v1_field_limits);
    tcase_add_test(tc, test_v1_crlf_within_107);
    suite_add_tcase(s, tc);

    tc = tcase_create("version_2");
    tcase_add_test(tc, test_v2_local_every_family);
    tcase_add_test(tc, test_v2_proxy_without_addresses);
    tcase_add_test(tc, test_v2_tlvs);
    tcase_add_test(tc, test_v2_crc32c);
    tcase_add_test(tc, test_v2_length_limits);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_loop_test(tc, test_malformed, 0, MALFORMED_COUNT);
    tcase_add_loop_test(tc, test_valid_beginnings, 0, BEGINNING_COUNT);
    tcase_add_test(tc, test_null_outputs_and_empty);
    tcase_add_test(tc, test_error_clears_header);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(proxy_protocol_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* mkcert.c: tlsd-mkcert, a throwaway development PKI written with Mbed TLS's
 * own x509 writer: root CA -> intermediate CA -> server leaf, the chain a
 * browser walks. Only the leaf's private key is kept; the CA keys live in
 * memory for the run and are gone afterwards, so there is nothing to leak
 * that could sign more certificates.
 *
 * It also writes and rotates session-ticket key files (ticket_key_file,
 * the format in ticket_keys.h), which are for production as much as for
 * development. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "autoconfig.h"   /* PACKAGE_VERSION, as tlsd -V has it */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#include "cert_time.h"
#include "compat.h"
#include "hex.h"
#include "ticket_keys.h"

#define PROGRAM "tlsd-mkcert"

#define EXIT_USAGE 1  /* usage and file errors */
#define EXIT_CRYPTO 2 /* Mbed TLS failures */

#define ORGANIZATION "tlsd development"
#define ROOT_CN "tlsd development root CA"
#define INTERMEDIATE_CN "tlsd development intermediate CA"

#define DAY_SECONDS 86400L
#define ROOT_DAYS 3652L         /* 10 years */
#define INTERMEDIATE_DAYS 1826L /* 5 years, or longer if the leaf asks for it */
#define LEAF_DEFAULT_DAYS 397L
#define LEAF_MAX_DAYS 3650L
#define CLOCK_SKEW_SECONDS 3600L

#define SERIAL_BYTES 16
#define RSA_BITS 2048
#define RSA_EXPONENT 65537

#define TICKET_KEEP_DEFAULT 3
#define TICKET_KEEP_MIN 2   /* the new key and the one that issued until now */

#define DNS_NAME_MAX 253
#define DNS_LABEL_MAX 63
#define COMMON_NAME_MAX 64 /* ub-common-name in RFC 5280 */
#define MAX_EXTRA_NAMES 60

/* Room for the largest leaf: MAX_EXTRA_NAMES + 3 SANs of at most
 * DNS_NAME_MAX bytes, an RSA-2048 key and signature, and the rest. */
#define SAN_DER_MAX ((MAX_EXTRA_NAMES + 3) * (DNS_NAME_MAX + 4) + 8)
#define CERT_DER_MAX (SAN_DER_MAX + 4096)
#define CERT_PEM_MAX (CERT_DER_MAX * 3 / 2 + 128)
#define KEY_PEM_MAX 8192

enum san_type { SAN_DNS, SAN_IP };

struct san {
    enum san_type type;
    size_t length;               /* of bytes: 4 or 16 for SAN_IP */
    unsigned char bytes[DNS_NAME_MAX + 1];
    char text[DNS_NAME_MAX + 1]; /* as printed */
};

struct options {
    const char *dir;
    bool dir_given;
    bool rsa;
    bool force;
    long days;
    bool days_given;
    const char *ticket_keys;        /* --ticket-keys FILE */
    const char *rotate_ticket_keys; /* --rotate-ticket-keys FILE */
    long keep;
    bool keep_given;
    size_t name_count;
    struct san names[MAX_EXTRA_NAMES + 3];
    char common_name[COMMON_NAME_MAX + 1];
};

struct output_file {
    const char *name;
    mode_t mode;
    char path[PATH_MAX];
    char temp[PATH_MAX];
    bool temp_made;
    bool keep_owner;  /* give the new file the owner and group below */
    uid_t uid;
    gid_t gid;
};

enum { FILE_CA, FILE_CHAIN, FILE_KEY, FILE_COUNT };

/* Everything big or secret, on the heap so that one free (after a
 * zeroize) covers every exit path. */
struct pki {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context root_key;
    mbedtls_pk_context intermediate_key;
    mbedtls_pk_context leaf_key;
    unsigned char der[CERT_DER_MAX];
    unsigned char san_der[SAN_DER_MAX];
    char root_pem[CERT_PEM_MAX];
    char intermediate_pem[CERT_PEM_MAX];
    char leaf_pem[CERT_PEM_MAX];
    char key_pem[KEY_PEM_MAX];
};

struct certificate_spec {
    const char *subject;
    const char *issuer;
    mbedtls_pk_context *subject_key;
    mbedtls_pk_context *issuer_key;
    time_t not_before;
    time_t not_after;
    bool is_ca;
    int max_pathlen; /* -1: unlimited */
    unsigned int key_usage;
    bool server_leaf; /* adds extendedKeyUsage serverAuth and the SANs */
    const unsigned char *san_der;
    size_t san_der_length;
};

static void usage(FILE *stream)
{
    fprintf(stream,
            "Usage: " PROGRAM " [-d DIR] [--rsa] [--force] [--days N] [NAME...]\n"
            "       " PROGRAM " --ticket-keys FILE [--force]\n"
            "       " PROGRAM " --rotate-ticket-keys FILE [--keep N]\n"
            "Write a development PKI for tlsd: a root CA, an intermediate CA and a\n"
            "server certificate signed by it. Or write and rotate the session ticket\n"
            "keys that instances of tlsd share (ticket_key_file in tlsd.conf).\n"
            "\n"
            "  -d DIR         write the files into DIR (default: the current\n"
            "                 directory; created if missing, its parent must exist)\n"
            "      --rsa      RSA-2048 keys instead of ECDSA P-256\n"
            "      --force    replace existing files (and so make a new CA)\n"
            "      --days N   validity of the server certificate in days, 1..%ld\n"
            "                 (default %ld)\n"
            "      --ticket-keys FILE\n"
            "                 write FILE with one new random ticket key (mode 0600);\n"
            "                 an existing FILE is only replaced with --force\n"
            "      --rotate-ticket-keys FILE\n"
            "                 put a new key first in FILE, before the keys it holds:\n"
            "                 new tickets use it, the older keys still resume theirs\n"
            "      --keep N   keys FILE keeps in all when rotating, the new one\n"
            "                 included: %d..%d (default %d); the oldest go\n"
            "  -h, --help     show this help\n"
            "  -V, --version  show the version\n"
            "\n"
            "NAME: extra host names (example.test, *.example.test) or IP addresses\n"
            "for the server certificate, besides localhost, 127.0.0.1 and ::1.\n"
            "The first NAME is also the certificate's common name.\n"
            "\n"
            "Files: ca.crt (the root to trust), server.crt (server certificate then\n"
            "intermediate), server.key (mode 0600). The CA private keys are not kept.\n"
            "See certs/README.md for how to trust ca.crt.\n"
            "\n"
            "Ticket keys: rotate on one machine, give every instance the same FILE, then\n"
            "reload them; a key must stay in FILE for at least session_timeout after it\n"
            "stopped issuing tickets: (N - 1) x the rotation interval >= session_timeout\n"
            "plus the time the copies take. See tlsd-mkcert(1).\n",
            LEAF_MAX_DAYS, LEAF_DEFAULT_DAYS, TICKET_KEEP_MIN, TICKET_KEYS_MAX, TICKET_KEEP_DEFAULT);
}

static int crypto_error(const char *what, int code)
{
    char text[200];
    mbedtls_strerror(code, text, sizeof text);
    fprintf(stderr, PROGRAM ": %s: %s (-0x%04x)\n", what, text, (unsigned int)-code);
    return EXIT_CRYPTO;
}

/* ------------------------------------------------------------ names */

/* NULL if name (lower case already) is an acceptable DNS name, else why
 * not. A wildcard is only "*." in front of an ordinary name. */
static const char *dns_name_problem(const char *name, char *buffer, size_t buffer_size)
{
    size_t length = strlen(name);
    if (length == 0)
        return "an empty name";
    if (length > DNS_NAME_MAX)
        return "longer than 253 characters";
    const char *host = name;
    if (strncmp(name, "*.", 2) == 0)
        host = name + 2;
    if (*host == '\0')
        return "a wildcard needs a name after \"*.\"";

    size_t label_length = 0;
    bool label_all_digits = true;
    for (const char *p = host;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.' || c == '\0') {
            if (label_length == 0)
                return "an empty label (\"..\", or a leading or trailing dot)";
            if (label_length > DNS_LABEL_MAX)
                return "a label longer than 63 characters";
            if (p[-1] == '-' || p[-(ptrdiff_t)label_length] == '-')
                return "a label that starts or ends with '-'";
            if (c == '\0')
                break;
            label_length = 0;
            label_all_digits = true;
            continue;
        }
        if (c == '*')
            return "a '*' other than a leading \"*.\"";
        if (!(isalnum(c) || c == '-')) {
            if (isprint(c))
                snprintf(buffer, buffer_size, "the character '%c'", (char)c);
            else
                snprintf(buffer, buffer_size, "the byte 0x%02x", (unsigned int)c);
            return buffer;
        }
        if (!isdigit(c))
            label_all_digits = false;
        label_length++;
    }
    /* "10.1.2" is neither an IP address inet_pton accepts nor a host name
     * a browser would look up: refuse it rather than guess. */
    if (label_all_digits)
        return "a last label of digits only (not an IP address either)";
    return NULL;
}

/* Parses one NAME argument into san. Returns false after printing why. */
static bool parse_name(const char *argument, struct san *san)
{
    memset(san, 0, sizeof *san);
    if (inet_pton(AF_INET, argument, san->bytes) == 1) {
        san->type = SAN_IP;
        san->length = 4;
    } else if (inet_pton(AF_INET6, argument, san->bytes) == 1) {
        san->type = SAN_IP;
        san->length = 16;
    }
    if (san->type == SAN_IP) {
        if (inet_ntop(san->length == 4 ? AF_INET : AF_INET6, san->bytes, san->text,
                      sizeof san->text) == NULL) {
            fprintf(stderr, PROGRAM ": cannot print address \"%s\": %s\n", argument, strerror(errno));
            return false;
        }
        return true;
    }

    size_t length = strlen(argument);
    char lower[DNS_NAME_MAX + 1] = "";
    if (length <= DNS_NAME_MAX) {
        for (size_t i = 0; i <= length; i++)
            lower[i] = (char)tolower((unsigned char)argument[i]);
    }
    char detail[40];
    const char *problem;
    if (strchr(argument, ':') != NULL || argument[0] == '[')
        problem = "not an IPv6 address (write one without brackets or a %zone)";
    else if (length > DNS_NAME_MAX)
        problem = "longer than 253 characters";
    else
        problem = dns_name_problem(lower, detail, sizeof detail);
    if (problem != NULL) {
        fprintf(stderr,
                PROGRAM ": bad name \"%s\": %s\n" PROGRAM
                ": a NAME is a host name (letters, digits, '-' and '.', optionally\n"
                "  starting with \"*.\") or an IPv4 or IPv6 address\n",
                argument, problem);
        return false;
    }
    san->type = SAN_DNS;
    san->length = length;
    memcpy(san->bytes, lower, length);
    memcpy(san->text, lower, length + 1);
    return true;
}

static bool add_name(struct options *options, const struct san *san)
{
    for (size_t i = 0; i < options->name_count; i++) {
        const struct san *known = &options->names[i];
        if (known->type == san->type && known->length == san->length &&
            memcmp(known->bytes, san->bytes, san->length) == 0)
            return true; /* a duplicate adds nothing */
    }
    if (options->name_count == sizeof options->names / sizeof options->names[0]) {
        fprintf(stderr, PROGRAM ": too many names (at most %d)\n", MAX_EXTRA_NAMES);
        return false;
    }
    options->names[options->name_count++] = *san;
    return true;
}

/* ------------------------------------------------------------ options */

static bool parse_days(const char *text, long *days)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1 || value > LEAF_MAX_DAYS) {
        fprintf(stderr, PROGRAM ": --days wants a whole number from 1 to %ld, not \"%s\"\n",
                LEAF_MAX_DAYS, text);
        return false;
    }
    *days = value;
    return true;
}

static bool parse_keep(const char *text, long *keep)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < TICKET_KEEP_MIN || value > TICKET_KEYS_MAX) {
        fprintf(stderr, PROGRAM ": --keep wants a whole number from %d to %d, not \"%s\"\n", TICKET_KEEP_MIN,
                TICKET_KEYS_MAX, text);
        return false;
    }
    *keep = value;
    return true;
}

/* The ticket key modes take a FILE and nothing of the PKI's. Returns 0,
 * or EXIT_USAGE after saying why. */
static int check_ticket_key_options(const struct options *options, bool names_given)
{
    const char *mode = options->ticket_keys != NULL ? "--ticket-keys" : "--rotate-ticket-keys";
    const char *conflict = NULL;
    if (options->ticket_keys != NULL && options->rotate_ticket_keys != NULL)
        conflict = "--ticket-keys and --rotate-ticket-keys do not go together";
    else if (options->ticket_keys == NULL && options->rotate_ticket_keys == NULL)
        conflict = options->keep_given ? "--keep goes with --rotate-ticket-keys only" : NULL;
    else if (options->dir_given || options->rsa || options->days_given || names_given)
        conflict = "-d, --rsa, --days and NAMEs are for the PKI";
    else if (options->keep_given && options->ticket_keys != NULL)
        conflict = "--keep goes with --rotate-ticket-keys only";
    else if (options->force && options->rotate_ticket_keys != NULL)
        conflict = "it always replaces FILE: --force is for --ticket-keys";
    if (conflict == NULL)
        return 0;
    if (options->ticket_keys != NULL || options->rotate_ticket_keys != NULL)
        fprintf(stderr, PROGRAM ": %s: %s\n", mode, conflict);
    else
        fprintf(stderr, PROGRAM ": %s\n", conflict);
    fprintf(stderr, "Try '" PROGRAM " --help'.\n");
    return EXIT_USAGE;
}

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *options)
{
    static const struct option long_options[] = {
        {"rsa", no_argument, NULL, 'r'},
        {"force", no_argument, NULL, 'f'},
        {"days", required_argument, NULL, 'D'},
        {"ticket-keys", required_argument, NULL, 'T'},
        {"rotate-ticket-keys", required_argument, NULL, 'R'},
        {"keep", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    options->dir = ".";
    options->days = LEAF_DEFAULT_DAYS;
    options->keep = TICKET_KEEP_DEFAULT;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, ":d:hV", long_options, NULL)) != -1) {
        switch (option) {
        case 'd':
            if (optarg[0] == '\0') {
                fprintf(stderr, PROGRAM ": -d needs a directory name\n");
                return EXIT_USAGE;
            }
            options->dir = optarg;
            options->dir_given = true;
            break;
        case 'r':
            options->rsa = true;
            break;
        case 'f':
            options->force = true;
            break;
        case 'D':
            if (!parse_days(optarg, &options->days))
                return EXIT_USAGE;
            options->days_given = true;
            break;
        case 'T':
        case 'R':
            if (optarg[0] == '\0') {
                fprintf(stderr, PROGRAM ": %s needs a file name\n", option == 'T' ? "--ticket-keys"
                                                                               : "--rotate-ticket-keys");
                return EXIT_USAGE;
            }
            *(option == 'T' ? &options->ticket_keys : &options->rotate_ticket_keys) = optarg;
            break;
        case 'K':
            if (!parse_keep(optarg, &options->keep))
                return EXIT_USAGE;
            options->keep_given = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_SUCCESS;
        case 'V':
            printf(PROGRAM " %s (%s)\n", PACKAGE_VERSION, compat_library_version());
            return EXIT_SUCCESS;
        case ':':
            fprintf(stderr, PROGRAM ": option %s needs an argument\n", argv[optind - 1]);
            fprintf(stderr, "Try '" PROGRAM " --help'.\n");
            return EXIT_USAGE;
        default:
            if (optopt != 0)
                fprintf(stderr, PROGRAM ": unknown option -%c\n", optopt);
            else
                fprintf(stderr, PROGRAM ": unknown option %s\n", argv[optind - 1]);
            fprintf(stderr, "Try '" PROGRAM " --help'.\n");
            return EXIT_USAGE;
        }
    }

    int status = check_ticket_key_options(options, optind < argc);
    if (status != 0)
        return status;
    if (options->ticket_keys != NULL || options->rotate_ticket_keys != NULL)
        return -1;

    static const char *const default_names[] = {"localhost", "127.0.0.1", "::1"};
    struct san san;
    for (size_t i = 0; i < sizeof default_names / sizeof default_names[0]; i++) {
        if (!parse_name(default_names[i], &san) || !add_name(options, &san))
            return EXIT_USAGE;
    }
    snprintf(options->common_name, sizeof options->common_name, "localhost");
    for (int i = optind; i < argc; i++) {
        if (!parse_name(argv[i], &san) || !add_name(options, &san))
            return EXIT_USAGE;
        /* The first NAME names the certificate, if it fits the 64-byte
         * limit of a common name; SANs are what clients check anyway. */
        size_t length = strlen(san.text);
        if (i == optind && length <= COMMON_NAME_MAX)
            memcpy(options->common_name, san.text, length + 1);
    }
    return -1;
}

/* ------------------------------------------------------------ DER */

/* asn1write writes backwards from the end of the buffer: *p moves down. */
static int write_tagged(unsigned char **p, unsigned char *start, unsigned char tag,
                        const unsigned char *content, size_t content_length, size_t *total)
{
    int result = mbedtls_asn1_write_raw_buffer(p, start, content, content_length);
    if (result < 0)
        return result;
    size_t length = (size_t)result;
    result = mbedtls_asn1_write_len(p, start, length);
    if (result < 0)
        return result;
    length += (size_t)result;
    result = mbedtls_asn1_write_tag(p, start, tag);
    if (result < 0)
        return result;
    *total += length + (size_t)result;
    return 0;
}

static int wrap_sequence(unsigned char **p, unsigned char *start, size_t *total)
{
    int result = mbedtls_asn1_write_len(p, start, *total);
    if (result < 0)
        return result;
    *total += (size_t)result;
    result = mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
    if (result < 0)
        return result;
    *total += (size_t)result;
    return 0;
}

/* SubjectAltName ::= GeneralNames ::= SEQUENCE OF GeneralName, with
 * dNSName [2] IA5String and iPAddress [7] OCTET STRING (both implicit).
 * mbedtls_x509write_crt_set_subject_alternative_name is 3.x only. */
static int build_subject_alt_name(const struct options *options, unsigned char *buffer,
                                  size_t size, const unsigned char **der, size_t *der_length)
{
    unsigned char *p = buffer + size;
    size_t total = 0;
    for (size_t i = options->name_count; i-- > 0;) {
        const struct san *san = &options->names[i];
        unsigned char tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | (san->type == SAN_DNS ? 2 : 7);
        int result = write_tagged(&p, buffer, tag, san->bytes, san->length, &total);
        if (result != 0)
            return result;
    }
    int result = wrap_sequence(&p, buffer, &total);
    if (result != 0)
        return result;
    *der = p;
    *der_length = total;
    return 0;
}

/* ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId: just id-kp-serverAuth.
 * mbedtls_x509write_crt_set_ext_key_usage is 3.x only. */
static int build_server_auth_eku(unsigned char *buffer, size_t size, const unsigned char **der,
                                 size_t *der_length)
{
    unsigned char *p = buffer + size;
    int result = mbedtls_asn1_write_oid(&p, buffer, MBEDTLS_OID_SERVER_AUTH,
                                        MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));
    if (result < 0)
        return result;
    size_t total = (size_t)result;
    result = wrap_sequence(&p, buffer, &total);
    if (result != 0)
        return result;
    *der = p;
    *der_length = total;
    return 0;
}

/* ------------------------------------------------------------ certificates */

static void format_x509_time(time_t when, char text[16])
{
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(text, 16, "%Y%m%d%H%M%S", &tm);
}

static int generate_key(mbedtls_pk_context *key, bool rsa, mbedtls_ctr_drbg_context *drbg)
{
    int result = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(rsa ? MBEDTLS_PK_RSA : MBEDTLS_PK_ECKEY));
    if (result != 0)
        return result;
    if (rsa)
        return mbedtls_rsa_gen_key(mbedtls_pk_rsa(*key), mbedtls_ctr_drbg_random, drbg, RSA_BITS,
                                   RSA_EXPONENT);
    return mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key),
                               mbedtls_ctr_drbg_random, drbg);
}

/* Signs one certificate into pem (NUL-terminated). */

/* A DER tag and length, written forwards into out (at most 6 bytes). */
static size_t der_header(unsigned char tag, size_t length, unsigned char *out)
{
    unsigned char reversed[8] = { 0 };
    unsigned char *p = reversed + sizeof reversed;
    int written = mbedtls_asn1_write_len(&p, reversed, length);
    written += mbedtls_asn1_write_tag(&p, reversed, tag);
    memcpy(out, p, (size_t)written);
    return (size_t)written;
}

/* Mbed TLS 2.28 writes ecdsa-with-SHA256 with a NULL parameter. RFC 5758
 * says the parameters MUST be absent, and Chromium (BoringSSL) rejects such
 * a certificate as ERR_CERT_INVALID. When the certificate in der[0..*length)
 * has that form, rewrite both AlgorithmIdentifiers without the NULL and sign
 * the new TBSCertificate again with the issuer's key, in place. 3.x writes
 * it right, and then nothing changes. */
static int drop_ecdsa_null_parameter(unsigned char *der, size_t *length, size_t der_size,
                                     mbedtls_pk_context *issuer_key, mbedtls_ctr_drbg_context *drbg)
{
    static const unsigned char ecdsa_sha256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
    static const size_t null_form = 2 + sizeof ecdsa_sha256 + 2;  /* OID, then 05 00 */
    const unsigned char sequence = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
    unsigned char *p = der;
    const unsigned char *end = der + *length;
    size_t field_length;
    if (mbedtls_asn1_get_tag(&p, end, &field_length, sequence) != 0)
        return MBEDTLS_ERR_ASN1_INVALID_DATA;
    unsigned char *tbs_content = p;
    size_t tbs_length;
    if (mbedtls_asn1_get_tag(&tbs_content, end, &tbs_length, sequence) != 0)
        return MBEDTLS_ERR_ASN1_INVALID_DATA;
    const unsigned char *tbs_end = tbs_content + tbs_length;
    /* TBSCertificate: version [0], serialNumber, signature AlgorithmIdentifier */
    unsigned char *q = tbs_content;
    if (mbedtls_asn1_get_tag(&q, tbs_end, &field_length,
                             MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0) != 0)
        return MBEDTLS_ERR_ASN1_INVALID_DATA;
    q += field_length;
    if (mbedtls_asn1_get_tag(&q, tbs_end, &field_length, MBEDTLS_ASN1_INTEGER) != 0)
        return MBEDTLS_ERR_ASN1_INVALID_DATA;
    q += field_length;
    unsigned char *algorithm = q;
    if (mbedtls_asn1_get_tag(&q, tbs_end, &field_length, sequence) != 0)
        return MBEDTLS_ERR_ASN1_INVALID_DATA;
    if (field_length != null_form || q[0] != MBEDTLS_ASN1_OID || q[1] != sizeof ecdsa_sha256 ||
        memcmp(q + 2, ecdsa_sha256, sizeof ecdsa_sha256) != 0 || q[null_form - 2] != MBEDTLS_ASN1_NULL ||
        q[null_form - 1] != 0)
        return 0;  /* already right (or RSA, whose NULL parameter is required) */

    unsigned char right_algorithm[2 + 2 + sizeof ecdsa_sha256];
    right_algorithm[0] = sequence;
    right_algorithm[1] = 2 + sizeof ecdsa_sha256;
    right_algorithm[2] = MBEDTLS_ASN1_OID;
    right_algorithm[3] = sizeof ecdsa_sha256;
    memcpy(right_algorithm + 4, ecdsa_sha256, sizeof ecdsa_sha256);

    size_t before = (size_t)(algorithm - tbs_content);
    const unsigned char *after = q + null_form;
    size_t after_length = (size_t)(tbs_end - after);
    size_t content_length = before + sizeof right_algorithm + after_length;
    /* new TBS = header + content; the whole certificate gets at most as long as before */
    unsigned char *tbs = malloc(content_length + 8);
    unsigned char *certificate = malloc(*length + 16);
    if (tbs == NULL || certificate == NULL) {
        free(tbs);
        free(certificate);
        return MBEDTLS_ERR_ASN1_ALLOC_FAILED;
    }
    size_t tbs_total = der_header(sequence, content_length, tbs);
    memcpy(tbs + tbs_total, tbs_content, before);
    memcpy(tbs + tbs_total + before, right_algorithm, sizeof right_algorithm);
    memcpy(tbs + tbs_total + before + sizeof right_algorithm, after, after_length);
    tbs_total += content_length;

    unsigned char hash[32], signature[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t signature_length = 0;
    int result = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), tbs, tbs_total, hash);
    if (result == 0)
        result = compat_pk_sign(issuer_key, MBEDTLS_MD_SHA256, hash, sizeof hash, signature,
                                sizeof signature, &signature_length, mbedtls_ctr_drbg_random, drbg);
    if (result == 0) {
        /* Certificate ::= SEQUENCE { tbs, signatureAlgorithm, BIT STRING };
         * the body is built after 8 spare bytes, then its header goes in front */
        unsigned char *body = certificate + 8;
        size_t body_length = 0;
        memcpy(body, tbs, tbs_total);
        body_length += tbs_total;
        memcpy(body + body_length, right_algorithm, sizeof right_algorithm);
        body_length += sizeof right_algorithm;
        body_length += der_header(MBEDTLS_ASN1_BIT_STRING, signature_length + 1, body + body_length);
        body[body_length++] = 0;  /* no unused bits */
        memcpy(body + body_length, signature, signature_length);
        body_length += signature_length;
        unsigned char header[8];
        size_t header_length = der_header(sequence, body_length, header);
        if (header_length + body_length > der_size) {
            result = MBEDTLS_ERR_ASN1_BUF_TOO_SMALL;
        } else {
            memcpy(der, header, header_length);
            memcpy(der + header_length, body, body_length);
            *length = header_length + body_length;
        }
    }
    mbedtls_platform_zeroize(hash, sizeof hash);
    free(tbs);
    free(certificate);
    return result;
}

static int make_certificate(const struct certificate_spec *spec, struct pki *pki, char *pem,
                            size_t pem_size)
{
    mbedtls_x509write_cert writer;
    mbedtls_x509write_crt_init(&writer);
    mbedtls_x509write_crt_set_version(&writer, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&writer, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&writer, spec->subject_key);
    mbedtls_x509write_crt_set_issuer_key(&writer, spec->issuer_key);

    /* A positive serial of exactly SERIAL_BYTES: the first byte is
     * 0x01..0x7f, so DER needs neither a sign byte nor trimming. */
    unsigned char serial[SERIAL_BYTES];
    char not_before[16], not_after[16];
    format_x509_time(spec->not_before, not_before);
    format_x509_time(spec->not_after, not_after);

    int result = mbedtls_ctr_drbg_random(&pki->drbg, serial, sizeof serial);
    if (result == 0) {
        serial[0] &= 0x7f;
        if (serial[0] == 0)
            serial[0] = 0x01;
        result = compat_x509write_crt_set_serial(&writer, serial, sizeof serial);
    }
    if (result == 0)
        result = mbedtls_x509write_crt_set_subject_name(&writer, spec->subject);
    if (result == 0)
        result = mbedtls_x509write_crt_set_issuer_name(&writer, spec->issuer);
    if (result == 0)
        result = mbedtls_x509write_crt_set_validity(&writer, not_before, not_after);
    if (result == 0)
        result = mbedtls_x509write_crt_set_basic_constraints(&writer, spec->is_ca ? 1 : 0,
                                                             spec->max_pathlen);
    if (result == 0)
        result = mbedtls_x509write_crt_set_subject_key_identifier(&writer);
    if (result == 0)
        result = mbedtls_x509write_crt_set_authority_key_identifier(&writer);
    if (result == 0)
        result = mbedtls_x509write_crt_set_key_usage(&writer, spec->key_usage);
    if (result == 0 && spec->server_leaf) {
        unsigned char eku_buffer[32];
        const unsigned char *eku = NULL;
        size_t eku_length = 0;
        result = build_server_auth_eku(eku_buffer, sizeof eku_buffer, &eku, &eku_length);
        if (result == 0)
            result = mbedtls_x509write_crt_set_extension(
                &writer, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, eku, eku_length);
        /* Not critical: the subject is not empty (RFC 5280 4.2.1.6). */
        if (result == 0)
            result = mbedtls_x509write_crt_set_extension(
                &writer, MBEDTLS_OID_SUBJECT_ALT_NAME,
                MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, spec->san_der,
                spec->san_der_length);
    }

    /* DER first, then PEM ourselves: 2.28's x509write_crt_pem goes through
     * a 4096-byte stack buffer that a leaf with many names outgrows. */
    int written = 0;
    if (result == 0) {
        written = mbedtls_x509write_crt_der(&writer, pki->der, sizeof pki->der,
                                            mbedtls_ctr_drbg_random, &pki->drbg);
        if (written < 0)
            result = written;
    }
    size_t der_length = (size_t)written;
    if (result == 0) {
        /* x509write writes at the end of the buffer: move it to the front */
        memmove(pki->der, pki->der + sizeof pki->der - der_length, der_length);
        result = drop_ecdsa_null_parameter(pki->der, &der_length, sizeof pki->der, spec->issuer_key,
                                           &pki->drbg);
    }
    if (result == 0) {
        size_t pem_length = 0;
        result = mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
                                          "-----END CERTIFICATE-----\n", pki->der, der_length,
                                          (unsigned char *)pem, pem_size, &pem_length);
    }
    mbedtls_x509write_crt_free(&writer);
    return result;
}

static int make_pki(const struct options *options, struct pki *pki, time_t now,
                    time_t *leaf_not_after)
{
    static const char personalization[] = PROGRAM;
    int result = mbedtls_ctr_drbg_seed(&pki->drbg, mbedtls_entropy_func, &pki->entropy,
                                       (const unsigned char *)personalization,
                                       sizeof personalization - 1);
    if (result != 0)
        return crypto_error("cannot seed the random generator", result);
    result = compat_crypto_init();
    if (result != 0)
        return crypto_error("cannot initialise PSA crypto", result);

    const char *what = options->rsa ? "cannot generate an RSA-2048 key"
                                    : "cannot generate an ECDSA P-256 key";
    if ((result = generate_key(&pki->root_key, options->rsa, &pki->drbg)) != 0 ||
        (result = generate_key(&pki->intermediate_key, options->rsa, &pki->drbg)) != 0 ||
        (result = generate_key(&pki->leaf_key, options->rsa, &pki->drbg)) != 0)
        return crypto_error(what, result);

    const unsigned char *san_der = NULL;
    size_t san_der_length = 0;
    result = build_subject_alt_name(options, pki->san_der, sizeof pki->san_der, &san_der,
                                    &san_der_length);
    if (result != 0)
        return crypto_error("cannot encode the subjectAltName extension", result);

    static const char root_subject[] = "CN=" ROOT_CN ",O=" ORGANIZATION;
    static const char intermediate_subject[] = "CN=" INTERMEDIATE_CN ",O=" ORGANIZATION;
    /* Names were validated: no ',', '=', '\\' or '#' can reach this string. */
    char leaf_subject[COMMON_NAME_MAX + sizeof ",O=" ORGANIZATION + 3];
    snprintf(leaf_subject, sizeof leaf_subject, "CN=%s,O=" ORGANIZATION, options->common_name);

    time_t not_before = now - CLOCK_SKEW_SECONDS;
    *leaf_not_after = now + (time_t)options->days * DAY_SECONDS;
    /* The intermediate outlives any leaf it signs. */
    long intermediate_days = options->days > INTERMEDIATE_DAYS ? options->days : INTERMEDIATE_DAYS;

    const struct certificate_spec root = {
        .subject = root_subject,
        .issuer = root_subject,
        .subject_key = &pki->root_key,
        .issuer_key = &pki->root_key,
        .not_before = not_before,
        .not_after = now + (time_t)ROOT_DAYS * DAY_SECONDS,
        .is_ca = true,
        .max_pathlen = -1,
        .key_usage = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN,
    };
    const struct certificate_spec intermediate = {
        .subject = intermediate_subject,
        .issuer = root_subject,
        .subject_key = &pki->intermediate_key,
        .issuer_key = &pki->root_key,
        .not_before = not_before,
        .not_after = now + (time_t)intermediate_days * DAY_SECONDS,
        .is_ca = true,
        .max_pathlen = 0,
        .key_usage = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN,
    };
    const struct certificate_spec leaf = {
        .subject = leaf_subject,
        .issuer = intermediate_subject,
        .subject_key = &pki->leaf_key,
        .issuer_key = &pki->intermediate_key,
        .not_before = not_before,
        .not_after = *leaf_not_after,
        .is_ca = false,
        .max_pathlen = -1,
        /* keyEncipherment: TLS 1.2 RSA key transport, for old clients. */
        .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
                     (options->rsa ? MBEDTLS_X509_KU_KEY_ENCIPHERMENT : 0),
        .server_leaf = true,
        .san_der = san_der,
        .san_der_length = san_der_length,
    };

    if ((result = make_certificate(&root, pki, pki->root_pem, sizeof pki->root_pem)) != 0)
        return crypto_error("cannot make the root CA certificate", result);
    if ((result = make_certificate(&intermediate, pki, pki->intermediate_pem,
                                   sizeof pki->intermediate_pem)) != 0)
        return crypto_error("cannot make the intermediate CA certificate", result);
    if ((result = make_certificate(&leaf, pki, pki->leaf_pem, sizeof pki->leaf_pem)) != 0)
        return crypto_error("cannot make the server certificate", result);
    if ((result = mbedtls_pk_write_key_pem(&pki->leaf_key, (unsigned char *)pki->key_pem,
                                           sizeof pki->key_pem)) != 0)
        return crypto_error("cannot encode the server key", result);
    return 0;
}

/* ------------------------------------------------------------ files */

static bool join_path(char *out, size_t out_size, const char *dir, const char *name)
{
    int length;
    if (strcmp(dir, ".") == 0)
        length = snprintf(out, out_size, "%s", name);
    else {
        size_t dir_length = strlen(dir);
        while (dir_length > 1 && dir[dir_length - 1] == '/')
            dir_length--;
        bool root = dir_length == 1 && dir[0] == '/';
        length = snprintf(out, out_size, "%.*s%s%s", (int)dir_length, dir, root ? "" : "/", name);
    }
    return length >= 0 && (size_t)length < out_size;
}

/* DIR must be a directory; a missing one is made (its parent must exist). */
static int prepare_dir(const char *dir)
{
    struct stat status;
    if (stat(dir, &status) == 0) {
        if (!S_ISDIR(status.st_mode)) {
            fprintf(stderr, PROGRAM ": %s is not a directory\n", dir);
            return EXIT_USAGE;
        }
        return 0;
    }
    if (errno != ENOENT) {
        fprintf(stderr, PROGRAM ": cannot use directory %s: %s\n", dir, strerror(errno));
        return EXIT_USAGE;
    }
    if (mkdir(dir, 0755) != 0) {
        fprintf(stderr, PROGRAM ": cannot create directory %s: %s%s\n", dir, strerror(errno),
                errno == ENOENT ? " (its parent directory must exist)" : "");
        return EXIT_USAGE;
    }
    return 0;
}

/* Without --force, any existing output file stops the run. */
static int check_existing(const struct output_file *files, bool force)
{
    if (force)
        return 0;
    for (size_t i = 0; i < FILE_COUNT; i++) {
        struct stat status;
        if (lstat(files[i].path, &status) == 0) {
            fprintf(stderr, PROGRAM ": %s exists; use --force to replace it\n", files[i].path);
            return EXIT_USAGE;
        }
        if (errno != ENOENT) {
            fprintf(stderr, PROGRAM ": cannot check %s: %s\n", files[i].path, strerror(errno));
            return EXIT_USAGE;
        }
    }
    return 0;
}

static bool write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += written;
        length -= (size_t)written;
    }
    return true;
}

/* Writes the parts into a fresh temporary file next to file->path, to be
 * renamed into place: a crash never leaves half a file under the real
 * name. The file is created with its final mode (O_EXCL: never through
 * someone else's file or symlink), a key (mode 0600) is fchmod-ed to
 * exactly that whatever the umask, and a file replaced by root keeps its
 * owner and group (keep_owner). */
static int write_temp(struct output_file *file, const char *dir, const char *const *parts,
                      size_t part_count)
{
    int fd = -1;
    for (unsigned int attempt = 0; fd < 0 && attempt < 100; attempt++) {
        char temp_name[NAME_MAX];
        snprintf(temp_name, sizeof temp_name, ".%s.%ld.%u.tmp", file->name, (long)getpid(), attempt);
        if (!join_path(file->temp, sizeof file->temp, dir, temp_name)) {
            fprintf(stderr, PROGRAM ": path too long in %s\n", dir);
            return EXIT_USAGE;
        }
        fd = open(file->temp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, file->mode);
        if (fd < 0 && errno != EEXIST) {
            fprintf(stderr, PROGRAM ": cannot create %s: %s\n", file->temp, strerror(errno));
            return EXIT_USAGE;
        }
    }
    if (fd < 0) {
        fprintf(stderr, PROGRAM ": cannot create a temporary file for %s: %s\n", file->path,
                strerror(EEXIST));
        return EXIT_USAGE;
    }
    file->temp_made = true;

    bool ok = file->mode != 0600 || fchmod(fd, 0600) == 0; /* the key */
    if (ok && file->keep_owner)
        ok = fchown(fd, file->uid, file->gid) == 0;
    for (size_t i = 0; ok && i < part_count; i++)
        ok = write_all(fd, parts[i], strlen(parts[i]));
    if (ok)
        ok = fsync(fd) == 0;
    int saved_errno = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved_errno = errno;
    }
    if (!ok) {
        fprintf(stderr, PROGRAM ": cannot write %s: %s\n", file->temp, strerror(saved_errno));
        return EXIT_USAGE;
    }
    return 0;
}

static void remove_temps(struct output_file *files)
{
    for (size_t i = 0; i < FILE_COUNT; i++) {
        if (files[i].temp_made) {
            unlink(files[i].temp);
            files[i].temp_made = false;
        }
    }
}

static int write_files(const struct options *options, struct output_file *files,
                       const struct pki *pki)
{
    const char *const ca_parts[] = {pki->root_pem};
    const char *const chain_parts[] = {pki->leaf_pem, pki->intermediate_pem};
    const char *const key_parts[] = {pki->key_pem};
    int status = write_temp(&files[FILE_CA], options->dir, ca_parts, 1);
    if (status == 0)
        status = write_temp(&files[FILE_CHAIN], options->dir, chain_parts, 2);
    if (status == 0)
        status = write_temp(&files[FILE_KEY], options->dir, key_parts, 1);
    /* Again: key generation may have taken a while (RSA), and another run
     * may have written the files meanwhile. */
    if (status == 0)
        status = check_existing(files, options->force);
    if (status != 0) {
        remove_temps(files);
        return status;
    }
    /* The key first: a server.crt never sits next to a stale key without a
     * matching one in place. */
    static const int order[] = {FILE_KEY, FILE_CHAIN, FILE_CA};
    for (size_t i = 0; i < FILE_COUNT; i++) {
        struct output_file *file = &files[order[i]];
        if (rename(file->temp, file->path) != 0) {
            fprintf(stderr, PROGRAM ": cannot rename %s to %s: %s\n", file->temp, file->path,
                    strerror(errno));
            remove_temps(files);
            return EXIT_USAGE;
        }
        file->temp_made = false;
    }
    /* Make the renames themselves durable. */
    int dir_fd = open(options->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)fsync(dir_fd);
        close(dir_fd);
    }
    return 0;
}

/* ------------------------------------------------------------ report */

static void report(const struct options *options, const struct output_file *files, time_t now,
                   time_t leaf_not_after)
{
    const char *algorithm = options->rsa ? "RSA-2048" : "ECDSA P-256";
    char root_until[40], leaf_until[40];
    cert_time_format_epoch(now + (time_t)ROOT_DAYS * DAY_SECONDS, root_until, sizeof root_until);
    cert_time_format_epoch(leaf_not_after, leaf_until, sizeof leaf_until);

    printf(PROGRAM ": wrote %s (root CA \"" ROOT_CN "\", %s, until %s)\n", files[FILE_CA].path,
           algorithm, root_until);
    printf(PROGRAM ": wrote %s (server certificate, then intermediate CA \"" INTERMEDIATE_CN
           "\")\n",
           files[FILE_CHAIN].path);
    printf(PROGRAM ": wrote %s (server private key, %s, mode 0600)\n", files[FILE_KEY].path,
           algorithm);
    printf("server certificate:\n");
    printf("  subject:  CN=%s, O=" ORGANIZATION "\n", options->common_name);
    printf("  names:   ");
    for (size_t i = 0; i < options->name_count; i++)
        printf("%s %s:%s", i == 0 ? "" : ",", options->names[i].type == SAN_DNS ? "DNS" : "IP",
               options->names[i].text);
    printf("\n");
    printf("  expires:  %s (%ld days)\n", leaf_until, options->days);
    printf("The CA private keys were not kept: running " PROGRAM
           " --force again makes a new CA,\nwhich must then be trusted again.\n");
    printf("trust %s in your browser: see certs/README.md\n", files[FILE_CA].path);
}

/* ------------------------------------------------------------ ticket keys */

/* Everything secret in one place, wiped in one go. */
struct ticket_key_work {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    struct ticket_key_set old_keys;
    struct ticket_key_set new_keys;
    char text[4096];
};

static void name_prefix(const struct ticket_key *key, char hex[17])
{
    hex[hex_encode(key->name, 8, hex)] = '\0';
}

/* A fresh key from CTR-DRBG, its name unlike any in `others`. */
static int make_ticket_key(struct ticket_key_work *work, const struct ticket_key_set *others,
                           struct ticket_key *key)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        int result = mbedtls_ctr_drbg_random(&work->drbg, key->name, sizeof key->name);
        if (result == 0)
            result = mbedtls_ctr_drbg_random(&work->drbg, key->secret, sizeof key->secret);
        if (result != 0)
            return crypto_error("cannot make a random key", result);
        bool taken = false;
        for (size_t i = 0; i < others->count; i++)
            taken = taken || memcmp(others->keys[i].name, key->name, sizeof key->name) == 0;
        if (!taken)
            return 0;
    }
    fprintf(stderr, PROGRAM ": the random generator keeps repeating itself\n");
    return EXIT_CRYPTO;
}

/* The directory and the name of the file to write; a symlink is followed
 * when it exists, so that the file it points to is replaced, not the
 * link. */
static int split_target(const char *path, struct output_file *file, char *dir, size_t dir_size,
                        char *name, size_t name_size)
{
    char resolved[PATH_MAX];
    struct stat status;
    const char *target = path;
    if (lstat(path, &status) == 0 && S_ISLNK(status.st_mode)) {
        if (realpath(path, resolved) == NULL) {
            fprintf(stderr, PROGRAM ": %s: %s\n", path, strerror(errno));
            return EXIT_USAGE;
        }
        target = resolved;
    }
    /* dirname and basename may change their argument: copies */
    char copy_for_dir[PATH_MAX], copy_for_name[PATH_MAX];
    if (snprintf(copy_for_dir, sizeof copy_for_dir, "%s", target) >= (int)sizeof copy_for_dir) {
        fprintf(stderr, PROGRAM ": path too long: %s\n", path);
        return EXIT_USAGE;
    }
    snprintf(copy_for_name, sizeof copy_for_name, "%s", target);
    snprintf(dir, dir_size, "%s", dirname(copy_for_dir));
    snprintf(name, name_size, "%s", basename(copy_for_name));
    if (snprintf(file->path, sizeof file->path, "%s", target) >= (int)sizeof file->path) {
        fprintf(stderr, PROGRAM ": path too long: %s\n", path);
        return EXIT_USAGE;
    }
    file->name = name;
    file->mode = 0600;
    return 0;
}

/* Writes work->text through a temporary file renamed over the target:
 * whoever reads the file (tlsd on a reload) sees the old one or the new
 * one, never half of either. Without `replace`, an existing file stops it. */
static int write_ticket_key_file(const char *path, struct ticket_key_work *work, bool replace,
                                 char *written_path, size_t written_path_size)
{
    struct output_file file;
    memset(&file, 0, sizeof file);
    char dir[PATH_MAX], name[NAME_MAX + 1];
    int status = split_target(path, &file, dir, sizeof dir, name, sizeof name);
    if (status != 0)
        return status;
    struct stat existing;
    if (lstat(file.path, &existing) == 0) {
        if (!replace) {
            fprintf(stderr, PROGRAM ": %s exists; use --force to replace it\n", path);
            return EXIT_USAGE;
        }
        /* root rotating a key file that tlsd's user owns keeps it tlsd's */
        file.keep_owner = geteuid() == 0;
        file.uid = existing.st_uid;
        file.gid = existing.st_gid;
    } else if (errno != ENOENT) {
        fprintf(stderr, PROGRAM ": cannot check %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    const char *const parts[] = {work->text};
    status = write_temp(&file, dir, parts, 1);
    /* again: another run may have written it meanwhile */
    if (status == 0 && !replace && lstat(file.path, &existing) == 0) {
        fprintf(stderr, PROGRAM ": %s exists; use --force to replace it\n", path);
        status = EXIT_USAGE;
    }
    if (status == 0 && rename(file.temp, file.path) != 0) {
        fprintf(stderr, PROGRAM ": cannot rename %s to %s: %s\n", file.temp, file.path, strerror(errno));
        status = EXIT_USAGE;
    }
    if (status != 0) {
        if (file.temp_made)
            unlink(file.temp);
        return status;
    }
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)fsync(dir_fd);
        close(dir_fd);
    }
    snprintf(written_path, written_path_size, "%s", file.path);
    return 0;
}

static int ticket_keys_mode(const struct options *options, struct ticket_key_work *work)
{
    static const char personalization[] = PROGRAM " ticket keys";
    int result = mbedtls_ctr_drbg_seed(&work->drbg, mbedtls_entropy_func, &work->entropy,
                                       (const unsigned char *)personalization, sizeof personalization - 1);
    if (result != 0)
        return crypto_error("cannot seed the random generator", result);
    result = compat_crypto_init();
    if (result != 0)
        return crypto_error("cannot initialise PSA crypto", result);

    bool rotate = options->rotate_ticket_keys != NULL;
    const char *path = rotate ? options->rotate_ticket_keys : options->ticket_keys;
    if (rotate) {
        char error[1024];
        /* the same checks as tlsd's: a file tlsd would refuse is not
         * rotated into another it would refuse */
        if (ticket_keys_load_file(path, &work->old_keys, error, sizeof error) != 0) {
            fprintf(stderr, PROGRAM ": %s; %s is left as it is\n", error, path);
            return EXIT_USAGE;
        }
    }
    int status = make_ticket_key(work, &work->old_keys, &work->new_keys.keys[0]);
    if (status != 0)
        return status;
    work->new_keys.count = 1;
    size_t keep = rotate ? (size_t)options->keep : 1;
    for (size_t i = 0; i < work->old_keys.count && work->new_keys.count < keep; i++)
        work->new_keys.keys[work->new_keys.count++] = work->old_keys.keys[i];

    time_t now = time(NULL);
    char date[40], comment[96];
    cert_time_format_epoch(now, date, sizeof date);
    snprintf(comment, sizeof comment, "made by " PROGRAM " %s on %s",
             rotate ? "--rotate-ticket-keys" : "--ticket-keys", date);
    size_t length = ticket_keys_format(&work->new_keys, comment, work->text, sizeof work->text);
    if (length >= sizeof work->text) {
        fprintf(stderr, PROGRAM ": the key file text does not fit in %zu bytes\n", sizeof work->text);
        return EXIT_CRYPTO;
    }
    char written[PATH_MAX];
    status = write_ticket_key_file(path, work, rotate || options->force, written, sizeof written);
    if (status != 0)
        return status;

    char new_name[17];
    name_prefix(&work->new_keys.keys[0], new_name);
    size_t count = work->new_keys.count;
    printf(PROGRAM ": wrote %s (%zu ticket key%s, mode 0600)\n", written, count, count == 1 ? "" : "s");
    printf("  new key:  %s (issues new tickets)\n", new_name);
    for (size_t i = 1; i < count; i++) {
        char old_name[17];
        name_prefix(&work->new_keys.keys[i], old_name);
        printf("  kept:     %s (%s)\n", old_name,
               i == 1 ? "issued tickets until now; still resumes them" : "still resumes its tickets");
    }
    for (size_t i = count - 1; rotate && i < work->old_keys.count; i++) {
        char old_name[17];
        name_prefix(&work->old_keys.keys[i], old_name);
        printf("  dropped:  %s (--keep %ld)\n", old_name, options->keep);
    }
    printf("Give every tlsd that shares tickets this file (ticket_key_file), then reload them.\n");
    return 0;
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    static struct options options; /* static: large, and zeroed */
    int status = parse_options(argc, argv, &options);
    if (status >= 0)
        return status;

    if (options.ticket_keys != NULL || options.rotate_ticket_keys != NULL) {
        struct ticket_key_work *work = calloc(1, sizeof *work);
        if (work == NULL) {
            fprintf(stderr, PROGRAM ": out of memory\n");
            return EXIT_CRYPTO;
        }
        mbedtls_entropy_init(&work->entropy);
        mbedtls_ctr_drbg_init(&work->drbg);
        status = ticket_keys_mode(&options, work);
        mbedtls_ctr_drbg_free(&work->drbg);
        mbedtls_entropy_free(&work->entropy);
        mbedtls_platform_zeroize(work, sizeof *work);
        free(work);
        compat_crypto_free();
        return status;
    }

    struct output_file files[FILE_COUNT] = {
        [FILE_CA] = {.name = "ca.crt", .mode = 0644},
        [FILE_CHAIN] = {.name = "server.crt", .mode = 0644},
        [FILE_KEY] = {.name = "server.key", .mode = 0600},
    };
    for (size_t i = 0; i < FILE_COUNT; i++) {
        if (!join_path(files[i].path, sizeof files[i].path, options.dir, files[i].name)) {
            fprintf(stderr, PROGRAM ": path too long: %s\n", options.dir);
            return EXIT_USAGE;
        }
    }
    if ((status = prepare_dir(options.dir)) != 0 || (status = check_existing(files, options.force)) != 0)
        return status;

    time_t now = time(NULL);
    if (now == (time_t)-1) {
        fprintf(stderr, PROGRAM ": cannot read the clock: %s\n", strerror(errno));
        return EXIT_USAGE;
    }

    struct pki *pki = calloc(1, sizeof *pki);
    if (pki == NULL) {
        fprintf(stderr, PROGRAM ": out of memory\n");
        return EXIT_CRYPTO;
    }
    mbedtls_entropy_init(&pki->entropy);
    mbedtls_ctr_drbg_init(&pki->drbg);
    mbedtls_pk_init(&pki->root_key);
    mbedtls_pk_init(&pki->intermediate_key);
    mbedtls_pk_init(&pki->leaf_key);

    time_t leaf_not_after = 0;
    status = make_pki(&options, pki, now, &leaf_not_after);
    if (status == 0)
        status = write_files(&options, files, pki);
    if (status == 0)
        report(&options, files, now, leaf_not_after);

    mbedtls_pk_free(&pki->leaf_key);
    mbedtls_pk_free(&pki->intermediate_key);
    mbedtls_pk_free(&pki->root_key);
    mbedtls_ctr_drbg_free(&pki->drbg);
    mbedtls_entropy_free(&pki->entropy);
    mbedtls_platform_zeroize(pki, sizeof *pki);
    free(pki);
    compat_crypto_free();
    return status;
}

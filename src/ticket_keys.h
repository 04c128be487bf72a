/* SPDX-License-Identifier: Apache-2.0 */
/* ticket_keys.h: TLS session-ticket keys, shared across a fleet through a
 * key file, and the Mbed TLS ticket callbacks that use them.
 *
 * Mbed TLS's own ticket module (mbedtls_ssl_ticket_context) makes random
 * keys and rotates them itself; 2.28 has no way to install a key. tlsd
 * uses these callbacks instead, on both versions, for the keys of a
 * `ticket_key_file` and for its own random keys alike.
 *
 * Key file (`ticket_key_file FILE` in tlsd.conf; tlsd-mkcert --ticket-keys
 * and --rotate-ticket-keys write one):
 *   - text, one key a line: 96 hex digits (upper or lower case) = 48 bytes,
 *     a 16-byte key name followed by a 32-byte AES-256-GCM key. One can be
 *     made by hand with `openssl rand -hex 48`;
 *   - the first key issues new tickets; every key in the file (the first
 *     included) is accepted for resuming;
 *   - 1 to TICKET_KEYS_MAX (8) keys, no key name twice;
 *   - blank lines and lines whose first non-blank character is '#' are
 *     ignored; blanks (space, tab) before and after a key, and a CR before
 *     the LF, are allowed. Anything else is an error "FILE:LINE: reason";
 *   - a regular file of at most 64 KiB, neither readable nor writable by
 *     group or others (mode 0600 or 0400), unless it is a systemd
 *     LoadCredential= copy under $CREDENTIALS_DIRECTORY.
 *
 * Ticket (the bytes a client holds; only tlsd reads them):
 *   key name (16) | created (8, seconds since the epoch, big-endian) |
 *   IV (12, random) | length of the encrypted state (2, big-endian) |
 *   encrypted state | GCM tag (16)
 * The state is mbedtls_ssl_session_save() output, sealed with AES-256-GCM
 * under the named key; the first 38 bytes are the additional
 * authenticated data, so the name, the creation time and the length are
 * authenticated too. A ticket resumes while its age is at most the
 * lifetime (session_timeout), and if it is not more than
 * TICKET_CLOCK_SKEW_SECONDS in the future (instances of a fleet whose
 * clocks differ a little). A state saved by another Mbed TLS version does
 * not load: such a ticket gets a full handshake. */
#ifndef TLSD_TICKET_KEYS_H
#define TLSD_TICKET_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Mbed TLS's session (mbedtls_ssl_session), declared here so that the key
 * file's users need no Mbed TLS header. */
struct mbedtls_ssl_session;

#define TICKET_KEYS_MAX 8
#define TICKET_KEY_NAME_SIZE 16
#define TICKET_KEY_SECRET_SIZE 32
#define TICKET_KEY_HEX_LENGTH (2 * (TICKET_KEY_NAME_SIZE + TICKET_KEY_SECRET_SIZE))  /* 96 */
#define TICKET_KEY_NAME_HEX_SIZE (2 * TICKET_KEY_NAME_SIZE + 1)  /* with the NUL */
#define TICKET_KEY_FILE_MAX (64 * 1024)
#define TICKET_CLOCK_SKEW_SECONDS 60

/* name | created | IV | length ... tag */
#define TICKET_HEADER_SIZE (TICKET_KEY_NAME_SIZE + 8 + 12 + 2)  /* 38: the authenticated data */
#define TICKET_TAG_SIZE 16
#define TICKET_OVERHEAD (TICKET_HEADER_SIZE + TICKET_TAG_SIZE)

struct ticket_key {
    unsigned char name[TICKET_KEY_NAME_SIZE];
    unsigned char secret[TICKET_KEY_SECRET_SIZE];
};

/* keys[0] issues tickets; all of them resume. */
struct ticket_key_set {
    struct ticket_key keys[TICKET_KEYS_MAX];
    size_t count;
};

/* ---- the key file ---- */

/* Parse a key file's text (not NUL-terminated necessarily) into `set`.
 * Pure: no I/O. Returns 0, or -1 with "FILENAME:LINE: reason" (or
 * "FILENAME: no key ..." for a file without one) in `error`; `set` then
 * holds nothing (it is wiped). */
int ticket_keys_parse(const char *text, size_t length, const char *filename, struct ticket_key_set *set,
                      char *error, size_t error_size);

/* Read `path` (checked as described above: a regular file, at most
 * TICKET_KEY_FILE_MAX bytes, the mode) and parse it. Returns 0, or -1 with
 * a message starting "ticket_key_file PATH" in `error`. The caller wipes
 * `set` (mbedtls_platform_zeroize) when done with it. */
int ticket_keys_load_file(const char *path, struct ticket_key_set *set, char *error, size_t error_size);

/* The text of a key file holding `set`: two '#' lines (what the file is,
 * with `comment` if not NULL, and the format), then one line per key.
 * Returns the text's length; it was written whole (NUL-terminated) if
 * that is less than `size`, as with snprintf. */
size_t ticket_keys_format(const struct ticket_key_set *set, const char *comment, char *out, size_t size);

/* ---- the keys in use, and the callbacks ---- */

/* Mbed TLS's f_rng: called with the module's mutex held only, so a DRBG
 * that nothing else uses needs no lock of its own. */
typedef int ticket_keys_random(void *context, unsigned char *output, size_t length);
/* Seconds since the epoch: time(NULL), or a test's clock. */
typedef time_t ticket_keys_clock(void);

struct ticket_keys;

/* Starts with tlsd's own random keys (see ticket_keys_use). `lifetime` is
 * the seconds a ticket resumes (session_timeout). NULL on failure, with
 * the reason in `error`. */
struct ticket_keys *ticket_keys_create(ticket_keys_random *random, void *random_context, uint32_t lifetime,
                                       char *error, size_t error_size);
/* Wipes every key. NULL is allowed. */
void ticket_keys_free(struct ticket_keys *keys);

/* Install the keys of `set` (copied: the caller wipes its own), replacing
 * all that were in use: tickets sealed with a key not in `set` get a full
 * handshake. NULL = tlsd's own keys, as Mbed TLS's ticket module does it:
 * a random key, replaced by a new one when a ticket is issued
 * `lifetime` or more seconds after it was made, the previous one kept to
 * resume the tickets it issued; already on own keys, nothing changes.
 * Returns 0, or an Mbed TLS error (the keys in use then stay). Safe while
 * other threads run the callbacks. */
int ticket_keys_use(struct ticket_keys *keys, const struct ticket_key_set *set);

/* The name of the key that issues new tickets, as 32 lower-case hex
 * digits, for log lines. */
void ticket_keys_issuing_name(struct ticket_keys *keys, char hex[TICKET_KEY_NAME_HEX_SIZE]);

/* For tests: the clock of every decision (ticket age, creation time, own
 * key rotation). NULL = time(NULL). Set it before other threads use
 * `keys`. */
void ticket_keys_set_clock(struct ticket_keys *keys, ticket_keys_clock *clock);

/* mbedtls_ssl_ticket_write_t and mbedtls_ssl_ticket_parse_t, with `keys`
 * as p_ticket: mbedtls_ssl_conf_session_tickets_cb(config,
 * ticket_keys_write, ticket_keys_parse_ticket, keys). The lifetime given
 * to clients is the lifetime above. Parsing returns
 * MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED for an unknown key name or a
 * ticket too old or from the future, MBEDTLS_ERR_SSL_INVALID_MAC when the
 * tag is wrong, MBEDTLS_ERR_SSL_BAD_INPUT_DATA when the length is: Mbed
 * TLS then does a full handshake. */
int ticket_keys_write(void *p_ticket, const struct mbedtls_ssl_session *session, unsigned char *start,
                      const unsigned char *end, size_t *length, uint32_t *lifetime);
int ticket_keys_parse_ticket(void *p_ticket, struct mbedtls_ssl_session *session, unsigned char *buf, size_t length);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* tls.h: Mbed TLS server setup (certificate chain, key, policy) and the
 * per-connection TLS session with its handshake driver.
 *
 * A `tls_server` is one generation of the TLS configuration: connections
 * hold a reference to the generation they started on, so that a reload can
 * build a new one while old connections finish on theirs. */
#ifndef TLSD_TLS_H
#define TLSD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clienthello.h"
#include "tls_handshake_state.h"

/* Mbed TLS stays behind this header: what tls.c keeps in these structs is
 * its own (tls.c, and tls_private.h for the tests). */
struct tls_server;
struct tls_session;
struct tls_resumption;
struct tlsd_config;
struct ticket_key_set;

#define TLS_MAX_CIPHERSUITES 32

/* Session resumption, shared by every worker and kept across reloads so
 * that a reload never breaks it: the session-id cache and the session
 * ticket keys (ticket_keys.h: AES-256-GCM; a ticket stays valid for
 * session_timeout after it is issued). The keys are those of
 * ticket_key_file, shared by a fleet, or else tlsd's own random ones,
 * rotated every session_timeout. Sizes and timeouts are taken from the
 * configuration at start.
 *
 * tls_resumption_create also loads config->ticket_key_file when it is
 * set (so `tlsd -t` checks it), and logs at info which ticket keys are in
 * use. */
struct tls_resumption *tls_resumption_create(const struct tlsd_config *config, char *error, size_t error_size);
void tls_resumption_free(struct tls_resumption *resumption);

/* At start and on a reload: issue and resume tickets with the keys of
 * `set`, read from `path` (the caller wipes `set`: tls_wipe); NULL `set` = tlsd's
 * own random keys (kept if they are already in use). Logs the keys in use
 * at info and returns 0, or returns -1 with the reason in `error`, and the
 * keys in use stay. */
int tls_resumption_use_ticket_keys(struct tls_resumption *resumption, const struct ticket_key_set *set,
                                   const char *path, char *error, size_t error_size);

/* Whether `config`'s session_cache_size or session_timeout differ from
 * those in use: they apply at start only. */
bool tls_resumption_settings_changed(const struct tls_resumption *resumption, const struct tlsd_config *config);

/* Load the chain and key named in `config` (and open keylog_file), check them (they exist, parse,
 * the key is not readable by group or others, the key matches the leaf, the
 * chain is in order) and set up the TLS policy. On error returns NULL with
 * a precise message in `error`. The result holds one reference. */
struct tls_server *tls_server_create(const struct tlsd_config *config, struct tls_resumption *resumption,
                                     char *error, size_t error_size);

void tls_server_reference(struct tls_server *server);
void tls_server_release(struct tls_server *server);

/* Log the chain being served: subject, issuer and expiry of each
 * certificate, at info. */
void tls_server_log_chain(const struct tls_server *server);

/* Validate a `ciphersuites` value against the policy and turn it into Mbed
 * TLS ids (0-terminated). NULL text = the default list. */
int tls_parse_ciphersuites(const char *text, int *ids, size_t ids_size, char *error, size_t error_size);

/* Results of the session calls below (besides byte counts). */
enum tls_io {
    TLS_IO_DONE = 0,
    TLS_IO_WANT_READ = -1,
    TLS_IO_WANT_WRITE = -2,
    TLS_IO_CLOSED = -3,     /* close_notify or end of stream from the peer */
    TLS_IO_FAILED = -4,     /* error holds the Mbed TLS code */
};

/* At most this much encrypted output waits for a peer: above it tlsd
 * stops reading from that peer (and stops encrypting more of a response),
 * whatever the phase, so a peer that does not read cannot make it queue
 * more than this plus what one Mbed TLS call writes. */
#define TLS_OUTPUT_HIGH_WATER (64 * 1024)

/* Records a peer may send in a row after the handshake without
 * application data coming out of any of them (warning alerts, empty
 * records): real clients send one or two (user_canceled, close_notify).
 * One fewer than the empty records Mbed TLS 2.28 takes in a row before it
 * fails them as a bad MAC, so that the log says what happened. */
#define TLS_MAX_RECORDS_WITHOUT_DATA 3
/* During the handshake, records of other types than handshake (a
 * ChangeCipherSpec or two, TLS 1.3's encrypted Finished, an alert) and
 * empty ones: a handful; the handshake timeout bounds the rest. */
#define TLS_MAX_HANDSHAKE_RECORDS_OTHER 16

/* What tlsd itself refused in what the peer sent, beyond the checks Mbed
 * TLS makes. Each has a log reason and the fatal alert it gets
 * (tls_refusal_reason, tls_alert_for_failure). */
enum tls_refusal {
    TLS_REFUSAL_NONE,
    TLS_REFUSAL_RENEGOTIATION,    /* a handshake record after a TLS 1.2 handshake: renegotiation is refused */
    TLS_REFUSAL_RECORD_FLOOD,     /* more records without data than the two limits above allow */
    TLS_REFUSAL_MALFORMED_HELLO,  /* tlsd's ClientHello parser found the hello malformed */
    TLS_REFUSAL_EMS_REQUIRED,     /* resuming an extended-master-secret session without the extension */
    TLS_REFUSAL_COUNT
};

/* The refusal's log reason ("renegotiation_attempt"). */
const char *tls_refusal_reason(enum tls_refusal refusal);

/* Called after every handshake step with the state before and after it
 * (tlsd's own, tls_handshake_state.h) and the step's result (0 or an Mbed
 * TLS error): hslog turns these into the handshake stages. */
typedef void tls_step_callback(void *context, struct tls_session *session, enum tls_handshake_state state_before,
                               enum tls_handshake_state state_after, int result);
/* Raw bytes as they cross the wire: what the peer sent, and each record
 * Mbed TLS wrote (one call per record). */
typedef void tls_bytes_callback(void *context, const unsigned char *bytes, size_t length);

/* The step callback's ClientHello, parsed after the client_hello step:
 * tls_session_handshake refuses a malformed one (decode_error) and a TLS
 * 1.2 resumption without extended master secret (handshake_failure), and
 * only a session made with extended master secret (or TLS 1.3) is kept
 * for resumption. `hello` must live until the handshake ends. */
void tls_session_set_hello(struct tls_session *session, const struct clienthello *hello,
                           enum clienthello_status status);

/* A session on `fd`, holding a reference to `server`. Returns NULL with
 * *error set to an Mbed TLS error code when it cannot be set up. */
struct tls_session *tls_session_create(struct tls_server *server, int fd, int *error);
/* Frees the session (NULL is allowed); `fd` is the caller's to close. */
void tls_session_destroy(struct tls_session *session);

/* Drive the handshake as far as the socket allows: TLS_IO_DONE when it is
 * complete, WANT_READ / WANT_WRITE when it must wait, CLOSED or FAILED
 * (with *error set). */
enum tls_io tls_session_handshake(struct tls_session *session, int *error);

/* Decrypt into buf. Returns the byte count (> 0), or a tls_io code. */
int tls_session_read(struct tls_session *session, unsigned char *buf, size_t size, int *error);

/* Encrypt from buf. Returns the byte count accepted (> 0, may be less than
 * size: call again with the rest), or a tls_io code; after WANT_* call
 * again with the same buffer and length. */
int tls_session_write(struct tls_session *session, const unsigned char *buf, size_t size, int *error);

/* The session failed with `error` (from any call above, or 0 for a
 * timeout or an end of stream): queue the fatal alert the failure calls
 * for, unless Mbed TLS sent one during the call that failed, the peer
 * sent a fatal alert of its own, or the socket is gone. The alert is the
 * one the RFCs name where the error says which (decode_error,
 * illegal_parameter, unexpected_message, protocol_version,
 * record_overflow, ...), else handshake_failure during the handshake and
 * internal_error after it. Returns the alert's description, or -1 when
 * none was added. Queued only: tls_session_flush() sends it. */
int tls_session_add_fatal_alert(struct tls_session *session, int error);

/* Queue close_notify. Returns TLS_IO_DONE, WANT_* or FAILED. */
enum tls_io tls_session_close_notify(struct tls_session *session, int *error);

/* Send what is queued in `output`. Returns 0 when all is sent, 1 when some
 * is left (wait for the socket to be writable), -1 on a socket error. */
int tls_session_flush(struct tls_session *session);

/* ---- What the rest of tlsd may know of a session and a server. These
 * are the only way in: connection.c and the handshake observer never
 * touch Mbed TLS or these structs themselves. */

/* Who watches the handshake on the wire (hslog): the step and byte
 * callbacks, or NULL to stop watching. */
struct tls_observer {
    tls_step_callback *on_step;
    tls_bytes_callback *on_received;
    tls_bytes_callback *on_sent;
    void *context;
};
void tls_session_observe(struct tls_session *session, const struct tls_observer *observer);

/* This session's own NSS key log lines ("LABEL <client random> <secret>"
 * and a newline), one call per secret as the handshake makes it: for the
 * connection's capture (capture.h), whether or not keylog_file is set.
 * Only sessions of a server with keylog_file or handshake_capture export
 * their secrets. NULL callback: none. */
typedef void tls_key_log_callback(void *context, const char *line, size_t length);
void tls_session_on_key_log(struct tls_session *session, tls_key_log_callback *callback, void *context);

/* Encrypted bytes queued for the socket. */
size_t tls_session_output_pending(const struct tls_session *session);
/* The socket became readable: the next read tries recv() again. */
void tls_session_socket_readable(struct tls_session *session);
uint64_t tls_session_bytes_received(const struct tls_session *session);
uint64_t tls_session_bytes_sent(const struct tls_session *session);

/* What tlsd refused (TLS_REFUSAL_NONE if nothing), whether the refusal
 * judged what a completed handshake step read, and the type of the record
 * it refused ("handshake", "alert", ...). */
enum tls_refusal tls_session_refusal(const struct tls_session *session);
bool tls_session_refused_after_step(const struct tls_session *session);
const char *tls_session_refused_record_type(const struct tls_session *session);
/* The fatal alert tlsd added (its description), -1 if none. */
int tls_session_alert_sent(const struct tls_session *session);

/* The negotiated version ("TLS1.2", "TLS1.3"), suite (Mbed TLS's name) and
 * ALPN protocol (NULL if none); whether the handshake resumed a session
 * (no certificate was sent). */
const char *tls_session_version(const struct tls_session *session);
const char *tls_session_suite(const struct tls_session *session);
const char *tls_session_alpn(const struct tls_session *session);
bool tls_session_resumed(const struct tls_session *session);
const struct tls_server *tls_session_server(const struct tls_session *session);

/* A cipher suite's name by its IANA number (Mbed TLS's spelling), or NULL. */
const char *tls_suite_name(uint16_t suite);

/* Whether the server issues session tickets. */
bool tls_server_tickets_on(const struct tls_server *server);

/* The server key: RSA or not, and its size in bits. */
void tls_server_key_type(const struct tls_server *server, bool *rsa, size_t *bits);

/* One certificate of the chain served, as the log lines, the handshake
 * record and the start-up lines show it. */
struct tls_certificate_info {
    unsigned position;          /* 0 = the leaf */
    char subject[256];
    char issuer[256];
    char key[48];               /* "EC-256", "RSA-2048" */
    char not_after[32];         /* "2027-03-01T12:00:00Z" */
    bool expired;
};
typedef void tls_certificate_visitor(void *context, const struct tls_certificate_info *certificate);
/* Describe each certificate of the chain, leaf first: the one walk of the
 * chain. Returns how many there are. */
unsigned tls_server_describe_chain(const struct tls_server *server, tls_certificate_visitor *visit, void *context);

/* Mbed TLS's text for an error code, "SSL - ..." */
void tls_error_text(int error, char *text, size_t size);

/* "Mbed TLS 3.6.6" of the library linked at run time (", tlsd
 * configuration" for tlsd's own build), and the highest TLS
 * version it speaks: 13 or 12. */
const char *tls_library_version(void);
int tls_max_version(void);
/* The library's record buffers in bytes: a certificate chain's
 * Certificate message must fit the output one. */
void tls_record_sizes(size_t *input, size_t *output);

/* Wipe a secret (key material) in a way the compiler keeps. */
void tls_wipe(void *secret, size_t size);

#endif

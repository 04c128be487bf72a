/* SPDX-License-Identifier: Apache-2.0 */
/* key_log.h: the NSS key log file (SSLKEYLOGFILE format) that lets
 * Wireshark or tshark decrypt a capture of tlsd's connections. */
#ifndef TLSD_KEY_LOG_H
#define TLSD_KEY_LOG_H

#include <stddef.h>

struct keylog;

/* Open (create with mode 0600, or append to) `path`. It holds every
 * session's secrets: a file that group or others can read is refused, and
 * so is one owned by anyone but the user tlsd runs as, root, or, while
 * tlsd is root, `user` (the user it will become; NULL: none). */
struct keylog *keylog_open(const char *path, const char *user, char *error, size_t error_size);
void keylog_close(struct keylog *keylog);

/* The longest line: a label, a client random and a secret of up to 64
 * bytes, in hex, a newline and a NUL. */
#define KEYLOG_LINE_MAX (64 + 1 + 64 + 1 + 2 * 64 + 2)

/* One line "LABEL <client random hex> <secret hex>\n" into `line`
 * (NUL-terminated). Returns its length without the NUL, or 0 for a label
 * or a secret longer than 64 bytes. */
size_t keylog_format_line(char line[KEYLOG_LINE_MAX], const char *label, const unsigned char client_random[32],
                          const unsigned char *secret, size_t secret_length);

/* One line "LABEL <client random hex> <secret hex>", written whole with a
 * single append. */
void keylog_write(struct keylog *keylog, const char *label, const unsigned char client_random[32],
                  const unsigned char *secret, size_t secret_length);

#endif

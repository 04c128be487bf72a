/* SPDX-License-Identifier: Apache-2.0 */
/* secret_file.h: the one permission check of a file that holds secrets:
 * the private key (tls.c), the ticket key file (ticket_keys.c) and the key
 * log (key_log.c). Pure: no Mbed TLS, no log. */
#ifndef TLSD_SECRET_FILE_H
#define TLSD_SECRET_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* `mode` (from stat) must give group and others no permission at all,
 * except for a file under $CREDENTIALS_DIRECTORY, whose group bits systemd
 * uses as the mask of an ACL. Returns 0, or -1 with "LABEL PATH: readable
 * by group or others (mode 0644): run chmod 600 on it" in `error`
 * ("writable", "executable" when that is the widest permission given). */
int secret_file_check_mode(const char *label, const char *path, mode_t mode, char *error, size_t error_size);

#endif

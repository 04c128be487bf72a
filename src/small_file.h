/* SPDX-License-Identifier: Apache-2.0 */
/* small_file.h: the one bounded reader of a whole small file into memory:
 * the configuration file (config.c) and the ticket key file
 * (ticket_keys.c). Pure: no Mbed TLS, no log; the caller opens the file
 * and words the errors. */
#ifndef TLSD_SMALL_FILE_H
#define TLSD_SMALL_FILE_H

#include <stddef.h>

/* Everything left to read from `fd` (a file, or a pipe), if that is at
 * most `limit` bytes. Returns 0 with a new buffer in *bytes (with a NUL
 * after the *length bytes, for the caller's convenience; free it with
 * small_file_free), or -1 with errno: EFBIG for more than `limit` bytes,
 * ENOMEM, or read(2)'s. */
int small_file_read(int fd, size_t limit, char **bytes, size_t *length);

/* Wipes the bytes (they may be secret keys), then frees them. NULL is fine. */
void small_file_free(char *bytes, size_t length);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* secret_file.c: the one permission check of a file that holds secrets. */
#include "secret_file.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* systemd's LoadCredential= copy may show group bits: they are the mask of
 * an ACL that gives the service user alone read access. The directory is
 * mounted read-only, so no file tlsd writes (the key log) can be there. */
static bool under_credentials_directory(const char *path)
{
    const char *credentials = getenv("CREDENTIALS_DIRECTORY");
    size_t length = credentials != NULL ? strlen(credentials) : 0;
    return length > 0 && credentials[0] == '/' && strncmp(path, credentials, length) == 0 && path[length] == '/';
}

int secret_file_check_mode(const char *label, const char *path, mode_t mode, char *error, size_t error_size)
{
    if ((mode & (S_IRWXG | S_IRWXO)) == 0 || under_credentials_directory(path))
        return 0;
    const char *permission = (mode & (S_IRGRP | S_IROTH)) ? "readable"
                         : (mode & (S_IWGRP | S_IWOTH)) ? "writable"
                         : "executable";
    snprintf(error, error_size, "%s %s: %s by group or others (mode %04o): run chmod 600 on it", label, path,
             permission, (unsigned)(mode & 07777));
    return -1;
}

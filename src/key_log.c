/* SPDX-License-Identifier: Apache-2.0 */
/* key_log.c: NSS key log lines for Wireshark. */
#include "key_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hex.h"
#include "log.h"
#include "secret_file.h"

struct keylog {
    int fd;
    char path[4096];
};

/* The name of `uid` in out, or "" for a uid without one. */
static const char *uid_name(uid_t uid, char *out, size_t size)
{
    const struct passwd *account = getpwuid(uid);
    snprintf(out, size, "%s", account != NULL ? account->pw_name : "");
    return out;
}

/* Who may own the file: the user tlsd runs as, who holds every secret
 * anyway; root, who can read any file anyway (OpenSSH accepts its users'
 * files from them or from root alike); and, while tlsd is still root, the
 * `user` it becomes, so that a file given to that user for reloads (as
 * tlsd.conf(5) says to) still opens at the next start. Anyone else can
 * read it, or chmod it and then read it, and would decrypt every session:
 * a 0600 file made beforehand by another user is no protection. */
static bool owner_trusted(uid_t owner, const char *user)
{
    uid_t self = geteuid();
    if (owner == self || owner == 0)
        return true;
    if (self != 0 || user == NULL)
        return false;
    const struct passwd *account = getpwnam(user);
    return account != NULL && account->pw_uid == owner;
}

/* "... owned by uid 1000 (alice), not by the user tlsd runs as (uid 0,
 * root) ...; remove it ... or chown it to root" */
static void refuse_owner(const char *path, uid_t owner, const char *user, char *error, size_t error_size)
{
    char owner_name[64], self_name[64], owner_text[96], self_text[96], self_number[24], becomes[96] = "";
    uid_t self = geteuid();
    snprintf(self_number, sizeof self_number, "%ld", (long)self);
    if (*uid_name(owner, owner_name, sizeof owner_name))
        snprintf(owner_text, sizeof owner_text, "uid %ld (%s)", (long)owner, owner_name);
    else
        snprintf(owner_text, sizeof owner_text, "uid %ld", (long)owner);
    if (*uid_name(self, self_name, sizeof self_name))
        snprintf(self_text, sizeof self_text, "uid %ld, %s", (long)self, self_name);
    else
        snprintf(self_text, sizeof self_text, "uid %ld", (long)self);
    const char *chown_to = self_name[0] ? self_name : self_number;
    if (self == 0 && user != NULL) {
        snprintf(becomes, sizeof becomes, " or the user it becomes (%s)", user);
        chown_to = user;   /* then reloads can write it too */
    }
    snprintf(error, error_size,
             "keylog_file %s: owned by %s, not by the user tlsd runs as (%s)%s: another user could read every "
             "session's secrets; remove it (tlsd creates it) or chown it to %s",
             path, owner_text, self_text, becomes, chown_to);
}

struct keylog *keylog_open(const char *path, const char *user, char *error, size_t error_size)
{
    /* O_APPEND: each line lands whole at the end, even with several writers */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(error, error_size, "keylog_file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat status;
    if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        snprintf(error, error_size, "keylog_file %s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (!owner_trusted(status.st_uid, user)) {
        refuse_owner(path, status.st_uid, user, error, error_size);
        close(fd);
        return NULL;
    }
    if (secret_file_check_mode("keylog_file", path, status.st_mode, error, error_size) != 0) {
        close(fd);
        return NULL;
    }
    struct keylog *keylog = calloc(1, sizeof *keylog);
    if (keylog == NULL) {
        snprintf(error, error_size, "out of memory");
        close(fd);
        return NULL;
    }
    keylog->fd = fd;
    snprintf(keylog->path, sizeof keylog->path, "%s", path);
    return keylog;
}

void keylog_close(struct keylog *keylog)
{
    if (keylog == NULL)
        return;
    close(keylog->fd);
    free(keylog);
}

size_t keylog_format_line(char line[KEYLOG_LINE_MAX], const char *label, const unsigned char client_random[32],
                          const unsigned char *secret, size_t secret_length)
{
    size_t label_length = strlen(label);
    if (secret_length > 64 || label_length > 64)
        return 0;
    size_t used = 0;
    memcpy(line, label, label_length);  /* NOLINT(bugprone-not-null-terminated-result): written by length */
    used += label_length;
    line[used++] = ' ';
    used += hex_encode(client_random, 32, line + used);
    line[used++] = ' ';
    used += hex_encode(secret, secret_length, line + used);
    line[used++] = '\n';
    line[used] = '\0';
    return used;
}

void keylog_write(struct keylog *keylog, const char *label, const unsigned char client_random[32],
                  const unsigned char *secret, size_t secret_length)
{
    char line[KEYLOG_LINE_MAX];
    if (keylog == NULL)
        return;
    size_t used = keylog_format_line(line, label, client_random, secret, secret_length);
    if (used == 0)
        return;
    ssize_t written = write(keylog->fd, line, used);
    if (written != (ssize_t)used)
        log_message(LOG_LEVEL_WARN, "keylog_file %s: %s", keylog->path,
                    written < 0 ? strerror(errno) : "short write");
    memset(line, 0, sizeof line);  /* the secret does not linger on the stack */
}

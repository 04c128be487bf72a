/* key_log.c: NSS key log lines for Wireshark. */
#include "key_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct keylog {
    int fd;
    char path[4096];
};

struct keylog *keylog_open(const char *path, char *error, size_t error_size)
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
    if (status.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(error, error_size,
                 "keylog_file %s: readable by group or others (mode %04o): it would hand out every "
                 "session's secrets; run chmod 600 on it", path, (unsigned)(status.st_mode & 07777));
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

static size_t append_hex(char *out, const unsigned char *bytes, size_t length)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < length; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    return 2 * length;
}

void keylog_write(struct keylog *keylog, const char *label, const unsigned char client_random[32],
                  const unsigned char *secret, size_t secret_length)
{
    char line[64 + 1 + 64 + 1 + 2 * 64 + 2];
    size_t label_length = strlen(label);
    if (keylog == NULL || secret_length > 64 || label_length > 64)
        return;
    size_t used = 0;
    memcpy(line, label, label_length);  /* NOLINT(bugprone-not-null-terminated-result): written by length */
    used += label_length;
    line[used++] = ' ';
    used += append_hex(line + used, client_random, 32);
    line[used++] = ' ';
    used += append_hex(line + used, secret, secret_length);
    line[used++] = '\n';
    ssize_t written = write(keylog->fd, line, used);
    if (written != (ssize_t)used)
        log_message(LOG_LEVEL_WARN, "keylog_file %s: %s", keylog->path,
                    written < 0 ? strerror(errno) : "short write");
    memset(line, 0, sizeof line);  /* the secret does not linger on the stack */
}

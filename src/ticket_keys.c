/* SPDX-License-Identifier: Apache-2.0 */
/* ticket_keys.c: the ticket key file, and tlsd's session-ticket callbacks
 * (AES-256-GCM, the layout described in ticket_keys.h). */
#include "ticket_keys.h"

#include "compat.h"
#include "hex.h"
#include "secret_file.h"
#include "small_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/cipher.h>
#include <mbedtls/platform_util.h>

#define TICKET_IV_SIZE 12
#define TICKET_NAME_OFFSET 0
#define TICKET_CREATED_OFFSET (TICKET_NAME_OFFSET + TICKET_KEY_NAME_SIZE)
#define TICKET_IV_OFFSET (TICKET_CREATED_OFFSET + 8)
#define TICKET_LENGTH_OFFSET (TICKET_IV_OFFSET + TICKET_IV_SIZE)
#define TICKET_STATE_MAX 0xFFFF   /* what the 2-byte length can say */

/* ---- the key file --------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void describe_byte(unsigned char c, char *out, size_t size)
{
    if (c == ' ')
        snprintf(out, size, "a blank");
    else if (c == '\t')
        snprintf(out, size, "a tab");
    else if (c > 0x20 && c < 0x7f)
        snprintf(out, size, "'%c'", (char)c);
    else
        snprintf(out, size, "the byte 0x%02x", (unsigned)c);
}

static int parse_failed(struct ticket_key_set *set)
{
    mbedtls_platform_zeroize(set, sizeof *set);
    return -1;
}

int ticket_keys_parse(const char *text, size_t length, const char *filename, struct ticket_key_set *set,
                      char *error, size_t error_size)
{
    memset(set, 0, sizeof *set);
    size_t name_line[TICKET_KEYS_MAX] = { 0 };
    size_t line_number = 0;
    size_t position = 0;
    while (position < length) {
        line_number++;
        const char *line = text + position;
        const char *newline = memchr(line, '\n', length - position);
        size_t line_length = newline != NULL ? (size_t)(newline - line) : length - position;
        position += line_length + (newline != NULL ? 1 : 0);

        size_t first = 0, end = line_length;
        if (end > 0 && line[end - 1] == '\r')   /* CRLF line ends */
            end--;
        while (first < end && is_blank(line[first]))
            first++;
        while (end > first && is_blank(line[end - 1]))
            end--;
        if (first == end || line[first] == '#')
            continue;

        for (size_t i = first; i < end; i++) {
            if (hex_digit_value((unsigned char)line[i]) < 0) {
                char what[24];
                describe_byte((unsigned char)line[i], what, sizeof what);
                snprintf(error, error_size,
                         "%s:%zu: %s (column %zu) is not a hex digit: a key is a line of %d hex digits",
                         filename, line_number, what, i + 1, TICKET_KEY_HEX_LENGTH);
                return parse_failed(set);
            }
        }
        if (end - first != TICKET_KEY_HEX_LENGTH) {
            snprintf(error, error_size,
                     "%s:%zu: %zu hex digits, but a key is %d (a %d-byte key name, then a %d-byte "
                     "AES-256-GCM key)",
                     filename, line_number, end - first, TICKET_KEY_HEX_LENGTH, TICKET_KEY_NAME_SIZE,
                     TICKET_KEY_SECRET_SIZE);
            return parse_failed(set);
        }
        if (set->count == TICKET_KEYS_MAX) {
            snprintf(error, error_size, "%s:%zu: more than %d keys: a file holds at most %d", filename,
                     line_number, TICKET_KEYS_MAX, TICKET_KEYS_MAX);
            return parse_failed(set);
        }
        struct ticket_key *key = &set->keys[set->count];
        unsigned char bytes[TICKET_KEY_NAME_SIZE + TICKET_KEY_SECRET_SIZE];
        for (size_t i = 0; i < sizeof bytes; i++)
            bytes[i] = (unsigned char)((hex_digit_value((unsigned char)line[first + 2 * i]) << 4) |
                                       hex_digit_value((unsigned char)line[first + 2 * i + 1]));
        memcpy(key->name, bytes, TICKET_KEY_NAME_SIZE);
        memcpy(key->secret, bytes + TICKET_KEY_NAME_SIZE, TICKET_KEY_SECRET_SIZE);
        mbedtls_platform_zeroize(bytes, sizeof bytes);
        /* The name picks the key for a ticket: two keys under one name
         * would make a ticket resume or not by chance. */
        for (size_t i = 0; i < set->count; i++) {
            if (memcmp(set->keys[i].name, key->name, TICKET_KEY_NAME_SIZE) == 0) {
                snprintf(error, error_size,
                         "%s:%zu: the same key name (the first %d hex digits) as the key on line %zu: "
                         "every key needs a name of its own",
                         filename, line_number, 2 * TICKET_KEY_NAME_SIZE, name_line[i]);
                return parse_failed(set);
            }
        }
        name_line[set->count] = line_number;
        set->count++;
    }
    if (set->count == 0) {
        snprintf(error, error_size,
                 "%s: no key: a key is a line of %d hex digits (`openssl rand -hex %d` or "
                 "`tlsd-mkcert --ticket-keys FILE` makes one)",
                 filename, TICKET_KEY_HEX_LENGTH, TICKET_KEY_HEX_LENGTH / 2);
        return parse_failed(set);
    }
    return 0;
}

int ticket_keys_load_file(const char *path, struct ticket_key_set *set, char *error, size_t error_size)
{
    memset(set, 0, sizeof *set);
    /* O_NONBLOCK: a FIFO put there must not hang a reload in open() */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(error, error_size, "ticket_key_file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat status;
    if (fstat(fd, &status) != 0) {
        snprintf(error, error_size, "ticket_key_file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(status.st_mode)) {
        snprintf(error, error_size, "ticket_key_file %s: not a regular file%s", path,
                 S_ISDIR(status.st_mode) ? " but a directory" : "");
        close(fd);
        return -1;
    }
    if (secret_file_check_mode("ticket_key_file", path, status.st_mode, error, error_size) != 0) {
        close(fd);
        return -1;
    }
    if (status.st_size > TICKET_KEY_FILE_MAX) {
        snprintf(error, error_size, "ticket_key_file %s: %lld bytes, more than the %d a key file may have",
                 path, (long long)status.st_size, TICKET_KEY_FILE_MAX);
        close(fd);
        return -1;
    }
    char *text = NULL;
    size_t length = 0;
    int result = -1;
    if (small_file_read(fd, TICKET_KEY_FILE_MAX, &text, &length) != 0) {
        if (errno == EFBIG)
            snprintf(error, error_size, "ticket_key_file %s: more than the %d bytes a key file may have", path,
                     TICKET_KEY_FILE_MAX);
        else
            snprintf(error, error_size, "ticket_key_file %s: %s", path,
                     errno == ENOMEM ? "out of memory" : strerror(errno));
    } else {
        char reason[1024];
        result = ticket_keys_parse(text, length, path, set, reason, sizeof reason);
        if (result != 0)
            snprintf(error, error_size, "ticket_key_file %s", reason);
    }
    close(fd);
    small_file_free(text, length);
    return result;
}

/* Appends to a buffer that may be too small, counting what it would take. */
struct text_out {
    char *out;
    size_t size;
    size_t length;
};

static void text_append(struct text_out *text, const char *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (text->length + 1 < text->size)
            text->out[text->length] = bytes[i];
        text->length++;
    }
}

static void text_append_hex(struct text_out *text, const unsigned char *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char pair[2];
        hex_encode(&bytes[i], 1, pair);
        text_append(text, pair, 2);
    }
}

size_t ticket_keys_format(const struct ticket_key_set *set, const char *comment, char *out, size_t size)
{
    struct text_out text = { out, size, 0 };
    static const char title[] = "# tlsd session ticket keys (ticket_key_file in tlsd.conf)";
    text_append(&text, title, sizeof title - 1);
    if (comment != NULL && comment[0] != '\0') {
        text_append(&text, ", ", 2);
        /* one line, whatever the caller passed */
        for (const char *c = comment; *c; c++)
            text_append(&text, (unsigned char)*c < 0x20 ? " " : c, 1);
    }
    static const char format[] =
        "\n# one key a line, 96 hex digits: a 16-byte key name, then its 32-byte AES-256-GCM key; "
        "the first key issues new tickets, every key resumes them\n";
    text_append(&text, format, sizeof format - 1);
    for (size_t i = 0; i < set->count; i++) {
        text_append_hex(&text, set->keys[i].name, TICKET_KEY_NAME_SIZE);
        text_append_hex(&text, set->keys[i].secret, TICKET_KEY_SECRET_SIZE);
        text_append(&text, "\n", 1);
    }
    if (size > 0)
        out[text.length < size ? text.length : size - 1] = '\0';
    return text.length;
}

/* ---- the keys in use --------------------------------------------------------- */

struct key_in_use {
    unsigned char name[TICKET_KEY_NAME_SIZE];
    mbedtls_cipher_context_t cipher;   /* AES-256-GCM with the key's secret */
    time_t made;                       /* own keys: when, for the rotation */
};

struct ticket_keys {
    /* Guards everything below: the GCM contexts keep per-operation state,
     * and the callbacks run in every worker thread. */
    pthread_mutex_t mutex;
    ticket_keys_random *random;
    void *random_context;
    uint32_t lifetime;
    ticket_keys_clock *clock;
    bool own;                                     /* tlsd's random keys, rotated */
    size_t count;
    struct key_in_use *keys[TICKET_KEYS_MAX];     /* keys[0] issues tickets */
};

static time_t system_clock(void)
{
    return time(NULL);
}

static void key_free(struct key_in_use *key)
{
    if (key == NULL)
        return;
    mbedtls_cipher_free(&key->cipher);
    mbedtls_platform_zeroize(key, sizeof *key);
    free(key);
}

/* NULL on failure, with the Mbed TLS error in *result. */
static struct key_in_use *key_make(const unsigned char name[TICKET_KEY_NAME_SIZE],
                                   const unsigned char secret[TICKET_KEY_SECRET_SIZE], time_t made, int *result)
{
    struct key_in_use *key = calloc(1, sizeof *key);
    if (key == NULL) {
        *result = MBEDTLS_ERR_SSL_ALLOC_FAILED;
        return NULL;
    }
    memcpy(key->name, name, TICKET_KEY_NAME_SIZE);
    key->made = made;
    mbedtls_cipher_init(&key->cipher);
    *result = mbedtls_cipher_setup(&key->cipher, mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_256_GCM));
    /* GCM runs the block cipher forwards to decrypt too: one key schedule */
    if (*result == 0)
        *result = mbedtls_cipher_setkey(&key->cipher, secret, 8 * TICKET_KEY_SECRET_SIZE, MBEDTLS_ENCRYPT);
    if (*result != 0) {
        key_free(key);
        return NULL;
    }
    return key;
}

/* With the mutex held. */
static struct key_in_use *own_key_make(struct ticket_keys *keys, time_t now, int *result)
{
    unsigned char material[TICKET_KEY_NAME_SIZE + TICKET_KEY_SECRET_SIZE];
    *result = keys->random(keys->random_context, material, sizeof material);
    struct key_in_use *key = NULL;
    if (*result == 0)
        key = key_make(material, material + TICKET_KEY_NAME_SIZE, now, result);
    mbedtls_platform_zeroize(material, sizeof material);
    return key;
}

/* With the mutex held: the new keys take the place of all the old ones. */
static void replace_keys(struct ticket_keys *keys, struct key_in_use **fresh, size_t count, bool own)
{
    for (size_t i = 0; i < keys->count; i++)
        key_free(keys->keys[i]);
    for (size_t i = 0; i < TICKET_KEYS_MAX; i++)
        keys->keys[i] = i < count ? fresh[i] : NULL;
    keys->count = count;
    keys->own = own;
}

int ticket_keys_use(struct ticket_keys *keys, const struct ticket_key_set *set)
{
    if (set != NULL && (set->count == 0 || set->count > TICKET_KEYS_MAX))
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    if (pthread_mutex_lock(&keys->mutex) != 0)
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    int result = 0;
    time_t now = keys->clock();
    struct key_in_use *fresh[TICKET_KEYS_MAX] = { NULL };
    if (set == NULL) {
        if (!keys->own) {
            fresh[0] = own_key_make(keys, now, &result);
            if (fresh[0] != NULL)
                replace_keys(keys, fresh, 1, true);
        }
    } else {
        size_t made = 0;
        while (made < set->count &&
               (fresh[made] = key_make(set->keys[made].name, set->keys[made].secret, now, &result)) != NULL)
            made++;
        if (made == set->count) {
            replace_keys(keys, fresh, made, false);
        } else {
            for (size_t i = 0; i < made; i++)
                key_free(fresh[i]);
        }
    }
    pthread_mutex_unlock(&keys->mutex);
    return result;
}

struct ticket_keys *ticket_keys_create(ticket_keys_random *random, void *random_context, uint32_t lifetime,
                                       char *error, size_t error_size)
{
    struct ticket_keys *keys = calloc(1, sizeof *keys);
    if (keys == NULL) {
        snprintf(error, error_size, "session tickets: out of memory");
        return NULL;
    }
    int result = pthread_mutex_init(&keys->mutex, NULL);
    if (result != 0) {
        snprintf(error, error_size, "session tickets: cannot make a mutex: %s", strerror(result));
        free(keys);
        return NULL;
    }
    keys->random = random;
    keys->random_context = random_context;
    keys->lifetime = lifetime;
    keys->clock = system_clock;
    result = ticket_keys_use(keys, NULL);
    if (result != 0) {
        snprintf(error, error_size, "session tickets: cannot make a random key (Mbed TLS error -0x%04x)",
                 (unsigned)-result);
        ticket_keys_free(keys);
        return NULL;
    }
    return keys;
}

void ticket_keys_free(struct ticket_keys *keys)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < keys->count; i++)
        key_free(keys->keys[i]);
    pthread_mutex_destroy(&keys->mutex);
    mbedtls_platform_zeroize(keys, sizeof *keys);
    free(keys);
}

void ticket_keys_set_clock(struct ticket_keys *keys, ticket_keys_clock *clock)
{
    keys->clock = clock != NULL ? clock : system_clock;
}

void ticket_keys_issuing_name(struct ticket_keys *keys, char hex[TICKET_KEY_NAME_HEX_SIZE])
{
    unsigned char name[TICKET_KEY_NAME_SIZE] = { 0 };
    if (pthread_mutex_lock(&keys->mutex) == 0) {
        if (keys->count > 0)
            memcpy(name, keys->keys[0]->name, sizeof name);
        pthread_mutex_unlock(&keys->mutex);
    }
    hex[hex_encode(name, sizeof name, hex)] = '\0';
}

/* ---- the callbacks --------------------------------------------------------- */

static void put_uint64(unsigned char *out, uint64_t value)
{
    for (int i = 7; i >= 0; i--, value >>= 8)
        out[i] = (unsigned char)value;
}

static uint64_t get_uint64(const unsigned char *in)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = (value << 8) | in[i];
    return value;
}

int ticket_keys_write(void *p_ticket, const mbedtls_ssl_session *session, unsigned char *start,
                      const unsigned char *end, size_t *length, uint32_t *lifetime)
{
    struct ticket_keys *keys = p_ticket;
    *length = 0;
    if (keys == NULL || end < start || (size_t)(end - start) < TICKET_OVERHEAD)
        return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
    unsigned char *state = start + TICKET_HEADER_SIZE;
    size_t state_room = (size_t)(end - state) - TICKET_TAG_SIZE;
    if (state_room > TICKET_STATE_MAX)
        state_room = TICKET_STATE_MAX;
    size_t state_length = 0;
    /* outside the lock: it touches nothing shared */
    int result = mbedtls_ssl_session_save(session, state, state_room, &state_length);
    if (result != 0)
        return result;

    if (pthread_mutex_lock(&keys->mutex) != 0) {
        mbedtls_platform_zeroize(state, state_length);
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    }
    time_t now = keys->clock();
    if (keys->own && keys->count > 0 && now - keys->keys[0]->made >= (time_t)keys->lifetime) {
        /* The current key has issued for a lifetime: it is kept one more
         * lifetime as the previous key, which covers its last tickets. */
        struct key_in_use *next = own_key_make(keys, now, &result);
        if (next != NULL) {
            if (keys->count == 2)
                key_free(keys->keys[1]);
            keys->keys[1] = keys->keys[0];
            keys->keys[0] = next;
            keys->count = 2;
        }
    }
    struct key_in_use *key = keys->count > 0 ? keys->keys[0] : NULL;
    if (result == 0 && key == NULL)
        result = MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    size_t sealed_length = 0;
    if (result == 0) {
        memcpy(start + TICKET_NAME_OFFSET, key->name, TICKET_KEY_NAME_SIZE);
        put_uint64(start + TICKET_CREATED_OFFSET, now > 0 ? (uint64_t)now : 0);
        result = keys->random(keys->random_context, start + TICKET_IV_OFFSET, TICKET_IV_SIZE);
    }
    if (result == 0) {
        start[TICKET_LENGTH_OFFSET] = (unsigned char)(state_length >> 8);
        start[TICKET_LENGTH_OFFSET + 1] = (unsigned char)state_length;
        result = mbedtls_cipher_auth_encrypt_ext(&key->cipher, start + TICKET_IV_OFFSET, TICKET_IV_SIZE,
                                                 start, TICKET_HEADER_SIZE, state, state_length, state,
                                                 state_length + TICKET_TAG_SIZE, &sealed_length,
                                                 TICKET_TAG_SIZE);
    }
    pthread_mutex_unlock(&keys->mutex);
    if (result == 0 && sealed_length != state_length + TICKET_TAG_SIZE)
        result = MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    if (result != 0) {
        mbedtls_platform_zeroize(state, state_length);
        return result;
    }
    *length = TICKET_OVERHEAD + state_length;
    *lifetime = keys->lifetime;
    return 0;
}

int ticket_keys_parse_ticket(void *p_ticket, mbedtls_ssl_session *session, unsigned char *buf, size_t length)
{
    struct ticket_keys *keys = p_ticket;
    if (keys == NULL || length < TICKET_OVERHEAD)
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    size_t state_length = ((size_t)buf[TICKET_LENGTH_OFFSET] << 8) | buf[TICKET_LENGTH_OFFSET + 1];
    if (length != TICKET_OVERHEAD + state_length)
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    unsigned char *state = buf + TICKET_HEADER_SIZE;

    if (pthread_mutex_lock(&keys->mutex) != 0)
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    time_t now = keys->clock();
    struct key_in_use *key = NULL;
    for (size_t i = 0; i < keys->count && key == NULL; i++)
        if (memcmp(keys->keys[i]->name, buf + TICKET_NAME_OFFSET, TICKET_KEY_NAME_SIZE) == 0)
            key = keys->keys[i];
    /* Most likely a key that has left the file, or another fleet's. */
    int result = MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
    size_t opened_length = 0;
    if (key != NULL)
        result = mbedtls_cipher_auth_decrypt_ext(&key->cipher, buf + TICKET_IV_OFFSET, TICKET_IV_SIZE, buf,
                                                 TICKET_HEADER_SIZE, state, state_length + TICKET_TAG_SIZE,
                                                 state, state_length, &opened_length, TICKET_TAG_SIZE);
    pthread_mutex_unlock(&keys->mutex);
    if (result == MBEDTLS_ERR_CIPHER_AUTH_FAILED)
        return MBEDTLS_ERR_SSL_INVALID_MAC;
    if (result != 0)
        return result;
    if (opened_length != state_length) {
        result = MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        goto wipe;
    }

    /* Authentic from here on: the creation time can be trusted. */
    uint64_t created = get_uint64(buf + TICKET_CREATED_OFFSET);
    int64_t now_seconds = now > 0 ? (int64_t)now : 0;
    if (created > (uint64_t)now_seconds + TICKET_CLOCK_SKEW_SECONDS ||
        now_seconds - (int64_t)created > (int64_t)keys->lifetime) {
        result = MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
        goto wipe;
    }
    int64_t age = now_seconds - (int64_t)created;
    result = mbedtls_ssl_session_load(session, state, state_length);
    if (result == 0)
        compat_session_set_ticket_age(session, age > 0 ? age : 0);
wipe:
    /* the state holds the session's master secret */
    mbedtls_platform_zeroize(state, state_length);
    return result;
}

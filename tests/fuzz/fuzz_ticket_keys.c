/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the ticket key file parser, and the ticket parse
 * callback on what a client may send. The first byte says what the rest
 * is:
 *   0: a key file: parsed; a file that parses is written back with
 *      ticket_keys_format() and must parse to the same keys;
 *   1: a ticket as it comes from the wire, parsed with a fixed key set;
 *   2: 8 bytes of creation time, then a session state that is sealed
 *      into a genuine ticket under the fixed key and then parsed: what a
 *      ticket holds past the tag (its age, the state Mbed TLS loads).
 * The clock is fixed, so that a run is reproducible. */
#include "ticket_keys.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/cipher.h>
#include <mbedtls/ssl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW ((time_t)1700000000)
#define FUZZ_LIFETIME 3600

static time_t fixed_clock(void)
{
    return FUZZ_NOW;
}

/* Own keys are never used here: any bytes will do. */
static int counter_random(void *context, unsigned char *output, size_t length)
{
    static unsigned char counter;
    (void)context;
    for (size_t i = 0; i < length; i++)
        output[i] = counter++;
    return 0;
}

static const struct ticket_key fixed_key = {
    .name = "fuzz-ticket-key",  /* 15 characters and the NUL: 16 bytes */
    .secret = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 },
};

static struct ticket_keys *fixed_keys(void)
{
    static struct ticket_keys *keys;
    if (keys == NULL) {
        char error[256];
        keys = ticket_keys_create(counter_random, NULL, FUZZ_LIFETIME, error, sizeof error);
        if (keys == NULL)
            abort();
        ticket_keys_set_clock(keys, fixed_clock);
        struct ticket_key_set set = { .count = 1 };
        set.keys[0] = fixed_key;
        if (ticket_keys_use(keys, &set) != 0)
            abort();
    }
    return keys;
}

static void fuzz_key_file(const uint8_t *data, size_t size)
{
    struct ticket_key_set set, again;
    char error[512];
    if (ticket_keys_parse((const char *)data, size, "fuzz.keys", &set, error, sizeof error) != 0) {
        if (strstr(error, "fuzz.keys") != error)
            abort();
        return;
    }
    if (set.count == 0 || set.count > TICKET_KEYS_MAX)
        abort();
    static char text[4096];
    size_t length = ticket_keys_format(&set, "fuzz\ncomment", text, sizeof text);
    if (length >= sizeof text || strlen(text) != length)
        abort();
    if (ticket_keys_parse(text, length, "formatted", &again, error, sizeof error) != 0 ||
        again.count != set.count || memcmp(again.keys, set.keys, sizeof set.keys) != 0)
        abort();
}

static void parse_ticket(unsigned char *ticket, size_t length)
{
    mbedtls_ssl_session session;
    mbedtls_ssl_session_init(&session);
    ticket_keys_parse_ticket(fixed_keys(), &session, ticket, length);
    mbedtls_ssl_session_free(&session);
}

static void fuzz_wire_ticket(const uint8_t *data, size_t size)
{
    /* the callback works in place, as on Mbed TLS's input buffer */
    unsigned char *ticket = malloc(size + 1);
    if (ticket == NULL)
        return;
    memcpy(ticket, data, size);
    parse_ticket(ticket, size);
    free(ticket);
}

static void fuzz_sealed_state(const uint8_t *data, size_t size)
{
    if (size < 8 || size - 8 > 0xFFFF)
        return;
    size_t state_length = size - 8;
    size_t length = TICKET_OVERHEAD + state_length;
    unsigned char *ticket = malloc(length);
    if (ticket == NULL)
        return;
    memcpy(ticket, fixed_key.name, TICKET_KEY_NAME_SIZE);
    memcpy(ticket + TICKET_KEY_NAME_SIZE, data, 8);
    memset(ticket + TICKET_KEY_NAME_SIZE + 8, 0x42, 12);
    ticket[TICKET_HEADER_SIZE - 2] = (unsigned char)(state_length >> 8);
    ticket[TICKET_HEADER_SIZE - 1] = (unsigned char)state_length;

    mbedtls_cipher_context_t cipher;
    mbedtls_cipher_init(&cipher);
    size_t sealed = 0;
    if (mbedtls_cipher_setup(&cipher, mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_256_GCM)) != 0 ||
        mbedtls_cipher_setkey(&cipher, fixed_key.secret, 256, MBEDTLS_ENCRYPT) != 0 ||
        mbedtls_cipher_auth_encrypt_ext(&cipher, ticket + TICKET_KEY_NAME_SIZE + 8, 12, ticket, TICKET_HEADER_SIZE,
                                        data + 8, state_length, ticket + TICKET_HEADER_SIZE,
                                        state_length + TICKET_TAG_SIZE, &sealed, TICKET_TAG_SIZE) != 0 ||
        sealed != state_length + TICKET_TAG_SIZE)
        abort();
    mbedtls_cipher_free(&cipher);
    parse_ticket(ticket, length);
    free(ticket);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0:
        fuzz_key_file(data + 1, size - 1);
        break;
    case 1:
        fuzz_wire_ticket(data + 1, size - 1);
        break;
    default:
        fuzz_sealed_state(data + 1, size - 1);
        break;
    }
    return 0;
}

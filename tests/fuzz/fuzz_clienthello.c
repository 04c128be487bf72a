/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the ClientHello parser and both fingerprints. */
#include "clienthello.h"
#include "fingerprint.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t scratch[CLIENTHELLO_MAX_MESSAGE];
    struct clienthello hello;
    char ja3[4096], md5[33], ja4[40];

    if (clienthello_parse_records(data, size, &hello, scratch) == CLIENTHELLO_OK) {
        clienthello_ja3(&hello, ja3, sizeof ja3, md5);
        clienthello_ja4(&hello, 't', ja4);
    }
    /* The message parser alone, on the raw input too. */
    if (clienthello_parse_message(data, size, &hello) == CLIENTHELLO_OK) {
        clienthello_ja3(&hello, ja3, 16, md5);
        clienthello_ja4(&hello, 'q', ja4);
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: percent-decoding and normalisation of request paths,
 * and the dot-file check on the result. */
#include "files.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[FILES_MAX_PATH];
    char small[8];
    int trailing_slash = 0;

    if (files_normalize_path((const char *)data, size, out, sizeof out, &trailing_slash) >= 0)
        (void)files_path_hidden(out);
    files_normalize_path((const char *)data, size, small, sizeof small, &trailing_slash);
    return 0;
}

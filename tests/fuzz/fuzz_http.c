/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the HTTP request-head parser and the path encoder. */
#include "http.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request request;
    size_t consumed = 0;
    int status = 0;
    char encoded[3 * 4096 + 1];

    if (http_parse_request((const char *)data, size, &request, &consumed, &status) == HTTP_PARSE_COMPLETE
        && request.path_length <= 4096)
        http_encode_path(request.path, request.path_length, encoded, sizeof encoded);
    http_encode_path((const char *)data, size, encoded, sizeof encoded);
    http_encode_path((const char *)data, size, encoded, 8);
    return 0;
}

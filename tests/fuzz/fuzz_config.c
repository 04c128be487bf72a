/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the configuration parser, from init to free. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlsd_config config;
    char error[CONFIG_ERROR_SIZE];

    config_init(&config);
    if (config_parse(&config, (const char *)data, size, "fuzz.conf", error, sizeof error) == 0)
        config_finish(&config, error, sizeof error);
    config_free(&config);
    return 0;
}

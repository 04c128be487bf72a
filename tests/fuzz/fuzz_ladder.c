/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the ladder (src/ladder.c), over any handshake record.
 *
 * The input is a record's fields in order (the seeds are the records of
 * each flow tlsd logs, as in test_ladder.c): version
 * (2 bytes), flags (resumed, hello retry, failed, randoms known), the
 * failure's stage and alerts, the stage count and each stage (stage byte,
 * time as 2 bytes of tenths of a millisecond), then the records each way
 * (count, then type and 2-byte length each). Missing bytes are zero. Both
 * drawings must come out NUL-terminated, the SVG closed and the text at
 * most 80 columns wide. */
#include "ladder.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *data;
    size_t size;
    size_t at;
};

static unsigned take(struct input *input, size_t bytes)
{
    unsigned value = 0;
    for (size_t i = 0; i < bytes; i++)
        value = value << 8 | (input->at < input->size ? input->data[input->at++] : 0);
    return value;
}

static void read_record(struct input *input, struct hslog_record *record)
{
    record->server_version = (uint16_t)take(input, 2);
    unsigned flags = take(input, 1);
    record->resumed = flags & 1;
    record->hello_retry = flags & 2;
    record->failed = flags & 4;
    record->randoms_known = flags & 8;
    record->failed_at = (enum hs_stage)take(input, 1);
    record->alert_sent = (int)take(input, 1) - 1;
    record->alert_received = (int)take(input, 1) - 1;
    record->session_id_length = take(input, 1);
    record->handshake_ms = take(input, 4) / 10.0;
    record->stage_count = take(input, 1);
    for (size_t i = 0; i < HSLOG_MAX_STAGES && i < record->stage_count; i++) {
        record->stages[i].stage = (enum hs_stage)take(input, 1);
        record->stages[i].t_ms = take(input, 2) / 10.0;
    }
    for (int side = 0; side < 2; side++) {
        record->wire_count[side] = take(input, 1);
        for (size_t i = 0; i < HSLOG_MAX_WIRE_RECORDS && i < record->wire_count[side]; i++) {
            record->wire[side][i].type = (uint8_t)take(input, 1);
            record->wire[side][i].length = (uint16_t)take(input, 2);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hslog_record *record = calloc(1, sizeof *record);
    if (record == NULL)
        return 0;
    struct input input = { data, size, 0 };
    read_record(&input, record);
    char *text = ladder_text(record);
    char *svg = ladder_svg(record);
    if (text != NULL) {
        size_t column = 0;
        for (const char *p = text; *p; p++) {
            column = *p == '\n' ? 0 : column + 1;
            if (column > LADDER_TEXT_WIDTH)
                abort();
        }
    }
    if (svg != NULL && strstr(svg, "</svg>\n") == NULL)
        abort();
    free(text);
    free(svg);
    free(record);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* log_level.h: how much tlsd logs and in which format: values the
 * configuration (config.h) holds and the log (log.h) takes, here so that
 * neither header needs the other. */
#ifndef TLSD_LOG_LEVEL_H
#define TLSD_LOG_LEVEL_H

enum log_level { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };
/* Whether a line carries its time: auto = unless standard error is the
 * journal (which keeps its own). */
enum log_timestamps { LOG_TIMESTAMPS_AUTO = 0, LOG_TIMESTAMPS_ON, LOG_TIMESTAMPS_OFF };

/* The level as log lines and the configuration write it: "error" ... "debug". */
static inline const char *log_level_name(enum log_level level)
{
    switch (level) {
    case LOG_LEVEL_ERROR: return "error";
    case LOG_LEVEL_WARN:  return "warn";
    case LOG_LEVEL_INFO:  return "info";
    case LOG_LEVEL_DEBUG: return "debug";
    }
    return "unknown";
}

#endif

/* SPDX-License-Identifier: MIT */
/* Logging for all binaries: one line per message on stderr, prefixed with the program name. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include "macro.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_setup(const char *program, enum log_level max_level);

/* What the current request is about; logged as structured fields where the backend has them. */
void log_context_set(const char *profile, const char *container_id);
/* Another destination than stderr (policyd: the journal). Returns < 0 to fall back to stderr. */
typedef int (*log_backend_fn)(enum log_level level, const char *message, const char *profile,
			      const char *container_id);
void log_set_backend(log_backend_fn fn);
enum log_level log_get_max_level(void);
/* Logs and returns -abs(error); `%m` in fmt expands to strerror(error). */
int log_full_errno(enum log_level level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_full_errno(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_LEVEL_ERROR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_LEVEL_WARNING, (e), __VA_ARGS__)

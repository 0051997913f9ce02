// SPDX-License-Identifier: MIT
/* Logging for all binaries: one line per message on stderr, prefixed with the program name. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *log_program = "policyd";
static enum log_level log_max_level = LOG_LEVEL_INFO;
static log_backend_fn log_backend;
static char log_ctx_profile[256], log_ctx_container[80];

void log_set_backend(log_backend_fn fn)
{
	log_backend = fn;
}

void log_context_set(const char *profile, const char *container_id)
{
	snprintf(log_ctx_profile, sizeof(log_ctx_profile), "%s", profile ? profile : "");
	snprintf(log_ctx_container, sizeof(log_ctx_container), "%s", container_id ? container_id : "");
}

void log_setup(const char *program, enum log_level max_level)
{
	const char *env = getenv("POLICYD_LOG_LEVEL");

	log_program = program;
	log_max_level = max_level;
	if (env && strcmp(env, "debug") == 0)
		log_max_level = LOG_LEVEL_DEBUG;
}

enum log_level log_get_max_level(void)
{
	return log_max_level;
}

int log_full_errno(enum log_level level, int error, const char *fmt, ...)
{
	static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
	char line[2048];
	va_list ap;

	if (error < 0)
		error = -error;
	if (level > log_max_level)
		return -error;

	errno = error; /* for %m */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One line per message, whatever the caller passed in. */
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (log_backend && log_backend(level, line, *log_ctx_profile ? log_ctx_profile : NULL,
				       *log_ctx_container ? log_ctx_container : NULL) >= 0)
		return -error;
	fprintf(stderr, "%s: %s%s\n", log_program, prefix[level], line);
	return -error;
}

// SPDX-License-Identifier: MIT
/* One-line error messages handed back to a caller that reports them once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "errmsg.h"

int error_set(char **ret_error, int r, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (!ret_error)
		return r;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(*ret_error);
	*ret_error = msg;
	return r;
}

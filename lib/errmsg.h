/* SPDX-License-Identifier: MIT */
/* One-line error messages handed back to a caller that reports them once. */
#pragma once

#include "macro.h"

/*
 * Formats a message into *ret_error (freeing what was there after formatting, so callers may
 * wrap the old message) and returns r. ret_error may be NULL.
 */
int error_set(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);

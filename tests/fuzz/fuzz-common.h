/* SPDX-License-Identifier: MIT */
/* Helpers shared by the libFuzzer targets (header only). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd copy of exactly size bytes (at least 1 allocated), so that ASan sees any read past
 * the input: libFuzzer's own buffer is exact too, but a copy also keeps const-casts honest. */
static inline char *fuzz_dup(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* A NUL-terminated copy (for APIs that take C strings). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	p[size] = '\0';
	return p;
}

/* An invariant of the code under test that does not hold: a finding, like a sanitizer report. */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d): ", #cond, __FILE__,   \
				__LINE__);                                                         \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

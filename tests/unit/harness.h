/* SPDX-License-Identifier: MIT */
/*
 * A tiny test harness: TEST(name) defines a case, CHECK() records a failure and goes on,
 * and main() runs every registered case and ends with "N passed, N failed".
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define MAX_TESTS 128
extern struct test_case test_cases[MAX_TESTS];
extern int test_count, test_failed_checks;

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	__attribute__((constructor)) static void register_##name(void)                             \
	{                                                                                          \
		if (test_count < MAX_TESTS)                                                        \
			test_cases[test_count++] = (struct test_case){#name, test_##name};         \
	}                                                                                          \
	static void test_##name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_STREQ(a, b)                                                                          \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                           \
			fprintf(stderr, "  %s:%d: '%s' != '%s'\n", __FILE__, __LINE__,             \
				_a ? _a : "(null)", _b ? _b : "(null)");                           \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

/* Substring check, for error messages that must name what was wrong. */
#define CHECK_CONTAINS(haystack, needle)                                                           \
	do {                                                                                       \
		const char *_h = (haystack), *_n = (needle);                                       \
		if (!_h || !strstr(_h, _n)) {                                                      \
			fprintf(stderr, "  %s:%d: '%s' does not contain '%s'\n", __FILE__,         \
				__LINE__, _h ? _h : "(null)", _n);                                 \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

#define TEST_MAIN()                                                                                \
	struct test_case test_cases[MAX_TESTS];                                                    \
	int test_count, test_failed_checks;                                                        \
	int main(void)                                                                             \
	{                                                                                          \
		int passed = 0, failed = 0;                                                        \
		for (int i = 0; i < test_count; i++) {                                             \
			int before = test_failed_checks;                                           \
			test_cases[i].fn();                                                        \
			if (test_failed_checks == before) {                                        \
				passed++;                                                          \
				printf("ok   %s\n", test_cases[i].name);                               \
			} else {                                                                   \
				failed++;                                                          \
				printf("FAIL %s\n", test_cases[i].name);                               \
			}                                                                          \
		}                                                                                  \
		printf("%d passed, %d failed\n", passed, failed);                                  \
		return failed ? 1 : 0;                                                             \
	}

/* Reads a fixture file into a malloc'd string. */
static inline char *fixture_read(const char *rel, size_t *ret_len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, rel);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open fixture %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	buf[n] = '\0';
	fclose(f);
	*ret_len = (size_t)n;
	return buf;
}

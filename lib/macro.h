/* SPDX-License-Identifier: MIT */
/* Cleanup helpers in the style of systemd and crun: every early return is leak-free. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Take ownership of a pointer or fd: the cleanup handler of the old variable then does nothing. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		typeof(p) _ptr_ = (p);                                                             \
		(p) = NULL;                                                                        \
		_ptr_;                                                                             \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd_ = (fd);                                                                   \
		(fd) = -1;                                                                         \
		_fd_;                                                                              \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void json_putp(json_object **j)
{
	if (*j)
		json_object_put(*j);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_json_ _cleanup_(json_putp)

static inline bool streq_ptr(const char *a, const char *b)
{
	return a && b && __builtin_strcmp(a, b) == 0;
}

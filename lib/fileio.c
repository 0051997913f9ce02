// SPDX-License-Identifier: MIT
/* Bounded reads of files and descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "timeutil.h"

int read_fd_bounded(int fd, size_t max, int64_t deadline, char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (deadline >= 0) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			int r = poll(&p, 1, deadline_remaining_ms(deadline));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -errno;
			if (r == 0)
				return -ETIMEDOUT;
		}
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 16384;
			char *nbuf;
			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= len + 1)
				return -EFBIG;
			nbuf = realloc(buf, ncap);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int read_file_bounded(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return read_fd_bounded(fd, max, -1, ret_buf, ret_len);
}

int write_all_fd(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

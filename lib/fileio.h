/* SPDX-License-Identifier: MIT */
/* Bounded reads of files and descriptors: nothing from outside is read without a limit. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Reads fd to EOF into a malloc'd, NUL-terminated buffer. -EFBIG when more than max bytes
 * arrive, -ETIMEDOUT when the monotonic deadline passes first (deadline < 0: none).
 */
int read_fd_bounded(int fd, size_t max, int64_t deadline, char **ret_buf, size_t *ret_len);
int read_file_bounded(const char *path, size_t max, char **ret_buf, size_t *ret_len);
/* Writes all of buf to a blocking fd. */
int write_all_fd(int fd, const char *buf, size_t len);

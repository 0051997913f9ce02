// SPDX-License-Identifier: MIT
/*
 * fileio DIR MIB: file I/O cost in DIR, one line "write_mib_s=X read_mib_s=Y meta_ops_s=Z":
 *   write  MIB MiB written sequentially to DIR/fileio.dat in 64 KiB writes, then fsync (timed too);
 *   read   the same file read back in 64 KiB reads; from the page cache, since a container cannot
 *          drop caches: this measures the syscall and copy path, not the disk;
 *   meta   2000 files in DIR/meta/: create, write 4 KiB, close, stat, unlink; files per second.
 * Both paths must not exist; everything made is removed again. Errors: one line on stderr naming
 * the step and the errno, exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define SMALL 4096
#define META_FILES 2000
#define MAX_MIB 65536

static char buf[CHUNK];

static int fail(const char *step, const char *path)
{
	fprintf(stderr, "fileio: %s %s: %s (%s)\n", step, path, strerrorname_np(errno),
		strerror(errno));
	return -1;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* write() until all of it is written: a short write is not an error. */
static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A step failed on a file this program created: report it, then remove the file. */
static int abandon(int fd, const char *step, const char *path)
{
	fail(step, path);
	close(fd);
	unlink(path);
	return -1;
}

/* Creates path (never an existing file); on failure it is gone again. */
static int seq_write(const char *path, long mib, double *ret_s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	double t0;

	if (fd < 0)
		return fail("write: create", path);
	t0 = now();
	for (long i = 0; i < mib * (1024 * 1024 / CHUNK); i++)
		if (write_all(fd, buf, CHUNK) < 0)
			return abandon(fd, "write: write", path);
	if (fsync(fd) < 0)
		return abandon(fd, "write: fsync", path);
	*ret_s = now() - t0;
	if (close(fd) < 0) {
		fail("write: close", path);
		unlink(path);
		return -1;
	}
	return 0;
}

static int seq_read(const char *path, long mib, double *ret_s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long long total = 0;
	ssize_t n;
	double t0;

	if (fd < 0)
		return fail("read: open", path);
	t0 = now();
	while ((n = read(fd, buf, CHUNK)) > 0)
		total += n;
	*ret_s = now() - t0;
	if (n < 0)
		fail("read: read", path);
	close(fd);
	if (n == 0 && total != (long long)mib * 1024 * 1024) {
		errno = EIO;
		return fail("read: short file", path);
	}
	return n < 0 ? -1 : 0;
}

/* One small-file life: create, write 4 KiB, close, stat, unlink. */
static int small_file(int dfd, const char *name, const char *dir)
{
	struct stat st;
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return fail("meta: create in", dir);
	if (write_all(fd, buf, SMALL) < 0) {
		fail("meta: write in", dir);
		close(fd);
		unlinkat(dfd, name, 0);
		return -1;
	}
	if (close(fd) < 0 || fstatat(dfd, name, &st, 0) < 0) {
		fail("meta: close/stat in", dir);
		unlinkat(dfd, name, 0);
		return -1;
	}
	return unlinkat(dfd, name, 0) < 0 ? fail("meta: unlink in", dir) : 0;
}

static int meta_cycle(const char *dir, double *ret_s)
{
	char name[32];
	double t0;
	int dfd, rc = 0;

	if (mkdir(dir, 0700) < 0)
		return fail("meta: mkdir", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fail("meta: open", dir);
		rmdir(dir);
		return -1;
	}
	t0 = now();
	for (int i = 0; i < META_FILES && rc == 0; i++) {
		snprintf(name, sizeof name, "f%04d", i);
		rc = small_file(dfd, name, dir);
	}
	*ret_s = now() - t0;
	close(dfd);
	if (rmdir(dir) < 0 && rc == 0)
		rc = fail("meta: rmdir", dir);
	return rc;
}

int main(int argc, char **argv)
{
	char data[4096], meta[4096];
	double ws = 0, rs = 0, ms = 0;
	char *end = NULL;
	long mib = 0;
	int rc;

	if (argc == 3)
		mib = strtol(argv[2], &end, 10);
	if (mib <= 0 || mib > MAX_MIB || !end || *end) {
		fprintf(stderr, "usage: fileio DIR MIB   (1 <= MIB <= %d)\n", MAX_MIB);
		return 2;
	}
	if (snprintf(data, sizeof data, "%s/fileio.dat", argv[1]) >= (int)sizeof data ||
	    snprintf(meta, sizeof meta, "%s/meta", argv[1]) >= (int)sizeof meta) {
		fprintf(stderr, "fileio: DIR is too long\n");
		return 2;
	}
	memset(buf, 0x5a, sizeof buf); /* not zeroes: no file system may treat the data as holes */

	if (seq_write(data, mib, &ws) < 0)
		return 1;
	rc = seq_read(data, mib, &rs);
	/* Unlinked, its page cache freed, before the metadata step is timed. */
	if (unlink(data) < 0 && rc == 0)
		rc = fail("cleanup: unlink", data);
	if (rc == 0)
		rc = meta_cycle(meta, &ms);
	if (rc < 0)
		return 1;
	printf("write_mib_s=%.1f read_mib_s=%.1f meta_ops_s=%.1f\n", (double)mib / ws,
	       (double)mib / rs, META_FILES / ms);
	return 0;
}

// SPDX-License-Identifier: MIT
/* Mount-namespace keys for the tracer's watch map. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/types.h>

#include "macro.h"
#include "mntns.h"

#ifndef NS_GET_MNTNS_ID
#define NSIO 0xb7
#define NS_GET_MNTNS_ID _IOR(NSIO, 0x5, __u64)
#endif

static int key_of_fd(int fd, enum mntns_key_kind kind, uint64_t *ret)
{
	struct stat st;
	__u64 id = 0;

	if (kind == MNTNS_KEY_NS_ID) {
		if (ioctl(fd, NS_GET_MNTNS_ID, &id) < 0)
			return -errno;
		*ret = id;
		return 0;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}

enum mntns_key_kind mntns_key_kind_probe(void)
{
	_cleanup_close_ int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	uint64_t id = 0;

	if (fd >= 0 && key_of_fd(fd, MNTNS_KEY_NS_ID, &id) == 0 && id != 0)
		return MNTNS_KEY_NS_ID;
	return MNTNS_KEY_INODE;
}

const char *mntns_key_kind_to_string(enum mntns_key_kind kind)
{
	return kind == MNTNS_KEY_NS_ID ? "ns_id" : "inode";
}

int mntns_key_of_pid(pid_t pid, enum mntns_key_kind kind, uint64_t *ret)
{
	char path[64];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return key_of_fd(fd, kind, ret);
}

// SPDX-License-Identifier: MIT
/*
 * probe OPERATION [ARG]: tries one thing a confined workload should not be able to do and
 * says whether it worked. Exit 0 "allowed", 1 "denied: <errno>", 2 usage. Static, so it runs in
 * a busybox image. "noop" does nothing, so that learning can see the binary start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int report(const char *op, long r)
{
	if (r >= 0) {
		printf("%s: allowed\n", op);
		return 0;
	}
	printf("%s: denied: %s\n", op, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	return 1;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "/tmp/probe-target";

	if (strcmp(op, "noop") == 0)
		return 0;
	if (strcmp(op, "unshare-user") == 0)
		return report(op, unshare(CLONE_NEWUSER));
	if (strcmp(op, "chown") == 0)
		return report(op, chown(arg, 65534, 65534));
	if (strcmp(op, "ping") == 0) {
		/* ICMP echo needs a raw socket or an ICMP datagram socket. */
		int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		if (fd < 0)
			fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
		return report(op, fd);
	}
	if (strcmp(op, "mknod-block") == 0)
		return report(op, mknod(arg, S_IFBLK | 0600, makedev(8, 0)));
	if (strcmp(op, "chroot") == 0)
		return report(op, chroot(arg));
	if (strcmp(op, "bpf") == 0) /* BPF_MAP_CREATE with nothing: any answer but EPERM is "allowed" */
		return report(op, syscall(SYS_bpf, 0, NULL, 0) < 0 && errno != EPERM ? 0 : -1);
	if (strcmp(op, "socket-family") == 0) /* socket(N, SOCK_STREAM, 0) */
		return report(op, socket(atoi(arg), SOCK_STREAM, 0));
	if (strcmp(op, "keyctl") == 0) /* KEYCTL_GET_KEYRING_ID of the session keyring */
		return report(op, syscall(SYS_keyctl, 0, -3, 0));
	if (strcmp(op, "getppid") == 0) {
		long n = argc > 2 ? atol(argv[2]) : 1000000;
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		return 0;
	}
	fprintf(stderr, "usage: probe noop|unshare-user|chown [PATH]|ping|mknod-block [PATH]|chroot [DIR]|bpf|keyctl|socket-family N|getppid [N]\n");
	return 2;
}

// SPDX-License-Identifier: MIT
/* Names for numbers the kernel reports: capabilities, errnos, address families, access bits. */
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "names.h"

static const char *const capabilities[CAPABILITY_MAX] = {
	"CAP_CHOWN",	      "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID",	      "CAP_KILL",	    "CAP_SETGID",	   "CAP_SETUID",
	"CAP_SETPCAP",	      "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",      "CAP_NET_RAW",	    "CAP_IPC_LOCK",	   "CAP_IPC_OWNER",
	"CAP_SYS_MODULE",     "CAP_SYS_RAWIO",	    "CAP_SYS_CHROOT",	   "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",      "CAP_SYS_ADMIN",	    "CAP_SYS_BOOT",	   "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",   "CAP_SYS_TIME",	    "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
	"CAP_LEASE",	      "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",   "CAP_MAC_ADMIN",	    "CAP_SYSLOG",	   "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",	    "CAP_PERFMON",	   "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *capability_name(int cap)
{
	static __thread char buf[16];

	if (cap >= 0 && cap < CAPABILITY_MAX)
		return capabilities[cap];
	snprintf(buf, sizeof(buf), "CAP_%d", cap);
	return buf;
}

int capability_from_name(const char *name)
{
	for (int i = 0; i < CAPABILITY_MAX; i++)
		if (strcmp(capabilities[i], name) == 0)
			return i;
	return -1;
}

const char *errno_name(int err)
{
	static __thread char buf[16];
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

const char *family_name(unsigned family)
{
	static const char *const names[] = {
		[1] = "unix", [2] = "inet", [10] = "inet6", [16] = "netlink", [17] = "packet",
		[38] = "alg", [40] = "vsock", [44] = "xdp",
	};
	static __thread char buf[16];

	if (family < ELEMENTSOF(names) && names[family])
		return names[family];
	snprintf(buf, sizeof(buf), "af%u", family);
	return buf;
}

const char *socket_type_name(unsigned type)
{
	static const char *const names[] = {
		[1] = "stream", [2] = "dgram", [3] = "raw", [4] = "rdm", [5] = "seqpacket", [10] = "packet",
	};
	static __thread char buf[16];

	if (type < ELEMENTSOF(names) && names[type])
		return names[type];
	snprintf(buf, sizeof(buf), "type%u", type);
	return buf;
}

void access_to_string(uint32_t access, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{0x1, "read"},	   {0x2, "write"},  {0x4, "create"},    {0x8, "truncate"},
		{0x10, "exec"},	   {0x40, "append"}, {0x20, "directory"},
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(bits); i++) {
		int n;
		if (!(access & bits[i].bit))
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off ? "," : "", bits[i].name);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
}

int family_from_name(const char *name)
{
	for (unsigned f = 0; f < 64; f++)
		if (strcmp(family_name(f), name) == 0)
			return (int)f;
	return -1;
}

int socket_type_from_name(const char *name)
{
	for (unsigned t = 0; t < 16; t++)
		if (strcmp(socket_type_name(t), name) == 0)
			return (int)t;
	return -1;
}

/* SPDX-License-Identifier: MIT */
/*
 * Records and constants shared by tracer.bpf.c and its loader (hookd/tracer.c): fixed-width
 * fields only, no pointers. Every record starts with struct event_header.
 */
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define WATCH_MAX_ENTRIES 4096
#define SYSCALL_MAX 512 /* bitmap bits per arch and phase */
#define SYSCALL_WORDS (SYSCALL_MAX / 64)
#define PATH_BUF 1024 /* path bytes in a record, NUL included */
#define NAME_BUF 256
#define PATH_DEPTH_MAX 32
#define NOAUDIT_RANGES 8

enum phase {
	PHASE_INIT = 0,     /* the runtime's own set-up, before it installs its seccomp filter */
	PHASE_WORKLOAD = 1, /* after the container init exec'd the workload */
	PHASE_RUNTIME = 2,  /* the runtime's set-up after its seccomp filter is in force: what a
			     * generated filter must allow besides the workload */
	PHASE_MAX = 3,
};

enum arch {
	ARCH_NATIVE = 0, /* x86_64 */
	ARCH_IA32 = 1,   /* 32-bit compat syscalls (int 0x80 / TS_COMPAT) */
	ARCH_X32 = 2,    /* x32 ABI (__X32_SYSCALL_BIT) */
	ARCH_MAX = 3,
};

/* Value of the watch map, keyed by mount namespace: the filter and the syscall record in one
 * lookup. User space writes it at createRuntime; the kernel side only sets bits and phase. */
struct watch_value {
	__u64 run_id;
	__u32 init_pid; /* host tgid of the container init at createRuntime */
	__u32 phase;    /* enum phase */
	__u64 syscalls[PHASE_MAX][ARCH_MAX][SYSCALL_WORDS];
};

enum event_type {
	EVENT_EXEC = 1,
	EVENT_FILE = 2,
	EVENT_CAPABILITY = 3,
	EVENT_SOCKET = 4,
	EVENT_BIND = 5,
	EVENT_CONNECT = 6,
	EVENT_INIT_EXIT = 7, /* the container init exited: the namespace is going away */
};

struct event_header {
	__u32 type;  /* enum event_type */
	__u32 phase; /* enum phase */
	__u64 mntns;
	__u32 pid; /* host tgid */
	__u32 size; /* of the whole record, checked on receipt */
};

/* Access bits of a file record. */
#define ACCESS_READ 0x1
#define ACCESS_WRITE 0x2
#define ACCESS_CREATE 0x4
#define ACCESS_TRUNCATE 0x8
#define ACCESS_EXEC 0x10
#define ACCESS_DIRECTORY 0x20
#define ACCESS_APPEND 0x40

struct exec_event {
	struct event_header h;
	__u32 truncated;
	__u32 secureexec; /* the exec gained privilege (setuid, setgid, file capabilities) */
	char requested[NAME_BUF]; /* the filename passed to execve */
	char resolved[PATH_BUF];  /* the binary's real path in the container */
};

struct file_event {
	struct event_header h;
	__s32 error;     /* 0, or the errno of a failed open */
	__u32 access;    /* ACCESS_* */
	__u32 dev_major; /* for character and block devices */
	__u32 dev_minor;
	__u32 mode;      /* inode mode (S_IFCHR, S_IFBLK, ...) for successful opens */
	__u32 truncated;
	char path[PATH_BUF]; /* real path for opened files; requested path for failed ones */
};

struct capability_event {
	struct event_header h;
	__s32 cap;
	__s32 ret;     /* 0 granted, <0 denied */
	__s32 syscall; /* the syscall in progress (x86_64 number), -1 outside one */
	__u32 pad;
};

struct net_event {
	struct event_header h;
	__s32 ret;
	__u16 family;
	__u16 port; /* host order */
	__u32 type; /* socket type, SOCK_NONBLOCK/CLOEXEC stripped */
	__u32 protocol;
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
};

/* Index into the counters array map. */
enum tracer_counter {
	COUNTER_RINGBUF_DROPS = 0,
	COUNTER_EVENTS = 1,
	COUNTER_SILENT_CAPS = 2,   /* capability checks filtered as silent (no-audit callers) */
	COUNTER_BORROWED_CAPS = 3, /* checks made with borrowed credentials (overlayfs, ...) */
	COUNTER_MAX = 4,
};

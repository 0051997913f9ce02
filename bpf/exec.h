/* SPDX-License-Identifier: MIT */
/* Records and constants shared by exec.bpf.c and its loader: fixed-width fields, no pointers. */
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EXEC_PATH_MAX 256
#define WATCH_MAX_ENTRIES 4096

/* A program executed inside a watched mount namespace. */
struct exec_event {
	__u64 mntns;     /* the watch key: mount namespace id (or inode, see key_is_inode) */
	__u32 pid;       /* host tgid of the process after exec */
	__u32 truncated; /* 1 when filename did not fit */
	char filename[EXEC_PATH_MAX];
};

/* Index into the counters array map. */
enum tracer_counter {
	COUNTER_RINGBUF_DROPS = 0,
	COUNTER_EVENTS = 1,
	COUNTER_MAX = 4,
};

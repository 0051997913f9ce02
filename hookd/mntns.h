/* SPDX-License-Identifier: MIT */
/* Mount-namespace keys: the tracer's way to tell containers apart (see DESIGN.md, flow 3). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum mntns_key_kind {
	MNTNS_KEY_NS_ID, /* 64-bit, never reused (NS_GET_MNTNS_ID, Linux 6.8+) */
	MNTNS_KEY_INODE, /* nsfs inode: reused after the namespace dies, so keys are deleted */
};

/* Which key this kernel offers, probed once on our own namespace. */
enum mntns_key_kind mntns_key_kind_probe(void);
const char *mntns_key_kind_to_string(enum mntns_key_kind kind);
/* The key of pid's mount namespace, of the given kind. */
int mntns_key_of_pid(pid_t pid, enum mntns_key_kind kind, uint64_t *ret);

/* SPDX-License-Identifier: MIT */
/*
 * The eBPF tracer: loads the BPF programs, keeps the map of watched mount namespaces and turns
 * ring-buffer records into observations handed to a callback.
 */
#pragma once

#include <stdint.h>

#include "mntns.h"

typedef struct tracer tracer;

/* Called for each observation; kind/key/detail as in the store's observations table. */
typedef void (*tracer_observe_fn)(void *userdata, uint64_t mntns, const char *kind,
				  const char *key, const char *detail);

struct tracer_options {
	enum mntns_key_kind key_kind;
	/* Kernel BTF to use; NULL: the running kernel's (/sys/kernel/btf/vmlinux). */
	const char *btf_path;
	tracer_observe_fn observe;
	void *userdata;
};

/* Loads and attaches. On failure *ret_error says why in one line (no BTF, no privilege, ...). */
int tracer_new(const struct tracer_options *opts, tracer **ret, char **ret_error);
void tracer_free(tracer *t);

/* Descriptor to poll for records, and the call that drains them. */
int tracer_fd(tracer *t);
int tracer_consume(tracer *t);

int tracer_watch(tracer *t, uint64_t key, uint64_t run_id);
int tracer_unwatch(tracer *t, uint64_t key);
/* Ring-buffer reservations that failed, summed over CPUs. */
uint64_t tracer_drops(tracer *t);

/* SPDX-License-Identifier: MIT */
/*
 * The eBPF tracer: loads the BPF programs once, attaches them only while some container is
 * watched, keeps the map of watched mount namespaces, and turns ring-buffer records and
 * syscall bitmaps into observations handed to a callback.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mntns.h"

typedef struct tracer tracer;

/* One observation, as the store's observations table has it. */
struct observation {
	const char *kind; /* syscall, file, file_failed, exec, capability, network, device */
	const char *key;
	const char *detail;
	const char *phase; /* init or workload */
};

struct tracer_callbacks {
	void (*observe)(void *userdata, uint64_t mntns, const struct observation *o);
	/* The container init exited: its namespace is going away. */
	void (*init_exited)(void *userdata, uint64_t mntns);
	void *userdata;
};

struct tracer_options {
	enum mntns_key_kind key_kind;
	/* Kernel BTF to use; NULL: the running kernel's (/sys/kernel/btf/vmlinux). */
	const char *btf_path;
	struct tracer_callbacks cb;
};

/* Loads (does not attach). On failure *ret_error says why in one line. */
int tracer_new(const struct tracer_options *opts, tracer **ret, char **ret_error);
void tracer_free(tracer *t);

/* Descriptor to poll for records, and the call that drains them into the callbacks. */
int tracer_fd(tracer *t);
int tracer_consume(tracer *t);

/* Watching the first namespace attaches the programs; unwatching the last detaches them. */
int tracer_watch(tracer *t, uint64_t key, uint64_t run_id, pid_t init_pid);
/* Watches a container found running after a restart: its workload has started already. */
int tracer_rewatch(tracer *t, uint64_t key, uint64_t run_id, pid_t init_pid);
int tracer_unwatch(tracer *t, uint64_t key);
/* Reports the syscalls a watched namespace has made so far (idempotent). */
int tracer_harvest_syscalls(tracer *t, uint64_t key);

/*
 * Decodes one ring-buffer record into callbacks; checks its size for its type. Pure (no BPF),
 * so that it can be fuzzed. Returns 0, or -EBADMSG for a record that was rejected.
 */
int tracer_decode_record(const struct tracer_callbacks *cb, const void *data, size_t size);

bool tracer_attached(tracer *t);
uint64_t tracer_counter(tracer *t, int counter);
/* Which optional programs loaded on this kernel, e.g. "cap_capable" (for show and logs). */
bool tracer_has_capabilities(tracer *t);

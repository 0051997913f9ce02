// SPDX-License-Identifier: GPL-2.0
/* Exec tracer: reports every program executed inside a watched container mount namespace. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "exec.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader: true on kernels whose mount namespaces have no 64-bit ns_id. */
const volatile bool key_is_inode = false;

/* Watched mount namespaces: key -> run id (user space's, opaque here). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_MAX_ENTRIES);
	__type(key, __u64);
	__type(value, __u64);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

static __always_inline __u64 mntns_key(struct task_struct *task)
{
	struct mnt_namespace *mnt = task->nsproxy->mnt_ns;

	if (key_is_inode || !bpf_core_field_exists(mnt->ns.ns_id))
		return mnt->ns.inum;
	return mnt->ns.ns_id;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_event *e;
	__u64 key = mntns_key(p);
	long n;

	if (!bpf_map_lookup_elem(&watched, &key))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(COUNTER_RINGBUF_DROPS);
		return 0;
	}
	e->mntns = key;
	e->pid = p->tgid;
	n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	e->truncated = n == sizeof(e->filename);
	bpf_ringbuf_submit(e, 0);
	count(COUNTER_EVENTS);
	return 0;
}

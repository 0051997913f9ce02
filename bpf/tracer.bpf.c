// SPDX-License-Identifier: GPL-2.0
/*
 * The learning tracer. Everything is keyed by the mount namespace of the current task: one
 * hash lookup both filters (unwatched tasks leave at once) and finds where to record. Syscalls
 * go into a bitmap in the map value; files, execs, capabilities and network calls go out as
 * ring-buffer records. User space attaches these programs only while some container learns.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tracer-events.h"

char LICENSE[] SEC("license") = "GPL";

/* Load-time settings, written by the loader through rodata. */
const volatile bool key_is_inode = false;
/* Kernel text ranges of the no-audit capability wrappers (cap_vm_enough_memory, ...): a check
 * reached through them is a silent probe, not a capability the workload uses. */
const volatile __u64 noaudit_start[NOAUDIT_RANGES] = {};
const volatile __u64 noaudit_end[NOAUDIT_RANGES] = {};
const volatile __u32 n_noaudit = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_MAX_ENTRIES);
	__type(key, __u64);
	__type(value, struct watch_value);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* x86_64 syscall numbers this tracer decodes at exit. */
#define NR_open 2
#define NR_socket 41
#define NR_connect 42
#define NR_bind 49
#define NR_creat 85
#define NR_openat 257
#define NR_openat2 437
#define NR_mmap 9
#define NR_brk 12
#define NR_mremap 25
#define NR_execve 59
#define NR_execveat 322
#define NR_shmat 30
#define NR_seccomp 317
#define NR_prctl 157
#define SECCOMP_SET_MODE_FILTER 1
#define PR_SET_SECCOMP 22
#define SECCOMP_MODE_FILTER 2

#define TS_COMPAT 0x0002
#define X32_SYSCALL_BIT 0x40000000
#define CAP_SYS_ADMIN 21

#define O_ACCMODE 00000003
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_DIRECTORY 00200000

#define S_IFMT 00170000
#define S_IFDIR 0040000

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

static __always_inline void *reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		count(COUNTER_RINGBUF_DROPS);
	return e;
}

static __always_inline void header(struct event_header *h, __u32 type, __u32 size, __u64 key,
				   struct watch_value *v, struct task_struct *task)
{
	h->type = type;
	h->phase = v->phase;
	h->mntns = key;
	h->pid = task->tgid;
	h->size = size;
}

/* Where build_path() assembles a path: per CPU, so that records need no big stack buffers. */
struct path_scratch {
	__u64 names[PATH_DEPTH_MAX]; /* component name pointers, leaf first */
	char buf[PATH_BUF + NAME_BUF]; /* the tail keeps the verifier's bounds simple */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} scratch SEC(".maps");

#define PATH_TRUNCATED 0x10000

/* State shared by the two bpf_loop() callbacks of build_path(). */
struct walk_ctx {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u64 root_dentry, root_mnt;
	__u32 depth, off, truncated;
};

/* One step up: records a name, crosses a mount point, or ends the walk (returns 1). */
static long walk_up(__u64 index, void *data)
{
	struct walk_ctx *w = data;
	/* Plain locals: BPF_CORE_READ on w->field would relocate our own struct too. */
	struct dentry *dentry = w->dentry, *mnt_root, *parent;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct path_scratch *sc;
	__u32 zero = 0;

	if (w->depth >= PATH_DEPTH_MAX) {
		w->truncated = PATH_TRUNCATED;
		return 1;
	}
	if ((__u64)dentry == w->root_dentry && (__u64)vfsmnt == w->root_mnt)
		return 1;
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	if (dentry == mnt_root) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt)
			return 1; /* the root of the mount tree */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vfsmnt = (struct vfsmount *)((void *)up + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry)
		return 1;
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 1;
	sc->names[w->depth & (PATH_DEPTH_MAX - 1)] = (__u64)BPF_CORE_READ(dentry, d_name.name);
	w->depth++;
	w->dentry = parent;
	return 0;
}

/* Appends component depth-1-index: "/name". */
static long write_component(__u64 index, void *data)
{
	struct walk_ctx *w = data;
	struct path_scratch *sc;
	__u32 zero = 0, off = w->off;
	int i = (int)w->depth - 1 - (int)index;
	long n;

	if (i < 0)
		return 1;
	if (off > PATH_BUF - 2) {
		w->truncated = PATH_TRUNCATED;
		return 1;
	}
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 1;
	sc->buf[off & (PATH_BUF - 1)] = '/';
	off = (off + 1) & (PATH_BUF - 1);
	n = bpf_probe_read_kernel_str(&sc->buf[off], NAME_BUF,
				      (const void *)sc->names[i & (PATH_DEPTH_MAX - 1)]);
	if (n <= 1)
		return 1;
	w->off = off + (__u32)(n - 1);
	return 0;
}

/*
 * The path of a dentry in a mount as a task sees it from its root (root_dentry, root_mnt):
 * walks up the dentries, crossing mount points, and writes "/a/b/c" into the scratch buffer.
 * Returns the length, with PATH_TRUNCATED or'ed in when it did not fit, or < 0. The loops run
 * under bpf_loop(), so the verifier checks each body once whatever the depth.
 */
static __always_inline int build_path(struct dentry *dentry, struct vfsmount *vfsmnt,
				      __u64 root_dentry, __u64 root_mnt)
{
	struct walk_ctx w = {
		.dentry = dentry,
		.vfsmnt = vfsmnt,
		.mnt = container_of(vfsmnt, struct mount, mnt),
		.root_dentry = root_dentry,
		.root_mnt = root_mnt,
	};
	struct path_scratch *sc;
	__u32 zero = 0, off;

	bpf_loop(PATH_DEPTH_MAX * 2, walk_up, &w, 0);
	bpf_loop(PATH_DEPTH_MAX, write_component, &w, 0);
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return -1;
	off = w.off;
	if (off == 0) {
		sc->buf[0] = '/';
		off = 1;
	}
	if (off >= PATH_BUF) {
		w.truncated = PATH_TRUNCATED;
		off = PATH_BUF - 1;
	}
	sc->buf[off & (PATH_BUF - 1)] = '\0';
	return (int)(off | w.truncated);
}

/* The real path of an open file (dentry + mount), copied into out (PATH_BUF bytes). */
static __always_inline void read_path(struct dentry *dentry, struct vfsmount *vfsmnt,
				      struct task_struct *task, char *out, __u32 *truncated)
{
	struct path_scratch *sc;
	__u32 zero = 0;
	int r;

	r = build_path(dentry, vfsmnt, (__u64)BPF_CORE_READ(task, fs, root.dentry),
		       (__u64)BPF_CORE_READ(task, fs, root.mnt));
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (r < 0 || !sc) {
		out[0] = '\0';
		return;
	}
	if (r & PATH_TRUNCATED)
		*truncated = 1;
	bpf_probe_read_kernel(out, PATH_BUF, sc->buf);
	out[PATH_BUF - 1] = '\0';
}

static __always_inline struct file *file_of_fd(struct task_struct *task, long fd)
{
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;

	if (fd < 0)
		return NULL;
	max = BPF_CORE_READ(task, files, fdt, max_fds);
	if (fd >= max)
		return NULL;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pd_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = mntns_key(task), bit, *word;
	struct watch_value *v;
	__u32 arch = ARCH_NATIVE, phase;

	v = bpf_map_lookup_elem(&watched, &key);
	if (!v)
		return 0;
	if (task->thread_info.status & TS_COMPAT) {
		arch = ARCH_IA32;
	} else if (id & X32_SYSCALL_BIT) {
		arch = ARCH_X32;
		id &= ~X32_SYSCALL_BIT;
	}
	if (id < 0 || id >= SYSCALL_MAX)
		return 0;
	phase = v->phase;
	if (phase >= PHASE_MAX)
		return 0;
	word = &v->syscalls[phase][arch][(id >> 6) & (SYSCALL_WORDS - 1)];
	bit = 1ULL << (id & 63);
	/* Read before the atomic: after the first call of a syscall this is a plain load. */
	if (!(*word & bit))
		__sync_fetch_and_or(word, bit);
	return 0;
}

static __always_inline __u32 access_of_flags(long flags)
{
	__u32 a = 0;

	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		a |= ACCESS_WRITE;
		break;
	case O_RDWR:
		a |= ACCESS_READ | ACCESS_WRITE;
		break;
	default:
		a |= ACCESS_READ;
	}
	if (flags & O_CREAT)
		a |= ACCESS_CREATE;
	if (flags & O_TRUNC)
		a |= ACCESS_TRUNCATE;
	if (flags & O_APPEND)
		a |= ACCESS_APPEND;
	if (flags & O_DIRECTORY)
		a |= ACCESS_DIRECTORY;
	return a;
}

static __always_inline void on_open(struct task_struct *task, __u64 key, struct watch_value *v,
				    const char *filename, long flags, long ret)
{
	struct file_event *e = reserve(sizeof(*e));
	struct file *f;

	if (!e)
		return;
	header(&e->h, EVENT_FILE, sizeof(*e), key, v, task);
	e->access = access_of_flags(flags);
	e->error = 0;
	e->dev_major = e->dev_minor = e->mode = e->truncated = 0;
	e->path[0] = '\0';
	f = ret >= 0 ? file_of_fd(task, ret) : NULL;
	if (f) {
		struct inode *inode = BPF_CORE_READ(f, f_inode);
		dev_t rdev = BPF_CORE_READ(inode, i_rdev);

		e->mode = BPF_CORE_READ(inode, i_mode);
		e->dev_major = rdev >> 20;
		e->dev_minor = rdev & 0xfffff;
		if ((e->mode & S_IFMT) == S_IFDIR)
			e->access |= ACCESS_DIRECTORY;
		read_path(BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), task,
			  e->path, &e->truncated);
	} else {
		e->error = ret < 0 ? -ret : 0;
		if (bpf_probe_read_user_str(e->path, PATH_BUF, filename) < 0)
			e->path[0] = '\0';
	}
	bpf_ringbuf_submit(e, 0);
	count(COUNTER_EVENTS);
}

static __always_inline void on_socket(struct task_struct *task, __u64 key, struct watch_value *v,
				      struct pt_regs *regs, long ret)
{
	struct net_event *e = reserve(sizeof(*e));

	if (!e)
		return;
	header(&e->h, EVENT_SOCKET, sizeof(*e), key, v, task);
	e->ret = ret;
	e->family = regs->di;
	e->type = regs->si & 0xf; /* SOCK_TYPE_MASK: without NONBLOCK/CLOEXEC */
	e->protocol = regs->dx;
	e->port = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	bpf_ringbuf_submit(e, 0);
	count(COUNTER_EVENTS);
}

static __always_inline void on_bind_connect(struct task_struct *task, __u64 key,
					    struct watch_value *v, struct pt_regs *regs, long ret,
					    __u32 type)
{
	struct net_event *e;
	struct file *f;
	__u16 family = 0;
	void *uaddr = (void *)regs->si;

	if (bpf_probe_read_user(&family, sizeof(family), uaddr) < 0)
		return;
	/* Unix sockets are files; the open path records them. */
	if (family != 2 /* AF_INET */ && family != 10 /* AF_INET6 */)
		return;
	e = reserve(sizeof(*e));
	if (!e)
		return;
	header(&e->h, type, sizeof(*e), key, v, task);
	e->ret = ret;
	e->family = family;
	e->type = 0;
	e->protocol = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	if (family == 2) {
		struct sockaddr_in sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), uaddr);
		e->port = __builtin_bswap16(sin.sin_port);
		__builtin_memcpy(e->addr, &sin.sin_addr, 4);
	} else {
		struct sockaddr_in6 sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
		e->port = __builtin_bswap16(sin6.sin6_port);
		__builtin_memcpy(e->addr, &sin6.sin6_addr, 16);
	}
	f = file_of_fd(task, regs->di);
	if (f) {
		struct socket *sock = BPF_CORE_READ(f, private_data);
		e->type = BPF_CORE_READ(sock, type);
		e->protocol = BPF_CORE_READ(sock, sk, sk_protocol);
	}
	bpf_ringbuf_submit(e, 0);
	count(COUNTER_EVENTS);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pd_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct watch_value *v;
	long nr = regs->orig_ax;
	__u64 key;

	/* The syscall first: most exits are of no interest and never pay for the lookup. */
	switch (nr) {
	case NR_seccomp:
	case NR_prctl:
	case NR_open:
	case NR_creat:
	case NR_openat:
	case NR_openat2:
	case NR_socket:
	case NR_bind:
	case NR_connect:
		break;
	default:
		return 0;
	}
	task = bpf_get_current_task_btf();
	if (task->thread_info.status & TS_COMPAT)
		return 0; /* compat numbers differ; the bitmap still records them */
	key = mntns_key(task);
	v = bpf_map_lookup_elem(&watched, &key);
	if (!v)
		return 0;

	/* The runtime installed its seccomp filter: from here on, what it calls must pass a
	 * filter, so it has to be in the generated one. */
	if (nr == NR_seccomp || nr == NR_prctl) {
		bool filter = nr == NR_seccomp ? regs->di == SECCOMP_SET_MODE_FILTER
					       : regs->di == PR_SET_SECCOMP && regs->si == SECCOMP_MODE_FILTER;
		if (filter && ret >= 0 && v->phase == PHASE_INIT)
			v->phase = PHASE_RUNTIME;
		return 0;
	}
	if (nr == NR_open || nr == NR_creat || nr == NR_openat || nr == NR_openat2) {
		const char *filename;
		__u64 flags = 0;

		if (nr == NR_open) {
			filename = (const char *)regs->di;
			flags = regs->si;
		} else if (nr == NR_creat) {
			filename = (const char *)regs->di;
			flags = O_CREAT | O_WRONLY | O_TRUNC;
		} else if (nr == NR_openat) {
			filename = (const char *)regs->si;
			flags = regs->dx;
		} else {
			filename = (const char *)regs->si;
			bpf_probe_read_user(&flags, sizeof(flags), (void *)regs->dx);
		}
		on_open(task, key, v, filename, flags, ret);
		return 0;
	}
	switch (nr) {
	case NR_socket:
		on_socket(task, key, v, regs, ret);
		break;
	case NR_bind:
		on_bind_connect(task, key, v, regs, ret, EVENT_BIND);
		break;
	case NR_connect:
		on_bind_connect(task, key, v, regs, ret, EVENT_CONNECT);
		break;
	}
	return 0;
}

static __always_inline bool is_proc_self_exe(const char *filename)
{
	char buf[16] = {};

	bpf_probe_read_kernel_str(buf, sizeof(buf), filename);
	return buf[0] == '/' && buf[1] == 'p' && buf[2] == 'r' && buf[3] == 'o' && buf[4] == 'c' &&
	       buf[5] == '/' && buf[6] == 's' && buf[7] == 'e' && buf[8] == 'l' && buf[9] == 'f' &&
	       buf[10] == '/' && buf[11] == 'e' && buf[12] == 'x' && buf[13] == 'e' && buf[14] == 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pd_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 key = mntns_key(p);
	struct watch_value *v = bpf_map_lookup_elem(&watched, &key);
	struct exec_event *e;
	struct file *f;

	if (!v)
		return 0;
	/* The container init exec'ing something other than the runtime itself: the workload
	 * starts here. Everything before belongs to the runtime's set-up. */
	if (v->phase != PHASE_WORKLOAD && p->tgid == v->init_pid && !is_proc_self_exe(bprm->filename))
		v->phase = PHASE_WORKLOAD;

	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	header(&e->h, EVENT_EXEC, sizeof(*e), key, v, p);
	e->truncated = 0;
	e->secureexec = BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec);
	if (bpf_probe_read_kernel_str(e->requested, sizeof(e->requested), bprm->filename) < 0)
		e->requested[0] = '\0';
	e->resolved[0] = '\0';
	f = bprm->file;
	if (f)
		read_path(BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), p,
			  e->resolved, &e->truncated);
	bpf_ringbuf_submit(e, 0);
	count(COUNTER_EVENTS);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pd_exit, struct task_struct *p)
{
	__u64 key;
	struct watch_value *v;
	struct event_header *e;

	if (p->pid != p->tgid)
		return 0; /* a thread, not the process */
	key = mntns_key(p);
	v = bpf_map_lookup_elem(&watched, &key);
	if (!v || p->tgid != v->init_pid)
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	header(e, EVENT_INIT_EXIT, sizeof(*e), key, v, p);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline bool in_noaudit_caller(void *ctx)
{
	__u64 stack[16];
	long n = bpf_get_stack(ctx, stack, sizeof(stack), 0);

	if (n <= 0)
		return false;
	for (int i = 0; i < 16; i++) {
		if (i * 8 >= n)
			break;
		for (int j = 0; j < NOAUDIT_RANGES; j++) {
			if (j >= n_noaudit)
				break;
			if (stack[i] >= noaudit_start[j] && stack[i] < noaudit_end[j])
				return true;
		}
	}
	return false;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(pd_capable, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = mntns_key(task);
	struct watch_value *v = bpf_map_lookup_elem(&watched, &key);
	struct capability_event *e;

	struct pt_regs *regs;
	long nr;

	if (!v)
		return 0;
	/* A check on credentials other than the task's own is made on someone else's behalf:
	 * overlayfs checks its layers with the mounter's credentials (override_creds). The
	 * container's capability set plays no part in it. */
	if ((__u64)cred != (__u64)task->real_cred) {
		count(COUNTER_BORROWED_CAPS);
		return 0;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	nr = BPF_CORE_READ(regs, orig_ax);
	if (n_noaudit > 0) {
		if (in_noaudit_caller(ctx)) {
			count(COUNTER_SILENT_CAPS);
			return 0;
		}
	} else if (cap == CAP_SYS_ADMIN) {
		/* No symbols to go by: the memory-accounting probe is the one that matters. */
		if (nr == NR_mmap || nr == NR_brk || nr == NR_mremap || nr == NR_execve ||
		    nr == NR_execveat || nr == NR_shmat) {
			count(COUNTER_SILENT_CAPS);
			return 0;
		}
	}
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	header(&e->h, EVENT_CAPABILITY, sizeof(*e), key, v, task);
	e->cap = cap;
	e->ret = ret;
	e->syscall = nr;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	count(COUNTER_EVENTS);
	return 0;
}

// SPDX-License-Identifier: MIT
/* The eBPF tracer: skeleton lifecycle, attach on demand, record decoding. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <seccomp.h>

#include "log.h"
#include "errmsg.h"
#include "macro.h"
#include "names.h"
#include "tracer.h"
#include "tracer-events.h"
#include "tracer.skel.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"

struct tracer {
	struct tracer_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[8];
	size_t n_links;
	size_t n_watched;
	bool has_capabilities;
	struct tracer_callbacks cb;
	uint64_t bad_records;
};

/* Kernel functions through which capability checks are silent (CAP_OPT_NOAUDIT). */
static const char *const noaudit_functions[] = {
	"cap_vm_enough_memory", "security_vm_enough_memory_mm", "ns_capable_noaudit",
	"has_ns_capability_noaudit", "has_capability_noaudit",
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf is chatty and multi-line; it is only worth reading while debugging. */
	if (log_get_max_level() < LOG_LEVEL_DEBUG || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Text ranges [start, end) of the no-audit wrappers, from /proc/kallsyms. The end of a
 * function is the next text symbol's address. Returns how many were found. */
static unsigned find_noaudit_ranges(uint64_t start[], uint64_t end[], unsigned max)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], type;
	unsigned long long addr;
	int pending = -1; /* index waiting for its end */
	unsigned n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (pending >= 0 && addr > start[pending]) {
			end[pending] = addr;
			pending = -1;
		}
		if (addr == 0) /* kptr_restrict hides addresses */
			continue;
		for (size_t i = 0; i < ELEMENTSOF(noaudit_functions) && n < max; i++) {
			if (strcmp(name, noaudit_functions[i]) == 0) {
				start[n] = addr;
				pending = (int)n++;
				break;
			}
		}
	}
	fclose(f);
	if (pending >= 0)
		n--; /* no end found: drop it */
	return n;
}

static bool kernel_has_tracepoint(const char *btf_path, const char *typedef_name)
{
	struct btf *btf = btf__parse(btf_path, NULL);
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, typedef_name, BTF_KIND_TYPEDEF) >= 0;
	btf__free(btf);
	return found;
}

static const char *phase_name(uint32_t phase)
{
	return phase == PHASE_WORKLOAD ? "workload" : phase == PHASE_RUNTIME ? "runtime" : "init";
}

static void emit(const struct tracer_callbacks *cb, uint64_t mntns, const char *kind,
		 const char *key, const char *detail, uint32_t phase)
{
	struct observation o = {kind, key, detail, phase_name(phase)};

	if (cb->observe)
		cb->observe(cb->userdata, mntns, &o);
}

static void decode_exec(const struct tracer_callbacks *t, const struct exec_event *e)
{
	char requested[NAME_BUF], resolved[PATH_BUF];

	snprintf(requested, sizeof(requested), "%.*s", NAME_BUF - 1, e->requested);
	snprintf(resolved, sizeof(resolved), "%.*s", PATH_BUF - 1, e->resolved);
	/* A resolved path cut short names another file: keep only what was asked for. */
	if (e->truncated)
		resolved[0] = '\0';
	emit(t, e->h.mntns, "exec", *resolved ? resolved : requested, requested, e->h.phase);
	/* Privilege gained through exec: noNewPrivileges would break this workload. */
	if (e->secureexec)
		emit(t, e->h.mntns, "secureexec", *resolved ? resolved : requested, requested,
		     e->h.phase);
}

static void decode_file(const struct tracer_callbacks *t, const struct file_event *e)
{
	char path[PATH_BUF], access[96], detail[160];

	snprintf(path, sizeof(path), "%.*s", PATH_BUF - 1, e->path);
	if (!*path)
		return;
	/* A path cut short by the kernel side names another file: never let it into a policy. */
	if (e->truncated) {
		emit(t, e->h.mntns, "file_truncated", path, "", e->h.phase);
		return;
	}
	access_to_string(e->access, access, sizeof(access));
	if (e->error) {
		snprintf(detail, sizeof(detail), "%s:%s", access, errno_name(e->error));
		emit(t, e->h.mntns, "file_failed", path, detail, e->h.phase);
		return;
	}
	emit(t, e->h.mntns, "file", path, access, e->h.phase);
	if ((e->mode & 0170000) == 0020000 || (e->mode & 0170000) == 0060000) {
		char dev[48];
		snprintf(dev, sizeof(dev), "%c %u:%u", (e->mode & 0170000) == 0020000 ? 'c' : 'b',
			 e->dev_major, e->dev_minor);
		emit(t, e->h.mntns, "device", dev, path, e->h.phase);
	}
}

static void decode_capability(const struct tracer_callbacks *t, const struct capability_event *e)
{
	char detail[96], *name = NULL;

	/* "granted chown": which call needed it, so an operator can judge the grant. */
	if (e->syscall >= 0)
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, e->syscall);
	snprintf(detail, sizeof(detail), "%s %s", e->ret == 0 ? "granted" : "denied",
		 name ? name : "-");
	free(name);
	emit(t, e->h.mntns, "capability", capability_name(e->cap), detail, e->h.phase);
}

static void decode_net(const struct tracer_callbacks *t, const struct net_event *e)
{
	char key[160], addr[INET6_ADDRSTRLEN] = "";
	const char *op = e->h.type == EVENT_SOCKET ? "socket"
			 : e->h.type == EVENT_BIND ? "bind"
						    : "connect";

	if (e->h.type == EVENT_SOCKET) {
		snprintf(key, sizeof(key), "socket %s %s %u", family_name(e->family),
			 socket_type_name(e->type), e->protocol);
	} else {
		inet_ntop(e->family == 10 ? AF_INET6 : AF_INET, e->addr, addr, sizeof(addr));
		snprintf(key, sizeof(key), "%s %s %s %s%s%s:%u", op, family_name(e->family),
			 socket_type_name(e->type), e->family == 10 ? "[" : "", addr,
			 e->family == 10 ? "]" : "", e->port);
	}
	/* ret comes off the ring buffer: INT_MIN must not be negated (found by fuzzing). */
	emit(t, e->h.mntns, "network", key,
	     e->ret >= 0 ? "ok" : errno_name(e->ret == INT32_MIN ? EINVAL : -e->ret), e->h.phase);
}

int tracer_decode_record(const struct tracer_callbacks *t, const void *data, size_t size)
{
	const struct event_header *h = data;
	size_t need;

	/* Records are checked for size before they are trusted. */
	if (size < sizeof(*h))
		return -EBADMSG;
	switch (h->type) {
	case EVENT_EXEC:
		need = sizeof(struct exec_event);
		break;
	case EVENT_FILE:
		need = sizeof(struct file_event);
		break;
	case EVENT_CAPABILITY:
		need = sizeof(struct capability_event);
		break;
	case EVENT_SOCKET:
	case EVENT_BIND:
	case EVENT_CONNECT:
		need = sizeof(struct net_event);
		break;
	case EVENT_INIT_EXIT:
		need = sizeof(struct event_header);
		break;
	default:
		return -EBADMSG;
	}
	if (size < need)
		return -EBADMSG;
	switch (h->type) {
	case EVENT_EXEC:
		decode_exec(t, data);
		break;
	case EVENT_FILE:
		decode_file(t, data);
		break;
	case EVENT_CAPABILITY:
		decode_capability(t, data);
		break;
	case EVENT_INIT_EXIT:
		if (t->init_exited)
			t->init_exited(t->userdata, h->mntns);
		break;
	default:
		decode_net(t, data);
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	tracer *t = ctx;

	if (tracer_decode_record(&t->cb, data, size) < 0)
		t->bad_records++;
	return 0;
}

static const char *load_hint(int r)
{
	if (r == -EPERM || r == -EACCES)
		return " (policyd needs root, or CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE)";
	if (r == -ENOTSUP || r == -EOPNOTSUPP || r == -EINVAL)
		return " (this kernel lacks a BPF feature policyd needs: tp_btf programs, ring buffers)";
	return "";
}

int tracer_new(const struct tracer_options *opts, tracer **ret, char **ret_error)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	const char *btf = opts->btf_path ? opts->btf_path : DEFAULT_BTF;
	uint64_t start[NOAUDIT_RANGES] = {0}, end[NOAUDIT_RANGES] = {0};
	unsigned n_ranges;
	tracer *t;
	int r;

	libbpf_set_print(libbpf_log);
	if (access(btf, R_OK) < 0)
		return error_set(ret_error, -ENOENT,
			    "kernel BTF not found at %s: this kernel was built without "
			    "CONFIG_DEBUG_INFO_BTF, which the CO-RE tracer needs (start with "
			    "--no-tracer to run without tracing)",
			    btf);
	if (opts->btf_path)
		open_opts.btf_custom_path = opts->btf_path;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cb = opts->cb;

	t->skel = tracer_bpf__open_opts(&open_opts);
	if (!t->skel) {
		r = -errno;
		tracer_free(t);
		return error_set(ret_error, r, "cannot open the BPF tracer: %s", strerror(-r));
	}
	t->skel->rodata->key_is_inode = opts->key_kind == MNTNS_KEY_INODE;
	n_ranges = find_noaudit_ranges(start, end, NOAUDIT_RANGES);
	for (unsigned i = 0; i < n_ranges; i++) {
		t->skel->rodata->noaudit_start[i] = start[i];
		t->skel->rodata->noaudit_end[i] = end[i];
	}
	t->skel->rodata->n_noaudit = n_ranges;
	if (n_ranges == 0)
		log_warning("no kernel symbols for the silent capability checks (kptr_restrict?); "
			    "falling back to filtering CAP_SYS_ADMIN probes by syscall");

	/* Optional: the capability tracepoint is recent (Linux 6.13). */
	t->has_capabilities = kernel_has_tracepoint(btf, "btf_trace_cap_capable");
	if (!t->has_capabilities) {
		bpf_program__set_autoload(t->skel->progs.pd_capable, false);
		log_warning("this kernel has no cap_capable tracepoint: capabilities are not learned");
	}

	r = tracer_bpf__load(t->skel);
	if (r < 0) {
		tracer_free(t);
		return error_set(ret_error, r, "cannot load the BPF tracer: %s%s", strerror(-r),
			    load_hint(r));
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_record, t, NULL);
	if (!t->rb) {
		r = -errno;
		tracer_free(t);
		return error_set(ret_error, r, "cannot open the BPF ring buffer: %s", strerror(-r));
	}
	log_info("BPF tracer loaded (%u silent-capability ranges, capabilities %s)", n_ranges,
		 t->has_capabilities ? "traced" : "not traced");
	*ret = t;
	return 0;
}

static void tracer_detach(tracer *t)
{
	for (size_t i = 0; i < t->n_links; i++)
		bpf_link__destroy(t->links[i]);
	t->n_links = 0;
}

static int tracer_attach(tracer *t)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, t->skel->obj)
	{
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			int r = -errno;
			log_error_errno(r, "cannot attach BPF program %s: %m", bpf_program__name(prog));
			tracer_detach(t);
			return r;
		}
		if (t->n_links == ELEMENTSOF(t->links)) {
			bpf_link__destroy(link);
			tracer_detach(t);
			return -E2BIG;
		}
		t->links[t->n_links++] = link;
	}
	log_debug("tracer attached (%zu programs)", t->n_links);
	return 0;
}

void tracer_free(tracer *t)
{
	if (!t)
		return;
	tracer_detach(t);
	ring_buffer__free(t->rb);
	tracer_bpf__destroy(t->skel);
	free(t);
}

int tracer_fd(tracer *t)
{
	return ring_buffer__epoll_fd(t->rb);
}

int tracer_consume(tracer *t)
{
	int r = ring_buffer__consume(t->rb);
	return r < 0 ? r : 0;
}

static int watch_with_phase(tracer *t, uint64_t key, uint64_t run_id, pid_t init_pid, uint32_t phase)
{
	struct watch_value v = {.run_id = run_id, .init_pid = (uint32_t)init_pid, .phase = phase};
	bool existed = bpf_map__lookup_elem(t->skel->maps.watched, &key, sizeof(key), &v, sizeof(v),
					    0) == 0;
	int r;

	if (existed) /* re-registered: keep what was recorded */
		return 0;
	v = (struct watch_value){.run_id = run_id, .init_pid = (uint32_t)init_pid, .phase = phase};
	if (t->n_watched == 0) {
		r = tracer_attach(t);
		if (r < 0)
			return r;
	}
	if (bpf_map__update_elem(t->skel->maps.watched, &key, sizeof(key), &v, sizeof(v), BPF_NOEXIST) < 0) {
		r = -errno;
		if (t->n_watched == 0)
			tracer_detach(t);
		return r;
	}
	t->n_watched++;
	return 0;
}

int tracer_watch(tracer *t, uint64_t key, uint64_t run_id, pid_t init_pid)
{
	return watch_with_phase(t, key, run_id, init_pid, PHASE_INIT);
}

int tracer_rewatch(tracer *t, uint64_t key, uint64_t run_id, pid_t init_pid)
{
	return watch_with_phase(t, key, run_id, init_pid, PHASE_WORKLOAD);
}

int tracer_harvest_syscalls(tracer *t, uint64_t key)
{
	static const uint32_t arch_tokens[ARCH_MAX] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32};
	static const char *const arch_names[ARCH_MAX] = {"x86_64", "i386", "x32"};
	struct watch_value v;

	if (bpf_map__lookup_elem(t->skel->maps.watched, &key, sizeof(key), &v, sizeof(v), 0) < 0)
		return -errno;
	for (int phase = 0; phase < PHASE_MAX; phase++)
		for (int arch = 0; arch < ARCH_MAX; arch++)
			for (int nr = 0; nr < SYSCALL_MAX; nr++) {
				char *name, fallback[32];

				if (!(v.syscalls[phase][arch][nr / 64] & (1ULL << (nr % 64))))
					continue;
				name = seccomp_syscall_resolve_num_arch(arch_tokens[arch], nr);
				snprintf(fallback, sizeof(fallback), "syscall_%d", nr);
				emit(&t->cb, key, "syscall", name ? name : fallback, arch_names[arch],
				     (uint32_t)phase);
				free(name);
			}
	return 0;
}

int tracer_unwatch(tracer *t, uint64_t key)
{
	if (bpf_map__delete_elem(t->skel->maps.watched, &key, sizeof(key), 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (t->n_watched > 0 && --t->n_watched == 0)
		tracer_detach(t);
	return 0;
}

bool tracer_attached(tracer *t)
{
	return t->n_links > 0;
}

bool tracer_has_capabilities(tracer *t)
{
	return t->has_capabilities;
}

uint64_t tracer_counter(tracer *t, int counter)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 idx = (__u32)counter;
	uint64_t sum = 0;

	if (ncpu <= 0 || ncpu > 4096)
		return 0;
	{
		uint64_t vals[ncpu];
		if (bpf_map__lookup_elem(t->skel->maps.counters, &idx, sizeof(idx), vals, sizeof(vals),
					 0) < 0)
			return 0;
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	}
	return sum;
}

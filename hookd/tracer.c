// SPDX-License-Identifier: MIT
/* The eBPF tracer: skeleton lifecycle (open, configure, load, attach) and record decoding. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "exec.skel.h"
#include "exec.h"
#include "log.h"
#include "macro.h"
#include "tracer.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"

struct tracer {
	struct exec_bpf *exec;
	struct ring_buffer *rb;
	tracer_observe_fn observe;
	void *userdata;
	uint64_t bad_records;
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf is chatty and multi-line; it is only worth reading while debugging. */
	if (log_get_max_level() < LOG_LEVEL_DEBUG || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_error, fmt, ap) < 0)
		*ret_error = NULL;
	va_end(ap);
	return r;
}

static int on_exec_record(void *ctx, void *data, size_t size)
{
	tracer *t = ctx;
	struct exec_event e;

	/* Records are checked for size before they are trusted. */
	if (size < sizeof(e)) {
		t->bad_records++;
		return 0;
	}
	memcpy(&e, data, sizeof(e));
	e.filename[sizeof(e.filename) - 1] = '\0';
	if (t->observe)
		t->observe(t->userdata, e.mntns, "exec", e.filename, e.truncated ? "truncated" : "");
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
	tracer *t;
	int r;

	libbpf_set_print(libbpf_log);
	if (access(btf, R_OK) < 0)
		return fail(ret_error, -ENOENT,
			    "kernel BTF not found at %s: this kernel was built without "
			    "CONFIG_DEBUG_INFO_BTF, which the CO-RE tracer needs (start with "
			    "--no-tracer to run without tracing)",
			    btf);
	if (opts->btf_path)
		open_opts.btf_custom_path = opts->btf_path;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->observe = opts->observe;
	t->userdata = opts->userdata;

	t->exec = exec_bpf__open_opts(&open_opts);
	if (!t->exec) {
		r = -errno;
		tracer_free(t);
		return fail(ret_error, r, "cannot open the BPF exec tracer: %s", strerror(-r));
	}
	t->exec->rodata->key_is_inode = opts->key_kind == MNTNS_KEY_INODE;
	r = exec_bpf__load(t->exec);
	if (r < 0) {
		tracer_free(t);
		return fail(ret_error, r, "cannot load the BPF exec tracer: %s%s", strerror(-r),
			    load_hint(r));
	}
	r = exec_bpf__attach(t->exec);
	if (r < 0) {
		tracer_free(t);
		return fail(ret_error, r, "cannot attach the BPF exec tracer: %s%s", strerror(-r),
			    load_hint(r));
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->exec->maps.events), on_exec_record, t, NULL);
	if (!t->rb) {
		r = -errno;
		tracer_free(t);
		return fail(ret_error, r, "cannot open the BPF ring buffer: %s", strerror(-r));
	}
	*ret = t;
	return 0;
}

void tracer_free(tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	exec_bpf__destroy(t->exec);
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

int tracer_watch(tracer *t, uint64_t key, uint64_t run_id)
{
	if (bpf_map__update_elem(t->exec->maps.watched, &key, sizeof(key), &run_id, sizeof(run_id),
				 BPF_ANY) < 0)
		return -errno;
	return 0;
}

int tracer_unwatch(tracer *t, uint64_t key)
{
	if (bpf_map__delete_elem(t->exec->maps.watched, &key, sizeof(key), 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

uint64_t tracer_drops(tracer *t)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 idx = COUNTER_RINGBUF_DROPS;
	uint64_t sum = 0;

	if (ncpu <= 0 || ncpu > 4096)
		return 0;
	{
		uint64_t vals[ncpu];
		if (bpf_map__lookup_elem(t->exec->maps.counters, &idx, sizeof(idx), vals,
					 sizeof(vals), 0) < 0)
			return 0;
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	}
	return sum;
}

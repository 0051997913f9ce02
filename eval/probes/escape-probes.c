// SPDX-License-Identifier: MIT
/*
 * escape-probes [--list]: tries the first step of ~40 container-escape techniques, harmlessly, one
 * JSON line each, after one "context" line saying how this process is confined. Each probe runs in
 * a forked child that leaves its line in a shared page, so the harness stays honest inside a
 * learned seccomp allowlist that may deny its own pipe, fork or wait4: probes it could not run are
 * reported as "error", never as "blocked".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/kexec.h>
#include <linux/landlock.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/vm_sockets.h>
#include <linux/if_alg.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif

struct res {
	int allowed;
	int error; /* the harness could not run the step: neither allowed nor blocked */
	int err;   /* 0: the call succeeded */
	char detail[256];
};

/* One output line, built in memory so a child can hand it over with a single write(). */
struct line {
	char s[2048];
	size_t len;
};


static const char *ename(int e)
{
	const char *n;

	if (e == 0)
		return "none";
	n = strerrorname_np(e);
	return n ? n : "?";
}

/* A real operation: only success opens the door. */
static void real(struct res *r, long rc, const char *what)
{
	r->err = rc < 0 ? errno : 0;
	r->allowed = rc >= 0;
	snprintf(r->detail, sizeof r->detail, "%s %s", what, rc >= 0 ? "succeeded" : "failed");
}

/*
 * A deliberately invalid call: EPERM/EACCES (capability, LSM, sysctl) or ENOSYS (seccomp's default
 * errno, or no such syscall) mean it was stopped before the kernel looked at the arguments; any
 * other answer means the privilege check was passed, i.e. "allowed".
 */
static void reach(struct res *r, long rc, const char *what)
{
	r->err = rc < 0 ? errno : 0;
	r->allowed = rc >= 0 || (errno != EPERM && errno != EACCES && errno != ENOSYS);
	snprintf(r->detail, sizeof r->detail, "%s: %s", what,
		 r->allowed ? "privilege check passed (argument check answered)" :
		 errno == ENOSYS ? "ENOSYS: seccomp's default errno, or the kernel lacks the syscall" :
		 "stopped at the privilege check");
}

/* open() that never reads or writes; a path masked by a bind of /dev/null counts as blocked. */
static void try_open(struct res *r, const char *path, int flags)
{
	struct stat st;
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	real(r, fd, path);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
	    strcmp(path, "/dev/null") != 0) {
		r->allowed = 0;
		snprintf(r->detail, sizeof r->detail, "%s opened but is masked (bind of /dev/null)", path);
	}
	close(fd);
}

static void p_userns(struct res *r) { real(r, unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)"); }

/* New mount namespace, made private, then a tmpfs on a directory this probe created. */
static int private_ns_mount(struct res *r, const char *type, const char *data, char *dir)
{
	if (unshare(CLONE_NEWNS) < 0) {
		real(r, -1, "unshare(CLONE_NEWNS)");
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		real(r, -1, "mount(MS_PRIVATE) in new mount ns");
		return -1;
	}
	if (!mkdtemp(dir)) {
		real(r, -1, "mkdtemp in /tmp");
		r->allowed = 0;
		return -1;
	}
	long rc = mount(type, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, data);
	char what[96];
	snprintf(what, sizeof what, "mount -t %s%s%s in a private mount ns", type, data ? " -o " : "", data ? data : "");
	real(r, rc, what);
	if (rc == 0)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
	return rc;
}

static void p_mountns(struct res *r)
{
	char d[] = "/tmp/escprobe.XXXXXX";
	private_ns_mount(r, "tmpfs", "size=4k", d);
}

static void p_procmount(struct res *r)
{
	char d[] = "/tmp/escprobe.XXXXXX";
	/* A second procfs has no masked/read-only paths; the kernel refuses it while /proc is masked. */
	private_ns_mount(r, "proc", NULL, d);
}

static void p_cgroup1_userns(struct res *r)
{
	char d[] = "/tmp/escprobe.XXXXXX";
	/* The CVE-2022-0492 recipe: unshare -UrmC, then mount a v1 hierarchy to reach release_agent. */
	if (unshare(CLONE_NEWUSER | CLONE_NEWCGROUP) < 0)
		return real(r, -1, "unshare(CLONE_NEWUSER|CLONE_NEWCGROUP)");
	if (private_ns_mount(r, "cgroup", "rdma", d) < 0 && r->err != EPERM)
		private_ns_mount(r, "cgroup", "memory", (strcpy(d, "/tmp/escprobe.XXXXXX"), d));
}

static void p_keyctl(struct res *r) { real(r, syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0), "keyctl(KEYCTL_GET_KEYRING_ID, session)"); }

static void p_add_key(struct res *r)
{
	/* A key in the process keyring, which disappears with this (forked) process. */
	real(r, syscall(SYS_add_key, "user", "escape-probe", "x", 1, -2 /* process keyring */), "add_key(user) to the process keyring");
}

static void p_bpf(struct res *r)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
	real(r, fd, "bpf(BPF_MAP_CREATE, 1-entry array)");
	if (fd >= 0)
		close(fd);
}

static void p_perf(struct res *r)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	real(r, fd, "perf_event_open(software cpu-clock, self, user only)");
	if (fd >= 0)
		close(fd);
}

static volatile long secret = 0x5ec2e7;

/* Seconds on the monotonic clock, read through the vDSO: no syscall a filter could deny. */
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A process to target; -1 (errno set) if it could not be forked. It ends itself after 5 s even
 * where the filter denies alarm and pause (then it spins) and its killer's kill(). */
static pid_t sibling(void)
{
	pid_t p = fork();
	if (p == 0) {
		double end = now() + 5;
		alarm(5);
		while (now() < end)
			pause();
		_exit(0);
	}
	if (p > 0)
		usleep(20000);
	return p;
}

static void no_sibling(struct res *r)
{
	r->error = 1;
	r->err = errno;
	snprintf(r->detail, sizeof r->detail, "could not fork the target: %s", ename(errno));
}

static void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

static void p_ptrace(struct res *r)
{
	pid_t p = sibling();
	if (p < 0)
		return no_sibling(r);
	long rc = ptrace(PTRACE_ATTACH, p, 0, 0);
	real(r, rc, "ptrace(PTRACE_ATTACH) of a forked process (same uid)");
	if (rc == 0) {
		waitpid(p, NULL, __WALL);
		ptrace(PTRACE_DETACH, p, 0, 0);
	}
	reap(p);
}

static void p_pvm(struct res *r)
{
	long v = 0;
	pid_t p = sibling();
	if (p < 0)
		return no_sibling(r);
	struct iovec l = { &v, sizeof v }, rem = { (void *)&secret, sizeof v };
	long rc = process_vm_readv(p, &l, 1, &rem, 1, 0);
	real(r, rc, "process_vm_readv of a forked process");
	if (rc > 0 && v != secret)
		r->allowed = 0;
	reap(p);
}

static void p_shocker(struct res *r)
{
	/* /etc/hosts is usually a bind mount from the host's file system: the shocker's mount fd. */
	const char *paths[] = { "/etc/hosts", "/etc/hostname", "/" };
	struct { struct file_handle h; unsigned char b[MAX_HANDLE_SZ]; } fh;
	int mid, i;

	for (i = 0; i < 3; i++) {
		fh.h.handle_bytes = MAX_HANDLE_SZ;
		if (name_to_handle_at(AT_FDCWD, paths[i], &fh.h, &mid, 0) == 0)
			break;
	}
	if (i == 3) { /* no file system here encodes handles: a bogus one still tests the capability */
		fh.h.handle_bytes = 8;
		fh.h.handle_type = 1;
		memset(fh.h.f_handle, 0, 8);
		i = 2;
	}
	int mfd = open(paths[i], O_RDONLY | O_CLOEXEC);
	long fd = syscall(SYS_open_by_handle_at, mfd, &fh.h, O_RDONLY | O_CLOEXEC);
	char what[96];
	snprintf(what, sizeof what, "open_by_handle_at(handle of %s)", paths[i]);
	reach(r, fd, what);
	if (fd >= 0)
		close(fd);
	close(mfd);
}

static void p_selfexe(struct res *r)
{
	try_open(r, "/proc/self/exe", O_WRONLY);
	if (r->err == ETXTBSY) {
		r->allowed = 1;
		snprintf(r->detail, sizeof r->detail, "open(/proc/self/exe, O_WRONLY): ETXTBSY, i.e. the path reached the "
			 "inode and only 'text busy' stopped it; a runtime binary not being executed would be writable");
	}
}

static void p_core_pattern(struct res *r) { try_open(r, "/proc/sys/kernel/core_pattern", O_WRONLY); }
static void p_sysrq(struct res *r) { try_open(r, "/proc/sysrq-trigger", O_WRONLY); }
static void p_uevent(struct res *r) { try_open(r, "/sys/kernel/uevent_helper", O_WRONLY); }
static void p_kcore(struct res *r) { try_open(r, "/proc/kcore", O_RDONLY); }
static void p_devmem(struct res *r) { try_open(r, "/dev/mem", O_RDONLY); }

static void p_release_agent(struct res *r)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024], mp[512], path[600];
	int n = 0;

	r->allowed = 0;
	r->err = ENOENT;
	snprintf(r->detail, sizeof r->detail, "no cgroup v1 hierarchy visible");
	while (f && fgets(line, sizeof line, f)) {
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup ", 7) != 0 || sscanf(line, "%*s %*s %*s %*s %511s", mp) != 1)
			continue;
		snprintf(path, sizeof path, "%s/release_agent", mp);
		n++;
		try_open(r, path, O_WRONLY);
		if (r->allowed || r->err != ENOENT)
			break; /* ENOENT: not the hierarchy root; keep looking */
	}
	if (f)
		fclose(f);
	if (n && !r->allowed && r->err == ENOENT)
		snprintf(r->detail, sizeof r->detail, "%d cgroup v1 mounts, none shows release_agent", n);
}

static void sock(struct res *r, int fam, int type, int proto, const char *what)
{
	int fd = socket(fam, type | SOCK_CLOEXEC, proto);
	real(r, fd, what);
	if (fd >= 0)
		close(fd);
}

static void p_raw(struct res *r) { sock(r, AF_INET, SOCK_RAW, IPPROTO_ICMP, "socket(AF_INET, SOCK_RAW, ICMP)"); }
static void p_packet(struct res *r) { sock(r, AF_PACKET, SOCK_RAW, 0, "socket(AF_PACKET, SOCK_RAW, 0)"); }
static void p_alg(struct res *r) { sock(r, AF_ALG, SOCK_SEQPACKET, 0, "socket(AF_ALG)"); }
static void p_vsock(struct res *r) { sock(r, AF_VSOCK, SOCK_STREAM, 0, "socket(AF_VSOCK)"); }

static void p_io_uring(struct res *r)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	long fd = syscall(SYS_io_uring_setup, 1, &p);
	real(r, fd, "io_uring_setup(1 entry)");
	if (fd >= 0)
		close(fd);
}

static void p_uffd(struct res *r)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	real(r, fd, "userfaultfd() (kernel-mode faults too)");
	if (fd >= 0)
		close(fd);
}

static void p_kexec(struct res *r)
{
	/* Foreign architecture and too many segments: EINVAL right after the CAP_SYS_BOOT check. */
	reach(r, syscall(SYS_kexec_load, 0, 1000, NULL, KEXEC_ARCH_ARM), "kexec_load(wrong arch, 1000 segments)");
}

static void p_init_module(struct res *r)
{
	static char empty[1];
	reach(r, syscall(SYS_init_module, empty, 0, ""), "init_module(0-byte image)");
}

static void p_finit_module(struct res *r)
{
	int fd = memfd_create("escape-probe-empty", MFD_CLOEXEC);
	reach(r, syscall(SYS_finit_module, fd, "", 0), "finit_module(empty memfd)");
	close(fd);
}

static void p_mknod(struct res *r)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/escprobe-sda.%d", (int)getpid());
	long rc = mknod(path, S_IFBLK | 0600, makedev(8, 0));
	real(r, rc, "mknod(/tmp/..., block 8:0) (never opened; unlinked at once)");
	if (rc == 0)
		unlink(path);
}

static void p_chroot(struct res *r) { real(r, chroot("/tmp"), "chroot(/tmp)"); }

static void p_nnp(struct res *r)
{
	int v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	r->err = v < 0 ? errno : 0;
	r->allowed = v == 0;
	snprintf(r->detail, sizeof r->detail, "PR_GET_NO_NEW_PRIVS = %d: %s", v,
		 v == 0 ? "exec of a setuid/file-cap binary can gain privilege" : "privilege gain by exec is off");
}

static void p_capset(struct res *r)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int cap = CAP_SYS_ADMIN;

	if (syscall(SYS_capget, &h, d) < 0)
		return real(r, -1, "capget");
	if (d[0].permitted & (1u << CAP_SYS_ADMIN)) {
		for (cap = 0; cap < 32 && (d[0].permitted & (1u << cap)); cap++)
			;
	}
	if (cap == 32)
		return real(r, 0, "capset: every low capability already permitted");
	d[0].permitted |= 1u << cap;
	d[0].effective |= 1u << cap;
	char what[64];
	snprintf(what, sizeof what, "capset raising dropped cap %d", cap);
	real(r, syscall(SYS_capset, &h, d), what);
}

static void p_kallsyms(struct res *r)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	unsigned long a = 0;
	if (!f)
		return real(r, -1, "/proc/kallsyms");
	int ok = fscanf(f, "%lx", &a) == 1;
	fclose(f);
	r->err = ok ? 0 : EIO;
	r->allowed = a != 0;
	snprintf(r->detail, sizeof r->detail, "/proc/kallsyms first address %s", a ? "non-zero: KASLR leak" : "zeroed (kptr_restrict)");
}

static void p_settime(struct res *r)
{
	/* settimeofday(NULL, NULL) checks CAP_SYS_TIME and then changes nothing. */
	real(r, syscall(SYS_settimeofday, NULL, NULL), "settimeofday(NULL, NULL)");
}

static void p_adjtime(struct res *r)
{
	struct timex t;
	memset(&t, 0, sizeof t);
	t.modes = ADJ_TICK;
	t.tick = 1; /* out of range: EINVAL after the CAP_SYS_TIME check */
	reach(r, syscall(SYS_clock_adjtime, CLOCK_REALTIME, &t), "clock_adjtime(ADJ_TICK=1)");
}

static void p_swapon(struct res *r) { reach(r, swapon("/nonexistent-escape-probe", 0), "swapon(nonexistent path)"); }

static void p_reboot(struct res *r)
{
	/* Wrong magic2: EINVAL right after the CAP_SYS_BOOT check, whatever the command. */
	reach(r, syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL), "reboot(CAD_OFF, bad magic2)");
}

static void p_iopl(struct res *r) { real(r, syscall(SYS_iopl, 3), "iopl(3) (in a throw-away child)"); }
static void p_personality(struct res *r)
{
	long rc = personality(READ_IMPLIES_EXEC);
	real(r, rc, "personality(READ_IMPLIES_EXEC)");
}

static const struct probe {
	const char *name, *class, *cves;
	void (*fn)(struct res *);
} probes[] = {
	{ "unshare-userns", "namespace", "CVE-2022-0185,CVE-2021-22555,CVE-2023-32233", p_userns },
	{ "unshare-mountns-tmpfs", "mount", "", p_mountns },
	{ "mount-proc", "mount", "", p_procmount },
	{ "cgroup1-mount-userns", "cgroup-release-agent", "CVE-2022-0492", p_cgroup1_userns },
	{ "keyctl", "kernel-keyring", "CVE-2016-0728", p_keyctl },
	{ "add_key", "kernel-keyring", "CVE-2017-15299", p_add_key },
	{ "bpf-map-create", "ebpf", "CVE-2021-3490,CVE-2022-23222", p_bpf },
	{ "perf_event_open", "perf", "CVE-2013-2094", p_perf },
	{ "ptrace-attach", "ptrace", "", p_ptrace },
	{ "process_vm_readv", "ptrace", "", p_pvm },
	{ "open_by_handle_at", "file-handle", "CVE-2014-3519", p_shocker },
	{ "proc-self-exe-write", "runtime-overwrite", "CVE-2019-5736", p_selfexe },
	{ "core_pattern-write", "procfs-write", "", p_core_pattern },
	{ "sysrq-trigger-write", "procfs-write", "", p_sysrq },
	{ "uevent_helper-write", "sysfs-write", "", p_uevent },
	{ "release_agent-write", "cgroup-release-agent", "CVE-2022-0492", p_release_agent },
	{ "socket-raw-inet", "raw-network", "CVE-2020-10749", p_raw },
	{ "socket-packet", "raw-network", "CVE-2020-14386,CVE-2017-7308", p_packet },
	{ "socket-alg", "socket-family", "CVE-2019-8912", p_alg },
	{ "socket-vsock", "socket-family", "CVE-2021-26708", p_vsock },
	{ "io_uring_setup", "io_uring", "CVE-2021-41073,CVE-2022-29582", p_io_uring },
	{ "userfaultfd", "exploit-primitive", "", p_uffd },
	{ "kexec_load", "kernel-replace", "", p_kexec },
	{ "init_module", "kernel-module", "", p_init_module },
	{ "finit_module", "kernel-module", "", p_finit_module },
	{ "mknod-block", "device-access", "", p_mknod },
	{ "chroot", "chroot", "", p_chroot },
	{ "no_new_privs-off", "privilege-gain", "", p_nnp },
	{ "capset-raise", "privilege-gain", "", p_capset },
	{ "proc-kcore-read", "host-memory", "", p_kcore },
	{ "dev-mem-read", "host-memory", "", p_devmem },
	{ "kallsyms-addresses", "info-leak", "", p_kallsyms },
	{ "settimeofday", "host-clock", "", p_settime },
	{ "clock_adjtime", "host-clock", "", p_adjtime },
	{ "swapon", "host-admin", "", p_swapon },
	{ "reboot", "host-admin", "", p_reboot },
	{ "iopl", "io-ports", "", p_iopl },
	{ "personality-rie", "exploit-primitive", "", p_personality },
};

static void line_add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->s + l->len, sizeof l->s - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof l->s - l->len ? (size_t)n : sizeof l->s - l->len - 1;
}

static void line_str(struct line *l, const char *s)
{
	line_add(l, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			line_add(l, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			line_add(l, "\\u%04x", *s);
		else
			line_add(l, "%c", *s);
	}
	line_add(l, "\"");
}

static void format_result(struct line *l, const struct probe *p, const struct res *r)
{
	const char *c = p->cves;

	line_add(l, "{\"probe\": ");
	line_str(l, p->name);
	line_add(l, ", \"result\": \"%s\", \"errno\": \"%s\", \"detail\": ",
		 r->error ? "error" : r->allowed ? "allowed" : "blocked", ename(r->err));
	line_str(l, r->detail);
	line_add(l, ", \"cves\": [");
	for (int first = 1; *c; first = 0) {
		size_t n = strcspn(c, ",");
		line_add(l, "%s\"%.*s\"", first ? "" : ", ", (int)n, c);
		c += n + (c[n] == ',');
	}
	line_add(l, "], \"class\": ");
	line_str(l, p->class);
	line_add(l, "}\n");
}

static void emit(const struct probe *p, const struct res *r)
{
	struct line l = { .len = 0 };

	format_result(&l, p, r);
	fputs(l.s, stdout);
}

/* A result the harness itself produced: the probe's own step was not (or not visibly) taken. */
static void emit_error(const struct probe *p, int err, const char *what)
{
	struct res r = { .error = 1, .err = err };

	snprintf(r.detail, sizeof r.detail, "%s: %s", what, ename(err));
	emit(p, &r);
}

/* Word number `word` of "Key:"'s value in text (all of /proc/self/status), or NULL. */
static const char *status_field(const char *text, const char *key, int word, char *buf, size_t size)
{
	size_t klen = strlen(key);

	for (const char *l = text; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, klen) != 0 || l[klen] != ':')
			continue;
		l += klen + 1;
		for (int i = 0; i <= word; i++) {
			l += strspn(l, " \t");
			if (*l == '\n' || *l == '\0')
				return NULL;
			if (i < word)
				l += strcspn(l, " \t\n");
		}
		snprintf(buf, size, "%.*s", (int)strcspn(l, " \t\n"), l);
		return buf;
	}
	return NULL;
}

/* read() until EOF, an error or a full buffer; NUL-terminates. -1 only if nothing could be read. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;

	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return n < 0 && len == 0 ? -1 : (ssize_t)len;
}

/* Plain open/read, no stdio: the fewer syscalls, the fewer a learned allowlist can deny. */
static const char *read_status(char *buf, size_t size)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read_all(fd, buf, size);
	close(fd);
	return n > 0 ? buf : NULL;
}

static void context_field(struct line *l, const char *name, const char *text, const char *key,
			  int word, int quoted, const char *fallback)
{
	const char *sep = l->s[l->len - 1] == '{' ? "" : ", ";
	char v[64];

	if (!text || !status_field(text, key, word, v, sizeof v)) {
		if (!fallback)
			return line_add(l, "%s\"%s\": null", sep, name);
		snprintf(v, sizeof v, "%s", fallback);
	}
	line_add(l, "%s\"%s\": ", sep, name);
	if (quoted)
		line_str(l, v);
	else
		line_add(l, "%s", v);
}

/*
 * How this process is confined, as the kernel (or gVisor's Sentry) tells it, before any probe.
 * /proc/self/status first; where a Landlock domain hides it, the same facts from syscalls
 * (prctl, capget, geteuid), each null if that call is denied too.
 */
static void emit_context(void)
{
	static char status[16384];
	const char *text = read_status(status, sizeof status);
	struct line l = { .len = 0 };
	struct utsname u;
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	char uid[24], mode[24], nnp[24], eff[24], *pe = NULL, *pm = NULL, *pn = NULL;
	long rc;

	snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
	if ((rc = prctl(PR_GET_SECCOMP, 0, 0, 0, 0)) >= 0)
		snprintf(mode, sizeof mode, "%ld", rc), pm = mode;
	else if (errno == EINVAL) /* not built with seccomp */
		snprintf(mode, sizeof mode, "0"), pm = mode;
	if ((rc = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)) >= 0)
		snprintf(nnp, sizeof nnp, "%ld", rc), pn = nnp;
	if (syscall(SYS_capget, &h, d) == 0)
		snprintf(eff, sizeof eff, "%016llx", (unsigned long long)d[1].effective << 32 | d[0].effective),
			pe = eff;
	line_add(&l, "{\"context\": {");
	context_field(&l, "uid", text, "Uid", 1, 0, uid); /* real, effective, saved, fs: effective */
	context_field(&l, "seccomp_mode", text, "Seccomp", 0, 0, pm);
	context_field(&l, "seccomp_filters", text, "Seccomp_filters", 0, 0, NULL);
	context_field(&l, "no_new_privs", text, "NoNewPrivs", 0, 0, pn);
	context_field(&l, "cap_eff", text, "CapEff", 0, 1, pe);
	context_field(&l, "cap_bnd", text, "CapBnd", 0, 1, NULL);
	line_add(&l, ", \"status_readable\": %s", text ? "true" : "false");
	line_add(&l, ", \"kernel_release\": ");
	if (uname(&u) == 0)
		line_str(&l, u.release);
	else
		line_add(&l, "null");
	/* -1: no Landlock, or the syscall is denied (ERRNO) by the seccomp filter. */
	line_add(&l, ", \"landlock_abi\": %ld}}\n",
		 syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION));
	fputs(l.s, stdout);
}

/*
 * The result page, shared with each probe's child (MAP_SHARED): the child leaves its line there.
 * No pipe, so a learned allowlist without pipe2 still lets the harness run; wait4 only tells how
 * the child ended, and when it is denied the parent watches the page instead.
 */
static struct result_page {
	int done;
	struct line l;
} *page;

static void __attribute__((noreturn)) probe_child(const struct probe *p)
{
	struct res r = { .allowed = 0 };

	alarm(10);
	p->fn(&r);
	format_result(&page->l, p, &r);
	__atomic_store_n(&page->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/*
 * Waits for the probe's child: waitpid(WNOHANG) polled against a 12 s deadline on the vDSO clock,
 * since the child's alarm(10) may be denied by the filter it runs under. Without wait4 at all, the
 * result page says when the child is done. Returns 0 (st set), -1 (errno: wait4 failed) or -2
 * (deadline: the child and its process group are killed).
 */
static int child_wait(pid_t pid, int *st)
{
	const struct timespec tick = { 0, 1000000 };
	double end = now() + 12;
	pid_t r;

	while ((r = waitpid(pid, st, WNOHANG)) == 0 && now() < end)
		nanosleep(&tick, NULL); /* denied: a spin, bounded by the deadline */
	if (r == pid)
		return 0;
	if (r < 0) {
		int err = errno;
		while (!__atomic_load_n(&page->done, __ATOMIC_ACQUIRE) && now() < end)
			;
		errno = err;
		return -1;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, st, 0);
	return -2;
}

static void run_probe(const struct probe *p)
{
	int st = 0, wait_err = 0, rc;
	pid_t pid;

	page->done = 0;
	page->l.len = 0;
	page->l.s[0] = '\0';
	pid = fork();
	if (pid < 0)
		return emit_error(p, errno, "could not fork");
	if (pid == 0) { /* each probe in its own process: unshare, chroot, iopl... stay there */
		setpgid(0, 0); /* so a deadline kills what the probe forked too */
		probe_child(p);
	}
	rc = child_wait(pid, &st);
	if (rc == -1)
		wait_err = errno;

	if (__atomic_load_n(&page->done, __ATOMIC_ACQUIRE) && page->l.len > 0) {
		fputs(page->l.s, stdout);
	} else if (rc == -2) {
		struct res r = { .error = 1 };
		snprintf(r.detail, sizeof r.detail,
			 "probe did not finish within 12 s (alarm or pause denied?): killed");
		emit(p, &r);
	} else if (wait_err) {
		emit_error(p, wait_err, "probe process ended without a result; wait4 failed");
	} else if (WIFSIGNALED(st)) {
		struct res r = { .allowed = 0 };
		snprintf(r.detail, sizeof r.detail, "probe killed by signal %d (%s)", WTERMSIG(st),
			 WTERMSIG(st) == SIGSYS ? "seccomp kill" : "crash or timeout");
		emit(p, &r);
	} else {
		struct res r = { .error = 1 };
		snprintf(r.detail, sizeof r.detail,
			 "probe process exited with status %d without a result", WEXITSTATUS(st));
		emit(p, &r);
	}
}

int main(int argc, char **argv)
{
	size_t i, n = sizeof probes / sizeof probes[0];

	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < n; i++)
			printf("%s\t%s\t%s\n", probes[i].name, probes[i].class, probes[i].cves);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: escape-probes [--list]\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* nothing buffered at a fork: no line written twice */
	emit_context();
	page = mmap(NULL, sizeof *page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		for (i = 0; i < n; i++)
			emit_error(&probes[i], errno, "could not map the result page");
		return 0;
	}
	for (i = 0; i < n; i++)
		run_probe(&probes[i]);
	return 0;
}

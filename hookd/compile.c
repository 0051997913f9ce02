// SPDX-License-Identifier: MIT
/* The policy compiler: a profile's observed behaviour in, a least-privilege policy out. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>

#include "compile.h"
#include "log.h"
#include "macro.h"
#include "names.h"
#include "paths.h"
#include "policy.h"

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static bool has(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

static void add_unique(json_object *arr, const char *s)
{
	if (!has(arr, s))
		json_object_array_add(arr, json_object_new_string(s));
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

static void exclude(json_object *excluded, const char *syscall, const char *reason)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "syscall", json_object_new_string(syscall));
	json_object_object_add(e, "reason", json_object_new_string(reason));
	json_object_array_add(excluded, e);
}

/* Adds the syscalls of list to allow, minus what the host never allows. */
static void add_syscalls(json_object *list, json_object *allow, json_object *excluded,
			 const struct policyd_config *cfg, uint32_t arch)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *n = json_object_get_string(json_object_array_get_idx(list, i));

		if (seccomp_syscall_resolve_name_arch(arch, n) == __NR_SCMP_ERROR) {
			exclude(excluded, n, "not a syscall libseccomp knows; cannot be filtered by name");
			continue;
		}
		if (config_never_allows(cfg, n)) {
			if (!config_overrides(cfg, n)) {
				exclude(excluded, n, "on the host's never-allow list (policyd.conf)");
				continue;
			}
			log_warning("policy allows '%s' despite the never-allow list: "
				    "never_allow_override in policyd.conf", n);
		}
		add_unique(allow, n);
	}
}

/*
 * What an OCI runtime may do after installing the container's filter that learning runs do not
 * reliably show (a profile may also be enforced under a runtime it was not learned with):
 * - the exec path of `podman exec` (crun 1.8, measured with strace): without it every exec into
 *   an enforced container fails ("error stat'ing file /proc/self/setgroups");
 * - runc's init is a Go program whose scheduler may at any moment preempt (tgkill, rt_sigreturn),
 *   spin (sched_yield), poll (epoll_pwait), start a thread (clone) or grow its heap: in the
 *   comparative study 3 of 15 enforced runc starts failed when one of them was missing.
 */
static const char *const runtime_after_filter_syscalls[] = {
	"capset", "clone", "close", "epoll_ctl", "epoll_pwait", "execve", "exit", "fchown", "futex",
	"getgid", "getpid", "gettid", "getuid", "ioctl", "madvise", "mmap", "mprotect", "munmap",
	"nanosleep", "newfstatat", "openat", "prctl", "read", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sched_yield", "set_robust_list", "setgid", "setgroups", "setresgid",
	"setresuid", "setuid", "sigaltstack", "statx", "tgkill", "umask", "write",
};

int policy_compile(json_object *profile, const struct policyd_config *cfg, json_object **ret,
		   char **ret_error)
{
	json_object *obs = get(profile, "observed"), *detail = get(profile, "observed_detail");
	_cleanup_json_ json_object *p = json_object_new_object();
	json_object *sc = json_object_new_object(), *allow = json_object_new_array();
	json_object *excluded = json_object_new_array(), *compat = json_object_new_object();
	json_object *sockets = json_object_new_array(), *caps = json_object_new_array();
	json_object *devices = json_object_new_array(), *notes = json_object_new_array(), *runtime;
	int r;

	json_object_object_add(p, "format", json_object_new_int(POLICY_FORMAT));
	json_object_object_add(p, "profile", json_object_get(get(profile, "profile")));
	json_object_object_add(p, "seccomp", sc);
	json_object_object_add(p, "capabilities", caps);
	json_object_object_add(p, "devices", devices);
	json_object_object_add(p, "excluded", excluded);
	json_object_object_add(p, "notes", notes);

	/* Syscalls: the workload's, plus what the runtime made after installing its filter. */
	add_syscalls(get(obs, "syscalls_workload"), allow, excluded, cfg, SCMP_ARCH_X86_64);
	runtime = get(obs, "syscalls_runtime");
	if (runtime && json_object_array_length(runtime) > 0) {
		add_syscalls(runtime, allow, excluded, cfg, SCMP_ARCH_X86_64);
	} else {
		/* No filter was seen being installed (learned unconfined): the runtime's whole
		 * set-up has to pass. */
		add_syscalls(get(obs, "syscalls_init"), allow, excluded, cfg, SCMP_ARCH_X86_64);
		json_object_array_add(notes, json_object_new_string(
			"the runtime installed no seccomp filter while learning: its whole set-up is allowed"));
	}
	{
		_cleanup_json_ json_object *rt = json_object_new_array();
		for (size_t i = 0; i < ELEMENTSOF(runtime_after_filter_syscalls); i++)
			json_object_array_add(rt, json_object_new_string(runtime_after_filter_syscalls[i]));
		add_syscalls(rt, allow, excluded, cfg, SCMP_ARCH_X86_64);
	}
	json_object_array_sort(allow, cmp_strings);
	json_object_object_add(sc, "syscalls", allow);
	json_object_object_add(sc, "default_action",
			       json_object_new_string(cfg->seccomp_default_action));
	json_object_object_add(sc, "clone_namespaces", json_object_new_boolean(0));

	/* 32-bit and x32 calls, only if seen: "i386:socketcall". */
	{
		json_object *list = get(obs, "compat_syscalls");
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			const char *e = json_object_get_string(json_object_array_get_idx(list, i));
			const char *colon = strchr(e, ':');
			char arch[16];
			json_object *arr, *one;
			if (!colon || (size_t)(colon - e) >= sizeof(arch))
				continue;
			snprintf(arch, sizeof(arch), "%.*s", (int)(colon - e), e);
			if (!json_object_object_get_ex(compat, arch, &arr)) {
				arr = json_object_new_array();
				json_object_object_add(compat, arch, arr);
			}
			one = json_object_new_array();
			json_object_array_add(one, json_object_new_string(colon + 1));
			add_syscalls(one, arr, excluded, cfg,
				     strcmp(arch, "x32") == 0 ? SCMP_ARCH_X32 : SCMP_ARCH_X86);
			json_object_put(one);
		}
	}
	json_object_object_add(sc, "compat", compat);

	/* socket(): the (family, type) pairs seen, e.g. "socket inet stream 0". */
	{
		json_object *net = get(obs, "network");
		for (size_t i = 0; net && i < json_object_array_length(net); i++) {
			const char *call = json_object_get_string(get(json_object_array_get_idx(net, i), "call"));
			char fam[32], type[32];
			int f, t;
			bool dup = false;
			if (sscanf(call, "socket %31s %31s", fam, type) != 2)
				continue;
			f = family_from_name(fam);
			t = socket_type_from_name(type);
			if (f < 0 || t < 0)
				continue;
			for (size_t k = 0; k < json_object_array_length(sockets); k++) {
				json_object *s = json_object_array_get_idx(sockets, k);
				dup |= json_object_get_int(get(s, "family")) == f &&
				       json_object_get_int(get(s, "type")) == t;
			}
			if (!dup) {
				json_object *s = json_object_new_object();
				json_object_object_add(s, "family", json_object_new_int(f));
				json_object_object_add(s, "type", json_object_new_int(t));
				json_object_array_add(sockets, s);
			}
		}
	}
	json_object_object_add(sc, "socket", sockets);

	/* Capabilities the workload exercised (granted), nothing else. */
	{
		json_object *c = get(obs, "capabilities");
		for (size_t i = 0; c && i < json_object_array_length(c); i++)
			add_unique(caps, json_object_get_string(json_object_array_get_idx(c, i)));
		json_object_array_sort(caps, cmp_strings);
	}
	/* noNewPrivileges unless some exec gained privilege (setuid, file capabilities). */
	json_object_object_add(p, "no_new_privileges",
			       json_object_new_boolean(json_object_array_length(get(obs, "secureexec")) == 0));

	/* Devices opened in any phase: the runtime opens /dev/null itself. */
	for (size_t i = 0; detail && i < json_object_array_length(detail); i++) {
		json_object *row = json_object_array_get_idx(detail, i), *d;
		const char *key = json_object_get_string(get(row, "key"));
		char type;
		unsigned major, minor;
		bool dup = false;
		if (strcmp(json_object_get_string(get(row, "kind")), "device") != 0 ||
		    sscanf(key, "%c %u:%u", &type, &major, &minor) != 3)
			continue;
		for (size_t k = 0; k < json_object_array_length(devices); k++) {
			json_object *e = json_object_array_get_idx(devices, k);
			dup |= json_object_get_string(get(e, "type"))[0] == type &&
			       (unsigned)json_object_get_int(get(e, "major")) == major &&
			       (unsigned)json_object_get_int(get(e, "minor")) == minor;
		}
		if (dup)
			continue;
		d = json_object_new_object();
		json_object_object_add(d, "type", json_object_new_string(type == 'b' ? "b" : "c"));
		json_object_object_add(d, "major", json_object_new_int64(major));
		json_object_object_add(d, "minor", json_object_new_int64(minor));
		json_object_object_add(d, "path", json_object_get(get(row, "detail")));
		json_object_array_add(devices, d);
	}

	/* Files and programs, generalised; the Landlock ruleset follows from them. */
	{
		json_object *files_excluded = json_object_new_array();
		json_object *files = paths_generalise(obs, files_excluded), *ll = json_object_new_object();
		json_object *fs = json_object_new_array(), *bind = json_object_new_array();
		json_object *conn = json_object_new_array(), *net = get(obs, "network");

		json_object_object_add(p, "files", files);
		json_object_object_add(p, "files_excluded", files_excluded);
		for (size_t i = 0; i < json_object_array_length(files); i++) {
			json_object *f = json_object_array_get_idx(files, i), *e;
			const char *path = json_object_get_string(get(f, "path"));
			const char *acc = json_object_get_string(get(f, "access"));
			char dir[1100], letters[16] = "";
			const char *pid = strstr(path, "/@{pid}"), *stars = strstr(path, "/**");
			size_t n = 0;

			/* Landlock has no patterns: a per-process /proc path is /proc, a tree is its top. */
			if (pid)
				snprintf(dir, sizeof(dir), "%.*s", (int)(pid - path), path);
			else if (stars)
				snprintf(dir, sizeof(dir), "%.*s", (int)(stars - path), path);
			else
				snprintf(dir, sizeof(dir), "%s", path);
			for (const char *a = acc; *a && n < sizeof(letters) - 2; a++) {
				char l = *a == 'm' ? 'r' : *a;
				if (!strchr(letters, l))
					letters[n++] = l;
			}
			if (pid || stars) /* a tree: listing it too */
				if (!strchr(letters, 'd'))
					letters[n++] = 'd';
			if (strncmp(path, "/dev/", 5) == 0 && !strchr(letters, 'i'))
				letters[n++] = 'i'; /* terminals and the like need their ioctls */
			letters[n] = '\0';
			e = json_object_new_object();
			json_object_object_add(e, "path", json_object_new_string(dir));
			json_object_object_add(e, "access", json_object_new_string(letters));
			json_object_array_add(fs, e);
			/*
			 * A file the workload creates (a pid file, a temporary name it renames) does not
			 * exist when the shim opens the rule's path, and Landlock grants creation only on
			 * a directory: its rights go to the directory it is created in. That is as narrow
			 * as Landlock allows; the AppArmor profile keeps the exact file.
			 */
			if (strchr(letters, 'c') && !pid && !stars) {
				char *slash = strrchr(dir, '/');
				if (slash && slash != dir) {
					*slash = '\0';
					e = json_object_new_object();
					json_object_object_add(e, "path", json_object_new_string(dir));
					json_object_object_add(e, "access", json_object_new_string(letters));
					json_object_array_add(fs, e);
				}
			}
		}
		/* TCP ports bound and connected to ("bind inet stream 127.0.0.1:8080"). */
		for (size_t i = 0; net && i < json_object_array_length(net); i++) {
			const char *call = json_object_get_string(get(json_object_array_get_idx(net, i), "call"));
			const char *colon = strrchr(call, ':');
			bool is_bind = strncmp(call, "bind ", 5) == 0;
			if ((!is_bind && strncmp(call, "connect ", 8) != 0) || !strstr(call, " stream ") || !colon)
				continue;
			json_object_array_add(is_bind ? bind : conn, json_object_new_int(atoi(colon + 1)));
		}
		json_object_object_add(ll, "fs", fs);
		json_object_object_add(ll, "bind", bind);
		json_object_object_add(ll, "connect", conn);
		json_object_object_add(p, "landlock", ll);
	}

	r = policy_validate(p, ret_error);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

/* The parts of a policy that decide what it allows, as one canonical string. */
static char *policy_essence(json_object *p)
{
	_cleanup_json_ json_object *e = json_object_new_object();
	static const char *const keys[] = {"seccomp", "capabilities", "no_new_privileges", "devices",
					   "files", "landlock"};
	const char *s;

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		json_object_object_add(e, keys[i], json_object_get(get(p, keys[i])));
	s = json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN);
	return s ? strdup(s) : NULL;
}

bool policy_equal(json_object *a, json_object *b)
{
	_cleanup_free_ char *ea = NULL, *eb = NULL;

	if (!a || !b)
		return false;
	ea = policy_essence(a);
	eb = policy_essence(b);
	return ea && eb && strcmp(ea, eb) == 0;
}

// SPDX-License-Identifier: MIT
/* Merging a policy into an OCI runtime config, never widening what the config restricts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"

#include "errmsg.h"
#include "macro.h"
#include "names.h"
#include "policy.h"

/* Namespace flags of clone/unshare: CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
 * (the mask containers-common's default profile uses). */
#define CLONE_NS_MASK 2114060288LL
#define ENOSYS_ERRNO 38

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static json_object *get_array(json_object *o, const char *key)
{
	json_object *v = get(o, key);
	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

static bool array_has_string(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

int policy_validate(json_object *policy, char **ret_error)
{
	json_object *sc, *v;

	if (!policy || !json_object_is_type(policy, json_type_object))
		return error_set(ret_error, -EINVAL, "policy is not a JSON object");
	v = get(policy, "format");
	if (!v || json_object_get_int(v) != POLICY_FORMAT)
		return error_set(ret_error, -EINVAL, "policy has no \"format\": %d", POLICY_FORMAT);
	sc = get(policy, "seccomp");
	if (!sc || !json_object_is_type(sc, json_type_object) || !get_array(sc, "syscalls"))
		return error_set(ret_error, -EINVAL, "policy has no seccomp.syscalls array");
	if (!get_array(policy, "capabilities"))
		return error_set(ret_error, -EINVAL, "policy has no capabilities array");
	for (size_t i = 0; i < json_object_array_length(get_array(policy, "capabilities")); i++) {
		const char *c = json_object_get_string(
			json_object_array_get_idx(get_array(policy, "capabilities"), i));
		if (!c || capability_from_name(c) < 0)
			return error_set(ret_error, -EINVAL, "policy names an unknown capability '%s'", c ? c : "?");
	}
	return 0;
}

/* --- seccomp --------------------------------------------------------------------------- */

static json_object *arg_rule(int index, long long value, long long value_two, const char *op)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, "index", json_object_new_int(index));
	json_object_object_add(a, "value", json_object_new_int64(value));
	json_object_object_add(a, "valueTwo", json_object_new_int64(value_two));
	json_object_object_add(a, "op", json_object_new_string(op));
	return a;
}

static json_object *rule(const char *name, const char *action, json_object *args)
{
	json_object *r = json_object_new_object(), *names = json_object_new_array();

	json_object_array_add(names, json_object_new_string(name));
	json_object_object_add(r, "names", names);
	json_object_object_add(r, "action", json_object_new_string(action));
	if (args)
		json_object_object_add(r, "args", args);
	return r;
}

/* Our own rules for one allowed syscall: a list of argument lists (NULL entry: no args). */
static json_object *our_rules(json_object *sc, const char *name)
{
	json_object *out = json_object_new_array();

	if (strcmp(name, "socket") == 0 && get_array(sc, "socket") &&
	    json_object_array_length(get_array(sc, "socket")) > 0) {
		/* Only the (family, type) pairs the workload used: no raw or packet sockets
		 * unless seen, no AF_ALG, AF_VSOCK, ... */
		json_object *pairs = get_array(sc, "socket");
		for (size_t i = 0; i < json_object_array_length(pairs); i++) {
			json_object *p = json_object_array_get_idx(pairs, i), *args = json_object_new_array();
			json_object_array_add(args, arg_rule(0, json_object_get_int64(get(p, "family")), 0,
							     "SCMP_CMP_EQ"));
			json_object_array_add(args, arg_rule(1, 0xf, json_object_get_int64(get(p, "type")),
							     "SCMP_CMP_MASKED_EQ"));
			json_object_array_add(out, args);
		}
		return out;
	}
	if ((strcmp(name, "clone") == 0 || strcmp(name, "unshare") == 0) &&
	    !json_object_get_boolean(get(sc, "clone_namespaces"))) {
		json_object *args = json_object_new_array();
		json_object_array_add(args, arg_rule(0, CLONE_NS_MASK, 0, "SCMP_CMP_MASKED_EQ"));
		json_object_array_add(out, args);
		return out;
	}
	if (strcmp(name, "personality") == 0) {
		/* The personalities ordinary programs use (PER_LINUX, UNAME26, ...), as
		 * containers-common allows; not READ_IMPLIES_EXEC or ADDR_NO_RANDOMIZE. */
		static const long long allowed[] = {0, 8, 131072, 131080, 4294967295LL};
		for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
			json_object *args = json_object_new_array();
			json_object_array_add(args, arg_rule(0, allowed[i], 0, "SCMP_CMP_EQ"));
			json_object_array_add(out, args);
		}
		return out;
	}
	json_object_array_add(out, NULL);
	return out;
}

static bool action_allows(const char *action)
{
	return action && (strcmp(action, "SCMP_ACT_ALLOW") == 0 || strcmp(action, "SCMP_ACT_LOG") == 0);
}

/* Concatenates two argument lists (AND); NULL when the result has more than libseccomp's 6. */
static json_object *args_and(json_object *a, json_object *b)
{
	json_object *out = json_object_new_array();
	json_object *parts[2] = {a, b};

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; parts[k] && i < json_object_array_length(parts[k]); i++)
			json_object_array_add(out, json_object_get(json_object_array_get_idx(parts[k], i)));
	if (json_object_array_length(out) > 6) {
		json_object_put(out);
		return NULL;
	}
	if (json_object_array_length(out) == 0) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

/*
 * Adds to `rules` what lets `name` through both our policy and the engine's profile. Returns
 * false when the engine's profile does not allow it at all.
 */
static bool intersect_syscall(json_object *sc, json_object *existing, const char *name,
			      json_object *rules)
{
	_cleanup_json_ json_object *ours = our_rules(sc, name);
	json_object *ex_rules = get_array(existing, "syscalls");
	const char *ex_default = existing ? json_object_get_string(get(existing, "defaultAction")) : NULL;
	_cleanup_json_ json_object *their_allow = json_object_new_array();
	bool their_unconditional = false, any_their_rule = false;

	if (!existing) {
		for (size_t i = 0; i < json_object_array_length(ours); i++) {
			json_object *a = json_object_array_get_idx(ours, i);
			json_object_array_add(rules, rule(name, "SCMP_ACT_ALLOW", a ? json_object_get(a) : NULL));
		}
		return true;
	}

	for (size_t i = 0; ex_rules && i < json_object_array_length(ex_rules); i++) {
		json_object *r = json_object_array_get_idx(ex_rules, i);
		const char *action = json_object_get_string(get(r, "action"));
		json_object *names = get_array(r, "names"), *args = get_array(r, "args");

		if (!names && get(r, "name"))
			names = NULL; /* the old single-name form */
		if (!(names ? array_has_string(names, name)
			    : (get(r, "name") && strcmp(json_object_get_string(get(r, "name")), name) == 0)))
			continue;
		any_their_rule = true;
		if (action_allows(action)) {
			if (!args || json_object_array_length(args) == 0)
				their_unconditional = true;
			else
				json_object_array_add(their_allow, json_object_get(args));
		} else if (args && json_object_array_length(args) > 0) {
			/* A conditional denial of theirs stays in force. */
			json_object *copy = NULL;
			json_object_deep_copy(r, &copy, NULL);
			json_object_object_add(copy, "names", json_tokener_parse("[]"));
			json_object_array_add(get(copy, "names"), json_object_new_string(name));
			json_object_array_add(rules, copy);
		} else if (!action_allows(action)) {
			return false; /* denied outright */
		}
	}
	if (!any_their_rule && !action_allows(ex_default))
		return false; /* an allowlist profile that does not list it */
	if (!any_their_rule || their_unconditional) {
		for (size_t i = 0; i < json_object_array_length(ours); i++) {
			json_object *a = json_object_array_get_idx(ours, i);
			json_object_array_add(rules, rule(name, "SCMP_ACT_ALLOW", a ? json_object_get(a) : NULL));
		}
		return true;
	}
	if (json_object_array_length(their_allow) == 0)
		return false;
	/* Both conditional: every pair of (ours AND theirs). */
	for (size_t i = 0; i < json_object_array_length(ours); i++)
		for (size_t j = 0; j < json_object_array_length(their_allow); j++) {
			json_object *a = args_and(json_object_array_get_idx(ours, i),
						  json_object_array_get_idx(their_allow, j));
			if (a)
				json_object_array_add(rules, rule(name, "SCMP_ACT_ALLOW", a));
		}
	return true;
}

static int check_names(json_object *names, uint32_t arch, const char *arch_name, char **ret_error)
{
	for (size_t i = 0; i < json_object_array_length(names); i++) {
		const char *n = json_object_get_string(json_object_array_get_idx(names, i));
		if (!n || seccomp_syscall_resolve_name_arch(arch, n) == __NR_SCMP_ERROR)
			return error_set(ret_error, -EINVAL, "unknown syscall '%s' for %s", n ? n : "?", arch_name);
	}
	return 0;
}

/*
 * Complain form over an engine profile: the engine's rules stay (what it denies stays denied,
 * so complain mode is never weaker than stock) and what it allows beyond our policy is logged.
 */
static json_object *complain_over(json_object *existing, json_object *ours_allowed)
{
	json_object *out = NULL, *rules, *next = json_object_new_array();

	json_object_deep_copy(existing, &out, NULL);
	rules = get_array(out, "syscalls");
	for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i), *names = get_array(r, "names");
		json_object *keep, *logged;
		if (!names || !action_allows(json_object_get_string(get(r, "action")))) {
			json_object_array_add(next, json_object_get(r));
			continue;
		}
		keep = json_object_new_array();
		logged = json_object_new_array();
		for (size_t k = 0; k < json_object_array_length(names); k++) {
			json_object *n = json_object_array_get_idx(names, k);
			json_object_array_add(array_has_string(ours_allowed, json_object_get_string(n)) ? keep
												   : logged,
					      json_object_get(n));
		}
		for (int pass = 0; pass < 2; pass++) {
			json_object *list = pass ? logged : keep, *copy = NULL;
			if (json_object_array_length(list) == 0) {
				json_object_put(list);
				continue;
			}
			json_object_deep_copy(r, &copy, NULL);
			json_object_object_add(copy, "names", list);
			if (pass)
				json_object_object_add(copy, "action", json_object_new_string("SCMP_ACT_LOG"));
			json_object_array_add(next, copy);
		}
	}
	json_object_object_add(out, "syscalls", next);
	return out;
}

/* One rule for every unconditional allow, first, as containers-common writes them: shorter to
 * read and to review. Takes ownership of rules. */
static json_object *merge_plain_allows(json_object *rules)
{
	json_object *out = json_object_new_array(), *plain = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i);
		if (strcmp(json_object_get_string(get(r, "action")), "SCMP_ACT_ALLOW") == 0 && !get(r, "args")) {
			json_object *names = get_array(r, "names");
			for (size_t k = 0; k < json_object_array_length(names); k++)
				json_object_array_add(plain, json_object_get(json_object_array_get_idx(names, k)));
		}
	}
	if (json_object_array_length(plain) > 0) {
		json_object *r = json_object_new_object();
		json_object_object_add(r, "names", plain);
		json_object_object_add(r, "action", json_object_new_string("SCMP_ACT_ALLOW"));
		json_object_array_add(out, r);
	} else {
		json_object_put(plain);
	}
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i);
		if (strcmp(json_object_get_string(get(r, "action")), "SCMP_ACT_ALLOW") != 0 || get(r, "args"))
			json_object_array_add(out, json_object_get(r));
	}
	json_object_put(rules);
	return out;
}

int policy_seccomp_oci(json_object *policy, json_object *existing, enum policy_form form,
		       json_object **ret, char **ret_error)
{
	json_object *sc = get(policy, "seccomp"), *names = get_array(sc, "syscalls");
	json_object *compat = get(sc, "compat");
	_cleanup_json_ json_object *out = NULL;
	json_object *rules, *arches, *all;
	json_object *ex_arches = get_array(existing, "architectures");
	const char *defact = json_object_get_string(get(sc, "default_action"));
	bool namespaces = json_object_get_boolean(get(sc, "clone_namespaces"));
	int r;

	if (!names)
		return error_set(ret_error, -EINVAL, "policy has no seccomp.syscalls");
	r = check_names(names, SCMP_ARCH_X86_64, "x86_64", ret_error);
	if (r < 0)
		return r;
	if (form == POLICY_COMPLAIN && existing) {
		*ret = complain_over(existing, names);
		return *ret ? 0 : -ENOMEM;
	}
	out = json_object_new_object();
	rules = json_object_new_array();
	arches = json_object_new_array();

	/* x86_64 always; 32-bit and x32 only when the workload used them (and the engine's
	 * profile allows that architecture). */
	all = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(names); i++)
		json_object_array_add(all, json_object_get(json_object_array_get_idx(names, i)));
	json_object_array_add(arches, json_object_new_string("SCMP_ARCH_X86_64"));
	{
		static const struct {
			const char *key, *oci;
			uint32_t token;
		} extra[] = {{"i386", "SCMP_ARCH_X86", SCMP_ARCH_X86}, {"x32", "SCMP_ARCH_X32", SCMP_ARCH_X32}};
		for (size_t k = 0; k < ELEMENTSOF(extra); k++) {
			json_object *list = get_array(compat, extra[k].key);
			if (!list || json_object_array_length(list) == 0)
				continue;
			if (ex_arches && !array_has_string(ex_arches, extra[k].oci))
				continue;
			r = check_names(list, extra[k].token, extra[k].key, ret_error);
			if (r < 0) {
				json_object_put(all);
				json_object_put(rules);
				json_object_put(arches);
				return r;
			}
			json_object_array_add(arches, json_object_new_string(extra[k].oci));
			for (size_t i = 0; i < json_object_array_length(list); i++) {
				json_object *n = json_object_array_get_idx(list, i);
				if (!array_has_string(all, json_object_get_string(n)))
					json_object_array_add(all, json_object_get(n));
			}
		}
	}

	/*
	 * clone3 passes its flags in memory, where a filter cannot look: without namespace rights it
	 * answers ENOSYS (below) and must not be allowed as well, or clone3(CLONE_NEWUSER) would get
	 * through. glibc then falls back to clone, whose flags are checked: allow that instead.
	 */
	if (!namespaces && array_has_string(all, "clone3") &&
	    !array_has_string(all, "clone"))
		json_object_array_add(all, json_object_new_string("clone"));
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		const char *n = json_object_get_string(json_object_array_get_idx(all, i));
		if (strcmp(n, "clone3") == 0 && !namespaces)
			continue;
		(void)intersect_syscall(sc, existing, n, rules);
	}
	json_object_put(all);
	/* glibc falls back to clone when clone3 says ENOSYS; clone3's flags cannot be filtered. */
	if (!namespaces)
		json_object_array_add(rules, ({
			json_object *c3 = rule("clone3", "SCMP_ACT_ERRNO", NULL);
			json_object_object_add(c3, "errnoRet", json_object_new_int(ENOSYS_ERRNO));
			c3;
		}));

	if (form == POLICY_COMPLAIN) {
		json_object_object_add(out, "defaultAction", json_object_new_string("SCMP_ACT_LOG"));
	} else if (defact && strcmp(defact, "kill") == 0) {
		json_object_object_add(out, "defaultAction", json_object_new_string("SCMP_ACT_KILL_PROCESS"));
	} else {
		json_object_object_add(out, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
		json_object_object_add(out, "defaultErrnoRet", json_object_new_int(EPERM));
	}
	json_object_object_add(out, "architectures", arches);
	json_object_object_add(out, "syscalls", merge_plain_allows(rules));
	*ret = TAKE_PTR(out);
	return 0;
}

/* --- capabilities, no_new_privileges, devices ------------------------------------------- */

static void restrict_capabilities(json_object *policy, json_object *config)
{
	static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
	json_object *process = get(config, "process"), *caps = get(process, "capabilities");
	json_object *keep = get_array(policy, "capabilities");

	if (!process)
		return;
	if (!caps) {
		/* No capabilities in the config means none: nothing to widen, nothing to do. */
		return;
	}
	for (size_t s = 0; s < ELEMENTSOF(sets); s++) {
		json_object *cur = get_array(caps, sets[s]), *next;
		if (!cur)
			continue;
		next = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(cur); i++) {
			json_object *c = json_object_array_get_idx(cur, i);
			if (array_has_string(keep, json_object_get_string(c)))
				json_object_array_add(next, json_object_get(c));
		}
		json_object_object_add(caps, sets[s], next);
	}
}

/* Does the config's device cgroup list allow (type, major, minor)? Last match wins. */
static bool devices_allow(json_object *rules, const char *type, int64_t major, int64_t minor)
{
	bool allowed = !rules || json_object_array_length(rules) == 0;

	for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i), *v;
		const char *t = json_object_get_string(get(r, "type"));
		if (t && strcmp(t, "a") != 0 && strcmp(t, type) != 0)
			continue;
		if ((v = get(r, "major")) && !json_object_is_type(v, json_type_null) &&
		    json_object_get_int64(v) != -1 && json_object_get_int64(v) != major)
			continue;
		if ((v = get(r, "minor")) && !json_object_is_type(v, json_type_null) &&
		    json_object_get_int64(v) != -1 && json_object_get_int64(v) != minor)
			continue;
		allowed = json_object_get_boolean(get(r, "allow"));
	}
	return allowed;
}

static void restrict_devices(json_object *policy, json_object *config)
{
	json_object *linux_ = get(config, "linux"), *res, *existing, *next, *deny;
	json_object *devices = get_array(policy, "devices");

	if (!linux_)
		return;
	res = get(linux_, "resources");
	if (!res) {
		res = json_object_new_object();
		json_object_object_add(linux_, "resources", res);
	}
	existing = get_array(res, "devices");
	next = json_object_new_array();
	deny = json_object_new_object();
	json_object_object_add(deny, "allow", json_object_new_boolean(0));
	json_object_object_add(deny, "access", json_object_new_string("rwm"));
	json_object_array_add(next, deny);
	for (size_t i = 0; devices && i < json_object_array_length(devices); i++) {
		json_object *d = json_object_array_get_idx(devices, i), *a;
		const char *type = json_object_get_string(get(d, "type"));
		int64_t major = json_object_get_int64(get(d, "major")), minor = json_object_get_int64(get(d, "minor"));
		if (!type || !devices_allow(existing, type, major, minor))
			continue;
		a = json_object_new_object();
		json_object_object_add(a, "allow", json_object_new_boolean(1));
		json_object_object_add(a, "type", json_object_new_string(type));
		json_object_object_add(a, "major", json_object_new_int64(major));
		json_object_object_add(a, "minor", json_object_new_int64(minor));
		json_object_object_add(a, "access", json_object_new_string("rw"));
		json_object_array_add(next, a);
	}
	json_object_object_add(res, "devices", next);
}

/* The shim's own syscalls (measured with strace): it runs under the container's filter. */
static const char *const shim_syscalls[] = {
	"arch_prctl", "brk", "close", "execve", "exit_group", "fcntl", "fstat", "getrandom",
	"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lseek", "mmap",
	"mprotect", "munmap", "newfstatat", "openat", "prctl", "pread64", "prlimit64", "read", "readlink",
	"rseq", "set_robust_list", "set_tid_address", "write",
};
#define SHIM_IN_CONTAINER "/.policyd/landlock-shim"
#define RULES_IN_CONTAINER "/.policyd/landlock.rules"

int landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* VERSION */);
	return abi > 0 ? (int)abi : 0;
}

int landlock_shim_path(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, size, "%s/policyd-landlock-shim", exe);
			if (access(buf, X_OK) == 0)
				return 0;
		}
	}
	snprintf(buf, size, "%s/policyd-landlock-shim", POLICYD_LIBEXEC_DIR);
	return access(buf, X_OK) == 0 ? 0 : -ENOENT;
}

char *policy_landlock_rules(json_object *policy)
{
	json_object *ll = get(policy, "landlock"), *fs = get_array(ll, "fs");
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!ll || !fs)
		return NULL;
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fprintf(f, "# Landlock ruleset of profile %s, version %s (generated by policyd)\n",
		json_object_get_string(get(policy, "profile")), json_object_get_string(get(policy, "version")));
	for (size_t i = 0; i < json_object_array_length(fs); i++) {
		json_object *r = json_object_array_get_idx(fs, i);
		fprintf(f, "fs %s %s\n", json_object_get_string(get(r, "access")),
			json_object_get_string(get(r, "path")));
	}
	for (int k = 0; k < 2; k++) {
		json_object *ports = get_array(ll, k ? "connect" : "bind");
		for (size_t i = 0; ports && i < json_object_array_length(ports); i++)
			fprintf(f, "%s %d\n", k ? "connect" : "bind",
				json_object_get_int(json_object_array_get_idx(ports, i)));
	}
	fclose(f);
	return text;
}

/* The shim in front of the workload: bind mounts, args, and its syscalls in the filter. */
static void inject_shim(json_object *config, const struct policy_apply_opts *opts)
{
	json_object *mounts = get_array(config, "mounts"), *process = get(config, "process");
	json_object *args = get_array(process, "args"), *next = json_object_new_array();
	json_object *seccomp = get(get(config, "linux"), "seccomp");
	const char *src[2] = {opts->shim_path, opts->landlock_rules};
	const char *dst[2] = {SHIM_IN_CONTAINER, RULES_IN_CONTAINER};

	if (!mounts) {
		mounts = json_object_new_array();
		json_object_object_add(config, "mounts", mounts);
	}
	for (int i = 0; i < 2; i++) {
		json_object *m = json_object_new_object(), *o = json_object_new_array();
		json_object_object_add(m, "destination", json_object_new_string(dst[i]));
		json_object_object_add(m, "type", json_object_new_string("bind"));
		json_object_object_add(m, "source", json_object_new_string(src[i]));
		json_object_array_add(o, json_object_new_string("bind"));
		json_object_array_add(o, json_object_new_string("ro"));
		json_object_array_add(o, json_object_new_string("nodev"));
		json_object_object_add(m, "options", o);
		json_object_array_add(mounts, m);
	}
	json_object_array_add(next, json_object_new_string(SHIM_IN_CONTAINER));
	json_object_array_add(next, json_object_new_string(RULES_IN_CONTAINER));
	json_object_array_add(next, json_object_new_string("--"));
	for (size_t i = 0; args && i < json_object_array_length(args); i++)
		json_object_array_add(next, json_object_get(json_object_array_get_idx(args, i)));
	json_object_object_add(process, "args", next);
	if (seccomp) {
		json_object *r = json_object_new_object(), *names = json_object_new_array();
		for (size_t i = 0; i < ELEMENTSOF(shim_syscalls); i++)
			json_object_array_add(names, json_object_new_string(shim_syscalls[i]));
		json_object_object_add(r, "names", names);
		json_object_object_add(r, "action", json_object_new_string("SCMP_ACT_ALLOW"));
		json_object_array_add(get_array(seccomp, "syscalls"), r);
	}
}

int policy_apply(json_object *policy, json_object *config, enum policy_form form,
		 const struct policy_apply_opts *opts, char **ret_error)
{
	json_object *linux_ = get(config, "linux"), *process = get(config, "process"), *seccomp = NULL;
	int r;

	r = policy_validate(policy, ret_error);
	if (r < 0)
		return r;
	if (!linux_ || !process)
		return error_set(ret_error, -EINVAL, "config has no linux or process section");
	r = policy_seccomp_oci(policy, get(linux_, "seccomp"), form, &seccomp, ret_error);
	if (r < 0)
		return r;
	json_object_object_add(linux_, "seccomp", seccomp);
	if (form == POLICY_COMPLAIN)
		return 0; /* log-only: capabilities and devices are not loggable, so unchanged */

	restrict_capabilities(policy, config);
	/* Set, never cleared: a config that already forbids privilege gain keeps forbidding it. */
	if (json_object_get_boolean(get(policy, "no_new_privileges")))
		json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(1));
	restrict_devices(policy, config);
	/* Landlock needs no_new_privs; a workload that gains privilege through exec goes without. */
	if (opts && opts->shim_path && opts->landlock_rules && get(policy, "landlock") &&
	    json_object_get_boolean(get(policy, "no_new_privileges")))
		inject_shim(config, opts);
	if (opts && opts->apparmor_name)
		json_object_object_add(process, "apparmorProfile",
				       json_object_new_string(opts->apparmor_name));
	return 0;
}

int policy_artifact_path(const char *state_dir, const char *profile, char *buf, size_t size)
{
	size_t off;
	int n = snprintf(buf, size, "%s/artifacts/", state_dir);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	off = (size_t)n;
	for (const char *p = profile; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
		n = plain ? snprintf(buf + off, size - off, "%c", *p)
			  : snprintf(buf + off, size - off, "%%%02X", (unsigned char)*p);
		if (n < 0 || (size_t)n >= size - off)
			return -ENAMETOOLONG;
		off += (size_t)n;
	}
	n = snprintf(buf + off, size - off, ".json");
	return n < 0 || (size_t)n >= size - off ? -ENAMETOOLONG : 0;
}

int policy_landlock_path(const char *state_dir, const char *profile, long long version, char *buf,
			 size_t size)
{
	int r = policy_artifact_path(state_dir, profile, buf, size);
	size_t n;

	if (r < 0)
		return r;
	n = strlen(buf) - strlen(".json");
	r = snprintf(buf + n, size - n, ".v%lld.landlock", version);
	return r < 0 || (size_t)r >= size - n ? -ENAMETOOLONG : 0;
}

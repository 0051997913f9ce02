// SPDX-License-Identifier: MIT
/* policyctl's read-only verbs: list and show. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "policyctl.h"
#include "proto.h"

/* Parses "[--json] [--help]" plus up to max_pos positional arguments. -1: exit with *ret_exit. */
static int parse_args(const struct verb *v, int argc, char **argv, bool *ret_json,
		      char **pos, int max_pos, int min_pos, int *ret_exit)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, n = 0;

	while ((c = getopt_long(argc, argv, "jh", options, NULL)) >= 0) {
		switch (c) {
		case 'j':
			*ret_json = true;
			break;
		case 'h':
			*ret_exit = verb_usage(v, true);
			return -1;
		default:
			*ret_exit = verb_usage(v, false);
			return -1;
		}
	}
	for (; optind < argc; optind++) {
		if (n == max_pos) {
			fprintf(stderr, "policyctl %s: unexpected argument '%s'\n", v->name, argv[optind]);
			*ret_exit = verb_usage(v, false);
			return -1;
		}
		pos[n++] = argv[optind];
	}
	if (n < min_pos) {
		fprintf(stderr, "policyctl %s: missing argument\n", v->name);
		*ret_exit = verb_usage(v, false);
		return -1;
	}
	return n;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return "-";
	return json_object_get_string(v);
}

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

int verb_list(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	json_object *profiles;
	bool json = false;
	int rc;

	if (parse_args(v, argc, argv, &json, NULL, 0, 0, &rc) < 0)
		return rc;
	req = proto_request_new(PROTO_OP_LIST);
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	if (!json_object_object_get_ex(resp, "profiles", &profiles) ||
	    !json_object_is_type(profiles, json_type_array)) {
		fprintf(stderr, "policyctl: malformed answer from policyd (no profiles)\n");
		return 1;
	}
	if (json) {
		print_json(profiles);
		return 0;
	}
	if (json_object_array_length(profiles) == 0) {
		puts("No profiles yet. Run a container through the hooks to start learning.");
		return 0;
	}
	printf("%-40s %-8s %5s %9s %8s  %s\n", "PROFILE", "MODE", "RUNS", "CANDIDATE", "APPROVED",
	       "LAST RUN");
	for (size_t i = 0; i < json_object_array_length(profiles); i++) {
		json_object *p = json_object_array_get_idx(profiles, i);
		printf("%-40s %-8s %5s %9s %8s  %s\n", str(p, "profile"), str(p, "mode"), str(p, "runs"),
		       str(p, "candidate_version"), str(p, "approved_version"), str(p, "last_run"));
	}
	return 0;
}

static void print_runs(json_object *profile)
{
	json_object *runs;

	if (!json_object_object_get_ex(profile, "run_history", &runs) ||
	    json_object_array_length(runs) == 0)
		return;
	printf("\nRuns:\n  %-12s %-8s %-8s %-24s %-24s %s\n", "CONTAINER", "RUNTIME", "MODE",
	       "STARTED", "STOPPED", "STATE");
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *r = json_object_array_get_idx(runs, i);
		const char *started = str(r, "started");
		printf("  %-12.12s %-8s %-8s %-24s %-24s %s\n", str(r, "container_id"),
		       str(r, "runtime"), str(r, "mode"),
		       strcmp(started, "-") ? started : str(r, "created"), str(r, "stopped"),
		       strcmp(str(r, "exit_state"), "-") ? str(r, "exit_state") : "running");
	}
}

/* Prints a list of strings, several per line. */
static void print_names(const char *title, json_object *arr)
{
	size_t n = arr ? json_object_array_length(arr) : 0, col = 4;

	printf("  %s (%zu)%s", title, n, n ? ":\n    " : "\n");
	for (size_t i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(arr, i));
		if (col + strlen(name) + 1 > 96) {
			printf("\n    ");
			col = 4;
		}
		col += printf("%s ", name);
	}
	if (n)
		printf("\n");
}

/* Files, folded: a directory with more than FOLD_AT entries is shown as one line. */
#define FOLD_AT 4
static void print_files(json_object *files)
{
	size_t n = files ? json_object_array_length(files) : 0;

	printf("  files (%zu)%s\n", n, n ? ":" : "");
	for (size_t i = 0; i < n;) {
		const char *path = str(json_object_array_get_idx(files, i), "path");
		const char *slash = strrchr(path, '/');
		size_t dirlen = slash ? (size_t)(slash - path) : 0, j = i;
		char access[128] = "";

		/* The run of entries in the same directory (the list is sorted by path). */
		while (j < n) {
			const char *p = str(json_object_array_get_idx(files, j), "path");
			const char *s2 = strrchr(p, '/');
			if (!s2 || (size_t)(s2 - p) != dirlen || strncmp(p, path, dirlen) != 0)
				break;
			j++;
		}
		if (j - i > FOLD_AT) {
			for (size_t k = i; k < j; k++) {
				const char *a = str(json_object_array_get_idx(files, k), "access");
				if (!strstr(access, a) && strlen(access) + strlen(a) + 2 < sizeof(access))
					snprintf(access + strlen(access), sizeof(access) - strlen(access),
						 "%s%s", *access ? "," : "", a);
			}
			printf("    %-.*s/ (%zu files)  %s\n", (int)dirlen, path, j - i, access);
			i = j;
			continue;
		}
		for (; i < j; i++) {
			json_object *f = json_object_array_get_idx(files, i);
			printf("    %-56s %s\n", str(f, "path"), str(f, "access"));
		}
	}
}

static void print_observed(json_object *profile)
{
	json_object *o, *arr;
	size_t n;

	if (!json_object_object_get_ex(profile, "observed", &o))
		return;
	printf("\nObserved (workload; the runtime's own set-up is listed apart):\n");
	json_object_object_get_ex(o, "execs", &arr);
	n = arr ? json_object_array_length(arr) : 0;
	printf("  execs (%zu)%s\n", n, n ? ":" : "");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *req;
		printf("    %s", str(e, "path"));
		if (json_object_object_get_ex(e, "requested", &req))
			printf("  (as %s)", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
		printf("\n");
	}
	json_object_object_get_ex(o, "files", &arr);
	print_files(arr);
	json_object_object_get_ex(o, "failed_files", &arr);
	n = arr ? json_object_array_length(arr) : 0;
	printf("  failed opens (%zu)%s\n", n, n ? ":" : "");
	for (size_t i = 0; i < n && i < 20; i++) {
		json_object *f = json_object_array_get_idx(arr, i);
		printf("    %-56s %s\n", str(f, "path"), str(f, "error"));
	}
	if (n > 20)
		printf("    ... %zu more (--json lists them all)\n", n - 20);
	json_object_object_get_ex(o, "capabilities", &arr);
	print_names("capabilities", arr);
	json_object_object_get_ex(o, "capabilities_denied", &arr);
	if (arr && json_object_array_length(arr))
		print_names("capabilities denied", arr);
	json_object_object_get_ex(o, "network", &arr);
	n = arr ? json_object_array_length(arr) : 0;
	printf("  network (%zu)%s\n", n, n ? ":" : "");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		printf("    %-56s %s\n", str(e, "call"), str(e, "result"));
	}
	json_object_object_get_ex(o, "devices", &arr);
	n = arr ? json_object_array_length(arr) : 0;
	printf("  devices (%zu)%s\n", n, n ? ":" : "");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		printf("    %-12s %s\n", str(e, "device"), str(e, "path"));
	}
	json_object_object_get_ex(o, "syscalls_workload", &arr);
	print_names("syscalls", arr);
	json_object_object_get_ex(o, "compat_syscalls", &arr);
	if (arr && json_object_array_length(arr))
		print_names("compat syscalls", arr);
	json_object_object_get_ex(o, "syscalls_init", &arr);
	print_names("syscalls of the runtime's set-up", arr);
}

/* "version 2: 61 syscalls, 1 capability (CAP_CHOWN), 3 devices, noNewPrivileges" */
static void print_policy_line(const char *label, json_object *profile, const char *which)
{
	json_object *p = json_object_object_get(profile, which), *sc, *caps;

	if (!p || json_object_is_type(p, json_type_null)) {
		printf("%s  none\n", label);
		return;
	}
	sc = json_object_object_get(json_object_object_get(p, "seccomp"), "syscalls");
	caps = json_object_object_get(p, "capabilities");
	printf("%s  version %s: %zu syscalls, %zu capabilities%s%s%s, %zu devices%s\n", label,
	       str(p, "version"), json_object_array_length(sc), json_object_array_length(caps),
	       json_object_array_length(caps) ? " (" : "",
	       json_object_array_length(caps) ? json_object_to_json_string_ext(caps, JSON_C_TO_STRING_PLAIN) : "",
	       json_object_array_length(caps) ? ")" : "",
	       json_object_array_length(json_object_object_get(p, "devices")),
	       json_object_get_boolean(json_object_object_get(p, "no_new_privileges")) ? ", noNewPrivileges" : "");
}

/* The generalised file and program rules of the candidate (else the approved policy). */
static void print_file_rules(json_object *profile)
{
	json_object *p = json_object_object_get(profile, "candidate"), *rules;

	if (!p || json_object_is_type(p, json_type_null))
		p = json_object_object_get(profile, "approved");
	rules = p ? json_object_object_get(p, "files") : NULL;
	if (!rules || json_object_array_length(rules) == 0)
		return;
	printf("\nFile rules of version %s (r read, w write, c create, t truncate, x exec, d list, "
	       "m map):\n", str(p, "version"));
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i);
		printf("  %-6s %-48s %s\n", str(r, "access"), str(r, "path"), str(r, "why"));
	}
}

/* Why the candidate leaves out something the workload was seen doing. */
static void print_excluded(json_object *profile)
{
	json_object *p = json_object_object_get(profile, "candidate"), *ex;

	if (!p || json_object_is_type(p, json_type_null))
		p = json_object_object_get(profile, "approved");
	ex = p ? json_object_object_get(p, "excluded") : NULL;
	if (ex && json_object_array_length(ex) > 0) {
		printf("\nSeen but not allowed by the policy:\n");
		for (size_t i = 0; i < json_object_array_length(ex); i++) {
			json_object *e = json_object_array_get_idx(ex, i);
			printf("  %-20s %s\n", str(e, "syscall"), str(e, "reason"));
		}
	}
	ex = p ? json_object_object_get(p, "files_excluded") : NULL;
	for (size_t i = 0; ex && i < json_object_array_length(ex); i++) {
		json_object *e = json_object_array_get_idx(ex, i);
		printf("  %-20s %s\n", str(e, "path"), str(e, "reason"));
	}
}

int verb_show(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	json_object *profile;
	char *name = NULL;
	bool json = false;
	int rc;

	if (parse_args(v, argc, argv, &json, &name, 1, 1, &rc) < 0)
		return rc;
	req = proto_request_new(PROTO_OP_SHOW);
	json_object_object_add(req, "profile", json_object_new_string(name));
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	if (!json_object_object_get_ex(resp, "profile", &profile) ||
	    !json_object_is_type(profile, json_type_object)) {
		fprintf(stderr, "policyctl: malformed answer from policyd (no profile)\n");
		return 1;
	}
	if (json) {
		print_json(profile);
		return 0;
	}
	printf("Profile:    %s\n", str(profile, "profile"));
	printf("Mode:       %s\n", str(profile, "mode"));
	printf("Identified: by %s\n", str(profile, "source"));
	printf("Runs:       %s\n", str(profile, "runs"));
	print_policy_line("Candidate: ", profile, "candidate");
	print_policy_line("Approved:  ", profile, "approved");
	printf("Tracer:     %s (ring-buffer drops: %s%s)\n", str(profile, "tracer"),
	       str(profile, "ringbuf_drops"),
	       strcmp(str(profile, "capabilities_traced"), "true") == 0
		       ? ""
		       : "; this kernel cannot trace capabilities");
	{
		json_object *layers = json_object_object_get(profile, "layers");
		if (layers) {
			printf("\nLayers on this host:\n");
			json_object_object_foreach(layers, k, val)
				printf("  %-13s %s\n", k, json_object_get_string(val));
		}
	}
	print_file_rules(profile);
	print_excluded(profile);
	print_runs(profile);
	print_observed(profile);
	return 0;
}

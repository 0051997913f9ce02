// SPDX-License-Identifier: MIT
/* policyctl's policy verbs: approve, reject, mode, diff, history, rollback, export, violations. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "policy.h"
#include "policyctl.h"
#include "proto.h"

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return "-";
	return json_object_get_string(v);
}

/* Options "--json", "--help" and others via extra; positional arguments into pos. */
static int parse(const struct verb *v, int argc, char **argv, char **pos, int npos, bool *json,
		 const char **format, const char **version, int *ret_exit)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"format", required_argument, NULL, 'f'},
		{"version", required_argument, NULL, 'V'},
		{},
	};
	int c, n = 0;

	while ((c = getopt_long(argc, argv, "jh", options, NULL)) >= 0) {
		switch (c) {
		case 'j':
			if (!json)
				goto usage;
			*json = true;
			break;
		case 'f':
			if (!format)
				goto usage;
			*format = optarg;
			break;
		case 'V':
			if (!version)
				goto usage;
			*version = optarg;
			break;
		case 'h':
			*ret_exit = verb_usage(v, true);
			return -1;
		default:
			goto usage;
		}
	}
	for (; optind < argc; optind++) {
		if (n == npos) {
			fprintf(stderr, "policyctl %s: unexpected argument '%s'\n", v->name, argv[optind]);
			goto usage;
		}
		pos[n++] = argv[optind];
	}
	if (n < npos) {
		fprintf(stderr, "policyctl %s: missing argument\n", v->name);
		goto usage;
	}
	return 0;
usage:
	*ret_exit = verb_usage(v, false);
	return -1;
}

static json_object *request_for(const char *op, const char *profile)
{
	json_object *req = proto_request_new(op);

	json_object_object_add(req, "profile", json_object_new_string(profile));
	return req;
}

int verb_approve(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	char *name;
	int rc;

	if (parse(v, argc, argv, &name, 1, NULL, NULL, NULL, &rc) < 0)
		return rc;
	req = request_for(PROTO_OP_APPROVE, name);
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	printf("%s: version %s approved; mode enforce\n", name, str(resp, "version"));
	return 0;
}

int verb_reject(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	char *name;
	int rc;

	if (parse(v, argc, argv, &name, 1, NULL, NULL, NULL, &rc) < 0)
		return rc;
	req = request_for(PROTO_OP_REJECT, name);
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	printf("%s: candidate version %s rejected\n", name, str(resp, "version"));
	return 0;
}

int verb_mode(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	char *pos[2];
	int rc;

	if (parse(v, argc, argv, pos, 2, NULL, NULL, NULL, &rc) < 0)
		return rc;
	req = request_for(PROTO_OP_MODE, pos[0]);
	json_object_object_add(req, "mode", json_object_new_string(pos[1]));
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	printf("%s: mode %s\n", pos[0], str(resp, "mode"));
	return 0;
}

int verb_rollback(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	char *pos[2], *end;
	long long version;
	int rc;

	if (parse(v, argc, argv, pos, 2, NULL, NULL, NULL, &rc) < 0)
		return rc;
	version = strtoll(pos[1], &end, 10);
	if (*end || version <= 0) {
		fprintf(stderr, "policyctl rollback: '%s' is not a version number\n", pos[1]);
		return 2;
	}
	req = request_for(PROTO_OP_ROLLBACK, pos[0]);
	json_object_object_add(req, "version", json_object_new_int64(version));
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	printf("%s: version %s is the approved policy again\n", pos[0], str(resp, "version"));
	return 0;
}

int verb_history(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	json_object *hist, *arr;
	bool json = false;
	char *name;
	int rc;

	if (parse(v, argc, argv, &name, 1, &json, NULL, NULL, &rc) < 0)
		return rc;
	req = request_for(PROTO_OP_HISTORY, name);
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	hist = json_object_object_get(resp, "history");
	if (json) {
		puts(json_object_to_json_string_ext(hist, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		return 0;
	}
	arr = json_object_object_get(hist, "versions");
	printf("Versions of %s:\n  %-8s %-11s %s\n", name, "VERSION", "STATE", "COMPILED");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		printf("  %-8s %-11s %s\n", str(e, "version"), str(e, "state"), str(e, "created"));
	}
	arr = json_object_object_get(hist, "actions");
	printf("\nChanges:\n  %-24s %-9s %-8s %-6s %s\n", "WHEN", "ACTION", "VERSION", "UID", "NOTE");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		printf("  %-24s %-9s %-8s %-6s %s\n", str(e, "at"), str(e, "action"), str(e, "version"),
		       str(e, "uid"), str(e, "note"));
	}
	return 0;
}

static int get_policy(const struct ctl *ctl, const char *name, const char *which, const char *version,
		      json_object **ret_resp)
{
	_cleanup_json_ json_object *req = request_for(PROTO_OP_POLICY, name);

	if (version)
		json_object_object_add(req, "version", json_object_new_int64(atoll(version)));
	else
		json_object_object_add(req, "which", json_object_new_string(which));
	return ctl_call(ctl, req, ret_resp);
}

int verb_export(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *resp = NULL;
	const char *format = "oci-seccomp", *version = NULL;
	char *name;
	int rc;

	if (parse(v, argc, argv, &name, 1, NULL, &format, &version, &rc) < 0)
		return rc;
	if (strcmp(format, "oci-seccomp") != 0 && strcmp(format, "policy") != 0 &&
	    strcmp(format, "apparmor") != 0 && strcmp(format, "landlock") != 0) {
		fprintf(stderr, "policyctl export: unknown format '%s' (oci-seccomp, apparmor, landlock "
				"or policy)\n",
			format);
		return 2;
	}
	if (get_policy(ctl, name, "approved", version, &resp) < 0)
		return 1;
	if (strcmp(format, "apparmor") == 0) {
		json_object *aa = json_object_object_get(json_object_object_get(resp, "policy"), "apparmor");
		if (!aa || !json_object_object_get(aa, "profile")) {
			fprintf(stderr, "policyctl export: the policy of '%s' has no AppArmor profile\n", name);
			return 1;
		}
		fputs(json_object_get_string(json_object_object_get(aa, "profile")), stdout);
		return 0;
	}
	if (strcmp(format, "landlock") == 0) {
		_cleanup_free_ char *rules = policy_landlock_rules(json_object_object_get(resp, "policy"));
		if (!rules) {
			fprintf(stderr, "policyctl export: the policy of '%s' has no Landlock ruleset\n", name);
			return 1;
		}
		fputs(rules, stdout);
		return 0;
	}
	puts(json_object_to_json_string_ext(
		json_object_object_get(resp, strcmp(format, "policy") == 0 ? "policy" : "oci_seccomp"),
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	return 0;
}

/* Prints "+ x" for what b has and a lacks, "- x" for the reverse, of two string arrays. */
static int diff_lists(const char *what, json_object *a, json_object *b)
{
	int changes = 0;

	for (int pass = 0; pass < 2; pass++) {
		json_object *from = pass ? a : b, *other = pass ? b : a;
		for (size_t i = 0; from && i < json_object_array_length(from); i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(from, i));
			bool found = false;
			for (size_t k = 0; !found && other && k < json_object_array_length(other); k++)
				found = strcmp(s, json_object_get_string(json_object_array_get_idx(other, k))) == 0;
			if (!found) {
				printf("%c %-12s %s\n", pass ? '-' : '+', what, s);
				changes++;
			}
		}
	}
	return changes;
}

/* "r /etc/passwd" for each file rule: what diff compares. */
static json_object *file_rule_names(json_object *policy)
{
	json_object *out = json_object_new_array(), *f = json_object_object_get(policy, "files");

	for (size_t i = 0; f && i < json_object_array_length(f); i++) {
		json_object *e = json_object_array_get_idx(f, i);
		char buf[1200];
		snprintf(buf, sizeof(buf), "%-5s %s", str(e, "access"), str(e, "path"));
		json_object_array_add(out, json_object_new_string(buf));
	}
	return out;
}

static json_object *device_names(json_object *policy)
{
	json_object *out = json_object_new_array(), *d = json_object_object_get(policy, "devices");

	for (size_t i = 0; d && i < json_object_array_length(d); i++) {
		json_object *e = json_object_array_get_idx(d, i);
		char buf[64];
		snprintf(buf, sizeof(buf), "%s %s:%s", str(e, "type"), str(e, "major"), str(e, "minor"));
		json_object_array_add(out, json_object_new_string(buf));
	}
	return out;
}

int verb_diff(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *cand = NULL, *appr = NULL, *da = NULL, *db = NULL;
	json_object *a = NULL, *b, *sa, *sb;
	char *name;
	int rc, changes = 0;

	if (parse(v, argc, argv, &name, 1, NULL, NULL, NULL, &rc) < 0)
		return rc;
	if (get_policy(ctl, name, "candidate", NULL, &cand) < 0)
		return 1;
	b = json_object_object_get(cand, "policy");
	/* No approved version yet: everything in the candidate is new. */
	{
		_cleanup_json_ json_object *req = request_for(PROTO_OP_POLICY, name);
		_cleanup_free_ char *err = NULL;
		json_object_object_add(req, "which", json_object_new_string("approved"));
		if (proto_call(ctl->socket, req, CTL_TIMEOUT_MS, &appr, &err) == 0)
			a = json_object_object_get(appr, "policy");
	}
	printf("--- %s approved %s\n+++ %s candidate %s\n", name, a ? str(a, "version") : "(none)", name,
	       str(b, "version"));
	sa = a ? json_object_object_get(a, "seccomp") : NULL;
	sb = json_object_object_get(b, "seccomp");
	changes += diff_lists("syscall", sa ? json_object_object_get(sa, "syscalls") : NULL,
			      json_object_object_get(sb, "syscalls"));
	changes += diff_lists("capability", a ? json_object_object_get(a, "capabilities") : NULL,
			      json_object_object_get(b, "capabilities"));
	da = a ? device_names(a) : json_object_new_array();
	db = device_names(b);
	changes += diff_lists("device", da, db);
	{
		_cleanup_json_ json_object *fa = a ? file_rule_names(a) : json_object_new_array();
		_cleanup_json_ json_object *fb = file_rule_names(b);
		changes += diff_lists("file", fa, fb);
	}
	if (!a || json_object_get_boolean(json_object_object_get(a, "no_new_privileges")) !=
			  json_object_get_boolean(json_object_object_get(b, "no_new_privileges"))) {
		printf("~ %-12s %s\n", "noNewPrivs", str(b, "no_new_privileges"));
		changes++;
	}
	if (changes == 0)
		printf("(no difference in what they allow)\n");
	return 0;
}

int verb_violations(const struct verb *v, const struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *req = NULL, *resp = NULL;
	json_object *vio, *arr;
	bool json = false;
	char *name;
	int rc;

	if (parse(v, argc, argv, &name, 1, &json, NULL, NULL, &rc) < 0)
		return rc;
	req = request_for(PROTO_OP_VIOLATIONS, name);
	if (ctl_call(ctl, req, &resp) < 0)
		return 1;
	vio = json_object_object_get(resp, "violations");
	if (json) {
		puts(json_object_to_json_string_ext(vio, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		return 0;
	}
	arr = json_object_object_get(vio, "syscalls");
	printf("Syscalls complain-mode runs of %s made that the approved policy denies (%zu):\n", name,
	       json_object_array_length(arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		printf("  %s\n", json_object_get_string(json_object_array_get_idx(arr, i)));
	arr = json_object_object_get(vio, "capabilities");
	printf("Capabilities used beyond the approved set (%zu):\n", json_object_array_length(arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		printf("  %s\n", json_object_get_string(json_object_array_get_idx(arr, i)));
	return 0;
}

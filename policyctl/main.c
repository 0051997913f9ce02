// SPDX-License-Identifier: MIT
/*
 * policyctl: the administration CLI of oci-policyd. Each verb parses its arguments, makes one
 * request over the socket and prints the answer: a table for people, --json for scripts.
 * Exit codes: 0 ok, 1 the operation failed, 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "policyctl.h"
#include "proto.h"

static const struct verb verbs[] = {
	{"list", "[--json]", "list profiles with their mode, runs and policy versions", verb_list, NULL},
	{"show", "NAME [--json]", "show a profile's runs, observed behaviour and policies", verb_show, NULL},
	{"approve", "NAME", "approve the candidate policy; the profile is then enforced", verb_approve, NULL},
	{"reject", "NAME", "reject the candidate policy", verb_reject, NULL},
	{"diff", "NAME", "what the candidate allows beyond or short of the approved policy", verb_diff,
	 NULL},
	{"mode", "NAME MODE", "set the mode: learn, enforce, complain or off", verb_mode,
	 "  learn     record behaviour; the config is unchanged\n"
	 "  enforce   apply the approved policy\n"
	 "  complain  the approved policy in log-only form, plus recording ('violations')\n"
	 "  off       neither record nor enforce\n"},
	{"history", "NAME [--json]", "policy versions and who changed what when", verb_history, NULL},
	{"rollback", "NAME VERSION", "make an earlier approved version the approved one again",
	 verb_rollback, NULL},
	{"export", "NAME [--format oci-seccomp|apparmor|landlock|policy] [--version N]",
	 "print the approved policy (default: as OCI seccomp JSON for --security-opt seccomp=)",
	 verb_export, NULL},
	{"violations", "NAME [--json]", "what complain-mode runs did beyond the approved policy",
	 verb_violations, NULL},
};

static void help(FILE *f)
{
	fprintf(f, "usage: policyctl [--socket PATH] VERB [ARGS]\n"
		   "Administers oci-policyd through its socket (env POLICYD_SOCKET; default %s).\n\n"
		   "Verbs:\n",
		POLICYD_DEFAULT_SOCKET);
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		fprintf(f, "  %-10s %s\n  %-10s   %s\n", verbs[i].name, verbs[i].args, "", verbs[i].summary);
	fprintf(f, "\n'policyctl VERB --help' describes a verb. Exit status: 0 ok, 1 failed, 2 usage.\n");
}

int verb_usage(const struct verb *v, bool requested)
{
	FILE *f = requested ? stdout : stderr;

	fprintf(f, "usage: policyctl %s %s\n%s.\n", v->name, v->args, v->summary);
	if (v->help)
		fputs(v->help, f);
	return requested ? 0 : 2;
}

int ctl_call(const struct ctl *ctl, json_object *req, json_object **ret_resp)
{
	_cleanup_free_ char *err = NULL;
	int r = proto_call(ctl->socket, req, CTL_TIMEOUT_MS, ret_resp, &err);

	if (r < 0) {
		fprintf(stderr, "policyctl: %s\n", err ? err : strerror(-r));
		if (r == -ENOENT || r == -ECONNREFUSED)
			fprintf(stderr, "policyctl: is policyd running? (see 'policyctl --help' for "
					"--socket)\n");
		return r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"socket", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{},
	};
	struct ctl ctl = {0};
	int c;

	log_setup("policyctl", LOG_LEVEL_INFO);
	/* '+': stop at the verb, whose own options come after it. */
	while ((c = getopt_long(argc, argv, "+hs:", options, NULL)) >= 0) {
		switch (c) {
		case 's':
			ctl.socket = optarg;
			break;
		case 'h':
			help(stdout);
			return 0;
		case 'V':
			puts("policyctl " POLICYD_VERSION);
			return 0;
		default:
			help(stderr);
			return 2;
		}
	}
	ctl.socket = proto_socket_path(ctl.socket);
	if (optind >= argc) {
		help(stderr);
		return 2;
	}
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
		if (strcmp(argv[optind], verbs[i].name) != 0)
			continue;
		/* The verb sees its own argv, with getopt reset. */
		optind++;
		argc -= optind - 1;
		argv += optind - 1;
		optind = 0;
		return verbs[i].run(&verbs[i], &ctl, argc, argv);
	}
	fprintf(stderr, "policyctl: unknown verb '%s'\n", argv[optind]);
	help(stderr);
	return 2;
}

/* SPDX-License-Identifier: MIT */
/* Shared by the policyctl verbs. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <json-c/json.h>

#define CTL_TIMEOUT_MS 10000

struct ctl {
	const char *socket;
};

struct verb {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
	const char *help; /* extra lines for 'VERB --help', may be NULL */
};

/* Prints the verb's usage; exit code 0 when asked for with --help, else 2. */
int verb_usage(const struct verb *v, bool requested);
/* One request; prints the error and returns < 0 on failure. */
int ctl_call(const struct ctl *ctl, json_object *req, json_object **ret_resp);

int verb_list(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_show(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_approve(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_reject(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_mode(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_diff(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_history(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_rollback(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_export(const struct verb *v, const struct ctl *ctl, int argc, char **argv);
int verb_violations(const struct verb *v, const struct ctl *ctl, int argc, char **argv);

/* SPDX-License-Identifier: MIT */
/*
 * Policies and how they reach a container. A policy is a JSON object (schema/policy.md):
 *
 *   {"format": 1, "profile": "web", "version": 3,
 *    "seccomp": {"default_action": "errno"|"kill", "syscalls": [names],
 *                "compat": {"i386": [names], "x32": [names]},
 *                "socket": [{"family": 2, "type": 1}], "clone_namespaces": false},
 *    "capabilities": ["CAP_CHOWN"], "no_new_privileges": true,
 *    "devices": [{"type": "c", "major": 1, "minor": 3}],
 *    "excluded": [{"syscall": "bpf", "reason": "..."}]}
 *
 * policy_apply() merges one into an OCI runtime config without ever widening what the config
 * already restricts; the daemon and the hook (when the daemon is down) both use it.
 */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

#define POLICY_FORMAT 1

enum policy_form {
	POLICY_ENFORCE,  /* the policy as it is */
	POLICY_COMPLAIN, /* log-only: seccomp logs what it would deny; nothing else changes */
};

/* Checks the shape of a policy object; *ret_error names the first problem. */
int policy_validate(json_object *policy, char **ret_error);

/*
 * The OCI linux.seccomp object of a policy, intersected with the engine's (existing may be
 * NULL: no filter). Every name is resolved through libseccomp; an unknown one is an error.
 */
int policy_seccomp_oci(json_object *policy, json_object *existing, enum policy_form form,
		       json_object **ret, char **ret_error);

/* Where the Landlock entry shim and a policy's ruleset file are on the host, for injection. */
struct policy_apply_opts {
	const char *shim_path;	    /* NULL: no Landlock (kernel without it, or no shim) */
	const char *landlock_rules; /* the ruleset file of this policy version */
	const char *apparmor_name;  /* set process.apparmorProfile (only where AppArmor is on) */
};

/* Merges the policy into config (in place). opts may be NULL. */
int policy_apply(json_object *policy, json_object *config, enum policy_form form,
		 const struct policy_apply_opts *opts, char **ret_error);

/* <state>/artifacts/<profile>.v<version>.landlock: a version's ruleset, for the shim. */
int policy_landlock_path(const char *state_dir, const char *profile, long long version, char *buf,
			 size_t size);
/* The Landlock ruleset file (landlock-shim/shim.c format) of a policy, malloc'd; NULL if none. */
char *policy_landlock_rules(json_object *policy);
/* The Landlock ABI of the running kernel, 0 without Landlock. */
int landlock_abi(void);
/* Where the shim is: beside the running binary, else the installed libexec directory. */
int landlock_shim_path(char *buf, size_t size);

/* Artifacts: the approved policy of a profile on disk, so that the hook can enforce it when
 * policyd is unreachable. File name: <state>/artifacts/<percent-encoded profile>.json. */
int policy_artifact_path(const char *state_dir, const char *profile, char *buf, size_t size);

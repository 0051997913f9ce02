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

/* Merges the policy into config (in place). */
int policy_apply(json_object *policy, json_object *config, enum policy_form form, char **ret_error);

/* Artifacts: the approved policy of a profile on disk, so that the hook can enforce it when
 * policyd is unreachable. File name: <state>/artifacts/<percent-encoded profile>.json. */
int policy_artifact_path(const char *state_dir, const char *profile, char *buf, size_t size);

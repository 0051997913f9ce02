/* SPDX-License-Identifier: MIT */
/* The policy compiler: a profile's observed behaviour in, a least-privilege policy out. */
#pragma once

#include <json-c/json.h>

#include "conffile.h"

/*
 * Compiles the candidate policy (lib/policy.h format) from `profile`, the object
 * `policyctl show --json` prints. Syscalls the host never allows are left out and listed in
 * "excluded" with the reason. -EINVAL with *ret_error on a name libseccomp does not know.
 */
int policy_compile(json_object *profile, const struct policyd_config *cfg, json_object **ret,
		   char **ret_error);

/* Whether two policies allow the same (ignoring version numbers and notes). */
bool policy_equal(json_object *a, json_object *b);

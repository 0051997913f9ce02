/* SPDX-License-Identifier: MIT */
/* The AppArmor backend: a profile per policy version, validated with apparmor_parser. */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

/* "policyd_web_v3": the profile's name in the kernel, safe for any profile name. */
void apparmor_profile_name(const char *profile, long long version, char *buf, size_t size);

/*
 * Renders the profile of a policy (uses its "files", "capabilities", "seccomp.socket") and
 * validates it. Returns {"name", "profile" (text), "validated": true|false|null, "error"}:
 * null when apparmor_parser is not installed, false with the parser's message on a bad profile.
 */
json_object *apparmor_compile(json_object *policy, const char *profile, long long version);

/* Loads (or replaces) a profile into the kernel with apparmor_parser -r. */
int apparmor_load(const char *text);

/* Is AppArmor enabled in the running kernel? */
bool apparmor_enabled(void);

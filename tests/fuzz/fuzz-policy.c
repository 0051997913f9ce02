// SPDX-License-Identifier: MIT
/*
 * Policies: what policyd reads back from its store and artifacts (the hook reads an artifact
 * from disk when the daemon is down) and what policyctl gets from the daemon. The input is
 * parsed as the callers do (json_tokener_parse on a C string), then:
 *   - policy_landlock_rules() on anything that parsed (policyctl calls it unvalidated);
 *   - policy_validate(); for a valid policy:
 *   - policy_seccomp_oci() without an engine profile (what `policyctl diff/export` shows),
 *   - policy_seccomp_oci() over a fixed engine profile, enforce and complain forms,
 *   - policy_apply() on a copy of a small fixed OCI config (the precreate path).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "policy.h"

/* An engine's seccomp profile, trimmed: allowlist with a conditional allow, a conditional
 * denial and an outright denial, the shapes intersect_syscall() distinguishes. */
static const char engine_profile[] =
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
	" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
	" \"syscalls\": ["
	"  {\"names\": [\"read\", \"write\", \"openat\", \"close\", \"execve\", \"exit_group\","
	"    \"socket\", \"bind\", \"connect\", \"clone\", \"unshare\", \"mmap\", \"brk\","
	"    \"futex\", \"capset\", \"setuid\"], \"action\": \"SCMP_ACT_ALLOW\"},"
	"  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
	"   \"args\": [{\"index\": 0, \"value\": 0, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
	"  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22,"
	"   \"args\": [{\"index\": 0, \"value\": 40, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
	"  {\"name\": \"ptrace\", \"action\": \"SCMP_ACT_ALLOW\"},"
	"  {\"names\": [\"kexec_load\"], \"action\": \"SCMP_ACT_ERRNO\"},"
	"  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_LOG\"}]}";

/* A Podman-like config: capabilities, devices and that engine profile. */
static const char base_config[] =
	"{\"ociVersion\": \"1.0.2-dev\","
	" \"process\": {\"args\": [\"/bin/sh\", \"-c\", \"true\"],"
	"  \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\", \"CAP_KILL\"],"
	"   \"effective\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"permitted\": [\"CAP_CHOWN\"]}},"
	" \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
	" \"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
	"   {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rwm\"},"
	"   {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"}]},"
	"  \"seccomp\": %s}}";

static json_object *engine, *config_template;

static void setup(void)
{
	char *text = NULL;

	if (engine)
		return;
	engine = json_tokener_parse(engine_profile);
	if (asprintf(&text, base_config, engine_profile) < 0)
		abort();
	config_template = json_tokener_parse(text);
	free(text);
	if (!engine || !config_template)
		abort();
}

static void check_seccomp(json_object *oci)
{
	json_object *v;

	FUZZ_CHECK(oci && json_object_is_type(oci, json_type_object), "no seccomp object");
	FUZZ_CHECK(json_object_object_get_ex(oci, "defaultAction", &v), "no defaultAction");
	FUZZ_CHECK(json_object_object_get_ex(oci, "syscalls", &v) &&
			   json_object_is_type(v, json_type_array),
		   "no syscalls array");
	(void)json_object_to_json_string_ext(oci, JSON_C_TO_STRING_PLAIN);
}

static void seccomp_with(json_object *policy, json_object *existing, enum policy_form form)
{
	json_object *oci = NULL;
	char *err = NULL;
	int r;

	r = policy_seccomp_oci(policy, existing, form, &oci, &err);
	if (r == 0)
		check_seccomp(oci);
	else
		FUZZ_CHECK(err || r == -ENOMEM, "r=%d without a message", r);
	json_object_put(oci);
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *policy, *config = NULL;
	char *text, *err = NULL, *rules;

	setup();
	text = fuzz_strdup(data, size);
	policy = json_tokener_parse(text);
	free(text);
	if (!policy)
		return 0;

	rules = policy_landlock_rules(policy);
	if (rules)
		(void)strlen(rules);
	free(rules);

	if (policy_validate(policy, &err) == 0) {
		seccomp_with(policy, NULL, POLICY_ENFORCE);
		seccomp_with(policy, engine, POLICY_ENFORCE);
		seccomp_with(policy, engine, POLICY_COMPLAIN);

		if (json_object_deep_copy(config_template, &config, NULL) < 0)
			abort();
		if (policy_apply(policy, config, POLICY_ENFORCE, NULL, &err) == 0)
			(void)json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN);
		json_object_put(config);
	}
	free(err);
	json_object_put(policy);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * policyd-prestart-hook STAGE: the OCI hook for precreate (config in, config out) and for
 * createRuntime/prestart (registers the started container). A thin client: it validates its
 * input, makes one request to policyd and writes the answer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "hookclient.h"
#include "identity.h"
#include "policy.h"
#include "log.h"
#include "macro.h"
#include "oci.h"
#include "proto.h"

static int usage(void)
{
	fprintf(stderr, "usage: policyd-prestart-hook precreate|createRuntime|prestart\n"
			"OCI hook of oci-policyd; reads the hook input on stdin. Environment:\n"
			"  POLICYD_SOCKET           daemon socket (default " POLICYD_DEFAULT_SOCKET ")\n"
			"  POLICYD_STATE_DIR        approved policies when the daemon is down\n"
			"                           (default " POLICYD_DEFAULT_STATE_DIR ")\n"
			"  POLICYD_HOOK_TIMEOUT_MS  budget for the daemon call (default 5000)\n");
	return 2;
}

/*
 * policyd is unreachable: an approved profile stays enforced from its artifact on disk
 * (DESIGN.md failure policy); anything else starts unchanged. Returns the exit code.
 */
static int precreate_offline(json_object *root, const struct oci_config *cfg, const char *raw,
			     size_t len, const char *why)
{
	const char *state_dir = getenv("POLICYD_STATE_DIR");
	_cleanup_json_ json_object *art = NULL;
	_cleanup_free_ char *buf = NULL, *err = NULL;
	struct identity id;
	char path[4096];
	const char *mode, *override, *out;
	json_object *policy, *v;
	size_t n, out_len;

	if (!state_dir || !*state_dir)
		state_dir = POLICYD_DEFAULT_STATE_DIR;
	if (identity_resolve(cfg->annotations, cfg->args, cfg->container_id, cfg->storage,
			     cfg->n_storage, &id, &err) < 0)
		return log_error("precreate: %s (and %s)", err, why), 1;
	override = oci_annotation(cfg->annotations, ANNOTATION_MODE);
	if (policy_artifact_path(state_dir, id.name, path, sizeof(path)) < 0 ||
	    read_file_bounded(path, OCI_MAX_INPUT, &buf, &n) < 0 ||
	    !(art = json_tokener_parse(buf)) || !json_object_object_get_ex(art, "mode", &v) ||
	    !json_object_object_get_ex(art, "policy", &policy)) {
		log_warning("%s; profile '%s' has no approved policy on disk: the container starts "
			    "with its config unchanged",
			    why, id.name);
		return write_all_fd(STDOUT_FILENO, raw, len) < 0 ? 1 : 0;
	}
	mode = override ? override : json_object_get_string(v);
	if (strcmp(mode, "enforce") != 0 && strcmp(mode, "complain") != 0) {
		log_warning("%s; profile '%s' is in %s mode: the container starts with its config "
			    "unchanged",
			    why, id.name, mode);
		return write_all_fd(STDOUT_FILENO, raw, len) < 0 ? 1 : 0;
	}
	/* The approved policy could not be applied: refuse rather than start it unconfined. */
	{
		struct policy_apply_opts ao = {0};
		char shim[4096], rules[4096];
		json_object *ver = json_object_object_get(policy, "version");
		if (landlock_abi() > 0 && landlock_shim_path(shim, sizeof(shim)) == 0 &&
		    policy_landlock_path(state_dir, id.name, ver ? json_object_get_int64(ver) : 0, rules,
					 sizeof(rules)) == 0 &&
		    access(rules, R_OK) == 0) {
			ao.shim_path = shim;
			ao.landlock_rules = rules;
		}
		if (policy_apply(policy, root,
				 strcmp(mode, "complain") == 0 ? POLICY_COMPLAIN : POLICY_ENFORCE, &ao,
				 &err) < 0)
			return log_error("precreate: %s; the approved policy of '%s' in %s does not "
					 "apply: %s",
					 why, id.name, path, err),
			       1;
	}
	log_warning("%s; enforcing the approved policy of profile '%s' from %s", why, id.name, path);
	out = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN, &out_len);
	return !out || write_all_fd(STDOUT_FILENO, out, out_len) < 0 ? 1 : 0;
}

static int run_precreate(int timeout_ms)
{
	_cleanup_json_ json_object *root = NULL, *req = NULL, *resp = NULL;
	_cleanup_free_ char *raw = NULL, *err = NULL;
	struct oci_config cfg;
	json_object *config;
	const char *out;
	size_t len, out_len;
	int r;

	r = hook_read_input(timeout_ms, &raw, &len, &root, &err);
	if (r < 0)
		return log_error("precreate: bad config on stdin: %s", err ? err : strerror(-r)), 1;
	r = oci_config_parse(root, &cfg, &err);
	if (r < 0)
		return log_error("precreate: bad config on stdin: %s", err ? err : strerror(-r)), 1;

	req = proto_request_new(PROTO_OP_PRECREATE);
	json_object_object_add(req, "config", json_object_get(root));
	r = proto_call(proto_socket_path(NULL), req, timeout_ms, &resp, &err);
	if (r < 0 && hook_daemon_unreachable(r))
		return precreate_offline(root, &cfg, raw, len, err);
	if (r < 0)
		return log_error("precreate: policyd refused the container: %s", err), 1;

	if (!json_object_object_get_ex(resp, "config", &config) ||
	    !json_object_is_type(config, json_type_object))
		return log_error("precreate: policyd answered without a config"), 1;
	out = json_object_to_json_string_length(config, JSON_C_TO_STRING_PLAIN, &out_len);
	if (!out || write_all_fd(STDOUT_FILENO, out, out_len) < 0)
		return log_error("precreate: cannot write the config to stdout"), 1;
	return 0;
}

static int run_created(const char *stage, int timeout_ms)
{
	_cleanup_json_ json_object *root = NULL, *req = NULL, *resp = NULL;
	_cleanup_free_ char *raw = NULL, *err = NULL;
	struct oci_state st;
	char runtime[64];
	size_t len;
	int r;

	r = hook_read_input(timeout_ms, &raw, &len, &root, &err);
	if (r < 0)
		return log_error("%s: bad state on stdin: %s", stage, err ? err : strerror(-r)), 1;
	r = oci_state_parse(root, true, &st, &err);
	if (r < 0)
		return log_error("%s: bad state on stdin: %s", stage, err ? err : strerror(-r)), 1;

	hook_runtime_name(runtime, sizeof(runtime));
	req = proto_request_new(PROTO_OP_CONTAINER_CREATED);
	json_object_object_add(req, "state", json_object_get(root));
	json_object_object_add(req, "runtime", json_object_new_string(runtime));
	json_object_object_add(req, "stage", json_object_new_string(stage));
	r = proto_call(proto_socket_path(NULL), req, timeout_ms, &resp, &err);
	if (r < 0 && hook_daemon_unreachable(r)) {
		log_warning("%s; container %.12s is not traced", err, st.id);
		return 0;
	}
	if (r < 0)
		return log_error("%s: policyd refused container %.12s: %s", stage, st.id, err), 1;
	return 0;
}

int main(int argc, char **argv)
{
	int timeout_ms = hook_timeout_ms();

	log_setup("policyd-prestart-hook", LOG_LEVEL_INFO);
	if (argc != 2)
		return usage();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(), 0;
	if (strcmp(argv[1], "--version") == 0)
		return puts("policyd-prestart-hook " POLICYD_VERSION), 0;

	hook_arm_backstop("policyd-prestart-hook", timeout_ms);
	if (strcmp(argv[1], "precreate") == 0)
		return run_precreate(timeout_ms);
	if (strcmp(argv[1], "createRuntime") == 0 || strcmp(argv[1], "prestart") == 0)
		return run_created(argv[1], timeout_ms);
	log_error("unknown stage '%s' (expected precreate, createRuntime or prestart)", argv[1]);
	return 2;
}

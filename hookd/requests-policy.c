// SPDX-License-Identifier: MIT
/* Policy requests: compile, approve, reject, mode, history, rollback, export, violations. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "apparmor.h"
#include "compile.h"
#include "fileio.h"
#include "identity.h"
#include "log.h"
#include "macro.h"
#include "policy.h"
#include "proto.h"
#include "requests.h"
#include "timeutil.h"

static const char *get_string(json_object *req, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The profile a request names, checked; NULL with *ret_resp set when it is not usable. */
static const char *request_profile(struct manager *m, json_object *req, const char *op,
				   struct store_profile *ret, json_object **ret_resp)
{
	const char *name = get_string(req, "profile");
	int r;

	if (!name) {
		*ret_resp = proto_response_error("%s: request has no \"profile\" string", op);
		return NULL;
	}
	if (!profile_name_valid(name)) {
		*ret_resp = proto_response_error("%s: '%.64s' is not a valid profile name", op, name);
		return NULL;
	}
	r = store_profile_get(m->store, name, ret);
	if (r == -ENOENT) {
		*ret_resp = proto_response_error("no profile named '%s'", name);
		return NULL;
	}
	if (r < 0) {
		*ret_resp = proto_response_error("%s '%s': store: %s", op, name, strerror(-r));
		return NULL;
	}
	return name;
}

void policy_recompile(struct manager *m, const char *profile)
{
	_cleanup_json_ json_object *show = NULL, *policy = NULL, *approved = NULL;
	_cleanup_free_ char *err = NULL;
	struct store_profile p;
	int64_t version;
	int r;

	if (store_profile_get(m->store, profile, &p) < 0 || store_show_json(m->store, profile, &show) < 0)
		return;
	r = policy_compile(show, &m->conf, &policy, &err);
	if (r < 0) {
		log_warning("cannot compile a policy for profile '%s': %s", profile, err);
		return;
	}
	/* Nothing new since the current candidate: leave it (and its validated AppArmor profile)
	 * alone; most learning runs end here, without a store write or a parser run. */
	{
		_cleanup_json_ json_object *cand = NULL;
		if (store_policy_get(m->store, p.id, "candidate", 0, &cand, NULL) == 0 &&
		    policy_equal(policy, cand))
			return;
	}
	/* Nothing new since the approved version: no candidate to review. */
	if (store_policy_get(m->store, p.id, "approved", 0, &approved, NULL) == 0 &&
	    policy_equal(policy, approved)) {
		(void)store_candidate_clear(m->store, p.id);
		return;
	}
	/* The AppArmor profile is named after the version the candidate has or will get. */
	r = store_candidate_version(m->store, p.id, &version);
	if (r >= 0) {
		json_object_object_add(policy, "apparmor", apparmor_compile(policy, profile, version));
		r = store_candidate_set(m->store, p.id, policy, now_realtime_ms(), &version);
	}
	if (r < 0) {
		log_warning_errno(r, "cannot store the candidate of profile '%s': %m", profile);
		return;
	}
	log_info("profile '%s': candidate version %" PRId64 " compiled (%zu syscalls, %zu capabilities)",
		 profile, version,
		 json_object_array_length(json_object_object_get(
			 json_object_object_get(policy, "seccomp"), "syscalls")),
		 json_object_array_length(json_object_object_get(policy, "capabilities")));
}

/* Writes path atomically: a reader never sees half a file. */
static int write_atomic(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 8];
	_cleanup_close_ int fd = -1;
	int r;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	r = write_all_fd(fd, text, strlen(text));
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* The approved version's Landlock ruleset, bind-mounted read-only into its containers. */
static int write_landlock_rules(struct manager *m, const char *profile, json_object *policy)
{
	_cleanup_free_ char *text = policy_landlock_rules(policy);
	json_object *v = json_object_object_get(policy, "version");
	char path[PATH_MAX];
	int r;

	if (!text)
		return 0;
	r = policy_landlock_path(m->opts.state_dir, profile, v ? json_object_get_int64(v) : 0, path,
				 sizeof(path));
	if (r < 0)
		return r;
	if (access(path, R_OK) == 0)
		return 0; /* a version never changes */
	/* Readable by the container's user: the shim opens it after the runtime drops privileges. */
	return write_atomic(path, text, 0644);
}

int policy_write_artifact(struct manager *m, const char *profile)
{
	_cleanup_json_ json_object *approved = NULL, *art = NULL;
	char path[PATH_MAX], dir[PATH_MAX];
	struct store_profile p;
	const char *text;
	int r;

	r = store_profile_get(m->store, profile, &p);
	if (r < 0)
		return r;
	r = policy_artifact_path(m->opts.state_dir, profile, path, sizeof(path));
	if (r < 0)
		return r;
	/* Only what must be enforced without us has an artifact. */
	if ((strcmp(p.mode, "enforce") != 0 && strcmp(p.mode, "complain") != 0) ||
	    store_policy_get(m->store, p.id, "approved", 0, &approved, NULL) < 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/artifacts", m->opts.state_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	art = json_object_new_object();
	json_object_object_add(art, "profile", json_object_new_string(profile));
	json_object_object_add(art, "mode", json_object_new_string(p.mode));
	json_object_object_add(art, "policy", json_object_get(approved));
	text = json_object_to_json_string_ext(art, JSON_C_TO_STRING_PRETTY);

	/* Atomically: a hook reading it never sees half a file. */
	r = write_landlock_rules(m, profile, approved);
	if (r < 0)
		return r;
	return write_atomic(path, text, 0600);
}

int policy_for_precreate(struct manager *m, const char *profile, const char *mode,
			 json_object *config, char **ret_note, char **ret_error)
{
	_cleanup_json_ json_object *approved = NULL;
	struct store_profile p;
	int64_t version = 0;
	int r;

	if (strcmp(mode, "enforce") != 0 && strcmp(mode, "complain") != 0)
		return 0;
	if (store_profile_get(m->store, profile, &p) < 0 ||
	    store_policy_get(m->store, p.id, "approved", 0, &approved, &version) < 0) {
		if (asprintf(ret_note, "profile '%s' is in %s mode but has no approved policy; "
				       "the config is unchanged", profile, mode) < 0)
			*ret_note = NULL;
		return 0;
	}
	{
		struct policy_apply_opts ao = {0};
		char shim[PATH_MAX], rules[PATH_MAX];
		json_object *aa = json_object_object_get(approved, "apparmor");
		if (m->landlock_abi > 0 && landlock_shim_path(shim, sizeof(shim)) == 0 &&
		    policy_landlock_path(m->opts.state_dir, profile, version, rules, sizeof(rules)) == 0 &&
		    (access(rules, R_OK) == 0 || policy_write_artifact(m, profile) >= 0) &&
		    access(rules, R_OK) == 0) {
			ao.shim_path = shim;
			ao.landlock_rules = rules;
		}
		/* Never name a profile where AppArmor is off: runc and crun then refuse to start. */
		if (apparmor_enabled() && aa &&
		    json_object_get_boolean(json_object_object_get(aa, "validated")) &&
		    apparmor_load(json_object_get_string(json_object_object_get(aa, "profile"))) == 0)
			ao.apparmor_name = json_object_get_string(json_object_object_get(aa, "name"));
		r = policy_apply(approved, config,
				 strcmp(mode, "complain") == 0 ? POLICY_COMPLAIN : POLICY_ENFORCE, &ao,
				 ret_error);
	}
	if (r >= 0 && asprintf(ret_note, "%s version %" PRId64, mode, version) < 0)
		*ret_note = NULL;
	return r;
}

static json_object *after_change(struct manager *m, const char *name, json_object *resp)
{
	int r = policy_write_artifact(m, name);

	if (r < 0)
		log_warning_errno(r, "cannot write the artifact of profile '%s': %m", name);
	return resp;
}

json_object *op_approve(struct manager *m, const struct ucred *peer, json_object *req)
{
	struct store_profile p;
	json_object *resp = NULL;
	const char *name = request_profile(m, req, "approve", &p, &resp);
	int64_t version;
	int r;

	if (!name)
		return resp;
	{
		_cleanup_json_ json_object *cand = NULL;
		json_object *aa;
		if (store_policy_get(m->store, p.id, "candidate", 0, &cand, NULL) == 0 &&
		    (aa = json_object_object_get(cand, "apparmor")) &&
		    json_object_is_type(json_object_object_get(aa, "validated"), json_type_boolean) &&
		    !json_object_get_boolean(json_object_object_get(aa, "validated")))
			return proto_response_error("the candidate of '%s' cannot be approved: its AppArmor "
						    "profile does not pass apparmor_parser: %s",
						    name,
						    json_object_get_string(json_object_object_get(aa, "error")));
	}
	r = store_approve(m->store, p.id, peer->uid, now_realtime_ms(), &version);
	if (r == -ENOENT)
		return proto_response_error("profile '%s' has no candidate policy to approve "
					    "(run it in learn mode first)", name);
	if (r < 0)
		return proto_response_error("approve '%s': store: %s", name, strerror(-r));
	log_info("profile '%s': version %" PRId64 " approved by uid %u; now enforcing", name, version,
		 (unsigned)peer->uid);
	resp = proto_response_ok();
	json_object_object_add(resp, "version", json_object_new_int64(version));
	json_object_object_add(resp, "mode", json_object_new_string("enforce"));
	return after_change(m, name, resp);
}

json_object *op_reject(struct manager *m, const struct ucred *peer, json_object *req)
{
	struct store_profile p;
	json_object *resp = NULL;
	const char *name = request_profile(m, req, "reject", &p, &resp);
	int64_t version;
	int r;

	if (!name)
		return resp;
	r = store_reject(m->store, p.id, peer->uid, now_realtime_ms(), &version);
	if (r == -ENOENT)
		return proto_response_error("profile '%s' has no candidate policy to reject", name);
	if (r < 0)
		return proto_response_error("reject '%s': store: %s", name, strerror(-r));
	log_info("profile '%s': candidate version %" PRId64 " rejected by uid %u", name, version,
		 (unsigned)peer->uid);
	resp = proto_response_ok();
	json_object_object_add(resp, "version", json_object_new_int64(version));
	return resp;
}

json_object *op_mode(struct manager *m, const struct ucred *peer, json_object *req)
{
	struct store_profile p;
	json_object *resp = NULL, *appr = NULL;
	const char *name = request_profile(m, req, "mode", &p, &resp);
	const char *mode = get_string(req, "mode");
	int r;

	if (!name)
		return resp;
	if (!mode || !profile_mode_valid(mode))
		return proto_response_error("mode: '%.32s' is not one of learn, enforce, complain, off",
					    mode ? mode : "");
	if ((strcmp(mode, "enforce") == 0 || strcmp(mode, "complain") == 0) &&
	    store_policy_get(m->store, p.id, "approved", 0, &appr, NULL) < 0)
		return proto_response_error("profile '%s' has no approved policy; approve a candidate "
					    "before switching to %s",
					    name, mode);
	json_object_put(appr);
	r = store_mode_set(m->store, p.id, mode, peer->uid, now_realtime_ms());
	if (r < 0)
		return proto_response_error("mode '%s': store: %s", name, strerror(-r));
	log_info("profile '%s': mode %s (was %s), set by uid %u", name, mode, p.mode, (unsigned)peer->uid);
	resp = proto_response_ok();
	json_object_object_add(resp, "mode", json_object_new_string(mode));
	return after_change(m, name, resp);
}

json_object *op_history(struct manager *m, const struct ucred *peer, json_object *req)
{
	struct store_profile p;
	json_object *resp = NULL, *hist;
	const char *name = request_profile(m, req, "history", &p, &resp);
	int r;

	if (!name)
		return resp;
	r = store_history_json(m->store, p.id, &hist);
	if (r < 0)
		return proto_response_error("history '%s': store: %s", name, strerror(-r));
	resp = proto_response_ok();
	json_object_object_add(hist, "profile", json_object_new_string(name));
	json_object_object_add(resp, "history", hist);
	return resp;
}

json_object *op_rollback(struct manager *m, const struct ucred *peer, json_object *req)
{
	struct store_profile p;
	json_object *resp = NULL, *v;
	const char *name = request_profile(m, req, "rollback", &p, &resp);
	int64_t version;
	int r;

	if (!name)
		return resp;
	if (!json_object_object_get_ex(req, "version", &v) || !json_object_is_type(v, json_type_int))
		return proto_response_error("rollback: request has no \"version\" integer");
	version = json_object_get_int64(v);
	r = store_policy_rollback(m->store, p.id, version, peer->uid, now_realtime_ms());
	if (r == -ENOENT)
		return proto_response_error("profile '%s' has no version %" PRId64, name, version);
	if (r == -EPERM)
		return proto_response_error("version %" PRId64 " of '%s' was never approved; "
					    "approve a candidate instead",
					    version, name);
	if (r < 0)
		return proto_response_error("rollback '%s': store: %s", name, strerror(-r));
	log_info("profile '%s': rolled back to version %" PRId64 " by uid %u", name, version,
		 (unsigned)peer->uid);
	resp = proto_response_ok();
	json_object_object_add(resp, "version", json_object_new_int64(version));
	return after_change(m, name, resp);
}

/* A policy of a profile ("approved", "candidate" or a version) and its OCI seccomp form. */
json_object *op_policy(struct manager *m, const struct ucred *peer, json_object *req)
{
	_cleanup_free_ char *err = NULL;
	struct store_profile p;
	json_object *resp = NULL, *policy = NULL, *oci = NULL, *v;
	const char *name = request_profile(m, req, "policy", &p, &resp);
	const char *which = get_string(req, "which");
	int64_t version = 0;
	int r;

	if (!name)
		return resp;
	if (json_object_object_get_ex(req, "version", &v) && json_object_is_type(v, json_type_int))
		r = store_policy_get(m->store, p.id, NULL, json_object_get_int64(v), &policy, &version);
	else
		r = store_policy_get(m->store, p.id, which ? which : "approved", 0, &policy, &version);
	if (r == -ENOENT)
		return proto_response_error("profile '%s' has no %s policy", name,
					    which ? which : "such");
	if (r < 0)
		return proto_response_error("policy '%s': store: %s", name, strerror(-r));
	r = policy_seccomp_oci(policy, NULL, POLICY_ENFORCE, &oci, &err);
	if (r < 0) {
		json_object_put(policy);
		return proto_response_error("policy '%s': %s", name, err);
	}
	resp = proto_response_ok();
	json_object_object_add(resp, "policy", policy);
	json_object_object_add(resp, "oci_seccomp", oci);
	json_object_object_add(resp, "version", json_object_new_int64(version));
	return resp;
}

static bool has_string(json_object *arr, const char *s)
{
	for (size_t k = 0; arr && k < json_object_array_length(arr); k++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, k)), s) == 0)
			return true;
	return false;
}

/* What complain-mode runs did that the approved policy would have denied. */
json_object *op_violations(struct manager *m, const struct ucred *peer, json_object *req)
{
	_cleanup_json_ json_object *observed = NULL, *approved = NULL;
	struct store_profile p;
	json_object *resp = NULL, *out, *syscalls, *caps, *allowed, *acaps;
	const char *name = request_profile(m, req, "violations", &p, &resp);
	static const char *const lists[] = {"syscalls_workload", "syscalls_runtime"};
	int r;

	if (!name)
		return resp;
	if (store_policy_get(m->store, p.id, "approved", 0, &approved, NULL) < 0)
		return proto_response_error("profile '%s' has no approved policy to compare with", name);
	r = store_observed_json(m->store, p.id, "complain", &observed);
	if (r < 0)
		return proto_response_error("violations '%s': store: %s", name, strerror(-r));

	allowed = json_object_object_get(json_object_object_get(approved, "seccomp"), "syscalls");
	acaps = json_object_object_get(approved, "capabilities");
	out = json_object_new_object();
	syscalls = json_object_new_array();
	caps = json_object_new_array();
	for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
		json_object *arr = json_object_object_get(json_object_object_get(observed, "observed"), lists[l]);
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			json_object *n = json_object_array_get_idx(arr, i);
			if (!has_string(allowed, json_object_get_string(n)) &&
			    !has_string(syscalls, json_object_get_string(n)))
				json_object_array_add(syscalls, json_object_get(n));
		}
	}
	{
		json_object *arr = json_object_object_get(json_object_object_get(observed, "observed"),
							  "capabilities");
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			json_object *n = json_object_array_get_idx(arr, i);
			if (!has_string(acaps, json_object_get_string(n)))
				json_object_array_add(caps, json_object_get(n));
		}
	}
	json_object_object_add(out, "profile", json_object_new_string(name));
	json_object_object_add(out, "syscalls", syscalls);
	json_object_object_add(out, "capabilities", caps);
	resp = proto_response_ok();
	json_object_object_add(resp, "violations", out);
	return resp;
}

// SPDX-License-Identifier: MIT
/* The operations of protocol v1: what policyd does for each hook and CLI request. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "apparmor.h"
#include "fileio.h"
#include "identity.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "oci.h"
#include "proto.h"
#include "requests.h"
#include "timeutil.h"
#include "tracer-events.h"

static json_object *get_object(json_object *req, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

static const char *get_string(json_object *req, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Records a new run of a profile in one transaction; ret_mode is the mode in force. */
static int open_run(struct manager *m, const struct identity *id, const char *mode_override,
		    const char *container_id, int64_t *ret_run_id, char ret_mode[16])
{
	int64_t now = now_realtime_ms(), profile_id;
	int r;

	r = store_begin(m->store);
	if (r < 0)
		return r;
	r = store_profile_ensure(m->store, id->name, identity_source_to_string(id->source), now,
				 &profile_id, ret_mode);
	if (r >= 0 && mode_override)
		snprintf(ret_mode, 16, "%s", mode_override);
	if (r >= 0 && container_id)
		r = store_run_open(m->store, profile_id, container_id, ret_mode, now, ret_run_id);
	if (r >= 0)
		r = store_commit(m->store);
	if (r < 0)
		store_rollback(m->store);
	return r;
}

static json_object *op_precreate(struct manager *m, json_object *req)
{
	_cleanup_free_ char *err = NULL;
	json_object *config = get_object(req, "config"), *resp;
	struct oci_config cfg;
	struct identity id;
	int64_t run_id = 0;
	char mode[16];
	int r;

	if (!config)
		return proto_response_error("precreate: request has no \"config\" object");
	if (oci_config_parse(config, &cfg, &err) < 0)
		return proto_response_error("precreate: %s", err);
	if (identity_resolve(cfg.annotations, cfg.args, cfg.container_id, cfg.storage,
			     cfg.n_storage, &id, &err) < 0)
		return proto_response_error("precreate: %s", err);

	log_context_set(id.name, cfg.container_id);
	r = open_run(m, &id, oci_annotation(cfg.annotations, ANNOTATION_MODE),
		     cfg.container_id[0] ? cfg.container_id : NULL, &run_id, mode);
	if (r < 0) {
		/* The store cannot take it (disk full, I/O error): like a daemon that is down, the
		 * container starts — enforced if approved, else unchanged — and we say what is lost. */
		struct store_profile p;
		log_warning_errno(r, "precreate: cannot record a run of profile '%s' (%m); "
				     "the container starts, its run is not recorded", id.name);
		snprintf(mode, sizeof(mode), "%s",
			 store_profile_get(m->store, id.name, &p) == 0 ? p.mode : "learn");
		if (oci_annotation(cfg.annotations, ANNOTATION_MODE))
			snprintf(mode, sizeof(mode), "%s", oci_annotation(cfg.annotations, ANNOTATION_MODE));
	}
	log_info("precreate %.12s: profile '%s' (%s), mode %s",
		 cfg.container_id[0] ? cfg.container_id : "(no id)", id.name,
		 identity_source_to_string(id.source), mode);

	/* learn and off: unchanged (learning is never weaker than stock); enforce and complain:
	 * the approved policy merged, never widening what the engine set. */
	{
		_cleanup_free_ char *note = NULL;
		r = policy_for_precreate(m, id.name, mode, config, &note, &err);
		if (r < 0)
			return proto_response_error("precreate: applying the policy of profile '%s': %s",
						    id.name, err);
		resp = proto_response_ok();
		json_object_object_add(resp, "config", json_object_get(config));
		json_object_object_add(resp, "profile", json_object_new_string(id.name));
		json_object_object_add(resp, "mode", json_object_new_string(mode));
		if (note) {
			json_object_object_add(resp, "policy", json_object_new_string(note));
			log_info("precreate %.12s: profile '%s': %s",
				 cfg.container_id[0] ? cfg.container_id : "(no id)", id.name, note);
		}
	}
	return resp;
}

/* A container seen first at createRuntime (an engine without precreate): identify it from its
 * bundle's config.json, which the runtime has on disk. */
static int identify_from_bundle(const struct oci_state *st, struct identity *ret, char **ret_error)
{
	_cleanup_json_ json_object *root = NULL;
	_cleanup_free_ char *buf = NULL, *err = NULL;
	struct oci_storage_ref storage = {0};
	struct oci_config cfg = {0};
	char path[1024], id[OCI_ID_MAX + 1];
	size_t len;

	if (st->bundle) {
		(void)oci_storage_from_path(st->bundle, &storage, id, sizeof(id));
		snprintf(path, sizeof(path), "%s/config.json", st->bundle);
		if (read_file_bounded(path, OCI_MAX_INPUT, &buf, &len) == 0 &&
		    oci_parse_json(buf, len, &root, &err) == 0 && oci_config_parse(root, &cfg, &err) == 0)
			return identity_resolve(cfg.annotations, cfg.args, st->id, &storage, 1, ret,
						ret_error);
	}
	return identity_resolve(st->annotations, NULL, st->id, &storage, storage.graph_root[0] ? 1 : 0,
				ret, ret_error);
}

static bool runtime_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static json_object *op_container_created(struct manager *m, json_object *req)
{
	_cleanup_free_ char *err = NULL;
	json_object *state = get_object(req, "state"), *resp;
	const char *runtime = get_string(req, "runtime");
	struct store_run run;
	struct oci_state st;
	uint64_t key;
	int r;

	if (!state)
		return proto_response_error("container-created: request has no \"state\" object");
	if (oci_state_parse(state, true, &st, &err) < 0)
		return proto_response_error("container-created: %s", err);
	if (!runtime || !runtime_name_valid(runtime))
		runtime = "unknown";

	r = store_run_find_open(m->store, st.id, &run);
	if (r == -ENOENT) {
		struct identity id;
		if (identify_from_bundle(&st, &id, &err) < 0)
			return proto_response_error("container-created: %s", err);
		r = open_run(m, &id, oci_annotation(st.annotations, ANNOTATION_MODE), st.id, &run.id,
			     run.mode);
		if (r >= 0)
			r = store_run_find_open(m->store, st.id, &run);
	}
	if (r < 0) {
		/* Nothing to attach the container to (store full or failing): it runs untraced. */
		log_warning_errno(r, "container %.12s: cannot record its run (%m); it is not traced",
				  st.id);
		resp = proto_response_ok();
		json_object_object_add(resp, "traced", json_object_new_boolean(0));
		return resp;
	}

	log_context_set(run.profile, st.id);
	r = mntns_key_of_pid(st.pid, m->key_kind, &key);
	if (r < 0)
		return proto_response_error(
			"container-created %.12s: cannot read the mount namespace of pid %d: %s", st.id,
			(int)st.pid, strerror(-r));
	r = store_run_set_started(m->store, run.id, st.pid, key, mntns_key_kind_to_string(m->key_kind),
				  runtime, now_realtime_ms());
	if (r < 0)
		return proto_response_error("container-created %.12s: store: %s", st.id, strerror(-r));

	/* Complain runs are traced too: what they do beyond the approved policy is what
	 * `policyctl violations` reports, and what a new candidate is compiled from. */
	if ((strcmp(run.mode, "learn") == 0 || strcmp(run.mode, "complain") == 0) && m->tracer) {
		r = manager_watch_add(m, key, run.id, st.pid);
		if (r < 0)
			return proto_response_error("container-created %.12s: cannot watch it: %s",
						    st.id, strerror(-r));
	}
	log_info("container %.12s started under %s: profile '%s', mode %s, mntns %s %" PRIu64,
		 st.id, runtime, run.profile, run.mode, mntns_key_kind_to_string(m->key_kind), key);

	resp = proto_response_ok();
	json_object_object_add(resp, "profile", json_object_new_string(run.profile));
	json_object_object_add(resp, "mode", json_object_new_string(run.mode));
	return resp;
}

static json_object *op_container_stopped(struct manager *m, json_object *req)
{
	_cleanup_free_ char *err = NULL;
	json_object *state = get_object(req, "state"), *resp;
	struct store_run run;
	struct oci_state st;
	int r;

	if (!state)
		return proto_response_error("container-stopped: request has no \"state\" object");
	if (oci_state_parse(state, false, &st, &err) < 0)
		return proto_response_error("container-stopped: %s", err);

	r = store_run_find_open(m->store, st.id, &run);
	if (r == -ENOENT) {
		/* Started before this daemon, or never through the hooks: nothing to close. */
		log_debug("container %.12s stopped; no open run", st.id);
		resp = proto_response_ok();
		json_object_object_add(resp, "known", json_object_new_boolean(0));
		return resp;
	}
	if (r < 0)
		return proto_response_error("container-stopped %.12s: store: %s", st.id, strerror(-r));

	log_context_set(run.profile, st.id);
	if (run.mntns_id)
		manager_stop_watching(m, (uint64_t)run.mntns_id);
	r = store_run_close(m->store, run.id, "stopped", now_realtime_ms());
	if (r < 0)
		return proto_response_error("container-stopped %.12s: store: %s", st.id, strerror(-r));
	log_info("container %.12s stopped: run %" PRId64 " of profile '%s' closed", st.id, run.id,
		 run.profile);
	if (strcmp(run.mode, "learn") == 0 || strcmp(run.mode, "complain") == 0)
		manager_queue_recompile(m, run.profile);

	resp = proto_response_ok();
	json_object_object_add(resp, "known", json_object_new_boolean(1));
	json_object_object_add(resp, "profile", json_object_new_string(run.profile));
	return resp;
}

static json_object *op_list(struct manager *m, json_object *req)
{
	json_object *arr, *resp;
	int r = store_list_json(m->store, &arr);

	if (r < 0)
		return proto_response_error("list: store: %s", strerror(-r));
	resp = proto_response_ok();
	json_object_object_add(resp, "profiles", arr);
	return resp;
}

static json_object *op_show(struct manager *m, json_object *req)
{
	const char *name = get_string(req, "profile");
	json_object *profile, *resp;
	int r;

	if (!name)
		return proto_response_error("show: request has no \"profile\" string");
	if (!profile_name_valid(name))
		return proto_response_error("show: '%.64s' is not a valid profile name", name);
	r = store_show_json(m->store, name, &profile);
	if (r == -ENOENT)
		return proto_response_error("no profile named '%s'", name);
	if (r < 0)
		return proto_response_error("show '%s': store: %s", name, strerror(-r));
	json_object_object_add(profile, "tracer",
			       m->tracer ? json_object_new_string("loaded")
					 : json_object_new_string("disabled"));
	json_object_object_add(profile, "ringbuf_drops",
			       json_object_new_int64(m->tracer ? (int64_t)tracer_counter(m->tracer,
											 COUNTER_RINGBUF_DROPS)
							       : 0));
	{
		/* Which layers a policy of this profile gets on this host. */
		json_object *layers = json_object_new_object();
		char ll[96];
		json_object_object_add(layers, "seccomp", json_object_new_string("enforced by the runtime"));
		json_object_object_add(layers, "capabilities", json_object_new_string("enforced by the runtime"));
		json_object_object_add(layers, "devices", json_object_new_string("enforced by the runtime"));
		json_object_object_add(layers, "apparmor",
				       json_object_new_string(apparmor_enabled()
								      ? "enforced: profile loaded and named in the config"
								      : "not enabled in this kernel: profiles are generated "
									"and validated, never applied"));
		if (m->landlock_abi > 0)
			snprintf(ll, sizeof(ll), "enforced: entry shim, Landlock ABI %d", m->landlock_abi);
		else
			snprintf(ll, sizeof(ll), "not in this kernel: the shim is not injected");
		json_object_object_add(layers, "landlock", json_object_new_string(ll));
		json_object_object_add(profile, "layers", layers);
	}
	json_object_object_add(profile, "capabilities_traced",
			       json_object_new_boolean(m->tracer && tracer_has_capabilities(m->tracer)));
	resp = proto_response_ok();
	json_object_object_add(resp, "profile", profile);
	return resp;
}

/* Adapters for the handlers that do not need the caller. */
#define NO_PEER(fn)                                                                                	static json_object *fn##_peer(struct manager *m, const struct ucred *peer, json_object *req) 	{                                                                                          		(void)peer;                                                                        		return fn(m, req);                                                                 	}
NO_PEER(op_precreate)
NO_PEER(op_container_created)
NO_PEER(op_container_stopped)
NO_PEER(op_list)
NO_PEER(op_show)

static const struct {
	const char *op;
	bool needs_root;
	json_object *(*handle)(struct manager *m, const struct ucred *peer, json_object *req);
} operations[] = {
	{PROTO_OP_PRECREATE, true, op_precreate_peer},
	{PROTO_OP_CONTAINER_CREATED, true, op_container_created_peer},
	{PROTO_OP_CONTAINER_STOPPED, true, op_container_stopped_peer},
	{PROTO_OP_LIST, false, op_list_peer},
	{PROTO_OP_SHOW, false, op_show_peer},
	{PROTO_OP_APPROVE, true, op_approve},
	{PROTO_OP_REJECT, true, op_reject},
	{PROTO_OP_MODE, true, op_mode},
	{PROTO_OP_ROLLBACK, true, op_rollback},
	{PROTO_OP_HISTORY, false, op_history},
	{PROTO_OP_POLICY, false, op_policy},
	{PROTO_OP_VIOLATIONS, false, op_violations},
};

static json_object *dispatch(struct manager *m, const struct ucred *peer, const char *op,
			     json_object *req)
{
	for (size_t i = 0; i < ELEMENTSOF(operations); i++) {
		if (strcmp(op, operations[i].op) != 0)
			continue;
		if (operations[i].needs_root && peer->uid != 0)
			return proto_response_error("permission denied: '%s' needs uid 0 (caller uid %u)",
						    op, (unsigned)peer->uid);
		return operations[i].handle(m, peer, req);
	}
	return proto_response_error("unknown operation '%.64s'", op);
}

json_object *request_handle(struct manager *m, const struct ucred *peer, json_object *req)
{
	const char *op = get_string(req, "op");
	json_object *resp, *ok;

	if (!op)
		resp = proto_response_error("request has no \"op\" string");
	else
		resp = dispatch(m, peer, op, req);
	/* Engines may not show a hook's stderr (Podman drops it for precreate): the reason a
	 * container was refused must be findable in our own log. */
	if (json_object_object_get_ex(resp, "ok", &ok) && !json_object_get_boolean(ok))
		log_warning("refused %s from pid %d uid %u: %s", op ? op : "request", (int)peer->pid,
			    (unsigned)peer->uid,
			    json_object_get_string(json_object_object_get(resp, "error")));
	log_context_set(NULL, NULL);
	return resp;
}

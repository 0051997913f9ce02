/* SPDX-License-Identifier: MIT */
/* The SQLite store: profiles, runs, observations, policy versions. All SQL lives in store.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "identity.h"

#define STORE_SCHEMA_VERSION 1

typedef struct store store;

struct store_run {
	int64_t id;
	int64_t profile_id;
	char profile[PROFILE_NAME_MAX + 1];
	char mode[16];
	int64_t mntns_id; /* 0 until createRuntime */
};

/*
 * Opens or creates the database at path (WAL, foreign keys), applying the schema or migrations.
 * Refuses a file that is not a policyd database or has a newer schema; *ret_error says which.
 */
int store_open(const char *path, store **ret, char **ret_error);
void store_free(store *s);

/* Finds or creates a profile; returns its id and current mode. */
int store_profile_ensure(store *s, const char *name, const char *source, int64_t now,
			 int64_t *ret_id, char ret_mode[16]);
/* Opens a run; an earlier run of the same container still open is closed as 'lost'. */
int store_run_open(store *s, int64_t profile_id, const char *container_id, const char *mode,
		   int64_t now, int64_t *ret_run_id);
/* The open run of a container: -ENOENT when there is none. */
int store_run_find_open(store *s, const char *container_id, struct store_run *ret);
int store_run_set_started(store *s, int64_t run_id, pid_t pid, uint64_t mntns_id,
			  const char *key_kind, const char *runtime, int64_t now);
int store_run_close(store *s, int64_t run_id, const char *exit_state, int64_t now);

struct store_open_run {
	int64_t id;
	char container_id[129];
	char profile[PROFILE_NAME_MAX + 1];
	char mode[16];
	pid_t pid;        /* 0 before createRuntime */
	uint64_t mntns_id; /* 0 before createRuntime */
};
/* Calls fn for every run still open (crash recovery); stops at the first fn < 0. */
int store_runs_open_foreach(store *s, int (*fn)(void *userdata, const struct store_open_run *run),
			    void *userdata);
/* Adds count to an observation of a run (creating it). */
int store_observation_add(store *s, int64_t run_id, const char *kind, const char *key,
			  const char *detail, const char *phase, int64_t count, int64_t now);
/* Records that an observation holds (count 1 when new, else only last_seen moves): for state
 * that is re-read rather than streamed, like the syscall bitmap. */
int store_observation_mark(store *s, int64_t run_id, const char *kind, const char *key,
			   const char *detail, const char *phase, int64_t now);
int store_begin(store *s);
int store_commit(store *s);
void store_rollback(store *s);

struct store_profile {
	int64_t id;
	char mode[16];
	int64_t candidate_version; /* 0: none */
	int64_t approved_version;  /* 0: none */
};

int store_profile_get(store *s, const char *name, struct store_profile *ret);
/* A profile's policy in a state ("candidate", "approved") or of a version (state NULL). */
int store_policy_get(store *s, int64_t profile_id, const char *state, int64_t version,
		     json_object **ret_policy, int64_t *ret_version);
/* The version the candidate of a profile has (returns 1) or will get when stored (returns 0). */
int store_candidate_version(store *s, int64_t profile_id, int64_t *ret_version);
/* Stores policy as the candidate (a new version, or the open candidate rewritten). */
int store_candidate_set(store *s, int64_t profile_id, json_object *policy, int64_t now,
			int64_t *ret_version);
int store_candidate_clear(store *s, int64_t profile_id);
/* The lifecycle; each is one transaction and is logged in approvals with uid and time. */
int store_approve(store *s, int64_t profile_id, uid_t uid, int64_t now, int64_t *ret_version);
int store_reject(store *s, int64_t profile_id, uid_t uid, int64_t now, int64_t *ret_version);
int store_mode_set(store *s, int64_t profile_id, const char *mode, uid_t uid, int64_t now);
int store_policy_rollback(store *s, int64_t profile_id, int64_t version, uid_t uid, int64_t now);
int store_history_json(store *s, int64_t profile_id, json_object **ret);

/* JSON for the CLI contract: the array of `policyctl list`, the object of `policyctl show`. */
int store_list_json(store *s, json_object **ret);
int store_show_json(store *s, const char *name, json_object **ret);
/* The observed part of show, limited to runs in one mode (complain, for violations). */
int store_observed_json(store *s, int64_t profile_id, const char *run_mode, json_object **ret);

// SPDX-License-Identifier: MIT
/* The SQLite store: every statement in one enum-indexed table, prepared once. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "log.h"
#include "errmsg.h"
#include "macro.h"
#include "store.h"
#include "timeutil.h"

extern const char store_schema_sql[]; /* schema/store.sql, embedded by the build */

enum stmt {
	STMT_PROFILE_GET,
	STMT_PROFILE_INSERT,
	STMT_RUN_CLOSE_OPEN_OF_CONTAINER,
	STMT_RUN_INSERT,
	STMT_RUN_FIND_OPEN,
	STMT_RUN_SET_STARTED,
	STMT_RUN_CLOSE,
	STMT_OBSERVATION_ADD,
	STMT_OBSERVATION_MARK,
	STMT_PROFILE_LIST,
	STMT_PROFILE_BY_NAME,
	STMT_RUNS_OF_PROFILE,
	STMT_OBSERVED_OF_PROFILE,
	STMT_RUNS_OPEN,
	STMT_PROFILE_GET_FULL,
	STMT_POLICY_BY_STATE,
	STMT_POLICY_BY_VERSION,
	STMT_POLICY_NEXT_VERSION,
	STMT_POLICY_INSERT,
	STMT_POLICY_UPDATE,
	STMT_POLICY_SET_STATE,
	STMT_POLICY_DELETE_CANDIDATE,
	STMT_POLICY_SUPERSEDE_APPROVED,
	STMT_PROFILE_SET_VERSIONS,
	STMT_PROFILE_SET_MODE,
	STMT_APPROVAL_INSERT,
	STMT_HISTORY_VERSIONS,
	STMT_HISTORY_ACTIONS,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	_STMT_MAX,
};

static const char *const stmt_sql[_STMT_MAX] = {
	[STMT_PROFILE_GET] = "SELECT id, mode FROM profiles WHERE name = ?1",
	[STMT_PROFILE_INSERT] = "INSERT INTO profiles (name, source, created) VALUES (?1, ?2, ?3)",
	[STMT_RUN_CLOSE_OPEN_OF_CONTAINER] =
		"UPDATE runs SET stopped = ?2, exit_state = 'lost' "
		"WHERE container_id = ?1 AND stopped IS NULL",
	[STMT_RUN_INSERT] = "INSERT INTO runs (profile_id, container_id, mode, created) "
			    "VALUES (?1, ?2, ?3, ?4)",
	[STMT_RUN_FIND_OPEN] = "SELECT r.id, r.profile_id, p.name, r.mode, IFNULL(r.mntns_id, 0) "
			       "FROM runs r JOIN profiles p ON p.id = r.profile_id "
			       "WHERE r.container_id = ?1 AND r.stopped IS NULL",
	[STMT_RUN_SET_STARTED] = "UPDATE runs SET pid = ?2, mntns_id = ?3, mntns_key_kind = ?4, "
				 "runtime = ?5, started = ?6 WHERE id = ?1",
	[STMT_RUN_CLOSE] = "UPDATE runs SET stopped = ?3, exit_state = ?2 "
			   "WHERE id = ?1 AND stopped IS NULL",
	[STMT_OBSERVATION_ADD] =
		"INSERT INTO observations (run_id, kind, key, detail, phase, count, first_seen, "
		"last_seen) VALUES (?1, ?2, ?3, ?4, ?7, ?5, ?6, ?6) "
		"ON CONFLICT (run_id, kind, key, detail, phase) DO UPDATE SET "
		"count = count + excluded.count, last_seen = excluded.last_seen",
	[STMT_OBSERVATION_MARK] =
		"INSERT INTO observations (run_id, kind, key, detail, phase, count, first_seen, "
		"last_seen) VALUES (?1, ?2, ?3, ?4, ?7, ?5, ?6, ?6) "
		"ON CONFLICT (run_id, kind, key, detail, phase) DO UPDATE SET "
		"last_seen = excluded.last_seen",
	[STMT_PROFILE_LIST] =
		"SELECT p.name, p.mode, p.source, p.created, p.candidate_version, "
		"p.approved_version, COUNT(r.id), MAX(r.created) "
		"FROM profiles p LEFT JOIN runs r ON r.profile_id = p.id "
		"GROUP BY p.id ORDER BY p.name",
	[STMT_PROFILE_BY_NAME] =
		"SELECT p.id, p.name, p.mode, p.source, p.created, p.candidate_version, "
		"p.approved_version, (SELECT COUNT(*) FROM runs r WHERE r.profile_id = p.id) "
		"FROM profiles p WHERE p.name = ?1",
	[STMT_RUNS_OF_PROFILE] =
		"SELECT container_id, mode, runtime, pid, mntns_id, created, started, stopped, "
		"exit_state FROM runs WHERE profile_id = ?1 ORDER BY id",
	[STMT_OBSERVED_OF_PROFILE] =
		"SELECT o.kind, o.key, o.detail, o.phase, SUM(o.count), MIN(o.first_seen), "
		"MAX(o.last_seen), COUNT(DISTINCT o.run_id) "
		"FROM observations o JOIN runs r ON r.id = o.run_id WHERE r.profile_id = ?1 "
		"AND (?2 IS NULL OR r.mode = ?2) "
		"GROUP BY o.kind, o.key, o.detail, o.phase ORDER BY o.kind, o.key, o.detail, o.phase",
	[STMT_RUNS_OPEN] = "SELECT r.id, r.container_id, p.name, r.mode, IFNULL(r.pid, 0), "
			   "IFNULL(r.mntns_id, 0) FROM runs r JOIN profiles p ON p.id = r.profile_id "
			   "WHERE r.stopped IS NULL ORDER BY r.id",
	[STMT_PROFILE_GET_FULL] = "SELECT id, mode, IFNULL(candidate_version, 0), "
				  "IFNULL(approved_version, 0) FROM profiles WHERE name = ?1",
	[STMT_POLICY_BY_STATE] = "SELECT version, policy FROM policy_versions "
				 "WHERE profile_id = ?1 AND state = ?2 ORDER BY version DESC LIMIT 1",
	[STMT_POLICY_BY_VERSION] = "SELECT version, policy, state FROM policy_versions "
				   "WHERE profile_id = ?1 AND version = ?2",
	[STMT_POLICY_NEXT_VERSION] = "SELECT IFNULL(MAX(version), 0) + 1 FROM policy_versions "
				     "WHERE profile_id = ?1",
	[STMT_POLICY_INSERT] = "INSERT INTO policy_versions (profile_id, version, state, created, "
			       "policy) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_POLICY_UPDATE] = "UPDATE policy_versions SET policy = ?3, created = ?4 "
			       "WHERE profile_id = ?1 AND version = ?2",
	[STMT_POLICY_SET_STATE] = "UPDATE policy_versions SET state = ?3 "
				  "WHERE profile_id = ?1 AND version = ?2",
	[STMT_POLICY_DELETE_CANDIDATE] = "DELETE FROM policy_versions "
					 "WHERE profile_id = ?1 AND state = 'candidate'",
	[STMT_POLICY_SUPERSEDE_APPROVED] = "UPDATE policy_versions SET state = 'superseded' "
					   "WHERE profile_id = ?1 AND state = 'approved'",
	[STMT_PROFILE_SET_VERSIONS] = "UPDATE profiles SET candidate_version = NULLIF(?2, 0), "
				      "approved_version = NULLIF(?3, 0) WHERE id = ?1",
	[STMT_PROFILE_SET_MODE] = "UPDATE profiles SET mode = ?2 WHERE id = ?1",
	[STMT_APPROVAL_INSERT] = "INSERT INTO approvals (profile_id, version, action, uid, at, note) "
				 "VALUES (?1, NULLIF(?2, 0), ?3, ?4, ?5, ?6)",
	[STMT_HISTORY_VERSIONS] = "SELECT version, state, created FROM policy_versions "
				  "WHERE profile_id = ?1 ORDER BY version",
	[STMT_HISTORY_ACTIONS] = "SELECT version, action, uid, at, note FROM approvals "
				 "WHERE profile_id = ?1 ORDER BY id",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[_STMT_MAX];
	char *path;
};

static int sqlite_to_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EUCLEAN;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

/* Fetches a prepared statement, reset and with its bindings cleared. */
static sqlite3_stmt *stmt_get(store *s, enum stmt id)
{
	sqlite3_stmt *st = s->stmt[id];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Runs a statement that returns no rows. */
static int stmt_exec(store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int r = sqlite_to_errno(rc);
		log_debug("store: %s: %s", sqlite3_sql(st), sqlite3_errmsg(s->db));
		sqlite3_reset(st);
		return r ? r : -EIO;
	}
	sqlite3_reset(st);
	return 0;
}

static int pragma_int(sqlite3 *db, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Brings an empty or older database up to STORE_SCHEMA_VERSION. */
static int store_migrate(store *s, char **ret_error)
{
	int64_t version = 0, tables = 0;
	char *errmsg = NULL;
	int rc;

	rc = pragma_int(s->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = pragma_int(s->db, "SELECT COUNT(*) FROM sqlite_schema", &tables);
	if (rc != SQLITE_OK)
		return error_set(ret_error, -EINVAL, "'%s' is not a usable policyd database: %s", s->path,
				 sqlite3_errstr(rc));
	if (version > STORE_SCHEMA_VERSION)
		return error_set(ret_error, -EINVAL,
				 "database '%s' has schema version %" PRId64
				 ", newer than this policyd knows (%d); refusing to touch it",
				 s->path, version, STORE_SCHEMA_VERSION);
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	if (version == 0 && tables > 0)
		return error_set(ret_error, -EINVAL,
				 "'%s' holds %" PRId64 " tables but no policyd schema version; "
				 "refusing to touch a database that is not policyd's",
				 s->path, tables);

	/* version 0, empty: the whole current schema at once. */
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &errmsg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, store_schema_sql, NULL, NULL, &errmsg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "PRAGMA user_version = 1; COMMIT", NULL, NULL, &errmsg);
	if (rc != SQLITE_OK) {
		int r = error_set(ret_error, -EINVAL, "creating the schema in '%s': %s", s->path,
				  errmsg ? errmsg : sqlite3_errstr(rc));
		sqlite3_free(errmsg);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	return 0;
}

int store_open(const char *path, store **ret, char **ret_error)
{
	store *s;
	char *errmsg = NULL;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return -ENOMEM;
	}
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
						   SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		int r = sqlite_to_errno(rc);
		error_set(ret_error, -EINVAL, "cannot open database '%s': %s", path,
			  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		store_free(s);
		return r ? r : -EIO;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* Hooks wait on us; a locked database is retried briefly, never forever. */
	sqlite3_busy_timeout(s->db, 2000);

	/* journal_mode is the first statement that reads the file: a non-database fails here. */
	rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
				 "PRAGMA synchronous = NORMAL",
			  NULL, NULL, &errmsg);
	if (rc != SQLITE_OK) {
		error_set(ret_error, -EINVAL, "'%s' is not a usable policyd database: %s", path,
			  errmsg ? errmsg : sqlite3_errstr(rc));
		sqlite3_free(errmsg);
		store_free(s);
		return -EUCLEAN;
	}
	if (store_migrate(s, ret_error) < 0) {
		store_free(s);
		return -EUCLEAN;
	}
	for (int i = 0; i < _STMT_MAX; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			error_set(ret_error, -EINVAL, "database '%s' does not match the schema: %s", path,
				  sqlite3_errmsg(s->db));
			store_free(s);
			return -EUCLEAN;
		}
	}
	*ret = s;
	return 0;
}

void store_free(store *s)
{
	if (!s)
		return;
	for (int i = 0; i < _STMT_MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db)
		sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_begin(store *s)
{
	return stmt_exec(s, stmt_get(s, STMT_BEGIN));
}

int store_commit(store *s)
{
	return stmt_exec(s, stmt_get(s, STMT_COMMIT));
}

void store_rollback(store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)stmt_exec(s, stmt_get(s, STMT_ROLLBACK));
}

int store_profile_ensure(store *s, const char *name, const char *source, int64_t now,
			 int64_t *ret_id, char ret_mode[16])
{
	sqlite3_stmt *st = stmt_get(s, STMT_PROFILE_GET);
	int rc, r;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_id = sqlite3_column_int64(st, 0);
		snprintf(ret_mode, 16, "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sqlite_to_errno(rc);

	st = stmt_get(s, STMT_PROFILE_INSERT);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	r = stmt_exec(s, st);
	if (r < 0)
		return r;
	*ret_id = sqlite3_last_insert_rowid(s->db);
	snprintf(ret_mode, 16, "learn");
	return 0;
}

int store_run_open(store *s, int64_t profile_id, const char *container_id, const char *mode,
		   int64_t now, int64_t *ret_run_id)
{
	sqlite3_stmt *st = stmt_get(s, STMT_RUN_CLOSE_OPEN_OF_CONTAINER);
	int r;

	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	r = stmt_exec(s, st);
	if (r < 0)
		return r;

	st = stmt_get(s, STMT_RUN_INSERT);
	sqlite3_bind_int64(st, 1, profile_id);
	sqlite3_bind_text(st, 2, container_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, mode, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	r = stmt_exec(s, st);
	if (r < 0)
		return r;
	*ret_run_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_run_find_open(store *s, const char *container_id, struct store_run *ret)
{
	sqlite3_stmt *st = stmt_get(s, STMT_RUN_FIND_OPEN);
	int rc;

	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -ENOENT : sqlite_to_errno(rc);
	}
	ret->id = sqlite3_column_int64(st, 0);
	ret->profile_id = sqlite3_column_int64(st, 1);
	snprintf(ret->profile, sizeof(ret->profile), "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(ret->mode, sizeof(ret->mode), "%s", (const char *)sqlite3_column_text(st, 3));
	ret->mntns_id = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	return 0;
}

int store_run_set_started(store *s, int64_t run_id, pid_t pid, uint64_t mntns_id,
			  const char *key_kind, const char *runtime, int64_t now)
{
	sqlite3_stmt *st = stmt_get(s, STMT_RUN_SET_STARTED);

	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_int64(st, 3, (int64_t)mntns_id);
	sqlite3_bind_text(st, 4, key_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, runtime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	return stmt_exec(s, st);
}

int store_run_close(store *s, int64_t run_id, const char *exit_state, int64_t now)
{
	sqlite3_stmt *st = stmt_get(s, STMT_RUN_CLOSE);

	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, exit_state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return stmt_exec(s, st);
}

static int observation_write(store *s, enum stmt id, int64_t run_id, const char *kind,
			     const char *key, const char *detail, const char *phase, int64_t count,
			     int64_t now)
{
	sqlite3_stmt *st = stmt_get(s, id);

	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, count);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_text(st, 7, phase ? phase : "workload", -1, SQLITE_STATIC);
	return stmt_exec(s, st);
}

int store_observation_add(store *s, int64_t run_id, const char *kind, const char *key,
			  const char *detail, const char *phase, int64_t count, int64_t now)
{
	return observation_write(s, STMT_OBSERVATION_ADD, run_id, kind, key, detail, phase, count,
				 now);
}

int store_observation_mark(store *s, int64_t run_id, const char *kind, const char *key,
			   const char *detail, const char *phase, int64_t now)
{
	return observation_write(s, STMT_OBSERVATION_MARK, run_id, kind, key, detail, phase, 1, now);
}

static json_object *json_time_or_null(sqlite3_stmt *st, int col)
{
	char buf[40];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return json_object_new_string(format_timestamp(sqlite3_column_int64(st, col), buf, sizeof(buf)));
}

static json_object *json_int_or_null(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return json_object_new_int64(sqlite3_column_int64(st, col));
}

static json_object *json_text_or_null(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	return json_object_new_string((const char *)sqlite3_column_text(st, col));
}

int store_list_json(store *s, json_object **ret)
{
	sqlite3_stmt *st = stmt_get(s, STMT_PROFILE_LIST);
	_cleanup_json_ json_object *arr = json_object_new_array();
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "profile", json_text_or_null(st, 0));
		json_object_object_add(o, "mode", json_text_or_null(st, 1));
		json_object_object_add(o, "source", json_text_or_null(st, 2));
		json_object_object_add(o, "created", json_time_or_null(st, 3));
		json_object_object_add(o, "candidate_version", json_int_or_null(st, 4));
		json_object_object_add(o, "approved_version", json_int_or_null(st, 5));
		json_object_object_add(o, "runs", json_object_new_int64(sqlite3_column_int64(st, 6)));
		json_object_object_add(o, "last_run", json_time_or_null(st, 7));
		json_object_array_add(arr, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sqlite_to_errno(rc);
	*ret = TAKE_PTR(arr);
	return 0;
}

static int show_runs(store *s, int64_t profile_id, json_object *out)
{
	sqlite3_stmt *st = stmt_get(s, STMT_RUNS_OF_PROFILE);
	json_object *arr = json_object_new_array();
	int rc;

	json_object_object_add(out, "run_history", arr);
	sqlite3_bind_int64(st, 1, profile_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "container_id", json_text_or_null(st, 0));
		json_object_object_add(o, "mode", json_text_or_null(st, 1));
		json_object_object_add(o, "runtime", json_text_or_null(st, 2));
		json_object_object_add(o, "pid", json_int_or_null(st, 3));
		json_object_object_add(o, "mntns_id", json_int_or_null(st, 4));
		json_object_object_add(o, "created", json_time_or_null(st, 5));
		json_object_object_add(o, "started", json_time_or_null(st, 6));
		json_object_object_add(o, "stopped", json_time_or_null(st, 7));
		json_object_object_add(o, "exit_state", json_text_or_null(st, 8));
		json_object_array_add(arr, o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sqlite_to_errno(rc);
}

/* Appends name to a JSON array of strings unless it is there already (lists here are short). */
static void add_unique(json_object *arr, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), name) == 0)
			return;
	json_object_array_add(arr, json_object_new_string(name));
}

/* Merges comma-separated access words into an object's "access" string. */
static void merge_access(json_object *o, const char *access)
{
	json_object *cur = json_object_object_get(o, "access");
	char merged[256];
	_cleanup_free_ char *copy = strdup(access);
	char *save = NULL;

	snprintf(merged, sizeof(merged), "%s", cur ? json_object_get_string(cur) : "");
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save)) {
		char padded[300], word[64];
		snprintf(padded, sizeof(padded), ",%s,", merged);
		snprintf(word, sizeof(word), ",%s,", w);
		if (!strstr(padded, word)) {
			size_t n = strlen(merged);
			snprintf(merged + n, sizeof(merged) - n, "%s%s", n ? "," : "", w);
		}
	}
	json_object_object_add(o, "access", json_object_new_string(merged));
}

/* The last element of arr if its field equals value, else a new object appended with it. */
static json_object *group_by(json_object *arr, const char *field, const char *value)
{
	size_t n = json_object_array_length(arr);
	json_object *o;

	if (n > 0) {
		o = json_object_array_get_idx(arr, n - 1);
		if (strcmp(json_object_get_string(json_object_object_get(o, field)), value) == 0)
			return o;
	}
	o = json_object_new_object();
	json_object_object_add(o, field, json_object_new_string(value));
	json_object_array_add(arr, o);
	return o;
}

/*
 * Observed behaviour: the union over the profile's runs. The CLI contract's keys come first
 * (syscalls and capabilities as names, files as {path, access}) and describe the workload;
 * syscalls_init lists what the runtime called during its own set-up. "observed_detail" keeps
 * every row, both phases, with counts and first/last seen.
 */
static int show_observed(store *s, int64_t profile_id, const char *run_mode, json_object *out)
{
	sqlite3_stmt *st = stmt_get(s, STMT_OBSERVED_OF_PROFILE);
	json_object *obs = json_object_new_object(), *detail = json_object_new_array();
	json_object *syscalls = json_object_new_array(), *sys_init = json_object_new_array(),
		    *sys_work = json_object_new_array(), *sys_runtime = json_object_new_array(),
		    *compat = json_object_new_array(), *secure = json_object_new_array(),
		    *files = json_object_new_array(), *failed = json_object_new_array(),
		    *execs = json_object_new_array(), *caps = json_object_new_array(),
		    *caps_denied = json_object_new_array(), *net = json_object_new_array(),
		    *devices = json_object_new_array();
	int rc;

	json_object_object_add(out, "observed", obs);
	json_object_object_add(out, "observed_detail", detail);
	json_object_object_add(obs, "syscalls", syscalls);
	json_object_object_add(obs, "syscalls_init", sys_init);
	json_object_object_add(obs, "syscalls_workload", sys_work);
	json_object_object_add(obs, "syscalls_runtime", sys_runtime);
	json_object_object_add(obs, "secureexec", secure);
	json_object_object_add(obs, "compat_syscalls", compat);
	json_object_object_add(obs, "files", files);
	json_object_object_add(obs, "failed_files", failed);
	json_object_object_add(obs, "execs", execs);
	json_object_object_add(obs, "capabilities", caps);
	json_object_object_add(obs, "capabilities_denied", caps_denied);
	json_object_object_add(obs, "network", net);
	json_object_object_add(obs, "devices", devices);

	sqlite3_bind_int64(st, 1, profile_id);
	if (run_mode)
		sqlite3_bind_text(st, 2, run_mode, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *key = (const char *)sqlite3_column_text(st, 1);
		const char *det = (const char *)sqlite3_column_text(st, 2);
		const char *phase = (const char *)sqlite3_column_text(st, 3);
		json_object *row = json_object_new_object(), *o;

		json_object_object_add(row, "kind", json_object_new_string(kind));
		json_object_object_add(row, "key", json_object_new_string(key));
		json_object_object_add(row, "detail", json_object_new_string(det));
		json_object_object_add(row, "phase", json_object_new_string(phase));
		json_object_object_add(row, "count", json_object_new_int64(sqlite3_column_int64(st, 4)));
		json_object_object_add(row, "first_seen", json_time_or_null(st, 5));
		json_object_object_add(row, "last_seen", json_time_or_null(st, 6));
		json_object_object_add(row, "runs", json_object_new_int64(sqlite3_column_int64(st, 7)));
		json_object_array_add(detail, row);

		/* The runtime's own set-up (pivot_root, /proc masking, ...) is not the workload's:
		 * only its syscalls are listed, since seccomp is in force before the exec. */
		if (strcmp(phase, "workload") != 0 && strcmp(kind, "syscall") != 0)
			continue;
		if (strcmp(kind, "syscall") == 0) {
			if (strcmp(det, "x86_64") == 0) {
				add_unique(syscalls, key);
				add_unique(strcmp(phase, "workload") == 0 ? sys_work
					   : strcmp(phase, "runtime") == 0 ? sys_runtime
									   : sys_init,
					   key);
			} else {
				char name[128];
				snprintf(name, sizeof(name), "%s:%s", det, key);
				add_unique(compat, name);
			}
		} else if (strcmp(kind, "file") == 0) {
			merge_access(group_by(files, "path", key), det);
		} else if (strcmp(kind, "file_failed") == 0) {
			const char *colon = strrchr(det, ':');
			o = group_by(failed, "path", key);
			json_object_object_add(o, "error", json_object_new_string(colon ? colon + 1 : det));
		} else if (strcmp(kind, "exec") == 0) {
			json_object *req;
			o = group_by(execs, "path", key);
			if (!json_object_object_get_ex(o, "requested", &req)) {
				req = json_object_new_array();
				json_object_object_add(o, "requested", req);
			}
			add_unique(req, det);
		} else if (strcmp(kind, "capability") == 0) {
			add_unique(strncmp(det, "granted", 7) == 0 ? caps : caps_denied, key);
		} else if (strcmp(kind, "network") == 0) {
			o = group_by(net, "call", key);
			json_object_object_add(o, "result", json_object_new_string(det));
		} else if (strcmp(kind, "secureexec") == 0) {
			add_unique(secure, key);
		} else if (strcmp(kind, "device") == 0) {
			o = group_by(devices, "device", key);
			json_object_object_add(o, "path", json_object_new_string(det));
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sqlite_to_errno(rc);
}

int store_show_json(store *s, const char *name, json_object **ret)
{
	sqlite3_stmt *st = stmt_get(s, STMT_PROFILE_BY_NAME);
	_cleanup_json_ json_object *o = NULL;
	int64_t profile_id;
	int rc, r;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -ENOENT : sqlite_to_errno(rc);
	}
	o = json_object_new_object();
	profile_id = sqlite3_column_int64(st, 0);
	json_object_object_add(o, "profile", json_text_or_null(st, 1));
	json_object_object_add(o, "mode", json_text_or_null(st, 2));
	json_object_object_add(o, "source", json_text_or_null(st, 3));
	json_object_object_add(o, "created", json_time_or_null(st, 4));
	json_object_object_add(o, "candidate_version", json_int_or_null(st, 5));
	json_object_object_add(o, "approved_version", json_int_or_null(st, 6));
	json_object_object_add(o, "runs", json_object_new_int64(sqlite3_column_int64(st, 7)));
	sqlite3_reset(st);

	{
		json_object *cand = NULL, *appr = NULL;
		(void)store_policy_get(s, profile_id, "candidate", 0, &cand, NULL);
		(void)store_policy_get(s, profile_id, "approved", 0, &appr, NULL);
		json_object_object_add(o, "candidate", cand);
		json_object_object_add(o, "approved", appr);
	}
	r = show_runs(s, profile_id, o);
	if (r >= 0)
		r = show_observed(s, profile_id, NULL, o);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(o);
	return 0;
}

int store_observed_json(store *s, int64_t profile_id, const char *run_mode, json_object **ret)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	int r = show_observed(s, profile_id, run_mode, o);

	if (r < 0)
		return r;
	*ret = TAKE_PTR(o);
	return 0;
}

/* --- policies and their lifecycle ------------------------------------------------------- */

int store_profile_get(store *s, const char *name, struct store_profile *ret)
{
	sqlite3_stmt *st = stmt_get(s, STMT_PROFILE_GET_FULL);
	int rc;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -ENOENT : sqlite_to_errno(rc);
	}
	ret->id = sqlite3_column_int64(st, 0);
	snprintf(ret->mode, sizeof(ret->mode), "%s", (const char *)sqlite3_column_text(st, 1));
	ret->candidate_version = sqlite3_column_int64(st, 2);
	ret->approved_version = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	return 0;
}

int store_policy_get(store *s, int64_t profile_id, const char *state, int64_t version,
		     json_object **ret_policy, int64_t *ret_version)
{
	sqlite3_stmt *st = stmt_get(s, state ? STMT_POLICY_BY_STATE : STMT_POLICY_BY_VERSION);
	json_object *p;
	int rc;

	sqlite3_bind_int64(st, 1, profile_id);
	if (state)
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, version);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -ENOENT : sqlite_to_errno(rc);
	}
	p = json_tokener_parse((const char *)sqlite3_column_text(st, 1));
	if (ret_version)
		*ret_version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (!p)
		return -EUCLEAN;
	*ret_policy = p;
	return 0;
}

static int set_versions(store *s, int64_t profile_id, int64_t candidate, int64_t approved)
{
	sqlite3_stmt *st = stmt_get(s, STMT_PROFILE_SET_VERSIONS);

	sqlite3_bind_int64(st, 1, profile_id);
	sqlite3_bind_int64(st, 2, candidate);
	sqlite3_bind_int64(st, 3, approved);
	return stmt_exec(s, st);
}

static int set_state(store *s, int64_t profile_id, int64_t version, const char *state)
{
	sqlite3_stmt *st = stmt_get(s, STMT_POLICY_SET_STATE);

	sqlite3_bind_int64(st, 1, profile_id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
	return stmt_exec(s, st);
}

static int log_action(store *s, int64_t profile_id, int64_t version, const char *action, uid_t uid,
		      int64_t now, const char *note)
{
	sqlite3_stmt *st = stmt_get(s, STMT_APPROVAL_INSERT);

	sqlite3_bind_int64(st, 1, profile_id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, uid);
	sqlite3_bind_int64(st, 5, now);
	if (note)
		sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
	return stmt_exec(s, st);
}

static int get_profile_by_id_versions(store *s, int64_t profile_id, int64_t *ret_candidate,
				      int64_t *ret_approved)
{
	int64_t v;

	*ret_candidate = store_policy_get(s, profile_id, "candidate", 0, &(json_object *){NULL}, &v) == 0
				 ? v
				 : 0;
	*ret_approved = 0;
	{
		json_object *p = NULL;
		if (store_policy_get(s, profile_id, "approved", 0, &p, &v) == 0) {
			*ret_approved = v;
			json_object_put(p);
		}
	}
	return 0;
}

/* Runs fn inside one transaction. */
#define IN_TRANSACTION(s, body)                                                                    \
	({                                                                                         \
		int _r = store_begin(s);                                                           \
		if (_r >= 0) {                                                                     \
			_r = (body);                                                               \
			if (_r >= 0)                                                               \
				_r = store_commit(s);                                              \
			if (_r < 0)                                                                \
				store_rollback(s);                                                 \
		}                                                                                  \
		_r;                                                                                \
	})

int store_candidate_version(store *s, int64_t profile_id, int64_t *ret_version)
{
	json_object *old = NULL;
	sqlite3_stmt *st;
	int r = store_policy_get(s, profile_id, "candidate", 0, &old, ret_version);

	json_object_put(old);
	if (r != -ENOENT)
		return r < 0 ? r : 1;
	st = stmt_get(s, STMT_POLICY_NEXT_VERSION);
	sqlite3_bind_int64(st, 1, profile_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -EIO;
	}
	*ret_version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int candidate_set_tx(store *s, int64_t profile_id, json_object *policy, int64_t now,
			    int64_t *ret_version)
{
	int64_t version, approved = 0, dummy;
	const char *text;
	sqlite3_stmt *st;
	int r;

	r = store_candidate_version(s, profile_id, &version);
	if (r == 0) {
		json_object_object_add(policy, "version", json_object_new_int64(version));
		text = json_object_to_json_string_ext(policy, JSON_C_TO_STRING_PLAIN);
		st = stmt_get(s, STMT_POLICY_INSERT);
		sqlite3_bind_int64(st, 1, profile_id);
		sqlite3_bind_int64(st, 2, version);
		sqlite3_bind_text(st, 3, "candidate", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_TRANSIENT);
		r = stmt_exec(s, st);
	} else if (r > 0) {
		json_object_object_add(policy, "version", json_object_new_int64(version));
		text = json_object_to_json_string_ext(policy, JSON_C_TO_STRING_PLAIN);
		st = stmt_get(s, STMT_POLICY_UPDATE);
		sqlite3_bind_int64(st, 1, profile_id);
		sqlite3_bind_int64(st, 2, version);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, now);
		r = stmt_exec(s, st);
	}
	if (r < 0)
		return r;
	get_profile_by_id_versions(s, profile_id, &dummy, &approved);
	r = set_versions(s, profile_id, version, approved);
	if (r >= 0)
		*ret_version = version;
	return r;
}

int store_candidate_set(store *s, int64_t profile_id, json_object *policy, int64_t now,
			int64_t *ret_version)
{
	return IN_TRANSACTION(s, candidate_set_tx(s, profile_id, policy, now, ret_version));
}

static int candidate_clear_tx(store *s, int64_t profile_id)
{
	sqlite3_stmt *st = stmt_get(s, STMT_POLICY_DELETE_CANDIDATE);
	int64_t c, a;
	int r;

	sqlite3_bind_int64(st, 1, profile_id);
	r = stmt_exec(s, st);
	if (r < 0)
		return r;
	get_profile_by_id_versions(s, profile_id, &c, &a);
	return set_versions(s, profile_id, 0, a);
}

int store_candidate_clear(store *s, int64_t profile_id)
{
	return IN_TRANSACTION(s, candidate_clear_tx(s, profile_id));
}

static int approve_tx(store *s, int64_t profile_id, uid_t uid, int64_t now, int64_t *ret_version)
{
	json_object *p = NULL;
	int64_t version;
	sqlite3_stmt *st;
	int r;

	r = store_policy_get(s, profile_id, "candidate", 0, &p, &version);
	json_object_put(p);
	if (r < 0)
		return r;
	st = stmt_get(s, STMT_POLICY_SUPERSEDE_APPROVED);
	sqlite3_bind_int64(st, 1, profile_id);
	r = stmt_exec(s, st);
	if (r >= 0)
		r = set_state(s, profile_id, version, "approved");
	if (r >= 0)
		r = set_versions(s, profile_id, 0, version);
	if (r >= 0) {
		st = stmt_get(s, STMT_PROFILE_SET_MODE);
		sqlite3_bind_int64(st, 1, profile_id);
		sqlite3_bind_text(st, 2, "enforce", -1, SQLITE_STATIC);
		r = stmt_exec(s, st);
	}
	if (r >= 0)
		r = log_action(s, profile_id, version, "approve", uid, now, NULL);
	if (r >= 0)
		*ret_version = version;
	return r;
}

int store_approve(store *s, int64_t profile_id, uid_t uid, int64_t now, int64_t *ret_version)
{
	return IN_TRANSACTION(s, approve_tx(s, profile_id, uid, now, ret_version));
}

static int reject_tx(store *s, int64_t profile_id, uid_t uid, int64_t now, int64_t *ret_version)
{
	json_object *p = NULL;
	int64_t version, c, a;
	int r;

	r = store_policy_get(s, profile_id, "candidate", 0, &p, &version);
	json_object_put(p);
	if (r < 0)
		return r;
	r = set_state(s, profile_id, version, "rejected");
	if (r >= 0) {
		get_profile_by_id_versions(s, profile_id, &c, &a);
		r = set_versions(s, profile_id, 0, a);
	}
	if (r >= 0)
		r = log_action(s, profile_id, version, "reject", uid, now, NULL);
	if (r >= 0)
		*ret_version = version;
	return r;
}

int store_reject(store *s, int64_t profile_id, uid_t uid, int64_t now, int64_t *ret_version)
{
	return IN_TRANSACTION(s, reject_tx(s, profile_id, uid, now, ret_version));
}

static int mode_set_tx(store *s, int64_t profile_id, const char *mode, uid_t uid, int64_t now)
{
	sqlite3_stmt *st = stmt_get(s, STMT_PROFILE_SET_MODE);
	int r;

	sqlite3_bind_int64(st, 1, profile_id);
	sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
	r = stmt_exec(s, st);
	if (r >= 0)
		r = log_action(s, profile_id, 0, "mode", uid, now, mode);
	return r;
}

int store_mode_set(store *s, int64_t profile_id, const char *mode, uid_t uid, int64_t now)
{
	return IN_TRANSACTION(s, mode_set_tx(s, profile_id, mode, uid, now));
}

static int rollback_tx(store *s, int64_t profile_id, int64_t version, uid_t uid, int64_t now)
{
	sqlite3_stmt *st = stmt_get(s, STMT_POLICY_BY_VERSION);
	char state[16] = "";
	int64_t c, a;
	int rc, r;

	sqlite3_bind_int64(st, 1, profile_id);
	sqlite3_bind_int64(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(state, sizeof(state), "%s", (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? -ENOENT : sqlite_to_errno(rc);
	/* Only what was approved once can be approved again without review. */
	if (strcmp(state, "approved") != 0 && strcmp(state, "superseded") != 0)
		return -EPERM;
	st = stmt_get(s, STMT_POLICY_SUPERSEDE_APPROVED);
	sqlite3_bind_int64(st, 1, profile_id);
	r = stmt_exec(s, st);
	if (r >= 0)
		r = set_state(s, profile_id, version, "approved");
	if (r >= 0) {
		get_profile_by_id_versions(s, profile_id, &c, &a);
		r = set_versions(s, profile_id, c, version);
	}
	if (r >= 0)
		r = log_action(s, profile_id, version, "rollback", uid, now, NULL);
	return r;
}

int store_policy_rollback(store *s, int64_t profile_id, int64_t version, uid_t uid, int64_t now)
{
	return IN_TRANSACTION(s, rollback_tx(s, profile_id, version, uid, now));
}

int store_history_json(store *s, int64_t profile_id, json_object **ret)
{
	sqlite3_stmt *st = stmt_get(s, STMT_HISTORY_VERSIONS);
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *versions = json_object_new_array(), *actions = json_object_new_array();
	int rc;

	json_object_object_add(o, "versions", versions);
	json_object_object_add(o, "actions", actions);
	sqlite3_bind_int64(st, 1, profile_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object *v = json_object_new_object();
		json_object_object_add(v, "version", json_object_new_int64(sqlite3_column_int64(st, 0)));
		json_object_object_add(v, "state", json_text_or_null(st, 1));
		json_object_object_add(v, "created", json_time_or_null(st, 2));
		json_object_array_add(versions, v);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sqlite_to_errno(rc);
	st = stmt_get(s, STMT_HISTORY_ACTIONS);
	sqlite3_bind_int64(st, 1, profile_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object *a = json_object_new_object();
		json_object_object_add(a, "version", json_int_or_null(st, 0));
		json_object_object_add(a, "action", json_text_or_null(st, 1));
		json_object_object_add(a, "uid", json_object_new_int64(sqlite3_column_int64(st, 2)));
		json_object_object_add(a, "at", json_time_or_null(st, 3));
		json_object_object_add(a, "note", json_text_or_null(st, 4));
		json_object_array_add(actions, a);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sqlite_to_errno(rc);
	*ret = TAKE_PTR(o);
	return 0;
}

int store_runs_open_foreach(store *s, int (*fn)(void *userdata, const struct store_open_run *run),
			    void *userdata)
{
	sqlite3_stmt *st = stmt_get(s, STMT_RUNS_OPEN);
	struct store_open_run *runs = NULL;
	size_t n = 0;
	int rc, r = 0;

	/* Collected first: fn may write to the store, which would reset this statement. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_open_run *next = realloc(runs, (n + 1) * sizeof(*runs)), *o;
		if (!next) {
			r = -ENOMEM;
			break;
		}
		runs = next;
		o = &runs[n++];
		o->id = sqlite3_column_int64(st, 0);
		snprintf(o->container_id, sizeof(o->container_id), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(o->profile, sizeof(o->profile), "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(o->mode, sizeof(o->mode), "%s", (const char *)sqlite3_column_text(st, 3));
		o->pid = (pid_t)sqlite3_column_int64(st, 4);
		o->mntns_id = (uint64_t)sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (r == 0 && rc != SQLITE_DONE)
		r = sqlite_to_errno(rc);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = fn(userdata, &runs[i]);
	free(runs);
	return r < 0 ? r : 0;
}

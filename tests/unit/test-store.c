// SPDX-License-Identifier: MIT
/* The SQLite store on real files: schema, runs, observations, refusal of foreign databases. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "harness.h"
#include "macro.h"
#include "store.h"

static char dir[64];

static const char *db_path(const char *name)
{
	static char path[128];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/policyd-test-store-XXXXXX");
		if (!mkdtemp(dir))
			exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static json_object *find_profile(json_object *list, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *p = json_object_array_get_idx(list, i);
		if (strcmp(json_object_get_string(json_object_object_get(p, "profile")), name) == 0)
			return p;
	}
	return NULL;
}

TEST(runs_and_observations)
{
	_cleanup_json_ json_object *list = NULL, *show = NULL;
	_cleanup_free_ char *err = NULL;
	struct store_run run;
	int64_t pid1, pid2, run1, run2;
	char mode[16];
	store *s;

	CHECK(store_open(db_path("a.db"), &s, &err) == 0);
	CHECK(store_profile_ensure(s, "t1", "annotation", 1000, &pid1, mode) == 0);
	CHECK_STREQ(mode, "learn");
	CHECK(store_profile_ensure(s, "t1", "annotation", 2000, &pid2, mode) == 0);
	CHECK(pid1 == pid2);

	CHECK(store_run_open(s, pid1, "c1", "learn", 1000, &run1) == 0);
	CHECK(store_run_find_open(s, "c1", &run) == 0 && run.id == run1);
	CHECK_STREQ(run.profile, "t1");
	CHECK(store_run_set_started(s, run1, 42, 77, "ns_id", "runc", 1100) == 0);
	CHECK(store_observation_add(s, run1, "exec", "/bin/sh", "", "workload", 1, 1200) == 0);
	CHECK(store_observation_add(s, run1, "exec", "/bin/sh", "", "workload", 2, 1300) == 0);
	CHECK(store_run_close(s, run1, "stopped", 1400) == 0);
	CHECK(store_run_find_open(s, "c1", &run) == -ENOENT);

	/* The same container id again (a restart): a new run; an unclosed one becomes 'lost'. */
	CHECK(store_run_open(s, pid1, "c1", "learn", 2000, &run2) == 0);
	CHECK(store_run_open(s, pid1, "c1", "learn", 3000, &run2) == 0);
	CHECK(store_observation_add(s, run2, "exec", "/bin/ls", "", "workload", 1, 3100) == 0);

	CHECK(store_list_json(s, &list) == 0);
	CHECK(json_object_get_int(json_object_object_get(find_profile(list, "t1"), "runs")) == 3);

	CHECK(store_show_json(s, "t1", &show) == 0);
	{
		json_object *hist = json_object_object_get(show, "run_history");
		json_object *execs = json_object_object_get(json_object_object_get(show, "observed"), "execs");
		CHECK(json_object_array_length(hist) == 3);
		CHECK_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(hist, 0), "runtime")), "runc");
		CHECK_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(hist, 0), "exit_state")), "stopped");
		CHECK_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(hist, 1), "exit_state")), "lost");
		/* The union over runs: /bin/sh in run 1 (counted 3 times), /bin/ls in run 3. */
		json_object *detail = json_object_object_get(show, "observed_detail");
		CHECK(json_object_array_length(execs) == 2);
		CHECK_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(execs, 1), "path")), "/bin/sh");
		CHECK(json_object_get_int(json_object_object_get(json_object_array_get_idx(detail, 1), "count")) == 3);
	}
	CHECK(store_show_json(s, "nope", &(json_object *){NULL}) == -ENOENT);
	store_free(s);

	/* Reopening keeps everything. */
	CHECK(store_open(db_path("a.db"), &s, &err) == 0);
	CHECK(store_run_find_open(s, "c1", &run) == 0 && run.id == run2);
	store_free(s);
}

TEST(observed_follows_the_cli_contract)
{
	_cleanup_json_ json_object *show = NULL;
	_cleanup_free_ char *err = NULL;
	int64_t pid, run;
	char mode[16];
	store *s;

	CHECK(store_open(db_path("b.db"), &s, &err) == 0);
	CHECK(store_profile_ensure(s, "web", "annotation", 1, &pid, mode) == 0);
	CHECK(store_run_open(s, pid, "c9", "learn", 1, &run) == 0);
	CHECK(store_observation_mark(s, run, "syscall", "mkdir", "x86_64", "workload", 2) == 0);
	CHECK(store_observation_mark(s, run, "syscall", "mkdir", "x86_64", "workload", 3) == 0);
	CHECK(store_observation_mark(s, run, "syscall", "prctl", "x86_64", "init", 2) == 0);
	CHECK(store_observation_mark(s, run, "syscall", "socketcall", "i386", "workload", 2) == 0);
	CHECK(store_observation_add(s, run, "file", "/tmp/f", "write,create", "workload", 1, 2) == 0);
	CHECK(store_observation_add(s, run, "file", "/tmp/f", "read", "workload", 1, 2) == 0);
	CHECK(store_observation_add(s, run, "capability", "CAP_CHOWN", "granted", "workload", 1, 2) == 0);
	CHECK(store_observation_add(s, run, "capability", "CAP_NET_RAW", "denied", "workload", 1, 2) == 0);
	CHECK(store_show_json(s, "web", &show) == 0);
	{
		json_object *o = json_object_object_get(show, "observed");
		json_object *files = json_object_object_get(o, "files");
		CHECK_STREQ(json_object_to_json_string(json_object_object_get(o, "syscalls")),
			    "[ \"mkdir\", \"prctl\" ]");
		CHECK_STREQ(json_object_to_json_string(json_object_object_get(o, "syscalls_init")),
			    "[ \"prctl\" ]");
		CHECK_STREQ(json_object_to_json_string(json_object_object_get(o, "compat_syscalls")),
			    "[ \"i386:socketcall\" ]");
		CHECK(json_object_array_length(files) == 1);
		/* Access merged over rows, each word once. */
		CHECK_STREQ(json_object_get_string(json_object_object_get(json_object_array_get_idx(files, 0), "access")),
			    "read,write,create");
		CHECK_STREQ(json_object_to_json_string(json_object_object_get(o, "capabilities")),
			    "[ \"CAP_CHOWN\" ]");
		CHECK_STREQ(json_object_to_json_string(json_object_object_get(o, "capabilities_denied")),
			    "[ \"CAP_NET_RAW\" ]");
	}
	/* A re-read bitmap is marked, not counted again. */
	{
		json_object *d = json_object_object_get(show, "observed_detail");
		for (size_t i = 0; i < json_object_array_length(d); i++) {
			json_object *row = json_object_array_get_idx(d, i);
			if (strcmp(json_object_get_string(json_object_object_get(row, "key")), "mkdir") == 0)
				CHECK(json_object_get_int(json_object_object_get(row, "count")) == 1);
		}
	}
	store_free(s);
}

TEST(refuses_a_file_that_is_not_a_database)
{
	const char *p = db_path("garbage.db");
	char before[64], after[64] = "";
	_cleanup_free_ char *err = NULL;
	store *s = NULL;
	int fd;

	memset(before, 'x', sizeof(before));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, before, sizeof(before)) == sizeof(before));
	close(fd);
	CHECK(store_open(p, &s, &err) < 0);
	CHECK_CONTAINS(err, "not a usable policyd database");
	/* Never overwritten. */
	fd = open(p, O_RDONLY);
	CHECK(read(fd, after, sizeof(after)) == sizeof(after));
	close(fd);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
}

TEST(refuses_newer_schema_and_foreign_databases)
{
	_cleanup_free_ char *err = NULL;
	sqlite3 *db;
	store *s = NULL;

	CHECK(sqlite3_open(db_path("newer.db"), &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(db_path("newer.db"), &s, &err) < 0);
	CHECK_CONTAINS(err, "schema version 99");
	free(err), err = NULL;

	CHECK(sqlite3_open(db_path("foreign.db"), &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(db_path("foreign.db"), &s, &err) < 0);
	CHECK_CONTAINS(err, "not policyd's");
}

TEST(cleanup)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

TEST_MAIN()

/* SPDX-License-Identifier: MIT */
/*
 * The daemon's manager: owns the listening socket, the client connections, the store and the
 * tracer, and runs the event loop. Requests are handled in requests.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <json-c/json.h>

#include "conffile.h"
#include "mntns.h"
#include "store.h"
#include "tracer.h"

#define MANAGER_MAX_CONNECTIONS 128
/* Of those, at most this many from non-root clients: they cannot crowd out the hooks. */
#define MANAGER_MAX_UNPRIVILEGED 32
/* A client has this long to send its request and read the response. */
#define MANAGER_CONNECTION_TIMEOUT_MS 5000
/* How often the syscall bitmaps of running containers are copied into the store. */
#define MANAGER_HARVEST_INTERVAL_MS 2000

struct manager_options {
	const char *socket_path;
	const char *state_dir;
	bool no_tracer;
	const char *btf_path; /* NULL: the running kernel's */
	const char *config_path;
	bool config_required; /* given explicitly: it must exist */
};

/* A container being traced: its mount-namespace key and the run it belongs to. */
struct watch {
	uint64_t key;
	int64_t run_id;
};

struct conn;

struct manager {
	struct manager_options opts;
	struct policyd_config conf;
	char *db_path;
	store *store;
	tracer *tracer;
	enum mntns_key_kind key_kind;
	int landlock_abi; /* 0: no Landlock in this kernel */

	int epoll_fd;
	int listen_fd;
	int signal_fd;
	int state_lock_fd;
	int socket_lock_fd;
	bool socket_activated; /* the socket is systemd's: never unlinked by us */
	uint64_t watchdog_usec; /* 0: no watchdog */
	int64_t next_watchdog;

	struct conn *conns[MANAGER_MAX_CONNECTIONS];
	size_t n_conns;
	size_t n_unprivileged;

	struct watch *watches;
	size_t n_watches;
	int64_t next_harvest;
	/* Profiles whose candidate must be recompiled: done when no request is in flight, so that
	 * the poststop hook (and with it `podman run --rm`) does not wait for the compiler. */
	char **pending_recompile;
	size_t n_pending_recompile;
	/* Namespaces whose init exited, unwatched at the end of the current ring-buffer batch. */
	uint64_t pending_unwatch[64];
	size_t n_pending_unwatch;

	bool quit;
};

/* Takes the locks, opens the store, loads the tracer, binds the socket. Logs its errors. */
int manager_new(const struct manager_options *opts, struct manager **ret);
void manager_free(struct manager *m);
int manager_run(struct manager *m);

int manager_watch_add(struct manager *m, uint64_t key, int64_t run_id, pid_t init_pid);
void manager_watch_remove(struct manager *m, uint64_t key);
/* Drains what a watched namespace recorded into the store, then stops watching it. */
void manager_stop_watching(struct manager *m, uint64_t key);
/* Queues a profile for recompilation (deduplicated). */
void manager_queue_recompile(struct manager *m, const char *profile);
/* Drains the tracer's ring buffer into the store in one transaction. */
void manager_flush_tracer(struct manager *m);

/* requests.c: one request in, one response out (never NULL). */
json_object *request_handle(struct manager *m, const struct ucred *peer, json_object *req);

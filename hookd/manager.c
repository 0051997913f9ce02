// SPDX-License-Identifier: MIT
/* The daemon's manager: locks, socket, connections, signals and the event loop. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "policy.h"
#include "proto.h"
#include "requests.h"
#include "timeutil.h"

enum source_type { SOURCE_LISTEN, SOURCE_SIGNAL, SOURCE_TRACER, SOURCE_CONN };

/* epoll's data pointer for the fixed sources. */
static enum source_type source_listen = SOURCE_LISTEN, source_signal = SOURCE_SIGNAL,
			source_tracer = SOURCE_TRACER;

/* One client: reads one frame, then writes one frame, then goes away. */
struct conn {
	enum source_type type; /* first: epoll data points here */
	int fd;
	struct ucred peer;
	int64_t deadline;
	uint8_t header[PROTO_HEADER_SIZE];
	size_t header_got;
	char *body;
	uint32_t body_len;
	size_t body_got;
	char *out;
	size_t out_len, out_sent;
};

static int mkdir_parents(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* An exclusive lock that names its holder, so that a second daemon can say who has it. */
static int take_lock(const char *path, const char *what, const char *subject)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	char pid[32] = "";

	if (fd < 0)
		return log_error_errno(errno, "cannot open lock file '%s': %m", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			return log_error_errno(EBUSY, "another policyd (pid %s) is already %s %s",
					       *pid ? pid : "?", what, subject);
		}
		return log_error_errno(errno, "cannot lock '%s': %m", path);
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
		log_warning("cannot write pid into '%s'", path);
	return TAKE_FD(fd);
}

/* Socket activation: systemd passes the listening socket (policyd.socket). */
static int take_activated_socket(struct manager *m)
{
	int n = sd_listen_fds(1);

	if (n <= 0)
		return n;
	if (n > 1)
		return log_error_errno(EINVAL, "systemd passed %d sockets; policyd takes one", n);
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0)
		return log_error_errno(EINVAL, "the socket systemd passed is not a listening Unix stream socket");
	/* Our lock still decides who serves the path: a second policyd started by hand must not
	 * bind over systemd's socket. */
	{
		char lock[PATH_MAX];
		snprintf(lock, sizeof(lock), "%s.lock", m->opts.socket_path);
		m->socket_lock_fd = take_lock(lock, "listening on", m->opts.socket_path);
		if (m->socket_lock_fd < 0)
			return m->socket_lock_fd;
	}
	m->listen_fd = SD_LISTEN_FDS_START;
	m->socket_activated = true;
	if (fcntl(m->listen_fd, F_SETFL, fcntl(m->listen_fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(m->listen_fd, F_SETFD, FD_CLOEXEC) < 0)
		return log_error_errno(errno, "cannot set up the activated socket: %m");
	log_info("using the socket passed by systemd");
	return 1;
}

static int bind_socket(struct manager *m)
{
	const char *path = m->opts.socket_path;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char lock[PATH_MAX], dir[PATH_MAX];
	_cleanup_close_ int fd = -1;
	char *slash;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(ENAMETOOLONG, "socket path '%s' is longer than %zu bytes", path,
				       sizeof(sa.sun_path) - 1);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		r = mkdir_parents(dir, 0755);
		if (r < 0)
			return log_error_errno(r, "cannot create socket directory '%s': %m", dir);
	}
	/* The lock beside the socket decides who owns the path; a socket left by a dead daemon
	 * is then safe to replace. */
	snprintf(lock, sizeof(lock), "%s.lock", path);
	m->socket_lock_fd = take_lock(lock, "listening on", path);
	if (m->socket_lock_fd < 0)
		return m->socket_lock_fd;

	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_error_errno(errno, "cannot create socket: %m");
	if (unlink(path) < 0 && errno != ENOENT)
		return log_error_errno(errno, "cannot remove stale socket '%s': %m", path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return log_error_errno(errno, "cannot bind '%s': %m", path);
	/* Anyone may connect and read (list, show); mutating operations check SO_PEERCRED. */
	if (chmod(path, 0666) < 0)
		return log_error_errno(errno, "cannot chmod '%s': %m", path);
	if (listen(fd, 128) < 0)
		return log_error_errno(errno, "cannot listen on '%s': %m", path);
	m->listen_fd = TAKE_FD(fd);
	return 0;
}

static struct watch *watch_find(struct manager *m, uint64_t key)
{
	for (size_t i = 0; i < m->n_watches; i++)
		if (m->watches[i].key == key)
			return &m->watches[i];
	return NULL;
}

static void observe(void *userdata, uint64_t mntns, const struct observation *o)
{
	struct manager *m = userdata;
	struct watch *w = watch_find(m, mntns);
	int r;

	if (!w)
		return; /* a record for a key unwatched meanwhile: its run is closed already */
	/* The syscall bitmap is re-read, not streamed: mark it rather than count it twice. */
	if (strcmp(o->kind, "syscall") == 0)
		r = store_observation_mark(m->store, w->run_id, o->kind, o->key, o->detail, o->phase,
					   now_realtime_ms());
	else
		r = store_observation_add(m->store, w->run_id, o->kind, o->key, o->detail, o->phase,
					  1, now_realtime_ms());
	if (r < 0)
		log_warning_errno(r, "cannot store %s observation '%s': %m", o->kind, o->key);
}

static void init_exited(void *userdata, uint64_t mntns)
{
	struct manager *m = userdata;

	/* The container's pid 1 is gone, and with it every process of the container: read what
	 * it did and stop watching now, rather than wait for poststop. */
	log_debug("init of mount namespace %" PRIu64 " exited", mntns);
	m->pending_unwatch[m->n_pending_unwatch < ELEMENTSOF(m->pending_unwatch)
				   ? m->n_pending_unwatch++
				   : ELEMENTSOF(m->pending_unwatch) - 1] = mntns;
}

/* Called with a transaction open: harvests the bitmap of one watched namespace. */
static void harvest(struct manager *m, uint64_t key)
{
	if (m->tracer && watch_find(m, key))
		(void)tracer_harvest_syscalls(m->tracer, key);
}

void manager_flush_tracer(struct manager *m)
{
	bool tx;

	if (!m->tracer)
		return;
	tx = store_begin(m->store) >= 0;
	(void)tracer_consume(m->tracer);
	/* Namespaces whose init exited during this batch: harvest, then unwatch. */
	for (size_t i = 0; i < m->n_pending_unwatch; i++) {
		harvest(m, m->pending_unwatch[i]);
		manager_watch_remove(m, m->pending_unwatch[i]);
	}
	m->n_pending_unwatch = 0;
	if (tx && store_commit(m->store) < 0) {
		log_warning("cannot commit observations; they are lost");
		store_rollback(m->store);
	}
}

/* Re-reads every watched namespace's syscall bitmap, so that show is current while it runs. */
static void harvest_all(struct manager *m)
{
	bool tx;

	if (!m->tracer || m->n_watches == 0)
		return;
	tx = store_begin(m->store) >= 0;
	for (size_t i = 0; i < m->n_watches; i++)
		harvest(m, m->watches[i].key);
	if (tx && store_commit(m->store) < 0)
		store_rollback(m->store);
	m->next_harvest = now_monotonic_ms() + MANAGER_HARVEST_INTERVAL_MS;
}

void manager_stop_watching(struct manager *m, uint64_t key)
{
	bool tx;

	if (!m->tracer || !watch_find(m, key))
		return;
	/* What the container did last is still in the ring buffer and the bitmap. */
	manager_flush_tracer(m);
	tx = store_begin(m->store) >= 0;
	harvest(m, key);
	if (tx && store_commit(m->store) < 0)
		store_rollback(m->store);
	manager_watch_remove(m, key);
}

static int watch_add(struct manager *m, uint64_t key, int64_t run_id, pid_t init_pid, bool running)
{
	struct watch *w;
	int r;

	w = watch_find(m, key);
	if (w) {
		w->run_id = run_id;
		return 0;
	}
	w = realloc(m->watches, (m->n_watches + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	m->watches = w;
	r = running ? tracer_rewatch(m->tracer, key, (uint64_t)run_id, init_pid)
		    : tracer_watch(m->tracer, key, (uint64_t)run_id, init_pid);
	if (r < 0)
		return r;
	m->watches[m->n_watches++] = (struct watch){.key = key, .run_id = run_id};
	if (m->n_watches == 1)
		m->next_harvest = now_monotonic_ms() + MANAGER_HARVEST_INTERVAL_MS;
	return 0;
}

void manager_queue_recompile(struct manager *m, const char *profile)
{
	char **next;

	for (size_t i = 0; i < m->n_pending_recompile; i++)
		if (strcmp(m->pending_recompile[i], profile) == 0)
			return;
	next = realloc(m->pending_recompile, (m->n_pending_recompile + 1) * sizeof(*next));
	if (!next)
		return;
	m->pending_recompile = next;
	m->pending_recompile[m->n_pending_recompile] = strdup(profile);
	if (m->pending_recompile[m->n_pending_recompile])
		m->n_pending_recompile++;
}

static void run_pending_recompiles(struct manager *m)
{
	while (m->n_pending_recompile > 0) {
		char *profile = m->pending_recompile[--m->n_pending_recompile];
		policy_recompile(m, profile);
		free(profile);
	}
}

int manager_watch_add(struct manager *m, uint64_t key, int64_t run_id, pid_t init_pid)
{
	return watch_add(m, key, run_id, init_pid, false);
}

/*
 * After a crash or restart: runs the store still has open belong to containers that either still
 * run (same init pid, same mount namespace) — watched again, so learning goes on — or ended while
 * we were away, whose runs are closed as lost. A run without a namespace yet (precreate seen,
 * createRuntime not) is left for its hooks.
 */
static int recover_run(void *userdata, const struct store_open_run *run)
{
	struct manager *m = userdata;
	uint64_t key = 0;

	if (!run->mntns_id)
		return 0;
	if (run->pid > 0 && mntns_key_of_pid(run->pid, m->key_kind, &key) == 0 && key == run->mntns_id) {
		if (m->tracer && (strcmp(run->mode, "learn") == 0 || strcmp(run->mode, "complain") == 0)) {
			int r = watch_add(m, key, run->id, run->pid, true);
			if (r < 0)
				log_warning_errno(r, "container %.12s: cannot watch it again: %m", run->container_id);
		}
		log_info("container %.12s of profile '%s' is still running: %s", run->container_id,
			 run->profile, m->tracer ? "tracing it again" : "its run stays open");
		return 0;
	}
	log_info("container %.12s of profile '%s' ended while policyd was not running: run closed as lost",
		 run->container_id, run->profile);
	(void)store_run_close(m->store, run->id, "lost", now_realtime_ms());
	return 0;
}

void manager_watch_remove(struct manager *m, uint64_t key)
{
	for (size_t i = 0; i < m->n_watches; i++) {
		if (m->watches[i].key != key)
			continue;
		if (m->tracer)
			(void)tracer_unwatch(m->tracer, key);
		m->watches[i] = m->watches[--m->n_watches];
		return;
	}
}

static int setup_signals(struct manager *m)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	m->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return m->signal_fd < 0 ? -errno : 0;
}

static int epoll_add(struct manager *m, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = {.events = events, .data.ptr = ptr};

	return epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int manager_new(const struct manager_options *opts, struct manager **ret)
{
	_cleanup_free_ char *err = NULL;
	struct manager *m;
	char lock[PATH_MAX];
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return log_error_errno(ENOMEM, "out of memory");
	m->opts = *opts;
	m->epoll_fd = m->listen_fd = m->signal_fd = m->state_lock_fd = m->socket_lock_fd = -1;
	config_defaults(&m->conf);
	if (opts->config_path) {
		r = config_load(&m->conf, opts->config_path, opts->config_required, &err);
		if (r < 0) {
			log_error("%s", err);
			goto fail;
		}
	}

	r = mkdir_parents(opts->state_dir, 0700);
	if (r < 0) {
		log_error_errno(r, "cannot create state directory '%s': %m", opts->state_dir);
		goto fail;
	}
	snprintf(lock, sizeof(lock), "%s/policyd.lock", opts->state_dir);
	m->state_lock_fd = take_lock(lock, "using state directory", opts->state_dir);
	if (m->state_lock_fd < 0) {
		r = m->state_lock_fd;
		goto fail;
	}

	if (asprintf(&m->db_path, "%s/policyd.db", opts->state_dir) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	r = store_open(m->db_path, &m->store, &err);
	if (r < 0) {
		log_error("%s", err ? err : strerror(-r));
		goto fail;
	}

	m->key_kind = mntns_key_kind_probe();
	m->landlock_abi = landlock_abi();
	if (!opts->no_tracer) {
		struct tracer_options topts = {
			.key_kind = m->key_kind,
			.btf_path = opts->btf_path,
			.cb = {.observe = observe, .init_exited = init_exited, .userdata = m},
		};
		r = tracer_new(&topts, &m->tracer, &err);
		if (r < 0) {
			log_error("%s", err ? err : strerror(-r));
			goto fail;
		}
	} else {
		log_warning("running without the BPF tracer (--no-tracer): learning records runs "
			    "but no behaviour");
	}

	r = store_runs_open_foreach(m->store, recover_run, m);
	if (r < 0)
		log_warning_errno(r, "cannot recover the runs left open: %m");

	r = setup_signals(m);
	if (r < 0) {
		log_error_errno(r, "cannot set up signal handling: %m");
		goto fail;
	}
	r = take_activated_socket(m);
	if (r == 0)
		r = bind_socket(m);
	if (r < 0)
		goto fail;
	if (sd_watchdog_enabled(0, &m->watchdog_usec) <= 0)
		m->watchdog_usec = 0;

	m->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epoll_fd < 0 || epoll_add(m, m->listen_fd, EPOLLIN, &source_listen) < 0 ||
	    epoll_add(m, m->signal_fd, EPOLLIN, &source_signal) < 0 ||
	    (m->tracer && epoll_add(m, tracer_fd(m->tracer), EPOLLIN, &source_tracer) < 0)) {
		r = log_error_errno(errno, "cannot set up epoll: %m");
		goto fail;
	}
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

static void conn_free(struct manager *m, struct conn *c)
{
	if (c->peer.uid != 0 && m->n_unprivileged > 0)
		m->n_unprivileged--;
	for (size_t i = 0; i < m->n_conns; i++)
		if (m->conns[i] == c) {
			m->conns[i] = m->conns[--m->n_conns];
			break;
		}
	if (c->fd >= 0)
		close(c->fd); /* also leaves the epoll set */
	free(c->body);
	free(c->out);
	free(c);
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	while (m->n_conns > 0)
		conn_free(m, m->conns[0]);
	if (m->listen_fd >= 0) {
		close(m->listen_fd);
		if (!m->socket_activated)
			unlink(m->opts.socket_path);
	}
	tracer_free(m->tracer);
	store_free(m->store);
	config_free(&m->conf);
	free(m->watches);
	for (size_t i = 0; i < m->n_pending_recompile; i++)
		free(m->pending_recompile[i]);
	free(m->pending_recompile);
	free(m->db_path);
	if (m->epoll_fd >= 0)
		close(m->epoll_fd);
	if (m->signal_fd >= 0)
		close(m->signal_fd);
	if (m->socket_lock_fd >= 0)
		close(m->socket_lock_fd);
	if (m->state_lock_fd >= 0)
		close(m->state_lock_fd);
	free(m);
}

static void conn_accept(struct manager *m)
{
	for (;;) {
		int fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		socklen_t len = sizeof(struct ucred);
		struct conn *c;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warning_errno(errno, "accept: %m");
			return;
		}
		if (m->n_conns >= MANAGER_MAX_CONNECTIONS) {
			/* Bounded concurrency: shed the newest rather than stall everyone. */
			log_warning("too many connections (%d); dropping one", MANAGER_MAX_CONNECTIONS);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->type = SOURCE_CONN;
		c->fd = fd;
		c->deadline = now_monotonic_ms() + MANAGER_CONNECTION_TIMEOUT_MS;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) < 0) {
			close(fd);
			free(c);
			continue;
		}
		if (c->peer.uid != 0 && m->n_unprivileged >= MANAGER_MAX_UNPRIVILEGED) {
			log_warning("too many connections from non-root clients (%d); dropping one of uid %u",
				    MANAGER_MAX_UNPRIVILEGED, (unsigned)c->peer.uid);
			close(fd);
			free(c);
			continue;
		}
		if (epoll_add(m, fd, EPOLLIN | EPOLLRDHUP, c) < 0) {
			close(fd);
			free(c);
			continue;
		}
		if (c->peer.uid != 0)
			m->n_unprivileged++;
		m->conns[m->n_conns++] = c;
	}
}

/* Queues a response and switches the connection to writing. */
static void conn_respond(struct manager *m, struct conn *c, json_object *resp)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};

	if (proto_encode(resp, &c->out, &c->out_len) < 0) {
		json_object *fallback = proto_response_error("response too large or out of memory");
		(void)proto_encode(fallback, &c->out, &c->out_len);
		json_object_put(fallback);
	}
	json_object_put(resp);
	if (!c->out || epoll_ctl(m->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		conn_free(m, c);
}

static void conn_process(struct manager *m, struct conn *c)
{
	_cleanup_free_ char *err = NULL;
	json_object *req = NULL;
	int r = proto_decode(c->body, c->body_len, &req, &err);

	if (r < 0) {
		log_warning("bad request from pid %d uid %u: %s", (int)c->peer.pid,
			    (unsigned)c->peer.uid, err ? err : strerror(-r));
		conn_respond(m, c, proto_response_error("bad request: %s", err ? err : strerror(-r)));
		return;
	}
	conn_respond(m, c, request_handle(m, &c->peer, req));
	json_object_put(req);
}

static void conn_readable(struct manager *m, struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->header_got < PROTO_HEADER_SIZE) {
			n = recv(c->fd, c->header + c->header_got, PROTO_HEADER_SIZE - c->header_got, 0);
		} else {
			n = recv(c->fd, c->body + c->body_got, c->body_len - c->body_got, 0);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			conn_free(m, c);
			return;
		}
		if (n == 0) { /* gone before a whole request */
			conn_free(m, c);
			return;
		}
		if (c->header_got < PROTO_HEADER_SIZE) {
			c->header_got += (size_t)n;
			if (c->header_got < PROTO_HEADER_SIZE)
				continue;
			if (proto_frame_length(c->header, PROTO_MAX_FRAME, &c->body_len) < 0) {
				log_warning("request from pid %d: frame length out of bounds",
					    (int)c->peer.pid);
				conn_respond(m, c, proto_response_error(
							   "bad request: frame length must be 1..%u",
							   PROTO_MAX_FRAME));
				return;
			}
			c->body = malloc(c->body_len);
			if (!c->body) {
				conn_free(m, c);
				return;
			}
			continue;
		}
		c->body_got += (size_t)n;
		if (c->body_got == c->body_len) {
			conn_process(m, c);
			return;
		}
	}
}

static void conn_writable(struct manager *m, struct conn *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		c->out_sent += (size_t)n;
	}
	conn_free(m, c);
}

static void handle_signal(struct manager *m)
{
	struct signalfd_siginfo si;

	while (read(m->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct policyd_config next;
			_cleanup_free_ char *err = NULL;
			config_defaults(&next);
			if (m->opts.config_path &&
			    config_load(&next, m->opts.config_path, m->opts.config_required, &err) < 0) {
				log_error("SIGHUP: keeping the current configuration: %s", err);
				config_free(&next);
				continue;
			}
			config_free(&m->conf);
			m->conf = next;
			log_info("SIGHUP: configuration reloaded (%zu never-allowed syscalls)",
				 m->conf.n_never_allow);
			continue;
		}
		log_info("received %s, shutting down", strsignal((int)si.ssi_signo));
		m->quit = true;
	}
}

/* Milliseconds until the earliest connection deadline, harvest or watchdog ping, -1: none. */
static int next_timeout(struct manager *m)
{
	int64_t earliest = m->n_watches > 0 ? m->next_harvest : INT64_MAX;

	if (m->watchdog_usec && m->next_watchdog < earliest)
		earliest = m->next_watchdog;

	for (size_t i = 0; i < m->n_conns; i++)
		if (m->conns[i]->deadline < earliest)
			earliest = m->conns[i]->deadline;
	return earliest == INT64_MAX ? -1 : deadline_remaining_ms(earliest);
}

static void expire_connections(struct manager *m)
{
	int64_t now = now_monotonic_ms();

	for (size_t i = 0; i < m->n_conns;) {
		struct conn *c = m->conns[i];
		if (c->deadline > now) {
			i++;
			continue;
		}
		log_warning("client pid %d did not finish its request in %d ms; dropped",
			    (int)c->peer.pid, MANAGER_CONNECTION_TIMEOUT_MS);
		conn_free(m, c); /* moves the last connection into slot i */
	}
}

/* Handles one epoll event. Returns true when it was a connection's: handling it may free
 * another connection that still has an event in this batch, so the caller stops the batch
 * there (level triggering reports the rest again). */
static bool handle_event(struct manager *m, struct epoll_event *ev)
{
	enum source_type *type = ev->data.ptr;

	switch (*type) {
	case SOURCE_LISTEN:
		conn_accept(m);
		return false;
	case SOURCE_SIGNAL:
		handle_signal(m);
		return false;
	case SOURCE_TRACER:
		manager_flush_tracer(m);
		return false;
	case SOURCE_CONN: {
		struct conn *c = (struct conn *)type;
		if (c->out)
			conn_writable(m, c);
		else
			conn_readable(m, c);
		return true;
	}
	}
	return false;
}

/* Stops accepting; finishes the requests already in flight (each bounded by its deadline). */
static void manager_drain(struct manager *m)
{
	(void)epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, m->listen_fd, NULL);
	while (m->n_conns > 0) {
		struct epoll_event events[32];
		int n = epoll_wait(m->epoll_fd, events, ELEMENTSOF(events), next_timeout(m));

		for (int i = 0; i < n; i++)
			if (handle_event(m, &events[i]))
				break;
		expire_connections(m);
	}
}

int manager_run(struct manager *m)
{
	log_info("policyd " POLICYD_VERSION " listening on %s, state in %s, tracer %s",
		 m->opts.socket_path, m->opts.state_dir, m->tracer ? "loaded" : "off");
	(void)sd_notifyf(0, "READY=1\nSTATUS=listening on %s, tracer %s", m->opts.socket_path,
			 m->tracer ? "loaded" : "off");
	while (!m->quit) {
		struct epoll_event events[32];
		int n = epoll_wait(m->epoll_fd, events, ELEMENTSOF(events), next_timeout(m));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return log_error_errno(errno, "epoll_wait: %m");
		}
		for (int i = 0; i < n; i++)
			if (handle_event(m, &events[i]))
				break;
		expire_connections(m);
		if (m->n_watches > 0 && now_monotonic_ms() >= m->next_harvest)
			harvest_all(m);
		/* Compile only when no hook is waiting on us. */
		if (m->n_conns == 0)
			run_pending_recompiles(m);
		/* Pinged from the loop itself: a daemon stuck anywhere misses it and is restarted. */
		if (m->watchdog_usec && now_monotonic_ms() >= m->next_watchdog) {
			(void)sd_notify(0, "WATCHDOG=1");
			m->next_watchdog = now_monotonic_ms() + (int64_t)(m->watchdog_usec / 2000);
		}
	}
	(void)sd_notify(0, "STOPPING=1\nSTATUS=draining and flushing the store");
	manager_drain(m);
	manager_flush_tracer(m);
	run_pending_recompiles(m);
	harvest_all(m);
	return 0;
}

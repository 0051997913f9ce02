// SPDX-License-Identifier: MIT
/* What both hook binaries share: bounded stdin, the daemon call, a hard time limit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "hookclient.h"
#include "macro.h"
#include "oci.h"
#include "timeutil.h"

int hook_timeout_ms(void)
{
	const char *env = getenv("POLICYD_HOOK_TIMEOUT_MS");
	long v;
	char *end;

	if (!env || !*env)
		return HOOK_DEFAULT_TIMEOUT_MS;
	v = strtol(env, &end, 10);
	if (*end || v < 100 || v > 60000)
		return HOOK_DEFAULT_TIMEOUT_MS;
	return (int)v;
}

static const char *backstop_program;

static void backstop_fire(int sig)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "%s: error: hard time limit reached, giving up\n",
			 backstop_program ? backstop_program : "policyd-hook");

	(void)sig;
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	_exit(1);
}

void hook_arm_backstop(const char *program, int timeout_ms)
{
	struct sigaction sa = {.sa_handler = backstop_fire};

	backstop_program = program;
	sigaction(SIGALRM, &sa, NULL);
	/* Every wait in the hook has its own deadline; this only catches what slips past them. */
	alarm((unsigned)(timeout_ms / 1000) * 2 + 2);
}

int hook_read_input(int timeout_ms, char **ret_raw, size_t *ret_len, json_object **ret_root,
		    char **ret_error)
{
	_cleanup_free_ char *raw = NULL;
	size_t len;
	int r;

	r = read_fd_bounded(STDIN_FILENO, OCI_MAX_INPUT, now_monotonic_ms() + timeout_ms, &raw, &len);
	if (r == -EFBIG) {
		if (asprintf(ret_error, "input exceeds the limit of %u bytes", OCI_MAX_INPUT) < 0)
			*ret_error = NULL;
		return r;
	}
	if (r == -ETIMEDOUT) {
		if (asprintf(ret_error, "no complete input on stdin within %d ms", timeout_ms) < 0)
			*ret_error = NULL;
		return r;
	}
	if (r < 0) {
		if (asprintf(ret_error, "reading stdin: %s", strerror(-r)) < 0)
			*ret_error = NULL;
		return r;
	}
	r = oci_parse_json(raw, len, ret_root, ret_error);
	if (r < 0)
		return r;
	*ret_len = len;
	*ret_raw = TAKE_PTR(raw);
	return 0;
}

void hook_runtime_name(char *buf, size_t size)
{
	_cleanup_free_ char *cmdline = NULL;
	char path[64];
	size_t len;
	const char *base;

	snprintf(buf, size, "unknown");
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getppid());
	/* crun runs from a sealed memfd, so /proc/PPID/exe says little; argv[0] names it. */
	if (read_file_bounded(path, 4096, &cmdline, &len) < 0 || len == 0)
		return;
	base = strrchr(cmdline, '/');
	base = base ? base + 1 : cmdline;
	if (*base && strlen(base) < size)
		snprintf(buf, size, "%s", base);
}

int hook_daemon_unreachable(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED || r == -ETIMEDOUT || r == -ECONNRESET ||
	       r == -EPIPE || r == -ENOTSOCK || r == -EACCES || r == -ENAMETOOLONG ||
	       r == -ENOTDIR || r == -EAGAIN;
}

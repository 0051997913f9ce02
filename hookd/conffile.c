// SPDX-License-Identifier: MIT
/* policyd.conf: "key = value" lines, '#' comments; lists are separated by spaces. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conffile.h"
#include "fileio.h"
#include "errmsg.h"
#include "macro.h"

/*
 * Never allowed by default: loading kernel code or BPF, replacing the kernel, the
 * open_by_handle_at escape (CVE-2014-3519 "shocker"), userfaultfd (a kernel-exploit primitive),
 * the kernel keyring, raw I/O ports, swap, reboot, accounting and the system clock.
 */
static const char *const default_never_allow[] = {
	"kexec_load",	    "kexec_file_load", "init_module",    "finit_module", "delete_module",
	"bpf",		    "perf_event_open", "open_by_handle_at", "userfaultfd", "add_key",
	"keyctl",	    "request_key",     "iopl",		 "ioperm",	"swapon",
	"swapoff",	    "reboot",	       "acct",		 "settimeofday", "clock_settime",
	"clock_adjtime",    "adjtimex",	       "quotactl",	 "lookup_dcookie", "vhangup",
	"nfsservctl",	    "uselib",	       "syslog",
};

static void clear_list(char **list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free(list[i]);
	*n = 0;
}

void config_defaults(struct policyd_config *c)
{
	*c = (struct policyd_config){0};
	for (size_t i = 0; i < ELEMENTSOF(default_never_allow); i++)
		c->never_allow[c->n_never_allow++] = strdup(default_never_allow[i]);
	snprintf(c->seccomp_default_action, sizeof(c->seccomp_default_action), "errno");
}

void config_free(struct policyd_config *c)
{
	clear_list(c->never_allow, &c->n_never_allow);
	clear_list(c->never_allow_override, &c->n_override);
}

static int parse_list(char *value, char **list, size_t *n, const char *path, int line,
		      char **ret_error)
{
	clear_list(list, n);
	for (char *save = NULL, *w = strtok_r(value, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (*n == CONFIG_MAX_NAMES)
			return error_set(ret_error, -EINVAL, "%s:%d: more than %d names", path, line, CONFIG_MAX_NAMES);
		if (strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(w))
			return error_set(ret_error, -EINVAL, "%s:%d: '%s' is not a syscall name", path, line, w);
		list[(*n)++] = strdup(w);
	}
	return 0;
}

int config_load(struct policyd_config *c, const char *path, bool required, char **ret_error)
{
	_cleanup_free_ char *buf = NULL;
	char *save = NULL;
	size_t len;
	int lineno = 0, r;

	r = read_file_bounded(path, 1 << 20, &buf, &len);
	if (r == -ENOENT && !required)
		return 0;
	if (r < 0)
		return error_set(ret_error, -EINVAL, "cannot read configuration file '%s': %s", path, strerror(-r));

	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *key, *value, *end;

		lineno++;
		line[strcspn(line, "#")] = '\0';
		key = line + strspn(line, " \t");
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return error_set(ret_error, -EINVAL, "%s:%d: expected 'key = value'", path, lineno);
		*eq = '\0';
		value = eq + 1 + strspn(eq + 1, " \t");
		for (end = eq; end > key && strchr(" \t", end[-1]); end--)
			end[-1] = '\0';
		for (end = value + strlen(value); end > value && strchr(" \t\r", end[-1]); end--)
			end[-1] = '\0';

		if (strcmp(key, "never_allow") == 0)
			r = parse_list(value, c->never_allow, &c->n_never_allow, path, lineno, ret_error);
		else if (strcmp(key, "never_allow_override") == 0)
			r = parse_list(value, c->never_allow_override, &c->n_override, path, lineno,
				       ret_error);
		else if (strcmp(key, "seccomp_default_action") == 0) {
			if (strcmp(value, "errno") != 0 && strcmp(value, "kill") != 0)
				return error_set(ret_error, -EINVAL, "%s:%d: seccomp_default_action must be errno or kill",
					    path, lineno);
			snprintf(c->seccomp_default_action, sizeof(c->seccomp_default_action), "%s", value);
			r = 0;
		} else
			return error_set(ret_error, -EINVAL, "%s:%d: unknown setting '%s'", path, lineno, key);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool in_list(char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

bool config_never_allows(const struct policyd_config *c, const char *syscall)
{
	return in_list(c->never_allow, c->n_never_allow, syscall);
}

bool config_overrides(const struct policyd_config *c, const char *syscall)
{
	return in_list(c->never_allow_override, c->n_override, syscall);
}

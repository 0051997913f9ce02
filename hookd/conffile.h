/* SPDX-License-Identifier: MIT */
/* policyd.conf: the host's settings for policy compilation. See packaging/policyd.conf. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_NAMES 128

struct policyd_config {
	/* Syscalls no learned policy may allow, whatever a workload was seen doing. */
	char *never_allow[CONFIG_MAX_NAMES];
	size_t n_never_allow;
	/* Explicit exceptions to never_allow; each use is logged. */
	char *never_allow_override[CONFIG_MAX_NAMES];
	size_t n_override;
	/* What a syscall outside the allowlist gets: "errno" (EPERM) or "kill". */
	char seccomp_default_action[16];
};

/* The built-in defaults (the never-allow list documented in policyd.conf(5)). */
void config_defaults(struct policyd_config *c);
/* Reads path over the defaults. A missing file is fine when !required. */
int config_load(struct policyd_config *c, const char *path, bool required, char **ret_error);
void config_free(struct policyd_config *c);
bool config_never_allows(const struct policyd_config *c, const char *syscall);
bool config_overrides(const struct policyd_config *c, const char *syscall);

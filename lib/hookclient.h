/* SPDX-License-Identifier: MIT */
/* What both hook binaries share: bounded stdin, the daemon call, a hard time limit. */
#pragma once

#include <stddef.h>
#include <json-c/json.h>

/* Default budget for the whole hook; $POLICYD_HOOK_TIMEOUT_MS overrides it (100..60000). */
#define HOOK_DEFAULT_TIMEOUT_MS 5000

int hook_timeout_ms(void);
/* Arms a SIGALRM backstop so that the hook can never outlive its budget by much. */
void hook_arm_backstop(const char *program, int timeout_ms);
/* Reads stdin (bounded in size and time) and parses it as a JSON object. */
int hook_read_input(int timeout_ms, char **ret_raw, size_t *ret_len, json_object **ret_root,
		    char **ret_error);
/* Name of the runtime that runs this hook (runc, crun, ...), from the parent's argv[0]. */
void hook_runtime_name(char *buf, size_t size);
/* True for errors that mean "no daemon is answering" rather than "the daemon said no". */
int hook_daemon_unreachable(int r);

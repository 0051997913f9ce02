/* SPDX-License-Identifier: MIT */
/* Request handlers, split by concern: containers (requests.c) and policies (requests-policy.c). */
#pragma once

#include <sys/socket.h>
#include <json-c/json.h>

#include "manager.h"

json_object *op_approve(struct manager *m, const struct ucred *peer, json_object *req);
json_object *op_reject(struct manager *m, const struct ucred *peer, json_object *req);
json_object *op_mode(struct manager *m, const struct ucred *peer, json_object *req);
json_object *op_history(struct manager *m, const struct ucred *peer, json_object *req);
json_object *op_rollback(struct manager *m, const struct ucred *peer, json_object *req);
json_object *op_policy(struct manager *m, const struct ucred *peer, json_object *req);
json_object *op_violations(struct manager *m, const struct ucred *peer, json_object *req);

/* After a learning or complain run ends: recompile the profile's candidate. */
void policy_recompile(struct manager *m, const char *profile);
/* Rewrites (or removes) the profile's artifact after a change of mode or approved version. */
int policy_write_artifact(struct manager *m, const char *profile);
/* The config precreate should return for a profile in `mode` (NULL: unchanged). */
int policy_for_precreate(struct manager *m, const char *profile, const char *mode,
			 json_object *config, char **ret_note, char **ret_error);

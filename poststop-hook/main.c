// SPDX-License-Identifier: MIT
/* policyd-poststop-hook: the OCI poststop hook; tells policyd that a container has ended. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "hookclient.h"
#include "log.h"
#include "macro.h"
#include "oci.h"
#include "proto.h"

int main(int argc, char **argv)
{
	_cleanup_json_ json_object *root = NULL, *req = NULL, *resp = NULL;
	_cleanup_free_ char *raw = NULL, *err = NULL;
	int timeout_ms = hook_timeout_ms();
	struct oci_state st;
	size_t len;
	int r;

	log_setup("policyd-poststop-hook", LOG_LEVEL_INFO);
	if (argc > 1 && strcmp(argv[1], "--version") == 0)
		return puts("policyd-poststop-hook " POLICYD_VERSION), 0;
	if (argc > 1) {
		fprintf(stderr, "usage: policyd-poststop-hook < STATE\n"
				"OCI poststop hook of oci-policyd; reads the container state on stdin.\n");
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}

	hook_arm_backstop("policyd-poststop-hook", timeout_ms);
	r = hook_read_input(timeout_ms, &raw, &len, &root, &err);
	if (r >= 0)
		r = oci_state_parse(root, false, &st, &err);
	if (r < 0)
		return log_error("poststop: bad state on stdin: %s", err ? err : strerror(-r)), 1;

	req = proto_request_new(PROTO_OP_CONTAINER_STOPPED);
	json_object_object_add(req, "state", json_object_get(root));
	r = proto_call(proto_socket_path(NULL), req, timeout_ms, &resp, &err);
	if (r < 0 && hook_daemon_unreachable(r)) {
		log_warning("%s; the end of container %.12s is not recorded", err, st.id);
		return 0;
	}
	if (r < 0)
		return log_error("poststop: policyd refused container %.12s: %s", st.id, err), 1;
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * The OCI container state the createRuntime, prestart and poststop hooks read on stdin:
 * oci_parse_json(), then oci_state_parse() with and without a required pid.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "oci.h"

static void check_state(json_object *root, bool need_pid)
{
	struct oci_state st;
	char *err = NULL;
	int r;

	memset(&st, 0xa5, sizeof(st));
	r = oci_state_parse(root, need_pid, &st, &err);
	if (r == 0) {
		/* What the hooks and the daemon rely on afterwards. */
		FUZZ_CHECK(st.id && oci_id_valid(st.id), "invalid id accepted");
		FUZZ_CHECK(!need_pid || st.pid > 0, "pid %d accepted with need_pid", (int)st.pid);
		FUZZ_CHECK(st.pid >= 0, "negative pid %d", (int)st.pid);
		FUZZ_CHECK(!st.bundle || st.bundle[0] == '/', "relative bundle accepted");
		FUZZ_CHECK(st.annotations && json_object_is_type(st.annotations, json_type_object),
			   "annotations not an object");
		(void)strlen(st.id);
		if (st.status)
			(void)strlen(st.status);
		if (st.bundle) {
			struct oci_storage_ref ref;
			char id[OCI_ID_MAX + 1];
			(void)strlen(st.bundle);
			/* The daemon finds the container's storage from its bundle path. */
			if (oci_storage_from_path(st.bundle, &ref, id, sizeof(id)))
				FUZZ_CHECK(strlen(id) == 64, "storage id of %zu chars", strlen(id));
		}
		(void)oci_annotation(st.annotations, "io.policyd.profile");
	} else {
		FUZZ_CHECK(r == -EINVAL && err, "r=%d without a message", r);
	}
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *root = NULL;
	char *buf, *err = NULL;

	buf = fuzz_dup(data, size);
	if (oci_parse_json(buf, size, &root, &err) == 0) {
		check_state(root, true);
		check_state(root, false);
	}
	free(err);
	json_object_put(root);
	free(buf);
	return 0;
}

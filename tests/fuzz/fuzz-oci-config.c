// SPDX-License-Identifier: MIT
/*
 * The OCI runtime config a precreate hook reads on stdin (and policyd gets in the precreate
 * request): oci_parse_json(), oci_config_parse(), then identity_resolve() as the daemon does.
 * Storage roots come from the input's mount paths. So that runs do not depend on the host (this
 * one may have a real /var/lib/containers/storage), they are moved under a directory that does
 * not exist before identity_resolve() looks there: it must take missing metadata in its stride.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "identity.h"
#include "oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *root = NULL;
	struct oci_config cfg;
	struct identity id;
	char *buf, *err = NULL;
	int r;

	buf = fuzz_dup(data, size);
	r = oci_parse_json(buf, size, &root, &err);
	if (r < 0)
		goto out;
	FUZZ_CHECK(json_object_is_type(root, json_type_object), "parsed a non-object");

	memset(&cfg, 0xa5, sizeof(cfg)); /* no reliance on the caller zeroing it */
	r = oci_config_parse(root, &cfg, &err);
	if (r < 0)
		goto out;
	FUZZ_CHECK(cfg.n_storage <= OCI_MAX_STORAGE_REFS, "n_storage=%zu", cfg.n_storage);
	FUZZ_CHECK(strlen(cfg.container_id) <= OCI_ID_MAX, "container id too long");
	for (size_t i = 0; i < cfg.n_storage; i++) {
		FUZZ_CHECK(memchr(cfg.storage[i].graph_root, '\0', sizeof(cfg.storage[i].graph_root)),
			   "graph_root not terminated");
		FUZZ_CHECK(memchr(cfg.storage[i].driver, '\0', sizeof(cfg.storage[i].driver)),
			   "driver not terminated");
	}

	for (size_t i = 0; i < cfg.n_storage; i++) {
		char root[sizeof(cfg.storage[i].graph_root)];
		snprintf(root, sizeof(root), "/nonexistent/policyd-fuzz%s", cfg.storage[i].graph_root);
		memcpy(cfg.storage[i].graph_root, root, sizeof(root));
	}

	memset(&id, 0, sizeof(id));
	r = identity_resolve(cfg.annotations, cfg.args, cfg.container_id, cfg.storage, cfg.n_storage,
			     &id, &err);
	if (r == 0) {
		/* The name becomes a store key and a file name; the daemon refuses requests
		 * (show, approve, mode, ...) for names that are not valid: every name it resolves
		 * must be one (README: 1-200 characters of A-Z a-z 0-9 . _ - : / @ +). */
		FUZZ_CHECK(profile_name_valid(id.name),
			   "identity_resolve() returned an invalid profile name \"%s\" (source %s)",
			   id.name, identity_source_to_string(id.source));
	} else {
		FUZZ_CHECK(r == -EINVAL && err, "r=%d without a message", r);
	}
out:
	free(err);
	json_object_put(root);
	free(buf);
	return 0;
}

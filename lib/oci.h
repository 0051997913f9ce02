/* SPDX-License-Identifier: MIT */
/*
 * Parsers for what OCI hooks receive: the runtime config (precreate) and the container state
 * (createRuntime, prestart, poststop). They validate and bound what they read and name the
 * offending field in a one-line error. Results borrow from the JSON object they were parsed from.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>

#define OCI_MAX_INPUT (4u << 20) /* a hook's stdin */
#define OCI_ID_MAX 128
#define OCI_MAX_ARGS 4096
#define OCI_MAX_STORAGE_REFS 4

struct oci_storage_ref {
	/* Where containers-storage keeps this container, from its userdata paths. */
	char graph_root[512]; /* e.g. /var/lib/containers/storage */
	char driver[32];      /* e.g. overlay: metadata lives in <root>/<driver>-containers/ */
};

struct oci_config {
	json_object *annotations; /* object of strings */
	json_object *args;        /* non-empty array of strings */
	/* Container id when the engine reveals it (Podman: in userdata mount sources), else "". */
	char container_id[OCI_ID_MAX + 1];
	/* Every distinct storage root its userdata paths name (graph root and run root); which
	 * one holds the metadata is for the reader to find out. */
	struct oci_storage_ref storage[OCI_MAX_STORAGE_REFS];
	size_t n_storage;
};

struct oci_state {
	const char *id;
	const char *status; /* may be NULL */
	const char *bundle; /* may be NULL */
	pid_t pid;          /* 0 when absent and not required */
	json_object *annotations;
};

/* Parses stdin bytes into a JSON object; *ret_error names the problem. */
int oci_parse_json(const char *buf, size_t len, json_object **ret, char **ret_error);

int oci_config_parse(json_object *root, struct oci_config *ret, char **ret_error);
int oci_state_parse(json_object *root, bool need_pid, struct oci_state *ret, char **ret_error);

/* Looks for ".../<driver>-containers/<64 hex id>/userdata" in path. */
bool oci_storage_from_path(const char *path, struct oci_storage_ref *ret_ref, char *ret_id,
			   size_t id_size);

bool oci_id_valid(const char *id);
/* String value of an annotation, or NULL. */
const char *oci_annotation(json_object *annotations, const char *key);

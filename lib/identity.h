/* SPDX-License-Identifier: MIT */
/*
 * Profile identity: which profile a container belongs to, so that the same workload lands on
 * the same profile across runs with no flag. Order (DESIGN.md): the io.policyd.profile
 * annotation, Kubernetes/CRI-O image annotations, the image the container was created from
 * (containers-storage metadata), last a hash of the command.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "oci.h"

#define PROFILE_NAME_MAX 200

#define ANNOTATION_PROFILE "io.policyd.profile"
#define ANNOTATION_MODE "io.policyd.mode"
/* Cap on containers-storage metadata files we are willing to parse. */
#define IDENTITY_MAX_STORAGE_JSON (64u << 20)

enum identity_source {
	IDENTITY_ANNOTATION,
	IDENTITY_KUBE_IMAGE,
	IDENTITY_IMAGE,
	IDENTITY_COMMAND,
};

struct identity {
	char name[PROFILE_NAME_MAX + 1];
	enum identity_source source;
};

const char *identity_source_to_string(enum identity_source s);
bool profile_name_valid(const char *name);
bool profile_mode_valid(const char *mode);

/*
 * Resolves the profile of a container. storage lists the containers-storage roots the engine's
 * paths name (n_storage may be 0). Fails only on an invalid annotation value, with a
 * one-line *ret_error naming it.
 */
int identity_resolve(json_object *annotations, json_object *args, const char *container_id,
		     const struct oci_storage_ref *storage, size_t n_storage, struct identity *ret,
		     char **ret_error);

/* The image name containers-storage recorded for a container; -ENOENT when none. */
int identity_image_from_storage(const struct oci_storage_ref *storage, const char *container_id,
				char *ret, size_t size);
/* "cmd-<argv0 basename>-<16 hex digits of FNV-1a over the NUL-joined args>". */
void identity_command_name(json_object *args, char *ret, size_t size);

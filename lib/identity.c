// SPDX-License-Identifier: MIT
/* Profile identity: which profile a container belongs to. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "identity.h"
#include "errmsg.h"
#include "macro.h"

/* Image-name annotations set by CRI-O and containerd for Kubernetes pods, most specific first. */
static const char *const kube_image_annotations[] = {
	"io.kubernetes.cri-o.ImageName",
	"io.kubernetes.cri.image-name",
};

const char *identity_source_to_string(enum identity_source s)
{
	static const char *const names[] = {
		[IDENTITY_ANNOTATION] = "annotation",
		[IDENTITY_KUBE_IMAGE] = "kube-image",
		[IDENTITY_IMAGE] = "image",
		[IDENTITY_COMMAND] = "command",
	};
	return names[s];
}

bool profile_name_valid(const char *name)
{
	size_t n = strlen(name);

	/* Image references fit: registry/repo:tag@sha256:digest. No spaces, no "..", no leading
	 * punctuation, so that a name is also safe as a file name component once '/' is mapped. */
	if (n == 0 || n > PROFILE_NAME_MAX || strstr(name, ".."))
		return false;
	if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", name[0]))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "._-:/@+") == n;
}

bool profile_mode_valid(const char *mode)
{
	return streq_ptr(mode, "learn") || streq_ptr(mode, "enforce") ||
	       streq_ptr(mode, "complain") || streq_ptr(mode, "off");
}

static int copy_name(const char *name, enum identity_source source, struct identity *ret)
{
	if (!profile_name_valid(name))
		return -EINVAL;
	snprintf(ret->name, sizeof(ret->name), "%s", name);
	ret->source = source;
	return 0;
}

static json_object *parse_json_file(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (read_file_bounded(path, IDENTITY_MAX_STORAGE_JSON, &buf, &len) < 0)
		return NULL;
	return json_tokener_parse(buf);
}

static json_object *find_by_id(json_object *arr, const char *id)
{
	if (!arr || !json_object_is_type(arr, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;
		if (json_object_object_get_ex(e, "id", &v) && json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), id) == 0)
			return e;
	}
	return NULL;
}

int identity_image_from_storage(const struct oci_storage_ref *storage, const char *container_id,
				char *ret, size_t size)
{
	_cleanup_json_ json_object *containers = NULL, *meta = NULL, *images = NULL;
	json_object *entry, *v, *img;
	char path[1024];
	const char *image_id = NULL;

	if (!storage || !storage->graph_root[0] || !container_id || !*container_id)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s-containers/containers.json", storage->graph_root,
		 storage->driver);
	containers = parse_json_file(path);
	entry = find_by_id(containers, container_id);
	if (!entry)
		return -ENOENT;

	/* Podman records {"image-name": "...", "image-id": "..."} as the container's metadata. */
	if (json_object_object_get_ex(entry, "metadata", &v) && json_object_is_type(v, json_type_string)) {
		meta = json_tokener_parse(json_object_get_string(v));
		if (meta && json_object_object_get_ex(meta, "image-name", &v) &&
		    json_object_is_type(v, json_type_string) && profile_name_valid(json_object_get_string(v))) {
			snprintf(ret, size, "%s", json_object_get_string(v));
			return 0;
		}
	}
	/* Otherwise the first name of the image it was created from. */
	if (json_object_object_get_ex(entry, "image", &v) && json_object_is_type(v, json_type_string))
		image_id = json_object_get_string(v);
	if (!image_id || !*image_id)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s-images/images.json", storage->graph_root, storage->driver);
	images = parse_json_file(path);
	img = find_by_id(images, image_id);
	if (img && json_object_object_get_ex(img, "names", &v) && json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0) {
		json_object *n = json_object_array_get_idx(v, 0);
		if (json_object_is_type(n, json_type_string) && profile_name_valid(json_object_get_string(n))) {
			snprintf(ret, size, "%s", json_object_get_string(n));
			return 0;
		}
	}
	/* An untagged image: its id still tells workloads apart. */
	snprintf(ret, size, "image-%.12s", image_id);
	return profile_name_valid(ret) ? 0 : -ENOENT;
}

void identity_command_name(json_object *args, char *ret, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 */
	const char *argv0 = "", *base;
	char word[32];
	size_t n, j = 0;

	for (size_t i = 0; args && i < json_object_array_length(args); i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(args, i));
		if (i == 0)
			argv0 = a;
		for (const char *p = a; ; p++) {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ULL;
			if (!*p)
				break;
		}
	}
	base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	/* Keep the readable part to characters a profile name allows, and never "..", which
	 * profile names refuse (found by fuzzing: "run..sh" made a profile nobody could name). */
	for (n = 0; base[n] && j < sizeof(word) - 1; n++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", base[n]) &&
		    !(base[n] == '.' && j > 0 && word[j - 1] == '.'))
			word[j++] = base[n];
	word[j] = '\0';
	if (j > 0)
		snprintf(ret, size, "cmd-%s-%016" PRIx64, word, h);
	if (j == 0 || !profile_name_valid(ret))
		snprintf(ret, size, "cmd-%016" PRIx64, h);
}

int identity_resolve(json_object *annotations, json_object *args, const char *container_id,
		     const struct oci_storage_ref *storage, size_t n_storage, struct identity *ret,
		     char **ret_error)
{
	const char *v = oci_annotation(annotations, ANNOTATION_PROFILE);
	const char *mode = oci_annotation(annotations, ANNOTATION_MODE);
	char image[PROFILE_NAME_MAX + 1];

	if (mode && !profile_mode_valid(mode))
		return error_set(ret_error, -EINVAL,
			    "annotation %s=\"%.64s\" is not one of learn, enforce, complain, off",
			    ANNOTATION_MODE, mode);
	if (v) {
		if (copy_name(v, IDENTITY_ANNOTATION, ret) < 0)
			return error_set(ret_error, -EINVAL,
				    "annotation %s=\"%.64s\" is not a valid profile name "
				    "(1-%d characters of A-Z a-z 0-9 . _ - : / @ +, starting with a "
				    "letter or digit)",
				    ANNOTATION_PROFILE, v, PROFILE_NAME_MAX);
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(kube_image_annotations); i++) {
		v = oci_annotation(annotations, kube_image_annotations[i]);
		if (v && copy_name(v, IDENTITY_KUBE_IMAGE, ret) == 0)
			return 0;
	}
	/* Only the graph root has containers.json; the run root is skipped by finding none. */
	for (size_t i = 0; i < n_storage; i++)
		if (identity_image_from_storage(&storage[i], container_id, image, sizeof(image)) == 0 &&
		    copy_name(image, IDENTITY_IMAGE, ret) == 0)
			return 0;

	identity_command_name(args, ret->name, sizeof(ret->name));
	ret->source = IDENTITY_COMMAND;
	return 0;
}

// SPDX-License-Identifier: MIT
/* Parsers for the OCI runtime config and container state that hooks receive. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "macro.h"
#include "oci.h"

int oci_parse_json(const char *buf, size_t len, json_object **ret, char **ret_error)
{
	_cleanup_json_ json_object *root = NULL;
	enum json_tokener_error jerr;
	json_tokener *tok;
	size_t end;

	if (len == 0)
		return error_set(ret_error, -EINVAL, "input is empty (expected a JSON object)");
	if (len > OCI_MAX_INPUT)
		return error_set(ret_error, -EINVAL, "input of %zu bytes exceeds the limit of %u", len, OCI_MAX_INPUT);
	if (memchr(buf, '\0', len))
		return error_set(ret_error, -EINVAL, "input contains a NUL byte");

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue || (!root && jerr == json_tokener_success))
		return error_set(ret_error, -EINVAL, "input is truncated JSON (ended after %zu bytes)", len);
	if (jerr != json_tokener_success)
		return error_set(ret_error, -EINVAL, "input is not valid JSON: %s at byte %zu",
			    json_tokener_error_desc(jerr), end);
	/* Only white space may follow the object. */
	for (size_t i = end; i < len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			return error_set(ret_error, -EINVAL, "input has trailing data at byte %zu", i);
	if (!json_object_is_type(root, json_type_object))
		return error_set(ret_error, -EINVAL, "input is not a JSON object");
	*ret = TAKE_PTR(root);
	return 0;
}

bool oci_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > OCI_ID_MAX)
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n &&
	       strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

const char *oci_annotation(json_object *annotations, const char *key)
{
	json_object *v;

	if (!annotations || !json_object_object_get_ex(annotations, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int check_annotations(json_object *root, json_object **ret, char **ret_error)
{
	json_object *a;

	if (!json_object_object_get_ex(root, "annotations", &a))
		return error_set(ret_error, -EINVAL, "missing field 'annotations' (an object of strings)");
	if (!json_object_is_type(a, json_type_object))
		return error_set(ret_error, -EINVAL, "field 'annotations' is not an object");
	json_object_object_foreach(a, key, val)
	{
		if (!json_object_is_type(val, json_type_string))
			return error_set(ret_error, -EINVAL, "annotation '%.64s' is not a string", key);
	}
	*ret = a;
	return 0;
}

bool oci_storage_from_path(const char *path, struct oci_storage_ref *ret_ref, char *ret_id,
			   size_t id_size)
{
	/* containers-storage: <graph or run root>/<driver>-containers/<id>/userdata[/...] */
	for (const char *p = strstr(path, "-containers/"); p; p = strstr(p + 1, "-containers/")) {
		const char *id = p + strlen("-containers/");
		const char *drv = p;
		size_t idlen = strspn(id, "0123456789abcdef");

		if (idlen != 64 || strncmp(id + 64, "/userdata", 9) != 0 || (id[73] != '/' && id[73]))
			continue;
		while (drv > path && drv[-1] != '/')
			drv--;
		if (drv == path || p - drv == 0 || (size_t)(p - drv) >= sizeof(ret_ref->driver) ||
		    (size_t)(drv - 1 - path) >= sizeof(ret_ref->graph_root) || id_size <= 64)
			continue;
		memcpy(ret_ref->driver, drv, (size_t)(p - drv));
		ret_ref->driver[p - drv] = '\0';
		memcpy(ret_ref->graph_root, path, (size_t)(drv - 1 - path));
		ret_ref->graph_root[drv - 1 - path] = '\0';
		memcpy(ret_id, id, 64);
		ret_id[64] = '\0';
		return true;
	}
	return false;
}

static void oci_storage_add(struct oci_config *c, const struct oci_storage_ref *ref)
{
	for (size_t i = 0; i < c->n_storage; i++)
		if (strcmp(c->storage[i].graph_root, ref->graph_root) == 0 &&
		    strcmp(c->storage[i].driver, ref->driver) == 0)
			return;
	if (c->n_storage < OCI_MAX_STORAGE_REFS)
		c->storage[c->n_storage++] = *ref;
}

int oci_config_parse(json_object *root, struct oci_config *ret, char **ret_error)
{
	struct oci_config c = {0};
	json_object *process, *args, *mounts;
	int r;

	if (!json_object_is_type(root, json_type_object))
		return error_set(ret_error, -EINVAL, "config is not a JSON object");
	if (!json_object_object_get_ex(root, "process", &process))
		return error_set(ret_error, -EINVAL, "config: missing field 'process'");
	if (!json_object_is_type(process, json_type_object))
		return error_set(ret_error, -EINVAL, "config: field 'process' is not an object");
	if (!json_object_object_get_ex(process, "args", &args))
		return error_set(ret_error, -EINVAL, "config: missing field 'process.args'");
	if (!json_object_is_type(args, json_type_array) || json_object_array_length(args) == 0)
		return error_set(ret_error, -EINVAL, "config: field 'process.args' is not a non-empty array");
	if (json_object_array_length(args) > OCI_MAX_ARGS)
		return error_set(ret_error, -EINVAL, "config: field 'process.args' has more than %d entries",
			    OCI_MAX_ARGS);
	for (size_t i = 0; i < json_object_array_length(args); i++)
		if (!json_object_is_type(json_object_array_get_idx(args, i), json_type_string))
			return error_set(ret_error, -EINVAL, "config: process.args[%zu] is not a string", i);
	c.args = args;

	r = check_annotations(root, &c.annotations, ret_error);
	if (r < 0)
		return error_set(ret_error, -EINVAL, "config: %s", *ret_error);

	/* Podman names the container only in the paths of its userdata mounts. */
	if (json_object_object_get_ex(root, "mounts", &mounts) &&
	    json_object_is_type(mounts, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(mounts); i++) {
			json_object *m = json_object_array_get_idx(mounts, i), *src;
			struct oci_storage_ref ref;
			char id[OCI_ID_MAX + 1];

			if (!json_object_is_type(m, json_type_object) ||
			    !json_object_object_get_ex(m, "source", &src) ||
			    !json_object_is_type(src, json_type_string))
				continue;
			if (!oci_storage_from_path(json_object_get_string(src), &ref, id, sizeof(id)))
				continue;
			if (c.container_id[0] && strcmp(c.container_id, id) != 0)
				return error_set(ret_error, -EINVAL, "config: mounts name two container ids");
			strcpy(c.container_id, id);
			oci_storage_add(&c, &ref);
		}
	}
	*ret = c;
	return 0;
}

int oci_state_parse(json_object *root, bool need_pid, struct oci_state *ret, char **ret_error)
{
	struct oci_state s = {0};
	json_object *v;
	int r;

	if (!json_object_is_type(root, json_type_object))
		return error_set(ret_error, -EINVAL, "state is not a JSON object");
	if (!json_object_object_get_ex(root, "id", &v))
		return error_set(ret_error, -EINVAL, "state: missing field 'id'");
	if (!json_object_is_type(v, json_type_string) || !oci_id_valid(json_object_get_string(v)))
		return error_set(ret_error, -EINVAL, "state: field 'id' is not a valid container id");
	s.id = json_object_get_string(v);

	if (json_object_object_get_ex(root, "pid", &v)) {
		int64_t pid;
		if (!json_object_is_type(v, json_type_int))
			return error_set(ret_error, -EINVAL, "state: field 'pid' is not an integer");
		pid = json_object_get_int64(v);
		if (pid <= 0 || pid > 0x3fffffff)
			return error_set(ret_error, -EINVAL, "state: field 'pid' is out of range (%" PRId64 ")", pid);
		s.pid = (pid_t)pid;
	} else if (need_pid) {
		return error_set(ret_error, -EINVAL, "state: missing field 'pid'");
	}

	if (json_object_object_get_ex(root, "status", &v) && json_object_is_type(v, json_type_string))
		s.status = json_object_get_string(v);
	if (json_object_object_get_ex(root, "bundle", &v)) {
		if (!json_object_is_type(v, json_type_string) || json_object_get_string(v)[0] != '/')
			return error_set(ret_error, -EINVAL, "state: field 'bundle' is not an absolute path");
		s.bundle = json_object_get_string(v);
	}
	r = check_annotations(root, &s.annotations, ret_error);
	if (r < 0)
		return error_set(ret_error, -EINVAL, "state: %s", *ret_error);
	*ret = s;
	return 0;
}

// SPDX-License-Identifier: MIT
/* Path generalisation shared by the AppArmor and Landlock backends. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "paths.h"

static const char *const temp_roots[] = {"/tmp/", "/var/tmp/", "/run/", "/var/run/", "/dev/shm/"};
static const char *const lib_dirs[] = {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/",
				       "/usr/local/lib/"};

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* Adds (or merges into) the rule for path. */
static void add_rule(json_object *rules, const char *path, const char *access, const char *why)
{
	char merged[16];

	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i);
		const char *cur;
		size_t n;
		if (strcmp(json_object_get_string(get(r, "path")), path) != 0)
			continue;
		cur = json_object_get_string(get(r, "access"));
		snprintf(merged, sizeof(merged), "%s", cur);
		n = strlen(merged);
		for (const char *a = access; *a && n < sizeof(merged) - 1; a++)
			if (!strchr(merged, *a)) {
				merged[n++] = *a;
				merged[n] = '\0';
			}
		json_object_object_add(r, "access", json_object_new_string(merged));
		return;
	}
	{
		json_object *r = json_object_new_object();
		json_object_object_add(r, "path", json_object_new_string(path));
		json_object_object_add(r, "access", json_object_new_string(access));
		json_object_object_add(r, "why", json_object_new_string(why));
		json_object_array_add(rules, r);
	}
}

/* "read,write,create" -> "rwc" */
static void access_letters(const char *words, char *out, size_t size)
{
	static const struct {
		const char *word;
		char letter;
	} map[] = {{"read", 'r'},     {"write", 'w'},	  {"create", 'c'}, {"truncate", 't'},
		   {"append", 'w'},   {"directory", 'd'}, {"exec", 'x'}};
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(map) && n < size - 1; i++)
		if (strstr(words, map[i].word) && !strchr(out, map[i].letter)) {
			out[n++] = map[i].letter;
			out[n] = '\0';
		}
}

static const char *prefix_of(const char *path, const char *const list[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(path, list[i], strlen(list[i])) == 0)
			return list[i];
	return NULL;
}

/*
 * A container names its own files. A name with glob, quote, escape or control characters (or
 * our own pattern syntax) would become a wider rule, or a new one, in an AppArmor profile or a
 * Landlock ruleset line; such paths never enter a policy (the workload then fails closed).
 */
bool paths_safe(const char *path)
{
	if (path[0] != '/' || strstr(path, "/**") || strstr(path, "@{") || strstr(path, "/../") ||
	    strlen(path) > 1000)
		return false;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p < 0x21 || *p > 0x7e || strchr("*?[]{}^\"\\#,", *p))
			return false;
	return true;
}

static void exclude_path(json_object *excluded, const char *path)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "path", json_object_new_string(path));
	json_object_object_add(e, "reason", json_object_new_string(
		"has characters policyd does not put in a policy (globs, quotes, controls)"));
	json_object_array_add(excluded, e);
}

json_object *paths_generalise(json_object *observed, json_object *excluded)
{
	json_object *rules = json_object_new_array(), *files = get(observed, "files");
	json_object *execs = get(observed, "execs");

	for (size_t i = 0; execs && i < json_object_array_length(execs); i++) {
		const char *path = json_object_get_string(get(json_object_array_get_idx(execs, i), "path"));
		if (!paths_safe(path)) {
			exclude_path(excluded, path);
			continue;
		}
		add_rule(rules, path, "rx", "executed");
	}

	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);
		const char *path = json_object_get_string(get(f, "path"));
		char access[16], folded[1100];
		const char *root;
		bool writes;

		if (!paths_safe(path)) {
			exclude_path(excluded, path);
			continue;
		}
		access_letters(json_object_get_string(get(f, "access")), access, sizeof(access));
		writes = strpbrk(access, "wct") != NULL;

		/* /proc/123/status -> /proc/@{pid}/status */
		if (strncmp(path, "/proc/", 6) == 0 && isdigit((unsigned char)path[6])) {
			const char *rest = path + 6 + strspn(path + 6, "0123456789");
			snprintf(folded, sizeof(folded), "/proc/@{pid}%s", rest);
			add_rule(rules, folded, access, "per-process /proc path");
			continue;
		}
		/* Written under a temporary root: the directory it was made in, and below. */
		root = prefix_of(path, temp_roots, ELEMENTSOF(temp_roots));
		if (writes && root) {
			const char *slash = strrchr(path, '/');
			snprintf(folded, sizeof(folded), "%.*s/**", (int)(slash - path), path);
			add_rule(rules, folded, "rwct", "files written in a temporary directory");
			continue;
		}
		/* Shared libraries: their directory, read and map. */
		if (!writes && prefix_of(path, lib_dirs, ELEMENTSOF(lib_dirs)) && strstr(path, ".so")) {
			const char *slash = strrchr(path, '/');
			snprintf(folded, sizeof(folded), "%.*s/**", (int)(slash - path), path);
			add_rule(rules, folded, "rm", "shared libraries");
			continue;
		}
		add_rule(rules, path, access, writes ? "written" : "read");
	}
	return rules;
}

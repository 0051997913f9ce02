/* SPDX-License-Identifier: MIT */
/*
 * Path generalisation shared by the AppArmor and Landlock backends: the files and programs a
 * workload was seen using, as a short list of rules an operator can read.
 */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

/*
 * From `observed` (show's object) to an array of {"path", "access", "why"}:
 *   access letters: r read, w write, c create, t truncate, x execute, d list a directory,
 *   m map (libraries); a path ending in "/ **" (without the space) is the tree below it, "@{pid}" any process.
 * Rules: per-process /proc paths folded to /proc/@{pid}/...; files written under a temporary
 * root (/tmp, /var/tmp, /run, /dev/shm) folded to the directory they were made in; shared
 * libraries folded to their directory (read and map); executed programs kept one by one;
 * everything else kept exactly. Nothing is widened to the whole filesystem.
 */
json_object *paths_generalise(json_object *observed, json_object *excluded);

/* Whether a path may enter a policy literally; unsafe ones are appended to `excluded` above. */
bool paths_safe(const char *path);

/* SPDX-License-Identifier: MIT */
/* Names for numbers the kernel reports: capabilities, errnos, address families, access bits. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CAPABILITY_MAX 41 /* CAP_CHECKPOINT_RESTORE + 1 */

/* "CAP_CHOWN"; "CAP_<n>" for numbers this table does not know. */
const char *capability_name(int cap);
/* Number of a "CAP_..." name, or -1. */
int capability_from_name(const char *name);
/* "ENOENT"; "E<n>" for unknown numbers. */
const char *errno_name(int err);
/* "inet", "inet6", "unix", "netlink", ...; "af<n>" otherwise. */
const char *family_name(unsigned family);
/* "stream", "dgram", "raw", ...; "type<n>" otherwise. */
const char *socket_type_name(unsigned type);
/* "read,write,create" from the tracer's ACCESS_* bits. */
void access_to_string(uint32_t access, char *buf, size_t size);
/* Inverse lookups: -1 when unknown. */
int family_from_name(const char *name);
int socket_type_from_name(const char *name);

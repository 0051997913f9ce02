/* SPDX-License-Identifier: MIT */
/*
 * The policyd wire protocol, version 1. Both sides include this header.
 *
 * A connection carries one request and one response. Each message is a frame: a 4-byte
 * big-endian length, then that many bytes of UTF-8 JSON holding one object. Every request has
 * "v" (the protocol version) and "op"; every response has "v" and "ok", and when "ok" is false
 * an "error" string of one line.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#define PROTO_VERSION 1
/* Largest frame either side accepts. A Podman config with its seccomp profile is ~17 KiB. */
#define PROTO_MAX_FRAME (4u << 20)
#define PROTO_HEADER_SIZE 4
/* Longest error string a response carries. */
#define PROTO_MAX_ERROR 512

/* Operations of version 1. */
#define PROTO_OP_PRECREATE "precreate"
#define PROTO_OP_CONTAINER_CREATED "container-created"
#define PROTO_OP_CONTAINER_STOPPED "container-stopped"
#define PROTO_OP_LIST "list"
#define PROTO_OP_SHOW "show"
#define PROTO_OP_APPROVE "approve"
#define PROTO_OP_REJECT "reject"
#define PROTO_OP_MODE "mode"
#define PROTO_OP_ROLLBACK "rollback"
#define PROTO_OP_HISTORY "history"
#define PROTO_OP_POLICY "policy"         /* a policy and its OCI seccomp form (diff, export) */
#define PROTO_OP_VIOLATIONS "violations" /* what complain runs did beyond the approved policy */

/* Length of a frame from its header; -EMSGSIZE when over max or zero. */
int proto_frame_length(const uint8_t header[PROTO_HEADER_SIZE], size_t max, uint32_t *ret_len);
void proto_frame_header(uint32_t len, uint8_t ret_header[PROTO_HEADER_SIZE]);

/*
 * Parses a frame body into a message object and checks its version. On failure returns
 * -EBADMSG (or -EPROTONOSUPPORT for another version) and sets *ret_error to a one-line,
 * malloc'd description of what was wrong.
 */
int proto_decode(const char *body, size_t len, json_object **ret_msg, char **ret_error);

/* Serialises msg into a malloc'd frame (header + body). */
int proto_encode(json_object *msg, char **ret_frame, size_t *ret_len);

json_object *proto_request_new(const char *op);
json_object *proto_response_ok(void);
json_object *proto_response_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Blocking frame I/O on fd with a monotonic deadline (see timeutil.h). -ETIMEDOUT when late. */
int proto_write_frame(int fd, json_object *msg, int64_t deadline);
int proto_read_frame(int fd, size_t max, int64_t deadline, json_object **ret_msg, char **ret_error);

/* Connects to the daemon's socket. -ENOENT / -ECONNREFUSED mean "no daemon there". */
int proto_connect(const char *socket_path, int64_t deadline);

/*
 * One request, one response. On a daemon-side error (ok=false) returns -EREMOTEIO with
 * *ret_error set to the daemon's message; on a transport error returns that errno, and
 * *ret_error describes it too.
 */
int proto_call(const char *socket_path, json_object *request, int timeout_ms,
	       json_object **ret_response, char **ret_error);

/* The socket path to use: the argument, else $POLICYD_SOCKET, else the built-in default. */
const char *proto_socket_path(const char *arg);

// SPDX-License-Identifier: MIT
/* The policyd wire protocol: framing, encoding, validation and a blocking client. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "config.h"
#include "errmsg.h"
#include "macro.h"
#include "proto.h"
#include "timeutil.h"

int proto_frame_length(const uint8_t header[PROTO_HEADER_SIZE], size_t max, uint32_t *ret_len)
{
	uint32_t len = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
		       (uint32_t)header[2] << 8 | header[3];

	if (len == 0 || len > max)
		return -EMSGSIZE;
	*ret_len = len;
	return 0;
}

void proto_frame_header(uint32_t len, uint8_t ret_header[PROTO_HEADER_SIZE])
{
	ret_header[0] = len >> 24;
	ret_header[1] = len >> 16;
	ret_header[2] = len >> 8;
	ret_header[3] = len;
}

int proto_decode(const char *body, size_t len, json_object **ret_msg, char **ret_error)
{
	_cleanup_json_ json_object *msg = NULL;
	json_tokener *tok;
	json_object *v;
	enum json_tokener_error jerr;

	if (len == 0 || len > PROTO_MAX_FRAME)
		return error_set(ret_error, -EBADMSG, "message of %zu bytes is out of bounds", len);
	if (memchr(body, '\0', len))
		return error_set(ret_error, -EBADMSG, "message contains a NUL byte");

	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	msg = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!msg || jerr != json_tokener_success) {
		const char *what = jerr == json_tokener_continue ? "truncated JSON"
								 : json_tokener_error_desc(jerr);
		size_t at = json_tokener_get_parse_end(tok);
		json_tokener_free(tok);
		return error_set(ret_error, -EBADMSG, "message is not valid JSON: %s at byte %zu",
				 what, at);
	}
	if (json_tokener_get_parse_end(tok) != len) {
		size_t at = json_tokener_get_parse_end(tok);
		json_tokener_free(tok);
		return error_set(ret_error, -EBADMSG, "trailing data after the JSON object at byte %zu", at);
	}
	json_tokener_free(tok);

	if (!json_object_is_type(msg, json_type_object))
		return error_set(ret_error, -EBADMSG, "message is not a JSON object");
	if (!json_object_object_get_ex(msg, "v", &v) || !json_object_is_type(v, json_type_int))
		return error_set(ret_error, -EBADMSG, "message has no protocol version \"v\"");
	if (json_object_get_int64(v) != PROTO_VERSION)
		return error_set(ret_error, -EPROTONOSUPPORT,
				 "protocol version %" PRId64 " not supported (this side speaks %d)",
				 json_object_get_int64(v), PROTO_VERSION);

	*ret_msg = TAKE_PTR(msg);
	return 0;
}

int proto_encode(json_object *msg, char **ret_frame, size_t *ret_len)
{
	size_t len;
	const char *text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);
	char *frame;

	if (!text)
		return -ENOMEM;
	if (len == 0 || len > PROTO_MAX_FRAME)
		return -EMSGSIZE;
	frame = malloc(PROTO_HEADER_SIZE + len);
	if (!frame)
		return -ENOMEM;
	proto_frame_header((uint32_t)len, (uint8_t *)frame);
	memcpy(frame + PROTO_HEADER_SIZE, text, len);
	*ret_frame = frame;
	*ret_len = PROTO_HEADER_SIZE + len;
	return 0;
}

json_object *proto_request_new(const char *op)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "v", json_object_new_int(PROTO_VERSION));
	json_object_object_add(o, "op", json_object_new_string(op));
	return o;
}

json_object *proto_response_ok(void)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "v", json_object_new_int(PROTO_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

json_object *proto_response_error(const char *fmt, ...)
{
	char msg[PROTO_MAX_ERROR];
	json_object *o = json_object_new_object();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	json_object_object_add(o, "v", json_object_new_int(PROTO_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		int r = poll(&p, 1, deadline_remaining_ms(deadline));
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int write_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				int r = wait_fd(fd, POLLOUT, deadline);
				if (r < 0)
					return r;
				continue;
			}
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				int r = wait_fd(fd, POLLIN, deadline);
				if (r < 0)
					return r;
				continue;
			}
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int proto_write_frame(int fd, json_object *msg, int64_t deadline)
{
	_cleanup_free_ char *frame = NULL;
	size_t len;
	int r = proto_encode(msg, &frame, &len);

	if (r < 0)
		return r;
	return write_all(fd, frame, len, deadline);
}

int proto_read_frame(int fd, size_t max, int64_t deadline, json_object **ret_msg, char **ret_error)
{
	uint8_t header[PROTO_HEADER_SIZE];
	_cleanup_free_ char *body = NULL;
	uint32_t len;
	int r;

	r = read_all(fd, (char *)header, sizeof(header), deadline);
	if (r < 0)
		return error_set(ret_error, r, "reading response header: %s", strerror(-r));
	r = proto_frame_length(header, max, &len);
	if (r < 0)
		return error_set(ret_error, r, "response frame length out of bounds");
	body = malloc(len);
	if (!body)
		return -ENOMEM;
	r = read_all(fd, body, len, deadline);
	if (r < 0)
		return error_set(ret_error, r, "reading response body: %s", strerror(-r));
	return proto_decode(body, len, ret_msg, ret_error);
}

int proto_connect(const char *socket_path, int64_t deadline)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;
	size_t n = strlen(socket_path);

	if (n == 0 || n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, socket_path, n);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r;
		if (errno != EINPROGRESS && errno != EAGAIN)
			return -errno;
		/* A full backlog: wait for room, bounded by the deadline. */
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return TAKE_FD(fd);
}

int proto_call(const char *socket_path, json_object *request, int timeout_ms,
	       json_object **ret_response, char **ret_error)
{
	int64_t deadline = now_monotonic_ms() + timeout_ms;
	_cleanup_json_ json_object *resp = NULL;
	_cleanup_close_ int fd = -1;
	json_object *ok, *err;
	int r;

	fd = proto_connect(socket_path, deadline);
	if (fd < 0)
		return error_set(ret_error, fd, "cannot connect to policyd at %s: %s", socket_path,
				 strerror(-fd));
	r = proto_write_frame(fd, request, deadline);
	if (r < 0)
		return error_set(ret_error, r, "sending request to policyd at %s: %s", socket_path,
				 strerror(-r));
	r = proto_read_frame(fd, PROTO_MAX_FRAME, deadline, &resp, ret_error);
	if (r < 0)
		return r == -ETIMEDOUT ? error_set(ret_error, r, "policyd at %s did not answer within %d ms",
						   socket_path, timeout_ms)
				       : r;
	if (!json_object_object_get_ex(resp, "ok", &ok) || !json_object_is_type(ok, json_type_boolean))
		return error_set(ret_error, -EBADMSG, "response from policyd has no \"ok\"");
	if (!json_object_get_boolean(ok)) {
		const char *msg = json_object_object_get_ex(resp, "error", &err)
					  ? json_object_get_string(err)
					  : "unspecified error";
		return error_set(ret_error, -EREMOTEIO, "%s", msg);
	}
	*ret_response = TAKE_PTR(resp);
	return 0;
}

const char *proto_socket_path(const char *arg)
{
	const char *env = getenv("POLICYD_SOCKET");

	if (arg && *arg)
		return arg;
	if (env && *env)
		return env;
	return POLICYD_DEFAULT_SOCKET;
}

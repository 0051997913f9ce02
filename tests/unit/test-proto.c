// SPDX-License-Identifier: MIT
/* Protocol codec: framing, version checks, bounds, and a round trip over a socketpair. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "macro.h"
#include "proto.h"
#include "timeutil.h"

TEST(frame_length_bounds)
{
	uint8_t h[4];
	uint32_t len = 0;

	proto_frame_header(17, h);
	CHECK(proto_frame_length(h, PROTO_MAX_FRAME, &len) == 0 && len == 17);
	proto_frame_header(0, h);
	CHECK(proto_frame_length(h, PROTO_MAX_FRAME, &len) == -EMSGSIZE);
	proto_frame_header(PROTO_MAX_FRAME + 1, h);
	CHECK(proto_frame_length(h, PROTO_MAX_FRAME, &len) == -EMSGSIZE);
	h[0] = h[1] = h[2] = h[3] = 0xff;
	CHECK(proto_frame_length(h, PROTO_MAX_FRAME, &len) == -EMSGSIZE);
}

TEST(encode_decode_round_trip)
{
	_cleanup_json_ json_object *req = proto_request_new(PROTO_OP_SHOW), *back = NULL;
	_cleanup_free_ char *frame = NULL, *err = NULL;
	uint32_t len;
	size_t flen;

	json_object_object_add(req, "profile", json_object_new_string("t1"));
	CHECK(proto_encode(req, &frame, &flen) == 0);
	CHECK(proto_frame_length((uint8_t *)frame, PROTO_MAX_FRAME, &len) == 0);
	CHECK(len + PROTO_HEADER_SIZE == flen);
	CHECK(proto_decode(frame + PROTO_HEADER_SIZE, len, &back, &err) == 0);
	CHECK_STREQ(json_object_get_string(json_object_object_get(back, "op")), "show");
	CHECK_STREQ(json_object_get_string(json_object_object_get(back, "profile")), "t1");
}

static int decode_error(const char *text, char **ret_err)
{
	json_object *msg = NULL;
	int r = proto_decode(text, strlen(text), &msg, ret_err);

	json_object_put(msg);
	return r;
}

TEST(decode_rejects_bad_messages)
{
	char *err = NULL;

	CHECK(decode_error("{\"v\":1,\"op\":", &err) == -EBADMSG);
	CHECK_CONTAINS(err, "not valid JSON");
	free(err), err = NULL;
	CHECK(decode_error("[1,2]", &err) == -EBADMSG);
	CHECK_CONTAINS(err, "not a JSON object");
	free(err), err = NULL;
	CHECK(decode_error("{\"op\":\"list\"}", &err) == -EBADMSG);
	CHECK_CONTAINS(err, "protocol version");
	free(err), err = NULL;
	CHECK(decode_error("{\"v\":2,\"op\":\"list\"}", &err) == -EPROTONOSUPPORT);
	CHECK_CONTAINS(err, "version 2 not supported");
	free(err), err = NULL;
	CHECK(decode_error("{\"v\":1} trailing", &err) == -EBADMSG);
	CHECK_CONTAINS(err, "at byte 8");
	free(err), err = NULL;
	CHECK(decode_error("\xff\xfe garbage", &err) == -EBADMSG);
	free(err), err = NULL;
	CHECK(proto_decode("{\"v\":1}\0x", 9, &(json_object *){NULL}, &err) == -EBADMSG);
	CHECK_CONTAINS(err, "NUL");
	free(err);
}

TEST(error_response_is_one_line)
{
	_cleanup_json_ json_object *r = proto_response_error("a\nb %d", 5);

	CHECK_STREQ(json_object_get_string(json_object_object_get(r, "error")), "a b 5");
	CHECK(!json_object_get_boolean(json_object_object_get(r, "ok")));
}

TEST(frames_over_socketpair_with_deadline)
{
	_cleanup_json_ json_object *msg = proto_response_ok(), *got = NULL;
	_cleanup_free_ char *err = NULL;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(proto_write_frame(sv[0], msg, now_monotonic_ms() + 1000) == 0);
	CHECK(proto_read_frame(sv[1], PROTO_MAX_FRAME, now_monotonic_ms() + 1000, &got, &err) == 0);
	CHECK(got && json_object_get_boolean(json_object_object_get(got, "ok")));
	/* Nothing more to read: the deadline ends the wait. */
	json_object_put(got), got = NULL;
	CHECK(proto_read_frame(sv[1], PROTO_MAX_FRAME, now_monotonic_ms() + 50, &got, &err) ==
	      -ETIMEDOUT);
	/* A half-written frame then EOF: a reset, not a hang. */
	CHECK(write(sv[0], "\0\0\0\x10{\"v\"", 8) == 8);
	close(sv[0]);
	free(err), err = NULL;
	CHECK(proto_read_frame(sv[1], PROTO_MAX_FRAME, now_monotonic_ms() + 1000, &got, &err) ==
	      -ECONNRESET);
	close(sv[1]);
}

TEST(connect_to_missing_socket)
{
	CHECK(proto_connect("/nonexistent/policyd.sock", now_monotonic_ms() + 100) == -ENOENT);
	CHECK(proto_connect("", now_monotonic_ms() + 100) == -ENAMETOOLONG);
}

TEST_MAIN()

// SPDX-License-Identifier: MIT
/*
 * The policyd wire protocol as the daemon and the clients read it: the 4-byte frame header,
 * then the frame body through proto_decode() (what proto_read_frame() does after reading len
 * bytes). The whole input is the body; its first 4 bytes are also tried as a header.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-common.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *msg = NULL, *back = NULL, *v;
	char *body, *err = NULL, *frame = NULL;
	size_t flen;
	uint32_t len;
	int r;

	if (size >= PROTO_HEADER_SIZE) {
		r = proto_frame_length(data, PROTO_MAX_FRAME, &len);
		FUZZ_CHECK(r == -EMSGSIZE || (r == 0 && len > 0 && len <= PROTO_MAX_FRAME),
			   "r=%d len=%u", r, (unsigned)len);
		(void)proto_frame_length(data, size, &len);
	}

	body = fuzz_dup(data, size);
	r = proto_decode(body, size, &msg, &err);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOMEM, "r=%d", r);
		FUZZ_CHECK(err || r == -ENOMEM, "failure without an error message (r=%d)", r);
	} else {
		FUZZ_CHECK(msg && json_object_is_type(msg, json_type_object), "decoded a non-object");
		/* What the daemon does next: look at "op" and the other fields, answer. */
		if (json_object_object_get_ex(msg, "op", &v))
			(void)json_object_get_string(v);
		json_object_object_foreach(msg, key, val)
		{
			(void)key;
			(void)json_object_get_string(val);
		}
		/* Re-encoding what was accepted (responses echo parts of requests). */
		if (proto_encode(msg, &frame, &flen) == 0 &&
		    proto_frame_length((const uint8_t *)frame, PROTO_MAX_FRAME, &len) == 0) {
			FUZZ_CHECK(len + PROTO_HEADER_SIZE == flen, "len=%u flen=%zu", (unsigned)len, flen);
			char *e2 = NULL;
			if (proto_decode(frame + PROTO_HEADER_SIZE, len, &back, &e2) == 0)
				json_object_put(back);
			free(e2);
		}
	}
	free(frame);
	free(err);
	json_object_put(msg);
	free(body);
	return 0;
}

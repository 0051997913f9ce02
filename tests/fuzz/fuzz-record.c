// SPDX-License-Identifier: MIT
/*
 * The BPF tracer's ring-buffer records (bpf/tracer-events.h) as policyd decodes them:
 * tracer_decode_record() from hookd/tracer.c. The kernel side is ours, but a record is still
 * only trusted after its size is checked for its type; this checks that nothing is read past a
 * record and that every string handed to the callbacks is terminated.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "tracer.h"

struct seen {
	size_t observations, exits, bytes;
};

static void touch(struct seen *s, const char *what, const char *str, int required)
{
	if (!str) {
		FUZZ_CHECK(!required, "observation without %s", what);
		return;
	}
	s->bytes += strlen(str);
}

static void on_observe(void *userdata, uint64_t mntns, const struct observation *o)
{
	struct seen *s = userdata;

	FUZZ_CHECK(o != NULL, "NULL observation");
	touch(s, "kind", o->kind, 1);
	touch(s, "key", o->key, 1);
	touch(s, "detail", o->detail, 0);
	touch(s, "phase", o->phase, 1);
	s->observations++;
}

static void on_init_exited(void *userdata, uint64_t mntns)
{
	struct seen *s = userdata;

	s->exits++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = {0};
	struct tracer_callbacks cb = {
		.observe = on_observe,
		.init_exited = on_init_exited,
		.userdata = &s,
	};
	/* Exactly size bytes: a read past the record is a heap-buffer-overflow. */
	char *rec = fuzz_dup(data, size);
	int r = tracer_decode_record(&cb, rec, size);

	FUZZ_CHECK(r == 0 || r == -EBADMSG, "r=%d", r);
	FUZZ_CHECK(r == 0 || (s.observations == 0 && s.exits == 0), "rejected record was reported");
	free(rec);
	return 0;
}

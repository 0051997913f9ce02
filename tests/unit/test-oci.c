// SPDX-License-Identifier: MIT
/* OCI config and state parsers, on the inputs recorded from Podman with runc and crun. */
#include <errno.h>

#include "harness.h"
#include "macro.h"
#include "oci.h"

static json_object *parse_fixture(const char *name)
{
	_cleanup_free_ char *buf = NULL, *err = NULL;
	json_object *root = NULL;
	size_t len;

	buf = fixture_read(name, &len);
	if (oci_parse_json(buf, len, &root, &err) < 0)
		fprintf(stderr, "  %s: %s\n", name, err);
	return root;
}

TEST(precreate_config_from_podman)
{
	const char *names[] = {"podman/podman-runc-precreate-stdin.json",
			       "podman/podman-crun-precreate-stdin.json"};

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		_cleanup_json_ json_object *root = parse_fixture(names[i]);
		_cleanup_free_ char *err = NULL;
		struct oci_config c;

		CHECK(root);
		CHECK(oci_config_parse(root, &c, &err) == 0);
		CHECK(strlen(c.container_id) == 64);
		/* Both the run root and the graph root, once each. */
		CHECK(c.n_storage == 2);
		CHECK(strcmp(c.storage[0].graph_root, c.storage[1].graph_root) != 0);
		for (size_t k = 0; k < c.n_storage; k++) {
			CHECK(strcmp(c.storage[k].graph_root, "/run/containers/storage") == 0 ||
			      strcmp(c.storage[k].graph_root, "/var/lib/containers/storage") == 0);
			CHECK_STREQ(c.storage[k].driver, "overlay");
		}
		CHECK_STREQ(json_object_get_string(json_object_array_get_idx(c.args, 0)), "sh");
		CHECK_STREQ(oci_annotation(c.annotations, "example.test"), "hello");
	}
}

TEST(state_from_podman)
{
	_cleanup_json_ json_object *created = parse_fixture("podman/podman-crun-createRuntime-stdin.json");
	_cleanup_json_ json_object *stopped = parse_fixture("podman/podman-runc-poststop-stdin.json");
	_cleanup_free_ char *err = NULL;
	struct oci_state s;

	CHECK(oci_state_parse(created, true, &s, &err) == 0);
	CHECK(s.pid == 7138);
	CHECK_STREQ(s.id, "de2b25ff33a30f593a5f23039ffad93ee322bf7a86f61add2d16140ddfc20a54");
	/* poststop carries no pid: fine when not required, an error naming it when required. */
	CHECK(oci_state_parse(stopped, false, &s, &err) == 0);
	CHECK(s.pid == 0);
	CHECK(oci_state_parse(stopped, true, &s, &err) == -EINVAL);
	CHECK_CONTAINS(err, "missing field 'pid'");
}

static void expect_json_error(const char *text, const char *needle)
{
	_cleanup_free_ char *err = NULL;
	json_object *root = NULL;

	CHECK(oci_parse_json(text, strlen(text), &root, &err) == -EINVAL);
	CHECK_CONTAINS(err, needle);
	json_object_put(root);
}

TEST(bad_input_is_named)
{
	expect_json_error("", "empty");
	expect_json_error("{\"id\": \"abc\", \"pid\": 1", "truncated");
	expect_json_error("not json", "not valid JSON");
	expect_json_error("[]", "not a JSON object");
	expect_json_error("{} {}", "trailing data");
}

static void expect_state_error(const char *text, bool need_pid, const char *needle)
{
	_cleanup_json_ json_object *root = NULL;
	_cleanup_free_ char *err = NULL;
	struct oci_state s;

	CHECK(oci_parse_json(text, strlen(text), &root, &err) == 0);
	CHECK(oci_state_parse(root, need_pid, &s, &err) == -EINVAL);
	CHECK_CONTAINS(err, needle);
}

TEST(state_fields_validated)
{
	expect_state_error("{\"pid\": 5, \"annotations\": {}}", true, "missing field 'id'");
	expect_state_error("{\"id\": \"../x\", \"pid\": 5, \"annotations\": {}}", true, "'id'");
	expect_state_error("{\"id\": \"a\", \"pid\": \"5\", \"annotations\": {}}", true,
			   "'pid' is not an integer");
	expect_state_error("{\"id\": \"a\", \"pid\": -1, \"annotations\": {}}", true, "out of range");
	expect_state_error("{\"id\": \"a\", \"pid\": 5}", true, "missing field 'annotations'");
	expect_state_error("{\"id\": \"a\", \"pid\": 5, \"annotations\": {\"k\": 1}}", true,
			   "annotation 'k' is not a string");
}

TEST(config_fields_validated)
{
	static const struct {
		const char *json, *needle;
	} cases[] = {
		{"{\"annotations\": {}}", "missing field 'process'"},
		{"{\"process\": {}, \"annotations\": {}}", "missing field 'process.args'"},
		{"{\"process\": {\"args\": []}, \"annotations\": {}}", "non-empty array"},
		{"{\"process\": {\"args\": [1]}, \"annotations\": {}}", "process.args[0]"},
		{"{\"process\": {\"args\": [\"sh\"]}}", "missing field 'annotations'"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_json_ json_object *root = NULL;
		_cleanup_free_ char *err = NULL;
		struct oci_config c;

		CHECK(oci_parse_json(cases[i].json, strlen(cases[i].json), &root, &err) == 0);
		CHECK(oci_config_parse(root, &c, &err) == -EINVAL);
		CHECK_CONTAINS(err, cases[i].needle);
	}
}

TEST(storage_path_parsing)
{
	struct oci_storage_ref ref;
	char id[129];
	const char *hex = "767e6792534fcdd65f4e1a892f93633c1919f55cc97225117e59096cd39311c8";
	char path[512];

	snprintf(path, sizeof(path), "/srv/store/vfs-containers/%s/userdata/shm", hex);
	CHECK(oci_storage_from_path(path, &ref, id, sizeof(id)));
	CHECK_STREQ(ref.graph_root, "/srv/store");
	CHECK_STREQ(ref.driver, "vfs");
	CHECK_STREQ(id, hex);
	CHECK(!oci_storage_from_path("/var/lib/x-containers/abc/userdata", &ref, id, sizeof(id)));
	snprintf(path, sizeof(path), "/a/overlay-containers/%s/userdatax", hex);
	CHECK(!oci_storage_from_path(path, &ref, id, sizeof(id)));
}

TEST_MAIN()

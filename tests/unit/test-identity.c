// SPDX-License-Identifier: MIT
/* Profile identity: the resolution order of DESIGN.md, on a containers-storage layout made here. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "harness.h"
#include "identity.h"
#include "macro.h"

#define CID "767e6792534fcdd65f4e1a892f93633c1919f55cc97225117e59096cd39311c8"
#define IMGID "7ec4b63e6f05f39d2fe40e85a0abb3e0a337859fd3dcc59cd18a38354a5a1c63"

static char storage_root[256];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A graph root as Podman leaves it, with metadata naming the image or, without, only its id. */
static void make_storage(bool with_metadata)
{
	char path[512];

	snprintf(storage_root, sizeof(storage_root), "/tmp/policyd-test-identity-XXXXXX");
	CHECK(mkdtemp(storage_root));
	snprintf(path, sizeof(path), "%s/overlay-containers", storage_root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/overlay-images", storage_root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/overlay-containers/containers.json", storage_root);
	write_file(path, with_metadata
				 ? "[{\"id\":\"" CID "\",\"image\":\"" IMGID "\",\"metadata\":"
				   "\"{\\\"image-name\\\":\\\"localhost/web:1.2\\\",\\\"name\\\":\\\"x\\\"}\"}]"
				 : "[{\"id\":\"" CID "\",\"image\":\"" IMGID "\"}]");
	snprintf(path, sizeof(path), "%s/overlay-images/images.json", storage_root);
	write_file(path, "[{\"id\":\"" IMGID "\",\"names\":[\"localhost/from-images:latest\"]}]");
}

static void remove_storage(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", storage_root);
	CHECK(system(cmd) == 0);
}

static json_object *obj(const char *text)
{
	return json_tokener_parse(text);
}

TEST(annotation_wins)
{
	_cleanup_json_ json_object *ann = obj("{\"io.policyd.profile\":\"t1\","
					      "\"io.kubernetes.cri-o.ImageName\":\"quay.io/x:1\"}");
	_cleanup_json_ json_object *args = obj("[\"sh\"]");
	_cleanup_free_ char *err = NULL;
	struct identity id;

	CHECK(identity_resolve(ann, args, CID, NULL, 0, &id, &err) == 0);
	CHECK_STREQ(id.name, "t1");
	CHECK(id.source == IDENTITY_ANNOTATION);
}

TEST(invalid_annotation_is_an_error)
{
	_cleanup_json_ json_object *bad_name = obj("{\"io.policyd.profile\":\"../etc\"}");
	_cleanup_json_ json_object *bad_mode = obj("{\"io.policyd.mode\":\"yolo\"}");
	_cleanup_json_ json_object *args = obj("[\"sh\"]");
	_cleanup_free_ char *err = NULL;
	struct identity id;

	CHECK(identity_resolve(bad_name, args, CID, NULL, 0, &id, &err) == -EINVAL);
	CHECK_CONTAINS(err, "io.policyd.profile");
	free(err), err = NULL;
	CHECK(identity_resolve(bad_mode, args, CID, NULL, 0, &id, &err) == -EINVAL);
	CHECK_CONTAINS(err, "io.policyd.mode");
}

TEST(kube_image_annotation)
{
	_cleanup_json_ json_object *ann = obj("{\"io.kubernetes.cri-o.ImageName\":\"quay.io/x:1\"}");
	_cleanup_free_ char *err = NULL;
	struct identity id;

	CHECK(identity_resolve(ann, NULL, CID, NULL, 0, &id, &err) == 0);
	CHECK_STREQ(id.name, "quay.io/x:1");
	CHECK(id.source == IDENTITY_KUBE_IMAGE);
}

TEST(image_from_containers_storage)
{
	_cleanup_json_ json_object *ann = obj("{}"), *args = obj("[\"sh\"]");
	_cleanup_free_ char *err = NULL;
	/* The run root comes first, as in Podman's mounts: it must be skipped, not trusted. */
	struct oci_storage_ref ref[2] = {{.graph_root = "/nonexistent/runroot", .driver = "overlay"},
					 {.driver = "overlay"}};
	struct identity id;

	make_storage(true);
	snprintf(ref[1].graph_root, sizeof(ref[1].graph_root), "%s", storage_root);
	CHECK(identity_resolve(ann, args, CID, ref, 2, &id, &err) == 0);
	CHECK_STREQ(id.name, "localhost/web:1.2");
	CHECK(id.source == IDENTITY_IMAGE);
	remove_storage();

	/* No metadata: the image's first name from images.json. */
	make_storage(false);
	snprintf(ref[1].graph_root, sizeof(ref[1].graph_root), "%s", storage_root);
	CHECK(identity_resolve(ann, args, CID, ref, 2, &id, &err) == 0);
	CHECK_STREQ(id.name, "localhost/from-images:latest");
	remove_storage();
}

TEST(command_hash_is_stable_and_distinct)
{
	_cleanup_json_ json_object *ann = obj("{}");
	_cleanup_json_ json_object *a1 = obj("[\"/usr/sbin/nginx\",\"-g\",\"daemon off;\"]");
	_cleanup_json_ json_object *a2 = obj("[\"/usr/sbin/nginx\",\"-g\",\"daemon off;\"]");
	_cleanup_json_ json_object *a3 = obj("[\"/usr/sbin/nginx\",\"-g daemon\",\"off;\"]");
	_cleanup_free_ char *err = NULL;
	struct identity i1, i2, i3;
	struct oci_storage_ref none = {0};

	CHECK(identity_resolve(ann, a1, CID, &none, 1, &i1, &err) == 0);
	CHECK(identity_resolve(ann, a2, CID, &none, 1, &i2, &err) == 0);
	CHECK(identity_resolve(ann, a3, CID, &none, 1, &i3, &err) == 0);
	CHECK(i1.source == IDENTITY_COMMAND);
	CHECK_STREQ(i1.name, i2.name);
	CHECK(strcmp(i1.name, i3.name) != 0); /* argument boundaries count */
	CHECK(strncmp(i1.name, "cmd-nginx-", 10) == 0);
	CHECK(profile_name_valid(i1.name));
}

TEST(command_names_are_always_valid)
{
	static const char *const argv0s[] = {"/opt/app/run..sh", "..", "...", "/x/.hidden", "??", ""};
	char name[PROFILE_NAME_MAX + 1];

	for (size_t i = 0; i < ELEMENTSOF(argv0s); i++) {
		_cleanup_json_ json_object *args = json_object_new_array();
		json_object_array_add(args, json_object_new_string(argv0s[i]));
		identity_command_name(args, name, sizeof(name));
		CHECK(profile_name_valid(name));
	}
}

TEST(profile_names)
{
	CHECK(profile_name_valid("t1"));
	CHECK(profile_name_valid("docker.io/library/nginx:1.25@sha256:abc"));
	CHECK(!profile_name_valid(""));
	CHECK(!profile_name_valid("-x"));
	CHECK(!profile_name_valid("a b"));
	CHECK(!profile_name_valid("a/../b"));
	CHECK(!profile_name_valid("a\nb"));
}

TEST_MAIN()

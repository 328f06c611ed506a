/* Pure logic of the image module: member name cleaning, manifests and indexes, platform
 * selection, chain ids, digests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "image/store.h"
#include "image/unpack.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void clean_ok(const char *in, const char *want)
{
        char *out = NULL;
        struct hull_err err = {0};
        assert_int_equal(hull_unpack_clean_name(in, &out, &err), 0);
        assert_string_equal(out, want);
        free(out);
}

static void clean_bad(const char *in)
{
        char *out = NULL;
        struct hull_err err = {0};
        assert_int_equal(hull_unpack_clean_name(in, &out, &err), -EPERM);
        assert_null(out);
        assert_non_null(strstr(err.msg, "refusing"));
}

static void test_clean_name(void **state)
{
        clean_ok("a/b/c", "a/b/c");
        clean_ok("./a/./b/", "a/b");
        clean_ok("./", "");
        clean_ok(".", "");
        clean_ok("a//b", "a/b");
        clean_ok("..a/b..", "..a/b..");
        clean_ok(".wh..wh..opq", ".wh..wh..opq");
        clean_bad("/etc/passwd");
        clean_bad("../x");
        clean_bad("a/../../x");
        clean_bad("a/..");
        clean_bad("./..");
}

static const char oci_manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
    "\"sha256:" HEX_A "\",\"size\":10},\"layers\":[{\"mediaType\":"
    "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" HEX_B
    "\",\"size\":20}]}";

static void test_manifest(void **state)
{
        struct hull_manifest m = {0};
        struct hull_err err = {0};
        assert_int_equal(hull_manifest_parse(oci_manifest, strlen(oci_manifest), NULL, &m, &err),
                         0);
        assert_false(m.is_index);
        assert_string_equal(m.config.digest, "sha256:" HEX_A);
        assert_int_equal(m.nlayers, 1);
        assert_int_equal(m.layers[0].size, 20);
        assert_true(hull_media_type_is_layer(m.layers[0].media_type));
        hull_manifest_free(&m);

        /* No mediaType in the document: the Content-Type decides, then the fields. */
        const char *bare = "{\"schemaVersion\":2,\"manifests\":[]}";
        assert_int_equal(hull_manifest_parse(bare, strlen(bare), NULL, &m, &err), 0);
        assert_true(m.is_index);
        hull_manifest_free(&m);

        const char *v1 = "{\"schemaVersion\":1,\"name\":\"x\"}";
        assert_int_equal(hull_manifest_parse(v1, strlen(v1), NULL, &m, &err), -EPROTO);
        const char *wrong = "{\"schemaVersion\":2,\"mediaType\":\"text/html\",\"layers\":[]}";
        assert_int_equal(hull_manifest_parse(wrong, strlen(wrong), NULL, &m, &err), -EPROTO);
        assert_non_null(strstr(err.msg, "text/html"));
        const char *bad_digest = "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:12\","
                                 "\"size\":1},\"layers\":[]}";
        assert_int_equal(hull_manifest_parse(bad_digest, strlen(bad_digest), NULL, &m, &err),
                         -EINVAL);
        assert_int_equal(hull_manifest_parse("{", 1, NULL, &m, &err), -EINVAL);
        const char *dup = "{\"schemaVersion\":2,\"schemaVersion\":2}";
        assert_int_equal(hull_manifest_parse(dup, strlen(dup), NULL, &m, &err), -EINVAL);
}

static const char index_json[] =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
    "\"manifests\":["
    "{\"digest\":\"sha256:" HEX_A "\",\"size\":1,\"platform\":{\"os\":\"linux\","
    "\"architecture\":\"amd64\"}},"
    "{\"digest\":\"sha256:" HEX_B "\",\"size\":1,\"platform\":{\"os\":\"linux\","
    "\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";

static int pick(const char *platform)
{
        struct hull_manifest m = {0};
        struct hull_platform p = {0};
        struct hull_err err = {0};
        assert_int_equal(hull_manifest_parse(index_json, strlen(index_json), NULL, &m, &err), 0);
        assert_int_equal(hull_platform_parse(platform, &p, &err), 0);
        int r = hull_index_select(&m, &p, &err);
        hull_platform_free(&p);
        hull_manifest_free(&m);
        return r;
}

static void test_platform(void **state)
{
        assert_int_equal(pick("linux/amd64"), 0);
        assert_int_equal(pick("linux/x86_64"), 0);
        assert_int_equal(pick("linux/arm64"), 1);
        assert_int_equal(pick("linux/arm64/v8"), 1);
        assert_int_equal(pick("linux/aarch64"), 1);
        assert_int_equal(pick("linux/s390x"), -ENOENT);
        assert_int_equal(pick("linux/arm64/v9"), -ENOENT);
        struct hull_platform p = {0};
        struct hull_err err = {0};
        assert_int_equal(hull_platform_parse("linux", &p, &err), -EINVAL);
        assert_int_equal(hull_platform_parse("a/b/c/d", &p, &err), -EINVAL);
        assert_int_equal(hull_platform_parse(NULL, &p, &err), 0);
        assert_string_equal(p.os, "linux");
        hull_platform_free(&p);
}

static void test_digests(void **state)
{
        char d[HULL_DIGEST_LEN + 1];
        hull_sha256_buf("", 0, d);
        assert_string_equal(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                               "7852b855");
        struct hull_sha256 h;
        struct hull_err err = {0};
        assert_int_equal(hull_sha256_init(&h, &err), 0);
        hull_sha256_update(&h, "ab", 2);
        hull_sha256_update(&h, "c", 1);
        hull_sha256_final(&h, d);
        hull_sha256_free(&h);
        assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
                               "f20015ad");
        /* chain id: base = diff_id, then sha256("<parent> <diff_id>") */
        char c1[HULL_DIGEST_LEN + 1], c2[HULL_DIGEST_LEN + 1], want[HULL_DIGEST_LEN + 1];
        hull_chain_id(NULL, "sha256:" HEX_A, c1);
        assert_string_equal(c1, "sha256:" HEX_A);
        hull_chain_id(c1, "sha256:" HEX_B, c2);
        const char *joined = "sha256:" HEX_A " sha256:" HEX_B;
        hull_sha256_buf(joined, strlen(joined), want);
        assert_string_equal(c2, want);
        assert_null(hull_digest_hex("sha256:12"));
        assert_string_equal(hull_digest_hex("sha256:" HEX_A), HEX_A);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_clean_name),
            cmocka_unit_test(test_manifest),
            cmocka_unit_test(test_platform),
            cmocka_unit_test(test_digests),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Image reference parsing and Docker's normalization rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "image/reference.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check(const char *in, const char *want)
{
        struct hull_ref ref = {0};
        struct hull_err err = {0};
        int r = hull_ref_parse(in, &ref, &err);
        if (r != 0)
                fail_msg("parse %s: %s", in, err.msg);
        char *s = hull_ref_string(&ref);
        assert_string_equal(s, want);
        free(s);
        hull_ref_free(&ref);
}

static void check_bad(const char *in, const char *msg_part)
{
        struct hull_ref ref = {0};
        struct hull_err err = {0};
        int r = hull_ref_parse(in, &ref, &err);
        if (r == 0)
                fail_msg("\"%s\" should be refused", in);
        assert_int_equal(r, -22);
        if (!strstr(err.msg, msg_part))
                fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg, msg_part);
        assert_null(ref.domain);
}

static void test_docker_hub(void **state)
{
        check("busybox", "docker.io/library/busybox:latest");
        check("busybox:1.35", "docker.io/library/busybox:1.35");
        check("library/busybox", "docker.io/library/busybox:latest");
        check("docker.io/busybox", "docker.io/library/busybox:latest");
        check("index.docker.io/busybox", "docker.io/library/busybox:latest");
        check("docker.io/library/busybox:latest", "docker.io/library/busybox:latest");
        check("user/app", "docker.io/user/app:latest");
        check("user/app/sub:v1", "docker.io/user/app/sub:v1");
}

static void test_registries(void **state)
{
        check("localhost/app", "localhost/app:latest");
        check("localhost:5000/app:tag", "localhost:5000/app:tag");
        check("127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest");
        check("quay.io/org/app:1.0", "quay.io/org/app:1.0");
        check("[::1]:5000/app", "[::1]:5000/app:latest");
        check("Registry.Example.COM/app", "Registry.Example.COM/app:latest");
        check("my-host.example:443/a.b/c_d/e__f/g-h--i",
              "my-host.example:443/a.b/c_d/e__f/g-h--i:latest");
}

static void test_digests(void **state)
{
        check("busybox@" D64, "docker.io/library/busybox@" D64);
        check("busybox:1.35@" D64, "docker.io/library/busybox:1.35@" D64);
        check("localhost:5000/app@" D64, "localhost:5000/app@" D64);
        struct hull_ref ref = {0};
        struct hull_err err = {0};
        assert_int_equal(hull_ref_parse("busybox@" D64, &ref, &err), 0);
        assert_null(ref.tag);
        assert_string_equal(ref.digest, D64);
        assert_null(hull_ref_tagged(&ref));
        hull_ref_free(&ref);
}

static void test_invalid(void **state)
{
        check_bad("", "empty");
        check_bad("Busybox", "lowercase");
        check_bad("docker.io/Library/busybox", "lowercase");
        check_bad("busybox:", "bad tag");
        check_bad("busybox:-x", "bad tag");
        check_bad("busybox@sha256:abc", "bad digest");
        check_bad("busybox@md5:0123", "bad digest");
        check_bad("a//b", "bad repository name");
        check_bad("a/b/", "bad repository name");
        check_bad("-a", "bad repository name");
        check_bad("a..b", "bad repository name");
        check_bad("a___b", "bad repository name");
        check_bad("host:port/x", "bad registry host");
        check_bad("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                  "64-byte hexadecimal");
        check_bad("busybox:tag with space", "bad tag");
        char long_name[400];
        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = '\0';
        check_bad(long_name, "longer than");
}

static void test_helpers(void **state)
{
        assert_true(hull_ref_tag_valid("latest"));
        assert_true(hull_ref_tag_valid("_x.Y-1"));
        assert_false(hull_ref_tag_valid(".x"));
        char tag[130];
        memset(tag, 'a', 129);
        tag[129] = '\0';
        assert_false(hull_ref_tag_valid(tag));
        tag[128] = '\0';
        assert_true(hull_ref_tag_valid(tag));
        assert_true(hull_ref_digest_valid(D64));
        assert_false(hull_ref_digest_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef"
                                           "0123456789abcdef"));
        assert_true(hull_ref_is_id_prefix("95cd74"));
        assert_false(hull_ref_is_id_prefix("busybox"));
        struct hull_ref ref = {0};
        struct hull_err err = {0};
        assert_int_equal(hull_ref_parse("busybox", &ref, &err), 0);
        assert_string_equal(hull_ref_registry_host(&ref), "registry-1.docker.io");
        char *name = hull_ref_name(&ref);
        assert_string_equal(name, "docker.io/library/busybox");
        free(name);
        hull_ref_free(&ref);
        assert_int_equal(hull_ref_parse("localhost:5000/x", &ref, &err), 0);
        assert_string_equal(hull_ref_registry_host(&ref), "localhost:5000");
        hull_ref_free(&ref);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_docker_hub), cmocka_unit_test(test_registries),
            cmocka_unit_test(test_digests),    cmocka_unit_test(test_invalid),
            cmocka_unit_test(test_helpers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

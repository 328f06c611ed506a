/* Registry client helpers: base64, WWW-Authenticate parsing, auth.json storage and lookup,
 * loopback detection, and --change instructions for import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/import.h"
#include "registry/auth.h"
#include "registry/client.h"

static void test_base64(void **state)
{
        char *e = hull_base64_encode("hull:hullpass", 13);
        assert_string_equal(e, "aHVsbDpodWxscGFzcw==");
        size_t n = 0;
        char *d = hull_base64_decode(e, &n);
        assert_string_equal(d, "hull:hullpass");
        assert_int_equal(n, 13);
        free(d);
        free(e);
        assert_null(hull_base64_decode("abc", NULL));
        d = hull_base64_decode("", &n);
        assert_int_equal(n, 0);
        free(d);
}

static void test_challenge(void **state)
{
        struct hull_challenge c;
        hull_challenge_parse(
            "Bearer realm=\"http://127.0.0.1:5004/token\",service=\"hull-registry\","
            "scope=\"repository:busybox:pull\"",
            &c);
        assert_string_equal(c.scheme, "bearer");
        assert_string_equal(c.realm, "http://127.0.0.1:5004/token");
        assert_string_equal(c.service, "hull-registry");
        assert_string_equal(c.scope, "repository:busybox:pull");
        hull_challenge_free(&c);
        hull_challenge_parse("Basic realm=\"hull-basic-realm\"", &c);
        assert_string_equal(c.scheme, "basic");
        assert_string_equal(c.realm, "hull-basic-realm");
        assert_null(c.service);
        hull_challenge_free(&c);
        hull_challenge_parse("Bearer realm=unquoted,service=s", &c);
        assert_string_equal(c.realm, "unquoted");
        assert_string_equal(c.service, "s");
        hull_challenge_free(&c);
}

static void test_auth_file(void **state)
{
        char dir[] = "/tmp/hull-auth-test-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[256];
        snprintf(path, sizeof(path), "%s/sub/auth.json", dir);
        struct hull_err err = {0};
        assert_int_equal(hull_auth_store(path, "127.0.0.1:5002", "hull", "pa:ss", &err), 0);
        assert_int_equal(hull_auth_store(path, "quay.io", "u", "p", &err), 0);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        struct hull_creds c = {0};
        assert_int_equal(hull_auth_lookup(path, "127.0.0.1:5002", &c, &err), 0);
        assert_string_equal(c.user, "hull");
        assert_string_equal(c.password, "pa:ss");
        hull_creds_free(&c);
        assert_int_equal(hull_auth_lookup(path, "other:1", &c, &err), 0);
        assert_null(c.user);
        assert_int_equal(hull_auth_store(path, "127.0.0.1:5002", NULL, NULL, &err), 0);
        assert_int_equal(hull_auth_store(path, "127.0.0.1:5002", NULL, NULL, &err), -ENOENT);
        assert_int_equal(hull_auth_lookup(path, "quay.io", &c, &err), 0);
        assert_string_equal(c.user, "u");
        hull_creds_free(&c);
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
}

static void test_loopback(void **state)
{
        assert_true(hull_registry_host_is_loopback("127.0.0.1:5000"));
        assert_true(hull_registry_host_is_loopback("127.1.2.3"));
        assert_true(hull_registry_host_is_loopback("localhost:5000"));
        assert_true(hull_registry_host_is_loopback("localhost"));
        assert_true(hull_registry_host_is_loopback("[::1]:5000"));
        assert_false(hull_registry_host_is_loopback("localhost.example.com"));
        assert_false(hull_registry_host_is_loopback("registry-1.docker.io"));
        assert_false(hull_registry_host_is_loopback("128.0.0.1"));
}

static void test_changes(void **state)
{
        json_t *cfg = json_object();
        struct hull_err err = {0};
        assert_int_equal(hull_config_apply_change(cfg, "CMD [\"sh\", \"-c\", \"id\"]", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "entrypoint echo hi", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "ENV A=1", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "ENV B 2", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "ENV A=3", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "WORKDIR /w", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "EXPOSE 8080", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "LABEL k=\"v w\"", &err), 0);
        assert_int_equal(hull_config_apply_change(cfg, "RUN rm -rf /", &err), -EINVAL);
        assert_int_equal(hull_config_apply_change(cfg, "CMD", &err), -EINVAL);
        json_t *c = json_object_get(cfg, "config");
        assert_int_equal(json_array_size(json_object_get(c, "Cmd")), 3);
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "Entrypoint"), 2)),
                            "echo hi");
        json_t *env = json_object_get(c, "Env");
        assert_int_equal(json_array_size(env), 2);
        assert_string_equal(json_string_value(json_array_get(env, 0)), "A=3");
        assert_string_equal(json_string_value(json_array_get(env, 1)), "B=2");
        assert_string_equal(json_string_value(json_object_get(c, "WorkingDir")), "/w");
        assert_non_null(json_object_get(json_object_get(c, "ExposedPorts"), "8080/tcp"));
        assert_string_equal(json_string_value(json_object_get(json_object_get(c, "Labels"), "k")),
                            "v w");
        json_decref(cfg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_base64),    cmocka_unit_test(test_challenge),
            cmocka_unit_test(test_auth_file), cmocka_unit_test(test_loopback),
            cmocka_unit_test(test_changes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

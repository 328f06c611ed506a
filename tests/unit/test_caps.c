/* Capabilities: the name table, process.capabilities turned into masks (errors name the JSON
 * path and its line:column), and the child-side order around a real uid change, read back from
 * /proc/self/status in a forked child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "oci/config.h"
#include "runtime/caps.h"

#define BIT(c) (1ULL << (c))

static void test_names(void **state)
{
        (void)state;
        assert_int_equal(hull_cap_from_name("CAP_CHOWN"), 0);
        assert_int_equal(hull_cap_from_name("CAP_NET_RAW"), 13);
        assert_int_equal(hull_cap_from_name("CAP_SYS_ADMIN"), 21);
        assert_int_equal(hull_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
        assert_int_equal(hull_cap_from_name("CAP_NOPE"), -EINVAL);
        assert_int_equal(hull_cap_from_name("net_raw"), -EINVAL);
        for (unsigned i = 0; i <= HULL_CAP_LAST_KNOWN; i++)
                assert_int_equal(hull_cap_from_name(hull_cap_to_name(i)), (int)i);
        assert_null(hull_cap_to_name(HULL_CAP_LAST_KNOWN + 1));
        char buf[17];
        hull_caps_format(0xa80425fbULL, buf);
        assert_string_equal(buf, "00000000a80425fb");
        unsigned last = hull_cap_last_cap();
        assert_true(last >= 36 && last < 64);
}

/* A config.json with PROCESS_CAPS as process.capabilities, parsed for real. */
static struct hull_oci_config *load(const char *process_caps, char path[64])
{
        strcpy(path, "/tmp/hull-test-caps-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        dprintf(fd,
                "{\n  \"ociVersion\": \"1.0.2\",\n  \"root\": {\"path\": \"rootfs\"},\n"
                "  \"process\": {\n    \"args\": [\"sh\"],\n    \"cwd\": \"/\",\n"
                "    \"capabilities\": %s\n  }\n}\n",
                process_caps);
        close(fd);
        struct hull_err err = {0};
        struct hull_oci_config *c = NULL;
        if (hull_oci_config_load(path, &c, &err) < 0)
                fail_msg("%s", err.msg);
        return c;
}

static int parse(const char *process_caps, unsigned last_cap, struct hull_caps *ret,
                 struct hull_err *err)
{
        char path[64];
        struct hull_oci_config *c = load(process_caps, path);
        int r = hull_caps_from_oci(c->process->capabilities, c->path, ".process.capabilities",
                                   last_cap, ret, err);
        hull_oci_config_free(c);
        unlink(path);
        return r;
}

static void test_sets(void **state)
{
        (void)state;
        struct hull_caps c;
        struct hull_err err = {0};
        int r = parse("{\"bounding\": [\"CAP_KILL\", \"CAP_NET_RAW\", \"CAP_SETUID\"], "
                      "\"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\", "
                      "\"CAP_NET_RAW\"], \"inheritable\": [\"CAP_NET_RAW\"], \"ambient\": "
                      "[\"CAP_NET_RAW\"]}",
                      40, &c, &err);
        if (r < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(c.bounding, BIT(5) | BIT(13) | BIT(7));
        assert_int_equal(c.effective, BIT(5));
        assert_int_equal(c.permitted, BIT(5) | BIT(13));
        assert_int_equal(c.inheritable, BIT(13));
        assert_int_equal(c.ambient, BIT(13));
        assert_int_equal(c.last_cap, 40);
        /* absent sets are empty: inheritable above all (CVE-2022-29162) */
        r = parse("{\"bounding\": [\"CAP_KILL\"]}", 40, &c, &err);
        assert_int_equal(r, 0);
        assert_int_equal(c.bounding, BIT(5));
        assert_int_equal(c.effective | c.permitted | c.inheritable | c.ambient, 0);
        /* no capabilities object at all: nothing */
        r = hull_caps_from_oci(NULL, "x", ".process.capabilities", 40, &c, &err);
        assert_int_equal(r, 0);
        assert_int_equal(c.bounding | c.effective | c.permitted | c.inheritable | c.ambient, 0);
}

static void test_unknown_name(void **state)
{
        (void)state;
        struct hull_caps c;
        struct hull_err err = {0};
        int r = parse("{\"bounding\": [\"CAP_KILL\", \"CAP_FLY\"]}", 40, &c, &err);
        assert_int_equal(r, -EINVAL);
        /* FILE:LINE:COL: PATH: message, the position of the bad element */
        assert_non_null(strstr(err.msg, ":7:47: .process.capabilities.bounding[1]: unknown "
                                        "capability \"CAP_FLY\""));
}

static void test_newer_than_kernel(void **state)
{
        (void)state;
        struct hull_caps c;
        struct hull_err err = {0};
        /* a kernel whose last capability is CAP_AUDIT_READ (37): CAP_BPF is dropped with a
         * warning, the rest is kept */
        int r = parse("{\"bounding\": [\"CAP_KILL\", \"CAP_BPF\"], \"permitted\": [\"CAP_BPF\"], "
                      "\"effective\": [\"CAP_BPF\"]}",
                      37, &c, &err);
        if (r < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(c.bounding, BIT(5));
        assert_int_equal(c.permitted | c.effective, 0);
        assert_int_equal(c.last_cap, 37);
}

static void test_inconsistent_sets(void **state)
{
        (void)state;
        struct hull_caps c;
        struct hull_err err = {0};
        int r = parse("{\"effective\": [\"CAP_KILL\"], \"permitted\": []}", 40, &c, &err);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(err.msg, ".process.capabilities.effective: CAP_KILL is not in the "
                                        "permitted set"));
        /* ambient without inheritable (what `runc spec` writes): dropped with a warning */
        r = parse("{\"permitted\": [\"CAP_KILL\", \"CAP_CHOWN\"], \"inheritable\": "
                  "[\"CAP_CHOWN\"], \"ambient\": [\"CAP_KILL\", \"CAP_CHOWN\"]}",
                  40, &c, &err);
        assert_int_equal(r, 0);
        assert_int_equal(c.ambient, BIT(0));
}

/* The five masks of /proc/self/status. */
struct status_caps {
        uint64_t inh, prm, eff, bnd, amb;
};

static struct status_caps read_status(void)
{
        struct status_caps s = {0};
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        while (f && fgets(line, sizeof(line), f)) {
                unsigned long long v;
                if (sscanf(line, "CapInh: %llx", &v) == 1)
                        s.inh = v;
                else if (sscanf(line, "CapPrm: %llx", &v) == 1)
                        s.prm = v;
                else if (sscanf(line, "CapEff: %llx", &v) == 1)
                        s.eff = v;
                else if (sscanf(line, "CapBnd: %llx", &v) == 1)
                        s.bnd = v;
                else if (sscanf(line, "CapAmb: %llx", &v) == 1)
                        s.amb = v;
        }
        if (f)
                fclose(f);
        return s;
}

/* In a forked child: bounding, setresuid(UID), sets; exit 0 if /proc/self/status matches. */
static int apply_in_child(const struct hull_caps *c, uid_t uid)
{
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct hull_err err = {0};
                if (hull_caps_apply_bounding(c, &err) < 0 || setresgid(uid, uid, uid) < 0 ||
                    setresuid(uid, uid, uid) < 0 || hull_caps_apply_sets(c, 0, &err) < 0) {
                        dprintf(2, "apply: %s %s\n", err.msg, strerror(errno));
                        syscall(SYS_exit_group, 100);
                }
                struct status_caps s = read_status();
                uint64_t all = (c->last_cap >= 63) ? ~0ULL : (BIT(c->last_cap + 1) - 1);
                int bad = 0;
                if (s.bnd != (c->bounding & all))
                        bad |= 1;
                if (s.prm != c->permitted)
                        bad |= 2;
                if (s.eff != c->effective)
                        bad |= 4;
                if (s.inh != c->inheritable)
                        bad |= 8;
                if (s.amb != c->ambient)
                        bad |= 16;
                if (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0)
                        bad |= 32;
                syscall(SYS_exit_group, bad);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

static void test_apply_around_uid_change(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        unsigned last = hull_cap_last_cap();
        struct hull_caps c = {.bounding = BIT(5) | BIT(13) | BIT(10),
                              .permitted = BIT(5) | BIT(13),
                              .effective = BIT(5),
                              .inheritable = BIT(13),
                              .ambient = BIT(13),
                              .last_cap = last};
        /* a non-root uid keeps permitted through keep-caps, ambient is raised after */
        assert_int_equal(apply_in_child(&c, 1000), 0);
        /* root */
        assert_int_equal(apply_in_child(&c, 0), 0);
        /* nothing at all */
        struct hull_caps none = {.last_cap = last};
        assert_int_equal(apply_in_child(&none, 1000), 0);
}

/* Seccomp without no_new_privs: CAP_SYS_ADMIN is held as an extra until the second call. */
static void test_extra_then_final(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        struct hull_caps c = {.bounding = BIT(5),
                              .permitted = BIT(5),
                              .effective = BIT(5),
                              .last_cap = hull_cap_last_cap()};
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct hull_err err = {0};
                int bad = 0;
                if (hull_caps_apply_bounding(&c, &err) < 0 || setresuid(1000, 1000, 1000) < 0 ||
                    hull_caps_apply_sets(&c, BIT(21), &err) < 0)
                        syscall(SYS_exit_group, 100);
                if (read_status().eff != (BIT(5) | BIT(21)))
                        bad |= 1;
                if (hull_caps_apply_sets(&c, 0, &err) < 0)
                        syscall(SYS_exit_group, 101);
                struct status_caps s = read_status();
                if (s.eff != BIT(5) || s.prm != BIT(5))
                        bad |= 2;
                syscall(SYS_exit_group, bad);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_names),
            cmocka_unit_test(test_sets),
            cmocka_unit_test(test_unknown_name),
            cmocka_unit_test(test_newer_than_kernel),
            cmocka_unit_test(test_inconsistent_sets),
            cmocka_unit_test(test_apply_around_uid_change),
            cmocka_unit_test(test_extra_then_final),
        };
        return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}

/* Unit tests of OCI mount option parsing (src/runtime/mount_opts.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

#include "runtime/mount_opts.h"

static struct hull_mount_opts parse(char **opts)
{
        struct hull_mount_opts o;
        struct hull_err err = {0};
        assert_int_equal(hull_mount_opts_parse(opts, &o, &err), 0);
        return o;
}

static void test_flags_and_data(void **state)
{
        (void)state;
        char *opts[] = {"nosuid", "noexec", "nodev", "ro", "mode=755", "size=65536k", NULL};
        struct hull_mount_opts o = parse(opts);
        assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
        assert_string_equal(o.data, "mode=755,size=65536k");
        assert_int_equal(o.propagation, 0);
        assert_false(hull_mount_is_bind("tmpfs", &o));
        hull_mount_opts_done(&o);
}

static void test_later_option_wins(void **state)
{
        (void)state;
        char *opts[] = {"ro", "rw", "noexec", "exec", "suid", "nosuid", NULL};
        struct hull_mount_opts o = parse(opts);
        assert_int_equal(o.flags, MS_NOSUID);
        assert_true(o.clear_flags & MS_RDONLY);
        assert_true(o.clear_flags & MS_NOEXEC);
        hull_mount_opts_done(&o);
}

static void test_bind_and_propagation(void **state)
{
        (void)state;
        char *opts[] = {"rbind", "rslave", NULL};
        struct hull_mount_opts o = parse(opts);
        assert_int_equal(o.flags, MS_BIND | MS_REC);
        assert_int_equal(o.propagation, MS_SLAVE | MS_REC);
        assert_true(hull_mount_is_bind(NULL, &o));
        assert_string_equal(o.data, "");
        hull_mount_opts_done(&o);

        char *opts2[] = {"private", NULL};
        o = parse(opts2);
        assert_int_equal(o.propagation, MS_PRIVATE);
        assert_true(hull_mount_is_bind("bind", &o));
        hull_mount_opts_done(&o);
}

static void test_recursive_attrs(void **state)
{
        (void)state;
        char *opts[] = {"rbind", "rro", "rnosuid", "rnoatime", NULL};
        struct hull_mount_opts o = parse(opts);
        assert_int_equal(o.rec_attr_set,
                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME);
        assert_true(o.rec_attr_clr & MOUNT_ATTR__ATIME);
        assert_true(o.rec_atime);
        hull_mount_opts_done(&o);

        char *opts2[] = {"rro", "rrw", NULL};
        o = parse(opts2);
        assert_int_equal(o.rec_attr_set, 0);
        assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_RDONLY);
        hull_mount_opts_done(&o);
}

static void test_idmap_and_empty(void **state)
{
        (void)state;
        char *opts[] = {"idmap", "", NULL};
        struct hull_mount_opts o = parse(opts);
        assert_true(o.idmap);
        assert_string_equal(o.data, "");
        hull_mount_opts_done(&o);
        o = parse(NULL);
        assert_int_equal(o.flags, 0);
        hull_mount_opts_done(&o);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flags_and_data),
                cmocka_unit_test(test_later_option_wins),
                cmocka_unit_test(test_bind_and_propagation),
                cmocka_unit_test(test_recursive_attrs),
                cmocka_unit_test(test_idmap_and_empty),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

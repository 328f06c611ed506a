/* Strict integer parsing, signal names and numbers, container id validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strutil.h"

static void test_int64(void **state)
{
        (void)state;
        int64_t v = 42;
        assert_int_equal(hull_parse_int64("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(hull_parse_int64("-17", &v), 0);
        assert_int_equal(v, -17);
        assert_int_equal(hull_parse_int64("007", &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(hull_parse_int64("9223372036854775807", &v), 0);
        assert_true(v == INT64_MAX);
        assert_int_equal(hull_parse_int64("-9223372036854775808", &v), 0);
        assert_true(v == INT64_MIN);
        v = 5;
        assert_int_equal(hull_parse_int64("9223372036854775808", &v), -ERANGE);
        assert_int_equal(hull_parse_int64("-9223372036854775809", &v), -ERANGE);
        static const char *const junk[] = {"",  " 1",  "1 ",  "+1",  "1x",  "0x10", "--1",
                                           "-", "1.0", "1e3", "\t2", "- 1", "1\n"};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(junk); i++)
                if (hull_parse_int64(junk[i], &v) != -EINVAL)
                        fail_msg("int64 accepted \"%s\"", junk[i]);
        assert_int_equal(hull_parse_int64(NULL, &v), -EINVAL);
        assert_int_equal(v, 5); /* untouched on failure */
}

static void test_uint64(void **state)
{
        (void)state;
        uint64_t v = 42;
        assert_int_equal(hull_parse_uint64("18446744073709551615", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(hull_parse_uint64("0", &v), 0);
        assert_true(v == 0);
        v = 3;
        assert_int_equal(hull_parse_uint64("18446744073709551616", &v), -ERANGE);
        static const char *const junk[] = {"", "-1", " 1", "+1", "1k", "-0", "0x1", "1 "};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(junk); i++)
                if (hull_parse_uint64(junk[i], &v) != -EINVAL)
                        fail_msg("uint64 accepted \"%s\"", junk[i]);
        assert_true(v == 3);
}

static void test_signal_parse(void **state)
{
        (void)state;
        static const struct {
                const char *s;
                int sig;
        } ok[] = {
            {"KILL", SIGKILL},
            {"SIGKILL", SIGKILL},
            {"kill", SIGKILL},
            {"sigkill", SIGKILL},
            {"SigTerm", SIGTERM},
            {"9", 9},
            {"1", 1},
            {"15", SIGTERM},
            {"HUP", SIGHUP},
            {"USR1", SIGUSR1},
            {"SIGUSR2", SIGUSR2},
            {"CHLD", SIGCHLD},
            {"CLD", SIGCHLD},
            {"IOT", SIGABRT},
            {"POLL", SIGIO},
            {"WINCH", SIGWINCH},
            {"SIGPWR", SIGPWR},
            {"STKFLT", SIGSTKFLT},
            {"SYS", SIGSYS},
            {"UNUSED", SIGSYS},
            {"VTALRM", SIGVTALRM},
            {"32", 32},
            {"64", 64},
        };
        for (size_t i = 0; i < HULL_ARRAY_SIZE(ok); i++)
                if (hull_signal_parse(ok[i].s) != ok[i].sig)
                        fail_msg("parse(\"%s\") = %d, want %d", ok[i].s, hull_signal_parse(ok[i].s),
                                 ok[i].sig);
        assert_int_equal(hull_signal_parse("RTMIN"), SIGRTMIN);
        assert_int_equal(hull_signal_parse("SIGRTMIN"), SIGRTMIN);
        assert_int_equal(hull_signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
        assert_int_equal(hull_signal_parse("rtmin+3"), SIGRTMIN + 3);
        assert_int_equal(hull_signal_parse("RTMAX"), SIGRTMAX);
        assert_int_equal(hull_signal_parse("SIGRTMAX-1"), SIGRTMAX - 1);
        assert_int_equal(hull_signal_parse("RTMAX-2"), SIGRTMAX - 2);
        char buf[32];
        snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
        assert_int_equal(hull_signal_parse(buf), SIGRTMAX);
        snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
        assert_int_equal(hull_signal_parse(buf), -EINVAL);

        static const char *const bad[] = {
            "",
            "0",
            "65",
            "-9",
            "SIG",
            "SIGFOO",
            "KILLL",
            "SIG9",
            "9x",
            " 9",
            "+9",
            "RTMIN-1",
            "RTMAX+1",
            "RTMIN+",
            "RTMIN+-1",
            "RTMIN+x",
            "RTMAXX",
            "SIGSIGKILL",
            "99999999999999999999",
        };
        for (size_t i = 0; i < HULL_ARRAY_SIZE(bad); i++)
                if (hull_signal_parse(bad[i]) != -EINVAL)
                        fail_msg("parse accepted \"%s\"", bad[i]);
        assert_int_equal(hull_signal_parse(NULL), -EINVAL);
}

static void test_signal_name(void **state)
{
        (void)state;
        char buf[16];
        assert_string_equal(hull_signal_name(SIGKILL, buf), "SIGKILL");
        assert_string_equal(hull_signal_name(SIGABRT, buf), "SIGABRT");
        assert_string_equal(hull_signal_name(SIGCHLD, buf), "SIGCHLD");
        assert_string_equal(hull_signal_name(SIGIO, buf), "SIGIO");
        assert_string_equal(hull_signal_name(SIGRTMIN, buf), "SIGRTMIN");
        assert_string_equal(hull_signal_name(SIGRTMIN + 3, buf), "SIGRTMIN+3");
        assert_string_equal(hull_signal_name(SIGRTMAX - 1, buf), "SIGRTMAX-1");
        assert_string_equal(hull_signal_name(SIGRTMAX, buf), "SIGRTMAX");
        assert_null(hull_signal_name(0, buf));
        assert_null(hull_signal_name(-1, buf));
        assert_null(hull_signal_name(SIGRTMAX + 1, buf));
        /* Every name parses back to its number. */
        for (int sig = 1; sig <= SIGRTMAX; sig++) {
                const char *name = hull_signal_name(sig, buf);
                if (!name)
                        continue;
                if (hull_signal_parse(name) != sig)
                        fail_msg("%s does not parse back to %d", name, sig);
                assert_true(strlen(name) < sizeof(buf));
        }
}

static void id_bad(const char *id, const char *why)
{
        struct hull_err err = {0};
        if (hull_id_validate(id, &err) != -EINVAL)
                fail_msg("id \"%s\" accepted", id ? id : "(null)");
        assert_int_equal(err.code, EINVAL);
        assert_true(strncmp(err.msg, "invalid container id \"", 22) == 0);
        if (why && !strstr(err.msg, why))
                fail_msg("message \"%s\" lacks \"%s\"", err.msg, why);
}

static void test_id_validate(void **state)
{
        (void)state;
        static const char *const good[] = {"a",    "abc",       "A-b_c.d+e", "0",
                                           "9abc", "k8s_POD.1", "a.b",       "x-"};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(good); i++) {
                struct hull_err err = {0};
                if (hull_id_validate(good[i], &err) != 0)
                        fail_msg("id \"%s\" refused: %s", good[i], err.msg);
        }
        id_bad("", "empty");
        id_bad(NULL, "empty");
        id_bad(".", NULL);
        id_bad("..", "\"..\"");
        id_bad("a..b", "\"..\"");
        id_bad("a/b", "invalid container id \"a/b\": character '/'");
        id_bad("/abc", "'/'");
        id_bad("a b", "' '");
        id_bad("a\nb", "'?'");
        id_bad("-abc", "must match");
        id_bad(".hidden", "must match");
        id_bad("_x", "must match");
        id_bad("caf\xc3\xa9", NULL);
        char *longid = malloc(1026);
        assert_non_null(longid);
        memset(longid, 'a', 1024);
        longid[1024] = '\0';
        assert_int_equal(hull_id_validate(longid, NULL), 0);
        longid[1024] = 'a';
        longid[1025] = '\0';
        id_bad(longid, "longer than 1024");
        free(longid);
}

static void test_strdup_printf(void **state)
{
        (void)state;
        char *s = hull_strdup_printf("%s-%d", "abc", 42);
        assert_non_null(s);
        assert_string_equal(s, "abc-42");
        free(s);
        s = hull_strdup_printf("%s", "");
        assert_non_null(s);
        assert_string_equal(s, "");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_int64),        cmocka_unit_test(test_uint64),
            cmocka_unit_test(test_signal_parse), cmocka_unit_test(test_signal_name),
            cmocka_unit_test(test_id_validate),  cmocka_unit_test(test_strdup_printf),
        };
        return cmocka_run_group_tests_name("strutil", tests, NULL, NULL);
}

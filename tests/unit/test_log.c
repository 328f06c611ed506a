/* runc-compatible log lines: logrus text and JSON formats, levels, escaping, --log FILE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"

/* snprintf that fails the test instead of truncating. */
static void __attribute__((format(printf, 3, 4))) fmt(char *buf, size_t size, const char *f, ...)
{
        va_list ap;
        va_start(ap, f);
        int n = vsnprintf(buf, size, f, ap);
        va_end(ap);
        assert_true(n >= 0 && (size_t)n < size);
}

static char log_path[64];

static int setup(void **state)
{
        (void)state;
        fmt(log_path, sizeof(log_path), "/tmp/hull-test-log-XXXXXX");
        int fd = mkstemp(log_path);
        assert_true(fd >= 0);
        close(fd);
        unlink(log_path); /* hull_log_init creates it */
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        hull_log_init(NULL, 0, 0);
        unlink(log_path);
        return 0;
}

/* The lines written so far; the caller frees the strings and the array. */
static char **read_lines(size_t *n)
{
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(hull_file_read(AT_FDCWD, log_path, &data, &len, NULL), 0);
        assert_true(len > 0 && data[len - 1] == '\n');
        char **lines = calloc(64, sizeof(*lines));
        assert_non_null(lines);
        *n = 0;
        char *save = NULL;
        for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                assert_true(*n < 63);
                lines[(*n)++] = strdup(l);
        }
        free(data);
        return lines;
}

static void free_lines(char **lines, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(lines[i]);
        free(lines);
}

/* "2026-11-29T19:40:00[.123456789]Z", within a minute of now. */
static void check_time(const char *s, int nanos)
{
        struct tm tm = {0};
        const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        assert_non_null(rest);
        if (nanos) {
                assert_int_equal(rest[0], '.');
                for (int i = 1; i <= 9; i++)
                        assert_true(rest[i] >= '0' && rest[i] <= '9');
                rest += 10;
        }
        assert_string_equal(rest, "Z");
        time_t t = timegm(&tm);
        assert_true(labs((long)(t - time(NULL))) < 60);
}

static void test_json(void **state)
{
        (void)state;
        assert_int_equal(hull_log_init(log_path, 1, 0), 0);
        assert_true(hull_log_fd() >= 3);
        struct stat st;
        assert_int_equal(stat(log_path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644 & ~umask(022));
        hull_debug("not shown without debug");
        hull_info("info line");
        errno = EXDEV;
        hull_warn("quote \" backslash \\ newline\n tab\t ctl\x01 utf8 \xc3\xa9 bad \xff end");
        assert_int_equal(errno, EXDEV); /* logging preserves errno */
        hull_error("failed: %s (%d)", "reason", 7);
        hull_warn("trailing newline dropped\n");

        size_t n;
        char **lines = read_lines(&n);
        assert_int_equal(n, 4);
        static const char *const levels[] = {"info", "warning", "error", "warning"};
        static const char *const msgs[] = {
            "info line",
            "quote \" backslash \\ newline\n tab\t ctl\x01 utf8 \xc3\xa9 bad \xef\xbf\xbd end",
            "failed: reason (7)",
            "trailing newline dropped",
        };
        for (size_t i = 0; i < n; i++) {
                json_error_t jerr;
                json_t *o = json_loads(lines[i], 0, &jerr);
                if (!o)
                        fail_msg("line %zu is not JSON (%s): %s", i, jerr.text, lines[i]);
                assert_int_equal(json_object_size(o), 3);
                assert_string_equal(json_string_value(json_object_get(o, "level")), levels[i]);
                assert_string_equal(json_string_value(json_object_get(o, "msg")), msgs[i]);
                check_time(json_string_value(json_object_get(o, "time")), 1);
                json_decref(o);
                /* logrus's key order. */
                assert_true(strncmp(lines[i], "{\"level\":", 9) == 0);
                assert_non_null(strstr(lines[i], "\",\"msg\":\""));
        }
        free_lines(lines, n);
}

static void test_json_long_message(void **state)
{
        (void)state;
        assert_int_equal(hull_log_init(log_path, 1, 0), 0);
        char big[6000];
        memset(big, '\x02', sizeof(big) - 1); /* each escapes to six bytes */
        big[sizeof(big) - 1] = '\0';
        hull_error("%s", big);
        size_t n;
        char **lines = read_lines(&n);
        assert_int_equal(n, 1);
        json_t *o = json_loads(lines[0], 0, NULL);
        assert_non_null(o);
        const char *msg = json_string_value(json_object_get(o, "msg"));
        assert_true(strlen(msg) > 500 && strlen(msg) < sizeof(big));
        assert_int_equal(msg[0], '\x02');
        json_decref(o);
        free_lines(lines, n);
}

static void test_text(void **state)
{
        (void)state;
        assert_int_equal(hull_log_init(log_path, 0, 1), 0);
        hull_debug("debug shown");
        hull_info("plain-word_1.2/x@y^z+");
        hull_warn("say \"hi\"\\ now\n\x01\xff");
        hull_error("%s", "");
        size_t n;
        char **lines = read_lines(&n);
        assert_int_equal(n, 4);
        static const char *const tails[] = {
            "\" level=debug msg=\"debug shown\"",
            "\" level=info msg=plain-word_1.2/x@y^z+",
            "\" level=warning msg=\"say \\\"hi\\\"\\\\ now\\n\\x01\\xff\"",
            "\" level=error msg=",
        };
        for (size_t i = 0; i < n; i++) {
                assert_true(strncmp(lines[i], "time=\"", 6) == 0);
                char when[40];
                const char *q = strchr(lines[i] + 6, '"');
                assert_non_null(q);
                fmt(when, sizeof(when), "%.*s", (int)(q - lines[i] - 6), lines[i] + 6);
                check_time(when, 0);
                assert_string_equal(q, tails[i]);
        }
        free_lines(lines, n);
}

static void test_levels_and_reinit(void **state)
{
        (void)state;
        assert_int_equal(hull_log_init(log_path, 0, 0), 0);
        hull_debug("hidden");
        hull_info("shown with a file");
        /* Appends: a second init keeps what is there. */
        assert_int_equal(hull_log_init(log_path, 0, 0), 0);
        hull_warn("second");
        size_t n;
        char **lines = read_lines(&n);
        assert_int_equal(n, 2);
        assert_non_null(strstr(lines[0], "msg=\"shown with a file\""));
        assert_non_null(strstr(lines[1], "msg=second"));
        free_lines(lines, n);
        assert_int_equal(hull_log_init("/nonexistent-dir/log", 0, 0), -ENOENT);
        assert_int_equal(hull_log_init(NULL, 0, 0), 0);
        assert_int_equal(hull_log_fd(), -1);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
            FX(test_json),
            FX(test_json_long_message),
            FX(test_text),
            FX(test_levels_and_reinit),
        };
        return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}

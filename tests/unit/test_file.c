/* Whole-file reads, atomic writes, kernel-file writes, locks, mkdir -p, and rm -rf that does
 * not follow symlinks or cross mount points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"

/* snprintf that fails the test instead of truncating. */
static void __attribute__((format(printf, 3, 4))) fmt(char *buf, size_t size, const char *f, ...)
{
        va_list ap;
        va_start(ap, f);
        int n = vsnprintf(buf, size, f, ap);
        va_end(ap);
        assert_true(n >= 0 && (size_t)n < size);
}

struct fx {
        char dir[64];
        int dirfd;
        char mounts[4][PATH_MAX]; /* unmounted in teardown */
        int n_mounts;
};

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        fmt(f->dir, sizeof(f->dir), "/tmp/hull-test-file-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->dirfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->dirfd >= 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        for (int i = f->n_mounts - 1; i >= 0; i--)
                umount2(f->mounts[i], MNT_DETACH);
        close(f->dirfd);
        int r = hull_rm_rf_at(AT_FDCWD, f->dir, NULL);
        free(f);
        assert_int_equal(r, 0);
        return 0;
}

static void path_of(const struct fx *f, const char *rel, char buf[PATH_MAX])
{
        fmt(buf, PATH_MAX, "%s/%s", f->dir, rel);
}

static void mk(const struct fx *f, const char *rel)
{
        char p[PATH_MAX];
        path_of(f, rel, p);
        assert_int_equal(mkdir(p, 0755), 0);
}

static void put(const struct fx *f, const char *rel, const char *data)
{
        struct hull_err err = {0};
        assert_int_equal(hull_file_write_atomic(f->dirfd, rel, data, strlen(data), 0644, &err), 0);
}

static bool exists(const struct fx *f, const char *rel)
{
        char p[PATH_MAX];
        struct stat st;
        path_of(f, rel, p);
        return lstat(p, &st) == 0;
}

/* Mount a tmpfs (or bind-mount SRC) on REL; false when this environment cannot mount. */
static bool mount_on(struct fx *f, const char *rel, const char *bind_src)
{
        char p[PATH_MAX];
        path_of(f, rel, p);
        int r = bind_src ? mount(bind_src, p, NULL, MS_BIND, NULL)
                         : mount("hull-test", p, "tmpfs", 0, "size=1m");
        if (r < 0) {
                print_message("cannot mount on %s (%s): skipping\n", p, strerror(errno));
                return false;
        }
        fmt(f->mounts[f->n_mounts++], PATH_MAX, "%s", p);
        return true;
}

/* Entries in DIR other than "." and ".." (to spot leftover temp files). */
static int count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        assert_non_null(d);
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void test_write_atomic_and_read(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        mode_t old = umask(077);
        assert_int_equal(hull_file_write_atomic(f->dirfd, "state.json", "{\"a\":1}", 7, 0644, &err),
                         0);
        umask(old);
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(hull_file_read(f->dirfd, "state.json", &data, &len, &err), 0);
        assert_int_equal(len, 7);
        assert_string_equal(data, "{\"a\":1}");
        free(data);

        char p[PATH_MAX];
        struct stat st;
        path_of(f, "state.json", p);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644); /* fchmod: the umask does not apply */
        ino_t first = st.st_ino;

        /* Overwrite: a new inode renamed into place; a reader holding the old sees old data. */
        int reader = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(reader >= 0);
        assert_int_equal(hull_file_write_atomic(f->dirfd, "state.json", "new", 3, 0600, &err), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_true(st.st_ino != first);
        assert_int_equal(st.st_mode & 07777, 0600);
        char buf[16] = {0};
        assert_int_equal(read(reader, buf, sizeof(buf)), 7);
        close(reader);
        assert_int_equal(hull_file_read(AT_FDCWD, p, &data, NULL, &err), 0);
        assert_string_equal(data, "new");
        free(data);

        /* Empty content, and a path with a directory part. */
        mk(f, "sub");
        assert_int_equal(hull_file_write_atomic(f->dirfd, "sub/empty", "", 0, 0644, &err), 0);
        assert_int_equal(hull_file_read(f->dirfd, "sub/empty", &data, &len, &err), 0);
        assert_int_equal(len, 0);
        assert_string_equal(data, "");
        free(data);
        assert_int_equal(hull_file_write_atomic(AT_FDCWD, p, "abs", 3, 0644, &err), 0);
        assert_int_equal(count_entries(f->dir), 2); /* state.json, sub: no temp files left */
        path_of(f, "sub", p);
        assert_int_equal(count_entries(p), 1);
}

static void test_write_atomic_big(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        size_t n = 3 * 1024 * 1024 + 17;
        char *big = malloc(n);
        assert_non_null(big);
        for (size_t i = 0; i < n; i++)
                big[i] = (char)('a' + i % 26);
        assert_int_equal(hull_file_write_atomic(f->dirfd, "big", big, n, 0644, &err), 0);
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(hull_file_read(f->dirfd, "big", &data, &len, &err), 0);
        assert_int_equal(len, n);
        assert_memory_equal(data, big, n);
        free(data);
        free(big);
}

static void test_write_atomic_failures(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        assert_int_equal(hull_file_write_atomic(f->dirfd, "nodir/x", "a", 1, 0644, &err), -ENOENT);
        assert_int_equal(err.code, ENOENT);
        assert_non_null(strstr(err.msg, "nodir/x"));
        /* The rename fails over a directory: the temp file must not stay behind. */
        mk(f, "adir");
        put(f, "adir/inside", "x");
        assert_true(hull_file_write_atomic(f->dirfd, "adir", "a", 1, 0644, &err) < 0);
        assert_int_equal(count_entries(f->dir), 1);
        assert_int_equal(hull_file_write_atomic(f->dirfd, "adir/", "a", 1, 0644, &err), -EISDIR);
        assert_int_equal(count_entries(f->dir), 1);
}

static void test_read(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        char *data = (char *)0x1;
        assert_int_equal(hull_file_read(f->dirfd, "missing", &data, NULL, &err), -ENOENT);
        assert_true(data == (char *)0x1); /* untouched on failure */
        assert_non_null(strstr(err.msg, "missing"));
        /* /proc files say size 0: the read must not trust it. */
        size_t len = 0;
        assert_int_equal(hull_file_read(AT_FDCWD, "/proc/self/status", &data, &len, &err), 0);
        assert_true(len > 100);
        assert_int_equal(strlen(data), len);
        assert_non_null(strstr(data, "Pid:"));
        free(data);
        mk(f, "d");
        assert_int_equal(hull_file_read(f->dirfd, "d", &data, &len, &err), -EISDIR);
}

static void test_write_str(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        put(f, "knob", "0123456789");
        assert_int_equal(hull_file_write_str(f->dirfd, "knob", "ab", &err), 0);
        char *data = NULL;
        assert_int_equal(hull_file_read(f->dirfd, "knob", &data, NULL, &err), 0);
        assert_string_equal(data, "ab23456789"); /* no O_TRUNC, as for kernel files */
        free(data);
        assert_int_equal(hull_file_write_str(f->dirfd, "nothere", "1", &err), -ENOENT);
        assert_false(exists(f, "nothere")); /* never creates */
        /* A kernel file refusing the value reports its errno. */
        int r = hull_file_write_str(AT_FDCWD, "/proc/self/oom_score_adj", "abc", &err);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(err.msg, "oom_score_adj"));
        assert_int_equal(hull_file_write_str(AT_FDCWD, "/proc/self/oom_score_adj", "0", &err), 0);
}

static void test_lock(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        put(f, "lock", "");
        char p[PATH_MAX];
        path_of(f, "lock", p);
        int a = open(p, O_RDONLY | O_CLOEXEC), b = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(a >= 0 && b >= 0);
        assert_int_equal(hull_file_lock(a, 1, 0, &err), 0);
        assert_int_equal(hull_file_lock(b, 1, 0, &err), -EWOULDBLOCK);
        assert_int_equal(err.code, EWOULDBLOCK);
        assert_int_equal(hull_file_lock(b, 0, 0, &err), -EWOULDBLOCK);
        close(a);
        assert_int_equal(hull_file_lock(b, 0, 1, &err), 0);
        a = open(p, O_RDONLY | O_CLOEXEC);
        assert_int_equal(hull_file_lock(a, 0, 0, &err), 0); /* shared with shared */
        assert_int_equal(hull_file_lock(a, 1, 0, &err), -EWOULDBLOCK);
        close(a);
        close(b);
        assert_int_equal(hull_file_lock(-1, 1, 0, &err), -EBADF);
}

static void test_mkdir_p(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        char p[PATH_MAX];
        path_of(f, "a//b/c/", p);
        assert_int_equal(hull_mkdir_p(p, 0700, &err), 0);
        assert_true(exists(f, "a/b/c"));
        assert_int_equal(hull_mkdir_p(p, 0700, &err), 0); /* existing is fine */
        put(f, "file", "x");
        path_of(f, "file/sub", p);
        assert_int_equal(hull_mkdir_p(p, 0700, &err), -ENOTDIR);
        path_of(f, "file", p);
        assert_int_equal(hull_mkdir_p(p, 0700, &err), -ENOTDIR);
        assert_int_equal(hull_mkdir_p("", 0700, &err), -ENOENT);
        assert_int_equal(hull_mkdir_p("/", 0700, &err), 0);
}

static void test_rm_rf(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        /* A target outside the tree that symlinks point at: it must survive. */
        mk(f, "keep");
        put(f, "keep/precious", "x");
        mk(f, "t");
        mk(f, "t/a");
        mk(f, "t/a/b");
        put(f, "t/a/b/f", "1");
        put(f, "t/g", "2");
        char p[PATH_MAX], target[PATH_MAX];
        path_of(f, "keep", target);
        path_of(f, "t/link_dir", p);
        assert_int_equal(symlink(target, p), 0);
        path_of(f, "t/a/dangling", p);
        assert_int_equal(symlink("/nonexistent", p), 0);
        path_of(f, "t/a/fifo", p);
        assert_int_equal(mkfifo(p, 0600), 0);
        path_of(f, "t/a/ro", p);
        assert_int_equal(mkdir(p, 0500), 0); /* removable as its parent is writable */

        assert_int_equal(hull_rm_rf_at(f->dirfd, "t", &err), 0);
        assert_false(exists(f, "t"));
        assert_true(exists(f, "keep/precious"));

        /* Missing is success (cleanup is idempotent); a plain file or symlink is unlinked. */
        assert_int_equal(hull_rm_rf_at(f->dirfd, "t", &err), 0);
        put(f, "plain", "x");
        assert_int_equal(hull_rm_rf_at(f->dirfd, "plain", &err), 0);
        assert_false(exists(f, "plain"));
        path_of(f, "toplink", p);
        assert_int_equal(symlink(target, p), 0);
        assert_int_equal(hull_rm_rf_at(f->dirfd, "toplink", &err), 0);
        assert_false(exists(f, "toplink"));
        assert_true(exists(f, "keep/precious"));

        /* With a directory part, and refusing names that cannot be removed. */
        mk(f, "n");
        mk(f, "n/m");
        assert_int_equal(hull_rm_rf_at(f->dirfd, "n/m", &err), 0);
        assert_false(exists(f, "n/m"));
        assert_int_equal(hull_rm_rf_at(f->dirfd, ".", &err), -EINVAL);
        assert_int_equal(hull_rm_rf_at(f->dirfd, "n/..", &err), -EINVAL);
        assert_int_equal(hull_rm_rf_at(f->dirfd, "", &err), -EINVAL);
        assert_true(exists(f, "n"));
}

static void test_rm_rf_refuses_mounts(void **state)
{
        struct fx *f = *state;
        struct hull_err err = {0};
        mk(f, "t");
        mk(f, "t/a");
        put(f, "t/a/f", "1");
        put(f, "t/z", "2");
        mk(f, "t/a/mnt");
        if (!mount_on(f, "t/a/mnt", NULL))
                skip();
        put(f, "t/a/mnt/on_tmpfs", "3");

        /* Refused whole: nothing removed, not even beside the mount. */
        assert_int_equal(hull_rm_rf_at(f->dirfd, "t", &err), -EBUSY);
        assert_int_equal(err.code, EBUSY);
        assert_non_null(strstr(err.msg, "t/a/mnt"));
        assert_true(exists(f, "t/z"));
        assert_true(exists(f, "t/a/f"));
        assert_true(exists(f, "t/a/mnt/on_tmpfs"));

        /* The top itself a mount point. */
        assert_int_equal(hull_rm_rf_at(f->dirfd, "t/a/mnt", &err), -EBUSY);
        assert_true(exists(f, "t/a/mnt/on_tmpfs"));

        /* A bind mount of the same filesystem has the same st_dev: found by mount id. */
        mk(f, "src");
        put(f, "src/data", "4");
        mk(f, "t/bind");
        char src[PATH_MAX];
        path_of(f, "src", src);
        if (!mount_on(f, "t/bind", src))
                skip();
        umount2(f->mounts[0], MNT_DETACH);
        assert_int_equal(hull_rm_rf_at(f->dirfd, "t", &err), -EBUSY);
        assert_non_null(strstr(err.msg, "t/bind"));
        assert_true(exists(f, "src/data"));
        assert_true(exists(f, "t/z"));
        umount2(f->mounts[1], MNT_DETACH);
        f->n_mounts = 0;
        assert_int_equal(hull_rm_rf_at(f->dirfd, "t", &err), 0);
        assert_false(exists(f, "t"));
        assert_true(exists(f, "src/data"));
}

#define FX(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
            FX(test_write_atomic_and_read),
            FX(test_write_atomic_big),
            FX(test_write_atomic_failures),
            FX(test_read),
            FX(test_write_str),
            FX(test_lock),
            FX(test_mkdir_p),
            FX(test_rm_rf),
            FX(test_rm_rf_refuses_mounts),
        };
        return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}

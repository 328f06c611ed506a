/* Resolution inside a container root against hostile rootfs layouts (CVE-2021-30465 class):
 * every case runs twice, with openat2 and with the userspace fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/path.h"
#include "base/syscalls.h"

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
        char base[64];          /* host temp dir */
        char root[PATH_MAX];    /* base/root, the container root */
        char outside[PATH_MAX]; /* base/outside: nothing may ever appear here */
        char mirror[PATH_MAX];  /* root + outside: where absolute links to it must land */
        char uniq[64];          /* a name unique to this test, for /tmp and /etc checks */
        int rootfd;
        bool proc_mounted;
};

static int test_counter;

static void host(const struct fx *f, const char *rel, char buf[PATH_MAX])
{
        fmt(buf, PATH_MAX, "%s/%s", f->root, rel);
}

static void mk(const struct fx *f, const char *rel)
{
        char p[PATH_MAX];
        host(f, rel, p);
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                fail_msg("mkdir %s: %s", p, strerror(errno));
}

static void ln(const struct fx *f, const char *target, const char *rel)
{
        char p[PATH_MAX];
        host(f, rel, p);
        assert_int_equal(symlink(target, p), 0);
}

static void put(const struct fx *f, const char *rel, const char *data)
{
        char p[PATH_MAX];
        host(f, rel, p);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
        close(fd);
}

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        fmt(f->base, sizeof(f->base), "/tmp/hull-test-path-XXXXXX");
        assert_non_null(mkdtemp(f->base));
        fmt(f->root, sizeof(f->root), "%s/root", f->base);
        fmt(f->outside, sizeof(f->outside), "%s/outside", f->base);
        fmt(f->mirror, sizeof(f->mirror), "%s%s", f->root, f->outside);
        fmt(f->uniq, sizeof(f->uniq), "hull-test-%d-%d", getpid(), ++test_counter);
        assert_int_equal(mkdir(f->root, 0755), 0);
        assert_int_equal(mkdir(f->outside, 0755), 0);
        assert_int_equal(hull_mkdir_p(f->mirror, 0755, NULL), 0);
        mk(f, "etc");
        put(f, "etc/passwd", "root-passwd");
        mk(f, "tmp");
        mk(f, "dir");
        mk(f, "dir/sub");
        mk(f, "outside");
        put(f, "file", "data");
        ln(f, "/etc", "abs_etc");
        ln(f, "/etc/passwd", "abs_passwd");
        ln(f, "../../../../../../../../etc", "rel_escape");
        ln(f, "../../outside", "dir/up");
        ln(f, "/tmp", "tmp_link");
        ln(f, f->outside, "out_link");
        ln(f, "../outside", "rel_out");
        ln(f, "loop2", "loop1");
        ln(f, "loop1", "loop2");
        ln(f, "self", "self");
        ln(f, "../outside/dangle", "dangling_rel");
        char target[PATH_MAX];
        fmt(target, sizeof(target), "%s/dangle_abs", f->outside);
        ln(f, target, "dangling_abs");
        ln(f, "/deep/a/b/file", "dangling_deep");
        ln(f, "../../../../../..", "dotdot_chain");
        ln(f, "file", "file_link");
        ln(f, "dir", "dir_link");
        ln(f, "/etc/passwd", "dir/sub/abs_passwd");
        ln(f, "/dir/sub", "dir/sub/abs_sub");
        f->rootfd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->rootfd >= 0);
        *state = f;
        return 0;
}

/* Whether DIR/NAME exists on the host; it is removed, so that a failing run cleans up. */
static bool host_created(const char *dir, const char *name)
{
        char p[PATH_MAX];
        fmt(p, sizeof(p), "%s/%s", dir, name);
        struct stat st;
        if (lstat(p, &st) < 0)
                return false;
        print_message("%s was created outside the root\n", p);
        if (S_ISDIR(st.st_mode))
                hull_rm_rf_at(AT_FDCWD, p, NULL);
        else
                unlink(p);
        return true;
}

static void host_absent(const char *dir, const char *name)
{
        if (host_created(dir, name))
                fail_msg("%s/%s was created outside the root", dir, name);
}

static int outside_entries(const struct fx *f)
{
        DIR *d = opendir(f->outside);
        assert_non_null(d);
        struct dirent *de;
        int n = 0;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void assert_outside_clean(const struct fx *f)
{
        assert_int_equal(outside_entries(f), 0);
}

static int teardown(void **state)
{
        struct fx *f = *state;
        char p[PATH_MAX];
        if (f->proc_mounted) {
                host(f, "proc", p);
                umount2(p, MNT_DETACH);
        }
        int outside = outside_entries(f);
        bool escaped = host_created("/tmp", f->uniq);
        escaped |= host_created("/etc", f->uniq);
        close(f->rootfd);
        int r = hull_rm_rf_at(AT_FDCWD, f->base, NULL);
        free(f);
        assert_int_equal(outside, 0);
        assert_false(escaped);
        assert_int_equal(r, 0);
        return 0;
}

/* fd refers to the same inode as root/REL (lstat when LINK). */
static void assert_fd_is_(int fd, const struct fx *f, const char *rel, bool link)
{
        char p[PATH_MAX];
        host(f, rel, p);
        struct stat a, b;
        assert_int_equal(fstat(fd, &a), 0);
        assert_int_equal(link ? lstat(p, &b) : stat(p, &b), 0);
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                fail_msg("fd %d is not %s", fd, p);
}
#define assert_fd_is(fd, f, rel) assert_fd_is_(fd, f, rel, false)

static int open_in(const struct fx *f, const char *path, int flags)
{
        struct hull_err err = {0};
        int fd = hull_path_open_in_root(f->rootfd, path, flags, 0644, &err);
        if (fd < 0) {
                assert_int_equal(err.code, -fd);
                assert_true(strstr(err.msg, path) != NULL);
        } else {
                assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        }
        return fd;
}

/* Open, check the result is root/EXPECT, close. */
static void open_expect(const struct fx *f, const char *path, int flags, const char *expect)
{
        int fd = open_in(f, path, flags);
        if (fd < 0)
                fail_msg("open %s: %s", path, strerror(-fd));
        assert_fd_is(fd, f, expect);
        close(fd);
}

static void open_fails(const struct fx *f, const char *path, int flags, int code)
{
        int fd = open_in(f, path, flags);
        if (fd >= 0)
                close(fd);
        if (fd != -code)
                fail_msg("open %s: got %d (%s), want -%s", path, fd,
                         fd < 0 ? strerror(-fd) : "success", strerror(code));
}

static int mkdir_in(const struct fx *f, const char *path)
{
        struct hull_err err = {0};
        int fd = hull_path_mkdir_in_root(f->rootfd, path, 0755, &err);
        if (fd < 0)
                assert_int_equal(err.code, -fd);
        return fd;
}

static int mkfile_in(const struct fx *f, const char *path)
{
        struct hull_err err = {0};
        int fd = hull_path_mkfile_in_root(f->rootfd, path, 0644, &err);
        if (fd < 0)
                assert_int_equal(err.code, -fd);
        return fd;
}

static void assert_opath(int fd)
{
        assert_true(fcntl(fd, F_GETFL) & O_PATH);
}

static void test_mode(void **state)
{
        (void)state;
        struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
        int fd = hull_openat2(AT_FDCWD, "/", &how, sizeof(how));
        if (hull_sys_disabled("openat2")) {
                assert_int_equal(fd, -1);
                assert_int_equal(errno, ENOSYS);
        } else if (fd < 0) {
                print_message("openat2 unavailable (%s): both runs use the fallback\n",
                              strerror(errno));
        } else {
                close(fd);
        }
}

static void test_open_plain(void **state)
{
        struct fx *f = *state;
        open_expect(f, "etc/passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "/etc/passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "//etc///./passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "dir/sub/", O_RDONLY | O_DIRECTORY, "dir/sub");
        open_expect(f, "dir/sub/..", O_PATH, "dir");
        open_expect(f, "/", O_PATH, ".");
        open_expect(f, ".", O_RDONLY | O_DIRECTORY, ".");
        open_expect(f, "..", O_PATH, ".");
        open_expect(f, "../../..", O_PATH | O_DIRECTORY, ".");
        open_expect(f, "/../../../etc/../etc/passwd", O_RDONLY, "etc/passwd");
        open_fails(f, "", O_RDONLY, ENOENT);
        open_fails(f, "missing", O_RDONLY, ENOENT);
        open_fails(f, "missing/x", O_RDONLY, ENOENT);
}

static void test_absolute_symlinks(void **state)
{
        struct fx *f = *state;
        open_expect(f, "abs_passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "abs_etc/passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "/abs_etc/../abs_etc/passwd", O_RDONLY, "etc/passwd");
        /* Links below the top level restart from the root too, not from their directory. */
        open_expect(f, "dir/sub/abs_passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "dir/sub/abs_sub/abs_sub/abs_passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "dir/sub/abs_sub/../../etc/passwd", O_RDONLY, "etc/passwd");
        int fd = open_in(f, "abs_passwd", O_RDONLY);
        assert_true(fd >= 0);
        char buf[32] = {0};
        assert_int_equal(read(fd, buf, sizeof(buf) - 1), 11);
        assert_string_equal(buf, "root-passwd");
        close(fd);
        /* The absolute host path of the outside dir lands in its mirror inside the root. */
        open_expect(f, "out_link", O_PATH | O_DIRECTORY, f->mirror + strlen(f->root) + 1);
}

static void test_relative_escapes(void **state)
{
        struct fx *f = *state;
        open_expect(f, "rel_escape/passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "dir/up", O_RDONLY | O_DIRECTORY, "outside");
        open_expect(f, "rel_out", O_PATH, "outside");
        open_expect(f, "dotdot_chain/etc/passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "dotdot_chain", O_PATH, ".");
        open_expect(f, "dir/sub/../../../../../etc/passwd", O_RDONLY, "etc/passwd");
        open_expect(f, "dir_link/../etc/passwd", O_RDONLY, "etc/passwd");
}

static void test_symlinked_parent_create(void **state)
{
        struct fx *f = *state;
        char path[PATH_MAX], rel[PATH_MAX];
        fmt(path, sizeof(path), "tmp_link/%s", f->uniq);
        fmt(rel, sizeof(rel), "tmp/%s", f->uniq);
        int fd = open_in(f, path, O_WRONLY | O_CREAT | O_EXCL);
        assert_true(fd >= 0);
        assert_fd_is(fd, f, rel);
        close(fd);
        host_absent("/tmp", f->uniq);

        fd = open_in(f, "out_link/newfile", O_WRONLY | O_CREAT);
        assert_true(fd >= 0);
        fmt(rel, sizeof(rel), "%s/newfile", f->mirror + strlen(f->root) + 1);
        assert_fd_is(fd, f, rel);
        close(fd);

        fd = open_in(f, "rel_out/newfile2", O_RDWR | O_CREAT);
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "outside/newfile2");
        close(fd);

        fmt(path, sizeof(path), "abs_etc/%s", f->uniq);
        fmt(rel, sizeof(rel), "etc/%s", f->uniq);
        fd = open_in(f, path, O_WRONLY | O_CREAT | O_TRUNC);
        assert_true(fd >= 0);
        assert_fd_is(fd, f, rel);
        close(fd);
        assert_outside_clean(f);
}

static void test_dangling_create(void **state)
{
        struct fx *f = *state;
        open_fails(f, "dangling_rel", O_WRONLY | O_CREAT | O_EXCL, EEXIST);
        int fd = open_in(f, "dangling_rel", O_WRONLY | O_CREAT);
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "outside/dangle");
        close(fd);

        fd = open_in(f, "dangling_abs", O_WRONLY | O_CREAT);
        assert_true(fd >= 0);
        char rel[PATH_MAX];
        fmt(rel, sizeof(rel), "%s/dangle_abs", f->mirror + strlen(f->root) + 1);
        assert_fd_is(fd, f, rel);
        close(fd);

        /* O_CREAT makes the last component only. */
        open_fails(f, "dangling_deep", O_WRONLY | O_CREAT, ENOENT);
        open_fails(f, "missing/newfile", O_WRONLY | O_CREAT, ENOENT);
        open_fails(f, "missing/", O_WRONLY | O_CREAT, EISDIR);
        char p[PATH_MAX];
        struct stat st;
        host(f, "missing", p);
        assert_int_equal(lstat(p, &st), -1);
        host(f, "deep", p);
        assert_int_equal(lstat(p, &st), -1);
        assert_outside_clean(f);
}

static void test_loops(void **state)
{
        struct fx *f = *state;
        open_fails(f, "loop1", O_RDONLY, ELOOP);
        open_fails(f, "loop1", O_PATH, ELOOP);
        open_fails(f, "loop2/x", O_RDONLY, ELOOP);
        open_fails(f, "self/x", O_RDONLY, ELOOP);
        open_fails(f, "self", O_WRONLY | O_CREAT, ELOOP);
        open_fails(f, "loop1", O_PATH | O_DIRECTORY, ELOOP);
        int fd = open_in(f, "loop1", O_PATH | O_NOFOLLOW);
        assert_true(fd >= 0);
        assert_fd_is_(fd, f, "loop1", true);
        close(fd);
        int r = mkdir_in(f, "loop1/x");
        assert_int_equal(r, -ELOOP);
        r = mkfile_in(f, "loop1");
        assert_int_equal(r, -ELOOP);
}

/* The kernel follows at most 40 links in one lookup; so must the fallback. */
static void test_symlink_limit(void **state)
{
        struct fx *f = *state;
        char name[32], target[32];
        for (int i = 1; i <= 41; i++) {
                fmt(name, sizeof(name), "chain%d", i);
                if (i == 1)
                        fmt(target, sizeof(target), "file");
                else
                        fmt(target, sizeof(target), "/chain%d", i - 1);
                ln(f, target, name);
        }
        open_expect(f, "chain40", O_RDONLY, "file");
        open_fails(f, "chain41", O_RDONLY, ELOOP);
        int fd = mkfile_in(f, "chain40");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "file");
        close(fd);
        assert_int_equal(mkfile_in(f, "chain41"), -ELOOP);
}

static void test_final_flags(void **state)
{
        struct fx *f = *state;
        open_fails(f, "file_link", O_RDONLY | O_NOFOLLOW, ELOOP);
        int fd = open_in(f, "file_link", O_PATH | O_NOFOLLOW);
        assert_true(fd >= 0);
        assert_fd_is_(fd, f, "file_link", true);
        close(fd);
        /* O_NOFOLLOW is about the last component only. */
        open_expect(f, "dir_link/sub", O_PATH | O_NOFOLLOW, "dir/sub");
        open_expect(f, "file_link", O_PATH, "file");
        open_fails(f, "file", O_RDONLY | O_DIRECTORY, ENOTDIR);
        open_fails(f, "file_link", O_RDONLY | O_DIRECTORY, ENOTDIR);
        open_fails(f, "file_link", O_PATH | O_DIRECTORY, ENOTDIR);
        open_expect(f, "dir_link", O_RDONLY | O_DIRECTORY, "dir");
        open_expect(f, "dir_link", O_PATH | O_DIRECTORY, "dir");
        open_expect(f, "dir_link/", O_PATH, "dir");
        open_fails(f, "file/", O_RDONLY, ENOTDIR);
        open_fails(f, "file_link/", O_PATH, ENOTDIR);
        open_fails(f, "file/x", O_RDONLY, ENOTDIR);
        open_fails(f, "file_link/x", O_WRONLY | O_CREAT, ENOTDIR);
        open_fails(f, "dir", O_WRONLY | O_CREAT, EISDIR);
        open_fails(f, "dir/", O_WRONLY | O_CREAT, EISDIR);
        open_fails(f, "/", O_WRONLY | O_CREAT, EISDIR);
        open_fails(f, "file", O_WRONLY | O_CREAT | O_EXCL, EEXIST);
        open_fails(f, "file_link", O_WRONLY | O_CREAT | O_EXCL, EEXIST);

        fd = open_in(f, "file_link", O_WRONLY | O_TRUNC);
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "file");
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_size, 0);
        close(fd);

        fd = open_in(f, "dir_link", O_TMPFILE | O_RDWR);
        if (fd >= 0) {
                struct stat dst;
                char p[PATH_MAX];
                host(f, "dir", p);
                assert_int_equal(fstat(fd, &st), 0);
                assert_int_equal(stat(p, &dst), 0);
                assert_true(st.st_dev == dst.st_dev && S_ISREG(st.st_mode));
                close(fd);
        } else {
                assert_int_equal(fd, -EOPNOTSUPP);
        }
}

static void test_magic_links(void **state)
{
        struct fx *f = *state;
        char p[PATH_MAX];
        mk(f, "proc");
        host(f, "proc", p);
        if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                print_message("cannot mount proc (%s): skipping\n", strerror(errno));
                skip();
        }
        f->proc_mounted = true;
        int fd = open_in(f, "proc/self/status", O_RDONLY);
        assert_true(fd >= 0);
        close(fd);
        open_expect(f, "proc/self/..", O_PATH, "proc");
        open_fails(f, "proc/self/root", O_PATH, ELOOP);
        open_fails(f, "proc/self/root/etc/passwd", O_RDONLY, ELOOP);
        open_fails(f, "proc/self/cwd", O_RDONLY | O_DIRECTORY, ELOOP);
        open_fails(f, "proc/self/exe", O_RDONLY, ELOOP);
        open_fails(f, "proc/self/fd/0", O_RDONLY, ELOOP);
        open_fails(f, "proc/self/ns/net", O_RDONLY, ELOOP);
        fd = mkdir_in(f, "proc/self/root/tmp");
        assert_int_equal(fd, -ELOOP);
        ln(f, "/proc/self/root", "magic");
        open_fails(f, "magic/etc/passwd", O_RDONLY, ELOOP);
}

static void test_mkdir_in_root(void **state)
{
        struct fx *f = *state;
        int fd = mkdir_in(f, "a/b/c");
        assert_true(fd >= 0);
        assert_opath(fd);
        assert_fd_is(fd, f, "a/b/c");
        close(fd);
        fd = mkdir_in(f, "/a/b/c");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "a/b/c");
        close(fd);

        fd = mkdir_in(f, "out_link/x/y");
        assert_true(fd >= 0);
        char rel[PATH_MAX], path[PATH_MAX];
        fmt(rel, sizeof(rel), "%s/x/y", f->mirror + strlen(f->root) + 1);
        assert_fd_is(fd, f, rel);
        close(fd);

        fmt(path, sizeof(path), "tmp_link/%s/y", f->uniq);
        fmt(rel, sizeof(rel), "tmp/%s/y", f->uniq);
        fd = mkdir_in(f, path);
        assert_true(fd >= 0);
        assert_fd_is(fd, f, rel);
        close(fd);

        fd = mkdir_in(f, "../../../escape/d");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "escape/d");
        close(fd);

        fd = mkdir_in(f, "rel_escape/newdir");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "etc/newdir");
        close(fd);

        /* A dangling link is followed, and its target made inside the root. */
        fd = mkdir_in(f, "dangling_rel/sub");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "outside/dangle/sub");
        close(fd);

        fd = mkdir_in(f, "dir_link/new/");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "dir/new");
        close(fd);

        fd = mkdir_in(f, "/");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, ".");
        close(fd);

        assert_int_equal(mkdir_in(f, "file/sub"), -ENOTDIR);
        assert_int_equal(mkdir_in(f, "file_link/sub"), -ENOTDIR);
        assert_int_equal(mkdir_in(f, "file"), -ENOTDIR);
        assert_int_equal(mkdir_in(f, ""), -ENOENT);

        mode_t old = umask(0);
        struct hull_err err = {0};
        fd = hull_path_mkdir_in_root(f->rootfd, "modes/m", 0710, &err);
        umask(old);
        assert_true(fd >= 0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0710);
        close(fd);
        assert_outside_clean(f);
}

static void test_mkfile_in_root(void **state)
{
        struct fx *f = *state;
        int fd = mkfile_in(f, "etc/resolv.conf");
        assert_true(fd >= 0);
        assert_opath(fd);
        assert_fd_is(fd, f, "etc/resolv.conf");
        close(fd);

        fd = mkfile_in(f, "file_link");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "file");
        close(fd);

        fd = mkfile_in(f, "newdir/sub/f");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "newdir/sub/f");
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_size, 0);
        close(fd);

        char path[PATH_MAX], rel[PATH_MAX];
        fmt(path, sizeof(path), "abs_etc/%s", f->uniq);
        fmt(rel, sizeof(rel), "etc/%s", f->uniq);
        fd = mkfile_in(f, path);
        assert_true(fd >= 0);
        assert_fd_is(fd, f, rel);
        close(fd);

        fd = mkfile_in(f, "dangling_abs");
        assert_true(fd >= 0);
        fmt(rel, sizeof(rel), "%s/dangle_abs", f->mirror + strlen(f->root) + 1);
        assert_fd_is(fd, f, rel);
        close(fd);

        fd = mkfile_in(f, "dangling_deep");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "deep/a/b/file");
        close(fd);

        char p[PATH_MAX];
        host(f, "fifo", p);
        assert_int_equal(mkfifo(p, 0600), 0);
        fd = mkfile_in(f, "fifo");
        assert_true(fd >= 0);
        assert_fd_is(fd, f, "fifo");
        close(fd);

        assert_int_equal(mkfile_in(f, "dir"), -EISDIR);
        assert_int_equal(mkfile_in(f, "dir_link"), -EISDIR);
        assert_int_equal(mkfile_in(f, "x/"), -EISDIR);
        assert_int_equal(mkfile_in(f, "dir/.."), -EISDIR);
        assert_int_equal(mkfile_in(f, "file/x"), -ENOTDIR);
        host(f, "x", p);
        assert_int_equal(lstat(p, &st), -1);
        assert_outside_clean(f);
}

/* CVE-2021-30465: a path component swapped for a symlink to the host while we resolve it
 * (runc's mount target race). Another process exchanges a directory and a symlink pointing
 * at the host's "outside" in a loop; nothing may ever be created there. */
static void test_cve_2021_30465_symlink_exchange_race(void **state)
{
        struct fx *f = *state;
        char d[PATH_MAX], s[PATH_MAX];
        mk(f, "race");
        mk(f, "race/d");
        ln(f, f->outside, "race/s");
        host(f, "race/d", d);
        host(f, "race/s", s);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (;;)
                        renameat2(AT_FDCWD, d, AT_FDCWD, s, RENAME_EXCHANGE);
        }
        for (int i = 0; i < 2000; i++) {
                int fd = mkdir_in(f, "race/d/x");
                if (fd >= 0)
                        close(fd);
                fd = mkfile_in(f, "race/d/f");
                if (fd >= 0)
                        close(fd);
                fd = open_in(f, "race/d/g", O_WRONLY | O_CREAT);
                if (fd >= 0)
                        close(fd);
                fd = open_in(f, "race/d/../d/h", O_WRONLY | O_CREAT);
                if (fd >= 0)
                        close(fd);
        }
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_outside_clean(f);
}

static void test_clean(void **state)
{
        (void)state;
        static const char *const cases[][2] = {
            {"", "."},
            {".", "."},
            {"/", "/"},
            {"//", "/"},
            {"//a/./b/../c", "/a/c"},
            {"/..", "/"},
            {"/../../a", "/a"},
            {"a/b/", "a/b"},
            {"a//b", "a/b"},
            {"a/..", "."},
            {"a/../..", ".."},
            {"../a/..", ".."},
            {"../../x/y/..", "../../x"},
            {"./a/./b/.", "a/b"},
            {"/a/b/../../..", "/"},
            {"..a/b..", "..a/b.."},
            {"a/.../b", "a/.../b"},
        };
        for (size_t i = 0; i < HULL_ARRAY_SIZE(cases); i++) {
                char *c = hull_path_clean(cases[i][0]);
                assert_non_null(c);
                if (strcmp(c, cases[i][1]) != 0)
                        fail_msg("clean(\"%s\") = \"%s\", want \"%s\"", cases[i][0], c,
                                 cases[i][1]);
                free(c);
        }
}

static void test_fd_path(void **state)
{
        (void)state;
        char buf[HULL_FD_PATH_MAX];
        assert_string_equal(hull_fd_path(7, buf), "/proc/self/fd/7");
        assert_string_equal(hull_fd_path(2147483647, buf), "/proc/self/fd/2147483647");
}

#define FX(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_mode),
            FX(test_open_plain),
            FX(test_absolute_symlinks),
            FX(test_relative_escapes),
            FX(test_symlinked_parent_create),
            FX(test_dangling_create),
            FX(test_loops),
            FX(test_symlink_limit),
            FX(test_final_flags),
            FX(test_magic_links),
            FX(test_mkdir_in_root),
            FX(test_mkfile_in_root),
            FX(test_cve_2021_30465_symlink_exchange_race),
            cmocka_unit_test(test_clean),
            cmocka_unit_test(test_fd_path),
        };
        int failed = 0;
        unsetenv("HULL_TEST_DISABLE");
        hull_sys_disabled_reset();
        failed += cmocka_run_group_tests_name("path (openat2)", tests, NULL, NULL);
        setenv("HULL_TEST_DISABLE", "openat2", 1);
        hull_sys_disabled_reset();
        failed += cmocka_run_group_tests_name("path (fallback)", tests, NULL, NULL);
        return failed;
}

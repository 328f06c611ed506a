/* Reading and writing cgroupfs files, creating and removing cgroup directories. Kept here so
 * the drivers say what they write, not how. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"

char *hull_cgroup_hier_dir(const struct hull_cgroup_hier *h)
{
        char *s;
        const char *p = h->path && strcmp(h->path, "/") != 0 ? h->path : "";
        if (asprintf(&s, "%s%s", h->mount, p) < 0)
                return NULL;
        return s;
}

static int read_all_fd(int fd, char **ret)
{
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len + 1 >= cap) {
                        char *n = realloc(buf, cap * 2);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                        cap *= 2;
                }
                ssize_t r = read(fd, buf + len, cap - len - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        break;
                len += (size_t)r;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int hull_cg_read(const char *dir, const char *file, char **ret, struct hull_err *err)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s", path);
        int r = read_all_fd(fd, ret);
        if (r < 0)
                return hull_err_sys(err, -r, "read %s", path);
        return 0;
}

int hull_cg_write(const char *dir, const char *file, const char *s, struct hull_err *err)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        /* O_TRUNC is harmless on cgroupfs and keeps the fake trees of the tests exact. */
        int flags = O_WRONLY | O_TRUNC | O_CLOEXEC | (hull_cgroup_testing() ? O_CREAT : 0);
        _cleanup_close_ int fd = open(path, flags, 0644);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s", path);
        size_t len = strlen(s);
        ssize_t w;
        do
                w = write(fd, s, len);
        while (w < 0 && errno == EINTR);
        if (w < 0)
                return hull_err_sys(err, errno, "write \"%s\" to %s", s, path);
        if ((size_t)w != len)
                return hull_err_set(err, EIO, "write \"%s\" to %s: short write", s, path);
        return 0;
}

int hull_cg_writef(const char *dir, const char *file, struct hull_err *err, const char *fmt, ...)
{
        _cleanup_free_ char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        return hull_cg_write(dir, file, s, err);
}

static int parse_u64(const char *s, uint64_t *ret)
{
        while (*s == ' ')
                s++;
        if (strncmp(s, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || (*end && *end != '\n' && *end != ' '))
                return -EINVAL;
        *ret = v;
        return 0;
}

int hull_cg_read_u64(const char *dir, const char *file, uint64_t *ret, struct hull_err *err)
{
        _cleanup_free_ char *s = NULL;
        int r = hull_cg_read(dir, file, &s, err);
        if (r < 0)
                return r;
        if (parse_u64(s, ret) < 0)
                return hull_err_set(err, EINVAL, "%s/%s: not a number: %s", dir, file, s);
        return 0;
}

int hull_cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = hull_cg_read(dir, file, &s, NULL);
        if (r < 0)
                return r;
        size_t klen = strlen(key);
        for (char *line = s; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
                        return parse_u64(line + klen + 1, ret);
                line = nl ? nl + 1 : NULL;
        }
        return -ENOENT;
}

bool hull_cg_exists(const char *dir, const char *file)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return false;
        return access(path, F_OK) == 0;
}

int hull_cg_read_procs(const char *dir, pid_t **pids, size_t *n, struct hull_err *err)
{
        _cleanup_free_ char *s = NULL;
        int r = hull_cg_read(dir, "cgroup.procs", &s, err);
        if (r < 0)
                return r;
        for (char *p = s; *p;) {
                char *end;
                long v = strtol(p, &end, 10);
                if (end == p)
                        break;
                pid_t *np = realloc(*pids, (*n + 1) * sizeof(**pids));
                if (!np)
                        return hull_err_set(err, ENOMEM, "out of memory");
                *pids = np;
                (*pids)[(*n)++] = (pid_t)v;
                p = end;
                while (*p == '\n' || *p == ' ')
                        p++;
        }
        return 0;
}

int hull_cg_mkdir(const char *mount, const char *path, int *ret_parents,
                  int (*fixup)(const char *dir, struct hull_err *err), struct hull_err *err)
{
        _cleanup_free_ char *full = NULL;
        if (asprintf(&full, "%s%s", mount, path) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t base = strlen(mount);
        *ret_parents = 0;
        int n = 0; /* components */
        for (const char *p = path; *p; p++)
                if (*p == '/' && p[1] && p[1] != '/')
                        n++;
        if (n == 0)
                return 0;
        /* first: index of the first component of the run of directories we made that reaches
         * the deepest point so far; everything from there down to the leaf is ours. */
        int first = -1;
        /* A concurrent destroy may remove a shared parent between our mkdirs: start over. */
        for (int attempt = 0;; attempt++) {
                bool again = false;
                int k = 0;
                first = -1;
                for (char *p = full + base + 1; p && !again; k++) {
                        char *slash = strchr(p, '/');
                        if (slash)
                                *slash = '\0';
                        int r = 0, e = 0;
                        if (mkdir(full, 0755) == 0) {
                                if (first < 0)
                                        first = k;
                                if (fixup)
                                        r = fixup(full, err);
                        } else if (errno == EEXIST) {
                                first = -1;
                                /* Another create may have made it and not yet filled it in
                                 * (v1 cpuset): a fixup leaves a complete directory alone. */
                                if (fixup)
                                        r = fixup(full, err);
                        } else if (errno == ENOENT && attempt < 4) {
                                again = true;
                        } else {
                                e = errno;
                        }
                        if (slash)
                                *slash = '/';
                        if (r < 0 || e) {
                                *ret_parents = first >= 0 ? n - 1 - first : 0;
                                if (e)
                                        return hull_err_sys(err, e, "create cgroup %s", full);
                                return r;
                        }
                        p = slash ? slash + 1 : NULL;
                }
                if (!again)
                        break;
        }
        *ret_parents = first >= 0 ? n - 1 - first : 0;
        return 0;
}

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* The fake trees of the unit tests hold regular files a real cgroupfs would not. */
static void remove_test_files(const char *dir)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *e;
        while ((e = readdir(d)))
                if (e->d_type == DT_REG)
                        unlinkat(dirfd(d), e->d_name, 0);
}

static int rmdir_retry(const char *dir);

/* Cgroups the container made below its own (systemd in a container, nested runtimes) go
 * first: a cgroup with children cannot be removed. */
static void remove_children(const char *dir, int depth)
{
        _cleanup_closedir_ DIR *d = depth < 32 ? opendir(dir) : NULL;
        if (!d)
                return;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
                    strcmp(e->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, e->d_name) < 0)
                        return;
                remove_children(sub, depth + 1);
                rmdir_retry(sub);
        }
}

static int rmdir_retry(const char *dir)
{
        if (hull_cgroup_testing())
                remove_test_files(dir);
        /* Processes that were just killed leave the cgroup asynchronously: give them ~1 s. */
        for (int i = 0;; i++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || i >= 100)
                        return -errno;
                sleep_ms(i < 10 ? 1 : 10);
        }
}

int hull_cg_rmdir(const char *mount, const char *path, int parents, struct hull_err *err)
{
        _cleanup_free_ char *full = NULL;
        if (!path || !*path || strcmp(path, "/") == 0)
                return 0;
        if (asprintf(&full, "%s%s", mount, path) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = 0;
        if (rmdir(full) < 0 && errno != ENOENT) {
                remove_children(full, 0);
                r = rmdir_retry(full);
        }
        if (r < 0)
                return hull_err_sys(err, -r, "remove cgroup %s", full);
        size_t base = strlen(mount);
        for (int i = 0; i < parents; i++) {
                char *slash = strrchr(full + base, '/');
                if (!slash || slash == full + base)
                        break;
                *slash = '\0';
                if (hull_cgroup_testing())
                        remove_test_files(full);
                /* Another container may live there now: only an empty parent goes. */
                if (rmdir(full) < 0 && errno != ENOENT)
                        break;
        }
        return 0;
}

/* File helpers: whole-file reads, atomic writes (unique temp + rename), single writes to
 * /proc and /sys, flock, mkdir -p, and rm -rf that neither follows symlinks nor crosses mounts. */
#include "base/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"

#define TEMP_ATTEMPTS 100

static int read_fd_all(int fd, char **ret_data, size_t *ret_len)
{
        struct stat st;
        size_t cap = 4096;
        /* /proc and /sys report size 0 (or 4096): the size is only a hint. */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
                cap = (size_t)st.st_size + 1;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        size_t len = 0;
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap > SIZE_MAX / 2)
                                return -EFBIG;
                        char *bigger = realloc(buf, cap * 2);
                        if (!bigger)
                                return -ENOMEM;
                        buf = bigger;
                        cap *= 2;
                }
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret_data = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int hull_file_read(int dirfd, const char *path, char **ret_data, size_t *ret_len,
                   struct hull_err *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s", path);
        int r = read_fd_all(fd, ret_data, ret_len);
        if (r < 0)
                return hull_err_sys(err, -r, "read %s", path);
        return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
        const char *p = data;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

static uint64_t temp_random(void)
{
        static uint64_t counter;
        uint64_t v;
        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
                return v;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ((uint64_t)ts.tv_nsec << 20) ^ ((uint64_t)getpid() << 40) ^ (uint64_t)ts.tv_sec ^
               ++counter;
}

/* Create ".<base>.<random>.tmp" next to BASE in DIRFD with O_EXCL; the name goes to NAME. */
static int create_temp(int dirfd, const char *base, char name[NAME_MAX + 1])
{
        for (int i = 0; i < TEMP_ATTEMPTS; i++) {
                /* Shorten long base names so the temp name stays below NAME_MAX. */
                snprintf(name, NAME_MAX + 1, ".%.200s.%016llx.tmp", base,
                         (unsigned long long)temp_random());
                int fd =
                    openat(dirfd, name,
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
                if (fd >= 0 || errno != EEXIST)
                        return fd < 0 ? -errno : fd;
        }
        return -EEXIST;
}

static int write_temp(int fd, const void *data, size_t len, mode_t mode)
{
        int r = write_all(fd, data, len);
        if (r < 0)
                return r;
        if (fchmod(fd, mode) < 0)
                return -errno;
        return 0;
}

int hull_file_write_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                           struct hull_err *err)
{
        /* Work relative to the directory's fd, so the temp file and the rename are in the
         * same directory even if the path changes under us. */
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        if (!*base)
                return hull_err_set(err, EISDIR, "write %s: not a file name", path);
        _cleanup_close_ int dfd = -EBADF;
        if (slash) {
                _cleanup_free_ char *dir = strndup(path, (size_t)(slash - path) + 1);
                if (!dir)
                        return hull_err_set(err, ENOMEM, "write %s: out of memory", path);
                dfd = openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return hull_err_sys(err, errno, "write %s: open directory", path);
        }
        int at = slash ? dfd : dirfd;
        char tmp[NAME_MAX + 1];
        _cleanup_close_ int fd = create_temp(at, base, tmp);
        if (fd < 0)
                return hull_err_sys(err, -fd, "write %s: create temporary file", path);
        int r = write_temp(fd, data, len, mode);
        if (r == 0 && close(TAKE_FD(fd)) < 0 && errno != EINTR)
                r = -errno;
        if (r == 0 && renameat(at, tmp, at, base) < 0)
                r = -errno;
        if (r < 0) {
                unlinkat(at, tmp, 0);
                return hull_err_sys(err, -r, "write %s", path);
        }
        return 0;
}

int hull_file_write_str(int dirfd, const char *path, const char *s, struct hull_err *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s", path);
        /* Kernel files take a value per write(2): one call for the whole string, and a short
         * write is an error rather than something to continue. */
        size_t len = strlen(s);
        ssize_t n;
        do
                n = write(fd, s, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return hull_err_sys(err, errno, "write \"%s\" to %s", s, path);
        if ((size_t)n != len)
                return hull_err_set(err, EIO, "write \"%s\" to %s: short write", s, path);
        return 0;
}

int hull_file_lock(int fd, int exclusive, int wait, struct hull_err *err)
{
        int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
        while (flock(fd, op) < 0) {
                if (errno == EINTR)
                        continue;
                return hull_err_sys(err, errno, "lock");
        }
        return 0;
}

static int mkdir_one(const char *path, mode_t mode)
{
        if (mkdir(path, mode) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int hull_mkdir_p(const char *path, mode_t mode, struct hull_err *err)
{
        if (!*path)
                return hull_err_set(err, ENOENT, "mkdir: empty path");
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return hull_err_set(err, ENOMEM, "mkdir %s: out of memory", path);
        for (char *p = copy + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                int r = (p[-1] == '/') ? 0 : mkdir_one(copy, mode);
                *p = saved;
                if (r < 0)
                        return hull_err_sys(err, -r, "mkdir %s", copy);
                if (saved == '\0')
                        return 0;
        }
}

/* --- rm -rf --------------------------------------------------------------------------------
 * Two passes over the tree: the first only looks for mount points, so a tree holding one is
 * refused whole (-EBUSY) instead of half removed; the second removes, checking again since a
 * mount may appear in between. Mount points are found by mount id (statx), which also sees
 * bind mounts of the same filesystem; st_dev is the fallback on kernels without it. */

struct rm_ctx {
        bool remove;
        char path[PATH_MAX]; /* where the walk is, for the message (truncated if deep) */
        size_t path_len;
        char busy[PATH_MAX]; /* the first mount point found */
};

struct node_id {
        uint64_t mnt_id;
        bool have_mnt_id;
        dev_t dev;
        ino_t ino;
        mode_t mode;
};

static int node_stat(int dirfd, const char *name, struct node_id *ret)
{
        struct statx stx;
        int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (*name ? 0 : AT_EMPTY_PATH);
        if (statx(dirfd, name, flags, STATX_TYPE | STATX_INO | STATX_MNT_ID, &stx) < 0)
                return -errno;
        ret->mnt_id = stx.stx_mnt_id;
        ret->have_mnt_id = (stx.stx_mask & STATX_MNT_ID) != 0;
        ret->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
        ret->ino = stx.stx_ino;
        ret->mode = stx.stx_mode;
        return 0;
}

static bool node_other_mount(const struct node_id *parent, const struct node_id *child)
{
        if (parent->have_mnt_id && child->have_mnt_id)
                return parent->mnt_id != child->mnt_id;
        return parent->dev != child->dev;
}

/* Append "/NAME" to the walk's path; returns the length to restore afterwards. */
static size_t rm_path_push(struct rm_ctx *ctx, const char *name)
{
        size_t saved = ctx->path_len;
        const char *sep = (saved == 0 || ctx->path[saved - 1] == '/') ? "" : "/";
        int n = snprintf(ctx->path + saved, sizeof(ctx->path) - saved, "%s%s", sep, name);
        if (n > 0)
                ctx->path_len = saved + (size_t)n < sizeof(ctx->path) ? saved + (size_t)n
                                                                      : sizeof(ctx->path) - 1;
        return saved;
}

static int rm_busy(struct rm_ctx *ctx)
{
        if (!ctx->busy[0])
                memcpy(ctx->busy, ctx->path, ctx->path_len + 1);
        return -EBUSY;
}

static int rm_dir_contents(struct rm_ctx *ctx, int dfd, const struct node_id *self);

/* One entry NAME of directory DFD (whose identity is PARENT); ctx->path names it. */
static int rm_entry(struct rm_ctx *ctx, int dfd, const struct node_id *parent, const char *name)
{
        struct node_id child;
        int r = node_stat(dfd, name, &child);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        if (!S_ISDIR(child.mode)) {
                if (ctx->remove && unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                        return -errno;
                return 0;
        }
        if (node_other_mount(parent, &child))
                return rm_busy(ctx);
        _cleanup_close_ int fd =
            openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        /* Check what we hold: it may have been swapped (or mounted on) since the stat. */
        struct node_id opened;
        r = node_stat(fd, "", &opened);
        if (r < 0)
                return r;
        if (node_other_mount(parent, &opened))
                return rm_busy(ctx);
        r = rm_dir_contents(ctx, fd, &opened);
        if (r < 0)
                return r;
        if (ctx->remove && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

static int rm_dir_contents(struct rm_ctx *ctx, int dfd, const struct node_id *self)
{
        int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0)
                return -errno;
        _cleanup_closedir_ DIR *dir = fdopendir(dup_fd);
        if (!dir) {
                close(dup_fd);
                return -errno;
        }
        int first_err = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(dir);
                if (!de) {
                        if (errno != 0 && first_err == 0)
                                first_err = -errno;
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                size_t saved = rm_path_push(ctx, de->d_name);
                int r = rm_entry(ctx, dfd, self, de->d_name);
                ctx->path_len = saved;
                ctx->path[saved] = '\0';
                if (r < 0 && first_err == 0)
                        first_err = r;
                /* In the looking pass, one mount is enough to refuse. */
                if (r == -EBUSY && !ctx->remove)
                        break;
        }
        return first_err;
}

static int rm_tree(struct rm_ctx *ctx, int dirfd, const char *name)
{
        ctx->path_len = 0;
        rm_path_push(ctx, name);
        /* The top itself may be a mount point: compare it with the directory it is in. */
        const char *slash = strrchr(name, '/');
        _cleanup_close_ int pfd = -EBADF;
        if (slash) {
                _cleanup_free_ char *dir = strndup(name, (size_t)(slash - name) + 1);
                if (!dir)
                        return -ENOMEM;
                pfd = openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (pfd < 0)
                        return errno == ENOENT ? 0 : -errno;
        }
        int at = slash ? pfd : dirfd;
        struct node_id parent;
        int r = node_stat(at, "", &parent);
        if (r < 0)
                return r;
        return rm_entry(ctx, at, &parent, slash ? slash + 1 : name);
}

int hull_rm_rf_at(int dirfd, const char *name, struct hull_err *err)
{
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return hull_err_set(err, EINVAL, "remove %s: refusing to remove this path", name);
        struct rm_ctx ctx = {.remove = false};
        int r = rm_tree(&ctx, dirfd, name);
        if (r == 0) {
                ctx.remove = true;
                r = rm_tree(&ctx, dirfd, name);
        }
        if (r == -EBUSY && ctx.busy[0])
                return hull_err_set(err, EBUSY, "remove %s: %s is a mount point, unmount it first",
                                    name, ctx.busy);
        if (r < 0)
                return hull_err_sys(err, -r, "remove %s", name);
        return 0;
}

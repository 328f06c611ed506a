/* vfs driver (see vfs.h). Every layer is walked with directory fds and O_NOFOLLOW, and every
 * target entry is created relative to its parent's fd, so neither a layer's symlinks nor the
 * tree built so far can redirect a copy outside TARGET. Hardlinks inside one layer stay
 * hardlinks in the copy. */
#include "storage/vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "storage/overlay.h"

#define OPAQUE_XATTR "trusted.overlay.opaque"

struct link_seen {
        dev_t dev;
        ino_t ino;
        char *path; /* relative to the target root */
};

struct flatten {
        int root_fd; /* target */
        struct link_seen *links;
        size_t nlinks, cap;
        char *buf;
};

bool hull_storage_use_vfs(void)
{
        const char *d = getenv("HULL_STORAGE_DRIVER");
        if (d && *d)
                return strcmp(d, "vfs") == 0;
        return !hull_overlay_supported();
}

static void links_reset(struct flatten *f)
{
        for (size_t i = 0; i < f->nlinks; i++)
                free(f->links[i].path);
        f->nlinks = 0;
}

static int copy_xattrs(int src, int dst, const char *what, struct hull_err *err)
{
        char names[8192];
        ssize_t n = flistxattr(src, names, sizeof(names));
        if (n < 0)
                return errno == ENOTSUP ? 0 : hull_err_sys(err, errno, "list xattrs of %s", what);
        for (char *p = names; p < names + n; p += strlen(p) + 1) {
                if (!strncmp(p, "trusted.overlay.", 16))
                        continue;
                char value[65536];
                ssize_t v = fgetxattr(src, p, value, sizeof(value));
                if (v < 0)
                        continue;
                if (fsetxattr(dst, p, value, (size_t)v, 0) < 0 && errno != ENOTSUP &&
                    errno != EPERM)
                        return hull_err_sys(err, errno, "set xattr %s on %s", p, what);
        }
        return 0;
}

/* Owner, mode (after chown, which clears setuid), xattrs (after chown, which drops file
 * capabilities), times. */
static int copy_meta_fd(int src, int dst, const struct stat *st, const char *what,
                        struct hull_err *err)
{
        if (fchown(dst, st->st_uid, st->st_gid) < 0)
                return hull_err_sys(err, errno, "chown %s", what);
        if (fchmod(dst, st->st_mode & 07777) < 0)
                return hull_err_sys(err, errno, "chmod %s", what);
        int r = copy_xattrs(src, dst, what, err);
        if (r < 0)
                return r;
        struct timespec ts[2] = {st->st_atim, st->st_mtim};
        if (futimens(dst, ts) < 0)
                return hull_err_sys(err, errno, "set times of %s", what);
        return 0;
}

static int remove_entry(int pfd, const char *name, struct hull_err *err)
{
        struct stat st;
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : hull_err_sys(err, errno, "stat %s", name);
        if (S_ISDIR(st.st_mode))
                return hull_rm_rf_at(pfd, name, err);
        if (unlinkat(pfd, name, 0) < 0)
                return hull_err_sys(err, errno, "remove %s", name);
        return 0;
}

static int clear_dir(int dfd, struct hull_err *err)
{
        _cleanup_close_ int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d)
                return hull_err_sys(err, errno, "open directory");
        TAKE_FD(fd);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                int r = remove_entry(dfd, de->d_name, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int copy_file(struct flatten *f, int sfd, int dpfd, const char *name, const struct stat *st,
                     const char *rel, struct hull_err *err)
{
        for (size_t i = 0; i < f->nlinks && st->st_nlink > 1; i++)
                if (f->links[i].dev == st->st_dev && f->links[i].ino == st->st_ino) {
                        if (linkat(f->root_fd, f->links[i].path, dpfd, name, 0) < 0)
                                return hull_err_sys(err, errno, "link %s", rel);
                        return 0;
                }
        _cleanup_close_ int src = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int dst =
            openat(dpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (src < 0 || dst < 0)
                return hull_err_sys(err, errno, "copy %s", rel);
        for (;;) {
                ssize_t n = read(src, f->buf, 1 << 20);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return hull_err_sys(err, errno, "read %s", rel);
                if (n == 0)
                        break;
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(dst, f->buf + off, (size_t)(n - off));
                        if (w < 0 && errno != EINTR)
                                return hull_err_sys(err, errno, "write %s", rel);
                        off += w > 0 ? w : 0;
                }
        }
        if (st->st_nlink > 1) {
                if (f->nlinks == f->cap) {
                        size_t cap = f->cap ? f->cap * 2 : 64;
                        struct link_seen *l = realloc(f->links, cap * sizeof(*l));
                        if (!l)
                                return hull_err_set(err, ENOMEM, "out of memory");
                        f->links = l;
                        f->cap = cap;
                }
                f->links[f->nlinks].dev = st->st_dev;
                f->links[f->nlinks].ino = st->st_ino;
                f->links[f->nlinks].path = strdup(rel);
                if (!f->links[f->nlinks++].path)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        return copy_meta_fd(src, dst, st, rel, err);
}

static int copy_special(int sfd, int dpfd, const char *name, const struct stat *st, const char *rel,
                        struct hull_err *err)
{
        if (S_ISLNK(st->st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
                if (n < 0)
                        return hull_err_sys(err, errno, "read link %s", rel);
                target[n] = '\0';
                if (symlinkat(target, dpfd, name) < 0)
                        return hull_err_sys(err, errno, "create link %s", rel);
        } else if (mknodat(dpfd, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
                return hull_err_sys(err, errno, "create %s", rel);
        }
        if (fchownat(dpfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return hull_err_sys(err, errno, "chown %s", rel);
        if (!S_ISLNK(st->st_mode) && fchmodat(dpfd, name, st->st_mode & 07777, 0) < 0)
                return hull_err_sys(err, errno, "chmod %s", rel);
        struct timespec ts[2] = {st->st_atim, st->st_mtim};
        utimensat(dpfd, name, ts, AT_SYMLINK_NOFOLLOW);
        return 0;
}

static int copy_tree(struct flatten *f, int sfd, int dfd, const char *rel, struct hull_err *err);

static int copy_dir(struct flatten *f, int sfd, int dpfd, const char *name, const struct stat *st,
                    const char *rel, struct hull_err *err)
{
        struct stat dst;
        if (fstatat(dpfd, name, &dst, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(dst.st_mode)) {
                if (unlinkat(dpfd, name, 0) < 0)
                        return hull_err_sys(err, errno, "remove %s", rel);
        }
        if (mkdirat(dpfd, name, 0700) < 0 && errno != EEXIST)
                return hull_err_sys(err, errno, "create directory %s", rel);
        _cleanup_close_ int s = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int d = openat(dpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
                return hull_err_sys(err, errno, "open directory %s", rel);
        char v[4];
        ssize_t n = fgetxattr(s, OPAQUE_XATTR, v, sizeof(v));
        if (n == 1 && v[0] == 'y') {
                int r = clear_dir(d, err);
                if (r < 0)
                        return r;
        }
        int r = copy_tree(f, s, d, rel, err);
        if (r < 0)
                return r;
        return copy_meta_fd(s, d, st, rel, err);
}

static int copy_tree(struct flatten *f, int sfd, int dfd, const char *rel, struct hull_err *err)
{
        _cleanup_close_ int fd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d)
                return hull_err_sys(err, errno, "open %s", rel[0] ? rel : "layer");
        TAKE_FD(fd);
        struct dirent *de;
        while ((de = readdir(d))) {
                const char *name = de->d_name;
                if (!strcmp(name, ".") || !strcmp(name, ".."))
                        continue;
                _cleanup_free_ char *sub =
                    rel[0] ? hull_strdup_printf("%s/%s", rel, name) : strdup(name);
                struct stat st;
                if (!sub)
                        return hull_err_set(err, ENOMEM, "out of memory");
                if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return hull_err_sys(err, errno, "stat %s", sub);
                bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
                int r = 0;
                if (S_ISDIR(st.st_mode)) {
                        r = copy_dir(f, sfd, dfd, name, &st, sub, err);
                } else {
                        r = remove_entry(dfd, name, err);
                        if (r == 0 && !whiteout)
                                r = S_ISREG(st.st_mode)
                                        ? copy_file(f, sfd, dfd, name, &st, sub, err)
                                        : copy_special(sfd, dfd, name, &st, sub, err);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int hull_vfs_flatten(const char *const *lowers, size_t nlowers, const char *target,
                     struct hull_err *err)
{
        struct flatten f = {.root_fd = -EBADF};
        f.buf = malloc(1 << 20);
        f.root_fd = open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r = 0;
        if (!f.buf)
                r = hull_err_set(err, ENOMEM, "out of memory");
        else if (f.root_fd < 0)
                r = hull_err_sys(err, errno, "open %s", target);
        for (size_t i = nlowers; r == 0 && i-- > 0;) {
                _cleanup_close_ int lfd =
                    open(lowers[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (lfd < 0) {
                        r = hull_err_sys(err, errno, "open layer %s", lowers[i]);
                        break;
                }
                links_reset(&f); /* hardlinks never span layers */
                r = copy_tree(&f, lfd, f.root_fd, "", err);
                struct stat st;
                if (r == 0 && fstat(lfd, &st) == 0)
                        r = copy_meta_fd(lfd, f.root_fd, &st, target, err);
        }
        links_reset(&f);
        free(f.links);
        free(f.buf);
        hull_closep(&f.root_fd);
        return r;
}

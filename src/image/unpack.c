/* Layer unpacking. Two libarchive readers are chained: the outer one only decompresses (raw
 * format, any filter) so that the uncompressed stream can be hashed into the diff_id; the inner
 * one parses tar from that stream. Every entry is created relative to an fd of its parent,
 * which is reached from the layer root one component at a time with O_NOFOLLOW: a symlink in a
 * parent position, "..", an absolute name or a hardlink out of the layer is refused. */
#include "image/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_MARKER ".wh..wh..opq"

struct dir_time {
        char *path;
        struct timespec ts[2];
};

struct unpacker {
        struct archive *outer;
        struct archive *inner;
        struct hull_sha256 hash;
        uint64_t size;
        uint64_t entries;
        int root_fd;
        char *parent_path; /* path of the cached parent fd, NULL when none */
        int parent_fd;
        struct dir_time *dirs;
        size_t ndirs, cap_dirs;
};

static void unpacker_drop_parent(struct unpacker *u)
{
        free(u->parent_path);
        u->parent_path = NULL;
        hull_closep(&u->parent_fd);
}

static void unpacker_free(struct unpacker *u)
{
        if (u->inner)
                archive_read_free(u->inner);
        if (u->outer)
                archive_read_free(u->outer);
        u->inner = u->outer = NULL;
        hull_sha256_free(&u->hash);
        unpacker_drop_parent(u);
        for (size_t i = 0; i < u->ndirs; i++)
                free(u->dirs[i].path);
        free(u->dirs);
        u->dirs = NULL;
        u->ndirs = 0;
}

int hull_unpack_clean_name(const char *name, char **ret, struct hull_err *err)
{
        if (name[0] == '/')
                return hull_err_set(err, EPERM, "refusing absolute member name \"%s\"", name);
        _cleanup_free_ char *out = malloc(strlen(name) + 1);
        if (!out)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        const char *p = name;
        while (*p) {
                const char *slash = strchr(p, '/');
                size_t len = slash ? (size_t)(slash - p) : strlen(p);
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        return hull_err_set(err, EPERM, "refusing member name \"%s\" with \"..\"",
                                            name);
                if (len > 0 && !(len == 1 && p[0] == '.')) {
                        if (n > 0)
                                out[n++] = '/';
                        memcpy(out + n, p, len);
                        n += len;
                }
                p += len;
                if (*p == '/')
                        p++;
        }
        out[n] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

/* Walk PATH (clean, relative) from the layer root with O_NOFOLLOW, creating missing
 * directories. Returns a borrowed fd (cached for the next entry of the same directory). */
static int open_parent(struct unpacker *u, const char *path, bool create, struct hull_err *err)
{
        if (path[0] == '\0')
                return u->root_fd;
        if (u->parent_path && strcmp(u->parent_path, path) == 0)
                return u->parent_fd;
        unpacker_drop_parent(u);
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return hull_err_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int cur = -EBADF;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int base = cur >= 0 ? cur : u->root_fd;
                int fd = openat(base, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT && create) {
                        if (mkdirat(base, c, 0755) < 0 && errno != EEXIST)
                                return hull_err_sys(err, errno, "create directory %s", path);
                        fd = openat(base, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
                        struct stat st;
                        if (fstatat(base, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                                return hull_err_set(err, EPERM,
                                                    "refusing to unpack below \"%s\": component "
                                                    "\"%s\" is a symlink",
                                                    path, c);
                        return hull_err_set(err, ENOTDIR,
                                            "cannot unpack below \"%s\": \"%s\" is not a directory",
                                            path, c);
                }
                if (fd < 0)
                        return hull_err_sys(err, errno, "open directory %s", path);
                hull_closep(&cur);
                cur = fd;
        }
        u->parent_path = strdup(path);
        if (!u->parent_path)
                return hull_err_set(err, ENOMEM, "out of memory");
        u->parent_fd = TAKE_FD(cur);
        return u->parent_fd;
}

static void split_name(char *name, const char **ret_parent, const char **ret_base)
{
        char *slash = strrchr(name, '/');
        if (slash) {
                *slash = '\0';
                *ret_parent = name;
                *ret_base = slash + 1;
        } else {
                *ret_parent = "";
                *ret_base = name;
        }
}

/* Make room for a new entry NAME in PFD. Returns 1 when an existing directory should be kept
 * (a directory entry over a directory merges), 0 otherwise. */
static int make_room(struct unpacker *u, int pfd, const char *name, bool new_is_dir,
                     struct hull_err *err)
{
        struct stat st;
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return hull_err_sys(err, errno, "stat %s", name);
        }
        if (S_ISDIR(st.st_mode)) {
                if (new_is_dir)
                        return 1;
                /* The cached parent may live below the directory we are about to remove. */
                int keep = dup(pfd);
                if (keep < 0)
                        return hull_err_sys(err, errno, "dup");
                _cleanup_close_ int keep_fd = keep;
                unpacker_drop_parent(u);
                int r = hull_rm_rf_at(keep_fd, name, err);
                if (r < 0)
                        return r;
                return 0;
        }
        if (unlinkat(pfd, name, 0) < 0)
                return hull_err_sys(err, errno, "remove %s", name);
        return 0;
}

static bool xattr_allowed(const char *name)
{
        /* Overlay's own xattrs would let a layer forge whiteouts, opaque dirs or redirects. */
        return strncmp(name, "trusted.overlay.", 16) != 0 &&
               strncmp(name, "user.overlay.", 13) != 0;
}

static int set_xattrs(struct archive_entry *e, int fd, const char *path, const char *what,
                      struct hull_err *err)
{
        const char *name;
        const void *value;
        size_t size;
        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (!xattr_allowed(name)) {
                        hull_debug("%s: ignoring xattr %s", what, name);
                        continue;
                }
                int r = fd >= 0 ? fsetxattr(fd, name, value, size, 0)
                                : lsetxattr(path, name, value, size, 0);
                if (r < 0) {
                        if (errno == ENOTSUP || errno == EPERM) {
                                hull_warn("%s: cannot set xattr %s: %s", what, name,
                                          strerror(errno));
                                continue;
                        }
                        return hull_err_sys(err, errno, "%s: set xattr %s", what, name);
                }
        }
        return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
        ts[1].tv_sec = archive_entry_mtime(e);
        ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        if (archive_entry_atime_is_set(e)) {
                ts[0].tv_sec = archive_entry_atime(e);
                ts[0].tv_nsec = archive_entry_atime_nsec(e);
        } else {
                ts[0] = ts[1];
        }
}

/* Ownership, then mode (chown clears setuid), then xattrs (file capabilities must come after
 * chown, which drops them), then times. */
static int apply_meta_fd(struct archive_entry *e, int fd, const char *what, bool times,
                         struct hull_err *err)
{
        if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
                return hull_err_sys(err, errno, "%s: chown", what);
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return hull_err_sys(err, errno, "%s: chmod", what);
        int r = set_xattrs(e, fd, NULL, what, err);
        if (r < 0)
                return r;
        if (times) {
                struct timespec ts[2];
                entry_times(e, ts);
                if (futimens(fd, ts) < 0)
                        return hull_err_sys(err, errno, "%s: set times", what);
        }
        return 0;
}

static int apply_meta_at(struct archive_entry *e, int pfd, const char *name, bool is_link,
                         const char *what, struct hull_err *err)
{
        if (fchownat(pfd, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
                     AT_SYMLINK_NOFOLLOW) < 0)
                return hull_err_sys(err, errno, "%s: chown", what);
        if (!is_link && fchmodat(pfd, name, archive_entry_perm(e) & 07777, 0) < 0)
                return hull_err_sys(err, errno, "%s: chmod", what);
        if (archive_entry_xattr_count(e) > 0) {
                char fdpath[64];
                _cleanup_free_ char *path = NULL;
                snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d/", pfd);
                path = hull_strdup_printf("%s%s", fdpath, name);
                if (!path)
                        return hull_err_set(err, ENOMEM, "out of memory");
                int r = set_xattrs(e, -1, path, what, err);
                if (r < 0)
                        return r;
        }
        struct timespec ts[2];
        entry_times(e, ts);
        if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return hull_err_sys(err, errno, "%s: set times", what);
        return 0;
}

static int write_file_data(struct unpacker *u, struct archive_entry *e, int fd, const char *what,
                           struct hull_err *err)
{
        const void *buf;
        size_t size;
        la_int64_t offset;
        int64_t end = 0;
        for (;;) {
                int r = archive_read_data_block(u->inner, &buf, &size, &offset);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return hull_err_set(err, EIO, "%s: read archive data: %s", what,
                                            archive_error_string(u->inner));
                const char *p = buf;
                while (size > 0) {
                        ssize_t n = pwrite(fd, p, size, offset);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return hull_err_sys(err, errno, "%s: write", what);
                        }
                        p += n;
                        size -= (size_t)n;
                        offset += n;
                }
                end = offset;
        }
        if (archive_entry_size_is_set(e) && end < archive_entry_size(e) &&
            ftruncate(fd, archive_entry_size(e)) < 0)
                return hull_err_sys(err, errno, "%s: truncate", what);
        return 0;
}

static int remember_dir(struct unpacker *u, const char *path, struct archive_entry *e)
{
        if (u->ndirs == u->cap_dirs) {
                size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
                struct dir_time *d = realloc(u->dirs, cap * sizeof(*d));
                if (!d)
                        return -ENOMEM;
                u->dirs = d;
                u->cap_dirs = cap;
        }
        u->dirs[u->ndirs].path = strdup(path);
        if (!u->dirs[u->ndirs].path)
                return -ENOMEM;
        entry_times(e, u->dirs[u->ndirs].ts);
        u->ndirs++;
        return 0;
}

static int do_whiteout(struct unpacker *u, int pfd, const char *base, const char *what,
                       struct hull_err *err)
{
        if (strcmp(base, OPAQUE_MARKER) == 0) {
                /* pfd may be O_PATH, which fsetxattr refuses. */
                _cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return hull_err_sys(err, errno, "%s: open directory", what);
                if (fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return hull_err_sys(err, errno, "%s: mark directory opaque", what);
                return 0;
        }
        const char *target = base + strlen(WHITEOUT_PREFIX);
        if (strncmp(target, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0) {
                hull_debug("%s: ignoring special whiteout", what);
                return 0;
        }
        if (target[0] == '\0' || strcmp(target, ".") == 0 || strcmp(target, "..") == 0 ||
            strchr(target, '/'))
                return hull_err_set(err, EPERM, "refusing whiteout \"%s\" of an invalid name",
                                    what);
        int r = make_room(u, pfd, target, false, err);
        if (r < 0)
                return r;
        if (mknodat(pfd, target, S_IFCHR | 0000, makedev(0, 0)) < 0)
                return hull_err_sys(err, errno, "%s: create whiteout", what);
        return 0;
}

static int do_hardlink(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                       const char *what, struct hull_err *err)
{
        _cleanup_free_ char *target = NULL;
        int r = hull_unpack_clean_name(archive_entry_hardlink(e), &target, err);
        if (r < 0)
                return hull_err_wrap(err, "%s: hardlink target", what);
        if (target[0] == '\0')
                return hull_err_set(err, EPERM, "%s: refusing hardlink to the layer root", what);
        /* Keep our parent: resolving the target may replace the cached fd. */
        _cleanup_close_ int own_pfd = fcntl(pfd, F_DUPFD_CLOEXEC, 3);
        if (own_pfd < 0)
                return hull_err_sys(err, errno, "dup");
        const char *tparent, *tbase;
        split_name(target, &tparent, &tbase);
        int tfd = open_parent(u, tparent, false, err);
        if (tfd < 0)
                return hull_err_wrap(err, "%s: hardlink target", what);
        struct stat st;
        if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return hull_err_sys(err, errno, "%s: hardlink target %s/%s not in the layer", what,
                                    tparent, tbase);
        if (S_ISDIR(st.st_mode))
                return hull_err_set(err, EPERM, "%s: refusing hardlink to a directory", what);
        r = make_room(u, own_pfd, base, false, err);
        if (r < 0)
                return r;
        /* make_room may have dropped the cache: reopen the target's parent. */
        tfd = open_parent(u, tparent, false, err);
        if (tfd < 0)
                return hull_err_wrap(err, "%s: hardlink target", what);
        if (linkat(tfd, tbase, own_pfd, base, 0) < 0)
                return hull_err_sys(err, errno, "%s: hardlink to %s", what,
                                    archive_entry_hardlink(e));
        return 0;
}

static int do_file(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                   const char *what, struct hull_err *err)
{
        int r = make_room(u, pfd, base, false, err);
        if (r < 0)
                return r;
        _cleanup_close_ int fd =
            openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return hull_err_sys(err, errno, "%s: create", what);
        r = write_file_data(u, e, fd, what, err);
        if (r < 0)
                return r;
        return apply_meta_fd(e, fd, what, true, err);
}

static int do_dir(struct unpacker *u, struct archive_entry *e, int pfd, const char *path,
                  const char *base, const char *what, struct hull_err *err)
{
        int r = make_room(u, pfd, base, true, err);
        if (r < 0)
                return r;
        if (r == 0 && mkdirat(pfd, base, 0700) < 0)
                return hull_err_sys(err, errno, "%s: create directory", what);
        _cleanup_close_ int fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "%s: open directory", what);
        r = apply_meta_fd(e, fd, what, false, err);
        if (r < 0)
                return r;
        if (remember_dir(u, path, e) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        return 0;
}

static int do_special(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                      const char *what, struct hull_err *err)
{
        mode_t type = archive_entry_filetype(e);
        int r = make_room(u, pfd, base, false, err);
        if (r < 0)
                return r;
        if (type == AE_IFLNK) {
                const char *target = archive_entry_symlink(e);
                if (!target)
                        return hull_err_set(err, EINVAL, "%s: symlink without a target", what);
                if (symlinkat(target, pfd, base) < 0)
                        return hull_err_sys(err, errno, "%s: create symlink", what);
                return apply_meta_at(e, pfd, base, true, what, err);
        }
        dev_t dev = 0;
        if (type == AE_IFCHR || type == AE_IFBLK)
                dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        if (mknodat(pfd, base, type | 0600, dev) < 0)
                return hull_err_sys(err, errno, "%s: create node", what);
        return apply_meta_at(e, pfd, base, false, what, err);
}

static int handle_entry(struct unpacker *u, struct archive_entry *e, struct hull_err *err)
{
        const char *raw = archive_entry_pathname(e);
        if (!raw)
                return hull_err_set(err, EINVAL, "archive member without a name");
        _cleanup_free_ char *path = NULL;
        int r = hull_unpack_clean_name(raw, &path, err);
        if (r < 0)
                return r;
        mode_t type = archive_entry_filetype(e);
        if (path[0] == '\0') {
                if (type != AE_IFDIR)
                        return hull_err_set(err, EPERM, "refusing non-directory layer root \"%s\"",
                                            raw);
                r = apply_meta_fd(e, u->root_fd, raw, false, err);
                if (r < 0)
                        return r;
                return remember_dir(u, "", e) < 0 ? hull_err_set(err, ENOMEM, "out of memory") : 0;
        }
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return hull_err_set(err, ENOMEM, "out of memory");
        const char *parent, *base;
        split_name(copy, &parent, &base);
        int pfd = open_parent(u, parent, true, err);
        if (pfd < 0)
                return hull_err_wrap(err, "unpack \"%s\"", raw);
        if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
                return do_whiteout(u, pfd, base, raw, err);
        if (archive_entry_hardlink(e))
                return do_hardlink(u, e, pfd, base, raw, err);
        switch (type) {
        case AE_IFREG:
                return do_file(u, e, pfd, base, raw, err);
        case AE_IFDIR:
                return do_dir(u, e, pfd, path, base, raw, err);
        case AE_IFLNK:
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
                return do_special(u, e, pfd, base, raw, err);
        default:
                hull_debug("unpack: skipping %s of type %o", raw, (unsigned)type);
                return 0;
        }
}

static la_ssize_t inner_read(struct archive *a, void *data, const void **buf)
{
        struct unpacker *u = data;
        size_t size;
        la_int64_t offset;
        int r = archive_read_data_block(u->outer, buf, &size, &offset);
        if (r == ARCHIVE_EOF)
                return 0;
        if (r < ARCHIVE_WARN) {
                archive_set_error(a, EIO, "%s", archive_error_string(u->outer));
                return -1;
        }
        hull_sha256_update(&u->hash, *buf, size);
        u->size += size;
        return (la_ssize_t)size;
}

static int open_outer(struct unpacker *u, int src_fd, struct hull_err *err)
{
        struct archive_entry *e;
        u->outer = archive_read_new();
        if (!u->outer)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_read_support_filter_gzip(u->outer);
        archive_read_support_filter_zstd(u->outer);
        archive_read_support_filter_xz(u->outer);
        archive_read_support_filter_bzip2(u->outer);
        archive_read_support_format_raw(u->outer);
        if (archive_read_open_fd(u->outer, src_fd, 1 << 18) != ARCHIVE_OK ||
            archive_read_next_header(u->outer, &e) != ARCHIVE_OK)
                return hull_err_set(err, EINVAL, "read layer: %s", archive_error_string(u->outer));
        return 0;
}

/* Hash whatever follows the tar end marker: it is part of the diff_id. */
static int drain_outer(struct unpacker *u, struct hull_err *err)
{
        const void *buf;
        size_t size;
        la_int64_t offset;
        for (;;) {
                int r = archive_read_data_block(u->outer, &buf, &size, &offset);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return hull_err_set(err, EIO, "read layer: %s",
                                            archive_error_string(u->outer));
                hull_sha256_update(&u->hash, buf, size);
                u->size += size;
        }
}

static int finish(struct unpacker *u, const char *expected, struct hull_unpack_result *ret,
                  struct hull_err *err)
{
        int r = drain_outer(u, err);
        if (r < 0)
                return r;
        char got[HULL_DIGEST_LEN + 1];
        hull_sha256_final(&u->hash, got);
        if (expected && strcmp(expected, got) != 0)
                return hull_err_set(err, EBADMSG,
                                    "layer content does not match its diff_id: expected %s, got %s",
                                    expected, got);
        memcpy(ret->diff_id, got, sizeof(got));
        ret->size = u->size;
        ret->entries = u->entries;
        return 0;
}

static int apply_dir_times(struct unpacker *u, struct hull_err *err)
{
        for (size_t i = u->ndirs; i-- > 0;) {
                char *path = u->dirs[i].path;
                if (path[0] == '\0') {
                        futimens(u->root_fd, u->dirs[i].ts);
                        continue;
                }
                const char *parent, *base;
                split_name(path, &parent, &base);
                int pfd = open_parent(u, parent, false, err);
                if (pfd < 0) {
                        hull_err_clear(err);
                        continue; /* replaced later in the archive: nothing to do */
                }
                utimensat(pfd, base, u->dirs[i].ts, AT_SYMLINK_NOFOLLOW);
        }
        return 0;
}

int hull_unpack_layer(int src_fd, int dest_dirfd, const char *expected_diff_id,
                      struct hull_unpack_result *ret, struct hull_err *err)
{
        _cleanup_(unpacker_free) struct unpacker u = {.root_fd = dest_dirfd, .parent_fd = -EBADF};
        int r = hull_sha256_init(&u.hash, err);
        if (r < 0)
                return r;
        r = open_outer(&u, src_fd, err);
        if (r < 0)
                return r;
        u.inner = archive_read_new();
        if (!u.inner)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_read_support_format_tar(u.inner);
        archive_read_support_format_gnutar(u.inner);
        if (archive_read_open(u.inner, &u, NULL, inner_read, NULL) != ARCHIVE_OK)
                return hull_err_set(err, EINVAL, "read layer: %s", archive_error_string(u.inner));
        for (;;) {
                struct archive_entry *e;
                r = archive_read_next_header(u.inner, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return hull_err_set(err, EINVAL, "read layer: %s",
                                            archive_error_string(u.inner));
                r = handle_entry(&u, e, err);
                if (r < 0)
                        return r;
                u.entries++;
        }
        r = apply_dir_times(&u, err);
        if (r < 0)
                return r;
        return finish(&u, expected_diff_id, ret, err);
}

int hull_unpack_diff_id(int src_fd, struct hull_unpack_result *ret, struct hull_err *err)
{
        _cleanup_(unpacker_free) struct unpacker u = {.root_fd = -EBADF, .parent_fd = -EBADF};
        int r = hull_sha256_init(&u.hash, err);
        if (r < 0)
                return r;
        r = open_outer(&u, src_fd, err);
        if (r < 0)
                return r;
        return finish(&u, NULL, ret, err);
}

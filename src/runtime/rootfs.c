/* The container's root filesystem: propagation, the rootfs bind, every config mount (on fds
 * resolved inside the root), devices, pivot_root; then masked and read-only paths. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/path.h"
#include "base/syscalls.h"
#include "runtime/hooks.h"
#include "runtime/mount_opts.h"

static unsigned long propagation_flag(const char *name)
{
        static const struct {
                const char *name;
                unsigned long flag;
        } table[] = {
                {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
                {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
                {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
                {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
        };
        for (size_t i = 0; name && i < HULL_ARRAY_SIZE(table); i++)
                if (strcmp(table[i].name, name) == 0)
                        return table[i].flag;
        return 0;
}

/* Flags the kernel locks on a mount made in a less privileged user namespace: a remount must
 * repeat them or fail with EPERM. */
static unsigned long locked_flags(int fd)
{
        struct statvfs sv;
        if (fstatvfs(fd, &sv) < 0)
                return 0;
        unsigned long f = 0;
        if (sv.f_flag & ST_RDONLY)
                f |= MS_RDONLY;
        if (sv.f_flag & ST_NOSUID)
                f |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
                f |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (sv.f_flag & ST_NOATIME)
                f |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME)
                f |= MS_RELATIME;
        return f;
}

/* Bind-remount the mount whose root is FD with FLAGS. */
static int remount_bind(int fd, unsigned long flags, const char *what, struct hull_err *err)
{
        char p[HULL_FD_PATH_MAX];
        unsigned long base = MS_BIND | MS_REMOUNT;
        if (mount(NULL, hull_fd_path(fd, p), NULL, base | flags, NULL) == 0)
                return 0;
        if (errno == EPERM &&
            mount(NULL, hull_fd_path(fd, p), NULL, base | flags | locked_flags(fd), NULL) == 0)
                return 0;
        return hull_err_sys(err, errno, "remount %s", what);
}

static int apply_recursive_attrs(int fd, const struct hull_mount_opts *o, const char *what,
                                 struct hull_err *err)
{
        if (!o->rec_attr_set && !o->rec_attr_clr)
                return 0;
        struct hull_mount_attr attr = {.attr_set = o->rec_attr_set, .attr_clr = o->rec_attr_clr};
        if (hull_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return hull_err_sys(err, errno, "set recursive mount attributes on %s", what);
        return 0;
}

/* After something is mounted on DEST, what is set on "the mount" must be set on its root:
 * open DEST again, inside the root, to get it. */
static int finish_mount(int rootfd, const char *dest, const struct hull_mount_opts *o,
                        bool bind, unsigned long flags, const char *what, struct hull_err *err)
{
        unsigned long remount = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                         MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
                                         MS_STRICTATIME);
        if (!(bind && remount) && !o->propagation && !o->rec_attr_set && !o->rec_attr_clr)
                return 0;
        _cleanup_close_ int top = hull_path_open_in_root(rootfd, dest, O_PATH, 0, err);
        if (top < 0)
                return hull_err_wrap(err, "reopen %s", what);
        int r;
        if (bind && remount && (r = remount_bind(top, remount, what, err)) < 0)
                return r;
        if (o->propagation) {
                char p[HULL_FD_PATH_MAX];
                if (mount(NULL, hull_fd_path(top, p), NULL, o->propagation, NULL) < 0)
                        return hull_err_sys(err, errno, "set propagation of %s", what);
        }
        return apply_recursive_attrs(top, o, what, err);
}

static int bind_source(struct hull_spawn *sp, const struct hull_oci_mount *m, char **ret)
{
        if (!m->source)
                return -EINVAL;
        if (m->source[0] == '/')
                *ret = strdup(m->source);
        else if (asprintf(ret, "%s/%s", sp->bundle, m->source) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

static int mount_bind(struct hull_spawn *sp, int rootfd, const struct hull_oci_mount *m,
                      const struct hull_mount_opts *o, const char *what, struct hull_err *err)
{
        _cleanup_free_ char *src = NULL;
        if (bind_source(sp, m, &src) < 0)
                return hull_err_set(err, EINVAL, "%s: a bind mount needs a source", what);
        struct stat st;
        if (stat(src, &st) < 0)
                return hull_err_sys(err, errno, "%s: source %s", what, src);
        _cleanup_close_ int dest = S_ISDIR(st.st_mode)
                                           ? hull_path_mkdir_in_root(rootfd, m->destination, 0755, err)
                                           : hull_path_mkfile_in_root(rootfd, m->destination, 0644, err);
        if (dest < 0)
                return hull_err_wrap(err, "%s: create destination", what);
        char p[HULL_FD_PATH_MAX];
        if (mount(src, hull_fd_path(dest, p), NULL, MS_BIND | (o->flags & MS_REC), NULL) < 0)
                return hull_err_sys(err, errno, "%s", what);
        return finish_mount(rootfd, m->destination, o, true, o->flags, what, err);
}

/* The last component of PATH inside the root, not followed: 0 and *ret filled, or -ENOENT. */
static int lstat_in_root(int rootfd, const char *path, struct stat *ret, struct hull_err *err)
{
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        const char *base = slash ? slash + 1 : dir;
        if (slash)
                *slash = '\0';
        struct hull_err ignored = {0};
        _cleanup_close_ int parent =
                hull_path_open_in_root(rootfd, slash && dir[0] ? dir : "/", O_PATH | O_DIRECTORY,
                                       0, &ignored);
        if (parent < 0 || fstatat(parent, base, ret, AT_SYMLINK_NOFOLLOW) < 0)
                return -ENOENT;
        return 0;
}

static int mount_fs(struct hull_spawn *sp, int rootfd, const struct hull_oci_mount *m,
                    const struct hull_mount_opts *o, const char *what, struct hull_err *err)
{
        const char *type = m->type;
        struct stat st;
        /* procfs and sysfs go on a real directory of the image, never through a symlink the
         * image planted there (CVE-2019-19921): what the runtime later opens under /proc must
         * be the procfs it mounted. */
        if ((strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0) &&
            lstat_in_root(rootfd, m->destination, &st, err) == 0 && !S_ISDIR(st.st_mode))
                return hull_err_set(err, ENOTDIR, "%s: %s must be mounted on an ordinary "
                                                  "directory, and %s in the rootfs is not one",
                                    what, type, m->destination);
        _cleanup_close_ int dest = hull_path_mkdir_in_root(rootfd, m->destination, 0755, err);
        if (dest < 0)
                return hull_err_wrap(err, "%s: create destination", what);
        unsigned long flags = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
                return hull_mount_cgroupfs(sp, rootfd, dest, m, flags, err);
        char p[HULL_FD_PATH_MAX];
        const char *source = m->source ? m->source : type;
        if (mount(source, hull_fd_path(dest, p), type, flags, o->data) < 0) {
                int e = errno;
                /* sysfs and mqueue cannot be mounted from a user namespace that does not own
                 * the network / ipc namespace: bind the host's instead, as other runtimes do. */
                if (e == EPERM && (strcmp(type, "sysfs") == 0 || strcmp(type, "mqueue") == 0)) {
                        const char *host = strcmp(type, "sysfs") == 0 ? "/sys" : "/dev/mqueue";
                        if (mount(host, hull_fd_path(dest, p), NULL, MS_BIND | MS_REC, NULL) == 0)
                                return finish_mount(rootfd, m->destination, o, true,
                                                    flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, what,
                                                    err);
                }
                return hull_err_sys(err, e, "%s", what);
        }
        return finish_mount(rootfd, m->destination, o, false, flags, what, err);
}

static int mount_one(struct hull_spawn *sp, int rootfd, size_t i, struct hull_err *err)
{
        const struct hull_oci_mount *m = &sp->config->mounts[i];
        char what[512];
        snprintf(what, sizeof(what), "mount %s on %s (mounts[%zu])",
                 m->type ? m->type : (m->source ? m->source : "?"), m->destination, i);
        struct hull_mount_opts o;
        int r = hull_mount_opts_parse(m->options, &o, err);
        if (r < 0)
                return r;
        if (o.idmap) {
                hull_mount_opts_done(&o);
                return hull_err_set(err, ENOTSUP, "%s: idmapped mounts are not supported yet", what);
        }
        if (hull_mount_is_bind(m->type, &o))
                r = mount_bind(sp, rootfd, m, &o, what, err);
        else if (!m->type)
                r = hull_err_set(err, EINVAL, "%s: mount type missing", what);
        else
                r = mount_fs(sp, rootfd, m, &o, what, err);
        hull_mount_opts_done(&o);
        return r;
}

static int do_pivot(struct hull_spawn *sp, int rootfd, struct hull_err *err)
{
        if (fchdir(rootfd) < 0)
                return hull_err_sys(err, errno, "chdir to rootfs %s", sp->rootfs);
        if (sp->no_pivot) {
                if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                        return hull_err_sys(err, errno, "move rootfs to / (--no-pivot)");
                if (chroot(".") < 0)
                        return hull_err_sys(err, errno, "chroot to rootfs (--no-pivot)");
        } else {
                /* pivot_root(".", ".") stacks the old root on the new one; detach it without
                 * letting the unmount propagate to the host. */
                if (hull_pivot_root(".", ".") < 0)
                        return hull_err_sys(err, errno, "pivot_root to %s", sp->rootfs);
                if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                        return hull_err_sys(err, errno, "make old root a slave");
                if (umount2(".", MNT_DETACH) < 0)
                        return hull_err_sys(err, errno, "detach old root");
        }
        if (chdir("/") < 0)
                return hull_err_sys(err, errno, "chdir to /");
        return 0;
}

int hull_rootfs_setup(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_linux *l = &sp->config->linux_;
        unsigned long want = propagation_flag(l->rootfs_propagation);
        /* Nothing we mount may propagate to the host; a shared root is set after pivot. */
        unsigned long initial = (want && !(want & MS_SHARED)) ? want : MS_SLAVE | MS_REC;
        if (mount(NULL, "/", NULL, initial, NULL) < 0)
                return hull_err_sys(err, errno, "set propagation of /");
        /* By path: sp->rootfs_fd belongs to the parent's mount namespace, and the kernel
         * refuses to bind a mount of another namespace. */
        if (mount(sp->rootfs, sp->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return hull_err_sys(err, errno, "bind rootfs %s", sp->rootfs);
        _cleanup_close_ int rootfd = open(sp->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return hull_err_sys(err, errno, "open rootfs %s", sp->rootfs);
        for (size_t i = 0; i < sp->config->n_mounts; i++) {
                int r = mount_one(sp, rootfd, i, err);
                if (r < 0)
                        return r;
        }
        int r = hull_devices_setup(sp, rootfd, err);
        if (r < 0)
                return r;
        /* The pty is bound on /dev/console: a symlink planted there would carry the mount to
         * its target (CVE-2025-52565). */
        struct stat st;
        if (sp->config->process && sp->config->process->terminal &&
            lstat_in_root(rootfd, "/dev/console", &st, err) == 0 && !S_ISREG(st.st_mode) &&
            !S_ISCHR(st.st_mode))
                return hull_err_set(err, EINVAL, "/dev/console in the container is not a file "
                                                 "or device (a symlink?): refusing to mount the "
                                                 "terminal on it");
        r = hull_terminal_setup(sp, rootfd, &sp->pty_fd, err);
        if (r < 0)
                return r;
        /* Hooks see the container's mounts and the host's root (runtime-spec: createRuntime
         * and createContainer run before pivot_root). */
        r = hull_hooks_before_pivot(sp, err);
        if (r < 0)
                return r;
        r = do_pivot(sp, rootfd, err);
        if (r < 0)
                return r;
        if (want & MS_SHARED && mount(NULL, "/", NULL, want, NULL) < 0)
                return hull_err_sys(err, errno, "set linux.rootfsPropagation");
        return 0;
}

/* /dev/null of the container, checked: masking with anything else would expose the path. */
static int open_dev_null(struct hull_err *err)
{
        int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open /dev/null for masking");
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
                close(fd);
                return hull_err_set(err, EINVAL, "/dev/null in the container is not the null "
                                                 "device: refusing to mask paths with it");
        }
        return fd;
}

static int mask_path(const char *path, int devnull, struct hull_err *err)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : hull_err_sys(err, errno, "mask %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return hull_err_sys(err, errno, "mask %s", path);
        /* Mounting over a symlink would not hide what it points to (CVE-2025-31133). */
        if (S_ISLNK(st.st_mode))
                return hull_err_set(err, ELOOP, "mask %s (linux.maskedPaths): it is a symlink in "
                                                "the container, refusing to mask through it",
                                    path);
        char p[HULL_FD_PATH_MAX], q[HULL_FD_PATH_MAX];
        int r;
        if (S_ISDIR(st.st_mode))
                r = mount("tmpfs", hull_fd_path(fd, p), "tmpfs", MS_RDONLY, "size=0k,mode=000");
        else
                r = mount(hull_fd_path(devnull, q), hull_fd_path(fd, p), NULL, MS_BIND, NULL);
        if (r < 0)
                return hull_err_sys(err, errno, "mask %s (linux.maskedPaths)", path);
        return 0;
}

static int readonly_path(const char *path, struct hull_err *err)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : hull_err_sys(err, errno, "make %s read-only", path);
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
                return hull_err_set(err, ELOOP, "make %s read-only (linux.readonlyPaths): it is a "
                                                "symlink in the container",
                                    path);
        char p[HULL_FD_PATH_MAX];
        if (mount(hull_fd_path(fd, p), hull_fd_path(fd, p), NULL, MS_BIND | MS_REC, NULL) < 0)
                return hull_err_sys(err, errno, "bind %s (linux.readonlyPaths)", path);
        _cleanup_close_ int top = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (top < 0)
                return hull_err_sys(err, errno, "reopen %s", path);
        struct hull_mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (hull_mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == 0)
                return 0;
        return remount_bind(top, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, path, err);
}

int hull_rootfs_finalize(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_linux *l = &sp->config->linux_;
        for (char **p = l->readonly_paths; p && *p; p++) {
                int r = readonly_path(*p, err);
                if (r < 0)
                        return r;
        }
        if (l->masked_paths && l->masked_paths[0]) {
                _cleanup_close_ int devnull = open_dev_null(err);
                if (devnull < 0)
                        return devnull;
                for (char **p = l->masked_paths; *p; p++) {
                        int r = mask_path(*p, devnull, err);
                        if (r < 0)
                                return r;
                }
        }
        if (sp->config->root_readonly) {
                _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        return hull_err_sys(err, errno, "open /");
                int r = remount_bind(root, MS_RDONLY, "/ read-only (root.readonly)", err);
                if (r < 0)
                        return r;
        }
        return 0;
}

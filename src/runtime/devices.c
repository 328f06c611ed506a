/* /dev of the container: the default device nodes, linux.devices entries (mknod, or a bind
 * of the host's node inside a user namespace) and the standard symlinks. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/path.h"

static const struct hull_oci_device default_devices[] = {
        {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
        {.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
        {.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
        {.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
        {.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
        {.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static bool dev_is_bind_mounted(const struct hull_oci_config *c)
{
        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct hull_oci_mount *m = &c->mounts[i];
                if (strcmp(m->destination, "/dev") != 0)
                        continue;
                if (m->type && strcmp(m->type, "bind") == 0)
                        return true;
                for (char **o = m->options; o && *o; o++)
                        if (strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0)
                                return true;
        }
        return false;
}

/* Split PATH into its parent (opened, created inside the root) and its last component. */
static int open_parent(int rootfd, const char *path, char **ret_base, struct hull_err *err)
{
        _cleanup_free_ char *clean = hull_path_clean(path);
        if (!clean)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(clean, '/');
        if (!slash || slash[1] == '\0')
                return hull_err_set(err, EINVAL, "device path \"%s\" is not a file path", path);
        *slash = '\0';
        char *base = strdup(slash + 1);
        if (!base)
                return hull_err_set(err, ENOMEM, "out of memory");
        int fd = hull_path_mkdir_in_root(rootfd, clean[0] ? clean : "/", 0755, err);
        if (fd < 0) {
                free(base);
                return hull_err_wrap(err, "create parent of %s", path);
        }
        /* mknodat needs a real directory fd, not O_PATH. */
        char p[HULL_FD_PATH_MAX];
        int dfd = open(hull_fd_path(fd, p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int e = errno;
        close(fd);
        if (dfd < 0) {
                free(base);
                return hull_err_sys(err, e, "open parent of %s", path);
        }
        *ret_base = base;
        return dfd;
}

static mode_t type_bits(char type)
{
        switch (type) {
        case 'b':
                return S_IFBLK;
        case 'p':
                return S_IFIFO;
        default:
                return S_IFCHR;
        }
}

/* In a user namespace mknod is refused: bind the host's node of the same path instead. */
static int bind_device(int rootfd, const struct hull_oci_device *d, struct hull_err *err)
{
        _cleanup_close_ int fd = hull_path_mkfile_in_root(rootfd, d->path, 0644, err);
        if (fd < 0)
                return hull_err_wrap(err, "create %s", d->path);
        char p[HULL_FD_PATH_MAX];
        if (mount(d->path, hull_fd_path(fd, p), NULL, MS_BIND, NULL) < 0)
                return hull_err_sys(err, errno, "bind host device %s", d->path);
        return 0;
}

static int create_device(int rootfd, const struct hull_oci_device *d, bool userns,
                         struct hull_err *err)
{
        if (userns)
                return bind_device(rootfd, d, err);
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dfd = open_parent(rootfd, d->path, &base, err);
        if (dfd < 0)
                return dfd;
        mode_t perm = d->has_mode ? (d->file_mode & 07777) : 0666;
        dev_t dev = d->type == 'p' ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
        /* Whatever the image has at that name (a file, a link) is replaced by the node. */
        if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT && errno != EISDIR)
                return hull_err_sys(err, errno, "replace %s", d->path);
        if (mknodat(dfd, base, type_bits(d->type) | perm, dev) < 0)
                return hull_err_sys(err, errno, "mknod %s", d->path);
        if (fchmodat(dfd, base, perm, 0) < 0)
                return hull_err_sys(err, errno, "chmod %s", d->path);
        uid_t uid = d->has_uid ? d->uid : 0;
        gid_t gid = d->has_gid ? d->gid : 0;
        if (fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return hull_err_sys(err, errno, "chown %s", d->path);
        return 0;
}

static int create_links(int rootfd, struct hull_err *err)
{
        static const char *const links[][2] = {
                {"fd", "/proc/self/fd"},         {"stdin", "/proc/self/fd/0"},
                {"stdout", "/proc/self/fd/1"},   {"stderr", "/proc/self/fd/2"},
                {"ptmx", "pts/ptmx"},            {"core", "/proc/kcore"},
        };
        _cleanup_close_ int dev = hull_path_mkdir_in_root(rootfd, "/dev", 0755, err);
        if (dev < 0)
                return hull_err_wrap(err, "create /dev");
        char p[HULL_FD_PATH_MAX];
        _cleanup_close_ int dfd = open(hull_fd_path(dev, p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return hull_err_sys(err, errno, "open /dev");
        for (size_t i = 0; i < HULL_ARRAY_SIZE(links); i++) {
                if (strcmp(links[i][0], "ptmx") == 0) {
                        /* The ptmx of the container's devpts instance, not the host's. */
                        if (unlinkat(dfd, "ptmx", 0) < 0 && errno != ENOENT)
                                return hull_err_sys(err, errno, "replace /dev/ptmx");
                }
                if (symlinkat(links[i][1], dfd, links[i][0]) < 0 && errno != EEXIST)
                        return hull_err_sys(err, errno, "symlink /dev/%s", links[i][0]);
        }
        return 0;
}

int hull_devices_setup(struct hull_spawn *sp, int rootfd, struct hull_err *err)
{
        const struct hull_oci_config *c = sp->config;
        bool userns = hull_oci_config_namespace(c, HULL_NS_USER) != NULL;
        mode_t old = umask(0);
        int r = 0;
        if (!dev_is_bind_mounted(c)) {
                for (size_t i = 0; r == 0 && i < HULL_ARRAY_SIZE(default_devices); i++)
                        r = create_device(rootfd, &default_devices[i], userns, err);
                if (r == 0)
                        r = create_links(rootfd, err);
        }
        for (size_t i = 0; r == 0 && i < c->linux_.n_devices; i++) {
                r = create_device(rootfd, &c->linux_.devices[i], userns, err);
                if (r < 0)
                        hull_err_wrap(err, "linux.devices[%zu]", i);
        }
        umask(old);
        return r;
}

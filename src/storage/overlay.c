/* Overlay mounts (see overlay.h). The new mount API lets us hand each lowerdir to the kernel
 * separately, so the page-sized limit of mount(2)'s option string does not cap the number of
 * layers; on older kernels the layers are opened and passed as /proc/self/fd/N, ~18 bytes each. */
#include "storage/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/path.h"

#define OPTIONS_MAX 4000 /* a page, minus room for the rest of the options */

static int lower_list(const struct hull_overlay *o, const char ***ret, size_t *ret_n)
{
        size_t n = o->nlowers;
        bool add_empty = !o->upper && n == 1 && o->empty_dir;
        const char **v = calloc(n + 2, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                v[i] = o->lowers[i];
        if (add_empty)
                v[n++] = o->empty_dir;
        *ret = v;
        *ret_n = n;
        return 0;
}

static int mount_new_api(const struct hull_overlay *o, const char **lowers, size_t n,
                         const char *target, struct hull_err *err)
{
        _cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        for (size_t i = 0; i < n; i++)
                if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0)
                        return -errno; /* EINVAL before Linux 6.8: fall back */
        if (o->upper && (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", o->upper, 0) < 0 ||
                         fsconfig(fs, FSCONFIG_SET_STRING, "workdir", o->work, 0) < 0))
                return hull_err_sys(err, errno, "overlay upper/work dir");
        /* Image layers are shared; inode numbers need not be unique across them. */
        fsconfig(fs, FSCONFIG_SET_STRING, "index", "off", 0);
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return hull_err_sys(err, errno, "create overlay filesystem for %s", target);
        _cleanup_close_ int mnt =
            fsmount(fs, FSMOUNT_CLOEXEC, o->readonly ? MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV : 0);
        if (mnt < 0)
                return hull_err_sys(err, errno, "mount overlay for %s", target);
        if (move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return hull_err_sys(err, errno, "attach overlay on %s", target);
        return 0;
}

static void fds_close(int *fds, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        free(fds);
}

static int mount_legacy(const struct hull_overlay *o, const char **lowers, size_t n,
                        const char *target, struct hull_err *err)
{
        int *fds = calloc(n, sizeof(int));
        _cleanup_free_ char *opts = malloc(OPTIONS_MAX + 1024 + 2 * PATH_MAX);
        if (!fds || !opts) {
                free(fds);
                return hull_err_set(err, ENOMEM, "out of memory");
        }
        size_t off = (size_t)snprintf(opts, OPTIONS_MAX, "lowerdir=");
        int r = 0;
        for (size_t i = 0; i < n; i++)
                fds[i] = -1;
        for (size_t i = 0; i < n && r == 0; i++) {
                fds[i] = open(lowers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                char buf[HULL_FD_PATH_MAX];
                if (fds[i] < 0)
                        r = hull_err_sys(err, errno, "open layer %s", lowers[i]);
                else if (off + HULL_FD_PATH_MAX + 1 >= OPTIONS_MAX)
                        r = hull_err_set(err, E2BIG, "too many layers (%zu) for an overlay mount",
                                         n);
                else
                        off += (size_t)snprintf(opts + off, OPTIONS_MAX - off, "%s%s", i ? ":" : "",
                                                hull_fd_path(fds[i], buf));
        }
        if (r == 0 && o->upper)
                snprintf(opts + off, OPTIONS_MAX + 1024 + 2 * PATH_MAX - off,
                         ",upperdir=%s,workdir=%s", o->upper, o->work);
        if (r == 0 &&
            mount("overlay", target, "overlay", o->readonly ? MS_RDONLY | MS_NODEV : 0, opts) < 0)
                r = hull_err_sys(err, errno, "mount overlay on %s", target);
        fds_close(fds, n);
        return r;
}

int hull_overlay_mount(const struct hull_overlay *o, const char *target, struct hull_err *err)
{
        if (o->nlowers == 0)
                return hull_err_set(err, EINVAL, "overlay mount of %s: no layers", target);
        if (o->upper && !o->work)
                return hull_err_set(err, EINVAL, "overlay mount of %s: upper without work dir",
                                    target);
        _cleanup_free_ const char **lowers = NULL;
        size_t n = 0;
        if (lower_list(o, &lowers, &n) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = mount_new_api(o, lowers, n, target, err);
        if (r == 0 || (r < 0 && err->code))
                return r;
        hull_debug("overlay: new mount API unavailable (%s), using mount(2)", strerror(-r));
        return mount_legacy(o, lowers, n, target, err);
}

int hull_overlay_unmount(const char *target, struct hull_err *err)
{
        if (umount2(target, UMOUNT_NOFOLLOW) < 0)
                return hull_err_sys(err, errno, "unmount %s", target);
        return 0;
}

bool hull_overlay_is_mounted(const char *target)
{
        /* statx knows mount roots (Linux 5.8); a bind mount of the same filesystem has the
         * parent's st_dev, so the st_dev test is only the fallback. */
        struct statx stx;
        if (statx(AT_FDCWD, target, AT_SYMLINK_NOFOLLOW, 0, &stx) == 0 &&
            (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
        struct stat a, b;
        _cleanup_free_ char *parent = NULL;
        if (stat(target, &a) < 0)
                return false;
        size_t len = strlen(target);
        parent = malloc(len + 4);
        if (!parent)
                return false;
        snprintf(parent, len + 4, "%s/..", target);
        if (stat(parent, &b) < 0)
                return false;
        return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

bool hull_overlay_supported(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/filesystems", "re");
        char line[256];
        while (f && fgets(line, sizeof(line), f))
                if (strstr(line, "\toverlay\n"))
                        return true;
        return false;
}

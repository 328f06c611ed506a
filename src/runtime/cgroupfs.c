/* Mounting cgroup filesystems inside the container: cgroup2 on a v2 host; on v1 and hybrid
 * hosts a tmpfs holding one mount per hierarchy, as the container's own cgroup. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/path.h"
#include "cgroup/cgroup.h"

/* Mount hierarchy CONTROLLERS (e.g. "cpu,cpuacct", "name=systemd", "" for v2) at DIRFD/NAME.
 * In a cgroup namespace the fresh mount shows the container's cgroup as its root; without
 * one, or where mounting is refused (user namespace on v1), the host's directory of our own
 * cgroup is bound instead. */
static int mount_hierarchy(int dirfd, const char *name, const char *controllers,
                           const char *own_path, bool cgroupns, unsigned long flags,
                           struct hull_err *err)
{
        if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                return hull_err_sys(err, errno, "create cgroup mount point %s", name);
        _cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open cgroup mount point %s", name);
        char p[HULL_FD_PATH_MAX];
        bool v2 = controllers[0] == '\0';
        /* Without a cgroup namespace a fresh mount would show the whole host hierarchy. */
        int r = cgroupns ? mount("cgroup", hull_fd_path(fd, p), v2 ? "cgroup2" : "cgroup", flags,
                                 v2 ? NULL : controllers)
                         : -1;
        if (r == 0)
                return 0;
        int e = cgroupns ? errno : 0;
        char host[PATH_MAX];
        snprintf(host, sizeof(host), "/sys/fs/cgroup/%s%s", name, own_path);
        if (mount(host, hull_fd_path(fd, p), NULL, MS_BIND | MS_REC, NULL) < 0) {
                /* A hierarchy the host lists but has not mounted where we look (a named one
                 * some tool made) is not the container's business: leave it out. */
                if (errno == ENOENT) {
                        hull_debug("cgroup hierarchy %s: %s is not mounted, skipped", name, host);
                        unlinkat(dirfd, name, AT_REMOVEDIR);
                        return 0;
                }
                return hull_err_sys(err, e ? e : errno, "mount cgroup hierarchy %s", name);
        }
        if (!(flags & MS_RDONLY))
                return 0;
        /* fd names the directory under the bind; the remount is for the bind itself. */
        _cleanup_close_ int top = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (top < 0 ||
            mount(NULL, hull_fd_path(top, p), NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
                return hull_err_sys(err, errno, "make cgroup hierarchy %s read-only", name);
        return 0;
}

/* Each line of /proc/self/cgroup: "ID:CONTROLLERS:PATH". */
static int mount_v1(int dirfd, bool cgroupns, unsigned long flags, struct hull_err *err)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return hull_err_sys(err, errno, "read /proc/self/cgroup");
        char line[4096];
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                const char *controllers = c1 + 1, *path = c2 + 1;
                if (strcmp(path, "/") == 0)
                        path = "";
                int r;
                if (controllers[0] == '\0') {
                        r = mount_hierarchy(dirfd, "unified", "", path, cgroupns, flags, err);
                } else {
                        const char *name = controllers;
                        if (strncmp(name, "name=", 5) == 0)
                                name += 5;
                        r = mount_hierarchy(dirfd, name, controllers, path, cgroupns, flags,
                                            err);
                        /* "cpu" and "cpuacct" links to a co-mounted "cpu,cpuacct". */
                        if (r == 0 && strchr(name, ',')) {
                                _cleanup_free_ char *copy = strdup(name);
                                char *save = NULL;
                                for (char *t = strtok_r(copy, ",", &save); t;
                                     t = strtok_r(NULL, ",", &save))
                                        if (symlinkat(name, dirfd, t) < 0 && errno != EEXIST)
                                                return hull_err_sys(err, errno,
                                                                    "link cgroup %s", t);
                        }
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Our own cgroup2 path ("0::/path" in /proc/self/cgroup), "" for the root. */
static void own_v2_path(char *buf, size_t size)
{
        buf[0] = '\0';
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        char line[2048];
        while (f && fgets(line, sizeof(line), f)) {
                if (strncmp(line, "0::", 3) != 0)
                        continue;
                line[strcspn(line, "\n")] = '\0';
                snprintf(buf, size, "%s", strcmp(line + 3, "/") == 0 ? "" : line + 3);
                return;
        }
}

static int mount_v2(int rootfd, int dest, bool cgroupns, unsigned long flags, const char *what,
                    struct hull_err *err)
{
        char p[HULL_FD_PATH_MAX];
        int e = 0;
        if (cgroupns) {
                if (mount("cgroup2", hull_fd_path(dest, p), "cgroup2", flags, NULL) == 0)
                        return 0;
                e = errno;
        }
        /* Without a cgroup namespace (or where mounting is refused) the container still sees
         * only its own cgroup: bind that directory of the host's hierarchy. */
        char own[PATH_MAX - 32], host[PATH_MAX];
        own_v2_path(own, sizeof(own));
        snprintf(host, sizeof(host), "/sys/fs/cgroup%s", own);
        if (mount(host, hull_fd_path(dest, p), NULL, MS_BIND | MS_REC, NULL) < 0)
                return hull_err_sys(err, e ? e : errno, "mount cgroup2 on %s", what);
        if (!(flags & MS_RDONLY))
                return 0;
        /* DEST names the directory under the bind: resolve the path again for the remount. */
        _cleanup_close_ int top = hull_path_open_in_root(rootfd, what, O_PATH, 0, err);
        if (top < 0)
                return hull_err_wrap(err, "reopen %s", what);
        if (mount(NULL, hull_fd_path(top, p), NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
                return hull_err_sys(err, errno, "make %s read-only", what);
        return 0;
}

int hull_mount_cgroupfs(struct hull_spawn *sp, int rootfd, int dest,
                        const struct hull_oci_mount *m, unsigned long flags, struct hull_err *err)
{
        enum hull_cgroup_layout layout;
        int r = hull_cgroup_detect(&layout, err);
        if (r < 0)
                return r;
        char p[HULL_FD_PATH_MAX];
        bool cgroupns = hull_oci_config_namespace(sp->config, HULL_NS_CGROUP) != NULL;
        if (layout == HULL_CGROUP_LAYOUT_V2)
                return mount_v2(rootfd, dest, cgroupns, flags, m->destination, err);
        /* v1 / hybrid: a tmpfs to hold the hierarchies, read-only once they are in. */
        if (mount("tmpfs", hull_fd_path(dest, p), "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
                return hull_err_sys(err, errno, "mount tmpfs for cgroups on %s", m->destination);
        /* The fd we mounted on is the directory below the new tmpfs: resolve the path again. */
        _cleanup_close_ int top =
                hull_path_open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0, err);
        if (top < 0)
                return hull_err_wrap(err, "open %s", m->destination);
        r = mount_v1(top, cgroupns, flags, err);
        if (r < 0)
                return hull_err_wrap(err, "mount cgroups on %s", m->destination);
        if (flags & MS_RDONLY) {
                _cleanup_close_ int tfd = openat(top, ".", O_PATH | O_CLOEXEC);
                if (mount(NULL, hull_fd_path(tfd, p), NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
                        return hull_err_sys(err, errno, "make %s read-only", m->destination);
        }
        return 0;
}

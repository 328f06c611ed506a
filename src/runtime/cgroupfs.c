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
#include "base/path.h"
#include "cgroup/cgroup.h"

/* Mount hierarchy CONTROLLERS (e.g. "cpu,cpuacct", "name=systemd", "" for v2) at DIRFD/NAME.
 * In a cgroup namespace the fresh mount shows the container's cgroup as its root; without
 * one, or where mounting is refused (user namespace on v1), the host's directory of our own
 * cgroup is bound instead. */
static int mount_hierarchy(int dirfd, const char *name, const char *controllers,
                           const char *own_path, unsigned long flags, struct hull_err *err)
{
        if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                return hull_err_sys(err, errno, "create cgroup mount point %s", name);
        _cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open cgroup mount point %s", name);
        char p[HULL_FD_PATH_MAX];
        bool v2 = controllers[0] == '\0';
        int r = mount("cgroup", hull_fd_path(fd, p), v2 ? "cgroup2" : "cgroup", flags,
                      v2 ? NULL : controllers);
        if (r == 0)
                return 0;
        int e = errno;
        char host[PATH_MAX];
        snprintf(host, sizeof(host), "/sys/fs/cgroup/%s%s", name, own_path);
        if (mount(host, hull_fd_path(fd, p), NULL, MS_BIND | MS_REC, NULL) < 0)
                return hull_err_sys(err, e, "mount cgroup hierarchy %s", name);
        if (flags & MS_RDONLY)
                mount(NULL, hull_fd_path(fd, p), NULL, MS_BIND | MS_REMOUNT | flags, NULL);
        return 0;
}

/* Each line of /proc/self/cgroup: "ID:CONTROLLERS:PATH". */
static int mount_v1(int dirfd, unsigned long flags, struct hull_err *err)
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
                        r = mount_hierarchy(dirfd, "unified", "", path, flags, err);
                } else {
                        const char *name = controllers;
                        if (strncmp(name, "name=", 5) == 0)
                                name += 5;
                        r = mount_hierarchy(dirfd, name, controllers, path, flags, err);
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

int hull_mount_cgroupfs(struct hull_spawn *sp, int rootfd, int dest,
                        const struct hull_oci_mount *m, unsigned long flags, struct hull_err *err)
{
        (void)sp;
        enum hull_cgroup_layout layout;
        int r = hull_cgroup_detect(&layout, err);
        if (r < 0)
                return r;
        char p[HULL_FD_PATH_MAX];
        if (layout == HULL_CGROUP_LAYOUT_V2) {
                if (mount("cgroup2", hull_fd_path(dest, p), "cgroup2", flags, NULL) == 0)
                        return 0;
                int e = errno;
                if (mount("/sys/fs/cgroup", hull_fd_path(dest, p), NULL, MS_BIND | MS_REC, NULL) < 0)
                        return hull_err_sys(err, e, "mount cgroup2 on %s", m->destination);
                return 0;
        }
        /* v1 / hybrid: a tmpfs to hold the hierarchies, read-only once they are in. */
        if (mount("tmpfs", hull_fd_path(dest, p), "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
                return hull_err_sys(err, errno, "mount tmpfs for cgroups on %s", m->destination);
        /* The fd we mounted on is the directory below the new tmpfs: resolve the path again. */
        _cleanup_close_ int top =
                hull_path_open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0, err);
        if (top < 0)
                return hull_err_wrap(err, "open %s", m->destination);
        r = mount_v1(top, flags, err);
        if (r < 0)
                return hull_err_wrap(err, "mount cgroups on %s", m->destination);
        if (flags & MS_RDONLY) {
                _cleanup_close_ int tfd = openat(top, ".", O_PATH | O_CLOEXEC);
                if (mount(NULL, hull_fd_path(tfd, p), NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
                        return hull_err_sys(err, errno, "make %s read-only", m->destination);
        }
        return 0;
}

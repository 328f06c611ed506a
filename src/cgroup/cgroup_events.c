/* Memory events for `events`: the OOM-kill counter and a pollable fd that wakes the caller when
 * it may have changed (no busy polling of cgroupfs). */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "base/cleanup.h"

/* The directory holding the memory controller's files, or NULL; *V2 says which kind. */
static char *memory_dir(struct hull_cgroup *cg, bool *v2)
{
        if (cg->disabled)
                return NULL;
        if (cg->layout == HULL_CGROUP_LAYOUT_V2) {
                *v2 = true;
                return hull_cgroup_hier_dir(&cg->unified);
        }
        *v2 = false;
        struct hull_cgroup_hier *h = hull_cgroup_v1_find(cg, "memory");
        return h ? hull_cgroup_hier_dir(h) : NULL;
}

int hull_cgroup_oom_kills(struct hull_cgroup *cg, uint64_t *ret, struct hull_err *err)
{
        bool v2;
        _cleanup_free_ char *dir = memory_dir(cg, &v2);
        *ret = 0;
        if (!dir)
                return 0;
        int r =
            hull_cg_read_keyed(dir, v2 ? "memory.events" : "memory.oom_control", "oom_kill", ret);
        if (r == -ENOENT && !hull_cg_exists(dir, "."))
                return hull_err_sys(err, ENOENT, "read the OOM counter of %s", dir);
        return 0;
}

int hull_cgroup_memory_event_fd(struct hull_cgroup *cg, struct hull_err *err)
{
        bool v2;
        _cleanup_free_ char *dir = memory_dir(cg, &v2), *path = NULL;
        if (!dir)
                return hull_err_set(err, ENOTSUP, "the container has no memory cgroup");
        if (v2) {
                /* memory.events raises a modify event whenever a counter changes. */
                _cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
                if (fd < 0)
                        return hull_err_sys(err, errno, "inotify_init1");
                if (asprintf(&path, "%s/memory.events", dir) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
                if (inotify_add_watch(fd, path, IN_MODIFY) < 0)
                        return hull_err_sys(err, errno, "watch %s", path);
                return TAKE_FD(fd);
        }
        /* v1: "<eventfd> <fd of memory.oom_control>" into cgroup.event_control. */
        _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0)
                return hull_err_sys(err, errno, "eventfd");
        if (asprintf(&path, "%s/memory.oom_control", dir) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int ofd = open(path, O_RDONLY | O_CLOEXEC);
        if (ofd < 0)
                return hull_err_sys(err, errno, "open %s", path);
        int r = hull_cg_writef(dir, "cgroup.event_control", err, "%d %d", efd, ofd);
        if (r < 0)
                return r;
        /* The registration lives as long as the eventfd; oom_control's fd may go. */
        return TAKE_FD(efd);
}

void hull_cgroup_event_drain(int fd)
{
        char buf[4096];
        while (read(fd, buf, sizeof(buf)) > 0)
                ;
}

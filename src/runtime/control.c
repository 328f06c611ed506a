/* The verbs on an existing container: state, kill, delete, list (see container.h). */
#include "runtime/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/passwd.h"
#include "base/syscalls.h"
#include "cgroup/cgroup.h"
#include "oci/config.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/state.h"

int hull_container_state(const struct hull_runtime *rt, const char *id, json_t **ret,
                         struct hull_err *err)
{
        _cleanup_close_ int dir = -EBADF;
        _cleanup_(hull_state_freep) struct hull_state *st = NULL;
        int r = hull_container_open(rt, id, false, NULL, &dir, &st, err);
        if (r < 0)
                return r;
        json_t *o = hull_state_to_oci(st, hull_state_status(dir, st));
        if (!o)
                return hull_err_set(err, ENOMEM, "out of memory");
        *ret = o;
        return 0;
}

static int load_cgroup(const struct hull_state *st, struct hull_cgroup **ret, struct hull_err *err)
{
        *ret = NULL;
        if (!st->cgroup)
                return 0;
        return hull_cgroup_from_json(st->cgroup, ret, err);
}

static int signal_init(const struct hull_state *st, int sig, struct hull_err *err)
{
        _cleanup_close_ int pidfd = hull_state_pidfd(st);
        if (pidfd < 0)
                return hull_err_set(err, ESRCH, "cannot signal %s: container not running",
                                    st->id);
        if (hull_pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
                return hull_err_sys(err, errno, "send signal %d to container %s", sig, st->id);
        return 0;
}

int hull_container_kill(const struct hull_runtime *rt, const char *id, int sig, bool all,
                        struct hull_err *err)
{
        _cleanup_close_ int dir = -EBADF;
        _cleanup_(hull_state_freep) struct hull_state *st = NULL;
        int r = hull_container_open(rt, id, false, NULL, &dir, &st, err);
        if (r < 0)
                return r;
        enum hull_status s = hull_state_status(dir, st);
        if (all) {
                _cleanup_(hull_cgroup_freep) struct hull_cgroup *cg = NULL;
                r = load_cgroup(st, &cg, err);
                if (r < 0)
                        return r;
                if (cg)
                        return hull_cgroup_kill(cg, sig, err);
        }
        if (s == HULL_STATUS_STOPPED)
                /* runc's words: containerd and podman look for "container not running". */
                return hull_err_set(err, ESRCH, "cannot signal %s: container not running", id);
        return signal_init(st, sig, err);
}

/* A stopped container usually left an empty cgroup: then there is nothing to freeze, kill
 * and thaw (that costs a delete more than the rest of it on v1). */
static bool cgroup_has_processes(struct hull_cgroup *cg)
{
        if (!cg)
                return false;
        pid_t *pids = NULL;
        size_t n = 0;
        if (hull_cgroup_pids(cg, &pids, &n, NULL) < 0)
                return true; /* unknown: be thorough */
        free(pids);
        return n > 0;
}

/* Kill everything in the container and wait for init to be gone. */
static int kill_and_wait(const struct hull_state *st, struct hull_cgroup *cg, struct hull_err *err)
{
        _cleanup_close_ int pidfd = hull_state_pidfd(st);
        if (cg) {
                /* A frozen cgroup would hold SIGKILL until thawed. */
                hull_cgroup_freeze(cg, false, NULL);
                hull_cgroup_kill(cg, SIGKILL, NULL);
        }
        if (pidfd < 0)
                return 0;
        hull_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        if (hull_wait_pidfd(pidfd, 10000) < 0)
                return hull_err_set(err, ETIMEDOUT, "container %s did not die after SIGKILL",
                                    st->id);
        return 0;
}

/* The cgroup a crashed create left (its init, if any, exits when its parent is gone). */
static void remove_crashed_cgroup(int dir, const char *id)
{
        struct hull_err err = {0};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (hull_file_read(dir, HULL_CREATE_CGROUP_FILE, &data, &len, &err) < 0)
                return;
        json_t *saved = json_loadb(data, len, 0, NULL);
        _cleanup_(hull_cgroup_freep) struct hull_cgroup *cg = NULL;
        if (saved && hull_cgroup_from_json(saved, &cg, &err) == 0) {
                hull_cgroup_kill(cg, SIGKILL, NULL);
                if (hull_cgroup_destroy(cg, &err) < 0)
                        hull_warn("delete %s: %s", id, err.msg);
        }
        json_decref(saved);
}

int hull_container_delete(const struct hull_runtime *rt, const char *id, bool force,
                          struct hull_err *err)
{
        _cleanup_close_ int root = -EBADF, dir = -EBADF;
        _cleanup_(hull_state_freep) struct hull_state *st = NULL;
        int r = hull_container_open(rt, id, true, &root, &dir, &st, err);
        if (r == -ENOENT && root >= 0 && dir >= 0 && !st) {
                /* A create that crashed before saving state: we hold its lock, so nobody is
                 * creating it now. */
                hull_err_clear(err);
                remove_crashed_cgroup(dir, id);
                return hull_state_dir_remove(root, id, err);
        }
        if (r < 0)
                return r;
        enum hull_status s = hull_state_status(dir, st);
        if ((s == HULL_STATUS_RUNNING || s == HULL_STATUS_PAUSED) && !force)
                return hull_err_set(err, EBUSY,
                                    "cannot delete container %s that is %s: stop it first or use "
                                    "--force",
                                    id, hull_status_to_string(s));
        _cleanup_(hull_cgroup_freep) struct hull_cgroup *cg = NULL;
        r = load_cgroup(st, &cg, err);
        if (r < 0)
                hull_warn("delete %s: %s", id, err->msg);
        if (s != HULL_STATUS_STOPPED || cgroup_has_processes(cg)) {
                r = kill_and_wait(st, cg, err);
                if (r < 0)
                        return r;
        }
        if (cg) {
                r = hull_cgroup_destroy(cg, err);
                if (r < 0)
                        return hull_err_wrap(err, "delete %s", id);
        }
        hull_hooks_poststop(st);
        return hull_state_dir_remove(root, id, err);
}

static json_t *list_entry(int root, const char *id)
{
        struct hull_err err = {0};
        _cleanup_close_ int dir = openat(root, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir < 0)
                return NULL;
        _cleanup_(hull_state_freep) struct hull_state *st = NULL;
        if (hull_state_load(dir, id, &st, &err) < 0)
                return NULL;
        enum hull_status s = hull_state_status(dir, st);
        _cleanup_free_ char *name = NULL;
        char owner[32];
        snprintf(owner, sizeof(owner), "#%u", (unsigned)st->owner);
        hull_passwd_lookup("/etc/passwd", st->owner, &name, NULL);
        json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "id", st->id, "pid",
                              s == HULL_STATUS_STOPPED ? 0 : (int)st->pid, "status",
                              hull_status_to_string(s), "bundle", st->bundle, "created",
                              st->created ? st->created : "", "owner", name ? name : owner);
        if (!o)
                return NULL;
        json_object_set_new(o, "ociVersion", json_string(HULL_OCI_VERSION));
        json_object_set_new(o, "rootfs", json_string(st->rootfs ? st->rootfs : ""));
        if (st->annotations)
                json_object_set(o, "annotations", st->annotations);
        return o;
}

int hull_container_list(const struct hull_runtime *rt, json_t **ret, struct hull_err *err)
{
        json_t *arr = json_array();
        if (!arr)
                return hull_err_set(err, ENOMEM, "out of memory");
        int root = open(rt->state_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                if (errno == ENOENT) {
                        *ret = arr;
                        return 0;
                }
                json_decref(arr);
                return hull_err_sys(err, errno, "open state root %s", rt->state_root);
        }
        DIR *d = fdopendir(root);
        if (!d) {
                close(root);
                json_decref(arr);
                return hull_err_sys(err, errno, "read state root %s", rt->state_root);
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                json_t *o = list_entry(dirfd(d), de->d_name);
                if (o)
                        json_array_append_new(arr, o);
        }
        closedir(d);
        *ret = arr;
        return 0;
}

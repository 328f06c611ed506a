/* The cgroup v1 driver, also used for the hybrid layout: one directory per mounted hierarchy,
 * plus (hybrid) the unified one, which tracks processes and holds the controllers v1 lacks. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

#define RES ".linux.resources"

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* The directory of the hierarchy holding CONTROLLER, or NULL (*dir untouched) if none. */
static char *ctl_dir(struct hull_cgroup *cg, const char *controller)
{
        struct hull_cgroup_hier *h = hull_cgroup_v1_find(cg, controller);
        return h ? hull_cgroup_hier_dir(h) : NULL;
}

static char *unified_dir(struct hull_cgroup *cg)
{
        return cg->unified.mount ? hull_cgroup_hier_dir(&cg->unified) : NULL;
}

static int v1_enter(struct hull_cgroup *cg, pid_t pid, struct hull_err *err)
{
        for (size_t i = 0; i <= cg->n_v1; i++) {
                struct hull_cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->unified;
                if (!h->mount)
                        continue;
                _cleanup_free_ char *dir = hull_cgroup_hier_dir(h);
                if (!dir)
                        return hull_err_set(err, ENOMEM, "out of memory");
                int r = hull_cg_writef(dir, "cgroup.procs", err, "%d", (int)pid);
                if (r < 0)
                        return hull_err_wrap(err, "join cgroup");
        }
        return 0;
}

/* The directory whose cgroup.procs lists the container: the unified one tracks every process
 * on hybrid; on v1 the freezer's (what pause acts on) or the first. */
static char *procs_dir(struct hull_cgroup *cg)
{
        if (cg->unified.mount)
                return unified_dir(cg);
        char *d = ctl_dir(cg, "freezer");
        if (d)
                return d;
        return cg->n_v1 ? hull_cgroup_hier_dir(&cg->v1[0]) : NULL;
}

static int v1_pids(struct hull_cgroup *cg, pid_t **ret, size_t *ret_n, struct hull_err *err)
{
        _cleanup_free_ char *dir = procs_dir(cg);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (!dir)
                return hull_err_set(err, ENOENT, "the container has no cgroup");
        int r = hull_cg_read_procs_tree(dir, &pids, &n, 0, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

static int freezer_wait(const char *dir, const char *want, struct hull_err *err)
{
        /* FREEZING may last while tasks finish a system call; the kernel retries the freeze
         * when the state is written again, so nudge it now and then. */
        for (int i = 0; i < 1000; i++) {
                _cleanup_free_ char *s = NULL;
                int r = hull_cg_read(dir, "freezer.state", &s, err);
                if (r < 0)
                        return r;
                if (strncmp(s, want, strlen(want)) == 0)
                        return 0;
                if (i % 10 == 9 && (r = hull_cg_write(dir, "freezer.state", want, err)) < 0)
                        return r;
                sleep_ms(i < 10 ? 1 : 2);
        }
        return hull_err_set(err, EBUSY, "%s/freezer.state: timed out waiting for %s", dir, want);
}

static int v1_freeze(struct hull_cgroup *cg, bool frozen, struct hull_err *err)
{
        _cleanup_free_ char *dir = ctl_dir(cg, "freezer");
        if (!dir) {
                /* No v1 freezer: the unified hierarchy of the hybrid layout can freeze. */
                _cleanup_free_ char *u = unified_dir(cg);
                if (u && hull_cg_exists(u, "cgroup.freeze"))
                        return hull_cgroup_v2_freeze_dir(u, frozen, err);
                return hull_err_set(err, ENOTSUP, "no freezer cgroup is mounted");
        }
        const char *want = frozen ? "FROZEN" : "THAWED";
        int r = hull_cg_write(dir, "freezer.state", want, err);
        if (r == 0)
                r = freezer_wait(dir, want, err);
        if (r < 0 && frozen)
                hull_cg_write(dir, "freezer.state", "THAWED", NULL);
        return r < 0 ? hull_err_wrap(err, frozen ? "freeze" : "thaw") : 0;
}

static int v1_is_frozen(struct hull_cgroup *cg)
{
        _cleanup_free_ char *dir = ctl_dir(cg, "freezer"), *s = NULL;
        if (!dir) {
                _cleanup_free_ char *u = unified_dir(cg);
                if (u && hull_cg_read(u, "cgroup.freeze", &s, NULL) == 0)
                        return s[0] == '1';
                return 0;
        }
        int r = hull_cg_read(dir, "freezer.state", &s, NULL);
        if (r < 0)
                return r;
        return strncmp(s, "FROZEN", 6) == 0;
}

static int v1_kill(struct hull_cgroup *cg, int sig, struct hull_err *err)
{
        _cleanup_free_ char *u = unified_dir(cg);
        /* The unified hierarchy of the hybrid layout has cgroup.kill too (Linux 5.14). */
        if (sig == SIGKILL && u && hull_cg_exists(u, "cgroup.kill")) {
                int r = hull_cg_write(u, "cgroup.kill", "1", err);
                return r == -ENOENT ? 0 : r;
        }
        /* Frozen meanwhile, so that forks cannot escape the signal. */
        int was = v1_is_frozen(cg);
        bool thaw = was == 0 && v1_freeze(cg, true, NULL) == 0;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = v1_pids(cg, &pids, &n, err);
        if (r == -ENOENT)
                r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        r = hull_err_sys(err, errno, "kill %d", (int)pids[i]);
        if (thaw)
                v1_freeze(cg, false, NULL);
        return r < 0 ? r : 0;
}

static int v1_stats(struct hull_cgroup *cg, json_t **ret, struct hull_err *err)
{
        json_t *o = json_object();
        if (!o)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = hull_cgroup_v1_stats(cg, o, err);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

const struct hull_cgroup_driver hull_cgroup_v1_driver = {
    .enter = v1_enter,
    .apply = hull_cgroup_v1_apply,
    .kill = v1_kill,
    .pids = v1_pids,
    .freeze = v1_freeze,
    .is_frozen = v1_is_frozen,
    .stats = v1_stats,
};

/* The cgroup v2 driver: one unified directory per container; controllers are enabled in the
 * parents' cgroup.subtree_control only when a resource needs them. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Does the space-separated list (subtree_control may show "+x" in the tests' fake trees) hold
 * NAME? */
static bool words_have(const char *words, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = words; p && *p;) {
                while (*p == ' ' || *p == '\n' || *p == '+')
                        p++;
                if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
                        return true;
                p = strpbrk(p, " \n");
        }
        return false;
}

int hull_cgroup_v2_enable(const char *mount, const char *path, const char *const *ctls, size_t n,
                          struct hull_err *err)
{
        _cleanup_free_ char *dir = NULL, *have = NULL;
        if (asprintf(&dir, "%s%s", mount, strcmp(path, "/") == 0 ? "" : path) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        /* The common case costs one read: the leaf already has what it needs. */
        bool all = hull_cg_read(dir, "cgroup.controllers", &have, NULL) == 0;
        for (size_t i = 0; all && i < n; i++)
                all = words_have(have, ctls[i]);
        if (all)
                return 0;
        /* Enable top-down in every ancestor, from the hierarchy root to the leaf's parent. */
        size_t base = strlen(mount);
        char *leaf_slash = strrchr(dir + base, '/');
        if (!leaf_slash)
                return 0;
        for (char *p = dir + base;;) {
                char *slash = strchr(p + 1, '/');
                bool last = p == leaf_slash;
                char saved = *p;
                *p = '\0';
                const char *anc = *dir ? dir : "/";
                _cleanup_free_ char *sub = NULL, *avail = NULL;
                char add[256] = "";
                hull_cg_read(anc, "cgroup.subtree_control", &sub, NULL);
                bool have_avail = hull_cg_read(anc, "cgroup.controllers", &avail, NULL) == 0;
                int r = 0;
                for (size_t i = 0; i < n && r == 0; i++) {
                        if (sub && words_have(sub, ctls[i]))
                                continue;
                        if (!have_avail && hull_cgroup_testing()) {
                                /* fake tree: everything is available */
                        } else if (!have_avail || !words_have(avail, ctls[i])) {
                                r = hull_err_set(err, ENOTSUP,
                                                 "the cgroup v2 controller \"%s\" is not available "
                                                 "in %s (cgroup.controllers)",
                                                 ctls[i], anc);
                                break;
                        }
                        size_t len = strlen(add);
                        snprintf(add + len, sizeof(add) - len, "%s+%s", len ? " " : "", ctls[i]);
                }
                if (r == 0 && add[0])
                        r = hull_cg_write(anc, "cgroup.subtree_control", add, err);
                *p = saved;
                if (r < 0)
                        return r;
                if (last)
                        break;
                p = slash;
        }
        return 0;
}

static int v2_dir(struct hull_cgroup *cg, char **ret, struct hull_err *err)
{
        *ret = hull_cgroup_hier_dir(&cg->unified);
        return *ret ? 0 : hull_err_set(err, ENOMEM, "out of memory");
}

static int v2_enter(struct hull_cgroup *cg, pid_t pid, struct hull_err *err)
{
        _cleanup_free_ char *dir = NULL;
        int r = v2_dir(cg, &dir, err);
        if (r < 0)
                return r;
        r = hull_cg_writef(dir, "cgroup.procs", err, "%d", (int)pid);
        return r < 0 ? hull_err_wrap(err, "join cgroup") : 0;
}

/* Every pid below DIR, the container's own sub-cgroups included. */
int hull_cg_read_procs_tree(const char *dir, pid_t **pids, size_t *n, int depth,
                            struct hull_err *err)
{
        int r = hull_cg_read_procs(dir, pids, n, err);
        if (r < 0 || depth > 32)
                return r;
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, e->d_name) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
                r = hull_cg_read_procs_tree(sub, pids, n, depth + 1, err);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

static int v2_pids(struct hull_cgroup *cg, pid_t **ret, size_t *ret_n, struct hull_err *err)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = v2_dir(cg, &dir, err);
        if (r < 0)
                return r;
        r = hull_cg_read_procs_tree(dir, &pids, &n, 0, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int hull_cgroup_v2_freeze_dir(const char *dir, bool frozen, struct hull_err *err)
{
        int r = hull_cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", err);
        if (r < 0)
                return hull_err_wrap(err, frozen ? "freeze" : "thaw");
        /* cgroup.events says when every task has actually stopped (or started again). */
        for (int i = 0; i < 2000; i++) {
                uint64_t v;
                if (hull_cg_read_keyed(dir, "cgroup.events", "frozen", &v) < 0)
                        return 0; /* kernels before 5.2 have no cgroup.freeze anyway */
                if ((v == 1) == frozen)
                        return 0;
                sleep_ms(i < 10 ? 1 : 5);
        }
        if (frozen)
                hull_cg_write(dir, "cgroup.freeze", "0", NULL);
        return hull_err_set(err, EBUSY, "%s %s: timed out waiting for cgroup.events",
                            frozen ? "freeze" : "thaw", dir);
}

static int v2_freeze(struct hull_cgroup *cg, bool frozen, struct hull_err *err)
{
        _cleanup_free_ char *dir = NULL;
        int r = v2_dir(cg, &dir, err);
        if (r < 0)
                return r;
        return hull_cgroup_v2_freeze_dir(dir, frozen, err);
}

static int v2_is_frozen(struct hull_cgroup *cg)
{
        _cleanup_free_ char *dir = hull_cgroup_hier_dir(&cg->unified), *s = NULL;
        if (!dir)
                return -ENOMEM;
        int r = hull_cg_read(dir, "cgroup.freeze", &s, NULL);
        if (r == -ENOENT && !hull_cg_exists(dir, "."))
                return -ENOENT;
        if (r < 0)
                return 0;
        return s[0] == '1';
}

static int v2_kill(struct hull_cgroup *cg, int sig, struct hull_err *err)
{
        _cleanup_free_ char *dir = NULL;
        int r = v2_dir(cg, &dir, err);
        if (r < 0)
                return r;
        if (sig == SIGKILL && hull_cg_exists(dir, "cgroup.kill")) {
                r = hull_cg_write(dir, "cgroup.kill", "1", err);
                if (r == -ENOENT)
                        return 0;
                return r;
        }
        /* Frozen meanwhile, so that forks cannot escape the signal. */
        bool was_frozen = v2_is_frozen(cg) == 1;
        if (!was_frozen)
                hull_cgroup_v2_freeze_dir(dir, true, NULL);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        r = hull_cg_read_procs_tree(dir, &pids, &n, 0, err);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        r = hull_err_sys(err, errno, "kill %d", (int)pids[i]);
        if (!was_frozen)
                hull_cgroup_v2_freeze_dir(dir, false, NULL);
        return r < 0 ? r : 0;
}

static int v2_stats(struct hull_cgroup *cg, json_t **ret, struct hull_err *err)
{
        _cleanup_free_ char *dir = NULL;
        int r = v2_dir(cg, &dir, err);
        if (r < 0)
                return r;
        json_t *o = json_object();
        if (!o)
                return hull_err_set(err, ENOMEM, "out of memory");
        r = hull_cgroup_v2_stats_dir(dir, o, err);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

const struct hull_cgroup_driver hull_cgroup_v2_driver = {
    .enter = v2_enter,
    .apply = hull_cgroup_v2_apply,
    .kill = v2_kill,
    .pids = v2_pids,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .stats = v2_stats,
};

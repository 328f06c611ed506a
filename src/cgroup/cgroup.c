/* The public cgroup interface: create, enter, save/restore, destroy; the rest is dispatched to
 * the layout's driver (cgroup_v1.c for v1 and hybrid, cgroup_v2.c for v2). */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

static const char *const layout_names[] = {
    [HULL_CGROUP_LAYOUT_V2] = "v2",
    [HULL_CGROUP_LAYOUT_V1] = "v1",
    [HULL_CGROUP_LAYOUT_HYBRID] = "hybrid",
};

static struct hull_cgroup *cgroup_new(enum hull_cgroup_layout layout)
{
        struct hull_cgroup *cg = calloc(1, sizeof(*cg));
        if (!cg)
                return NULL;
        cg->layout = layout;
        cg->driver =
            layout == HULL_CGROUP_LAYOUT_V2 ? &hull_cgroup_v2_driver : &hull_cgroup_v1_driver;
        cg->unified_fd = -1;
        return cg;
}

void hull_cgroup_free(struct hull_cgroup *cg)
{
        if (!cg)
                return;
        for (size_t i = 0; i < cg->n_v1; i++)
                hull_cgroup_hier_clear(&cg->v1[i]);
        free(cg->v1);
        hull_cgroup_hier_clear(&cg->unified);
        if (cg->unified_fd >= 0)
                close(cg->unified_fd);
        free(cg);
}

struct hull_cgroup_hier *hull_cgroup_v1_find(struct hull_cgroup *cg, const char *controller)
{
        size_t n = strlen(controller);
        for (size_t i = 0; i < cg->n_v1; i++)
                for (const char *p = cg->v1[i].controllers; p && *p;) {
                        if (strncmp(p, controller, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                                return &cg->v1[i];
                        p = strchr(p, ',');
                        if (p)
                                p++;
                }
        return NULL;
}

const char *hull_cgroup_path(const struct hull_cgroup *cg)
{
        if (!cg || cg->disabled)
                return NULL;
        if (cg->layout == HULL_CGROUP_LAYOUT_V2)
                return cg->unified.path;
        struct hull_cgroup_hier *mem = hull_cgroup_v1_find((struct hull_cgroup *)cg, "memory");
        if (mem)
                return mem->path;
        return cg->n_v1 ? cg->v1[0].path : cg->unified.path;
}

enum hull_cgroup_layout hull_cgroup_layout_of(const struct hull_cgroup *cg)
{
        return cg->layout;
}

/* A new v1 cpuset cgroup starts with no cpus and no mems, and nothing can join it until it
 * has some: inherit the parent's. */
static int cpuset_fixup(const char *dir, struct hull_err *err)
{
        _cleanup_free_ char *parent = strdup(dir);
        if (!parent)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(parent, '/');
        if (!slash || slash == parent)
                return 0;
        *slash = '\0';
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *cur = NULL, *val = NULL;
                if (hull_cg_read(dir, files[i], &cur, NULL) == 0 && cur[0] && cur[0] != '\n')
                        continue;
                int r = hull_cg_read(parent, files[i], &val, err);
                if (r == -ENOENT && hull_cgroup_testing())
                        continue;
                if (r < 0)
                        return r;
                if (!val[0] || val[0] == '\n')
                        continue;
                r = hull_cg_write(dir, files[i], val, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool hier_has(const struct hull_cgroup_hier *h, const char *controller)
{
        size_t n = strlen(controller);
        for (const char *p = h->controllers; p && *p;) {
                if (strncmp(p, controller, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                        return true;
                p = strchr(p, ',');
                if (p)
                        p++;
        }
        return false;
}

/* Resolve and mkdir the container's cgroup in one hierarchy. SELF_H holds the mount and the
 * caller's cgroup there; the result goes to OUT. */
static int create_in(const struct hull_cgroup_hier *self_h, const char *id,
                     const char *cgroups_path, struct hull_cgroup_hier *out, struct hull_err *err)
{
        _cleanup_free_ char *path = NULL;
        int r = hull_cgroup_resolve_path(cgroups_path, id, self_h->path, &path, err);
        if (r < 0)
                return r;
        out->controllers = strdup(self_h->controllers);
        out->mount = strdup(self_h->mount);
        if (!out->controllers || !out->mount)
                return hull_err_set(err, ENOMEM, "out of memory");
        int parents = 0;
        r = hull_cg_mkdir(self_h->mount, path, &parents,
                          hier_has(self_h, "cpuset") ? cpuset_fixup : NULL, err);
        /* The default parent belongs to hull whoever made it: the last container out removes
         * it. */
        if (!cgroups_path || !*cgroups_path)
                parents = 1;
        out->parents = parents;
        out->path = TAKE_PTR(path);
        return r;
}

static void destroy_quietly(struct hull_cgroup *cg)
{
        struct hull_err ignored;
        hull_cgroup_destroy(cg, &ignored);
}

int hull_cgroup_create(const char *id, const char *cgroups_path, bool rootless,
                       struct hull_cgroup **ret, struct hull_err *err)
{
        struct hull_cgroup_mounts m;
        int r = hull_cgroup_mounts_load(&m, err);
        if (r < 0)
                return hull_err_wrap(err, "detect cgroups");
        _cleanup_(hull_cgroup_freep) struct hull_cgroup *cg = cgroup_new(m.layout);
        if (!cg) {
                hull_cgroup_mounts_clear(&m);
                return hull_err_set(err, ENOMEM, "out of memory");
        }
        cg->fresh = true;
        if (m.n_v1) {
                cg->v1 = calloc(m.n_v1, sizeof(*cg->v1));
                if (!cg->v1) {
                        hull_cgroup_mounts_clear(&m);
                        return hull_err_set(err, ENOMEM, "out of memory");
                }
        }
        for (size_t i = 0; i < m.n_v1 && r >= 0; i++) {
                r = create_in(&m.v1[i], id, cgroups_path, &cg->v1[i], err);
                cg->n_v1 = i + 1;
        }
        if (r >= 0 && m.unified.mount)
                r = create_in(&m.unified, id, cgroups_path, &cg->unified, err);
        hull_cgroup_mounts_clear(&m);
        if (r >= 0 && cg->layout == HULL_CGROUP_LAYOUT_V2) {
                _cleanup_free_ char *dir = hull_cgroup_hier_dir(&cg->unified);
                if (!dir)
                        r = hull_err_set(err, ENOMEM, "out of memory");
                else if ((cg->unified_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                        r = hull_err_sys(err, errno, "open cgroup %s", dir);
        }
        if (r < 0) {
                int code = err ? err->code : -r;
                destroy_quietly(cg);
                if (rootless && (code == EACCES || code == EPERM || code == EROFS)) {
                        /* Rootless without a delegated cgroup: run without one, as runc
                         * does; apply fails if resources are asked for. */
                        hull_warn("cannot create a cgroup (rootless), continuing without: %s",
                                  err ? err->msg : "");
                        struct hull_cgroup *none = cgroup_new(cg->layout);
                        if (!none)
                                return hull_err_set(err, ENOMEM, "out of memory");
                        none->disabled = true;
                        hull_err_clear(err);
                        *ret = none;
                        return 0;
                }
                return r;
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

int hull_cgroup_clone_fd(struct hull_cgroup *cg)
{
        if (!cg || cg->disabled || cg->layout != HULL_CGROUP_LAYOUT_V2)
                return -1;
        return cg->unified_fd;
}

int hull_cgroup_enter(struct hull_cgroup *cg, pid_t pid, struct hull_err *err)
{
        if (cg->disabled)
                return 0;
        return cg->driver->enter(cg, pid, err);
}

int hull_cgroup_apply(struct hull_cgroup *cg, json_t *resources, const char *config_name,
                      struct hull_err *err)
{
        const char *cfg = config_name ? config_name : "config.json";
        if (resources && !json_is_object(resources))
                return hull_err_set(err, EINVAL, "%s: .linux.resources: expected an object", cfg);
        if (cg->disabled) {
                if (resources && json_object_size(resources) > 0 &&
                    !(json_object_size(resources) == 1 && json_object_get(resources, "devices")))
                        return hull_err_set(err, EPERM,
                                            "%s: .linux.resources: cannot set cgroup limits "
                                            "without a cgroup (rootless, no delegation)",
                                            cfg);
                return 0;
        }
        /* Parsed and checked whole before the driver writes anything. */
        _cleanup_(hull_cgroup_resources_clear) struct hull_cgroup_resources res = {0};
        int r = hull_cgroup_resources_parse(resources, cfg, &res, err);
        if (r >= 0)
                r = cg->driver->apply(cg, &res, cfg, err);
        cg->fresh = false;
        return r;
}

int hull_cgroup_kill(struct hull_cgroup *cg, int sig, struct hull_err *err)
{
        if (cg->disabled)
                return 0;
        return cg->driver->kill(cg, sig, err);
}

int hull_cgroup_pids(struct hull_cgroup *cg, pid_t **ret, size_t *ret_n, struct hull_err *err)
{
        if (cg->disabled) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        return cg->driver->pids(cg, ret, ret_n, err);
}

int hull_cgroup_freeze(struct hull_cgroup *cg, bool frozen, struct hull_err *err)
{
        if (cg->disabled)
                return hull_err_set(err, ENOTSUP, "the container has no cgroup to freeze");
        return cg->driver->freeze(cg, frozen, err);
}

int hull_cgroup_is_frozen(struct hull_cgroup *cg)
{
        if (cg->disabled)
                return 0;
        return cg->driver->is_frozen(cg);
}

int hull_cgroup_stats(struct hull_cgroup *cg, json_t **ret, struct hull_err *err)
{
        if (cg->disabled) {
                *ret = json_object();
                return *ret ? 0 : hull_err_set(err, ENOMEM, "out of memory");
        }
        return cg->driver->stats(cg, ret, err);
}

int hull_cgroup_destroy(struct hull_cgroup *cg, struct hull_err *err)
{
        int ret = 0;
        if (!cg || cg->disabled)
                return 0;
        if (cg->unified_fd >= 0) {
                close(cg->unified_fd);
                cg->unified_fd = -1;
        }
        /* Go on after a failure so that as much as possible is gone; report the first. */
        struct hull_err first = {0};
        for (size_t i = 0; i < cg->n_v1; i++) {
                if (!cg->v1[i].path)
                        continue;
                int r = hull_cg_rmdir(cg->v1[i].mount, cg->v1[i].path, cg->v1[i].parents,
                                      ret < 0 ? NULL : &first);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        if (cg->unified.mount && cg->unified.path) {
                int r = hull_cg_rmdir(cg->unified.mount, cg->unified.path, cg->unified.parents,
                                      ret < 0 ? NULL : &first);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        if (ret < 0 && err)
                *err = first;
        return ret;
}

/* ---- state file ---- */

static json_t *hier_to_json(const struct hull_cgroup_hier *h)
{
        return json_pack("{s:s, s:s, s:s, s:i}", "controllers",
                         h->controllers ? h->controllers : "", "mount", h->mount, "path", h->path,
                         "parents", h->parents);
}

json_t *hull_cgroup_to_json(const struct hull_cgroup *cg)
{
        json_t *o =
            json_pack("{s:s, s:b}", "layout", layout_names[cg->layout], "disabled", cg->disabled);
        if (!o)
                return NULL;
        if (cg->disabled)
                return o;
        if (cg->unified.mount && cg->unified.path &&
            json_object_set_new(o, "unified", hier_to_json(&cg->unified)) < 0)
                goto fail;
        if (cg->n_v1) {
                json_t *a = json_array();
                if (json_object_set_new(o, "v1", a) < 0)
                        goto fail;
                for (size_t i = 0; i < cg->n_v1; i++)
                        if (cg->v1[i].path &&
                            json_array_append_new(a, hier_to_json(&cg->v1[i])) < 0)
                                goto fail;
        }
        return o;
fail:
        json_decref(o);
        return NULL;
}

static int hier_from_json(json_t *j, struct hull_cgroup_hier *h, struct hull_err *err)
{
        const char *ctl = NULL, *mount = NULL, *path = NULL;
        int parents = 0;
        json_error_t jerr;
        if (json_unpack_ex(j, &jerr, 0, "{s?s, s:s, s:s, s?i}", "controllers", &ctl, "mount",
                           &mount, "path", &path, "parents", &parents) < 0)
                return hull_err_set(err, EINVAL, "saved cgroup: %s", jerr.text);
        if (path[0] != '/' || strstr(path, "/../") ||
            (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
                return hull_err_set(err, EINVAL, "saved cgroup: bad path %s", path);
        h->controllers = strdup(ctl ? ctl : "");
        h->mount = strdup(mount);
        h->path = strdup(path);
        h->parents = parents < 0 ? 0 : parents;
        if (!h->controllers || !h->mount || !h->path)
                return hull_err_set(err, ENOMEM, "out of memory");
        return 0;
}

int hull_cgroup_from_json(json_t *saved, struct hull_cgroup **ret, struct hull_err *err)
{
        const char *layout = NULL;
        int disabled = 0;
        json_t *unified = NULL, *v1 = NULL;
        json_error_t jerr;
        if (!saved || json_unpack_ex(saved, &jerr, 0, "{s:s, s?b, s?o, s?o}", "layout", &layout,
                                     "disabled", &disabled, "unified", &unified, "v1", &v1) < 0)
                return hull_err_set(err, EINVAL, "saved cgroup: %s", saved ? jerr.text : "missing");
        int l = -1;
        for (size_t i = 0; i < HULL_ARRAY_SIZE(layout_names); i++)
                if (strcmp(layout, layout_names[i]) == 0)
                        l = (int)i;
        if (l < 0)
                return hull_err_set(err, EINVAL, "saved cgroup: unknown layout %s", layout);
        _cleanup_(hull_cgroup_freep) struct hull_cgroup *cg = cgroup_new(l);
        if (!cg)
                return hull_err_set(err, ENOMEM, "out of memory");
        cg->disabled = disabled;
        if (unified) {
                int r = hier_from_json(unified, &cg->unified, err);
                if (r < 0)
                        return r;
        }
        if (v1) {
                if (!json_is_array(v1))
                        return hull_err_set(err, EINVAL, "saved cgroup: v1: expected an array");
                size_t n = json_array_size(v1);
                cg->v1 = calloc(n ? n : 1, sizeof(*cg->v1));
                if (!cg->v1)
                        return hull_err_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < n; i++) {
                        cg->n_v1 = i + 1;
                        int r = hier_from_json(json_array_get(v1, i), &cg->v1[i], err);
                        if (r < 0)
                                return r;
                }
        }
        if (!cg->disabled && !cg->unified.mount && !cg->n_v1)
                return hull_err_set(err, EINVAL, "saved cgroup: no hierarchy");
        *ret = TAKE_PTR(cg);
        return 0;
}

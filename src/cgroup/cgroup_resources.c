/* Parsing linux.resources once into struct hull_cgroup_resources: every type and form check,
 * with errors that name the config file and the JSON path. The drivers only translate. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

#define RES ".linux.resources"

const char *const hull_cgroup_throttle_key[HULL_CGROUP_THROTTLE_COUNT] = {
    [HULL_CGROUP_THROTTLE_READ_BPS] = "throttleReadBpsDevice",
    [HULL_CGROUP_THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
    [HULL_CGROUP_THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
    [HULL_CGROUP_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

/* ---- typed getters: absent and null are "unset", anything else must have the type ---- */

static int type_error(const char *cfg, const char *jpath, const char *key, const char *what,
                      struct hull_err *err)
{
        return hull_err_set(err, EINVAL, "%s: " RES "%s.%s: expected %s", cfg, jpath, key, what);
}

static json_t *get(json_t *obj, const char *key)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        return v && !json_is_null(v) ? v : NULL;
}

static int get_int(json_t *obj, const char *key, const char *jpath, const char *cfg, bool *has,
                   int64_t *ret, struct hull_err *err)
{
        json_t *v = get(obj, key);
        *has = false;
        if (!v)
                return 0;
        if (!json_is_integer(v))
                return type_error(cfg, jpath, key, "an integer", err);
        *ret = (int64_t)json_integer_value(v);
        *has = true;
        return 0;
}

static int get_uint(json_t *obj, const char *key, const char *jpath, const char *cfg, bool *has,
                    uint64_t *ret, struct hull_err *err)
{
        json_t *v = get(obj, key);
        *has = false;
        if (!v)
                return 0;
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return type_error(cfg, jpath, key, "a non-negative integer", err);
        *ret = (uint64_t)json_integer_value(v);
        *has = true;
        return 0;
}

static int get_bool(json_t *obj, const char *key, const char *jpath, const char *cfg, bool *has,
                    bool *ret, struct hull_err *err)
{
        json_t *v = get(obj, key);
        *has = false;
        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return type_error(cfg, jpath, key, "a boolean", err);
        *ret = json_is_true(v);
        *has = true;
        return 0;
}

/* The string itself, borrowed from OBJ (NULL when unset). */
static int get_str(json_t *obj, const char *key, const char *jpath, const char *cfg,
                   const char **ret, struct hull_err *err)
{
        json_t *v = get(obj, key);
        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_string(v))
                return type_error(cfg, jpath, key, "a string", err);
        *ret = json_string_value(v);
        return 0;
}

/* A malloc'd copy (NULL when unset). */
static int get_strdup(json_t *obj, const char *key, const char *jpath, const char *cfg, char **ret,
                      struct hull_err *err)
{
        const char *s;
        int r = get_str(obj, key, jpath, cfg, &s, err);
        if (r < 0)
                return r;
        *ret = s ? strdup(s) : NULL;
        return s && !*ret ? hull_err_set(err, ENOMEM, "out of memory") : 0;
}

static int get_obj(json_t *obj, const char *key, const char *jpath, const char *cfg, json_t **ret,
                   struct hull_err *err)
{
        json_t *v = get(obj, key);
        *ret = v;
        if (v && !json_is_object(v))
                return type_error(cfg, jpath, key, "an object", err);
        return 0;
}

static int get_array(json_t *obj, const char *key, const char *jpath, const char *cfg, json_t **ret,
                     struct hull_err *err)
{
        json_t *v = get(obj, key);
        *ret = v;
        if (v && !json_is_array(v))
                return type_error(cfg, jpath, key, "an array", err);
        return 0;
}

/* calloc for N list entries (at least one, so that a NULL return always means ENOMEM). */
static int alloc_list(size_t n, size_t size, void *ret, struct hull_err *err)
{
        void *p = calloc(n ? n : 1, size);
        if (!p)
                return hull_err_set(err, ENOMEM, "out of memory");
        *(void **)ret = p;
        return 0;
}

static int want_object(json_t *e, const char *jp, const char *cfg, struct hull_err *err)
{
        return json_is_object(e)
                   ? 0
                   : hull_err_set(err, EINVAL, "%s: " RES "%s: expected an object", cfg, jp);
}

/* ---- sections ---- */

static int parse_memory(json_t *mem, const char *cfg, struct hull_cgroup_memory_res *m,
                        struct hull_err *err)
{
        const char *jp = ".memory";
        int r;
        m->requested = json_object_size(mem) > 0;
        if ((r = get_int(mem, "limit", jp, cfg, &m->has_limit, &m->limit, err)) < 0 ||
            (r = get_int(mem, "swap", jp, cfg, &m->has_swap, &m->swap, err)) < 0 ||
            (r = get_int(mem, "reservation", jp, cfg, &m->has_reservation, &m->reservation, err)) <
                0 ||
            (r = get_int(mem, "kernel", jp, cfg, &m->has_kernel, &m->kernel, err)) < 0 ||
            (r = get_int(mem, "kernelTCP", jp, cfg, &m->has_kernel_tcp, &m->kernel_tcp, err)) < 0 ||
            (r = get_uint(mem, "swappiness", jp, cfg, &m->has_swappiness, &m->swappiness, err)) <
                0 ||
            (r = get_bool(mem, "disableOOMKiller", jp, cfg, &m->has_disable_oom_killer,
                          &m->disable_oom_killer, err)) < 0 ||
            (r = get_bool(mem, "useHierarchy", jp, cfg, &m->has_use_hierarchy, &m->use_hierarchy,
                          err)) < 0 ||
            (r = get_bool(mem, "checkBeforeUpdate", jp, cfg, &m->has_check_before_update,
                          &m->check_before_update, err)) < 0)
                return r;
        return 0;
}

static int parse_cpu(json_t *cpu, const char *cfg, struct hull_cgroup_cpu_res *c,
                     struct hull_err *err)
{
        const char *jp = ".cpu";
        int r;
        if ((r = get_uint(cpu, "shares", jp, cfg, &c->has_shares, &c->shares, err)) < 0 ||
            (r = get_int(cpu, "quota", jp, cfg, &c->has_quota, &c->quota, err)) < 0 ||
            (r = get_uint(cpu, "period", jp, cfg, &c->has_period, &c->period, err)) < 0 ||
            (r = get_uint(cpu, "burst", jp, cfg, &c->has_burst, &c->burst, err)) < 0 ||
            (r = get_int(cpu, "realtimeRuntime", jp, cfg, &c->has_realtime_runtime,
                         &c->realtime_runtime, err)) < 0 ||
            (r = get_uint(cpu, "realtimePeriod", jp, cfg, &c->has_realtime_period,
                          &c->realtime_period, err)) < 0 ||
            (r = get_int(cpu, "idle", jp, cfg, &c->has_idle, &c->idle, err)) < 0 ||
            (r = get_strdup(cpu, "cpus", jp, cfg, &c->cpus, err)) < 0 ||
            (r = get_strdup(cpu, "mems", jp, cfg, &c->mems, err)) < 0)
                return r;
        return 0;
}

static int parse_pids(json_t *pids, const char *cfg, struct hull_cgroup_pids_res *p,
                      struct hull_err *err)
{
        p->requested = json_object_size(pids) > 0;
        return get_int(pids, "limit", ".pids", cfg, &p->has_limit, &p->limit, err);
}

/* The {major, minor} of a blockIO device entry at JP. */
static int blk_dev(json_t *e, const char *jp, const char *cfg, int64_t *major, int64_t *minor,
                   struct hull_err *err)
{
        bool has_major, has_minor;
        int r;
        if ((r = want_object(e, jp, cfg, err)) < 0 ||
            (r = get_int(e, "major", jp, cfg, &has_major, major, err)) < 0 ||
            (r = get_int(e, "minor", jp, cfg, &has_minor, minor, err)) < 0)
                return r;
        if (!has_major || !has_minor || *major < 0 || *minor < 0)
                return hull_err_set(err, EINVAL, "%s: " RES "%s: major and minor are required", cfg,
                                    jp);
        return 0;
}

static int parse_weight_devices(json_t *list, const char *cfg, struct hull_cgroup_blkio_res *b,
                                struct hull_err *err)
{
        int r;
        if (!list)
                return 0;
        if ((r = alloc_list(json_array_size(list), sizeof(*b->weight_device), &b->weight_device,
                            err)) < 0)
                return r;
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
                struct hull_cgroup_weight_device *d = &b->weight_device[i];
                char jp[64];
                snprintf(jp, sizeof(jp), ".blockIO.weightDevice[%zu]", i);
                if ((r = blk_dev(e, jp, cfg, &d->major, &d->minor, err)) < 0 ||
                    (r = get_uint(e, "weight", jp, cfg, &d->has_weight, &d->weight, err)) < 0 ||
                    (r = get_uint(e, "leafWeight", jp, cfg, &d->has_leaf_weight, &d->leaf_weight,
                                  err)) < 0)
                        return r;
                b->n_weight_device = i + 1;
        }
        return 0;
}

static int parse_throttle(json_t *blkio, enum hull_cgroup_throttle t, const char *cfg,
                          struct hull_cgroup_blkio_res *b, struct hull_err *err)
{
        const char *key = hull_cgroup_throttle_key[t];
        json_t *list;
        int r;
        if ((r = get_array(blkio, key, ".blockIO", cfg, &list, err)) < 0 || !list)
                return r;
        if ((r = alloc_list(json_array_size(list), sizeof(*b->throttle[t].dev), &b->throttle[t].dev,
                            err)) < 0)
                return r;
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
                struct hull_cgroup_throttle_device *d = &b->throttle[t].dev[i];
                char jp[96];
                snprintf(jp, sizeof(jp), ".blockIO.%s[%zu]", key, i);
                if ((r = blk_dev(e, jp, cfg, &d->major, &d->minor, err)) < 0 ||
                    (r = get_uint(e, "rate", jp, cfg, &d->has_rate, &d->rate, err)) < 0)
                        return r;
                b->throttle[t].n = i + 1;
        }
        return 0;
}

static int parse_blkio(json_t *blkio, const char *cfg, struct hull_cgroup_blkio_res *b,
                       struct hull_err *err)
{
        json_t *wdev;
        int r;
        b->requested = json_object_size(blkio) > 0;
        if ((r = get_uint(blkio, "weight", ".blockIO", cfg, &b->has_weight, &b->weight, err)) < 0 ||
            (r = get_uint(blkio, "leafWeight", ".blockIO", cfg, &b->has_leaf_weight,
                          &b->leaf_weight, err)) < 0 ||
            (r = get_array(blkio, "weightDevice", ".blockIO", cfg, &wdev, err)) < 0 ||
            (r = parse_weight_devices(wdev, cfg, b, err)) < 0)
                return r;
        for (int t = 0; t < HULL_CGROUP_THROTTLE_COUNT; t++)
                if ((r = parse_throttle(blkio, t, cfg, b, err)) < 0)
                        return r;
        return 0;
}

static int parse_hugepages(json_t *list, const char *cfg, struct hull_cgroup_resources *res,
                           struct hull_err *err)
{
        int r;
        if (!list)
                return 0;
        if ((r = alloc_list(json_array_size(list), sizeof(*res->hugepages), &res->hugepages, err)) <
            0)
                return r;
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
                struct hull_cgroup_hugepage_limit *h = &res->hugepages[i];
                char jp[64], name[32];
                const char *size;
                snprintf(jp, sizeof(jp), ".hugepageLimits[%zu]", i);
                if ((r = want_object(e, jp, cfg, err)) < 0 ||
                    (r = get_str(e, "pageSize", jp, cfg, &size, err)) < 0 ||
                    (r = get_uint(e, "limit", jp, cfg, &h->has_limit, &h->limit, err)) < 0)
                        return r;
                /* The size becomes part of a file name: only the kernel's own spellings. */
                if (!size || hull_cgroup_hugepage_name(size, name, sizeof(name)) < 0)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES "%s.pageSize: expected a size like "
                                            "\"2MB\" or \"1GB\", got \"%s\"",
                                            cfg, jp, size ? size : "");
                if (!(h->page_size = strdup(name)))
                        return hull_err_set(err, ENOMEM, "out of memory");
                res->n_hugepages = i + 1;
        }
        return 0;
}

static int parse_rdma(json_t *rdma, const char *cfg, struct hull_cgroup_resources *res,
                      struct hull_err *err)
{
        int r;
        if (!rdma)
                return 0;
        if ((r = alloc_list(json_object_size(rdma), sizeof(*res->rdma), &res->rdma, err)) < 0)
                return r;
        const char *dev;
        json_t *v;
        json_object_foreach(rdma, dev, v)
        {
                struct hull_cgroup_rdma_limit *l = &res->rdma[res->n_rdma];
                char jp[128];
                snprintf(jp, sizeof(jp), ".rdma.%s", dev);
                /* The device name is written into rdma.max ahead of its "key=value" pairs. */
                if (!*dev || strpbrk(dev, " \n/=") || !json_is_object(v))
                        return hull_err_set(err, EINVAL, "%s: " RES "%s: invalid entry", cfg, jp);
                if ((r = get_uint(v, "hcaHandles", jp, cfg, &l->has_hca_handles, &l->hca_handles,
                                  err)) < 0 ||
                    (r = get_uint(v, "hcaObjects", jp, cfg, &l->has_hca_objects, &l->hca_objects,
                                  err)) < 0)
                        return r;
                if (!(l->device = strdup(dev)))
                        return hull_err_set(err, ENOMEM, "out of memory");
                res->n_rdma++;
        }
        return 0;
}

static int parse_network(json_t *net, const char *cfg, struct hull_cgroup_network_res *n,
                         struct hull_err *err)
{
        json_t *prios;
        int r;
        n->requested = json_object_size(net) > 0;
        if ((r = get_uint(net, "classID", ".network", cfg, &n->has_class_id, &n->class_id, err)) <
                0 ||
            (r = get_array(net, "priorities", ".network", cfg, &prios, err)) < 0)
                return r;
        if (!prios)
                return 0;
        if ((r = alloc_list(json_array_size(prios), sizeof(*n->priorities), &n->priorities, err)) <
            0)
                return r;
        size_t i;
        json_t *e;
        json_array_foreach(prios, i, e)
        {
                struct hull_cgroup_net_priority *p = &n->priorities[i];
                const char *name = NULL;
                char jp[64];
                snprintf(jp, sizeof(jp), ".network.priorities[%zu]", i);
                if ((r = want_object(e, jp, cfg, err)) < 0 ||
                    (r = get_str(e, "name", jp, cfg, &name, err)) < 0 ||
                    (r = get_uint(e, "priority", jp, cfg, &p->has_priority, &p->priority, err)) < 0)
                        return r;
                /* Written as "<name> <prio>" to net_prio.ifpriomap. */
                if (!name || !*name || strpbrk(name, " \n/"))
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES "%s.name: invalid interface name", cfg, jp);
                if (!(p->name = strdup(name)))
                        return hull_err_set(err, ENOMEM, "out of memory");
                n->n_priorities = i + 1;
        }
        return 0;
}

int hull_cgroup_unified_key_ok(const char *key, const char *cfg, struct hull_err *err)
{
        /* The key names a file in the container's cgroup directory, nothing else: no path
         * separators, no "..", and not the files that move processes or change the tree. */
        static const char *const forbidden[] = {"cgroup.procs", "cgroup.threads",
                                                "cgroup.subtree_control", "cgroup.kill",
                                                "cgroup.type"};
        const char *dot = strchr(key, '.');
        if (!*key || strchr(key, '/') || strstr(key, "..") || !dot || dot == key || !dot[1] ||
            strchr(key, '\n'))
                return hull_err_set(err, EINVAL,
                                    "%s: " RES ".unified: invalid key \"%s\" (expected "
                                    "\"controller.file\", no \"/\" or \"..\")",
                                    cfg, key);
        for (size_t i = 0; i < HULL_ARRAY_SIZE(forbidden); i++)
                if (strcmp(key, forbidden[i]) == 0)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".unified.%s: this file cannot "
                                            "be set through unified",
                                            cfg, key);
        return 0;
}

static int parse_unified(json_t *unified, const char *cfg, struct hull_cgroup_resources *res,
                         struct hull_err *err)
{
        const char *key;
        json_t *v;
        int r;
        if (!unified)
                return 0;
        /* Every key is checked before any value: a bad key is the error that matters. */
        json_object_foreach(unified, key, v)
        {
                if ((r = hull_cgroup_unified_key_ok(key, cfg, err)) < 0)
                        return r;
        }
        if ((r = alloc_list(json_object_size(unified), sizeof(*res->unified), &res->unified, err)) <
            0)
                return r;
        json_object_foreach(unified, key, v)
        {
                struct hull_cgroup_unified_entry *u = &res->unified[res->n_unified];
                if (!json_is_string(v))
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".unified.%s: expected a string", cfg, key);
                u->key = strdup(key);
                u->value = strdup(json_string_value(v));
                res->n_unified++;
                if (!u->key || !u->value)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

static int parse_dev_rule(json_t *e, size_t i, const char *cfg, struct hull_cgroup_dev_rule *out,
                          struct hull_err *err)
{
        char jp[48];
        snprintf(jp, sizeof(jp), ".devices[%zu]", i);
        bool has_allow, has_major, has_minor, allow = false;
        int64_t major = -1, minor = -1;
        const char *type = NULL, *access = NULL;
        int r;
        if ((r = want_object(e, jp, cfg, err)) < 0 ||
            (r = get_bool(e, "allow", jp, cfg, &has_allow, &allow, err)) < 0 ||
            (r = get_str(e, "type", jp, cfg, &type, err)) < 0 ||
            (r = get_int(e, "major", jp, cfg, &has_major, &major, err)) < 0 ||
            (r = get_int(e, "minor", jp, cfg, &has_minor, &minor, err)) < 0 ||
            (r = get_str(e, "access", jp, cfg, &access, err)) < 0)
                return r;
        if (!has_allow)
                return hull_err_set(err, EINVAL, "%s: " RES "%s.allow: required", cfg, jp);
        if (type && strcmp(type, "a") != 0 && strcmp(type, "c") != 0 && strcmp(type, "b") != 0)
                return hull_err_set(err, EINVAL,
                                    "%s: " RES "%s.type: expected \"a\", \"c\" or "
                                    "\"b\", got \"%s\"",
                                    cfg, jp, type);
        if ((has_major && major < -1) || (has_minor && minor < -1) || major > UINT32_MAX ||
            minor > UINT32_MAX)
                return hull_err_set(err, EINVAL, "%s: " RES "%s: invalid major/minor", cfg, jp);
        unsigned acc = 0;
        for (const char *p = access && *access ? access : "rwm"; *p; p++) {
                if (*p == 'r')
                        acc |= HULL_DEV_ACC_READ;
                else if (*p == 'w')
                        acc |= HULL_DEV_ACC_WRITE;
                else if (*p == 'm')
                        acc |= HULL_DEV_ACC_MKNOD;
                else
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES "%s.access: expected letters of "
                                            "\"rwm\", got \"%s\"",
                                            cfg, jp, access);
        }
        *out = (struct hull_cgroup_dev_rule){
            .allow = allow,
            .type = type ? type[0] : 'a',
            .major = major,
            .minor = minor,
            .access = acc,
        };
        return 0;
}

static int parse_devices(json_t *devices, const char *cfg, struct hull_cgroup_resources *res,
                         struct hull_err *err)
{
        int r;
        if (!devices)
                return 0;
        res->has_devices = true;
        if ((r = alloc_list(json_array_size(devices), sizeof(*res->devices), &res->devices, err)) <
            0)
                return r;
        size_t i;
        json_t *e;
        json_array_foreach(devices, i, e)
        {
                if ((r = parse_dev_rule(e, i, cfg, &res->devices[i], err)) < 0)
                        return r;
                res->n_devices = i + 1;
        }
        return 0;
}

/* ---- the whole object ---- */

static int parse_all(json_t *res, const char *cfg, struct hull_cgroup_resources *out,
                     struct hull_err *err)
{
        json_t *mem, *cpu, *pids, *blkio, *huge, *rdma, *net, *unified, *devices;
        int r;
        /* The sections' types first, then their contents. */
        if ((r = get_obj(res, "memory", "", cfg, &mem, err)) < 0 ||
            (r = get_obj(res, "cpu", "", cfg, &cpu, err)) < 0 ||
            (r = get_obj(res, "pids", "", cfg, &pids, err)) < 0 ||
            (r = get_obj(res, "blockIO", "", cfg, &blkio, err)) < 0 ||
            (r = get_array(res, "hugepageLimits", "", cfg, &huge, err)) < 0 ||
            (r = get_obj(res, "rdma", "", cfg, &rdma, err)) < 0 ||
            (r = get_obj(res, "network", "", cfg, &net, err)) < 0 ||
            (r = get_obj(res, "unified", "", cfg, &unified, err)) < 0 ||
            (r = get_array(res, "devices", "", cfg, &devices, err)) < 0)
                return r;
        if ((r = parse_memory(mem, cfg, &out->memory, err)) < 0 ||
            (r = parse_cpu(cpu, cfg, &out->cpu, err)) < 0 ||
            (r = parse_pids(pids, cfg, &out->pids, err)) < 0 ||
            (r = parse_blkio(blkio, cfg, &out->blkio, err)) < 0 ||
            (r = parse_hugepages(huge, cfg, out, err)) < 0 ||
            (r = parse_rdma(rdma, cfg, out, err)) < 0 ||
            (r = parse_network(net, cfg, &out->network, err)) < 0 ||
            (r = parse_unified(unified, cfg, out, err)) < 0 ||
            (r = parse_devices(devices, cfg, out, err)) < 0)
                return r;
        return 0;
}

int hull_cgroup_resources_parse(json_t *res, const char *cfg, struct hull_cgroup_resources *ret,
                                struct hull_err *err)
{
        struct hull_cgroup_resources out = {0};
        if (res && !json_is_object(res))
                return hull_err_set(err, EINVAL, "%s: " RES ": expected an object", cfg);
        int r = parse_all(res, cfg, &out, err);
        if (r < 0) {
                hull_cgroup_resources_clear(&out);
                return r;
        }
        *ret = out;
        return 0;
}

void hull_cgroup_resources_clear(struct hull_cgroup_resources *res)
{
        if (!res)
                return;
        free(res->cpu.cpus);
        free(res->cpu.mems);
        free(res->blkio.weight_device);
        for (int t = 0; t < HULL_CGROUP_THROTTLE_COUNT; t++)
                free(res->blkio.throttle[t].dev);
        for (size_t i = 0; i < res->n_hugepages; i++)
                free(res->hugepages[i].page_size);
        free(res->hugepages);
        for (size_t i = 0; i < res->n_rdma; i++)
                free(res->rdma[i].device);
        free(res->rdma);
        for (size_t i = 0; i < res->network.n_priorities; i++)
                free(res->network.priorities[i].name);
        free(res->network.priorities);
        for (size_t i = 0; i < res->n_unified; i++) {
                free(res->unified[i].key);
                free(res->unified[i].value);
        }
        free(res->unified);
        free(res->devices);
        *res = (struct hull_cgroup_resources){0};
}

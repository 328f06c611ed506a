/* linux.resources on cgroup v1 (and the hybrid layout): each OCI field to the file of the
 * hierarchy holding its controller; on hybrid, what v1 lacks goes to the unified hierarchy. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"

#define RES ".linux.resources"

static int need_dir(struct hull_cgroup *cg, const char *controller, const char *field,
                    const char *cfg, char **ret, struct hull_err *err)
{
        struct hull_cgroup_hier *h = hull_cgroup_v1_find(cg, controller);
        if (!h)
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".%s: the %s cgroup controller is not mounted", cfg,
                                    field, controller);
        *ret = hull_cgroup_hier_dir(h);
        return *ret ? 0 : hull_err_set(err, ENOMEM, "out of memory");
}

static const char *v1_limit(int64_t v, char buf[32])
{
        snprintf(buf, 32, "%" PRId64, v < 0 ? (int64_t)-1 : v);
        return buf;
}

/* memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every moment: which one goes first
 * depends on whether the limits grow or shrink. */
static int v1_memory_limits(const char *dir, bool has_limit, int64_t limit, bool has_swap,
                            int64_t swap, const char *cfg, struct hull_err *err)
{
        char lb[32], sb[32];
        bool memsw = hull_cg_exists(dir, "memory.memsw.limit_in_bytes");
        if (has_swap && swap == 0)
                has_swap = false; /* unset */
        if (has_swap && !memsw) {
                if (swap == -1 || (has_limit && swap == limit))
                        has_swap = false;
                else
                        return hull_err_set(err, ENOTSUP,
                                            "%s: " RES ".memory.swap: the kernel has no swap "
                                            "accounting (memory.memsw.limit_in_bytes)",
                                            cfg);
        }
        if (has_swap && has_limit && swap >= 0 && limit >= 0 && swap < limit)
                return hull_err_set(err, EINVAL,
                                    "%s: " RES ".memory.swap: %" PRId64
                                    " is memory+swap and must be >= the memory limit %" PRId64,
                                    cfg, swap, limit);
        int r = 0;
        if (has_limit) {
                r = hull_cg_write(dir, "memory.limit_in_bytes", v1_limit(limit, lb), err);
                if (r < 0 && has_swap) {
                        /* Growing past the present memsw: raise memsw first. */
                        if ((r = hull_cg_write(dir, "memory.memsw.limit_in_bytes",
                                               v1_limit(swap, sb), err)) < 0)
                                return hull_err_wrap(err, "%s: " RES ".memory.swap", cfg);
                        has_swap = false;
                        r = hull_cg_write(dir, "memory.limit_in_bytes", lb, err);
                }
                if (r < 0)
                        return hull_err_wrap(err, "%s: " RES ".memory.limit", cfg);
        }
        if (has_swap &&
            (r = hull_cg_write(dir, "memory.memsw.limit_in_bytes", v1_limit(swap, sb), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.swap", cfg);
        return 0;
}

static int v1_memory(struct hull_cgroup *cg, const struct hull_cgroup_memory_res *m,
                     const char *cfg, struct hull_err *err)
{
        int r;
        if (!m->requested)
                return 0;
        _cleanup_free_ char *dir = NULL;
        if ((r = need_dir(cg, "memory", "memory", cfg, &dir, err)) < 0)
                return r;
        if ((r = hull_cgroup_check_memory_usage(dir, "memory.usage_in_bytes", m, cfg, err)) < 0)
                return r;
        if ((r = v1_memory_limits(dir, m->has_limit, m->limit, m->has_swap, m->swap, cfg, err)) < 0)
                return r;
        char buf[32];
        if (m->has_reservation && (r = hull_cg_write(dir, "memory.soft_limit_in_bytes",
                                                     v1_limit(m->reservation, buf), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.reservation", cfg);
        /* Kernel memory limits are gone from Linux 6.x and deprecated before: best effort. */
        if (m->has_kernel &&
            hull_cg_write(dir, "memory.kmem.limit_in_bytes", v1_limit(m->kernel, buf), NULL) < 0)
                hull_warn("%s: " RES ".memory.kernel is not supported by this kernel, ignored",
                          cfg);
        if (m->has_kernel_tcp && (r = hull_cg_write(dir, "memory.kmem.tcp.limit_in_bytes",
                                                    v1_limit(m->kernel_tcp, buf), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.kernelTCP", cfg);
        if (m->has_swappiness) {
                if (m->swappiness > 100)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".memory.swappiness: %" PRIu64
                                            " is out of range [0, 100]",
                                            cfg, m->swappiness);
                if ((r = hull_cg_writef(dir, "memory.swappiness", err, "%" PRIu64, m->swappiness)) <
                    0)
                        return hull_err_wrap(err, "%s: " RES ".memory.swappiness", cfg);
        }
        if (m->has_disable_oom_killer && m->disable_oom_killer &&
            (r = hull_cg_write(dir, "memory.oom_control", "1", err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.disableOOMKiller", cfg);
        if (m->has_use_hierarchy && m->use_hierarchy &&
            hull_cg_write(dir, "memory.use_hierarchy", "1", NULL) < 0)
                hull_warn("%s: " RES ".memory.useHierarchy: could not be set", cfg);
        return 0;
}

/* A real-time budget needs one in every ancestor; hull gives its own parents the same. */
static int v1_rt_parents(struct hull_cgroup *cg, int64_t runtime, struct hull_err *err)
{
        struct hull_cgroup_hier *h = hull_cgroup_v1_find(cg, "cpu");
        size_t base = strlen(h->mount);
        for (int i = h->parents; i >= 1; i--) {
                _cleanup_free_ char *dir = hull_cgroup_hier_dir(h);
                if (!dir)
                        return hull_err_set(err, ENOMEM, "out of memory");
                for (int k = 0; k < i; k++) {
                        char *slash = strrchr(dir + base, '/');
                        if (!slash)
                                break;
                        *slash = '\0';
                }
                if (strlen(dir) <= base)
                        continue;
                int r = hull_cg_writef(dir, "cpu.rt_runtime_us", err, "%" PRId64, runtime);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v1_cpu(struct hull_cgroup *cg, const struct hull_cgroup_cpu_res *c, const char *cfg,
                  struct hull_err *err)
{
        int r;
        bool any_cpu = (c->has_shares && c->shares) || (c->has_quota && c->quota) ||
                       (c->has_period && c->period) || c->has_burst ||
                       (c->has_realtime_runtime && c->realtime_runtime) ||
                       (c->has_realtime_period && c->realtime_period) || c->has_idle;
        if (any_cpu) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "cpu", "cpu", cfg, &dir, err)) < 0)
                        return r;
                if (c->has_shares && c->shares &&
                    (r = hull_cg_writef(dir, "cpu.shares", err, "%" PRIu64, c->shares)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.shares", cfg);
                if (c->has_period && c->period &&
                    (r = hull_cg_writef(dir, "cpu.cfs_period_us", err, "%" PRIu64, c->period)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.period", cfg);
                if (c->has_quota && c->quota &&
                    (r = hull_cg_writef(dir, "cpu.cfs_quota_us", err, "%" PRId64,
                                        c->quota < 0 ? (int64_t)-1 : c->quota)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.quota", cfg);
                if (c->has_burst &&
                    (r = hull_cg_writef(dir, "cpu.cfs_burst_us", err, "%" PRIu64, c->burst)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.burst", cfg);
                if (c->has_realtime_period && c->realtime_period &&
                    (r = hull_cg_writef(dir, "cpu.rt_period_us", err, "%" PRIu64,
                                        c->realtime_period)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.realtimePeriod", cfg);
                if (c->has_realtime_runtime && c->realtime_runtime) {
                        if ((r = v1_rt_parents(cg, c->realtime_runtime, err)) < 0 ||
                            (r = hull_cg_writef(dir, "cpu.rt_runtime_us", err, "%" PRId64,
                                                c->realtime_runtime)) < 0)
                                return hull_err_wrap(err, "%s: " RES ".cpu.realtimeRuntime", cfg);
                }
                if (c->has_idle &&
                    (r = hull_cg_writef(dir, "cpu.idle", err, "%" PRId64, c->idle)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.idle", cfg);
        }
        bool cpus = c->cpus && *c->cpus, mems = c->mems && *c->mems;
        if (cpus || mems) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "cpuset", "cpu.cpus", cfg, &dir, err)) < 0)
                        return r;
                if (cpus && (r = hull_cg_write(dir, "cpuset.cpus", c->cpus, err)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.cpus", cfg);
                if (mems && (r = hull_cg_write(dir, "cpuset.mems", c->mems, err)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.mems", cfg);
        }
        return 0;
}

static int v1_pids_limit(struct hull_cgroup *cg, const struct hull_cgroup_pids_res *p,
                         const char *cfg, struct hull_err *err)
{
        if (!p->has_limit)
                return 0;
        _cleanup_free_ char *dir = NULL;
        int r = need_dir(cg, "pids", "pids", cfg, &dir, err);
        if (r < 0)
                return r;
        char buf[32];
        r = hull_cg_write(dir, "pids.max",
                          hull_cgroup_fmt_limit(p->limit <= 0 ? -1 : p->limit, buf), err);
        return r < 0 ? hull_err_wrap(err, "%s: " RES ".pids.limit", cfg) : 0;
}

/* blkio.weight on CFQ kernels, blkio.bfq.weight on BFQ ones. */
static const char *weight_file(const char *dir, bool leaf, bool device)
{
        static const char *const names[2][2][2] = {
            {{"blkio.weight", "blkio.weight_device"},
             {"blkio.bfq.weight", "blkio.bfq.weight_device"}},
            {{"blkio.leaf_weight", "blkio.leaf_weight_device"}, {NULL, NULL}},
        };
        for (int bfq = 0; bfq < 2; bfq++) {
                const char *f = names[leaf][bfq][device];
                if (f && (hull_cg_exists(dir, f) || (hull_cgroup_testing() && !bfq)))
                        return f;
        }
        return NULL;
}

static int v1_blkio_weight(const char *dir, bool leaf, const char *dev, uint64_t w, const char *cfg,
                           const char *jp, struct hull_err *err)
{
        const char *f = weight_file(dir, leaf, dev != NULL);
        if (!f)
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES "%s: the kernel's I/O scheduler has no %s", cfg, jp,
                                    leaf ? "leaf weights" : "weights");
        int r = hull_cg_writef(dir, f, err, "%s%s%" PRIu64, dev ? dev : "", dev ? " " : "", w);
        return r < 0 ? hull_err_wrap(err, "%s: " RES "%s", cfg, jp) : 0;
}

static int v1_blkio(struct hull_cgroup *cg, const struct hull_cgroup_blkio_res *b, const char *cfg,
                    struct hull_err *err)
{
        static const char *const throttle_file[HULL_CGROUP_THROTTLE_COUNT] = {
            [HULL_CGROUP_THROTTLE_READ_BPS] = "blkio.throttle.read_bps_device",
            [HULL_CGROUP_THROTTLE_WRITE_BPS] = "blkio.throttle.write_bps_device",
            [HULL_CGROUP_THROTTLE_READ_IOPS] = "blkio.throttle.read_iops_device",
            [HULL_CGROUP_THROTTLE_WRITE_IOPS] = "blkio.throttle.write_iops_device",
        };
        if (!b->requested)
                return 0;
        _cleanup_free_ char *dir = NULL;
        int r;
        if ((r = need_dir(cg, "blkio", "blockIO", cfg, &dir, err)) < 0)
                return r;
        if (b->has_weight && b->weight &&
            (r = v1_blkio_weight(dir, false, NULL, b->weight, cfg, ".blockIO.weight", err)) < 0)
                return r;
        if (b->has_leaf_weight && b->leaf_weight &&
            (r = v1_blkio_weight(dir, true, NULL, b->leaf_weight, cfg, ".blockIO.leafWeight",
                                 err)) < 0)
                return r;
        for (size_t i = 0; i < b->n_weight_device; i++) {
                const struct hull_cgroup_weight_device *d = &b->weight_device[i];
                char jp[64], dev[48];
                snprintf(jp, sizeof(jp), ".blockIO.weightDevice[%zu]", i);
                snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, d->major, d->minor);
                if (d->has_weight &&
                    (r = v1_blkio_weight(dir, false, dev, d->weight, cfg, jp, err)) < 0)
                        return r;
                if (d->has_leaf_weight &&
                    (r = v1_blkio_weight(dir, true, dev, d->leaf_weight, cfg, jp, err)) < 0)
                        return r;
        }
        for (int t = 0; t < HULL_CGROUP_THROTTLE_COUNT; t++) {
                for (size_t i = 0; i < b->throttle[t].n; i++) {
                        const struct hull_cgroup_throttle_device *d = &b->throttle[t].dev[i];
                        if ((r = hull_cg_writef(dir, throttle_file[t], err,
                                                "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
                                                d->minor, d->rate)) < 0)
                                return hull_err_wrap(err, "%s: " RES ".blockIO.%s[%zu]", cfg,
                                                     hull_cgroup_throttle_key[t], i);
                }
        }
        return 0;
}

static int v1_network(struct hull_cgroup *cg, const struct hull_cgroup_network_res *net,
                      const char *cfg, struct hull_err *err)
{
        int r;
        if (net->has_class_id) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "net_cls", "network.classID", cfg, &dir, err)) < 0)
                        return r;
                if ((r = hull_cg_writef(dir, "net_cls.classid", err, "%" PRIu64, net->class_id)) <
                    0)
                        return hull_err_wrap(err, "%s: " RES ".network.classID", cfg);
        }
        if (net->n_priorities) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "net_prio", "network.priorities", cfg, &dir, err)) < 0)
                        return r;
                for (size_t i = 0; i < net->n_priorities; i++) {
                        const struct hull_cgroup_net_priority *p = &net->priorities[i];
                        if ((r = hull_cg_writef(dir, "net_prio.ifpriomap", err, "%s %" PRIu64,
                                                p->name, p->priority)) < 0)
                                return hull_err_wrap(err, "%s: " RES ".network.priorities[%zu]",
                                                     cfg, i);
                }
        }
        return 0;
}

static int v1_devices(struct hull_cgroup *cg, const struct hull_cgroup_resources *res,
                      const char *cfg, struct hull_err *err)
{
        if (!res->has_devices && !cg->fresh)
                return 0;
        _cleanup_free_ struct hull_cgroup_dev_rule *rules = NULL;
        size_t n = 0;
        int r = hull_cgroup_dev_rules(res, true, &rules, &n, err);
        if (r < 0)
                return r;
        struct hull_cgroup_hier *h = hull_cgroup_v1_find(cg, "devices");
        if (!h) {
                hull_warn("%s: " RES ".devices: no devices cgroup is mounted, not enforced", cfg);
                return 0;
        }
        _cleanup_free_ char *dir = hull_cgroup_hier_dir(h);
        if (!dir)
                return hull_err_set(err, ENOMEM, "out of memory");
        /* Rewriting starts with "deny all": a running container would see EPERM meanwhile.
         * An update that asks for what is there already (the usual case) writes nothing. */
        if (!cg->fresh && hull_cgroup_v1_devices_same(dir, rules, n))
                return 0;
        r = hull_cgroup_v1_devices(dir, rules, n, err);
        return r < 0 ? hull_err_wrap(err, "%s: " RES ".devices", cfg) : 0;
}

/* hugepageLimits and rdma where v1 has the controller; on hybrid the rest goes to the unified
 * hierarchy with the `unified` keys, and on plain v1 it is an error. */
static int v1_hugetlb_rdma(struct hull_cgroup *cg, const struct hull_cgroup_resources *res,
                           const char *cfg, struct hull_err *err)
{
        bool v1_hugetlb = hull_cgroup_v1_find(cg, "hugetlb") != NULL;
        bool v1_rdma = hull_cgroup_v1_find(cg, "rdma") != NULL;
        int r;
        if (res->n_hugepages && v1_hugetlb) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "hugetlb", "hugepageLimits", cfg, &dir, err)) < 0 ||
                    (r = hull_cgroup_hugetlb(dir, res, false, cfg, err)) < 0)
                        return r;
        }
        if (res->n_rdma && v1_rdma) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "rdma", "rdma", cfg, &dir, err)) < 0 ||
                    (r = hull_cgroup_rdma(dir, res, cfg, err)) < 0)
                        return r;
        }
        if (cg->unified.mount) {
                unsigned what = HULL_CGROUP_V2_UNIFIED | (v1_hugetlb ? 0 : HULL_CGROUP_V2_HUGETLB) |
                                (v1_rdma ? 0 : HULL_CGROUP_V2_RDMA);
                _cleanup_free_ char *dir = hull_cgroup_hier_dir(&cg->unified);
                if (!dir)
                        return hull_err_set(err, ENOMEM, "out of memory");
                return hull_cgroup_v2_apply_dir(dir, cg->unified.mount, cg->unified.path, res, what,
                                                cfg, err);
        }
        if (res->n_hugepages && !v1_hugetlb)
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".hugepageLimits: the hugetlb cgroup controller "
                                    "is not mounted",
                                    cfg);
        if (res->n_rdma && !v1_rdma)
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".rdma: the rdma cgroup controller is not mounted",
                                    cfg);
        return 0;
}

int hull_cgroup_v1_apply(struct hull_cgroup *cg, const struct hull_cgroup_resources *res,
                         const char *cfg, struct hull_err *err)
{
        int r;
        if (res->n_unified && !cg->unified.mount)
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".unified: cgroup v2 keys need the unified "
                                    "hierarchy, and this host has cgroup v1 only",
                                    cfg);
        if ((r = v1_devices(cg, res, cfg, err)) < 0 ||
            (r = v1_memory(cg, &res->memory, cfg, err)) < 0 ||
            (r = v1_cpu(cg, &res->cpu, cfg, err)) < 0 ||
            (r = v1_pids_limit(cg, &res->pids, cfg, err)) < 0 ||
            (r = v1_blkio(cg, &res->blkio, cfg, err)) < 0 ||
            (r = v1_network(cg, &res->network, cfg, err)) < 0)
                return r;
        return v1_hugetlb_rdma(cg, res, cfg, err);
}

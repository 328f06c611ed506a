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

static int v1_memory(struct hull_cgroup *cg, json_t *mem, const char *cfg, struct hull_err *err)
{
        int64_t limit = 0, swap = 0, reservation = 0, kernel = 0, tcp = 0;
        uint64_t swappiness = 0;
        bool has_limit, has_swap, has_res, has_kernel, has_tcp, has_swappiness, has_oom, has_check,
            has_hier;
        bool oom_off = false, check = false, hier = false;
        const char *jp = ".memory";
        int r;
        if ((r = hull_res_get_int(mem, "limit", jp, cfg, &has_limit, &limit, err)) < 0 ||
            (r = hull_res_get_int(mem, "swap", jp, cfg, &has_swap, &swap, err)) < 0 ||
            (r = hull_res_get_int(mem, "reservation", jp, cfg, &has_res, &reservation, err)) < 0 ||
            (r = hull_res_get_int(mem, "kernel", jp, cfg, &has_kernel, &kernel, err)) < 0 ||
            (r = hull_res_get_int(mem, "kernelTCP", jp, cfg, &has_tcp, &tcp, err)) < 0 ||
            (r = hull_res_get_uint(mem, "swappiness", jp, cfg, &has_swappiness, &swappiness, err)) <
                0 ||
            (r = hull_res_get_bool(mem, "disableOOMKiller", jp, cfg, &has_oom, &oom_off, err)) <
                0 ||
            (r = hull_res_get_bool(mem, "useHierarchy", jp, cfg, &has_hier, &hier, err)) < 0 ||
            (r = hull_res_get_bool(mem, "checkBeforeUpdate", jp, cfg, &has_check, &check, err)) < 0)
                return r;
        if (json_object_size(mem) == 0)
                return 0;
        _cleanup_free_ char *dir = NULL;
        if ((r = need_dir(cg, "memory", "memory", cfg, &dir, err)) < 0)
                return r;
        if (has_limit && check && limit > 0) {
                uint64_t cur;
                if (hull_cg_read_u64(dir, "memory.usage_in_bytes", &cur, NULL) == 0 &&
                    cur > (uint64_t)limit)
                        return hull_err_set(err, EBUSY,
                                            "%s: " RES ".memory.limit: %" PRId64
                                            " is below the current usage %" PRIu64
                                            " (checkBeforeUpdate)",
                                            cfg, limit, cur);
        }
        if ((r = v1_memory_limits(dir, has_limit, limit, has_swap, swap, cfg, err)) < 0)
                return r;
        char buf[32];
        if (has_res && (r = hull_cg_write(dir, "memory.soft_limit_in_bytes",
                                          v1_limit(reservation, buf), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.reservation", cfg);
        /* Kernel memory limits are gone from Linux 6.x and deprecated before: best effort. */
        if (has_kernel &&
            hull_cg_write(dir, "memory.kmem.limit_in_bytes", v1_limit(kernel, buf), NULL) < 0)
                hull_warn("%s: " RES ".memory.kernel is not supported by this kernel, ignored",
                          cfg);
        if (has_tcp &&
            (r = hull_cg_write(dir, "memory.kmem.tcp.limit_in_bytes", v1_limit(tcp, buf), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.kernelTCP", cfg);
        if (has_swappiness) {
                if (swappiness > 100)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".memory.swappiness: %" PRIu64
                                            " is out of range [0, 100]",
                                            cfg, swappiness);
                if ((r = hull_cg_writef(dir, "memory.swappiness", err, "%" PRIu64, swappiness)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".memory.swappiness", cfg);
        }
        if (has_oom && oom_off && (r = hull_cg_write(dir, "memory.oom_control", "1", err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.disableOOMKiller", cfg);
        if (has_hier && hier && hull_cg_write(dir, "memory.use_hierarchy", "1", NULL) < 0)
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

static int v1_cpu(struct hull_cgroup *cg, json_t *cpu, const char *cfg, struct hull_err *err)
{
        uint64_t shares = 0, period = 0, rt_period = 0, burst = 0;
        int64_t quota = 0, rt_runtime = 0, idle = 0;
        bool has_shares, has_period, has_quota, has_rtp, has_rtr, has_burst, has_idle;
        const char *cpus = NULL, *mems = NULL, *jp = ".cpu";
        int r;
        if ((r = hull_res_get_uint(cpu, "shares", jp, cfg, &has_shares, &shares, err)) < 0 ||
            (r = hull_res_get_int(cpu, "quota", jp, cfg, &has_quota, &quota, err)) < 0 ||
            (r = hull_res_get_uint(cpu, "period", jp, cfg, &has_period, &period, err)) < 0 ||
            (r = hull_res_get_uint(cpu, "burst", jp, cfg, &has_burst, &burst, err)) < 0 ||
            (r = hull_res_get_int(cpu, "realtimeRuntime", jp, cfg, &has_rtr, &rt_runtime, err)) <
                0 ||
            (r = hull_res_get_uint(cpu, "realtimePeriod", jp, cfg, &has_rtp, &rt_period, err)) <
                0 ||
            (r = hull_res_get_int(cpu, "idle", jp, cfg, &has_idle, &idle, err)) < 0 ||
            (r = hull_res_get_str(cpu, "cpus", jp, cfg, &cpus, err)) < 0 ||
            (r = hull_res_get_str(cpu, "mems", jp, cfg, &mems, err)) < 0)
                return r;
        bool any_cpu = (has_shares && shares) || (has_quota && quota) || (has_period && period) ||
                       has_burst || (has_rtr && rt_runtime) || (has_rtp && rt_period) || has_idle;
        if (any_cpu) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "cpu", "cpu", cfg, &dir, err)) < 0)
                        return r;
                if (has_shares && shares &&
                    (r = hull_cg_writef(dir, "cpu.shares", err, "%" PRIu64, shares)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.shares", cfg);
                if (has_period && period &&
                    (r = hull_cg_writef(dir, "cpu.cfs_period_us", err, "%" PRIu64, period)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.period", cfg);
                if (has_quota && quota &&
                    (r = hull_cg_writef(dir, "cpu.cfs_quota_us", err, "%" PRId64,
                                        quota < 0 ? (int64_t)-1 : quota)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.quota", cfg);
                if (has_burst &&
                    (r = hull_cg_writef(dir, "cpu.cfs_burst_us", err, "%" PRIu64, burst)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.burst", cfg);
                if (has_rtp && rt_period &&
                    (r = hull_cg_writef(dir, "cpu.rt_period_us", err, "%" PRIu64, rt_period)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.realtimePeriod", cfg);
                if (has_rtr && rt_runtime) {
                        if ((r = v1_rt_parents(cg, rt_runtime, err)) < 0 ||
                            (r = hull_cg_writef(dir, "cpu.rt_runtime_us", err, "%" PRId64,
                                                rt_runtime)) < 0)
                                return hull_err_wrap(err, "%s: " RES ".cpu.realtimeRuntime", cfg);
                }
                if (has_idle && (r = hull_cg_writef(dir, "cpu.idle", err, "%" PRId64, idle)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.idle", cfg);
        }
        if ((cpus && *cpus) || (mems && *mems)) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "cpuset", "cpu.cpus", cfg, &dir, err)) < 0)
                        return r;
                if (cpus && *cpus && (r = hull_cg_write(dir, "cpuset.cpus", cpus, err)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.cpus", cfg);
                if (mems && *mems && (r = hull_cg_write(dir, "cpuset.mems", mems, err)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.mems", cfg);
        }
        return 0;
}

static int v1_pids_limit(struct hull_cgroup *cg, json_t *pids, const char *cfg,
                         struct hull_err *err)
{
        int64_t limit = 0;
        bool has;
        int r = hull_res_get_int(pids, "limit", ".pids", cfg, &has, &limit, err);
        if (r < 0 || !has)
                return r;
        _cleanup_free_ char *dir = NULL;
        if ((r = need_dir(cg, "pids", "pids", cfg, &dir, err)) < 0)
                return r;
        char buf[32];
        r = hull_cg_write(dir, "pids.max", hull_cgroup_fmt_limit(limit <= 0 ? -1 : limit, buf),
                          err);
        return r < 0 ? hull_err_wrap(err, "%s: " RES ".pids.limit", cfg) : 0;
}

static int blk_dev(json_t *e, const char *jp, const char *cfg, char *dev, size_t size,
                   struct hull_err *err)
{
        bool has_major, has_minor;
        int64_t major, minor;
        int r;
        if (!json_is_object(e))
                return hull_err_set(err, EINVAL, "%s: " RES "%s: expected an object", cfg, jp);
        if ((r = hull_res_get_int(e, "major", jp, cfg, &has_major, &major, err)) < 0 ||
            (r = hull_res_get_int(e, "minor", jp, cfg, &has_minor, &minor, err)) < 0)
                return r;
        if (!has_major || !has_minor || major < 0 || minor < 0)
                return hull_err_set(err, EINVAL, "%s: " RES "%s: major and minor are required", cfg,
                                    jp);
        snprintf(dev, size, "%" PRId64 ":%" PRId64, major, minor);
        return 0;
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

static int v1_blkio(struct hull_cgroup *cg, json_t *blkio, const char *cfg, struct hull_err *err)
{
        static const char *const throttles[][2] = {
            {"throttleReadBpsDevice", "blkio.throttle.read_bps_device"},
            {"throttleWriteBpsDevice", "blkio.throttle.write_bps_device"},
            {"throttleReadIOPSDevice", "blkio.throttle.read_iops_device"},
            {"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device"},
        };
        if (json_object_size(blkio) == 0)
                return 0;
        _cleanup_free_ char *dir = NULL;
        int r;
        if ((r = need_dir(cg, "blkio", "blockIO", cfg, &dir, err)) < 0)
                return r;
        uint64_t weight = 0, leaf = 0;
        bool has_weight, has_leaf;
        json_t *wdev;
        if ((r = hull_res_get_uint(blkio, "weight", ".blockIO", cfg, &has_weight, &weight, err)) <
                0 ||
            (r = hull_res_get_uint(blkio, "leafWeight", ".blockIO", cfg, &has_leaf, &leaf, err)) <
                0 ||
            (r = hull_res_get_array(blkio, "weightDevice", ".blockIO", cfg, &wdev, err)) < 0)
                return r;
        if (has_weight && weight &&
            (r = v1_blkio_weight(dir, false, NULL, weight, cfg, ".blockIO.weight", err)) < 0)
                return r;
        if (has_leaf && leaf &&
            (r = v1_blkio_weight(dir, true, NULL, leaf, cfg, ".blockIO.leafWeight", err)) < 0)
                return r;
        size_t i;
        json_t *e;
        json_array_foreach(wdev, i, e)
        {
                char jp[64], dev[48];
                uint64_t w = 0, lw = 0;
                bool has_w, has_lw;
                snprintf(jp, sizeof(jp), ".blockIO.weightDevice[%zu]", i);
                if ((r = blk_dev(e, jp, cfg, dev, sizeof(dev), err)) < 0 ||
                    (r = hull_res_get_uint(e, "weight", jp, cfg, &has_w, &w, err)) < 0 ||
                    (r = hull_res_get_uint(e, "leafWeight", jp, cfg, &has_lw, &lw, err)) < 0)
                        return r;
                if (has_w && (r = v1_blkio_weight(dir, false, dev, w, cfg, jp, err)) < 0)
                        return r;
                if (has_lw && (r = v1_blkio_weight(dir, true, dev, lw, cfg, jp, err)) < 0)
                        return r;
        }
        for (size_t t = 0; t < HULL_ARRAY_SIZE(throttles); t++) {
                json_t *list;
                if ((r = hull_res_get_array(blkio, throttles[t][0], ".blockIO", cfg, &list, err)) <
                    0)
                        return r;
                json_array_foreach(list, i, e)
                {
                        char jp[96], dev[48];
                        uint64_t rate = 0;
                        bool has_rate;
                        snprintf(jp, sizeof(jp), ".blockIO.%s[%zu]", throttles[t][0], i);
                        if ((r = blk_dev(e, jp, cfg, dev, sizeof(dev), err)) < 0 ||
                            (r = hull_res_get_uint(e, "rate", jp, cfg, &has_rate, &rate, err)) < 0)
                                return r;
                        if ((r = hull_cg_writef(dir, throttles[t][1], err, "%s %" PRIu64, dev,
                                                rate)) < 0)
                                return hull_err_wrap(err, "%s: " RES "%s", cfg, jp);
                }
        }
        return 0;
}

static int v1_network(struct hull_cgroup *cg, json_t *net, const char *cfg, struct hull_err *err)
{
        uint64_t classid = 0;
        bool has_classid;
        json_t *prios;
        int r;
        if ((r = hull_res_get_uint(net, "classID", ".network", cfg, &has_classid, &classid, err)) <
                0 ||
            (r = hull_res_get_array(net, "priorities", ".network", cfg, &prios, err)) < 0)
                return r;
        if (has_classid) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "net_cls", "network.classID", cfg, &dir, err)) < 0)
                        return r;
                if ((r = hull_cg_writef(dir, "net_cls.classid", err, "%" PRIu64, classid)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".network.classID", cfg);
        }
        if (json_array_size(prios)) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "net_prio", "network.priorities", cfg, &dir, err)) < 0)
                        return r;
                size_t i;
                json_t *e;
                json_array_foreach(prios, i, e)
                {
                        char jp[64];
                        const char *name = NULL;
                        uint64_t prio = 0;
                        bool has_prio;
                        snprintf(jp, sizeof(jp), ".network.priorities[%zu]", i);
                        if (!json_is_object(e))
                                return hull_err_set(err, EINVAL,
                                                    "%s: " RES "%s: expected an object", cfg, jp);
                        if ((r = hull_res_get_str(e, "name", jp, cfg, &name, err)) < 0 ||
                            (r = hull_res_get_uint(e, "priority", jp, cfg, &has_prio, &prio, err)) <
                                0)
                                return r;
                        if (!name || !*name || strpbrk(name, " \n/"))
                                return hull_err_set(err, EINVAL,
                                                    "%s: " RES "%s.name: invalid interface name",
                                                    cfg, jp);
                        if ((r = hull_cg_writef(dir, "net_prio.ifpriomap", err, "%s %" PRIu64, name,
                                                prio)) < 0)
                                return hull_err_wrap(err, "%s: " RES "%s", cfg, jp);
                }
        }
        return 0;
}

static int v1_devices(struct hull_cgroup *cg, json_t *res, const char *cfg, struct hull_err *err)
{
        json_t *devices = NULL;
        int r = hull_res_get_array(res, "devices", "", cfg, &devices, err);
        if (r < 0)
                return r;
        if (!devices && !cg->fresh)
                return 0;
        _cleanup_free_ struct hull_cgroup_dev_rule *rules = NULL;
        size_t n = 0;
        if ((r = hull_cgroup_dev_rules(devices, true, cfg, &rules, &n, err)) < 0)
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

/* What the unified hierarchy of the hybrid layout takes: `unified` keys, and hugetlb/rdma
 * when v1 does not have them. */
static int hybrid_unified(struct hull_cgroup *cg, json_t *res, json_t *huge, json_t *rdma,
                          json_t *unified, const char *cfg, struct hull_err *err)
{
        json_t *sub = json_object();
        if (!sub)
                return hull_err_set(err, ENOMEM, "out of memory");
        if (huge && !hull_cgroup_v1_find(cg, "hugetlb"))
                json_object_set(sub, "hugepageLimits", huge);
        if (rdma && !hull_cgroup_v1_find(cg, "rdma"))
                json_object_set(sub, "rdma", rdma);
        if (unified)
                json_object_set(sub, "unified", unified);
        int r = 0;
        if (json_object_size(sub)) {
                _cleanup_free_ char *dir = hull_cgroup_hier_dir(&cg->unified);
                r = dir ? hull_cgroup_v2_apply_dir(dir, cg->unified.mount, cg->unified.path, sub,
                                                   cfg, true, err)
                        : hull_err_set(err, ENOMEM, "out of memory");
        }
        json_decref(sub);
        (void)res;
        return r;
}

int hull_cgroup_v1_apply(struct hull_cgroup *cg, json_t *res, const char *cfg, struct hull_err *err)
{
        json_t *mem = NULL, *cpu = NULL, *pids = NULL, *blkio = NULL, *huge = NULL, *rdma = NULL,
               *net = NULL, *unified = NULL;
        int r;
        if ((r = hull_res_get_obj(res, "memory", "", cfg, &mem, err)) < 0 ||
            (r = hull_res_get_obj(res, "cpu", "", cfg, &cpu, err)) < 0 ||
            (r = hull_res_get_obj(res, "pids", "", cfg, &pids, err)) < 0 ||
            (r = hull_res_get_obj(res, "blockIO", "", cfg, &blkio, err)) < 0 ||
            (r = hull_res_get_array(res, "hugepageLimits", "", cfg, &huge, err)) < 0 ||
            (r = hull_res_get_obj(res, "rdma", "", cfg, &rdma, err)) < 0 ||
            (r = hull_res_get_obj(res, "network", "", cfg, &net, err)) < 0 ||
            (r = hull_res_get_obj(res, "unified", "", cfg, &unified, err)) < 0)
                return r;
        if (unified && json_object_size(unified) && !cg->unified.mount)
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".unified: cgroup v2 keys need the unified "
                                    "hierarchy, and this host has cgroup v1 only",
                                    cfg);
        if ((r = v1_devices(cg, res, cfg, err)) < 0 ||
            (mem && (r = v1_memory(cg, mem, cfg, err)) < 0) ||
            (cpu && (r = v1_cpu(cg, cpu, cfg, err)) < 0) ||
            (pids && (r = v1_pids_limit(cg, pids, cfg, err)) < 0) ||
            (blkio && (r = v1_blkio(cg, blkio, cfg, err)) < 0) ||
            (net && (r = v1_network(cg, net, cfg, err)) < 0))
                return r;
        if (huge && json_array_size(huge) && hull_cgroup_v1_find(cg, "hugetlb")) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "hugetlb", "hugepageLimits", cfg, &dir, err)) < 0 ||
                    (r = hull_cgroup_hugetlb(dir, huge, false, cfg, err)) < 0)
                        return r;
        }
        if (rdma && json_object_size(rdma) && hull_cgroup_v1_find(cg, "rdma")) {
                _cleanup_free_ char *dir = NULL;
                if ((r = need_dir(cg, "rdma", "rdma", cfg, &dir, err)) < 0 ||
                    (r = hull_cgroup_rdma(dir, rdma, cfg, err)) < 0)
                        return r;
        }
        if (cg->unified.mount)
                return hybrid_unified(cg, res, huge, rdma, unified, cfg, err);
        if (huge && json_array_size(huge) && !hull_cgroup_v1_find(cg, "hugetlb"))
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".hugepageLimits: the hugetlb cgroup controller "
                                    "is not mounted",
                                    cfg);
        if (rdma && json_object_size(rdma) && !hull_cgroup_v1_find(cg, "rdma"))
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".rdma: the rdma cgroup controller is not mounted",
                                    cfg);
        return 0;
}

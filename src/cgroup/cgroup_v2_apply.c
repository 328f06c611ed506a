/* linux.resources on cgroup v2: each OCI field to its unified file (memory.max, cpu.max,
 * io.max, ...), devices through eBPF. Also serves the unified half of the hybrid layout. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

#define RES ".linux.resources"

static int v2_memory(const char *dir, json_t *mem, const char *cfg, struct hull_err *err)
{
        int64_t limit = 0, swap = 0, reservation = 0, kernel = 0, tcp = 0;
        uint64_t swappiness = 0;
        bool has_limit, has_swap, has_res, has_kernel, has_tcp, has_swappiness, has_oom, has_check;
        bool oom_off = false, check = false;
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
            (r = hull_res_get_bool(mem, "checkBeforeUpdate", jp, cfg, &has_check, &check, err)) < 0)
                return r;
        char buf[32];
        if (has_limit && limit < -1)
                return hull_err_set(err, EINVAL, "%s: " RES ".memory.limit: invalid value %" PRId64,
                                    cfg, limit);
        if (has_limit && check && limit > 0) {
                uint64_t cur;
                if (hull_cg_read_u64(dir, "memory.current", &cur, NULL) == 0 &&
                    cur > (uint64_t)limit)
                        return hull_err_set(err, EBUSY,
                                            "%s: " RES ".memory.limit: %" PRId64
                                            " is below the current usage %" PRIu64
                                            " (checkBeforeUpdate)",
                                            cfg, limit, cur);
        }
        if (has_swap) {
                int64_t cur_limit = limit;
                bool known = has_limit;
                if (!known) {
                        /* update --memory-swap alone: the limit in force counts. */
                        uint64_t v;
                        if (hull_cg_read_u64(dir, "memory.max", &v, NULL) == 0) {
                                known = true;
                                cur_limit = v == UINT64_MAX ? -1 : (int64_t)v;
                        }
                }
                int64_t v2;
                r = hull_cgroup_swap_to_v2(swap, known, cur_limit, &v2, cfg, err);
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (!hull_cg_exists(dir, "memory.swap.max")) {
                                /* "no swap" (swap == limit) asks for nothing we cannot do when
                                 * the kernel does not account swap at all. */
                                if (v2 > 0)
                                        return hull_err_set(err, ENOTSUP,
                                                            "%s: " RES
                                                            ".memory.swap: the kernel has no swap "
                                                            "accounting (memory.swap.max)",
                                                            cfg);
                        } else if ((r = hull_cg_write(dir, "memory.swap.max",
                                                      hull_cgroup_fmt_limit(v2, buf), err)) < 0) {
                                return hull_err_wrap(err, "%s: " RES ".memory.swap", cfg);
                        }
                }
        }
        if (has_limit &&
            (r = hull_cg_write(dir, "memory.max", hull_cgroup_fmt_limit(limit, buf), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.limit", cfg);
        if (has_res && (r = hull_cg_write(dir, "memory.low",
                                          hull_cgroup_fmt_limit(reservation, buf), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.reservation", cfg);
        if (has_swappiness)
                hull_warn("%s: " RES ".memory.swappiness is ignored on cgroup v2", cfg);
        if (has_oom && oom_off)
                hull_warn("%s: " RES ".memory.disableOOMKiller is ignored on cgroup v2", cfg);
        if (has_kernel || has_tcp)
                hull_warn("%s: " RES ".memory.kernel/kernelTCP are ignored on cgroup v2", cfg);
        return 0;
}

static int v2_cpu(const char *dir, json_t *cpu, const char *cfg, struct hull_err *err)
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
        if ((has_rtr && rt_runtime != 0) || (has_rtp && rt_period != 0))
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".cpu.realtimeRuntime/realtimePeriod: not "
                                    "supported on cgroup v2",
                                    cfg);
        if (has_shares && shares != 0) {
                if (shares < 2 || shares > 262144)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".cpu.shares: %" PRIu64
                                            " is out of range [2, 262144]",
                                            cfg, shares);
                r = hull_cg_writef(dir, "cpu.weight", err, "%" PRIu64,
                                   hull_cgroup_shares_to_weight(shares));
                if (r < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.shares", cfg);
        }
        if (has_idle && (r = hull_cg_writef(dir, "cpu.idle", err, "%" PRId64, idle)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.idle", cfg);
        if ((has_quota && quota != 0) || (has_period && period != 0)) {
                _cleanup_free_ char *cur = NULL;
                char line[64];
                hull_cg_read(dir, "cpu.max", &cur, NULL);
                hull_cgroup_cpu_max(has_quota, quota, has_period, period, cur, line, sizeof(line));
                if ((r = hull_cg_write(dir, "cpu.max", line, err)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.quota/period", cfg);
        }
        if (has_burst && (r = hull_cg_writef(dir, "cpu.max.burst", err, "%" PRIu64, burst)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.burst", cfg);
        if (cpus && *cpus && (r = hull_cg_write(dir, "cpuset.cpus", cpus, err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.cpus", cfg);
        if (mems && *mems && (r = hull_cg_write(dir, "cpuset.mems", mems, err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.mems", cfg);
        return 0;
}

static int v2_pids(const char *dir, json_t *pids, const char *cfg, struct hull_err *err)
{
        int64_t limit = 0;
        bool has;
        char buf[32];
        int r = hull_res_get_int(pids, "limit", ".pids", cfg, &has, &limit, err);
        if (r < 0 || !has)
                return r;
        /* 0 and -1 both mean no limit, as runc treats them. */
        r = hull_cg_write(dir, "pids.max", hull_cgroup_fmt_limit(limit <= 0 ? -1 : limit, buf),
                          err);
        return r < 0 ? hull_err_wrap(err, "%s: " RES ".pids.limit", cfg) : 0;
}

/* A {major, minor} device entry of blockIO. */
static int blk_dev(json_t *e, const char *jp, const char *cfg, int64_t *major, int64_t *minor,
                   struct hull_err *err)
{
        bool has_major, has_minor;
        int r;
        if (!json_is_object(e))
                return hull_err_set(err, EINVAL, "%s: " RES "%s: expected an object", cfg, jp);
        if ((r = hull_res_get_int(e, "major", jp, cfg, &has_major, major, err)) < 0 ||
            (r = hull_res_get_int(e, "minor", jp, cfg, &has_minor, minor, err)) < 0)
                return r;
        if (!has_major || !has_minor || *major < 0 || *minor < 0)
                return hull_err_set(err, EINVAL, "%s: " RES "%s: major and minor are required", cfg,
                                    jp);
        return 0;
}

static int v2_io_throttle(const char *dir, json_t *blkio, const char *key, const char *io_key,
                          const char *cfg, struct hull_err *err)
{
        json_t *list;
        int r = hull_res_get_array(blkio, key, ".blockIO", cfg, &list, err);
        if (r < 0 || !list)
                return r;
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
                char jp[96];
                snprintf(jp, sizeof(jp), ".blockIO.%s[%zu]", key, i);
                int64_t major, minor;
                uint64_t rate = 0;
                bool has_rate;
                if ((r = blk_dev(e, jp, cfg, &major, &minor, err)) < 0 ||
                    (r = hull_res_get_uint(e, "rate", jp, cfg, &has_rate, &rate, err)) < 0)
                        return r;
                if (rate == 0)
                        r = hull_cg_writef(dir, "io.max", err, "%" PRId64 ":%" PRId64 " %s=max",
                                           major, minor, io_key);
                else
                        r = hull_cg_writef(dir, "io.max", err,
                                           "%" PRId64 ":%" PRId64 " %s=%" PRIu64, major, minor,
                                           io_key, rate);
                if (r < 0)
                        return hull_err_wrap(err, "%s: " RES "%s", cfg, jp);
        }
        return 0;
}

/* BFQ takes blkio's weight range as it is; io.weight needs the conversion. */
static int v2_io_weight(const char *dir, const char *dev, uint64_t weight, const char *cfg,
                        const char *jp, struct hull_err *err)
{
        int r;
        if (hull_cg_exists(dir, "io.bfq.weight"))
                r = hull_cg_writef(dir, "io.bfq.weight", err, "%s%s%" PRIu64, dev ? dev : "",
                                   dev ? " " : "", weight);
        else
                r = hull_cg_writef(dir, "io.weight", err, "%s %" PRIu64, dev ? dev : "default",
                                   hull_cgroup_blkio_to_io_weight(weight));
        return r < 0 ? hull_err_wrap(err, "%s: " RES "%s", cfg, jp) : 0;
}

static int v2_io(const char *dir, json_t *blkio, const char *cfg, struct hull_err *err)
{
        uint64_t weight = 0, leaf = 0;
        bool has_weight, has_leaf;
        json_t *wdev;
        int r;
        if ((r = hull_res_get_uint(blkio, "weight", ".blockIO", cfg, &has_weight, &weight, err)) <
                0 ||
            (r = hull_res_get_uint(blkio, "leafWeight", ".blockIO", cfg, &has_leaf, &leaf, err)) <
                0 ||
            (r = hull_res_get_array(blkio, "weightDevice", ".blockIO", cfg, &wdev, err)) < 0)
                return r;
        if (has_weight && weight != 0) {
                if (weight < 10 || weight > 1000)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".blockIO.weight: %" PRIu64
                                            " is out of range [10, 1000]",
                                            cfg, weight);
                if ((r = v2_io_weight(dir, NULL, weight, cfg, ".blockIO.weight", err)) < 0)
                        return r;
        }
        if (has_leaf && leaf != 0)
                hull_warn("%s: " RES ".blockIO.leafWeight is ignored on cgroup v2", cfg);
        size_t i;
        json_t *e;
        json_array_foreach(wdev, i, e)
        {
                char jp[64], dev[64];
                snprintf(jp, sizeof(jp), ".blockIO.weightDevice[%zu]", i);
                int64_t major, minor;
                uint64_t w = 0;
                bool has_w;
                if ((r = blk_dev(e, jp, cfg, &major, &minor, err)) < 0 ||
                    (r = hull_res_get_uint(e, "weight", jp, cfg, &has_w, &w, err)) < 0)
                        return r;
                if (!has_w || w == 0)
                        continue;
                snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, major, minor);
                if ((r = v2_io_weight(dir, dev, w, cfg, jp, err)) < 0)
                        return r;
        }
        if ((r = v2_io_throttle(dir, blkio, "throttleReadBpsDevice", "rbps", cfg, err)) < 0 ||
            (r = v2_io_throttle(dir, blkio, "throttleWriteBpsDevice", "wbps", cfg, err)) < 0 ||
            (r = v2_io_throttle(dir, blkio, "throttleReadIOPSDevice", "riops", cfg, err)) < 0 ||
            (r = v2_io_throttle(dir, blkio, "throttleWriteIOPSDevice", "wiops", cfg, err)) < 0)
                return r;
        return 0;
}

/* hugepageLimits on v1 (hugetlb.SIZE.limit_in_bytes) and v2 (hugetlb.SIZE.max). */
int hull_cgroup_hugetlb(const char *dir, json_t *list, bool v2, const char *cfg,
                        struct hull_err *err)
{
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
                char jp[64], name[32], file[96];
                snprintf(jp, sizeof(jp), ".hugepageLimits[%zu]", i);
                const char *size;
                uint64_t limit = 0;
                bool has_limit;
                int r;
                if (!json_is_object(e))
                        return hull_err_set(err, EINVAL, "%s: " RES "%s: expected an object", cfg,
                                            jp);
                if ((r = hull_res_get_str(e, "pageSize", jp, cfg, &size, err)) < 0 ||
                    (r = hull_res_get_uint(e, "limit", jp, cfg, &has_limit, &limit, err)) < 0)
                        return r;
                if (!size || hull_cgroup_hugepage_name(size, name, sizeof(name)) < 0)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES "%s.pageSize: expected a size like "
                                            "\"2MB\" or \"1GB\", got \"%s\"",
                                            cfg, jp, size ? size : "");
                if (!has_limit)
                        continue;
                snprintf(file, sizeof(file), v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes",
                         name);
                if (!hull_cg_exists(dir, file) && !hull_cgroup_testing())
                        return hull_err_set(err, ENOTSUP,
                                            "%s: " RES "%s.pageSize: the kernel has no %s "
                                            "hugepages (%s/%s)",
                                            cfg, jp, size, dir, file);
                if ((r = hull_cg_writef(dir, file, err, "%" PRIu64, limit)) < 0)
                        return hull_err_wrap(err, "%s: " RES "%s.limit", cfg, jp);
                /* Reservations count too, or a mapping can reserve past the limit. */
                snprintf(file, sizeof(file),
                         v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes", name);
                if (hull_cg_exists(dir, file) &&
                    (r = hull_cg_writef(dir, file, err, "%" PRIu64, limit)) < 0)
                        return hull_err_wrap(err, "%s: " RES "%s.limit", cfg, jp);
        }
        return 0;
}

/* rdma.max is the same file on v1 and v2. */
int hull_cgroup_rdma(const char *dir, json_t *rdma, const char *cfg, struct hull_err *err)
{
        const char *dev;
        json_t *v;
        json_object_foreach(rdma, dev, v)
        {
                char jp[128];
                snprintf(jp, sizeof(jp), ".rdma.%s", dev);
                if (!*dev || strpbrk(dev, " \n/=") || !json_is_object(v))
                        return hull_err_set(err, EINVAL, "%s: " RES "%s: invalid entry", cfg, jp);
                uint64_t handles = 0, objects = 0;
                bool has_h, has_o;
                int r;
                if ((r = hull_res_get_uint(v, "hcaHandles", jp, cfg, &has_h, &handles, err)) < 0 ||
                    (r = hull_res_get_uint(v, "hcaObjects", jp, cfg, &has_o, &objects, err)) < 0)
                        return r;
                if (!has_h && !has_o)
                        continue;
                char h[32] = "max", o[32] = "max";
                if (has_h)
                        snprintf(h, sizeof(h), "%" PRIu64, handles);
                if (has_o)
                        snprintf(o, sizeof(o), "%" PRIu64, objects);
                if ((r = hull_cg_writef(dir, "rdma.max", err, "%s hca_handle=%s hca_object=%s", dev,
                                        h, o)) < 0)
                        return hull_err_wrap(err, "%s: " RES "%s", cfg, jp);
        }
        return 0;
}

static int v2_unified(const char *dir, json_t *unified, const char *cfg, struct hull_err *err)
{
        const char *key;
        json_t *v;
        json_object_foreach(unified, key, v)
        {
                int r = hull_cgroup_unified_key_ok(key, cfg, err);
                if (r < 0)
                        return r;
                if (!json_is_string(v))
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".unified.%s: expected a string", cfg, key);
                if (!hull_cg_exists(dir, key) && !hull_cgroup_testing())
                        return hull_err_set(err, ENOENT,
                                            "%s: " RES ".unified.%s: no such cgroup file in %s "
                                            "(is the controller available?)",
                                            cfg, key, dir);
                if ((r = hull_cg_write(dir, key, json_string_value(v), err)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".unified.%s", cfg, key);
        }
        return 0;
}

static void add_ctl(const char **ctls, size_t *n, size_t max, const char *c)
{
        for (size_t i = 0; i < *n; i++)
                if (strcmp(ctls[i], c) == 0)
                        return;
        if (*n < max)
                ctls[(*n)++] = c;
}

static bool has_any(json_t *obj, const char *const *keys, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                json_t *v = json_object_get(obj, keys[i]);
                if (v && !json_is_null(v))
                        return true;
        }
        return false;
}

/* The controllers RES needs enabled: only those, so a container without limits costs no
 * subtree_control write at all. UNIFIED_CTL holds the "memory" of "memory.high" keys. */
static size_t needed_controllers(json_t *res, const char **ctls, size_t max, char unified_ctl[][32],
                                 size_t n_unified)
{
        static const char *const cpu_keys[] = {"shares", "quota", "period", "burst", "idle"};
        static const char *const cpuset_keys[] = {"cpus", "mems"};
        size_t n = 0;
        json_t *v;
        if ((v = json_object_get(res, "memory")) && json_object_size(v))
                add_ctl(ctls, &n, max, "memory");
        if ((v = json_object_get(res, "cpu")) && json_is_object(v)) {
                if (has_any(v, cpu_keys, HULL_ARRAY_SIZE(cpu_keys)))
                        add_ctl(ctls, &n, max, "cpu");
                if (has_any(v, cpuset_keys, HULL_ARRAY_SIZE(cpuset_keys)))
                        add_ctl(ctls, &n, max, "cpuset");
        }
        if ((v = json_object_get(res, "pids")) && json_object_size(v))
                add_ctl(ctls, &n, max, "pids");
        if ((v = json_object_get(res, "blockIO")) && json_object_size(v))
                add_ctl(ctls, &n, max, "io");
        if ((v = json_object_get(res, "hugepageLimits")) && json_array_size(v))
                add_ctl(ctls, &n, max, "hugetlb");
        if ((v = json_object_get(res, "rdma")) && json_object_size(v))
                add_ctl(ctls, &n, max, "rdma");
        if ((v = json_object_get(res, "unified")) && json_is_object(v)) {
                const char *key;
                json_t *val;
                size_t u = 0;
                json_object_foreach(v, key, val)
                {
                        const char *dot = strchr(key, '.');
                        size_t len = dot ? (size_t)(dot - key) : 0;
                        if (!len || len >= 32 || u >= n_unified ||
                            (len == 6 && strncmp(key, "cgroup", 6) == 0))
                                continue;
                        memcpy(unified_ctl[u], key, len);
                        unified_ctl[u][len] = '\0';
                        add_ctl(ctls, &n, max, unified_ctl[u++]);
                }
        }
        return n;
}

int hull_cgroup_v2_apply_dir(const char *dir, const char *mount, const char *path, json_t *res,
                             const char *cfg, bool hybrid, struct hull_err *err)
{
        json_t *mem, *cpu, *pids, *blkio, *huge, *rdma, *net, *unified;
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
        /* Keys are checked before anything is enabled or written. */
        const char *key;
        json_t *v;
        json_object_foreach(unified, key, v)
        {
                if ((r = hull_cgroup_unified_key_ok(key, cfg, err)) < 0)
                        return r;
        }
        const char *ctls[16];
        char unified_ctl[8][32];
        size_t n = needed_controllers(res, ctls, HULL_ARRAY_SIZE(ctls), unified_ctl,
                                      HULL_ARRAY_SIZE(unified_ctl));
        if (n && (r = hull_cgroup_v2_enable(mount, path, ctls, n, err)) < 0)
                return hull_err_wrap(err, "%s: " RES, cfg);
        if ((mem && (r = v2_memory(dir, mem, cfg, err)) < 0) ||
            (cpu && (r = v2_cpu(dir, cpu, cfg, err)) < 0) ||
            (pids && (r = v2_pids(dir, pids, cfg, err)) < 0) ||
            (blkio && (r = v2_io(dir, blkio, cfg, err)) < 0) ||
            (huge && (r = hull_cgroup_hugetlb(dir, huge, true, cfg, err)) < 0) ||
            (rdma && (r = hull_cgroup_rdma(dir, rdma, cfg, err)) < 0) ||
            (unified && (r = v2_unified(dir, unified, cfg, err)) < 0))
                return r;
        if (net && json_object_size(net) && !hybrid)
                hull_warn("%s: " RES ".network (classID, priorities) is ignored on cgroup v2", cfg);
        return 0;
}

int hull_cgroup_v2_apply(struct hull_cgroup *cg, json_t *res, const char *cfg, struct hull_err *err)
{
        _cleanup_free_ char *dir = hull_cgroup_hier_dir(&cg->unified);
        if (!dir)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r;
        if (res && (r = hull_cgroup_v2_apply_dir(dir, cg->unified.mount, cg->unified.path, res, cfg,
                                                 false, err)) < 0)
                return r;
        json_t *devices = NULL;
        if ((r = hull_res_get_array(res, "devices", "", cfg, &devices, err)) < 0)
                return r;
        if (!devices && !cg->fresh)
                return 0;
        _cleanup_free_ struct hull_cgroup_dev_rule *rules = NULL;
        size_t n = 0;
        if ((r = hull_cgroup_dev_rules(devices, true, cfg, &rules, &n, err)) < 0)
                return r;
        if (hull_cgroup_testing())
                return 0; /* no eBPF on a fake tree */
        _cleanup_close_ int fd = -EBADF;
        if (cg->unified_fd < 0) {
                fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return hull_err_sys(err, errno, "open cgroup %s", dir);
        }
        r = hull_cgroup_v2_devices(cg->unified_fd >= 0 ? cg->unified_fd : fd, rules, n, err);
        return r < 0 ? hull_err_wrap(err, "%s: " RES ".devices", cfg) : 0;
}

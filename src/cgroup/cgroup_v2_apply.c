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

static int v2_memory_swap(const char *dir, const struct hull_cgroup_memory_res *m, const char *cfg,
                          struct hull_err *err)
{
        int64_t cur_limit = m->limit;
        bool known = m->has_limit;
        if (!known) {
                /* update --memory-swap alone: the limit in force counts. */
                uint64_t v;
                if (hull_cg_read_u64(dir, "memory.max", &v, NULL) == 0) {
                        known = true;
                        cur_limit = v == UINT64_MAX ? -1 : (int64_t)v;
                }
        }
        int64_t v2;
        char buf[32];
        int r = hull_cgroup_swap_to_v2(m->swap, known, cur_limit, &v2, cfg, err);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!hull_cg_exists(dir, "memory.swap.max")) {
                /* "no swap" (swap == limit) asks for nothing we cannot do when the kernel does
                 * not account swap at all. */
                if (v2 > 0)
                        return hull_err_set(err, ENOTSUP,
                                            "%s: " RES ".memory.swap: the kernel has no swap "
                                            "accounting (memory.swap.max)",
                                            cfg);
                return 0;
        }
        r = hull_cg_write(dir, "memory.swap.max", hull_cgroup_fmt_limit(v2, buf), err);
        return r < 0 ? hull_err_wrap(err, "%s: " RES ".memory.swap", cfg) : 0;
}

static int v2_memory(const char *dir, const struct hull_cgroup_memory_res *m, const char *cfg,
                     struct hull_err *err)
{
        char buf[32];
        int r;
        if (m->has_limit && m->limit < -1)
                return hull_err_set(err, EINVAL, "%s: " RES ".memory.limit: invalid value %" PRId64,
                                    cfg, m->limit);
        if ((r = hull_cgroup_check_memory_usage(dir, "memory.current", m, cfg, err)) < 0)
                return r;
        if (m->has_swap && (r = v2_memory_swap(dir, m, cfg, err)) < 0)
                return r;
        if (m->has_limit &&
            (r = hull_cg_write(dir, "memory.max", hull_cgroup_fmt_limit(m->limit, buf), err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.limit", cfg);
        if (m->has_reservation &&
            (r = hull_cg_write(dir, "memory.low", hull_cgroup_fmt_limit(m->reservation, buf),
                               err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".memory.reservation", cfg);
        if (m->has_swappiness)
                hull_warn("%s: " RES ".memory.swappiness is ignored on cgroup v2", cfg);
        if (m->has_disable_oom_killer && m->disable_oom_killer)
                hull_warn("%s: " RES ".memory.disableOOMKiller is ignored on cgroup v2", cfg);
        if (m->has_kernel || m->has_kernel_tcp)
                hull_warn("%s: " RES ".memory.kernel/kernelTCP are ignored on cgroup v2", cfg);
        return 0;
}

static int v2_cpu(const char *dir, const struct hull_cgroup_cpu_res *c, const char *cfg,
                  struct hull_err *err)
{
        int r;
        if ((c->has_realtime_runtime && c->realtime_runtime != 0) ||
            (c->has_realtime_period && c->realtime_period != 0))
                return hull_err_set(err, ENOTSUP,
                                    "%s: " RES ".cpu.realtimeRuntime/realtimePeriod: not "
                                    "supported on cgroup v2",
                                    cfg);
        if (c->has_shares && c->shares != 0) {
                if (c->shares < 2 || c->shares > 262144)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".cpu.shares: %" PRIu64
                                            " is out of range [2, 262144]",
                                            cfg, c->shares);
                r = hull_cg_writef(dir, "cpu.weight", err, "%" PRIu64,
                                   hull_cgroup_shares_to_weight(c->shares));
                if (r < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.shares", cfg);
        }
        if (c->has_idle && (r = hull_cg_writef(dir, "cpu.idle", err, "%" PRId64, c->idle)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.idle", cfg);
        if ((c->has_quota && c->quota != 0) || (c->has_period && c->period != 0)) {
                _cleanup_free_ char *cur = NULL;
                char line[64];
                hull_cg_read(dir, "cpu.max", &cur, NULL);
                hull_cgroup_cpu_max(c->has_quota, c->quota, c->has_period, c->period, cur, line,
                                    sizeof(line));
                if ((r = hull_cg_write(dir, "cpu.max", line, err)) < 0)
                        return hull_err_wrap(err, "%s: " RES ".cpu.quota/period", cfg);
        }
        if (c->has_burst &&
            (r = hull_cg_writef(dir, "cpu.max.burst", err, "%" PRIu64, c->burst)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.burst", cfg);
        if (c->cpus && *c->cpus && (r = hull_cg_write(dir, "cpuset.cpus", c->cpus, err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.cpus", cfg);
        if (c->mems && *c->mems && (r = hull_cg_write(dir, "cpuset.mems", c->mems, err)) < 0)
                return hull_err_wrap(err, "%s: " RES ".cpu.mems", cfg);
        return 0;
}

static int v2_pids(const char *dir, const struct hull_cgroup_pids_res *p, const char *cfg,
                   struct hull_err *err)
{
        char buf[32];
        if (!p->has_limit)
                return 0;
        /* 0 and -1 both mean no limit, as runc treats them. */
        int r = hull_cg_write(dir, "pids.max",
                              hull_cgroup_fmt_limit(p->limit <= 0 ? -1 : p->limit, buf), err);
        return r < 0 ? hull_err_wrap(err, "%s: " RES ".pids.limit", cfg) : 0;
}

static int v2_io_throttle(const char *dir, const struct hull_cgroup_blkio_res *b,
                          enum hull_cgroup_throttle t, const char *io_key, const char *cfg,
                          struct hull_err *err)
{
        for (size_t i = 0; i < b->throttle[t].n; i++) {
                const struct hull_cgroup_throttle_device *d = &b->throttle[t].dev[i];
                int r;
                if (d->rate == 0)
                        r = hull_cg_writef(dir, "io.max", err, "%" PRId64 ":%" PRId64 " %s=max",
                                           d->major, d->minor, io_key);
                else
                        r = hull_cg_writef(dir, "io.max", err,
                                           "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major,
                                           d->minor, io_key, d->rate);
                if (r < 0)
                        return hull_err_wrap(err, "%s: " RES ".blockIO.%s[%zu]", cfg,
                                             hull_cgroup_throttle_key[t], i);
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

static int v2_io(const char *dir, const struct hull_cgroup_blkio_res *b, const char *cfg,
                 struct hull_err *err)
{
        int r;
        if (b->has_weight && b->weight != 0) {
                if (b->weight < 10 || b->weight > 1000)
                        return hull_err_set(err, EINVAL,
                                            "%s: " RES ".blockIO.weight: %" PRIu64
                                            " is out of range [10, 1000]",
                                            cfg, b->weight);
                if ((r = v2_io_weight(dir, NULL, b->weight, cfg, ".blockIO.weight", err)) < 0)
                        return r;
        }
        if (b->has_leaf_weight && b->leaf_weight != 0)
                hull_warn("%s: " RES ".blockIO.leafWeight is ignored on cgroup v2", cfg);
        for (size_t i = 0; i < b->n_weight_device; i++) {
                const struct hull_cgroup_weight_device *d = &b->weight_device[i];
                char jp[64], dev[64];
                if (!d->has_weight || d->weight == 0)
                        continue;
                snprintf(jp, sizeof(jp), ".blockIO.weightDevice[%zu]", i);
                snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, d->major, d->minor);
                if ((r = v2_io_weight(dir, dev, d->weight, cfg, jp, err)) < 0)
                        return r;
        }
        if ((r = v2_io_throttle(dir, b, HULL_CGROUP_THROTTLE_READ_BPS, "rbps", cfg, err)) < 0 ||
            (r = v2_io_throttle(dir, b, HULL_CGROUP_THROTTLE_WRITE_BPS, "wbps", cfg, err)) < 0 ||
            (r = v2_io_throttle(dir, b, HULL_CGROUP_THROTTLE_READ_IOPS, "riops", cfg, err)) < 0 ||
            (r = v2_io_throttle(dir, b, HULL_CGROUP_THROTTLE_WRITE_IOPS, "wiops", cfg, err)) < 0)
                return r;
        return 0;
}

/* checkBeforeUpdate: a limit below what the cgroup uses now would OOM-kill at once. */
int hull_cgroup_check_memory_usage(const char *dir, const char *usage_file,
                                   const struct hull_cgroup_memory_res *m, const char *cfg,
                                   struct hull_err *err)
{
        uint64_t cur;
        if (!m->has_limit || !m->check_before_update || m->limit <= 0)
                return 0;
        if (hull_cg_read_u64(dir, usage_file, &cur, NULL) == 0 && cur > (uint64_t)m->limit)
                return hull_err_set(err, EBUSY,
                                    "%s: " RES ".memory.limit: %" PRId64
                                    " is below the current usage %" PRIu64 " (checkBeforeUpdate)",
                                    cfg, m->limit, cur);
        return 0;
}

/* hugepageLimits on v1 (hugetlb.SIZE.limit_in_bytes) and v2 (hugetlb.SIZE.max). */
int hull_cgroup_hugetlb(const char *dir, const struct hull_cgroup_resources *res, bool v2,
                        const char *cfg, struct hull_err *err)
{
        for (size_t i = 0; i < res->n_hugepages; i++) {
                const struct hull_cgroup_hugepage_limit *h = &res->hugepages[i];
                char jp[64], file[96];
                int r;
                if (!h->has_limit)
                        continue;
                snprintf(jp, sizeof(jp), ".hugepageLimits[%zu]", i);
                snprintf(file, sizeof(file), v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes",
                         h->page_size);
                if (!hull_cg_exists(dir, file) && !hull_cgroup_testing())
                        return hull_err_set(err, ENOTSUP,
                                            "%s: " RES "%s.pageSize: the kernel has no %s "
                                            "hugepages (%s/%s)",
                                            cfg, jp, h->page_size, dir, file);
                if ((r = hull_cg_writef(dir, file, err, "%" PRIu64, h->limit)) < 0)
                        return hull_err_wrap(err, "%s: " RES "%s.limit", cfg, jp);
                /* Reservations count too, or a mapping can reserve past the limit. */
                snprintf(file, sizeof(file),
                         v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes",
                         h->page_size);
                if (hull_cg_exists(dir, file) &&
                    (r = hull_cg_writef(dir, file, err, "%" PRIu64, h->limit)) < 0)
                        return hull_err_wrap(err, "%s: " RES "%s.limit", cfg, jp);
        }
        return 0;
}

/* rdma.max is the same file on v1 and v2. */
int hull_cgroup_rdma(const char *dir, const struct hull_cgroup_resources *res, const char *cfg,
                     struct hull_err *err)
{
        for (size_t i = 0; i < res->n_rdma; i++) {
                const struct hull_cgroup_rdma_limit *l = &res->rdma[i];
                if (!l->has_hca_handles && !l->has_hca_objects)
                        continue;
                char h[32] = "max", o[32] = "max";
                if (l->has_hca_handles)
                        snprintf(h, sizeof(h), "%" PRIu64, l->hca_handles);
                if (l->has_hca_objects)
                        snprintf(o, sizeof(o), "%" PRIu64, l->hca_objects);
                int r = hull_cg_writef(dir, "rdma.max", err, "%s hca_handle=%s hca_object=%s",
                                       l->device, h, o);
                if (r < 0)
                        return hull_err_wrap(err, "%s: " RES ".rdma.%s", cfg, l->device);
        }
        return 0;
}

static int v2_unified(const char *dir, const struct hull_cgroup_resources *res, const char *cfg,
                      struct hull_err *err)
{
        for (size_t i = 0; i < res->n_unified; i++) {
                const char *key = res->unified[i].key;
                if (!hull_cg_exists(dir, key) && !hull_cgroup_testing())
                        return hull_err_set(err, ENOENT,
                                            "%s: " RES ".unified.%s: no such cgroup file in %s "
                                            "(is the controller available?)",
                                            cfg, key, dir);
                int r = hull_cg_write(dir, key, res->unified[i].value, err);
                if (r < 0)
                        return hull_err_wrap(err, "%s: " RES ".unified.%s", cfg, key);
        }
        return 0;
}

struct controllers {
        const char *name[16];
        char unified[16][32]; /* storage for the names taken from `unified` keys */
        size_t n;
};

static void add_ctl(struct controllers *c, const char *name, size_t len)
{
        for (size_t i = 0; i < c->n; i++)
                if (strncmp(c->name[i], name, len) == 0 && c->name[i][len] == '\0')
                        return;
        if (c->n >= HULL_ARRAY_SIZE(c->name) || len >= sizeof(c->unified[0]))
                return;
        memcpy(c->unified[c->n], name, len);
        c->unified[c->n][len] = '\0';
        c->name[c->n] = c->unified[c->n];
        c->n++;
}

/* The controllers RES needs enabled: only those, so a container without limits costs no
 * subtree_control write at all. WHAT says which parts of RES are written here. */
static void needed_controllers(const struct hull_cgroup_resources *res, unsigned what,
                               struct controllers *c)
{
        const struct hull_cgroup_cpu_res *cpu = &res->cpu;
        if (what & HULL_CGROUP_V2_CORE) {
                if (res->memory.requested)
                        add_ctl(c, "memory", 6);
                if (cpu->has_shares || cpu->has_quota || cpu->has_period || cpu->has_burst ||
                    cpu->has_idle)
                        add_ctl(c, "cpu", 3);
                if (cpu->cpus || cpu->mems)
                        add_ctl(c, "cpuset", 6);
                if (res->pids.requested)
                        add_ctl(c, "pids", 4);
                if (res->blkio.requested)
                        add_ctl(c, "io", 2);
        }
        if ((what & HULL_CGROUP_V2_HUGETLB) && res->n_hugepages)
                add_ctl(c, "hugetlb", 7);
        if ((what & HULL_CGROUP_V2_RDMA) && res->n_rdma)
                add_ctl(c, "rdma", 4);
        for (size_t i = 0; (what & HULL_CGROUP_V2_UNIFIED) && i < res->n_unified; i++) {
                /* "memory.high" needs memory; cgroup.* files are the core's own. */
                const char *key = res->unified[i].key, *dot = strchr(key, '.');
                size_t len = (size_t)(dot - key);
                if (!(len == 6 && strncmp(key, "cgroup", 6) == 0))
                        add_ctl(c, key, len);
        }
}

int hull_cgroup_v2_apply_dir(const char *dir, const char *mount, const char *path,
                             const struct hull_cgroup_resources *res, unsigned what,
                             const char *cfg, struct hull_err *err)
{
        struct controllers ctls = {.n = 0};
        int r;
        needed_controllers(res, what, &ctls);
        if (ctls.n && (r = hull_cgroup_v2_enable(mount, path, ctls.name, ctls.n, err)) < 0)
                return hull_err_wrap(err, "%s: " RES, cfg);
        if ((what & HULL_CGROUP_V2_CORE) && ((r = v2_memory(dir, &res->memory, cfg, err)) < 0 ||
                                             (r = v2_cpu(dir, &res->cpu, cfg, err)) < 0 ||
                                             (r = v2_pids(dir, &res->pids, cfg, err)) < 0 ||
                                             (r = v2_io(dir, &res->blkio, cfg, err)) < 0))
                return r;
        if (((what & HULL_CGROUP_V2_HUGETLB) &&
             (r = hull_cgroup_hugetlb(dir, res, true, cfg, err)) < 0) ||
            ((what & HULL_CGROUP_V2_RDMA) && (r = hull_cgroup_rdma(dir, res, cfg, err)) < 0) ||
            ((what & HULL_CGROUP_V2_UNIFIED) && (r = v2_unified(dir, res, cfg, err)) < 0))
                return r;
        if ((what & HULL_CGROUP_V2_CORE) && res->network.requested)
                hull_warn("%s: " RES ".network (classID, priorities) is ignored on cgroup v2", cfg);
        return 0;
}

int hull_cgroup_v2_apply(struct hull_cgroup *cg, const struct hull_cgroup_resources *res,
                         const char *cfg, struct hull_err *err)
{
        _cleanup_free_ char *dir = hull_cgroup_hier_dir(&cg->unified);
        if (!dir)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = hull_cgroup_v2_apply_dir(dir, cg->unified.mount, cg->unified.path, res,
                                         HULL_CGROUP_V2_ALL, cfg, err);
        if (r < 0)
                return r;
        if (!res->has_devices && !cg->fresh)
                return 0;
        _cleanup_free_ struct hull_cgroup_dev_rule *rules = NULL;
        size_t n = 0;
        if ((r = hull_cgroup_dev_rules(res, true, &rules, &n, err)) < 0)
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

/* `events --stats`: the cgroup counters in runc's JSON shape (types/events.go of runc): cpu,
 * memory, pids, blkio, hugetlb. Missing files (controller not enabled) leave zeros. */
#include "cgroup/cgroup_internal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"

static void set_u64(json_t *o, const char *key, uint64_t v)
{
        json_object_set_new(o, key, json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v)));
}

static uint64_t read_u64_or0(const char *dir, const char *file)
{
        uint64_t v = 0;
        if (!dir || hull_cg_read_u64(dir, file, &v, NULL) < 0)
                return 0;
        return v == UINT64_MAX ? 0 : v;
}

/* Copy every "key value" line of DIR/FILE into O. */
static void keyed_into(const char *dir, const char *file, json_t *o)
{
        _cleanup_free_ char *s = NULL;
        if (!dir || hull_cg_read(dir, file, &s, NULL) < 0)
                return;
        char *save = NULL;
        for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char key[128];
                unsigned long long v;
                if (sscanf(line, "%127s %llu", key, &v) == 2)
                        set_u64(o, key, v);
        }
}

static uint64_t keyed(const char *dir, const char *file, const char *key)
{
        uint64_t v = 0;
        if (!dir || hull_cg_read_keyed(dir, file, key, &v) < 0)
                return 0;
        return v;
}

static json_t *mem_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
        json_t *e = json_object();
        set_u64(e, "limit", limit);
        if (usage)
                set_u64(e, "usage", usage);
        if (max)
                set_u64(e, "max", max);
        set_u64(e, "failcnt", failcnt);
        return e;
}

static json_t *blk_entry(unsigned major, unsigned minor, const char *op, uint64_t v)
{
        return json_pack("{s:I, s:I, s:s, s:I}", "major", (json_int_t)major, "minor",
                         (json_int_t)minor, "op", op, "value", (json_int_t)v);
}

/* The v2 memory limit file says "max": runc reports the largest uint64 then; JSON integers
 * here are int64, so INT64_MAX stands in. */
static uint64_t limit_or_max(const char *dir, const char *file)
{
        uint64_t v = 0;
        if (!dir || hull_cg_read_u64(dir, file, &v, NULL) < 0)
                return 0;
        return v;
}

static void hugetlb_sizes(const char *dir, bool v2, json_t *out)
{
        _cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return;
        struct dirent *e;
        const char *suffix = v2 ? ".current" : ".usage_in_bytes";
        while ((e = readdir(d))) {
                char size[32], file[96];
                size_t n = strlen(e->d_name), sl = strlen(suffix);
                if (strncmp(e->d_name, "hugetlb.", 8) != 0 || n <= 8 + sl ||
                    strcmp(e->d_name + n - sl, suffix) != 0 || n - 8 - sl >= sizeof(size))
                        continue;
                memcpy(size, e->d_name + 8, n - 8 - sl);
                size[n - 8 - sl] = '\0';
                if (strchr(size, '.'))
                        continue; /* hugetlb.2MB.rsvd.current */
                json_t *h = json_object();
                set_u64(h, "usage", read_u64_or0(dir, e->d_name));
                if (v2) {
                        snprintf(file, sizeof(file), "hugetlb.%s.events", size);
                        set_u64(h, "failcnt", keyed(dir, file, "max"));
                } else {
                        snprintf(file, sizeof(file), "hugetlb.%s.max_usage_in_bytes", size);
                        uint64_t max = read_u64_or0(dir, file);
                        if (max)
                                set_u64(h, "max", max);
                        snprintf(file, sizeof(file), "hugetlb.%s.failcnt", size);
                        set_u64(h, "failcnt", read_u64_or0(dir, file));
                }
                json_object_set_new(out, size, h);
        }
}

static json_t *pids_stats(const char *dir)
{
        json_t *p = json_object();
        uint64_t cur = read_u64_or0(dir, "pids.current"), max = read_u64_or0(dir, "pids.max");
        if (cur)
                set_u64(p, "current", cur);
        if (max)
                set_u64(p, "limit", max);
        return p;
}

int hull_cgroup_v2_stats_dir(const char *dir, json_t *out, struct hull_err *err)
{
        /* cpu.stat is there without the cpu controller (usage, user, system). */
        json_t *usage = json_object(), *throttling = json_object();
        set_u64(usage, "total", keyed(dir, "cpu.stat", "usage_usec") * 1000);
        set_u64(usage, "kernel", keyed(dir, "cpu.stat", "system_usec") * 1000);
        set_u64(usage, "user", keyed(dir, "cpu.stat", "user_usec") * 1000);
        uint64_t v;
        if ((v = keyed(dir, "cpu.stat", "nr_periods")))
                set_u64(throttling, "periods", v);
        if ((v = keyed(dir, "cpu.stat", "nr_throttled")))
                set_u64(throttling, "throttledPeriods", v);
        if ((v = keyed(dir, "cpu.stat", "throttled_usec")))
                set_u64(throttling, "throttledTime", v * 1000);
        json_object_set_new(out, "cpu",
                            json_pack("{s:o, s:o}", "usage", usage, "throttling", throttling));

        json_t *mem = json_object(), *raw = json_object(), *events = json_object();
        keyed_into(dir, "memory.stat", raw);
        uint64_t cur = read_u64_or0(dir, "memory.current");
        uint64_t limit = limit_or_max(dir, "memory.max");
        uint64_t swap_cur = read_u64_or0(dir, "memory.swap.current");
        uint64_t swap_limit = limit_or_max(dir, "memory.swap.max");
        uint64_t cache = keyed(dir, "memory.stat", "file");
        if (cache)
                set_u64(mem, "cache", cache);
        json_object_set_new(mem, "usage",
                            mem_entry(limit, cur, read_u64_or0(dir, "memory.peak"),
                                      keyed(dir, "memory.events", "max")));
        /* runc reports swap as memory+swap, as v1's memsw does. */
        uint64_t sw_limit =
            (limit == UINT64_MAX || swap_limit == UINT64_MAX) ? UINT64_MAX : limit + swap_limit;
        json_object_set_new(mem, "swap", mem_entry(sw_limit, cur + swap_cur, 0, 0));
        if (json_object_size(raw))
                json_object_set(mem, "raw", raw);
        json_decref(raw);
        static const char *const ev[] = {"low", "high", "max", "oom", "oom_kill"};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(ev); i++)
                set_u64(events, ev[i], keyed(dir, "memory.events", ev[i]));
        json_object_set_new(mem, "event_count", events);
        json_object_set_new(out, "memory", mem);

        json_object_set_new(out, "pids", pids_stats(dir));

        json_t *blkio = json_object(), *bytes = json_array(), *ios = json_array();
        _cleanup_free_ char *io = NULL;
        if (hull_cg_read(dir, "io.stat", &io, NULL) == 0) {
                char *save = NULL;
                for (char *line = strtok_r(io, "\n", &save); line;
                     line = strtok_r(NULL, "\n", &save)) {
                        unsigned major, minor;
                        unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
                        if (sscanf(line, "%u:%u", &major, &minor) != 2)
                                continue;
                        for (char *f = strchr(line, ' '); f; f = strchr(f + 1, ' ')) {
                                sscanf(f, " rbytes=%llu", &rb);
                                sscanf(f, " wbytes=%llu", &wb);
                                sscanf(f, " rios=%llu", &ri);
                                sscanf(f, " wios=%llu", &wi);
                        }
                        json_array_append_new(bytes, blk_entry(major, minor, "Read", rb));
                        json_array_append_new(bytes, blk_entry(major, minor, "Write", wb));
                        json_array_append_new(ios, blk_entry(major, minor, "Read", ri));
                        json_array_append_new(ios, blk_entry(major, minor, "Write", wi));
                }
        }
        if (json_array_size(bytes))
                json_object_set(blkio, "ioServiceBytesRecursive", bytes);
        if (json_array_size(ios))
                json_object_set(blkio, "ioServicedRecursive", ios);
        json_decref(bytes);
        json_decref(ios);
        json_object_set_new(out, "blkio", blkio);

        json_t *huge = json_object();
        hugetlb_sizes(dir, true, huge);
        json_object_set_new(out, "hugetlb", huge);
        (void)err;
        return 0;
}

static char *hier_dir(struct hull_cgroup *cg, const char *controller)
{
        struct hull_cgroup_hier *h = hull_cgroup_v1_find(cg, controller);
        return h ? hull_cgroup_hier_dir(h) : NULL;
}

static void v1_blkio_list(const char *dir, const char *file, json_t *blkio, const char *key)
{
        _cleanup_free_ char *s = NULL;
        if (!dir || hull_cg_read(dir, file, &s, NULL) < 0)
                return;
        json_t *a = json_array();
        char *save = NULL;
        for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned major, minor;
                char op[16];
                unsigned long long v;
                if (sscanf(line, "%u:%u %15s %llu", &major, &minor, op, &v) == 4)
                        json_array_append_new(a, blk_entry(major, minor, op, v));
        }
        if (json_array_size(a))
                json_object_set(blkio, key, a);
        json_decref(a);
}

int hull_cgroup_v1_stats(struct hull_cgroup *cg, json_t *out, struct hull_err *err)
{
        _cleanup_free_ char *cpuacct = hier_dir(cg, "cpuacct"), *cpu = hier_dir(cg, "cpu"),
                            *memory = hier_dir(cg, "memory"), *pids = hier_dir(cg, "pids"),
                            *blkio = hier_dir(cg, "blkio"), *hugetlb = hier_dir(cg, "hugetlb");
        json_t *usage = json_object(), *throttling = json_object();
        set_u64(usage, "total", read_u64_or0(cpuacct, "cpuacct.usage"));
        _cleanup_free_ char *percpu = NULL;
        if (cpuacct && hull_cg_read(cpuacct, "cpuacct.usage_percpu", &percpu, NULL) == 0) {
                json_t *a = json_array();
                char *p = percpu, *end;
                for (unsigned long long v; (v = strtoull(p, &end, 10)), end != p; p = end)
                        json_array_append_new(a, json_integer((json_int_t)v));
                json_object_set_new(usage, "percpu", a);
        }
        /* cpuacct.stat counts in USER_HZ ticks. */
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
        set_u64(usage, "kernel", keyed(cpuacct, "cpuacct.stat", "system") * ns_per_tick);
        set_u64(usage, "user", keyed(cpuacct, "cpuacct.stat", "user") * ns_per_tick);
        uint64_t v;
        if ((v = keyed(cpu, "cpu.stat", "nr_periods")))
                set_u64(throttling, "periods", v);
        if ((v = keyed(cpu, "cpu.stat", "nr_throttled")))
                set_u64(throttling, "throttledPeriods", v);
        if ((v = keyed(cpu, "cpu.stat", "throttled_time")))
                set_u64(throttling, "throttledTime", v);
        json_object_set_new(out, "cpu",
                            json_pack("{s:o, s:o}", "usage", usage, "throttling", throttling));

        json_t *mem = json_object(), *raw = json_object(), *events = json_object();
        keyed_into(memory, "memory.stat", raw);
        uint64_t cache = keyed(memory, "memory.stat", "cache");
        if (cache)
                set_u64(mem, "cache", cache);
        static const char *const kinds[][2] = {
            {"usage", "memory"},
            {"swap", "memory.memsw"},
            {"kernel", "memory.kmem"},
            {"kernelTCP", "memory.kmem.tcp"},
        };
        for (size_t i = 0; i < HULL_ARRAY_SIZE(kinds); i++) {
                char f[4][64];
                snprintf(f[0], sizeof(f[0]), "%s.limit_in_bytes", kinds[i][1]);
                snprintf(f[1], sizeof(f[1]), "%s.usage_in_bytes", kinds[i][1]);
                snprintf(f[2], sizeof(f[2]), "%s.max_usage_in_bytes", kinds[i][1]);
                snprintf(f[3], sizeof(f[3]), "%s.failcnt", kinds[i][1]);
                json_object_set_new(
                    mem, kinds[i][0],
                    mem_entry(limit_or_max(memory, f[0]), read_u64_or0(memory, f[1]),
                              read_u64_or0(memory, f[2]), read_u64_or0(memory, f[3])));
        }
        if (json_object_size(raw))
                json_object_set(mem, "raw", raw);
        json_decref(raw);
        set_u64(events, "oom_kill", keyed(memory, "memory.oom_control", "oom_kill"));
        set_u64(events, "oom", keyed(memory, "memory.oom_control", "oom_kill"));
        json_object_set_new(mem, "event_count", events);
        json_object_set_new(out, "memory", mem);

        json_object_set_new(out, "pids", pids_stats(pids));

        json_t *b = json_object();
        v1_blkio_list(blkio, "blkio.throttle.io_service_bytes_recursive", b,
                      "ioServiceBytesRecursive");
        v1_blkio_list(blkio, "blkio.throttle.io_serviced_recursive", b, "ioServicedRecursive");
        json_object_set_new(out, "blkio", b);

        json_t *huge = json_object();
        if (hugetlb) {
                hugetlb_sizes(hugetlb, false, huge);
        } else if (cg->unified.mount) {
                _cleanup_free_ char *u = hull_cgroup_hier_dir(&cg->unified);
                hugetlb_sizes(u, true, huge);
        }
        json_object_set_new(out, "hugetlb", huge);
        (void)err;
        return 0;
}

/* Pure conversions between the OCI resource values and the cgroup files, kept apart so the unit
 * tests can pin them down. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* hullc links no libm: natural log and exp for the one formula below, exact to ~1e-15. */
#define LN2 0.69314718055994530942
#define LN10 2.30258509299404568402

static double ln_u64(uint64_t x)
{
        int e = 63 - __builtin_clzll(x);
        double m = (double)x / (double)(1ULL << e); /* [1, 2) */
        double z = (m - 1.0) / (m + 1.0), z2 = z * z, term = z, sum = 0.0;
        for (int k = 0; k < 40; k++) {
                sum += term / (2 * k + 1);
                term *= z2;
        }
        return e * LN2 + 2.0 * sum;
}

static double exp_pos(double x)
{
        int n = (int)(x / LN2);
        double r = x - n * LN2, term = 1.0, sum = 1.0;
        for (int k = 1; k < 30; k++) {
                term *= r / k;
                sum += term;
        }
        return sum * (double)(1ULL << n);
}

/* cpu.shares [2..262144] (default 1024) -> cpu.weight [1..10000] (default 100). The mapping
 * runc (>= 1.3.2, via opencontainers/cgroups) and crun (>= 1.23) use: quadratic in log space,
 * so that 2 -> 1, 1024 -> 100 and 262144 -> 10000:
 *   weight = ceil(10^((L^2 + 125 L) / 612 - 7/34)),  L = log2(shares). */
uint64_t hull_cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0; /* unset */
        if (shares <= 2)
                return 1;
        if (shares >= 262144)
                return 10000;
        double l = ln_u64(shares) / LN2;
        double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
        double v = exp_pos(exponent * LN10);
        uint64_t w = (uint64_t)v;
        /* Exact powers (1024 -> 100.0000000001 in floating point) must not round up. */
        if (v - (double)w > 1e-9 && (double)(w + 1) - v > 1e-9)
                w++;
        else if ((double)(w + 1) - v <= 1e-9)
                w++;
        if (w < 1)
                w = 1;
        if (w > 10000)
                w = 10000;
        return w;
}

/* blkio.weight [10..1000] -> io.weight [1..10000], linear (as runc and crun do). */
uint64_t hull_cgroup_blkio_to_io_weight(uint64_t weight)
{
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        if (weight > 1000)
                weight = 1000;
        return 1 + (weight - 10) * 9999 / 990;
}

int hull_cgroup_swap_to_v2(int64_t swap, bool has_limit, int64_t limit, int64_t *ret,
                           const char *cfg, struct hull_err *err)
{
        /* OCI's swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone. */
        if (swap == -1) {
                *ret = -1;
                return 0;
        }
        if (swap == 0)
                return 1; /* unset */
        if (swap < 0)
                return hull_err_set(err, EINVAL,
                                    "%s: .linux.resources.memory.swap: invalid value %" PRId64, cfg,
                                    swap);
        if (!has_limit || limit <= 0)
                return hull_err_set(err, EINVAL,
                                    "%s: .linux.resources.memory.swap: a swap limit needs a "
                                    "memory limit (.linux.resources.memory.limit)",
                                    cfg);
        if (swap < limit)
                return hull_err_set(err, EINVAL,
                                    "%s: .linux.resources.memory.swap: %" PRId64
                                    " is memory+swap and must be >= the memory limit %" PRId64,
                                    cfg, swap, limit);
        *ret = swap - limit;
        return 0;
}

int hull_cgroup_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period,
                        const char *cur, char *buf, size_t size)
{
        char cur_quota[32] = "max";
        uint64_t cur_period = 100000;
        if (cur) {
                char q[32];
                unsigned long long p;
                if (sscanf(cur, "%31s %llu", q, &p) == 2) {
                        snprintf(cur_quota, sizeof(cur_quota), "%s", q);
                        cur_period = p;
                }
        }
        if (!has_period || period == 0)
                period = cur_period;
        char qbuf[32];
        if (!has_quota)
                snprintf(qbuf, sizeof(qbuf), "%s", cur_quota);
        else if (quota <= 0)
                snprintf(qbuf, sizeof(qbuf), "max");
        else
                snprintf(qbuf, sizeof(qbuf), "%" PRId64, quota);
        int n = snprintf(buf, size, "%s %" PRIu64, qbuf, period);
        return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

const char *hull_cgroup_fmt_limit(int64_t v, char buf[32])
{
        if (v < 0)
                return "max";
        snprintf(buf, 32, "%" PRId64, v);
        return buf;
}

int hull_cgroup_hugepage_name(const char *size, char *buf, size_t bufsize)
{
        /* The kernel names the files hugetlb.2MB.*, hugetlb.1GB.*, hugetlb.64KB.*. */
        size_t n = strlen(size);
        if (n < 3 || n + 1 > bufsize)
                return -EINVAL;
        size_t i = 0;
        while (i < n && size[i] >= '0' && size[i] <= '9')
                i++;
        if (i == 0 || size[0] == '0')
                return -EINVAL;
        const char *unit = size + i;
        if (strcmp(unit, "KB") != 0 && strcmp(unit, "MB") != 0 && strcmp(unit, "GB") != 0 &&
            strcmp(unit, "TB") != 0 && strcmp(unit, "PB") != 0)
                return -EINVAL;
        memcpy(buf, size, n + 1);
        return 0;
}

/* Shared between the cgroup files: the in-memory cgroup, the driver table, and small helpers
 * for reading and writing cgroupfs files. Not for use outside src/cgroup/. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/error.h"
#include "cgroup/cgroup.h"
#include "cgroup/cgroup_resources.h"

/* One hierarchy the container has a cgroup in. */
struct hull_cgroup_hier {
        char *controllers; /* v1: "memory", "cpu,cpuacct", "name=systemd"; unified: "" */
        char *mount;       /* where it is mounted, "/sys/fs/cgroup/memory" */
        char *path;        /* the container's cgroup, relative to the mount: "/hullc/ID" */
        int parents;       /* parent directories hull created above it (destroy removes them) */
};

struct hull_cgroup_driver;

struct hull_cgroup {
        enum hull_cgroup_layout layout;
        const struct hull_cgroup_driver *driver;
        struct hull_cgroup_hier *v1; /* v1 and hybrid */
        size_t n_v1;
        struct hull_cgroup_hier unified; /* v2 and hybrid; mount NULL when absent */
        int unified_fd;                  /* O_DIRECTORY fd of the unified cgroup, or -1 */
        bool fresh;    /* created by this process: first apply sets the default device rules */
        bool disabled; /* rootless and not allowed to create cgroups: a no-op cgroup */
};

/* Each layout's behaviour. Hybrid uses the v1 driver, which also handles the unified dir. */
struct hull_cgroup_driver {
        int (*enter)(struct hull_cgroup *cg, pid_t pid, struct hull_err *err);
        /* Write RES (parsed and checked already); CFG names the config in messages. */
        int (*apply)(struct hull_cgroup *cg, const struct hull_cgroup_resources *res,
                     const char *cfg, struct hull_err *err);
        int (*kill)(struct hull_cgroup *cg, int sig, struct hull_err *err);
        int (*pids)(struct hull_cgroup *cg, pid_t **ret, size_t *ret_n, struct hull_err *err);
        int (*freeze)(struct hull_cgroup *cg, bool frozen, struct hull_err *err);
        int (*is_frozen)(struct hull_cgroup *cg);
        int (*stats)(struct hull_cgroup *cg, json_t **ret, struct hull_err *err);
};

extern const struct hull_cgroup_driver hull_cgroup_v1_driver, hull_cgroup_v2_driver;

/* ---- cgroup_fs.c: files in cgroupfs ---- */

/* True when a test redirected the mount table (files may then be created by writes). */
bool hull_cgroup_testing(void);

/* "<mount><path>" (malloc'd). */
char *hull_cgroup_hier_dir(const struct hull_cgroup_hier *h);
/* Read DIR/FILE whole (NUL-terminated, trailing newline kept). */
int hull_cg_read(const char *dir, const char *file, char **ret, struct hull_err *err);
/* Write S to DIR/FILE. The message names the file and the value. */
int hull_cg_write(const char *dir, const char *file, const char *s, struct hull_err *err);
int hull_cg_writef(const char *dir, const char *file, struct hull_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Read DIR/FILE as one unsigned number; "max" gives UINT64_MAX. */
int hull_cg_read_u64(const char *dir, const char *file, uint64_t *ret, struct hull_err *err);
/* Value of KEY in a "key value" file (memory.stat, cgroup.events); -ENOENT if absent. */
int hull_cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);
bool hull_cg_exists(const char *dir, const char *file);
/* Append the pids in DIR/cgroup.procs to *pids. */
int hull_cg_read_procs(const char *dir, pid_t **pids, size_t *n, struct hull_err *err);

/* mkdir every missing component of PATH below MOUNT (the leaf may exist already);
 * *ret_parents counts the parents created just above the leaf. FIXUP, if set, runs on each
 * directory created, parent first (v1 cpuset needs its cpus and mems). */
int hull_cg_mkdir(const char *mount, const char *path, int *ret_parents,
                  int (*fixup)(const char *dir, struct hull_err *err), struct hull_err *err);
/* rmdir the leaf (retrying briefly while processes exit) and then up to PARENTS parents
 * while they are empty. A missing leaf counts as done. */
int hull_cg_rmdir(const char *mount, const char *path, int parents, struct hull_err *err);

/* Append every pid below DIR (sub-cgroups the container made included). */
int hull_cg_read_procs_tree(const char *dir, pid_t **pids, size_t *n, int depth,
                            struct hull_err *err);

/* ---- cgroup_v2.c ---- */

/* Make CTLS available in MOUNT/PATH: "+ctl" in the subtree_control of every ancestor that
 * lacks it. One read when they are there already. */
int hull_cgroup_v2_enable(const char *mount, const char *path, const char *const *ctls, size_t n,
                          struct hull_err *err);
/* cgroup.freeze and wait for cgroup.events to agree. */
int hull_cgroup_v2_freeze_dir(const char *dir, bool frozen, struct hull_err *err);

/* ---- cgroup_stats.c ---- */

/* Fill OUT (runc's events --stats "data" object) from a v2 directory / the v1 hierarchies. */
int hull_cgroup_v2_stats_dir(const char *dir, json_t *out, struct hull_err *err);
int hull_cgroup_v1_stats(struct hull_cgroup *cg, json_t *out, struct hull_err *err);

/* ---- cgroup_paths.c: mount table and path logic ---- */

struct hull_cgroup_mounts {
        enum hull_cgroup_layout layout;
        struct hull_cgroup_hier *v1; /* path: the calling process's cgroup there */
        size_t n_v1;
        struct hull_cgroup_hier unified; /* mount NULL when none */
};

int hull_cgroup_mounts_load(struct hull_cgroup_mounts *ret, struct hull_err *err);
void hull_cgroup_mounts_clear(struct hull_cgroup_mounts *m);
/* Parse mountinfo and /proc/self/cgroup text (exposed for the unit tests). */
int hull_cgroup_mounts_parse(const char *mountinfo, const char *self_cgroup,
                             struct hull_cgroup_mounts *ret, struct hull_err *err);
/* The container's cgroup path in a hierarchy whose own cgroup is SELF: CGROUPS_PATH absolute
 * (relative to the hierarchy root), relative (to SELF), or NULL (default from ID). Rejects
 * "..". Returns a cleaned malloc'd absolute path in *ret. */
int hull_cgroup_resolve_path(const char *cgroups_path, const char *id, const char *self, char **ret,
                             struct hull_err *err);

void hull_cgroup_hier_clear(struct hull_cgroup_hier *h);
/* v1 hierarchy holding CONTROLLER ("memory", "name=systemd"), or NULL. */
struct hull_cgroup_hier *hull_cgroup_v1_find(struct hull_cgroup *cg, const char *controller);

/* ---- cgroup_convert.c: pure conversions (unit tested) ---- */

uint64_t hull_cgroup_shares_to_weight(uint64_t shares);
/* blkio weight [10..1000] -> io.weight [1..10000]; 0 stays 0. */
uint64_t hull_cgroup_blkio_to_io_weight(uint64_t weight);
/* memory.swap.max from OCI swap (memory+swap) and limit; *ret -1 means "max". -EINVAL with a
 * message when they do not fit; 1 when nothing should be written. */
int hull_cgroup_swap_to_v2(int64_t swap, bool has_limit, int64_t limit, int64_t *ret,
                           const char *cfg, struct hull_err *err);
/* cpu.max line for QUOTA/PERIOD (has_* say which were given; CUR is the present line). */
int hull_cgroup_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period,
                        const char *cur, char *buf, size_t size);
/* "max" for < 0, else the number. */
const char *hull_cgroup_fmt_limit(int64_t v, char buf[32]);
/* Page size as the spec writes it ("2MB", "1GB", "64KB") -> the kernel's file infix. */
int hull_cgroup_hugepage_name(const char *size, char *buf, size_t bufsize);

/* ---- cgroup_v1_apply.c, cgroup_v2_apply.c: parsed resources to cgroup files ---- */

int hull_cgroup_v1_apply(struct hull_cgroup *cg, const struct hull_cgroup_resources *res,
                         const char *cfg, struct hull_err *err);
int hull_cgroup_v2_apply(struct hull_cgroup *cg, const struct hull_cgroup_resources *res,
                         const char *cfg, struct hull_err *err);

/* The parts of linux.resources hull_cgroup_v2_apply_dir writes: all of them on pure v2; on the
 * hybrid layout the `unified` keys and the controllers v1 lacks (hugetlb, rdma on some
 * kernels). */
#define HULL_CGROUP_V2_CORE (1u << 0) /* memory, cpu, pids, io; the warning about network */
#define HULL_CGROUP_V2_HUGETLB (1u << 1)
#define HULL_CGROUP_V2_RDMA (1u << 2)
#define HULL_CGROUP_V2_UNIFIED (1u << 3)
#define HULL_CGROUP_V2_ALL                                                                         \
        (HULL_CGROUP_V2_CORE | HULL_CGROUP_V2_HUGETLB | HULL_CGROUP_V2_RDMA |                      \
         HULL_CGROUP_V2_UNIFIED)
int hull_cgroup_v2_apply_dir(const char *dir, const char *mount, const char *path,
                             const struct hull_cgroup_resources *res, unsigned what,
                             const char *cfg, struct hull_err *err);

/* Shared by both drivers (in cgroup_v2_apply.c): memory.checkBeforeUpdate against USAGE_FILE
 * (memory.current, memory.usage_in_bytes), hugepageLimits and rdma. */
int hull_cgroup_check_memory_usage(const char *dir, const char *usage_file,
                                   const struct hull_cgroup_memory_res *m, const char *cfg,
                                   struct hull_err *err);
int hull_cgroup_hugetlb(const char *dir, const struct hull_cgroup_resources *res, bool v2,
                        const char *cfg, struct hull_err *err);
int hull_cgroup_rdma(const char *dir, const struct hull_cgroup_resources *res, const char *cfg,
                     struct hull_err *err);

/* ---- cgroup_devices.c ---- */

/* The rules to enforce: RES's devices list (or, without one, "deny all") plus, when
 * WITH_DEFAULTS, the default allow list appended (as runc does). */
int hull_cgroup_dev_rules(const struct hull_cgroup_resources *res, bool with_defaults,
                          struct hull_cgroup_dev_rule **ret, size_t *ret_n, struct hull_err *err);
/* "c 1:3 rwm" */
void hull_cgroup_dev_rule_fmt(const struct hull_cgroup_dev_rule *r, char *buf, size_t size);
int hull_cgroup_v1_devices(const char *dir, const struct hull_cgroup_dev_rule *rules, size_t n,
                           struct hull_err *err);
/* Whether DIR/devices.list already matches RULES (then an update need not rewrite it). */
bool hull_cgroup_v1_devices_same(const char *dir, const struct hull_cgroup_dev_rule *rules,
                                 size_t n);
/* Build the BPF_PROG_TYPE_CGROUP_DEVICE program (exposed for tests): *ret malloc'd insns. */
int hull_cgroup_dev_bpf_build(const struct hull_cgroup_dev_rule *rules, size_t n, void **ret,
                              size_t *ret_count);
/* Load, attach to the cgroup dir fd, and detach the program(s) it replaces. */
int hull_cgroup_v2_devices(int dirfd, const struct hull_cgroup_dev_rule *rules, size_t n,
                           struct hull_err *err);

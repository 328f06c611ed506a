/* One cgroup interface for the runtime, with a driver per layout (v2, v1, hybrid). The runtime
 * calls only these; drivers live in cgroup_v1.c / cgroup_v2.c behind a table of functions. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/error.h"

enum hull_cgroup_layout {
        HULL_CGROUP_LAYOUT_V2,     /* pure cgroup2 at /sys/fs/cgroup */
        HULL_CGROUP_LAYOUT_V1,     /* v1 controllers only */
        HULL_CGROUP_LAYOUT_HYBRID, /* v1 controllers + cgroup2 (no controllers) for tracking */
};

struct hull_cgroup; /* opaque */

/* Detect the host layout from /proc/self/mountinfo (cached). */
int hull_cgroup_detect(enum hull_cgroup_layout *ret, struct hull_err *err);

/* Create the container's cgroup(s) for CGROUPS_PATH (linux.cgroupsPath; NULL means a default
 * derived from ID). Nothing is in them yet. On failure nothing is left behind. */
int hull_cgroup_create(const char *id, const char *cgroups_path, bool rootless,
                       struct hull_cgroup **ret, struct hull_err *err);

/* On v2: an O_DIRECTORY fd of the unified cgroup for clone3(CLONE_INTO_CGROUP), else -1.
 * Owned by cg. */
int hull_cgroup_clone_fd(struct hull_cgroup *cg);

/* Move PID into every hierarchy of the container's cgroup. */
int hull_cgroup_enter(struct hull_cgroup *cg, pid_t pid, struct hull_err *err);

/* Apply linux.resources (the JSON object; NULL: nothing). CONFIG_NAME is for messages. Used by
 * create and by update (where RESOURCES holds only what changes). */
int hull_cgroup_apply(struct hull_cgroup *cg, json_t *resources, const char *config_name,
                      struct hull_err *err);

/* Serialise for the state file / restore from it. */
json_t *hull_cgroup_to_json(const struct hull_cgroup *cg);
int hull_cgroup_from_json(json_t *saved, struct hull_cgroup **ret, struct hull_err *err);

/* Signal every process in the cgroup (cgroup.kill on v2 for SIGKILL). */
int hull_cgroup_kill(struct hull_cgroup *cg, int sig, struct hull_err *err);
/* The pids in the cgroup (malloc'd array). */
int hull_cgroup_pids(struct hull_cgroup *cg, pid_t **ret, size_t *ret_n, struct hull_err *err);
int hull_cgroup_freeze(struct hull_cgroup *cg, bool frozen, struct hull_err *err);
/* 1 frozen, 0 not, <0 error. */
int hull_cgroup_is_frozen(struct hull_cgroup *cg);

/* Stats in runc's `events --stats` JSON shape ({"cpu":..,"memory":..,"pids":..,...}). */
int hull_cgroup_stats(struct hull_cgroup *cg, json_t **ret, struct hull_err *err);

/* Remove the cgroup directories on every hierarchy (they must be empty; waits briefly for
 * exiting processes). Idempotent. */
int hull_cgroup_destroy(struct hull_cgroup *cg, struct hull_err *err);
void hull_cgroup_free(struct hull_cgroup *cg);
static inline void hull_cgroup_freep(struct hull_cgroup **cg)
{
        hull_cgroup_free(*cg);
        *cg = NULL;
}

/* The parent of the default cgroups ("/hullc/<id>"), owned by hull: destroy removes it once it
 * is empty. */
#define HULL_CGROUP_DEFAULT_PARENT "hullc"

/* Tests: read the mount table and the caller's cgroups from these files instead of
 * /proc/self/mountinfo and /proc/self/cgroup (NULL, NULL: back to /proc). While set, writes
 * may create files, so a plain directory tree can stand in for cgroupfs. */
int hull_cgroup_set_root_for_tests(const char *mountinfo_path, const char *self_cgroup_path);

/* The container's cgroup path inside the hierarchy ("/hullc/ID"; on v1 the memory
 * hierarchy's, or the first one's). Borrowed from CG; NULL for a no-op cgroup. */
const char *hull_cgroup_path(const struct hull_cgroup *cg);
/* The layout CG was created for. */
enum hull_cgroup_layout hull_cgroup_layout_of(const struct hull_cgroup *cg);

/* OOM kills so far in the container's cgroup (memory.events "oom_kill" on v2,
 * memory.oom_control "oom_kill" on v1); 0 without a memory controller. */
int hull_cgroup_oom_kills(struct hull_cgroup *cg, uint64_t *ret, struct hull_err *err);
/* An fd that polls readable (POLLIN) when the memory controller reports an event: inotify on
 * memory.events (v2), an eventfd registered through cgroup.event_control for
 * memory.oom_control (v1). After it fires, hull_cgroup_event_drain() it and re-read the
 * counters. The caller closes it. -ENOTSUP without a memory controller. */
int hull_cgroup_memory_event_fd(struct hull_cgroup *cg, struct hull_err *err);
void hull_cgroup_event_drain(int fd);

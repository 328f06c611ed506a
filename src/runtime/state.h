/* The runtime's state store: one directory per container under --root, holding state.json
 * (written atomically) and exec.fifo while the container is created but not started. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>
#include "base/error.h"
#include "oci/state.h"

#define HULL_STATE_FILE "state.json"
#define HULL_EXEC_FIFO "exec.fifo"
/* The cgroup (hull_cgroup_to_json) of a container being created, written before the clone. */
#define HULL_CREATE_CGROUP_FILE "cgroup.json"

struct hull_state {
        char *id;
        pid_t pid;
        unsigned long long start_time; /* field 22 of /proc/PID/stat, guards against pid reuse */
        char *bundle;
        char *rootfs;
        char *created; /* RFC 3339 */
        uid_t owner;
        json_t *annotations; /* owned, may be NULL */
        json_t *cgroup;      /* owned: hull_cgroup_to_json, may be NULL */
        json_t *config;      /* owned: bits later verbs need (hooks, ...), may be NULL */
};

/* Open (creating if needed, mode 0700) the state root directory. */
int hull_state_root_open(const char *root, struct hull_err *err);
/* Create ROOTFD/ID and lock it exclusively; -EEXIST with a clear message if it exists. */
int hull_state_dir_create(int rootfd, const char *id, struct hull_err *err);
/* Open ROOTFD/ID and flock it (exclusive or shared, waiting). -ENOENT: "container does not
 * exist". */
int hull_state_dir_open(int rootfd, const char *id, bool exclusive, struct hull_err *err);
int hull_state_save(int dirfd, const struct hull_state *st, struct hull_err *err);
/* -ENOENT if state.json is absent (a create in progress or one that crashed). */
int hull_state_load(int dirfd, const char *id, struct hull_state **ret, struct hull_err *err);
void hull_state_free(struct hull_state *st);
static inline void hull_state_freep(struct hull_state **st)
{
        hull_state_free(*st);
        *st = NULL;
}
/* Remove ROOTFD/ID entirely. */
int hull_state_dir_remove(int rootfd, const char *id, struct hull_err *err);

/* Start time of PID from /proc (0 if it does not exist or is a zombie). */
unsigned long long hull_proc_start_time(pid_t pid);
/* Whether the process recorded in ST is still the one we started (and not a zombie). */
bool hull_state_process_alive(const struct hull_state *st);
/* created / running / paused / stopped, derived from the process, the fifo and the freezer. */
enum hull_status hull_state_status(int dirfd, const struct hull_state *st);
/* A pidfd for the recorded process, verified against the start time; -ESRCH if gone. */
int hull_state_pidfd(const struct hull_state *st);

/* The OCI state JSON for ST with STATUS. */
json_t *hull_state_to_oci(const struct hull_state *st, enum hull_status status);
/* "2026-11-29T19:40:00.123456789Z" for now. */
char *hull_now_rfc3339(void);

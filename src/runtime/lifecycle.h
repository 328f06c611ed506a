/* Internal interface between the lifecycle verbs (create/start in lifecycle.c, the others in
 * control.c, run in run.c). */
#pragma once
#include <stdbool.h>
#include "runtime/container.h"
#include "runtime/spawn.h"
#include "runtime/state.h"

/* A container this process has just created (its init is our child). */
struct hull_created {
        struct hull_spawn sp;
        struct hull_oci_config *config;
        char *bundle;
        char *rootfs;
        int root_fd; /* the state root */
        bool own_state_dir;
};

int hull_created_init(struct hull_created *cr);
/* create, keeping the child's pidfd and the config for the caller (run). */
int hull_container_create_keep(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                               struct hull_created *cr, struct hull_err *err);
void hull_created_done(struct hull_created *cr);

/* Open the state root and the container's state directory (locked) and load its state.
 * When RET_ROOT_FD is given and state.json is missing (a crashed create), the directories are
 * still returned, *RET is NULL and the result is -ENOENT. */
int hull_container_open(const struct hull_runtime *rt, const char *id, bool exclusive,
                        int *ret_root_fd, int *ret_dir_fd, struct hull_state **ret,
                        struct hull_err *err);
/* Wait up to TIMEOUT_MS for the process behind PIDFD to exit. */
int hull_wait_pidfd(int pidfd, int timeout_ms);

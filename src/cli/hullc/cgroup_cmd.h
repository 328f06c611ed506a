/* What the cgroup commands (update, pause, resume, events, ps) share: the container's state
 * and its cgroup, loaded under the container's lock. */
#pragma once
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include "base/cleanup.h"
#include "cgroup/cgroup.h"
#include "cli/hullc/cli.h"
#include "runtime/lifecycle.h"
#include "runtime/state.h"

/* Defined in pause.c, update.c, events.c, ps.c (also to be listed in cli.h). */
extern const struct hull_cli_command hull_cmd_pause, hull_cmd_resume, hull_cmd_update,
    hull_cmd_events, hull_cmd_ps;

struct hull_cli_cgroup {
        int dir_fd; /* the state directory, locked */
        struct hull_state *st;
        struct hull_cgroup *cg;
        enum hull_status status;
};

/* Open container ID (locked: EXCLUSIVE or shared) and its cgroup. -ENOENT with "container ID
 * does not exist"; -ENOTSUP when it has no cgroup (state saved without one). */
static inline int hull_cli_cgroup_open(struct hull_cli_ctx *ctx, const char *id, bool exclusive,
                                       struct hull_cli_cgroup *ret, struct hull_err *err)
{
        *ret = (struct hull_cli_cgroup){.dir_fd = -EBADF};
        int r = hull_container_open(&ctx->rt, id, exclusive, NULL, &ret->dir_fd, &ret->st, err);
        if (r < 0)
                return r;
        ret->status = hull_state_status(ret->dir_fd, ret->st);
        if (!ret->st->cgroup)
                return hull_err_set(err, ENOTSUP, "container %s has no cgroup", id);
        return hull_cgroup_from_json(ret->st->cgroup, &ret->cg, err);
}

static inline void hull_cli_cgroup_close(struct hull_cli_cgroup *c)
{
        hull_cgroup_free(c->cg);
        hull_state_free(c->st);
        if (c->dir_fd >= 0)
                close(c->dir_fd);
        *c = (struct hull_cli_cgroup){.dir_fd = -EBADF};
}

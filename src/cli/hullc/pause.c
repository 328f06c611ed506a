/* `hullc pause` and `hullc resume`: freeze and thaw every process of a container through its
 * cgroup (freezer.state on v1, cgroup.freeze on v2). */
#include "cli/hullc/cgroup_cmd.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static int freeze_run(struct hull_cli_ctx *ctx, const struct hull_cli_command *cmd, bool frozen,
                      int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        _cleanup_(hull_cli_cgroup_close) struct hull_cli_cgroup c = {.dir_fd = -EBADF};
        const struct hull_cli_spec spec = {.cmd = cmd, .min_args = 1, .max_args = 1};
        struct hull_err err = {0};
        int r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        const char *id = args.argv[0];
        r = hull_cli_check_id(ctx, id);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (hull_cli_cgroup_open(ctx, id, true, &c, &err) < 0)
                return hull_cli_fail(ctx, &err);
        if (frozen && c.status != HULL_STATUS_RUNNING && c.status != HULL_STATUS_CREATED) {
                hull_err_set(&err, EINVAL, "container %s is not running (it is %s)", id,
                             hull_status_to_string(c.status));
                return hull_cli_fail(ctx, &err);
        }
        if (!frozen && c.status != HULL_STATUS_PAUSED) {
                hull_err_set(&err, EINVAL, "container %s is not paused (it is %s)", id,
                             hull_status_to_string(c.status));
                return hull_cli_fail(ctx, &err);
        }
        if (hull_cgroup_freeze(c.cg, frozen, &err) < 0) {
                hull_err_wrap(&err, "%s %s", frozen ? "pause" : "resume", id);
                return hull_cli_fail(ctx, &err);
        }
        return 0;
}

static int pause_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        return freeze_run(ctx, &hull_cmd_pause, true, argc, argv);
}

static int resume_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        return freeze_run(ctx, &hull_cmd_resume, false, argc, argv);
}

const struct hull_cli_command hull_cmd_pause = {
    .name = "pause",
    .summary = "pause suspends all processes inside the container",
    .usage = "NAME:\n"
             "   hullc pause - pause suspends all processes inside the container\n"
             "\n"
             "USAGE:\n"
             "   hullc pause <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the container instance to be paused.\n"
             "\n"
             "DESCRIPTION:\n"
             "   The pause command suspends all processes in the instance of the container.\n"
             "Use hullc list to identify instances of containers and their current status.\n",
    .run = pause_run,
};

const struct hull_cli_command hull_cmd_resume = {
    .name = "resume",
    .summary = "resumes all processes that have been previously paused",
    .usage = "NAME:\n"
             "   hullc resume - resumes all processes that have been previously paused\n"
             "\n"
             "USAGE:\n"
             "   hullc resume <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the container instance to be resumed.\n"
             "\n"
             "DESCRIPTION:\n"
             "   The resume command resumes all processes in the instance of the container.\n"
             "Use hullc list to identify instances of containers and their current status.\n",
    .run = resume_run,
};

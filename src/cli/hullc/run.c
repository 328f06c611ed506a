/* `hullc run`: create and start a container; unless detached, wait for it and exit with its
 * status. */
#include "base/log.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static int run_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        struct hull_create_opts o = {0};
        bool detach = false, no_subreaper = false;
        const struct hull_cli_opt opts[] = {
            HULL_CLI_CREATE_OPTIONS(&o),
            {"detach", 'd', HULL_CLI_OPT_BOOL, &detach},
            {"keep", 0, HULL_CLI_OPT_BOOL, &o.keep},
            {"no-subreaper", 0, HULL_CLI_OPT_BOOL, &no_subreaper},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_run,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 1,
            .max_args = 1,
        };
        struct hull_err err = {0};
        int status = 0;
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        r = hull_cli_create_opts_prepare(ctx, &args, &o);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (no_subreaper)
                hull_debug("--no-subreaper: accepted, nothing to do");
        if (hull_container_run(&ctx->rt, &o, detach, &status, &err) < 0)
                return hull_cli_fail(ctx, &err);
        return detach ? 0 : status;
}

const struct hull_cli_command hull_cmd_run = {
    .name = "run",
    .summary = "create and run a container",
    .usage = "NAME:\n"
             "   hullc run - create and run a container\n"
             "\n"
             "USAGE:\n"
             "   hullc run [command options] <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the new container instance; it must be\n"
             "unique among the containers of the state root (--root).\n"
             "\n"
             "DESCRIPTION:\n"
             "   The run command creates a container from a bundle (a directory holding\n"
             "\"config.json\" and a root filesystem) and starts it: \"hullc create\"\n"
             "followed by \"hullc start\". Unless --detach is given it waits for the\n"
             "container, forwarding signals to it, deletes it (unless --keep) and exits\n"
             "with its exit status (128 + the signal number when a signal killed it).\n"
             "\n"
             "OPTIONS:\n" HULL_CLI_CREATE_OPTIONS_HELP
             "   --detach, -d              detach from the container's process\n"
             "   --keep                    keep the container's state directory and cgroup\n"
             "                             after it exits (\"hullc delete\" removes them)\n"
             "   --no-subreaper            accepted for runc compatibility; no effect\n",
    .run = run_run,
};

/* `hullc delete`: release everything a container holds (state, cgroup, processes with
 * --force). */
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static int delete_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        bool force = false;
        const struct hull_cli_opt opts[] = {
            {"force", 'f', HULL_CLI_OPT_BOOL, &force},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_delete,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 1,
            .max_args = 1,
        };
        struct hull_err err = {0};
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        r = hull_cli_check_id(ctx, args.argv[0]);
        if (r != HULL_CLI_CONTINUE)
                return r;
        r = hull_container_delete(&ctx->rt, args.argv[0], force, &err);
        /* runc: `delete --force` of a container that does not exist succeeds, so cleanup paths
         * in callers can run it unconditionally. */
        if (r == -ENOENT && force)
                return 0;
        if (r < 0)
                return hull_cli_fail(ctx, &err);
        return 0;
}

const struct hull_cli_command hull_cmd_delete = {
    .name = "delete",
    .summary = "delete any resources held by the container often used with detached "
               "container",
    .usage = "NAME:\n"
             "   hullc delete - delete any resources held by the container often used with\n"
             "   detached container\n"
             "\n"
             "USAGE:\n"
             "   hullc delete [command options] <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the container instance.\n"
             "\n"
             "EXAMPLE:\n"
             "If the container id is \"ubuntu01\" and \"hullc list\" shows it as stopped,\n"
             "the following removes it and everything it holds:\n"
             "\n"
             "       # hullc delete ubuntu01\n"
             "\n"
             "OPTIONS:\n"
             "   --force, -f  forcibly delete the container if it is still running (uses\n"
             "                SIGKILL)\n",
    .run = delete_run,
};

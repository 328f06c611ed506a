/* `hullc create`: create a container from a bundle and leave it waiting for `start`. */
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static int create_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        struct hull_create_opts o = {0};
        const struct hull_cli_opt opts[] = {HULL_CLI_CREATE_OPTIONS(&o)};
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_create,
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
        r = hull_cli_create_opts_prepare(ctx, &args, &o);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (hull_container_create(&ctx->rt, &o, &err) < 0)
                return hull_cli_fail(ctx, &err);
        return 0;
}

const struct hull_cli_command hull_cmd_create = {
    .name = "create",
    .summary = "create a container",
    .usage = "NAME:\n"
             "   hullc create - create a container\n"
             "\n"
             "USAGE:\n"
             "   hullc create [command options] <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the new container instance; it must be\n"
             "unique among the containers of the state root (--root).\n"
             "\n"
             "DESCRIPTION:\n"
             "   The create command sets up a container from a bundle: a directory holding a\n"
             "specification file named \"config.json\" and a root filesystem. The container's\n"
             "process is prepared but does not run the program named by the spec's\n"
             "process.args until \"hullc start\" is called.\n"
             "\n"
             "OPTIONS:\n" HULL_CLI_CREATE_OPTIONS_HELP,
    .run = create_run,
};

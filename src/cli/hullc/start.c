/* `hullc start`: run the user process of a created container. */
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static int start_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        const struct hull_cli_spec spec = {.cmd = &hull_cmd_start, .min_args = 1, .max_args = 1};
        struct hull_err err = {0};
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        r = hull_cli_check_id(ctx, args.argv[0]);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (hull_container_start(&ctx->rt, args.argv[0], &err) < 0)
                return hull_cli_fail(ctx, &err);
        return 0;
}

const struct hull_cli_command hull_cmd_start = {
    .name = "start",
    .summary = "executes the user defined process in a created container",
    .usage = "NAME:\n"
             "   hullc start - executes the user defined process in a created container\n"
             "\n"
             "USAGE:\n"
             "   hullc start <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the container instance to start.\n"
             "\n"
             "DESCRIPTION:\n"
             "   The start command runs the program given by process.args in the spec of a\n"
             "container made by \"hullc create\". It returns as soon as the program has\n"
             "been started.\n",
    .run = start_run,
};

/* `hullc kill`: send a signal to a container's init process (or, with --all, to all of its
 * processes). */
#include <signal.h>
#include "base/strutil.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static int kill_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        bool all = false;
        const struct hull_cli_opt opts[] = {
            {"all", 'a', HULL_CLI_OPT_BOOL, &all},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_kill,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 1,
            .max_args = 2,
        };
        struct hull_err err = {0};
        int sig = SIGTERM;
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        r = hull_cli_check_id(ctx, args.argv[0]);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (args.argc == 2) {
                sig = hull_signal_parse(args.argv[1]);
                if (sig < 0) {
                        hull_err_set(&err, EINVAL, "unknown signal \"%s\"", args.argv[1]);
                        return hull_cli_fail(ctx, &err);
                }
        }
        if (hull_container_kill(&ctx->rt, args.argv[0], sig, all, &err) < 0)
                return hull_cli_fail(ctx, &err);
        return 0;
}

const struct hull_cli_command hull_cmd_kill = {
    .name = "kill",
    .summary = "kill sends the specified signal (default: SIGTERM) to the container's init "
               "process",
    .usage = "NAME:\n"
             "   hullc kill - kill sends the specified signal (default: SIGTERM) to the\n"
             "   container's init process\n"
             "\n"
             "USAGE:\n"
             "   hullc kill [command options] <container-id> [signal]\n"
             "\n"
             "Where \"<container-id>\" is the name of the container instance, and \"signal\"\n"
             "is the signal to send: a name with or without the SIG prefix (KILL, SIGKILL,\n"
             "SIGRTMIN+3) or a number (9).\n"
             "\n"
             "EXAMPLE:\n"
             "To send a KILL signal to the init process of the \"ubuntu01\" container:\n"
             "\n"
             "       # hullc kill ubuntu01 KILL\n"
             "\n"
             "OPTIONS:\n"
             "   --all, -a  send the signal to all processes in the container\n",
    .run = kill_run,
};

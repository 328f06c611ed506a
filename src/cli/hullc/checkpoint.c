/* `hullc checkpoint` and `hullc restore`: accepted by name, so that a caller probing for them
 * gets one clear error instead of "unknown command"; hull does not do CRIU. */
#include "cli/hullc/cli.h"
#include <string.h>
#include "cli/hullc/opts.h"

static int unsupported(struct hull_cli_ctx *ctx, const char *what)
{
        struct hull_err err = {0};
        hull_err_set(&err, ENOTSUP, "%s is not supported by hullc (no CRIU support)", what);
        return hull_cli_fail(ctx, &err);
}

static int checkpoint_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        hull_cli_print_usage(&hull_cmd_checkpoint);
                        return 0;
                }
        return unsupported(ctx, "checkpoint");
}

static int restore_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        hull_cli_print_usage(&hull_cmd_restore);
                        return 0;
                }
        return unsupported(ctx, "restore");
}

const struct hull_cli_command hull_cmd_checkpoint = {
    .name = "checkpoint",
    .summary = "checkpoint a running container (not supported)",
    .usage = "NAME:\n"
             "   hullc checkpoint - checkpoint a running container\n"
             "\n"
             "USAGE:\n"
             "   hullc checkpoint [command options] <container-id>\n"
             "\n"
             "DESCRIPTION:\n"
             "   Not supported: hullc has no CRIU support. The command exists so that callers\n"
             "get a clear error; it always fails.\n",
    .run = checkpoint_run,
};

const struct hull_cli_command hull_cmd_restore = {
    .name = "restore",
    .summary = "restore a container from a previous checkpoint (not supported)",
    .usage = "NAME:\n"
             "   hullc restore - restore a container from a previous checkpoint\n"
             "\n"
             "USAGE:\n"
             "   hullc restore [command options] <container-id>\n"
             "\n"
             "DESCRIPTION:\n"
             "   Not supported: hullc has no CRIU support. The command exists so that callers\n"
             "get a clear error; it always fails.\n",
    .run = restore_run,
};

/* `hullc state`: print a container's OCI state as indented JSON. */
#include <jansson.h>
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static int state_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        const struct hull_cli_spec spec = {.cmd = &hull_cmd_state, .min_args = 1, .max_args = 1};
        struct hull_err err = {0};
        json_auto_t *state = NULL;
        _cleanup_free_ char *text = NULL;
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        r = hull_cli_check_id(ctx, args.argv[0]);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (hull_container_state(&ctx->rt, args.argv[0], &state, &err) < 0)
                return hull_cli_fail(ctx, &err);
        /* runc prints json.MarshalIndent(state, "", "  "): two-space indent, "key": value */
        text = json_dumps(state, JSON_INDENT(2));
        if (!text) {
                hull_err_set(&err, ENOMEM, "format the state of %s as JSON", args.argv[0]);
                return hull_cli_fail(ctx, &err);
        }
        printf("%s\n", text);
        return 0;
}

const struct hull_cli_command hull_cmd_state = {
    .name = "state",
    .summary = "output the state of a container",
    .usage = "NAME:\n"
             "   hullc state - output the state of a container\n"
             "\n"
             "USAGE:\n"
             "   hullc state <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the container instance.\n"
             "\n"
             "DESCRIPTION:\n"
             "   The state command prints the state of a container as the JSON object of the\n"
             "OCI runtime specification: ociVersion, id, pid, status (creating, created,\n"
             "running, paused or stopped), bundle, rootfs, created, owner and annotations.\n",
    .run = state_run,
};

/* `hullc features`: the OCI features document of this runtime, on stdout. */
#include <stdio.h>
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"
#include "runtime/features.h"

static int features_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        const struct hull_cli_spec spec = {.cmd = &hull_cmd_features, .max_args = 0};
        struct hull_err err = {0};
        int r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        json_t *f = hull_features_json();
        if (!f || json_dumpf(f, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER) < 0) {
                json_decref(f);
                hull_err_set(&err, ENOMEM, "print the features document");
                return hull_cli_fail(ctx, &err);
        }
        json_decref(f);
        fputc('\n', stdout);
        return 0;
}

const struct hull_cli_command hull_cmd_features = {
    .name = "features",
    .summary = "show the enabled features",
    .usage = "NAME:\n"
             "   hullc features - show the enabled features\n"
             "\n"
             "USAGE:\n"
             "   hullc features\n"
             "\n"
             "DESCRIPTION:\n"
             "   Show the features this runtime implements, as the JSON document of the OCI\n"
             "runtime-spec (features.md): supported OCI versions, hooks, mount options,\n"
             "namespaces, capabilities, cgroup versions, seccomp actions, operators,\n"
             "architectures and flags, and the LSMs.\n",
    .run = features_run,
};

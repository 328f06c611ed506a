/* `hullc exec`: run a new process inside a running container. As with runc, a failure to
 * start it exits 255; otherwise the exit code is the process's. */
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"
#include "runtime/exec.h"

#define EXEC_FAILED 255

static int exec_fail(struct hull_cli_ctx *ctx, struct hull_err *err)
{
        hull_err_wrap(err, "exec failed");
        hull_cli_fail(ctx, err);
        return EXEC_FAILED;
}

static int exec_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        _cleanup_(hull_cli_strv_done) struct hull_cli_strv env = {0}, caps = {0}, gids = {0},
                                                           cgroups = {0};
        struct hull_exec_opts o = {0};
        const char *process_label = NULL;
        bool tty_flag = false, nnp_flag = false, ignored = false;
        const struct hull_cli_opt opts[] = {
            {"console-socket", 0, HULL_CLI_OPT_STRING, &o.console_socket},
            {"cwd", 0, HULL_CLI_OPT_STRING, &o.cwd},
            {"env", 'e', HULL_CLI_OPT_STRV, &env},
            {"tty", 't', HULL_CLI_OPT_BOOL, &tty_flag},
            {"user", 'u', HULL_CLI_OPT_STRING, &o.user},
            {"additional-gids", 'g', HULL_CLI_OPT_STRV, &gids},
            {"process", 'p', HULL_CLI_OPT_STRING, &o.process_file},
            {"detach", 'd', HULL_CLI_OPT_BOOL, &o.detach},
            {"pid-file", 0, HULL_CLI_OPT_STRING, &o.pid_file},
            {"process-label", 0, HULL_CLI_OPT_STRING, &process_label},
            {"apparmor", 0, HULL_CLI_OPT_STRING, &o.apparmor},
            {"no-new-privs", 0, HULL_CLI_OPT_BOOL, &nnp_flag},
            {"cap", 'c', HULL_CLI_OPT_STRV, &caps},
            {"preserve-fds", 0, HULL_CLI_OPT_UINT, &o.preserve_fds},
            {"cgroup", 0, HULL_CLI_OPT_STRV, &cgroups},
            {"ignore-paused", 0, HULL_CLI_OPT_BOOL, &ignored},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_exec,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 1,
            .max_args = -1,
            .in_order = true, /* options after the id belong to the command */
        };
        struct hull_err err = {0};
        int status = 0;
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        o.id = args.argv[0];
        r = hull_cli_check_id(ctx, o.id);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (!o.process_file && args.argc < 2)
                return hull_cli_usage_error(ctx, "exec",
                                            "\"exec\" requires a command to run "
                                            "(or --process)");
        if (hull_cli_make_absolute(&args, &o.process_file, &err) < 0 ||
            hull_cli_make_absolute(&args, &o.pid_file, &err) < 0 ||
            hull_cli_make_absolute(&args, &o.console_socket, &err) < 0)
                return exec_fail(ctx, &err);
        o.args = args.argv + 1;
        o.tty = tty_flag;
        o.tty_set = tty_flag;
        o.no_new_privs = nnp_flag;
        o.no_new_privs_set = nnp_flag;
        o.process_label = process_label;
        o.env = env.v;
        o.n_env = env.n;
        o.caps = caps.v;
        o.n_caps = caps.n;
        o.additional_gids = gids.v;
        o.n_additional_gids = gids.n;
        o.cgroups = cgroups.v;
        o.n_cgroups = cgroups.n;
        if (hull_container_exec(&ctx->rt, &o, &status, &err) < 0)
                return exec_fail(ctx, &err);
        return o.detach ? 0 : status;
}

const struct hull_cli_command hull_cmd_exec = {
    .name = "exec",
    .summary = "execute new process inside the container",
    .usage =
        "NAME:\n"
        "   hullc exec - execute new process inside the container\n"
        "\n"
        "USAGE:\n"
        "   hullc exec [command options] <container-id> <command> [command options]  ||  -p "
        "process.json <container-id>\n"
        "\n"
        "Where \"<container-id>\" is the name of the container instance and \"<command>\" the\n"
        "program to run in it, with its arguments.\n"
        "\n"
        "EXAMPLE:\n"
        "   hullc exec -t ubuntu01 ps\n"
        "\n"
        "DESCRIPTION:\n"
        "   The process joins every namespace of the container's init, its cgroup and its\n"
        "root, and gets the container's process attributes (env, user, capabilities,\n"
        "seccomp) with the changes given as options, or exactly the process described by\n"
        "--process. Unless --detach is given, hullc waits for it, forwarding signals, and\n"
        "exits with its status (128 + the signal number when a signal killed it). A\n"
        "failure to start it exits 255. A paused or stopped container takes no process.\n"
        "\n"
        "OPTIONS:\n"
        "   --console-socket value     path to an AF_UNIX socket which will receive a file\n"
        "                              descriptor referencing the master end of the console's\n"
        "                              pseudoterminal\n"
        "   --cwd value                current working directory in the container\n"
        "   --env value, -e value      set environment variables (KEY=VALUE, repeatable)\n"
        "   --tty, -t                  allocate a pseudo-TTY\n"
        "   --user value, -u value     UID (format: <uid>[:<gid>])\n"
        "   --additional-gids value, -g value  additional gids (repeatable)\n"
        "   --process value, -p value  path to the process.json\n"
        "   --detach, -d               detach from the container's process\n"
        "   --pid-file value           specify the file to write the process id to\n"
        "   --process-label value      set the asm process label for the process commonly\n"
        "                              used with selinux\n"
        "   --apparmor value           set the apparmor profile for the process\n"
        "   --no-new-privs             set the no new privileges value for the process\n"
        "   --cap value, -c value      add a capability to the bounding set for the process\n"
        "                              (repeatable)\n"
        "   --preserve-fds value       Pass N additional file descriptors to the container\n"
        "                              (stdio + $LISTEN_FDS + N in total) (default: 0)\n"
        "   --cgroup value             run the process in an (existing) sub-cgroup(s).\n"
        "                              Format is [<controller>:]<cgroup>.\n"
        "   --ignore-paused            accepted for runc compatibility; a paused container\n"
        "                              still takes no process\n",
    .run = exec_run,
};

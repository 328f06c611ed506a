/* hullc's entry point: runc's global options, the command table and dispatch, and the two
 * functions through which every command reports an error. */
#include <seccomp.h>
#include <stdarg.h>
#include <string.h>
#include "base/cleanup.h"
#include "base/log.h"
#include "base/strutil.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"
#include "oci/state.h"

#define PROG "hullc"

static int help_run(struct hull_cli_ctx *ctx, int argc, char **argv);

static const struct hull_cli_command hull_cmd_help = {
    .name = "help",
    .summary = "Shows a list of commands or help for one command",
    .usage = "NAME:\n"
             "   hullc help - Shows a list of commands or help for one command\n"
             "\n"
             "USAGE:\n"
             "   hullc help [command]\n",
    .run = help_run,
};

/* One line per command, in the order `hullc --help` lists them. */
static const struct hull_cli_command *const commands[] = {
    &hull_cmd_create, &hull_cmd_delete, &hull_cmd_kill,  &hull_cmd_list, &hull_cmd_run,
    &hull_cmd_exec, &hull_cmd_features, &hull_cmd_checkpoint, &hull_cmd_restore,
    &hull_cmd_update, &hull_cmd_pause, &hull_cmd_resume, &hull_cmd_events, &hull_cmd_ps,
    &hull_cmd_spec,   &hull_cmd_start,  &hull_cmd_state, &hull_cmd_help,
};

struct global_opts {
        const char *root;
        const char *log;
        const char *log_format;
        const char *log_level;
        const char *criu;
        const char *rootless;
        bool debug;
        bool systemd_cgroup;
        bool help;
        bool version;
};

static const struct hull_cli_command *find_command(const char *name)
{
        if (strcmp(name, "h") == 0) /* urfave/cli's alias */
                name = "help";
        for (size_t i = 0; i < HULL_ARRAY_SIZE(commands); i++)
                if (strcmp(commands[i]->name, name) == 0)
                        return commands[i];
        return NULL;
}

int hull_cli_fail(struct hull_cli_ctx *ctx, const struct hull_err *err)
{
        const char *msg = "unknown error";

        if (err && err->msg[0])
                msg = err->msg;
        else if (err && err->code)
                msg = strerror(err->code);
        /* Without --log the log is stderr itself: say it once, plainly. */
        if (hull_log_fd() >= 0)
                hull_error("%s", msg);
        fprintf(stderr, PROG ": %s\n", msg);
        return 1;
}

int hull_cli_usage_error(struct hull_cli_ctx *ctx, const char *cmd, const char *fmt, ...)
{
        char msg[HULL_ERR_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (hull_log_fd() >= 0)
                hull_error("%s", msg);
        fprintf(stderr, PROG ": %s\n", msg);
        if (cmd)
                fprintf(stderr, "See '" PROG " %s --help'.\n", cmd);
        else
                fprintf(stderr, "See '" PROG " --help'.\n");
        return 1;
}

/* The lines after "hullc version X", shaped like runc's so version sniffers parse them. */
static void print_version_details(FILE *f)
{
        const struct scmp_version *v = seccomp_version();

        fprintf(f, "commit: %s\nspec: %s\n", HULL_COMMIT, HULL_OCI_VERSION);
        if (v)
                fprintf(f, "libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void print_help(FILE *f)
{
        fputs("NAME:\n"
              "   " PROG " - Open Container Initiative runtime\n"
              "\n"
              "hullc is a command line client for running applications packaged according to\n"
              "the Open Container Initiative (OCI) format. It is compatible with runc's command\n"
              "line: anything that drives runc can drive hullc.\n"
              "\n"
              "Containers are configured using bundles. A bundle is a directory holding a\n"
              "specification file named \"config.json\" and a root filesystem.\n"
              "\n"
              "USAGE:\n"
              "   " PROG " [global options] command [command options] [arguments...]\n"
              "\n"
              "VERSION:\n   " HULL_VERSION "\n",
              f);
        print_version_details(f);
        fputs("\nCOMMANDS:\n", f);
        for (size_t i = 0; i < HULL_ARRAY_SIZE(commands); i++) {
                const char *name = commands[i]->name;
                bool is_help = commands[i] == &hull_cmd_help;
                fprintf(f, "   %-12s%s\n", is_help ? "help, h" : name, commands[i]->summary);
        }
        fputs("\nGLOBAL OPTIONS:\n"
              "   --debug              enable debug logging\n"
              "   --log value          set the log file to write hullc logs to (default is "
              "stderr)\n"
              "   --log-format value   set the log format ('text' (default), or 'json') "
              "(default: \"text\")\n"
              "   --log-level value    set the log level (debug, info, warn, error)\n"
              "   --root value         root directory for storage of container state (this "
              "should be\n"
              "                        located in tmpfs) (default: \"/run/hullc\", or\n"
              "                        \"$XDG_RUNTIME_DIR/hullc\" when not root)\n"
              "   --systemd-cgroup     accepted for runc compatibility; cgroupfs is used\n"
              "   --criu value         accepted for runc compatibility; ignored\n"
              "   --rootless value     accepted for runc compatibility (true, false, auto); "
              "ignored\n"
              "   --help, -h           show help\n"
              "   --version, -v        print the version\n",
              f);
}

static int help_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        const struct hull_cli_spec spec = {.cmd = &hull_cmd_help, .max_args = 1};
        const struct hull_cli_command *cmd;
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (args.argc == 0) {
                print_help(stdout);
                return 0;
        }
        cmd = find_command(args.argv[0]);
        if (!cmd)
                return hull_cli_usage_error(ctx, NULL, "no help topic for '%s'", args.argv[0]);
        hull_cli_print_usage(cmd);
        return 0;
}

/* runc's default: /run/runc, or $XDG_RUNTIME_DIR/runc for an unprivileged user. */
static const char *default_root(char **owned)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");

        if (geteuid() != 0 && xdg && xdg[0]) {
                *owned = hull_strdup_printf("%s/" PROG, xdg);
                if (*owned)
                        return *owned;
        }
        return HULL_DEFAULT_STATE_ROOT;
}

static int setup_logging(struct hull_cli_ctx *ctx, const struct global_opts *g)
{
        struct hull_err err = {0};
        const char *fmt = g->log_format;
        const char *level = g->log_level;
        bool debug = g->debug;
        int r;

        if (fmt && strcmp(fmt, "json") == 0)
                ctx->log_json = true;
        else if (fmt && fmt[0] && strcmp(fmt, "text") != 0)
                return hull_cli_usage_error(ctx, NULL, "invalid log-format: %s", fmt);
        if (level && (strcmp(level, "debug") == 0 || strcmp(level, "trace") == 0))
                debug = true;
        ctx->log_path = g->log && g->log[0] ? g->log : NULL;
        ctx->rt.debug = debug;
        r = hull_log_init(ctx->log_path, ctx->log_json, debug);
        if (r < 0) {
                hull_err_sys(&err, -r, "open log file %s", ctx->log_path ? ctx->log_path : "");
                return hull_cli_fail(ctx, &err);
        }
        return HULL_CLI_CONTINUE;
}

/* The runc flags hullc accepts without acting on them: callers pass them routinely, so they
 * must not be usage errors, but the user should learn they changed nothing. */
static void warn_ignored(struct hull_cli_ctx *ctx, const struct global_opts *g)
{
        static const char *const levels[] = {"debug",   "trace", "info",  "warn",
                                             "warning", "error", "fatal", "panic"};
        bool known_level = false;

        if (g->systemd_cgroup) {
                ctx->rt.systemd_cgroup = true;
                hull_warn("--systemd-cgroup is not supported: cgroups are managed through "
                          "cgroupfs");
        }
        if (g->criu)
                hull_warn("--criu is ignored: checkpoint and restore are not supported");
        if (g->rootless)
                hull_warn("--rootless=%s is ignored: rootless mode follows the effective user id",
                          g->rootless);
        for (size_t i = 0; g->log_level && i < HULL_ARRAY_SIZE(levels); i++)
                known_level = known_level || strcmp(g->log_level, levels[i]) == 0;
        if (g->log_level && !known_level)
                hull_warn("unknown --log-level \"%s\" ignored", g->log_level);
}

static int setup_context(struct hull_cli_ctx *ctx, const struct global_opts *g,
                         struct hull_cli_args *args, char **owned_root)
{
        struct hull_err err = {0};
        int r;

        r = setup_logging(ctx, g);
        if (r != HULL_CLI_CONTINUE)
                return r;
        warn_ignored(ctx, g);
        ctx->rt.rootless = geteuid() != 0;
        if (g->root && g->root[0]) {
                /* the runtime may change directory; a relative --root must not move with it */
                ctx->rt.state_root = g->root;
                if (hull_cli_make_absolute(args, &ctx->rt.state_root, &err) < 0)
                        return hull_cli_fail(ctx, &err);
        } else {
                ctx->rt.state_root = default_root(owned_root);
        }
        hull_debug("state root %s", ctx->rt.state_root);
        return HULL_CLI_CONTINUE;
}

int main(int argc, char **argv)
{
        struct hull_cli_ctx ctx = {.argv0 = argv[0]};
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        _cleanup_free_ char *owned_root = NULL;
        struct global_opts g = {0};
        const struct hull_cli_command *cmd;
        const struct hull_cli_opt opts[] = {
            {"root", 0, HULL_CLI_OPT_STRING, &g.root},
            {"log", 0, HULL_CLI_OPT_STRING, &g.log},
            {"log-format", 0, HULL_CLI_OPT_STRING, &g.log_format},
            {"log-level", 0, HULL_CLI_OPT_STRING, &g.log_level},
            {"debug", 0, HULL_CLI_OPT_BOOL, &g.debug},
            {"systemd-cgroup", 0, HULL_CLI_OPT_BOOL, &g.systemd_cgroup},
            {"criu", 0, HULL_CLI_OPT_STRING, &g.criu},
            {"rootless", 0, HULL_CLI_OPT_STRING, &g.rootless},
            {"help", 'h', HULL_CLI_OPT_BOOL, &g.help},
            {"version", 'v', HULL_CLI_OPT_BOOL, &g.version},
        };
        const struct hull_cli_spec spec = {
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 0,
            .max_args = -1,
            .in_order = true,
        };
        int r;

        r = hull_cli_parse(&ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (g.version) {
                printf(PROG " version %s\n", HULL_VERSION);
                print_version_details(stdout);
                return 0;
        }
        if (g.help || args.argc == 0) {
                print_help(stdout);
                return 0;
        }
        r = setup_context(&ctx, &g, &args, &owned_root);
        if (r != HULL_CLI_CONTINUE)
                return r;
        cmd = find_command(args.argv[0]);
        if (!cmd)
                return hull_cli_usage_error(&ctx, NULL, "unknown command \"%s\"", args.argv[0]);
        hull_debug("command %s", cmd->name);
        r = cmd->run(&ctx, args.argc, args.argv);
        if (fflush(stdout) != 0 && r == 0) {
                struct hull_err err = {0};
                hull_err_sys(&err, errno, "write to stdout");
                r = hull_cli_fail(&ctx, &err);
        }
        return r;
}

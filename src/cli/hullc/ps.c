/* `hullc ps`: the processes of a container, from its cgroup: their pids as JSON, or the
 * lines of ps(1) (default "ps -ef") that belong to them. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/hullc/cgroup_cmd.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* Run ps with ARGV, keeping the header and the lines whose PID column is one of PIDS. */
static int ps_table(char **ps_args, int n_args, const pid_t *pids, size_t n, struct hull_err *err)
{
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return hull_err_sys(err, errno, "pipe");
        _cleanup_free_ char **argv = calloc((size_t)n_args + 2, sizeof(*argv));
        if (!argv)
                return hull_err_set(err, ENOMEM, "out of memory");
        argv[0] = "ps";
        for (int i = 0; i < n_args; i++)
                argv[i + 1] = ps_args[i];
        if (n_args == 0)
                argv[1] = "-ef";
        fflush(stdout);
        pid_t child = fork();
        if (child < 0)
                return hull_err_sys(err, errno, "fork");
        if (child == 0) {
                dup2(pipefd[1], STDOUT_FILENO);
                execvp("ps", argv);
                _exit(127);
        }
        close(pipefd[1]);
        FILE *f = fdopen(pipefd[0], "r");
        if (!f) {
                close(pipefd[0]);
                waitpid(child, NULL, 0);
                return hull_err_sys(err, errno, "fdopen");
        }
        char *line = NULL;
        size_t cap = 0;
        int pid_col = -1, r = 0;
        for (bool header = true; getline(&line, &cap, f) > 0; header = false) {
                if (header) {
                        /* Which whitespace-separated column is "PID"? */
                        _cleanup_free_ char *copy = strdup(line);
                        char *save = NULL;
                        int col = 0;
                        for (char *w = copy ? strtok_r(copy, " \t\n", &save) : NULL; w;
                             w = strtok_r(NULL, " \t\n", &save), col++)
                                if (strcmp(w, "PID") == 0) {
                                        pid_col = col;
                                        break;
                                }
                        if (pid_col < 0) {
                                r = hull_err_set(err, EINVAL,
                                                 "couldn't find PID field in ps output");
                                break;
                        }
                        fputs(line, stdout);
                        continue;
                }
                _cleanup_free_ char *copy = strdup(line);
                char *save = NULL, *w = copy ? strtok_r(copy, " \t\n", &save) : NULL;
                for (int col = 0; w && col < pid_col; col++)
                        w = strtok_r(NULL, " \t\n", &save);
                char *end;
                long pid = w ? strtol(w, &end, 10) : -1;
                if (w && *end == '\0' && has_pid(pids, n, pid))
                        fputs(line, stdout);
        }
        free(line);
        fclose(f);
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                r = hull_err_set(err, EIO, "ps %s failed (status %d)", n_args ? ps_args[0] : "-ef",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return r;
}

static int ps_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        _cleanup_(hull_cli_cgroup_close) struct hull_cli_cgroup c = {.dir_fd = -EBADF};
        const char *format = "table";
        const struct hull_cli_opt opts[] = {
            {"format", 'f', HULL_CLI_OPT_STRING, &format},
        };
        /* Options end at the id: what follows belongs to ps ("hullc ps ID -o pid,cmd"). */
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_ps,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 1,
            .max_args = -1,
            .in_order = true,
        };
        struct hull_err err = {0};
        int r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        const char *id = args.argv[0];
        r = hull_cli_check_id(ctx, id);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
                return hull_cli_usage_error(ctx, "ps", "invalid format option \"%s\"", format);
        if (strcmp(format, "json") == 0 && args.argc > 1)
                return hull_cli_usage_error(ctx, "ps",
                                            "ps options cannot be used with --format json");
        if (hull_cli_cgroup_open(ctx, id, false, &c, &err) < 0)
                return hull_cli_fail(ctx, &err);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (hull_cgroup_pids(c.cg, &pids, &n, &err) < 0)
                return hull_cli_fail(ctx, &err);
        if (strcmp(format, "json") == 0) {
                json_auto_t *a = json_array();
                for (size_t i = 0; a && i < n; i++)
                        json_array_append_new(a, json_integer(pids[i]));
                _cleanup_free_ char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
                if (!s) {
                        hull_err_set(&err, ENOMEM, "out of memory");
                        return hull_cli_fail(ctx, &err);
                }
                printf("%s\n", s);
                return 0;
        }
        if (ps_table(args.argv + 1, args.argc - 1, pids, n, &err) < 0)
                return hull_cli_fail(ctx, &err);
        return 0;
}

const struct hull_cli_command hull_cmd_ps = {
    .name = "ps",
    .summary = "ps displays the processes running inside a container",
    .usage = "NAME:\n"
             "   hullc ps - ps displays the processes running inside a container\n"
             "\n"
             "USAGE:\n"
             "   hullc ps [command options] <container-id> [ps options]\n"
             "\n"
             "OPTIONS:\n"
             "   --format value, -f value  select one of: table or json (default: \"table\")\n",
    .run = ps_run,
};

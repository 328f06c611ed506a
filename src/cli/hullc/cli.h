/* The hullc command table: one file per command, each defining a struct hull_cli_command. */
#pragma once
#include <stdbool.h>
#include "runtime/container.h"

struct hull_cli_ctx {
        struct hull_runtime rt;
        const char *log_path;   /* --log */
        bool log_json;          /* --log-format json */
        const char *argv0;
};

struct hull_cli_command {
        const char *name;
        const char *summary; /* one line, for `hullc --help` */
        const char *usage;   /* full --help text of the command */
        /* argv[0] is the command name; returns the process exit code. Errors are printed by
         * hull_cli_fail() (stderr and the --log file). */
        int (*run)(struct hull_cli_ctx *ctx, int argc, char **argv);
};

/* Print "hullc: <msg>" to stderr and log it at error level; returns 1. */
int hull_cli_fail(struct hull_cli_ctx *ctx, const struct hull_err *err);
/* Usage error: prints the message and "see 'hullc CMD --help'"; returns 1 (runc exits 1). */
int hull_cli_usage_error(struct hull_cli_ctx *ctx, const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

extern const struct hull_cli_command hull_cmd_create, hull_cmd_start, hull_cmd_state, hull_cmd_kill,
        hull_cmd_delete, hull_cmd_run, hull_cmd_list, hull_cmd_spec;
extern const struct hull_cli_command hull_cmd_exec, hull_cmd_features, hull_cmd_checkpoint,
        hull_cmd_restore;
extern const struct hull_cli_command hull_cmd_update, hull_cmd_pause, hull_cmd_resume,
        hull_cmd_events, hull_cmd_ps;

/* Option parsing shared by the hullc commands: getopt_long over a declarative table, with runc's
 * (urfave/cli) conventions: single-dash long flags ("-root"), "--flag=false", --help/-h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "base/cleanup.h"
#include "cli/hullc/cli.h"

enum hull_cli_opt_kind {
        HULL_CLI_OPT_BOOL,   /* bool *: "--flag", "--flag=true|false" (Go's ParseBool) */
        HULL_CLI_OPT_STRING, /* const char **: "--flag V", "--flag=V" */
        HULL_CLI_OPT_UINT,   /* int *: a decimal in [0, INT_MAX] */
        HULL_CLI_OPT_STRV,   /* struct hull_cli_strv *: repeatable, every value appended */
};

/* The values of a repeatable option, in order; they point into argv. */
struct hull_cli_strv {
        const char **v;
        size_t n;
};
static inline void hull_cli_strv_done(struct hull_cli_strv *s)
{
        free(s->v);
        *s = (struct hull_cli_strv){0};
}

struct hull_cli_opt {
        const char *name; /* long name, without dashes */
        char short_name;  /* 0: none */
        enum hull_cli_opt_kind kind;
        void *target;
};

struct hull_cli_spec {
        const struct hull_cli_command *cmd; /* NULL: the global options (no automatic --help) */
        const struct hull_cli_opt *opts;
        size_t n_opts;
        int min_args; /* operands after the options */
        int max_args; /* -1: no limit */
        /* Options end at the first operand (global options; later `exec ID CMD ARGS...`).
         * Otherwise options and operands may be mixed, as urfave/cli reorders them. */
        bool in_order;
};

/* The operands left after parsing. String option targets may point into this, so it lives as
 * long as the command: declare it with _cleanup_(hull_cli_args_done). */
struct hull_cli_args {
        int argc;
        char **argv;
        /* private: the normalized copy of the command line and the strings made for it */
        char **vec;
        char **owned;
        size_t n_owned;
};

void hull_cli_args_done(struct hull_cli_args *a);

#define HULL_CLI_CONTINUE (-1)

/* Parse ARGV (argv[0]: the command name, or the program for the global options) into the
 * option targets and RET. Returns HULL_CLI_CONTINUE when the command should go on, or the exit
 * code it must return now: 0 after --help (usage printed), 1 after a usage error (printed). */
int hull_cli_parse(struct hull_cli_ctx *ctx, const struct hull_cli_spec *spec, int argc,
                   char **argv, struct hull_cli_args *ret);

/* Print CMD's usage text to stdout. */
void hull_cli_print_usage(const struct hull_cli_command *cmd);

/* If *PATH is relative, make it absolute against the current directory (lexically cleaned, as
 * runc does before it changes directory) and point *PATH at the new string, which ARGS owns.
 * NULL and absolute paths are left alone. */
int hull_cli_make_absolute(struct hull_cli_args *args, const char **path, struct hull_err *err);

/* Validate a container id operand; on failure prints the error and returns 1, else
 * HULL_CLI_CONTINUE. */
int hull_cli_check_id(struct hull_cli_ctx *ctx, const char *id);

/* The options `create` and `run` share, bound to a struct hull_create_opts *O. */
/* clang-format off */
#define HULL_CLI_CREATE_OPTIONS(o)                                                                 \
        {"bundle", 'b', HULL_CLI_OPT_STRING, &(o)->bundle},                                        \
        {"pid-file", 0, HULL_CLI_OPT_STRING, &(o)->pid_file},                                      \
        {"console-socket", 0, HULL_CLI_OPT_STRING, &(o)->console_socket},                          \
        {"no-pivot", 0, HULL_CLI_OPT_BOOL, &(o)->no_pivot},                                        \
        {"no-new-keyring", 0, HULL_CLI_OPT_BOOL, &(o)->no_new_keyring},                            \
        {"preserve-fds", 0, HULL_CLI_OPT_UINT, &(o)->preserve_fds}
/* clang-format on */

/* The option lines of `create` and `run` for their usage texts. */
#define HULL_CLI_CREATE_OPTIONS_HELP                                                               \
        "   --bundle value, -b value  path to the root of the bundle directory, defaults to the\n" \
        "                             current directory\n"                                         \
        "   --console-socket value    path to an AF_UNIX socket which will receive a file\n"       \
        "                             descriptor referencing the master end of the console's\n"    \
        "                             pseudoterminal\n"                                            \
        "   --pid-file value          specify the file to write the process id to\n"               \
        "   --no-pivot                do not use pivot root to jail process inside rootfs.\n"      \
        "                             This should be used whenever the rootfs is on top of a\n"    \
        "                             ramdisk\n"                                                   \
        "   --no-new-keyring          do not create a new session keyring for the container.\n"    \
        "                             This will cause the container to inherit the calling\n"      \
        "                             processes session key\n"                                     \
        "   --preserve-fds value      Pass N additional file descriptors to the container\n"       \
        "                             (stdio + $LISTEN_FDS + N in total) (default: 0)\n"

/* Finish the options of `create`/`run` after parsing: the id from the operand (validated),
 * the paths made absolute (owned by ARGS). Returns HULL_CLI_CONTINUE or the exit code (error
 * printed). */
int hull_cli_create_opts_prepare(struct hull_cli_ctx *ctx, struct hull_cli_args *args,
                                 struct hull_create_opts *o);

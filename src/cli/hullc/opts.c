/* Option parsing shared by the hullc commands: a declarative option table turned into
 * getopt_long tables, with the command-line habits runc users and callers rely on. */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include "base/cleanup.h"
#include "base/path.h"
#include "base/strutil.h"
#include "cli/hullc/opts.h"

/* Enough for any runc command (exec has the most, about 20). */
#define HULL_CLI_MAX_OPTS 40
/* getopt_long's value for the option at index I of the table. */
#define OPT_VAL_BASE 256

void hull_cli_args_done(struct hull_cli_args *a)
{
        for (size_t i = 0; i < a->n_owned; i++)
                free(a->owned[i]);
        free(a->owned);
        free(a->vec);
        *a = (struct hull_cli_args){0};
}

static int args_own(struct hull_cli_args *a, char *s)
{
        char **grown = realloc(a->owned, (a->n_owned + 1) * sizeof(*grown));
        if (!grown) {
                free(s);
                return -ENOMEM;
        }
        a->owned = grown;
        a->owned[a->n_owned++] = s;
        return 0;
}

static const struct hull_cli_opt *find_long(const struct hull_cli_spec *spec, const char *name,
                                            size_t len)
{
        for (size_t i = 0; i < spec->n_opts; i++) {
                const char *n = spec->opts[i].name;
                if (strlen(n) == len && strncmp(n, name, len) == 0)
                        return &spec->opts[i];
        }
        return NULL;
}

static const struct hull_cli_opt *find_short(const struct hull_cli_spec *spec, int c)
{
        for (size_t i = 0; i < spec->n_opts; i++)
                if (spec->opts[i].short_name && spec->opts[i].short_name == c)
                        return &spec->opts[i];
        return NULL;
}

static bool takes_value(const struct hull_cli_opt *o)
{
        return o && o->kind != HULL_CLI_OPT_BOOL;
}

/* Whether a cluster of short options ("-qf") ends with one whose value is the next element. */
static bool short_cluster_wants_next(const struct hull_cli_spec *spec, const char *cluster)
{
        for (const char *p = cluster; *p; p++) {
                const struct hull_cli_opt *o = find_short(spec, *p);
                if (!o)
                        return false;
                if (takes_value(o))
                        return p[1] == '\0';
        }
        return false;
}

/* urfave/cli (Go's flag package) takes "-root" for "--root"; getopt would read it as "-r -o
 * -o -t". Rewrite single-dash spellings of known long options, skipping option values so a
 * value that happens to look like a flag is left alone. */
static int normalize(const struct hull_cli_spec *spec, int argc, char **argv,
                     struct hull_cli_args *a)
{
        bool options_done = false;

        a->vec = calloc((size_t)argc + 1, sizeof(char *));
        if (!a->vec)
                return -ENOMEM;
        for (int i = 0; i < argc; i++) {
                char *arg = argv[i];
                a->vec[i] = arg;
                if (i == 0 || options_done)
                        continue;
                if (strcmp(arg, "--") == 0) {
                        options_done = true;
                        continue;
                }
                if (arg[0] != '-' || arg[1] == '\0') {
                        options_done = spec->in_order;
                        continue;
                }
                bool dashdash = arg[1] == '-';
                const char *name = arg + (dashdash ? 2 : 1);
                size_t len = strcspn(name, "=");
                const struct hull_cli_opt *o = find_long(spec, name, len);
                bool is_help = spec->cmd && len == 4 && strncmp(name, "help", 4) == 0;
                const struct hull_cli_opt *s = len == 1 ? find_short(spec, name[0]) : NULL;
                if (!dashdash && len > 1 && (o || is_help)) {
                        char *n = hull_strdup_printf("-%s", arg);
                        if (!n || args_own(a, n) < 0)
                                return -ENOMEM;
                        a->vec[i] = n;
                } else if (!dashdash && s && name[1] == '=') {
                        /* Go reads "-b=DIR" as the value DIR; getopt would see "=DIR" */
                        char *n = hull_strdup_printf("--%s%s", s->name, name + 1);
                        if (!n || args_own(a, n) < 0)
                                return -ENOMEM;
                        a->vec[i] = n;
                        continue;
                } else if (!dashdash) {
                        if (short_cluster_wants_next(spec, name) && i + 1 < argc) {
                                i++;
                                a->vec[i] = argv[i];
                        }
                        continue;
                }
                if (takes_value(o) && name[len] == '\0' && i + 1 < argc) {
                        i++;
                        a->vec[i] = argv[i];
                }
        }
        return 0;
}

/* Go's strconv.ParseBool, which urfave/cli uses for "--flag=VALUE". */
static int parse_go_bool(const char *s, bool *ret)
{
        static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

        for (size_t i = 0; i < HULL_ARRAY_SIZE(yes); i++) {
                if (strcmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static const char *cmd_name(const struct hull_cli_spec *spec)
{
        return spec->cmd ? spec->cmd->name : NULL;
}

static int set_value(struct hull_cli_ctx *ctx, const struct hull_cli_spec *spec,
                     const struct hull_cli_opt *o, const char *value)
{
        uint64_t n;

        switch (o->kind) {
        case HULL_CLI_OPT_BOOL:
                if (!value) {
                        *(bool *)o->target = true;
                        return 0;
                }
                if (parse_go_bool(value, (bool *)o->target) == 0)
                        return 0;
                return hull_cli_usage_error(ctx, cmd_name(spec),
                                            "invalid boolean value \"%s\" for flag --%s", value,
                                            o->name);
        case HULL_CLI_OPT_STRING:
                *(const char **)o->target = value;
                return 0;
        case HULL_CLI_OPT_STRV: {
                struct hull_cli_strv *sv = o->target;
                const char **grown = realloc(sv->v, (sv->n + 1) * sizeof(*grown));
                if (!grown)
                        return hull_cli_usage_error(ctx, cmd_name(spec), "out of memory");
                sv->v = grown;
                sv->v[sv->n++] = value;
                return 0;
        }
        case HULL_CLI_OPT_UINT:
                if (hull_parse_uint64(value, &n) < 0 || n > INT_MAX)
                        return hull_cli_usage_error(ctx, cmd_name(spec),
                                                    "invalid value \"%s\" for flag --%s", value,
                                                    o->name);
                *(int *)o->target = (int)n;
                return 0;
        }
        return 0;
}

/* Fill getopt_long's tables from the spec; LONGOPTS has n_opts + 2 entries. */
static void build_tables(const struct hull_cli_spec *spec, struct option *longopts, char *shortopts)
{
        char *p = shortopts;
        size_t n = 0;

        if (spec->in_order)
                *p++ = '+';
        *p++ = ':'; /* report a missing value as ':' so we word the message ourselves */
        for (size_t i = 0; i < spec->n_opts; i++) {
                const struct hull_cli_opt *o = &spec->opts[i];
                longopts[n++] = (struct option){
                    .name = o->name,
                    .has_arg = takes_value(o) ? required_argument : optional_argument,
                    .val = OPT_VAL_BASE + (int)i,
                };
                if (o->short_name) {
                        *p++ = o->short_name;
                        if (takes_value(o))
                                *p++ = ':';
                }
        }
        if (spec->cmd) {
                longopts[n++] =
                    (struct option){.name = "help", .has_arg = optional_argument, .val = 'h'};
                *p++ = 'h';
        }
        longopts[n] = (struct option){0};
        *p = '\0';
}

static int bad_option(struct hull_cli_ctx *ctx, const struct hull_cli_spec *spec,
                      const struct option *longopts, char **vec, int c)
{
        if (c == ':') {
                if (optopt >= OPT_VAL_BASE)
                        return hull_cli_usage_error(ctx, cmd_name(spec),
                                                    "flag needs an argument: --%s",
                                                    longopts[optopt - OPT_VAL_BASE].name);
                return hull_cli_usage_error(ctx, cmd_name(spec), "flag needs an argument: -%c",
                                            optopt);
        }
        if (optopt > 0 && optopt < OPT_VAL_BASE)
                return hull_cli_usage_error(ctx, cmd_name(spec),
                                            "flag provided but not defined: -%c", optopt);
        const char *arg = vec[optind - 1];
        return hull_cli_usage_error(ctx, cmd_name(spec), "flag provided but not defined: %.*s",
                                    (int)strcspn(arg, "="), arg);
}

static int check_count(struct hull_cli_ctx *ctx, const struct hull_cli_spec *spec, int n)
{
        const char *name = spec->cmd ? spec->cmd->name : "hullc";

        if (spec->min_args == spec->max_args && n != spec->min_args)
                return hull_cli_usage_error(ctx, cmd_name(spec),
                                            "\"%s\" requires exactly %d argument(s)", name,
                                            spec->min_args);
        if (n < spec->min_args)
                return hull_cli_usage_error(ctx, cmd_name(spec),
                                            "\"%s\" requires a minimum of %d argument(s)", name,
                                            spec->min_args);
        if (spec->max_args >= 0 && n > spec->max_args)
                return hull_cli_usage_error(ctx, cmd_name(spec),
                                            "\"%s\" requires a maximum of %d argument(s)", name,
                                            spec->max_args);
        return HULL_CLI_CONTINUE;
}

int hull_cli_parse(struct hull_cli_ctx *ctx, const struct hull_cli_spec *spec, int argc,
                   char **argv, struct hull_cli_args *ret)
{
        struct option longopts[HULL_CLI_MAX_OPTS + 2];
        char shortopts[3 * HULL_CLI_MAX_OPTS + 8];
        struct hull_err err = {0};
        int c;

        if (spec->n_opts > HULL_CLI_MAX_OPTS) {
                hull_err_set(&err, E2BIG, "internal error: too many options for %s",
                             cmd_name(spec) ? cmd_name(spec) : "hullc");
                return hull_cli_fail(ctx, &err);
        }
        build_tables(spec, longopts, shortopts);
        if (normalize(spec, argc, argv, ret) < 0) {
                hull_err_set(&err, ENOMEM, "parse the command line: %s", strerror(ENOMEM));
                return hull_cli_fail(ctx, &err);
        }

        optind = 0; /* glibc: a full reset, the global options were parsed before */
        opterr = 0;
        while ((c = getopt_long(argc, ret->vec, shortopts, longopts, NULL)) != -1) {
                const struct hull_cli_opt *o;
                if (c == 'h' && spec->cmd) {
                        hull_cli_print_usage(spec->cmd);
                        return 0;
                }
                if (c == '?' || c == ':')
                        return bad_option(ctx, spec, longopts, ret->vec, c);
                o = c >= OPT_VAL_BASE ? &spec->opts[c - OPT_VAL_BASE] : find_short(spec, c);
                if (!o)
                        return bad_option(ctx, spec, longopts, ret->vec, '?');
                if (set_value(ctx, spec, o, optarg) != 0)
                        return 1;
        }
        ret->argc = argc - optind;
        ret->argv = ret->vec + optind;
        return check_count(ctx, spec, ret->argc);
}

void hull_cli_print_usage(const struct hull_cli_command *cmd)
{
        fputs(cmd->usage, stdout);
}

int hull_cli_make_absolute(struct hull_cli_args *args, const char **path, struct hull_err *err)
{
        _cleanup_free_ char *cwd = NULL;
        _cleanup_free_ char *joined = NULL;
        char *clean;

        if (!*path)
                return 0;
        if ((*path)[0] == '\0') {
                *path = NULL; /* urfave/cli: an empty value is the same as no flag */
                return 0;
        }
        if ((*path)[0] == '/')
                return 0;
        cwd = getcwd(NULL, 0);
        if (!cwd)
                return hull_err_sys(err, errno, "get the current directory");
        joined = hull_strdup_printf("%s/%s", cwd, *path);
        clean = joined ? hull_path_clean(joined) : NULL;
        if (!clean || args_own(args, clean) < 0)
                return hull_err_sys(err, ENOMEM, "make %s absolute", *path);
        *path = clean;
        return 0;
}

int hull_cli_check_id(struct hull_cli_ctx *ctx, const char *id)
{
        struct hull_err err = {0};

        if (hull_id_validate(id, &err) < 0)
                return hull_cli_fail(ctx, &err);
        return HULL_CLI_CONTINUE;
}

int hull_cli_create_opts_prepare(struct hull_cli_ctx *ctx, struct hull_cli_args *args,
                                 struct hull_create_opts *o)
{
        struct hull_err err = {0};
        int r;

        o->id = args->argv[0];
        r = hull_cli_check_id(ctx, o->id);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (hull_cli_make_absolute(args, &o->bundle, &err) < 0 ||
            hull_cli_make_absolute(args, &o->pid_file, &err) < 0 ||
            hull_cli_make_absolute(args, &o->console_socket, &err) < 0)
                return hull_cli_fail(ctx, &err);
        return HULL_CLI_CONTINUE;
}

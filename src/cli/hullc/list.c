/* `hullc list`: the containers of the state root, as runc's table, ids only, or JSON. */
#include <jansson.h>
#include <string.h>
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

#define LIST_COLUMNS 6
#define PID_MAX_DIGITS 24

static const char *const list_header[LIST_COLUMNS] = {"ID",     "PID",     "STATUS",
                                                      "BUNDLE", "CREATED", "OWNER"};

static const char *str_field(json_t *item, const char *key)
{
        const char *s = json_string_value(json_object_get(item, key));
        return s ? s : "";
}

static void row_cells(json_t *item, const char *cells[LIST_COLUMNS], char pid[PID_MAX_DIGITS])
{
        snprintf(pid, PID_MAX_DIGITS, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(item, "pid")));
        cells[0] = str_field(item, "id");
        cells[1] = pid;
        cells[2] = str_field(item, "status");
        cells[3] = str_field(item, "bundle");
        cells[4] = str_field(item, "created");
        cells[5] = str_field(item, "owner");
}

/* Go's tabwriter counts characters, not bytes. */
static size_t text_width(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xc0) != 0x80;
        return n;
}

static void print_row(const char *const cells[LIST_COLUMNS], const size_t width[LIST_COLUMNS])
{
        for (size_t c = 0; c + 1 < LIST_COLUMNS; c++)
                printf("%s%*s", cells[c], (int)(width[c] - text_width(cells[c])), "");
        printf("%s\n", cells[LIST_COLUMNS - 1]);
}

/* runc's tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0): every column but the last is as
 * wide as its widest cell plus 3 spaces, and at least 12. */
static void print_table(json_t *list)
{
        size_t width[LIST_COLUMNS];
        const char *cells[LIST_COLUMNS];
        char pid[PID_MAX_DIGITS];
        json_t *item;
        size_t i;

        for (size_t c = 0; c < LIST_COLUMNS; c++)
                width[c] = text_width(list_header[c]);
        json_array_foreach(list, i, item)
        {
                row_cells(item, cells, pid);
                for (size_t c = 0; c < LIST_COLUMNS; c++)
                        if (text_width(cells[c]) > width[c])
                                width[c] = text_width(cells[c]);
        }
        for (size_t c = 0; c < LIST_COLUMNS; c++)
                width[c] = width[c] + 3 < 12 ? 12 : width[c] + 3;
        print_row(list_header, width);
        json_array_foreach(list, i, item)
        {
                row_cells(item, cells, pid);
                print_row(cells, width);
        }
}

static int print_json(struct hull_cli_ctx *ctx, json_t *list)
{
        _cleanup_free_ char *text = NULL;
        struct hull_err err = {0};

        /* runc encodes a nil Go slice when there are no containers: "null", not "[]" */
        if (json_array_size(list) == 0) {
                puts("null");
                return 0;
        }
        text = json_dumps(list, JSON_COMPACT);
        if (!text) {
                hull_err_set(&err, ENOMEM, "format the container list as JSON");
                return hull_cli_fail(ctx, &err);
        }
        puts(text);
        return 0;
}

static int list_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        const char *format = "table";
        bool quiet = false;
        const struct hull_cli_opt opts[] = {
            {"format", 'f', HULL_CLI_OPT_STRING, &format},
            {"quiet", 'q', HULL_CLI_OPT_BOOL, &quiet},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_list,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 0,
            .max_args = 0,
        };
        struct hull_err err = {0};
        json_auto_t *list = NULL;
        json_t *item;
        size_t i;
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (!quiet && strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
                hull_err_set(&err, EINVAL, "invalid format option \"%s\": use table or json",
                             format);
                return hull_cli_fail(ctx, &err);
        }
        if (hull_container_list(&ctx->rt, &list, &err) < 0)
                return hull_cli_fail(ctx, &err);
        if (quiet) {
                json_array_foreach(list, i, item) puts(str_field(item, "id"));
                return 0;
        }
        if (strcmp(format, "json") == 0)
                return print_json(ctx, list);
        print_table(list);
        return 0;
}

const struct hull_cli_command hull_cmd_list = {
    .name = "list",
    .summary = "lists containers started by hullc with the given root",
    .usage = "NAME:\n"
             "   hullc list - lists containers started by hullc with the given root\n"
             "\n"
             "USAGE:\n"
             "   hullc list [command options]\n"
             "\n"
             "Where the given root is specified via the global option \"--root\"\n"
             "(default: \"/run/hullc\").\n"
             "\n"
             "EXAMPLE 1:\n"
             "To list containers created via the default \"--root\":\n"
             "       # hullc list\n"
             "\n"
             "EXAMPLE 2:\n"
             "To list containers created using a non-default value for \"--root\":\n"
             "       # hullc --root value list\n"
             "\n"
             "OPTIONS:\n"
             "   --format value, -f value  select one of: table or json (default: \"table\")\n"
             "   --quiet, -q               display only container IDs\n",
    .run = list_run,
};

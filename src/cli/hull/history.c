/* hull history: the image's history entries, newest first, with layer sizes. */
#include <getopt.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "cli/hull/cli.h"
#include "image/image.h"

static uint64_t layer_size(struct hull_store *s, const char *chain)
{
        _cleanup_free_ char *path = hull_strdup_printf("%s/layer.json", chain + 7);
        _cleanup_free_ char *data = NULL;
        size_t len;
        struct hull_err ignore = {0};
        if (!path || hull_file_read(s->layers_fd, path, &data, &len, &ignore) < 0)
                return 0;
        json_auto_t *j = json_loadb(data, len, 0, NULL);
        return (uint64_t)json_integer_value(json_object_get(j, "size"));
}

static int show(struct hull_store *s, const struct hull_image *img, bool no_trunc, bool quiet,
                bool as_json)
{
        json_t *hist = json_object_get(img->config, "history");
        size_t n = json_array_size(hist);
        /* Map history entries to layers: each non-empty entry owns the next layer. */
        _cleanup_free_ long *layer_of = calloc(n ? n : 1, sizeof(long));
        if (!layer_of)
                return 1;
        size_t next = 0;
        for (size_t i = 0; i < n; i++) {
                json_t *h = json_array_get(hist, i);
                layer_of[i] = json_is_true(json_object_get(h, "empty_layer")) ? -1 : (long)next++;
        }
        json_auto_t *out = json_array();
        if (!quiet && !as_json)
                printf("%-14s %-16s %-45s %-10s %s\n", "IMAGE", "CREATED", "CREATED BY", "SIZE",
                       "COMMENT");
        for (size_t k = n; k-- > 0;) {
                json_t *h = json_array_get(hist, k);
                const char *created = json_string_value(json_object_get(h, "created"));
                const char *by = json_string_value(json_object_get(h, "created_by"));
                const char *comment = json_string_value(json_object_get(h, "comment"));
                uint64_t size = 0;
                if (layer_of[k] >= 0 && (size_t)layer_of[k] < img->nlayers)
                        size = layer_size(s, img->layers[layer_of[k]].chain);
                const char *id = k == n - 1 ? img->config_digest : "<missing>";
                if (as_json) {
                        json_array_append_new(out,
                                              json_pack("{ss ss ss sI ss}", "id", id, "created",
                                                        created ? created : "", "createdBy",
                                                        by ? by : "", "size", (json_int_t)size,
                                                        "comment", comment ? comment : ""));
                        continue;
                }
                char idbuf[13], age[64], hsize[32];
                const char *shown =
                    strcmp(id, "<missing>") && !no_trunc ? hull_cli_short_id(id, idbuf) : id;
                if (quiet) {
                        printf("%s\n", shown);
                        continue;
                }
                hull_cli_human_age(created, age, sizeof(age));
                hull_cli_human_size((double)size, hsize, sizeof(hsize));
                printf("%-14s %-16s %-45.*s %-10s %s\n", shown, age, no_trunc ? 4096 : 45,
                       by ? by : "", hsize, comment ? comment : "");
        }
        if (as_json) {
                _cleanup_free_ char *text = json_dumps(out, JSON_INDENT(4));
                printf("%s\n", text ? text : "[]");
        }
        return 0;
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"no-trunc", no_argument, NULL, 'n'},
            {"quiet", no_argument, NULL, 'q'},
            {"format", required_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        bool no_trunc = false, quiet = false, as_json = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        no_trunc = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'f':
                        as_json = !strcmp(optarg, "json");
                        break;
                case 'h':
                        fputs(hull_cmd_history.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_history, "bad option");
                }
        }
        if (optind + 1 != argc)
                return hull_cli_usage(&hull_cmd_history, "requires exactly 1 argument");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        json_t *entry;
        if (hull_imagedb_open(s, false, &db, &err) < 0 ||
            hull_imagedb_find(&db, argv[optind], &entry, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        if (hull_image_read(s, hull_image_manifest(entry), &img, &err) < 0)
                return hull_cli_fail(&err);
        return show(s, &img, no_trunc, quiet, as_json);
}

const struct hull_cmd hull_cmd_history = {
    .name = "history",
    .summary = "Show the history of an image",
    .usage = "Usage: hull history [OPTIONS] IMAGE\n\n"
             "Options:\n"
             "      --no-trunc     do not truncate output\n"
             "  -q, --quiet        only show ids\n"
             "      --format json  JSON output\n",
    .run = run,
};

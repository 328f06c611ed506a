/* hull images: list stored images as a table, ids only (-q), or JSON. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "image/image.h"
#include "image/reference.h"

struct images_opts {
        bool quiet, digests, json, no_trunc;
        const char *filter; /* normalized repository name, or NULL */
};

static void split_name(const char *name, char *repo, size_t rlen, const char **tag)
{
        const char *slash = strrchr(name, '/');
        const char *colon = strrchr(slash ? slash : name, ':');
        size_t n = colon ? (size_t)(colon - name) : strlen(name);
        snprintf(repo, rlen, "%.*s", (int)n, name);
        *tag = colon ? colon + 1 : "<none>";
}

static const char *repo_digest_for(json_t *img, const char *repo)
{
        size_t i;
        json_t *d;
        json_array_foreach(hull_image_digests(img), i, d)
        {
                const char *s = json_string_value(d);
                size_t n = strlen(repo);
                if (s && !strncmp(s, repo, n) && s[n] == '@')
                        return s + n + 1;
        }
        return NULL;
}

static void print_row(const struct images_opts *o, json_t *img, const char *name, uint64_t size)
{
        char repo[512], age[64], hsize[32], idbuf[13];
        const char *tag = "<none>";
        if (name)
                split_name(name, repo, sizeof(repo), &tag);
        else
                snprintf(repo, sizeof(repo), "<none>");
        if (o->filter && strcmp(o->filter, repo) != 0)
                return;
        hull_cli_human_age(json_string_value(json_object_get(img, "created")), age, sizeof(age));
        hull_cli_human_size((double)size, hsize, sizeof(hsize));
        const char *id =
            o->no_trunc ? hull_image_id(img) : hull_cli_short_id(hull_image_id(img), idbuf);
        printf("%-40s %-16s ", repo, tag);
        if (o->digests) {
                const char *d = name ? repo_digest_for(img, repo) : NULL;
                printf("%-72s ", d ? d : "<none>");
        }
        printf("%-14s %-16s %s\n", id, age, hsize);
}

static json_t *json_row(json_t *img, uint64_t size)
{
        const char *id = hull_image_id(img);
        const char *created = json_string_value(json_object_get(img, "created"));
        return json_pack("{ss sO sO ss sb sI ss sI}", "Id", id ? id + 7 : "", "Names",
                         hull_image_names(img), "RepoDigests", hull_image_digests(img), "Digest",
                         hull_image_manifest(img) ? hull_image_manifest(img) : "", "Dangling",
                         json_array_size(hull_image_names(img)) == 0, "Created",
                         (json_int_t)hull_cli_parse_time(created), "CreatedAt",
                         created ? created : "", "Size", (json_int_t)size);
}

static int list(struct hull_ctx *ctx, const struct images_opts *o)
{
        struct hull_err err = {0};
        struct hull_store *s;
        int r = hull_cli_store(ctx, &s, &err);
        if (r < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        r = hull_imagedb_open(s, false, &db, &err);
        if (r < 0)
                return hull_cli_fail(&err);
        json_auto_t *out = json_array();
        if (!o->quiet && !o->json) {
                printf("%-40s %-16s ", "REPOSITORY", "TAG");
                if (o->digests)
                        printf("%-72s ", "DIGEST");
                printf("%-14s %-16s %s\n", "IMAGE ID", "CREATED", "SIZE");
        }
        size_t i;
        json_t *img;
        json_array_foreach(db.images, i, img)
        {
                _cleanup_(hull_image_freep) struct hull_image im = {0};
                struct hull_err ignore = {0};
                uint64_t size = 0;
                if (hull_image_read(s, hull_image_manifest(img), &im, &ignore) == 0)
                        size = hull_image_size(s, &im);
                json_t *names = hull_image_names(img);
                if (o->filter) {
                        bool match = false;
                        size_t j;
                        json_t *n;
                        json_array_foreach(names, j, n)
                        {
                                char repo[512];
                                const char *tag;
                                split_name(json_string_value(n), repo, sizeof(repo), &tag);
                                match = match || !strcmp(repo, o->filter);
                        }
                        if (!match)
                                continue;
                }
                if (o->json) {
                        json_array_append_new(out, json_row(img, size));
                } else if (o->quiet) {
                        char idbuf[13];
                        printf("%s\n", o->no_trunc ? hull_image_id(img)
                                                   : hull_cli_short_id(hull_image_id(img), idbuf));
                } else if (json_array_size(names) == 0) {
                        print_row(o, img, NULL, size);
                } else {
                        size_t j;
                        json_t *n;
                        json_array_foreach(names, j, n)
                            print_row(o, img, json_string_value(n), size);
                }
        }
        if (o->json) {
                _cleanup_free_ char *text = json_dumps(out, JSON_INDENT(4));
                printf("%s\n", text ? text : "[]");
        }
        return 0;
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"quiet", no_argument, NULL, 'q'},
            {"digests", no_argument, NULL, 'd'},
            {"format", required_argument, NULL, 'f'},
            {"no-trunc", no_argument, NULL, 'n'},
            {"all", no_argument, NULL, 'a'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        struct images_opts o = {0};
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "qah", longopts, NULL)) != -1) {
                switch (c) {
                case 'q':
                        o.quiet = true;
                        break;
                case 'd':
                        o.digests = true;
                        break;
                case 'n':
                        o.no_trunc = true;
                        break;
                case 'a':
                        break;
                case 'f':
                        if (strcmp(optarg, "json") && strcmp(optarg, "table"))
                                return hull_cli_usage(&hull_cmd_images,
                                                      "--format must be json or table");
                        o.json = !strcmp(optarg, "json");
                        break;
                case 'h':
                        fputs(hull_cmd_images.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_images, "bad option");
                }
        }
        _cleanup_free_ char *filter = NULL;
        if (optind < argc) {
                struct hull_ref ref = {0};
                struct hull_err err = {0};
                if (hull_ref_parse(argv[optind], &ref, &err) < 0)
                        return hull_cli_fail(&err);
                filter = hull_ref_name(&ref);
                hull_ref_free(&ref);
                o.filter = filter;
        }
        return list(ctx, &o);
}

const struct hull_cmd hull_cmd_images = {
    .name = "images",
    .summary = "List images in local storage",
    .usage = "Usage: hull images [OPTIONS] [REPOSITORY]\n\n"
             "List images in local storage.\n\n"
             "Options:\n"
             "  -q, --quiet        only show image ids\n"
             "      --digests      show repo digests\n"
             "      --format FMT   table (default) or json\n"
             "      --no-trunc     do not truncate ids\n",
    .run = run,
};

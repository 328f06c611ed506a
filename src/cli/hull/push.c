/* hull push: upload an image to a registry. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "cli/hull/cli.h"
#include "cli/hull/registry_opts.h"
#include "registry/push.h"

static void on_event(const struct hull_push_event *ev, void *data)
{
        bool *quiet = data;
        char id[13];
        if (*quiet)
                return;
        hull_cli_short_id(ev->digest, id);
        switch (ev->kind) {
        case HULL_PUSH_EXISTS:
                printf("%s: Layer already exists\n", id);
                break;
        case HULL_PUSH_MOUNTED:
                printf("%s: Mounted from %s\n", id, ev->from);
                break;
        case HULL_PUSH_UPLOADING:
                printf("%s: Pushing\n", id);
                break;
        case HULL_PUSH_UPLOADED:
                printf("%s: Pushed\n", id);
                break;
        }
        fflush(stdout);
}

/* Another repository of the destination's registry this image came from, to mount blobs. */
static char *mount_source(json_t *img, const struct hull_ref *dest)
{
        size_t i;
        json_t *d;
        size_t n = strlen(dest->domain);
        json_array_foreach(hull_image_digests(img), i, d)
        {
                const char *s = json_string_value(d);
                if (s && !strncmp(s, dest->domain, n) && s[n] == '/') {
                        const char *at = strchr(s + n + 1, '@');
                        if (at)
                                return strndup(s + n + 1, (size_t)(at - s - n - 1));
                }
        }
        return NULL;
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            HULL_REGISTRY_LONGOPTS,
            {"chunk-size", required_argument, NULL, 'C'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        struct hull_push_opts o = {0};
        hull_cli_registry_defaults(&o.reg);
        static bool quiet;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
                int r = hull_cli_registry_opt(c, optarg, &o.reg);
                if (r < 0)
                        return hull_cli_usage(&hull_cmd_push, "bad value for an option");
                if (r > 0)
                        continue;
                switch (c) {
                case 'C':
                        o.chunk_size = strtoull(optarg, NULL, 10);
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        fputs(hull_cmd_push.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_push, "bad option");
                }
        }
        if (optind >= argc || argc - optind > 2)
                return hull_cli_usage(&hull_cmd_push, "requires IMAGE [DESTINATION]");
        const char *dest_s = argv[argc - 1];
        struct hull_err err = {0};
        _cleanup_(hull_ref_freep) struct hull_ref dest = {0};
        if (hull_ref_parse(dest_s, &dest, &err) < 0)
                return hull_cli_fail(&err);
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_free_ char *manifest = NULL, *from = NULL;
        {
                _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
                json_t *img;
                if (hull_imagedb_open(s, false, &db, &err) < 0 ||
                    hull_imagedb_find(&db, argv[optind], &img, &err) < 0)
                        return hull_cli_fail(&err);
                manifest = strdup(hull_image_manifest(img));
                from = mount_source(img, &dest);
        }
        o.mount_from = from;
        o.progress = on_event;
        o.progress_data = &quiet;
        char digest[HULL_DIGEST_LEN + 1];
        _cleanup_free_ char *full = hull_ref_string(&dest);
        if (hull_push(s, manifest, &dest, &o, digest, &err) < 0) {
                hull_err_wrap(&err, "push %s", full);
                return hull_cli_fail(&err);
        }
        if (!quiet)
                printf("%s: digest: %s\n", full, digest);
        else
                printf("%s\n", digest);
        return 0;
}

const struct hull_cmd hull_cmd_push = {
    .name = "push",
    .summary = "Push an image to a registry",
    .usage = "Usage: hull push [OPTIONS] IMAGE [DESTINATION]\n\n"
             "Upload the image's blobs the registry lacks (cross-mounting from another\n"
             "repository of the same registry the image was pulled from) and its manifest\n"
             "unchanged, so the digest stays the same.\n\n"
             "Options:\n"
             "      --chunk-size N       upload in chunks of N bytes (default: one PUT)\n"
             "  -q, --quiet              print only the digest\n" HULL_REGISTRY_USAGE,
    .run = run,
};

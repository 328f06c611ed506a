/* hull inspect: image config and manifest as JSON (an array, one object per argument). */
#include <getopt.h>
#include <string.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "image/image.h"

static json_t *describe(struct hull_store *s, json_t *entry, struct hull_err *err)
{
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        if (hull_image_read(s, hull_image_manifest(entry), &img, err) < 0)
                return NULL;
        json_t *manifest = json_loadb(img.manifest_raw, img.manifest_len, 0, NULL);
        json_t *c = img.config;
        const char *created = json_string_value(json_object_get(c, "created"));
        json_t *o = json_pack(
            "{ss ss sO sO ss so* ss* ss* ss* ss* sO* sO* so* sI sI so* so}", "Id",
            img.config_digest + 7, "Digest", img.manifest_digest, "RepoTags",
            hull_image_names(entry), "RepoDigests", hull_image_digests(entry), "Created",
            created ? created : "", "Config", json_deep_copy(json_object_get(c, "config")),
            "Author", json_string_value(json_object_get(c, "author")), "Architecture",
            json_string_value(json_object_get(c, "architecture")), "Os",
            json_string_value(json_object_get(c, "os")), "Variant",
            json_string_value(json_object_get(c, "variant")), "RootFS",
            json_object_get(c, "rootfs"), "History", json_object_get(c, "history"), "Labels",
            json_deep_copy(json_object_get(json_object_get(c, "config"), "Labels")), "Size",
            (json_int_t)hull_image_size(s, &img), "VirtualSize",
            (json_int_t)hull_image_size(s, &img), "ManifestMediaType",
            json_string(img.manifest.media_type), "Manifest", manifest ? manifest : json_null());
        if (!o)
                hull_err_set(err, ENOMEM, "out of memory");
        return o;
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        if (hull_cli_help(&hull_cmd_inspect, argc, argv))
                return 0;
        int first = 1;
        if (argc > 2 && !strcmp(argv[1], "--type")) {
                if (strcmp(argv[2], "image"))
                        return hull_cli_usage(&hull_cmd_inspect, "only --type image is supported");
                first = 3;
        }
        if (first >= argc)
                return hull_cli_usage(&hull_cmd_inspect, "requires at least 1 argument");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        if (hull_imagedb_open(s, false, &db, &err) < 0)
                return hull_cli_fail(&err);
        json_auto_t *out = json_array();
        int rc = 0;
        for (int i = first; i < argc; i++) {
                json_t *entry;
                if (hull_imagedb_find(&db, argv[i], &entry, &err) < 0) {
                        hull_cli_fail(&err);
                        rc = 1;
                        continue;
                }
                json_t *o = describe(s, entry, &err);
                if (!o) {
                        hull_cli_fail(&err);
                        rc = 1;
                        continue;
                }
                json_array_append_new(out, o);
        }
        _cleanup_free_ char *text = json_dumps(out, JSON_INDENT(4));
        printf("%s\n", text ? text : "[]");
        return rc;
}

const struct hull_cmd hull_cmd_inspect = {
    .name = "inspect",
    .summary = "Show an image's configuration and manifest as JSON",
    .usage = "Usage: hull inspect [--type image] IMAGE [IMAGE...]\n\n"
             "Print a JSON array describing each image: id, names, repo digests, the\n"
             "image config (Config, RootFS, History, ...) and the manifest.\n",
    .run = run,
};

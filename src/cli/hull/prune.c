/* hull image prune: remove dangling images (or, with -a, every image no container uses). */
#include <getopt.h>
#include <string.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "cli/hull/images_common.h"
#include "storage/overlay.h"

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"all", no_argument, NULL, 'a'},
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        bool all = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "afh", longopts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        break;
                case 'h':
                        fputs(hull_cmd_image_prune.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_image_prune, "bad option");
                }
        }
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_close_ int gc = hull_store_lock_gc(s, true, &err);
        if (gc < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        if (hull_imagedb_open(s, true, &db, &err) < 0)
                return hull_cli_fail(&err);
        for (size_t i = json_array_size(db.images); i-- > 0;) {
                json_t *img = json_array_get(db.images, i);
                const char *id = hull_image_id(img);
                if (!all && json_array_size(hull_image_names(img)) > 0)
                        continue;
                _cleanup_free_ char *mnt = hull_cli_image_mount_path(s, id);
                if (hull_cli_image_users(s, id) > 0 || (mnt && hull_overlay_is_mounted(mnt)))
                        continue;
                printf("%s\n", id + 7);
                hull_imagedb_remove(&db, img);
        }
        unsigned blobs = 0, layers = 0;
        if (hull_imagedb_save(&db, &err) < 0 || hull_imagedb_gc(&db, &blobs, &layers, &err) < 0)
                return hull_cli_fail(&err);
        hull_store_clean_tmp(s);
        return 0;
}

const struct hull_cmd hull_cmd_image_prune = {
    .name = "prune",
    .summary = "Remove unused images",
    .usage = "Usage: hull image prune [-a]\n\n"
             "Remove dangling images (no name), or with -a every image that no container\n"
             "uses and that is not mounted; then delete unreferenced blobs and layers.\n",
    .run = run,
};

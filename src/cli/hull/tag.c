/* hull tag: add a name to an image. */
#include <string.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "image/reference.h"

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        if (hull_cli_help(&hull_cmd_tag, argc, argv))
                return 0;
        if (argc < 3)
                return hull_cli_usage(&hull_cmd_tag, "requires at least 2 arguments");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        if (hull_imagedb_open(s, true, &db, &err) < 0)
                return hull_cli_fail(&err);
        json_t *img;
        if (hull_imagedb_find(&db, argv[1], &img, &err) < 0)
                return hull_cli_fail(&err);
        for (int i = 2; i < argc; i++) {
                _cleanup_(hull_ref_freep) struct hull_ref ref = {0};
                if (hull_ref_parse(argv[i], &ref, &err) < 0)
                        return hull_cli_fail(&err);
                if (ref.digest) {
                        hull_err_set(&err, EINVAL, "cannot tag with a digest reference: %s",
                                     argv[i]);
                        return hull_cli_fail(&err);
                }
                _cleanup_free_ char *name = hull_ref_tagged(&ref);
                if (!hull_imagedb_add(&db, hull_image_id(img), hull_image_manifest(img), name, NULL,
                                      NULL, &err))
                        return hull_cli_fail(&err);
        }
        if (hull_imagedb_save(&db, &err) < 0)
                return hull_cli_fail(&err);
        return 0;
}

const struct hull_cmd hull_cmd_tag = {
    .name = "tag",
    .summary = "Add a name to an image",
    .usage = "Usage: hull tag IMAGE TARGET [TARGET...]\n\n"
             "Name the image IMAGE (name, id or id prefix) TARGET too. A name that another\n"
             "image had moves to this one.\n",
    .run = run,
};

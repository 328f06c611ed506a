/* hull export: a container's root filesystem as a tarball (or, with --image, an image's). */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "cli/hull/cli.h"
#include "cli/hull/images_common.h"
#include "image/export.h"
#include "storage/overlay.h"

/* The engine mounts a container's root filesystem at containers/<id>/rootfs. */
static char *container_rootfs(struct hull_store *s, const char *id, struct hull_err *err)
{
        if (hull_id_validate(id, err) < 0)
                return NULL;
        char *p = hull_strdup_printf("%s/containers/%s/rootfs", s->root, id);
        if (p && !hull_overlay_is_mounted(p)) {
                hull_err_set(err, ENOENT,
                             "container %s has no mounted root filesystem (is it created?)", id);
                free(p);
                return NULL;
        }
        return p;
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"output", required_argument, NULL, 'o'},
            {"image", no_argument, NULL, 'i'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        const char *output = NULL;
        bool image = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'i':
                        image = true;
                        break;
                case 'h':
                        fputs(hull_cmd_export.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_export, "bad option");
                }
        }
        if (optind + 1 != argc)
                return hull_cli_usage(&hull_cmd_export, "requires exactly 1 argument");
        if (!output && isatty(STDOUT_FILENO))
                return hull_cli_usage(&hull_cmd_export, "refusing to write to a terminal: use -o");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_free_ char *root = NULL;
        _cleanup_free_ char *image_id = NULL;
        bool mounted_here = false;
        if (image) {
                _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
                json_t *img;
                if (hull_imagedb_open(s, true, &db, &err) < 0 ||
                    hull_imagedb_find(&db, argv[optind], &img, &err) < 0)
                        return hull_cli_fail(&err);
                image_id = strdup(hull_image_id(img));
                _cleanup_free_ char *path = hull_cli_image_mount_path(s, image_id);
                mounted_here = path && !hull_overlay_is_mounted(path);
                if (hull_cli_image_mount(s, hull_image_manifest(img), image_id, &root, &err) < 0)
                        return hull_cli_fail(&err);
        } else if (!(root = container_rootfs(s, argv[optind], &err))) {
                return hull_cli_fail(&err);
        }
        _cleanup_close_ int fd = output
                                     ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                                     : dup(STDOUT_FILENO);
        int r = fd < 0 ? hull_err_sys(&err, errno, "open %s", output) : 0;
        if (r == 0)
                r = hull_export_tree(root, fd, &err);
        if (mounted_here) {
                struct hull_err ignore = {0};
                hull_cli_image_unmount(s, image_id, false, &ignore);
        }
        if (r < 0) {
                if (output)
                        unlink(output);
                return hull_cli_fail(&err);
        }
        return 0;
}

const struct hull_cmd hull_cmd_export = {
    .name = "export",
    .summary = "Export a container's filesystem as a tarball",
    .usage = "Usage: hull export [-o FILE] CONTAINER\n"
             "       hull export --image [-o FILE] IMAGE\n\n"
             "Write the root filesystem of a container (or, with --image, the merged\n"
             "layers of an image) as a tar stream to FILE or stdout.\n",
    .run = run,
};

/* hull save: write images to a docker-archive (default) or OCI archive, file or stdout. */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "image/reference.h"
#include "image/save.h"

/* The name to record for ARG: the name it spells when the image has it, else its first. */
static const char *pick_name(json_t *img, const char *arg)
{
        struct hull_ref ref = {0};
        struct hull_err ignore = {0};
        json_t *names = hull_image_names(img);
        if (hull_ref_parse(arg, &ref, &ignore) == 0) {
                _cleanup_free_ char *tagged = hull_ref_tagged(&ref);
                hull_ref_free(&ref);
                size_t i;
                json_t *n;
                json_array_foreach(names, i,
                                   n) if (tagged && !strcmp(json_string_value(n),
                                                            tagged)) return json_string_value(n);
        }
        return json_string_value(json_array_get(names, 0));
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"output", required_argument, NULL, 'o'},
            {"format", required_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        const char *output = NULL;
        enum hull_save_format format = HULL_SAVE_DOCKER;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'f':
                        if (!strcmp(optarg, "oci-archive"))
                                format = HULL_SAVE_OCI;
                        else if (strcmp(optarg, "docker-archive"))
                                return hull_cli_usage(&hull_cmd_save,
                                                      "--format must be "
                                                      "docker-archive or oci-archive");
                        break;
                case 'h':
                        fputs(hull_cmd_save.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_save, "bad option");
                }
        }
        if (optind >= argc)
                return hull_cli_usage(&hull_cmd_save, "requires at least 1 image");
        if (!output && isatty(STDOUT_FILENO))
                return hull_cli_usage(&hull_cmd_save, "refusing to write to a terminal: use -o");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        if (hull_imagedb_open(s, false, &db, &err) < 0)
                return hull_cli_fail(&err);
        size_t n = (size_t)(argc - optind);
        _cleanup_free_ struct hull_save_image *imgs = calloc(n, sizeof(*imgs));
        if (!imgs)
                return 1;
        for (size_t i = 0; i < n; i++) {
                json_t *img;
                if (hull_imagedb_find(&db, argv[optind + (int)i], &img, &err) < 0)
                        return hull_cli_fail(&err);
                imgs[i].manifest = hull_image_manifest(img);
                imgs[i].name = pick_name(img, argv[optind + (int)i]);
        }
        _cleanup_close_ int fd = output
                                     ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                                     : dup(STDOUT_FILENO);
        if (fd < 0) {
                hull_err_sys(&err, errno, "open %s", output ? output : "stdout");
                return hull_cli_fail(&err);
        }
        if (hull_image_save(s, imgs, n, format, fd, &err) < 0) {
                if (output)
                        unlink(output);
                return hull_cli_fail(&err);
        }
        return 0;
}

const struct hull_cmd hull_cmd_save = {
    .name = "save",
    .summary = "Save images to an archive",
    .usage = "Usage: hull save [-o FILE] [--format docker-archive|oci-archive] IMAGE...\n\n"
             "Write the images to FILE (default: stdout, not a terminal). docker-archive\n"
             "(the default) has uncompressed layers and manifest.json, as docker save\n"
             "writes; oci-archive is an OCI image layout with the blobs as stored.\n",
    .run = run,
};

/* hull load: read a docker-archive or OCI layout tarball (file or stdin) into the store. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "image/load.h"

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"input", required_argument, NULL, 'i'},
            {"quiet", no_argument, NULL, 'q'},
            {"platform", required_argument, NULL, 'p'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        const char *input = NULL, *platform_s = NULL;
        bool quiet = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "i:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'p':
                        platform_s = optarg;
                        break;
                case 'h':
                        fputs(hull_cmd_load.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_load, "bad option");
                }
        }
        if (optind < argc)
                return hull_cli_usage(&hull_cmd_load, "unexpected argument \"%s\"", argv[optind]);
        struct hull_err err = {0};
        _cleanup_close_ int fd = -EBADF;
        if (input && strcmp(input, "-")) {
                fd = open(input, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        hull_err_sys(&err, errno, "open %s", input);
                        return hull_cli_fail(&err);
                }
        } else {
                if (isatty(STDIN_FILENO))
                        return hull_cli_usage(&hull_cmd_load,
                                              "no input: use -i FILE or redirect stdin");
                fd = dup(STDIN_FILENO);
        }
        struct hull_platform platform = {0};
        if (hull_platform_parse(platform_s, &platform, &err) < 0)
                return hull_cli_fail(&err);
        struct hull_store *s;
        struct hull_load_result res = {0};
        int r = hull_cli_store(ctx, &s, &err);
        if (r == 0)
                r = hull_image_load(s, fd, &platform, &res, &err);
        hull_platform_free(&platform);
        if (r < 0) {
                hull_err_wrap(&err, "load %s", input ? input : "stdin");
                return hull_cli_fail(&err);
        }
        for (char **p = res.loaded; p && *p && !quiet; p++)
                printf("Loaded image: %s\n", *p);
        hull_load_result_free(&res);
        return 0;
}

const struct hull_cmd hull_cmd_load = {
    .name = "load",
    .summary = "Load images from a docker-archive or OCI archive",
    .usage = "Usage: hull load [-i FILE] [-q] [--platform OS/ARCH]\n\n"
             "Load images from a tarball (docker save output, or an OCI image layout), plain\n"
             "or compressed (gzip, zstd, xz, bzip2), from FILE or stdin.\n\n"
             "Options:\n"
             "  -i, --input FILE     read FILE instead of stdin\n"
             "  -q, --quiet          print nothing on success\n"
             "      --platform P     platform to pick from an index (default: the host's)\n",
    .run = run,
};

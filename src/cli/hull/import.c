/* hull import: a root filesystem tarball (file, URL-less, or stdin) becomes an image. */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "image/import.h"
#include "image/reference.h"

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"change", required_argument, NULL, 'c'},
            {"message", required_argument, NULL, 'm'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        _cleanup_free_ const char **changes = calloc((size_t)argc + 1, sizeof(char *));
        size_t nchanges = 0;
        const char *message = NULL;
        bool quiet = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "c:m:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        changes[nchanges++] = optarg;
                        break;
                case 'm':
                        message = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        fputs(hull_cmd_import.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_import, "bad option");
                }
        }
        if (optind >= argc || argc - optind > 2)
                return hull_cli_usage(&hull_cmd_import, "requires FILE|- [REFERENCE]");
        struct hull_err err = {0};
        _cleanup_free_ char *name = NULL;
        if (optind + 1 < argc) {
                _cleanup_(hull_ref_freep) struct hull_ref ref = {0};
                if (hull_ref_parse(argv[optind + 1], &ref, &err) < 0)
                        return hull_cli_fail(&err);
                name = hull_ref_tagged(&ref);
                if (!name)
                        return hull_cli_usage(&hull_cmd_import, "the reference needs a tag");
        }
        const char *src = argv[optind];
        _cleanup_close_ int fd =
            strcmp(src, "-") ? open(src, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
        if (fd < 0) {
                hull_err_sys(&err, errno, "open %s", src);
                return hull_cli_fail(&err);
        }
        struct hull_store *s;
        char id[HULL_DIGEST_LEN + 1] = "";
        if (hull_cli_store(ctx, &s, &err) < 0 ||
            hull_image_import(s, fd, changes, message, name, id, &err) < 0)
                return hull_cli_fail(&err);
        if (!quiet)
                printf("%s\n", id);
        return 0;
}

const struct hull_cmd hull_cmd_import = {
    .name = "import",
    .summary = "Create an image from a root filesystem tarball",
    .usage = "Usage: hull import [OPTIONS] FILE|- [REFERENCE]\n\n"
             "Make a one-layer image of a tarball (plain, gzip, zstd, xz, bzip2) and print\n"
             "its id.\n\n"
             "Options:\n"
             "  -c, --change INSTR   apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV,\n"
             "                       WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL, VOLUME\n"
             "  -m, --message TEXT   history comment\n"
             "  -q, --quiet          print nothing\n",
    .run = run,
};

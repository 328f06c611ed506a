/* hull image: the image management verbs grouped (`hull image ls`, `hull image mount`, ...). */
#include <string.h>

#include "cli/hull/cli.h"

static const struct {
        const char *name;
        const struct hull_cmd *cmd;
} subs[] = {
    {"ls", &hull_cmd_images},
    {"list", &hull_cmd_images},
    {"rm", &hull_cmd_rmi},
    {"inspect", &hull_cmd_inspect},
    {"tag", &hull_cmd_tag},
    {"history", &hull_cmd_history},
    {"load", &hull_cmd_load},
    {"save", &hull_cmd_save},
    {"pull", &hull_cmd_pull},
    {"push", &hull_cmd_push},
    {"import", &hull_cmd_import},
    {"prune", &hull_cmd_image_prune},
    {"mount", &hull_cmd_image_mount},
    {"unmount", &hull_cmd_image_unmount},
    {"umount", &hull_cmd_image_unmount},
};

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                fputs(hull_cmd_image.usage, argc < 2 ? stderr : stdout);
                return argc < 2 ? 125 : 0;
        }
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
                if (!strcmp(subs[i].name, argv[1]))
                        return subs[i].cmd->run(ctx, argc - 1, argv + 1);
        return hull_cli_usage(&hull_cmd_image, "unknown subcommand \"%s\"", argv[1]);
}

const struct hull_cmd hull_cmd_image = {
    .name = "image",
    .summary = "Manage images (ls, rm, inspect, tag, history, load, save, pull, push, "
               "import, prune, mount, unmount)",
    .usage = "Usage: hull image COMMAND\n\n"
             "Commands:\n"
             "  ls         list images (hull images)\n"
             "  rm         remove images (hull rmi)\n"
             "  inspect    show image JSON\n"
             "  tag        name an image\n"
             "  history    show layer history\n"
             "  load       load an image archive\n"
             "  save       save images to an archive\n"
             "  pull       pull from a registry\n"
             "  push       push to a registry\n"
             "  import     create an image from a rootfs tarball\n"
             "  prune      remove dangling images (-a: all unused)\n"
             "  mount      mount an image read-only and print the path\n"
             "  unmount    unmount images (--all)\n",
    .run = run,
};

/* hull: the engine CLI. Global options, then one command; each command lives in its own file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cli/hull/cli.h"

static const struct hull_cmd *const commands[] = {
    &hull_cmd_pull,   &hull_cmd_push,    &hull_cmd_images, &hull_cmd_inspect, &hull_cmd_rmi,
    &hull_cmd_tag,    &hull_cmd_history, &hull_cmd_load,   &hull_cmd_save,    &hull_cmd_import,
    &hull_cmd_export, &hull_cmd_image,   &hull_cmd_login,  &hull_cmd_logout,
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: hull [OPTIONS] COMMAND [ARG...]\n\n"
                   "A daemonless container engine.\n\n"
                   "Options:\n"
                   "  --root DIR     storage root (default /var/lib/hull)\n"
                   "  --debug        log debug messages to stderr\n"
                   "  -h, --help     show this help\n"
                   "  -v, --version  show the version\n\n"
                   "Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
        fprintf(f, "\nRun 'hull COMMAND --help' for more information on a command.\n");
}

static int parse_global(struct hull_ctx *ctx, int argc, char **argv)
{
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "--root") && i + 1 < argc) {
                        ctx->root = argv[++i];
                } else if (!strncmp(a, "--root=", 7)) {
                        ctx->root = a + 7;
                } else if (!strcmp(a, "--debug") || !strcmp(a, "-D")) {
                        ctx->debug = true;
                } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                        usage(stdout);
                        exit(0);
                } else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
                        printf("hull version %s (commit %s)\n", HULL_VERSION, HULL_COMMIT);
                        exit(0);
                } else {
                        fprintf(stderr, "hull: unknown option %s\nSee 'hull --help'.\n", a);
                        exit(125);
                }
        }
        return i;
}

int main(int argc, char **argv)
{
        struct hull_ctx ctx = {.root = "/var/lib/hull"};
        const char *env_root = getenv("HULL_ROOT");
        if (env_root && *env_root)
                ctx.root = env_root;
        int i = parse_global(&ctx, argc, argv);
        hull_log_init(NULL, 0, ctx.debug);
        if (i >= argc) {
                usage(stderr);
                return 125;
        }
        for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
                if (strcmp(commands[c]->name, argv[i]) == 0) {
                        int r = commands[c]->run(&ctx, argc - i, argv + i);
                        if (ctx.store_open)
                                hull_store_close(&ctx.store);
                        fflush(stdout);
                        return r;
                }
        }
        fprintf(stderr, "hull: unknown command \"%s\"\nSee 'hull --help'.\n", argv[i]);
        return 125;
}

/* hull pull: fetch an image from a registry, with per-layer progress (bars on a terminal,
 * plain lines otherwise, nothing but the name with -q). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/hull/cli.h"
#include "cli/hull/registry_opts.h"
#include "registry/pull.h"

#define BARS_MAX 128

struct progress {
        bool tty, quiet;
        size_t n;
        struct {
                char id[13];
                uint64_t done, total;
                char status[48];
        } rows[BARS_MAX];
};

static void redraw(struct progress *p, size_t changed, bool fresh)
{
        if (!fresh)
                printf("\033[%zuA", p->n - changed);
        for (size_t i = changed; i < p->n; i++) {
                char bar[31] = "";
                if (p->rows[i].total && !strcmp(p->rows[i].status, "Downloading")) {
                        int fill = (int)(30 * p->rows[i].done / p->rows[i].total);
                        memset(bar, '=', (size_t)fill);
                        bar[fill] = '>';
                        bar[fill + 1 < 31 ? fill + 1 : 30] = '\0';
                        printf("\033[2K%s: %s [%-30s] %.1fMB/%.1fMB\n", p->rows[i].id,
                               p->rows[i].status, bar, p->rows[i].done / 1e6,
                               p->rows[i].total / 1e6);
                } else {
                        printf("\033[2K%s: %s\n", p->rows[i].id, p->rows[i].status);
                }
        }
        fflush(stdout);
}

static void on_event(const struct hull_blob_event *ev, void *data)
{
        struct progress *p = data;
        if (p->quiet)
                return;
        char id[13];
        hull_cli_short_id(ev->digest, id);
        size_t i = 0;
        while (i < p->n && strcmp(p->rows[i].id, id))
                i++;
        bool fresh = i == p->n;
        if (fresh && p->n < BARS_MAX)
                snprintf(p->rows[p->n++].id, sizeof(p->rows[0].id), "%s", id);
        else if (fresh)
                return;
        const char *status = ev->kind == HULL_BLOB_START      ? "Downloading"
                             : ev->kind == HULL_BLOB_PROGRESS ? "Downloading"
                             : ev->kind == HULL_BLOB_RETRY    ? "Retrying"
                             : ev->attempt < 0                ? "Already exists"
                                                              : "Download complete";
        snprintf(p->rows[i].status, sizeof(p->rows[i].status), "%s", status);
        p->rows[i].done = ev->done;
        p->rows[i].total = ev->total;
        if (p->tty) {
                redraw(p, fresh ? p->n - 1 : i, fresh);
        } else if (ev->kind == HULL_BLOB_RETRY) {
                printf("%s: Retrying (attempt %d) after %s at %llu/%llu bytes\n", id, ev->attempt,
                       ev->why ? ev->why : "an error", (unsigned long long)ev->done,
                       (unsigned long long)ev->total);
        } else if (ev->kind != HULL_BLOB_PROGRESS) {
                printf("%s: %s\n", id, status);
        }
        fflush(stdout);
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            HULL_REGISTRY_LONGOPTS,
            {"platform", required_argument, NULL, HULL_OPT_PLATFORM},
            {"quiet", no_argument, NULL, 'q'},
            {"parallel", required_argument, NULL, 'j'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        struct hull_pull_opts o = {0};
        hull_cli_registry_defaults(&o.reg);
        const char *platform_s = NULL;
        static struct progress prog;
        prog.tty = isatty(STDOUT_FILENO);
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "qhj:", longopts, NULL)) != -1) {
                int r = hull_cli_registry_opt(c, optarg, &o.reg);
                if (r < 0)
                        return hull_cli_usage(&hull_cmd_pull, "bad value for an option");
                if (r > 0)
                        continue;
                switch (c) {
                case HULL_OPT_PLATFORM:
                        platform_s = optarg;
                        break;
                case 'q':
                        prog.quiet = true;
                        break;
                case 'j':
                        o.fetch.parallel = atoi(optarg);
                        break;
                case 'h':
                        fputs(hull_cmd_pull.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_pull, "bad option");
                }
        }
        if (optind + 1 != argc)
                return hull_cli_usage(&hull_cmd_pull, "requires exactly 1 argument");
        struct hull_err err = {0};
        _cleanup_(hull_ref_freep) struct hull_ref ref = {0};
        struct hull_platform platform = {0};
        if (hull_ref_parse(argv[optind], &ref, &err) < 0 ||
            hull_platform_parse(platform_s, &platform, &err) < 0)
                return hull_cli_fail(&err);
        o.platform = &platform;
        o.fetch.progress = on_event;
        o.fetch.progress_data = &prog;
        struct hull_store *s;
        struct hull_pull_result res = {0};
        _cleanup_free_ char *full = hull_ref_string(&ref);
        if (!prog.quiet)
                printf("Pulling %s\n", full);
        int r = hull_cli_store(ctx, &s, &err);
        if (r == 0)
                r = hull_pull(s, &ref, &o, &res, &err);
        hull_platform_free(&platform);
        if (r < 0) {
                hull_err_wrap(&err, "pull %s", full);
                return hull_cli_fail(&err);
        }
        if (!prog.quiet) {
                printf("Digest: %s\n", res.digest);
                printf("Status: %s for %s\n",
                       res.fetched ? "Downloaded newer image" : "Image is up to date", full);
        }
        printf("%s\n", full);
        return 0;
}

const struct hull_cmd hull_cmd_pull = {
    .name = "pull",
    .summary = "Pull an image from a registry",
    .usage = "Usage: hull pull [OPTIONS] NAME[:TAG|@DIGEST]\n\n"
             "Fetch an image (for an index: the entry of --platform) and the layers the\n"
             "store lacks, several at a time; every blob's digest is verified.\n\n"
             "Options:\n"
             "      --platform OS/ARCH[/VARIANT]  platform to pick from an index\n"
             "  -q, --quiet          print only the image name\n"
             "  -j, --parallel N     layers downloaded at once (6)\n" HULL_REGISTRY_USAGE,
    .run = run,
};

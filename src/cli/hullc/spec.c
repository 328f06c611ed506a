/* `hullc spec`: write a starter config.json (runc's defaults) into a bundle directory. */
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include "base/cleanup.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"
#include "oci/config.h"

/* runc writes json.MarshalIndent(spec, "", "\t"); jansson indents with spaces only, so dump
 * with one space per level and turn each line's leading spaces into tabs. Strings never hold a
 * raw newline in JSON, so leading spaces are always indentation. */
static char *dump_tab_indented(json_t *spec)
{
        _cleanup_free_ char *text = json_dumps(spec, JSON_INDENT(1));
        bool line_start = true;

        if (!text)
                return NULL;
        for (char *p = text; *p; p++) {
                if (*p == '\n')
                        line_start = true;
                else if (*p == ' ' && line_start)
                        *p = '\t';
                else
                        line_start = false;
        }
        return TAKE_PTR(text);
}

static int write_all(int fd, const char *data, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                data += n;
                len -= (size_t)n;
        }
        return 0;
}

static int write_spec(const char *bundle, bool rootless, struct hull_err *err)
{
        _cleanup_close_ int dirfd = -EBADF;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        json_auto_t *spec = NULL;
        int r;

        dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return hull_err_sys(err, errno, "open bundle directory %s", bundle);
        spec = hull_oci_default_spec(rootless, geteuid(), getegid());
        text = spec ? dump_tab_indented(spec) : NULL;
        if (!text)
                return hull_err_set(err, ENOMEM, "generate the default spec: %s", strerror(ENOMEM));
        /* O_EXCL: never overwrite a user's config.json, even one that appears meanwhile */
        fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST)
                return hull_err_set(err, EEXIST, "File config.json exists. Remove it first");
        if (fd < 0)
                return hull_err_sys(err, errno, "create %s/config.json", bundle);
        r = write_all(fd, text, strlen(text));
        if (r == 0)
                r = write_all(fd, "\n", 1);
        if (r < 0) {
                hull_err_sys(err, -r, "write %s/config.json", bundle);
                unlinkat(dirfd, "config.json", 0);
                return r;
        }
        return 0;
}

static int spec_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        const char *bundle = NULL;
        bool rootless = false;
        const struct hull_cli_opt opts[] = {
            {"bundle", 'b', HULL_CLI_OPT_STRING, &bundle},
            {"rootless", 0, HULL_CLI_OPT_BOOL, &rootless},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_spec,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 0,
            .max_args = 0,
        };
        struct hull_err err = {0};
        int r;

        r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        if (write_spec(bundle && bundle[0] ? bundle : ".", rootless, &err) < 0)
                return hull_cli_fail(ctx, &err);
        return 0;
}

const struct hull_cli_command hull_cmd_spec = {
    .name = "spec",
    .summary = "create a new specification file",
    .usage = "NAME:\n"
             "   hullc spec - create a new specification file\n"
             "\n"
             "USAGE:\n"
             "   hullc spec [command options]\n"
             "\n"
             "DESCRIPTION:\n"
             "   The spec command writes a starter specification file, \"config.json\", into\n"
             "the bundle directory (the current directory unless --bundle is given). It\n"
             "refuses to overwrite an existing config.json.\n"
             "\n"
             "The generated spec runs \"sh\" in a terminal, with the root filesystem taken\n"
             "from the \"rootfs\" directory of the bundle. Edit it to suit: for example, to\n"
             "run /hello instead,\n"
             "\n"
             "       # hullc spec\n"
             "       # jq '.process.args = [\"/hello\"] | .process.terminal = false' \\\n"
             "             config.json > new.json && mv new.json config.json\n"
             "       # hullc run container1\n"
             "\n"
             "--rootless generates a spec for an unprivileged user: a user namespace that\n"
             "maps the caller's uid and gid to root, and no host-privileged mounts.\n"
             "\n"
             "OPTIONS:\n"
             "   --bundle value, -b value  path to the root of the bundle directory\n"
             "   --rootless                generate a configuration for a rootless container\n",
    .run = spec_run,
};

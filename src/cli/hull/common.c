/* Helpers shared by the hull commands: the store, error and usage output, human formats. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "cli/hull/cli.h"

int hull_cli_store(struct hull_ctx *ctx, struct hull_store **ret, struct hull_err *err)
{
        if (!ctx->store_open) {
                int r = hull_store_open(ctx->root, &ctx->store, err);
                if (r < 0)
                        return r;
                ctx->store_open = true;
                hull_store_clean_tmp(&ctx->store);
        }
        *ret = &ctx->store;
        return 0;
}

int hull_cli_fail(const struct hull_err *err)
{
        fflush(stdout);
        fprintf(stderr, "hull: %s\n",
                err->msg[0] ? err->msg : strerror(err->code ? err->code : EIO));
        return 1;
}

int hull_cli_usage(const struct hull_cmd *cmd, const char *fmt, ...)
{
        va_list ap;
        fprintf(stderr, "hull %s: ", cmd->name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nSee 'hull %s --help'.\n", cmd->name);
        return 125;
}

bool hull_cli_help(const struct hull_cmd *cmd, int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--"))
                        break;
                if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        fputs(cmd->usage, stdout);
                        return true;
                }
        }
        return false;
}

long long hull_cli_parse_time(const char *s)
{
        struct tm tm = {0};
        if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        return (long long)timegm(&tm);
}

void hull_cli_human_age(const char *rfc3339, char *buf, size_t len)
{
        long long t = hull_cli_parse_time(rfc3339);
        if (!t) {
                snprintf(buf, len, "N/A");
                return;
        }
        long long d = (long long)time(NULL) - t;
        static const struct {
                long long secs;
                const char *unit;
        } units[] = {{365LL * 86400, "year"}, {30LL * 86400, "month"}, {7 * 86400, "week"},
                     {86400, "day"},          {3600, "hour"},          {60, "minute"}};
        if (d < 60) {
                snprintf(buf, len, d < 1 ? "Less than a second ago" : "%lld seconds ago", d);
                return;
        }
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                long long n = d / units[i].secs;
                if (n >= 1) {
                        if (n == 1)
                                snprintf(buf, len, "%s %s ago",
                                         units[i].unit[0] == 'h' ? "An" : "A", units[i].unit);
                        else
                                snprintf(buf, len, "%lld %ss ago", n, units[i].unit);
                        return;
                }
        }
}

void hull_cli_human_size(double bytes, char *buf, size_t len)
{
        static const char *u[] = {"B", "kB", "MB", "GB", "TB"};
        size_t i = 0;
        while (bytes >= 1000 && i < 4) {
                bytes /= 1000;
                i++;
        }
        snprintf(buf, len, i ? "%.3g%s" : "%.0f%s", bytes, u[i]);
}

const char *hull_cli_short_id(const char *digest, char buf[13])
{
        const char *hex = digest && !strncmp(digest, "sha256:", 7) ? digest + 7 : digest;
        snprintf(buf, 13, "%.12s", hex ? hex : "");
        return buf;
}

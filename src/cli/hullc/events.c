/* `hullc events`: a container's cgroup statistics every --interval and its OOM kills as they
 * happen, one JSON object per line as runc prints them; --stats prints the statistics once. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/hullc/cgroup_cmd.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

/* A Go duration ("5s", "100ms", "1m30s", "1.5s") in milliseconds. */
static int parse_duration_ms(const char *s, long long *ret)
{
        static const struct {
                const char *unit;
                double ms;
        } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3},  {"ms", 1},
                     {"s", 1000},  {"m", 60000}, {"h", 3600000}};
        double total = 0;
        if (!*s)
                return -EINVAL;
        while (*s) {
                char *end;
                errno = 0;
                double v = strtod(s, &end);
                if (errno || end == s || v < 0 || *s == '-' || *s == '+')
                        return -EINVAL;
                size_t best = 0, best_len = 0;
                for (size_t i = 0; i < HULL_ARRAY_SIZE(units); i++) {
                        size_t n = strlen(units[i].unit);
                        if (strncmp(end, units[i].unit, n) == 0 && n > best_len) {
                                best = i;
                                best_len = n;
                        }
                }
                if (!best_len)
                        return -EINVAL;
                total += v * units[best].ms;
                s = end + best_len;
        }
        if (total > 86400000.0 * 365)
                return -ERANGE;
        *ret = (long long)total;
        return 0;
}

static int print_event(const char *type, const char *id, json_t *data)
{
        json_auto_t *ev = json_pack("{s:s, s:s}", "type", type, "id", id);
        if (!ev)
                return -ENOMEM;
        if (data)
                json_object_set(ev, "data", data);
        _cleanup_free_ char *s = json_dumps(ev, JSON_COMPACT);
        if (!s)
                return -ENOMEM;
        printf("%s\n", s);
        fflush(stdout);
        return 0;
}

static int print_stats(struct hull_cgroup *cg, const char *id, struct hull_err *err)
{
        json_auto_t *data = NULL;
        int r = hull_cgroup_stats(cg, &data, err);
        if (r < 0)
                return r;
        /* runc's shape also has these; hullc has nothing to put in them. */
        json_object_set_new(data, "intel_rdt", json_object());
        json_object_set_new(data, "network_interfaces", json_null());
        if (print_event("stats", id, data) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        return 0;
}

/* Gone when no process is left (the container stopped) or its cgroup was removed. */
static bool container_gone(struct hull_cgroup *cg)
{
        pid_t *pids = NULL;
        size_t n = 0;
        struct hull_err ignored;
        int r = hull_cgroup_pids(cg, &pids, &n, &ignored);
        free(pids);
        return r < 0 || n == 0;
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int watch(struct hull_cgroup *cg, const char *id, long long interval_ms,
                 struct hull_err *err)
{
        uint64_t ooms = 0, now;
        hull_cgroup_oom_kills(cg, &ooms, NULL);
        /* Without a memory controller there are no OOM events, only the statistics. */
        struct hull_err ignored;
        _cleanup_close_ int fd = hull_cgroup_memory_event_fd(cg, &ignored);
        long long next = now_ms() + interval_ms, recheck_until = 0;
        for (;;) {
                long long t = now_ms(), left = next - t;
                /* The v1 notification comes when the OOM starts, before the kill is counted:
                 * look again shortly after one. */
                long long cap = t < recheck_until ? 20 : 1000;
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int n = poll(&p, fd >= 0 ? 1 : 0, (int)(left <= 0 ? 0 : left < cap ? left : cap));
                if (n < 0 && errno != EINTR)
                        return hull_err_sys(err, errno, "poll");
                if (n > 0) {
                        hull_cgroup_event_drain(fd);
                        recheck_until = now_ms() + 1000;
                }
                if (hull_cgroup_oom_kills(cg, &now, NULL) == 0 && now > ooms) {
                        for (; ooms < now; ooms++)
                                print_event("oom", id, NULL);
                }
                if (container_gone(cg))
                        return 0;
                if (now_ms() >= next) {
                        int r = print_stats(cg, id, err);
                        if (r < 0)
                                return container_gone(cg) ? 0 : r;
                        next += interval_ms;
                }
        }
}

static int events_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        _cleanup_(hull_cli_cgroup_close) struct hull_cli_cgroup c = {.dir_fd = -EBADF};
        _cleanup_(hull_cgroup_freep) struct hull_cgroup *cg = NULL;
        const char *interval = "5s";
        bool stats = false;
        const struct hull_cli_opt opts[] = {
            {"interval", 0, HULL_CLI_OPT_STRING, &interval},
            {"stats", 0, HULL_CLI_OPT_BOOL, &stats},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_events,
            .opts = opts,
            .n_opts = HULL_ARRAY_SIZE(opts),
            .min_args = 1,
            .max_args = 1,
        };
        struct hull_err err = {0};
        int r = hull_cli_parse(ctx, &spec, argc, argv, &args);
        if (r != HULL_CLI_CONTINUE)
                return r;
        const char *id = args.argv[0];
        r = hull_cli_check_id(ctx, id);
        if (r != HULL_CLI_CONTINUE)
                return r;
        long long interval_ms;
        if (parse_duration_ms(interval, &interval_ms) < 0 || interval_ms <= 0)
                return hull_cli_usage_error(ctx, "events", "invalid --interval \"%s\"", interval);
        if (hull_cli_cgroup_open(ctx, id, false, &c, &err) < 0)
                return hull_cli_fail(ctx, &err);
        if (c.status == HULL_STATUS_STOPPED) {
                hull_err_set(&err, EINVAL, "container %s is not running", id);
                return hull_cli_fail(ctx, &err);
        }
        /* Not holding the container's lock while watching: delete must not wait for us. */
        cg = TAKE_PTR(c.cg);
        hull_cli_cgroup_close(&c);
        r = stats ? print_stats(cg, id, &err) : watch(cg, id, interval_ms, &err);
        if (r < 0)
                return hull_cli_fail(ctx, &err);
        return 0;
}

const struct hull_cli_command hull_cmd_events = {
    .name = "events",
    .summary = "display container events such as OOM notifications, cpu, memory, and IO usage "
               "statistics",
    .usage = "NAME:\n"
             "   hullc events - display container events such as OOM notifications, cpu,\n"
             "   memory, and IO usage statistics\n"
             "\n"
             "USAGE:\n"
             "   hullc events [command options] <container-id>\n"
             "\n"
             "Where \"<container-id>\" is the name of the container instance.\n"
             "\n"
             "DESCRIPTION:\n"
             "   The events command displays information about the container. By default the\n"
             "information is displayed once every 5 seconds.\n"
             "\n"
             "OPTIONS:\n"
             "   --interval value  set the stats collection interval (default: 5s)\n"
             "   --stats           display the container's stats then exit\n",
    .run = events_run,
};

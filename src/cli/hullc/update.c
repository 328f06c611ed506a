/* `hullc update`: change the cgroup limits of a live container, from a linux.resources JSON
 * (--resources FILE, or - for stdin) or from runc's per-limit flags. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "cli/hullc/cgroup_cmd.h"
#include "cli/hullc/cli.h"
#include "cli/hullc/opts.h"

/* Sizes as docker and runc take them: "1024", "512k", "100m", "1.5g", "2GiB", binary units;
 * "-1" where unlimited is allowed. */
static int parse_size(const char *s, bool allow_minus_one, int64_t *ret)
{
        if (allow_minus_one && strcmp(s, "-1") == 0) {
                *ret = -1;
                return 0;
        }
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || v < 0 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
                return -EINVAL;
        while (*end == ' ')
                end++;
        double mult = 1;
        if (*end) {
                const char *units = "kmgtp";
                const char *u = strchr(units, *end | 0x20);
                if (!u)
                        return -EINVAL;
                for (const char *p = units; p <= u; p++)
                        mult *= 1024;
                end++;
                if (*end == 'i' || *end == 'I')
                        end++;
                if (*end == 'b' || *end == 'B')
                        end++;
        } else if (strchr(s, '.')) {
                return -EINVAL; /* fractional bytes */
        }
        if (*end)
                return -EINVAL;
        double bytes = v * mult;
        if (bytes >= 9.2e18)
                return -ERANGE;
        *ret = (int64_t)bytes;
        return 0;
}

struct update_flags {
        const char *resources;
        const char *blkio_weight, *cpu_period, *cpu_quota, *cpu_burst, *cpu_rt_period,
            *cpu_rt_runtime, *cpu_share, *cpuset_cpus, *cpuset_mems, *kernel_memory,
            *kernel_memory_tcp, *memory, *memory_reservation, *memory_swap, *pids_limit,
            *l3_cache_schema, *mem_bw_schema;
};

/* Put KEY under resources.SECTION, parsed from the flag value V. */
static int set_flag(json_t *res, const char *section, const char *key, const char *flag,
                    const char *v, char kind, struct hull_err *err)
{
        if (!v)
                return 0;
        json_t *obj = json_object_get(res, section);
        if (!obj) {
                obj = json_object();
                if (!obj || json_object_set_new(res, section, obj) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        json_t *val = NULL;
        int64_t i;
        uint64_t u;
        switch (kind) {
        case 's': /* string */
                val = json_string(v);
                break;
        case 'm': /* size, -1 allowed */
        case 'M': /* size */
                if (parse_size(v, kind == 'm', &i) < 0)
                        return hull_err_set(err, EINVAL, "invalid value for --%s: \"%s\"", flag, v);
                val = json_integer(i);
                break;
        case 'i': /* int64 */
                if (hull_parse_int64(v, &i) < 0)
                        return hull_err_set(err, EINVAL, "invalid value for --%s: \"%s\"", flag, v);
                val = json_integer(i);
                break;
        default: /* 'u': uint64 */
                if (hull_parse_uint64(v, &u) < 0 || u > INT64_MAX)
                        return hull_err_set(err, EINVAL, "invalid value for --%s: \"%s\"", flag, v);
                val = json_integer((json_int_t)u);
                break;
        }
        if (!val || json_object_set_new(obj, key, val) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        return 0;
}

static int resources_from_flags(const struct update_flags *f, json_t **ret, struct hull_err *err)
{
        json_auto_t *res = json_object();
        if (!res)
                return hull_err_set(err, ENOMEM, "out of memory");
        if (f->l3_cache_schema || f->mem_bw_schema)
                return hull_err_set(err, ENOTSUP,
                                    "--l3-cache-schema and --mem-bw-schema (Intel RDT) are not "
                                    "supported by hullc");
        int r;
        if ((r = set_flag(res, "blockIO", "weight", "blkio-weight", f->blkio_weight, 'u', err)) <
                0 ||
            (r = set_flag(res, "cpu", "period", "cpu-period", f->cpu_period, 'u', err)) < 0 ||
            (r = set_flag(res, "cpu", "quota", "cpu-quota", f->cpu_quota, 'i', err)) < 0 ||
            (r = set_flag(res, "cpu", "burst", "cpu-burst", f->cpu_burst, 'u', err)) < 0 ||
            (r = set_flag(res, "cpu", "realtimePeriod", "cpu-rt-period", f->cpu_rt_period, 'u',
                          err)) < 0 ||
            (r = set_flag(res, "cpu", "realtimeRuntime", "cpu-rt-runtime", f->cpu_rt_runtime, 'i',
                          err)) < 0 ||
            (r = set_flag(res, "cpu", "shares", "cpu-share", f->cpu_share, 'u', err)) < 0 ||
            (r = set_flag(res, "cpu", "cpus", "cpuset-cpus", f->cpuset_cpus, 's', err)) < 0 ||
            (r = set_flag(res, "cpu", "mems", "cpuset-mems", f->cpuset_mems, 's', err)) < 0 ||
            (r = set_flag(res, "memory", "kernel", "kernel-memory", f->kernel_memory, 'm', err)) <
                0 ||
            (r = set_flag(res, "memory", "kernelTCP", "kernel-memory-tcp", f->kernel_memory_tcp,
                          'm', err)) < 0 ||
            (r = set_flag(res, "memory", "limit", "memory", f->memory, 'm', err)) < 0 ||
            (r = set_flag(res, "memory", "reservation", "memory-reservation", f->memory_reservation,
                          'm', err)) < 0 ||
            (r = set_flag(res, "memory", "swap", "memory-swap", f->memory_swap, 'm', err)) < 0 ||
            (r = set_flag(res, "pids", "limit", "pids-limit", f->pids_limit, 'i', err)) < 0)
                return r;
        *ret = json_incref(res);
        return 0;
}

static int resources_from_file(const char *path, json_t **ret, struct hull_err *err)
{
        json_error_t jerr;
        json_t *res =
            strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(path, 0, &jerr);
        const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
        if (!res)
                return hull_err_set(err, EINVAL, "%s:%d:%d: %s", name, jerr.line, jerr.column,
                                    jerr.text);
        if (!json_is_object(res)) {
                json_decref(res);
                return hull_err_set(err, EINVAL, "%s: expected a linux.resources JSON object",
                                    name);
        }
        *ret = res;
        return 0;
}

static int update_run(struct hull_cli_ctx *ctx, int argc, char **argv)
{
        _cleanup_(hull_cli_args_done) struct hull_cli_args args = {0};
        _cleanup_(hull_cli_cgroup_close) struct hull_cli_cgroup c = {.dir_fd = -EBADF};
        struct update_flags f = {0};
        const struct hull_cli_opt opts[] = {
            {"resources", 'r', HULL_CLI_OPT_STRING, &f.resources},
            {"blkio-weight", 0, HULL_CLI_OPT_STRING, &f.blkio_weight},
            {"cpu-period", 0, HULL_CLI_OPT_STRING, &f.cpu_period},
            {"cpu-quota", 0, HULL_CLI_OPT_STRING, &f.cpu_quota},
            {"cpu-burst", 0, HULL_CLI_OPT_STRING, &f.cpu_burst},
            {"cpu-rt-period", 0, HULL_CLI_OPT_STRING, &f.cpu_rt_period},
            {"cpu-rt-runtime", 0, HULL_CLI_OPT_STRING, &f.cpu_rt_runtime},
            {"cpu-share", 0, HULL_CLI_OPT_STRING, &f.cpu_share},
            {"cpuset-cpus", 0, HULL_CLI_OPT_STRING, &f.cpuset_cpus},
            {"cpuset-mems", 0, HULL_CLI_OPT_STRING, &f.cpuset_mems},
            {"kernel-memory", 0, HULL_CLI_OPT_STRING, &f.kernel_memory},
            {"kernel-memory-tcp", 0, HULL_CLI_OPT_STRING, &f.kernel_memory_tcp},
            {"memory", 0, HULL_CLI_OPT_STRING, &f.memory},
            {"memory-reservation", 0, HULL_CLI_OPT_STRING, &f.memory_reservation},
            {"memory-swap", 0, HULL_CLI_OPT_STRING, &f.memory_swap},
            {"pids-limit", 0, HULL_CLI_OPT_STRING, &f.pids_limit},
            {"l3-cache-schema", 0, HULL_CLI_OPT_STRING, &f.l3_cache_schema},
            {"mem-bw-schema", 0, HULL_CLI_OPT_STRING, &f.mem_bw_schema},
        };
        const struct hull_cli_spec spec = {
            .cmd = &hull_cmd_update,
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
        json_auto_t *res = NULL;
        /* As runc: a resources file replaces the flags. */
        r = f.resources ? resources_from_file(f.resources, &res, &err)
                        : resources_from_flags(&f, &res, &err);
        if (r < 0)
                return hull_cli_fail(ctx, &err);
        if (hull_cli_cgroup_open(ctx, id, true, &c, &err) < 0)
                return hull_cli_fail(ctx, &err);
        if (c.status == HULL_STATUS_STOPPED) {
                hull_err_set(&err, EINVAL, "container %s is not running", id);
                return hull_cli_fail(ctx, &err);
        }
        const char *cfg = f.resources ? (strcmp(f.resources, "-") == 0 ? "<stdin>" : f.resources)
                                      : "update flags";
        if (hull_cgroup_apply(c.cg, res, cfg, &err) < 0) {
                hull_err_wrap(&err, "update %s", id);
                return hull_cli_fail(ctx, &err);
        }
        return 0;
}

const struct hull_cli_command hull_cmd_update = {
    .name = "update",
    .summary = "update container resource constraints",
    .usage =
        "NAME:\n"
        "   hullc update - update container resource constraints\n"
        "\n"
        "USAGE:\n"
        "   hullc update [command options] <container-id>\n"
        "\n"
        "DESCRIPTION:\n"
        "   The data can be read from a file or the standard input, or set by the flags.\n"
        "If --resources is given, the flags are ignored. The JSON is the linux.resources\n"
        "object of the OCI runtime specification, for example:\n"
        "\n"
        "   {\n"
        "     \"memory\": {\"limit\": 0, \"reservation\": 0, \"swap\": 0, \"checkBeforeUpdate\": "
        "true},\n"
        "     \"cpu\": {\"shares\": 0, \"quota\": 0, \"burst\": 0, \"period\": 0,\n"
        "             \"realtimeRuntime\": 0, \"realtimePeriod\": 0, \"cpus\": \"\", \"mems\": "
        "\"\"},\n"
        "     \"blockIO\": {\"weight\": 0},\n"
        "     \"pids\": {\"limit\": 0},\n"
        "     \"unified\": {\"memory.high\": \"max\"}\n"
        "   }\n"
        "\n"
        "OPTIONS:\n"
        "   --resources value, -r value  path to the file containing the resources to update\n"
        "                                or '-' to read from the standard input\n"
        "   --blkio-weight value         Specifies per cgroup weight, range is from 10 to 1000\n"
        "   --cpu-period value           CPU CFS period to be used for hardcapping (in usecs).\n"
        "                                0 to use system default\n"
        "   --cpu-quota value            CPU CFS hardcap limit (in usecs). Allowed cpu time in\n"
        "                                a given period\n"
        "   --cpu-burst value            CPU CFS hardcap burst limit (in usecs). Allowed\n"
        "                                accumulated cpu time additionally for burst a given\n"
        "                                period\n"
        "   --cpu-rt-period value        CPU realtime period to be used for hardcapping (in\n"
        "                                usecs). 0 to use system default\n"
        "   --cpu-rt-runtime value       CPU realtime hardcap limit (in usecs). Allowed cpu\n"
        "                                time in a given period\n"
        "   --cpu-share value            CPU shares (relative weight vs. other containers)\n"
        "   --cpuset-cpus value          CPU(s) to use\n"
        "   --cpuset-mems value          Memory node(s) to use\n"
        "   --kernel-memory value        (obsoleted; do not use)\n"
        "   --kernel-memory-tcp value    (obsoleted; do not use)\n"
        "   --memory value               Memory limit (in bytes)\n"
        "   --memory-reservation value   Memory reservation or soft_limit (in bytes)\n"
        "   --memory-swap value          Total memory usage (memory + swap); set '-1' to\n"
        "                                enable unlimited swap\n"
        "   --pids-limit value           Maximum number of pids allowed in the container\n"
        "   --l3-cache-schema value      The string of Intel RDT/CAT L3 cache schema (not\n"
        "                                supported)\n"
        "   --mem-bw-schema value        The string of Intel RDT/MBA memory bandwidth schema\n"
        "                                (not supported)\n",
    .run = update_run,
};

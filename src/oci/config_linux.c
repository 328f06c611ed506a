/* The "linux" object of config.json (namespaces, id mappings, devices, sysctl, time offsets,
 * masked and read-only paths), the checks tying it to the rest, and namespace type names. */
#include "oci/config_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        const char *name;
        const char *proc_name;
        unsigned long flag;
} ns_types[HULL_NS_COUNT] = {
    [HULL_NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [HULL_NS_NETWORK] = {"network", "net", CLONE_NEWNET},
    [HULL_NS_MOUNT] = {"mount", "mnt", CLONE_NEWNS},
    [HULL_NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [HULL_NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [HULL_NS_USER] = {"user", "user", CLONE_NEWUSER},
    [HULL_NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [HULL_NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

int hull_ns_type_from_string(const char *s)
{
        for (int t = 0; s && t < HULL_NS_COUNT; t++)
                if (strcmp(s, ns_types[t].name) == 0)
                        return t;
        return -EINVAL;
}

const char *hull_ns_type_to_string(enum hull_ns_type t)
{
        return (unsigned)t < HULL_NS_COUNT ? ns_types[t].name : NULL;
}

unsigned long hull_ns_type_clone_flag(enum hull_ns_type t)
{
        return (unsigned)t < HULL_NS_COUNT ? ns_types[t].flag : 0;
}

const char *hull_ns_type_proc_name(enum hull_ns_type t)
{
        return (unsigned)t < HULL_NS_COUNT ? ns_types[t].proc_name : NULL;
}

const struct hull_oci_namespace *hull_oci_config_namespace(const struct hull_oci_config *c,
                                                           enum hull_ns_type type)
{
        for (size_t i = 0; c && i < c->linux_.n_namespaces; i++)
                if (c->linux_.namespaces[i].type == type)
                        return &c->linux_.namespaces[i];
        return NULL;
}

void oci_linux_free(struct hull_oci_linux *l)
{
        for (size_t i = 0; i < l->n_namespaces; i++)
                free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        free(l->rootfs_propagation);
        hull_strv_free(l->masked_paths);
        hull_strv_free(l->readonly_paths);
        free(l->mount_label);
        for (size_t i = 0; i < l->n_sysctl; i++) {
                free(l->sysctl[i].key);
                free(l->sysctl[i].value);
        }
        free(l->sysctl);
        for (size_t i = 0; i < l->n_time_offsets; i++)
                free(l->time_offsets[i].clock);
        free(l->time_offsets);
        memset(l, 0, sizeof(*l));
}

static int parse_namespace(struct oci_ctx *ctx, json_t *e, const char *path,
                           struct hull_oci_linux *l, size_t i, size_t seen_at[HULL_NS_COUNT])
{
        char tp[HULL_JSON_PATH_MAX], pp[HULL_JSON_PATH_MAX], q[OCI_QUOTE_MAX];
        _cleanup_free_ char *type = NULL;
        int r = oci_check(ctx, e, path, OCI_OBJECT);
        if (r < 0 || (r = oci_string(ctx, e, path, "type", true, &type)) < 0)
                return r;
        hull_json_path_key(tp, sizeof(tp), path, "type");
        int t = hull_ns_type_from_string(type);
        if (t < 0)
                return oci_fail(ctx, tp,
                                "unknown namespace type %s (expected pid, network, mount, ipc, "
                                "uts, user, cgroup or time)",
                                oci_quote(type, q, sizeof(q)));
        if (seen_at[t] != SIZE_MAX)
                return oci_fail(ctx, tp, "namespace %s is listed twice (also at index %zu)",
                                oci_quote(type, q, sizeof(q)), seen_at[t]);
        seen_at[t] = i;
        l->namespaces[i].type = (enum hull_ns_type)t;
        l->n_namespaces = i + 1;
        r = oci_string(ctx, e, path, "path", false, &l->namespaces[i].path);
        if (r <= 0)
                return r;
        if (l->namespaces[i].path[0] == '\0') {
                /* Go writers emit "" for "no path": create a new namespace, as runc does */
                free(l->namespaces[i].path);
                l->namespaces[i].path = NULL;
                return 0;
        }
        hull_json_path_key(pp, sizeof(pp), path, "path");
        return oci_check_absolute(ctx, pp, l->namespaces[i].path);
}

static int parse_namespaces(struct oci_ctx *ctx, json_t *obj, const char *path,
                            struct hull_oci_linux *l)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        size_t seen_at[HULL_NS_COUNT];
        json_t *a;
        int r = oci_field(ctx, obj, path, "namespaces", OCI_ARRAY, false, &a);
        if (r <= 0)
                return r;
        size_t n = json_array_size(a);
        l->namespaces = calloc(n ? n : 1, sizeof(*l->namespaces));
        if (!l->namespaces)
                return oci_oom(ctx);
        for (size_t t = 0; t < HULL_NS_COUNT; t++)
                seen_at[t] = SIZE_MAX;
        hull_json_path_key(p, sizeof(p), path, "namespaces");
        for (size_t i = 0; i < n; i++) {
                hull_json_path_index(ep, sizeof(ep), p, i);
                r = parse_namespace(ctx, json_array_get(a, i), ep, l, i, seen_at);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Go writers always emit "major" and "minor" (no omitempty), as 0 for a FIFO: accept 0. */
static int parse_device_numbers(struct oci_ctx *ctx, json_t *e, const char *path,
                                struct hull_oci_device *d)
{
        const char *keys[] = {"major", "minor"};
        int64_t *vals[] = {&d->major, &d->minor};
        for (size_t k = 0; k < 2; k++) {
                char kp[HULL_JSON_PATH_MAX];
                int r = oci_int(ctx, e, path, keys[k], d->type != 'p', 0, UINT32_MAX, vals[k]);
                if (r < 0)
                        return r;
                hull_json_path_key(kp, sizeof(kp), path, keys[k]);
                if (d->type == 'p' && *vals[k] != 0)
                        return oci_fail(ctx, kp, "must be absent or 0 for a FIFO (type \"p\")");
        }
        return 0;
}

static int parse_device(struct oci_ctx *ctx, json_t *e, const char *path, struct hull_oci_device *d)
{
        char p[HULL_JSON_PATH_MAX], q[OCI_QUOTE_MAX];
        _cleanup_free_ char *type = NULL;
        int64_t v;
        int r = oci_check(ctx, e, path, OCI_OBJECT);
        if (r < 0 || (r = oci_string(ctx, e, path, "type", true, &type)) < 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, "type");
        if (strlen(type) != 1 || !strchr("cbup", type[0]))
                return oci_fail(ctx, p, "unknown device type %s (expected c, b, u or p)",
                                oci_quote(type, q, sizeof(q)));
        d->type = type[0];
        if ((r = oci_string(ctx, e, path, "path", true, &d->path)) < 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, "path");
        if ((r = oci_check_absolute(ctx, p, d->path)) < 0 ||
            (r = parse_device_numbers(ctx, e, path, d)) < 0)
                return r;
        if ((r = oci_int(ctx, e, path, "fileMode", false, 0, UINT32_MAX, &v)) < 0)
                return r;
        d->has_mode = r > 0;
        d->file_mode = r > 0 ? (mode_t)v : 0;
        if ((r = oci_int(ctx, e, path, "uid", false, 0, UINT32_MAX - 1, &v)) < 0)
                return r;
        d->has_uid = r > 0;
        d->uid = r > 0 ? (uid_t)v : 0;
        if ((r = oci_int(ctx, e, path, "gid", false, 0, UINT32_MAX - 1, &v)) < 0)
                return r;
        d->has_gid = r > 0;
        d->gid = r > 0 ? (gid_t)v : 0;
        return 0;
}

static int parse_devices(struct oci_ctx *ctx, json_t *obj, const char *path,
                         struct hull_oci_linux *l)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        json_t *a;
        int r = oci_field(ctx, obj, path, "devices", OCI_ARRAY, false, &a);
        if (r <= 0)
                return r;
        size_t n = json_array_size(a);
        l->devices = calloc(n ? n : 1, sizeof(*l->devices));
        if (!l->devices)
                return oci_oom(ctx);
        hull_json_path_key(p, sizeof(p), path, "devices");
        for (size_t i = 0; i < n; i++) {
                l->n_devices = i + 1;
                hull_json_path_index(ep, sizeof(ep), p, i);
                r = parse_device(ctx, json_array_get(a, i), ep, &l->devices[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_sysctl(struct oci_ctx *ctx, json_t *obj, const char *path,
                        struct hull_oci_linux *l)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        const char *key;
        json_t *o, *v;
        int r = oci_field(ctx, obj, path, "sysctl", OCI_OBJECT, false, &o);
        if (r <= 0)
                return r;
        l->sysctl = calloc(json_object_size(o) + 1, sizeof(*l->sysctl));
        if (!l->sysctl)
                return oci_oom(ctx);
        hull_json_path_key(p, sizeof(p), path, "sysctl");
        json_object_foreach(o, key, v)
        {
                hull_json_path_key(ep, sizeof(ep), p, key);
                if ((r = oci_check(ctx, v, ep, OCI_STRING)) < 0)
                        return r;
                if (key[0] == '\0')
                        return oci_fail(ctx, ep, "empty sysctl name");
                struct hull_oci_sysctl *s = &l->sysctl[l->n_sysctl++];
                s->key = strdup(key);
                s->value = strdup(json_string_value(v));
                if (!s->key || !s->value)
                        return oci_oom(ctx);
        }
        return 0;
}

static int parse_time_offset(struct oci_ctx *ctx, const char *clock, json_t *v, const char *path,
                             struct hull_oci_time_offset *t)
{
        char q[OCI_QUOTE_MAX];
        int64_t n;
        int r;
        if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
                return oci_fail(ctx, path, "unknown clock %s (expected monotonic or boottime)",
                                oci_quote(clock, q, sizeof(q)));
        if ((r = oci_check(ctx, v, path, OCI_OBJECT)) < 0)
                return r;
        t->clock = strdup(clock);
        if (!t->clock)
                return oci_oom(ctx);
        if ((r = oci_int(ctx, v, path, "secs", false, INT64_MIN, INT64_MAX, &t->secs)) < 0)
                return r;
        /* /proc/PID/timens_offsets refuses nanoseconds that make a whole second */
        if ((r = oci_int(ctx, v, path, "nanosecs", false, 0, 999999999, &n)) < 0)
                return r;
        t->nanosecs = r > 0 ? (uint32_t)n : 0;
        return 0;
}

static int parse_time_offsets(struct oci_ctx *ctx, json_t *obj, const char *path,
                              struct hull_oci_linux *l)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        const char *clock;
        json_t *o, *v;
        int r = oci_field(ctx, obj, path, "timeOffsets", OCI_OBJECT, false, &o);
        if (r <= 0)
                return r;
        l->time_offsets = calloc(json_object_size(o) + 1, sizeof(*l->time_offsets));
        if (!l->time_offsets)
                return oci_oom(ctx);
        hull_json_path_key(p, sizeof(p), path, "timeOffsets");
        json_object_foreach(o, clock, v)
        {
                hull_json_path_key(ep, sizeof(ep), p, clock);
                r = parse_time_offset(ctx, clock, v, ep, &l->time_offsets[l->n_time_offsets++]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_paths(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key,
                       char ***ret)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        size_t n;
        int r = oci_strv(ctx, obj, path, key, false, ret, &n);
        if (r < 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, key);
        for (size_t i = 0; i < n; i++) {
                hull_json_path_index(ep, sizeof(ep), p, i);
                if ((r = oci_check_absolute(ctx, ep, (*ret)[i])) < 0)
                        return r;
        }
        return 0;
}

static int parse_propagation(struct oci_ctx *ctx, json_t *obj, const char *path,
                             struct hull_oci_linux *l)
{
        static const char *const valid[] = {"shared",  "slave",  "private",  "unbindable",
                                            "rshared", "rslave", "rprivate", "runbindable"};
        char p[HULL_JSON_PATH_MAX], q[OCI_QUOTE_MAX];
        int r = oci_string(ctx, obj, path, "rootfsPropagation", false, &l->rootfs_propagation);
        if (r <= 0)
                return r;
        if (l->rootfs_propagation[0] == '\0') {
                /* runc reads "" as "not set" */
                free(l->rootfs_propagation);
                l->rootfs_propagation = NULL;
                return 0;
        }
        for (size_t i = 0; i < HULL_ARRAY_SIZE(valid); i++)
                if (strcmp(l->rootfs_propagation, valid[i]) == 0)
                        return 0;
        hull_json_path_key(p, sizeof(p), path, "rootfsPropagation");
        return oci_fail(ctx, p,
                        "unknown propagation %s (expected shared, slave, private, unbindable, "
                        "rshared, rslave, rprivate or runbindable)",
                        oci_quote(l->rootfs_propagation, q, sizeof(q)));
}

int oci_parse_linux(struct oci_ctx *ctx, json_t *obj, const char *path, struct hull_oci_linux *l)
{
        int r;
        if ((r = oci_check(ctx, obj, path, OCI_OBJECT)) < 0 ||
            (r = parse_namespaces(ctx, obj, path, l)) < 0 ||
            (r = oci_idmaps(ctx, obj, path, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) <
                0 ||
            (r = oci_idmaps(ctx, obj, path, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) <
                0 ||
            (r = parse_devices(ctx, obj, path, l)) < 0 ||
            (r = oci_string(ctx, obj, path, "cgroupsPath", false, &l->cgroups_path)) < 0 ||
            (r = oci_field(ctx, obj, path, "resources", OCI_OBJECT, false, &l->resources)) < 0 ||
            (r = oci_field(ctx, obj, path, "seccomp", OCI_OBJECT, false, &l->seccomp)) < 0 ||
            (r = oci_field(ctx, obj, path, "intelRdt", OCI_OBJECT, false, &l->intel_rdt)) < 0 ||
            (r = oci_field(ctx, obj, path, "personality", OCI_OBJECT, false, &l->personality)) <
                0 ||
            (r = parse_propagation(ctx, obj, path, l)) < 0 ||
            (r = parse_paths(ctx, obj, path, "maskedPaths", &l->masked_paths)) < 0 ||
            (r = parse_paths(ctx, obj, path, "readonlyPaths", &l->readonly_paths)) < 0 ||
            (r = oci_string(ctx, obj, path, "mountLabel", false, &l->mount_label)) < 0 ||
            (r = parse_sysctl(ctx, obj, path, l)) < 0 ||
            (r = parse_time_offsets(ctx, obj, path, l)) < 0)
                return r;
        return 0;
}

/* runc refuses these combinations; without the namespace they would change the host. */
int oci_validate_linux(struct oci_ctx *ctx, const struct hull_oci_config *c)
{
        const struct hull_oci_linux *l = &c->linux_;
        const struct hull_oci_namespace *time_ns = hull_oci_config_namespace(c, HULL_NS_TIME);
        bool userns = hull_oci_config_namespace(c, HULL_NS_USER) != NULL;
        bool utsns = hull_oci_config_namespace(c, HULL_NS_UTS) != NULL;

        if (!userns && l->n_uid_mappings > 0)
                return oci_fail(ctx, ".linux.uidMappings",
                                "id mappings need a user namespace: add {\"type\": \"user\"} to "
                                ".linux.namespaces");
        if (!userns && l->n_gid_mappings > 0)
                return oci_fail(ctx, ".linux.gidMappings",
                                "id mappings need a user namespace: add {\"type\": \"user\"} to "
                                ".linux.namespaces");
        if (!utsns && c->hostname)
                return oci_fail(ctx, ".hostname",
                                "setting the hostname needs a UTS namespace: add {\"type\": "
                                "\"uts\"} to .linux.namespaces");
        if (!utsns && c->domainname)
                return oci_fail(ctx, ".domainname",
                                "setting the domain name needs a UTS namespace: add {\"type\": "
                                "\"uts\"} to .linux.namespaces");
        /* offsets can only be written before the first process enters the namespace */
        if (l->n_time_offsets > 0 && (!time_ns || time_ns->path))
                return oci_fail(ctx, ".linux.timeOffsets",
                                "time offsets need a new time namespace: add {\"type\": "
                                "\"time\"} without a path to .linux.namespaces");
        return 0;
}

/* `hullc spec`: the default config.json, the same defaults runc 1.1's `runc spec` writes
 * (with hostname "hull"), and its --rootless variant. */
#include "oci/config.h"

#include <stdbool.h>
#include <string.h>

#include "base/cleanup.h"
#include "oci/state.h"

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                           NULL};

static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/sys/firmware",
    "/proc/scsi",
    NULL,
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

struct default_mount {
        const char *destination;
        const char *type;
        const char *source;
        const char *options[8]; /* NULL-terminated; none at all: no "options" key */
};

static const struct default_mount default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* Without a network namespace of its own the container may not mount sysfs: bind the host's. */
static const struct default_mount rootless_sys = {
    "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static json_t *strv_json(const char *const *v, bool rootless)
{
        json_t *a = json_array();
        for (; a && *v; v++) {
                /* an unprivileged user cannot own files as uid/gid 5 (tty) in its namespace */
                if (rootless && (strncmp(*v, "gid=", 4) == 0 || strncmp(*v, "uid=", 4) == 0))
                        continue;
                if (json_array_append_new(a, json_string(*v)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

static json_t *mounts_json(bool rootless)
{
        json_t *a = json_array();
        for (size_t i = 0; a && i < HULL_ARRAY_SIZE(default_mounts); i++) {
                const struct default_mount *m = &default_mounts[i];
                if (rootless && strcmp(m->destination, "/sys") == 0)
                        m = &rootless_sys;
                json_t *o = json_pack("{s:s, s:s, s:s}", "destination", m->destination, "type",
                                      m->type, "source", m->source);
                if (o && m->options[0] &&
                    json_object_set_new(o, "options", strv_json(m->options, rootless)) < 0) {
                        json_decref(o);
                        o = NULL;
                }
                if (json_array_append_new(a, o) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

static json_t *namespaces_json(bool rootless)
{
        static const char *const types[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
        json_t *a = json_array();
        for (size_t i = 0; a && i < HULL_ARRAY_SIZE(types); i++) {
                /* rootless: no network namespace, the container shares the caller's network */
                if (rootless && strcmp(types[i], "network") == 0)
                        continue;
                if (json_array_append_new(a, json_pack("{s:s}", "type", types[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        if (a && rootless && json_array_append_new(a, json_pack("{s:s}", "type", "user")) < 0) {
                json_decref(a);
                return NULL;
        }
        return a;
}

static json_t *linux_json(bool rootless, uid_t uid, gid_t gid)
{
        json_t *l = json_object();
        if (!l)
                return NULL;
        int r = 0;
        if (rootless) {
                r |= json_object_set_new(l, "uidMappings",
                                         json_pack("[{s:I, s:i, s:i}]", "hostID", (json_int_t)uid,
                                                   "containerID", 0, "size", 1));
                r |= json_object_set_new(l, "gidMappings",
                                         json_pack("[{s:I, s:i, s:i}]", "hostID", (json_int_t)gid,
                                                   "containerID", 0, "size", 1));
        } else {
                /* rootless leaves cgroups alone: it usually cannot write them */
                r |= json_object_set_new(
                    l, "resources",
                    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
        }
        r |= json_object_set_new(l, "namespaces", namespaces_json(rootless));
        r |= json_object_set_new(l, "maskedPaths", strv_json(masked_paths, false));
        r |= json_object_set_new(l, "readonlyPaths", strv_json(readonly_paths, false));
        if (r) {
                json_decref(l);
                return NULL;
        }
        return l;
}

static json_t *process_json(void)
{
        return json_pack(
            "{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:{s:o, s:o, s:o}, "
            "s:[{s:s, s:i, s:i}], s:b}",
            "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
            "cwd", "/", "capabilities", "bounding", strv_json(default_caps, false), "effective",
            strv_json(default_caps, false), "permitted", strv_json(default_caps, false), "rlimits",
            "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1);
}

json_t *hull_oci_default_spec(bool rootless, uid_t uid, gid_t gid)
{
        return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", HULL_OCI_VERSION,
                         "process", process_json(), "root", "path", "rootfs", "readonly", 1,
                         "hostname", "hull", "mounts", mounts_json(rootless), "linux",
                         linux_json(rootless, uid, gid));
}

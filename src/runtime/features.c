/* The features document (see features.h). Static tables say what the code implements; the
 * seccomp flags are probed, since they depend on the running kernel. */
#include "runtime/features.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "oci/config.h"
#include "oci/state.h"
#include "runtime/caps.h"
#include "runtime/hooks.h"

static const char *const mount_options[] = {
    "async",         "atime",      "bind",        "defaults",       "dev",
    "diratime",      "dirsync",    "exec",        "iversion",       "lazytime",
    "loud",          "mand",       "noatime",     "nodev",          "nodiratime",
    "noexec",        "noiversion", "nolazytime",  "nomand",         "norelatime",
    "nostrictatime", "nosuid",     "private",     "rbind",          "relatime",
    "remount",       "ro",         "rprivate",    "rshared",        "rslave",
    "runbindable",   "rw",         "shared",      "silent",         "slave",
    "strictatime",   "suid",       "sync",        "unbindable",     "ratime",
    "rdev",          "rdiratime",  "rexec",       "rnoatime",       "rnodev",
    "rnodiratime",   "rnoexec",    "rnorelatime", "rnostrictatime", "rnosuid",
    "rrelatime",     "rro",        "rrw",         "rstrictatime",   "rsuid",
};

static const char *const seccomp_actions[] = {
    "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",       "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP",
};

static const char *const seccomp_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

static const char *const seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",   "SCMP_ARCH_ARM",    "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",       "SCMP_ARCH_PPC64",  "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",  "SCMP_ARCH_X32",      "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
};

static const struct {
        const char *name;
        unsigned flag;
} seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 1u << 0},
    {"SECCOMP_FILTER_FLAG_LOG", 1u << 1},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1u << 2},
};

static json_t *strings(const char *const *v, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

/* A flag the kernel knows makes seccomp(2) fail on the NULL program with EFAULT; an unknown
 * one fails with EINVAL first. */
static bool seccomp_flag_supported(unsigned flag)
{
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
        return r < 0 && errno == EFAULT;
}

static json_t *seccomp_json(void)
{
        json_t *known = json_array(), *supported = json_array();
        for (size_t i = 0; known && supported && i < HULL_ARRAY_SIZE(seccomp_flags); i++) {
                json_array_append_new(known, json_string(seccomp_flags[i].name));
                if (seccomp_flag_supported(seccomp_flags[i].flag))
                        json_array_append_new(supported, json_string(seccomp_flags[i].name));
        }
        return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
                         strings(seccomp_actions, HULL_ARRAY_SIZE(seccomp_actions)), "operators",
                         strings(seccomp_operators, HULL_ARRAY_SIZE(seccomp_operators)), "archs",
                         strings(seccomp_archs, HULL_ARRAY_SIZE(seccomp_archs)), "knownFlags",
                         known, "supportedFlags", supported);
}

static json_t *linux_json(void)
{
        json_t *ns = json_array(), *caps = json_array();
        for (int t = 0; ns && t < HULL_NS_COUNT; t++)
                json_array_append_new(ns,
                                      json_string(hull_ns_type_to_string((enum hull_ns_type)t)));
        for (unsigned c = 0; caps && c <= HULL_CAP_LAST_KNOWN; c++)
                if (hull_cap_to_name(c))
                        json_array_append_new(caps, json_string(hull_cap_to_name(c)));
        return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, "
                         "s:{s:b}, s:{s:{s:b}}}",
                         "namespaces", ns, "capabilities", caps, "cgroup", "v1", 1, "v2", 1,
                         "systemd", 0, "systemdUser", 0, "rdma", 1, "seccomp", seccomp_json(),
                         "apparmor", "enabled", 1, "selinux", "enabled", 0, "intelRdt", "enabled",
                         0, "mountExtensions", "idmap", "enabled", 0);
}

json_t *hull_features_json(void)
{
        const char *hooks[HULL_HOOK_COUNT];
        for (int k = 0; k < HULL_HOOK_COUNT; k++)
                hooks[k] = hull_hook_kind_name((enum hull_hook_kind)k);
        const struct scmp_version *v = seccomp_version();
        char libseccomp[64] = "";
        if (v)
                snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v->major, v->minor, v->micro);
        return json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}}", "ociVersionMin", "1.0.0",
                         "ociVersionMax", HULL_OCI_VERSION, "hooks",
                         strings(hooks, HULL_HOOK_COUNT), "mountOptions",
                         strings(mount_options, HULL_ARRAY_SIZE(mount_options)), "linux",
                         linux_json(), "annotations", "io.github.seccomp.libseccomp.version",
                         libseccomp, "org.hull.runtime.version", HULL_VERSION);
}

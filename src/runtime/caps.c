/* Capabilities: the name table, process.capabilities parsed into masks in the parent, and the
 * child's bounding drop, capset and ambient raise around the user switch. */
#include "runtime/caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "oci/json_locate.h"
#include "runtime/security.h"

static const char *const cap_names[HULL_CAP_LAST_KNOWN + 1] = {
    [0] = "CAP_CHOWN",
    [1] = "CAP_DAC_OVERRIDE",
    [2] = "CAP_DAC_READ_SEARCH",
    [3] = "CAP_FOWNER",
    [4] = "CAP_FSETID",
    [5] = "CAP_KILL",
    [6] = "CAP_SETGID",
    [7] = "CAP_SETUID",
    [8] = "CAP_SETPCAP",
    [9] = "CAP_LINUX_IMMUTABLE",
    [10] = "CAP_NET_BIND_SERVICE",
    [11] = "CAP_NET_BROADCAST",
    [12] = "CAP_NET_ADMIN",
    [13] = "CAP_NET_RAW",
    [14] = "CAP_IPC_LOCK",
    [15] = "CAP_IPC_OWNER",
    [16] = "CAP_SYS_MODULE",
    [17] = "CAP_SYS_RAWIO",
    [18] = "CAP_SYS_CHROOT",
    [19] = "CAP_SYS_PTRACE",
    [20] = "CAP_SYS_PACCT",
    [21] = "CAP_SYS_ADMIN",
    [22] = "CAP_SYS_BOOT",
    [23] = "CAP_SYS_NICE",
    [24] = "CAP_SYS_RESOURCE",
    [25] = "CAP_SYS_TIME",
    [26] = "CAP_SYS_TTY_CONFIG",
    [27] = "CAP_MKNOD",
    [28] = "CAP_LEASE",
    [29] = "CAP_AUDIT_WRITE",
    [30] = "CAP_AUDIT_CONTROL",
    [31] = "CAP_SETFCAP",
    [32] = "CAP_MAC_OVERRIDE",
    [33] = "CAP_MAC_ADMIN",
    [34] = "CAP_SYSLOG",
    [35] = "CAP_WAKE_ALARM",
    [36] = "CAP_BLOCK_SUSPEND",
    [37] = "CAP_AUDIT_READ",
    [38] = "CAP_PERFMON",
    [39] = "CAP_BPF",
    [40] = "CAP_CHECKPOINT_RESTORE",
};

int hull_cap_from_name(const char *name)
{
        for (unsigned i = 0; i <= HULL_CAP_LAST_KNOWN; i++)
                if (strcmp(cap_names[i], name) == 0)
                        return (int)i;
        return -EINVAL;
}

const char *hull_cap_to_name(unsigned cap)
{
        return cap <= HULL_CAP_LAST_KNOWN ? cap_names[cap] : NULL;
}

unsigned hull_cap_last_cap(void)
{
        char buf[16] = {0};
        int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                char *end;
                unsigned long v = n > 0 ? strtoul(buf, &end, 10) : 0;
                if (n > 0 && end != buf && v < 64)
                        return (unsigned)v;
        }
        /* No /proc: PR_CAPBSET_READ fails with EINVAL past the last capability. */
        unsigned cap = 0;
        while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
                cap++;
        return cap;
}

void hull_caps_format(uint64_t mask, char buf[17])
{
        snprintf(buf, 17, "%016llx", (unsigned long long)mask);
}

static int parse_set(char **names, const char *file, const char *set_path, unsigned last_cap,
                     uint64_t *ret, uint64_t *too_new, struct hull_err *err)
{
        uint64_t mask = 0;
        for (size_t i = 0; names && names[i]; i++) {
                char p[HULL_JSON_PATH_MAX];
                hull_json_path_index(p, sizeof(p), set_path, i);
                int cap = hull_cap_from_name(names[i]);
                if (cap < 0)
                        return hull_security_fail(err, file, p,
                                                  "unknown capability \"%.64s\" (names are "
                                                  "like \"CAP_NET_ADMIN\")",
                                                  names[i]);
                if ((unsigned)cap > last_cap) {
                        *too_new |= 1ULL << cap;
                        continue;
                }
                mask |= 1ULL << cap;
        }
        *ret = mask;
        return 0;
}

/* The first capability in MASK, for messages. */
static const char *first_cap(uint64_t mask)
{
        for (unsigned i = 0; i <= HULL_CAP_LAST_KNOWN; i++)
                if (hull_caps_has(mask, i))
                        return cap_names[i];
        return "?";
}

int hull_caps_from_oci(const struct hull_oci_capabilities *oc, const char *file,
                       const char *json_path, unsigned last_cap, struct hull_caps *ret,
                       struct hull_err *err)
{
        struct hull_caps c = {.last_cap = last_cap < 64 ? last_cap : 63};
        if (oc) {
                const struct {
                        const char *key;
                        char **names;
                        uint64_t *mask;
                } sets[] = {
                    {"bounding", oc->bounding, &c.bounding},
                    {"effective", oc->effective, &c.effective},
                    {"inheritable", oc->inheritable, &c.inheritable},
                    {"permitted", oc->permitted, &c.permitted},
                    {"ambient", oc->ambient, &c.ambient},
                };
                uint64_t too_new = 0;
                for (size_t i = 0; i < HULL_ARRAY_SIZE(sets); i++) {
                        char p[HULL_JSON_PATH_MAX];
                        hull_json_path_key(p, sizeof(p), json_path, sets[i].key);
                        int r = parse_set(sets[i].names, file, p, c.last_cap, sets[i].mask,
                                          &too_new, err);
                        if (r < 0)
                                return r;
                }
                /* Newer than the kernel: nothing to grant or drop, as runc says. */
                for (unsigned cap = 0; cap <= HULL_CAP_LAST_KNOWN; cap++)
                        if (hull_caps_has(too_new, cap))
                                hull_warn("%s: %s: %s is not known to the running kernel (its "
                                          "last capability is %s): ignored",
                                          file, json_path, cap_names[cap],
                                          hull_cap_to_name(c.last_cap));
        }
        char p[HULL_JSON_PATH_MAX];
        uint64_t extra = c.effective & ~c.permitted;
        if (extra) {
                hull_json_path_key(p, sizeof(p), json_path, "effective");
                return hull_security_fail(err, file, p,
                                          "%s is not in the permitted set (the kernel allows "
                                          "effective capabilities only from permitted)",
                                          first_cap(extra));
        }
        /* `runc spec` writes an ambient set without an inheritable one; the kernel refuses to
         * raise those, and runc warns and goes on: so do we. */
        extra = c.ambient & ~(c.permitted & c.inheritable);
        if (extra) {
                hull_json_path_key(p, sizeof(p), json_path, "ambient");
                for (unsigned cap = 0; cap <= HULL_CAP_LAST_KNOWN; cap++)
                        if (hull_caps_has(extra, cap))
                                hull_warn("%s: %s: %s is not in both the permitted and the "
                                          "inheritable sets, so it cannot be ambient: ignored",
                                          file, p, cap_names[cap]);
                c.ambient &= ~extra;
        }
        *ret = c;
        return 0;
}

int hull_caps_apply_bounding(const struct hull_caps *c, struct hull_err *err)
{
        for (unsigned cap = 0; cap <= c->last_cap; cap++) {
                if (hull_caps_has(c->bounding, cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
                        const char *name = hull_cap_to_name(cap);
                        return hull_err_sys(err, errno, "drop %s from the bounding set",
                                            name ? name : "capability");
                }
        }
        /* setresuid() to a non-zero uid would clear the permitted set; keep it, so that
         * capset can still choose from it afterwards. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return hull_err_sys(err, errno, "keep capabilities across the user switch");
        return 0;
}

int hull_caps_apply_sets(const struct hull_caps *c, uint64_t extra, struct hull_err *err)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[2];
        uint64_t eff = c->effective | extra, perm = c->permitted | extra;
        data[0].effective = (uint32_t)eff;
        data[1].effective = (uint32_t)(eff >> 32);
        data[0].permitted = (uint32_t)perm;
        data[1].permitted = (uint32_t)(perm >> 32);
        data[0].inheritable = (uint32_t)c->inheritable;
        data[1].inheritable = (uint32_t)(c->inheritable >> 32);
        if (syscall(SYS_capset, &hdr, data) < 0) {
                int saved = errno;
                struct __user_cap_data_struct now[2];
                if (saved == EPERM && syscall(SYS_capget, &hdr, now) == 0) {
                        uint64_t have = now[0].permitted | (uint64_t)now[1].permitted << 32;
                        if (perm & ~have)
                                return hull_err_set(err, EPERM,
                                                    "cannot grant %s: hullc does not hold it "
                                                    "itself (not in its permitted set)",
                                                    first_cap(perm & ~have));
                }
                errno = saved;
                char e[17], p[17], i[17];
                hull_caps_format(eff, e);
                hull_caps_format(perm, p);
                hull_caps_format(c->inheritable, i);
                return hull_err_sys(err, errno,
                                    "set capabilities (effective %s, permitted %s, inheritable %s)",
                                    e, p, i);
        }
        if (extra)
                return 0; /* ambient and keep-caps are settled by the final call */
        /* The ambient set may hold what the caller of hullc had; start from nothing. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return hull_err_sys(err, errno, "clear the ambient capabilities");
        for (unsigned cap = 0; cap <= c->last_cap; cap++) {
                if (!hull_caps_has(c->ambient, cap))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                        return hull_err_sys(err, errno, "raise ambient capability %s",
                                            hull_cap_to_name(cap));
        }
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return hull_err_sys(err, errno, "reset keep-capabilities");
        return 0;
}

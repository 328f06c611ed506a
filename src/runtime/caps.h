/* Linux capabilities of the container process: names, the five sets of process.capabilities
 * as bit masks, and applying them around the user switch (see security.c for the order). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "base/error.h"
#include "oci/config.h"

/* The highest capability this build knows by name (CAP_CHECKPOINT_RESTORE). */
#define HULL_CAP_LAST_KNOWN 40

struct hull_caps {
        uint64_t bounding;
        uint64_t effective;
        uint64_t inheritable;
        uint64_t permitted;
        uint64_t ambient;
        unsigned last_cap; /* the running kernel's last capability */
};

/* "CAP_NET_RAW" -> 13; -EINVAL for a name this build does not know. */
int hull_cap_from_name(const char *name);
/* 13 -> "CAP_NET_RAW"; NULL beyond HULL_CAP_LAST_KNOWN. */
const char *hull_cap_to_name(unsigned cap);

/* The running kernel's last capability (/proc/sys/kernel/cap_last_cap, else probed). */
unsigned hull_cap_last_cap(void);

/* Turn process.capabilities (NULL: absent, every set empty) into masks for a kernel whose
 * last capability is LAST_CAP. An unknown name is an error naming the JSON path under
 * JSON_PATH (".process.capabilities") in FILE; a known name the kernel lacks is dropped with a
 * warning. Effective must be within permitted, or capset(2) would refuse it after the
 * container is half set up; an ambient capability outside permitted and inheritable is
 * dropped with a warning (the kernel cannot raise it; runc warns likewise). */
int hull_caps_from_oci(const struct hull_oci_capabilities *oc, const char *file,
                       const char *json_path, unsigned last_cap, struct hull_caps *ret,
                       struct hull_err *err);

/* The mask as /proc/PID/status prints it ("00000000a80425fb"), for messages and tests. */
void hull_caps_format(uint64_t mask, char buf[17]);

/* Child side. Before the uid change (still root in the container's user namespace): drop the
 * bounding set, and keep the permitted set across setuid (PR_SET_KEEPCAPS). */
int hull_caps_apply_bounding(const struct hull_caps *c, struct hull_err *err);
/* After the uid change: effective, permitted and inheritable with one capset(2), then the
 * ambient set (raising needs the cap in permitted and inheritable). EXTRA is added to
 * effective and permitted for now (seccomp needs CAP_SYS_ADMIN to load without
 * no_new_privs); hull_caps_apply_sets(c, 0) later drops it. */
int hull_caps_apply_sets(const struct hull_caps *c, uint64_t extra, struct hull_err *err);

static inline bool hull_caps_has(uint64_t mask, unsigned cap)
{
        return cap < 64 && (mask >> cap) & 1;
}

/* The overlay storage driver: a root filesystem = image layers as overlayfs lowerdirs (+ an
 * upper and work dir for a container, none for a read-only image mount). Long layer lists are
 * passed one at a time ("lowerdir+", Linux 6.8) or as short /proc/self/fd paths. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

struct hull_overlay {
        const char *const *lowers; /* topmost first */
        size_t nlowers;
        const char *upper; /* NULL for a read-only mount */
        const char *work;  /* required with upper */
        bool readonly;
        const char *empty_dir; /* an empty directory, for a single lower without upper */
};

/* Mount the overlay on TARGET (an existing directory). */
int hull_overlay_mount(const struct hull_overlay *o, const char *target, struct hull_err *err);
/* Unmount TARGET; -EINVAL when nothing is mounted there. */
int hull_overlay_unmount(const char *target, struct hull_err *err);
/* True when TARGET is a mount point. */
bool hull_overlay_is_mounted(const char *target);
/* True when the kernel has overlayfs. */
bool hull_overlay_supported(void);

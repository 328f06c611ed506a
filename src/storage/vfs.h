/* The vfs storage driver: where overlayfs is unavailable, a root filesystem is a plain copy of
 * the layers, applied bottom to top with their overlay-form whiteouts (0/0 character devices)
 * and opaque directories (trusted.overlay.opaque=y) honoured. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

/* Copy LOWERS (topmost first, as for overlay) into the empty directory TARGET. */
int hull_vfs_flatten(const char *const *lowers, size_t nlowers, const char *target,
                     struct hull_err *err);

/* The driver to use: $HULL_STORAGE_DRIVER ("overlay" or "vfs") when set, else overlay when the
 * kernel has it, else vfs. Returns true for vfs. */
bool hull_storage_use_vfs(void);

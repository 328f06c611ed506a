/* Image helpers shared by several hull commands (mount state, container users). */
#pragma once
#include <stdbool.h>
#include "base/error.h"
#include "image/store.h"

/* Number of containers whose record names image ID ("sha256:<hex>"). */
int hull_cli_image_users(struct hull_store *s, const char *id);
/* "<root>/mounts/<hex>/merged" (malloc'd). */
char *hull_cli_image_mount_path(struct hull_store *s, const char *id);
/* Mount the image read-only if not mounted; returns the path (malloc'd) in *ret. */
int hull_cli_image_mount(struct hull_store *s, const char *manifest, const char *id, char **ret,
                         struct hull_err *err);
/* Unmount if mounted (and remove the directory). FORCE detaches a busy mount. */
int hull_cli_image_unmount(struct hull_store *s, const char *id, bool force, struct hull_err *err);

/* Writing a directory tree (a container's or an image's mounted root filesystem) as a tar
 * stream: ownership, modes, times, xattrs, hardlinks and devices kept; symlinks not followed;
 * mount points below the root not crossed. */
#pragma once
#include "base/error.h"

int hull_export_tree(const char *root, int out_fd, struct hull_err *err);

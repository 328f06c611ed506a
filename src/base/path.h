/* Resolving paths inside a container root: every lookup stays below rootfd, whatever symlinks
 * or ".." the rootfs holds. openat2(RESOLVE_IN_ROOT) when the kernel has it, else a
 * component-by-component walk with the same semantics. */
#pragma once
#include <sys/types.h>
#include "base/error.h"

/* Open PATH (absolute or relative, both taken as relative to rootfd) inside the root.
 * FLAGS are open(2) flags (O_CLOEXEC is always added); symlinks are followed, but
 * absolute targets and ".." are clamped to rootfd, as chroot would. Magic links in /proc
 * are refused. With O_CREAT, only the last component is created. Returns an fd or -errno. */
int hull_path_open_in_root(int rootfd, const char *path, int flags, mode_t mode,
                           struct hull_err *err);

/* Like mkdir -p inside the root; returns an O_PATH|O_DIRECTORY fd to the final directory. */
int hull_path_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct hull_err *err);

/* Ensure PATH exists inside the root as a regular file (parents created as directories, the
 * file created empty if missing; an existing non-directory of any type is accepted).
 * Returns an O_PATH fd to it. */
int hull_path_mkfile_in_root(int rootfd, const char *path, mode_t mode, struct hull_err *err);

/* Lexically clean a path ("//a/./b/../c" -> "/a/c"); ".." never climbs above "/" for
 * absolute paths. Returns a malloc'd string, NULL on ENOMEM. */
char *hull_path_clean(const char *path);

/* "/proc/self/fd/N" for fd, for mount(2) and friends that need a path to an fd. */
#define HULL_FD_PATH_MAX 32
const char *hull_fd_path(int fd, char buf[HULL_FD_PATH_MAX]);

/* Small file helpers: read a whole file, atomic writes (temp + rename), locks. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include "base/error.h"

/* Read all of PATH (relative to dirfd, or AT_FDCWD) into a NUL-terminated malloc'd buffer. */
int hull_file_read(int dirfd, const char *path, char **ret_data, size_t *ret_len,
                   struct hull_err *err);

/* Write DATA to dirfd/PATH atomically: temporary name in the same directory, fsync is not
 * done (state files live on tmpfs), then rename over PATH. */
int hull_file_write_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                           struct hull_err *err);

/* Open PATH O_WRONLY (no create, no truncate surprises for /proc and /sys files) and write S. */
int hull_file_write_str(int dirfd, const char *path, const char *s, struct hull_err *err);

/* flock(2) the fd: exclusive or shared, blocking or not. -EWOULDBLOCK when busy. */
int hull_file_lock(int fd, int exclusive, int wait, struct hull_err *err);

/* Create directory PATH and its parents (host path, mode for created ones). */
int hull_mkdir_p(const char *path, mode_t mode, struct hull_err *err);

/* Remove a directory tree (dirfd-relative, not following symlinks, not crossing mounts). */
int hull_rm_rf_at(int dirfd, const char *name, struct hull_err *err);

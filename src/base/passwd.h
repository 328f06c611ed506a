/* /etc/passwd lookups without NSS: hullc is linked statically, and inside a container the
 * file is the container's own, which NSS modules of the host must not interpret. */
#pragma once
#include <sys/types.h>

/* Find UID in the passwd file at PATH; on success *ret_name and *ret_home (either may be NULL)
 * get malloc'd copies. -ENOENT when absent, -errno when unreadable. */
int hull_passwd_lookup(const char *path, uid_t uid, char **ret_name, char **ret_home);

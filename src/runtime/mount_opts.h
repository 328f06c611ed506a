/* OCI mount options ("ro", "nosuid", "rbind", "rprivate", "rro", "size=64m", ...) turned into
 * mount(2) flags, a propagation change, mount_setattr attributes and the fs data string. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "base/error.h"

struct hull_mount_opts {
        unsigned long flags;       /* MS_* for the mount itself (MS_BIND, MS_REC, MS_RDONLY, ...) */
        unsigned long clear_flags; /* MS_* explicitly turned off ("rw", "suid", ...) */
        unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE [|MS_REC] or 0 */
        uint64_t rec_attr_set;     /* MOUNT_ATTR_* applied recursively (rro, rnosuid, ...) */
        uint64_t rec_attr_clr;
        bool rec_atime;            /* a recursive atime option was given (ratime, rnoatime...) */
        bool idmap;                /* "idmap"/"ridmap" requested */
        char *data;                /* remaining options joined with ',' (malloc'd, maybe "") */
};

/* Parse OPTIONS (NULL-terminated). Unknown options are passed to the filesystem as data. */
int hull_mount_opts_parse(char *const *options, struct hull_mount_opts *ret, struct hull_err *err);
void hull_mount_opts_done(struct hull_mount_opts *o);

/* True if a mount of TYPE with these options is a bind mount. */
bool hull_mount_is_bind(const char *type, const struct hull_mount_opts *o);

/* Capabilities, no_new_privs and seccomp for the container's init (see security.h).
 * Capabilities and seccomp are completed by the security work (issue 4); no_new_privs is
 * applied here already. */
#include "runtime/security.h"

#include <errno.h>
#include <sys/prctl.h>

#include "runtime/spawn.h"

int hull_security_before_user(struct hull_spawn *sp, struct hull_err *err)
{
        (void)sp;
        (void)err;
        return 0;
}

int hull_security_after_user(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_process *p = sp->config->process;
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return hull_err_sys(err, errno, "set no_new_privs");
        return 0;
}

int hull_security_apply_last(struct hull_spawn *sp, struct hull_err *err)
{
        (void)sp;
        (void)err;
        return 0;
}

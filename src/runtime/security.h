/* The security steps of init around the user switch: capabilities, no_new_privs, LSM labels
 * and seccomp. The order is fixed by the kernel's rules (see security.c). */
#pragma once
#include "base/error.h"

struct hull_spawn;

/* Before the uid change: drop the bounding set, keep capabilities across setuid. */
int hull_security_before_user(struct hull_spawn *sp, struct hull_err *err);
/* After the uid change: set effective/permitted/inheritable/ambient, no_new_privs. */
int hull_security_after_user(struct hull_spawn *sp, struct hull_err *err);
/* Right before execve: load the seccomp filter compiled in the parent. */
int hull_security_apply_last(struct hull_spawn *sp, struct hull_err *err);

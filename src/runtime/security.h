/* The security steps of init around the user switch: capabilities, no_new_privs, LSM labels
 * and seccomp. Everything that can be checked or computed is done in the parent before the
 * clone (hull_security_prepare); the child only applies it, in an order fixed by the kernel's
 * rules (see security.c). */
#pragma once
#include <stddef.h>
#include "base/error.h"
#include "oci/config.h"

struct hull_spawn;
struct hull_security;

/* Parent, before the clone: validate and compile what process P of config C asks for
 * (capability names, the seccomp filter, LSM labels), connect the seccomp listener. PROCESS_FILE
 * names where P came from when it is not C's own process (exec --process), else NULL. */
int hull_security_prepare(const struct hull_oci_config *c, const struct hull_oci_process *p,
                          const char *process_file, struct hull_security **ret,
                          struct hull_err *err);
void hull_security_free(struct hull_security *s);
/* Parent, once the init process exists: what only exists now (its host pid, for the state the
 * seccomp listener receives). */
int hull_security_after_spawn(struct hull_spawn *sp, struct hull_err *err);

/* Child. Before the uid change: drop the bounding set, keep capabilities across setuid. */
int hull_security_before_user(struct hull_spawn *sp, struct hull_err *err);
/* After the uid change: set effective/permitted/inheritable/ambient, no_new_privs. */
int hull_security_after_user(struct hull_spawn *sp, struct hull_err *err);
/* Right before execve: LSM exec labels, then load the seccomp filter compiled in the parent
 * (and hand its listener fd to listenerPath). */
int hull_security_apply_last(struct hull_spawn *sp, struct hull_err *err);

/* Child, after pivot_root: open /proc/REL ("sys/net/ipv4/ip_forward") only if /proc is procfs
 * and nothing on the way is a symlink or another mount (a container-made bind mount or link
 * could redirect the write to a host-wide file: CVE-2019-16884, CVE-2025-52881). */
int hull_security_open_proc(const char *rel, int flags, struct hull_err *err);
/* The same, and write VALUE into it. */
int hull_security_write_proc(const char *rel, const char *value, struct hull_err *err);

/* An error about the value at JSON_PATH of FILE: "FILE:LINE:COL: PATH: message" (the file is
 * read again to find the position, so only on the error path). Returns -EINVAL. */
int hull_security_fail(struct hull_err *err, const char *file, const char *json_path,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

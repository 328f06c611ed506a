/* Namespaces of a container: which to create at clone time, which to join by path, id maps. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "base/error.h"
#include "oci/config.h"

struct hull_spawn;

/* Open every namespace "path" of the config (fds[type], -1 when none), checking that each is
 * a namespace of the declared type. On failure no fd is left open. */
int hull_ns_open_paths(const struct hull_oci_config *c, int fds[HULL_NS_COUNT],
                       struct hull_err *err);
void hull_ns_close_paths(int fds[HULL_NS_COUNT]);
/* CLONE_NEW* flags to pass to clone3. */
unsigned long hull_ns_clone_flags(const struct hull_oci_config *c, const int fds[HULL_NS_COUNT]);
/* Join the pid namespace (if a path was given) for our future children. */
int hull_ns_join_pid_for_children(const int fds[HULL_NS_COUNT], struct hull_err *err);
/* Parent: write /proc/PID/{setgroups,gid_map,uid_map}. */
int hull_ns_write_id_maps(pid_t pid, const struct hull_oci_linux *l, int rootless,
                          struct hull_err *err);
/* Child: join the namespaces given by path and create those clone could not (user first). */
int hull_ns_child_join(struct hull_spawn *sp, struct hull_err *err);
/* A joined user namespace with a new pid namespace: clone made the child before it could join,
 * so its pid namespace would belong to the host's user namespace. */
bool hull_ns_needs_init_fork(const struct hull_oci_config *c, const int fds[HULL_NS_COUNT]);
/* Child, first thing: join the user namespace, unshare the pid namespace and fork init into it
 * (as our parent's child); this process reports init's pid and exits. Returns in init. */
void hull_ns_fork_into_joined_userns(struct hull_spawn *sp);
/* Child, after the parent placed it in its cgroup: new cgroup and time namespaces. */
int hull_ns_child_late(struct hull_spawn *sp, struct hull_err *err);

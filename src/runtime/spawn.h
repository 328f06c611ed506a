/* Creating a container's init process: what the parent (spawn.c) and the child (init.c) share.
 * The child is a clone of the parent, never re-executed: it sees this struct as it was at
 * clone time. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "base/error.h"
#include "oci/config.h"

struct hull_cgroup;
struct hull_security;

struct hull_spawn {
        /* inputs */
        const struct hull_oci_config *config;
        const char *id;
        const char *bundle;      /* absolute */
        const char *rootfs;      /* absolute, symlinks resolved */
        int rootfs_fd;           /* O_PATH directory fd of the rootfs */
        int state_dir_fd;        /* the container's state directory (holds exec.fifo) */
        int lock_fd;             /* the create lock on that directory: the child closes it */
        int fifo_fd;             /* O_PATH fd of exec.fifo, opened by the parent: in a user
                                  * namespace the child cannot search the state directory */
        int console_socket_fd;   /* connected --console-socket, or -1 */
        int ns_fds[HULL_NS_COUNT]; /* fds of namespaces to join (from "path"), or -1 */
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds;
        bool rootless;
        struct hull_cgroup *cgroup; /* may be NULL (rootless without delegation) */
        /* capabilities, seccomp filter, labels: hull_security_prepare, before the clone */
        struct hull_security *security;

        /* results (parent side) */
        pid_t pid;
        int pidfd;
        int sync_fd; /* parent's end while setting up, child's end in the child */

        /* child only */
        int pty_fd;  /* terminal slave until attached, or -1 */
        char **env;  /* process.env plus defaults (HOME), built by hull_process_prepare */
};

/* Parent side: clone the init process, walk the sync steps with it up to "child-ready".
 * On failure the child is killed and reaped; the caller removes the rest. */
int hull_spawn_start(struct hull_spawn *sp, struct hull_err *err);
/* Tell the child its state is saved (it may outlive us now); closes the sync fd. */
int hull_spawn_finish(struct hull_spawn *sp, struct hull_err *err);
/* Kill and reap the child after a failure; idempotent. */
void hull_spawn_abort(struct hull_spawn *sp);

/* Child side (init.c): never returns. */
__attribute__((noreturn)) void hull_init_main(struct hull_spawn *sp);

/* Child-side setup steps, one file each. */
int hull_rootfs_setup(struct hull_spawn *sp, struct hull_err *err);     /* rootfs.c: mounts..pivot */
int hull_rootfs_finalize(struct hull_spawn *sp, struct hull_err *err);  /* masked/ro paths, ro root */
int hull_devices_setup(struct hull_spawn *sp, int rootfd, struct hull_err *err); /* devices.c */
int hull_terminal_setup(struct hull_spawn *sp, int rootfd, int *ret_pty, struct hull_err *err);
int hull_terminal_attach(int pty, struct hull_err *err);               /* after pivot */
int hull_process_prepare(struct hull_spawn *sp, struct hull_err *err); /* process.c */
int hull_process_find_exec(struct hull_spawn *sp, char **ret_path, struct hull_err *err);
int hull_mount_cgroupfs(struct hull_spawn *sp, int rootfd, int dest,
                        const struct hull_oci_mount *m, unsigned long flags,
                        struct hull_err *err); /* cgroupfs.c */

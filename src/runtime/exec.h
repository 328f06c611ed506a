/* `exec`: run another process in an existing container: every namespace of its init joined,
 * its cgroup entered, the process's own capabilities, seccomp, user and terminal applied. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "oci/config.h"
#include "runtime/container.h"

struct hull_exec_opts {
        const char *id;
        const char *process_file;   /* --process: a process JSON; the options below are ignored */
        char **args;                /* CMD ARGS... (NULL-terminated) without --process */
        bool tty;                   /* -t */
        bool tty_set;               /* -t given (true or false) */
        const char *console_socket; /* --console-socket */
        bool detach;                /* -d */
        const char *pid_file;       /* --pid-file */
        const char *const *env;     /* -e K=V, appended to the container's env */
        size_t n_env;
        const char *cwd;                    /* --cwd */
        const char *user;                   /* -u UID[:GID] */
        const char *const *additional_gids; /* --additional-gids (each a number) */
        size_t n_additional_gids;
        const char *const *caps; /* --cap CAP_X, added to every set */
        size_t n_caps;
        bool no_new_privs; /* --no-new-privs */
        bool no_new_privs_set;
        const char *apparmor;       /* --apparmor */
        const char *process_label;  /* --process-label */
        int preserve_fds;           /* --preserve-fds */
        const char *const *cgroups; /* --cgroup [CONTROLLER[,CONTROLLER]:]PATH */
        size_t n_cgroups;
};

/* systemd socket activation: when LISTEN_PID is our pid, the LISTEN_FDS fds from 3 go on to
 * the container's process, with LISTEN_FDS=N and LISTEN_PID=1 added to P's env (as runc does).
 * Returns N (0 when not activated). */
int hull_listen_fds_pass(struct hull_oci_process *p, struct hull_err *err);

/* Run the process. In the foreground, wait for it (forwarding signals, proxying the terminal
 * when there is no console socket) and set *ret_status to its exit code (128 + signal). With
 * DETACH return once it runs (*ret_status 0). */
int hull_container_exec(const struct hull_runtime *rt, const struct hull_exec_opts *opts,
                        int *ret_status, struct hull_err *err);

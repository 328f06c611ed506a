/* Shared by exec.c (the hullc side) and exec_init.c (the process that joins the container). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/error.h"
#include "oci/config.h"
#include "runtime/spawn.h"

/* The steps of exec's own small protocol over a SOCK_SEQPACKET socketpair. */
enum hull_exec_step {
        HULL_EXEC_SYNC_GO = 1,  /* hullc -> child: it is in the container's cgroup */
        HULL_EXEC_SYNC_PID,     /* child -> hullc: pid (in hullc's namespace) of the process
                                 * forked inside the container's pid namespace */
        HULL_EXEC_SYNC_PROCEED, /* hullc -> process: its pid is recorded, it may execve */
        HULL_EXEC_SYNC_ERROR,   /* child -> hullc: setup failed; the message says why */
};

struct hull_exec_msg {
        uint32_t step;
        int32_t code;
        int32_t pid;
        char text[HULL_ERR_MSG_MAX];
};

/* Everything the child needs, prepared by hullc before the clone. */
struct hull_exec_child {
        struct hull_spawn sp;      /* config (process = the exec process), id, env, pty_fd... */
        int init_pidfd;            /* the container's init */
        int init_root_fd;          /* O_PATH of its root directory (/proc/PID/root) */
        int ns_fds[HULL_NS_COUNT]; /* its namespaces we differ from, or -1 */
        unsigned long ns_flags;    /* CLONE_NEW* of those */
        bool fork_in_pidns;        /* a pid namespace is joined: fork after setns */
        int console_fd;            /* where the pty master goes, or -1 */
        int sync_fd;
        bool no_new_keyring;
};

int hull_exec_send(int fd, enum hull_exec_step step, int pid, const struct hull_err *failure);
/* Receive one message: 0 and *ret filled, 1 on EOF, -errno on error. */
int hull_exec_recv(int fd, struct hull_exec_msg *ret);

/* The child: never returns. */
__attribute__((noreturn)) void hull_exec_child_main(struct hull_exec_child *x);

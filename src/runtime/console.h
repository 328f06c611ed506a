/* hullc's own side of a container terminal: passing a pty master over a unix socket (as runc
 * does for --console-socket), and proxying a pty to hullc's stdio when `run` or `exec` has a
 * terminal but no --console-socket (raw mode, window size changes, restored on exit). */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>
#include "base/error.h"

/* Send MASTER over the connected unix socket SOCK with SCM_RIGHTS; the payload is NAME (runc
 * sends the master's path, which engines ignore). */
int hull_console_send_fd(int sock, int master, const char *name, struct hull_err *err);
/* Receive one fd sent that way; *ret_fd is O_CLOEXEC. */
int hull_console_recv_fd(int sock, int *ret_fd, struct hull_err *err);

/* A pty master proxied to our stdin/stdout. */
struct hull_console {
        int master; /* O_NONBLOCK, owned */
        bool raw;   /* stdin was a terminal we put in raw mode */
        struct termios saved;
        bool stdin_open;
        char in_buf[4096]; /* read from stdin, not yet written to the master */
        size_t in_len;
};

/* Take MASTER: copy our terminal's window size to it and put our terminal in raw mode. */
int hull_console_start(struct hull_console *c, int master, struct hull_err *err);
/* Copy our window size to the pty again (on SIGWINCH). */
void hull_console_resize(struct hull_console *c);
/* Restore our terminal and close the master; idempotent. */
void hull_console_stop(struct hull_console *c);

/* The signals `run` and `exec` in the foreground pass on to the container's process. */
void hull_signals_forwarded(sigset_t *set);

/* Wait for our child PID (PIDFD open on it): signals read from SFD are sent to it (SIGWINCH
 * resizes CON instead), CON (may be NULL) is copied to and from our stdio. Reaps PID and returns
 * its exit code, 128 + the signal number when a signal killed it. */
int hull_wait_foreground(pid_t pid, int pidfd, int sfd, struct hull_console *con,
                         struct hull_err *err);

/* `run`: create + start, then (unless detached) wait for the container while forwarding the
 * signals we receive to it, and delete it. */
#include "runtime/container.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/syscalls.h"
#include "runtime/console.h"
#include "runtime/lifecycle.h"

int hull_container_run(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                       bool detach, int *ret_status, struct hull_err *err)
{
        sigset_t fwd, old;
        hull_signals_forwarded(&fwd);
        /* Without a console socket in the foreground, a terminal is proxied to ours. */
        struct hull_create_opts o = *opts;
        /* A socketpair, not a socket in the filesystem: most runs have no terminal, and a
         * listening socket costs a directory, a bind and two unlinks on every run. */
        int cpair[2] = {-1, -1};
        if (!detach && !opts->console_socket) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cpair) < 0)
                        return hull_err_sys(err, errno, "create the console socketpair");
                o.has_console_fd = true;
                o.console_fd = cpair[1];
        }
        /* Blocked before the clone so none is lost; init unblocks them for itself. */
        if (!detach)
                sigprocmask(SIG_BLOCK, &fwd, &old);
        _cleanup_close_ int sfd = detach ? -EBADF : signalfd(-1, &fwd, SFD_CLOEXEC);
        struct hull_created cr;
        struct hull_console con = {.master = -1};
        int master = -1;
        int r = hull_container_create_keep(rt, &o, &cr, err);
        if (cpair[1] >= 0)
                close(cpair[1]); /* init has its own copy */
        /* Only a terminal sends its master; without one nothing will arrive on the socket. */
        bool tty = r == 0 && cpair[0] >= 0 && cr.config->process->terminal;
        if (tty && (r = hull_console_recv_fd(cpair[0], &master, err)) == 0 && master >= 0)
                r = hull_console_start(&con, master, err);
        if (cpair[0] >= 0)
                close(cpair[0]);
        if (r == 0)
                r = hull_container_start(rt, opts->id, err);
        if (r < 0) {
                hull_console_stop(&con);
                if (cr.own_state_dir) {
                        struct hull_err ignored = {0};
                        hull_container_delete(rt, opts->id, true, &ignored);
                }
                cr.sp.pid = 0;
                hull_created_done(&cr);
                if (!detach)
                        sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }
        if (detach) {
                cr.sp.pid = 0;
                hull_created_done(&cr);
                *ret_status = 0;
                return 0;
        }
        int status = hull_wait_foreground(cr.sp.pid, cr.sp.pidfd, sfd,
                                          con.master >= 0 ? &con : NULL, err);
        if (status >= 0)
                cr.sp.pid = 0;
        hull_console_stop(&con);
        hull_created_done(&cr);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (status < 0)
                return status;
        *ret_status = status;
        if (!opts->keep) {
                r = hull_container_delete(rt, opts->id, true, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

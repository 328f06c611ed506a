/* `run`: create + start, then (unless detached) wait for the container while forwarding the
 * signals we receive to it, and delete it. */
#include "runtime/container.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
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
        struct hull_console_listener cl = {.fd = -1};
        if (!detach && !opts->console_socket) {
                int lr = hull_console_listen(&cl, err);
                if (lr < 0)
                        return lr;
                o.console_socket = cl.path;
        }
        /* Blocked before the clone so none is lost; init unblocks them for itself. */
        if (!detach)
                sigprocmask(SIG_BLOCK, &fwd, &old);
        _cleanup_close_ int sfd = detach ? -EBADF : signalfd(-1, &fwd, SFD_CLOEXEC);
        struct hull_created cr;
        struct hull_console con = {.master = -1};
        int master = -1;
        int r = hull_container_create_keep(rt, &o, &cr, err);
        /* Only a terminal sends its master; without one nothing will arrive on the listener. */
        bool tty = r == 0 && cl.fd >= 0 && cr.config->process->terminal;
        if (tty && (r = hull_console_accept(&cl, &master, err)) == 0 && master >= 0)
                r = hull_console_start(&con, master, err);
        hull_console_listener_close(&cl);
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

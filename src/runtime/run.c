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
#include "runtime/lifecycle.h"

/* Every signal a user may send to `hullc run` and expect the container to get. */
static void forwarded_signals(sigset_t *set)
{
        sigfillset(set);
        sigdelset(set, SIGKILL);
        sigdelset(set, SIGSTOP);
        sigdelset(set, SIGSEGV);
        sigdelset(set, SIGBUS);
        sigdelset(set, SIGILL);
        sigdelset(set, SIGFPE);
        sigdelset(set, SIGTRAP);
        sigdelset(set, SIGSYS);
}

static int exit_code(const siginfo_t *si)
{
        if (si->si_code == CLD_EXITED)
                return si->si_status;
        return 128 + si->si_status;
}

/* Wait for init, forwarding signals; returns its exit code. */
static int wait_forwarding(struct hull_created *cr, int sfd, struct hull_err *err)
{
        struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = cr->sp.pidfd, .events = POLLIN}};
        for (;;) {
                int r = poll(p, 2, -1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return hull_err_sys(err, errno, "wait for the container");
                if (p[0].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
                            si.ssi_signo != SIGCHLD)
                                hull_pidfd_send_signal(cr->sp.pidfd, (int)si.ssi_signo, NULL, 0);
                }
                if (p[1].revents & POLLIN)
                        break;
        }
        siginfo_t si = {0};
        while (waitid(P_PID, (id_t)cr->sp.pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return hull_err_sys(err, errno, "reap the container");
        cr->sp.pid = 0;
        return exit_code(&si);
}

int hull_container_run(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                       bool detach, int *ret_status, struct hull_err *err)
{
        sigset_t fwd, old;
        forwarded_signals(&fwd);
        /* Blocked before the clone so none is lost; init unblocks them for itself. */
        if (!detach)
                sigprocmask(SIG_BLOCK, &fwd, &old);
        _cleanup_close_ int sfd = detach ? -EBADF : signalfd(-1, &fwd, SFD_CLOEXEC);
        struct hull_created cr;
        int r = hull_container_create_keep(rt, opts, &cr, err);
        if (r == 0)
                r = hull_container_start(rt, opts->id, err);
        if (r < 0) {
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
        int status = wait_forwarding(&cr, sfd, err);
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

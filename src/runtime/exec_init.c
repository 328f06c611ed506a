/* The child side of exec: join the container's namespaces (one setns on the init's pidfd when
 * the kernel can, else each namespace fd in a safe order), fork inside its pid namespace, then
 * set up the process (terminal, rlimits, user, capabilities, seccomp) and execve. */
#include "runtime/exec_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/path.h"
#include "base/syscalls.h"
#include "runtime/console.h"
#include "runtime/security.h"

int hull_exec_send(int fd, enum hull_exec_step step, int pid, const struct hull_err *failure)
{
        struct hull_exec_msg m = {.step = step, .pid = pid};
        size_t len = offsetof(struct hull_exec_msg, text);
        if (failure) {
                m.code = failure->code ? failure->code : EIO;
                size_t n = strnlen(failure->msg, sizeof(m.text) - 1);
                memcpy(m.text, failure->msg, n);
                len += n + 1;
        }
        ssize_t w;
        do
                w = send(fd, &m, len, MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
        return w < 0 ? -errno : 0;
}

int hull_exec_recv(int fd, struct hull_exec_msg *ret)
{
        memset(ret, 0, sizeof(*ret));
        ssize_t n;
        int resets = 0;
        /* A peer that exits with our message unread makes the next recv fail with ECONNRESET
         * (once) before what it sent us is read. */
        do
                n = recv(fd, ret, sizeof(*ret) - 1, 0);
        while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ == 0)));
        if (n < 0)
                return -errno;
        if (n == 0)
                return 1;
        if ((size_t)n < offsetof(struct hull_exec_msg, text))
                return -EPROTO;
        return 0;
}

static __attribute__((noreturn)) void fail(struct hull_exec_child *x, struct hull_err *err)
{
        hull_exec_send(x->sync_fd, HULL_EXEC_SYNC_ERROR, 0, err);
        _exit(1);
}

/* Without pidfd setns (kernels before 5.8): the user namespace first, as it grants the right
 * to join the others; mount last, as it changes our root. */
static int join_one_by_one(struct hull_exec_child *x, struct hull_err *err)
{
        static const enum hull_ns_type order[] = {HULL_NS_USER, HULL_NS_CGROUP,  HULL_NS_IPC,
                                                  HULL_NS_UTS,  HULL_NS_NETWORK, HULL_NS_PID,
                                                  HULL_NS_TIME, HULL_NS_MOUNT};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(order); i++) {
                enum hull_ns_type t = order[i];
                if (x->ns_fds[t] < 0)
                        continue;
                if (setns(x->ns_fds[t], (int)hull_ns_type_clone_flag(t)) < 0)
                        return hull_err_sys(err, errno, "join the container's %s namespace",
                                            hull_ns_type_to_string(t));
        }
        return 0;
}

/* setns(CLONE_NEWNS) puts us at the root of the namespace, which is the container's root after
 * pivot_root but not after --no-pivot's chroot (or without a mount namespace): follow init's
 * root then. */
static int enter_root(struct hull_exec_child *x, struct hull_err *err)
{
        struct stat now, want;
        if (x->init_root_fd < 0)
                return 0;
        if (stat("/", &now) < 0 || fstat(x->init_root_fd, &want) < 0)
                return hull_err_sys(err, errno, "stat the container's root");
        if (now.st_dev == want.st_dev && now.st_ino == want.st_ino)
                return 0;
        if (fchdir(x->init_root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return hull_err_sys(err, errno, "enter the container's root");
        return 0;
}

static int join_namespaces(struct hull_exec_child *x, struct hull_err *err)
{
        if (!x->ns_flags)
                return 0;
        if (!hull_sys_disabled("setns_pidfd") && setns(x->init_pidfd, (int)x->ns_flags) == 0)
                return 0;
        if (!hull_sys_disabled("setns_pidfd") && errno != EINVAL && errno != EBADF)
                return hull_err_sys(err, errno, "join the container's namespaces");
        return join_one_by_one(x, err);
}

static void join_session_keyring(const char *id)
{
        char name[128];
        snprintf(name, sizeof(name), "_ses.%.100s", id);
        /* KEYCTL_JOIN_SESSION_KEYRING; best effort, as for init. */
        syscall(SYS_keyctl, 1, name);
}

/* A pty from the container's devpts (we are in its mount namespace, at its root); the master
 * goes to the console socket, the slave becomes our terminal in hull_process_prepare. */
static int setup_terminal(struct hull_exec_child *x, struct hull_err *err)
{
        const struct hull_oci_process *p = x->sp.config->process;
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return hull_err_sys(err, errno, "open the container's root");
        _cleanup_close_ int master =
            hull_path_open_in_root(root, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, err);
        if (master < 0)
                return hull_err_wrap(err, "open the container's /dev/pts/ptmx (is devpts "
                                          "mounted?)");
        if (unlockpt(master) < 0)
                return hull_err_sys(err, errno, "unlock pty");
        _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return hull_err_sys(err, errno, "open pty peer");
        if (p->has_console_size) {
                struct winsize ws = {.ws_row = (unsigned short)p->console_size.height,
                                     .ws_col = (unsigned short)p->console_size.width};
                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return hull_err_sys(err, errno, "set process.consoleSize");
        }
        /* The process's user must own its terminal (it switches user later). */
        if (fchown(slave, p->user.uid, p->user.gid) < 0 && errno != EINVAL)
                return hull_err_sys(err, errno, "give the pty to uid %u", (unsigned)p->user.uid);
        int r = hull_console_send_fd(x->console_fd, master, "/dev/ptmx", err);
        if (r < 0)
                return r;
        close(x->console_fd);
        x->console_fd = -1;
        x->sp.pty_fd = TAKE_FD(slave);
        return 0;
}

static void close_fds_for_exec(int keep)
{
        unsigned first = 3 + (unsigned)(keep > 0 ? keep : 0);
        for (unsigned fd = 3; fd < first; fd++) {
                int fl = fcntl((int)fd, F_GETFD);
                if (fl >= 0)
                        fcntl((int)fd, F_SETFD, fl & ~FD_CLOEXEC);
        }
        /* No host fd may reach the container (CVE-2024-21626): everything else closes on exec. */
        if (hull_close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return;
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = first; fd < (max > 0 ? max : 65536); fd++)
                fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

static __attribute__((noreturn)) void process_main(struct hull_exec_child *x)
{
        struct hull_err err = {0};
        struct hull_spawn *sp = &x->sp;
        char *path = NULL;
        if (setsid() < 0) {
                hull_err_sys(&err, errno, "setsid");
                fail(x, &err);
        }
        if (!x->no_new_keyring)
                join_session_keyring(sp->id);
        if (sp->config->process->terminal && setup_terminal(x, &err) < 0)
                fail(x, &err);
        if (hull_process_prepare(sp, &err) < 0 || hull_process_find_exec(sp, &path, &err) < 0)
                fail(x, &err);
        if (x->fork_in_pidns) {
                /* hullc learns our pid from our parent; the seccomp listener state needs it. */
                struct hull_exec_msg m;
                if (hull_exec_recv(x->sync_fd, &m) != 0 || m.step != HULL_EXEC_SYNC_PROCEED)
                        _exit(1);
        }
        if (hull_security_apply_last(sp, &err) < 0)
                fail(x, &err);
        close_fds_for_exec(sp->preserve_fds);
        execve(path, sp->config->process->args, sp->env);
        hull_err_sys(&err, errno, "exec %s", path);
        fail(x, &err);
}

__attribute__((noreturn)) void hull_exec_child_main(struct hull_exec_child *x)
{
        struct hull_err err = {0};
        /* Nothing in the container may reach our binary through /proc/<pid>/exe while we are
         * in its namespaces (CVE-2019-5736); execve makes the process dumpable again. */
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);

        struct hull_exec_msg m;
        int r = hull_exec_recv(x->sync_fd, &m);
        if (r != 0 || m.step != HULL_EXEC_SYNC_GO)
                _exit(1); /* hullc is gone or failed: it reports why */
        if (join_namespaces(x, &err) < 0 || enter_root(x, &err) < 0)
                fail(x, &err);
        if (!x->fork_in_pidns)
                process_main(x);
        /* setns(CLONE_NEWPID) only moves our children. CLONE_PARENT makes the process hullc's
         * child, so hullc can wait for it, and its pid-file names the real process. */
        long pid = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, 0);
        if (pid < 0) {
                hull_err_sys(&err, errno, "fork into the container's pid namespace");
                fail(x, &err);
        }
        if (pid == 0)
                process_main(x);
        if (hull_exec_send(x->sync_fd, HULL_EXEC_SYNC_PID, (int)pid, NULL) < 0)
                _exit(1);
        _exit(0);
}

/* Console sockets and the foreground pty proxy of `run` and `exec` (see console.h). */
#include "runtime/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/syscalls.h"

int hull_console_send_fd(int sock, int master, const char *name, struct hull_err *err)
{
        char cbuf[CMSG_SPACE(sizeof(int))];
        memset(cbuf, 0, sizeof(cbuf));
        struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &master, sizeof(int));
        ssize_t n;
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return hull_err_sys(err, errno, "send the terminal to the console socket");
        return 0;
}

int hull_console_recv_fd(int sock, int *ret_fd, struct hull_err *err)
{
        char name[4096];
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
        ssize_t n;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return hull_err_sys(err, errno, "receive the terminal");
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        if (n == 0 || !cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
            cm->cmsg_len != CMSG_LEN(sizeof(int)))
                return hull_err_set(err, EPROTO, "receive the terminal: no file descriptor came");
        memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
        return 0;
}

void hull_console_resize(struct hull_console *c)
{
        struct winsize ws;
        if (c->master < 0)
                return;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
                ioctl(c->master, TIOCSWINSZ, &ws);
}

int hull_console_start(struct hull_console *c, int master, struct hull_err *err)
{
        memset(c, 0, sizeof(*c));
        c->master = master;
        c->stdin_open = true;
        int fl = fcntl(master, F_GETFL);
        if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0)
                return hull_err_sys(err, errno, "set up the terminal proxy");
        hull_console_resize(c);
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
                /* The container's pty does the line editing and echo; ours must pass every
                 * key through, ^C included, as a terminal emulator would. */
                struct termios raw = c->saved;
                cfmakeraw(&raw);
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
                        return hull_err_sys(err, errno, "put the terminal in raw mode");
                c->raw = true;
        }
        return 0;
}

void hull_console_stop(struct hull_console *c)
{
        if (c->raw) {
                tcsetattr(STDIN_FILENO, TCSADRAIN, &c->saved);
                c->raw = false;
        }
        if (c->master >= 0)
                close(c->master);
        c->master = -1;
}

void hull_signals_forwarded(sigset_t *set)
{
        sigfillset(set);
        static const int kept[] = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS,
                                   SIGILL,  SIGFPE,  SIGTRAP, SIGSYS};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(kept); i++)
                sigdelset(set, kept[i]);
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        struct pollfd p = {.fd = fd, .events = POLLOUT};
                        poll(&p, 1, 1000);
                        continue;
                }
                if (n <= 0)
                        return -1;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Copy what the master has to our stdout; returns false once it has nothing more to give
 * (EIO: every slave fd is closed). */
static bool pump_output(struct hull_console *c)
{
        char buf[16384];
        for (;;) {
                ssize_t n = read(c->master, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return true;
                if (n <= 0)
                        return false;
                if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
                        return false;
        }
}

static void pump_input(struct hull_console *c, short revents_in, short revents_master)
{
        if (c->stdin_open && c->in_len == 0 && (revents_in & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t n = read(STDIN_FILENO, c->in_buf, sizeof(c->in_buf));
                if (n > 0)
                        c->in_len = (size_t)n;
                else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                        c->stdin_open = false;
        }
        if (c->in_len > 0 && (revents_master & POLLOUT || revents_in & POLLIN)) {
                ssize_t n = write(c->master, c->in_buf, c->in_len);
                if (n > 0) {
                        memmove(c->in_buf, c->in_buf + n, c->in_len - (size_t)n);
                        c->in_len -= (size_t)n;
                } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        c->in_len = 0;
                        c->stdin_open = false;
                }
        }
}

static int exit_code(const siginfo_t *si)
{
        if (si->si_code == CLD_EXITED)
                return si->si_status;
        return 128 + si->si_status;
}

static void handle_signal(int sfd, int pidfd, struct hull_console *con)
{
        struct signalfd_siginfo si;
        if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si) || si.ssi_signo == SIGCHLD)
                return;
        if (si.ssi_signo == SIGWINCH && con) {
                /* The kernel tells the pty's foreground process group itself. */
                hull_console_resize(con);
                return;
        }
        hull_pidfd_send_signal(pidfd, (int)si.ssi_signo, NULL, 0);
}

int hull_wait_foreground(pid_t pid, int pidfd, int sfd, struct hull_console *con,
                         struct hull_err *err)
{
        bool output_open = con && con->master >= 0;
        for (;;) {
                struct pollfd p[4] = {
                    {.fd = pidfd, .events = POLLIN},
                    {.fd = sfd, .events = POLLIN},
                    {.fd = -1},
                    {.fd = -1},
                };
                if (output_open) {
                        p[2] = (struct pollfd){.fd = con->master, .events = POLLIN};
                        if (con->in_len > 0)
                                p[2].events |= POLLOUT;
                        if (con->stdin_open && con->in_len == 0)
                                p[3] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
                }
                int r = poll(p, 4, -1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return hull_err_sys(err, errno, "wait for the container's process");
                if (p[1].revents & POLLIN)
                        handle_signal(sfd, pidfd, con);
                if (output_open && p[2].revents & (POLLIN | POLLHUP | POLLERR))
                        output_open = pump_output(con);
                if (output_open)
                        pump_input(con, p[3].revents, p[2].revents);
                if (p[0].revents & POLLIN)
                        break;
        }
        /* What the process wrote just before it exited is still in the pty. */
        if (output_open)
                pump_output(con);
        siginfo_t si = {0};
        while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return hull_err_sys(err, errno, "reap the container's process");
        return exit_code(&si);
}

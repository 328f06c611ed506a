/* process.terminal: a pty from the container's devpts, its master sent over --console-socket
 * with SCM_RIGHTS (as runc does), its slave made the init's controlling terminal and
 * /dev/console. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/path.h"

static int send_fd(int sock, int fd, const char *name, struct hull_err *err)
{
        char cbuf[CMSG_SPACE(sizeof(int))];
        memset(cbuf, 0, sizeof(cbuf));
        struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = cbuf,
                             .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        ssize_t n;
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return hull_err_sys(err, errno, "send the terminal to --console-socket");
        return 0;
}

int hull_terminal_setup(struct hull_spawn *sp, int rootfd, int *ret_pty, struct hull_err *err)
{
        const struct hull_oci_process *p = sp->config->process;
        *ret_pty = -1;
        if (!p || !p->terminal)
                return 0;
        if (sp->console_socket_fd < 0)
                return hull_err_set(err, EINVAL, "process.terminal is true but no "
                                                 "--console-socket was given");
        _cleanup_close_ int master =
                hull_path_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, err);
        if (master < 0)
                return hull_err_wrap(err, "open the container's /dev/pts/ptmx (is devpts mounted?)");
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
        _cleanup_close_ int console = hull_path_mkfile_in_root(rootfd, "/dev/console", 0600, err);
        if (console < 0)
                return hull_err_wrap(err, "create /dev/console");
        char a[HULL_FD_PATH_MAX], b[HULL_FD_PATH_MAX];
        if (mount(hull_fd_path(slave, a), hull_fd_path(console, b), NULL, MS_BIND, NULL) < 0)
                return hull_err_sys(err, errno, "bind the pty on /dev/console");
        int r = send_fd(sp->console_socket_fd, master, "/dev/ptmx", err);
        if (r < 0)
                return r;
        close(sp->console_socket_fd);
        sp->console_socket_fd = -1;
        *ret_pty = TAKE_FD(slave);
        return 0;
}

int hull_terminal_attach(int pty, struct hull_err *err)
{
        if (ioctl(pty, TIOCSCTTY, 0) < 0)
                return hull_err_sys(err, errno, "make the pty the controlling terminal");
        for (int fd = 0; fd < 3; fd++)
                if (dup3(pty, fd, 0) < 0)
                        return hull_err_sys(err, errno, "attach the pty to fd %d", fd);
        if (pty > 2)
                close(pty);
        return 0;
}

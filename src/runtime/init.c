/* Child side of create, up to execve: the container's init process walks its setup steps in
 * order, reports any failure to the parent, then waits on exec.fifo for `start`. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/path.h"
#include "base/syscalls.h"
#include "runtime/hooks.h"
#include "runtime/namespaces.h"
#include "runtime/security.h"
#include "runtime/state.h"
#include "runtime/sync.h"

static int set_hostnames(const struct hull_oci_config *c, struct hull_err *err)
{
        if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
                return hull_err_sys(err, errno, "set hostname \"%s\"", c->hostname);
        if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
                return hull_err_sys(err, errno, "set domainname \"%s\"", c->domainname);
        return 0;
}

static int write_sysctls(const struct hull_oci_linux *l, struct hull_err *err)
{
        for (size_t i = 0; i < l->n_sysctl; i++) {
                const char *key = l->sysctl[i].key;
                char path[512];
                size_t n = (size_t)snprintf(path, sizeof(path), "/proc/sys/%s", key);
                if (n >= sizeof(path) || strstr(key, ".."))
                        return hull_err_set(err, EINVAL, "linux.sysctl: invalid key \"%s\"", key);
                for (char *p = path + strlen("/proc/sys/"); *p; p++)
                        if (*p == '.')
                                *p = '/';
                /* Through the container's own procfs, verified: not a path a mount or a
                 * symlink could redirect to a host-wide file (CVE-2025-52881). */
                int r = hull_security_write_proc(path + strlen("/proc/"), l->sysctl[i].value,
                                                 err);
                if (r < 0)
                        return hull_err_wrap(err, "linux.sysctl: set %s", key);
        }
        return 0;
}

static int join_session_keyring(const char *id, struct hull_err *err)
{
        char name[128];
        snprintf(name, sizeof(name), "_ses.%.100s", id);
        /* KEYCTL_JOIN_SESSION_KEYRING = 1; a fresh keyring keeps the host's keys out. */
        if (syscall(SYS_keyctl, 1, name) < 0 && errno != ENOSYS && errno != EACCES &&
            errno != EPERM)
                return hull_err_sys(err, errno, "create session keyring");
        return 0;
}

/* Block until `start` opens exec.fifo for reading. The fifo was opened O_PATH before the
 * user switch; reopening it through /proc/self/fd needs no access to the state directory. */
static int wait_for_start(int fifo_path_fd, int state_dir_fd, struct hull_err *err)
{
        char buf[HULL_FD_PATH_MAX];
        int fd;
        do
                fd = open(hull_fd_path(fifo_path_fd, buf), O_WRONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0 && errno == ENOENT)
                do
                        fd = openat(state_dir_fd, HULL_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
                while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return hull_err_sys(err, errno, "open exec fifo");
        ssize_t n;
        do
                n = write(fd, "0", 1);
        while (n < 0 && errno == EINTR);
        int e = errno;
        close(fd);
        if (n != 1)
                return hull_err_sys(err, e, "write exec fifo");
        return 0;
}

static int close_fds_for_exec(int preserve_fds)
{
        unsigned first = 3 + (unsigned)(preserve_fds > 0 ? preserve_fds : 0);
        for (unsigned fd = 3; fd < first; fd++) {
                int fl = fcntl((int)fd, F_GETFD);
                if (fl >= 0)
                        fcntl((int)fd, F_SETFD, fl & ~FD_CLOEXEC);
        }
        /* Every other fd is closed by execve: no host fd reaches the container
         * (CVE-2024-21626). */
        if (hull_close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return 0;
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = first; fd < (max > 0 ? max : 65536); fd++)
                fcntl((int)fd, F_SETFD, FD_CLOEXEC);
        return 0;
}

static int init_setup(struct hull_spawn *sp, int *ret_fifo_fd, char **ret_exec,
                      struct hull_err *err)
{
        const struct hull_oci_config *c = sp->config;
        int r = hull_sync_expect(sp->sync_fd, HULL_SYNC_PARENT_SETUP_DONE, "hullc", err);
        if (r < 0)
                return r;
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        r = hull_ns_child_join(sp, err);
        if (r < 0)
                return r;
        r = hull_ns_child_late(sp, err);
        if (r < 0)
                return r;
        if (setsid() < 0)
                return hull_err_sys(err, errno, "setsid");
        _cleanup_close_ int fifo = TAKE_FD(sp->fifo_fd);
        /* Walks child-mounts-done / parent-hooks-done before pivot_root (hooks.c). */
        r = hull_rootfs_setup(sp, err);
        if (r < 0)
                return r;
        if (hull_oci_config_namespace(c, HULL_NS_UTS) && (r = set_hostnames(c, err)) < 0)
                return r;
        r = write_sysctls(&c->linux_, err);
        if (r < 0)
                return r;
        r = hull_rootfs_finalize(sp, err);
        if (r < 0)
                return r;
        if (!sp->no_new_keyring && (r = join_session_keyring(sp->id, err)) < 0)
                return r;
        r = hull_process_prepare(sp, err);
        if (r < 0)
                return r;
        r = hull_process_find_exec(sp, ret_exec, err);
        if (r < 0)
                return r;
        *ret_fifo_fd = TAKE_FD(fifo);
        return 0;
}

__attribute__((noreturn)) void hull_init_main(struct hull_spawn *sp)
{
        if (hull_ns_needs_init_fork(sp->config, sp->ns_fds))
                hull_ns_fork_into_joined_userns(sp);
        struct hull_err err = {0};
        int fifo = -1;
        char *exec_path = NULL;
        /* Nothing in the container may open /proc/<init>/exe (our binary) while we set up
         * (CVE-2019-5736): a non-dumpable process's /proc files belong to root and refuse
         * ptrace access. Rootless, the unprivileged parent (and newuidmap) must first write our
         * id maps, which a non-dumpable process's /proc refuses them: until parent-setup-done,
         * before anything of the container runs, we stay dumpable (as runc does). */
        if (!sp->rootless)
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* `run` blocks signals to forward them: the container starts with none blocked and
         * every disposition at its default. */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* The create lock belongs to the parent: our copy would hold it until exec. */
        if (sp->lock_fd >= 0)
                close(sp->lock_fd);

        int r = init_setup(sp, &fifo, &exec_path, &err);
        if (r == 0)
                r = hull_sync_send(sp->sync_fd, HULL_SYNC_CHILD_READY, &err);
        if (r == 0)
                r = hull_sync_expect(sp->sync_fd, HULL_SYNC_PARENT_STATE_SAVED, "hullc", &err);
        if (r < 0) {
                hull_sync_send_error(sp->sync_fd, &err);
                _exit(1);
        }
        close(sp->sync_fd);
        if (wait_for_start(fifo, sp->state_dir_fd, &err) < 0) {
                dprintf(STDERR_FILENO, "hullc init: %s\n", err.msg);
                _exit(1);
        }
        r = hull_hooks_start_container(sp, &err);
        if (r == 0)
                r = hull_security_apply_last(sp, &err);
        if (r < 0) {
                dprintf(STDERR_FILENO, "hullc init: %s\n", err.msg);
                _exit(1);
        }
        close_fds_for_exec(sp->preserve_fds);
        execve(exec_path, sp->config->process->args, sp->env);
        dprintf(STDERR_FILENO, "hullc init: exec %s: %s\n", exec_path, strerror(errno));
        _exit(127);
}

/* Parent side of create: clone the init process into its namespaces and walk the sync steps
 * with it (id maps, cgroup, hooks) until it waits on exec.fifo. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/syscalls.h"
#include "cgroup/cgroup.h"
#include "runtime/hooks.h"
#include "runtime/namespaces.h"
#include "runtime/sync.h"

static pid_t clone_child(struct hull_spawn *sp, unsigned long flags, int *ret_pidfd,
                         struct hull_err *err)
{
        int pidfd = -1;
        int cgfd = sp->cgroup ? hull_cgroup_clone_fd(sp->cgroup) : -1;
        struct clone_args args = {
                .flags = flags | CLONE_PIDFD,
                .pidfd = (uint64_t)(uintptr_t)&pidfd,
                .exit_signal = SIGCHLD,
        };
        if (cgfd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)cgfd;
        }
        long pid = hull_clone3(&args, sizeof(args));
        if (pid < 0 && cgfd >= 0 && errno != ENOSYS) {
                /* Kernels before 5.7 refuse CLONE_INTO_CGROUP: enter the cgroup afterwards. */
                args.flags &= ~CLONE_INTO_CGROUP;
                args.cgroup = 0;
                pid = hull_clone3(&args, sizeof(args));
        }
        if (pid < 0 && errno == ENOSYS) {
                /* No clone3: the legacy clone with no stack behaves like fork. */
                pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, 0);
                if (pid > 0)
                        pidfd = hull_pidfd_open((pid_t)pid, 0);
        }
        if (pid < 0)
                return hull_err_sys(err, errno, "clone the container's init process");
        if (pid == 0)
                return 0;
        *ret_pidfd = pidfd;
        return (pid_t)pid;
}

void hull_spawn_abort(struct hull_spawn *sp)
{
        if (sp->pid > 0) {
                if (sp->pidfd >= 0)
                        hull_pidfd_send_signal(sp->pidfd, SIGKILL, NULL, 0);
                else
                        kill(sp->pid, SIGKILL);
                while (waitpid(sp->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                sp->pid = 0;
        }
        if (sp->pidfd >= 0) {
                close(sp->pidfd);
                sp->pidfd = -1;
        }
        if (sp->sync_fd >= 0) {
                close(sp->sync_fd);
                sp->sync_fd = -1;
        }
}

/* Everything the parent does for the child between clone and "parent-setup-done". */
static int parent_setup(struct hull_spawn *sp, bool new_userns, bool entered_cgroup,
                        struct hull_err *err)
{
        const struct hull_oci_linux *l = &sp->config->linux_;
        int r;
        if (new_userns) {
                r = hull_ns_write_id_maps(sp->pid, l, sp->rootless, err);
                if (r < 0)
                        return r;
        }
        if (sp->cgroup) {
                if (!entered_cgroup) {
                        r = hull_cgroup_enter(sp->cgroup, sp->pid, err);
                        if (r < 0)
                                return r;
                }
                r = hull_cgroup_apply(sp->cgroup, l->resources, sp->config->path, err);
                if (r < 0)
                        return r;
        }
        if (sp->config->process && sp->config->process->has_oom_score_adj) {
                /* Written by the parent: the child may already have lost the privilege. */
                char path[64], val[16];
                snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)sp->pid);
                snprintf(val, sizeof(val), "%d", sp->config->process->oom_score_adj);
                r = hull_file_write_str(AT_FDCWD, path, val, err);
                if (r < 0)
                        return hull_err_wrap(err, "set process.oomScoreAdj");
        }
        return hull_sync_send(sp->sync_fd, HULL_SYNC_PARENT_SETUP_DONE, err);
}

/* The child forked init into a pid namespace of the joined user namespace (namespaces.c):
 * reap the child and follow init instead. */
static int take_forked_init(struct hull_spawn *sp, struct hull_err *err)
{
        int init_pid = 0;
        int r = hull_sync_expect_value(sp->sync_fd, HULL_SYNC_CHILD_INIT_PID, "container init",
                                       &init_pid, err);
        while (waitpid(sp->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        if (sp->pidfd >= 0)
                close(sp->pidfd);
        sp->pidfd = -1;
        sp->pid = 0;
        if (r < 0)
                return r;
        sp->pid = init_pid;
        sp->pidfd = hull_pidfd_open(init_pid, 0);
        if (sp->pidfd < 0)
                return hull_err_sys(err, errno, "open init process %d", init_pid);
        return 0;
}

int hull_spawn_start(struct hull_spawn *sp, struct hull_err *err)
{
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return hull_err_sys(err, errno, "create sync socketpair");

        unsigned long flags = hull_ns_clone_flags(sp->config, sp->ns_fds);
        bool new_userns = flags & CLONE_NEWUSER;
        int r = hull_ns_join_pid_for_children(sp->ns_fds, err);
        if (r < 0) {
                close(pair[0]);
                close(pair[1]);
                return r;
        }

        int pidfd = -1;
        pid_t pid = clone_child(sp, flags, &pidfd, err);
        if (pid < 0) {
                close(pair[0]);
                close(pair[1]);
                return pid;
        }
        if (pid == 0) {
                close(pair[0]);
                sp->sync_fd = pair[1];
                hull_init_main(sp);
        }
        close(pair[1]);
        sp->sync_fd = pair[0];
        sp->pid = pid;
        sp->pidfd = pidfd;
        if (hull_ns_needs_init_fork(sp->config, sp->ns_fds)) {
                r = take_forked_init(sp, err);
                if (r < 0)
                        goto fail;
        }
        hull_debug("init process of %s is pid %d", sp->id, (int)sp->pid);

        bool entered = sp->cgroup && hull_cgroup_clone_fd(sp->cgroup) >= 0;
        r = parent_setup(sp, new_userns, entered, err);
        if (r < 0)
                goto fail;
        r = hull_sync_expect(sp->sync_fd, HULL_SYNC_CHILD_MOUNTS_DONE, "container init", err);
        if (r < 0)
                goto fail;
        r = hull_hooks_run_runtime(sp, err);
        if (r < 0)
                goto fail;
        r = hull_sync_send(sp->sync_fd, HULL_SYNC_PARENT_HOOKS_DONE, err);
        if (r < 0)
                goto fail;
        r = hull_sync_expect(sp->sync_fd, HULL_SYNC_CHILD_READY, "container init", err);
        if (r < 0)
                goto fail;
        return 0;
fail:
        if (r != 0 && err->code != EPIPE)
                hull_sync_send_error(sp->sync_fd, err);
        hull_spawn_abort(sp);
        return r;
}

int hull_spawn_finish(struct hull_spawn *sp, struct hull_err *err)
{
        int r = hull_sync_send(sp->sync_fd, HULL_SYNC_PARENT_STATE_SAVED, err);
        close(sp->sync_fd);
        sp->sync_fd = -1;
        return r;
}

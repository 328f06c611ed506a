/* Namespace creation, joining and user-namespace id maps (see namespaces.h). */
#include "runtime/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/syscalls.h"
#include "runtime/spawn.h"
#include "runtime/sync.h"

void hull_ns_close_paths(int fds[HULL_NS_COUNT])
{
        for (int t = 0; t < HULL_NS_COUNT; t++) {
                if (fds[t] >= 0)
                        close(fds[t]);
                fds[t] = -1;
        }
}

int hull_ns_open_paths(const struct hull_oci_config *c, int fds[HULL_NS_COUNT],
                       struct hull_err *err)
{
        for (int t = 0; t < HULL_NS_COUNT; t++)
                fds[t] = -1;
        for (size_t i = 0; i < c->linux_.n_namespaces; i++) {
                const struct hull_oci_namespace *ns = &c->linux_.namespaces[i];
                if (!ns->path)
                        continue;
                const char *name = hull_ns_type_to_string(ns->type);
                int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        int e = errno;
                        hull_ns_close_paths(fds);
                        return hull_err_sys(err, e, "%s: .linux.namespaces[%zu]: open %s namespace %s",
                                            c->path, i, name, ns->path);
                }
                int type = ioctl(fd, NS_GET_NSTYPE);
                if (type >= 0 && (unsigned long)type != hull_ns_type_clone_flag(ns->type)) {
                        close(fd);
                        hull_ns_close_paths(fds);
                        return hull_err_set(err, EINVAL,
                                            "%s: .linux.namespaces[%zu]: %s is not a %s namespace",
                                            c->path, i, ns->path, name);
                }
                fds[ns->type] = fd;
        }
        return 0;
}

static bool wants_new(const struct hull_oci_config *c, const int fds[HULL_NS_COUNT],
                      enum hull_ns_type t)
{
        return hull_oci_config_namespace(c, t) != NULL && fds[t] < 0;
}

unsigned long hull_ns_clone_flags(const struct hull_oci_config *c, const int fds[HULL_NS_COUNT])
{
        unsigned long flags = 0;
        /* A namespace made at clone time belongs to the user namespace made with it. When the
         * user namespace is joined instead, the child must create the rest after joining it
         * (and fork init into a new pid namespace: hull_ns_fork_into_joined_userns). */
        if (fds[HULL_NS_USER] >= 0)
                return flags;
        if (wants_new(c, fds, HULL_NS_PID))
                flags |= CLONE_NEWPID;
        if (wants_new(c, fds, HULL_NS_USER))
                flags |= CLONE_NEWUSER;
        static const enum hull_ns_type at_clone[] = {HULL_NS_MOUNT, HULL_NS_UTS, HULL_NS_IPC,
                                                     HULL_NS_NETWORK};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(at_clone); i++)
                if (wants_new(c, fds, at_clone[i]))
                        flags |= hull_ns_type_clone_flag(at_clone[i]);
        return flags;
}

int hull_ns_join_pid_for_children(const int fds[HULL_NS_COUNT], struct hull_err *err)
{
        if (fds[HULL_NS_PID] >= 0 && setns(fds[HULL_NS_PID], CLONE_NEWPID) < 0)
                return hull_err_sys(err, errno, "join pid namespace");
        return 0;
}

static char *format_map(const struct hull_oci_idmap *m, size_t n)
{
        size_t cap = n * 40 + 1, len = 0;
        char *s = malloc(cap);
        if (!s)
                return NULL;
        s[0] = '\0';
        for (size_t i = 0; i < n; i++)
                len += snprintf(s + len, cap - len, "%u %u %u\n", m[i].container_id,
                                m[i].host_id, m[i].size);
        return s;
}

static int write_map(pid_t pid, const char *file, const struct hull_oci_idmap *m, size_t n,
                     struct hull_err *err)
{
        if (n == 0)
                return 0;
        _cleanup_free_ char *s = format_map(m, n);
        if (!s)
                return hull_err_set(err, ENOMEM, "out of memory");
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        int r = hull_file_write_str(AT_FDCWD, path, s, err);
        if (r < 0)
                return hull_err_wrap(err, "write %s of the user namespace", file);
        return 0;
}

/* Only the caller's own id, once: what an unprivileged process may write itself. */
static bool is_self_map(const struct hull_oci_idmap *m, size_t n, uint32_t self)
{
        return n == 1 && m[0].host_id == self && m[0].size == 1;
}

/* Rootless with ranges (from /etc/subuid, /etc/subgid): the setuid helpers of the uidmap
 * package write the map for us after checking the ranges. Their stderr ends up in the error. */
static int run_map_helper(const char *helper, pid_t pid, const struct hull_oci_idmap *m, size_t n,
                          struct hull_err *err)
{
        char **argv = calloc(3 * n + 3, sizeof(char *));
        char *nums = malloc((3 * n + 1) * 12);
        if (!argv || !nums) {
                free(argv);
                free(nums);
                return hull_err_set(err, ENOMEM, "out of memory");
        }
        size_t a = 0;
        argv[a++] = (char *)helper;
        char *w = nums;
        w += sprintf(argv[a++] = w, "%d", (int)pid) + 1;
        for (size_t i = 0; i < n; i++) {
                w += sprintf(argv[a++] = w, "%u", m[i].container_id) + 1;
                w += sprintf(argv[a++] = w, "%u", m[i].host_id) + 1;
                w += sprintf(argv[a++] = w, "%u", m[i].size) + 1;
        }
        int pipefd[2];
        pid_t child = -1;
        if (pipe2(pipefd, O_CLOEXEC) == 0) {
                child = fork();
                if (child == 0) {
                        dup2(pipefd[1], STDERR_FILENO);
                        dup2(pipefd[1], STDOUT_FILENO);
                        execvp(helper, argv);
                        dprintf(STDERR_FILENO, "%s", strerror(errno));
                        _exit(127);
                }
                close(pipefd[1]);
        }
        int e = errno;
        free(argv);
        free(nums);
        if (child < 0)
                return hull_err_sys(err, e, "run %s", helper);
        char out[512];
        size_t len = 0;
        ssize_t k;
        while ((k = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0 ||
               (k < 0 && errno == EINTR))
                len += k > 0 ? (size_t)k : 0;
        close(pipefd[0]);
        out[len] = '\0';
        out[strcspn(out, "\n")] = '\0';
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return hull_err_set(err, EPERM, "%s failed (are the ranges in /etc/sub%cid, and "
                                                "is the uidmap package installed?): %s",
                                    helper, helper[3] == 'u' ? 'u' : 'g', out);
        return 0;
}

int hull_ns_write_id_maps(pid_t pid, const struct hull_oci_linux *l, int rootless,
                          struct hull_err *err)
{
        bool gid_helper = rootless && l->n_gid_mappings &&
                          !is_self_map(l->gid_mappings, l->n_gid_mappings, getegid());
        bool uid_helper = rootless && l->n_uid_mappings &&
                          !is_self_map(l->uid_mappings, l->n_uid_mappings, geteuid());
        if (rootless && !gid_helper) {
                /* An unprivileged writer may map only its own gid, and only after
                 * setgroups is denied (user_namespaces(7)). */
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
                int r = hull_file_write_str(AT_FDCWD, path, "deny", err);
                if (r < 0 && r != -ENOENT)
                        return hull_err_wrap(err, "deny setgroups in the user namespace");
        }
        int r = gid_helper ? run_map_helper("newgidmap", pid, l->gid_mappings, l->n_gid_mappings,
                                            err)
                           : write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
        if (r < 0)
                return r;
        if (uid_helper)
                return run_map_helper("newuidmap", pid, l->uid_mappings, l->n_uid_mappings, err);
        return write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
}

int hull_ns_child_join(struct hull_spawn *sp, struct hull_err *err)
{
        /* User first: joining it grants the capabilities to join or make the others. Mount
         * last: it changes our root and cwd. */
        static const enum hull_ns_type order[] = {HULL_NS_USER,    HULL_NS_IPC,   HULL_NS_UTS,
                                                  HULL_NS_NETWORK, HULL_NS_CGROUP, HULL_NS_TIME,
                                                  HULL_NS_MOUNT};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(order); i++) {
                enum hull_ns_type t = order[i];
                if (sp->ns_fds[t] < 0)
                        continue;
                if (setns(sp->ns_fds[t], hull_ns_type_clone_flag(t)) < 0)
                        return hull_err_sys(err, errno, "join %s namespace",
                                            hull_ns_type_to_string(t));
                close(sp->ns_fds[t]);
                sp->ns_fds[t] = -1;
                if (t == HULL_NS_USER && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                        return hull_err_sys(err, errno, "become root in the joined user namespace");
        }
        if (hull_oci_config_namespace(sp->config, HULL_NS_USER) &&
            !hull_oci_config_namespace(sp->config, HULL_NS_USER)->path) {
                /* New user namespace made by clone: the parent wrote the maps already. */
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        return hull_err_sys(err, errno,
                                            "become root in the new user namespace (is 0 mapped?)");
                return 0;
        }
        const struct hull_oci_namespace *user = hull_oci_config_namespace(sp->config, HULL_NS_USER);
        if (!user || !user->path)
                return 0;
        unsigned long flags = 0;
        static const enum hull_ns_type late[] = {HULL_NS_MOUNT, HULL_NS_UTS, HULL_NS_IPC,
                                                 HULL_NS_NETWORK};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(late); i++) {
                const struct hull_oci_namespace *ns = hull_oci_config_namespace(sp->config, late[i]);
                if (ns && !ns->path)
                        flags |= hull_ns_type_clone_flag(late[i]);
        }
        if (flags && unshare((int)flags) < 0)
                return hull_err_sys(err, errno, "create namespaces in the joined user namespace");
        return 0;
}

static int enter_time_ns(const struct hull_oci_linux *l, struct hull_err *err)
{
        if (unshare(CLONE_NEWTIME) < 0)
                return hull_err_sys(err, errno, "create time namespace");
        for (size_t i = 0; i < l->n_time_offsets; i++) {
                char line[96];
                snprintf(line, sizeof(line), "%s %lld %u", l->time_offsets[i].clock,
                         (long long)l->time_offsets[i].secs, l->time_offsets[i].nanosecs);
                int r = hull_file_write_str(AT_FDCWD, "/proc/self/timens_offsets", line, err);
                if (r < 0)
                        return hull_err_wrap(err, "set linux.timeOffsets.%s",
                                             l->time_offsets[i].clock);
        }
        /* unshare(CLONE_NEWTIME) only affects children; enter it ourselves now that the
         * offsets are fixed. */
        _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open the new time namespace");
        if (setns(fd, CLONE_NEWTIME) < 0)
                return hull_err_sys(err, errno, "enter the new time namespace");
        return 0;
}

int hull_ns_child_late(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_namespace *cg = hull_oci_config_namespace(sp->config, HULL_NS_CGROUP);
        if (cg && !cg->path && unshare(CLONE_NEWCGROUP) < 0)
                return hull_err_sys(err, errno, "create cgroup namespace");
        const struct hull_oci_namespace *tn = hull_oci_config_namespace(sp->config, HULL_NS_TIME);
        if (tn && !tn->path)
                return enter_time_ns(&sp->config->linux_, err);
        return 0;
}

bool hull_ns_needs_init_fork(const struct hull_oci_config *c, const int fds[HULL_NS_COUNT])
{
        return fds[HULL_NS_USER] >= 0 && wants_new(c, fds, HULL_NS_PID);
}

void hull_ns_fork_into_joined_userns(struct hull_spawn *sp)
{
        struct hull_err err = {0};
        if (setns(sp->ns_fds[HULL_NS_USER], CLONE_NEWUSER) < 0) {
                hull_err_sys(&err, errno, "join user namespace");
                goto fail;
        }
        close(sp->ns_fds[HULL_NS_USER]);
        sp->ns_fds[HULL_NS_USER] = -1;
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
                hull_err_sys(&err, errno, "become root in the joined user namespace");
                goto fail;
        }
        if (unshare(CLONE_NEWPID) < 0) {
                hull_err_sys(&err, errno, "create pid namespace in the joined user namespace");
                goto fail;
        }
        /* CLONE_PARENT: init is hullc's child, as it is without this detour (run waits on it). */
        long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
        if (pid == 0)
                return;
        if (pid < 0) {
                hull_err_sys(&err, errno, "fork init into its pid namespace");
                goto fail;
        }
        if (hull_sync_send_value(sp->sync_fd, HULL_SYNC_CHILD_INIT_PID, (int)pid, &err) == 0)
                _exit(0);
fail:
        hull_sync_send_error(sp->sync_fd, &err);
        _exit(1);
}

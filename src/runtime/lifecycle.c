/* The lifecycle verbs: create, start, state, kill, delete, list (see container.h). */
#include "runtime/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/syscalls.h"
#include "cgroup/cgroup.h"
#include "oci/config.h"
#include "runtime/exec.h"
#include "runtime/hooks.h"
#include "runtime/lifecycle.h"
#include "runtime/namespaces.h"
#include "runtime/security.h"
#include "runtime/spawn.h"
#include "runtime/state.h"

static int connect_console_socket(const char *path, struct hull_err *err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(addr.sun_path))
                return hull_err_set(err, ENAMETOOLONG, "--console-socket %s: path too long", path);
        strcpy(addr.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return hull_err_sys(err, errno, "create console socket");
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                int e = errno;
                close(fd);
                return hull_err_sys(err, e, "connect to --console-socket %s", path);
        }
        return fd;
}

static int open_rootfs(const char *bundle, const struct hull_oci_config *c, char **ret_path,
                       struct hull_err *err)
{
        _cleanup_free_ char *joined = NULL;
        if (c->root_path[0] == '/')
                joined = strdup(c->root_path);
        else if (asprintf(&joined, "%s/%s", bundle, c->root_path) < 0)
                joined = NULL;
        if (!joined)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *real = realpath(joined, NULL);
        if (!real)
                return hull_err_sys(err, errno, "%s: root.path: rootfs %s", c->path, joined);
        int fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                int e = errno;
                free(real);
                if (e == ENOTDIR)
                        return hull_err_set(err, ENOTDIR, "%s: root.path: rootfs %s is not a directory",
                                            c->path, joined);
                return hull_err_sys(err, e, "%s: root.path: open rootfs %s", c->path, joined);
        }
        *ret_path = real;
        return fd;
}

void hull_created_done(struct hull_created *cr)
{
        if (cr->sp.pidfd >= 0)
                close(cr->sp.pidfd);
        cr->sp.pidfd = -1;
        if (cr->sp.sync_fd >= 0)
                close(cr->sp.sync_fd);
        cr->sp.sync_fd = -1;
        if (cr->sp.rootfs_fd >= 0)
                close(cr->sp.rootfs_fd);
        cr->sp.rootfs_fd = -1;
        if (cr->sp.state_dir_fd >= 0)
                close(cr->sp.state_dir_fd);
        cr->sp.state_dir_fd = -1;
        if (cr->sp.lock_fd >= 0)
                close(cr->sp.lock_fd);
        cr->sp.lock_fd = -1;
        if (cr->sp.fifo_fd >= 0)
                close(cr->sp.fifo_fd);
        cr->sp.fifo_fd = -1;
        if (cr->sp.console_socket_fd >= 0)
                close(cr->sp.console_socket_fd);
        cr->sp.console_socket_fd = -1;
        hull_ns_close_paths(cr->sp.ns_fds);
        hull_cgroup_free(cr->sp.cgroup);
        cr->sp.cgroup = NULL;
        hull_security_free(cr->sp.security);
        cr->sp.security = NULL;
        hull_oci_config_free(cr->config);
        cr->config = NULL;
        free(cr->bundle);
        free(cr->rootfs);
        cr->bundle = cr->rootfs = NULL;
        if (cr->root_fd >= 0)
                close(cr->root_fd);
        cr->root_fd = -1;
}

static int save_created_state(struct hull_created *cr, const struct hull_create_opts *opts,
                              struct hull_err *err)
{
        struct hull_state st = {
                .id = (char *)opts->id,
                .pid = cr->sp.pid,
                .start_time = hull_proc_start_time(cr->sp.pid),
                .bundle = cr->bundle,
                .rootfs = cr->rootfs,
                .created = hull_now_rfc3339(),
                .owner = getuid(),
                .annotations = cr->config->annotations,
                .cgroup = cr->sp.cgroup ? hull_cgroup_to_json(cr->sp.cgroup) : NULL,
                .config = hull_hooks_to_state(cr->config),
        };
        int r = hull_state_save(cr->sp.state_dir_fd, &st, err);
        free(st.created);
        json_decref(st.cgroup);
        json_decref(st.config);
        if (r < 0)
                return r;
        if (opts->pid_file) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%d", (int)cr->sp.pid);
                r = hull_file_write_atomic(AT_FDCWD, opts->pid_file, buf, strlen(buf), 0644, err);
                if (r < 0)
                        return hull_err_wrap(err, "write --pid-file %s", opts->pid_file);
        }
        return 0;
}

static int prepare_cgroup(const struct hull_runtime *rt, struct hull_created *cr, const char *id,
                          struct hull_err *err)
{
        int r = hull_cgroup_create(id, cr->config->linux_.cgroups_path, rt->rootless,
                                   &cr->sp.cgroup, err);
        if (r < 0 && rt->rootless) {
                hull_warn("rootless: no cgroup for %s: %s", id, err->msg);
                hull_err_clear(err);
                cr->sp.cgroup = NULL;
                return 0;
        }
        if (r < 0)
                return r;
        /* Until state.json exists, this is how a delete after a crashed create finds the
         * cgroup (control.c). */
        json_t *j = hull_cgroup_to_json(cr->sp.cgroup);
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!s)
                return hull_err_set(err, ENOMEM, "out of memory");
        r = hull_file_write_atomic(cr->sp.lock_fd, HULL_CREATE_CGROUP_FILE, s, strlen(s), 0600,
                                   err);
        free(s);
        return r;
}

/* Everything create does before the clone; on failure the caller undoes it. */
static int create_prepare(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                          struct hull_created *cr, struct hull_err *err)
{
        const char *bundle = opts->bundle ? opts->bundle : ".";
        cr->bundle = realpath(bundle, NULL);
        if (!cr->bundle)
                return hull_err_sys(err, errno, "bundle %s", bundle);
        _cleanup_free_ char *config_path = NULL;
        if (asprintf(&config_path, "%s/config.json", cr->bundle) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = hull_oci_config_load(config_path, &cr->config, err);
        if (r < 0)
                return r;
        if (!cr->config->process)
                return hull_err_set(err, EINVAL, "%s: process: missing (nothing to run)",
                                    config_path);
        /* Capabilities checked and seccomp compiled here, before any namespace exists. */
        r = hull_security_prepare(cr->config, cr->config->process, NULL, &cr->sp.security, err);
        if (r < 0)
                return r;
        cr->sp.rootfs_fd = open_rootfs(cr->bundle, cr->config, &cr->rootfs, err);
        if (cr->sp.rootfs_fd < 0)
                return cr->sp.rootfs_fd;
        r = hull_ns_open_paths(cr->config, cr->sp.ns_fds, err);
        if (r < 0)
                return r;
        /* Like runc, a console socket is only used when the process asks for a terminal. */
        if (cr->config->process->terminal && opts->has_console_fd) {
                cr->sp.console_socket_fd = fcntl(opts->console_fd, F_DUPFD_CLOEXEC, 3);
                if (cr->sp.console_socket_fd < 0)
                        return hull_err_sys(err, errno, "duplicate the console socket");
        } else if (opts->console_socket && cr->config->process->terminal) {
                cr->sp.console_socket_fd = connect_console_socket(opts->console_socket, err);
                if (cr->sp.console_socket_fd < 0)
                        return cr->sp.console_socket_fd;
        }
        cr->root_fd = hull_state_root_open(rt->state_root, err);
        if (cr->root_fd < 0)
                return cr->root_fd;
        cr->sp.lock_fd = hull_state_dir_create(cr->root_fd, opts->id, err);
        if (cr->sp.lock_fd < 0)
                return cr->sp.lock_fd;
        cr->own_state_dir = true;
        cr->sp.state_dir_fd = openat(cr->root_fd, opts->id, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cr->sp.state_dir_fd < 0)
                return hull_err_sys(err, errno, "open state directory of %s", opts->id);
        /* 0622: init reopens it for writing after switching to the container's user. */
        if (mkfifoat(cr->sp.lock_fd, HULL_EXEC_FIFO, 0622) < 0 ||
            fchmodat(cr->sp.lock_fd, HULL_EXEC_FIFO, 0622, 0) < 0)
                return hull_err_sys(err, errno, "create exec fifo");
        cr->sp.fifo_fd = openat(cr->sp.lock_fd, HULL_EXEC_FIFO, O_PATH | O_CLOEXEC);
        if (cr->sp.fifo_fd < 0)
                return hull_err_sys(err, errno, "open exec fifo");
        return prepare_cgroup(rt, cr, opts->id, err);
}

static void create_undo(struct hull_created *cr, const char *id)
{
        struct hull_err ignored = {0};
        hull_spawn_abort(&cr->sp);
        if (cr->sp.cgroup)
                hull_cgroup_destroy(cr->sp.cgroup, &ignored);
        if (cr->own_state_dir)
                hull_state_dir_remove(cr->root_fd, id, &ignored);
        cr->own_state_dir = false;
}

int hull_created_init(struct hull_created *cr)
{
        memset(cr, 0, sizeof(*cr));
        cr->root_fd = -1;
        cr->sp.rootfs_fd = cr->sp.state_dir_fd = cr->sp.lock_fd = cr->sp.fifo_fd = -1;
        cr->sp.console_socket_fd = cr->sp.pidfd = cr->sp.sync_fd = cr->sp.pty_fd = -1;
        for (int t = 0; t < HULL_NS_COUNT; t++)
                cr->sp.ns_fds[t] = -1;
        return 0;
}

int hull_container_create_keep(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                               struct hull_created *cr, struct hull_err *err)
{
        hull_created_init(cr);
        int r = hull_id_validate(opts->id, err);
        if (r < 0)
                return r;
        r = create_prepare(rt, opts, cr, err);
        if (r == 0) {
                cr->sp.config = cr->config;
                cr->sp.id = opts->id;
                cr->sp.bundle = cr->bundle;
                cr->sp.rootfs = cr->rootfs;
                cr->sp.no_pivot = opts->no_pivot;
                cr->sp.no_new_keyring = opts->no_new_keyring;
                cr->sp.rootless = rt->rootless;
                /* systemd socket activation: LISTEN_FDS go before the preserved fds. */
                r = hull_listen_fds_pass(cr->config->process, err);
                cr->sp.preserve_fds = opts->preserve_fds + (r > 0 ? r : 0);
                if (r >= 0)
                        r = hull_spawn_start(&cr->sp, err);
        }
        if (r == 0)
                r = hull_security_after_spawn(&cr->sp, err);
        if (r == 0)
                r = save_created_state(cr, opts, err);
        if (r == 0)
                r = hull_spawn_finish(&cr->sp, err);
        if (r < 0) {
                create_undo(cr, opts->id);
                hull_created_done(cr);
                return r;
        }
        /* Created: release the create lock so that start (maybe our own, in run) can lock. */
        close(cr->sp.lock_fd);
        cr->sp.lock_fd = -1;
        return 0;
}

int hull_container_create(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                          struct hull_err *err)
{
        struct hull_created cr;
        int r = hull_container_create_keep(rt, opts, &cr, err);
        if (r < 0)
                return r;
        /* The init process is reparented when we exit; it must not be killed with us. */
        cr.sp.pid = 0;
        hull_created_done(&cr);
        return 0;
}

int hull_container_open(const struct hull_runtime *rt, const char *id, bool exclusive,
                        int *ret_root_fd, int *ret_dir_fd, struct hull_state **ret,
                        struct hull_err *err)
{
        int r = hull_id_validate(id, err);
        if (r < 0)
                return r;
        _cleanup_close_ int root = open(rt->state_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                if (errno == ENOENT)
                        return hull_err_set(err, ENOENT, "container \"%s\" does not exist", id);
                return hull_err_sys(err, errno, "open state root %s", rt->state_root);
        }
        _cleanup_close_ int dir = hull_state_dir_open(root, id, exclusive, err);
        if (dir < 0)
                return dir;
        struct hull_state *st = NULL;
        r = hull_state_load(dir, id, &st, err);
        if (r < 0 && !(r == -ENOENT && ret_root_fd))
                return r;
        *ret = st;
        *ret_dir_fd = TAKE_FD(dir);
        if (ret_root_fd)
                *ret_root_fd = TAKE_FD(root);
        return r;
}

int hull_wait_pidfd(int pidfd, int timeout_ms)
{
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        int r;
        do
                r = poll(&p, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

/* Open exec.fifo for reading (releasing init), read its byte, remove it. */
static int release_init(int dir_fd, const struct hull_state *st, struct hull_err *err)
{
        _cleanup_close_ int pidfd = hull_state_pidfd(st);
        if (pidfd < 0)
                return hull_err_set(err, ESRCH, "cannot start container %s: its init process "
                                                "is gone", st->id);
        _cleanup_close_ int fifo =
                openat(dir_fd, HULL_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo < 0)
                return hull_err_sys(err, errno, "open exec fifo of %s", st->id);
        struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        for (;;) {
                int r = poll(p, 2, -1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return hull_err_sys(err, errno, "wait for init of %s", st->id);
                if (p[0].revents & POLLIN)
                        break;
                if (p[1].revents)
                        return hull_err_set(err, ESRCH, "container %s: init exited before start",
                                            st->id);
        }
        char c;
        ssize_t n;
        do
                n = read(fifo, &c, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
                return hull_err_set(err, EIO, "container %s: init did not confirm start", st->id);
        if (unlinkat(dir_fd, HULL_EXEC_FIFO, 0) < 0 && errno != ENOENT)
                return hull_err_sys(err, errno, "remove exec fifo of %s", st->id);
        return 0;
}

int hull_container_start(const struct hull_runtime *rt, const char *id, struct hull_err *err)
{
        _cleanup_close_ int dir = -EBADF;
        _cleanup_(hull_state_freep) struct hull_state *st = NULL;
        int r = hull_container_open(rt, id, true, NULL, &dir, &st, err);
        if (r < 0)
                return r;
        /* mkfifoat/unlinkat need a real directory fd; the state dir fd is one. */
        enum hull_status s = hull_state_status(dir, st);
        if (s != HULL_STATUS_CREATED)
                return hull_err_set(err, EINVAL, "cannot start a container that is %s (%s)",
                                    hull_status_to_string(s), id);
        r = release_init(dir, st, err);
        if (r == 0)
                hull_hooks_poststart(st);
        return r;
}

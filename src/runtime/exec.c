/* `exec`, hullc's side: check the container can take a process, build the process spec
 * (--process, or the container's process with the command-line overrides), open the init's
 * namespaces, start the child (exec_init.c), put it in the container's cgroup, and wait. */
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/syscalls.h"
#include "cgroup/cgroup.h"
#include "runtime/console.h"
#include "runtime/exec_internal.h"
#include "runtime/lifecycle.h"
#include "runtime/namespaces.h"
#include "runtime/security.h"
#include "runtime/state.h"

/* Append a copy of S to the NULL-terminated vector *V of length *N (N may be NULL). */
static int strv_append(char ***v, size_t *n, const char *s)
{
        size_t len = 0;
        while (*v && (*v)[len])
                len++;
        char **grown = realloc(*v, (len + 2) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        *v = grown;
        grown[len] = strdup(s);
        grown[len + 1] = NULL;
        if (!grown[len])
                return -ENOMEM;
        if (n)
                *n = len + 1;
        return 0;
}

static int parse_id(const char *s, const char *what, uint32_t *ret, struct hull_err *err)
{
        uint64_t v;
        if (hull_parse_uint64(s, &v) < 0 || v > UINT32_MAX - 1)
                return hull_err_set(err, EINVAL, "%s: \"%s\" is not a numeric id", what, s);
        *ret = (uint32_t)v;
        return 0;
}

static int apply_user(struct hull_oci_process *p, const struct hull_exec_opts *o,
                      struct hull_err *err)
{
        if (o->user && o->user[0]) {
                _cleanup_free_ char *u = strdup(o->user);
                if (!u)
                        return hull_err_set(err, ENOMEM, "out of memory");
                char *colon = strchr(u, ':');
                uint32_t id = 0;
                if (colon) {
                        *colon = '\0';
                        if (parse_id(colon + 1, "--user", &id, err) < 0)
                                return -EINVAL;
                        p->user.gid = id;
                }
                if (parse_id(u, "--user", &id, err) < 0)
                        return -EINVAL;
                p->user.uid = id;
        }
        for (size_t i = 0; i < o->n_additional_gids; i++) {
                uint32_t gid = 0;
                if (parse_id(o->additional_gids[i], "--additional-gids", &gid, err) < 0)
                        return -EINVAL;
                gid_t *g = realloc(p->user.additional_gids,
                                   (p->user.n_additional_gids + 1) * sizeof(gid_t));
                if (!g)
                        return hull_err_set(err, ENOMEM, "out of memory");
                g[p->user.n_additional_gids++] = gid;
                p->user.additional_gids = g;
        }
        return 0;
}

static int add_caps(struct hull_oci_process *p, const struct hull_exec_opts *o,
                    struct hull_err *err)
{
        if (o->n_caps == 0)
                return 0;
        if (!p->capabilities && !(p->capabilities = calloc(1, sizeof(*p->capabilities))))
                return hull_err_set(err, ENOMEM, "out of memory");
        struct hull_oci_capabilities *c = p->capabilities;
        char ***sets[] = {&c->bounding, &c->effective, &c->inheritable, &c->permitted, &c->ambient};
        for (size_t i = 0; i < o->n_caps; i++)
                for (size_t s = 0; s < HULL_ARRAY_SIZE(sets); s++)
                        if (strv_append(sets[s], NULL, o->caps[i]) < 0)
                                return hull_err_set(err, ENOMEM, "out of memory");
        return 0;
}

static int replace_str(char **dst, const char *src, struct hull_err *err)
{
        char *s = strdup(src);
        if (!s)
                return hull_err_set(err, ENOMEM, "out of memory");
        free(*dst);
        *dst = s;
        return 0;
}

/* runc's rules: the container's process with the command line's changes. */
static int process_from_options(struct hull_oci_process *p, const struct hull_exec_opts *o,
                                struct hull_err *err)
{
        hull_strv_free(p->args);
        p->args = NULL;
        p->n_args = 0;
        for (char **a = o->args; a && *a; a++)
                if (strv_append(&p->args, &p->n_args, *a) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
        if (p->n_args == 0)
                return hull_err_set(err, EINVAL, "no command given to exec (and no --process)");
        for (size_t i = 0; i < o->n_env; i++) {
                if (!strchr(o->env[i], '='))
                        return hull_err_set(err, EINVAL, "--env %s: expected KEY=VALUE", o->env[i]);
                if (strv_append(&p->env, &p->n_env, o->env[i]) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        if (o->cwd && o->cwd[0]) {
                if (o->cwd[0] != '/')
                        return hull_err_set(err, EINVAL, "--cwd %s: must be an absolute path",
                                            o->cwd);
                if (replace_str(&p->cwd, o->cwd, err) < 0)
                        return -ENOMEM;
        }
        if (o->apparmor && replace_str(&p->apparmor_profile, o->apparmor, err) < 0)
                return -ENOMEM;
        if (o->process_label && replace_str(&p->selinux_label, o->process_label, err) < 0)
                return -ENOMEM;
        p->terminal = o->tty_set && o->tty;
        p->has_console_size = false;
        if (o->no_new_privs_set)
                p->no_new_privileges = o->no_new_privs;
        int r = apply_user(p, o, err);
        if (r < 0)
                return r;
        return add_caps(p, o, err);
}

/* systemd socket activation: fds 3.. LISTEN_FDS meant for us go on to the process. */
static int listen_fds(void)
{
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        int64_t p, n;
        if (!pid || !fds || hull_parse_int64(pid, &p) < 0 || p != getpid() ||
            hull_parse_int64(fds, &n) < 0 || n <= 0 || n > 4096)
                return 0;
        return (int)n;
}

int hull_listen_fds_pass(struct hull_oci_process *p, struct hull_err *err)
{
        int n = listen_fds();
        if (n <= 0)
                return 0;
        char buf[32];
        snprintf(buf, sizeof(buf), "LISTEN_FDS=%d", n);
        if (strv_append(&p->env, &p->n_env, buf) < 0 ||
            strv_append(&p->env, &p->n_env, "LISTEN_PID=1") < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        return n;
}

struct exec_parent {
        struct hull_exec_child x;
        struct hull_oci_config *config;
        struct hull_oci_process *orig_process; /* the container's, swapped out */
        json_t *process_doc;                   /* --process document */
        struct hull_cgroup *cgroup;
        int proxy_fd; /* our end of the console socketpair when we proxy, or -1 */
        int keep_min; /* fds below this belong to the process (stdio, LISTEN_FDS, preserved) */
        pid_t child;  /* the first child, until reaped */
        pid_t pid;    /* the process */
};

static void exec_parent_done(struct exec_parent *e)
{
        if (e->child > 0) {
                kill(e->child, SIGKILL);
                waitpid(e->child, NULL, 0);
        }
        if (e->pid > 0 && e->pid != e->child) {
                kill(e->pid, SIGKILL);
                waitpid(e->pid, NULL, 0);
        }
        hull_cgroup_free(e->cgroup);
        hull_security_free(e->x.sp.security);
        if (e->config) {
                hull_oci_process_free(e->config->process);
                e->config->process = e->orig_process;
                hull_oci_config_free(e->config);
        }
        json_decref(e->process_doc);
        int *fds[] = {&e->x.init_pidfd, &e->x.init_root_fd, &e->x.console_fd, &e->x.sync_fd,
                      &e->proxy_fd};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(fds); i++)
                if (*fds[i] >= 0) {
                        close(*fds[i]);
                        *fds[i] = -1;
                }
        hull_ns_close_paths(e->x.ns_fds);
        free(e->x.sp.env);
}

/* Keep our fds out of the range the process inherits. */
static int fd_above(int fd, int min, struct hull_err *err)
{
        if (fd < 0 || fd >= min)
                return fd;
        int high = fcntl(fd, F_DUPFD_CLOEXEC, min);
        int e = errno;
        close(fd);
        if (high < 0)
                return hull_err_sys(err, e, "move fd %d above the preserved fds", fd);
        return high;
}

static int load_process(struct exec_parent *e, const struct hull_state *st,
                        const struct hull_exec_opts *o, struct hull_err *err)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/config.json", st->bundle) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = hull_oci_config_load(path, &e->config, err);
        if (r < 0)
                return hull_err_wrap(err, "load the config of container %s", st->id);
        e->orig_process = e->config->process;
        struct hull_oci_process *p = NULL;
        if (o->process_file) {
                r = hull_oci_process_load(o->process_file, &e->process_doc, &p, err);
                if (r < 0)
                        return r;
        } else {
                if (!e->orig_process)
                        return hull_err_set(err, EINVAL, "%s: process: missing", path);
                /* A deep copy through the parser keeps ownership simple. */
                json_t *proc = json_object_get(e->config->root, "process");
                r = hull_oci_process_parse(path, proc, ".process", &p, err);
                if (r < 0)
                        return r;
        }
        e->config->process = p;
        if (!o->process_file && (r = process_from_options(p, o, err)) < 0)
                return r;
        int n = hull_listen_fds_pass(p, err);
        if (n < 0)
                return n;
        e->x.sp.preserve_fds = n + o->preserve_fds;
        e->keep_min = 3 + e->x.sp.preserve_fds;
        return 0;
}

/* Open the init's namespaces that differ from ours, and its root, while it is still the
 * process the state names. */
static int open_init(struct exec_parent *e, const struct hull_state *st, struct hull_err *err)
{
        e->x.init_pidfd = hull_state_pidfd(st);
        if (e->x.init_pidfd < 0)
                return hull_err_set(err, ESRCH, "cannot exec in a stopped container: %s", st->id);
        e->x.init_pidfd = fd_above(e->x.init_pidfd, e->keep_min, err);
        if (e->x.init_pidfd < 0)
                return e->x.init_pidfd;
        char path[64];
        for (int t = 0; t < HULL_NS_COUNT; t++) {
                const char *name = hull_ns_type_proc_name((enum hull_ns_type)t);
                struct stat ours, theirs;
                snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
                if (stat(path, &ours) < 0)
                        continue; /* the kernel lacks this namespace type */
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)st->pid, name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return hull_err_sys(err, errno, "open %s", path);
                if (fstat(fd, &theirs) < 0 ||
                    (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)) {
                        close(fd);
                        continue;
                }
                fd = fd_above(fd, e->keep_min, err);
                if (fd < 0)
                        return fd;
                e->x.ns_fds[t] = fd;
                e->x.ns_flags |= hull_ns_type_clone_flag((enum hull_ns_type)t);
        }
        e->x.fork_in_pidns = e->x.ns_fds[HULL_NS_PID] >= 0;
        snprintf(path, sizeof(path), "/proc/%d/root", (int)st->pid);
        int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return hull_err_sys(err, errno, "open %s", path);
        e->x.init_root_fd = fd_above(root, e->keep_min, err);
        if (e->x.init_root_fd < 0)
                return e->x.init_root_fd;
        /* The pid may have been reused between the pidfd and the /proc lookups. */
        if (!hull_state_process_alive(st))
                return hull_err_set(err, ESRCH, "cannot exec in a stopped container: %s", st->id);
        return 0;
}

static int connect_socket(const char *path, struct hull_err *err)
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

static int prepare_console(struct exec_parent *e, const struct hull_exec_opts *o,
                           struct hull_err *err)
{
        /* runc's rules, which engines are written against. */
        if ((!o->detach || !e->config->process->terminal) && o->console_socket)
                return hull_err_set(err, EINVAL,
                                    "cannot use a console socket if hullc will not "
                                    "detach or allocate a tty");
        if (!e->config->process->terminal)
                return 0;
        if (o->console_socket) {
                e->x.console_fd = connect_socket(o->console_socket, err);
        } else {
                if (o->detach)
                        return hull_err_set(err, EINVAL,
                                            "cannot allocate a tty for a detached "
                                            "process without --console-socket");
                int pair[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                        return hull_err_sys(err, errno, "create the terminal socketpair");
                e->proxy_fd = pair[0];
                e->x.console_fd = pair[1];
        }
        e->x.console_fd = fd_above(e->x.console_fd, e->keep_min, err);
        return e->x.console_fd < 0 ? e->x.console_fd : 0;
}

/* The state must say running (or created); paused and stopped containers take no process. */
static int check_status(int dir, const struct hull_state *st, struct hull_err *err)
{
        enum hull_status s = hull_state_status(dir, st);
        if (s == HULL_STATUS_STOPPED || s == HULL_STATUS_PAUSED)
                return hull_err_set(err, EINVAL, "cannot exec in a %s container: %s",
                                    hull_status_to_string(s), st->id);
        return 0;
}

/* Each hierarchy saved in the state's cgroup object ({"unified": {...}, "v1": [...]}, as
 * hull_cgroup_to_json writes it): CB(controllers, directory). */
static int for_each_hier(json_t *saved, int (*cb)(const char *ctls, const char *dir, void *data),
                         void *data)
{
        json_t *v1 = json_object_get(saved, "v1"), *h;
        size_t i;
        json_t *unified = json_object_get(saved, "unified");
        json_t *all = json_array();
        if (!all)
                return -ENOMEM;
        if (unified)
                json_array_append(all, unified);
        json_array_foreach(v1, i, h) json_array_append(all, h);
        int r = 0;
        json_array_foreach(all, i, h)
        {
                const char *mount = json_string_value(json_object_get(h, "mount"));
                const char *path = json_string_value(json_object_get(h, "path"));
                const char *ctls = json_string_value(json_object_get(h, "controllers"));
                if (!mount || !path)
                        continue;
                _cleanup_free_ char *dir = hull_strdup_printf("%s%s", mount, path);
                if (!dir) {
                        r = -ENOMEM;
                        break;
                }
                r = cb(ctls ? ctls : "", dir, data);
                if (r < 0)
                        break;
        }
        json_decref(all);
        return r;
}

struct sub_cgroup {
        const char *spec;  /* the --cgroup value, for messages */
        char *controllers; /* "cpu,memory" or NULL for all */
        const char *sub;   /* relative path */
        pid_t pid;
        int matched;
        struct hull_err *err;
};

static bool has_controller(const char *list, const char *wanted_list)
{
        _cleanup_free_ char *w = strdup(wanted_list);
        char *save = NULL;
        for (char *c = w ? strtok_r(w, ",", &save) : NULL; c; c = strtok_r(NULL, ",", &save)) {
                size_t n = strlen(c);
                for (const char *p = list; (p = strstr(p, c)); p += n)
                        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
                                return true;
        }
        return false;
}

static int enter_sub(const char *ctls, const char *dir, void *data)
{
        struct sub_cgroup *s = data;
        bool unified = ctls[0] == '\0';
        if (s->controllers && (unified || !has_controller(ctls, s->controllers)))
                return 0;
        s->matched++;
        _cleanup_free_ char *sub = hull_strdup_printf("%s/%s", dir, s->sub);
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)s->pid);
        if (!sub)
                return hull_err_set(s->err, ENOMEM, "out of memory");
        int fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(s->err, errno, "--cgroup %s: sub-cgroup %s", s->spec, sub);
        int r = hull_file_write_str(fd, "cgroup.procs", pid, s->err);
        close(fd);
        return r < 0 ? hull_err_wrap(s->err, "--cgroup %s", s->spec) : 0;
}

/* --cgroup [CONTROLLER[,CONTROLLER...]:]PATH: move the process on into an existing
 * sub-cgroup of the container's. */
static int enter_sub_cgroup(json_t *saved, const char *spec, pid_t pid, struct hull_err *err)
{
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy)
                return hull_err_set(err, ENOMEM, "out of memory");
        struct sub_cgroup s = {.spec = spec, .sub = copy, .pid = pid, .err = err};
        char *colon = strchr(copy, ':');
        if (colon) {
                *colon = '\0';
                s.controllers = copy;
                s.sub = colon + 1;
        }
        while (*s.sub == '/')
                s.sub++;
        if (!*s.sub || strstr(s.sub, "..") || (s.controllers && !*s.controllers))
                return hull_err_set(err, EINVAL,
                                    "--cgroup %s: expected [CONTROLLER:]PATH, a "
                                    "path below the container's cgroup",
                                    spec);
        int r = for_each_hier(saved, enter_sub, &s);
        if (r < 0)
                return r == -ENOMEM ? hull_err_set(err, ENOMEM, "out of memory") : r;
        if (!s.matched)
                return hull_err_set(err, ENOENT,
                                    "--cgroup %s: the container has no cgroup "
                                    "with these controllers",
                                    spec);
        return 0;
}

/* cgroup v2 takes no process into a cgroup that has controllers enabled for its children
 * (EBUSY): when the container made sub-cgroups, join the one its init is in, as runc does. */
static int enter_init_cgroup_v2(const struct hull_state *st, pid_t pid, struct hull_err *err)
{
        const char *mount =
            json_string_value(json_object_get(json_object_get(st->cgroup, "unified"), "mount"));
        char path[64], line[4096];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)st->pid);
        _cleanup_fclose_ FILE *f = mount ? fopen(path, "re") : NULL;
        while (f && fgets(line, sizeof(line), f)) {
                if (strncmp(line, "0::/", 4) != 0)
                        continue;
                line[strcspn(line, "\n")] = '\0';
                _cleanup_free_ char *dir = hull_strdup_printf("%s%s", mount, line + 3);
                char buf[16];
                snprintf(buf, sizeof(buf), "%d", (int)pid);
                if (!dir || strstr(dir, "/../"))
                        break;
                _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return hull_err_sys(err, errno, "open the cgroup of init %s", dir);
                return hull_file_write_str(fd, "cgroup.procs", buf, err);
        }
        return hull_err_set(err, EBUSY,
                            "the container's cgroup has sub-cgroups and its init's "
                            "cgroup cannot be found");
}

static int enter_cgroup(struct exec_parent *e, const struct hull_state *st,
                        const struct hull_exec_opts *o, struct hull_err *err)
{
        if (!st->cgroup) {
                if (o->n_cgroups)
                        return hull_err_set(err, EINVAL, "--cgroup: container %s has no cgroup",
                                            st->id);
                return 0;
        }
        int r = hull_cgroup_from_json(st->cgroup, &e->cgroup, err);
        if (r < 0)
                return hull_err_wrap(err, "container %s", st->id);
        r = hull_cgroup_enter(e->cgroup, e->child, err);
        if (r == -EBUSY && o->n_cgroups == 0) {
                hull_err_clear(err);
                r = enter_init_cgroup_v2(st, e->child, err);
        }
        if (r < 0)
                return hull_err_wrap(err, "put the exec process in the cgroup of %s", st->id);
        for (size_t i = 0; i < o->n_cgroups; i++)
                if ((r = enter_sub_cgroup(st->cgroup, o->cgroups[i], e->child, err)) < 0)
                        return r;
        return 0;
}

/* The child's own account of its failure if it sent one, else FALLBACK. */
static int child_error(int sync, const char *fallback, struct hull_err *err)
{
        struct hull_exec_msg m;
        if (hull_exec_recv(sync, &m) == 0 && m.step == HULL_EXEC_SYNC_ERROR)
                return hull_err_set(err, m.code, "%s", m.text);
        return hull_err_set(err, EPIPE, "%s", fallback);
}

/* Fork the child and walk it up to the execve of the process. */
static int start_child(struct exec_parent *e, const struct hull_state *st,
                       const struct hull_exec_opts *o, struct hull_err *err)
{
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return hull_err_sys(err, errno, "create exec sync socketpair");
        int ours = fd_above(pair[0], e->keep_min, err);
        e->x.sync_fd = fd_above(pair[1], e->keep_min, err);
        if (ours < 0 || e->x.sync_fd < 0) {
                if (ours >= 0)
                        close(ours);
                return -EMFILE;
        }
        _cleanup_close_ int sync = ours;
        pid_t pid = fork();
        if (pid < 0)
                return hull_err_sys(err, errno, "fork the exec process");
        if (pid == 0) {
                close(sync);
                hull_exec_child_main(&e->x);
        }
        e->child = pid;
        close(e->x.sync_fd);
        e->x.sync_fd = -1;
        if (e->x.console_fd >= 0 && e->proxy_fd < 0) {
                close(e->x.console_fd); /* the child has its copy */
                e->x.console_fd = -1;
        }
        int r = enter_cgroup(e, st, o, err);
        if (r < 0)
                return r;
        if (!e->x.fork_in_pidns) {
                e->x.sp.pid = pid;
                if ((r = hull_security_after_spawn(&e->x.sp, err)) < 0)
                        return r;
        }
        if (hull_exec_send(sync, HULL_EXEC_SYNC_GO, 0, NULL) < 0)
                return child_error(sync, "the exec process died before it started", err);
        struct hull_exec_msg m;
        if (e->x.fork_in_pidns) {
                r = hull_exec_recv(sync, &m);
                if (r == 0 && m.step == HULL_EXEC_SYNC_ERROR)
                        return hull_err_set(err, m.code, "%s", m.text);
                if (r != 0 || m.step != HULL_EXEC_SYNC_PID || m.pid <= 0)
                        return hull_err_set(err, EPROTO,
                                            "the exec process died while joining "
                                            "the container");
                e->pid = m.pid;
                while (waitpid(e->child, NULL, 0) < 0 && errno == EINTR)
                        ;
                e->child = 0;
                e->x.sp.pid = e->pid;
                if ((r = hull_security_after_spawn(&e->x.sp, err)) < 0)
                        return r;
                if (hull_exec_send(sync, HULL_EXEC_SYNC_PROCEED, 0, NULL) < 0)
                        return child_error(sync, "the exec process died before it ran", err);
        } else {
                e->pid = pid;
        }
        /* Success is the end of the stream: the process exec'd and its copy closed. */
        r = hull_exec_recv(sync, &m);
        if (r == 0 && m.step == HULL_EXEC_SYNC_ERROR)
                return hull_err_set(err, m.code, "%s", m.text);
        if (r != 1)
                return hull_err_set(err, EPROTO, "exec: unexpected message from the process");
        return 0;
}

static int write_pid_file(const char *path, pid_t pid, struct hull_err *err)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        int r = hull_file_write_atomic(AT_FDCWD, path, buf, strlen(buf), 0644, err);
        return r < 0 ? hull_err_wrap(err, "write --pid-file %s", path) : 0;
}

static void exec_parent_init(struct exec_parent *e, const char *id)
{
        memset(e, 0, sizeof(*e));
        e->x.init_pidfd = e->x.init_root_fd = e->x.console_fd = e->x.sync_fd = -1;
        e->proxy_fd = -1;
        e->keep_min = 3;
        for (int t = 0; t < HULL_NS_COUNT; t++)
                e->x.ns_fds[t] = -1;
        e->x.sp.id = id;
        e->x.sp.rootfs_fd = e->x.sp.state_dir_fd = e->x.sp.lock_fd = e->x.sp.fifo_fd = -1;
        e->x.sp.console_socket_fd = e->x.sp.pidfd = e->x.sp.sync_fd = e->x.sp.pty_fd = -1;
        for (int t = 0; t < HULL_NS_COUNT; t++)
                e->x.sp.ns_fds[t] = -1;
}

/* Everything up to the process running; the container stays locked (shared) meanwhile so that
 * a concurrent delete waits. */
static int exec_start(const struct hull_runtime *rt, struct exec_parent *e,
                      const struct hull_exec_opts *o, struct hull_err *err)
{
        _cleanup_close_ int dir = -EBADF;
        _cleanup_(hull_state_freep) struct hull_state *st = NULL;
        int r = hull_container_open(rt, o->id, false, NULL, &dir, &st, err);
        if (r < 0)
                return r;
        if ((r = check_status(dir, st, err)) < 0 || (r = load_process(e, st, o, err)) < 0)
                return r;
        e->x.sp.config = e->config;
        e->x.sp.bundle = st->bundle;
        e->x.sp.rootfs = st->rootfs;
        e->x.sp.rootless = rt->rootless;
        /* Capabilities checked and seccomp compiled here, outside the container. */
        r = hull_security_prepare(e->config, e->config->process, o->process_file, &e->x.sp.security,
                                  err);
        if (r < 0)
                return r;
        if ((r = open_init(e, st, err)) < 0 || (r = prepare_console(e, o, err)) < 0)
                return r;
        hull_debug("exec in %s (init pid %d), joining namespaces 0x%lx", o->id, (int)st->pid,
                   e->x.ns_flags);
        r = start_child(e, st, o, err);
        e->x.sp.bundle = e->x.sp.rootfs = NULL; /* owned by st */
        if (r < 0)
                return r;
        if (o->pid_file && (r = write_pid_file(o->pid_file, e->pid, err)) < 0)
                return r;
        return 0;
}

int hull_container_exec(const struct hull_runtime *rt, const struct hull_exec_opts *o,
                        int *ret_status, struct hull_err *err)
{
        struct exec_parent e;
        exec_parent_init(&e, o->id);
        sigset_t fwd, old;
        hull_signals_forwarded(&fwd);
        /* Blocked before the fork so that none is lost; the child unblocks them. */
        if (!o->detach)
                sigprocmask(SIG_BLOCK, &fwd, &old);
        _cleanup_close_ int sfd = o->detach ? -EBADF : signalfd(-1, &fwd, SFD_CLOEXEC);
        int r = exec_start(rt, &e, o, err);
        if (r == 0 && o->detach) {
                /* The process outlives us: our parent (or its subreaper) reaps it. */
                e.pid = e.child = 0;
                *ret_status = 0;
        }
        struct hull_console con = {.master = -1};
        if (r == 0 && !o->detach && e.proxy_fd >= 0) {
                int master = -1;
                r = hull_console_recv_fd(e.proxy_fd, &master, err);
                if (r == 0)
                        r = hull_console_start(&con, master, err);
        }
        if (r == 0 && !o->detach) {
                _cleanup_close_ int pidfd = hull_pidfd_open(e.pid, 0);
                if (pidfd < 0)
                        r = hull_err_sys(err, errno, "open a pidfd for the exec process");
                else
                        r = hull_wait_foreground(e.pid, pidfd, sfd, con.master >= 0 ? &con : NULL,
                                                 err);
                if (r >= 0) {
                        e.pid = e.child = 0;
                        *ret_status = r;
                        r = 0;
                }
        }
        hull_console_stop(&con);
        exec_parent_done(&e);
        if (!o->detach)
                sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

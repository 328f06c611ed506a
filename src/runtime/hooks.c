/* Running OCI hooks (see hooks.h for where each kind runs and what its failure does). */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/syscalls.h"
#include "oci/state.h"
#include "runtime/spawn.h"
#include "runtime/state.h"
#include "runtime/sync.h"

/* What of a failing hook's output goes into the error message. */
#define HOOK_OUTPUT_MAX 1024

extern char **environ;

static const char *const kind_names[HULL_HOOK_COUNT] = {
    [HULL_HOOK_PRESTART] = "prestart",
    [HULL_HOOK_CREATE_RUNTIME] = "createRuntime",
    [HULL_HOOK_CREATE_CONTAINER] = "createContainer",
    [HULL_HOOK_START_CONTAINER] = "startContainer",
    [HULL_HOOK_POSTSTART] = "poststart",
    [HULL_HOOK_POSTSTOP] = "poststop",
};

const char *hull_hook_kind_name(enum hull_hook_kind kind)
{
        return kind < HULL_HOOK_COUNT ? kind_names[kind] : "unknown";
}

static __attribute__((noreturn)) void hook_child(const struct hull_oci_hook *h, int in_fd,
                                                 int out_fd, pid_t parent)
{
        /* A hook must not outlive the runtime waiting for it (a killed `create`). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(127);
        if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(out_fd, STDERR_FILENO) < 0)
                _exit(127);
        /* The runtime may have blocked signals to forward them; a hook starts clean. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        char *argv0[] = {h->path, NULL};
        execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : environ);
        dprintf(STDERR_FILENO, "exec: %s", strerror(errno));
        _exit(127);
}

struct hook_output {
        char buf[HOOK_OUTPUT_MAX + 1];
        size_t len;
};

static void read_output(int fd, struct hook_output *out)
{
        char tmp[4096];
        for (;;) {
                ssize_t n = read(fd, tmp, sizeof(tmp));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                size_t room = HOOK_OUTPUT_MAX - out->len;
                size_t take = (size_t)n < room ? (size_t)n : room;
                memcpy(out->buf + out->len, tmp, take);
                out->len += take;
        }
}

static long ms_since(const struct timespec *start)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* Wait for the hook (TIMEOUT seconds, <= 0: none), collecting its output. A hook that leaves
 * a daemon holding the pipe must not hold us: we stop reading when the hook itself exits. */
static int wait_hook(pid_t pid, int pidfd, int out_fd, int timeout, int *ret_status,
                     struct hook_output *out)
{
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        bool out_open = true;
        while (pidfd >= 0) {
                struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
                                      {.fd = out_open ? out_fd : -1, .events = POLLIN}};
                int wait_ms = -1;
                if (timeout > 0) {
                        long left = timeout * 1000L - ms_since(&start);
                        if (left <= 0) {
                                hull_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                                waitpid(pid, ret_status, 0);
                                return -ETIMEDOUT;
                        }
                        wait_ms = (int)left;
                }
                int r = poll(p, 2, wait_ms);
                if (r < 0 && errno != EINTR)
                        break;
                if (r > 0 && p[1].revents) {
                        size_t before = out->len;
                        char tmp[4096];
                        ssize_t n = read(out_fd, tmp, sizeof(tmp));
                        if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
                                out_open = false;
                        else if (n > 0) {
                                size_t take = (size_t)n < HOOK_OUTPUT_MAX - before
                                                  ? (size_t)n
                                                  : HOOK_OUTPUT_MAX - before;
                                memcpy(out->buf + before, tmp, take);
                                out->len += take;
                        }
                }
                if (r > 0 && p[0].revents & POLLIN)
                        break;
        }
        if (out_open)
                read_output(out_fd, out);
        while (waitpid(pid, ret_status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

/* The hook's output as one line for a message: ": <output>" or "". */
static const char *output_suffix(struct hook_output *out, char *buf, size_t size)
{
        while (out->len > 0 && (out->buf[out->len - 1] == '\n' || out->buf[out->len - 1] == ' '))
                out->len--;
        out->buf[out->len] = '\0';
        if (out->len == 0)
                return "";
        for (char *c = out->buf; *c; c++)
                if (*c == '\n' || *c == '\r' || *c == '\t')
                        *c = ' ';
        snprintf(buf, size, ": %s", out->buf);
        return buf;
}

static int run_hook(const struct hull_oci_hook *h, const char *what, const char *state_json,
                    struct hull_err *err)
{
        int in[2], out[2];
        if (pipe2(in, O_CLOEXEC) < 0)
                return hull_err_sys(err, errno, "%s: create pipe", what);
        if (pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0) {
                int e = errno;
                close(in[0]);
                close(in[1]);
                return hull_err_sys(err, e, "%s: create pipe", what);
        }
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(in[0]);
                close(in[1]);
                close(out[0]);
                close(out[1]);
                return hull_err_sys(err, e, "%s: fork", what);
        }
        if (pid == 0) {
                /* The child's stdout must block like any pipe a program is given. */
                fcntl(out[1], F_SETFL, 0);
                hook_child(h, in[0], out[1], parent);
        }
        close(in[0]);
        close(out[1]);
        _cleanup_close_ int out_fd = out[0];
        _cleanup_close_ int pidfd = hull_pidfd_open(pid, 0);
        /* A hook that does not read its stdin must not block us: ignore EPIPE. */
        struct sigaction ign = {.sa_handler = SIG_IGN}, old;
        sigaction(SIGPIPE, &ign, &old);
        size_t len = strlen(state_json), off = 0;
        while (off < len) {
                ssize_t n = write(in[1], state_json + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                off += (size_t)n;
        }
        close(in[1]);
        sigaction(SIGPIPE, &old, NULL);
        int status = 0;
        struct hook_output output = {.len = 0};
        char sfx[HOOK_OUTPUT_MAX + 8];
        int r = wait_hook(pid, pidfd, out_fd, h->has_timeout ? h->timeout : 0, &status, &output);
        if (r == -ETIMEDOUT)
                return hull_err_set(err, ETIMEDOUT, "%s %s: timed out after %d s (killed)", what,
                                    h->path, h->timeout);
        if (r < 0)
                return hull_err_sys(err, -r, "%s %s: wait", what, h->path);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status))
                return hull_err_set(err, EIO, "%s %s: killed by signal %d%s", what, h->path,
                                    WTERMSIG(status), output_suffix(&output, sfx, sizeof(sfx)));
        return hull_err_set(err, EIO, "%s %s: exited with status %d%s", what, h->path,
                            WEXITSTATUS(status), output_suffix(&output, sfx, sizeof(sfx)));
}

int hull_hooks_run(const struct hull_oci_config *c, enum hull_hook_kind kind,
                   const char *state_json, struct hull_err *err)
{
        for (size_t i = 0; i < c->hooks.count[kind]; i++) {
                char what[64];
                snprintf(what, sizeof(what), "%s hook #%zu", hull_hook_kind_name(kind), i);
                hull_debug("running %s: %s", what, c->hooks.list[kind][i].path);
                int r = run_hook(&c->hooks.list[kind][i], what, state_json, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

void hull_hooks_run_warn(const struct hull_oci_config *c, enum hull_hook_kind kind,
                         const char *state_json)
{
        for (size_t i = 0; i < c->hooks.count[kind]; i++) {
                char what[64];
                struct hull_err err = {0};
                snprintf(what, sizeof(what), "%s hook #%zu", hull_hook_kind_name(kind), i);
                if (run_hook(&c->hooks.list[kind][i], what, state_json, &err) < 0)
                        hull_warn("%s", err.msg);
        }
}

char *hull_hooks_state(const char *id, const char *status, pid_t pid, const char *bundle,
                       json_t *annotations)
{
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", HULL_OCI_VERSION, "id", id,
                              "status", status, "pid", (int)pid, "bundle", bundle);
        if (!o)
                return NULL;
        if (annotations)
                json_object_set(o, "annotations", annotations);
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return s;
}

int hull_hooks_run_runtime(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_hooks *h = &sp->config->hooks;
        if (h->count[HULL_HOOK_PRESTART] == 0 && h->count[HULL_HOOK_CREATE_RUNTIME] == 0)
                return 0;
        _cleanup_free_ char *state =
            hull_hooks_state(sp->id, "creating", sp->pid, sp->bundle, sp->config->annotations);
        if (!state)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = hull_hooks_run(sp->config, HULL_HOOK_PRESTART, state, err);
        if (r < 0)
                return r;
        return hull_hooks_run(sp->config, HULL_HOOK_CREATE_RUNTIME, state, err);
}

/* Our pid as the runtime namespace sees it: before pivot_root, /proc is still the host's. */
static pid_t host_pid(void)
{
        char buf[32];
        ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
        if (n > 0) {
                buf[n] = '\0';
                long v = strtol(buf, NULL, 10);
                if (v > 0)
                        return (pid_t)v;
        }
        return getpid();
}

int hull_hooks_before_pivot(struct hull_spawn *sp, struct hull_err *err)
{
        int r = hull_sync_send(sp->sync_fd, HULL_SYNC_CHILD_MOUNTS_DONE, err);
        if (r < 0)
                return r;
        r = hull_sync_expect(sp->sync_fd, HULL_SYNC_PARENT_HOOKS_DONE, "hullc", err);
        if (r < 0 || sp->config->hooks.count[HULL_HOOK_CREATE_CONTAINER] == 0)
                return r;
        _cleanup_free_ char *state =
            hull_hooks_state(sp->id, "creating", host_pid(), sp->bundle, sp->config->annotations);
        if (!state)
                return hull_err_set(err, ENOMEM, "out of memory");
        /* As runc: in the container's namespaces, in its rootfs, before the root changes. */
        _cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (chdir(sp->rootfs) < 0)
                return hull_err_sys(err, errno, "chdir to rootfs %s", sp->rootfs);
        r = hull_hooks_run(sp->config, HULL_HOOK_CREATE_CONTAINER, state, err);
        if (cwd >= 0 && fchdir(cwd) < 0 && r == 0)
                return hull_err_sys(err, errno, "return from the rootfs");
        return r;
}

int hull_hooks_start_container(struct hull_spawn *sp, struct hull_err *err)
{
        if (sp->config->hooks.count[HULL_HOOK_START_CONTAINER] == 0)
                return 0;
        _cleanup_free_ char *state =
            hull_hooks_state(sp->id, "created", getpid(), sp->bundle, sp->config->annotations);
        if (!state)
                return hull_err_set(err, ENOMEM, "out of memory");
        return hull_hooks_run(sp->config, HULL_HOOK_START_CONTAINER, state, err);
}

json_t *hull_hooks_to_state(const struct hull_oci_config *c)
{
        json_t *hooks = json_object_get(c->root, "hooks");
        if (!json_is_object(hooks) || json_object_size(hooks) == 0)
                return NULL;
        return json_pack("{s:O}", "hooks", hooks);
}

/* The kept hooks, parsed by the config parser inside a minimal document. */
static int saved_hooks(const struct hull_state *st, struct hull_oci_config **ret,
                       struct hull_err *err)
{
        *ret = NULL;
        json_t *hooks = st->config ? json_object_get(st->config, "hooks") : NULL;
        if (!hooks)
                return 0;
        json_t *doc = json_pack("{s:s, s:{s:s}, s:O}", "ociVersion", HULL_OCI_VERSION, "root",
                                "path", "rootfs", "hooks", hooks);
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (!text)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = hull_oci_config_parse("state.json", text, strlen(text), ret, err);
        free(text);
        return r;
}

static void run_kept(const struct hull_state *st, enum hull_hook_kind kind, const char *status,
                     pid_t pid)
{
        struct hull_err err = {0};
        _cleanup_(hull_oci_config_freep) struct hull_oci_config *c = NULL;
        if (saved_hooks(st, &c, &err) < 0) {
                hull_warn("%s hooks of %s: %s", hull_hook_kind_name(kind), st->id, err.msg);
                return;
        }
        if (!c || c->hooks.count[kind] == 0)
                return;
        _cleanup_free_ char *state =
            hull_hooks_state(st->id, status, pid, st->bundle, st->annotations);
        if (state)
                hull_hooks_run_warn(c, kind, state);
}

void hull_hooks_poststart(const struct hull_state *st)
{
        run_kept(st, HULL_HOOK_POSTSTART, "running", st->pid);
}

void hull_hooks_poststop(const struct hull_state *st)
{
        run_kept(st, HULL_HOOK_POSTSTOP, "stopped", 0);
}

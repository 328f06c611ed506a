/* Running OCI hooks (see hooks.h). */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/syscalls.h"
#include "oci/state.h"
#include "runtime/spawn.h"

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

static __attribute__((noreturn)) void hook_child(const struct hull_oci_hook *h, int in_fd)
{
        static char *const empty[] = {NULL};
        if (dup2(in_fd, STDIN_FILENO) < 0)
                _exit(127);
        char *argv0[] = {h->path, NULL};
        execve(h->path, h->args ? h->args : argv0, h->env ? h->env : empty);
        dprintf(STDERR_FILENO, "exec hook %s: %s\n", h->path, strerror(errno));
        _exit(127);
}

/* Wait for PID through PIDFD with an optional timeout in seconds (<= 0: none). */
static int wait_hook(pid_t pid, int pidfd, int timeout, int *ret_status)
{
        if (timeout > 0 && pidfd >= 0) {
                struct pollfd p = {.fd = pidfd, .events = POLLIN};
                struct timespec start, now;
                clock_gettime(CLOCK_MONOTONIC, &start);
                for (;;) {
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        long left = timeout * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
                                                       (now.tv_nsec - start.tv_nsec) / 1000000L);
                        if (left <= 0) {
                                hull_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                                waitpid(pid, ret_status, 0);
                                return -ETIMEDOUT;
                        }
                        int r = poll(&p, 1, (int)left);
                        if (r > 0)
                                break;
                        if (r < 0 && errno != EINTR)
                                break;
                }
        }
        while (waitpid(pid, ret_status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

static int run_hook(const struct hull_oci_hook *h, const char *what, const char *state_json,
                    struct hull_err *err)
{
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return hull_err_sys(err, errno, "%s: create pipe", what);
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return hull_err_sys(err, e, "%s: fork", what);
        }
        if (pid == 0)
                hook_child(h, pipefd[0]);
        close(pipefd[0]);
        _cleanup_close_ int pidfd = hull_pidfd_open(pid, 0);
        /* A hook that does not read its stdin must not block us: ignore EPIPE. */
        struct sigaction ign = {.sa_handler = SIG_IGN}, old;
        sigaction(SIGPIPE, &ign, &old);
        size_t len = strlen(state_json), off = 0;
        while (off < len) {
                ssize_t n = write(pipefd[1], state_json + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                off += (size_t)n;
        }
        close(pipefd[1]);
        sigaction(SIGPIPE, &old, NULL);
        int status = 0;
        int r = wait_hook(pid, pidfd, h->has_timeout ? h->timeout : 0, &status);
        if (r == -ETIMEDOUT)
                return hull_err_set(err, ETIMEDOUT, "%s %s: timed out after %d s", what, h->path,
                                    h->timeout);
        if (r < 0)
                return hull_err_sys(err, -r, "%s %s: wait", what, h->path);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status))
                return hull_err_set(err, EIO, "%s %s: killed by signal %d", what, h->path,
                                    WTERMSIG(status));
        return hull_err_set(err, EIO, "%s %s: exited with status %d", what, h->path,
                            WEXITSTATUS(status));
}

int hull_hooks_run(const struct hull_oci_config *c, enum hull_hook_kind kind,
                   const char *state_json, struct hull_err *err)
{
        for (size_t i = 0; i < c->hooks.count[kind]; i++) {
                char what[64];
                snprintf(what, sizeof(what), "hook %s[%zu]", hull_hook_kind_name(kind), i);
                int r = run_hook(&c->hooks.list[kind][i], what, state_json, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static char *creating_state(struct hull_spawn *sp)
{
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", HULL_OCI_VERSION, "id",
                              sp->id, "status", "creating", "pid", (int)sp->pid, "bundle",
                              sp->bundle);
        if (!o)
                return NULL;
        if (sp->config->annotations)
                json_object_set(o, "annotations", sp->config->annotations);
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return s;
}

int hull_hooks_run_runtime(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_hooks *h = &sp->config->hooks;
        if (h->count[HULL_HOOK_PRESTART] == 0 && h->count[HULL_HOOK_CREATE_RUNTIME] == 0)
                return 0;
        _cleanup_free_ char *state = creating_state(sp);
        if (!state)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = hull_hooks_run(sp->config, HULL_HOOK_PRESTART, state, err);
        if (r < 0)
                return r;
        return hull_hooks_run(sp->config, HULL_HOOK_CREATE_RUNTIME, state, err);
}

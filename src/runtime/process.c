/* The process attributes of init: terminal, rlimits, user and groups, umask, cwd, env, and the
 * lookup of the program to execute inside the container. */
#include "runtime/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/passwd.h"
#include "base/path.h"
#include "runtime/security.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int set_rlimits(const struct hull_oci_process *p, struct hull_err *err)
{
        for (size_t i = 0; i < p->n_rlimits; i++) {
                struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
                if (setrlimit(p->rlimits[i].resource, &rl) < 0)
                        return hull_err_sys(err, errno, "set process.rlimits %s (soft %llu, hard %llu)",
                                            p->rlimits[i].type, (unsigned long long)rl.rlim_cur,
                                            (unsigned long long)rl.rlim_max);
        }
        return 0;
}

static const char *env_get(char **env, const char *name)
{
        size_t n = strlen(name);
        for (char **e = env; e && *e; e++)
                if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}

/* HOME from the container's /etc/passwd for UID ("/" when absent), as other runtimes do. */
static char *home_of(uid_t uid)
{
        char *home = NULL;
        if (hull_passwd_lookup("/etc/passwd", uid, NULL, &home) == 0 && home[0])
                return home;
        free(home);
        return strdup("/");
}

static int build_env(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_process *p = sp->config->process;
        size_t n = p->n_env;
        char **env = calloc(n + 2, sizeof(char *));
        if (!env)
                return hull_err_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                env[i] = p->env[i];
        if (!env_get(p->env, "HOME")) {
                _cleanup_free_ char *home = home_of(p->user.uid);
                if (!home || asprintf(&env[n], "HOME=%s", home) < 0) {
                        free(env);
                        return hull_err_set(err, ENOMEM, "out of memory");
                }
        }
        sp->env = env;
        return 0;
}

static int switch_user(const struct hull_oci_process *p, struct hull_err *err)
{
        const struct hull_oci_user *u = &p->user;
        if (setgroups(u->n_additional_gids, u->additional_gids) < 0) {
                /* With setgroups denied (rootless) only an empty list is possible anyway. */
                if (!(errno == EPERM && u->n_additional_gids == 0))
                        return hull_err_sys(err, errno, "set process.user.additionalGids");
        }
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return hull_err_sys(err, errno, "set process.user.gid %u", (unsigned)u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return hull_err_sys(err, errno, "set process.user.uid %u", (unsigned)u->uid);
        return 0;
}

int hull_process_prepare(struct hull_spawn *sp, struct hull_err *err)
{
        const struct hull_oci_process *p = sp->config->process;
        if (!p)
                return hull_err_set(err, EINVAL, "%s: process: missing (nothing to run)",
                                    sp->config->path);
        int r;
        if (sp->pty_fd >= 0) {
                r = hull_terminal_attach(sp->pty_fd, err);
                sp->pty_fd = -1;
                if (r < 0)
                        return r;
        }
        r = set_rlimits(p, err);
        if (r < 0)
                return r;
        /* The working directory is created if missing, as root, before the user switch. */
        _cleanup_close_ int cwd = hull_path_mkdir_in_root(AT_FDCWD, p->cwd, 0755, err);
        if (cwd < 0)
                return hull_err_wrap(err, "create process.cwd %s", p->cwd);
        r = build_env(sp, err);
        if (r < 0)
                return r;
        r = hull_security_before_user(sp, err);
        if (r < 0)
                return r;
        r = switch_user(p, err);
        if (r < 0)
                return r;
        umask(p->user.has_umask ? p->user.umask : 0022);
        /* After the switch, so the user's own permissions apply; through the fd resolved
         * inside the root, never the path again: a path could lead to a leaked host directory
         * (/proc/self/fd/N, CVE-2024-21626) or be swapped for a symlink meanwhile. */
        if (fchdir(cwd) < 0)
                return hull_err_sys(err, errno, "chdir to process.cwd %s", p->cwd);
        return hull_security_after_user(sp, err);
}

static bool is_executable(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int hull_process_find_exec(struct hull_spawn *sp, char **ret_path, struct hull_err *err)
{
        const char *name = sp->config->process->args[0];
        if (strchr(name, '/')) {
                struct stat st;
                if (stat(name, &st) < 0)
                        return hull_err_sys(err, errno, "exec: \"%s\"", name);
                if (!S_ISREG(st.st_mode) || access(name, X_OK) < 0)
                        return hull_err_set(err, EACCES, "exec: \"%s\": permission denied", name);
                *ret_path = strdup(name);
                return *ret_path ? 0 : hull_err_set(err, ENOMEM, "out of memory");
        }
        const char *path = env_get(sp->env, "PATH");
        _cleanup_free_ char *dirs = strdup(path ? path : DEFAULT_PATH);
        if (!dirs)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *save = NULL;
        for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *cand = NULL;
                if (asprintf(&cand, "%s/%s", *dir ? dir : ".", name) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
                if (is_executable(cand)) {
                        *ret_path = cand;
                        return 0;
                }
                free(cand);
        }
        return hull_err_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

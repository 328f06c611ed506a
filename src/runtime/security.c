/* Capabilities, no_new_privs, LSM labels and seccomp for the container's init (see security.h).
 *
 * The order in the child is fixed by the kernel's rules:
 *   1. before the uid change: drop the bounding set (needs CAP_SETPCAP, which setuid to a
 *      non-root uid would take away) and set keep-caps, so permitted survives setuid;
 *   2. setgroups/setresgid/setresuid (process.c);
 *   3. capset(effective, permitted, inheritable), then raise ambient (raising needs the cap in
 *      permitted and inheritable; setuid clears ambient, so it must come after);
 *   4. no_new_privs;
 *   5. after `start`: the LSM exec label, then seccomp, last, so that the filter never sees the
 *      runtime's own setup. Without no_new_privs, seccomp(2) needs CAP_SYS_ADMIN: step 3 then
 *      keeps it in effective and permitted until the filter is in, and drops it right after
 *      (the filter must allow capset and prctl, as Docker's default profile does). */
#include "runtime/security.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/syscalls.h"
#include "oci/json_locate.h"
#include "oci/state.h"
#include "runtime/caps.h"
#include "runtime/seccomp.h"
#include "runtime/spawn.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define SELINUX_MAGIC 0xf97cff8c

struct hull_security {
        struct hull_caps caps;
        struct hull_seccomp *seccomp; /* NULL: no filter */
        bool no_new_privs;
        /* seccomp without no_new_privs needs CAP_SYS_ADMIN while it loads */
        uint64_t load_caps;
        char *apparmor_profile; /* NULL: none asked */
        char *selinux_label;
        /* SCMP_ACT_NOTIFY: the connected listener socket, and a memfd the parent fills with
         * the state message once it knows init's pid (the child reads it after start). */
        int listener_fd;
        int message_fd;
};

int hull_security_fail(struct hull_err *err, const char *file, const char *json_path,
                       const char *fmt, ...)
{
        char msg[HULL_ERR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        const char *shown = json_path && json_path[0] ? json_path : ".";
        if (!file)
                return hull_err_set(err, EINVAL, "%s: %s", shown, msg);
        struct hull_err ignored = {0};
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        unsigned line, column;
        if (hull_file_read(AT_FDCWD, file, &text, &len, &ignored) == 0 &&
            hull_json_locate(text, len, json_path, &line, &column) == 0)
                return hull_err_set(err, EINVAL, "%s:%u:%u: %s: %s", file, line, column, shown,
                                    msg);
        return hull_err_set(err, EINVAL, "%s: %s: %s", file, shown, msg);
}

void hull_security_free(struct hull_security *s)
{
        if (!s)
                return;
        hull_seccomp_free(s->seccomp);
        free(s->apparmor_profile);
        free(s->selinux_label);
        if (s->listener_fd >= 0)
                close(s->listener_fd);
        if (s->message_fd >= 0)
                close(s->message_fd);
        free(s);
}

static void security_freep(struct hull_security **s)
{
        hull_security_free(*s);
        *s = NULL;
}

static bool apparmor_enabled(void)
{
        char c = 0;
        int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, &c, 1);
        close(fd);
        return n == 1 && c == 'Y';
}

static bool selinux_enabled(void)
{
        struct statfs sf;
        return statfs("/sys/fs/selinux", &sf) == 0 && (unsigned long)sf.f_type == SELINUX_MAGIC;
}

static int prepare_lsm(struct hull_security *s, const struct hull_oci_config *c,
                       const struct hull_oci_process *p, const char *file, const char *ppath,
                       struct hull_err *err)
{
        char jp[HULL_JSON_PATH_MAX];
        if (p->apparmor_profile && p->apparmor_profile[0]) {
                hull_json_path_key(jp, sizeof(jp), ppath, "apparmorProfile");
                if (!apparmor_enabled())
                        return hull_security_fail(err, file, jp,
                                                  "AppArmor profile \"%.200s\" was asked for, but "
                                                  "AppArmor is not enabled on this host",
                                                  p->apparmor_profile);
                if (!(s->apparmor_profile = strdup(p->apparmor_profile)))
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        if (p->selinux_label && p->selinux_label[0]) {
                hull_json_path_key(jp, sizeof(jp), ppath, "selinuxLabel");
                if (!selinux_enabled())
                        return hull_security_fail(err, file, jp,
                                                  "SELinux label \"%.200s\" was asked for, but "
                                                  "SELinux is not enabled on this host",
                                                  p->selinux_label);
                if (!(s->selinux_label = strdup(p->selinux_label)))
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        if (c->linux_.mount_label && c->linux_.mount_label[0]) {
                if (!selinux_enabled())
                        return hull_security_fail(err, c->path, ".linux.mountLabel",
                                                  "SELinux mount label \"%.200s\" was asked for, "
                                                  "but SELinux is not enabled on this host",
                                                  c->linux_.mount_label);
                return hull_security_fail(err, c->path, ".linux.mountLabel",
                                          "SELinux mount labels are not supported by hullc yet");
        }
        return 0;
}

static int prepare(const struct hull_oci_config *c, const struct hull_oci_process *p,
                   const char *process_file, bool in_parent, struct hull_security **ret,
                   struct hull_err *err)
{
        const char *file = process_file ? process_file : c->path;
        const char *ppath = process_file ? "" : ".process";
        _cleanup_(security_freep) struct hull_security *s = calloc(1, sizeof(*s));
        if (!s)
                return hull_err_set(err, ENOMEM, "out of memory");
        s->listener_fd = s->message_fd = -1;
        char jp[HULL_JSON_PATH_MAX];
        hull_json_path_key(jp, sizeof(jp), ppath, "capabilities");
        int r = hull_caps_from_oci(p->capabilities, file, jp, hull_cap_last_cap(), &s->caps, err);
        if (r < 0)
                return r;
        s->no_new_privs = p->no_new_privileges;
        r = prepare_lsm(s, c, p, file, ppath, err);
        if (r < 0)
                return r;
        /* The cache lives on the host: never from inside a container's mount namespace. */
        r = hull_seccomp_compile_cached(c->linux_.seccomp, c->path, ".linux.seccomp",
                                        in_parent ? hull_seccomp_cache_dir() : NULL, &s->seccomp,
                                        err);
        if (r < 0)
                return r;
        if (s->seccomp && !s->no_new_privs && !hull_caps_has(s->caps.effective, 21))
                s->load_caps = 1ULL << 21; /* CAP_SYS_ADMIN */
        if (hull_seccomp_has_notify(s->seccomp)) {
                if (!in_parent)
                        return hull_err_set(err, ENOTSUP,
                                            "seccomp: SCMP_ACT_NOTIFY needs the filter prepared "
                                            "before the container's namespaces are entered");
                s->listener_fd = hull_seccomp_listener_connect(s->seccomp, err);
                if (s->listener_fd < 0)
                        return s->listener_fd;
                s->message_fd = memfd_create("hull-seccomp-state", MFD_CLOEXEC);
                if (s->message_fd < 0)
                        return hull_err_sys(err, errno, "seccomp: create the listener message");
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int hull_security_prepare(const struct hull_oci_config *c, const struct hull_oci_process *p,
                          const char *process_file, struct hull_security **ret,
                          struct hull_err *err)
{
        return prepare(c, p, process_file, true, ret, err);
}

/* The container process state of the runtime-spec, sent with the listener fd. */
static char *notify_message(const struct hull_spawn *sp, const char *metadata)
{
        const struct hull_oci_config *c = sp->config;
        json_t *annotations = c->annotations ? json_incref(c->annotations) : json_object();
        json_t *m =
            json_pack("{s:s, s:[s], s:i, s:s, s:{s:s, s:s, s:s, s:i, s:s, s:o}}", "ociVersion",
                      HULL_OCI_VERSION, "fds", "seccompFd", "pid", (int)sp->pid, "metadata",
                      metadata ? metadata : "", "state", "ociVersion", HULL_OCI_VERSION, "id",
                      sp->id, "status", "created", "pid", (int)sp->pid, "bundle", sp->bundle,
                      "annotations", annotations);
        if (!m)
                return NULL;
        char *s = json_dumps(m, JSON_COMPACT);
        json_decref(m);
        return s;
}

int hull_security_after_spawn(struct hull_spawn *sp, struct hull_err *err)
{
        struct hull_security *s = sp->security;
        if (!s || s->message_fd < 0)
                return 0;
        _cleanup_free_ char *msg = notify_message(sp, hull_seccomp_listener_metadata(s->seccomp));
        if (!msg)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t len = strlen(msg);
        if (pwrite(s->message_fd, msg, len, 0) != (ssize_t)len)
                return hull_err_sys(err, errno, "seccomp: write the listener message");
        /* The child has its own copy of the socket; ours would keep the connection open. */
        close(s->listener_fd);
        s->listener_fd = -1;
        return 0;
}

int hull_security_before_user(struct hull_spawn *sp, struct hull_err *err)
{
        if (!sp->security) {
                /* A caller that did not prepare in the parent (it should: compiling here is
                 * slower and cannot reach a seccomp listener outside the container) still gets
                 * every restriction the config asks for. */
                hull_debug("security settings prepared in the container's process");
                int r = prepare(sp->config, sp->config->process, NULL, false, &sp->security, err);
                if (r < 0)
                        return r;
        }
        return hull_caps_apply_bounding(&sp->security->caps, err);
}

int hull_security_after_user(struct hull_spawn *sp, struct hull_err *err)
{
        struct hull_security *s = sp->security;
        int r = hull_caps_apply_sets(&s->caps, s->load_caps, err);
        if (r < 0)
                return r;
        if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return hull_err_sys(err, errno, "set no_new_privs");
        return 0;
}

int hull_security_open_proc(const char *rel, int flags, struct hull_err *err)
{
        _cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct statfs sf;
        if (proc < 0 || fstatfs(proc, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
                return hull_err_set(err, EACCES,
                                    "/proc in the container is not procfs: refusing "
                                    "to write /proc/%s through it",
                                    rel);
        struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                                          RESOLVE_NO_XDEV | RESOLVE_BENEATH};
        int fd = hull_openat2(proc, rel, &how, sizeof(how));
        if (fd < 0 && errno == EXDEV)
                return hull_err_set(err, EXDEV,
                                    "/proc/%s is covered by another mount: refusing "
                                    "to write through it",
                                    rel);
        if (fd < 0 && errno == ELOOP)
                return hull_err_set(err, ELOOP,
                                    "/proc/%s goes through a symlink: refusing to "
                                    "write through it",
                                    rel);
        if (fd < 0)
                return hull_err_sys(err, errno, "open /proc/%s", rel);
        if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
                close(fd);
                return hull_err_set(err, EACCES, "/proc/%s is not a procfs file", rel);
        }
        return fd;
}

int hull_security_write_proc(const char *rel, const char *value, struct hull_err *err)
{
        _cleanup_close_ int fd = hull_security_open_proc(rel, O_WRONLY, err);
        if (fd < 0)
                return fd;
        size_t len = strlen(value);
        ssize_t n;
        do
                n = write(fd, value, len);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)len)
                return hull_err_sys(err, n < 0 ? errno : EIO, "write /proc/%s", rel);
        return 0;
}

/* The LSM's exec attribute of this process, through the container's verified procfs. */
static int write_attr(const char *name, const char *value, struct hull_err *err)
{
        char rel[64];
        snprintf(rel, sizeof(rel), "%d/attr/%s", (int)getpid(), name);
        return hull_security_write_proc(rel, value, err);
}

static int apply_lsm(const struct hull_security *s, struct hull_err *err)
{
        if (s->apparmor_profile) {
                char val[512];
                snprintf(val, sizeof(val), "exec %s", s->apparmor_profile);
                struct hull_err first = {0};
                if (write_attr("apparmor/exec", val, &first) < 0 &&
                    write_attr("exec", val, err) < 0)
                        return hull_err_wrap(err, "set process.apparmorProfile %s",
                                             s->apparmor_profile);
        }
        if (s->selinux_label && write_attr("exec", s->selinux_label, err) < 0)
                return hull_err_wrap(err, "set process.selinuxLabel %s", s->selinux_label);
        return 0;
}

static int send_to_listener(struct hull_security *s, int notify_fd, struct hull_err *err)
{
        struct stat st;
        if (fstat(s->message_fd, &st) < 0 || st.st_size <= 0)
                return hull_err_set(err, EIO, "seccomp: no state for the listener");
        _cleanup_free_ char *msg = malloc((size_t)st.st_size);
        if (!msg)
                return hull_err_set(err, ENOMEM, "out of memory");
        if (pread(s->message_fd, msg, (size_t)st.st_size, 0) != st.st_size)
                return hull_err_sys(err, errno, "seccomp: read the listener message");
        int r = hull_seccomp_listener_send(s->listener_fd, msg, (size_t)st.st_size, notify_fd, err);
        close(s->listener_fd);
        s->listener_fd = -1;
        return r < 0 ? hull_err_wrap(err, "linux.seccomp.listenerPath %s",
                                     hull_seccomp_listener_path(s->seccomp))
                     : 0;
}

int hull_security_apply_last(struct hull_spawn *sp, struct hull_err *err)
{
        struct hull_security *s = sp->security;
        int r = apply_lsm(s, err);
        if (r < 0)
                return r;
        if (!s->seccomp)
                return 0;
        int notify_fd = -1;
        r = hull_seccomp_load(s->seccomp, &notify_fd, err);
        if (r < 0)
                return r;
        if (notify_fd >= 0) {
                r = send_to_listener(s, notify_fd, err);
                close(notify_fd);
                if (r < 0)
                        return r;
        }
        if (s->load_caps)
                return hull_caps_apply_sets(&s->caps, 0, err);
        return 0;
}

/* Path resolution confined to a container root: openat2(RESOLVE_IN_ROOT) when the kernel has
 * it, else a userspace walk with the same semantics; mkdir -p and file creation in the root. */
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "base/cleanup.h"
#include "base/syscalls.h"

/* The kernel's MAXSYMLINKS: more links than this in one resolution is ELOOP. */
#define WALK_MAX_SYMLINKS 40
/* Lookups redone because the tree changed under us (a racing creator or remover). */
#define WALK_MAX_RETRIES 40
#define OPENAT2_MAX_EAGAIN 16

enum walk_final {
        WALK_FINAL_OPEN,   /* open the last component with the caller's flags */
        WALK_FINAL_MKFILE, /* the last component is a non-directory, created empty if missing */
        WALK_FINAL_MKDIR,  /* every component is a directory, created if missing */
};

enum walk_step {
        STEP_NEXT,  /* component consumed */
        STEP_LINK,  /* component is a symlink: its target is in the walk's link buffer */
        STEP_RETRY, /* the tree changed under us: look the same component up again */
        STEP_DONE,  /* the final fd is in walk.result */
};

/* Directories walked so far are kept open on a stack; ".." pops it and never goes above the
 * root, so it does not depend on where the kernel thinks ".." leads. A directory of the stack
 * renamed out of the root by a concurrent process on the host is the one case this cannot see
 * (openat2 has the same blind spot, except for ".."); the container alone cannot do that. */
struct walk {
        int rootfd; /* borrowed */
        int *stack; /* owned fds of the directories below the root, innermost last */
        size_t depth, cap;
        int links, retries;
        enum walk_final final;
        int flags;       /* WALK_FINAL_OPEN: the caller's open flags */
        mode_t mode;     /* mode of the final file or directory */
        mode_t dir_mode; /* mode of created parent directories */
        int result;
        char link[PATH_MAX];
};

static int walk_cur(const struct walk *w)
{
        return w->depth ? w->stack[w->depth - 1] : w->rootfd;
}

static void walk_pop(struct walk *w)
{
        if (w->depth > 0)
                close(w->stack[--w->depth]);
}

static void walk_reset(struct walk *w)
{
        while (w->depth > 0)
                walk_pop(w);
}

static void walk_free(struct walk *w)
{
        walk_reset(w);
        free(w->stack);
        w->stack = NULL;
}

static int walk_push(struct walk *w, int fd)
{
        if (w->depth == w->cap) {
                size_t cap = w->cap ? w->cap * 2 : 16;
                int *stack = realloc(w->stack, cap * sizeof(*stack));
                if (!stack) {
                        close(fd);
                        return -ENOMEM;
                }
                w->stack = stack;
                w->cap = cap;
        }
        w->stack[w->depth++] = fd;
        return 0;
}

/* Magic links (/proc/<pid>/fd/N, exe, cwd, root, ns/...) jump to an object instead of naming
 * a path; openat2 refuses them under RESOLVE_NO_MAGICLINKS and so do we. Plain procfs links
 * (/proc/self, /proc/mounts) have relative targets without ':'. */
static bool is_magic_link(int dirfd, const char *target)
{
        struct statfs sfs;
        if (fstatfs(dirfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
                return false;
        return target[0] == '/' || strchr(target, ':') != NULL;
}

/* Read the target of the symlink LINKFD (an O_PATH fd) found in directory DIRFD. */
static int walk_read_link(struct walk *w, int dirfd, int linkfd)
{
        ssize_t n = readlinkat(linkfd, "", w->link, sizeof(w->link));
        if (n < 0)
                return -errno;
        if ((size_t)n >= sizeof(w->link))
                return -ENAMETOOLONG;
        w->link[n] = '\0';
        if (n == 0)
                return -ENOENT;
        if (is_magic_link(dirfd, w->link))
                return -ELOOP;
        return STEP_LINK;
}

/* Classify an O_PATH|O_NOFOLLOW fd of a component that must be a directory. */
static int walk_enter(struct walk *w, int dirfd, int fd)
{
        _cleanup_close_ int owned = fd;
        struct stat st;
        if (fstat(owned, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return walk_read_link(w, dirfd, owned);
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        int r = walk_push(w, TAKE_FD(owned));
        return r < 0 ? r : STEP_NEXT;
}

/* A component that must be a directory (not the last, or any in mkdir mode). */
static int walk_dir(struct walk *w, const char *name)
{
        int cur = walk_cur(w);
        int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && w->final != WALK_FINAL_OPEN) {
                /* EEXIST: a racing creator, or a dangling symlink that the lookup below
                 * returns and that we then follow (its target is created inside the root). */
                if (mkdirat(cur, name, w->final == WALK_FINAL_MKDIR ? w->mode : w->dir_mode) < 0 &&
                    errno != EEXIST)
                        return -errno;
                fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return -errno;
        return walk_enter(w, cur, fd);
}

/* Last component, WALK_FINAL_OPEN: open it with O_NOFOLLOW added, so that the kernel never
 * follows a link on its own; a link is reported back (ELOOP, or ENOTDIR under O_DIRECTORY,
 * or an O_PATH fd of the link itself) and resolved by the walk. */
static int walk_last_open(struct walk *w, const char *name)
{
        int cur = walk_cur(w);
        bool follow = !(w->flags & O_NOFOLLOW);
        _cleanup_close_ int fd = openat(cur, name, w->flags | O_NOFOLLOW | O_CLOEXEC, w->mode);
        if (fd >= 0) {
                if (follow && (w->flags & O_PATH)) {
                        struct stat st;
                        if (fstat(fd, &st) < 0)
                                return -errno;
                        if (S_ISLNK(st.st_mode))
                                return walk_read_link(w, cur, fd);
                }
                w->result = TAKE_FD(fd);
                return STEP_DONE;
        }
        int e = errno;
        if (!follow || (e != ELOOP && e != ENOTDIR))
                return -e;
        _cleanup_close_ int lfd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (lfd < 0)
                return errno == ENOENT ? STEP_RETRY : -errno;
        struct stat st;
        if (fstat(lfd, &st) < 0)
                return -errno;
        if (!S_ISLNK(st.st_mode))
                return -e;
        return walk_read_link(w, cur, lfd);
}

/* Last component, WALK_FINAL_MKFILE: accept any existing non-directory, else create it. */
static int walk_last_mkfile(struct walk *w, const char *name)
{
        int cur = walk_cur(w);
        _cleanup_close_ int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode))
                        return walk_read_link(w, cur, fd);
                if (S_ISDIR(st.st_mode))
                        return -EISDIR;
                w->result = TAKE_FD(fd);
                return STEP_DONE;
        }
        if (errno != ENOENT)
                return -errno;
        _cleanup_close_ int created = openat(
            cur, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, w->mode);
        if (created < 0 && errno != EEXIST)
                return -errno;
        /* Look it up again to hand back an O_PATH fd, whoever created it. */
        return STEP_RETRY;
}

/* The remaining path names the current directory ("", ".", "a/.." or a trailing slash). */
static int walk_here(struct walk *w)
{
        int fd;
        switch (w->final) {
        case WALK_FINAL_OPEN:
                fd = openat(walk_cur(w), ".", w->flags | O_CLOEXEC, w->mode);
                break;
        case WALK_FINAL_MKDIR:
                fd = openat(walk_cur(w), ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                break;
        default:
                return -EISDIR;
        }
        return fd < 0 ? -errno : fd;
}

/* Replace the unresolved path by the link target followed by REST (what came after the
 * link, "" or starting with '/'); absolute targets restart from the root. */
static int walk_splice(struct walk *w, char **buf, const char **pos, const char *rest)
{
        if (++w->links > WALK_MAX_SYMLINKS)
                return -ELOOP;
        size_t tlen = strlen(w->link), rlen = strlen(rest);
        char *next = malloc(tlen + rlen + 1);
        if (!next)
                return -ENOMEM;
        memcpy(next, w->link, tlen);
        memcpy(next + tlen, rest, rlen + 1);
        if (w->link[0] == '/')
                walk_reset(w);
        free(*buf);
        *buf = next;
        *pos = next;
        return 0;
}

static int walk_run(struct walk *w, const char *path)
{
        _cleanup_free_ char *buf = strdup(path);
        if (!buf)
                return -ENOMEM;
        const char *p = buf;
        for (;;) {
                while (*p == '/')
                        p++;
                if (*p == '\0')
                        return walk_here(w);
                const char *end = strchrnul(p, '/');
                size_t len = (size_t)(end - p);
                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                char name[NAME_MAX + 1];
                memcpy(name, p, len);
                name[len] = '\0';
                if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                        if (name[1] == '.')
                                walk_pop(w);
                        p = end;
                        continue;
                }
                /* A trailing slash makes the component a directory, the final open then
                 * happens on "." inside it, as the kernel does. */
                bool last = *end == '\0' && w->final != WALK_FINAL_MKDIR;
                int r;
                if (!last)
                        r = walk_dir(w, name);
                else if (w->final == WALK_FINAL_OPEN)
                        r = walk_last_open(w, name);
                else
                        r = walk_last_mkfile(w, name);
                /* open("missing/", O_CREAT) is EISDIR in the kernel: it would have to
                 * create a directory. */
                if (r == -ENOENT && !last && w->final == WALK_FINAL_OPEN && (w->flags & O_CREAT) &&
                    end[strspn(end, "/")] == '\0')
                        return -EISDIR;
                if (r < 0)
                        return r;
                switch (r) {
                case STEP_NEXT:
                        p = end;
                        break;
                case STEP_LINK:
                        r = walk_splice(w, &buf, &p, end);
                        if (r < 0)
                                return r;
                        break;
                case STEP_RETRY:
                        if (++w->retries > WALK_MAX_RETRIES)
                                return -EAGAIN;
                        break;
                default:
                        return w->result;
                }
        }
}

static int walk_path(int rootfd, const char *path, enum walk_final final, int flags, mode_t mode)
{
        struct walk w = {
            .rootfd = rootfd,
            .final = final,
            .flags = flags,
            .mode = mode,
            .dir_mode = 0755,
            .result = -EBADF,
        };
        int r = walk_run(&w, path);
        walk_free(&w);
        return r;
}

/* openat2 inside the root. Returns an fd, -errno, or 1 when openat2 is unusable here (old
 * kernel, a seccomp profile that answers EPERM to syscalls it does not know, or renames
 * elsewhere on the system that keep making ".." lookups fail with EAGAIN). */
static int openat2_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
            .flags = (uint64_t)(unsigned int)(flags | O_CLOEXEC),
            /* openat2 refuses a mode without O_CREAT or O_TMPFILE (which glibc defines
             * with O_DIRECTORY included: test all its bits). */
            .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        /* EAGAIN: a rename or mount raced with a ".." lookup; the kernel asks us to retry,
         * and the walk (which does not ask the kernel about "..") is the last resort. */
        for (int i = 0; i < OPENAT2_MAX_EAGAIN; i++) {
                int fd = hull_openat2(rootfd, path, &how, sizeof(how));
                if (fd >= 0)
                        return fd;
                if (errno == ENOSYS || errno == E2BIG || errno == EPERM)
                        return 1;
                if (errno != EAGAIN)
                        return -errno;
        }
        return 1;
}

static int open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
        if (!*path)
                return -ENOENT;
        int fd = openat2_in_root(rootfd, path, flags, mode);
        if (fd != 1)
                return fd;
        return walk_path(rootfd, path, WALK_FINAL_OPEN, flags, mode);
}

int hull_path_open_in_root(int rootfd, const char *path, int flags, mode_t mode,
                           struct hull_err *err)
{
        int fd = open_in_root(rootfd, path, flags, mode);
        if (fd < 0)
                return hull_err_sys(err, -fd, "open %s in the container root", path);
        return fd;
}

int hull_path_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct hull_err *err)
{
        int fd = *path ? openat2_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0) : -ENOENT;
        if (fd == 1 || fd == -ENOENT)
                fd = *path ? walk_path(rootfd, path, WALK_FINAL_MKDIR, 0, mode) : -ENOENT;
        if (fd < 0)
                return hull_err_sys(err, -fd, "mkdir %s in the container root", path);
        return fd;
}

/* Whether the last component of PATH, lexically, can only name a directory. */
static bool names_directory(const char *path)
{
        size_t n = strlen(path);
        if (n == 0 || path[n - 1] == '/')
                return true;
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        return strcmp(base, ".") == 0 || strcmp(base, "..") == 0;
}

static int mkfile_in_root(int rootfd, const char *path, mode_t mode)
{
        if (!*path)
                return -ENOENT;
        if (names_directory(path))
                return -EISDIR;
        int r = openat2_in_root(rootfd, path, O_PATH, 0);
        if (r == 1 || r == -ENOENT)
                return walk_path(rootfd, path, WALK_FINAL_MKFILE, 0, mode);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = r;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        return TAKE_FD(fd);
}

int hull_path_mkfile_in_root(int rootfd, const char *path, mode_t mode, struct hull_err *err)
{
        int fd = mkfile_in_root(rootfd, path, mode);
        if (fd < 0)
                return hull_err_sys(err, -fd, "create file %s in the container root", path);
        return fd;
}

char *hull_path_clean(const char *path)
{
        size_t n = strlen(path);
        char *out = malloc(n + 2);
        if (!out)
                return NULL;
        size_t w = 0, floor = 0;
        if (path[0] == '/')
                out[w++] = '/';
        floor = w; /* ".." never removes what is left of this (the root, or leading ".."s) */
        for (const char *p = path; *p;) {
                if (*p == '/') {
                        p++;
                        continue;
                }
                const char *end = strchrnul(p, '/');
                size_t len = (size_t)(end - p);
                bool dotdot = len == 2 && p[0] == '.' && p[1] == '.';
                if (len == 1 && p[0] == '.') {
                        /* nothing */
                } else if (dotdot && w > floor) {
                        while (w > floor && out[w - 1] != '/')
                                w--;
                        if (w > floor)
                                w--; /* the separator before the removed component */
                } else if (!dotdot || path[0] != '/') {
                        if (w > 0 && out[w - 1] != '/')
                                out[w++] = '/';
                        memcpy(out + w, p, len);
                        w += len;
                        if (dotdot)
                                floor = w;
                }
                p = end;
        }
        if (w == 0)
                out[w++] = '.';
        out[w] = '\0';
        return out;
}

const char *hull_fd_path(int fd, char buf[HULL_FD_PATH_MAX])
{
        snprintf(buf, HULL_FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

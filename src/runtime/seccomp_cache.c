/* The cache of compiled seccomp filters (see seccomp.h): one file per key, named by a hash of
 * it, holding the whole key so that a hash collision is only a miss. A filter from the cache
 * is as trusted as the directory: it must be ours and closed to everyone else. */
#include "runtime/seccomp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"

#define CACHE_MAGIC "hull-seccomp-bpf 1\n"
#define CACHE_MAX_ENTRIES 64
#define CACHE_MAX_FILE (4u << 20)

struct cache_header {
        char magic[sizeof(CACHE_MAGIC) - 1];
        uint32_t flags;
        uint32_t has_notify;
        uint64_t key_len;
        uint64_t n_insns;
};

const char *hull_seccomp_cache_dir(void)
{
        static char buf[4096];
        const char *env = getenv("HULL_SECCOMP_CACHE");
        if (env)
                return env[0] ? env : NULL;
        if (geteuid() == 0)
                return "/run/hullc-seccomp";
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (!xdg || xdg[0] != '/' ||
            (size_t)snprintf(buf, sizeof(buf), "%s/hullc-seccomp", xdg) >= sizeof(buf))
                return NULL;
        return buf;
}

static uint64_t fnv1a(const char *s, size_t len)
{
        uint64_t h = 14695981039346656037ULL;
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char)s[i];
                h *= 1099511628211ULL;
        }
        return h;
}

/* The directory, created if missing; refused unless it is ours and closed to others. */
static int open_dir(const char *dir, bool create)
{
        if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 0022)) {
                hull_debug("seccomp cache %s: not ours or open to others: not used", dir);
                close(fd);
                return -EPERM;
        }
        return fd;
}

static void entry_name(const char *key, size_t key_len, char name[32])
{
        snprintf(name, 32, "%016llx.bpf", (unsigned long long)fnv1a(key, key_len));
}

int hull_seccomp_cache_get(const char *dir, const char *key, size_t key_len,
                           struct hull_seccomp_bpf *ret)
{
        _cleanup_close_ int dfd = open_dir(dir, false);
        if (dfd < 0)
                return -ENOENT;
        char name[32];
        entry_name(key, key_len, name);
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
            (st.st_mode & 0022) || st.st_size < (off_t)sizeof(struct cache_header) ||
            st.st_size > (off_t)CACHE_MAX_FILE)
                return -ENOENT;
        size_t size = (size_t)st.st_size;
        _cleanup_free_ char *data = malloc(size);
        if (!data || pread(fd, data, size, 0) != (ssize_t)size)
                return -ENOENT;
        struct cache_header h;
        memcpy(&h, data, sizeof(h));
        size_t insns = sizeof(struct sock_filter);
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_len != key_len ||
            h.n_insns == 0 || h.n_insns > BPF_MAXINSNS ||
            size != sizeof(h) + key_len + h.n_insns * insns ||
            memcmp(data + sizeof(h), key, key_len) != 0)
                return -ENOENT;
        void *prog = malloc(h.n_insns * insns);
        if (!prog)
                return -ENOENT;
        memcpy(prog, data + sizeof(h) + key_len, h.n_insns * insns);
        *ret = (struct hull_seccomp_bpf){
            .prog = prog, .len = h.n_insns, .flags = h.flags, .has_notify = h.has_notify != 0};
        return 0;
}

/* Past CACHE_MAX_ENTRIES the cache starts again from nothing: simple, and bounded. */
static void trim(int dfd)
{
        DIR *d = fdopendir(dup(dfd));
        if (!d)
                return;
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d));)
                n += strstr(e->d_name, ".bpf") != NULL;
        if (n >= CACHE_MAX_ENTRIES) {
                rewinddir(d);
                for (struct dirent *e; (e = readdir(d));)
                        if (strstr(e->d_name, ".bpf"))
                                unlinkat(dfd, e->d_name, 0);
        }
        closedir(d);
}

void hull_seccomp_cache_put(const char *dir, const char *key, size_t key_len,
                            const struct hull_seccomp_bpf *b)
{
        _cleanup_close_ int dfd = open_dir(dir, true);
        if (dfd < 0)
                return;
        trim(dfd);
        char name[32], tmp[64];
        entry_name(key, key_len, name);
        snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
        _cleanup_close_ int fd =
            openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        struct cache_header h = {
            .flags = b->flags, .has_notify = b->has_notify, .key_len = key_len, .n_insns = b->len};
        memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
        struct iovec iov[3] = {{&h, sizeof(h)},
                               {(void *)key, key_len},
                               {b->prog, b->len * sizeof(struct sock_filter)}};
        size_t total = iov[0].iov_len + iov[1].iov_len + iov[2].iov_len;
        if (writev(fd, iov, 3) != (ssize_t)total || renameat(dfd, tmp, dfd, name) < 0) {
                unlinkat(dfd, tmp, 0);
                return;
        }
        hull_debug("seccomp cache: stored %s/%s", dir, name);
}

/* Blob and layer store (see store.h). Temporary names carry the writer's pid so that leftovers
 * of a killed process can be told from the work of a live one. */
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"
#include "image/reference.h"
#include "image/unpack.h"

#define TMP_PREFIX ".tmp-"

static int open_subdir(int root_fd, const char *path, struct hull_err *err)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *slash = copy;
        while ((slash = strchr(slash, '/'))) {
                *slash = '\0';
                if (mkdirat(root_fd, copy, 0700) < 0 && errno != EEXIST)
                        return hull_err_sys(err, errno, "create %s", copy);
                *slash++ = '/';
        }
        if (mkdirat(root_fd, copy, 0700) < 0 && errno != EEXIST)
                return hull_err_sys(err, errno, "create %s", copy);
        int fd = openat(root_fd, copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s", copy);
        return fd;
}

int hull_store_open(const char *root, struct hull_store *ret, struct hull_err *err)
{
        _cleanup_(hull_store_closep) struct hull_store s = {
            .root_fd = -EBADF, .blobs_fd = -EBADF, .layers_fd = -EBADF, .tmp_fd = -EBADF};
        int r = hull_mkdir_p(root, 0711, err);
        if (r < 0)
                return hull_err_wrap(err, "create the store %s", root);
        s.root = strdup(root);
        if (!s.root)
                return hull_err_set(err, ENOMEM, "out of memory");
        s.root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s.root_fd < 0)
                return hull_err_sys(err, errno, "open the store %s", root);
        if ((s.blobs_fd = open_subdir(s.root_fd, "blobs/sha256", err)) < 0 ||
            (s.layers_fd = open_subdir(s.root_fd, "layers", err)) < 0 ||
            (s.tmp_fd = open_subdir(s.root_fd, "tmp", err)) < 0)
                return hull_err_wrap(err, "open the store %s", root);
        *ret = s;
        memset(&s, 0, sizeof(s));
        s.root_fd = s.blobs_fd = s.layers_fd = s.tmp_fd = -EBADF;
        return 0;
}

void hull_store_close(struct hull_store *s)
{
        if (!s)
                return;
        free(s->root);
        s->root = NULL;
        hull_closep(&s->root_fd);
        hull_closep(&s->blobs_fd);
        hull_closep(&s->layers_fd);
        hull_closep(&s->tmp_fd);
}

static void tmp_name(char *buf, size_t n, const char *what)
{
        static unsigned counter;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        snprintf(buf, n, TMP_PREFIX "%d-%s-%lx%x", (int)getpid(), what, (unsigned long)ts.tv_nsec,
                 counter++);
}

int hull_blob_writer_open(struct hull_store *s, const char *expected, int64_t expected_size,
                          struct hull_blob_writer *ret, struct hull_err *err)
{
        struct hull_blob_writer w = {.store = s, .fd = -EBADF, .expected_size = expected_size};
        if (expected) {
                if (!hull_ref_digest_valid(expected))
                        return hull_err_set(err, EINVAL, "unsupported digest \"%s\"", expected);
                snprintf(w.expected, sizeof(w.expected), "%s", expected);
        }
        int r = hull_sha256_init(&w.hash, err);
        if (r < 0)
                return r;
        w.fd = openat(s->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
        if (w.fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == ENOENT)) {
                tmp_name(w.tmpname, sizeof(w.tmpname), "blob");
                w.fd = openat(s->tmp_fd, w.tmpname, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        }
        if (w.fd < 0) {
                hull_sha256_free(&w.hash);
                return hull_err_sys(err, errno, "create a temporary blob in %s/tmp", s->root);
        }
        *ret = w;
        return 0;
}

int hull_blob_writer_write(struct hull_blob_writer *w, const void *data, size_t len,
                           struct hull_err *err)
{
        const char *p = data;
        hull_sha256_update(&w->hash, data, len);
        while (len > 0) {
                ssize_t n = write(w->fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return hull_err_sys(err, errno, "write blob");
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int hull_blob_writer_reset(struct hull_blob_writer *w, struct hull_err *err)
{
        hull_sha256_free(&w->hash);
        int r = hull_sha256_init(&w->hash, err);
        if (r < 0)
                return r;
        if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
                return hull_err_sys(err, errno, "truncate blob");
        return 0;
}

void hull_blob_writer_abort(struct hull_blob_writer *w)
{
        if (!w || !w->store)
                return;
        if (w->tmpname[0])
                unlinkat(w->store->tmp_fd, w->tmpname, 0);
        w->tmpname[0] = '\0';
        hull_closep(&w->fd);
        hull_sha256_free(&w->hash);
        w->store = NULL;
}

static int link_blob(struct hull_blob_writer *w, const char *hex, struct hull_err *err)
{
        struct hull_store *s = w->store;
        if (fchmod(w->fd, 0644) < 0)
                return hull_err_sys(err, errno, "chmod blob");
        w->existed = faccessat(s->blobs_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        if (w->tmpname[0]) {
                if (renameat(s->tmp_fd, w->tmpname, s->blobs_fd, hex) < 0)
                        return hull_err_sys(err, errno, "store blob sha256:%s", hex);
                w->tmpname[0] = '\0';
                return 0;
        }
        char fdpath[64];
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", w->fd);
        if (linkat(AT_FDCWD, fdpath, s->blobs_fd, hex, AT_SYMLINK_FOLLOW) < 0 && errno != EEXIST)
                return hull_err_sys(err, errno, "store blob sha256:%s", hex);
        return 0;
}

int hull_blob_writer_commit(struct hull_blob_writer *w, char ret_digest[HULL_DIGEST_LEN + 1],
                            struct hull_err *err)
{
        char got[HULL_DIGEST_LEN + 1];
        uint64_t size = w->hash.bytes;
        hull_sha256_final(&w->hash, got);
        int r = 0;
        if (w->expected[0] && strcmp(w->expected, got) != 0)
                r = hull_err_set(err, EBADMSG, "digest mismatch: expected %s, got %s", w->expected,
                                 got);
        else if (w->expected_size >= 0 && (uint64_t)w->expected_size != size)
                r = hull_err_set(err, EBADMSG,
                                 "size mismatch for %s: expected %lld bytes, got %llu", got,
                                 (long long)w->expected_size, (unsigned long long)size);
        else
                r = link_blob(w, got + 7, err);
        if (r == 0 && ret_digest)
                memcpy(ret_digest, got, sizeof(got));
        hull_blob_writer_abort(w);
        return r;
}

int hull_store_put(struct hull_store *s, const void *data, size_t len, const char *expected,
                   char ret_digest[HULL_DIGEST_LEN + 1], struct hull_err *err)
{
        struct hull_blob_writer w;
        int r = hull_blob_writer_open(s, expected, -1, &w, err);
        if (r < 0)
                return r;
        r = hull_blob_writer_write(&w, data, len, err);
        if (r < 0) {
                hull_blob_writer_abort(&w);
                return r;
        }
        return hull_blob_writer_commit(&w, ret_digest, err);
}

int hull_store_put_fd(struct hull_store *s, int fd, const char *expected, int64_t expected_size,
                      char ret_digest[HULL_DIGEST_LEN + 1], struct hull_err *err)
{
        struct hull_blob_writer w;
        int r = hull_blob_writer_open(s, expected, expected_size, &w, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *buf = malloc(1 << 20);
        if (!buf) {
                hull_blob_writer_abort(&w);
                return hull_err_set(err, ENOMEM, "out of memory");
        }
        for (;;) {
                ssize_t n = read(fd, buf, 1 << 20);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        hull_blob_writer_abort(&w);
                        return hull_err_sys(err, errno, "read");
                }
                if (n == 0)
                        break;
                r = hull_blob_writer_write(&w, buf, (size_t)n, err);
                if (r < 0) {
                        hull_blob_writer_abort(&w);
                        return r;
                }
        }
        return hull_blob_writer_commit(&w, ret_digest, err);
}

bool hull_store_has(struct hull_store *s, const char *digest)
{
        const char *hex = hull_digest_hex(digest);
        return hex && faccessat(s->blobs_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int64_t hull_store_size(struct hull_store *s, const char *digest)
{
        const char *hex = hull_digest_hex(digest);
        struct stat st;
        if (!hex)
                return -EINVAL;
        if (fstatat(s->blobs_fd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return st.st_size;
}

int hull_store_open_blob(struct hull_store *s, const char *digest, struct hull_err *err)
{
        const char *hex = hull_digest_hex(digest);
        if (!hex)
                return hull_err_set(err, EINVAL, "unsupported digest \"%s\"", digest);
        int fd = openat(s->blobs_fd, hex, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return hull_err_sys(err, errno, "open blob %s", digest);
        return fd;
}

int hull_store_read(struct hull_store *s, const char *digest, char **ret_data, size_t *ret_len,
                    struct hull_err *err)
{
        const char *hex = hull_digest_hex(digest);
        if (!hex)
                return hull_err_set(err, EINVAL, "unsupported digest \"%s\"", digest);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = hull_file_read(s->blobs_fd, hex, &data, &len, err);
        if (r < 0)
                return hull_err_wrap(err, "read blob %s", digest);
        char got[HULL_DIGEST_LEN + 1];
        hull_sha256_buf(data, len, got);
        if (strcmp(got, digest) != 0)
                return hull_err_set(err, EBADMSG, "blob %s is corrupt (its content hashes to %s)",
                                    digest, got);
        *ret_data = TAKE_PTR(data);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int hull_store_remove(struct hull_store *s, const char *digest)
{
        const char *hex = hull_digest_hex(digest);
        if (!hex)
                return -EINVAL;
        if (unlinkat(s->blobs_fd, hex, 0) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

void hull_chain_id(const char *parent_chain, const char *diff_id, char out[HULL_DIGEST_LEN + 1])
{
        if (!parent_chain) {
                snprintf(out, HULL_DIGEST_LEN + 1, "%s", diff_id);
                return;
        }
        char buf[2 * HULL_DIGEST_LEN + 2];
        int n = snprintf(buf, sizeof(buf), "%s %s", parent_chain, diff_id);
        hull_sha256_buf(buf, (size_t)n, out);
}

bool hull_store_has_layer(struct hull_store *s, const char *chain)
{
        const char *hex = hull_digest_hex(chain);
        return hex && faccessat(s->layers_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

char *hull_store_layer_path(struct hull_store *s, const char *chain)
{
        const char *hex = hull_digest_hex(chain);
        return hex ? hull_strdup_printf("%s/layers/%s/diff", s->root, hex) : NULL;
}

static int unpack_into(struct hull_store *s, const char *tmp, const char *layer_digest,
                       const char *diff_id, struct hull_err *err)
{
        if (mkdirat(s->layers_fd, tmp, 0700) < 0)
                return hull_err_sys(err, errno, "create layer directory");
        _cleanup_free_ char *diff = hull_strdup_printf("%s/diff", tmp);
        if (!diff)
                return hull_err_set(err, ENOMEM, "out of memory");
        if (mkdirat(s->layers_fd, diff, 0755) < 0)
                return hull_err_sys(err, errno, "create layer directory");
        _cleanup_close_ int dfd =
            openat(s->layers_fd, diff, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return hull_err_sys(err, errno, "open layer directory");
        _cleanup_close_ int src = hull_store_open_blob(s, layer_digest, err);
        if (src < 0)
                return src;
        struct hull_unpack_result res;
        int r = hull_unpack_layer(src, dfd, diff_id, &res, err);
        if (r < 0)
                return r;
        _cleanup_close_ int tfd =
            openat(s->layers_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tfd < 0)
                return hull_err_sys(err, errno, "open layer directory");
        _cleanup_free_ char *meta =
            hull_strdup_printf("{\"diff_id\":\"%s\",\"blob\":\"%s\",\"size\":%llu}\n", res.diff_id,
                               layer_digest, (unsigned long long)res.size);
        if (!meta)
                return hull_err_set(err, ENOMEM, "out of memory");
        return hull_file_write_atomic(tfd, "layer.json", meta, strlen(meta), 0644, err);
}

int hull_store_unpack_layer(struct hull_store *s, const char *layer_digest, const char *diff_id,
                            const char *chain, struct hull_err *err)
{
        const char *hex = hull_digest_hex(chain);
        if (!hex)
                return hull_err_set(err, EINVAL, "bad chain id \"%s\"", chain);
        if (hull_store_has_layer(s, chain))
                return 0;
        char tmp[96];
        tmp_name(tmp, sizeof(tmp), "layer");
        int r = unpack_into(s, tmp, layer_digest, diff_id, err);
        if (r < 0) {
                struct hull_err ignore = {0};
                hull_rm_rf_at(s->layers_fd, tmp, &ignore);
                return hull_err_wrap(err, "unpack layer %.19s", layer_digest);
        }
        if (renameat(s->layers_fd, tmp, s->layers_fd, hex) < 0) {
                int e = errno;
                struct hull_err ignore = {0};
                hull_rm_rf_at(s->layers_fd, tmp, &ignore);
                /* Another process unpacked the same layer first: theirs is as good as ours. */
                if ((e == EEXIST || e == ENOTEMPTY) && hull_store_has_layer(s, chain))
                        return 0;
                return hull_err_sys(err, e, "move layer %.19s into place", chain);
        }
        return 0;
}

int hull_store_remove_layer(struct hull_store *s, const char *chain, struct hull_err *err)
{
        const char *hex = hull_digest_hex(chain);
        if (!hex)
                return hull_err_set(err, EINVAL, "bad chain id \"%s\"", chain);
        /* Rename first so a half-removed layer is never taken for a whole one. */
        char tmp[96];
        tmp_name(tmp, sizeof(tmp), "rm");
        if (renameat(s->layers_fd, hex, s->layers_fd, tmp) < 0) {
                if (errno == ENOENT)
                        return 0;
                return hull_err_sys(err, errno, "remove layer %s", chain);
        }
        return hull_rm_rf_at(s->layers_fd, tmp, err);
}

static void clean_dir(int dirfd)
{
        _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d)
                return;
        TAKE_FD(fd);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
                        continue;
                int pid = atoi(de->d_name + strlen(TMP_PREFIX));
                if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH)) {
                        struct hull_err ignore = {0};
                        hull_debug("removing leftover %s", de->d_name);
                        hull_rm_rf_at(dirfd, de->d_name, &ignore);
                }
        }
}

void hull_store_clean_tmp(struct hull_store *s)
{
        clean_dir(s->tmp_fd);
        clean_dir(s->layers_fd);
}

char *hull_store_empty_dir(struct hull_store *s, struct hull_err *err)
{
        if (mkdirat(s->root_fd, "empty", 0555) < 0 && errno != EEXIST) {
                hull_err_sys(err, errno, "create %s/empty", s->root);
                return NULL;
        }
        char *p = hull_strdup_printf("%s/empty", s->root);
        if (!p)
                hull_err_set(err, ENOMEM, "out of memory");
        return p;
}

int hull_store_lock_gc(struct hull_store *s, bool exclusive, struct hull_err *err)
{
        _cleanup_close_ int fd =
            openat(s->root_fd, "gc.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s/gc.lock", s->root);
        int r = hull_file_lock(fd, exclusive, 1, err);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

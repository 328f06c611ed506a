/* linux.seccomp: parsed and compiled to BPF with libseccomp in the parent, before any namespace
 * exists; the child only hands the program to seccomp(2), last, right before execve. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

struct hull_seccomp;

/* Compile the linux.seccomp object SPEC (at JSON_PATH in FILE, for messages). Unknown syscall
 * names are skipped with a debug line (as runc does); anything else invalid is an error that
 * names its JSON path. */
int hull_seccomp_compile(json_t *spec, const char *file, const char *json_path,
                         struct hull_seccomp **ret, struct hull_err *err);
/* The same through a cache of compiled filters in CACHE_DIR (NULL: none): a Docker-sized
 * profile costs milliseconds to compile, and most containers share a few profiles. */
int hull_seccomp_compile_cached(json_t *spec, const char *file, const char *json_path,
                                const char *cache_dir, struct hull_seccomp **ret,
                                struct hull_err *err);
/* The cache directory: $HULL_SECCOMP_CACHE (empty: no cache), else /run/hullc-seccomp for
 * root and $XDG_RUNTIME_DIR/hullc-seccomp for others; NULL when there is none. */
const char *hull_seccomp_cache_dir(void);
void hull_seccomp_free(struct hull_seccomp *s);
static inline void hull_seccomp_freep(struct hull_seccomp **s)
{
        hull_seccomp_free(*s);
        *s = NULL;
}

/* The compiled program: number of BPF instructions; the SECCOMP_FILTER_FLAG_* to load with. */
size_t hull_seccomp_size(const struct hull_seccomp *s);
unsigned hull_seccomp_flags(const struct hull_seccomp *s);
/* Whether some rule uses SCMP_ACT_NOTIFY; then listenerPath (required) and listenerMetadata. */
bool hull_seccomp_has_notify(const struct hull_seccomp *s);
const char *hull_seccomp_listener_path(const struct hull_seccomp *s);
const char *hull_seccomp_listener_metadata(const struct hull_seccomp *s);

/* Child: load the filter into the calling thread. With NOTIFY rules *ret_notify_fd is the
 * listener fd, else -1. Needs no_new_privs or CAP_SYS_ADMIN (seccomp(2)). */
int hull_seccomp_load(const struct hull_seccomp *s, int *ret_notify_fd, struct hull_err *err);

/* Parent: connect to the listenerPath socket (SOCK_STREAM, as the runtime-spec says). */
int hull_seccomp_listener_connect(const struct hull_seccomp *s, struct hull_err *err);
/* Send MSG (the container process state JSON) with NOTIFY_FD as SCM_RIGHTS over SOCK. */
int hull_seccomp_listener_send(int sock, const char *msg, size_t len, int notify_fd,
                               struct hull_err *err);

/* seccomp_cache.c: compiled filters on disk, keyed by everything they depend on. An entry is
 * used only if its file belongs to us, is writable by nobody else and holds the whole key. */
struct hull_seccomp_bpf {
        void *prog; /* struct sock_filter[len], malloc'd */
        size_t len;
        unsigned flags;
        bool has_notify;
};
/* 0 and *ret filled (prog owned by the caller), or -ENOENT (any problem is a miss). */
int hull_seccomp_cache_get(const char *dir, const char *key, size_t key_len,
                           struct hull_seccomp_bpf *ret);
/* Best effort: a failure only costs the next create a compile. */
void hull_seccomp_cache_put(const char *dir, const char *key, size_t key_len,
                            const struct hull_seccomp_bpf *b);

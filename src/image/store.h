/* The image store below --root: content-addressed blobs (blobs/sha256/<hex>), unpacked layers
 * shared by chain id (layers/<hex>/diff), temporary files (tmp/). Blobs are written to an
 * unnamed or temporary file, their digest checked while streaming, and only then linked into
 * place, so a killed writer never leaves a blob that could be used. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/error.h"
#include "image/digest.h"

struct hull_store {
        char *root;
        int root_fd;   /* O_RDONLY|O_DIRECTORY */
        int blobs_fd;  /* blobs/sha256 */
        int layers_fd; /* layers */
        int tmp_fd;    /* tmp */
};

int hull_store_open(const char *root, struct hull_store *ret, struct hull_err *err);
void hull_store_close(struct hull_store *s);
static inline void hull_store_closep(struct hull_store *s)
{
        hull_store_close(s);
}

struct hull_blob_writer {
        struct hull_store *store;
        int fd;
        char tmpname[64]; /* "" when the file is unnamed (O_TMPFILE) */
        struct hull_sha256 hash;
        char expected[HULL_DIGEST_LEN + 1]; /* "" when not known in advance */
        int64_t expected_size;              /* -1 when not known */
        bool existed;                       /* set by commit: the blob was already stored */
};

/* Start writing a blob. EXPECTED (may be NULL) is checked at commit; so is EXPECTED_SIZE >= 0. */
int hull_blob_writer_open(struct hull_store *s, const char *expected, int64_t expected_size,
                          struct hull_blob_writer *ret, struct hull_err *err);
int hull_blob_writer_write(struct hull_blob_writer *w, const void *data, size_t len,
                           struct hull_err *err);
/* Finish: verify digest and size, link into blobs/sha256/. A blob that already exists is fine
 * (same digest, same content). RET_DIGEST may be NULL. The writer is closed either way. */
int hull_blob_writer_commit(struct hull_blob_writer *w, char ret_digest[HULL_DIGEST_LEN + 1],
                            struct hull_err *err);
/* Discard (idempotent, safe on a zeroed or committed writer). */
void hull_blob_writer_abort(struct hull_blob_writer *w);
/* Restart from zero (for a download retried from the beginning). */
int hull_blob_writer_reset(struct hull_blob_writer *w, struct hull_err *err);
static inline uint64_t hull_blob_writer_size(const struct hull_blob_writer *w)
{
        return w->hash.bytes;
}

/* Store DATA as a blob; RET_DIGEST may be NULL. */
int hull_store_put(struct hull_store *s, const void *data, size_t len, const char *expected,
                   char ret_digest[HULL_DIGEST_LEN + 1], struct hull_err *err);
/* Copy FD (read to EOF) into the store. */
int hull_store_put_fd(struct hull_store *s, int fd, const char *expected, int64_t expected_size,
                      char ret_digest[HULL_DIGEST_LEN + 1], struct hull_err *err);

bool hull_store_has(struct hull_store *s, const char *digest);
/* Size of the blob, or -ENOENT. */
int64_t hull_store_size(struct hull_store *s, const char *digest);
int hull_store_open_blob(struct hull_store *s, const char *digest, struct hull_err *err);
/* Read a small blob (manifest, config) whole, verifying its digest on the way. */
int hull_store_read(struct hull_store *s, const char *digest, char **ret_data, size_t *ret_len,
                    struct hull_err *err);
int hull_store_remove(struct hull_store *s, const char *digest);

/* Layers. CHAIN is a chain id "sha256:<hex>". */
void hull_chain_id(const char *parent_chain, const char *diff_id, char out[HULL_DIGEST_LEN + 1]);
bool hull_store_has_layer(struct hull_store *s, const char *chain);
/* "<root>/layers/<hex>/diff" (malloc'd). */
char *hull_store_layer_path(struct hull_store *s, const char *chain);
/* Unpack the blob LAYER_DIGEST (with DIFF_ID) on top of PARENT_CHAIN (NULL for the base)
 * unless the layer exists; unpacked to a temporary directory, renamed into place when whole. */
int hull_store_unpack_layer(struct hull_store *s, const char *layer_digest, const char *diff_id,
                            const char *chain, struct hull_err *err);
int hull_store_remove_layer(struct hull_store *s, const char *chain, struct hull_err *err);
/* Remove temporary files and directories left by killed processes. */
void hull_store_clean_tmp(struct hull_store *s);
/* An empty read-only directory used as a second lowerdir for single-layer mounts. */
char *hull_store_empty_dir(struct hull_store *s, struct hull_err *err);

/* Writers of blobs and layers (pull, load, import) hold this shared for their whole run;
 * garbage collection holds it exclusively, so it never deletes a blob about to be referenced.
 * Returns the lock fd. */
int hull_store_lock_gc(struct hull_store *s, bool exclusive, struct hull_err *err);

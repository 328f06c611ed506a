/* The images index, <root>/images.json: which manifest each image (id = config digest) has and
 * which names and repo digests point at it. Read and rewritten whole (temp + rename) while an
 * flock on <root>/images.lock is held, so concurrent hull processes see a consistent index. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include "base/error.h"
#include "image/store.h"

struct hull_imagedb {
        struct hull_store *store;
        int lock_fd;
        json_t *images; /* array of image objects (see imagedb.c for the fields) */
};

/* Lock (shared for readers, exclusive for writers) and load the index. */
int hull_imagedb_open(struct hull_store *s, bool exclusive, struct hull_imagedb *ret,
                      struct hull_err *err);
int hull_imagedb_save(struct hull_imagedb *db, struct hull_err *err);
void hull_imagedb_close(struct hull_imagedb *db);
static inline void hull_imagedb_closep(struct hull_imagedb *db)
{
        hull_imagedb_close(db);
}

/* Find an image by full id, id prefix, name[:tag] or name@digest. The returned object is
 * borrowed from db. -ENOENT "image not known", -EINVAL ambiguous prefix or bad reference. */
int hull_imagedb_find(struct hull_imagedb *db, const char *what, json_t **ret,
                      struct hull_err *err);

/* Record an image: ID is the config digest, MANIFEST the platform manifest digest. NAME (a
 * normalized "domain/path:tag", may be NULL) is moved here from any other image; REPO_DIGEST
 * ("domain/path@sha256:...", may be NULL) is added. Returns the (borrowed) image object. */
json_t *hull_imagedb_add(struct hull_imagedb *db, const char *id, const char *manifest,
                         const char *name, const char *repo_digest, const char *created,
                         struct hull_err *err);
/* Remove NAME from whichever image has it; 1 if removed, 0 if not found. */
int hull_imagedb_untag(struct hull_imagedb *db, const char *name);
/* Remove an image object (borrowed pointer from find) from the index. */
void hull_imagedb_remove(struct hull_imagedb *db, json_t *image);

/* Accessors on an image object. */
const char *hull_image_id(json_t *image);
const char *hull_image_manifest(json_t *image);
json_t *hull_image_names(json_t *image);   /* array of strings */
json_t *hull_image_digests(json_t *image); /* array of strings */

/* Garbage collection: delete blobs and layers no image references. Counts what went. */
int hull_imagedb_gc(struct hull_imagedb *db, unsigned *ret_blobs, unsigned *ret_layers,
                    struct hull_err *err);

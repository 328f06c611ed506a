/* `hull load`: docker-archive (docker save, legacy and 25+ layouts) and OCI layout tarballs,
 * compressed or not, read as a stream: every member goes through the blob store's digest
 * check, then the images found are recorded and their layers unpacked. */
#pragma once
#include "base/error.h"
#include "image/imagedb.h"
#include "image/manifest.h"
#include "image/store.h"

struct hull_load_result {
        char **loaded; /* NULL-terminated: "Loaded image: NAME" subjects (names or ids) */
};
void hull_load_result_free(struct hull_load_result *r);

/* Read an archive from FD. PLATFORM selects from nested indexes. */
int hull_image_load(struct hull_store *s, int fd, const struct hull_platform *platform,
                    struct hull_load_result *ret, struct hull_err *err);

/* Record MANIFEST_DIGEST (already in the store, with its blobs) under NAME (may be NULL), after
 * unpacking its layers. REPO_DIGEST may be NULL. Used by load, pull and import. */
int hull_image_commit(struct hull_store *s, const char *manifest_digest, const char *name,
                      const char *repo_digest, const char *index_digest, struct hull_err *err);

/* Guess the media type of a layer blob from its first bytes (gzip, zstd, plain tar). */
const char *hull_layer_sniff_media_type(struct hull_store *s, const char *digest);

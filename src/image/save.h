/* `hull save`: images to a docker-archive (uncompressed layers named by diff_id, manifest.json,
 * as `docker save` writes) or an OCI image layout tarball (blobs as stored, index.json). */
#pragma once
#include <stdbool.h>
#include "base/error.h"
#include "image/store.h"

enum hull_save_format { HULL_SAVE_DOCKER, HULL_SAVE_OCI };

struct hull_save_image {
        const char *manifest; /* manifest digest */
        const char *name;     /* "domain/path:tag" or NULL */
};

/* Write the archive to FD (a file or a pipe: nothing is seeked). */
int hull_image_save(struct hull_store *s, const struct hull_save_image *images, size_t n,
                    enum hull_save_format format, int fd, struct hull_err *err);

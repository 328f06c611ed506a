/* An image as stored: its manifest, config and layers resolved from the blob store, the chain
 * ids of its layers, and making sure every layer is unpacked. */
#pragma once
#include <jansson.h>
#include <stdint.h>
#include "base/error.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "image/store.h"

struct hull_image_layer {
        char blob[HULL_DIGEST_LEN + 1];
        char diff_id[HULL_DIGEST_LEN + 1];
        char chain[HULL_DIGEST_LEN + 1];
        char *media_type;
        int64_t size; /* compressed */
};

struct hull_image {
        char manifest_digest[HULL_DIGEST_LEN + 1];
        char config_digest[HULL_DIGEST_LEN + 1];
        struct hull_manifest manifest;
        json_t *config;
        struct hull_image_layer *layers;
        size_t nlayers;
        char *manifest_raw;
        size_t manifest_len;
};

/* Read the manifest MANIFEST_DIGEST and its config from the store, pair layers and diff_ids. */
int hull_image_read(struct hull_store *s, const char *manifest_digest, struct hull_image *ret,
                    struct hull_err *err);
void hull_image_free(struct hull_image *img);
static inline void hull_image_freep(struct hull_image *img)
{
        hull_image_free(img);
}
/* Unpack every layer that is not yet in layers/. */
int hull_image_unpack(struct hull_store *s, const struct hull_image *img, struct hull_err *err);
/* Sum of the uncompressed layer sizes (from layers/<chain>/layer.json), 0 when unknown. */
uint64_t hull_image_size(struct hull_store *s, const struct hull_image *img);

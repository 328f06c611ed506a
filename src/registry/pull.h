/* `hull pull`: resolve a reference on its registry (index -> platform manifest), fetch what the
 * store lacks, verify every digest, unpack the layers and record the image. */
#pragma once
#include <stdbool.h>
#include "base/error.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/store.h"
#include "registry/blobs.h"
#include "registry/client.h"

struct hull_pull_opts {
        struct hull_registry_opts reg;
        const struct hull_platform *platform;
        struct hull_blob_fetch_opts fetch;
};

struct hull_pull_result {
        char manifest[HULL_DIGEST_LEN + 1]; /* the platform manifest */
        char digest[HULL_DIGEST_LEN + 1];   /* what the reference resolved to (index or manifest) */
        char id[HULL_DIGEST_LEN + 1];       /* config digest */
        unsigned fetched, existing;         /* layer blobs */
};

int hull_pull(struct hull_store *s, const struct hull_ref *ref, const struct hull_pull_opts *o,
              struct hull_pull_result *ret, struct hull_err *err);

/* GET a manifest (tag or digest) with the Accept header of every type we read, checking the
 * digest: against DIGEST_REF when it is one, else against Docker-Content-Digest when sent. */
int hull_registry_get_manifest(struct hull_registry *r, const char *tag_or_digest, char **ret,
                               size_t *ret_len, char ret_type[256],
                               char ret_digest[HULL_DIGEST_LEN + 1], struct hull_err *err);

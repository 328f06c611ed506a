/* `hull push`: upload an image's blobs (skipping those the registry has, cross-mounting from
 * another repository of the same registry when possible; monolithic or chunked uploads) and
 * then its manifest, byte for byte, so the digest is kept. */
#pragma once
#include <stddef.h>
#include "base/error.h"
#include "image/digest.h"
#include "image/reference.h"
#include "image/store.h"
#include "registry/client.h"

enum hull_push_event_kind {
        HULL_PUSH_EXISTS,
        HULL_PUSH_MOUNTED,
        HULL_PUSH_UPLOADING,
        HULL_PUSH_UPLOADED
};
struct hull_push_event {
        enum hull_push_event_kind kind;
        const char *digest;
        const char *from; /* MOUNTED */
};
typedef void (*hull_push_progress_fn)(const struct hull_push_event *ev, void *data);

struct hull_push_opts {
        struct hull_registry_opts reg;
        size_t chunk_size;      /* 0: monolithic PUT */
        const char *mount_from; /* a repository of the same registry to cross-mount from */
        hull_push_progress_fn progress;
        void *progress_data;
};

int hull_push(struct hull_store *s, const char *manifest_digest, const struct hull_ref *dest,
              const struct hull_push_opts *o, char ret_digest[HULL_DIGEST_LEN + 1],
              struct hull_err *err);

/* Downloading blobs from a registry into the store: several at once (curl multi), each digest
 * and size checked while streaming, interrupted transfers resumed with Range or restarted. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "base/error.h"
#include "image/manifest.h"
#include "image/store.h"
#include "registry/client.h"

enum hull_blob_event_kind {
        HULL_BLOB_START,
        HULL_BLOB_PROGRESS,
        HULL_BLOB_RETRY,
        HULL_BLOB_DONE,
};

struct hull_blob_event {
        enum hull_blob_event_kind kind;
        const char *digest;
        uint64_t done, total;
        int attempt;
        const char *why; /* RETRY */
};
typedef void (*hull_blob_progress_fn)(const struct hull_blob_event *ev, void *data);

struct hull_blob_fetch_opts {
        int parallel; /* transfers at once (default 6) */
        hull_blob_progress_fn progress;
        void *progress_data;
};

/* Fetch every descriptor of DESCS (N of them) into S. All or nothing: on error, blobs already
 * committed stay (they are verified), the rest are discarded. */
int hull_registry_fetch_blobs(struct hull_registry *r, struct hull_store *s,
                              const struct hull_descriptor *const *descs, size_t n,
                              const struct hull_blob_fetch_opts *o, struct hull_err *err);

/* Fetch one small blob (a config) into memory, verified. */
int hull_registry_get_blob(struct hull_registry *r, const struct hull_descriptor *d, char **ret,
                           size_t *ret_len, struct hull_err *err);

/* SHA-256 digests of streamed content (libcrypto EVP), formatted as "sha256:<hex>". */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "base/error.h"

#define HULL_DIGEST_LEN (7 + 64) /* "sha256:" + hex */

struct hull_sha256 {
        void *ctx;      /* EVP_MD_CTX */
        uint64_t bytes; /* bytes fed so far */
};

int hull_sha256_init(struct hull_sha256 *h, struct hull_err *err);
void hull_sha256_update(struct hull_sha256 *h, const void *data, size_t len);
/* Write "sha256:<hex>" into out (HULL_DIGEST_LEN + 1 bytes). The context stays usable only
 * for hull_sha256_free. */
void hull_sha256_final(struct hull_sha256 *h, char out[HULL_DIGEST_LEN + 1]);
void hull_sha256_free(struct hull_sha256 *h);
static inline void hull_sha256_freep(struct hull_sha256 *h)
{
        hull_sha256_free(h);
}

/* Digest of a buffer in one call. */
void hull_sha256_buf(const void *data, size_t len, char out[HULL_DIGEST_LEN + 1]);

/* The 64 hex characters of a valid "sha256:<hex>" digest, NULL when it is not one. */
const char *hull_digest_hex(const char *digest);

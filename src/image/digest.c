/* SHA-256 helpers over libcrypto's EVP interface. */
#include "image/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "image/reference.h"

int hull_sha256_init(struct hull_sha256 *h, struct hull_err *err)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx)
                return hull_err_set(err, ENOMEM, "sha256: out of memory");
        if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(ctx);
                return hull_err_set(err, EIO, "sha256: cannot initialise the digest");
        }
        h->ctx = ctx;
        h->bytes = 0;
        return 0;
}

void hull_sha256_update(struct hull_sha256 *h, const void *data, size_t len)
{
        EVP_DigestUpdate(h->ctx, data, len);
        h->bytes += len;
}

static void to_hex(const unsigned char *md, char out[HULL_DIGEST_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        memcpy(out, "sha256:", 7);
        for (int i = 0; i < 32; i++) {
                out[7 + 2 * i] = hex[md[i] >> 4];
                out[7 + 2 * i + 1] = hex[md[i] & 15];
        }
        out[HULL_DIGEST_LEN] = '\0';
}

void hull_sha256_final(struct hull_sha256 *h, char out[HULL_DIGEST_LEN + 1])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(h->ctx, md, &n);
        to_hex(md, out);
}

void hull_sha256_free(struct hull_sha256 *h)
{
        if (h && h->ctx) {
                EVP_MD_CTX_free(h->ctx);
                h->ctx = NULL;
        }
}

void hull_sha256_buf(const void *data, size_t len, char out[HULL_DIGEST_LEN + 1])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
        to_hex(md, out);
}

const char *hull_digest_hex(const char *digest)
{
        if (!digest || !hull_ref_digest_valid(digest))
                return NULL;
        return digest + 7;
}

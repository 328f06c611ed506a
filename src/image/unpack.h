/* Unpacking one image layer (tar, gzip, zstd) into an empty directory in overlayfs form:
 * OCI whiteouts become 0/0 character devices, opaque markers the trusted.overlay.opaque xattr.
 * Hostile entries (absolute, "..", through a symlink, hardlinks leaving the layer) are refused. */
#pragma once
#include <stdint.h>
#include "base/error.h"
#include "image/digest.h"

struct hull_unpack_result {
        char diff_id[HULL_DIGEST_LEN + 1]; /* sha256 of the uncompressed tar stream */
        uint64_t size;                     /* bytes of the uncompressed tar stream */
        uint64_t entries;
};

/* Read the (possibly compressed) layer from SRC_FD and unpack it below DEST_DIRFD, which must
 * be an empty directory the caller owns. When EXPECTED_DIFF_ID is set, a mismatch of the
 * uncompressed stream is an error (-EBADMSG); the caller then discards the directory. */
int hull_unpack_layer(int src_fd, int dest_dirfd, const char *expected_diff_id,
                      struct hull_unpack_result *ret, struct hull_err *err);

/* Normalize a tar member name: drop "." and empty components; refuse absolute names and "..".
 * "" means the layer root. Returns a malloc'd string in *ret. */
int hull_unpack_clean_name(const char *name, char **ret, struct hull_err *err);

/* Decompress (gzip, zstd, or none) SRC_FD into a stream digest: diff_id and size only. */
int hull_unpack_diff_id(int src_fd, struct hull_unpack_result *ret, struct hull_err *err);

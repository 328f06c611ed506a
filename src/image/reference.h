/* Image references with Docker's normalization: "busybox" is docker.io/library/busybox:latest,
 * "host:port/repo:tag", "repo@sha256:...", and a clear error for anything else. */
#pragma once
#include "base/error.h"

struct hull_ref {
        char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
        char *path;   /* "library/busybox" */
        char *tag;    /* NULL when only a digest was given */
        char *digest; /* "sha256:<64 hex>" or NULL */
};

#define HULL_REF_DEFAULT_DOMAIN "docker.io"
#define HULL_REF_DEFAULT_TAG "latest"

/* Parse and normalize S into RET (fields malloc'd; RET untouched on failure). A reference with
 * neither tag nor digest gets the tag "latest". -EINVAL with a message on a bad reference. */
int hull_ref_parse(const char *s, struct hull_ref *ret, struct hull_err *err);
void hull_ref_free(struct hull_ref *ref);
static inline void hull_ref_freep(struct hull_ref *ref)
{
        hull_ref_free(ref);
}

/* "domain/path" (malloc'd). */
char *hull_ref_name(const struct hull_ref *ref);
/* "domain/path:tag", "domain/path@digest" or "domain/path:tag@digest" (malloc'd). */
char *hull_ref_string(const struct hull_ref *ref);
/* "domain/path:tag" or NULL when the reference has no tag (malloc'd). */
char *hull_ref_tagged(const struct hull_ref *ref);

/* The registry host to contact for the domain: docker.io is served by registry-1.docker.io. */
const char *hull_ref_registry_host(const struct hull_ref *ref);

/* Validators of the pieces, exposed for tag/push argument checks and the unit tests. */
int hull_ref_tag_valid(const char *tag);
int hull_ref_digest_valid(const char *digest);
/* True when S is 1-64 lowercase hex chars (an image id or a prefix of one). */
int hull_ref_is_id_prefix(const char *s);

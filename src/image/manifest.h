/* OCI and Docker schema 2 manifests, indexes / manifest lists and image configs: parsing,
 * media types, and platform selection. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/error.h"

#define HULL_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define HULL_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define HULL_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define HULL_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define HULL_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define HULL_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define HULL_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define HULL_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define HULL_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define HULL_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define HULL_MT_DOCKER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* The Accept header value for manifest requests. */
#define HULL_MANIFEST_ACCEPT                                                                       \
        HULL_MT_OCI_INDEX ", " HULL_MT_OCI_MANIFEST ", " HULL_MT_DOCKER_LIST                       \
                          ", " HULL_MT_DOCKER_MANIFEST

struct hull_descriptor {
        char *media_type;
        char *digest;
        int64_t size;
        char *os, *arch, *variant; /* index entries only */
        char *ref_name;            /* org.opencontainers.image.ref.name annotation */
        char *image_name;          /* io.containerd.image.name annotation (docker save 25+) */
};

struct hull_manifest {
        char *media_type;
        bool is_index;
        struct hull_descriptor config;  /* manifests */
        struct hull_descriptor *layers; /* manifests */
        size_t nlayers;
        struct hull_descriptor *manifests; /* indexes */
        size_t nmanifests;
};

/* Parse a manifest or an index. CONTENT_TYPE (may be NULL) is the type the registry announced;
 * the document's own mediaType wins when both are given and they agree. Unknown types fail. */
int hull_manifest_parse(const char *data, size_t len, const char *content_type,
                        struct hull_manifest *ret, struct hull_err *err);
void hull_manifest_free(struct hull_manifest *m);
static inline void hull_manifest_freep(struct hull_manifest *m)
{
        hull_manifest_free(m);
}

/* "linux/amd64", "linux/arm64/v8": parse or default to the host's. Strings malloc'd. */
struct hull_platform {
        char *os, *arch, *variant;
};
int hull_platform_parse(const char *s, struct hull_platform *ret, struct hull_err *err);
void hull_platform_free(struct hull_platform *p);
/* Index the entry for the platform in an index; -ENOENT with a message listing what exists. */
int hull_index_select(const struct hull_manifest *idx, const struct hull_platform *p,
                      struct hull_err *err);

bool hull_media_type_is_layer(const char *mt);

/* From an image config: the diff_ids (NULL-terminated strv) and its whole JSON. */
int hull_config_diff_ids(json_t *config, char ***ret, size_t *ret_n, struct hull_err *err);
int hull_json_parse(const char *data, size_t len, json_t **ret, const char *what,
                    struct hull_err *err);

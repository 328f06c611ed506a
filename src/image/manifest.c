/* Manifest, index and config parsing with jansson; platform matching as the OCI image-spec
 * describes it (os, architecture, variant; arm64 without a variant means v8). */
#include "image/manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "image/reference.h"

static void descriptor_free(struct hull_descriptor *d)
{
        free(d->media_type);
        free(d->digest);
        free(d->os);
        free(d->arch);
        free(d->variant);
        free(d->ref_name);
        free(d->image_name);
        memset(d, 0, sizeof(*d));
}

void hull_manifest_free(struct hull_manifest *m)
{
        if (!m)
                return;
        free(m->media_type);
        descriptor_free(&m->config);
        for (size_t i = 0; i < m->nlayers; i++)
                descriptor_free(&m->layers[i]);
        free(m->layers);
        for (size_t i = 0; i < m->nmanifests; i++)
                descriptor_free(&m->manifests[i]);
        free(m->manifests);
        memset(m, 0, sizeof(*m));
}

int hull_json_parse(const char *data, size_t len, json_t **ret, const char *what,
                    struct hull_err *err)
{
        json_error_t je;
        json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!j)
                return hull_err_set(err, EINVAL, "%s: invalid JSON at line %d column %d: %s", what,
                                    je.line, je.column, je.text);
        *ret = j;
        return 0;
}

static char *dup_str(json_t *obj, const char *key)
{
        const char *s = json_string_value(json_object_get(obj, key));
        return s ? strdup(s) : NULL;
}

static int parse_descriptor(json_t *j, struct hull_descriptor *d, const char *what,
                            struct hull_err *err)
{
        if (!json_is_object(j))
                return hull_err_set(err, EINVAL, "%s: descriptor is not an object", what);
        const char *digest = json_string_value(json_object_get(j, "digest"));
        if (!digest || !hull_ref_digest_valid(digest))
                return hull_err_set(err, EINVAL, "%s: missing or unsupported digest \"%s\"", what,
                                    digest ? digest : "");
        json_t *size = json_object_get(j, "size");
        if (!json_is_integer(size) || json_integer_value(size) < 0)
                return hull_err_set(err, EINVAL, "%s: missing or bad size", what);
        d->digest = strdup(digest);
        d->media_type = dup_str(j, "mediaType");
        d->size = json_integer_value(size);
        json_t *platform = json_object_get(j, "platform");
        if (json_is_object(platform)) {
                d->os = dup_str(platform, "os");
                d->arch = dup_str(platform, "architecture");
                d->variant = dup_str(platform, "variant");
        }
        json_t *ann = json_object_get(j, "annotations");
        if (json_is_object(ann)) {
                d->ref_name = dup_str(ann, "org.opencontainers.image.ref.name");
                d->image_name = dup_str(ann, "io.containerd.image.name");
        }
        if (!d->digest)
                return hull_err_set(err, ENOMEM, "out of memory");
        return 0;
}

static int parse_list(json_t *arr, struct hull_descriptor **ret, size_t *ret_n, const char *what,
                      struct hull_err *err)
{
        if (!json_is_array(arr))
                return hull_err_set(err, EINVAL, "%s missing", what);
        size_t n = json_array_size(arr);
        *ret = calloc(n ? n : 1, sizeof(**ret));
        if (!*ret)
                return hull_err_set(err, ENOMEM, "out of memory");
        *ret_n = n;
        for (size_t i = 0; i < n; i++) {
                int r = parse_descriptor(json_array_get(arr, i), &(*ret)[i], what, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static const char *detect_type(json_t *j, const char *content_type, struct hull_err *err)
{
        const char *mt = json_string_value(json_object_get(j, "mediaType"));
        if (!mt && content_type && content_type[0] && strcmp(content_type, "application/json") &&
            strcmp(content_type, "text/plain"))
                mt = content_type;
        if (!mt) /* OCI allows mediaType to be absent: tell by the fields. */
                mt = json_object_get(j, "manifests") ? HULL_MT_OCI_INDEX : HULL_MT_OCI_MANIFEST;
        if (strcmp(mt, HULL_MT_OCI_MANIFEST) && strcmp(mt, HULL_MT_OCI_INDEX) &&
            strcmp(mt, HULL_MT_DOCKER_MANIFEST) && strcmp(mt, HULL_MT_DOCKER_LIST)) {
                hull_err_set(err, EPROTO, "unsupported manifest media type \"%s\"", mt);
                return NULL;
        }
        return mt;
}

int hull_manifest_parse(const char *data, size_t len, const char *content_type,
                        struct hull_manifest *ret, struct hull_err *err)
{
        json_t *raw = NULL;
        int r = hull_json_parse(data, len, &raw, "manifest", err);
        if (r < 0)
                return r;
        _cleanup_(json_decrefp) json_t *j = raw;
        if (!json_is_object(j))
                return hull_err_set(err, EINVAL, "manifest is not a JSON object");
        if (json_integer_value(json_object_get(j, "schemaVersion")) != 2)
                return hull_err_set(err, EPROTO,
                                    "unsupported manifest schemaVersion (only 2 is supported)");
        const char *mt = detect_type(j, content_type, err);
        if (!mt)
                return -err->code;
        _cleanup_(hull_manifest_freep) struct hull_manifest m = {0};
        m.media_type = strdup(mt);
        if (!m.media_type)
                return hull_err_set(err, ENOMEM, "out of memory");
        m.is_index = !strcmp(mt, HULL_MT_OCI_INDEX) || !strcmp(mt, HULL_MT_DOCKER_LIST);
        if (m.is_index) {
                r = parse_list(json_object_get(j, "manifests"), &m.manifests, &m.nmanifests,
                               "index manifests", err);
        } else {
                r = parse_descriptor(json_object_get(j, "config"), &m.config, "manifest config",
                                     err);
                if (r == 0)
                        r = parse_list(json_object_get(j, "layers"), &m.layers, &m.nlayers,
                                       "manifest layers", err);
        }
        if (r < 0)
                return r;
        *ret = m;
        memset(&m, 0, sizeof(m));
        return 0;
}

static const char *host_arch(char variant[8])
{
        struct utsname u;
        variant[0] = '\0';
        if (uname(&u) < 0)
                return "amd64";
        if (!strcmp(u.machine, "x86_64"))
                return "amd64";
        if (!strcmp(u.machine, "aarch64")) {
                strcpy(variant, "v8");
                return "arm64";
        }
        if (!strncmp(u.machine, "armv7", 5)) {
                strcpy(variant, "v7");
                return "arm";
        }
        if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
                return "386";
        if (!strcmp(u.machine, "ppc64le") || !strcmp(u.machine, "s390x") ||
            !strcmp(u.machine, "riscv64"))
                return u.machine[0] == 'p' ? "ppc64le"
                                           : (u.machine[0] == 's' ? "s390x" : "riscv64");
        return "amd64";
}

void hull_platform_free(struct hull_platform *p)
{
        free(p->os);
        free(p->arch);
        free(p->variant);
        memset(p, 0, sizeof(*p));
}

int hull_platform_parse(const char *s, struct hull_platform *ret, struct hull_err *err)
{
        struct hull_platform p = {0};
        if (!s || !*s) {
                char variant[8];
                p.os = strdup("linux");
                p.arch = strdup(host_arch(variant));
                p.variant = variant[0] ? strdup(variant) : NULL;
        } else {
                _cleanup_strv_ char **parts = calloc(4, sizeof(char *));
                _cleanup_free_ char *copy = strdup(s);
                if (!parts || !copy)
                        return hull_err_set(err, ENOMEM, "out of memory");
                char *save = NULL;
                size_t n = 0;
                for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
                        if (n == 3)
                                return hull_err_set(err, EINVAL,
                                                    "bad platform \"%s\" (want "
                                                    "os/arch[/variant])",
                                                    s);
                        parts[n++] = strdup(t);
                }
                if (n < 2)
                        return hull_err_set(err, EINVAL,
                                            "bad platform \"%s\" (want os/arch[/variant])", s);
                p.os = TAKE_PTR(parts[0]);
                p.arch = TAKE_PTR(parts[1]);
                p.variant = TAKE_PTR(parts[2]);
                if (!strcmp(p.arch, "x86_64")) {
                        free(p.arch);
                        p.arch = strdup("amd64");
                } else if (!strcmp(p.arch, "aarch64")) {
                        free(p.arch);
                        p.arch = strdup("arm64");
                }
        }
        if (!p.os || !p.arch) {
                hull_platform_free(&p);
                return hull_err_set(err, ENOMEM, "out of memory");
        }
        *ret = p;
        return 0;
}

static const char *norm_variant(const char *arch, const char *variant)
{
        if (variant && *variant)
                return variant;
        if (arch && !strcmp(arch, "arm64"))
                return "v8";
        return "";
}

int hull_index_select(const struct hull_manifest *idx, const struct hull_platform *p,
                      struct hull_err *err)
{
        int fallback = -1;
        for (size_t i = 0; i < idx->nmanifests; i++) {
                const struct hull_descriptor *d = &idx->manifests[i];
                if (!d->os || !d->arch || strcmp(d->os, p->os) || strcmp(d->arch, p->arch))
                        continue;
                if (!strcmp(norm_variant(d->arch, d->variant), norm_variant(p->arch, p->variant)))
                        return (int)i;
                if (!p->variant && fallback < 0)
                        fallback = (int)i;
        }
        if (fallback >= 0)
                return fallback;
        char have[1024] = "";
        size_t off = 0;
        for (size_t i = 0; i < idx->nmanifests && off < sizeof(have) - 64; i++) {
                const struct hull_descriptor *d = &idx->manifests[i];
                off += (size_t)snprintf(have + off, sizeof(have) - off, "%s%s/%s%s%s",
                                        i ? ", " : "", d->os ? d->os : "?", d->arch ? d->arch : "?",
                                        d->variant ? "/" : "", d->variant ? d->variant : "");
        }
        return hull_err_set(err, ENOENT,
                            "no image for platform %s/%s%s%s in the index (it has: %s)", p->os,
                            p->arch, p->variant ? "/" : "", p->variant ? p->variant : "",
                            have[0] ? have : "nothing");
}

bool hull_media_type_is_layer(const char *mt)
{
        if (!mt)
                return true;
        return !strncmp(mt, HULL_MT_OCI_LAYER, strlen(HULL_MT_OCI_LAYER)) ||
               !strcmp(mt, HULL_MT_DOCKER_LAYER) || !strcmp(mt, HULL_MT_DOCKER_FOREIGN) ||
               !strncmp(mt, "application/vnd.oci.image.layer.nondistributable.v1.tar", 55);
}

int hull_config_diff_ids(json_t *config, char ***ret, size_t *ret_n, struct hull_err *err)
{
        json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
        if (!json_is_array(ids))
                return hull_err_set(err, EINVAL, "image config has no rootfs.diff_ids");
        size_t n = json_array_size(ids);
        _cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
        if (!v)
                return hull_err_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                const char *s = json_string_value(json_array_get(ids, i));
                if (!s || !hull_ref_digest_valid(s))
                        return hull_err_set(err, EINVAL, "image config: bad diff_id #%zu", i);
                v[i] = strdup(s);
                if (!v[i])
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

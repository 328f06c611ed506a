/* Pull (see pull.h). The manifest and config are small and fetched one at a time; the layers
 * that are missing from the store go through the parallel fetcher. */
#include "registry/pull.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/strutil.h"
#include "image/image.h"
#include "image/load.h"

int hull_registry_get_manifest(struct hull_registry *r, const char *tag_or_digest, char **ret,
                               size_t *ret_len, char ret_type[256],
                               char ret_digest[HULL_DIGEST_LEN + 1], struct hull_err *err)
{
        _cleanup_free_ char *path =
            hull_strdup_printf("/v2/%s/manifests/%s", r->repo, tag_or_digest);
        if (!path)
                return hull_err_set(err, ENOMEM, "out of memory");
        const char *headers[] = {"Accept: " HULL_MANIFEST_ACCEPT, NULL};
        struct hull_http_response resp = {0};
        int rc = hull_registry_request(r, "GET", path, headers, NULL, 0, 4u << 20, &resp, err);
        if (rc < 0)
                return rc;
        if (resp.status != 200) {
                long st = resp.status;
                hull_http_response_free(&resp);
                if (st == 404)
                        return hull_err_set(err, ENOENT, "%s/%s:%s: manifest unknown", r->host,
                                            r->repo, tag_or_digest);
                if (st == 401 || st == 403)
                        return hull_err_set(err, EACCES,
                                            "%s/%s: access denied (HTTP %ld): use hull login",
                                            r->host, r->repo, st);
                return hull_err_set(err, EIO, "get manifest %s/%s:%s: HTTP %ld", r->host, r->repo,
                                    tag_or_digest, st);
        }
        char got[HULL_DIGEST_LEN + 1];
        hull_sha256_buf(resp.body ? resp.body : "", resp.len, got);
        const char *want = hull_ref_digest_valid(tag_or_digest) ? tag_or_digest
                           : hull_ref_digest_valid(resp.digest) ? resp.digest
                                                                : NULL;
        if (want && strcmp(want, got) != 0) {
                hull_http_response_free(&resp);
                return hull_err_set(err, EBADMSG,
                                    "manifest %s/%s:%s: digest mismatch: expected %s, got %s",
                                    r->host, r->repo, tag_or_digest, want, got);
        }
        snprintf(ret_type, 256, "%s", resp.content_type);
        memcpy(ret_digest, got, sizeof(got));
        *ret = resp.body ? resp.body : strdup("");
        *ret_len = resp.len;
        return 0;
}

/* Fetch and parse a manifest; store it (verified). */
static int fetch_manifest(struct hull_registry *r, struct hull_store *s, const char *what,
                          struct hull_manifest *ret, char digest[HULL_DIGEST_LEN + 1],
                          struct hull_err *err)
{
        _cleanup_free_ char *body = NULL;
        size_t len = 0;
        char type[256];
        int rc = hull_registry_get_manifest(r, what, &body, &len, type, digest, err);
        if (rc < 0)
                return rc;
        rc = hull_manifest_parse(body, len, type, ret, err);
        if (rc < 0)
                return hull_err_wrap(err, "%s/%s:%s", r->host, r->repo, what);
        return hull_store_put(s, body, len, digest, NULL, err);
}

static int fetch_config(struct hull_registry *r, struct hull_store *s,
                        const struct hull_manifest *m, struct hull_err *err)
{
        if (hull_store_has(s, m->config.digest))
                return 0;
        _cleanup_free_ char *body = NULL;
        size_t len;
        int rc = hull_registry_get_blob(r, &m->config, &body, &len, err);
        if (rc < 0)
                return rc;
        return hull_store_put(s, body, len, m->config.digest, NULL, err);
}

static int fetch_layers(struct hull_registry *r, struct hull_store *s,
                        const struct hull_manifest *m, const struct hull_pull_opts *o,
                        struct hull_pull_result *res, struct hull_err *err)
{
        _cleanup_free_ const struct hull_descriptor **want =
            calloc(m->nlayers ? m->nlayers : 1, sizeof(*want));
        if (!want)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < m->nlayers; i++) {
                const struct hull_descriptor *d = &m->layers[i];
                if (!hull_media_type_is_layer(d->media_type))
                        return hull_err_set(err, EPROTO, "layer %s: unsupported media type %s",
                                            d->digest, d->media_type);
                bool dup = false;
                for (size_t j = 0; j < n; j++)
                        dup = dup || !strcmp(want[j]->digest, d->digest);
                if (hull_store_has(s, d->digest)) {
                        res->existing++;
                        if (o->fetch.progress) {
                                struct hull_blob_event ev = {
                                    .kind = HULL_BLOB_DONE, .digest = d->digest, .attempt = -1};
                                o->fetch.progress(&ev, o->fetch.progress_data);
                        }
                } else if (!dup) {
                        want[n++] = d;
                }
        }
        res->fetched = (unsigned)n;
        return hull_registry_fetch_blobs(r, s, want, n, &o->fetch, err);
}

int hull_pull(struct hull_store *s, const struct hull_ref *ref, const struct hull_pull_opts *o,
              struct hull_pull_result *ret, struct hull_err *err)
{
        _cleanup_close_ int gc = hull_store_lock_gc(s, false, err);
        if (gc < 0)
                return gc;
        _cleanup_(hull_registry_closep) struct hull_registry r = {0};
        int rc = hull_registry_open(ref, "pull", &o->reg, &r, err);
        if (rc < 0)
                return rc;
        _cleanup_(hull_manifest_freep) struct hull_manifest top = {0};
        char top_digest[HULL_DIGEST_LEN + 1];
        rc = fetch_manifest(&r, s, ref->digest ? ref->digest : ref->tag, &top, top_digest, err);
        if (rc < 0)
                return rc;
        _cleanup_(hull_manifest_freep) struct hull_manifest plat = {0};
        struct hull_manifest *m = &top;
        char manifest_digest[HULL_DIGEST_LEN + 1];
        memcpy(manifest_digest, top_digest, sizeof(top_digest));
        if (top.is_index) {
                rc = hull_index_select(&top, o->platform, err);
                if (rc < 0)
                        return rc;
                const char *want = top.manifests[rc].digest;
                rc = fetch_manifest(&r, s, want, &plat, manifest_digest, err);
                if (rc < 0)
                        return rc;
                if (plat.is_index)
                        return hull_err_set(err, EPROTO, "%s: nested index is not supported", want);
                m = &plat;
        }
        rc = fetch_config(&r, s, m, err);
        if (rc == 0)
                rc = fetch_layers(&r, s, m, o, ret, err);
        if (rc < 0)
                return rc;
        _cleanup_free_ char *name = hull_ref_tagged(ref);
        _cleanup_free_ char *repo = hull_ref_name(ref);
        _cleanup_free_ char *repo_digest =
            repo ? hull_strdup_printf("%s@%s", repo, top_digest) : NULL;
        if (!repo_digest)
                return hull_err_set(err, ENOMEM, "out of memory");
        rc = hull_image_commit(s, manifest_digest, name, repo_digest,
                               top.is_index ? top_digest : NULL, err);
        if (rc < 0)
                return rc;
        memcpy(ret->manifest, manifest_digest, sizeof(manifest_digest));
        memcpy(ret->digest, top_digest, sizeof(top_digest));
        snprintf(ret->id, sizeof(ret->id), "%s", m->config.digest);
        return 0;
}

/* Push (see push.h). Blob bodies are streamed from the store with curl's read callback. */
#include "registry/push.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/strutil.h"
#include "image/image.h"

struct body {
        int fd;
        off_t offset, end;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *userdata)
{
        struct body *b = userdata;
        size_t want = size * nmemb;
        if ((off_t)want > b->end - b->offset)
                want = (size_t)(b->end - b->offset);
        if (want == 0)
                return 0;
        ssize_t n = pread(b->fd, buf, want, b->offset);
        if (n <= 0)
                return CURL_READFUNC_ABORT;
        b->offset += n;
        return (size_t)n;
}

static size_t discard(char *data, size_t size, size_t nmemb, void *userdata)
{
        return size * nmemb;
}

struct hdrs {
        char location[2048];
        char digest[128];
};

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct hdrs *h = userdata;
        size_t n = size * nmemb;
        const char *names[] = {"Location:", "Docker-Content-Digest:"};
        char *outs[] = {h->location, h->digest};
        size_t lens[] = {sizeof(h->location), sizeof(h->digest)};
        for (size_t i = 0; i < 2; i++) {
                size_t k = strlen(names[i]);
                if (n > k && !strncasecmp(data, names[i], k)) {
                        const char *v = data + k;
                        size_t vl = n - k;
                        while (vl && (*v == ' '))
                                v++, vl--;
                        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
                                vl--;
                        snprintf(outs[i], lens[i], "%.*s", (int)vl, v);
                }
        }
        return n;
}

/* PUT or PATCH bytes [start, end) of FD to URL. */
static int send_range(struct hull_registry *r, const char *method, const char *url, int fd,
                      off_t start, off_t end, const char *content_range, long *ret_status,
                      struct hdrs *h, struct hull_err *err)
{
        struct curl_slist *list = NULL;
        CURL *c = hull_registry_easy(r, url, &list, err);
        if (!c)
                return -err->code;
        char cr[128];
        list = curl_slist_append(list, "Content-Type: application/octet-stream");
        if (content_range) {
                snprintf(cr, sizeof(cr), "Content-Range: %s", content_range);
                list = curl_slist_append(list, cr);
        }
        struct body b = {.fd = fd, .offset = start, .end = end};
        memset(h, 0, sizeof(*h));
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &b);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(end - start));
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
        curl_easy_cleanup(c);
        curl_slist_free_all(list);
        if (cc != CURLE_OK)
                return hull_err_set(err, EIO, "%s %s: %s", method, url, curl_easy_strerror(cc));
        return 0;
}

static char *absolute(struct hull_registry *r, const char *location)
{
        if (!strncmp(location, "http://", 7) || !strncmp(location, "https://", 8))
                return strdup(location);
        return hull_strdup_printf("%s%s", r->base_url, location);
}

static int upload(struct hull_registry *r, struct hull_store *s, const char *digest,
                  const char *location, size_t chunk, struct hull_err *err)
{
        _cleanup_close_ int fd = hull_store_open_blob(s, digest, err);
        if (fd < 0)
                return fd;
        off_t size = (off_t)hull_store_size(s, digest);
        _cleanup_free_ char *url = absolute(r, location);
        struct hdrs h;
        long st = 0;
        off_t pos = 0;
        while (chunk && pos < size) {
                off_t end = pos + (off_t)chunk < size ? pos + (off_t)chunk : size;
                char range[64];
                snprintf(range, sizeof(range), "%lld-%lld", (long long)pos, (long long)end - 1);
                int rc = send_range(r, "PATCH", url, fd, pos, end, range, &st, &h, err);
                if (rc < 0)
                        return rc;
                if (st != 202)
                        return hull_err_set(err, EIO, "upload %s: PATCH answered HTTP %ld", digest,
                                            st);
                free(url);
                url = absolute(r, h.location);
                pos = end;
        }
        _cleanup_free_ char *final =
            hull_strdup_printf("%s%sdigest=%s", url, strchr(url, '?') ? "&" : "?", digest);
        if (!final)
                return hull_err_set(err, ENOMEM, "out of memory");
        int rc = send_range(r, "PUT", final, fd, pos, size, NULL, &st, &h, err);
        if (rc < 0)
                return rc;
        if (st != 201)
                return hull_err_set(err, EIO, "upload %s: PUT answered HTTP %ld", digest, st);
        return 0;
}

static void emit(const struct hull_push_opts *o, enum hull_push_event_kind k, const char *d,
                 const char *from)
{
        if (o->progress) {
                struct hull_push_event ev = {.kind = k, .digest = d, .from = from};
                o->progress(&ev, o->progress_data);
        }
}

static int push_blob(struct hull_registry *r, struct hull_store *s, const char *digest,
                     const struct hull_push_opts *o, struct hull_err *err)
{
        _cleanup_free_ char *head = hull_strdup_printf("/v2/%s/blobs/%s", r->repo, digest);
        struct hull_http_response resp = {0};
        int rc = hull_registry_request(r, "HEAD", head, NULL, NULL, 0, 0, &resp, err);
        long st = resp.status;
        hull_http_response_free(&resp);
        if (rc < 0)
                return rc;
        if (st == 200) {
                emit(o, HULL_PUSH_EXISTS, digest, NULL);
                return 0;
        }
        _cleanup_free_ char *post = NULL;
        if (o->mount_from && strcmp(o->mount_from, r->repo))
                post = hull_strdup_printf("/v2/%s/blobs/uploads/?mount=%s&from=%s", r->repo, digest,
                                          o->mount_from);
        else
                post = hull_strdup_printf("/v2/%s/blobs/uploads/", r->repo);
        rc = hull_registry_request(r, "POST", post, NULL, NULL, 0, 0, &resp, err);
        st = resp.status;
        char location[sizeof(resp.location)];
        snprintf(location, sizeof(location), "%s", resp.location);
        hull_http_response_free(&resp);
        if (rc < 0)
                return rc;
        if (st == 201) {
                emit(o, HULL_PUSH_MOUNTED, digest, o->mount_from);
                return 0;
        }
        if (st != 202 || !location[0])
                return hull_err_set(err, st == 401 || st == 403 ? EACCES : EIO,
                                    "start upload of %s to %s/%s: HTTP %ld", digest, r->host,
                                    r->repo, st);
        emit(o, HULL_PUSH_UPLOADING, digest, NULL);
        rc = upload(r, s, digest, location, o->chunk_size, err);
        if (rc < 0)
                return rc;
        emit(o, HULL_PUSH_UPLOADED, digest, NULL);
        return 0;
}

static int put_manifest(struct hull_registry *r, const struct hull_image *img, const char *tag,
                        struct hull_err *err)
{
        _cleanup_free_ char *path = hull_strdup_printf("/v2/%s/manifests/%s", r->repo, tag);
        _cleanup_free_ char *ct = hull_strdup_printf("Content-Type: %s", img->manifest.media_type);
        if (!path || !ct)
                return hull_err_set(err, ENOMEM, "out of memory");
        const char *headers[] = {ct, NULL};
        struct hull_http_response resp = {0};
        int rc = hull_registry_request(r, "PUT", path, headers, img->manifest_raw,
                                       img->manifest_len, 0, &resp, err);
        long st = resp.status;
        char digest[sizeof(resp.digest)];
        snprintf(digest, sizeof(digest), "%s", resp.digest);
        char *body = resp.body ? strndup(resp.body, 300) : NULL;
        hull_http_response_free(&resp);
        _cleanup_free_ char *b = body;
        if (rc < 0)
                return rc;
        if (st != 201)
                return hull_err_set(err, EIO, "put manifest %s/%s:%s: HTTP %ld %s", r->host,
                                    r->repo, tag, st, b ? b : "");
        if (digest[0] && strcmp(digest, img->manifest_digest))
                return hull_err_set(err, EBADMSG, "registry stored the manifest as %s, not %s",
                                    digest, img->manifest_digest);
        return 0;
}

int hull_push(struct hull_store *s, const char *manifest_digest, const struct hull_ref *dest,
              const struct hull_push_opts *o, char ret_digest[HULL_DIGEST_LEN + 1],
              struct hull_err *err)
{
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        int rc = hull_image_read(s, manifest_digest, &img, err);
        if (rc < 0)
                return rc;
        _cleanup_(hull_registry_closep) struct hull_registry r = {0};
        rc = hull_registry_open(dest, "pull,push", &o->reg, &r, err);
        if (rc < 0)
                return rc;
        for (size_t i = 0; i < img.nlayers; i++) {
                rc = push_blob(&r, s, img.layers[i].blob, o, err);
                if (rc < 0)
                        return rc;
        }
        rc = push_blob(&r, s, img.config_digest, o, err);
        if (rc < 0)
                return rc;
        rc = put_manifest(&r, &img, dest->tag ? dest->tag : img.manifest_digest, err);
        if (rc < 0)
                return rc;
        memcpy(ret_digest, img.manifest_digest, HULL_DIGEST_LEN + 1);
        return 0;
}

/* Parallel blob downloads (see blobs.h). One curl multi drives up to `parallel` transfers; a
 * failed one waits out its backoff and starts again from the byte it reached (Range), or from
 * zero when the server ignores ranges. The blob writer hashes as bytes arrive, so the digest
 * is known the moment the last byte is written. */
#include "registry/blobs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/strutil.h"
#include "image/digest.h"

#define PROGRESS_STEP (512u << 10)

struct xfer {
        const struct hull_descriptor *d;
        struct hull_blob_writer w;
        bool writer_open;
        CURL *easy;
        struct curl_slist *headers;
        int attempts;
        bool running, done, reauthed;
        bool first_chunk;
        uint64_t start_offset; /* bytes we asked the server to skip */
        uint64_t reported;
        double retry_at;
        char errbuf[CURL_ERROR_SIZE];
        struct hull_err werr; /* write error seen in the callback */
        const struct hull_blob_fetch_opts *o;
};

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void emit(struct xfer *x, enum hull_blob_event_kind kind, const char *why)
{
        if (!x->o->progress)
                return;
        struct hull_blob_event ev = {.kind = kind,
                                     .digest = x->d->digest,
                                     .done = hull_blob_writer_size(&x->w),
                                     .total = (uint64_t)x->d->size,
                                     .attempt = x->attempts,
                                     .why = why};
        x->o->progress(&ev, x->o->progress_data);
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct xfer *x = userdata;
        size_t n = size * nmemb;
        if (x->first_chunk) {
                long status = 0;
                curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
                x->first_chunk = false;
                /* Asked for a range but got the whole blob: start over. */
                if (x->start_offset > 0 && status == 200 &&
                    hull_blob_writer_reset(&x->w, &x->werr) < 0)
                        return 0;
        }
        if (hull_blob_writer_size(&x->w) + n > (uint64_t)x->d->size) {
                hull_err_set(&x->werr, EBADMSG,
                             "blob %s: server sent more than the %lld bytes "
                             "announced",
                             x->d->digest, (long long)x->d->size);
                return 0;
        }
        if (hull_blob_writer_write(&x->w, data, n, &x->werr) < 0)
                return 0;
        uint64_t done = hull_blob_writer_size(&x->w);
        if (done - x->reported >= PROGRESS_STEP) {
                x->reported = done;
                emit(x, HULL_BLOB_PROGRESS, NULL);
        }
        return n;
}

static int start(struct hull_registry *r, CURLM *multi, struct xfer *x, struct hull_err *err)
{
        _cleanup_free_ char *path = hull_strdup_printf("blobs/%s", x->d->digest);
        _cleanup_free_ char *url = path ? hull_registry_url(r, path) : NULL;
        if (!url)
                return hull_err_set(err, ENOMEM, "out of memory");
        x->easy = hull_registry_easy(r, url, &x->headers, err);
        if (!x->easy)
                return -err->code;
        x->start_offset = hull_blob_writer_size(&x->w);
        if (x->start_offset > 0) {
                char range[64];
                snprintf(range, sizeof(range), "%llu-", (unsigned long long)x->start_offset);
                curl_easy_setopt(x->easy, CURLOPT_RANGE, range);
        }
        x->first_chunk = true;
        x->errbuf[0] = '\0';
        curl_easy_setopt(x->easy, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
        curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
        curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
        if (curl_multi_add_handle(multi, x->easy) != CURLM_OK)
                return hull_err_set(err, EIO, "curl: cannot start a transfer");
        x->running = true;
        if (x->attempts == 0)
                emit(x, HULL_BLOB_START, NULL);
        return 0;
}

static void stop(CURLM *multi, struct xfer *x)
{
        if (x->easy) {
                curl_multi_remove_handle(multi, x->easy);
                curl_easy_cleanup(x->easy);
        }
        curl_slist_free_all(x->headers);
        x->easy = NULL;
        x->headers = NULL;
        x->running = false;
}

static bool transient(CURLcode cc, long status)
{
        if (cc == CURLE_HTTP_RETURNED_ERROR)
                return status >= 500 || status == 429 || status == 408;
        return cc == CURLE_COULDNT_CONNECT || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR ||
               cc == CURLE_PARTIAL_FILE || cc == CURLE_OPERATION_TIMEDOUT ||
               cc == CURLE_GOT_NOTHING || cc == CURLE_HTTP2 || cc == CURLE_HTTP2_STREAM;
}

/* A transfer ended: commit, schedule a retry, or fail. */
static int finished(struct hull_registry *r, CURLM *multi, struct xfer *x, CURLcode cc,
                    struct hull_err *err)
{
        long status = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        stop(multi, x);
        if (x->werr.code) {
                *err = x->werr;
                return -x->werr.code;
        }
        if (cc == CURLE_OK) {
                if (hull_blob_writer_size(&x->w) < (uint64_t)x->d->size) {
                        cc = CURLE_PARTIAL_FILE; /* connection closed early, but "cleanly" */
                } else {
                        x->writer_open = false;
                        int rc = hull_blob_writer_commit(&x->w, NULL, err);
                        if (rc < 0)
                                return hull_err_wrap(err, "download %s", x->d->digest);
                        x->done = true;
                        emit(x, HULL_BLOB_DONE, NULL);
                        return 0;
                }
        }
        if (cc == CURLE_HTTP_RETURNED_ERROR && status == 401 && !x->reauthed) {
                x->reauthed = true;
                struct hull_http_response resp = {0};
                /* The token may have expired: fetch a new one through a HEAD of the blob. */
                _cleanup_free_ char *path =
                    hull_strdup_printf("/v2/%s/blobs/%s", r->repo, x->d->digest);
                int rc = path ? hull_registry_request(r, "HEAD", path, NULL, NULL, 0, 0, &resp, err)
                              : hull_err_set(err, ENOMEM, "out of memory");
                hull_http_response_free(&resp);
                if (rc < 0)
                        return rc;
                x->retry_at = 0;
                return 0;
        }
        const char *why = cc == CURLE_HTTP_RETURNED_ERROR ? "server error" : curl_easy_strerror(cc);
        if (!transient(cc, status) || x->attempts >= r->opts->retries) {
                if (cc == CURLE_HTTP_RETURNED_ERROR)
                        return hull_err_set(err, status == 404 ? ENOENT : EIO,
                                            "download %s: HTTP %ld", x->d->digest, status);
                return hull_err_set(err, EIO, "download %s: %s%s%s", x->d->digest,
                                    curl_easy_strerror(cc), x->errbuf[0] ? ": " : "", x->errbuf);
        }
        x->attempts++;
        unsigned base = r->opts->retry_delay_ms ? r->opts->retry_delay_ms : 500;
        x->retry_at = now_s() + (base << (x->attempts - 1)) / 1000.0;
        emit(x, HULL_BLOB_RETRY, why);
        return 0;
}

static int pump(struct hull_registry *r, CURLM *multi, struct xfer *xs, size_t n, int parallel,
                struct hull_err *err)
{
        for (;;) {
                int running = 0, pending = 0;
                double t = now_s();
                for (size_t i = 0; i < n; i++)
                        running += xs[i].running;
                for (size_t i = 0; i < n; i++) {
                        struct xfer *x = &xs[i];
                        if (x->done || x->running)
                                continue;
                        pending++;
                        if (running < parallel && x->retry_at <= t) {
                                int rc = start(r, multi, x, err);
                                if (rc < 0)
                                        return rc;
                                running++;
                        }
                }
                if (running == 0 && pending == 0)
                        return 0;
                int still = 0;
                if (curl_multi_perform(multi, &still) != CURLM_OK)
                        return hull_err_set(err, EIO, "curl multi failed");
                CURLMsg *msg;
                int left;
                while ((msg = curl_multi_info_read(multi, &left))) {
                        if (msg->msg != CURLMSG_DONE)
                                continue;
                        struct xfer *x = NULL;
                        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
                        int rc = finished(r, multi, x, msg->data.result, err);
                        if (rc < 0)
                                return rc;
                }
                curl_multi_poll(multi, NULL, 0, running ? 200 : 50, NULL);
        }
}

int hull_registry_fetch_blobs(struct hull_registry *r, struct hull_store *s,
                              const struct hull_descriptor *const *descs, size_t n,
                              const struct hull_blob_fetch_opts *o, struct hull_err *err)
{
        if (n == 0)
                return 0;
        struct xfer *xs = calloc(n, sizeof(*xs));
        CURLM *multi = curl_multi_init();
        if (!xs || !multi) {
                free(xs);
                if (multi)
                        curl_multi_cleanup(multi);
                return hull_err_set(err, ENOMEM, "out of memory");
        }
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                xs[i].d = descs[i];
                xs[i].o = o;
                rc = hull_blob_writer_open(s, descs[i]->digest, descs[i]->size, &xs[i].w, err);
                xs[i].writer_open = rc == 0;
        }
        if (rc == 0)
                rc = pump(r, multi, xs, n, o->parallel > 0 ? o->parallel : 6, err);
        for (size_t i = 0; i < n; i++) {
                stop(multi, &xs[i]);
                if (xs[i].writer_open)
                        hull_blob_writer_abort(&xs[i].w);
        }
        curl_multi_cleanup(multi);
        free(xs);
        return rc;
}

int hull_registry_get_blob(struct hull_registry *r, const struct hull_descriptor *d, char **ret,
                           size_t *ret_len, struct hull_err *err)
{
        _cleanup_free_ char *path = hull_strdup_printf("/v2/%s/blobs/%s", r->repo, d->digest);
        if (!path)
                return hull_err_set(err, ENOMEM, "out of memory");
        struct hull_http_response resp = {0};
        int rc = hull_registry_request(r, "GET", path, NULL, NULL, 0, 16u << 20, &resp, err);
        if (rc < 0)
                return rc;
        if (resp.status != 200) {
                long st = resp.status;
                hull_http_response_free(&resp);
                return hull_err_set(err, st == 404 ? ENOENT : EIO, "get blob %s: HTTP %ld",
                                    d->digest, st);
        }
        char got[HULL_DIGEST_LEN + 1];
        hull_sha256_buf(resp.body ? resp.body : "", resp.len, got);
        if (strcmp(got, d->digest) != 0) {
                hull_http_response_free(&resp);
                return hull_err_set(err, EBADMSG, "blob %s: digest mismatch (got %s)", d->digest,
                                    got);
        }
        *ret = resp.body ? resp.body : strdup("");
        *ret_len = resp.len;
        return 0;
}

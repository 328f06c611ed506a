/* Registry connection, authentication and requests (see client.h). */
#include "registry/client.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/strutil.h"

#define MAX_SMALL_BODY (4u << 20)

void hull_http_response_free(struct hull_http_response *r)
{
        free(r->body);
        memset(r, 0, sizeof(*r));
}

bool hull_registry_host_is_loopback(const char *host)
{
        if (!strncmp(host, "localhost", 9) && (host[9] == '\0' || host[9] == ':'))
                return true;
        if (!strncmp(host, "127.", 4))
                return true;
        return !strncmp(host, "[::1]", 5);
}

static bool host_listed_insecure(const char *host)
{
        const char *list = getenv("HULL_INSECURE_REGISTRIES");
        if (!list)
                return false;
        size_t n = strlen(host);
        for (const char *p = list; (p = strstr(p, host)); p += n)
                if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
                        return true;
        return false;
}

char *hull_registry_url(struct hull_registry *r, const char *path)
{
        return hull_strdup_printf("%s/v2/%s/%s", r->base_url, r->repo, path);
}

CURL *hull_registry_easy(struct hull_registry *r, const char *url, struct curl_slist **ret_headers,
                         struct hull_err *err)
{
        CURL *c = curl_easy_init();
        if (!c) {
                hull_err_set(err, ENOMEM, "curl: cannot create a handle");
                return NULL;
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_SHARE, r->share);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_USERAGENT, "hull/" HULL_VERSION);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        /* A stalled transfer is a dropped connection: retried by the callers. */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
        if (r->insecure) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        } else if (r->ca_file) {
                curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
        }
        struct curl_slist *h = NULL;
        if (r->authorization)
                h = curl_slist_append(h, r->authorization);
        *ret_headers = h;
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        return c;
}

struct capture {
        struct hull_http_response *resp;
        size_t max;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct capture *cap = userdata;
        size_t n = size * nmemb;
        struct hull_http_response *r = cap->resp;
        if (r->len + n > cap->max)
                return 0; /* larger than anything we expect: abort */
        char *b = realloc(r->body, r->len + n + 1);
        if (!b)
                return 0;
        memcpy(b + r->len, data, n);
        r->body = b;
        r->len += n;
        b[r->len] = '\0';
        return n;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t outlen)
{
        size_t k = strlen(name);
        if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
                return;
        const char *v = line + k + 1;
        const char *end = line + n;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
        snprintf(out, outlen, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct capture *cap = userdata;
        struct hull_http_response *r = cap->resp;
        size_t n = size * nmemb;
        if (n >= 5 && !strncmp(data, "HTTP/", 5)) { /* a new response (redirects): start over */
                r->content_type[0] = r->digest[0] = r->location[0] = r->range[0] = '\0';
                r->authenticate[0] = '\0';
                r->content_length = -1;
        }
        char cl[32] = "";
        header_value(data, n, "Content-Type", r->content_type, sizeof(r->content_type));
        header_value(data, n, "Docker-Content-Digest", r->digest, sizeof(r->digest));
        header_value(data, n, "Location", r->location, sizeof(r->location));
        header_value(data, n, "Range", r->range, sizeof(r->range));
        header_value(data, n, "WWW-Authenticate", r->authenticate, sizeof(r->authenticate));
        header_value(data, n, "Content-Length", cl, sizeof(cl));
        if (cl[0])
                r->content_length = strtoll(cl, NULL, 10);
        return n;
}

static bool retryable(CURLcode cc, long status)
{
        if (cc == CURLE_OK)
                return status >= 500 && status <= 504;
        return cc == CURLE_COULDNT_CONNECT || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR ||
               cc == CURLE_PARTIAL_FILE || cc == CURLE_OPERATION_TIMEDOUT ||
               cc == CURLE_GOT_NOTHING || cc == CURLE_HTTP2 || cc == CURLE_HTTP2_STREAM;
}

static void backoff(const struct hull_registry_opts *o, int attempt)
{
        unsigned ms = (o->retry_delay_ms ? o->retry_delay_ms : 500) << (attempt < 6 ? attempt : 6);
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

static CURLcode perform_once(struct hull_registry *r, const char *method, const char *url,
                             const char *const *extra, const void *body, size_t body_len,
                             struct capture *cap, struct hull_err *err)
{
        struct curl_slist *h = NULL;
        CURL *c = hull_registry_easy(r, url, &h, err);
        if (!c)
                return CURLE_OUT_OF_MEMORY;
        for (const char *const *p = extra; p && *p; p++)
                h = curl_slist_append(h, *p);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, cap);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, cap);
        if (!strcmp(method, "HEAD")) {
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (strcmp(method, "GET") != 0) {
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
                /* Redirects of an upload must keep the method. */
                curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        }
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &cap->resp->status);
        if (cc != CURLE_OK)
                hull_err_set(err, EIO, "%s %s: %s", method, url, curl_easy_strerror(cc));
        curl_easy_cleanup(c);
        curl_slist_free_all(h);
        return cc;
}

int hull_registry_request(struct hull_registry *r, const char *method, const char *path,
                          const char *const *extra_headers, const void *body, size_t body_len,
                          size_t max_body, struct hull_http_response *resp, struct hull_err *err)
{
        _cleanup_free_ char *url = NULL;
        if (strncmp(path, "http://", 7) && strncmp(path, "https://", 8))
                url = hull_strdup_printf("%s%s", r->base_url, path);
        else
                url = strdup(path);
        if (!url)
                return hull_err_set(err, ENOMEM, "out of memory");
        bool reauthed = false;
        for (int attempt = 0;; attempt++) {
                hull_http_response_free(resp);
                resp->content_length = -1;
                struct capture cap = {.resp = resp, .max = max_body ? max_body : MAX_SMALL_BODY};
                hull_err_clear(err);
                CURLcode cc =
                    perform_once(r, method, url, extra_headers, body, body_len, &cap, err);
                if (cc == CURLE_OK && resp->status == 401 && !reauthed && resp->authenticate[0] &&
                    !r->no_reauth) {
                        reauthed = true;
                        int ar = hull_registry_reauth(r, resp->authenticate, err);
                        if (ar < 0)
                                return ar;
                        attempt--;
                        continue;
                }
                if (!retryable(cc, resp->status) || attempt >= r->opts->retries) {
                        if (cc != CURLE_OK)
                                return -err->code;
                        return 0;
                }
                hull_debug("%s %s: %s, retrying (%d/%d)", method, url,
                           cc != CURLE_OK ? curl_easy_strerror(cc) : "server error", attempt + 1,
                           r->opts->retries);
                backoff(r->opts, attempt);
        }
}

static int basic_header(const struct hull_creds *c, char **ret)
{
        _cleanup_free_ char *plain = hull_strdup_printf("%s:%s", c->user, c->password);
        _cleanup_free_ char *b64 = plain ? hull_base64_encode(plain, strlen(plain)) : NULL;
        if (plain)
                explicit_bzero(plain, strlen(plain));
        if (!b64)
                return -ENOMEM;
        *ret = hull_strdup_printf("Authorization: Basic %s", b64);
        return *ret ? 0 : -ENOMEM;
}

static char *token_url(struct hull_registry *r, CURL *c)
{
        const struct hull_challenge *ch = &r->challenge;
        _cleanup_free_ char *scope = hull_strdup_printf("repository:%s:%s", r->repo, r->actions);
        char *esc_scope = scope ? curl_easy_escape(c, scope, 0) : NULL;
        char *esc_service = ch->service ? curl_easy_escape(c, ch->service, 0) : NULL;
        char *url =
            hull_strdup_printf("%s%sscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?",
                               esc_scope ? esc_scope : "", esc_service ? "&service=" : "",
                               esc_service ? esc_service : "");
        curl_free(esc_scope);
        curl_free(esc_service);
        return url;
}

static int fetch_token(struct hull_registry *r, struct hull_err *err)
{
        const struct hull_challenge *ch = &r->challenge;
        if (!ch->realm)
                return hull_err_set(err, EPROTO, "%s: bearer challenge without a realm", r->host);
        /* Not hull_registry_easy: the old token must not go to the token server. */
        _cleanup_free_ char *saved = r->authorization;
        r->authorization = NULL;
        if (r->creds.user && basic_header(&r->creds, &r->authorization) < 0)
                return hull_err_set(err, ENOMEM, "out of memory");
        struct curl_slist *h = NULL;
        CURL *c = hull_registry_easy(r, "", &h, err);
        free(r->authorization);
        r->authorization = NULL;
        if (!c)
                return -err->code;
        _cleanup_free_ char *url = token_url(r, c);
        struct hull_http_response resp = {0};
        struct capture cap = {.resp = &resp, .max = 1u << 20};
        curl_easy_setopt(c, CURLOPT_URL, url ? url : "");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &cap);
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
        curl_easy_cleanup(c);
        curl_slist_free_all(h);
        int ret = 0;
        if (cc != CURLE_OK) {
                ret = hull_err_set(err, EIO, "get a token from %s: %s", ch->realm,
                                   curl_easy_strerror(cc));
        } else if (resp.status == 401 || resp.status == 403) {
                ret = hull_err_set(
                    err, EACCES, "authentication to %s failed: %s (use hull login or --creds)",
                    r->host, r->creds.user ? "bad username or password" : "credentials required");
        } else if (resp.status != 200) {
                ret = hull_err_set(err, EPROTO, "token server %s answered HTTP %ld", ch->realm,
                                   resp.status);
        } else {
                json_auto_t *j = json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL);
                const char *tok = json_string_value(json_object_get(j, "token"));
                if (!tok)
                        tok = json_string_value(json_object_get(j, "access_token"));
                if (!tok)
                        ret = hull_err_set(err, EPROTO, "token server %s sent no token", ch->realm);
                else if (!(r->authorization = hull_strdup_printf("Authorization: Bearer %s", tok)))
                        ret = hull_err_set(err, ENOMEM, "out of memory");
        }
        hull_http_response_free(&resp);
        if (ret < 0)
                r->authorization = TAKE_PTR(saved);
        return ret;
}

int hull_registry_reauth(struct hull_registry *r, const char *www_authenticate,
                         struct hull_err *err)
{
        hull_challenge_free(&r->challenge);
        hull_challenge_parse(www_authenticate, &r->challenge);
        if (!strcmp(r->challenge.scheme, "bearer"))
                return fetch_token(r, err);
        if (!strcmp(r->challenge.scheme, "basic")) {
                if (!r->creds.user)
                        return hull_err_set(err, EACCES,
                                            "%s requires authentication: use hull login or --creds",
                                            r->host);
                free(r->authorization);
                r->authorization = NULL;
                if (basic_header(&r->creds, &r->authorization) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
                return 0;
        }
        return hull_err_set(err, EPROTO, "%s: unsupported authentication \"%s\"", r->host,
                            www_authenticate);
}

static int load_creds(struct hull_registry *r, struct hull_err *err)
{
        const struct hull_registry_opts *o = r->opts;
        if (o->creds) {
                const char *colon = strchr(o->creds, ':');
                r->creds.user =
                    colon ? strndup(o->creds, (size_t)(colon - o->creds)) : strdup(o->creds);
                r->creds.password = strdup(colon ? colon + 1 : "");
                if (!r->creds.user || !r->creds.password)
                        return hull_err_set(err, ENOMEM, "out of memory");
                return 0;
        }
        return hull_auth_lookup(o->auth_file, r->auth_key, &r->creds, err);
}

static int find_ca(struct hull_registry *r)
{
        const char *dirs[] = {r->opts->cert_dir, "/etc/containers/certs.d", "/etc/docker/certs.d"};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(dirs); i++) {
                if (!dirs[i])
                        continue;
                _cleanup_free_ char *p = i == 0
                                             ? hull_strdup_printf("%s/ca.crt", dirs[i])
                                             : hull_strdup_printf("%s/%s/ca.crt", dirs[i], r->host);
                if (p && access(p, R_OK) == 0) {
                        r->ca_file = TAKE_PTR(p);
                        return 0;
                }
        }
        return 0;
}

/* Ping /v2/ over https, then (insecure registries only) plain http. */
static int ping(struct hull_registry *r, struct hull_http_response *resp, struct hull_err *err)
{
        const char *schemes[] = {"https", "http"};
        int r_ = 0;
        for (size_t i = 0; i < (r->insecure ? 2u : 1u); i++) {
                free(r->base_url);
                r->base_url = hull_strdup_printf("%s://%s", schemes[i], r->host);
                if (!r->base_url)
                        return hull_err_set(err, ENOMEM, "out of memory");
                struct hull_registry_opts once = *r->opts;
                const struct hull_registry_opts *saved = r->opts;
                if (i == 0 && r->insecure)
                        once.retries = 0; /* a plain-HTTP server fails TLS fast: no retries */
                r->opts = &once;
                r->no_reauth = true;
                r_ = hull_registry_request(r, "GET", "/v2/", NULL, NULL, 0, 0, resp, err);
                r->no_reauth = false;
                r->opts = saved;
                if (r_ == 0)
                        break;
        }
        if (r_ < 0)
                return hull_err_wrap(err, "ping registry %s", r->host);
        if (resp->status != 200 && resp->status != 401)
                return hull_err_set(err, EPROTO, "%s/v2/ answered HTTP %ld: not a registry?",
                                    r->base_url, resp->status);
        return 0;
}

int hull_registry_open(const struct hull_ref *ref, const char *actions,
                       const struct hull_registry_opts *opts, struct hull_registry *ret,
                       struct hull_err *err)
{
        static bool curl_ready;
        if (!curl_ready) {
                curl_global_init(CURL_GLOBAL_DEFAULT);
                curl_ready = true;
        }
        _cleanup_(hull_registry_closep) struct hull_registry r = {.opts = opts};
        r.host = strdup(hull_ref_registry_host(ref));
        r.auth_key = strdup(ref->domain);
        r.repo = strdup(ref->path);
        r.actions = strdup(actions);
        r.share = curl_share_init();
        if (!r.host || !r.auth_key || !r.repo || !r.actions || !r.share)
                return hull_err_set(err, ENOMEM, "out of memory");
        curl_share_setopt(r.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        curl_share_setopt(r.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(r.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        r.insecure = opts->tls_verify == HULL_TLS_OFF ||
                     (opts->tls_verify == HULL_TLS_DEFAULT &&
                      (hull_registry_host_is_loopback(r.host) || host_listed_insecure(r.host)));
        find_ca(&r);
        int rc = load_creds(&r, err);
        if (rc < 0)
                return rc;
        struct hull_http_response resp = {0};
        rc = ping(&r, &resp, err);
        if (rc == 0 && resp.status == 401)
                rc = hull_registry_reauth(&r, resp.authenticate, err);
        hull_http_response_free(&resp);
        if (rc < 0)
                return rc;
        *ret = r;
        memset(&r, 0, sizeof(r));
        return 0;
}

void hull_registry_close(struct hull_registry *r)
{
        if (!r)
                return;
        free(r->host);
        free(r->auth_key);
        free(r->repo);
        free(r->base_url);
        free(r->ca_file);
        free(r->actions);
        if (r->authorization)
                explicit_bzero(r->authorization, strlen(r->authorization));
        free(r->authorization);
        hull_creds_free(&r->creds);
        hull_challenge_free(&r->challenge);
        if (r->share)
                curl_share_cleanup(r->share);
        memset(r, 0, sizeof(*r));
}

/* A client of one repository on an OCI distribution registry (libcurl): scheme selection (TLS,
 * or plain HTTP for insecure and loopback registries), the /v2/ ping, basic and bearer-token
 * authentication, and requests with retries. */
#pragma once
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/error.h"
#include "image/reference.h"
#include "registry/auth.h"

enum hull_tls_verify { HULL_TLS_DEFAULT = -1, HULL_TLS_OFF = 0, HULL_TLS_ON = 1 };

struct hull_registry_opts {
        int tls_verify;        /* enum hull_tls_verify */
        const char *cert_dir;  /* *.crt in it are CA certificates */
        const char *creds;     /* "user:password" given on the command line */
        const char *auth_file; /* NULL: the default files */
        int retries;           /* attempts after the first, for 5xx and dropped connections */
        unsigned retry_delay_ms;
};

struct hull_registry {
        char *host;     /* "127.0.0.1:5000", "registry-1.docker.io" */
        char *auth_key; /* key in auth.json: the reference's domain */
        char *repo;     /* "library/busybox" */
        char *base_url; /* "https://host" or "http://host" */
        bool insecure;  /* TLS not verified / plain HTTP allowed */
        char *ca_file;
        char *authorization; /* "Authorization: ..." header, NULL when anonymous */
        struct hull_creds creds;
        struct hull_challenge challenge;
        char *actions; /* "pull" or "pull,push" */
        const struct hull_registry_opts *opts;
        CURLSH *share;  /* connections, DNS and TLS sessions shared by every handle */
        bool no_reauth; /* while pinging: a 401 is the answer, not a reason to authenticate */
};

struct hull_http_response {
        long status;
        char *body;
        size_t len;
        char content_type[256];
        char digest[128];    /* Docker-Content-Digest */
        char location[2048]; /* Location (uploads) */
        char range[64];      /* Range (upload progress) */
        char authenticate[1024];
        int64_t content_length;
};
void hull_http_response_free(struct hull_http_response *r);

/* Connect to the registry of REF, ping /v2/ and authenticate for ACTIONS ("pull", "pull,push").
 * The registry object keeps pointers to OPTS. */
int hull_registry_open(const struct hull_ref *ref, const char *actions,
                       const struct hull_registry_opts *opts, struct hull_registry *ret,
                       struct hull_err *err);
void hull_registry_close(struct hull_registry *r);
static inline void hull_registry_closep(struct hull_registry *r)
{
        hull_registry_close(r);
}

/* A request to base_url + PATH (PATH "/v2/<repo>/..." or an absolute URL from a Location
 * header). BODY/BODY_LEN may be given for PUT/POST/PATCH; EXTRA_HEADERS is NULL-terminated.
 * 5xx and network errors are retried; a 401 re-authenticates once. The status is returned in
 * resp; only transport failures are errors. MAX_BODY caps what is kept of the body. */
int hull_registry_request(struct hull_registry *r, const char *method, const char *path,
                          const char *const *extra_headers, const void *body, size_t body_len,
                          size_t max_body, struct hull_http_response *resp, struct hull_err *err);

/* A curl easy handle set up for this registry (TLS, auth header list via RET_HEADERS, shared
 * connections) for transfers the caller drives, e.g. in a curl multi. */
CURL *hull_registry_easy(struct hull_registry *r, const char *url, struct curl_slist **ret_headers,
                         struct hull_err *err);
/* Re-run authentication after a 401 (new token). */
int hull_registry_reauth(struct hull_registry *r, const char *www_authenticate,
                         struct hull_err *err);
/* URL for PATH below the repository: base/v2/<repo>/<path>. malloc'd. */
char *hull_registry_url(struct hull_registry *r, const char *path);
/* True for localhost, 127.0.0.0/8 and ::1. */
bool hull_registry_host_is_loopback(const char *host);

/* auth.json handling and challenge parsing (see auth.h). The file format is Docker's:
 * {"auths": {"host": {"auth": base64("user:password")}}}. */
#include "registry/auth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"

void hull_creds_free(struct hull_creds *c)
{
        if (!c)
                return;
        if (c->password)
                explicit_bzero(c->password, strlen(c->password));
        free(c->user);
        free(c->password);
        c->user = c->password = NULL;
}

char *hull_base64_encode(const void *data, size_t len)
{
        char *out = malloc(4 * ((len + 2) / 3) + 1);
        if (out)
                EVP_EncodeBlock((unsigned char *)out, data, (int)len);
        return out;
}

char *hull_base64_decode(const char *s, size_t *ret_len)
{
        size_t n = strlen(s);
        if (n % 4 != 0)
                return NULL;
        unsigned char *out = malloc(n / 4 * 3 + 1);
        if (!out)
                return NULL;
        int r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
        if (r < 0) {
                free(out);
                return NULL;
        }
        /* EVP_DecodeBlock counts the padding as data. */
        while (n > 0 && s[n - 1] == '=' && r > 0) {
                n--;
                r--;
        }
        out[r] = '\0';
        if (ret_len)
                *ret_len = (size_t)r;
        return (char *)out;
}

char *hull_auth_default_file(void)
{
        const char *env = getenv("REGISTRY_AUTH_FILE");
        if (env && *env)
                return strdup(env);
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg && *xdg)
                return hull_strdup_printf("%s/containers/auth.json", xdg);
        return hull_strdup_printf("/run/containers/%u/auth.json", (unsigned)getuid());
}

static int lookup_in(const char *path, const char *host, struct hull_creds *ret,
                     struct hull_err *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        struct hull_err e = {0};
        if (hull_file_read(AT_FDCWD, path, &data, &len, &e) < 0) {
                if (e.code == ENOENT)
                        return 0;
                *err = e;
                return -e.code;
        }
        json_auto_t *j = json_loadb(data, len, 0, NULL);
        if (!j)
                return hull_err_set(err, EINVAL, "%s: invalid JSON", path);
        json_t *entry = json_object_get(json_object_get(j, "auths"), host);
        if (!entry && strcmp(host, "docker.io") == 0)
                entry = json_object_get(json_object_get(j, "auths"), "https://index.docker.io/v1/");
        const char *auth = json_string_value(json_object_get(entry, "auth"));
        if (!auth)
                return 0;
        _cleanup_free_ char *plain = hull_base64_decode(auth, NULL);
        char *colon = plain ? strchr(plain, ':') : NULL;
        if (!colon)
                return hull_err_set(err, EINVAL, "%s: bad \"auth\" entry for %s", path, host);
        *colon = '\0';
        ret->user = strdup(plain);
        ret->password = strdup(colon + 1);
        explicit_bzero(colon + 1, strlen(colon + 1));
        if (!ret->user || !ret->password)
                return hull_err_set(err, ENOMEM, "out of memory");
        return 1;
}

int hull_auth_lookup(const char *auth_file, const char *host, struct hull_creds *ret,
                     struct hull_err *err)
{
        if (auth_file)
                return lookup_in(auth_file, host, ret, err) < 0 ? -err->code : 0;
        _cleanup_free_ char *def = hull_auth_default_file();
        if (!def)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = lookup_in(def, host, ret, err);
        if (r != 0)
                return r < 0 ? r : 0;
        const char *home = getenv("HOME");
        if (!home || !*home)
                return 0;
        _cleanup_free_ char *docker = hull_strdup_printf("%s/.docker/config.json", home);
        if (!docker)
                return hull_err_set(err, ENOMEM, "out of memory");
        r = lookup_in(docker, host, ret, err);
        return r < 0 ? r : 0;
}

static int make_parent(const char *path, struct hull_err *err)
{
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return 0;
        *slash = '\0';
        return hull_mkdir_p(dir, 0700, err);
}

int hull_auth_store(const char *auth_file, const char *host, const char *user, const char *password,
                    struct hull_err *err)
{
        _cleanup_free_ char *def = auth_file ? NULL : hull_auth_default_file();
        const char *path = auth_file ? auth_file : def;
        if (!path)
                return hull_err_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct hull_err e = {0};
        json_t *root = NULL;
        if (hull_file_read(AT_FDCWD, path, &data, &len, &e) == 0)
                root = json_loadb(data, len, 0, NULL);
        if (!json_is_object(root)) {
                json_decref(root);
                root = json_object();
        }
        json_auto_t *j = root;
        json_t *auths = json_object_get(j, "auths");
        if (!json_is_object(auths)) {
                auths = json_object();
                json_object_set_new(j, "auths", auths);
        }
        if (!password) {
                if (json_object_del(auths, host) < 0)
                        return hull_err_set(err, ENOENT, "not logged in to %s", host);
        } else {
                _cleanup_free_ char *plain = hull_strdup_printf("%s:%s", user, password);
                _cleanup_free_ char *b64 = plain ? hull_base64_encode(plain, strlen(plain)) : NULL;
                if (!b64)
                        return hull_err_set(err, ENOMEM, "out of memory");
                json_object_set_new(auths, host, json_pack("{ss}", "auth", b64));
                explicit_bzero(plain, strlen(plain));
        }
        _cleanup_free_ char *text = json_dumps(j, JSON_INDENT(8));
        if (!text)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = make_parent(path, err);
        if (r < 0)
                return r;
        r = hull_file_write_atomic(AT_FDCWD, path, text, strlen(text), 0600, err);
        explicit_bzero(text, strlen(text));
        return r;
}

static char *param(const char *h, const char *key)
{
        size_t klen = strlen(key);
        for (const char *p = h; (p = strcasestr(p, key));) {
                bool start = p == h || p[-1] == ' ' || p[-1] == ',';
                const char *v = p + klen;
                p = v;
                if (!start || *v != '=')
                        continue;
                v++;
                if (*v == '"') {
                        const char *end = strchr(v + 1, '"');
                        return end ? strndup(v + 1, (size_t)(end - v - 1)) : NULL;
                }
                size_t n = strcspn(v, ", ");
                return strndup(v, n);
        }
        return NULL;
}

void hull_challenge_parse(const char *header, struct hull_challenge *ret)
{
        memset(ret, 0, sizeof(*ret));
        while (*header == ' ')
                header++;
        size_t n = strcspn(header, " ");
        if (n >= sizeof(ret->scheme))
                return;
        for (size_t i = 0; i < n; i++)
                ret->scheme[i] = (char)tolower((unsigned char)header[i]);
        ret->realm = param(header + n, "realm");
        ret->service = param(header + n, "service");
        ret->scope = param(header + n, "scope");
}

void hull_challenge_free(struct hull_challenge *c)
{
        free(c->realm);
        free(c->service);
        free(c->scope);
        memset(c, 0, sizeof(*c));
}

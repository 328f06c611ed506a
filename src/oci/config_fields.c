/* Typed field readers for the config.json parser and its error messages: every error is one
 * line naming the file, the value's line:column when the raw text is known, and its JSON path. */
#include "oci/config_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

static int fail_va(struct oci_ctx *ctx, const char *locate, const char *shown, const char *fmt,
                   va_list ap) __attribute__((format(printf, 4, 0)));

static int fail_va(struct oci_ctx *ctx, const char *locate, const char *shown, const char *fmt,
                   va_list ap)
{
        char msg[HULL_ERR_MSG_MAX];
        unsigned line, column;
        vsnprintf(msg, sizeof(msg), fmt, ap);
        if (!shown[0])
                shown = "."; /* the document itself */
        if (ctx->text && hull_json_locate(ctx->text, ctx->len, locate, &line, &column) == 0)
                return hull_err_set(ctx->err, EINVAL, "%s:%u:%u: %s: %s", ctx->name, line, column,
                                    shown, msg);
        return hull_err_set(ctx->err, EINVAL, "%s: %s: %s", ctx->name, shown, msg);
}

int oci_fail(struct oci_ctx *ctx, const char *path, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = fail_va(ctx, path, path, fmt, ap);
        va_end(ap);
        return r;
}

static int fail_shown(struct oci_ctx *ctx, const char *locate, const char *shown, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static int fail_shown(struct oci_ctx *ctx, const char *locate, const char *shown, const char *fmt,
                      ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = fail_va(ctx, locate, shown, fmt, ap);
        va_end(ap);
        return r;
}

int oci_fail_missing(struct oci_ctx *ctx, const char *path, const char *key)
{
        char p[HULL_JSON_PATH_MAX];
        hull_json_path_key(p, sizeof(p), path, key);
        return fail_shown(ctx, path, p, "missing required field");
}

int oci_oom(struct oci_ctx *ctx)
{
        return hull_err_set(ctx->err, ENOMEM, "%s: out of memory", ctx->name);
}

const char *oci_quote(const char *s, char *buf, size_t size)
{
        size_t w = 0, i;
        if (size < 16)
                return "\"...\"";
        buf[w++] = '"';
        for (i = 0; s[i] && i < 64 && w + 8 < size; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '"' || c == '\\') {
                        buf[w++] = '\\';
                        buf[w++] = (char)c;
                } else if (c < 0x20 || c == 0x7f) {
                        w += (size_t)snprintf(buf + w, size - w, "\\u%04x", c);
                } else {
                        buf[w++] = (char)c;
                }
        }
        if (s[i] && w + 4 < size) {
                memcpy(buf + w, "...", 3);
                w += 3;
        }
        buf[w++] = '"';
        buf[w] = '\0';
        return buf;
}

static const char *type_name(json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return "object";
        case JSON_ARRAY:
                return "array";
        case JSON_STRING:
                return "string";
        case JSON_INTEGER:
        case JSON_REAL:
                return "number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "boolean";
        case JSON_NULL:
                return "null";
        }
        return "unknown";
}

static const char *expected_name(enum oci_type type)
{
        switch (type) {
        case OCI_STRING:
                return "a string";
        case OCI_BOOL:
                return "a boolean";
        case OCI_INT:
                return "an integer";
        case OCI_OBJECT:
                return "an object";
        case OCI_ARRAY:
                return "an array";
        }
        return "?";
}

int oci_check(struct oci_ctx *ctx, json_t *v, const char *path, enum oci_type type)
{
        bool ok = false;
        switch (type) {
        case OCI_STRING:
                ok = json_is_string(v);
                break;
        case OCI_BOOL:
                ok = json_is_boolean(v);
                break;
        case OCI_INT:
                ok = json_is_integer(v);
                if (json_is_real(v))
                        return oci_fail(ctx, path,
                                        "expected an integer, got number %g (write it without "
                                        "fraction or exponent)",
                                        json_real_value(v));
                break;
        case OCI_OBJECT:
                ok = json_is_object(v);
                break;
        case OCI_ARRAY:
                ok = json_is_array(v);
                break;
        }
        if (!ok)
                return oci_fail(ctx, path, "expected %s, got %s", expected_name(type),
                                type_name(v));
        return 0;
}

int oci_field(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key,
              enum oci_type type, bool required, json_t **ret)
{
        char p[HULL_JSON_PATH_MAX];
        json_t *v = json_object_get(obj, key);
        *ret = NULL;
        /* null is absent, as for the Go programs that write these files */
        if (!v || json_is_null(v))
                return required ? oci_fail_missing(ctx, path, key) : 0;
        hull_json_path_key(p, sizeof(p), path, key);
        int r = oci_check(ctx, v, p, type);
        if (r < 0)
                return r;
        *ret = v;
        return 1;
}

int oci_string(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool required,
               char **ret)
{
        json_t *v;
        int r = oci_field(ctx, obj, path, key, OCI_STRING, required, &v);
        *ret = NULL;
        if (r <= 0)
                return r;
        *ret = strdup(json_string_value(v));
        return *ret ? 1 : oci_oom(ctx);
}

int oci_bool(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool *ret)
{
        json_t *v;
        int r = oci_field(ctx, obj, path, key, OCI_BOOL, false, &v);
        if (r > 0)
                *ret = json_is_true(v);
        return r;
}

static bool is_big(const struct oci_ctx *ctx, const char *path)
{
        for (char **p = ctx->big_paths; p && *p; p++)
                if (strcmp(*p, path) == 0)
                        return true;
        return false;
}

int oci_int_value(struct oci_ctx *ctx, json_t *v, const char *path, int64_t min, int64_t max,
                  int64_t *ret)
{
        int r = oci_check(ctx, v, path, OCI_INT);
        if (r < 0)
                return r;
        int64_t n = json_integer_value(v);
        if (is_big(ctx, path))
                return oci_fail(ctx, path, "%" PRIu64 " is out of range (%" PRId64 "..%" PRId64 ")",
                                (uint64_t)n, min, max);
        if (n < min || n > max)
                return oci_fail(ctx, path, "%" PRId64 " is out of range (%" PRId64 "..%" PRId64 ")",
                                n, min, max);
        *ret = n;
        return 0;
}

int oci_int(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool required,
            int64_t min, int64_t max, int64_t *ret)
{
        char p[HULL_JSON_PATH_MAX];
        json_t *v;
        int r = oci_field(ctx, obj, path, key, OCI_INT, required, &v);
        if (r <= 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, key);
        r = oci_int_value(ctx, v, p, min, max, ret);
        return r < 0 ? r : 1;
}

int oci_uint64(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool required,
               uint64_t *ret)
{
        char p[HULL_JSON_PATH_MAX];
        json_t *v;
        int r = oci_field(ctx, obj, path, key, OCI_INT, required, &v);
        if (r <= 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, key);
        int64_t n = json_integer_value(v);
        /* a negative value here is either a literal above INT64_MAX (fine) or a mistake */
        if (n < 0 && !is_big(ctx, p))
                return oci_fail(ctx, p, "%" PRId64 " is out of range (0..%" PRIu64 ")", n,
                                UINT64_MAX);
        *ret = (uint64_t)n;
        return 1;
}

int oci_strv(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key,
             bool null_if_absent, char ***ret, size_t *ret_n)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        json_t *a;
        int present = oci_field(ctx, obj, path, key, OCI_ARRAY, false, &a);
        if (present < 0)
                return present;
        if (!present && null_if_absent) {
                *ret = NULL;
                if (ret_n)
                        *ret_n = 0;
                return 0;
        }
        size_t n = a ? json_array_size(a) : 0;
        _cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
        if (!v)
                return oci_oom(ctx);
        hull_json_path_key(p, sizeof(p), path, key);
        for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(a, i);
                hull_json_path_index(ep, sizeof(ep), p, i);
                int r = oci_check(ctx, e, ep, OCI_STRING);
                if (r < 0)
                        return r;
                v[i] = strdup(json_string_value(e));
                if (!v[i])
                        return oci_oom(ctx);
        }
        *ret = TAKE_PTR(v);
        if (ret_n)
                *ret_n = n;
        return present;
}

int oci_check_absolute(struct oci_ctx *ctx, const char *path, const char *value)
{
        char q[OCI_QUOTE_MAX];
        if (value[0] != '/')
                return oci_fail(ctx, path, "%s is not an absolute path",
                                oci_quote(value, q, sizeof(q)));
        return 0;
}

static int parse_idmap(struct oci_ctx *ctx, json_t *e, const char *path, struct hull_oci_idmap *m)
{
        int64_t container_id, host_id, size;
        int r = oci_check(ctx, e, path, OCI_OBJECT);
        if (r < 0)
                return r;
        if ((r = oci_int(ctx, e, path, "containerID", true, 0, UINT32_MAX, &container_id)) < 0 ||
            (r = oci_int(ctx, e, path, "hostID", true, 0, UINT32_MAX, &host_id)) < 0 ||
            (r = oci_int(ctx, e, path, "size", true, 1, UINT32_MAX, &size)) < 0)
                return r;
        /* the kernel refuses ranges that wrap around the 32-bit id space */
        if (container_id + size > UINT32_MAX || host_id + size > UINT32_MAX)
                return oci_fail(ctx, path,
                                "id range [%" PRId64 ", %" PRId64 ") or [%" PRId64 ", %" PRId64
                                ") goes past %" PRIu32,
                                container_id, container_id + size, host_id, host_id + size,
                                UINT32_MAX);
        m->container_id = (uint32_t)container_id;
        m->host_id = (uint32_t)host_id;
        m->size = (uint32_t)size;
        return 0;
}

int oci_idmaps(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key,
               struct hull_oci_idmap **ret, size_t *ret_n)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        json_t *a;
        int r = oci_field(ctx, obj, path, key, OCI_ARRAY, false, &a);
        if (r <= 0)
                return r;
        size_t n = json_array_size(a);
        _cleanup_free_ struct hull_oci_idmap *m = calloc(n ? n : 1, sizeof(*m));
        if (!m)
                return oci_oom(ctx);
        hull_json_path_key(p, sizeof(p), path, key);
        for (size_t i = 0; i < n; i++) {
                hull_json_path_index(ep, sizeof(ep), p, i);
                r = parse_idmap(ctx, json_array_get(a, i), ep, &m[i]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(m);
        *ret_n = n;
        return 1;
}

int oci_load_json(struct oci_ctx *ctx, json_t **ret_root)
{
        json_error_t e;
        json_t *root = hull_json_load_u64(ctx->text, ctx->len, &e, &ctx->big_paths);
        if (!root) {
                if (e.line >= 1 && e.column >= 1)
                        return hull_err_set(ctx->err, EINVAL, "%s:%d:%d: syntax error: %s",
                                            ctx->name, e.line, e.column, e.text);
                return hull_err_set(ctx->err, EINVAL, "%s: syntax error: %s", ctx->name, e.text);
        }
        *ret_root = root;
        return 0;
}

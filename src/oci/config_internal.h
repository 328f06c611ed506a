/* Shared by the config.json parser files (not a public interface): the parse context, typed
 * field readers, and errors that name the file, line:column and JSON path. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "oci/config.h"
#include "oci/json_locate.h"

struct oci_ctx {
        const char *name; /* file name for messages */
        const char *text; /* raw text for positions; NULL when parsing a json_t */
        size_t len;
        char **big_paths; /* see hull_json_load_u64; may be NULL */
        struct hull_err *err;
};

enum oci_type {
        OCI_STRING,
        OCI_BOOL,
        OCI_INT,
        OCI_OBJECT,
        OCI_ARRAY,
};

/* "NAME:LINE:COL: PATH: message" (or "NAME: PATH: message" when PATH cannot be located).
 * Returns -EINVAL. */
int oci_fail(struct oci_ctx *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* KEY missing from the object at PATH: positioned at the object, naming PATH.KEY. */
int oci_fail_missing(struct oci_ctx *ctx, const char *path, const char *key);
int oci_oom(struct oci_ctx *ctx);

/* Parse ctx->text into *ret_root (any JSON value), filling ctx->big_paths (the caller frees
 * it). A syntax error is "NAME:LINE:COL: syntax error: ...". */
int oci_load_json(struct oci_ctx *ctx, json_t **ret_root);

/* S quoted as a JSON string for messages, cut after 64 bytes; always one line. */
const char *oci_quote(const char *s, char *buf, size_t size);
#define OCI_QUOTE_MAX 96

/* V (at PATH) has TYPE; integers must be JSON integers, not 1.0. */
int oci_check(struct oci_ctx *ctx, json_t *v, const char *path, enum oci_type type);
/* Member KEY of OBJ (at PATH) when present and not null, checked against TYPE: *ret is the
 * borrowed value or NULL. Returns 1 when present, 0 when absent (an error if REQUIRED). */
int oci_field(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key,
              enum oci_type type, bool required, json_t **ret);

/* Typed members; each returns 1 when present, 0 when absent (then *ret is untouched, or
 * NULL for strings), negative on error. */
int oci_string(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool required,
               char **ret);
int oci_bool(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool *ret);
int oci_int(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool required,
            int64_t min, int64_t max, int64_t *ret);
int oci_uint64(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key, bool required,
               uint64_t *ret);
/* An integer value V at PATH within [MIN, MAX]. */
int oci_int_value(struct oci_ctx *ctx, json_t *v, const char *path, int64_t min, int64_t max,
                  int64_t *ret);
/* An array of strings: NULL-terminated copy in *ret (an empty vector when absent, or NULL
 * when NULL_IF_ABSENT), its length in *ret_n (may be NULL). */
int oci_strv(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key,
             bool null_if_absent, char ***ret, size_t *ret_n);
/* Error unless VALUE (at PATH) is an absolute path. */
int oci_check_absolute(struct oci_ctx *ctx, const char *path, const char *value);
/* uidMappings/gidMappings-style array of {containerID, hostID, size}. */
int oci_idmaps(struct oci_ctx *ctx, json_t *obj, const char *path, const char *key,
               struct hull_oci_idmap **ret, size_t *ret_n);

/* The sections, in config_process.c and config_linux.c. */
int oci_parse_process(struct oci_ctx *ctx, json_t *obj, const char *path,
                      struct hull_oci_process **ret);
int oci_parse_linux(struct oci_ctx *ctx, json_t *obj, const char *path, struct hull_oci_linux *ret);
void oci_linux_free(struct hull_oci_linux *l);
/* Checks across sections: namespaces needed by hostname, id mappings, time offsets. */
int oci_validate_linux(struct oci_ctx *ctx, const struct hull_oci_config *c);

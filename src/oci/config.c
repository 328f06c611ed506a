/* config.json into struct hull_oci_config: the document, root, hostname, mounts, hooks and
 * annotations here; process and linux sections in config_process.c and config_linux.c. */
#include "oci/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/path.h"
#include "oci/config_internal.h"

static const char *const hook_names[HULL_HOOK_COUNT] = {
    [HULL_HOOK_PRESTART] = "prestart",
    [HULL_HOOK_CREATE_RUNTIME] = "createRuntime",
    [HULL_HOOK_CREATE_CONTAINER] = "createContainer",
    [HULL_HOOK_START_CONTAINER] = "startContainer",
    [HULL_HOOK_POSTSTART] = "poststart",
    [HULL_HOOK_POSTSTOP] = "poststop",
};

static void mount_clear(struct hull_oci_mount *m)
{
        free(m->destination);
        free(m->source);
        free(m->type);
        hull_strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

static void hook_clear(struct hull_oci_hook *h)
{
        free(h->path);
        hull_strv_free(h->args);
        hull_strv_free(h->env);
}

void hull_oci_config_free(struct hull_oci_config *c)
{
        if (!c)
                return;
        free(c->path);
        free(c->oci_version);
        free(c->root_path);
        free(c->hostname);
        free(c->domainname);
        hull_oci_process_free(c->process);
        for (size_t i = 0; i < c->n_mounts; i++)
                mount_clear(&c->mounts[i]);
        free(c->mounts);
        for (int k = 0; k < HULL_HOOK_COUNT; k++) {
                for (size_t i = 0; i < c->hooks.count[k]; i++)
                        hook_clear(&c->hooks.list[k][i]);
                free(c->hooks.list[k]);
        }
        oci_linux_free(&c->linux_);
        json_decref(c->root);
        free(c);
}

static int parse_root(struct oci_ctx *ctx, json_t *doc, struct hull_oci_config *c)
{
        json_t *root;
        int r = oci_field(ctx, doc, "", "root", OCI_OBJECT, true, &root);
        if (r < 0 || (r = oci_string(ctx, root, ".root", "path", true, &c->root_path)) < 0)
                return r;
        if (c->root_path[0] == '\0')
                return oci_fail(ctx, ".root.path", "must not be empty");
        r = oci_bool(ctx, root, ".root", "readonly", &c->root_readonly);
        return r < 0 ? r : 0;
}

static int parse_mount(struct oci_ctx *ctx, json_t *e, const char *path, struct hull_oci_mount *m)
{
        char p[HULL_JSON_PATH_MAX];
        _cleanup_free_ char *dest = NULL;
        int r = oci_check(ctx, e, path, OCI_OBJECT);
        if (r < 0 || (r = oci_string(ctx, e, path, "destination", true, &dest)) < 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, "destination");
        /* runc 1.1 still took relative destinations (with a warning); the spec wants absolute */
        if ((r = oci_check_absolute(ctx, p, dest)) < 0)
                return r;
        m->destination = hull_path_clean(dest);
        if (!m->destination)
                return oci_oom(ctx);
        if ((r = oci_string(ctx, e, path, "source", false, &m->source)) < 0 ||
            (r = oci_string(ctx, e, path, "type", false, &m->type)) < 0 ||
            (r = oci_strv(ctx, e, path, "options", false, &m->options, &m->n_options)) < 0 ||
            (r = oci_idmaps(ctx, e, path, "uidMappings", &m->uid_mappings, &m->n_uid_mappings)) <
                0 ||
            (r = oci_idmaps(ctx, e, path, "gidMappings", &m->gid_mappings, &m->n_gid_mappings)) < 0)
                return r;
        /* an idmapped mount is made from one user namespace, which needs both maps */
        if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
                return oci_fail(ctx, path, "uidMappings and gidMappings must be set together");
        return 0;
}

static int parse_mounts(struct oci_ctx *ctx, json_t *doc, struct hull_oci_config *c)
{
        char ep[HULL_JSON_PATH_MAX];
        json_t *a;
        int r = oci_field(ctx, doc, "", "mounts", OCI_ARRAY, false, &a);
        if (r <= 0)
                return r;
        size_t n = json_array_size(a);
        c->mounts = calloc(n ? n : 1, sizeof(*c->mounts));
        if (!c->mounts)
                return oci_oom(ctx);
        for (size_t i = 0; i < n; i++) {
                c->n_mounts = i + 1;
                hull_json_path_index(ep, sizeof(ep), ".mounts", i);
                r = parse_mount(ctx, json_array_get(a, i), ep, &c->mounts[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_hook(struct oci_ctx *ctx, json_t *e, const char *path, struct hull_oci_hook *h)
{
        char p[HULL_JSON_PATH_MAX];
        int64_t timeout;
        int r = oci_check(ctx, e, path, OCI_OBJECT);
        if (r < 0 || (r = oci_string(ctx, e, path, "path", true, &h->path)) < 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, "path");
        if ((r = oci_check_absolute(ctx, p, h->path)) < 0 ||
            (r = oci_strv(ctx, e, path, "args", true, &h->args, NULL)) < 0 ||
            (r = oci_strv(ctx, e, path, "env", true, &h->env, NULL)) < 0)
                return r;
        r = oci_int(ctx, e, path, "timeout", false, 1, INT_MAX, &timeout);
        if (r < 0)
                return r;
        h->has_timeout = r > 0;
        h->timeout = r > 0 ? (int)timeout : 0;
        return 0;
}

static int parse_hooks(struct oci_ctx *ctx, json_t *doc, struct hull_oci_hooks *hooks)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        json_t *obj, *a;
        int r = oci_field(ctx, doc, "", "hooks", OCI_OBJECT, false, &obj);
        if (r <= 0)
                return r;
        for (int k = 0; k < HULL_HOOK_COUNT; k++) {
                r = oci_field(ctx, obj, ".hooks", hook_names[k], OCI_ARRAY, false, &a);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                size_t n = json_array_size(a);
                hooks->list[k] = calloc(n ? n : 1, sizeof(struct hull_oci_hook));
                if (!hooks->list[k])
                        return oci_oom(ctx);
                hull_json_path_key(p, sizeof(p), ".hooks", hook_names[k]);
                for (size_t i = 0; i < n; i++) {
                        hooks->count[k] = i + 1;
                        hull_json_path_index(ep, sizeof(ep), p, i);
                        r = parse_hook(ctx, json_array_get(a, i), ep, &hooks->list[k][i]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int parse_annotations(struct oci_ctx *ctx, json_t *doc, struct hull_oci_config *c)
{
        char p[HULL_JSON_PATH_MAX];
        const char *key;
        json_t *v;
        int r = oci_field(ctx, doc, "", "annotations", OCI_OBJECT, false, &c->annotations);
        if (r <= 0)
                return r;
        json_object_foreach(c->annotations, key, v)
        {
                hull_json_path_key(p, sizeof(p), ".annotations", key);
                if ((r = oci_check(ctx, v, p, OCI_STRING)) < 0)
                        return r;
        }
        return 0;
}

/* "" is what Go writers leave for "not set"; runc does not touch the name then. */
static int parse_names(struct oci_ctx *ctx, json_t *doc, struct hull_oci_config *c)
{
        int r;
        if ((r = oci_string(ctx, doc, "", "hostname", false, &c->hostname)) < 0 ||
            (r = oci_string(ctx, doc, "", "domainname", false, &c->domainname)) < 0)
                return r;
        if (c->hostname && !c->hostname[0]) {
                free(c->hostname);
                c->hostname = NULL;
        }
        if (c->domainname && !c->domainname[0]) {
                free(c->domainname);
                c->domainname = NULL;
        }
        return 0;
}

static int parse_document(struct oci_ctx *ctx, struct hull_oci_config *c)
{
        json_t *doc = c->root, *v;
        int r;
        if ((r = oci_check(ctx, doc, "", OCI_OBJECT)) < 0 ||
            (r = oci_string(ctx, doc, "", "ociVersion", true, &c->oci_version)) < 0)
                return r;
        if (c->oci_version[0] == '\0')
                return oci_fail(ctx, ".ociVersion", "must not be empty");
        if ((r = parse_root(ctx, doc, c)) < 0 || (r = parse_names(ctx, doc, c)) < 0 ||
            (r = parse_mounts(ctx, doc, c)) < 0)
                return r;
        r = oci_field(ctx, doc, "", "process", OCI_OBJECT, false, &v);
        if (r < 0 || (r > 0 && (r = oci_parse_process(ctx, v, ".process", &c->process)) < 0))
                return r;
        if ((r = parse_hooks(ctx, doc, &c->hooks)) < 0 || (r = parse_annotations(ctx, doc, c)) < 0)
                return r;
        r = oci_field(ctx, doc, "", "linux", OCI_OBJECT, false, &v);
        if (r < 0)
                return r;
        c->has_linux = r > 0;
        if (c->has_linux && (r = oci_parse_linux(ctx, v, ".linux", &c->linux_)) < 0)
                return r;
        /* promised never NULL, also without a "linux" object */
        if (!c->linux_.masked_paths)
                c->linux_.masked_paths = calloc(1, sizeof(char *));
        if (!c->linux_.readonly_paths)
                c->linux_.readonly_paths = calloc(1, sizeof(char *));
        if (!c->linux_.masked_paths || !c->linux_.readonly_paths)
                return oci_oom(ctx);
        return oci_validate_linux(ctx, c);
}

int hull_oci_config_parse(const char *name, const char *data, size_t len,
                          struct hull_oci_config **ret, struct hull_err *err)
{
        struct oci_ctx ctx = {
            .name = name ? name : "config.json", .text = data, .len = len, .err = err};
        _cleanup_(hull_oci_config_freep) struct hull_oci_config *c = calloc(1, sizeof(*c));
        if (!c)
                return oci_oom(&ctx);
        c->path = strdup(ctx.name);
        if (!c->path)
                return oci_oom(&ctx);
        int r = oci_load_json(&ctx, &c->root);
        if (r >= 0)
                r = parse_document(&ctx, c);
        hull_strv_free(ctx.big_paths);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

int hull_oci_config_load(const char *path, struct hull_oci_config **ret, struct hull_err *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = hull_file_read(AT_FDCWD, path, &data, &len, err);
        if (r < 0)
                return r;
        return hull_oci_config_parse(path, data, len, ret, err);
}

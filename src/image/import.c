/* Importing a rootfs tarball (see import.h). The tarball is stored as given (its blob digest),
 * its diff_id is measured by decompressing it once, and unpacking it through the usual layer
 * path rejects hostile members exactly as for pulled layers. */
#include "image/import.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "image/load.h"
#include "image/manifest.h"
#include "image/unpack.h"

/* JSON array form, or shell form wrapped in /bin/sh -c, as a Dockerfile does. */
static json_t *exec_form(const char *v, bool shell)
{
        json_t *j = v[0] == '[' ? json_loads(v, 0, NULL) : NULL;
        if (json_is_array(j))
                return j;
        json_decref(j);
        if (shell)
                return json_pack("[sss]", "/bin/sh", "-c", v);
        return json_pack("[s]", v);
}

static int set_env(json_t *cfg, const char *v, struct hull_err *err)
{
        _cleanup_free_ char *kv = NULL;
        const char *eq = strchr(v, '=');
        const char *sp = strchr(v, ' ');
        if (eq && (!sp || eq < sp))
                kv = strdup(v);
        else if (sp)
                kv = hull_strdup_printf("%.*s=%s", (int)(sp - v), v, sp + 1);
        else
                return hull_err_set(err, EINVAL, "ENV needs NAME=VALUE: \"%s\"", v);
        if (!kv)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t klen = (size_t)(strchr(kv, '=') - kv);
        json_t *env = json_object_get(cfg, "Env");
        if (!json_is_array(env)) {
                env = json_array();
                json_object_set_new(cfg, "Env", env);
        }
        for (size_t i = 0; i < json_array_size(env); i++) {
                const char *e = json_string_value(json_array_get(env, i));
                if (e && !strncmp(e, kv, klen) && e[klen] == '=') {
                        json_array_set_new(env, i, json_string(kv));
                        return 0;
                }
        }
        json_array_append_new(env, json_string(kv));
        return 0;
}

static int set_label(json_t *cfg, const char *v, struct hull_err *err)
{
        const char *eq = strchr(v, '=');
        if (!eq)
                return hull_err_set(err, EINVAL, "LABEL needs KEY=VALUE: \"%s\"", v);
        json_t *labels = json_object_get(cfg, "Labels");
        if (!json_is_object(labels)) {
                labels = json_object();
                json_object_set_new(cfg, "Labels", labels);
        }
        _cleanup_free_ char *key = strndup(v, (size_t)(eq - v));
        const char *val = eq + 1;
        size_t n = strlen(val);
        if (n >= 2 && val[0] == '"' && val[n - 1] == '"')
                json_object_set_new(labels, key, json_stringn(val + 1, n - 2));
        else
                json_object_set_new(labels, key, json_string(val));
        return 0;
}

static int set_set(json_t *cfg, const char *key, const char *v)
{
        json_t *o = json_object_get(cfg, key);
        if (!json_is_object(o)) {
                o = json_object();
                json_object_set_new(cfg, key, o);
        }
        _cleanup_free_ char *name = NULL;
        if (!strcmp(key, "ExposedPorts") && !strchr(v, '/'))
                name = hull_strdup_printf("%s/tcp", v);
        json_object_set_new(o, name ? name : v, json_object());
        return 0;
}

int hull_config_apply_change(json_t *config, const char *change, struct hull_err *err)
{
        json_t *cfg = json_object_get(config, "config");
        if (!json_is_object(cfg)) {
                cfg = json_object();
                json_object_set_new(config, "config", cfg);
        }
        while (isspace((unsigned char)*change))
                change++;
        size_t n = strcspn(change, " \t");
        const char *v = change + n;
        while (isspace((unsigned char)*v))
                v++;
        char op[16];
        if (n == 0 || n >= sizeof(op) || !*v)
                return hull_err_set(err, EINVAL, "bad --change \"%s\"", change);
        for (size_t i = 0; i < n; i++)
                op[i] = (char)toupper((unsigned char)change[i]);
        op[n] = '\0';
        if (!strcmp(op, "CMD"))
                return json_object_set_new(cfg, "Cmd", exec_form(v, true)), 0;
        if (!strcmp(op, "ENTRYPOINT"))
                return json_object_set_new(cfg, "Entrypoint", exec_form(v, true)), 0;
        if (!strcmp(op, "WORKDIR"))
                return json_object_set_new(cfg, "WorkingDir", json_string(v)), 0;
        if (!strcmp(op, "USER"))
                return json_object_set_new(cfg, "User", json_string(v)), 0;
        if (!strcmp(op, "STOPSIGNAL"))
                return json_object_set_new(cfg, "StopSignal", json_string(v)), 0;
        if (!strcmp(op, "ENV"))
                return set_env(cfg, v, err);
        if (!strcmp(op, "LABEL"))
                return set_label(cfg, v, err);
        if (!strcmp(op, "EXPOSE"))
                return set_set(cfg, "ExposedPorts", v);
        if (!strcmp(op, "VOLUME"))
                return set_set(cfg, "Volumes", v);
        return hull_err_set(err, EINVAL,
                            "unsupported --change instruction \"%s\" (CMD, ENTRYPOINT, ENV, "
                            "WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL, VOLUME)",
                            op);
}

static const char *arch(void)
{
        struct hull_platform p = {0};
        static char buf[16];
        struct hull_err ignore = {0};
        if (hull_platform_parse(NULL, &p, &ignore) == 0) {
                snprintf(buf, sizeof(buf), "%s", p.arch);
                hull_platform_free(&p);
                return buf;
        }
        return "amd64";
}

static int build_image(struct hull_store *s, const char *blob, const char *diff_id,
                       const char *const *changes, const char *message,
                       char manifest_digest[HULL_DIGEST_LEN + 1], struct hull_err *err)
{
        char now[32];
        time_t t = time(NULL);
        struct tm tm;
        strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        json_auto_t *cfg = json_pack(
            "{ss ss ss s{} s{ss s[s]} s[{ss ss ss}]}", "created", now, "architecture", arch(), "os",
            "linux", "config", "rootfs", "type", "layers", "diff_ids", diff_id, "history",
            "created", now, "created_by", "hull import", "comment", message ? message : "");
        if (!cfg)
                return hull_err_set(err, ENOMEM, "out of memory");
        json_object_set_new(json_object_get(cfg, "config"), "Env",
                            json_pack("[s]", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                             "/usr/bin:/sbin:/bin"));
        for (const char *const *c = changes; c && *c; c++) {
                int r = hull_config_apply_change(cfg, *c, err);
                if (r < 0)
                        return r;
        }
        _cleanup_free_ char *cfg_text = json_dumps(cfg, JSON_COMPACT);
        char cfg_digest[HULL_DIGEST_LEN + 1];
        int r = cfg_text ? hull_store_put(s, cfg_text, strlen(cfg_text), NULL, cfg_digest, err)
                         : hull_err_set(err, ENOMEM, "out of memory");
        if (r < 0)
                return r;
        json_auto_t *man =
            json_pack("{si ss s{ss ss sI} s[{ss ss sI}]}", "schemaVersion", 2, "mediaType",
                      HULL_MT_OCI_MANIFEST, "config", "mediaType", HULL_MT_OCI_CONFIG, "digest",
                      cfg_digest, "size", (json_int_t)strlen(cfg_text), "layers", "mediaType",
                      hull_layer_sniff_media_type(s, blob), "digest", blob, "size",
                      (json_int_t)hull_store_size(s, blob));
        _cleanup_free_ char *man_text = man ? json_dumps(man, JSON_COMPACT) : NULL;
        if (!man_text)
                return hull_err_set(err, ENOMEM, "out of memory");
        return hull_store_put(s, man_text, strlen(man_text), NULL, manifest_digest, err);
}

int hull_image_import(struct hull_store *s, int fd, const char *const *changes, const char *message,
                      const char *name, char ret_id[HULL_DIGEST_LEN + 1], struct hull_err *err)
{
        _cleanup_close_ int gc = hull_store_lock_gc(s, false, err);
        if (gc < 0)
                return gc;
        /* Check the changes before reading a possibly large input. */
        json_auto_t *probe = json_object();
        for (const char *const *c = changes; c && *c; c++)
                if (hull_config_apply_change(probe, *c, err) < 0)
                        return -err->code;
        char blob[HULL_DIGEST_LEN + 1];
        int r = hull_store_put_fd(s, fd, NULL, -1, blob, err);
        if (r < 0)
                return hull_err_wrap(err, "import");
        _cleanup_close_ int bfd = hull_store_open_blob(s, blob, err);
        if (bfd < 0)
                return bfd;
        struct hull_unpack_result res;
        r = hull_unpack_diff_id(bfd, &res, err);
        char manifest[HULL_DIGEST_LEN + 1];
        if (r == 0)
                r = build_image(s, blob, res.diff_id, changes, message, manifest, err);
        if (r == 0)
                r = hull_image_commit(s, manifest, name, NULL, NULL, err);
        if (r < 0) /* the blob stays for gc: another image may share its content */
                return hull_err_wrap(err, "import");
        _cleanup_free_ char *m = NULL;
        size_t len;
        json_t *mj = NULL;
        if (hull_store_read(s, manifest, &m, &len, err) == 0 &&
            hull_json_parse(m, len, &mj, "manifest", err) == 0) {
                snprintf(
                    ret_id, HULL_DIGEST_LEN + 1, "%s",
                    json_string_value(json_object_get(json_object_get(mj, "config"), "digest")));
                json_decref(mj);
        }
        return 0;
}

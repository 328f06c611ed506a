/* Reading linux.resources: typed getters whose errors name the config file and the JSON path,
 * and the checks shared by the drivers. */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <string.h>

static int type_error(const char *cfg, const char *jpath, const char *key, const char *what,
                      struct hull_err *err)
{
        return hull_err_set(err, EINVAL, "%s: .linux.resources%s.%s: expected %s", cfg, jpath, key,
                            what);
}

int hull_res_get_int(json_t *obj, const char *key, const char *jpath, const char *cfg, bool *has,
                     int64_t *ret, struct hull_err *err)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        *has = false;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_integer(v))
                return type_error(cfg, jpath, key, "an integer", err);
        *ret = (int64_t)json_integer_value(v);
        *has = true;
        return 0;
}

int hull_res_get_uint(json_t *obj, const char *key, const char *jpath, const char *cfg, bool *has,
                      uint64_t *ret, struct hull_err *err)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        *has = false;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return type_error(cfg, jpath, key, "a non-negative integer", err);
        *ret = (uint64_t)json_integer_value(v);
        *has = true;
        return 0;
}

int hull_res_get_bool(json_t *obj, const char *key, const char *jpath, const char *cfg, bool *has,
                      bool *ret, struct hull_err *err)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        *has = false;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_boolean(v))
                return type_error(cfg, jpath, key, "a boolean", err);
        *ret = json_is_true(v);
        *has = true;
        return 0;
}

int hull_res_get_str(json_t *obj, const char *key, const char *jpath, const char *cfg,
                     const char **ret, struct hull_err *err)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v))
                return type_error(cfg, jpath, key, "a string", err);
        *ret = json_string_value(v);
        return 0;
}

int hull_res_get_obj(json_t *obj, const char *key, const char *jpath, const char *cfg, json_t **ret,
                     struct hull_err *err)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_object(v))
                return type_error(cfg, jpath, key, "an object", err);
        *ret = v;
        return 0;
}

int hull_res_get_array(json_t *obj, const char *key, const char *jpath, const char *cfg,
                       json_t **ret, struct hull_err *err)
{
        json_t *v = obj ? json_object_get(obj, key) : NULL;
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_array(v))
                return type_error(cfg, jpath, key, "an array", err);
        *ret = v;
        return 0;
}

int hull_cgroup_unified_key_ok(const char *key, const char *cfg, struct hull_err *err)
{
        /* The key names a file in the container's cgroup directory, nothing else: no path
         * separators, no "..", and not the files that move processes or change the tree. */
        static const char *const forbidden[] = {"cgroup.procs", "cgroup.threads",
                                                "cgroup.subtree_control", "cgroup.kill",
                                                "cgroup.type"};
        const char *dot = strchr(key, '.');
        if (!*key || strchr(key, '/') || strstr(key, "..") || !dot || dot == key || !dot[1] ||
            strchr(key, '\n'))
                return hull_err_set(err, EINVAL,
                                    "%s: .linux.resources.unified: invalid key \"%s\" (expected "
                                    "\"controller.file\", no \"/\" or \"..\")",
                                    cfg, key);
        for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
                if (strcmp(key, forbidden[i]) == 0)
                        return hull_err_set(err, EINVAL,
                                            "%s: .linux.resources.unified.%s: this file cannot "
                                            "be set through unified",
                                            cfg, key);
        return 0;
}

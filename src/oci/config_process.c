/* The "process" object of config.json, also the whole of an `exec --process` file: args, env,
 * cwd, user, capabilities, rlimits and the other attributes of the container process. */
#include "oci/config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/cleanup.h"
#include "base/file.h"

static const struct {
        const char *name;
        int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static void caps_free(struct hull_oci_capabilities *c)
{
        if (!c)
                return;
        hull_strv_free(c->bounding);
        hull_strv_free(c->effective);
        hull_strv_free(c->inheritable);
        hull_strv_free(c->permitted);
        hull_strv_free(c->ambient);
        free(c);
}

void hull_oci_process_free(struct hull_oci_process *p)
{
        if (!p)
                return;
        free(p->user.additional_gids);
        free(p->user.username);
        hull_strv_free(p->args);
        hull_strv_free(p->env);
        free(p->cwd);
        caps_free(p->capabilities);
        for (size_t i = 0; i < p->n_rlimits; i++)
                free(p->rlimits[i].type);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p);
}

static void process_freep(struct hull_oci_process **p)
{
        hull_oci_process_free(*p);
        *p = NULL;
}

static int parse_gids(struct oci_ctx *ctx, json_t *user, const char *path, struct hull_oci_user *u)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        json_t *a;
        int r = oci_field(ctx, user, path, "additionalGids", OCI_ARRAY, false, &a);
        if (r <= 0)
                return r;
        size_t n = json_array_size(a);
        u->additional_gids = calloc(n ? n : 1, sizeof(gid_t));
        if (!u->additional_gids)
                return oci_oom(ctx);
        hull_json_path_key(p, sizeof(p), path, "additionalGids");
        for (size_t i = 0; i < n; i++) {
                int64_t gid;
                hull_json_path_index(ep, sizeof(ep), p, i);
                r = oci_int_value(ctx, json_array_get(a, i), ep, 0, UINT32_MAX - 1, &gid);
                if (r < 0)
                        return r;
                u->additional_gids[i] = (gid_t)gid;
                u->n_additional_gids = i + 1;
        }
        return 0;
}

/* (uid_t)-1 means "unchanged" to the kernel, so it is not a valid id. */
static int parse_user(struct oci_ctx *ctx, json_t *proc, const char *path, struct hull_oci_user *u)
{
        char p[HULL_JSON_PATH_MAX];
        json_t *user;
        int64_t uid, gid, umask;
        int r = oci_field(ctx, proc, path, "user", OCI_OBJECT, false, &user);
        if (r <= 0)
                return r; /* runc runs as 0:0 when "user" is left out */
        hull_json_path_key(p, sizeof(p), path, "user");
        if ((r = oci_int(ctx, user, p, "uid", true, 0, UINT32_MAX - 1, &uid)) < 0 ||
            (r = oci_int(ctx, user, p, "gid", true, 0, UINT32_MAX - 1, &gid)) < 0)
                return r;
        u->uid = (uid_t)uid;
        u->gid = (gid_t)gid;
        r = oci_int(ctx, user, p, "umask", false, 0, 0777, &umask);
        if (r < 0)
                return r;
        u->has_umask = r > 0;
        u->umask = r > 0 ? (mode_t)umask : 0;
        r = parse_gids(ctx, user, p, u);
        if (r < 0)
                return r;
        r = oci_string(ctx, user, p, "username", false, &u->username);
        return r < 0 ? r : 0;
}

static int parse_capabilities(struct oci_ctx *ctx, json_t *proc, const char *path,
                              struct hull_oci_process *proc_ret)
{
        char p[HULL_JSON_PATH_MAX];
        json_t *obj;
        int r = oci_field(ctx, proc, path, "capabilities", OCI_OBJECT, false, &obj);
        if (r <= 0)
                return r;
        struct hull_oci_capabilities *c = calloc(1, sizeof(*c));
        if (!c)
                return oci_oom(ctx);
        proc_ret->capabilities = c;
        hull_json_path_key(p, sizeof(p), path, "capabilities");
        /* names are checked by the capabilities code: runc only warns about unknown ones */
        if ((r = oci_strv(ctx, obj, p, "bounding", true, &c->bounding, NULL)) < 0 ||
            (r = oci_strv(ctx, obj, p, "effective", true, &c->effective, NULL)) < 0 ||
            (r = oci_strv(ctx, obj, p, "inheritable", true, &c->inheritable, NULL)) < 0 ||
            (r = oci_strv(ctx, obj, p, "permitted", true, &c->permitted, NULL)) < 0 ||
            (r = oci_strv(ctx, obj, p, "ambient", true, &c->ambient, NULL)) < 0)
                return r;
        return 0;
}

static int parse_rlimit(struct oci_ctx *ctx, json_t *e, const char *path,
                        struct hull_oci_process *proc, size_t i)
{
        char tp[HULL_JSON_PATH_MAX], q[OCI_QUOTE_MAX];
        struct hull_oci_rlimit *rl = &proc->rlimits[i];
        int r = oci_check(ctx, e, path, OCI_OBJECT);
        if (r < 0 || (r = oci_string(ctx, e, path, "type", true, &rl->type)) < 0)
                return r;
        hull_json_path_key(tp, sizeof(tp), path, "type");
        rl->resource = -1;
        for (size_t k = 0; k < HULL_ARRAY_SIZE(rlimit_names); k++)
                if (strcmp(rl->type, rlimit_names[k].name) == 0)
                        rl->resource = rlimit_names[k].resource;
        if (rl->resource < 0)
                return oci_fail(ctx, tp, "unknown rlimit %s", oci_quote(rl->type, q, sizeof(q)));
        for (size_t k = 0; k < i; k++)
                if (proc->rlimits[k].resource == rl->resource)
                        return oci_fail(ctx, tp, "rlimit %s is listed twice",
                                        oci_quote(rl->type, q, sizeof(q)));
        if ((r = oci_uint64(ctx, e, path, "soft", true, &rl->soft)) < 0 ||
            (r = oci_uint64(ctx, e, path, "hard", true, &rl->hard)) < 0)
                return r;
        /* setrlimit would refuse it later with a bare EINVAL */
        if (rl->soft > rl->hard)
                return oci_fail(ctx, path, "soft limit %" PRIu64 " is above hard limit %" PRIu64,
                                rl->soft, rl->hard);
        return 0;
}

static int parse_rlimits(struct oci_ctx *ctx, json_t *proc_obj, const char *path,
                         struct hull_oci_process *proc)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        json_t *a;
        int r = oci_field(ctx, proc_obj, path, "rlimits", OCI_ARRAY, false, &a);
        if (r <= 0)
                return r;
        size_t n = json_array_size(a);
        proc->rlimits = calloc(n ? n : 1, sizeof(*proc->rlimits));
        if (!proc->rlimits)
                return oci_oom(ctx);
        hull_json_path_key(p, sizeof(p), path, "rlimits");
        for (size_t i = 0; i < n; i++) {
                proc->n_rlimits = i + 1; /* so that a half-parsed entry is freed */
                hull_json_path_index(ep, sizeof(ep), p, i);
                r = parse_rlimit(ctx, json_array_get(a, i), ep, proc, i);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_args_env(struct oci_ctx *ctx, json_t *obj, const char *path,
                          struct hull_oci_process *proc)
{
        char p[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX], q[OCI_QUOTE_MAX];
        int r = oci_strv(ctx, obj, path, "args", true, &proc->args, &proc->n_args);
        if (r < 0)
                return r;
        if (r == 0)
                return oci_fail_missing(ctx, path, "args");
        hull_json_path_key(p, sizeof(p), path, "args");
        if (proc->n_args == 0)
                return oci_fail(ctx, p, "must hold at least the program to run");
        r = oci_strv(ctx, obj, path, "env", false, &proc->env, &proc->n_env);
        if (r < 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, "env");
        for (size_t i = 0; i < proc->n_env; i++) {
                const char *e = proc->env[i];
                const char *eq = strchr(e, '=');
                hull_json_path_index(ep, sizeof(ep), p, i);
                if (!eq)
                        return oci_fail(ctx, ep, "%s is not of the form NAME=value",
                                        oci_quote(e, q, sizeof(q)));
                if (eq == e)
                        return oci_fail(ctx, ep, "%s has an empty variable name",
                                        oci_quote(e, q, sizeof(q)));
        }
        return 0;
}

static int parse_console_size(struct oci_ctx *ctx, json_t *obj, const char *path,
                              struct hull_oci_process *proc)
{
        char p[HULL_JSON_PATH_MAX];
        json_t *cs;
        int64_t height, width;
        int r = oci_field(ctx, obj, path, "consoleSize", OCI_OBJECT, false, &cs);
        if (r <= 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, "consoleSize");
        if ((r = oci_int(ctx, cs, p, "height", true, 0, UINT_MAX, &height)) < 0 ||
            (r = oci_int(ctx, cs, p, "width", true, 0, UINT_MAX, &width)) < 0)
                return r;
        proc->has_console_size = true;
        proc->console_size.height = (unsigned)height;
        proc->console_size.width = (unsigned)width;
        return 0;
}

/* Objects handed as they are to the code that applies them (borrowed from the document). */
static int parse_borrowed(struct oci_ctx *ctx, json_t *obj, const char *path,
                          struct hull_oci_process *proc)
{
        int r;
        if ((r = oci_field(ctx, obj, path, "scheduler", OCI_OBJECT, false, &proc->scheduler)) < 0 ||
            (r = oci_field(ctx, obj, path, "ioPriority", OCI_OBJECT, false, &proc->io_priority)) <
                0 ||
            (r = oci_field(ctx, obj, path, "execCPUAffinity", OCI_OBJECT, false,
                           &proc->exec_cpu_affinity)) < 0)
                return r;
        return 0;
}

int oci_parse_process(struct oci_ctx *ctx, json_t *obj, const char *path,
                      struct hull_oci_process **ret)
{
        char p[HULL_JSON_PATH_MAX];
        _cleanup_(process_freep) struct hull_oci_process *proc = NULL;
        int64_t oom;
        int r = oci_check(ctx, obj, path, OCI_OBJECT);
        if (r < 0)
                return r;
        proc = calloc(1, sizeof(*proc));
        if (!proc)
                return oci_oom(ctx);
        if ((r = oci_bool(ctx, obj, path, "terminal", &proc->terminal)) < 0 ||
            (r = parse_console_size(ctx, obj, path, proc)) < 0 ||
            (r = parse_user(ctx, obj, path, &proc->user)) < 0 ||
            (r = parse_args_env(ctx, obj, path, proc)) < 0)
                return r;
        r = oci_string(ctx, obj, path, "cwd", true, &proc->cwd);
        if (r < 0)
                return r;
        hull_json_path_key(p, sizeof(p), path, "cwd");
        if ((r = oci_check_absolute(ctx, p, proc->cwd)) < 0 ||
            (r = parse_capabilities(ctx, obj, path, proc)) < 0 ||
            (r = parse_rlimits(ctx, obj, path, proc)) < 0 ||
            (r = oci_bool(ctx, obj, path, "noNewPrivileges", &proc->no_new_privileges)) < 0 ||
            (r = oci_string(ctx, obj, path, "apparmorProfile", false, &proc->apparmor_profile)) <
                0 ||
            (r = oci_string(ctx, obj, path, "selinuxLabel", false, &proc->selinux_label)) < 0 ||
            (r = parse_borrowed(ctx, obj, path, proc)) < 0)
                return r;
        r = oci_int(ctx, obj, path, "oomScoreAdj", false, -1000, 1000, &oom);
        if (r < 0)
                return r;
        proc->has_oom_score_adj = r > 0;
        proc->oom_score_adj = r > 0 ? (int)oom : 0;
        *ret = TAKE_PTR(proc);
        return 0;
}

int hull_oci_process_parse(const char *name, json_t *obj, const char *json_path,
                           struct hull_oci_process **ret, struct hull_err *err)
{
        struct oci_ctx ctx = {.name = name ? name : "process.json", .err = err};
        return oci_parse_process(&ctx, obj, json_path ? json_path : "", ret);
}

int hull_oci_process_parse_text(const char *name, const char *data, size_t len, json_t **ret_root,
                                struct hull_oci_process **ret, struct hull_err *err)
{
        struct oci_ctx ctx = {
            .name = name ? name : "process.json", .text = data, .len = len, .err = err};
        json_t *root = NULL;
        int r = oci_load_json(&ctx, &root);
        if (r < 0)
                return r;
        r = oci_parse_process(&ctx, root, "", ret);
        hull_strv_free(ctx.big_paths);
        if (r < 0) {
                json_decref(root);
                return r;
        }
        *ret_root = root;
        return 0;
}

int hull_oci_process_load(const char *path, json_t **ret_root, struct hull_oci_process **ret,
                          struct hull_err *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = hull_file_read(AT_FDCWD, path, &data, &len, err);
        if (r < 0)
                return r;
        return hull_oci_process_parse_text(path, data, len, ret_root, ret, err);
}

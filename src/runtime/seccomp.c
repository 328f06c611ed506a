/* linux.seccomp (see seccomp.h): the spec object checked field by field, turned into a
 * libseccomp filter, exported once as BPF; loading is one seccomp(2) call in the child. */
#include "runtime/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "oci/json_locate.h"
#include "runtime/security.h"

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct hull_seccomp {
        struct sock_filter *prog;
        size_t len;
        unsigned flags;
        bool has_notify;
        char *listener_path;
        char *listener_metadata;
};

/* Where the spec is, for messages. */
struct where {
        const char *file;
        struct hull_err *err;
};

static void seccomp_ctx_releasep(scmp_filter_ctx *c)
{
        if (*c)
                seccomp_release(*c);
        *c = NULL;
}

void hull_seccomp_free(struct hull_seccomp *s)
{
        if (!s)
                return;
        free(s->prog);
        free(s->listener_path);
        free(s->listener_metadata);
        free(s);
}

size_t hull_seccomp_size(const struct hull_seccomp *s)
{
        return s ? s->len : 0;
}

unsigned hull_seccomp_flags(const struct hull_seccomp *s)
{
        return s ? s->flags : 0;
}

bool hull_seccomp_has_notify(const struct hull_seccomp *s)
{
        return s && s->has_notify;
}

const char *hull_seccomp_listener_path(const struct hull_seccomp *s)
{
        return s ? s->listener_path : NULL;
}

const char *hull_seccomp_listener_metadata(const struct hull_seccomp *s)
{
        return s ? s->listener_metadata : NULL;
}

/* ---- reading the spec object ---- */

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
        default:
                return "null";
        }
}

/* Item I of a string list at LIST_PATH: its JSON path goes to P (for later messages), the
 * string to *RET; anything else is an error naming the item. */
static int string_item(const struct where *w, json_t *v, const char *list_path, size_t i,
                       char p[HULL_JSON_PATH_MAX], const char **ret)
{
        hull_json_path_index(p, HULL_JSON_PATH_MAX, list_path, i);
        if (!json_is_string(v))
                return hull_security_fail(w->err, w->file, p, "expected a string, got %s",
                                          type_name(v));
        *ret = json_string_value(v);
        return 0;
}

/* Member KEY of OBJ at PATH with json type TYPE; 1 present, 0 absent (error if REQUIRED). */
static int member(const struct where *w, json_t *obj, const char *path, const char *key,
                  json_type type, bool required, json_t **ret)
{
        char p[HULL_JSON_PATH_MAX];
        hull_json_path_key(p, sizeof(p), path, key);
        json_t *v = json_object_get(obj, key);
        *ret = NULL;
        if (!v || json_is_null(v)) {
                if (required)
                        return hull_security_fail(w->err, w->file, path,
                                                  "missing required field \"%s\"", key);
                return 0;
        }
        static const char *const want[] = {[JSON_OBJECT] = "an object",
                                           [JSON_ARRAY] = "an array",
                                           [JSON_STRING] = "a string",
                                           [JSON_INTEGER] = "an integer"};
        if (json_typeof(v) != type)
                return hull_security_fail(w->err, w->file, p, "expected %s, got %s", want[type],
                                          type_name(v));
        *ret = v;
        return 1;
}

static int member_string(const struct where *w, json_t *obj, const char *path, const char *key,
                         bool required, const char **ret)
{
        json_t *v;
        int r = member(w, obj, path, key, JSON_STRING, required, &v);
        *ret = r > 0 ? json_string_value(v) : NULL;
        return r;
}

/* An unsigned integer; values above INT64_MAX arrive as negative integers with the same bits
 * (see hull_json_load_u64). */
static int member_u64(const struct where *w, json_t *obj, const char *path, const char *key,
                      bool required, uint64_t *ret)
{
        json_t *v;
        int r = member(w, obj, path, key, JSON_INTEGER, required, &v);
        if (r > 0)
                *ret = (uint64_t)json_integer_value(v);
        return r;
}

static int member_errno(const struct where *w, json_t *obj, const char *path, const char *key,
                        uint32_t *ret)
{
        json_t *v;
        int r = member(w, obj, path, key, JSON_INTEGER, false, &v);
        if (r <= 0)
                return r;
        json_int_t n = json_integer_value(v);
        if (n < 0 || n > 0xffff) {
                char p[HULL_JSON_PATH_MAX];
                hull_json_path_key(p, sizeof(p), path, key);
                return hull_security_fail(w->err, w->file, p,
                                          "%lld is not an errno value (0 to 65535)", (long long)n);
        }
        *ret = (uint32_t)n;
        return 1;
}

/* ---- names ---- */

struct action_name {
        const char *name;
        uint32_t action; /* without its errno / trace data */
        bool takes_errno;
};

static const struct action_name actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

static const struct {
        const char *name;
        enum scmp_compare op;
} operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct {
        const char *name;
        uint32_t arch;
        /* The other ABIs of the same CPU: a filter for one alone would let a process switch
         * ABI (int 0x80 on x86_64) to reach syscalls the filter never saw. */
        uint32_t sub[2];
} arches[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86, {0, 0}},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64, {SCMP_ARCH_X86, SCMP_ARCH_X32}},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32, {SCMP_ARCH_X86, SCMP_ARCH_X86_64}},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM, {0, 0}},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64, {SCMP_ARCH_ARM, 0}},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS, {0, 0}},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64, {SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32}},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32, {SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64}},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL, {0, 0}},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64, {SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32}},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32, {SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64}},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC, {0, 0}},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64, {0, 0}},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE, {0, 0}},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390, {0, 0}},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X, {SCMP_ARCH_S390, 0}},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC, {0, 0}},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64, {SCMP_ARCH_PARISC, 0}},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64, {0, 0}},
};

static const struct {
        const char *name;
        unsigned flag;
} filter_flags[] = {
    /* init is single-threaded when it loads the filter: TSYNC has nothing to do */
    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* ACTION at PATH (a string) with errnoRet ERRNO_RET (has_errno: given) -> libseccomp action. */
static int parse_action(const struct where *w, const char *path, const char *name, bool has_errno,
                        uint32_t errno_ret, const char *errno_path, uint32_t *ret)
{
        for (size_t i = 0; i < HULL_ARRAY_SIZE(actions); i++) {
                if (strcmp(actions[i].name, name) != 0)
                        continue;
                if (has_errno && !actions[i].takes_errno)
                        return hull_security_fail(w->err, w->file, errno_path,
                                                  "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take "
                                                  "an errno, not %s",
                                                  name);
                if (actions[i].action == SCMP_ACT_ERRNO(0))
                        *ret = SCMP_ACT_ERRNO(has_errno ? errno_ret : EPERM);
                else if (actions[i].action == SCMP_ACT_TRACE(0))
                        *ret = SCMP_ACT_TRACE(has_errno ? errno_ret : EPERM);
                else
                        *ret = actions[i].action;
                return 0;
        }
        return hull_security_fail(w->err, w->file, path,
                                  "unknown action \"%.64s\" (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
                                  "SCMP_ACT_KILL_PROCESS, ...)",
                                  name);
}

/* Whether this x86_64 kernel runs x32 syscalls at all (CONFIG_X86_X32_ABI): without it they
 * end in ENOSYS whatever the filter says, and leaving x32 out of the filter (its syscalls then
 * get the bad-architecture action, ENOSYS as well) saves a third of the compile time. */
static bool x32_runs(void)
{
        static int known = -1;
#if defined(__x86_64__)
        if (known < 0)
                known = !(syscall(0x40000000 | SYS_getpid) < 0 && errno == ENOSYS);
#else
        known = 1;
#endif
        return known;
}

static int add_arch(const struct where *w, scmp_filter_ctx ctx, uint32_t arch, const char *path,
                    const char *name)
{
        if (arch == 0)
                return 0;
        if (arch == SCMP_ARCH_X32 && seccomp_arch_native() == SCMP_ARCH_X86_64 && !x32_runs())
                return 0;
        int r = seccomp_arch_add(ctx, arch);
        if (r < 0 && r != -EEXIST)
                return hull_security_fail(w->err, w->file, path,
                                          "cannot add architecture %s to the filter: %s", name,
                                          strerror(-r));
        return 0;
}

static int parse_architectures(const struct where *w, scmp_filter_ctx ctx, json_t *spec,
                               const char *path)
{
        json_t *list;
        int r = member(w, spec, path, "architectures", JSON_ARRAY, false, &list);
        if (r <= 0)
                return r;
        char lp[HULL_JSON_PATH_MAX];
        hull_json_path_key(lp, sizeof(lp), path, "architectures");
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
                char p[HULL_JSON_PATH_MAX];
                const char *name;
                if ((r = string_item(w, v, lp, i, p, &name)) < 0)
                        return r;
                size_t k = 0;
                while (k < HULL_ARRAY_SIZE(arches) && strcmp(arches[k].name, name) != 0)
                        k++;
                if (k == HULL_ARRAY_SIZE(arches))
                        return hull_security_fail(w->err, w->file, p,
                                                  "unknown architecture \"%.64s\"", name);
                if ((r = add_arch(w, ctx, arches[k].arch, p, name)) < 0 ||
                    (r = add_arch(w, ctx, arches[k].sub[0], p, name)) < 0 ||
                    (r = add_arch(w, ctx, arches[k].sub[1], p, name)) < 0)
                        return r;
        }
        return 0;
}

static int parse_flags(const struct where *w, json_t *spec, const char *path, unsigned *ret)
{
        json_t *list;
        *ret = 0;
        int r = member(w, spec, path, "flags", JSON_ARRAY, false, &list);
        if (r <= 0)
                return r;
        char lp[HULL_JSON_PATH_MAX];
        hull_json_path_key(lp, sizeof(lp), path, "flags");
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
                char p[HULL_JSON_PATH_MAX];
                const char *name;
                if ((r = string_item(w, v, lp, i, p, &name)) < 0)
                        return r;
                size_t k = 0;
                while (k < HULL_ARRAY_SIZE(filter_flags) &&
                       strcmp(filter_flags[k].name, name) != 0)
                        k++;
                if (k == HULL_ARRAY_SIZE(filter_flags))
                        return hull_security_fail(w->err, w->file, p, "unknown flag \"%.64s\"",
                                                  name);
                *ret |= filter_flags[k].flag;
        }
        return 0;
}

/* The conditions of one rule. Returns the count, and whether an argument appears twice. */
static int parse_args(const struct where *w, json_t *rule, const char *path,
                      struct scmp_arg_cmp conds[6], bool *ret_repeated)
{
        json_t *list;
        *ret_repeated = false;
        int r = member(w, rule, path, "args", JSON_ARRAY, false, &list);
        if (r <= 0)
                return r;
        char lp[HULL_JSON_PATH_MAX];
        hull_json_path_key(lp, sizeof(lp), path, "args");
        if (json_array_size(list) > 6)
                return hull_security_fail(w->err, w->file, lp,
                                          "%zu conditions: a rule takes at most 6",
                                          json_array_size(list));
        unsigned seen = 0;
        size_t i;
        json_t *a;
        json_array_foreach(list, i, a)
        {
                char p[HULL_JSON_PATH_MAX], ip[HULL_JSON_PATH_MAX];
                hull_json_path_index(p, sizeof(p), lp, i);
                if (!json_is_object(a))
                        return hull_security_fail(w->err, w->file, p, "expected an object, got %s",
                                                  type_name(a));
                uint64_t index = 0, value = 0, value2 = 0;
                const char *op;
                if ((r = member_u64(w, a, p, "index", true, &index)) < 0 ||
                    (r = member_u64(w, a, p, "value", true, &value)) < 0 ||
                    (r = member_u64(w, a, p, "valueTwo", false, &value2)) < 0 ||
                    (r = member_string(w, a, p, "op", true, &op)) < 0)
                        return r;
                hull_json_path_key(ip, sizeof(ip), p, "index");
                if (index > 5)
                        return hull_security_fail(w->err, w->file, ip,
                                                  "argument %llu does not exist (0 to 5)",
                                                  (unsigned long long)index);
                size_t k = 0;
                while (k < HULL_ARRAY_SIZE(operators) && strcmp(operators[k].name, op) != 0)
                        k++;
                if (k == HULL_ARRAY_SIZE(operators)) {
                        hull_json_path_key(ip, sizeof(ip), p, "op");
                        return hull_security_fail(w->err, w->file, ip, "unknown operator \"%.64s\"",
                                                  op);
                }
                if (seen & (1u << index))
                        *ret_repeated = true;
                seen |= 1u << index;
                conds[i] = (struct scmp_arg_cmp){.arg = (unsigned)index,
                                                 .op = operators[k].op,
                                                 .datum_a = value,
                                                 .datum_b = value2};
        }
        return (int)json_array_size(list);
}

static int add_rule(const struct where *w, scmp_filter_ctx ctx, uint32_t action, int nr,
                    const char *name, const struct scmp_arg_cmp *conds, int n, bool repeated,
                    const char *path)
{
        int r = 0;
        if (repeated) {
                /* libseccomp cannot AND two conditions on one argument. runc's answer, kept for
                 * compatibility: each condition becomes a rule of its own (they are ORed). */
                for (int i = 0; i < n; i++)
                        if ((r = seccomp_rule_add_array(ctx, action, nr, 1, &conds[i])) < 0 &&
                            r != -EACCES)
                                break;
        } else {
                r = seccomp_rule_add_array(ctx, action, nr, (unsigned)n, conds);
        }
        /* -EACCES: the action is the default action already, nothing to add (as runc). */
        if (r < 0 && r != -EACCES)
                return hull_security_fail(w->err, w->file, path,
                                          "cannot add the rule for syscall \"%s\": %s", name,
                                          strerror(-r));
        return 0;
}

static int parse_rule(const struct where *w, scmp_filter_ctx ctx, json_t *rule, const char *path,
                      uint32_t default_action, bool *has_notify)
{
        if (!json_is_object(rule))
                return hull_security_fail(w->err, w->file, path, "expected an object, got %s",
                                          type_name(rule));
        json_t *names;
        const char *action_name;
        uint32_t errno_ret = 0;
        char np[HULL_JSON_PATH_MAX], ap[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        hull_json_path_key(np, sizeof(np), path, "names");
        hull_json_path_key(ap, sizeof(ap), path, "action");
        hull_json_path_key(ep, sizeof(ep), path, "errnoRet");
        int r, has_errno;
        if ((r = member(w, rule, path, "names", JSON_ARRAY, true, &names)) < 0 ||
            (r = member_string(w, rule, path, "action", true, &action_name)) < 0 ||
            (has_errno = r = member_errno(w, rule, path, "errnoRet", &errno_ret)) < 0)
                return r;
        uint32_t action;
        r = parse_action(w, ap, action_name, has_errno > 0, errno_ret, ep, &action);
        if (r < 0)
                return r;
        struct scmp_arg_cmp conds[6];
        bool repeated;
        int n = parse_args(w, rule, path, conds, &repeated);
        if (n < 0)
                return n;
        size_t i;
        json_t *v;
        json_array_foreach(names, i, v)
        {
                char p[HULL_JSON_PATH_MAX];
                const char *name;
                int e = string_item(w, v, np, i, p, &name);
                if (e < 0)
                        return e;
                int nr = seccomp_syscall_resolve_name(name);
                if (nr == __NR_SCMP_ERROR) {
                        hull_debug("%s: %s: unknown syscall \"%s\" skipped", w->file, p, name);
                        continue;
                }
                if (action == SCMP_ACT_NOTIFY && strcmp(name, "sendmsg") == 0)
                        return hull_security_fail(w->err, w->file, p,
                                                  "SCMP_ACT_NOTIFY cannot apply to sendmsg: the "
                                                  "runtime sends the listener its fd with it");
                if (action == default_action)
                        continue; /* nothing to add (as runc) */
                r = add_rule(w, ctx, action, nr, name, conds, n, repeated, p);
                if (r < 0)
                        return r;
                if (action == SCMP_ACT_NOTIFY)
                        *has_notify = true;
        }
        return 0;
}

/* The filter as BPF: libseccomp writes it to an fd; a memfd keeps it off the disk. */
static int export_bpf(scmp_filter_ctx ctx, struct hull_seccomp *s, struct hull_err *err)
{
        _cleanup_close_ int fd = memfd_create("hull-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "seccomp: create a memfd for the filter");
        int r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return hull_err_sys(err, -r, "seccomp: export the filter");
        struct stat st;
        if (fstat(fd, &st) < 0)
                return hull_err_sys(err, errno, "seccomp: size of the filter");
        size_t size = (size_t)st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) ||
            size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return hull_err_set(err, E2BIG,
                                    "seccomp: the filter has %zu BPF instructions, "
                                    "the kernel takes at most %d",
                                    size / sizeof(struct sock_filter), BPF_MAXINSNS);
        s->prog = malloc(size);
        if (!s->prog)
                return hull_err_set(err, ENOMEM, "out of memory");
        ssize_t n = pread(fd, s->prog, size, 0);
        if (n != (ssize_t)size)
                return hull_err_sys(err, n < 0 ? errno : EIO, "seccomp: read the filter back");
        s->len = size / sizeof(struct sock_filter);
        return 0;
}

/* listenerPath and listenerMetadata, needed with SCMP_ACT_NOTIFY; the flags that go with it. */
static int finish_listener(const struct where *w, json_t *spec, const char *path,
                           struct hull_seccomp *s)
{
        const char *listener, *metadata;
        int r;
        if ((r = member_string(w, spec, path, "listenerPath", false, &listener)) < 0 ||
            (r = member_string(w, spec, path, "listenerMetadata", false, &metadata)) < 0)
                return r;
        if (s->has_notify) {
                if (!listener || !listener[0])
                        return hull_security_fail(w->err, w->file, path,
                                                  "SCMP_ACT_NOTIFY needs a \"listenerPath\"");
                s->listener_path = strdup(listener);
                s->listener_metadata = strdup(metadata ? metadata : "");
                if (!s->listener_path || !s->listener_metadata)
                        return hull_err_set(w->err, ENOMEM, "out of memory");
                s->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        } else if (s->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
                /* The kernel refuses it without a listener; nothing would wait anyway. */
                hull_debug("%s: %s: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without "
                           "SCMP_ACT_NOTIFY: ignored",
                           w->file, path);
                s->flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        }
        return 0;
}

static int compile(const struct where *w, json_t *spec, const char *path, struct hull_seccomp *s)
{
        const char *def_name;
        uint32_t def_errno = 0;
        char dp[HULL_JSON_PATH_MAX], ep[HULL_JSON_PATH_MAX];
        hull_json_path_key(dp, sizeof(dp), path, "defaultAction");
        hull_json_path_key(ep, sizeof(ep), path, "defaultErrnoRet");
        int r, has_errno;
        if ((r = member_string(w, spec, path, "defaultAction", true, &def_name)) < 0 ||
            (has_errno = r = member_errno(w, spec, path, "defaultErrnoRet", &def_errno)) < 0)
                return r;
        uint32_t def;
        r = parse_action(w, dp, def_name, has_errno > 0, def_errno, ep, &def);
        if (r < 0)
                return r;
        if (def == SCMP_ACT_NOTIFY)
                return hull_security_fail(w->err, w->file, dp,
                                          "SCMP_ACT_NOTIFY cannot be the default action");
        _cleanup_(seccomp_ctx_releasep) scmp_filter_ctx ctx = seccomp_init(def);
        if (!ctx)
                return hull_err_set(w->err, EINVAL,
                                    "seccomp: cannot create a filter with "
                                    "default action %s",
                                    def_name);
        /* A syscall of an ABI the filter does not cover never runs: ENOSYS, not a kill, so
         * that a program probing for a foreign ABI gets an answer. */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS))) < 0 ||
            (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
                return hull_err_sys(w->err, -r, "seccomp: set filter attributes");
        if ((r = parse_architectures(w, ctx, spec, path)) < 0 ||
            (r = parse_flags(w, spec, path, &s->flags)) < 0)
                return r;
        json_t *rules;
        r = member(w, spec, path, "syscalls", JSON_ARRAY, false, &rules);
        if (r < 0)
                return r;
        char rp[HULL_JSON_PATH_MAX];
        hull_json_path_key(rp, sizeof(rp), path, "syscalls");
        size_t i;
        json_t *rule;
        json_array_foreach(rules, i, rule)
        {
                char p[HULL_JSON_PATH_MAX];
                hull_json_path_index(p, sizeof(p), rp, i);
                r = parse_rule(w, ctx, rule, p, def, &s->has_notify);
                if (r < 0)
                        return r;
        }
        r = finish_listener(w, spec, path, s);
        if (r < 0)
                return r;
        return export_bpf(ctx, s, w->err);
}

/* The cache key: everything the BPF depends on. The listener fields are left out (they only
 * travel with the fd) and checked again on every use. */
static char *cache_key(json_t *spec)
{
        json_t *copy = json_copy(spec);
        if (!copy)
                return NULL;
        json_object_del(copy, "listenerPath");
        json_object_del(copy, "listenerMetadata");
        char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(copy);
        if (!text)
                return NULL;
        const struct scmp_version *v = seccomp_version();
        char *key = NULL;
        /* The build stamp: a change to this file must not meet filters an older one made. */
        if (asprintf(&key, "%s\nlibseccomp %u.%u.%u native %u x32 %d hullc %s %s %s %s", text,
                     v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0, seccomp_arch_native(),
                     x32_runs(), HULL_VERSION, HULL_COMMIT, __DATE__, __TIME__) < 0)
                key = NULL;
        free(text);
        return key;
}

static int compile_cached(const struct where *w, json_t *spec, const char *path,
                          const char *cache_dir, struct hull_seccomp *s)
{
        _cleanup_free_ char *key = cache_dir ? cache_key(spec) : NULL;
        if (key) {
                struct hull_seccomp_bpf b = {0};
                if (hull_seccomp_cache_get(cache_dir, key, strlen(key), &b) == 0) {
                        s->prog = b.prog;
                        s->len = b.len;
                        s->flags = b.flags;
                        s->has_notify = b.has_notify;
                        hull_debug("seccomp: %s: %zu BPF instructions from the cache in %s", path,
                                   s->len, cache_dir);
                        return finish_listener(w, spec, path, s);
                }
        }
        int r = compile(w, spec, path, s);
        if (r < 0 || !key)
                return r;
        const struct hull_seccomp_bpf b = {
            .prog = s->prog, .len = s->len, .flags = s->flags, .has_notify = s->has_notify};
        hull_seccomp_cache_put(cache_dir, key, strlen(key), &b);
        return 0;
}

int hull_seccomp_compile(json_t *spec, const char *file, const char *json_path,
                         struct hull_seccomp **ret, struct hull_err *err)
{
        return hull_seccomp_compile_cached(spec, file, json_path, NULL, ret, err);
}

int hull_seccomp_compile_cached(json_t *spec, const char *file, const char *json_path,
                                const char *cache_dir, struct hull_seccomp **ret,
                                struct hull_err *err)
{
        *ret = NULL;
        if (!spec || json_is_null(spec))
                return 0;
        const struct where w = {.file = file, .err = err};
        if (!json_is_object(spec))
                return hull_security_fail(err, file, json_path, "expected an object, got %s",
                                          type_name(spec));
        struct hull_seccomp *s = calloc(1, sizeof(*s));
        if (!s)
                return hull_err_set(err, ENOMEM, "out of memory");
        int r = compile_cached(&w, spec, json_path, cache_dir, s);
        if (r < 0) {
                hull_seccomp_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int hull_seccomp_load(const struct hull_seccomp *s, int *ret_notify_fd, struct hull_err *err)
{
        *ret_notify_fd = -1;
        struct sock_fprog prog = {.len = (unsigned short)s->len, .filter = s->prog};
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->flags, &prog);
        if (r < 0) {
                int e = errno;
                if (e == EINVAL && s->flags)
                        return hull_err_sys(err, e,
                                            "load the seccomp filter (flags 0x%x: does "
                                            "the kernel support linux.seccomp.flags?)",
                                            s->flags);
                return hull_err_sys(err, e, "load the seccomp filter");
        }
        if (s->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
                *ret_notify_fd = (int)r;
        return 0;
}

int hull_seccomp_listener_connect(const struct hull_seccomp *s, struct hull_err *err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        const char *path = s->listener_path;
        if (strlen(path) >= sizeof(addr.sun_path))
                return hull_err_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath %s: too long",
                                    path);
        strcpy(addr.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return hull_err_sys(err, errno, "create a socket for the seccomp listener");
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                int e = errno;
                close(fd);
                return hull_err_sys(err, e, "connect to linux.seccomp.listenerPath %s", path);
        }
        return fd;
}

int hull_seccomp_listener_send(int sock, const char *msg, size_t len, int notify_fd,
                               struct hull_err *err)
{
        char cbuf[CMSG_SPACE(sizeof(int))];
        memset(cbuf, 0, sizeof(cbuf));
        struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
        size_t sent = 0;
        while (sent < len) {
                ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return hull_err_sys(err, errno, "send the seccomp fd to the listener");
                sent += (size_t)n;
                /* The fd went with the first bytes; the rest (if any) follows plainly. */
                iov.iov_base = (char *)msg + sent;
                iov.iov_len = len - sent;
                mh.msg_control = NULL;
                mh.msg_controllen = 0;
        }
        return 0;
}

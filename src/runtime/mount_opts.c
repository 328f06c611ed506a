/* Parsing of OCI mount options into flags (see mount_opts.h). */
#include "runtime/mount_opts.h"

#include <errno.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "base/cleanup.h"

enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROPAGATION, OPT_REC_SET, OPT_REC_CLR, OPT_REC_ATIME, OPT_IDMAP };

struct opt {
        const char *name;
        enum opt_kind kind;
        unsigned long value; /* MS_* or MOUNT_ATTR_* */
};

static const struct opt opts[] = {
        {"defaults", OPT_FLAG, 0},
        {"ro", OPT_FLAG, MS_RDONLY},
        {"rw", OPT_CLEAR, MS_RDONLY},
        {"nosuid", OPT_FLAG, MS_NOSUID},
        {"suid", OPT_CLEAR, MS_NOSUID},
        {"nodev", OPT_FLAG, MS_NODEV},
        {"dev", OPT_CLEAR, MS_NODEV},
        {"noexec", OPT_FLAG, MS_NOEXEC},
        {"exec", OPT_CLEAR, MS_NOEXEC},
        {"sync", OPT_FLAG, MS_SYNCHRONOUS},
        {"async", OPT_CLEAR, MS_SYNCHRONOUS},
        {"dirsync", OPT_FLAG, MS_DIRSYNC},
        {"remount", OPT_FLAG, MS_REMOUNT},
        {"mand", OPT_FLAG, MS_MANDLOCK},
        {"nomand", OPT_CLEAR, MS_MANDLOCK},
        {"atime", OPT_CLEAR, MS_NOATIME},
        {"noatime", OPT_FLAG, MS_NOATIME},
        {"diratime", OPT_CLEAR, MS_NODIRATIME},
        {"nodiratime", OPT_FLAG, MS_NODIRATIME},
        {"relatime", OPT_FLAG, MS_RELATIME},
        {"norelatime", OPT_CLEAR, MS_RELATIME},
        {"strictatime", OPT_FLAG, MS_STRICTATIME},
        {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
        {"lazytime", OPT_FLAG, MS_LAZYTIME},
        {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
        {"iversion", OPT_FLAG, MS_I_VERSION},
        {"noiversion", OPT_CLEAR, MS_I_VERSION},
        {"silent", OPT_FLAG, MS_SILENT},
        {"loud", OPT_CLEAR, MS_SILENT},
        {"bind", OPT_FLAG, MS_BIND},
        {"rbind", OPT_FLAG, MS_BIND | MS_REC},
        {"private", OPT_PROPAGATION, MS_PRIVATE},
        {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
        {"shared", OPT_PROPAGATION, MS_SHARED},
        {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
        {"slave", OPT_PROPAGATION, MS_SLAVE},
        {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
        {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
        {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},
        {"rro", OPT_REC_SET, MOUNT_ATTR_RDONLY},
        {"rrw", OPT_REC_CLR, MOUNT_ATTR_RDONLY},
        {"rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID},
        {"rsuid", OPT_REC_CLR, MOUNT_ATTR_NOSUID},
        {"rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV},
        {"rdev", OPT_REC_CLR, MOUNT_ATTR_NODEV},
        {"rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC},
        {"rexec", OPT_REC_CLR, MOUNT_ATTR_NOEXEC},
        {"rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME},
        {"rdiratime", OPT_REC_CLR, MOUNT_ATTR_NODIRATIME},
        {"rrelatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME},
        {"rnoatime", OPT_REC_ATIME, MOUNT_ATTR_NOATIME},
        {"rstrictatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME},
        {"ratime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME},
        {"rnorelatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME},
        {"rnostrictatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME},
        {"idmap", OPT_IDMAP, 0},
        {"ridmap", OPT_IDMAP, 1},
};

static const struct opt *find_opt(const char *name)
{
        for (size_t i = 0; i < HULL_ARRAY_SIZE(opts); i++)
                if (strcmp(opts[i].name, name) == 0)
                        return &opts[i];
        return NULL;
}

static int append_data(char **data, size_t *len, const char *opt)
{
        size_t n = strlen(opt);
        char *p = realloc(*data, *len + n + 2);
        if (!p)
                return -ENOMEM;
        if (*len)
                p[(*len)++] = ',';
        memcpy(p + *len, opt, n + 1);
        *len += n;
        *data = p;
        return 0;
}

static void apply_opt(const struct opt *o, struct hull_mount_opts *r)
{
        switch (o->kind) {
        case OPT_FLAG:
                r->flags |= o->value;
                r->clear_flags &= ~o->value;
                break;
        case OPT_CLEAR:
                r->flags &= ~o->value;
                r->clear_flags |= o->value;
                break;
        case OPT_PROPAGATION:
                r->propagation = o->value;
                break;
        case OPT_REC_SET:
                r->rec_attr_set |= o->value;
                r->rec_attr_clr &= ~o->value;
                break;
        case OPT_REC_CLR:
                r->rec_attr_clr |= o->value;
                r->rec_attr_set &= ~o->value;
                break;
        case OPT_REC_ATIME:
                r->rec_atime = true;
                r->rec_attr_clr |= MOUNT_ATTR__ATIME;
                r->rec_attr_set = (r->rec_attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | o->value;
                break;
        case OPT_IDMAP:
                r->idmap = true;
                break;
        }
}

int hull_mount_opts_parse(char *const *options, struct hull_mount_opts *ret, struct hull_err *err)
{
        struct hull_mount_opts r = {0};
        size_t len = 0;
        _cleanup_free_ char *data = strdup("");
        if (!data)
                return hull_err_set(err, ENOMEM, "out of memory");
        for (char *const *p = options; p && *p; p++) {
                const struct opt *o = find_opt(*p);
                if (o) {
                        apply_opt(o, &r);
                        continue;
                }
                if (**p == '\0')
                        continue;
                if (append_data(&data, &len, *p) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        r.data = TAKE_PTR(data);
        *ret = r;
        return 0;
}

void hull_mount_opts_done(struct hull_mount_opts *o)
{
        free(o->data);
        o->data = NULL;
}

bool hull_mount_is_bind(const char *type, const struct hull_mount_opts *o)
{
        return (o->flags & MS_BIND) || (type && strcmp(type, "bind") == 0);
}

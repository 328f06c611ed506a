/* Where the cgroup hierarchies are (/proc/self/mountinfo), which cgroup the caller is in
 * (/proc/self/cgroup), and where a container's cgroup goes (linux.cgroupsPath). */
#include "cgroup/cgroup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"

static char *test_mountinfo, *test_self_cgroup;

static char *hull_cgroup_default_path(const char *id)
{
        char *s;
        if (asprintf(&s, "/%s/%s", HULL_CGROUP_DEFAULT_PARENT, id) < 0)
                return NULL;
        return s;
}

int hull_cgroup_set_root_for_tests(const char *mountinfo_path, const char *self_cgroup_path)
{
        free(test_mountinfo);
        free(test_self_cgroup);
        test_mountinfo = mountinfo_path ? strdup(mountinfo_path) : NULL;
        test_self_cgroup = self_cgroup_path ? strdup(self_cgroup_path) : NULL;
        if ((mountinfo_path && !test_mountinfo) || (self_cgroup_path && !test_self_cgroup))
                return -ENOMEM;
        return 0;
}

bool hull_cgroup_testing(void)
{
        return test_mountinfo != NULL;
}

void hull_cgroup_hier_clear(struct hull_cgroup_hier *h)
{
        free(h->controllers);
        free(h->mount);
        free(h->path);
        *h = (struct hull_cgroup_hier){0};
}

void hull_cgroup_mounts_clear(struct hull_cgroup_mounts *m)
{
        for (size_t i = 0; i < m->n_v1; i++)
                hull_cgroup_hier_clear(&m->v1[i]);
        free(m->v1);
        hull_cgroup_hier_clear(&m->unified);
        *m = (struct hull_cgroup_mounts){0};
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

static bool is_controller_option(const char *opt)
{
        static const char *const known[] = {
            "cpu",     "cpuacct",  "cpuset",     "memory",  "devices", "freezer", "blkio", "pids",
            "net_cls", "net_prio", "perf_event", "hugetlb", "rdma",    "misc",    "debug",
        };
        if (strncmp(opt, "name=", 5) == 0)
                return true;
        for (size_t i = 0; i < HULL_ARRAY_SIZE(known); i++)
                if (strcmp(opt, known[i]) == 0)
                        return true;
        return false;
}

/* "rw,nosuid,cpu,cpuacct" -> "cpu,cpuacct" (in the kernel's order). */
static char *controllers_of(const char *superopts)
{
        _cleanup_free_ char *copy = strdup(superopts);
        char *out = calloc(1, strlen(superopts) + 1);
        if (!copy || !out) {
                free(out);
                return NULL;
        }
        char *save = NULL;
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                if (!is_controller_option(o))
                        continue;
                if (*out)
                        strcat(out, ",");
                strcat(out, o);
        }
        return out;
}

/* Does the comma list LIST hold NAME? */
static bool list_has(const char *list, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = list; p && *p;) {
                if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                        return true;
                p = strchr(p, ',');
                if (p)
                        p++;
        }
        return false;
}

/* The caller's cgroup in the hierarchy of CONTROLLERS ("" for the unified one), as
 * /proc/self/cgroup gives it; "/" if not listed. */
static const char *self_path(char *self_cgroup, const char *controllers, char *buf, size_t size)
{
        snprintf(buf, size, "/");
        for (char *line = self_cgroup; line && *line;) {
                char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                char *c1 = memchr(line, ':', len);
                char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
                if (c2) {
                        size_t clen = (size_t)(c2 - c1 - 1);
                        bool match = false;
                        if (!*controllers) {
                                match = clen == 0;
                        } else if (clen > 0) {
                                _cleanup_free_ char *ctl = strndup(c1 + 1, clen);
                                /* The first controller identifies the hierarchy. */
                                _cleanup_free_ char *first = strdup(controllers);
                                if (ctl && first) {
                                        char *comma = strchr(first, ',');
                                        if (comma)
                                                *comma = '\0';
                                        match = list_has(ctl, first);
                                }
                        }
                        if (match) {
                                size_t plen = len - (size_t)(c2 + 1 - line);
                                snprintf(buf, size, "%.*s", (int)plen, c2 + 1);
                                break;
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        return buf;
}

/* The caller's cgroup relative to a mount whose root (in the hierarchy) is ROOT. */
static char *strip_root(const char *cg, const char *root)
{
        size_t n = strlen(root);
        if (strcmp(root, "/") == 0)
                return strdup(cg);
        if (strncmp(cg, root, n) == 0 && (cg[n] == '/' || cg[n] == '\0'))
                return strdup(cg[n] ? cg + n : "/");
        /* Not below the mount (another cgroup namespace): the mount is all we can see. */
        return strdup("/");
}

static int add_hier(struct hull_cgroup_mounts *m, const char *controllers, const char *mount,
                    const char *self)
{
        /* The same hierarchy may be mounted twice (bind mounts): the first one wins. */
        for (size_t i = 0; i < m->n_v1; i++)
                if (strcmp(m->v1[i].controllers, controllers) == 0)
                        return 0;
        struct hull_cgroup_hier *n = realloc(m->v1, (m->n_v1 + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        m->v1 = n;
        struct hull_cgroup_hier *h = &m->v1[m->n_v1];
        *h = (struct hull_cgroup_hier){0};
        h->controllers = strdup(controllers);
        h->mount = strdup(mount);
        h->path = strdup(self);
        m->n_v1++;
        if (!h->controllers || !h->mount || !h->path)
                return -ENOMEM;
        return 0;
}

int hull_cgroup_mounts_parse(const char *mountinfo, const char *self_cgroup,
                             struct hull_cgroup_mounts *ret, struct hull_err *err)
{
        struct hull_cgroup_mounts m = {0};
        _cleanup_free_ char *info = strdup(mountinfo);
        _cleanup_free_ char *self = strdup(self_cgroup ? self_cgroup : "");
        if (!info || !self)
                return hull_err_set(err, ENOMEM, "out of memory");
        bool have_v1_controllers = false;
        char buf[4096];
        for (char *line = info; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                /* id parent maj:min root mountpoint opts [optional...] - fstype source super */
                char *fields[6] = {0};
                char *save = NULL;
                char *tok = strtok_r(line, " ", &save);
                for (int i = 0; tok && i < 6; i++) {
                        fields[i] = tok;
                        tok = i < 5 ? strtok_r(NULL, " ", &save) : tok;
                }
                char *fstype = NULL, *superopts = NULL;
                for (; tok; tok = strtok_r(NULL, " ", &save)) {
                        if (strcmp(tok, "-") == 0) {
                                fstype = strtok_r(NULL, " ", &save);
                                if (fstype && strtok_r(NULL, " ", &save))
                                        superopts = strtok_r(NULL, " ", &save);
                                break;
                        }
                }
                line = nl ? nl + 1 : NULL;
                if (!fields[4] || !fstype)
                        continue;
                unescape(fields[3]);
                unescape(fields[4]);
                int r = 0;
                if (strcmp(fstype, "cgroup2") == 0) {
                        if (m.unified.mount)
                                continue;
                        _cleanup_free_ char *p =
                            strip_root(self_path(self, "", buf, sizeof(buf)), fields[3]);
                        m.unified.controllers = strdup("");
                        m.unified.mount = strdup(fields[4]);
                        m.unified.path = TAKE_PTR(p);
                        if (!m.unified.controllers || !m.unified.mount || !m.unified.path)
                                r = -ENOMEM;
                } else if (strcmp(fstype, "cgroup") == 0 && superopts) {
                        _cleanup_free_ char *ctl = controllers_of(superopts);
                        if (!ctl) {
                                r = -ENOMEM;
                        } else if (*ctl) {
                                if (strncmp(ctl, "name=", 5) != 0)
                                        have_v1_controllers = true;
                                _cleanup_free_ char *p =
                                    strip_root(self_path(self, ctl, buf, sizeof(buf)), fields[3]);
                                r = p ? add_hier(&m, ctl, fields[4], p) : -ENOMEM;
                        }
                }
                if (r < 0) {
                        hull_cgroup_mounts_clear(&m);
                        return hull_err_set(err, ENOMEM, "out of memory");
                }
        }
        if (have_v1_controllers)
                m.layout = m.unified.mount ? HULL_CGROUP_LAYOUT_HYBRID : HULL_CGROUP_LAYOUT_V1;
        else if (m.unified.mount)
                m.layout = HULL_CGROUP_LAYOUT_V2;
        else {
                hull_cgroup_mounts_clear(&m);
                return hull_err_set(err, ENOENT, "no cgroup filesystem is mounted");
        }
        if (m.layout == HULL_CGROUP_LAYOUT_V2) {
                /* Named v1 hierarchies next to a pure v2 mount are not ours to manage. */
                for (size_t i = 0; i < m.n_v1; i++)
                        hull_cgroup_hier_clear(&m.v1[i]);
                free(m.v1);
                m.v1 = NULL;
                m.n_v1 = 0;
        }
        *ret = m;
        return 0;
}

static int read_text(const char *path, char **ret, struct hull_err *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s", path);
        size_t cap = 8192, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return hull_err_set(err, ENOMEM, "out of memory");
        for (;;) {
                if (len + 1 >= cap) {
                        char *n = realloc(buf, cap * 2);
                        if (!n)
                                return hull_err_set(err, ENOMEM, "out of memory");
                        buf = n;
                        cap *= 2;
                }
                ssize_t r = read(fd, buf + len, cap - len - 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return hull_err_sys(err, errno, "read %s", path);
                if (r == 0)
                        break;
                len += (size_t)r;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int hull_cgroup_mounts_load(struct hull_cgroup_mounts *ret, struct hull_err *err)
{
        _cleanup_free_ char *info = NULL, *self = NULL;
        int r = read_text(test_mountinfo ? test_mountinfo : "/proc/self/mountinfo", &info, err);
        if (r < 0)
                return r;
        r = read_text(test_self_cgroup ? test_self_cgroup : "/proc/self/cgroup", &self, err);
        if (r < 0)
                return r;
        return hull_cgroup_mounts_parse(info, self, ret, err);
}

int hull_cgroup_detect(enum hull_cgroup_layout *ret, struct hull_err *err)
{
        static int cached = -1;
        if (cached < 0 || hull_cgroup_testing()) {
                struct hull_cgroup_mounts m;
                int r = hull_cgroup_mounts_load(&m, err);
                if (r < 0)
                        return r;
                cached = (int)m.layout;
                hull_cgroup_mounts_clear(&m);
        }
        *ret = (enum hull_cgroup_layout)cached;
        return 0;
}

int hull_cgroup_resolve_path(const char *cgroups_path, const char *id, const char *self, char **ret,
                             struct hull_err *err)
{
        _cleanup_free_ char *raw = NULL;
        if (!cgroups_path || !*cgroups_path) {
                if (!id || !*id || strchr(id, '/') || strcmp(id, "..") == 0 || strcmp(id, ".") == 0)
                        return hull_err_set(err, EINVAL, "invalid container id for a cgroup: %s",
                                            id ? id : "");
                raw = hull_cgroup_default_path(id);
        } else if (cgroups_path[0] == '/') {
                raw = strdup(cgroups_path);
        } else {
                if (asprintf(&raw, "%s/%s", self, cgroups_path) < 0)
                        raw = NULL;
        }
        if (!raw)
                return hull_err_set(err, ENOMEM, "out of memory");
        /* Clean: collapse "//" and "/./"; refuse ".." outright, whatever it would reach. */
        size_t len = strlen(raw);
        _cleanup_free_ char *out = malloc(len + 2);
        if (!out)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t w = 0;
        for (char *p = raw; *p;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                char *end = strchrnul(p, '/');
                size_t n = (size_t)(end - p);
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return hull_err_set(err, EINVAL,
                                            "linux.cgroupsPath %s: \"..\" is not allowed",
                                            cgroups_path);
                if (!(n == 1 && p[0] == '.')) {
                        out[w++] = '/';
                        memcpy(out + w, p, n);
                        w += n;
                }
                p = end;
        }
        out[w] = '\0';
        if (w == 0 || strcmp(out, self) == 0)
                return hull_err_set(err, EINVAL,
                                    "linux.cgroupsPath %s: the container needs a cgroup of its "
                                    "own, not %s",
                                    cgroups_path, w == 0 ? "the root cgroup" : "the caller's");
        *ret = TAKE_PTR(out);
        return 0;
}

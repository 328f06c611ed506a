/* State directories, state.json and derived status (see state.h). */
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/syscalls.h"
#include "cgroup/cgroup.h"

int hull_state_root_open(const char *root, struct hull_err *err)
{
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0)
                return fd;
        if (errno != ENOENT)
                return hull_err_sys(err, errno, "open state root %s", root);
        int r = hull_mkdir_p(root, 0700, err);
        if (r < 0)
                return hull_err_wrap(err, "create state root %s", root);
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open state root %s", root);
        return fd;
}

int hull_state_dir_create(int rootfd, const char *id, struct hull_err *err)
{
        if (mkdirat(rootfd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return hull_err_set(err, EEXIST, "container with id \"%s\" already exists",
                                            id);
                return hull_err_sys(err, errno, "create state directory for %s", id);
        }
        int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                int e = errno;
                unlinkat(rootfd, id, AT_REMOVEDIR);
                return hull_err_sys(err, e, "open state directory for %s", id);
        }
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int e = errno;
                close(fd);
                return hull_err_sys(err, e, "lock state directory for %s", id);
        }
        return fd;
}

int hull_state_dir_open(int rootfd, const char *id, bool exclusive, struct hull_err *err)
{
        int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return hull_err_set(err, ENOENT, "container \"%s\" does not exist", id);
                return hull_err_sys(err, errno, "open state directory for %s", id);
        }
        int r;
        do
                r = flock(fd, exclusive ? LOCK_EX : LOCK_SH);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
                int e = errno;
                close(fd);
                return hull_err_sys(err, e, "lock state directory for %s", id);
        }
        return fd;
}

static json_t *state_to_json(const struct hull_state *st)
{
        json_t *o = json_pack("{s:s, s:i, s:I, s:s, s:s, s:s, s:I}", "id", st->id, "pid",
                              (int)st->pid, "start_time", (json_int_t)st->start_time, "bundle",
                              st->bundle, "rootfs", st->rootfs ? st->rootfs : "", "created",
                              st->created ? st->created : "", "owner", (json_int_t)st->owner);
        if (!o)
                return NULL;
        if (st->annotations)
                json_object_set(o, "annotations", st->annotations);
        if (st->cgroup)
                json_object_set(o, "cgroup", st->cgroup);
        if (st->config)
                json_object_set(o, "config", st->config);
        return o;
}

int hull_state_save(int dirfd, const struct hull_state *st, struct hull_err *err)
{
        json_t *o = state_to_json(st);
        if (!o)
                return hull_err_set(err, ENOMEM, "encode state of %s", st->id);
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!s)
                return hull_err_set(err, ENOMEM, "encode state of %s", st->id);
        int r = hull_file_write_atomic(dirfd, HULL_STATE_FILE, s, strlen(s), 0600, err);
        free(s);
        if (r < 0)
                return hull_err_wrap(err, "save state of %s", st->id);
        return 0;
}

static char *dup_str(json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return s ? strdup(s) : NULL;
}

static json_t *take_obj(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);
        return v ? json_incref(v) : NULL;
}

int hull_state_load(int dirfd, const char *id, struct hull_state **ret, struct hull_err *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = hull_file_read(dirfd, HULL_STATE_FILE, &data, &len, err);
        if (r < 0)
                return r == -ENOENT ? hull_err_set(err, ENOENT, "container \"%s\" is being created "
                                                                "or its create failed", id)
                                    : hull_err_wrap(err, "load state of %s", id);
        json_error_t jerr;
        json_t *o = json_loadb(data, len, 0, &jerr);
        if (!o || !json_is_object(o)) {
                json_decref(o);
                return hull_err_set(err, EINVAL, "state of %s is corrupt: %s", id, jerr.text);
        }
        struct hull_state *st = calloc(1, sizeof(*st));
        if (!st) {
                json_decref(o);
                return hull_err_set(err, ENOMEM, "out of memory");
        }
        st->id = dup_str(o, "id");
        st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
        st->start_time = (unsigned long long)json_integer_value(json_object_get(o, "start_time"));
        st->bundle = dup_str(o, "bundle");
        st->rootfs = dup_str(o, "rootfs");
        st->created = dup_str(o, "created");
        st->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
        st->annotations = take_obj(o, "annotations");
        st->cgroup = take_obj(o, "cgroup");
        st->config = take_obj(o, "config");
        json_decref(o);
        if (!st->id || !st->bundle || st->pid <= 0) {
                hull_state_free(st);
                return hull_err_set(err, EINVAL, "state of %s is corrupt: missing fields", id);
        }
        *ret = st;
        return 0;
}

void hull_state_free(struct hull_state *st)
{
        if (!st)
                return;
        free(st->id);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        json_decref(st->annotations);
        json_decref(st->cgroup);
        json_decref(st->config);
        free(st);
}

int hull_state_dir_remove(int rootfd, const char *id, struct hull_err *err)
{
        int r = hull_rm_rf_at(rootfd, id, err);
        if (r < 0 && r != -ENOENT)
                return hull_err_wrap(err, "remove state directory of %s", id);
        return 0;
}

unsigned long long hull_proc_start_time(pid_t pid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        /* comm may contain spaces and ')': fields start after the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return 0;
        p += 2;
        char state = *p;
        if (state == 'Z' || state == 'X')
                return 0;
        /* p is at field 3 (state); start time is field 22. */
        for (int field = 3; field < 22 && p; field++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        return p ? strtoull(p, NULL, 10) : 0;
}

bool hull_state_process_alive(const struct hull_state *st)
{
        unsigned long long t = hull_proc_start_time(st->pid);
        return t != 0 && t == st->start_time;
}

enum hull_status hull_state_status(int dirfd, const struct hull_state *st)
{
        if (!hull_state_process_alive(st))
                return HULL_STATUS_STOPPED;
        if (faccessat(dirfd, HULL_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return HULL_STATUS_CREATED;
        if (st->cgroup) {
                struct hull_cgroup *cg = NULL;
                if (hull_cgroup_from_json(st->cgroup, &cg, NULL) == 0) {
                        int frozen = hull_cgroup_is_frozen(cg);
                        hull_cgroup_free(cg);
                        if (frozen > 0)
                                return HULL_STATUS_PAUSED;
                }
        }
        return HULL_STATUS_RUNNING;
}

int hull_state_pidfd(const struct hull_state *st)
{
        int fd = hull_pidfd_open(st->pid, 0);
        if (fd < 0)
                return -errno;
        /* The pidfd pins the process; checking the start time after opening it closes the
         * pid-reuse window. */
        if (!hull_state_process_alive(st)) {
                close(fd);
                return -ESRCH;
        }
        return fd;
}

json_t *hull_state_to_oci(const struct hull_state *st, enum hull_status status)
{
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", HULL_OCI_VERSION, "id",
                              st->id, "status", hull_status_to_string(status), "pid",
                              status == HULL_STATUS_STOPPED ? 0 : (int)st->pid, "bundle",
                              st->bundle);
        if (!o)
                return NULL;
        json_object_set_new(o, "rootfs", json_string(st->rootfs ? st->rootfs : ""));
        json_object_set_new(o, "created", json_string(st->created ? st->created : ""));
        json_object_set_new(o, "owner", json_string(""));
        if (st->annotations)
                json_object_set(o, "annotations", st->annotations);
        else
                json_object_set_new(o, "annotations", json_object());
        return o;
}

char *hull_now_rfc3339(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char buf[64];
        size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", ts.tv_nsec);
        return strdup(buf);
}

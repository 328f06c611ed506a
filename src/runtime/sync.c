/* Parent/child synchronisation messages for create (see sync.h). */
#include "runtime/sync.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

struct sync_msg {
        uint32_t step;
        int32_t code;
        char text[HULL_ERR_MSG_MAX];
};

static const char *const step_names[] = {
        [HULL_SYNC_PARENT_SETUP_DONE] = "parent-setup-done",
        [HULL_SYNC_CHILD_MOUNTS_DONE] = "child-mounts-done",
        [HULL_SYNC_PARENT_HOOKS_DONE] = "parent-hooks-done",
        [HULL_SYNC_CHILD_READY] = "child-ready",
        [HULL_SYNC_PARENT_STATE_SAVED] = "parent-state-saved",
        [HULL_SYNC_ERROR] = "error",
        [HULL_SYNC_CHILD_INIT_PID] = "child-init-pid",
};

const char *hull_sync_step_name(enum hull_sync_step step)
{
        if ((unsigned)step < sizeof(step_names) / sizeof(step_names[0]) && step_names[step])
                return step_names[step];
        return "unknown";
}

static int send_msg(int fd, const struct sync_msg *m)
{
        /* Only the header and the used part of the text travel. */
        size_t len = offsetof(struct sync_msg, text) + strnlen(m->text, sizeof(m->text) - 1) + 1;
        ssize_t n;
        do
                n = send(fd, m, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : 0;
}

int hull_sync_send(int fd, enum hull_sync_step step, struct hull_err *err)
{
        return hull_sync_send_value(fd, step, 0, err);
}

int hull_sync_send_value(int fd, enum hull_sync_step step, int value, struct hull_err *err)
{
        struct sync_msg m = {.step = step, .code = value};
        int r = send_msg(fd, &m);
        if (r < 0)
                return hull_err_sys(err, -r, "sync: send %s", hull_sync_step_name(step));
        return 0;
}

void hull_sync_send_error(int fd, const struct hull_err *failure)
{
        struct sync_msg m = {.step = HULL_SYNC_ERROR, .code = failure->code ? failure->code : EIO};
        snprintf(m.text, sizeof(m.text), "%s", failure->msg);
        (void)send_msg(fd, &m);
}

int hull_sync_expect(int fd, enum hull_sync_step expected, const char *peer, struct hull_err *err)
{
        int ignored;
        return hull_sync_expect_value(fd, expected, peer, &ignored, err);
}

int hull_sync_expect_value(int fd, enum hull_sync_step expected, const char *peer, int *ret_value,
                           struct hull_err *err)
{
        struct sync_msg m;
        ssize_t n;
        do
                n = recv(fd, &m, sizeof(m), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return hull_err_sys(err, errno, "sync: waiting for %s",
                                    hull_sync_step_name(expected));
        if (n == 0)
                return hull_err_set(err, EPIPE, "%s exited before %s", peer,
                                    hull_sync_step_name(expected));
        if ((size_t)n < offsetof(struct sync_msg, text))
                return hull_err_set(err, EPROTO, "sync: short message from %s", peer);
        if (m.step == HULL_SYNC_ERROR) {
                ((char *)&m)[n < (ssize_t)sizeof(m) ? n : (ssize_t)sizeof(m) - 1] = '\0';
                m.text[sizeof(m.text) - 1] = '\0';
                return hull_err_set(err, m.code > 0 ? m.code : EIO, "%s", m.text);
        }
        if (m.step != (uint32_t)expected)
                return hull_err_set(err, EPROTO, "sync: expected %s from %s, got %s",
                                    hull_sync_step_name(expected), peer,
                                    hull_sync_step_name(m.step));
        *ret_value = m.code;
        return 0;
}

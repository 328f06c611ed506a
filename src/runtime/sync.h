/* The named steps init and its parent walk during create, over a SOCK_SEQPACKET socketpair.
 * Each side checks that the step it receives is the one it expects; any step may instead be
 * an error {errno, message} that the other side reports. */
#pragma once
#include "base/error.h"

enum hull_sync_step {
        /* parent -> child: id maps written, cgroup entered and configured */
        HULL_SYNC_PARENT_SETUP_DONE = 1,
        /* child -> parent: namespaces joined, mounts made; run createRuntime/prestart hooks */
        HULL_SYNC_CHILD_MOUNTS_DONE,
        /* parent -> child: hooks that run in the runtime namespace are done */
        HULL_SYNC_PARENT_HOOKS_DONE,
        /* child -> parent: fully set up, about to wait on exec.fifo */
        HULL_SYNC_CHILD_READY,
        /* parent -> child: state saved; the child may now outlive the parent */
        HULL_SYNC_PARENT_STATE_SAVED,
        /* either way: the sender failed; the message says why */
        HULL_SYNC_ERROR,
        /* child -> parent, first of all when it had to fork init into a pid namespace of a
         * joined user namespace: the value is init's pid */
        HULL_SYNC_CHILD_INIT_PID,
};

const char *hull_sync_step_name(enum hull_sync_step step);

/* Send STEP. */
int hull_sync_send(int fd, enum hull_sync_step step, struct hull_err *err);
/* Send an error; best effort (the peer may be gone). */
void hull_sync_send_error(int fd, const struct hull_err *failure);
/* Wait for EXPECTED. An error message from the peer becomes err (returned as -code); EOF
 * becomes "<peer> exited during <expected>"; another step is -EPROTO. */
int hull_sync_expect(int fd, enum hull_sync_step expected, const char *peer, struct hull_err *err);
/* The same, for steps that carry a number. */
int hull_sync_send_value(int fd, enum hull_sync_step step, int value, struct hull_err *err);
int hull_sync_expect_value(int fd, enum hull_sync_step expected, const char *peer, int *ret_value,
                           struct hull_err *err);

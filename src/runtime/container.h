/* The runtime's lifecycle verbs, as the hullc CLI calls them. Each returns 0 or -errno with
 * err filled; none prints. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>
#include "base/error.h"

#define HULL_DEFAULT_STATE_ROOT "/run/hullc"

struct hull_runtime {
        const char *state_root; /* --root (created if missing) */
        bool debug;
        bool systemd_cgroup; /* accepted, warned: cgroupfs is used */
        bool rootless;       /* running as non-root */
};

struct hull_create_opts {
        const char *id;
        const char *bundle;         /* default: cwd */
        const char *pid_file;       /* NULL: none */
        const char *console_socket; /* NULL: none */
        bool has_console_fd;        /* run: a connected socket used instead of console_socket */
        int console_fd;
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds;           /* extra fds after stdio passed to the container */
        bool keep;                  /* run: keep the state after the container exits */
};

int hull_container_create(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                          struct hull_err *err);
int hull_container_start(const struct hull_runtime *rt, const char *id, struct hull_err *err);

/* create + start; unless DETACH, wait for the container, forwarding signals, and set
 * *ret_status to its exit code (128+signal when killed), then delete it. */
int hull_container_run(const struct hull_runtime *rt, const struct hull_create_opts *opts,
                       bool detach, int *ret_status, struct hull_err *err);

/* The OCI state JSON object. */
int hull_container_state(const struct hull_runtime *rt, const char *id, json_t **ret,
                         struct hull_err *err);
int hull_container_kill(const struct hull_runtime *rt, const char *id, int sig, bool all,
                        struct hull_err *err);
int hull_container_delete(const struct hull_runtime *rt, const char *id, bool force,
                          struct hull_err *err);
/* An array of objects: {id, pid, status, bundle, created, owner, annotations}. */
int hull_container_list(const struct hull_runtime *rt, json_t **ret, struct hull_err *err);

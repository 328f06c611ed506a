/* OCI hooks: each runs with the container state JSON on stdin, its args and env (ours when the
 * hook has none, as runc does), and an optional timeout; its output is kept for the error
 * message. Where each kind runs and what its failure does follow the runtime-spec:
 *   prestart, createRuntime  runtime namespace, during create   failure aborts create
 *   createContainer          container namespace, before pivot  failure aborts create
 *   startContainer           container namespace, before exec   failure stops the container
 *   poststart                runtime namespace, after start     failure only warns
 *   poststop                 runtime namespace, during delete   failure only warns */
#pragma once
#include <jansson.h>
#include <sys/types.h>
#include "base/error.h"
#include "oci/config.h"

struct hull_spawn;
struct hull_state;

/* Run every hook of KIND in order; stops at the first failure. STATE_JSON goes to stdin. */
int hull_hooks_run(const struct hull_oci_config *c, enum hull_hook_kind kind,
                   const char *state_json, struct hull_err *err);
/* Run every hook of KIND; a failure is logged as a warning and the next hook runs. */
void hull_hooks_run_warn(const struct hull_oci_config *c, enum hull_hook_kind kind,
                         const char *state_json);
const char *hull_hook_kind_name(enum hull_hook_kind kind);

/* The state JSON a hook reads (malloc'd, NULL on ENOMEM). */
char *hull_hooks_state(const char *id, const char *status, pid_t pid, const char *bundle,
                       json_t *annotations);

/* Parent, during create (mounts done, before pivot_root): prestart, then createRuntime. */
int hull_hooks_run_runtime(struct hull_spawn *sp, struct hull_err *err);
/* Child, mounts done, right before pivot_root: let the parent run its hooks (the
 * child-mounts-done / parent-hooks-done sync steps), then run createContainer here. */
int hull_hooks_before_pivot(struct hull_spawn *sp, struct hull_err *err);
/* Child, after `start` released it, right before execve: startContainer. */
int hull_hooks_start_container(struct hull_spawn *sp, struct hull_err *err);

/* The hooks of C as they are kept in the state ("config": {"hooks": ...}) so that start and
 * delete run those given at create even if config.json changed since; NULL when C has none. */
json_t *hull_hooks_to_state(const struct hull_oci_config *c);
/* Parent: poststart (from start) and poststop (from delete) of the container in ST, with the
 * hooks kept in its state. Failures are warnings. */
void hull_hooks_poststart(const struct hull_state *st);
void hull_hooks_poststop(const struct hull_state *st);

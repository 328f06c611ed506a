/* OCI hooks: each runs with the container state JSON on stdin, its args and env, and an
 * optional timeout. */
#pragma once
#include "base/error.h"
#include "oci/config.h"

struct hull_spawn;

/* Run every hook of KIND in order; stops at the first failure. STATE_JSON goes to stdin. */
int hull_hooks_run(const struct hull_oci_config *c, enum hull_hook_kind kind,
                   const char *state_json, struct hull_err *err);
/* During create, in the runtime namespace: prestart, then createRuntime. */
int hull_hooks_run_runtime(struct hull_spawn *sp, struct hull_err *err);
const char *hull_hook_kind_name(enum hull_hook_kind kind);

/* `hullc features`: what this runtime supports, as the OCI runtime-spec's features document
 * (features.md): hooks, mount options, namespaces, capabilities, cgroup, seccomp, LSMs. */
#pragma once
#include <jansson.h>

/* A new object, or NULL on ENOMEM. */
json_t *hull_features_json(void);

/* `hull import`: a root filesystem tarball (plain or compressed) becomes a one-layer image, with
 * Dockerfile-style --change instructions (CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL,
 * STOPSIGNAL, VOLUME) applied to its config. */
#pragma once
#include <jansson.h>
#include "base/error.h"
#include "image/digest.h"
#include "image/store.h"

/* Apply one change ("CMD [\"sh\"]", "ENV A=b", "WORKDIR /x") to an image config's "config". */
int hull_config_apply_change(json_t *config, const char *change, struct hull_err *err);

/* Import from FD; NAME may be NULL. RET_ID gets the image id (config digest). */
int hull_image_import(struct hull_store *s, int fd, const char *const *changes, const char *message,
                      const char *name, char ret_id[HULL_DIGEST_LEN + 1], struct hull_err *err);

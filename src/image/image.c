/* Resolving a stored image into its parts (see image.h). */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"

void hull_image_free(struct hull_image *img)
{
        if (!img)
                return;
        hull_manifest_free(&img->manifest);
        if (img->config)
                json_decref(img->config);
        for (size_t i = 0; i < img->nlayers; i++)
                free(img->layers[i].media_type);
        free(img->layers);
        free(img->manifest_raw);
        memset(img, 0, sizeof(*img));
}

static int read_config(struct hull_store *s, struct hull_image *img, struct hull_err *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = hull_store_read(s, img->manifest.config.digest, &data, &len, err);
        if (r < 0)
                return r;
        return hull_json_parse(data, len, &img->config, "image config", err);
}

int hull_image_read(struct hull_store *s, const char *manifest_digest, struct hull_image *ret,
                    struct hull_err *err)
{
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        snprintf(img.manifest_digest, sizeof(img.manifest_digest), "%s", manifest_digest);
        int r = hull_store_read(s, manifest_digest, &img.manifest_raw, &img.manifest_len, err);
        if (r < 0)
                return r;
        r = hull_manifest_parse(img.manifest_raw, img.manifest_len, NULL, &img.manifest, err);
        if (r < 0)
                return hull_err_wrap(err, "manifest %s", manifest_digest);
        if (img.manifest.is_index)
                return hull_err_set(err, EINVAL, "%s is an index, not an image manifest",
                                    manifest_digest);
        snprintf(img.config_digest, sizeof(img.config_digest), "%s", img.manifest.config.digest);
        r = read_config(s, &img, err);
        if (r < 0)
                return r;
        _cleanup_strv_ char **diff_ids = NULL;
        size_t n = 0;
        r = hull_config_diff_ids(img.config, &diff_ids, &n, err);
        if (r < 0)
                return r;
        if (n != img.manifest.nlayers)
                return hull_err_set(err, EINVAL,
                                    "image %s: manifest has %zu layers but config %zu diff_ids",
                                    manifest_digest, img.manifest.nlayers, n);
        img.layers = calloc(n ? n : 1, sizeof(*img.layers));
        if (!img.layers)
                return hull_err_set(err, ENOMEM, "out of memory");
        img.nlayers = n;
        for (size_t i = 0; i < n; i++) {
                struct hull_image_layer *l = &img.layers[i];
                const struct hull_descriptor *d = &img.manifest.layers[i];
                snprintf(l->blob, sizeof(l->blob), "%s", d->digest);
                snprintf(l->diff_id, sizeof(l->diff_id), "%s", diff_ids[i]);
                hull_chain_id(i ? img.layers[i - 1].chain : NULL, l->diff_id, l->chain);
                l->media_type = d->media_type ? strdup(d->media_type) : NULL;
                l->size = d->size;
        }
        *ret = img;
        memset(&img, 0, sizeof(img));
        return 0;
}

static int unpack_one(struct hull_store *s, const struct hull_image_layer *l, struct hull_err *err)
{
        if (!hull_media_type_is_layer(l->media_type))
                return hull_err_set(err, EPROTO, "layer %s has unsupported media type %s", l->blob,
                                    l->media_type);
        return hull_store_unpack_layer(s, l->blob, l->diff_id, l->chain, err);
}

/* Unpack the missing layers in child processes, several at a time: each writes its own
 * temporary directory and renames it into place, so they are independent. Returns how many
 * children failed; the caller redoes those in-process to get their error message. */
static size_t unpack_parallel(struct hull_store *s, const struct hull_image *img)
{
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t max = cpus > 1 ? (size_t)(cpus < 8 ? cpus : 8) : 1;
        _cleanup_free_ pid_t *pids = calloc(img->nlayers, sizeof(pid_t));
        size_t started = 0, reaped = 0, failed = 0;
        if (!pids)
                return img->nlayers;
        fflush(NULL);
        for (size_t i = 0; i <= img->nlayers; i++) {
                /* Reap our own children only, oldest first. */
                while (started > reaped && (started - reaped >= max || i == img->nlayers)) {
                        int status;
                        pid_t pid = waitpid(pids[reaped], &status, 0);
                        if (pid < 0 && errno == EINTR)
                                continue;
                        reaped++;
                        if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                                failed++;
                }
                if (i == img->nlayers)
                        break;
                if (hull_store_has_layer(s, img->layers[i].chain))
                        continue;
                pid_t pid = fork();
                if (pid == 0) {
                        struct hull_err e = {0};
                        _exit(unpack_one(s, &img->layers[i], &e) < 0 ? 1 : 0);
                }
                if (pid < 0)
                        failed++;
                else
                        pids[started++] = pid;
        }
        return failed;
}

int hull_image_unpack(struct hull_store *s, const struct hull_image *img, struct hull_err *err)
{
        size_t missing = 0;
        for (size_t i = 0; i < img->nlayers; i++)
                missing += !hull_store_has_layer(s, img->layers[i].chain);
        if (missing > 1)
                unpack_parallel(s, img);
        for (size_t i = 0; i < img->nlayers; i++) {
                if (hull_store_has_layer(s, img->layers[i].chain))
                        continue;
                int r = unpack_one(s, &img->layers[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

uint64_t hull_image_size(struct hull_store *s, const struct hull_image *img)
{
        uint64_t total = 0;
        for (size_t i = 0; i < img->nlayers; i++) {
                _cleanup_free_ char *path =
                    hull_strdup_printf("%s/layer.json", img->layers[i].chain + 7);
                _cleanup_free_ char *data = NULL;
                size_t len;
                struct hull_err ignore = {0};
                if (!path || hull_file_read(s->layers_fd, path, &data, &len, &ignore) < 0)
                        continue;
                json_auto_t *j = json_loadb(data, len, 0, NULL);
                total += (uint64_t)json_integer_value(json_object_get(j, "size"));
        }
        return total;
}

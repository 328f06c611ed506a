/* Writing image archives (see save.h) with libarchive, streaming: a docker-archive layer is
 * decompressed on the fly, its size taken from the unpacked layer's record (or measured by a
 * first decompression pass when the layer was never unpacked). */
#include "image/save.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/unpack.h"

static void write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
        *a = NULL;
}

static int header(struct archive *a, const char *name, int64_t size, struct hull_err *err)
{
        struct archive_entry *e = archive_entry_new();
        if (!e)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, size);
        archive_entry_set_mtime(e, 0, 0);
        int r = archive_write_header(a, e);
        archive_entry_free(e);
        if (r != ARCHIVE_OK)
                return hull_err_set(err, EIO, "write %s: %s", name, archive_error_string(a));
        return 0;
}

static int put_buf(struct archive *a, const char *name, const void *data, size_t len,
                   struct hull_err *err)
{
        int r = header(a, name, (int64_t)len, err);
        if (r < 0)
                return r;
        if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
                return hull_err_set(err, EIO, "write %s: %s", name, archive_error_string(a));
        return 0;
}

static int put_json(struct archive *a, const char *name, json_t *j, struct hull_err *err)
{
        _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);
        if (!text)
                return hull_err_set(err, ENOMEM, "out of memory");
        return put_buf(a, name, text, strlen(text), err);
}

/* Copy blob DIGEST into the archive as NAME, as stored. */
static int put_blob(struct hull_store *s, struct archive *a, const char *name, const char *digest,
                    struct hull_err *err)
{
        _cleanup_close_ int fd = hull_store_open_blob(s, digest, err);
        if (fd < 0)
                return fd;
        int64_t size = hull_store_size(s, digest);
        int r = header(a, name, size, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *buf = malloc(1 << 20);
        if (!buf)
                return hull_err_set(err, ENOMEM, "out of memory");
        for (;;) {
                ssize_t n = read(fd, buf, 1 << 20);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return hull_err_sys(err, errno, "read blob %s", digest);
                if (n == 0)
                        return 0;
                if (archive_write_data(a, buf, (size_t)n) != n)
                        return hull_err_set(err, EIO, "write %s: %s", name,
                                            archive_error_string(a));
        }
}

static void read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
        *a = NULL;
}

static int64_t uncompressed_size(struct hull_store *s, const struct hull_image_layer *l,
                                 struct hull_err *err)
{
        _cleanup_free_ char *path = hull_strdup_printf("%s/layer.json", l->chain + 7);
        _cleanup_free_ char *data = NULL;
        size_t len;
        struct hull_err ignore = {0};
        if (path && hull_file_read(s->layers_fd, path, &data, &len, &ignore) == 0) {
                json_auto_t *j = json_loadb(data, len, 0, NULL);
                if (json_is_integer(json_object_get(j, "size")))
                        return json_integer_value(json_object_get(j, "size"));
        }
        _cleanup_close_ int fd = hull_store_open_blob(s, l->blob, err);
        if (fd < 0)
                return fd;
        struct hull_unpack_result res;
        int r = hull_unpack_diff_id(fd, &res, err);
        return r < 0 ? r : (int64_t)res.size;
}

/* A docker-archive layer: the blob decompressed, named <diff_id hex>.tar. */
static int put_layer_tar(struct hull_store *s, struct archive *a, const struct hull_image_layer *l,
                         struct hull_err *err)
{
        int64_t size = uncompressed_size(s, l, err);
        if (size < 0)
                return (int)size;
        char name[80];
        snprintf(name, sizeof(name), "%.64s.tar", l->diff_id + 7);
        int r = header(a, name, size, err);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = hull_store_open_blob(s, l->blob, err);
        if (fd < 0)
                return fd;
        _cleanup_(read_freep) struct archive *in = archive_read_new();
        struct archive_entry *e;
        if (!in)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_read_support_filter_all(in);
        archive_read_support_format_raw(in);
        if (archive_read_open_fd(in, fd, 1 << 18) != ARCHIVE_OK ||
            archive_read_next_header(in, &e) != ARCHIVE_OK)
                return hull_err_set(err, EIO, "read layer %s: %s", l->blob,
                                    archive_error_string(in));
        int64_t written = 0;
        for (;;) {
                const void *buf;
                size_t n;
                la_int64_t off;
                int ar = archive_read_data_block(in, &buf, &n, &off);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN)
                        return hull_err_set(err, EIO, "read layer %s: %s", l->blob,
                                            archive_error_string(in));
                if (written + (int64_t)n > size)
                        return hull_err_set(err, EBADMSG, "layer %s is larger than recorded",
                                            l->blob);
                if (archive_write_data(a, buf, n) != (la_ssize_t)n)
                        return hull_err_set(err, EIO, "write %s: %s", name,
                                            archive_error_string(a));
                written += (int64_t)n;
        }
        if (written != size)
                return hull_err_set(err, EBADMSG, "layer %s is smaller than recorded", l->blob);
        return 0;
}

static int save_docker(struct hull_store *s, struct archive *a, const struct hull_save_image *imgs,
                       size_t n, json_t *done, struct hull_err *err)
{
        json_auto_t *manifest = json_array();
        for (size_t i = 0; i < n; i++) {
                _cleanup_(hull_image_freep) struct hull_image img = {0};
                int r = hull_image_read(s, imgs[i].manifest, &img, err);
                if (r < 0)
                        return r;
                char cfg_name[80];
                snprintf(cfg_name, sizeof(cfg_name), "%.64s.json", img.config_digest + 7);
                json_t *layers = json_array();
                json_t *tags = json_array();
                json_array_append_new(manifest, json_pack("{ss so so}", "Config", cfg_name,
                                                          "RepoTags", tags, "Layers", layers));
                if (imgs[i].name)
                        json_array_append_new(tags, json_string(imgs[i].name));
                if (!json_object_get(done, cfg_name)) {
                        r = put_blob(s, a, cfg_name, img.config_digest, err);
                        if (r < 0)
                                return r;
                        json_object_set_new(done, cfg_name, json_true());
                }
                for (size_t k = 0; k < img.nlayers; k++) {
                        char lname[80];
                        snprintf(lname, sizeof(lname), "%.64s.tar", img.layers[k].diff_id + 7);
                        json_array_append_new(layers, json_string(lname));
                        if (json_object_get(done, lname))
                                continue;
                        r = put_layer_tar(s, a, &img.layers[k], err);
                        if (r < 0)
                                return r;
                        json_object_set_new(done, lname, json_true());
                }
        }
        return put_json(a, "manifest.json", manifest, err);
}

static int oci_blob(struct hull_store *s, struct archive *a, const char *digest, json_t *done,
                    struct hull_err *err)
{
        if (json_object_get(done, digest))
                return 0;
        char name[96];
        snprintf(name, sizeof(name), "blobs/sha256/%.64s", digest + 7);
        json_object_set_new(done, digest, json_true());
        return put_blob(s, a, name, digest, err);
}

static int save_oci(struct hull_store *s, struct archive *a, const struct hull_save_image *imgs,
                    size_t n, json_t *done, struct hull_err *err)
{
        int r = put_buf(a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, err);
        if (r < 0)
                return r;
        json_auto_t *manifests = json_array();
        for (size_t i = 0; i < n; i++) {
                _cleanup_(hull_image_freep) struct hull_image img = {0};
                r = hull_image_read(s, imgs[i].manifest, &img, err);
                if (r < 0)
                        return r;
                for (size_t k = 0; k < img.nlayers && r == 0; k++)
                        r = oci_blob(s, a, img.layers[k].blob, done, err);
                if (r == 0)
                        r = oci_blob(s, a, img.config_digest, done, err);
                if (r == 0)
                        r = oci_blob(s, a, img.manifest_digest, done, err);
                if (r < 0)
                        return r;
                json_t *desc =
                    json_pack("{ss ss sI}", "mediaType", img.manifest.media_type, "digest",
                              img.manifest_digest, "size", (json_int_t)img.manifest_len);
                const char *tag = imgs[i].name ? strrchr(imgs[i].name, ':') : NULL;
                if (tag)
                        json_object_set_new(
                            desc, "annotations",
                            json_pack("{ss ss}", "io.containerd.image.name", imgs[i].name,
                                      "org.opencontainers.image.ref.name", tag + 1));
                json_array_append_new(manifests, desc);
        }
        json_auto_t *index = json_pack("{si ss sO}", "schemaVersion", 2, "mediaType",
                                       HULL_MT_OCI_INDEX, "manifests", manifests);
        return put_json(a, "index.json", index, err);
}

int hull_image_save(struct hull_store *s, const struct hull_save_image *images, size_t n,
                    enum hull_save_format format, int fd, struct hull_err *err)
{
        _cleanup_(write_freep) struct archive *a = archive_write_new();
        json_auto_t *done = json_object();
        if (!a || !done)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_write_set_format_pax_restricted(a);
        archive_write_set_bytes_in_last_block(a, 1);
        if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
                return hull_err_set(err, EIO, "write archive: %s", archive_error_string(a));
        int r = format == HULL_SAVE_OCI ? save_oci(s, a, images, n, done, err)
                                        : save_docker(s, a, images, n, done, err);
        if (r < 0)
                return r;
        if (archive_write_close(a) != ARCHIVE_OK)
                return hull_err_set(err, EIO, "write archive: %s", archive_error_string(a));
        return 0;
}

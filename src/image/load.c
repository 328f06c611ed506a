/* Loading image archives (see load.h). The archive may be a pipe: one pass stores every regular
 * member as a blob and remembers name -> digest (and symlinks, which docker save uses for
 * layer.tar); the format is then read from index.json (OCI) or manifest.json (docker). */
#include "image/load.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/path.h"
#include "base/strutil.h"
#include "image/image.h"
#include "image/reference.h"
#include "image/unpack.h"

#define LINK_DEPTH_MAX 16

struct members {
        struct hull_store *store;
        json_t *files;   /* name -> digest */
        json_t *links;   /* name -> clean target name */
        json_t *created; /* digest -> true: blobs this load added */
        json_t *used;    /* digest -> true: blobs the loaded images reference */
        char **loaded;
        size_t nloaded;
};

static void members_free(struct members *m)
{
        json_decref(m->files);
        json_decref(m->links);
        json_decref(m->created);
        json_decref(m->used);
        hull_strv_free(m->loaded);
}

void hull_load_result_free(struct hull_load_result *r)
{
        hull_strv_free(r->loaded);
        r->loaded = NULL;
}

static int store_member(struct members *m, struct archive *a, const char *name,
                        struct hull_err *err)
{
        /* OCI layouts name blobs by digest: check it while storing. */
        const char *expected = NULL;
        char want[HULL_DIGEST_LEN + 1];
        if (strncmp(name, "blobs/sha256/", 13) == 0 && strlen(name + 13) == 64) {
                snprintf(want, sizeof(want), "sha256:%s", name + 13);
                if (hull_ref_digest_valid(want))
                        expected = want;
        }
        struct hull_blob_writer w;
        int r = hull_blob_writer_open(m->store, expected, -1, &w, err);
        if (r < 0)
                return r;
        const void *buf;
        size_t size;
        la_int64_t off;
        while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK ||
               r == ARCHIVE_WARN) {
                r = hull_blob_writer_write(&w, buf, size, err);
                if (r < 0) {
                        hull_blob_writer_abort(&w);
                        return r;
                }
        }
        if (r != ARCHIVE_EOF) {
                hull_blob_writer_abort(&w);
                return hull_err_set(err, EIO, "read %s from the archive: %s", name,
                                    archive_error_string(a));
        }
        char digest[HULL_DIGEST_LEN + 1];
        r = hull_blob_writer_commit(&w, digest, err);
        if (r < 0)
                return hull_err_wrap(err, "archive member %s", name);
        if (!w.existed)
                json_object_set_new(m->created, digest, json_true());
        json_object_set_new(m->files, name, json_string(digest));
        return 0;
}

static int record_link(struct members *m, const char *name, const char *target,
                       struct hull_err *err)
{
        if (!target || target[0] == '/')
                return 0; /* not used by any archive format we read */
        const char *slash = strrchr(name, '/');
        _cleanup_free_ char *joined =
            hull_strdup_printf("/%.*s/%s", slash ? (int)(slash - name) : 0, name, target);
        _cleanup_free_ char *clean = joined ? hull_path_clean(joined) : NULL;
        if (!clean)
                return hull_err_set(err, ENOMEM, "out of memory");
        json_object_set_new(m->links, name, json_string(clean + 1));
        return 0;
}

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
        *a = NULL;
}

static int read_member(struct members *m, struct archive *a, struct archive_entry *e,
                       struct hull_err *err)
{
        _cleanup_free_ char *name = NULL;
        int r = hull_unpack_clean_name(archive_entry_pathname(e), &name, err);
        if (r < 0)
                return r;
        if (archive_entry_hardlink(e)) {
                /* Hardlink targets are archive names, not relative to the member. */
                _cleanup_free_ char *target = NULL;
                r = hull_unpack_clean_name(archive_entry_hardlink(e), &target, err);
                if (r < 0)
                        return r;
                json_object_set_new(m->links, name, json_string(target));
                return 0;
        }
        if (archive_entry_filetype(e) == AE_IFREG)
                return store_member(m, a, name, err);
        if (archive_entry_filetype(e) == AE_IFLNK)
                return record_link(m, name, archive_entry_symlink(e), err);
        return 0;
}

static int read_members(struct members *m, int fd, struct hull_err *err)
{
        _cleanup_(archive_freep) struct archive *a = archive_read_new();
        if (!a)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        if (archive_read_open_fd(a, fd, 1 << 18) != ARCHIVE_OK)
                return hull_err_set(err, EINVAL, "read archive: %s", archive_error_string(a));
        for (;;) {
                struct archive_entry *e;
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        return 0;
                if (ar < ARCHIVE_WARN)
                        return hull_err_set(err, EINVAL, "read archive: %s",
                                            archive_error_string(a));
                int r = read_member(m, a, e, err);
                if (r < 0)
                        return r;
        }
}

static const char *member_digest(struct members *m, const char *name)
{
        _cleanup_free_ char *clean_input = NULL;
        struct hull_err ignore = {0};
        if (hull_unpack_clean_name(name, &clean_input, &ignore) < 0)
                return NULL;
        const char *cur = clean_input;
        for (int i = 0; i < LINK_DEPTH_MAX; i++) {
                const char *d = json_string_value(json_object_get(m->files, cur));
                if (d)
                        return d;
                cur = json_string_value(json_object_get(m->links, cur));
                if (!cur)
                        return NULL;
        }
        return NULL;
}

static int read_member_json(struct members *m, const char *name, json_t **ret, struct hull_err *err)
{
        const char *digest = member_digest(m, name);
        if (!digest)
                return hull_err_set(err, ENOENT, "archive has no %s", name);
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = hull_store_read(m->store, digest, &data, &len, err);
        if (r < 0)
                return r;
        return hull_json_parse(data, len, ret, name, err);
}

const char *hull_layer_sniff_media_type(struct hull_store *s, const char *digest)
{
        struct hull_err ignore = {0};
        _cleanup_close_ int fd = hull_store_open_blob(s, digest, &ignore);
        unsigned char magic[4] = {0};
        if (fd < 0 || read(fd, magic, sizeof(magic)) != (ssize_t)sizeof(magic))
                return HULL_MT_OCI_LAYER;
        if (magic[0] == 0x1f && magic[1] == 0x8b)
                return HULL_MT_OCI_LAYER_GZIP;
        if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
                return HULL_MT_OCI_LAYER_ZSTD;
        return HULL_MT_OCI_LAYER;
}

static void mark_used(struct members *m, const char *manifest)
{
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        struct hull_err ignore = {0};
        json_object_set_new(m->used, manifest, json_true());
        if (hull_image_read(m->store, manifest, &img, &ignore) < 0)
                return;
        json_object_set_new(m->used, img.config_digest, json_true());
        for (size_t i = 0; i < img.nlayers; i++)
                json_object_set_new(m->used, img.layers[i].blob, json_true());
}

static int add_loaded(struct members *m, const char *manifest, const char *name,
                      const char *index_digest, struct hull_err *err)
{
        int r = hull_image_commit(m->store, manifest, name, NULL, index_digest, err);
        if (r < 0)
                return r;
        mark_used(m, manifest);
        if (index_digest)
                json_object_set_new(m->used, index_digest, json_true());
        char **v = realloc(m->loaded, (m->nloaded + 2) * sizeof(char *));
        if (!v)
                return hull_err_set(err, ENOMEM, "out of memory");
        m->loaded = v;
        if (name) {
                v[m->nloaded] = strdup(name);
        } else {
                _cleanup_(hull_image_freep) struct hull_image img = {0};
                r = hull_image_read(m->store, manifest, &img, err);
                if (r < 0)
                        return r;
                v[m->nloaded] = strdup(img.config_digest);
        }
        v[++m->nloaded] = NULL;
        return 0;
}

/* A name for an OCI index entry: a full reference in either annotation, else none. */
static char *oci_entry_name(const struct hull_descriptor *d)
{
        const char *cands[] = {d->image_name, d->ref_name};
        for (size_t i = 0; i < HULL_ARRAY_SIZE(cands); i++) {
                const char *c = cands[i];
                if (!c || (!strchr(c, '/') && !strchr(c, ':')))
                        continue;
                _cleanup_(hull_ref_freep) struct hull_ref ref = {0};
                struct hull_err ignore = {0};
                if (hull_ref_parse(c, &ref, &ignore) == 0 && ref.tag)
                        return hull_ref_tagged(&ref);
        }
        return NULL;
}

static int load_oci_entry(struct members *m, const struct hull_descriptor *d,
                          const struct hull_platform *platform, struct hull_err *err)
{
        const char *manifest = d->digest;
        const char *index_digest = NULL;
        _cleanup_(hull_manifest_freep) struct hull_manifest nested = {0};
        if (d->media_type && (!strcmp(d->media_type, HULL_MT_OCI_INDEX) ||
                              !strcmp(d->media_type, HULL_MT_DOCKER_LIST))) {
                _cleanup_free_ char *data = NULL;
                size_t len;
                int r = hull_store_read(m->store, d->digest, &data, &len, err);
                if (r == 0)
                        r = hull_manifest_parse(data, len, d->media_type, &nested, err);
                if (r < 0)
                        return r;
                r = hull_index_select(&nested, platform, err);
                if (r < 0)
                        return r;
                index_digest = d->digest;
                manifest = nested.manifests[r].digest;
        }
        _cleanup_free_ char *name = oci_entry_name(d);
        return add_loaded(m, manifest, name, index_digest, err);
}

static int load_oci(struct members *m, const struct hull_platform *platform, struct hull_err *err)
{
        const char *digest = member_digest(m, "index.json");
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = hull_store_read(m->store, digest, &data, &len, err);
        if (r < 0)
                return r;
        _cleanup_(hull_manifest_freep) struct hull_manifest idx = {0};
        r = hull_manifest_parse(data, len, HULL_MT_OCI_INDEX, &idx, err);
        if (r < 0)
                return hull_err_wrap(err, "index.json");
        if (!idx.is_index)
                return hull_err_set(err, EINVAL, "index.json is not an image index");
        if (idx.nmanifests == 0)
                return hull_err_set(err, EINVAL, "index.json lists no images");
        for (size_t i = 0; i < idx.nmanifests; i++) {
                r = load_oci_entry(m, &idx.manifests[i], platform, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int docker_manifest(struct members *m, json_t *item, char out[HULL_DIGEST_LEN + 1],
                           struct hull_err *err)
{
        const char *config_name = json_string_value(json_object_get(item, "Config"));
        json_t *layer_names = json_object_get(item, "Layers");
        if (!config_name || !json_is_array(layer_names))
                return hull_err_set(err, EINVAL, "manifest.json: entry without Config or Layers");
        const char *config = member_digest(m, config_name);
        if (!config)
                return hull_err_set(err, ENOENT, "archive has no %s", config_name);
        json_auto_t *layers = json_array();
        json_auto_t *man = json_pack(
            "{si ss s{ss ss sI} sO}", "schemaVersion", 2, "mediaType", HULL_MT_OCI_MANIFEST,
            "config", "mediaType", HULL_MT_OCI_CONFIG, "digest", config, "size",
            (json_int_t)hull_store_size(m->store, config), "layers", layers);
        if (!man || !layers)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t i;
        json_t *v;
        json_array_foreach(layer_names, i, v)
        {
                const char *lname = json_string_value(v);
                const char *d = lname ? member_digest(m, lname) : NULL;
                if (!d)
                        return hull_err_set(err, ENOENT, "archive has no layer %s",
                                            lname ? lname : "(null)");
                json_t *desc =
                    json_pack("{ss ss sI}", "mediaType", hull_layer_sniff_media_type(m->store, d),
                              "digest", d, "size", (json_int_t)hull_store_size(m->store, d));
                if (!desc || json_array_append_new(layers, desc) < 0)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        _cleanup_free_ char *text = json_dumps(man, JSON_COMPACT);
        if (!text)
                return hull_err_set(err, ENOMEM, "out of memory");
        return hull_store_put(m->store, text, strlen(text), NULL, out, err);
}

static int load_docker(struct members *m, struct hull_err *err)
{
        json_t *raw = NULL;
        int r = read_member_json(m, "manifest.json", &raw, err);
        if (r < 0)
                return r;
        json_auto_t *list = raw;
        if (!json_is_array(list) || json_array_size(list) == 0)
                return hull_err_set(err, EINVAL, "manifest.json lists no images");
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
                char manifest[HULL_DIGEST_LEN + 1];
                r = docker_manifest(m, item, manifest, err);
                if (r < 0)
                        return r;
                json_t *tags = json_object_get(item, "RepoTags");
                if (json_array_size(tags) == 0) {
                        r = add_loaded(m, manifest, NULL, NULL, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                size_t j;
                json_t *t;
                json_array_foreach(tags, j, t)
                {
                        _cleanup_(hull_ref_freep) struct hull_ref ref = {0};
                        if (!json_is_string(t))
                                continue;
                        r = hull_ref_parse(json_string_value(t), &ref, err);
                        if (r < 0)
                                return hull_err_wrap(err, "manifest.json RepoTags");
                        _cleanup_free_ char *name = hull_ref_tagged(&ref);
                        r = add_loaded(m, manifest, name, NULL, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static void drop_unused(struct members *m)
{
        const char *digest;
        json_t *v;
        json_object_foreach(m->created, digest, v) if (!json_object_get(m->used, digest))
            hull_store_remove(m->store, digest);
}

int hull_image_load(struct hull_store *s, int fd, const struct hull_platform *platform,
                    struct hull_load_result *ret, struct hull_err *err)
{
        _cleanup_(members_free) struct members m = {
            .store = s,
            .files = json_object(),
            .links = json_object(),
            .created = json_object(),
            .used = json_object(),
        };
        if (!m.files || !m.links || !m.created || !m.used)
                return hull_err_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int gc_lock = hull_store_lock_gc(s, false, err);
        if (gc_lock < 0)
                return gc_lock;
        int r = read_members(&m, fd, err);
        if (r == 0) {
                if (member_digest(&m, "index.json") && member_digest(&m, "oci-layout"))
                        r = load_oci(&m, platform, err);
                else if (member_digest(&m, "manifest.json"))
                        r = load_docker(&m, err);
                else
                        r = hull_err_set(err, EINVAL,
                                         "not an image archive: no index.json + oci-layout (OCI "
                                         "layout) and no manifest.json (docker-archive)");
        }
        drop_unused(&m);
        if (r < 0)
                return r;
        ret->loaded = TAKE_PTR(m.loaded);
        return 0;
}

int hull_image_commit(struct hull_store *s, const char *manifest_digest, const char *name,
                      const char *repo_digest, const char *index_digest, struct hull_err *err)
{
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        int r = hull_image_read(s, manifest_digest, &img, err);
        if (r < 0)
                return r;
        r = hull_image_unpack(s, &img, err);
        if (r < 0)
                return r;
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        r = hull_imagedb_open(s, true, &db, err);
        if (r < 0)
                return r;
        const char *created = json_string_value(json_object_get(img.config, "created"));
        json_t *entry = hull_imagedb_add(&db, img.config_digest, manifest_digest, name, repo_digest,
                                         created, err);
        if (!entry)
                return -err->code;
        if (index_digest)
                json_object_set_new(entry, "index", json_string(index_digest));
        return hull_imagedb_save(&db, err);
}

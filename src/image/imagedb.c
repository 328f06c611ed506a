/* images.json: {"images":[{"id","manifest","names":[],"digests":[],"created","added"}]}.
 * Lookups follow Docker's order: full id, name reference, then unique id prefix. */
#include "image/imagedb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#define DB_FILE "images.json"
#define LOCK_FILE "images.lock"

static int load(struct hull_imagedb *db, struct hull_err *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct hull_err e = {0};
        int r = hull_file_read(db->store->root_fd, DB_FILE, &data, &len, &e);
        if (r == -ENOENT) {
                db->images = json_array();
                return db->images ? 0 : hull_err_set(err, ENOMEM, "out of memory");
        }
        if (r < 0) {
                *err = e;
                return r;
        }
        json_t *root = NULL;
        r = hull_json_parse(data, len, &root, DB_FILE, err);
        if (r < 0)
                return r;
        json_t *images = json_object_get(root, "images");
        if (!json_is_array(images)) {
                json_decref(root);
                return hull_err_set(err, EINVAL, "%s/%s: no \"images\" array", db->store->root,
                                    DB_FILE);
        }
        db->images = json_incref(images);
        json_decref(root);
        return 0;
}

int hull_imagedb_open(struct hull_store *s, bool exclusive, struct hull_imagedb *ret,
                      struct hull_err *err)
{
        struct hull_imagedb db = {.store = s, .lock_fd = -EBADF};
        db.lock_fd = openat(s->root_fd, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (db.lock_fd < 0)
                return hull_err_sys(err, errno, "open %s/%s", s->root, LOCK_FILE);
        int r = hull_file_lock(db.lock_fd, exclusive, 1, err);
        if (r == 0)
                r = load(&db, err);
        if (r < 0) {
                hull_imagedb_close(&db);
                return r;
        }
        *ret = db;
        return 0;
}

void hull_imagedb_close(struct hull_imagedb *db)
{
        if (!db)
                return;
        if (db->images)
                json_decref(db->images);
        db->images = NULL;
        hull_closep(&db->lock_fd); /* releases the flock */
}

int hull_imagedb_save(struct hull_imagedb *db, struct hull_err *err)
{
        json_auto_t *root = json_pack("{sO}", "images", db->images);
        if (!root)
                return hull_err_set(err, ENOMEM, "out of memory");
        _cleanup_free_ char *text = json_dumps(root, JSON_INDENT(1));
        if (!text)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t len = strlen(text);
        text[len] = '\n';
        int r = hull_file_write_atomic(db->store->root_fd, DB_FILE, text, len + 1, 0600, err);
        text[len] = '\0';
        if (r < 0)
                return hull_err_wrap(err, "write %s/%s", db->store->root, DB_FILE);
        return 0;
}

const char *hull_image_id(json_t *image)
{
        return json_string_value(json_object_get(image, "id"));
}

const char *hull_image_manifest(json_t *image)
{
        return json_string_value(json_object_get(image, "manifest"));
}

json_t *hull_image_names(json_t *image)
{
        return json_object_get(image, "names");
}

json_t *hull_image_digests(json_t *image)
{
        return json_object_get(image, "digests");
}

static bool array_has(json_t *arr, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) if (json_is_string(v) &&
                                          strcmp(json_string_value(v), s) == 0) return true;
        return false;
}

static bool array_remove(json_t *arr, const char *s)
{
        for (size_t i = 0; i < json_array_size(arr); i++) {
                const char *v = json_string_value(json_array_get(arr, i));
                if (v && strcmp(v, s) == 0) {
                        json_array_remove(arr, i);
                        return true;
                }
        }
        return false;
}

static json_t *find_by_id(struct hull_imagedb *db, const char *id)
{
        size_t i;
        json_t *img;
        json_array_foreach(db->images, i, img)
        {
                const char *v = hull_image_id(img);
                if (v && strcmp(v, id) == 0)
                        return img;
        }
        return NULL;
}

static int find_by_prefix(struct hull_imagedb *db, const char *what, json_t **ret,
                          struct hull_err *err)
{
        const char *prefix = strncmp(what, "sha256:", 7) == 0 ? what + 7 : what;
        json_t *found = NULL;
        size_t i;
        json_t *img;
        json_array_foreach(db->images, i, img)
        {
                const char *id = hull_image_id(img);
                if (id && strncmp(id + 7, prefix, strlen(prefix)) == 0) {
                        if (found)
                                return hull_err_set(err, EINVAL,
                                                    "image id prefix \"%s\" is ambiguous", what);
                        found = img;
                }
        }
        if (!found)
                return -ENOENT;
        *ret = found;
        return 0;
}

static json_t *find_by_ref(struct hull_imagedb *db, const struct hull_ref *ref)
{
        _cleanup_free_ char *name = hull_ref_name(ref);
        _cleanup_free_ char *tagged = hull_ref_tagged(ref);
        if (!name)
                return NULL;
        size_t i;
        json_t *img;
        json_array_foreach(db->images, i, img)
        {
                if (ref->digest) {
                        _cleanup_free_ char *rd = hull_strdup_printf("%s@%s", name, ref->digest);
                        const char *m = hull_image_manifest(img);
                        if (rd && array_has(hull_image_digests(img), rd))
                                return img;
                        /* name@manifest-digest also finds an image loaded under that name. */
                        if (m && strcmp(m, ref->digest) == 0) {
                                size_t j;
                                json_t *n;
                                json_array_foreach(
                                    hull_image_names(img), j,
                                    n) if (strncmp(json_string_value(n), name, strlen(name)) == 0 &&
                                           json_string_value(n)[strlen(name)] == ':') return img;
                        }
                        continue;
                }
                if (tagged && array_has(hull_image_names(img), tagged))
                        return img;
        }
        return NULL;
}

int hull_imagedb_find(struct hull_imagedb *db, const char *what, json_t **ret, struct hull_err *err)
{
        json_t *img = NULL;
        if (hull_ref_digest_valid(what) && (img = find_by_id(db, what))) {
                *ret = img;
                return 0;
        }
        struct hull_ref ref = {0};
        struct hull_err perr = {0};
        int r = hull_ref_parse(what, &ref, &perr);
        if (r == 0) {
                img = find_by_ref(db, &ref);
                hull_ref_free(&ref);
                if (img) {
                        *ret = img;
                        return 0;
                }
        }
        if (hull_ref_is_id_prefix(what) || strncmp(what, "sha256:", 7) == 0) {
                r = find_by_prefix(db, what, ret, err);
                if (r != -ENOENT)
                        return r;
        } else if (perr.code) {
                *err = perr;
                return -perr.code;
        }
        return hull_err_set(err, ENOENT, "image not known: %s", what);
}

int hull_imagedb_untag(struct hull_imagedb *db, const char *name)
{
        size_t i;
        json_t *img;
        json_array_foreach(db->images, i,
                           img) if (array_remove(hull_image_names(img), name)) return 1;
        return 0;
}

static void now_rfc3339(char buf[32])
{
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *hull_imagedb_add(struct hull_imagedb *db, const char *id, const char *manifest,
                         const char *name, const char *repo_digest, const char *created,
                         struct hull_err *err)
{
        json_t *img = find_by_id(db, id);
        if (!img) {
                char now[32];
                now_rfc3339(now);
                img = json_pack("{ss ss s[] s[] ss ss}", "id", id, "manifest", manifest, "names",
                                "digests", "created", created ? created : now, "added", now);
                if (!img || json_array_append_new(db->images, img) < 0) {
                        hull_err_set(err, ENOMEM, "out of memory");
                        return NULL;
                }
        } else {
                json_object_set_new(img, "manifest", json_string(manifest));
        }
        if (name) {
                hull_imagedb_untag(db, name);
                json_array_append_new(hull_image_names(img), json_string(name));
        }
        if (repo_digest && !array_has(hull_image_digests(img), repo_digest))
                json_array_append_new(hull_image_digests(img), json_string(repo_digest));
        return img;
}

void hull_imagedb_remove(struct hull_imagedb *db, json_t *image)
{
        for (size_t i = 0; i < json_array_size(db->images); i++)
                if (json_array_get(db->images, i) == image) {
                        json_array_remove(db->images, i);
                        return;
                }
}

/* Reference sets for gc: a JSON object used as a string set. */
static int mark_image(struct hull_store *s, const char *manifest, json_t *blobs, json_t *layers,
                      struct hull_err *err)
{
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        int r = hull_image_read(s, manifest, &img, err);
        if (r < 0)
                return r;
        json_object_set_new(blobs, manifest + 7, json_true());
        json_object_set_new(blobs, img.config_digest + 7, json_true());
        for (size_t i = 0; i < img.nlayers; i++) {
                json_object_set_new(blobs, img.layers[i].blob + 7, json_true());
                json_object_set_new(layers, img.layers[i].chain + 7, json_true());
        }
        return 0;
}

static unsigned sweep(int dirfd, json_t *keep, bool dirs, struct hull_store *s)
{
        unsigned n = 0;
        _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d)
                return 0;
        TAKE_FD(fd);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strlen(de->d_name) != 64 || !hull_ref_is_id_prefix(de->d_name) ||
                    json_object_get(keep, de->d_name))
                        continue;
                struct hull_err ignore = {0};
                char digest[HULL_DIGEST_LEN + 1];
                snprintf(digest, sizeof(digest), "sha256:%.64s", de->d_name);
                if (dirs ? hull_store_remove_layer(s, digest, &ignore) == 0
                         : unlinkat(dirfd, de->d_name, 0) == 0)
                        n++;
        }
        return n;
}

int hull_imagedb_gc(struct hull_imagedb *db, unsigned *ret_blobs, unsigned *ret_layers,
                    struct hull_err *err)
{
        json_auto_t *blobs = json_object();
        json_auto_t *layers = json_object();
        if (!blobs || !layers)
                return hull_err_set(err, ENOMEM, "out of memory");
        size_t i;
        json_t *img;
        json_array_foreach(db->images, i, img)
        {
                const char *m = hull_image_manifest(img);
                if (!m)
                        continue;
                int r = mark_image(db->store, m, blobs, layers, err);
                if (r < 0)
                        return hull_err_wrap(err, "garbage collection (nothing was removed)");
                json_t *idx = json_object_get(img, "index");
                if (json_is_string(idx))
                        json_object_set_new(blobs, json_string_value(idx) + 7, json_true());
        }
        unsigned nb = sweep(db->store->blobs_fd, blobs, false, db->store);
        unsigned nl = sweep(db->store->layers_fd, layers, true, db->store);
        if (ret_blobs)
                *ret_blobs = nb;
        if (ret_layers)
                *ret_layers = nl;
        return 0;
}

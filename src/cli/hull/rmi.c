/* hull rmi: remove names and images, then the blobs and layers nothing references any more. */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "cli/hull/cli.h"
#include "cli/hull/images_common.h"
#include "image/reference.h"

/* Containers record their image id in containers/<id>/container.json; an image named there is
 * in use. The engine owns that format, so match the id text rather than a field. */
int hull_cli_image_users(struct hull_store *s, const char *id)
{
        _cleanup_close_ int fd =
            openat(s->root_fd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d)
                return 0;
        int dfd = TAKE_FD(fd);
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *path = hull_strdup_printf("%s/container.json", de->d_name);
                _cleanup_free_ char *data = NULL;
                size_t len;
                struct hull_err ignore = {0};
                if (path && hull_file_read(dfd, path, &data, &len, &ignore) == 0 &&
                    strstr(data, id + 7))
                        n++;
        }
        return n;
}

static int remove_one(struct hull_store *s, struct hull_imagedb *db, const char *arg, bool force,
                      struct hull_err *err)
{
        json_t *img;
        int r = hull_imagedb_find(db, arg, &img, err);
        if (r < 0)
                return r;
        json_t *names = hull_image_names(img);
        _cleanup_free_ char *id = strdup(hull_image_id(img));
        if (!id)
                return hull_err_set(err, ENOMEM, "out of memory");
        /* A name given and the image has others: untag only, as Docker does. */
        _cleanup_(hull_ref_freep) struct hull_ref ref = {0};
        struct hull_err ignore = {0};
        bool by_name = !hull_ref_is_id_prefix(arg) && strncmp(arg, "sha256:", 7) &&
                       hull_ref_parse(arg, &ref, &ignore) == 0 && ref.tag;
        _cleanup_free_ char *tagged = by_name ? hull_ref_tagged(&ref) : NULL;
        if (tagged && json_array_size(names) > 1) {
                hull_imagedb_untag(db, tagged);
                printf("Untagged: %s\n", tagged);
                return 0;
        }
        if (!by_name && json_array_size(names) > 1 && !force)
                return hull_err_set(err, EBUSY,
                                    "image %.19s has several names (%zu): remove them by name or "
                                    "use -f",
                                    id, json_array_size(names));
        int users = hull_cli_image_users(s, id);
        if (users > 0 && !force)
                return hull_err_set(err, EBUSY,
                                    "image %s is in use by %d container(s): remove them first or "
                                    "use -f",
                                    arg, users);
        r = hull_cli_image_unmount(s, id, force, err);
        if (r < 0)
                return r;
        size_t i;
        json_t *n;
        json_array_foreach(names, i, n) printf("Untagged: %s\n", json_string_value(n));
        if (users > 0) {
                json_array_clear(names); /* still used: keep it, dangling */
                return 0;
        }
        hull_imagedb_remove(db, img);
        printf("Deleted: %s\n", id);
        return 0;
}

static int run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"force", no_argument, NULL, 'f'},
            {"all", no_argument, NULL, 'a'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        bool force = false, all = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "fah", longopts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'h':
                        fputs(hull_cmd_rmi.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_rmi, "bad option");
                }
        }
        if (optind >= argc && !all)
                return hull_cli_usage(&hull_cmd_rmi, "requires at least 1 argument");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_close_ int gc = hull_store_lock_gc(s, true, &err);
        if (gc < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        if (hull_imagedb_open(s, true, &db, &err) < 0)
                return hull_cli_fail(&err);
        int rc = 0;
        if (all) {
                while (json_array_size(db.images) > 0) {
                        char id[HULL_DIGEST_LEN + 1];
                        snprintf(id, sizeof(id), "%s", hull_image_id(json_array_get(db.images, 0)));
                        if (remove_one(s, &db, id, true, &err) < 0) {
                                rc = hull_cli_fail(&err);
                                break;
                        }
                }
        }
        for (int i = optind; i < argc; i++) {
                if (remove_one(s, &db, argv[i], force, &err) < 0)
                        rc = hull_cli_fail(&err);
        }
        if (hull_imagedb_save(&db, &err) < 0)
                return hull_cli_fail(&err);
        if (hull_imagedb_gc(&db, NULL, NULL, &err) < 0)
                return hull_cli_fail(&err);
        return rc;
}

const struct hull_cmd hull_cmd_rmi = {
    .name = "rmi",
    .summary = "Remove images",
    .usage = "Usage: hull rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
             "Remove names and images. Naming one of several names of an image only removes\n"
             "that name. An image used by a container is refused unless -f, which then only\n"
             "removes its names. Blobs and layers no image needs are deleted.\n\n"
             "Options:\n"
             "  -f, --force   remove even when in use or mounted\n"
             "  -a, --all     remove every image\n",
    .run = run,
};

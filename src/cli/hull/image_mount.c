/* hull image mount / unmount: a read-only overlay of an image's layers under
 * <root>/mounts/<id>/merged, as `podman image mount` prints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/strutil.h"
#include "cli/hull/cli.h"
#include "cli/hull/images_common.h"
#include "image/image.h"
#include "storage/overlay.h"
#include "storage/vfs.h"

char *hull_cli_image_mount_path(struct hull_store *s, const char *id)
{
        return hull_strdup_printf("%s/mounts/%s/merged", s->root, id + 7);
}

/* Without overlayfs: a flattened copy, bind-mounted read-only on itself so that it is a mount
 * point like the overlay (same checks, same unmount). */
static int mount_vfs(const struct hull_overlay *o, const char *path, struct hull_err *err)
{
        struct hull_err ignore = {0};
        int r = hull_rm_rf_at(AT_FDCWD, path, &ignore);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return hull_err_sys(err, errno, "create %s", path);
        r = hull_vfs_flatten(o->lowers, o->nlowers, path, err);
        if (r < 0)
                return r;
        if (mount(path, path, NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV, NULL) < 0)
                return hull_err_sys(err, errno, "bind %s read-only", path);
        return 0;
}

int hull_cli_image_mount(struct hull_store *s, const char *manifest, const char *id, char **ret,
                         struct hull_err *err)
{
        _cleanup_free_ char *path = hull_cli_image_mount_path(s, id);
        if (!path)
                return hull_err_set(err, ENOMEM, "out of memory");
        if (hull_overlay_is_mounted(path)) {
                *ret = TAKE_PTR(path);
                return 0;
        }
        _cleanup_(hull_image_freep) struct hull_image img = {0};
        int r = hull_image_read(s, manifest, &img, err);
        if (r == 0)
                r = hull_image_unpack(s, &img, err);
        if (r < 0)
                return r;
        if (img.nlayers == 0)
                return hull_err_set(err, EINVAL, "image %.19s has no layers to mount", id);
        r = hull_mkdir_p(path, 0700, err);
        if (r < 0)
                return r;
        _cleanup_free_ char **lowers = calloc(img.nlayers, sizeof(char *));
        if (!lowers)
                return hull_err_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < img.nlayers; i++)
                lowers[i] = hull_store_layer_path(s, img.layers[img.nlayers - 1 - i].chain);
        _cleanup_free_ char *empty = hull_store_empty_dir(s, err);
        struct hull_overlay o = {
            .lowers = (const char *const *)lowers,
            .nlowers = img.nlayers,
            .readonly = true,
            .empty_dir = empty,
        };
        if (hull_storage_use_vfs())
                r = mount_vfs(&o, path, err);
        else
                r = empty ? hull_overlay_mount(&o, path, err) : -err->code;
        for (size_t i = 0; i < img.nlayers; i++)
                free(lowers[i]);
        if (r < 0)
                return hull_err_wrap(err, "mount image %.19s", id);
        *ret = TAKE_PTR(path);
        return 0;
}

int hull_cli_image_unmount(struct hull_store *s, const char *id, bool force, struct hull_err *err)
{
        _cleanup_free_ char *path = hull_cli_image_mount_path(s, id);
        if (!path)
                return hull_err_set(err, ENOMEM, "out of memory");
        if (hull_overlay_is_mounted(path) && umount2(path, force ? MNT_DETACH : 0) < 0)
                return hull_err_sys(err, errno, "unmount %s", path);
        _cleanup_free_ char *dir = hull_strdup_printf("mounts/%s", id + 7);
        if (!dir)
                return hull_err_set(err, ENOMEM, "out of memory");
        struct hull_err ignore = {0};
        hull_rm_rf_at(s->root_fd, dir, &ignore);
        return 0;
}

static int mount_run(struct hull_ctx *ctx, int argc, char **argv)
{
        if (hull_cli_help(&hull_cmd_image_mount, argc, argv))
                return 0;
        if (argc < 2)
                return hull_cli_usage(&hull_cmd_image_mount, "requires at least 1 argument");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        if (hull_imagedb_open(s, true, &db, &err) < 0)
                return hull_cli_fail(&err);
        int rc = 0;
        for (int i = 1; i < argc; i++) {
                json_t *img;
                _cleanup_free_ char *path = NULL;
                if (hull_imagedb_find(&db, argv[i], &img, &err) < 0 ||
                    hull_cli_image_mount(s, hull_image_manifest(img), hull_image_id(img), &path,
                                         &err) < 0) {
                        rc = hull_cli_fail(&err);
                        continue;
                }
                printf("%s\n", path);
        }
        return rc;
}

static int unmount_all(struct hull_store *s, bool force, struct hull_err *err)
{
        _cleanup_close_ int fd = openat(s->root_fd, "mounts", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d)
                return hull_err_sys(err, errno, "list mounts");
        TAKE_FD(fd);
        struct dirent *de;
        int rc = 0;
        while ((de = readdir(d))) {
                if (strlen(de->d_name) != 64)
                        continue;
                char id[HULL_DIGEST_LEN + 1];
                snprintf(id, sizeof(id), "sha256:%.64s", de->d_name);
                if (hull_cli_image_unmount(s, id, force, err) < 0)
                        rc = -err->code;
                else
                        printf("%s\n", de->d_name);
        }
        return rc;
}

static int unmount_run(struct hull_ctx *ctx, int argc, char **argv)
{
        static const struct option longopts[] = {
            {"all", no_argument, NULL, 'a'},
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {0},
        };
        bool all = false, force = false;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "afh", longopts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'h':
                        fputs(hull_cmd_image_unmount.usage, stdout);
                        return 0;
                default:
                        return hull_cli_usage(&hull_cmd_image_unmount, "bad option");
                }
        }
        if (!all && optind >= argc)
                return hull_cli_usage(&hull_cmd_image_unmount, "requires an IMAGE or --all");
        struct hull_err err = {0};
        struct hull_store *s;
        if (hull_cli_store(ctx, &s, &err) < 0)
                return hull_cli_fail(&err);
        _cleanup_(hull_imagedb_closep) struct hull_imagedb db = {.lock_fd = -EBADF};
        if (hull_imagedb_open(s, true, &db, &err) < 0)
                return hull_cli_fail(&err);
        if (all)
                return unmount_all(s, force, &err) < 0 ? hull_cli_fail(&err) : 0;
        int rc = 0;
        for (int i = optind; i < argc; i++) {
                json_t *img;
                if (hull_imagedb_find(&db, argv[i], &img, &err) < 0 ||
                    hull_cli_image_unmount(s, hull_image_id(img), force, &err) < 0) {
                        rc = hull_cli_fail(&err);
                        continue;
                }
                printf("%s\n", hull_image_id(img) + 7);
        }
        return rc;
}

const struct hull_cmd hull_cmd_image_mount = {
    .name = "mount",
    .summary = "Mount an image's root filesystem read-only and print its path",
    .usage = "Usage: hull image mount IMAGE [IMAGE...]\n\n"
             "Mount a read-only overlay of the image's layers and print its path\n"
             "(<root>/mounts/<id>/merged). Mounting a mounted image prints the same path.\n",
    .run = mount_run,
};

const struct hull_cmd hull_cmd_image_unmount = {
    .name = "unmount",
    .summary = "Unmount images mounted with hull image mount",
    .usage = "Usage: hull image unmount [--all] [-f] [IMAGE...]\n\n"
             "Options:\n"
             "  -a, --all     unmount every mounted image\n"
             "  -f, --force   detach even when busy\n",
    .run = unmount_run,
};

/* Tree export with libarchive's disk reader (see export.h). Member names are relative to the
 * root, without a leading "./", as `docker export` writes them. */
#include "image/export.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"

struct export_ctx {
        struct archive *disk, *out;
        struct archive_entry_linkresolver *links;
        size_t prefix;
        char *buf;
};

static void export_free(struct export_ctx *c)
{
        if (c->disk)
                archive_read_free(c->disk);
        if (c->out)
                archive_write_free(c->out);
        if (c->links)
                archive_entry_linkresolver_free(c->links);
        free(c->buf);
}

static int copy_data(struct export_ctx *c, struct archive_entry *e, struct hull_err *err)
{
        const char *src = archive_entry_sourcepath(e);
        if (archive_entry_filetype(e) != AE_IFREG || archive_entry_size(e) == 0 || !src)
                return 0;
        _cleanup_close_ int fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return hull_err_sys(err, errno, "open %s", src);
        for (;;) {
                ssize_t n = read(fd, c->buf, 1 << 20);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return hull_err_sys(err, errno, "read %s", src);
                if (n == 0)
                        return 0;
                if (archive_write_data(c->out, c->buf, (size_t)n) != n)
                        return hull_err_set(err, EIO, "write: %s", archive_error_string(c->out));
        }
}

static int write_entry(struct export_ctx *c, struct archive_entry *e, struct hull_err *err)
{
        if (archive_write_header(c->out, e) < ARCHIVE_WARN)
                return hull_err_set(err, EIO, "write %s: %s", archive_entry_pathname(e),
                                    archive_error_string(c->out));
        return copy_data(c, e, err);
}

static int one(struct export_ctx *c, struct archive_entry *e, struct hull_err *err)
{
        const char *full = archive_entry_pathname(e);
        if (strlen(full) <= c->prefix)
                return 0; /* the root itself */
        archive_entry_copy_sourcepath(e, full);
        char *rel = strdup(full + c->prefix);
        if (!rel)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_entry_copy_pathname(e, rel);
        free(rel);
        /* archive_entry_linkify may hold an entry back (to pair hardlinks): spare is what it
         * releases now. */
        struct archive_entry *spare = NULL;
        archive_entry_linkify(c->links, &e, &spare);
        int r = 0;
        if (e)
                r = write_entry(c, e, err);
        if (r == 0 && spare)
                r = write_entry(c, spare, err);
        return r;
}

int hull_export_tree(const char *root, int out_fd, struct hull_err *err)
{
        _cleanup_(export_free) struct export_ctx c = {0};
        c.disk = archive_read_disk_new();
        c.out = archive_write_new();
        c.links = archive_entry_linkresolver_new();
        c.buf = malloc(1 << 20);
        if (!c.disk || !c.out || !c.links || !c.buf)
                return hull_err_set(err, ENOMEM, "out of memory");
        archive_write_set_format_pax_restricted(c.out);
        archive_entry_linkresolver_set_strategy(c.links, archive_format(c.out));
        archive_read_disk_set_symlink_physical(c.disk);
        archive_read_disk_set_behavior(c.disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
        archive_read_disk_set_standard_lookup(c.disk);
        if (archive_write_open_fd(c.out, out_fd) != ARCHIVE_OK)
                return hull_err_set(err, EIO, "write: %s", archive_error_string(c.out));
        if (archive_read_disk_open(c.disk, root) != ARCHIVE_OK)
                return hull_err_set(err, EIO, "read %s: %s", root, archive_error_string(c.disk));
        c.prefix = strlen(root);
        while (c.prefix > 1 && root[c.prefix - 1] == '/')
                c.prefix--;
        c.prefix++; /* the '/' after the root */
        for (;;) {
                struct archive_entry *e = archive_entry_new();
                if (!e)
                        return hull_err_set(err, ENOMEM, "out of memory");
                int r = archive_read_next_header2(c.disk, e);
                if (r == ARCHIVE_EOF) {
                        archive_entry_free(e);
                        break;
                }
                if (r < ARCHIVE_WARN) {
                        archive_entry_free(e);
                        return hull_err_set(err, EIO, "read %s: %s", root,
                                            archive_error_string(c.disk));
                }
                archive_read_disk_descend(c.disk);
                r = one(&c, e, err);
                archive_entry_free(e);
                if (r < 0)
                        return r;
        }
        struct archive_entry *e = NULL, *spare = NULL;
        archive_entry_linkify(c.links, &e, &spare);
        while (e) {
                int r = write_entry(&c, e, err);
                archive_entry_free(e);
                if (r < 0)
                        return r;
                e = NULL;
                archive_entry_linkify(c.links, &e, &spare);
        }
        if (archive_write_close(c.out) != ARCHIVE_OK)
                return hull_err_set(err, EIO, "write: %s", archive_error_string(c.out));
        return 0;
}

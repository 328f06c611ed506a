/* The hull command table and what every command shares: global options, the store, output
 * helpers. One file per command, each defining a struct hull_cmd. */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include "base/error.h"
#include "image/imagedb.h"
#include "image/store.h"

struct hull_ctx {
        const char *root; /* --root, default /var/lib/hull */
        bool debug;
        bool store_open;
        struct hull_store store;
};

struct hull_cmd {
        const char *name;
        const char *summary; /* one line for `hull --help` */
        const char *usage;   /* the command's --help text */
        /* argv[0] is the command name; returns the exit code. */
        int (*run)(struct hull_ctx *ctx, int argc, char **argv);
};

/* Open the store below --root once per process. */
int hull_cli_store(struct hull_ctx *ctx, struct hull_store **ret, struct hull_err *err);
/* "hull: <message>" on stderr; returns 1 (or 125 for usage, see below). */
int hull_cli_fail(const struct hull_err *err);
int hull_cli_usage(const struct hull_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print the usage text when argv has -h/--help; returns true when it did. */
bool hull_cli_help(const struct hull_cmd *cmd, int argc, char **argv);
/* "2 years ago"-style ages, "2.14MB" sizes, as Docker prints them. */
void hull_cli_human_age(const char *rfc3339, char *buf, size_t len);
void hull_cli_human_size(double bytes, char *buf, size_t len);
/* RFC 3339 -> unix seconds (0 when unparsable). */
long long hull_cli_parse_time(const char *rfc3339);

/* Short image id: the first 12 hex characters of "sha256:<hex>". */
const char *hull_cli_short_id(const char *digest, char buf[13]);

extern const struct hull_cmd hull_cmd_images, hull_cmd_inspect, hull_cmd_rmi, hull_cmd_tag,
    hull_cmd_history, hull_cmd_load, hull_cmd_image, hull_cmd_pull, hull_cmd_push, hull_cmd_save,
    hull_cmd_import, hull_cmd_export, hull_cmd_login, hull_cmd_logout;

/* Subcommands of `hull image` that have no top-level alias. */
extern const struct hull_cmd hull_cmd_image_mount, hull_cmd_image_unmount, hull_cmd_image_prune;

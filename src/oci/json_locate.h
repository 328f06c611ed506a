/* JSON paths (".process.args[0]", ".linux.sysctl[\"net.core.somaxconn\"]") and what jansson
 * does not keep: the line:column of a value in the raw text, and integers above INT64_MAX. */
#pragma once
#include <jansson.h>
#include <stddef.h>

#define HULL_JSON_PATH_MAX 1024

/* PARENT followed by ".key" for identifier-like keys, else by ["key"] (JSON-escaped). The
 * document itself is the empty path "". Output is truncated to SIZE, always terminated. */
void hull_json_path_key(char *buf, size_t size, const char *parent, const char *key);
/* PARENT followed by "[INDEX]". */
void hull_json_path_index(char *buf, size_t size, const char *parent, size_t index);

/* Position of the value at PATH in TEXT: 1-based line, and 1-based column counted in
 * characters as jansson counts them. With duplicate keys the last one is found, which is
 * the one jansson keeps. Returns 0, -ENOENT when PATH is not in TEXT, -EINVAL when PATH is
 * malformed. */
int hull_json_locate(const char *text, size_t len, const char *path, unsigned *ret_line,
                     unsigned *ret_column);

/* The value at PATH inside ROOT (borrowed), or NULL. */
json_t *hull_json_path_get(json_t *root, const char *path);

/* json_loadb(JSON_DECODE_ANY) that also accepts integer literals in (INT64_MAX, UINT64_MAX],
 * which Go programs write for uint64 fields (an "unlimited" rlimit is 18446744073709551615)
 * and jansson refuses. Such a value is stored as the json integer with the same 64 bits
 * (so it reads back negative; cast to uint64_t), and its path is listed in *ret_big_paths
 * (NULL-terminated; NULL when there are none) so that a reader can tell it from a real
 * negative number. Positions in ERROR refer to TEXT. */
json_t *hull_json_load_u64(const char *text, size_t len, json_error_t *error,
                           char ***ret_big_paths);

/* String and number parsing: strict integers, signal names, container ids. */
#pragma once
#include <stdint.h>
#include "base/error.h"

/* Whole-string base-10 parse; -EINVAL on junk, -ERANGE on overflow. */
int hull_parse_int64(const char *s, int64_t *ret);
int hull_parse_uint64(const char *s, uint64_t *ret);

/* "KILL", "SIGKILL", "kill", "9", "SIGRTMIN+3", "RTMAX-1" -> signal number; -EINVAL if unknown. */
int hull_signal_parse(const char *s);
/* "SIGKILL" for 9; "SIGRTMIN+3"; NULL if unknown. Returns a static string or buf. */
const char *hull_signal_name(int sig, char buf[16]);

/* Container ids: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes, not "." or "..". */
int hull_id_validate(const char *id, struct hull_err *err);

/* malloc'd printf; NULL on ENOMEM. */
char *hull_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

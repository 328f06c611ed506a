/* The one error type of hull: a negative errno travels up the call chain, the message in
 * struct hull_err says what was being done. Only main() prints it. */
#pragma once
#include <stdarg.h>

#define HULL_ERR_MSG_MAX 2048

struct hull_err {
        int code;                     /* positive errno, 0 when no error was recorded */
        char msg[HULL_ERR_MSG_MAX];
};

/* Record an error whose message is exactly the formatted text. Returns -code (code > 0). */
int hull_err_set(struct hull_err *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Record a failed system call: "<formatted text>: <strerror(code)>". Returns -code. */
int hull_err_sys(struct hull_err *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Prepend context to the recorded message: "<formatted text>: <old message>". Returns -code. */
int hull_err_wrap(struct hull_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void hull_err_clear(struct hull_err *err)
{
        if (err) {
                err->code = 0;
                err->msg[0] = '\0';
        }
}

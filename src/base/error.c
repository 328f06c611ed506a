/* Error recording and wrapping (see error.h). */
#include "base/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int fix_code(int code)
{
        if (code < 0)
                code = -code;
        return code == 0 ? EIO : code;
}

int hull_err_set(struct hull_err *err, int code, const char *fmt, ...)
{
        code = fix_code(code);
        if (err) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
                err->code = code;
        }
        return -code;
}

int hull_err_sys(struct hull_err *err, int code, const char *fmt, ...)
{
        code = fix_code(code);
        if (err) {
                va_list ap;
                va_start(ap, fmt);
                int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
                if (n < 0)
                        n = 0;
                if ((size_t)n < sizeof(err->msg))
                        snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(code));
                err->code = code;
        }
        return -code;
}

int hull_err_wrap(struct hull_err *err, const char *fmt, ...)
{
        if (!err)
                return -EIO;
        char prefix[HULL_ERR_MSG_MAX];
        char old[HULL_ERR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        /* Truncation is acceptable: the message is for humans. */
        size_t n = strnlen(prefix, sizeof(prefix) - 1);
        memcpy(err->msg, prefix, n);
        size_t left = sizeof(err->msg) - n;
        if (left > 3) {
                memcpy(err->msg + n, ": ", 2);
                size_t m = strnlen(old, left - 3);
                memcpy(err->msg + n + 2, old, m);
                err->msg[n + 2 + m] = '\0';
        } else {
                err->msg[n] = '\0';
        }
        err->code = fix_code(err->code);
        return -err->code;
}

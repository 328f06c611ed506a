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
        snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
        err->code = fix_code(err->code);
        return -err->code;
}

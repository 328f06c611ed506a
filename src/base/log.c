/* runc-compatible log lines (logrus text or JSON) to --log FILE or stderr. Each line is
 * formatted on the stack and written with one write(2): no malloc, no stdio, no locale or
 * timezone lookups, so a forked child can log between fork and exec. */
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_MSG_MAX 4096
#define LOG_LINE_MAX 8192

static struct {
        int fd; /* -1: stderr */
        bool json;
        enum hull_log_level min;
} log_state = {.fd = -1, .min = HULL_LOG_WARN};

int hull_log_init(const char *path, int json, int debug)
{
        int fd = -1;
        if (path) {
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC, 0644);
                if (fd < 0)
                        return -errno;
                /* Keep it off 0-2, which a child reassigns to the container's stdio. */
                if (fd < 3) {
                        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                        int e = errno;
                        close(fd);
                        if (high < 0)
                                return -e;
                        fd = high;
                }
        }
        if (log_state.fd >= 0)
                close(log_state.fd);
        log_state.fd = fd;
        log_state.json = json != 0;
        /* runc (logrus) logs info and up to the file, debug with --debug; without a file
         * only what the user must see reaches the terminal. */
        if (debug)
                log_state.min = HULL_LOG_DEBUG;
        else
                log_state.min = path ? HULL_LOG_INFO : HULL_LOG_WARN;
        return 0;
}

int hull_log_fd(void)
{
        return log_state.fd;
}

struct out {
        char *buf;
        size_t len, cap; /* cap excludes room for the NUL */
        bool full;
};

static void out_bytes(struct out *o, const char *s, size_t n)
{
        if (o->full || n > o->cap - o->len) {
                o->full = true;
                return;
        }
        memcpy(o->buf + o->len, s, n);
        o->len += n;
}

static void out_str(struct out *o, const char *s)
{
        out_bytes(o, s, strlen(s));
}

static void out_hex(struct out *o, const char *prefix, unsigned int v, int digits)
{
        static const char hex[] = "0123456789abcdef";
        char tmp[8];
        size_t n = strlen(prefix);
        memcpy(tmp, prefix, n);
        for (int i = digits - 1; i >= 0; i--)
                tmp[n++] = hex[(v >> (4 * i)) & 0xf];
        out_bytes(o, tmp, n);
}

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
        size_t len;
        uint32_t cp;
        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0) {
                len = 2;
                cp = s[0] & 0x1f;
        } else if ((s[0] & 0xf0) == 0xe0) {
                len = 3;
                cp = s[0] & 0x0f;
        } else if ((s[0] & 0xf8) == 0xf0) {
                len = 4;
                cp = s[0] & 0x07;
        } else {
                return 0;
        }
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

static const char *short_escape(unsigned char c)
{
        switch (c) {
        case '"':
                return "\\\"";
        case '\\':
                return "\\\\";
        case '\n':
                return "\\n";
        case '\r':
                return "\\r";
        case '\t':
                return "\\t";
        case '\b':
                return "\\b";
        case '\f':
                return "\\f";
        default:
                return NULL;
        }
}

/* A JSON string body: control characters escaped, invalid UTF-8 replaced by U+FFFD (as Go's
 * encoding/json does, so the line always parses). */
static void out_json_escaped(struct out *o, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);
        while (n > 0) {
                const char *esc = short_escape(*p);
                size_t len = utf8_len(p, n);
                if (esc)
                        out_str(o, esc);
                else if (*p < 0x20)
                        out_hex(o, "\\u", *p, 4);
                else if (len == 0)
                        out_str(o, "\\ufffd");
                else
                        out_bytes(o, (const char *)p, len);
                len = len ? len : 1;
                p += len;
                n -= len;
        }
}

/* logrus quotes a text value only when it holds characters outside this set. */
static bool text_needs_quoting(const char *s)
{
        for (const char *p = s; *p; p++) {
                char c = *p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      strchr("-._/@^+", c)))
                        return true;
        }
        return false;
}

/* A logrus text value: bare, or quoted with Go's %q escapes. */
static void out_text_value(struct out *o, const char *s)
{
        if (!text_needs_quoting(s)) {
                out_str(o, s);
                return;
        }
        out_str(o, "\"");
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);
        while (n > 0) {
                const char *esc = short_escape(*p);
                size_t len = utf8_len(p, n);
                if (esc)
                        out_str(o, esc);
                else if (*p < 0x20 || *p == 0x7f || len == 0)
                        out_hex(o, "\\x", *p, 2);
                else
                        out_bytes(o, (const char *)p, len);
                len = len ? len : 1;
                p += len;
                n -= len;
        }
        out_str(o, "\"");
}

/* UTC RFC 3339, "2026-11-29T19:40:00Z" or with nanoseconds; civil date from the day count
 * by the usual era arithmetic, since gmtime_r may take locks. */
static void format_time(char *buf, size_t size, bool nanos)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t secs = ts.tv_sec;
        int64_t days = secs / 86400, rem = secs % 86400;
        if (rem < 0) {
                rem += 86400;
                days--;
        }
        int64_t z = days + 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int64_t day = doy - (153 * mp + 2) / 5 + 1;
        int64_t month = mp < 10 ? mp + 3 : mp - 9;
        int64_t year = yoe + era * 400 + (month <= 2);
        int n = snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)year,
                         (long long)month, (long long)day, (long long)(rem / 3600),
                         (long long)(rem / 60 % 60), (long long)(rem % 60));
        if (n > 0 && (size_t)n < size)
                snprintf(buf + n, size - (size_t)n, nanos ? ".%09ldZ" : "Z", (long)ts.tv_nsec);
}

static const char *level_name(enum hull_log_level level)
{
        switch (level) {
        case HULL_LOG_DEBUG:
                return "debug";
        case HULL_LOG_INFO:
                return "info";
        case HULL_LOG_WARN:
                return "warning";
        default:
                return "error";
        }
}

static size_t format_line(char *line, size_t size, enum hull_log_level level, const char *msg)
{
        struct out o = {.buf = line, .cap = size - 2}; /* room for '\n' and NUL */
        char when[48];
        format_time(when, sizeof(when), log_state.json);
        if (log_state.json) {
                out_str(&o, "{\"level\":\"");
                out_str(&o, level_name(level));
                out_str(&o, "\",\"msg\":\"");
                size_t before = o.len;
                out_json_escaped(&o, msg);
                if (o.full) {
                        /* Too long: log a cut message rather than a broken line. */
                        o.full = false;
                        o.len = before;
                        o.cap = size - 2 - 64;
                        out_json_escaped(&o, msg);
                        o.full = false;
                        o.cap = size - 2;
                }
                out_str(&o, "\",\"time\":\"");
                out_str(&o, when);
                out_str(&o, "\"}");
        } else {
                out_str(&o, "time=\"");
                out_str(&o, when);
                out_str(&o, "\" level=");
                out_str(&o, level_name(level));
                out_str(&o, " msg=");
                size_t before = o.len;
                out_text_value(&o, msg);
                if (o.full) {
                        o.full = false;
                        o.len = before;
                        o.cap = size - 2 - 8;
                        out_text_value(&o, msg);
                        /* Close the quote the cut value opened. */
                        o.full = false;
                        o.cap = size - 2;
                        out_str(&o, "\"");
                }
        }
        line[o.len++] = '\n';
        line[o.len] = '\0';
        return o.len;
}

void hull_log(enum hull_log_level level, const char *fmt, ...)
{
        if (level < log_state.min)
                return;
        int saved_errno = errno;
        char msg[LOG_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (n < 0)
                n = 0;
        if ((size_t)n >= sizeof(msg))
                n = sizeof(msg) - 1;
        /* logrus callers do not end messages with a newline; tolerate ours doing so. */
        while (n > 0 && msg[n - 1] == '\n')
                msg[--n] = '\0';
        char line[LOG_LINE_MAX];
        size_t len = format_line(line, sizeof(line), level, msg);
        int fd = log_state.fd >= 0 ? log_state.fd : STDERR_FILENO;
        ssize_t w;
        do
                w = write(fd, line, len);
        while (w < 0 && errno == EINTR);
        errno = saved_errno;
}

/* String and number parsing: strict integers, signal names and numbers (runc's and kill's
 * spellings), container id validation, printf into a new string. */
#include "base/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"

#define HULL_ID_MAX 1024

int hull_parse_int64(const char *s, int64_t *ret)
{
        if (!s)
                return -EINVAL;
        const char *digits = s[0] == '-' ? s + 1 : s;
        if (!isdigit((unsigned char)digits[0]))
                return -EINVAL;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (*end != '\0')
                return -EINVAL;
        if (errno == ERANGE)
                return -ERANGE;
        *ret = (int64_t)v;
        return 0;
}

int hull_parse_uint64(const char *s, uint64_t *ret)
{
        /* strtoull accepts " -1" and wraps it; require digits only. */
        if (!s || !isdigit((unsigned char)s[0]))
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end != '\0')
                return -EINVAL;
        if (errno == ERANGE)
                return -ERANGE;
        *ret = (uint64_t)v;
        return 0;
}

struct signal_name {
        const char *name; /* without the SIG prefix */
        int sig;
};

/* The first entry for a number is its canonical name; later ones are accepted aliases. */
static const struct signal_name signal_names[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT},  {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},    {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1},  {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},  {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},   {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},  {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},  {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},      {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},     {"UNUSED", SIGSYS},
};

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (SIG prefix already stripped). */
static int parse_rt_signal(const char *s)
{
        bool from_min;
        if (strncasecmp(s, "RTMIN", 5) == 0)
                from_min = true;
        else if (strncasecmp(s, "RTMAX", 5) == 0)
                from_min = false;
        else
                return -EINVAL;
        s += 5;
        int64_t off = 0;
        if (*s) {
                if (*s != (from_min ? '+' : '-') || hull_parse_int64(s + 1, &off) < 0 ||
                    s[1] == '-')
                        return -EINVAL;
        }
        if (off > SIGRTMAX - SIGRTMIN)
                return -EINVAL;
        return from_min ? SIGRTMIN + (int)off : SIGRTMAX - (int)off;
}

int hull_signal_parse(const char *s)
{
        if (!s || !*s)
                return -EINVAL;
        if (isdigit((unsigned char)s[0])) {
                /* 0 only probes for existence; kill(1) and runc refuse it as a signal. */
                int64_t n;
                if (hull_parse_int64(s, &n) < 0 || n < 1 || n > SIGRTMAX)
                        return -EINVAL;
                return (int)n;
        }
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < HULL_ARRAY_SIZE(signal_names); i++)
                if (strcasecmp(s, signal_names[i].name) == 0)
                        return signal_names[i].sig;
        return parse_rt_signal(s);
}

const char *hull_signal_name(int sig, char buf[16])
{
        static const char *const canonical[] = {
            [SIGHUP] = "SIGHUP",       [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
            [SIGILL] = "SIGILL",       [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
            [SIGBUS] = "SIGBUS",       [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
            [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
            [SIGPIPE] = "SIGPIPE",     [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
            [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
            [SIGSTOP] = "SIGSTOP",     [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
            [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU",
            [SIGXFSZ] = "SIGXFSZ",     [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
            [SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",         [SIGPWR] = "SIGPWR",
            [SIGSYS] = "SIGSYS",
        };
        if (sig > 0 && (size_t)sig < HULL_ARRAY_SIZE(canonical) && canonical[sig])
                return canonical[sig];
        if (sig < SIGRTMIN || sig > SIGRTMAX)
                return NULL;
        /* kill -l's convention: RTMIN+n for the lower half, RTMAX-n for the upper. */
        int from_min = sig - SIGRTMIN, from_max = SIGRTMAX - sig;
        if (from_min == 0)
                return "SIGRTMIN";
        if (from_max == 0)
                return "SIGRTMAX";
        /* Offsets are below 32: the unsigned char casts tell the compiler the text fits. */
        if (from_min <= from_max)
                snprintf(buf, 16, "SIGRTMIN+%u", (unsigned char)from_min);
        else
                snprintf(buf, 16, "SIGRTMAX-%u", (unsigned char)from_max);
        return buf;
}

static bool id_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '+' || c == '-';
}

/* The id names a directory under the state root: it must never be able to name another. */
int hull_id_validate(const char *id, struct hull_err *err)
{
        static const char rule[] = "must match [A-Za-z0-9][A-Za-z0-9_.+-]* (at most 1024 bytes)";
        if (!id || !*id)
                return hull_err_set(err, EINVAL, "invalid container id \"\": must not be empty");
        size_t n = strnlen(id, HULL_ID_MAX + 1);
        if (n > HULL_ID_MAX)
                return hull_err_set(err, EINVAL,
                                    "invalid container id \"%.32s...\": longer than %d bytes", id,
                                    HULL_ID_MAX);
        if (strstr(id, ".."))
                return hull_err_set(err, EINVAL,
                                    "invalid container id \"%s\": must not contain \"..\"", id);
        for (const char *p = id; *p; p++) {
                if (!id_char_ok(*p))
                        return hull_err_set(err, EINVAL,
                                            "invalid container id \"%s\": character '%c' is not "
                                            "allowed, %s",
                                            id, isprint((unsigned char)*p) ? *p : '?', rule);
        }
        if (!isalnum((unsigned char)id[0]))
                return hull_err_set(err, EINVAL, "invalid container id \"%s\": %s", id, rule);
        return 0;
}

char *hull_strdup_printf(const char *fmt, ...)
{
        va_list ap;
        char *s;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        return n < 0 ? NULL : s;
}

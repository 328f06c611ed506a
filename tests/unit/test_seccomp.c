/* linux.seccomp: parse errors with their JSON paths, and the compiled filters loaded for real
 * in a forked child: every action, every operator, several conditions on one argument, the
 * 32-bit ABI, flags, and a notify listener answering from the parent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "runtime/seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Compile TEXT (a linux.seccomp object); returns the result, *ret the filter. */
static int compile(const char *text, struct hull_seccomp **ret, struct hull_err *err)
{
        json_error_t je;
        json_t *j = json_loads(text, 0, &je);
        if (!j)
                fail_msg("bad test JSON: %s: %s", je.text, text);
        int r = hull_seccomp_compile(j, "test.json", ".linux.seccomp", ret, err);
        json_decref(j);
        return r;
}

static struct hull_seccomp *must_compile(const char *text)
{
        struct hull_err err = {0};
        struct hull_seccomp *s = NULL;
        int r = compile(text, &s, &err);
        if (r < 0)
                fail_msg("compile failed: %s\n%s", err.msg, text);
        assert_non_null(s);
        return s;
}

static void expect_error(const char *text, const char *needle)
{
        struct hull_err err = {0};
        struct hull_seccomp *s = NULL;
        int r = compile(text, &s, &err);
        if (r >= 0)
                fail_msg("expected an error naming \"%s\" for\n%s", needle, text);
        assert_null(s);
        if (!strstr(err.msg, needle))
                fail_msg("error \"%s\" should name \"%s\"", err.msg, needle);
}

static void test_errors(void **state)
{
        (void)state;
        expect_error("{}", "missing required field \"defaultAction\"");
        expect_error("{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
                     ".linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
        expect_error("{\"defaultAction\": 1}", ".linux.seccomp.defaultAction: expected a string");
        expect_error("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "cannot be the default action");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 3}",
                     ".linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
                     "is not an errno value");
        expect_error(
            "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}",
            ".linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"");
        expect_error(
            "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_X\"]}",
            ".linux.seccomp.flags[0]: unknown flag");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
                     ".linux.seccomp.syscalls: expected an array, got object");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                     "[\"getpid\"]}]}",
                     ".linux.seccomp.syscalls[0]: missing required field \"action\"");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                     "[\"getpid\", 3], \"action\": \"SCMP_ACT_KILL\"}]}",
                     ".linux.seccomp.syscalls[0].names[1]: expected a string, got number");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                     "[\"getpid\"], \"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 6, "
                     "\"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                     ".linux.seccomp.syscalls[0].args[0].index: argument 6 does not exist");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                     "[\"getpid\"], \"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 0, "
                     "\"value\": 0, \"op\": \"SCMP_CMP_ABOUT\"}]}]}",
                     ".linux.seccomp.syscalls[0].args[0].op: unknown operator");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                     "[\"getpid\"], \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 5}]}",
                     ".linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                     "[\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
                     "SCMP_ACT_NOTIFY needs a \"listenerPath\"");
        expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/x\", "
                     "\"syscalls\": [{\"names\": [\"sendmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
                     "cannot apply to sendmsg");
}

static void test_absent_and_unknown_names(void **state)
{
        (void)state;
        struct hull_err err = {0};
        struct hull_seccomp *s = (void *)1;
        assert_int_equal(hull_seccomp_compile(NULL, "x", ".linux.seccomp", &s, &err), 0);
        assert_null(s);
        /* runc skips names libseccomp does not know: profiles name syscalls of newer kernels */
        s = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                         "[\"no_such_syscall_at_all\", \"getpid\"], \"action\": "
                         "\"SCMP_ACT_ERRNO\"}]}");
        assert_true(hull_seccomp_size(s) > 0);
        assert_false(hull_seccomp_has_notify(s));
        hull_seccomp_free(s);
        /* a rule with the default action adds nothing and is no error */
        s = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                         "[\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        hull_seccomp_free(s);
}

static void test_flags(void **state)
{
        (void)state;
        struct hull_seccomp *s = must_compile(
            "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", "
            "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_TSYNC\", "
            "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}");
        /* WAIT_KILLABLE_RECV without a listener: dropped, the kernel would refuse it */
        assert_int_equal(hull_seccomp_flags(s),
                         SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
        hull_seccomp_free(s);
        s = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/l\", "
                         "\"listenerMetadata\": \"meta\", \"flags\": "
                         "[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], \"syscalls\": "
                         "[{\"names\": [\"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}");
        assert_int_equal(hull_seccomp_flags(s),
                         SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER);
        assert_true(hull_seccomp_has_notify(s));
        assert_string_equal(hull_seccomp_listener_path(s), "/l");
        assert_string_equal(hull_seccomp_listener_metadata(s), "meta");
        hull_seccomp_free(s);
}

/* The default profile of docs/seccomp/default.json: it compiles, and quickly. */
static void test_default_profile(void **state)
{
        (void)state;
        json_error_t je;
        json_t *j = json_load_file("docs/seccomp/default.json", 0, &je);
        if (!j)
                j = json_load_file("../docs/seccomp/default.json", 0, &je);
        if (!j)
                fail_msg("docs/seccomp/default.json: %s (run from the repository root)", je.text);
        struct timespec a, b;
        double best = 1e9;
        for (int i = 0; i < 5; i++) {
                struct hull_err err = {0};
                struct hull_seccomp *s = NULL;
                clock_gettime(CLOCK_MONOTONIC, &a);
                int r = hull_seccomp_compile(j, "default.json", ".linux.seccomp", &s, &err);
                clock_gettime(CLOCK_MONOTONIC, &b);
                if (r < 0)
                        fail_msg("%s", err.msg);
                double ms =
                    (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
                if (ms < best)
                        best = ms;
                if (i == 0)
                        printf("# default profile: %zu BPF instructions\n", hull_seccomp_size(s));
                hull_seccomp_free(s);
        }
        printf("# default profile compiled in %.2f ms (best of 5, sanitizer build)\n", best);
        json_decref(j);
}

/* ---- loading for real ---- */

typedef int (*child_fn)(void);

/* Fork; the child sets no_new_privs, loads the filter, returns FN()'s value as its exit code.
 * Returns the wait status. */
static int run_filtered(struct hull_seccomp *s, child_fn fn)
{
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct hull_err err = {0};
                int nfd;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    hull_seccomp_load(s, &nfd, &err) < 0) {
                        dprintf(2, "load: %s\n", err.msg);
                        _exit(100);
                }
                /* not _exit: the sanitizers' hook on it would run the leak checker, whose
                 * syscalls a strict filter refuses */
                syscall(SYS_exit_group, fn());
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static int run_json(const char *text, child_fn fn)
{
        struct hull_seccomp *s = must_compile(text);
        int status = run_filtered(s, fn);
        hull_seccomp_free(s);
        return status;
}

/* -errno or the result of a raw umask(2) with ARG: a harmless call whose argument we choose. */
static long raw_umask(unsigned long arg)
{
        long r = syscall(SYS_umask, arg);
        return r < 0 ? -errno : r;
}

#define RULE(action, extra)                                                                        \
        "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"], "      \
        "\"syscalls\": [{\"names\": [\"umask\"], \"action\": \"" action "\"" extra "}]}"

static int child_umask_errno(void)
{
        return raw_umask(022) == -42 ? 0 : 1;
}

static int child_umask_runs(void)
{
        return raw_umask(022) >= 0 ? 0 : 1;
}

static int child_umask_enosys(void)
{
        return raw_umask(022) == -ENOSYS ? 0 : 1;
}

static volatile sig_atomic_t got_sigsys;
static void on_sigsys(int sig)
{
        (void)sig;
        got_sigsys = 1;
}

static int child_umask_trapped(void)
{
        signal(SIGSYS, on_sigsys);
        raw_umask(022);
        return got_sigsys ? 0 : 1;
}

static int child_umask_survives(void)
{
        raw_umask(022);
        return 0; /* reached only if not killed */
}

static void test_actions(void **state)
{
        (void)state;
        int st = run_json(RULE("SCMP_ACT_ERRNO", ", \"errnoRet\": 42"), child_umask_errno);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        st = run_json(RULE("SCMP_ACT_ALLOW", ""), child_umask_runs);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        st = run_json(RULE("SCMP_ACT_LOG", ""), child_umask_runs);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        /* no tracer attached: the kernel answers ENOSYS */
        st = run_json(RULE("SCMP_ACT_TRACE", ""), child_umask_enosys);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        st = run_json(RULE("SCMP_ACT_TRAP", ""), child_umask_trapped);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        const char *kills[] = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS"};
        for (size_t i = 0; i < 3; i++) {
                char text[512];
                snprintf(text, sizeof(text),
                         "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                         "[\"umask\"], \"action\": \"%s\"}]}",
                         kills[i]);
                st = run_json(text, child_umask_survives);
                if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS))
                        fail_msg("%s: child not killed by SIGSYS (status 0x%x)", kills[i], st);
        }
        /* the default action with its errno */
        st = run_json("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 42, "
                      "\"syscalls\": [{\"names\": [\"exit_group\", \"exit\"], \"action\": "
                      "\"SCMP_ACT_ALLOW\"}]}",
                      child_umask_errno);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* umask with each value in 0..15: bit i set when the call was refused. */
static int child_umask_pattern(void)
{
        int pattern = 0;
        for (int v = 0; v < 8; v++)
                if (raw_umask((unsigned long)v) == -42)
                        pattern |= 1 << v;
        return pattern;
}

static int pattern_for(const char *args)
{
        char text[1024];
        snprintf(text, sizeof(text),
                 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"umask\"], "
                 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, \"args\": [%s]}]}",
                 args);
        int st = run_json(text, child_umask_pattern);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

/* kill(0, 0) is refused, kill(pid, 0) and kill(0, SIGCONT) are not. */
static int child_kill_and(void)
{
        int bad = 0;
        if (syscall(SYS_kill, 0, 0) != -1 || errno != 42)
                bad |= 1;
        if (syscall(SYS_kill, getpid(), 0) != 0)
                bad |= 2;
        if (syscall(SYS_kill, 0, SIGCONT) != 0)
                bad |= 4;
        return bad;
}

#define ARG(op, v) "{\"index\": 0, \"value\": " #v ", \"op\": \"SCMP_CMP_" #op "\"}"

static void test_operators(void **state)
{
        (void)state;
        assert_int_equal(pattern_for(ARG(EQ, 3)), 0x08);
        assert_int_equal(pattern_for(ARG(NE, 3)), 0xf7);
        assert_int_equal(pattern_for(ARG(LT, 3)), 0x07);
        assert_int_equal(pattern_for(ARG(LE, 3)), 0x0f);
        assert_int_equal(pattern_for(ARG(GT, 3)), 0xf0);
        assert_int_equal(pattern_for(ARG(GE, 3)), 0xf8);
        /* (arg & 6) == 2: 2 and 3 */
        assert_int_equal(pattern_for("{\"index\": 0, \"value\": 6, \"valueTwo\": 2, \"op\": "
                                     "\"SCMP_CMP_MASKED_EQ\"}"),
                         0x0c);
        /* Two conditions on one argument are ORed, as runc does (libseccomp cannot AND them):
         * v <= 1 or v >= 6. */
        assert_int_equal(pattern_for(ARG(LE, 1) ", " ARG(GE, 6)), 0xc3);
        /* conditions on different arguments are ANDed */
        int st = run_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                          "[\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, "
                          "\"args\": [" ARG(EQ, 0) ", {\"index\": 1, \"value\": 0, \"op\": "
                                                   "\"SCMP_CMP_EQ\"}]}]}",
                          child_kill_and);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* getpid through the 32-bit ABI (int 0x80, eax = 20) from this 64-bit process. */
static long int80_getpid(void)
{
#if defined(__x86_64__)
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
        return ret;
#else
        return -ENOSYS;
#endif
}

static int child_int80_denied(void)
{
        return int80_getpid() == -42 ? 0 : 1;
}

static int child_int80_runs(void)
{
        return int80_getpid() > 0 ? 0 : 1;
}

static void test_x86_abi_cannot_bypass(void **state)
{
        (void)state;
#if !defined(__x86_64__)
        skip();
#else
        if (access("/proc/sys/abi", F_OK) < 0 && int80_getpid() < 0)
                skip(); /* no IA32 emulation in this kernel */
        /* SCMP_ARCH_X86_64 brings the x86 ABI into the filter: the denial holds through int
         * 0x80 too */
        int st = run_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
                          "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": [\"getpid\"], "
                          "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42}]}",
                          child_int80_denied);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        /* control: without the rule the same call runs */
        st = run_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
                      "[\"SCMP_ARCH_X86_64\"]}",
                      child_int80_runs);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
#endif
}

/* ---- notify ---- */

static int child_notify(void)
{
        /* the listener answers mkdirat with 4242 as the return value */
        long r = syscall(SYS_mkdirat, AT_FDCWD, "/nonexistent/x", 0755);
        return r == 4242 ? 0 : 1;
}

static void test_notify(void **state)
{
        (void)state;
        struct hull_seccomp *s =
            must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/l\", "
                         "\"syscalls\": [{\"names\": [\"mkdirat\"], \"action\": "
                         "\"SCMP_ACT_NOTIFY\"}]}");
        int sp[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct hull_err err = {0};
                int nfd;
                close(sp[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    hull_seccomp_load(s, &nfd, &err) < 0 || nfd < 0 ||
                    hull_seccomp_listener_send(sp[1], "{\"x\":1}", 7, nfd, &err) < 0) {
                        dprintf(2, "notify child: %s\n", err.msg);
                        _exit(100);
                }
                close(nfd);
                syscall(SYS_exit_group, child_notify());
        }
        close(sp[1]);
        char buf[64], cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
        ssize_t n = recvmsg(sp[0], &mh, 0);
        assert_int_equal(n, 7);
        assert_memory_equal(buf, "{\"x\":1}", 7);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        assert_non_null(cm);
        int nfd;
        memcpy(&nfd, CMSG_DATA(cm), sizeof(int));
        struct seccomp_notif req;
        memset(&req, 0, sizeof(req));
        assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
        assert_int_equal(req.pid, pid);
        assert_int_equal(req.data.nr, SYS_mkdirat);
        struct seccomp_notif_resp resp = {.id = req.id, .val = 4242, .error = 0, .flags = 0};
        assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        close(nfd);
        close(sp[0]);
        hull_seccomp_free(s);
}

/* The compiled-filter cache: a second compile is a hit; an entry others could write, or one
 * whose key differs, is not used. */
static void test_cache(void **state)
{
        (void)state;
        char dir[] = "/tmp/hull-test-seccomp-cache-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char sub[sizeof(dir) + 8];
        snprintf(sub, sizeof(sub), "%s/c", dir);
        const char *text = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                           "[\"umask\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42}]}";
        json_t *j = json_loads(text, 0, NULL);
        struct hull_err err = {0};
        struct hull_seccomp *a = NULL, *b = NULL;
        assert_int_equal(hull_seccomp_compile_cached(j, "t", ".linux.seccomp", sub, &a, &err), 0);
        /* the directory was made private */
        struct stat st;
        assert_int_equal(stat(sub, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
        assert_int_equal(hull_seccomp_compile_cached(j, "t", ".linux.seccomp", sub, &b, &err), 0);
        assert_int_equal(hull_seccomp_size(a), hull_seccomp_size(b));
        /* the cached filter works */
        assert_int_equal(run_filtered(b, child_umask_errno), 0);
        hull_seccomp_free(b);
        /* an entry others may write is ignored (and replaced) */
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "chmod 666 %s/*.bpf", sub);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(hull_seccomp_compile_cached(j, "t", ".linux.seccomp", sub, &b, &err), 0);
        assert_int_equal(run_filtered(b, child_umask_errno), 0);
        hull_seccomp_free(b);
        /* a directory open to others is not used at all */
        assert_int_equal(chmod(sub, 0777), 0);
        struct hull_seccomp_bpf bpf;
        assert_int_equal(hull_seccomp_cache_get(sub, "k", 1, &bpf), -ENOENT);
        /* a different key under the same name is a miss */
        assert_int_equal(chmod(sub, 0700), 0);
        assert_int_equal(hull_seccomp_cache_get(sub, "other key", 9, &bpf), -ENOENT);
        hull_seccomp_free(a);
        json_decref(j);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_errors),
            cmocka_unit_test(test_absent_and_unknown_names),
            cmocka_unit_test(test_flags),
            cmocka_unit_test(test_default_profile),
            cmocka_unit_test(test_actions),
            cmocka_unit_test(test_operators),
            cmocka_unit_test(test_x86_abi_cannot_bypass),
            cmocka_unit_test(test_notify),
            cmocka_unit_test(test_cache),
        };
        return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}

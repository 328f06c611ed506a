/* hostile: what a malicious container process tries, one attempt per command, built static so
 * that it runs in the busybox rootfs. Each command prints one line, "ok [VALUE]" or
 * "err ERRNO NAME", and exits 0 (a usage error exits 2); the tests read the line.
 *
 *   syscall NR [ARG...]    a raw syscall with up to 6 numeric arguments
 *   int80 NR [ARG...]      the same through the 32-bit ABI (int 0x80, 5 arguments), x86_64
 *   openw PATH             open for writing (nothing is written) and close
 *   read PATH N            read N bytes, print them as hex
 *   mknod PATH b|c MAJ MIN
 *   rawsock                socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   packetsock             socket(AF_PACKET, SOCK_RAW, 0)
 *   ptrace PID             PTRACE_ATTACH, wait, PTRACE_DETACH
 *   keyring                the id of the session keyring
 *   finit_module           finit_module(-1, "", 0): EPERM without the right, EBADF past it
 *   ids                    real and effective uid, and CapEff
 *   exe PID FLAGS          open /proc/PID/exe with "path", "r" or "w"
 *   exe-link PID           readlink /proc/PID/exe
 *   fds                    every open fd with its target, one per line, then "ok"
 *   cwd                    getcwd, and whether ".." from it reaches a "hostile-marker" file
 *   trap NR                a SIGSYS handler, then the syscall: "ok trapped" or the result
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/keyctl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(long r)
{
        if (r < 0) {
                int e = errno;
                printf("err %d %s\n", e, strerror(e));
        } else {
                printf("ok %ld\n", r);
        }
        return 0;
}

static unsigned long num(const char *s)
{
        return strtoul(s, NULL, 0);
}

static void args6(int argc, char **argv, int from, unsigned long a[6])
{
        for (int i = 0; i < 6; i++)
                a[i] = from + i < argc ? num(argv[from + i]) : 0;
}

static long int80(unsigned long nr, const unsigned long a[6])
{
#if defined(__x86_64__)
        /* five arguments (ebx, ecx, edx, esi, edi): the sixth would need ebp */
        long ret;
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
                         : "memory", "r8", "r9", "r10", "r11");
        if (ret < 0 && ret > -4096) {
                errno = (int)-ret;
                return -1;
        }
        return ret;
#else
        (void)nr;
        (void)a;
        errno = ENOSYS;
        return -1;
#endif
}

static volatile sig_atomic_t trapped;
static void on_sigsys(int sig)
{
        (void)sig;
        trapped = 1;
}

static int cap_eff(unsigned long long *ret)
{
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        *ret = 0;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "CapEff: %llx", ret) == 1)
                        break;
        if (f)
                fclose(f);
        return 0;
}

int main(int argc, char **argv)
{
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2)
                goto usage;
        const char *cmd = argv[1];
        unsigned long a[6];
        if (strcmp(cmd, "syscall") == 0 && argc >= 3) {
                args6(argc, argv, 3, a);
                return result(syscall(num(argv[2]), a[0], a[1], a[2], a[3], a[4], a[5]));
        }
        if (strcmp(cmd, "int80") == 0 && argc >= 3) {
                args6(argc, argv, 3, a);
                return result(int80(num(argv[2]), a));
        }
        if (strcmp(cmd, "trap") == 0 && argc >= 3) {
                signal(SIGSYS, on_sigsys);
                args6(argc, argv, 3, a);
                long r = syscall(num(argv[2]), a[0], a[1], a[2], a[3], a[4], a[5]);
                if (trapped) {
                        printf("ok trapped\n");
                        return 0;
                }
                return result(r);
        }
        if (strcmp(cmd, "openw") == 0 && argc == 3) {
                int fd = open(argv[2], O_WRONLY | O_CLOEXEC);
                if (fd >= 0)
                        close(fd);
                return result(fd < 0 ? -1 : 0);
        }
        if (strcmp(cmd, "read") == 0 && argc == 4) {
                unsigned char buf[64];
                size_t n = num(argv[3]) < sizeof(buf) ? num(argv[3]) : sizeof(buf);
                int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return result(-1);
                ssize_t r = read(fd, buf, n);
                if (r < 0)
                        return result(-1);
                printf("ok ");
                for (ssize_t i = 0; i < r; i++)
                        printf("%02x", buf[i]);
                printf("\n");
                return 0;
        }
        if (strcmp(cmd, "mknod") == 0 && argc == 6) {
                mode_t type = argv[3][0] == 'b' ? S_IFBLK : S_IFCHR;
                return result(mknod(argv[2], type | 0600,
                                    makedev((unsigned)num(argv[4]), (unsigned)num(argv[5]))));
        }
        if (strcmp(cmd, "rawsock") == 0)
                return result(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
        if (strcmp(cmd, "packetsock") == 0)
                return result(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
        if (strcmp(cmd, "ptrace") == 0 && argc == 3) {
                pid_t pid = (pid_t)num(argv[2]);
                if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
                        return result(-1);
                int st;
                waitpid(pid, &st, __WALL);
                ptrace(PTRACE_DETACH, pid, NULL, NULL);
                return result(0);
        }
        if (strcmp(cmd, "keyring") == 0)
                return result(
                    syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
        if (strcmp(cmd, "finit_module") == 0)
                return result(syscall(SYS_finit_module, -1, "", 0));
        if (strcmp(cmd, "ids") == 0) {
                unsigned long long eff;
                cap_eff(&eff);
                printf("ok uid=%d euid=%d capeff=%016llx\n", (int)getuid(), (int)geteuid(), eff);
                return 0;
        }
        if (strcmp(cmd, "exe") == 0 && argc == 4) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/%s/exe", argv[2]);
                int fl = strcmp(argv[3], "path") == 0 ? O_PATH
                         : strcmp(argv[3], "w") == 0  ? O_WRONLY
                                                      : O_RDONLY;
                int fd = open(p, fl | O_CLOEXEC);
                if (fd >= 0)
                        close(fd);
                return result(fd < 0 ? -1 : 0);
        }
        if (strcmp(cmd, "exe-link") == 0 && argc == 3) {
                char p[64], t[4096];
                snprintf(p, sizeof(p), "/proc/%s/exe", argv[2]);
                ssize_t n = readlink(p, t, sizeof(t) - 1);
                if (n < 0)
                        return result(-1);
                t[n] = '\0';
                printf("ok %s\n", t);
                return 0;
        }
        if (strcmp(cmd, "fds") == 0) {
                DIR *d = opendir("/proc/self/fd");
                if (!d)
                        return result(-1);
                int self = dirfd(d);
                for (struct dirent *e; (e = readdir(d));) {
                        if (e->d_name[0] == '.' || atoi(e->d_name) == self)
                                continue;
                        char p[300], t[4096];
                        snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
                        ssize_t n = readlink(p, t, sizeof(t) - 1);
                        t[n < 0 ? 0 : n] = '\0';
                        printf("fd %s %s\n", e->d_name, t);
                }
                closedir(d);
                printf("ok\n");
                return 0;
        }
        if (strcmp(cmd, "cwd") == 0) {
                char buf[4096];
                if (!getcwd(buf, sizeof(buf)))
                        return result(-1);
                /* walk up from the cwd: a leaked host directory leads to the host's files */
                char up[8192] = ".";
                for (int i = 0; i < 16; i++) {
                        char probe[8300];
                        snprintf(probe, sizeof(probe), "%s/hostile-marker", up);
                        if (access(probe, F_OK) == 0) {
                                printf("ok %s host-marker-reached\n", buf);
                                return 0;
                        }
                        strncat(up, "/..", sizeof(up) - strlen(up) - 1);
                }
                printf("ok %s\n", buf);
                return 0;
        }
usage:
        fprintf(stderr, "usage: hostile COMMAND [ARGS] (see the source)\n");
        return 2;
}

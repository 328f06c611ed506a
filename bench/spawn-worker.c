/* Measuring launcher for bench/lifecycle.py: reads one command per line on stdin (arguments
 * separated by \x1f), runs it with posix_spawn, reaps it with wait4 and answers one line:
 *   EXIT WALL_NS MAXRSS_KIB MINFLT MAJFLT UTIME_US STIME_US
 * It is a small static C program and not the Python driver because a process's peak RSS
 * (ru_maxrss) starts at the RSS of the address space it exec'd from: spawned from Python every
 * runtime would show Python's 16 MB. Children get /dev/null as stdin/stdout, stderr goes to the
 * file named by argv[1] (the driver reads it when a command fails). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
        static char line[65536];
        char *args[256];

        if (argc != 2) {
                fprintf(stderr, "usage: %s STDERR_FILE\n", argv[0]);
                return 2;
        }
        while (fgets(line, sizeof(line), stdin)) {
                posix_spawn_file_actions_t fa;
                struct rusage ru;
                long long t0, t1;
                int n = 0, status = 0, rc;
                pid_t pid;
                char *save = NULL;

                line[strcspn(line, "\n")] = '\0';
                for (char *tok = strtok_r(line, "\x1f", &save); tok && n < 255;
                     tok = strtok_r(NULL, "\x1f", &save))
                        args[n++] = tok;
                args[n] = NULL;
                if (n == 0)
                        continue;
                posix_spawn_file_actions_init(&fa);
                posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
                posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
                posix_spawn_file_actions_addopen(&fa, 2, argv[1], O_WRONLY | O_CREAT | O_TRUNC,
                                                 0600);
                t0 = now_ns();
                rc = posix_spawnp(&pid, args[0], &fa, NULL, args, environ);
                if (rc == 0) {
                        while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
                                ;
                }
                t1 = now_ns();
                posix_spawn_file_actions_destroy(&fa);
                if (rc != 0) {
                        printf("%d 0 0 0 0 0 0\n", 127);
                } else {
                        int code = WIFEXITED(status)     ? WEXITSTATUS(status)
                                   : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                                         : 255;
                        printf("%d %lld %ld %ld %ld %ld %ld\n", code, t1 - t0, ru.ru_maxrss,
                               ru.ru_minflt, ru.ru_majflt,
                               ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
                               ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
                }
                fflush(stdout);
        }
        return 0;
}

/* Raw wrappers for the system calls hull needs that glibc may lack. Each returns -1 with
 * errno set (ENOSYS when the kernel lacks the call); every caller has a tested fallback. */
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Test hook: HULL_TEST_DISABLE=openat2,clone3 in the environment forces the fallbacks so they
 * are tested. The variable is read once; hull_sys_disabled_reset() makes the next call read it
 * again (unit tests switch modes within one process). */
int hull_sys_disabled(const char *name);
void hull_sys_disabled_reset(void);

static inline long hull_clone3(struct clone_args *args, size_t size)
{
        if (hull_sys_disabled("clone3")) {
                errno = ENOSYS;
                return -1;
        }
        return syscall(__NR_clone3, args, size);
}

static inline int hull_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
        if (hull_sys_disabled("openat2")) {
                errno = ENOSYS;
                return -1;
        }
        return (int)syscall(__NR_openat2, dirfd, path, how, size);
}

static inline int hull_pidfd_open(pid_t pid, unsigned int flags)
{
        return (int)syscall(__NR_pidfd_open, pid, flags);
}

static inline int hull_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
        return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int hull_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
        return (int)syscall(__NR_close_range, first, last, flags);
}

static inline int hull_pivot_root(const char *new_root, const char *put_old)
{
        return (int)syscall(SYS_pivot_root, new_root, put_old);
}

struct hull_mount_attr {
        uint64_t attr_set;
        uint64_t attr_clr;
        uint64_t propagation;
        uint64_t userns_fd;
};

static inline int hull_mount_setattr(int dirfd, const char *path, unsigned int flags,
                                     struct hull_mount_attr *attr, size_t size)
{
        return (int)syscall(__NR_mount_setattr, dirfd, path, flags, attr, size);
}

/* Scope-bound cleanup: _cleanup_free_, _cleanup_close_, TAKE_PTR/TAKE_FD to hand ownership on. */
#pragma once
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void hull_freep(void *p)
{
        free(*(void **)p);
}

static inline void hull_closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
        *fd = -EBADF;
}

static inline void hull_fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
        *f = NULL;
}

static inline void hull_closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
        *d = NULL;
}

/* A NULL-terminated array of strings. */
static inline void hull_strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

static inline void hull_strv_freep(char ***v)
{
        hull_strv_free(*v);
        *v = NULL;
}

#define _cleanup_free_ _cleanup_(hull_freep)
#define _cleanup_close_ _cleanup_(hull_closep)
#define _cleanup_fclose_ _cleanup_(hull_fclosep)
#define _cleanup_closedir_ _cleanup_(hull_closedirp)
#define _cleanup_strv_ _cleanup_(hull_strv_freep)

#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _taken = (p);                                                        \
                (p) = NULL;                                                                        \
                _taken;                                                                            \
        })

#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _taken = (fd);                                                                 \
                (fd) = -EBADF;                                                                     \
                _taken;                                                                            \
        })

#define HULL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

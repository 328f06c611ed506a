/* Switch for forcing syscall fallbacks in tests (HULL_TEST_DISABLE=openat2,clone3). */
#include "base/syscalls.h"

#include <stdlib.h>
#include <string.h>

int hull_sys_disabled(const char *name)
{
        static const char *list;
        static int loaded;
        if (!loaded) {
                list = getenv("HULL_TEST_DISABLE");
                loaded = 1;
        }
        if (!list || !*list)
                return 0;
        size_t n = strlen(name);
        for (const char *p = list; (p = strstr(p, name)); p += n)
                if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
                        return 1;
        return 0;
}

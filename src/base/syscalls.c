/* Switch for forcing syscall fallbacks in tests (HULL_TEST_DISABLE=openat2,clone3). */
#include "base/syscalls.h"

#include <stdlib.h>
#include <string.h>

static const char *disabled_list;
static int disabled_loaded;

int hull_sys_disabled(const char *name)
{
        if (!disabled_loaded) {
                disabled_list = getenv("HULL_TEST_DISABLE");
                disabled_loaded = 1;
        }
        const char *list = disabled_list;
        if (!list || !*list)
                return 0;
        size_t n = strlen(name);
        for (const char *p = list; (p = strstr(p, name)); p += n)
                if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
                        return 1;
        return 0;
}

void hull_sys_disabled_reset(void)
{
        disabled_list = NULL;
        disabled_loaded = 0;
}

/* /etc/passwd parsing (see passwd.h). */
#include "base/passwd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

int hull_passwd_lookup(const char *path, uid_t uid, char **ret_name, char **ret_home)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char line[1024];
        while (fgets(line, sizeof(line), f)) {
                char *fields[7] = {0};
                char *s = line;
                int n = 0;
                line[strcspn(line, "\n")] = '\0';
                /* strsep keeps empty fields, which passwd lines have. */
                while (n < 7 && (fields[n] = strsep(&s, ":")) != NULL)
                        n++;
                if (n < 6 || fields[2][0] == '\0')
                        continue;
                char *end = NULL;
                errno = 0;
                unsigned long v = strtoul(fields[2], &end, 10);
                if (errno || *end || v != uid)
                        continue;
                char *name = ret_name ? strdup(fields[0]) : NULL;
                char *home = ret_home ? strdup(fields[5]) : NULL;
                if ((ret_name && !name) || (ret_home && !home)) {
                        free(name);
                        free(home);
                        return -ENOMEM;
                }
                if (ret_name)
                        *ret_name = name;
                if (ret_home)
                        *ret_home = home;
                return 0;
        }
        return -ENOENT;
}

/* Parsing of the registry options (see registry_opts.h). */
#include "cli/hull/registry_opts.h"

#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"

void hull_cli_registry_defaults(struct hull_registry_opts *o)
{
        memset(o, 0, sizeof(*o));
        o->tls_verify = HULL_TLS_DEFAULT;
        o->retries = 3;
        o->retry_delay_ms = 500;
}

int hull_cli_registry_opt(int c, const char *arg, struct hull_registry_opts *o)
{
        int64_t v;
        switch (c) {
        case HULL_OPT_TLS_VERIFY:
                if (!arg || !strcmp(arg, "true") || !strcmp(arg, "1"))
                        o->tls_verify = HULL_TLS_ON;
                else if (!strcmp(arg, "false") || !strcmp(arg, "0"))
                        o->tls_verify = HULL_TLS_OFF;
                else
                        return -1;
                return 1;
        case HULL_OPT_CERT_DIR:
                o->cert_dir = arg;
                return 1;
        case HULL_OPT_CREDS:
                o->creds = arg;
                return 1;
        case HULL_OPT_AUTHFILE:
                o->auth_file = arg;
                return 1;
        case HULL_OPT_RETRY:
                if (hull_parse_int64(arg, &v) < 0 || v < 0 || v > 100)
                        return -1;
                o->retries = (int)v;
                return 1;
        case HULL_OPT_RETRY_DELAY:
                if (hull_parse_int64(arg, &v) < 0 || v < 0 || v > 600000)
                        return -1;
                o->retry_delay_ms = (unsigned)v;
                return 1;
        default:
                return 0;
        }
}

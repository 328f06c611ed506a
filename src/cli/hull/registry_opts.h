/* Command-line options shared by pull, push and login: TLS, credentials, retries. */
#pragma once
#include <getopt.h>
#include <stdbool.h>
#include "registry/client.h"

enum {
        HULL_OPT_TLS_VERIFY = 0x1000,
        HULL_OPT_CERT_DIR,
        HULL_OPT_CREDS,
        HULL_OPT_AUTHFILE,
        HULL_OPT_RETRY,
        HULL_OPT_RETRY_DELAY,
        HULL_OPT_PLATFORM,
};

#define HULL_REGISTRY_LONGOPTS                                                                     \
        {"tls-verify", optional_argument, NULL, HULL_OPT_TLS_VERIFY},                              \
            {"cert-dir", required_argument, NULL, HULL_OPT_CERT_DIR},                              \
            {"creds", required_argument, NULL, HULL_OPT_CREDS},                                    \
            {"authfile", required_argument, NULL, HULL_OPT_AUTHFILE},                              \
            {"retry", required_argument, NULL, HULL_OPT_RETRY},                                    \
        {                                                                                          \
                "retry-delay", required_argument, NULL, HULL_OPT_RETRY_DELAY                       \
        }

#define HULL_REGISTRY_USAGE                                                                        \
        "      --tls-verify[=BOOL]  verify TLS (default: yes, except loopback and\n"               \
        "                           $HULL_INSECURE_REGISTRIES registries)\n"                       \
        "      --cert-dir DIR       CA certificates (DIR/ca.crt)\n"                                \
        "      --creds USER:PASS    credentials (default: the auth file)\n"                        \
        "      --authfile FILE      auth file (default: $REGISTRY_AUTH_FILE or\n"                  \
        "                           $XDG_RUNTIME_DIR/containers/auth.json)\n"                      \
        "      --retry N            retries on server errors and dropped connections (3)\n"        \
        "      --retry-delay MS     first backoff delay, doubled each time (500)\n"

/* Handle one of the options above; returns 1 if C was one of them, -1 on a bad value. */
int hull_cli_registry_opt(int c, const char *arg, struct hull_registry_opts *o);
void hull_cli_registry_defaults(struct hull_registry_opts *o);

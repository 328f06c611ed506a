/* Registry credentials: Docker/Podman auth.json files (read and write), base64, and parsing of
 * WWW-Authenticate challenges. */
#pragma once
#include <stddef.h>
#include "base/error.h"

struct hull_creds {
        char *user;
        char *password;
};
void hull_creds_free(struct hull_creds *c);

/* The auth file `hull login` writes: $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/<uid>/auth.json (malloc'd). */
char *hull_auth_default_file(void);

/* Credentials for HOST ("localhost:5000", "docker.io"), looked up in AUTH_FILE when given, else
 * in the default file, then ~/.docker/config.json. 0 and empty creds when none are stored. */
int hull_auth_lookup(const char *auth_file, const char *host, struct hull_creds *ret,
                     struct hull_err *err);
/* Store (PASSWORD non-NULL) or remove (PASSWORD NULL) HOST's entry; the file is rewritten
 * atomically, mode 0600. Removing returns -ENOENT when HOST had no entry. */
int hull_auth_store(const char *auth_file, const char *host, const char *user, const char *password,
                    struct hull_err *err);

/* base64 of DATA (malloc'd), and decoding (malloc'd, NUL-terminated; NULL if invalid). */
char *hull_base64_encode(const void *data, size_t len);
char *hull_base64_decode(const char *s, size_t *ret_len);

/* A parsed WWW-Authenticate challenge. */
struct hull_challenge {
        char scheme[16]; /* "bearer", "basic" (lower case) or "" */
        char *realm, *service, *scope;
};
void hull_challenge_parse(const char *header, struct hull_challenge *ret);
void hull_challenge_free(struct hull_challenge *c);

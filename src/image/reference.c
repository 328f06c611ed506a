/* Parsing and normalizing image references the way Docker does (distribution/reference's
 * grammar and ParseNormalizedNamed), without regular expressions. */
#include "image/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strutil.h"

#define NAME_TOTAL_MAX 255

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | "__" | "-"+ */
static bool path_component_valid(const char *s, size_t n)
{
        size_t i = 0;
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        while (i < n) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                size_t start = i;
                if (s[i] == '.') {
                        i++;
                } else if (s[i] == '_') {
                        i++;
                        if (i < n && s[i] == '_')
                                i++;
                } else if (s[i] == '-') {
                        while (i < n && s[i] == '-')
                                i++;
                } else {
                        return false;
                }
                if (i == start || i >= n || !is_lower_alnum(s[i]))
                        return false;
        }
        return true;
}

static bool path_valid(const char *s, size_t n)
{
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == '/') {
                        if (!path_component_valid(s + start, i - start))
                                return false;
                        start = i + 1;
                }
        }
        return true;
}

static bool host_label_valid(const char *s, size_t n)
{
        if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '-')
                        return false;
        return true;
}

static bool port_valid(const char *s, size_t n)
{
        if (n == 0 || n > 5)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char)s[i]))
                        return false;
        return true;
}

/* domain := host (":" port)?, host := label ("." label)* | "[" ipv6 "]" */
static bool domain_valid(const char *s, size_t n)
{
        size_t host_end = n;
        if (n > 0 && s[0] == '[') {
                const char *close = memchr(s, ']', n);
                if (!close || close == s + 1)
                        return false;
                for (const char *p = s + 1; p < close; p++)
                        if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                                return false;
                host_end = (size_t)(close - s) + 1;
                if (host_end == n)
                        return true;
                return s[host_end] == ':' && port_valid(s + host_end + 1, n - host_end - 1);
        }
        const char *colon = memchr(s, ':', n);
        if (colon) {
                host_end = (size_t)(colon - s);
                if (!port_valid(colon + 1, n - host_end - 1))
                        return false;
        }
        size_t start = 0;
        for (size_t i = 0; i <= host_end; i++) {
                if (i == host_end || s[i] == '.') {
                        if (!host_label_valid(s + start, i - start))
                                return false;
                        start = i + 1;
                }
        }
        return true;
}

int hull_ref_tag_valid(const char *tag)
{
        size_t n = strlen(tag);
        if (n == 0 || n > 128)
                return 0;
        if (!isalnum((unsigned char)tag[0]) && tag[0] != '_')
                return 0;
        for (size_t i = 1; i < n; i++)
                if (!isalnum((unsigned char)tag[i]) && !strchr("_.-", tag[i]))
                        return 0;
        return 1;
}

int hull_ref_digest_valid(const char *digest)
{
        if (strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 7 + 64)
                return 0;
        for (const char *p = digest + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return 0;
        return 1;
}

int hull_ref_is_id_prefix(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > 64)
                return 0;
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return 0;
        return 1;
}

/* Docker's splitDockerDomain: the first component is a registry host only when it looks like
 * one (has a '.' or ':', is "localhost", or has upper case letters). */
static bool first_component_is_domain(const char *name, size_t n)
{
        if (n == 9 && memcmp(name, "localhost", 9) == 0)
                return true;
        for (size_t i = 0; i < n; i++)
                if (name[i] == '.' || name[i] == ':' || (name[i] >= 'A' && name[i] <= 'Z') ||
                    name[i] == '[')
                        return true;
        return false;
}

static int split_name(const char *name, char **ret_domain, char **ret_path, struct hull_err *err)
{
        const char *slash = strchr(name, '/');
        _cleanup_free_ char *domain = NULL;
        _cleanup_free_ char *path = NULL;
        if (slash && first_component_is_domain(name, (size_t)(slash - name))) {
                domain = strndup(name, (size_t)(slash - name));
                path = strdup(slash + 1);
        } else {
                domain = strdup(HULL_REF_DEFAULT_DOMAIN);
                path = strdup(name);
        }
        if (!domain || !path)
                return hull_err_set(err, ENOMEM, "out of memory");
        if (!domain_valid(domain, strlen(domain)))
                return hull_err_set(err, EINVAL,
                                    "invalid reference \"%s\": bad registry host \"%s\"", name,
                                    domain);
        if (strcmp(domain, "index.docker.io") == 0) {
                free(domain);
                domain = strdup(HULL_REF_DEFAULT_DOMAIN);
                if (!domain)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        if (strcmp(domain, HULL_REF_DEFAULT_DOMAIN) == 0 && !strchr(path, '/')) {
                char *p = hull_strdup_printf("library/%s", path);
                if (!p)
                        return hull_err_set(err, ENOMEM, "out of memory");
                free(path);
                path = p;
        }
        *ret_domain = TAKE_PTR(domain);
        *ret_path = TAKE_PTR(path);
        return 0;
}

static int check_name(const char *input, const char *name, size_t n, struct hull_err *err)
{
        if (n == 0)
                return hull_err_set(err, EINVAL, "invalid reference \"%s\": empty repository name",
                                    input);
        if (n == 64 && hull_ref_is_id_prefix(name) && !strchr(name, '/'))
                return hull_err_set(err, EINVAL,
                                    "invalid repository name \"%s\": cannot specify 64-byte "
                                    "hexadecimal strings",
                                    input);
        return 0;
}

int hull_ref_parse(const char *s, struct hull_ref *ret, struct hull_err *err)
{
        _cleanup_free_ char *copy = strdup(s);
        _cleanup_free_ char *domain = NULL, *path = NULL, *tag = NULL, *digest = NULL;
        if (!copy)
                return hull_err_set(err, ENOMEM, "out of memory");
        char *at = strchr(copy, '@');
        if (at) {
                *at = '\0';
                if (!hull_ref_digest_valid(at + 1))
                        return hull_err_set(err, EINVAL,
                                            "invalid reference \"%s\": bad digest \"%s\" (want "
                                            "sha256:<64 lowercase hex>)",
                                            s, at + 1);
                digest = strdup(at + 1);
                if (!digest)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        char *last_slash = strrchr(copy, '/');
        char *colon = strrchr(last_slash ? last_slash : copy, ':');
        if (colon) {
                *colon = '\0';
                if (!hull_ref_tag_valid(colon + 1))
                        return hull_err_set(err, EINVAL, "invalid reference \"%s\": bad tag \"%s\"",
                                            s, colon + 1);
                tag = strdup(colon + 1);
                if (!tag)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        int r = check_name(s, copy, strlen(copy), err);
        if (r < 0)
                return r;
        r = split_name(copy, &domain, &path, err);
        if (r < 0)
                return r;
        for (const char *p = path; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        return hull_err_set(err, EINVAL,
                                            "invalid reference \"%s\": repository name must be "
                                            "lowercase",
                                            s);
        if (!path_valid(path, strlen(path)))
                return hull_err_set(
                    err, EINVAL, "invalid reference \"%s\": bad repository name \"%s\"", s, path);
        if (strlen(domain) + 1 + strlen(path) > NAME_TOTAL_MAX)
                return hull_err_set(err, EINVAL,
                                    "invalid reference \"%s\": repository name longer than %d "
                                    "characters",
                                    s, NAME_TOTAL_MAX);
        if (!tag && !digest) {
                tag = strdup(HULL_REF_DEFAULT_TAG);
                if (!tag)
                        return hull_err_set(err, ENOMEM, "out of memory");
        }
        ret->domain = TAKE_PTR(domain);
        ret->path = TAKE_PTR(path);
        ret->tag = TAKE_PTR(tag);
        ret->digest = TAKE_PTR(digest);
        return 0;
}

void hull_ref_free(struct hull_ref *ref)
{
        if (!ref)
                return;
        free(ref->domain);
        free(ref->path);
        free(ref->tag);
        free(ref->digest);
        ref->domain = ref->path = ref->tag = ref->digest = NULL;
}

char *hull_ref_name(const struct hull_ref *ref)
{
        return hull_strdup_printf("%s/%s", ref->domain, ref->path);
}

char *hull_ref_string(const struct hull_ref *ref)
{
        return hull_strdup_printf("%s/%s%s%s%s%s", ref->domain, ref->path, ref->tag ? ":" : "",
                                  ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                                  ref->digest ? ref->digest : "");
}

char *hull_ref_tagged(const struct hull_ref *ref)
{
        if (!ref->tag)
                return NULL;
        return hull_strdup_printf("%s/%s:%s", ref->domain, ref->path, ref->tag);
}

const char *hull_ref_registry_host(const struct hull_ref *ref)
{
        if (strcmp(ref->domain, HULL_REF_DEFAULT_DOMAIN) == 0)
                return "registry-1.docker.io";
        return ref->domain;
}

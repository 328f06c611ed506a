/* Locating values in raw JSON text by path, and loading integers above INT64_MAX (see
 * json_locate.h). The scanner expects text jansson accepted but never reads out of bounds. */
#include "oci/json_locate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

/* jansson's own nesting limit; deeper text never parses, so never walk deeper either. */
#define WALK_MAX_DEPTH 2048

struct buf {
        char *data;
        size_t len;
        size_t cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 32;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *d = realloc(b->data, cap);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->cap = cap;
        }
        if (n)
                memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

static bool is_ident_start(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
        return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_ident(const char *key, size_t len)
{
        if (len == 0 || !is_ident_start(key[0]))
                return false;
        for (size_t i = 1; i < len; i++)
                if (!is_ident_char(key[i]))
                        return false;
        return true;
}

/* Append S to BUF (of SIZE) at offset AT, truncating; returns the new offset. */
static size_t put(char *buf, size_t size, size_t at, const char *s, size_t n)
{
        if (at + 1 >= size)
                return at;
        if (n > size - 1 - at)
                n = size - 1 - at;
        memcpy(buf + at, s, n);
        buf[at + n] = '\0';
        return at + n;
}

static size_t put_key(char *buf, size_t size, size_t at, const char *key, size_t len)
{
        if (is_ident(key, len)) {
                at = put(buf, size, at, ".", 1);
                return put(buf, size, at, key, len);
        }
        at = put(buf, size, at, "[\"", 2);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)key[i];
                char esc[8];
                if (c == '"' || c == '\\') {
                        esc[0] = '\\';
                        esc[1] = (char)c;
                        at = put(buf, size, at, esc, 2);
                } else if (c < 0x20) {
                        snprintf(esc, sizeof(esc), "\\u%04x", c);
                        at = put(buf, size, at, esc, 6);
                } else {
                        at = put(buf, size, at, (const char *)&key[i], 1);
                }
        }
        return put(buf, size, at, "\"]", 2);
}

static size_t put_index(char *buf, size_t size, size_t at, size_t index)
{
        char s[32];
        int n = snprintf(s, sizeof(s), "[%zu]", index);
        return put(buf, size, at, s, (size_t)n);
}

static size_t put_parent(char *buf, size_t size, const char *parent)
{
        if (size == 0)
                return 0;
        if (buf == parent)
                return strnlen(buf, size - 1);
        buf[0] = '\0';
        return put(buf, size, 0, parent, strlen(parent));
}

void hull_json_path_key(char *buf, size_t size, const char *parent, const char *key)
{
        size_t at = put_parent(buf, size, parent);
        if (size)
                put_key(buf, size, at, key, strlen(key));
}

void hull_json_path_index(char *buf, size_t size, const char *parent, size_t index)
{
        size_t at = put_parent(buf, size, parent);
        if (size)
                put_index(buf, size, at, index);
}

struct scan {
        const char *s;
        size_t len;
        size_t pos;
};

static int peek(const struct scan *sc)
{
        return sc->pos < sc->len ? (unsigned char)sc->s[sc->pos] : -1;
}

static void skip_ws(struct scan *sc)
{
        int c;
        while ((c = peek(sc)) == ' ' || c == '\t' || c == '\n' || c == '\r')
                sc->pos++;
}

static int read_hex4(struct scan *sc, uint32_t *ret)
{
        uint32_t v = 0;
        for (int i = 0; i < 4; i++) {
                int c = peek(sc);
                int d;
                if (c >= '0' && c <= '9')
                        d = c - '0';
                else if (c >= 'a' && c <= 'f')
                        d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                        d = c - 'A' + 10;
                else
                        return -EINVAL;
                v = v * 16 + (uint32_t)d;
                sc->pos++;
        }
        *ret = v;
        return 0;
}

static int put_utf8(struct buf *b, uint32_t cp)
{
        char u[4];
        size_t n;
        if (cp < 0x80) {
                u[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                u[0] = (char)(0xC0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F));
                n = 3;
        } else {
                u[0] = (char)(0xF0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char)(0x80 | (cp & 0x3F));
                n = 4;
        }
        return buf_put(b, u, n);
}

/* \uXXXX, possibly the first half of a surrogate pair. */
static int decode_u_escape(struct scan *sc, struct buf *out)
{
        uint32_t cp, lo;
        if (read_hex4(sc, &cp) < 0)
                return -EINVAL;
        if (cp >= 0xD800 && cp <= 0xDBFF && sc->pos + 1 < sc->len && sc->s[sc->pos] == '\\' &&
            sc->s[sc->pos + 1] == 'u') {
                sc->pos += 2;
                if (read_hex4(sc, &lo) < 0)
                        return -EINVAL;
                if (lo >= 0xDC00 && lo <= 0xDFFF)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else if (put_utf8(out, cp) < 0)
                        return -ENOMEM;
                else
                        cp = lo;
        }
        return put_utf8(out, cp);
}

/* The string starting at sc->pos (its opening quote); decoded into OUT unless OUT is NULL. */
static int scan_string(struct scan *sc, struct buf *out)
{
        static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
        if (peek(sc) != '"')
                return -EINVAL;
        sc->pos++;
        for (;;) {
                int c = peek(sc);
                if (c < 0)
                        return -EINVAL;
                sc->pos++;
                if (c == '"')
                        return 0;
                if (c != '\\') {
                        char ch = (char)c;
                        if (out && buf_put(out, &ch, 1) < 0)
                                return -ENOMEM;
                        continue;
                }
                c = peek(sc);
                if (c < 0)
                        return -EINVAL;
                sc->pos++;
                if (!out)
                        continue; /* the escaped character is never a quote that ends the string */
                if (c == 'u') {
                        int r = decode_u_escape(sc, out);
                        if (r < 0)
                                return r;
                        continue;
                }
                const char *m = NULL;
                for (size_t i = 0; i + 1 < sizeof(simple); i += 2)
                        if (simple[i] == c)
                                m = &simple[i + 1];
                if (!m)
                        return -EINVAL;
                if (buf_put(out, m, 1) < 0)
                        return -ENOMEM;
        }
}

static int skip_value(struct scan *sc)
{
        skip_ws(sc);
        int c = peek(sc);
        if (c < 0)
                return -EINVAL;
        if (c == '"')
                return scan_string(sc, NULL);
        if (c == '{' || c == '[') {
                size_t depth = 0;
                do {
                        c = peek(sc);
                        if (c < 0)
                                return -EINVAL;
                        if (c == '"') {
                                if (scan_string(sc, NULL) < 0)
                                        return -EINVAL;
                                continue;
                        }
                        if (c == '{' || c == '[')
                                depth++;
                        else if (c == '}' || c == ']')
                                depth--;
                        sc->pos++;
                } while (depth > 0);
                return 0;
        }
        size_t start = sc->pos;
        while ((c = peek(sc)) > 0 && !strchr(",]} \t\r\n", c))
                sc->pos++;
        return sc->pos > start ? 0 : -EINVAL;
}

/* sc on '{': move to the value of the last member named KEY (jansson keeps the last). */
static int find_member(struct scan *sc, const char *key, size_t keylen)
{
        struct buf name = {0};
        size_t found = SIZE_MAX;
        int r = 0;
        sc->pos++;
        skip_ws(sc);
        if (peek(sc) == '}')
                return -ENOENT;
        for (;;) {
                skip_ws(sc);
                name.len = 0;
                r = scan_string(sc, &name);
                if (r < 0)
                        break;
                skip_ws(sc);
                if (peek(sc) != ':') {
                        r = -EINVAL;
                        break;
                }
                sc->pos++;
                skip_ws(sc);
                if (name.len == keylen && (keylen == 0 || memcmp(name.data, key, keylen) == 0))
                        found = sc->pos;
                r = skip_value(sc);
                if (r < 0)
                        break;
                skip_ws(sc);
                int c = peek(sc);
                sc->pos++;
                if (c == '}')
                        break;
                if (c != ',') {
                        r = -EINVAL;
                        break;
                }
        }
        free(name.data);
        if (found == SIZE_MAX)
                return r < 0 ? r : -ENOENT;
        sc->pos = found;
        return 0;
}

/* sc on '[': move to element INDEX. */
static int find_element(struct scan *sc, size_t index)
{
        sc->pos++;
        for (size_t i = 0;; i++) {
                skip_ws(sc);
                if (peek(sc) == ']' || peek(sc) < 0)
                        return -ENOENT;
                if (i == index)
                        return 0;
                if (skip_value(sc) < 0)
                        return -EINVAL;
                skip_ws(sc);
                if (peek(sc) != ',')
                        return -ENOENT;
                sc->pos++;
        }
}

/* One component of PATH at *pp: 1 with a key (in KEY) or an index, 0 at the end. */
static int path_next(const char **pp, struct buf *key, bool *is_index, size_t *index)
{
        const char *p = *pp;
        if (*p == '\0')
                return 0;
        key->len = 0;
        if (buf_put(key, "", 0) < 0)
                return -ENOMEM;
        if (*p == '.') {
                const char *start = ++p;
                while (is_ident_char(*p))
                        p++;
                if (p == start)
                        return -EINVAL;
                if (buf_put(key, start, (size_t)(p - start)) < 0)
                        return -ENOMEM;
                *is_index = false;
        } else if (*p == '[' && p[1] == '"') {
                struct scan sc = {p + 1, strlen(p + 1), 0};
                int r = scan_string(&sc, key);
                if (r < 0)
                        return r;
                p += 1 + sc.pos;
                if (*p++ != ']')
                        return -EINVAL;
                *is_index = false;
        } else if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
                char *end;
                errno = 0;
                unsigned long long v = strtoull(p + 1, &end, 10);
                if (errno || v > SIZE_MAX || *end != ']')
                        return -EINVAL;
                p = end + 1;
                *index = (size_t)v;
                *is_index = true;
        } else {
                return -EINVAL;
        }
        *pp = p;
        return 1;
}

static int locate_offset(const char *text, size_t len, const char *path, size_t *ret)
{
        struct scan sc = {text, len, 0};
        struct buf key = {0};
        int r;
        for (;;) {
                bool is_index = false;
                size_t index = 0;
                r = path_next(&path, &key, &is_index, &index);
                if (r <= 0)
                        break;
                skip_ws(&sc);
                int c = peek(&sc);
                if (is_index)
                        r = c == '[' ? find_element(&sc, index) : -ENOENT;
                else
                        r = c == '{' ? find_member(&sc, key.data, key.len) : -ENOENT;
                if (r < 0)
                        break;
        }
        free(key.data);
        if (r < 0)
                return r;
        skip_ws(&sc);
        if (sc.pos >= len)
                return -ENOENT;
        *ret = sc.pos;
        return 0;
}

int hull_json_locate(const char *text, size_t len, const char *path, unsigned *ret_line,
                     unsigned *ret_column)
{
        size_t off;
        if (!text)
                return -ENOENT;
        int r = locate_offset(text, len, path, &off);
        if (r < 0)
                return r;
        unsigned line = 1, column = 1;
        for (size_t i = 0; i < off; i++) {
                unsigned char c = (unsigned char)text[i];
                if (c == '\n') {
                        line++;
                        column = 1;
                } else if ((c & 0xC0) != 0x80) {
                        column++; /* characters, not bytes: UTF-8 continuation bytes don't count */
                }
        }
        *ret_line = line;
        *ret_column = column;
        return 0;
}

json_t *hull_json_path_get(json_t *root, const char *path)
{
        struct buf key = {0};
        json_t *v = root;
        int r = 0;
        while (v) {
                bool is_index = false;
                size_t index = 0;
                r = path_next(&path, &key, &is_index, &index);
                if (r <= 0)
                        break;
                if (is_index)
                        v = json_is_array(v) ? json_array_get(v, index) : NULL;
                else
                        v = json_is_object(v) && strlen(key.data) == key.len
                                ? json_object_get(v, key.data)
                                : NULL;
        }
        free(key.data);
        return r < 0 ? NULL : v;
}

struct big {
        char *path;
        uint64_t value;
        size_t pos;
        size_t len;
};

struct bigs {
        struct big *v;
        size_t n;
};

static void bigs_free(struct bigs *b)
{
        for (size_t i = 0; i < b->n; i++)
                free(b->v[i].path);
        free(b->v);
        b->v = NULL;
        b->n = 0;
}

static int walk_scalar(struct scan *sc, const char *path, struct bigs *out)
{
        size_t start = sc->pos;
        int c;
        while ((c = peek(sc)) > 0 && !strchr(",]} \t\r\n:", c))
                sc->pos++;
        size_t n = sc->pos - start;
        if (n == 0)
                return -EINVAL;
        /* only 19 and 20 digit literals can lie between INT64_MAX and UINT64_MAX */
        if (n < 19 || n > 20 || strspn(sc->s + start, "0123456789") < n)
                return 0;
        char digits[24];
        memcpy(digits, sc->s + start, n);
        digits[n] = '\0';
        errno = 0;
        unsigned long long v = strtoull(digits, NULL, 10);
        if (errno || v <= INT64_MAX)
                return 0;
        struct big *nv = realloc(out->v, (out->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        out->v = nv;
        nv[out->n] = (struct big){.path = strdup(path), .value = v, .pos = start, .len = n};
        if (!nv[out->n].path)
                return -ENOMEM;
        out->n++;
        return 0;
}

static int walk(struct scan *sc, char *path, size_t plen, unsigned depth, struct bigs *out);

static int walk_container(struct scan *sc, char *path, size_t plen, unsigned depth,
                          struct bigs *out)
{
        bool object = peek(sc) == '{';
        struct buf key = {0};
        int r = 0;
        sc->pos++;
        skip_ws(sc);
        if (peek(sc) == (object ? '}' : ']')) {
                sc->pos++;
                return 0;
        }
        for (size_t i = 0;; i++) {
                size_t n;
                skip_ws(sc);
                if (object) {
                        key.len = 0;
                        r = scan_string(sc, &key);
                        if (r < 0 || (r = buf_put(&key, "", 0)) < 0)
                                break;
                        skip_ws(sc);
                        if (peek(sc) != ':') {
                                r = -EINVAL;
                                break;
                        }
                        sc->pos++;
                        n = put_key(path, HULL_JSON_PATH_MAX, plen, key.data, key.len);
                } else {
                        n = put_index(path, HULL_JSON_PATH_MAX, plen, i);
                }
                r = n + 1 >= HULL_JSON_PATH_MAX ? -ENAMETOOLONG : walk(sc, path, n, depth + 1, out);
                path[plen] = '\0';
                if (r < 0)
                        break;
                skip_ws(sc);
                int c = peek(sc);
                sc->pos++;
                if (c == (object ? '}' : ']'))
                        break;
                if (c != ',') {
                        r = -EINVAL;
                        break;
                }
        }
        free(key.data);
        return r;
}

/* Record every integer literal above INT64_MAX with its path. */
static int walk(struct scan *sc, char *path, size_t plen, unsigned depth, struct bigs *out)
{
        if (depth > WALK_MAX_DEPTH)
                return -ELOOP;
        skip_ws(sc);
        int c = peek(sc);
        if (c == '{' || c == '[')
                return walk_container(sc, path, plen, depth, out);
        if (c == '"')
                return scan_string(sc, NULL);
        return walk_scalar(sc, path, out);
}

json_t *hull_json_load_u64(const char *text, size_t len, json_error_t *error, char ***ret_big_paths)
{
        *ret_big_paths = NULL;
        json_t *root = json_loadb(text, len, JSON_DECODE_ANY, error);
        if (root || json_error_code(error) != json_error_numeric_overflow)
                return root;

        /* Replace each big literal by "0" padded with blanks to its length: every position
         * stays the same, so errors and the locator still point into TEXT. A walk stopped by
         * a later syntax error is fine, the second parse reports that error. */
        json_error_t first = *error;
        struct bigs bigs = {0};
        char path[HULL_JSON_PATH_MAX] = "";
        struct scan sc = {text, len, 0};
        (void)walk(&sc, path, 0, 0, &bigs);
        if (bigs.n == 0) {
                *error = first;
                return NULL;
        }
        _cleanup_free_ char *copy = malloc(len);
        _cleanup_free_ char **paths = calloc(bigs.n + 1, sizeof(char *));
        if (!copy || !paths) {
                bigs_free(&bigs);
                *error = first;
                return NULL;
        }
        memcpy(copy, text, len);
        for (size_t i = 0; i < bigs.n; i++) {
                copy[bigs.v[i].pos] = '0';
                memset(copy + bigs.v[i].pos + 1, ' ', bigs.v[i].len - 1);
        }
        root = json_loadb(copy, len, JSON_DECODE_ANY, error);
        size_t np = 0;
        for (size_t i = 0; root && i < bigs.n; i++) {
                /* a duplicate key that jansson dropped has the same path: only patch the
                 * literal that is really at that path */
                size_t off;
                if (locate_offset(text, len, bigs.v[i].path, &off) < 0 || off != bigs.v[i].pos)
                        continue;
                json_t *v = hull_json_path_get(root, bigs.v[i].path);
                if (!v || !json_is_integer(v))
                        continue;
                json_integer_set(v, (json_int_t)(int64_t)bigs.v[i].value);
                paths[np++] = TAKE_PTR(bigs.v[i].path);
        }
        bigs_free(&bigs);
        if (np > 0)
                *ret_big_paths = TAKE_PTR(paths);
        return root;
}

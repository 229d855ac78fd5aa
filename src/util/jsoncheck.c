/* A strict JSON recognizer (RFC 8259) that builds no tree: it walks the
 * text once, decodes each object's member names to compare them, and
 * remembers where the top-level members are. */
#include "zg/jsoncheck.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 64

typedef struct name {
    char *s; /* unescaped, NUL-terminated (never holds a NUL: \u0000 is refused) */
    size_t len;
    size_t key_off, key_len, value_off, value_len;
} name;

typedef struct names {
    name *v;
    size_t n, cap;
} names;

typedef struct scan {
    const char *s;
    size_t n, i;
    int depth;
    zg_err *err;
    char *buf; /* the string being decoded */
    size_t len, cap;
    names top; /* the top-level object's members */
} scan;

static void names_free(names *l)
{
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k].s);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static size_t line_of(const scan *sc, size_t at)
{
    size_t line = 1;
    for (size_t k = 0; k < at && k < sc->n; k++)
        line += sc->s[k] == '\n';
    return line;
}

static int fail(scan *sc, size_t at, const char *what)
{
    return zg_err_set(sc->err, EINVAL, "not valid JSON: %s (line %zu)", what, line_of(sc, at));
}

static void skip_ws(scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
                             sc->s[sc->i] == '\r'))
        sc->i++;
}

static int put(scan *sc, const void *p, size_t k)
{
    if (sc->len + k + 1 > sc->cap) {
        size_t cap = sc->cap ? sc->cap : 64;
        while (cap < sc->len + k + 1)
            cap *= 2;
        char *b = realloc(sc->buf, cap);
        if (!b)
            return zg_err_set(sc->err, ENOMEM, "out of memory");
        sc->buf = b;
        sc->cap = cap;
    }
    memcpy(sc->buf + sc->len, p, k);
    sc->len += k;
    sc->buf[sc->len] = '\0';
    return 0;
}

/* Length of the valid UTF-8 sequence at p (at most left bytes), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (left < k || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t j = 2; j < k; j++)
        if (p[j] < 0x80 || p[j] > 0xBF)
            return 0;
    return k;
}

static int hex4(scan *sc, unsigned *out)
{
    if (sc->n - sc->i < 4)
        return fail(sc, sc->i, "a \\u escape needs four hex digits");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = sc->s[sc->i + (size_t)k];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d == 16)
            return fail(sc, sc->i, "a \\u escape needs four hex digits");
        v = v * 16 + d;
    }
    sc->i += 4;
    *out = v;
    return 0;
}

static int put_cp(scan *sc, unsigned cp)
{
    unsigned char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | cp >> 18);
        b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    return put(sc, b, k);
}

/* A string at sc->i (the opening quote), decoded into sc->buf. */
static int string(scan *sc)
{
    size_t start = sc->i++;
    sc->len = 0;
    if (put(sc, "", 0))
        return -1;
    for (;;) {
        if (sc->i >= sc->n)
            return fail(sc, start, "a string is not closed");
        unsigned char c = (unsigned char)sc->s[sc->i];
        if (c == '"') {
            sc->i++;
            return 0;
        }
        if (c < 0x20)
            return fail(sc, sc->i, "a control character inside a string (write it as an escape)");
        if (c >= 0x80) {
            size_t k = utf8_len((const unsigned char *)sc->s + sc->i, sc->n - sc->i);
            if (!k)
                return fail(sc, sc->i, "bytes that are not UTF-8");
            if (put(sc, sc->s + sc->i, k))
                return -1;
            sc->i += k;
            continue;
        }
        if (c != '\\') {
            if (put(sc, &c, 1))
                return -1;
            sc->i++;
            continue;
        }
        if (++sc->i >= sc->n)
            return fail(sc, start, "a string is not closed");
        char e = sc->s[sc->i++];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *hit = strchr(from, e);
        if (e && hit) {
            if (put(sc, to + (hit - from), 1))
                return -1;
            continue;
        }
        if (e != 'u')
            return fail(sc, sc->i - 2, "an unknown escape in a string");
        unsigned cp;
        if (hex4(sc, &cp))
            return -1;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail(sc, sc->i, "a \\u escape of a lone surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (sc->n - sc->i < 2 || sc->s[sc->i] != '\\' || sc->s[sc->i + 1] != 'u')
                return fail(sc, sc->i, "a \\u escape of a lone surrogate");
            sc->i += 2;
            if (hex4(sc, &lo))
                return -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail(sc, sc->i, "a \\u escape of a lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0)
            return fail(sc, sc->i, "\\u0000 (a NUL character) in a string");
        if (put_cp(sc, cp))
            return -1;
    }
}

static bool digit(const scan *sc)
{
    return sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9';
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(scan *sc)
{
    size_t start = sc->i;
    if (sc->s[sc->i] == '-')
        sc->i++;
    if (!digit(sc))
        return fail(sc, start, "a number needs a digit after its sign");
    if (sc->s[sc->i] == '0') {
        sc->i++;
        if (digit(sc))
            return fail(sc, start, "a number with a leading zero");
    } else {
        while (digit(sc))
            sc->i++;
    }
    if (sc->i < sc->n && sc->s[sc->i] == '.') {
        sc->i++;
        if (!digit(sc))
            return fail(sc, start, "a number needs digits after its decimal point");
        while (digit(sc))
            sc->i++;
    }
    if (sc->i < sc->n && (sc->s[sc->i] == 'e' || sc->s[sc->i] == 'E')) {
        sc->i++;
        if (sc->i < sc->n && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-'))
            sc->i++;
        if (!digit(sc))
            return fail(sc, start, "a number needs digits in its exponent");
        while (digit(sc))
            sc->i++;
    }
    return 0;
}

static int value(scan *sc);

static int cmp_name(const void *a, const void *b)
{
    const name *x = a, *y = b;
    size_t k = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, k);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static int object(scan *sc)
{
    sc->i++;
    names seen = {0};
    bool top = sc->depth == 1;
    int rc = -1;
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == '}') {
        sc->i++;
        return 0;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != '"') {
            fail(sc, sc->i,
                 sc->i < sc->n ? "an object member must start with a quoted key"
                               : "the text ends inside an object");
            goto out;
        }
        size_t key_off = sc->i;
        if (string(sc))
            goto out;
        if (seen.n == seen.cap) {
            size_t cap = seen.cap ? 2 * seen.cap : 8;
            name *v = realloc(seen.v, cap * sizeof *v);
            if (!v) {
                zg_err_set(sc->err, ENOMEM, "out of memory");
                goto out;
            }
            seen.v = v;
            seen.cap = cap;
        }
        name *m = &seen.v[seen.n];
        memset(m, 0, sizeof *m);
        if (!(m->s = malloc(sc->len + 1))) {
            zg_err_set(sc->err, ENOMEM, "out of memory");
            goto out;
        }
        memcpy(m->s, sc->buf, sc->len + 1);
        m->len = sc->len;
        m->key_off = key_off;
        m->key_len = sc->i - key_off;
        seen.n++;
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != ':') {
            fail(sc, sc->i, "a \":\" must follow an object key");
            goto out;
        }
        sc->i++;
        skip_ws(sc);
        m->value_off = sc->i;
        if (value(sc))
            goto out;
        m->value_len = sc->i - m->value_off;
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',') {
            sc->i++;
            continue;
        }
        if (sc->i < sc->n && sc->s[sc->i] == '}') {
            sc->i++;
            break;
        }
        fail(sc, sc->i,
             sc->i < sc->n ? "a \",\" or \"}\" must follow an object member"
                           : "the text ends inside an object");
        goto out;
    }
    /* Sorted copies find equal names in O(n log n); the top-level list
     * keeps the written order for the caller. */
    if (top) {
        sc->top = seen;
        seen = (names){0};
        seen.v = malloc((sc->top.n ? sc->top.n : 1) * sizeof *seen.v);
        if (!seen.v) {
            zg_err_set(sc->err, ENOMEM, "out of memory");
            goto out;
        }
        memcpy(seen.v, sc->top.v, sc->top.n * sizeof *seen.v);
        seen.n = sc->top.n;
    }
    qsort(seen.v, seen.n, sizeof *seen.v, cmp_name);
    for (size_t k = 1; k < seen.n; k++)
        if (!cmp_name(&seen.v[k - 1], &seen.v[k])) {
            size_t second = seen.v[k - 1].key_off > seen.v[k].key_off ? seen.v[k - 1].key_off
                                                                      : seen.v[k].key_off;
            zg_err_set(sc->err, EINVAL,
                       "key \"%.60s\" appears twice in one object (line %zu); write each key once",
                       seen.v[k].s, line_of(sc, second));
            goto out;
        }
    rc = 0;
out:
    if (top && sc->top.v)
        free(seen.v); /* a sorted copy: the names belong to sc->top */
    else
        names_free(&seen);
    return rc;
}

static int array(scan *sc)
{
    sc->i++;
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == ']') {
        sc->i++;
        return 0;
    }
    for (;;) {
        skip_ws(sc);
        if (value(sc))
            return -1;
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',') {
            sc->i++;
            continue;
        }
        if (sc->i < sc->n && sc->s[sc->i] == ']') {
            sc->i++;
            return 0;
        }
        return fail(sc, sc->i,
                    sc->i < sc->n ? "a \",\" or \"]\" must follow an array element"
                                  : "the text ends inside an array");
    }
}

static int literal(scan *sc, const char *word)
{
    size_t k = strlen(word);
    if (sc->n - sc->i < k || memcmp(sc->s + sc->i, word, k))
        return fail(sc, sc->i,
                    "an unknown word (values are strings, numbers, objects, "
                    "arrays, true, false or null)");
    sc->i += k;
    return 0;
}

static int value(scan *sc)
{
    if (sc->i >= sc->n)
        return fail(sc, sc->i, "the text ends where a value belongs");
    char c = sc->s[sc->i];
    if (c == '{' || c == '[') {
        if (sc->depth >= DEPTH_MAX)
            return fail(sc, sc->i, "nested deeper than 64 levels");
        sc->depth++;
        int rc = c == '{' ? object(sc) : array(sc);
        sc->depth--;
        return rc;
    }
    if (c == '"')
        return string(sc);
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(sc);
    if (c == 't')
        return literal(sc, "true");
    if (c == 'f')
        return literal(sc, "false");
    if (c == 'n')
        return literal(sc, "null");
    return fail(sc, sc->i, "an unexpected character where a value belongs");
}

int zg_json_check(const char *text, size_t n, zg_json_member_fn fn, void *ctx, zg_err *err)
{
    scan sc = {.s = text, .n = n, .err = err};
    int rc = 0;
    skip_ws(&sc);
    if (sc.i >= n) {
        rc = zg_err_set(err, EINVAL, "not valid JSON: the text is empty");
        goto out;
    }
    bool is_object = text[sc.i] == '{';
    if (value(&sc)) {
        rc = -1;
        goto out;
    }
    skip_ws(&sc);
    if (sc.i < n) {
        rc = fail(&sc, sc.i, "more text after the value");
        goto out;
    }
    for (size_t k = 0; is_object && fn && k < sc.top.n; k++) {
        const name *m = &sc.top.v[k];
        zg_json_member jm = {.name = m->s,
                             .key_off = m->key_off,
                             .key_len = m->key_len,
                             .value_off = m->value_off,
                             .value_len = m->value_len};
        if (fn(ctx, &jm, err)) {
            rc = -1;
            break;
        }
    }
out:
    names_free(&sc.top);
    free(sc.buf);
    return rc;
}

#include "zg/abi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/keccak.h"

/* Largest static encoding a type may have. Real contract types are a few
 * hundred bytes; the cap keeps k*size arithmetic far from overflow and makes
 * a typo such as uint256[999999999999] a type error rather than a huge
 * allocation attempt. */
#define STATIC_MAX ((size_t)1 << 30)

/* ---------------------------------------------------------------------------
 * Type text
 * ------------------------------------------------------------------------- */

typedef struct abi_type {
    zg_abi_kind kind;
    unsigned size;             /* UINT/INT: bits; FIXED_BYTES: byte count */
    size_t fixed;              /* ARRAY: k for T[k], 0 for T[] */
    struct abi_type *elem;     /* ARRAY */
    struct abi_type **members; /* TUPLE */
    size_t n;                  /* TUPLE: member count */
    bool dynamic;
    size_t head;   /* bytes this type takes in a head: static size, or 32 */
    size_t region; /* TUPLE, T[k]: bytes of the head region of its members */
    size_t levels; /* value-tree levels: 1 for scalars */
} abi_type;

static void type_free(abi_type *t)
{
    if (!t)
        return;
    type_free(t->elem);
    for (size_t i = 0; i < t->n; i++)
        type_free(t->members[i]);
    free(t->members);
    free(t);
}

typedef struct parser {
    const char *s;
    size_t pos;
    zg_err *err;
} parser;

static int parse_fail(parser *p, const char *why)
{
    return zg_err_set(p->err, EINVAL, "ABI type \"%.80s\": %s at character %zu", p->s, why, p->pos);
}

/* Decimal without sign or leading zeros, 1..limit. */
static int parse_uint(parser *p, unsigned long long limit, unsigned long long *out)
{
    const char *s = p->s + p->pos;
    if (*s < '1' || *s > '9')
        return -1;
    unsigned long long v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (unsigned)(*s - '0');
        if (v > limit)
            return -1;
        s++;
    }
    p->pos = (size_t)(s - p->s);
    *out = v;
    return 0;
}

static int parse_base(parser *p, abi_type *t)
{
    const char *s = p->s + p->pos;
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'))
        n++;
    unsigned long long bits;
    t->head = 32;
    t->levels = 1;
    if (n == 7 && !memcmp(s, "address", 7)) {
        t->kind = ZG_ABI_ADDRESS;
    } else if (n == 4 && !memcmp(s, "bool", 4)) {
        t->kind = ZG_ABI_BOOL;
    } else if (n == 6 && !memcmp(s, "string", 6)) {
        t->kind = ZG_ABI_STRING;
        t->dynamic = true;
    } else if (n == 5 && !memcmp(s, "bytes", 5)) {
        t->kind = ZG_ABI_BYTES;
        t->dynamic = true;
    } else if (n > 5 && !memcmp(s, "bytes", 5)) {
        p->pos += 5;
        if (parse_uint(p, 32, &bits) || p->s + p->pos != s + n)
            return parse_fail(p, "bytes<N> needs N from 1 to 32");
        t->kind = ZG_ABI_FIXED_BYTES;
        t->size = (unsigned)bits;
        return 0;
    } else if ((n > 4 && !memcmp(s, "uint", 4)) || (n > 3 && !memcmp(s, "int", 3))) {
        bool is_signed = s[0] == 'i';
        p->pos += is_signed ? 3 : 4;
        if (parse_uint(p, 256, &bits) || bits % 8 || p->s + p->pos != s + n)
            return parse_fail(p, "integer width must be 8 to 256 in steps of 8");
        t->kind = is_signed ? ZG_ABI_INT : ZG_ABI_UINT;
        t->size = (unsigned)bits;
        return 0;
    } else {
        return parse_fail(p, "unknown or non-canonical type name");
    }
    p->pos += n;
    return 0;
}

static abi_type *parse_type(parser *p, unsigned depth);

static int parse_tuple(parser *p, abi_type *t, unsigned depth)
{
    t->kind = ZG_ABI_TUPLE;
    p->pos++; /* '(' */
    if (p->s[p->pos] == ')') {
        if (depth != 1)
            return parse_fail(p, "an empty tuple is only allowed as the whole type");
        p->pos++;
        t->levels = 1;
        return 0;
    }
    size_t cap = 0;
    for (;;) {
        abi_type *m = parse_type(p, depth);
        if (!m)
            return -1;
        if (t->n == cap) {
            size_t ncap = cap ? 2 * cap : 4;
            abi_type **nm = realloc(t->members, ncap * sizeof *nm);
            if (!nm) {
                type_free(m);
                return zg_err_set(p->err, ENOMEM, "out of memory");
            }
            t->members = nm;
            cap = ncap;
        }
        t->members[t->n++] = m;
        if (m->dynamic)
            t->dynamic = true;
        t->region += m->head; /* both <= STATIC_MAX: no overflow */
        if (t->region > STATIC_MAX)
            return parse_fail(p, "tuple is too large");
        if (m->levels + 1 > t->levels)
            t->levels = m->levels + 1;
        char c = p->s[p->pos];
        if (c == ')') {
            p->pos++;
            break;
        }
        if (c != ',')
            return parse_fail(p, "expected ',' or ')'");
        p->pos++;
    }
    t->head = t->dynamic ? 32 : t->region;
    return 0;
}

static abi_type *parse_type(parser *p, unsigned depth)
{
    if (++depth > ZG_ABI_DEPTH_MAX) {
        parse_fail(p, "nested too deeply");
        return NULL;
    }
    abi_type *t = calloc(1, sizeof *t);
    if (!t) {
        zg_err_set(p->err, ENOMEM, "out of memory");
        return NULL;
    }
    if (p->s[p->pos] == '(' ? parse_tuple(p, t, depth) : parse_base(p, t)) {
        type_free(t);
        return NULL;
    }
    while (p->s[p->pos] == '[') {
        if (t->kind == ZG_ABI_TUPLE && t->n == 0) {
            parse_fail(p, "an array of empty tuples is not a type");
            type_free(t);
            return NULL;
        }
        if (++depth > ZG_ABI_DEPTH_MAX) {
            parse_fail(p, "nested too deeply");
            type_free(t);
            return NULL;
        }
        abi_type *a = calloc(1, sizeof *a);
        if (!a) {
            zg_err_set(p->err, ENOMEM, "out of memory");
            type_free(t);
            return NULL;
        }
        a->kind = ZG_ABI_ARRAY;
        a->elem = t;
        a->levels = t->levels + 1;
        t = a;
        p->pos++;
        unsigned long long k = 0;
        if (p->s[p->pos] != ']' && parse_uint(p, STATIC_MAX, &k)) {
            parse_fail(p, "array length must be a number from 1 without leading zeros");
            type_free(t);
            return NULL;
        }
        if (p->s[p->pos] != ']') {
            parse_fail(p, "expected ']'");
            type_free(t);
            return NULL;
        }
        p->pos++;
        t->fixed = (size_t)k;
        if (k == 0) {
            t->dynamic = true;
            t->head = 32;
        } else {
            if (t->elem->head > STATIC_MAX / k) {
                parse_fail(p, "fixed array is too large");
                type_free(t);
                return NULL;
            }
            t->region = (size_t)k * t->elem->head;
            t->dynamic = t->elem->dynamic;
            t->head = t->dynamic ? 32 : t->region;
        }
    }
    return t;
}

static abi_type *type_parse(const char *text, zg_err *err)
{
    parser p = {.s = text, .pos = 0, .err = err};
    if (!text)
        return zg_err_set(err, EINVAL, "ABI type text is missing"), NULL;
    if (strnlen(text, ZG_ABI_TYPE_MAX + 1) > ZG_ABI_TYPE_MAX)
        return zg_err_set(err, EINVAL, "ABI type text is longer than %d characters",
                          ZG_ABI_TYPE_MAX),
               NULL;
    abi_type *t = parse_type(&p, 0);
    if (t && text[p.pos] != '\0') {
        parse_fail(&p, "unexpected text after the type");
        type_free(t);
        return NULL;
    }
    return t;
}

static void type_label(char *out, size_t size, const abi_type *t)
{
    switch (t->kind) {
    case ZG_ABI_UINT:
    case ZG_ABI_INT:
        snprintf(out, size, "%s%u", t->kind == ZG_ABI_INT ? "int" : "uint", t->size);
        break;
    case ZG_ABI_FIXED_BYTES:
        snprintf(out, size, "bytes%u", t->size);
        break;
    case ZG_ABI_ARRAY:
        if (t->fixed)
            snprintf(out, size, "array[%zu]", t->fixed);
        else
            snprintf(out, size, "array[]");
        break;
    case ZG_ABI_TUPLE:
        snprintf(out, size, "tuple(%zu members)", t->n);
        break;
    default:
        snprintf(out, size, "%s", zg_abi_kind_name(t->kind));
    }
}

/* ---------------------------------------------------------------------------
 * Value nodes
 * ------------------------------------------------------------------------- */

const char *zg_abi_kind_name(zg_abi_kind kind)
{
    switch (kind) {
    case ZG_ABI_UINT:
        return "uint";
    case ZG_ABI_INT:
        return "int";
    case ZG_ABI_BOOL:
        return "bool";
    case ZG_ABI_ADDRESS:
        return "address";
    case ZG_ABI_FIXED_BYTES:
        return "bytes<N>";
    case ZG_ABI_BYTES:
        return "bytes";
    case ZG_ABI_STRING:
        return "string";
    case ZG_ABI_ARRAY:
        return "array";
    case ZG_ABI_TUPLE:
        return "tuple";
    }
    return "unknown";
}

/* Payload bytes live in the same allocation as the node: one malloc per
 * leaf, and the NUL after them makes strings usable in place. */
static zg_abi_value *node_new(zg_abi_kind kind, const void *p, size_t len)
{
    if (len > SIZE_MAX - sizeof(zg_abi_value) - 1)
        return NULL;
    zg_abi_value *v = calloc(1, sizeof *v + len + 1);
    if (!v)
        return NULL;
    v->kind = kind;
    v->bytes = (uint8_t *)(v + 1);
    v->len = len;
    if (len)
        memcpy(v->bytes, p, len);
    return v;
}

void zg_abi_value_free(zg_abi_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        zg_abi_value_free(v->items[i]);
    free(v->items);
    free(v);
}

zg_abi_value *zg_abi_uint(const zg_u256 *n)
{
    zg_abi_value *v = node_new(ZG_ABI_UINT, NULL, 0);
    if (v)
        v->num = *n;
    return v;
}

zg_abi_value *zg_abi_u64(uint64_t n)
{
    zg_u256 u;
    zg_u256_from_u64(&u, n);
    return zg_abi_uint(&u);
}

zg_abi_value *zg_abi_int(const zg_u256 *n)
{
    zg_abi_value *v = node_new(ZG_ABI_INT, NULL, 0);
    if (v)
        v->num = *n;
    return v;
}

zg_abi_value *zg_abi_i64(int64_t n)
{
    zg_u256 u;
    uint64_t fill = n < 0 ? UINT64_MAX : 0;
    u.w[0] = (uint64_t)n;
    u.w[1] = u.w[2] = u.w[3] = fill;
    return zg_abi_int(&u);
}

zg_abi_value *zg_abi_bool(bool b)
{
    zg_abi_value *v = node_new(ZG_ABI_BOOL, NULL, 0);
    if (v)
        zg_u256_from_u64(&v->num, b ? 1 : 0);
    return v;
}

zg_abi_value *zg_abi_addr(const uint8_t addr[20])
{
    return node_new(ZG_ABI_ADDRESS, addr, 20);
}

zg_abi_value *zg_abi_fixed_bytes(const uint8_t *p, size_t n)
{
    return node_new(ZG_ABI_FIXED_BYTES, p, n);
}

zg_abi_value *zg_abi_bytes(const uint8_t *p, size_t n)
{
    return node_new(ZG_ABI_BYTES, p, n);
}

zg_abi_value *zg_abi_str(const char *s)
{
    return s ? node_new(ZG_ABI_STRING, s, strlen(s)) : NULL;
}

zg_abi_value *zg_abi_strn(const char *s, size_t n)
{
    return s || !n ? node_new(ZG_ABI_STRING, s, n) : NULL;
}

static zg_abi_value *container_new(zg_abi_kind kind, size_t n, zg_abi_value *const *items)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        if (!items[i])
            ok = false;
    zg_abi_value *v = ok ? node_new(kind, NULL, 0) : NULL;
    if (v && n) {
        v->items = malloc(n * sizeof *v->items);
        if (v->items) {
            memcpy(v->items, items, n * sizeof *v->items);
            v->n = v->cap = n;
            return v;
        }
        free(v);
        v = NULL;
    }
    if (!v) {
        for (size_t i = 0; i < n; i++)
            zg_abi_value_free(items[i]);
    }
    return v;
}

zg_abi_value *zg_abi_tuplev(size_t n, zg_abi_value *const *items)
{
    return container_new(ZG_ABI_TUPLE, n, items);
}

zg_abi_value *zg_abi_arrayv(size_t n, zg_abi_value *const *items)
{
    return container_new(ZG_ABI_ARRAY, n, items);
}

zg_abi_value *zg_abi_push(zg_abi_value *c, zg_abi_value *item)
{
    if (!c || !item || (c->kind != ZG_ABI_ARRAY && c->kind != ZG_ABI_TUPLE))
        goto fail;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 4;
        if (ncap > SIZE_MAX / sizeof *c->items)
            goto fail;
        zg_abi_value **ni = realloc(c->items, ncap * sizeof *ni);
        if (!ni)
            goto fail;
        c->items = ni;
        c->cap = ncap;
    }
    c->items[c->n++] = item;
    return c;
fail:
    zg_abi_value_free(c);
    zg_abi_value_free(item);
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------- */

static bool bit(const zg_u256 *v, unsigned i)
{
    return (v->w[i / 64] >> (i % 64)) & 1;
}

/* Are bits [from, 256) all equal to `one`? */
static bool high_bits(const zg_u256 *v, unsigned from, bool one)
{
    for (unsigned i = from; i < 256; i++)
        if (bit(v, i) != one)
            return false;
    return true;
}

/* Does value v (of kind UINT or INT) fit type t (UINT or INT)? */
static bool num_fits(const abi_type *t, const zg_abi_value *v)
{
    bool negative = v->kind == ZG_ABI_INT && bit(&v->num, 255);
    if (t->kind == ZG_ABI_UINT)
        return !negative && high_bits(&v->num, t->size, false);
    return high_bits(&v->num, t->size - 1, negative);
}

/* ---------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------- */

static void put_word_size(uint8_t *dst, size_t n)
{
    memset(dst, 0, 32);
    for (int i = 0; i < 8 && i < (int)sizeof(size_t); i++)
        dst[31 - i] = (uint8_t)((uint64_t)n >> (8 * i));
}

static int append_zeros(zg_buf *out, size_t n, zg_err *err)
{
    if (zg_buf_reserve(out, n, err))
        return -1;
    memset(out->data + out->len, 0, n);
    out->len += n;
    out->data[out->len] = 0;
    return 0;
}

static int mismatch(zg_err *err, const abi_type *t, const zg_abi_value *v, const char *why)
{
    char label[48];
    type_label(label, sizeof label, t);
    if (why)
        return zg_err_set(err, EINVAL, "value for type %s %s", label, why);
    return zg_err_set(err, EINVAL, "%s value given for type %s", zg_abi_kind_name(v->kind), label);
}

/* Everything about v that can be checked at this level, before writing. */
static int check_value(const abi_type *t, const zg_abi_value *v, zg_err *err)
{
    switch (t->kind) {
    case ZG_ABI_UINT:
    case ZG_ABI_INT:
        if (v->kind != ZG_ABI_UINT && v->kind != ZG_ABI_INT)
            return mismatch(err, t, v, NULL);
        if (!num_fits(t, v))
            return mismatch(err, t, v, "is out of range");
        return 0;
    case ZG_ABI_BOOL:
        if (v->kind != ZG_ABI_BOOL)
            return mismatch(err, t, v, NULL);
        if (!high_bits(&v->num, 1, false))
            return mismatch(err, t, v, "is neither 0 nor 1");
        return 0;
    case ZG_ABI_ADDRESS:
        if (v->kind != ZG_ABI_ADDRESS)
            return mismatch(err, t, v, NULL);
        if (v->len != 20)
            return mismatch(err, t, v, "is not 20 bytes");
        return 0;
    case ZG_ABI_FIXED_BYTES:
        if (v->kind != ZG_ABI_FIXED_BYTES && v->kind != ZG_ABI_BYTES)
            return mismatch(err, t, v, NULL);
        if (v->len != t->size)
            return mismatch(err, t, v, "has the wrong length");
        return 0;
    case ZG_ABI_BYTES:
    case ZG_ABI_STRING:
        if (v->kind != t->kind)
            return mismatch(err, t, v, NULL);
        return 0;
    case ZG_ABI_ARRAY:
        if (v->kind != ZG_ABI_ARRAY)
            return mismatch(err, t, v, NULL);
        if (t->fixed && v->n != t->fixed)
            return zg_err_set(err, EINVAL, "value for type array[%zu] has %zu elements", t->fixed,
                              v->n);
        return 0;
    case ZG_ABI_TUPLE:
        if (v->kind != ZG_ABI_TUPLE)
            return mismatch(err, t, v, NULL);
        if (v->n != t->n)
            return zg_err_set(err, EINVAL, "value for a tuple of %zu members has %zu", t->n, v->n);
        return 0;
    }
    return zg_err_set(err, EINVAL, "unknown ABI type");
}

static const abi_type *member_type(const abi_type *t, size_t i)
{
    return t->kind == ZG_ABI_TUPLE ? t->members[i] : t->elem;
}

static int prefix_index(zg_err *err, const abi_type *t, size_t i)
{
    return zg_err_prefix(err, "%s %zu", t->kind == ZG_ABI_TUPLE ? "member" : "element", i);
}

/* Write a static value into dst (t->head bytes, already zeroed). dst points
 * into the output buffer, which does not move during static encoding. */
static int enc_static(const abi_type *t, const zg_abi_value *v, uint8_t *dst, zg_err *err)
{
    if (check_value(t, v, err))
        return -1;
    switch (t->kind) {
    case ZG_ABI_UINT:
    case ZG_ABI_INT:
    case ZG_ABI_BOOL:
        zg_u256_to_be(dst, &v->num);
        return 0;
    case ZG_ABI_ADDRESS:
        memcpy(dst + 12, v->bytes, 20);
        return 0;
    case ZG_ABI_FIXED_BYTES:
        memcpy(dst, v->bytes, v->len);
        return 0;
    case ZG_ABI_ARRAY:
    case ZG_ABI_TUPLE:
        for (size_t i = 0, off = 0; i < v->n; i++) {
            const abi_type *mt = member_type(t, i);
            if (enc_static(mt, v->items[i], dst + off, err))
                return prefix_index(err, t, i);
            off += mt->head;
        }
        return 0;
    default:
        return zg_err_set(err, EINVAL, "internal: dynamic type in a static position");
    }
}

static int enc(zg_buf *out, const abi_type *t, const zg_abi_value *v, zg_err *err);

/* Members of a tuple or array: the head region first, each dynamic member's
 * offset counted from the start of that region, then the tails in order. */
static int enc_members(zg_buf *out, const abi_type *t, const zg_abi_value *v, zg_err *err)
{
    size_t region = 0;
    for (size_t i = 0; i < v->n; i++)
        region += member_type(t, i)->head; /* n is bounded by what fits in memory */
    size_t base = out->len;
    if (append_zeros(out, region, err))
        return -1;
    for (size_t i = 0, off = 0; i < v->n; i++) {
        const abi_type *mt = member_type(t, i);
        int rc;
        if (mt->dynamic) {
            put_word_size(out->data + base + off, out->len - base);
            rc = enc(out, mt, v->items[i], err);
        } else {
            rc = enc_static(mt, v->items[i], out->data + base + off, err);
        }
        if (rc)
            return prefix_index(err, t, i);
        off += mt->head;
    }
    return 0;
}

static int enc(zg_buf *out, const abi_type *t, const zg_abi_value *v, zg_err *err)
{
    if (!t->dynamic) {
        size_t at = out->len;
        if (append_zeros(out, t->head, err))
            return -1;
        return enc_static(t, v, out->data + at, err);
    }
    if (check_value(t, v, err))
        return -1;
    if (t->kind == ZG_ABI_BYTES || t->kind == ZG_ABI_STRING) {
        uint8_t w[32];
        size_t pad = (32 - v->len % 32) % 32;
        put_word_size(w, v->len);
        if (zg_buf_append(out, w, 32, err) || zg_buf_append(out, v->bytes, v->len, err) ||
            append_zeros(out, pad, err))
            return -1;
        return 0;
    }
    if (t->kind == ZG_ABI_ARRAY && !t->fixed) {
        uint8_t w[32];
        put_word_size(w, v->n);
        if (zg_buf_append(out, w, 32, err))
            return -1;
    }
    return enc_members(out, t, v, err);
}

static void restore(zg_buf *out, size_t len)
{
    out->len = len;
    if (out->data)
        out->data[len] = 0;
}

static int encode_parsed(zg_buf *out, const abi_type *t, const zg_abi_value *v, zg_err *err)
{
    if (!v) {
        if (t->kind == ZG_ABI_TUPLE && t->n == 0)
            return 0;
        return zg_err_set(err, ENOMEM, "ABI value is missing (out of memory while building it)");
    }
    return enc(out, t, v, err);
}

int zg_abi_encode(zg_buf *out, const char *type, const zg_abi_value *v, zg_err *err)
{
    abi_type *t = type_parse(type, err);
    if (!t)
        return -1;
    size_t start = out->len;
    int rc = encode_parsed(out, t, v, err);
    if (rc)
        restore(out, start);
    type_free(t);
    return rc;
}

void zg_abi_selector(uint8_t out[4], const char *signature)
{
    uint8_t h[32];
    zg_keccak256(h, signature, strlen(signature));
    memcpy(out, h, 4);
}

static bool ident_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
           (!first && c >= '0' && c <= '9');
}

int zg_abi_encode_call(zg_buf *out, const char *signature, const zg_abi_value *args, zg_err *err)
{
    if (!signature)
        return zg_err_set(err, EINVAL, "function signature is missing");
    size_t n = 0;
    while (ident_char(signature[n], n == 0))
        n++;
    if (n == 0 || signature[n] != '(')
        return zg_err_set(err, EINVAL, "function signature \"%.80s\" is not name(types...)",
                          signature);
    abi_type *t = type_parse(signature + n, err);
    if (!t)
        return zg_err_prefix(err, "%.*s", (int)(n > 64 ? 64 : n), signature);
    int rc = -1;
    size_t start = out->len;
    uint8_t sel[4];
    if (t->kind != ZG_ABI_TUPLE || t->elem) {
        zg_err_set(err, EINVAL, "function signature \"%.80s\" has array suffixes", signature);
        goto done;
    }
    zg_abi_selector(sel, signature);
    if (zg_buf_append(out, sel, 4, err))
        goto done;
    if (encode_parsed(out, t, args, err)) {
        zg_err_prefix(err, "%.*s", (int)(n > 64 ? 64 : n), signature);
        restore(out, start);
        goto done;
    }
    rc = 0;
done:
    type_free(t);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Decoding
 * ------------------------------------------------------------------------- */

typedef struct dctx {
    const uint8_t *d;
    size_t len;
    size_t nodes_left; /* see zg_abi_decode: refuses data that aliases itself */
    size_t bytes_left;
    zg_err *err;
} dctx;

static int dfail(dctx *c, size_t pos, const char *why)
{
    return zg_err_set(c->err, EPROTO, "ABI data (%zu bytes) malformed at byte %zu: %s", c->len, pos,
                      why);
}

/* A 32-byte word at pos, or NULL (with the error set) if it is not there. */
static const uint8_t *word_at(dctx *c, size_t pos, const char *what)
{
    if (pos > c->len || c->len - pos < 32) {
        char why[96];
        snprintf(why, sizeof why, "data ends inside %s", what);
        dfail(c, pos, why);
        return NULL;
    }
    return c->d + pos;
}

/* A length or offset word that must not exceed limit. */
static int size_at(dctx *c, size_t pos, size_t limit, size_t *out, const char *what)
{
    const uint8_t *w = word_at(c, pos, what);
    if (!w)
        return -1;
    for (int i = 0; i < 24; i++)
        if (w[i])
            goto too_big;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | w[i];
    if (v > limit)
        goto too_big;
    *out = (size_t)v;
    return 0;
too_big : {
    char why[96];
    snprintf(why, sizeof why, "%s is larger than the data allows", what);
    return dfail(c, pos, why);
}
}

static int dec(dctx *c, const abi_type *t, size_t pos, zg_abi_value **out);

static int dec_members(dctx *c, const abi_type *t, size_t base, size_t count, zg_abi_value *v)
{
    /* Check the whole head region first, so `count` cannot exceed what the
     * data holds before anything is allocated for it. */
    size_t region = 0;
    for (size_t i = 0; i < count; i++) {
        size_t h = member_type(t, i)->head;
        if (base > c->len || h > c->len - base - region)
            return dfail(c, base, "data ends inside a head");
        region += h;
    }
    if (count) {
        v->items = calloc(count, sizeof *v->items);
        if (!v->items)
            return zg_err_set(c->err, ENOMEM, "out of memory");
        v->cap = count;
    }
    for (size_t i = 0, off = 0; i < count; i++) {
        const abi_type *mt = member_type(t, i);
        size_t at = base + off;
        if (mt->dynamic) {
            size_t rel;
            if (size_at(c, at, c->len - base, &rel, "an offset"))
                return prefix_index(c->err, t, i);
            at = base + rel;
        }
        if (dec(c, mt, at, &v->items[i]))
            return prefix_index(c->err, t, i);
        v->n++;
        off += mt->head;
    }
    return 0;
}

static int dec_scalar(dctx *c, const abi_type *t, size_t pos, zg_abi_value **out)
{
    const uint8_t *w = word_at(c, pos, "a value");
    if (!w)
        return -1;
    zg_abi_value *v;
    if (t->kind == ZG_ABI_ADDRESS || t->kind == ZG_ABI_FIXED_BYTES) {
        size_t lo = t->kind == ZG_ABI_ADDRESS ? 12 : 0;
        size_t n = t->kind == ZG_ABI_ADDRESS ? 20 : t->size;
        for (size_t i = 0; i < 32; i++)
            if ((i < lo || i >= lo + n) && w[i])
                return dfail(c, pos,
                             t->kind == ZG_ABI_ADDRESS ? "address has non-zero upper bytes"
                                                       : "bytes<N> has non-zero padding");
        v = node_new(t->kind, w + lo, n);
    } else {
        zg_u256 num;
        zg_u256_from_be(&num, w);
        bool ok;
        if (t->kind == ZG_ABI_UINT)
            ok = high_bits(&num, t->size, false);
        else if (t->kind == ZG_ABI_INT)
            ok = high_bits(&num, t->size - 1, bit(&num, 255));
        else
            ok = high_bits(&num, 1, false);
        if (!ok)
            return dfail(c, pos,
                         t->kind == ZG_ABI_BOOL ? "bool is neither 0 nor 1"
                                                : "integer has bits beyond its width");
        v = node_new(t->kind, NULL, 0);
        if (v)
            v->num = num;
    }
    if (!v)
        return zg_err_set(c->err, ENOMEM, "out of memory");
    *out = v;
    return 0;
}

static int dec(dctx *c, const abi_type *t, size_t pos, zg_abi_value **out)
{
    if (c->nodes_left == 0)
        return dfail(c, pos, "offsets reuse the same data for too many values");
    c->nodes_left--;
    if (t->kind != ZG_ABI_ARRAY && t->kind != ZG_ABI_TUPLE && t->kind != ZG_ABI_BYTES &&
        t->kind != ZG_ABI_STRING)
        return dec_scalar(c, t, pos, out);
    if (t->kind == ZG_ABI_BYTES || t->kind == ZG_ABI_STRING) {
        size_t n;
        if (size_at(c, pos, SIZE_MAX, &n, "a length"))
            return -1;
        if (n > c->len - pos - 32)
            return dfail(c, pos, "length runs past the end of the data");
        if (n > c->bytes_left)
            return dfail(c, pos, "offsets reuse the same bytes more than once");
        c->bytes_left -= n;
        zg_abi_value *v = node_new(t->kind, c->d + pos + 32, n);
        if (!v)
            return zg_err_set(c->err, ENOMEM, "out of memory");
        *out = v;
        return 0;
    }
    size_t count = t->fixed, base = pos;
    if (t->kind == ZG_ABI_TUPLE) {
        count = t->n;
    } else if (!t->fixed) {
        if (size_at(c, pos, SIZE_MAX, &count, "an array length"))
            return -1;
        base = pos + 32;
        /* elem->head >= 32: arrays of empty tuples are refused by the parser */
        if (count > (c->len - base) / t->elem->head)
            return dfail(c, pos, "array length is larger than the data");
    }
    zg_abi_value *v = node_new(t->kind, NULL, 0);
    if (!v)
        return zg_err_set(c->err, ENOMEM, "out of memory");
    if (dec_members(c, t, base, count, v)) {
        zg_abi_value_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

int zg_abi_decode(zg_abi_value **out, const char *type, const uint8_t *data, size_t len,
                  zg_err *err)
{
    *out = NULL;
    abi_type *t = type_parse(type, err);
    if (!t)
        return -1;
    if (!data)
        len = 0;
    /* Honest encodings give every leaf (number, string, array length) a word
     * of its own, and every other node lies on the path from the root to a
     * leaf; so a tree larger than words x levels, or string bytes beyond the
     * data size, can only come from offsets that point at the same data
     * again and again. Refusing it bounds memory by the input size. */
    size_t words = len / 32 + 1;
    dctx c = {.d = data, .len = len, .err = err, .bytes_left = len};
    c.nodes_left = t->levels > SIZE_MAX / words ? SIZE_MAX : words * t->levels;
    int rc = dec(&c, t, 0, out);
    type_free(t);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------- */

size_t zg_abi_len(const zg_abi_value *v)
{
    if (!v)
        return 0;
    switch (v->kind) {
    case ZG_ABI_ARRAY:
    case ZG_ABI_TUPLE:
        return v->n;
    case ZG_ABI_ADDRESS:
    case ZG_ABI_FIXED_BYTES:
    case ZG_ABI_BYTES:
    case ZG_ABI_STRING:
        return v->len;
    default:
        return 0;
    }
}

/* Child i of any kind, or NULL with the error set. */
static const zg_abi_value *child(const zg_abi_value *v, size_t i, zg_err *err)
{
    if (!v)
        return zg_err_set(err, EINVAL, "ABI value is missing"), NULL;
    if (v->kind != ZG_ABI_ARRAY && v->kind != ZG_ABI_TUPLE)
        return zg_err_set(err, EINVAL, "ABI %s value has no members", zg_abi_kind_name(v->kind)),
               NULL;
    if (i >= v->n)
        return zg_err_set(err, EINVAL, "ABI %s has %zu members, no index %zu",
                          zg_abi_kind_name(v->kind), v->n, i),
               NULL;
    return v->items[i];
}

static const zg_abi_value *child_of(const zg_abi_value *v, size_t i, zg_abi_kind k1, zg_abi_kind k2,
                                    zg_err *err)
{
    const zg_abi_value *c = child(v, i, err);
    if (c && c->kind != k1 && c->kind != k2) {
        zg_err_set(err, EINVAL, "ABI member %zu is %s, not %s", i, zg_abi_kind_name(c->kind),
                   zg_abi_kind_name(k1));
        return NULL;
    }
    return c;
}

const zg_abi_value *zg_abi_at(const zg_abi_value *v, size_t i, zg_abi_kind kind, zg_err *err)
{
    return child_of(v, i, kind, kind, err);
}

const zg_abi_value *zg_abi_at_n(const zg_abi_value *v, size_t i, zg_abi_kind kind, size_t n,
                                zg_err *err)
{
    const zg_abi_value *c = child_of(v, i, kind, kind, err);
    if (!c)
        return NULL;
    if ((c->kind == ZG_ABI_ARRAY || c->kind == ZG_ABI_TUPLE) && c->n != n) {
        zg_err_set(err, EINVAL, "ABI member %zu has %zu members, expected %zu", i, c->n, n);
        return NULL;
    }
    return c;
}

int zg_abi_get_u256(const zg_abi_value *v, size_t i, zg_u256 *out, zg_err *err)
{
    const zg_abi_value *c = child_of(v, i, ZG_ABI_UINT, ZG_ABI_INT, err);
    if (!c)
        return -1;
    *out = c->num;
    return 0;
}

int zg_abi_get_u64(const zg_abi_value *v, size_t i, uint64_t *out, zg_err *err)
{
    const zg_abi_value *c = child_of(v, i, ZG_ABI_UINT, ZG_ABI_UINT, err);
    if (!c)
        return -1;
    if (!zg_u256_to_u64(&c->num, out))
        return zg_err_set(err, ERANGE, "ABI member %zu does not fit in 64 bits", i);
    return 0;
}

int zg_abi_get_i64(const zg_abi_value *v, size_t i, int64_t *out, zg_err *err)
{
    const zg_abi_value *c = child_of(v, i, ZG_ABI_INT, ZG_ABI_UINT, err);
    if (!c)
        return -1;
    bool negative = c->kind == ZG_ABI_INT && bit(&c->num, 255);
    if (!high_bits(&c->num, 63, negative))
        return zg_err_set(err, ERANGE, "ABI member %zu does not fit in a signed 64-bit number", i);
    *out = (int64_t)c->num.w[0];
    return 0;
}

int zg_abi_get_bool(const zg_abi_value *v, size_t i, bool *out, zg_err *err)
{
    const zg_abi_value *c = child_of(v, i, ZG_ABI_BOOL, ZG_ABI_BOOL, err);
    if (!c)
        return -1;
    *out = !zg_u256_is_zero(&c->num);
    return 0;
}

int zg_abi_get_addr(const zg_abi_value *v, size_t i, uint8_t out[20], zg_err *err)
{
    const zg_abi_value *c = child_of(v, i, ZG_ABI_ADDRESS, ZG_ABI_ADDRESS, err);
    if (!c)
        return -1;
    if (c->len != 20)
        return zg_err_set(err, EINVAL, "ABI member %zu is not a 20-byte address", i);
    memcpy(out, c->bytes, 20);
    return 0;
}

int zg_abi_get_str(const zg_abi_value *v, size_t i, const char **out, zg_err *err)
{
    const zg_abi_value *c = child_of(v, i, ZG_ABI_STRING, ZG_ABI_STRING, err);
    if (!c)
        return -1;
    if (memchr(c->bytes, 0, c->len))
        return zg_err_set(err, EPROTO, "ABI string member %zu contains a NUL byte", i);
    *out = (const char *)c->bytes;
    return 0;
}

int zg_abi_get_strdup(const zg_abi_value *v, size_t i, char **out, zg_err *err)
{
    const char *s;
    if (zg_abi_get_str(v, i, &s, err))
        return -1;
    char *d = strdup(s);
    if (!d)
        return zg_err_set(err, ENOMEM, "out of memory");
    *out = d;
    return 0;
}

int zg_abi_get_bytes(const zg_abi_value *v, size_t i, const uint8_t **p, size_t *len, zg_err *err)
{
    const zg_abi_value *c = child(v, i, err);
    if (!c)
        return -1;
    if (c->kind != ZG_ABI_BYTES && c->kind != ZG_ABI_FIXED_BYTES && c->kind != ZG_ABI_STRING)
        return zg_err_set(err, EINVAL, "ABI member %zu is %s, not bytes", i,
                          zg_abi_kind_name(c->kind));
    *p = c->bytes;
    *len = c->len;
    return 0;
}

/* The contract ABI decoder (zg/abi.h) on any type text and any data, the way
 * eth_call answers reach it. Input: type text, a NUL byte, the data (no NUL:
 * the whole input is type text and the data is empty).
 *
 * Invariants: what decodes encodes again under the same type, and that
 * encoding decodes to an equal tree and encodes to the same bytes again; a
 * type of static size has one encoding only, so its re-encoding is exactly
 * the data the decoder read (a decoder that let dirty bits or padding
 * through fails here); the tree is no larger than the data allows. */
#include <ctype.h>

#include "fuzz.h"
#include "zg/abi.h"

static bool same(const zg_abi_value *a, const zg_abi_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case ZG_ABI_UINT:
    case ZG_ABI_INT:
    case ZG_ABI_BOOL:
        return zg_u256_cmp(&a->num, &b->num) == 0;
    case ZG_ABI_ARRAY:
    case ZG_ABI_TUPLE:
        if (a->n != b->n)
            return false;
        for (size_t i = 0; i < a->n; i++)
            if (!same(a->items[i], b->items[i]))
                return false;
        return true;
    default:
        return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0 && a->bytes[a->len] == 0;
    }
}

static size_t nodes(const zg_abi_value *v)
{
    size_t n = 1;
    if (v->kind == ZG_ABI_ARRAY || v->kind == ZG_ABI_TUPLE)
        for (size_t i = 0; i < v->n; i++)
            n += nodes(v->items[i]);
    return n;
}

/* A canonical type of dynamic size holds string, bytes (without a size) or
 * a T[] somewhere. */
static bool dynamic_type(const char *t)
{
    if (strstr(t, "string") || strstr(t, "[]"))
        return true;
    for (const char *p = t; (p = strstr(p, "bytes")) != NULL; p += 5)
        if (!isdigit((unsigned char)p[5]))
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    if (tlen > ZG_ABI_TYPE_MAX + 16)
        return 0;
    char *type = fuzz_text(data, tlen);
    const uint8_t *d = nul ? nul + 1 : data + size;
    size_t dlen = (size_t)(data + size - d);

    zg_abi_value *v = NULL;
    zg_err e = {0};
    if (zg_abi_decode(&v, type, d, dlen, &e) != 0) {
        fuzz_check_err(&e);
        FUZZ_CHECK(v == NULL, "a failed decode left a tree");
        free(type);
        return 0;
    }
    FUZZ_CHECK(v != NULL, "decode succeeded without a tree");
    /* Every node needs a word of data, or is one of at most
     * ZG_ABI_DEPTH_MAX + 1 levels above one. */
    FUZZ_CHECK(nodes(v) <= (dlen / 32 + 1) * (ZG_ABI_DEPTH_MAX + 2), "%zu nodes from %zu bytes",
               nodes(v), dlen);

    zg_buf enc, enc2;
    zg_buf_init(&enc, 0);
    zg_buf_init(&enc2, 0);
    memset(&e, 0, sizeof e);
    FUZZ_CHECK(zg_abi_encode(&enc, type, v, &e) == 0, "a decoded %s does not encode: %s", type,
               e.msg);
    zg_abi_value *w = NULL;
    memset(&e, 0, sizeof e);
    FUZZ_CHECK(zg_abi_decode(&w, type, enc.data, enc.len, &e) == 0,
               "the re-encoding of a %s does not decode: %s", type, e.msg);
    FUZZ_CHECK(same(v, w), "a %s changed on the way through encode and decode", type);
    FUZZ_CHECK(zg_abi_encode(&enc2, type, w, NULL) == 0 && enc2.len == enc.len &&
                   memcmp(enc.data, enc2.data, enc.len) == 0,
               "encoding a %s is not stable", type);
    if (!dynamic_type(type))
        FUZZ_CHECK(enc.len <= dlen && memcmp(enc.data, d, enc.len) == 0,
                   "a static %s was read from data that is not its encoding", type);

    zg_abi_value_free(w);
    zg_abi_value_free(v);
    zg_buf_free(&enc2);
    zg_buf_free(&enc);
    free(type);
    return 0;
}

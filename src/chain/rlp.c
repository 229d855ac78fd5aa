#include "zg/rlp.h"

#include <errno.h>
#include <string.h>

/* Header for a string (base 0x80) or list (base 0xc0) of n payload bytes:
 * short form up to 55 bytes, else the big-endian length follows. */
static int put_header(zg_buf *out, uint8_t base, size_t n, zg_err *err)
{
    uint8_t h[1 + sizeof(size_t)];
    if (n <= 55) {
        h[0] = (uint8_t)(base + n);
        return zg_buf_append(out, h, 1, err);
    }
    size_t lenlen = 0;
    for (size_t v = n; v; v >>= 8)
        lenlen++;
    h[0] = (uint8_t)(base + 55 + lenlen);
    for (size_t i = 0; i < lenlen; i++)
        h[lenlen - i] = (uint8_t)(n >> (8 * i));
    return zg_buf_append(out, h, 1 + lenlen, err);
}

int zg_rlp_put_bytes(zg_buf *out, const uint8_t *p, size_t n, zg_err *err)
{
    if (n == 1 && p[0] < 0x80)
        return zg_buf_append(out, p, 1, err);
    size_t start = out->len;
    if (put_header(out, 0x80, n, err) || zg_buf_append(out, p, n, err)) {
        out->len = start;
        if (out->data)
            out->data[start] = 0;
        return -1;
    }
    return 0;
}

int zg_rlp_put_u64(zg_buf *out, uint64_t v, zg_err *err)
{
    uint8_t be[8];
    size_t n = 0;
    for (uint64_t x = v; x; x >>= 8)
        n++;
    for (size_t i = 0; i < n; i++)
        be[n - 1 - i] = (uint8_t)(v >> (8 * i));
    return zg_rlp_put_bytes(out, be, n, err);
}

int zg_rlp_put_u256(zg_buf *out, const zg_u256 *v, zg_err *err)
{
    uint8_t be[32];
    size_t skip = 0;
    zg_u256_to_be(be, v);
    while (skip < 32 && be[skip] == 0)
        skip++;
    return zg_rlp_put_bytes(out, be + skip, 32 - skip, err);
}

int zg_rlp_put_list(zg_buf *out, const uint8_t *payload, size_t payload_len, zg_err *err)
{
    size_t start = out->len;
    if (put_header(out, 0xc0, payload_len, err) || zg_buf_append(out, payload, payload_len, err)) {
        out->len = start;
        if (out->data)
            out->data[start] = 0;
        return -1;
    }
    return 0;
}

/* The long-form length must be minimal: no leading zero byte, and more than
 * 55 (otherwise the short form was mandatory). */
static int read_long_len(size_t *n, const uint8_t *in, size_t avail, size_t lenlen, zg_err *err)
{
    if (lenlen > sizeof(size_t))
        return zg_err_set(err, EPROTO, "RLP length of %zu bytes is too large", lenlen);
    if (avail < lenlen)
        return zg_err_set(err, EPROTO, "RLP data truncated inside a length");
    if (in[0] == 0)
        return zg_err_set(err, EPROTO, "RLP length has a leading zero byte (non-canonical)");
    size_t v = 0;
    for (size_t i = 0; i < lenlen; i++)
        v = v << 8 | in[i];
    if (v <= 55)
        return zg_err_set(err, EPROTO, "RLP long form used for a length of %zu (non-canonical)", v);
    *n = v;
    return 0;
}

int zg_rlp_decode(zg_rlp_item *item, const uint8_t *in, size_t len, size_t *used, zg_err *err)
{
    if (len == 0)
        return zg_err_set(err, EPROTO, "RLP data is empty");
    uint8_t b = in[0];
    size_t hdr, n = 0;
    bool is_list = b >= 0xc0;
    if (b < 0x80) {
        item->p = in;
        item->len = 1;
        item->is_list = false;
        if (used)
            *used = 1;
        return 0;
    } else if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
        hdr = 1;
        n = (size_t)(b - (is_list ? 0xc0 : 0x80));
    } else {
        size_t lenlen = (size_t)(b - (is_list ? 0xf7 : 0xb7));
        if (read_long_len(&n, in + 1, len - 1, lenlen, err))
            return -1;
        hdr = 1 + lenlen;
    }
    if (n > len - hdr)
        return zg_err_set(err, EPROTO, "RLP item of %zu bytes runs past the end of the data", n);
    if (!is_list && n == 1 && in[hdr] < 0x80)
        return zg_err_set(err, EPROTO,
                          "RLP single byte below 0x80 wrapped in a header (non-canonical)");
    item->p = in + hdr;
    item->len = n;
    item->is_list = is_list;
    if (used)
        *used = hdr + n;
    return 0;
}

int zg_rlp_list(zg_rlp_item *children, size_t max, size_t *n, const zg_rlp_item *list, zg_err *err)
{
    if (!list->is_list)
        return zg_err_set(err, EPROTO, "RLP item is a string where a list was expected");
    size_t pos = 0, count = 0;
    while (pos < list->len) {
        if (count == max)
            return zg_err_set(err, EPROTO, "RLP list has more than %zu items", max);
        size_t used;
        if (zg_rlp_decode(&children[count], list->p + pos, list->len - pos, &used, err))
            return -1;
        pos += used;
        count++;
    }
    *n = count;
    return 0;
}

/* Integers must be minimal big-endian: a leading zero byte would give one
 * number two encodings, which transaction hashing cannot tolerate. */
static int check_int(const zg_rlp_item *item, size_t max_bytes, zg_err *err)
{
    if (item->is_list)
        return zg_err_set(err, EPROTO, "RLP item is a list where an integer was expected");
    if (item->len > max_bytes)
        return zg_err_set(err, EPROTO, "RLP integer of %zu bytes is wider than %zu bytes",
                          item->len, max_bytes);
    if (item->len > 0 && item->p[0] == 0)
        return zg_err_set(err, EPROTO, "RLP integer has a leading zero byte (non-canonical)");
    return 0;
}

int zg_rlp_get_u64(const zg_rlp_item *item, uint64_t *v, zg_err *err)
{
    if (check_int(item, 8, err))
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < item->len; i++)
        x = x << 8 | item->p[i];
    *v = x;
    return 0;
}

int zg_rlp_get_u256(const zg_rlp_item *item, zg_u256 *v, zg_err *err)
{
    if (check_int(item, 32, err))
        return -1;
    uint8_t be[32] = {0};
    if (item->len)
        memcpy(be + 32 - item->len, item->p, item->len);
    zg_u256_from_be(v, be);
    return 0;
}

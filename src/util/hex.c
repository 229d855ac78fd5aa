#include "zg/hex.h"

#include <errno.h>
#include <string.h>

static const char digits[] = "0123456789abcdef";

void zg_hex_encode(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

int zg_hex_append(zg_buf *b, const uint8_t *in, size_t n, zg_err *err)
{
    if (zg_buf_reserve(b, 2 + 2 * n, err))
        return -1;
    b->data[b->len++] = '0';
    b->data[b->len++] = 'x';
    zg_hex_encode((char *)b->data + b->len, in, n);
    b->len += 2 * n;
    return 0;
}

int zg_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool zg_hex_is_hash(const char *s)
{
    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return false;
    for (int i = 2; i < 66; i++)
        if (zg_hex_digit((unsigned char)s[i]) < 0)
            return false;
    return s[66] == '\0';
}

static const char *skip_prefix(const char *hex)
{
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        return hex + 2;
    return hex;
}

int zg_hex_decode(uint8_t *out, size_t max, size_t *n, const char *hex, zg_err *err)
{
    const char *p = skip_prefix(hex);
    size_t len = strlen(p);
    if (len % 2)
        return zg_err_set(err, EINVAL, "hex text has an odd number of digits");
    if (len / 2 > max)
        return zg_err_set(err, EINVAL, "hex text longer than %zu bytes", max);
    for (size_t i = 0; i < len / 2; i++) {
        int hi = zg_hex_digit(p[2 * i]), lo = zg_hex_digit(p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return zg_err_set(err, EINVAL, "not a hex digit in \"%.40s\"", hex);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (n)
        *n = len / 2;
    return 0;
}

int zg_hex_decode_exact(uint8_t *out, size_t n, const char *hex, zg_err *err)
{
    size_t got;
    if (strlen(skip_prefix(hex)) != 2 * n)
        return zg_err_set(err, EINVAL, "expected %zu hex bytes in \"%.40s\"", n, hex);
    return zg_hex_decode(out, n, &got, hex, err);
}

int zg_hex_decode_buf(zg_buf *out, const char *hex, zg_err *err)
{
    size_t len = strlen(skip_prefix(hex)) / 2;
    zg_buf_reset(out);
    if (zg_buf_reserve(out, len, err))
        return -1;
    if (zg_hex_decode(out->data, len, &out->len, hex, err))
        return -1;
    out->data[out->len] = 0;
    return 0;
}

#include "zg/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zg_buf_init(zg_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void zg_buf_free(zg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void zg_buf_reset(zg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

int zg_buf_reserve(zg_buf *b, size_t extra, zg_err *err)
{
    if (extra > SIZE_MAX - b->len - 1)
        return zg_err_set(err, ENOMEM, "buffer size overflow");
    size_t need = b->len + extra + 1;
    if (b->max && need - 1 > b->max)
        return zg_err_set(err, EFBIG, "data larger than the %zu-byte limit", b->max);
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return zg_err_set(err, ENOMEM, "out of memory");
    b->data = p;
    b->cap = cap;
    return 0;
}

int zg_buf_append(zg_buf *b, const void *p, size_t n, zg_err *err)
{
    if (zg_buf_reserve(b, n, err))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int zg_buf_append_str(zg_buf *b, const char *s, zg_err *err)
{
    return zg_buf_append(b, s, strlen(s), err);
}

int zg_buf_append_byte(zg_buf *b, uint8_t c, zg_err *err)
{
    return zg_buf_append(b, &c, 1, err);
}

int zg_buf_printf(zg_buf *b, zg_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return zg_err_set(err, EINVAL, "bad format");
    if (zg_buf_reserve(b, (size_t)n, err))
        return -1;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

uint8_t *zg_buf_steal(zg_buf *b, size_t *len)
{
    if (zg_buf_reserve(b, 0, NULL))
        return NULL;
    uint8_t *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

/* A growable byte buffer with a declared maximum size: a daemon that takes
 * input from any local user must never grow without bound. The buffer owns
 * `data`; release it with zg_buf_free(). `data` is always NUL-terminated
 * (not counted in len) so text can be used in place. */
#ifndef ZG_BUF_H
#define ZG_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

typedef struct zg_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 = unlimited (only for internal, trusted producers) */
} zg_buf;

void zg_buf_init(zg_buf *b, size_t max);
void zg_buf_free(zg_buf *b);
void zg_buf_reset(zg_buf *b); /* len = 0, keeps memory */
int zg_buf_reserve(zg_buf *b, size_t extra, zg_err *err);
int zg_buf_append(zg_buf *b, const void *p, size_t n, zg_err *err);
int zg_buf_append_str(zg_buf *b, const char *s, zg_err *err);
int zg_buf_append_byte(zg_buf *b, uint8_t c, zg_err *err);
int zg_buf_printf(zg_buf *b, zg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Hand the bytes to the caller (who frees them with free()); b becomes empty. */
uint8_t *zg_buf_steal(zg_buf *b, size_t *len);

#endif

/* One error type for the whole core: an errno-class code chosen where the
 * failure is understood, plus one sentence a user can act on. Functions that
 * can fail return 0 on success and -1 on failure after filling *err (which
 * may be NULL when the caller does not care). Nothing in the core prints. */
#ifndef ZG_ERR_H
#define ZG_ERR_H

#include <stdarg.h>

#define ZG_ERR_MSG_MAX 256

typedef struct zg_err {
    int code;                 /* errno value: EINVAL, ENOENT, EIO, EDQUOT, ... */
    char msg[ZG_ERR_MSG_MAX]; /* one line: control characters of quoted input
                               * become '?' */
} zg_err;

/* Fill err (if non-NULL) and return -1, so callers can `return zg_err_set(...)`. */
int zg_err_set(zg_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int zg_err_vset(zg_err *err, int code, const char *fmt, va_list ap);

/* Prefix an existing message with context ("getLedger: ..."), keeping the code. */
int zg_err_prefix(zg_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void zg_err_clear(zg_err *err);

#endif

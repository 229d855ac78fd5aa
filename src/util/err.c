#include "zg/err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Messages quote what users and remote peers sent (an amount, a node's
 * error text); a newline or an escape sequence in it must not turn one
 * message into several lines of a log or a file, or drive a terminal. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

int zg_err_vset(zg_err *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        err->kind = ZG_EK_NONE;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        one_line(err->msg);
    }
    return -1;
}

int zg_err_set(zg_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zg_err_vset(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int zg_err_setk(zg_err *err, int code, zg_err_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zg_err_vset(err, code, fmt, ap);
    va_end(ap);
    return zg_err_mark(err, kind);
}

int zg_err_mark(zg_err *err, zg_err_kind kind)
{
    if (err)
        err->kind = kind;
    return -1;
}

int zg_err_prefix(zg_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char head[ZG_ERR_MSG_MAX], both[2 * ZG_ERR_MSG_MAX + 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    /* Compose in a buffer that always fits, then cut to the message size. */
    snprintf(both, sizeof both, "%s: %s", head, err->msg);
    memcpy(err->msg, both, sizeof err->msg - 1);
    err->msg[sizeof err->msg - 1] = 0;
    one_line(err->msg);
    return -1;
}

void zg_err_clear(zg_err *err)
{
    if (err) {
        err->code = 0;
        err->kind = ZG_EK_NONE;
        err->msg[0] = '\0';
    }
}

int zg_err_errno(const zg_err *err)
{
    if (err->code <= 0 || err->code >= 4096)
        return EIO;
    return err->code;
}

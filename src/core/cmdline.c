/* The framing of a control file's command (see zg/cmdline.h). */
#include "zg/cmdline.h"

#include <errno.h>
#include <string.h>

static void refused(const zg_cmdline *cl, const char *buf, size_t size,
                    char shown[ZG_RESULTS_CMD_SHOWN + 1])
{
    size_t k = 0;
    /* A command that already ran is its own record; only what this write
     * adds to an unfinished one belongs to the refusal. */
    for (size_t i = 0; !cl->done && i < cl->len && k < ZG_RESULTS_CMD_SHOWN; i++)
        shown[k++] = cl->text[i];
    for (size_t i = 0; i < size && k < ZG_RESULTS_CMD_SHOWN; i++)
        shown[k++] = buf[i];
    for (size_t i = 0; i < k; i++)
        if (shown[i] < 0x20 || shown[i] >= 0x7f)
            shown[i] = '?';
    shown[k] = '\0';
}

int zg_cmdline_add(zg_cmdline *cl, const char *buf, size_t size,
                   char shown[ZG_RESULTS_CMD_SHOWN + 1], zg_err *err)
{
    const char *nl = memchr(buf, '\n', size);
    size_t take = nl ? (size_t)(nl - buf) : size;
    zg_err e = {0};
    if (cl->done || (nl && take + 1 < size))
        zg_err_set(&e, EINVAL,
                   "one command per open: write a single line, and open the file again for "
                   "the next command");
    else if (memchr(buf, '\0', size))
        zg_err_set(&e, EINVAL, "a command is text; NUL bytes are refused");
    else if (cl->len + take > ZG_CMDLINE_MAX)
        zg_err_set(&e, EINVAL, "a command is one line of at most %d bytes", ZG_CMDLINE_MAX);
    if (e.code) {
        refused(cl, buf, size, shown);
        cl->done = true;
        cl->len = 0;
        if (err)
            *err = e;
        return -1;
    }
    memcpy(cl->text + cl->len, buf, take);
    cl->len += take;
    cl->text[cl->len] = '\0';
    if (!nl)
        return 0;
    cl->done = true;
    return 1;
}

size_t zg_cmdline_take(zg_cmdline *cl, char line[ZG_CMDLINE_MAX + 1])
{
    size_t len = !cl->done ? cl->len : 0;
    if (len) {
        memcpy(line, cl->text, len + 1);
        cl->done = true;
        cl->len = 0;
    }
    return len;
}

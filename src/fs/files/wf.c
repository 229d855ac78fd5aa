/* Shared pieces of the workflow handlers (see wf.h). */
#include "wf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zgfs_state_path(zgfs *fs, char *out, size_t cap, zg_err *err, const char *fmt, ...)
{
    int n = snprintf(out, cap, "%s/", fs->state_dir);
    if (n < 0 || (size_t)n >= cap)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(out + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)m >= cap - (size_t)n)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    return 0;
}

int zgfs_datasets_dir(zgfs *fs, char *out, size_t cap, zg_err *err)
{
    return zgfs_state_path(fs, out, cap, err, "datasets");
}

int zgfs_task_record(const zgfs_call *c, cJSON **out, zg_err *err)
{
    uint8_t p[20];
    if (c->nparams < 2)
        return zg_err_set(err, EINVAL, "internal error: no task in the path");
    if (zgfs_call_addr(c, 0, p, err))
        return -1;
    return zg_rm_task(&c->fs->rm, p, c->params[1], out, err);
}

int zgfs_find_deliverable(zgfs *fs, const uint8_t provider[20], const char *task_id,
                          long max_age_ms, zg_deliverable *out, zg_err *err)
{
    return zg_rm_deliverable(&fs->rm, provider, task_id, max_age_ms, out, err);
}

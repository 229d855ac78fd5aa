/* Shared pieces of the workflow handlers (see wf.h). */
#include "wf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/ftprovider.h"
#include "zg/taskdoc.h"

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
    zgfs *fs = c->fs;
    uint8_t p[20];
    if (c->nparams < 2)
        return zg_err_set(err, EINVAL, "internal error: no task in the path");
    if (zgfs_call_addr(c, 0, p, err))
        return -1;
    const char *id = c->params[1];
    zg_cache_val *ref;
    if (zgfs_get_tasks(fs, p, -1, &ref, err))
        return -1;
    const cJSON *t = zg_task_find(zg_cache_value(ref), id);
    *out = t ? cJSON_Duplicate(t, true) : NULL;
    zg_cache_put(ref);
    if (t)
        return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    /* Newer than the cached list (another client just made it). */
    zg_err e = {0};
    if (zgfs_get(fs, ZG_RV_TASK, p, id, -1, &ref, &e)) {
        zg_task_lookup_errno(&e);
        if (err)
            *err = e;
        return -1;
    }
    *out = cJSON_Duplicate(zg_cache_value(ref), true);
    zg_cache_put(ref);
    return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
}

int zgfs_find_deliverable(zgfs *fs, const uint8_t provider[20], const char *task_id,
                          long max_age_ms, zg_deliverable *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    zg_cache_val *ref;
    if (zgfs_get_ft_account(fs, provider, max_age_ms, &ref, err))
        return -1;
    const zgfs_ft_acct_view *v = zg_cache_value(ref);
    int rc = zg_deliverable_copy(v->exists ? &v->a : NULL, task_id, out, err);
    zg_cache_put(ref);
    return rc;
}

/* Shared pieces of the workflow handlers (see wf.h). */
#include "wf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/ftprovider.h"

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

static const cJSON *find_task(const cJSON *list, const char *id)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, list)
    {
        const char *tid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
        if (tid && !strcmp(tid, id))
            return t;
    }
    return NULL;
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
    const cJSON *t = find_task(zg_cache_value(ref), id);
    *out = t ? cJSON_Duplicate(t, true) : NULL;
    zg_cache_put(ref);
    if (t)
        return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    /* Newer than the cached list (another client just made it). */
    zg_err e = {0};
    if (zgfs_get(fs, ZG_RV_TASK, p, id, -1, &ref, &e)) {
        if (e.code == EINVAL || e.code == EPERM)
            e.code = ENOENT; /* the provider's "invalid id"/"another user's" */
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
    const zg_deliverable *d = NULL;
    for (size_t i = 0; v->exists && i < v->a.ndeliverables && !d; i++)
        if (v->a.deliverables[i].id && !strcmp(v->a.deliverables[i].id, task_id))
            d = &v->a.deliverables[i];
    int rc = 0;
    if (!d) {
        rc = zg_err_set(err, ENOENT, "task %s has no deliverable on chain yet", task_id);
    } else {
        *out = *d;
        out->id = strdup(d->id);
        out->root = d->root_len ? malloc(d->root_len) : NULL;
        out->secret = d->secret_len ? malloc(d->secret_len) : NULL;
        if (!out->id || (d->root_len && !out->root) || (d->secret_len && !out->secret)) {
            zg_deliverable_free(out);
            rc = zg_err_set(err, ENOMEM, "out of memory");
        } else {
            if (d->root_len)
                memcpy(out->root, d->root, d->root_len);
            if (d->secret_len)
                memcpy(out->secret, d->secret, d->secret_len);
        }
    }
    zg_cache_put(ref);
    return rc;
}

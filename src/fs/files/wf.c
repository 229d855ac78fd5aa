/* Shared pieces of the workflow handlers (see wf.h). Cache keys:
 * "tasks:0xP" (the list), "task:0xP:ID" (a task the list has not seen). */
#include "wf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/ftprovider.h"

int zgfs_ft_url(zgfs *fs, const uint8_t provider[20], char **url, zg_err *err)
{
    return zgfs_ft_service(fs, provider, url, NULL, err);
}

int zgfs_ft_service(zgfs *fs, const uint8_t provider[20], char **url, bool *announces_models,
                    zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_services(fs, -1, &ref, err))
        return -1;
    zgfs_provider pr;
    zgfs_services_find(zg_cache_value(ref), provider, &pr);
    int rc = 0;
    char a[43];
    zg_addr_checksum(a, provider);
    if (!pr.ft)
        rc = zg_err_set(err, ENOENT, "%s offers no fine-tuning", a);
    else if (!(*url = strdup(pr.ft->url ? pr.ft->url : "")))
        rc = zg_err_set(err, ENOMEM, "out of memory");
    else if (announces_models)
        *announces_models = pr.ft->nmodels > 0;
    zg_cache_put(ref);
    return rc;
}

int zgfs_inf_service(zgfs *fs, const uint8_t provider[20], char **url, char **model, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_services(fs, -1, &ref, err))
        return -1;
    zgfs_provider pr;
    zgfs_services_find(zg_cache_value(ref), provider, &pr);
    int rc = 0;
    char a[43];
    zg_addr_checksum(a, provider);
    *url = NULL;
    if (model)
        *model = NULL;
    if (!pr.inf) {
        rc = zg_err_set(err, ENOENT, "%s serves no inference", a);
    } else if (!(*url = strdup(pr.inf->url ? pr.inf->url : "")) ||
               (model && pr.inf->model && !(*model = strdup(pr.inf->model)))) {
        free(*url);
        *url = NULL;
        rc = zg_err_set(err, ENOMEM, "out of memory");
    }
    zg_cache_put(ref);
    return rc;
}

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

/* ---- tasks */

typedef struct fetch_ctx {
    zgfs *fs;
    uint8_t provider[20];
    const char *id;
} fetch_ctx;

static void free_json(void *p)
{
    cJSON_Delete(p);
}

static int fetch_tasks(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    char *url = NULL;
    cJSON *list = NULL;
    if (zgfs_ft_url(x->fs, x->provider, &url, err))
        return -1;
    int rc = zg_ftp_list_tasks(x->fs->client, url, false, &list, err);
    free(url);
    if (rc)
        return -1;
    *val = list;
    return 0;
}

static void tasks_key(char out[64], const uint8_t provider[20])
{
    char a[43];
    zg_addr_checksum(a, provider);
    snprintf(out, 64, "tasks:%s", a);
}

int zgfs_get_tasks(zgfs *fs, const uint8_t provider[20], long max_age_ms, zg_cache_val **ref,
                   zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    memcpy(x.provider, provider, 20);
    char key[64];
    tasks_key(key, provider);
    return zg_cache_get(fs->cache, key, max_age_ms, fetch_tasks, free_json, &x, ref, err);
}

static int fetch_task(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    char *url = NULL;
    cJSON *t = NULL;
    if (zgfs_ft_url(x->fs, x->provider, &url, err))
        return -1;
    int rc = zg_ftp_get_task(x->fs->client, url, x->id, &t, err);
    free(url);
    if (rc)
        return -1;
    /* The provider answers any id; only this wallet's tasks are ours. */
    const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "userAddress"));
    uint8_t u[20];
    if (!user || zg_addr_parse(u, user, NULL) ||
        memcmp(u, zg_chain_address(x->fs->client->chain), 20)) {
        cJSON_Delete(t);
        return zg_err_set(err, ENOENT, "task %s is not one of this wallet's", x->id);
    }
    *val = t;
    return 0;
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
    fetch_ctx x = {.fs = fs, .id = id};
    memcpy(x.provider, p, 20);
    char key[128], a[43];
    zg_addr_checksum(a, p);
    snprintf(key, sizeof key, "task:%s:%s", a, id);
    zg_err e = {0};
    if (zg_cache_get(fs->cache, key, -1, fetch_task, free_json, &x, &ref, &e)) {
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

void zgfs_tasks_changed(zgfs *fs, const uint8_t provider[20], const char *task_id)
{
    char key[128], a[43], path[ZGFS_PATH_MAX];
    zg_addr_checksum(a, provider);
    tasks_key(key, provider);
    zg_cache_invalidate(fs->cache, key);
    snprintf(key, sizeof key, "task:%s:", a);
    zg_cache_invalidate(fs->cache, key);
    snprintf(path, sizeof path, "/providers/%s/tasks", a);
    zgfs_notify_inode(fs->notify, path);
    snprintf(path, sizeof path, "/providers/%s/tasks/latest", a);
    zgfs_notify_inode(fs->notify, path);
    if (task_id) {
        snprintf(path, sizeof path, "/providers/%s/tasks", a);
        zgfs_notify_entry(fs->notify, path, "latest");
        snprintf(path, sizeof path, "/providers/%s/tasks/%s/progress", a, task_id);
        zgfs_notify_inode(fs->notify, path);
        snprintf(path, sizeof path, "/providers/%s/tasks/%s/task.json", a, task_id);
        zgfs_notify_inode(fs->notify, path);
    }
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

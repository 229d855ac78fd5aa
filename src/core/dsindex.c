#include "zg/dsindex.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zg/fdio.h"
#include "zg/jsontext.h"

#define INDEX_MAX ((size_t)16 << 20)

/* DIR/PROVIDER, or DIR/PROVIDER/WHAT. */
static int prov_path(char *out, size_t cap, const char *dir, const char *provider, const char *what,
                     zg_err *err)
{
    if (!provider[0] || strchr(provider, '/') || provider[0] == '.')
        return zg_err_set(err, EINVAL, "bad provider name");
    int n = what ? snprintf(out, cap, "%s/%s/%s", dir, provider, what)
                 : snprintf(out, cap, "%s/%s", dir, provider);
    if (n < 0 || (size_t)n >= cap)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    return 0;
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    return n && n < sizeof((zg_dsentry *)0)->name && !strchr(name, '/') && name[0] != '.';
}

int zg_dsindex_path(const char *dir, const char *provider, const char *name, char *out, size_t cap,
                    zg_err *err)
{
    if (!name_ok(name))
        return zg_err_set(err, EINVAL, "bad dataset name");
    char sub[300];
    snprintf(sub, sizeof sub, "data/%s", name);
    return prov_path(out, cap, dir, provider, sub, err);
}

/* The parsed index (an empty object when there is none yet). */
static int load(const char *dir, const char *provider, cJSON **out, zg_err *err)
{
    char path[PATH_MAX];
    if (prov_path(path, sizeof path, dir, provider, "index.json", err))
        return -1;
    zg_buf text;
    zg_buf_init(&text, INDEX_MAX);
    zg_err why = {0};
    if (zg_file_read(path, &text, &why) && why.code != EFBIG) {
        zg_buf_free(&text);
        if (why.code != ENOENT)
            return zg_err_set(err, why.code, "%s", why.msg);
        *out = cJSON_CreateObject();
        return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    }
    /* An index over the limit fails to parse below: "damaged", as before. */
    *out = why.code ? NULL : cJSON_ParseWithLength((const char *)text.data, text.len);
    zg_buf_free(&text);
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return zg_err_set(err, EIO, "%s is damaged; move it away to start a new index", path);
    }
    return 0;
}

static void entry_of(const cJSON *it, zg_dsentry *e)
{
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", it->string);
    const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "hash"));
    snprintf(e->hash, sizeof e->hash, "%s", h ? h : "");
    const cJSON *v;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(it, "size")))
        e->size = (uint64_t)v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(it, "rows")))
        e->rows = (uint64_t)v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(it, "uploaded")))
        e->uploaded = (int64_t)v->valuedouble;
}

int zg_dsindex_get(const char *dir, const char *provider, const char *name, zg_dsentry *out,
                   zg_err *err)
{
    if (!name_ok(name))
        return zg_err_set(err, ENOENT, "no dataset named \"%.60s\"", name);
    cJSON *idx;
    if (load(dir, provider, &idx, err))
        return -1;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(idx, name);
    int rc = 0;
    if (cJSON_IsObject(it))
        entry_of(it, out);
    else
        rc = zg_err_set(err, ENOENT, "no dataset named \"%.60s\"", name);
    cJSON_Delete(idx);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const zg_dsentry *)a)->name, ((const zg_dsentry *)b)->name);
}

int zg_dsindex_list(const char *dir, const char *provider, zg_dsentry **out, size_t *n, zg_err *err)
{
    *out = NULL;
    *n = 0;
    cJSON *idx;
    if (load(dir, provider, &idx, err))
        return -1;
    size_t cap = (size_t)cJSON_GetArraySize(idx);
    zg_dsentry *v = cap ? calloc(cap, sizeof *v) : NULL;
    if (cap && !v) {
        cJSON_Delete(idx);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, idx)
    {
        if (cJSON_IsObject(it) && *n < cap)
            entry_of(it, &v[(*n)++]);
    }
    cJSON_Delete(idx);
    if (*n) /* v is NULL for an empty index, which qsort must not be given */
        qsort(v, *n, sizeof *v, by_name);
    *out = v;
    return 0;
}

int zg_dsindex_put(const char *dir, const char *provider, const zg_dsentry *e, const char *file,
                   zg_err *err)
{
    char pdir[PATH_MAX], data[PATH_MAX], lockp[PATH_MAX], idxp[PATH_MAX], dst[PATH_MAX];
    if (!name_ok(e->name))
        return zg_err_set(err, EINVAL, "bad dataset name");
    if (prov_path(pdir, sizeof pdir, dir, provider, NULL, err) ||
        prov_path(data, sizeof data, dir, provider, "data", err) ||
        prov_path(lockp, sizeof lockp, dir, provider, ".lock", err) ||
        prov_path(idxp, sizeof idxp, dir, provider, "index.json", err) ||
        zg_dsindex_path(dir, provider, e->name, dst, sizeof dst, err) || zg_mkdirs(data, 0700, err))
        return -1;
    int lk = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lk < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", lockp, strerror(errno));
    while (flock(lk, LOCK_EX) && errno == EINTR)
        ;
    int rc = -1;
    cJSON *idx = NULL;
    char *text = NULL;
    if (load(dir, provider, &idx, err))
        goto out;
    /* The bytes first: an index entry never points at a missing or
     * partial copy. */
    if (zg_fsync_path(file)) {
        zg_err_set(err, errno, "cannot save the local copy %s: %s", file, strerror(errno));
        goto out;
    }
    if (rename(file, dst)) {
        zg_err_set(err, errno, "cannot keep the local copy %s: %s", dst, strerror(errno));
        goto out;
    }
    zg_fsync_dir_of(dst);
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    cJSON_AddStringToObject(o, "hash", e->hash);
    cJSON_AddNumberToObject(o, "size", (double)e->size);
    cJSON_AddNumberToObject(o, "rows", (double)e->rows);
    cJSON_AddNumberToObject(o, "uploaded", (double)(e->uploaded ? e->uploaded : time(NULL)));
    if (cJSON_GetObjectItemCaseSensitive(idx, e->name))
        cJSON_ReplaceItemInObjectCaseSensitive(idx, e->name, o);
    else
        cJSON_AddItemToObject(idx, e->name, o);
    text = zg_json_text(idx);
    if (!text) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    rc = zg_write_atomic(idxp, text, strlen(text), err);
out:
    free(text);
    cJSON_Delete(idx);
    flock(lk, LOCK_UN);
    close(lk);
    return rc;
}

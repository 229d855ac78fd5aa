#include "zg/custmodel.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "zg/ftprovider.h"
#include "zg/hex.h"
#include "zg/predefined.h"

const cJSON *zg_custmodel_find(const cJSON *list, const char *name)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, list)
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "name"));
        if (cJSON_IsObject(m) && n && !strcmp(n, name))
            return m;
    }
    return NULL;
}

bool zg_custmodel_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ZG_CUSTMODEL_NAME_MAX || strspn(s, ".") == n)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
            return false;
    return true;
}

bool zg_custmodel_stem(const char *file, const char *suffix, char *stem)
{
    size_t n = strlen(file), k = strlen(suffix);
    if (n <= k || n - k > ZG_CUSTMODEL_NAME_MAX || strcmp(file + n - k, suffix))
        return false;
    memcpy(stem, file, n - k);
    stem[n - k] = 0;
    return zg_custmodel_name_ok(stem);
}

const cJSON *zg_custmodel_lookup(const cJSON *list, const char *name)
{
    if (zg_predefined_find_any(name) || !zg_custmodel_name_ok(name))
        return NULL;
    return zg_custmodel_find(list, name);
}

int zg_custmodel_hash(const cJSON *entry, char hash[67], zg_err *err)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "name"));
    const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "hash"));
    uint8_t b[32];
    bool zero = true;
    if (h && strlen(h) == 66 && zg_hex_decode_exact(b, 32, h, NULL) == 0)
        for (int i = 0; i < 32; i++)
            zero = zero && b[i] == 0;
    if (zero)
        return zg_err_set(err, EPROTO, "model %.60s: the provider gave no hash for it",
                          name ? name : "(unnamed)");
    hash[0] = '0';
    hash[1] = 'x';
    zg_hex_encode(hash + 2, b, 32);
    return 0;
}

int zg_custmodel_usage(zg_client *c, const char *url, const cJSON *entry, zg_buf *out, zg_err *err)
{
    char hash[67];
    if (zg_custmodel_hash(entry, hash, NULL) == 0)
        return zg_ftp_model_usage(c, url, hash, out, err);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "name"));
    if (!name)
        return zg_err_set(err, EPROTO, "the provider listed a model without a name");
    return zg_ftp_model_usage(c, url, name, out, err);
}

int zg_custmodel_usage_size(zg_client *c, const char *url, const cJSON *entry, uint64_t *size,
                            zg_err *err)
{
    char hash[67];
    if (zg_custmodel_hash(entry, hash, NULL) == 0)
        return zg_ftp_model_usage_size(c, url, hash, size, err);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "name"));
    if (!name)
        return zg_err_set(err, EPROTO, "the provider listed a model without a name");
    return zg_ftp_model_usage_size(c, url, name, size, err);
}

const char *zg_custmodel_listed(const cJSON *list, const cJSON *m)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "name");
    const char *n = cJSON_IsString(v) ? v->valuestring : NULL;
    return n && zg_custmodel_lookup(list, n) == m ? n : NULL;
}

cJSON *zg_predefined_json(const zg_predefined_model *m)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    cJSON_AddStringToObject(j, "name", m->name);
    cJSON_AddStringToObject(j, "kind", "predefined");
    cJSON_AddStringToObject(j, "hash", m->hash);
    cJSON_AddStringToObject(j, "dataType", "text"); /* every predefined model is a text model */
    cJSON_AddStringToObject(j, "tokenizer", m->tokenizer);
    cJSON_AddStringToObject(j, "description", m->description);
    return j;
}

cJSON *zg_custmodel_json(const cJSON *entry, const uint8_t provider[20])
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "name");
    cJSON_AddStringToObject(j, "name", cJSON_IsString(v) ? v->valuestring : NULL);
    cJSON_AddStringToObject(j, "kind", "customized");
    const cJSON *f;
    cJSON_ArrayForEach(f, entry)
    {
        if (!f->string || !strcmp(f->string, "name") || !strcmp(f->string, "kind") ||
            !strcmp(f->string, "provider"))
            continue;
        cJSON *dup = cJSON_Duplicate(f, true);
        if (dup)
            cJSON_AddItemToObject(j, f->string, dup);
    }
    char a[43];
    zg_addr_checksum(a, provider);
    cJSON_AddStringToObject(j, "provider", a);
    return j;
}

const char *zg_custmodel_version(const cJSON *entry)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "hash");
    const char *h = cJSON_IsString(v) ? v->valuestring : NULL;
    if (!h || !*h || strlen(h) > 66 || strspn(h, "0123456789abcdefABCDEFxX") != strlen(h))
        return "nohash";
    return h;
}

int zg_custmodel_bundle_dir(char *out, size_t cap, const char *state_dir, const char *provider,
                            zg_err *err)
{
    int n = snprintf(out, cap, "%s/usage%s%s", state_dir, provider ? "/" : "",
                     provider ? provider : "");
    if (n < 0 || (size_t)n >= cap)
        return zg_err_set(err, ENAMETOOLONG, "the state directory's path is too long");
    return 0;
}

int zg_custmodel_bundle_path(char *out, size_t cap, const char *state_dir, const char *provider,
                             const char *name, const cJSON *entry, zg_err *err)
{
    int n = snprintf(out, cap, "%s/usage/%s/%s-%s.zip", state_dir, provider, name,
                     zg_custmodel_version(entry));
    if (n < 0 || (size_t)n >= cap)
        return zg_err_set(err, ENAMETOOLONG, "the state directory's path is too long");
    return 0;
}

bool zg_custmodel_no_bundle(const zg_err *e)
{
    return e->code == EINVAL || e->code == ENOENT;
}

int zg_custmodel_usage_said(zg_buf *out, size_t len, const cJSON *entry, const char *name,
                            zg_err *err)
{
    char asked[67];
    return zg_buf_printf(out, err, "%zu bytes from GET /v1/model/desc/%s", len,
                         zg_custmodel_hash(entry, asked, NULL) == 0 ? asked : name);
}

int zg_model_files(const char *network, bool predefined, const cJSON *list, const char *suffix,
                   int (*add)(void *arg, const char *file, zg_err *err), void *arg, zg_err *err)
{
    char file[ZG_CUSTMODEL_NAME_MAX + 32];
    for (const zg_predefined_model *const *m = predefined ? zg_predefined_models(network) : NULL;
         m && *m; m++) {
        snprintf(file, sizeof file, "%s%s", (*m)->name, suffix);
        if (add(arg, file, err))
            return -1;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, list)
    {
        const char *n = zg_custmodel_listed(list, m);
        if (!n)
            continue;
        snprintf(file, sizeof file, "%s%s", n, suffix);
        if (add(arg, file, err))
            return -1;
    }
    return 0;
}

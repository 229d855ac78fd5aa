#include "zg/custmodel.h"

#include <ctype.h>
#include <errno.h>
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

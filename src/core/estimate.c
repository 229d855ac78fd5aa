#include "zg/estimate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/tokenizer.h"

/* One counted tokenizer file: models of one family share it. */
struct counted {
    char path[1024];
    int rc; /* 0 counted; -1 failed, why in msg */
    uint64_t tokens;
    char msg[ZG_ERR_MSG_MAX];
};

static const char *pick_tokenizer(const char *dir, const char *model, char *path, size_t cap)
{
    if (!dir)
        return NULL;
    snprintf(path, cap, "%s/%s/tokenizer.json", dir, model);
    if (access(path, R_OK) == 0)
        return path;
    snprintf(path, cap, "%s/tokenizer.json", dir);
    if (access(path, R_OK) == 0)
        return path;
    return NULL;
}

static struct counted *count_with(struct counted *cache, size_t *n, size_t max, const char *path,
                                  const char *dataset)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(cache[i].path, path) == 0)
            return &cache[i];
    if (*n == max)
        return NULL;
    struct counted *c = &cache[(*n)++];
    snprintf(c->path, sizeof c->path, "%s", path);
    zg_tokenizer *t = NULL;
    zg_err e = {0};
    c->rc =
        zg_tokenizer_load(&t, path, &e) || zg_token_count_dataset(t, dataset, &c->tokens, NULL, &e)
            ? -1
            : 0;
    snprintf(c->msg, sizeof c->msg, "%s", e.msg);
    zg_tokenizer_free(t);
    return c;
}

static int line(zg_buf *out, const char *model, const struct counted *k, const zg_u256 *price,
                uint64_t coefficient, const char *missing, zg_err *err)
{
    if (!k)
        return zg_buf_printf(out, err, "%s - - %s\n", model, missing);
    if (k->rc)
        return zg_buf_printf(out, err, "%s - - %s\n", model, k->msg);
    zg_u256 fee;
    char og[ZG_U256_DEC_MAX + 2];
    zg_err e = {0};
    if (zg_token_fee(&fee, k->tokens, price, 1, coefficient, NULL, &e))
        return zg_buf_printf(out, err, "%s %llu - %s\n", model, (unsigned long long)k->tokens,
                             e.msg);
    zg_amount_format(og, &fee);
    return zg_buf_printf(out, err, "%s %llu %s\n", model, (unsigned long long)k->tokens, og);
}

int zg_estimate_lines(zg_client *c, const char *url, const uint8_t provider[20],
                      const char *dataset_path, const char *tokenizer_dir, zg_buf *out, zg_err *err)
{
    zg_ft_service s;
    if (zg_ft_get_service(c, provider, &s, err))
        return -1;
    zg_u256 price = s.price_per_token;
    zg_ft_service_free(&s);

    cJSON *custom = NULL;
    zg_err merr = {0};
    if (zg_ftp_models(c, url, &custom, &merr))
        custom = NULL; /* the predefined lines still stand; say why below */

    struct counted cache[8];
    size_t ncache = 0;
    char path[1024];
    const char *missing = tokenizer_dir ? "no tokenizer.json for this model in the tokenizers "
                                          "directory"
                                        : "no tokenizer available offline; mount with "
                                          "-o tokenizers=DIR";
    int rc = 0;
    for (const zg_predefined_model *m = zg_ftp_predefined_models(); m->name && rc == 0; m++) {
        const char *p = pick_tokenizer(tokenizer_dir, m->name, path, sizeof path);
        struct counted *k = p ? count_with(cache, &ncache, 8, p, dataset_path) : NULL;
        rc = line(out, m->name, k, &price, m->coefficient, missing, err);
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, custom)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "name"));
        if (!name || rc)
            continue;
        const char *p = pick_tokenizer(tokenizer_dir, name, path, sizeof path);
        struct counted *k = p ? count_with(cache, &ncache, 8, p, dataset_path) : NULL;
        rc = line(out, name, k, &price, ZG_CUSTOM_COEFFICIENT, missing, err);
    }
    if (!custom && rc == 0)
        rc = zg_buf_printf(out, err, "# the provider's customized models are unknown: %s\n",
                           merr.msg);
    cJSON_Delete(custom);
    return rc;
}

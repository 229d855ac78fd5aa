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
#include "zg/toksrc.h"
#include "zg/wait.h"

/* One counted tokenizer: models whose tokenizer files have the same bytes
 * share it (the Qwen models, and a customized model built on them). */
struct counted {
    char digest[65];
    int rc; /* 0 counted; -1 failed, why in msg */
    uint64_t tokens;
    char msg[ZG_ERR_MSG_MAX];
};

#define COUNTED_MAX 16

static void count_file(struct counted *k, const char *path, const char *dataset,
                       const zg_toksrc *src, const char *key)
{
    if (zg_toksrc_count_get(src, key, k->digest, &k->tokens) == 0) {
        k->rc = 0;
        return;
    }
    zg_tokenizer *t = NULL;
    zg_err e = {0};
    k->rc =
        zg_tokenizer_load(&t, path, &e) || zg_token_count_dataset(t, dataset, &k->tokens, NULL, &e)
            ? -1
            : 0;
    snprintf(k->msg, sizeof k->msg, "%s", e.msg);
    zg_tokenizer_free(t);
    if (k->rc == 0)
        zg_toksrc_count_put(src, key, k->digest, k->tokens);
}

/* The count for the tokenizer at path: from this call's list, the cache,
 * or counted now. *spare is used when the list is full. */
static const struct counted *count_with(struct counted *list, size_t *n, struct counted *spare,
                                        const char *path, const char *dataset, const zg_toksrc *src,
                                        const char *key)
{
    char digest[65];
    zg_err e = {0};
    if (zg_toksrc_digest(path, digest, &e)) {
        spare->rc = -1;
        snprintf(spare->msg, sizeof spare->msg, "%s", e.msg);
        return spare;
    }
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i].digest, digest) == 0)
            return &list[i];
    struct counted *k = *n < COUNTED_MAX ? &list[(*n)++] : spare;
    memcpy(k->digest, digest, sizeof digest);
    count_file(k, path, dataset, src, key);
    return k;
}

static int line(zg_buf *out, const char *model, const struct counted *k, const zg_u256 *price,
                uint64_t coefficient, zg_err *err)
{
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

/* One model's line: find its tokenizer, count (or say why not). */
static int model_line(zg_buf *out, const char *model, const char *ref, uint64_t coefficient,
                      const zg_u256 *price, struct counted *list, size_t *n, const char *dataset,
                      const zg_toksrc *src, const char *key, zg_err *err)
{
    char path[4096];
    struct counted spare = {0};
    const struct counted *k = &spare;
    zg_err e = {0};
    if (zg_toksrc_find(src, model, ref, path, sizeof path, &e)) {
        spare.rc = -1;
        snprintf(spare.msg, sizeof spare.msg, "%s", e.msg);
    } else {
        k = count_with(list, n, &spare, path, dataset, src, key);
    }
    return line(out, model, k, price, coefficient, err);
}

int zg_estimate_lines_src(zg_client *c, const char *url, const uint8_t provider[20],
                          const char *dataset_path, const char *dataset_key, const zg_toksrc *src,
                          zg_buf *out, zg_err *err)
{
    zg_ft_service s;
    if (zg_ft_get_service(c, provider, &s, err))
        return -1;
    zg_u256 price = s.price_per_token;
    zg_ft_service_free(&s);

    cJSON *custom = NULL;
    zg_err merr = {0};
    if (zg_ftp_models(c, url, &custom, &merr)) {
        /* A reader that was stopped gets its EINTR, not a partial answer. */
        if (zg_wait_stopped(zg_wait_current()))
            return zg_wait_check(zg_wait_current(), err);
        custom = NULL; /* the predefined lines still stand; say why below */
    }

    struct counted *list = calloc(COUNTED_MAX, sizeof *list);
    if (!list) {
        cJSON_Delete(custom);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    size_t n = 0;
    int rc = 0;
    for (const zg_predefined_model *const *m = zg_predefined_models(c->net.name); *m && rc == 0;
         m++)
        rc = model_line(out, (*m)->name, (*m)->tokenizer, (*m)->coefficient, &price, list, &n,
                        dataset_path, src, dataset_key, err);
    const cJSON *it;
    cJSON_ArrayForEach(it, custom)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "name"));
        const char *ref = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "tokenizer"));
        if (!name || !*name || strpbrk(name, " \n") || rc)
            continue; /* a name that would break the line format is no model of ours */
        rc = model_line(out, name, ref, ZG_CUSTOM_COEFFICIENT, &price, list, &n, dataset_path, src,
                        dataset_key, err);
    }
    if (!custom && rc == 0)
        rc = zg_buf_printf(out, err, "# the provider's customized models are unknown: %s\n",
                           merr.msg);
    free(list);
    cJSON_Delete(custom);
    return rc;
}

int zg_estimate_lines(zg_client *c, const char *url, const uint8_t provider[20],
                      const char *dataset_path, const char *tokenizer_dir, zg_buf *out, zg_err *err)
{
    zg_toksrc src = {.dir = tokenizer_dir};
    return zg_estimate_lines_src(c, url, provider, dataset_path, NULL, &src, out, err);
}

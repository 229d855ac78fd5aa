/* The local estimate (datasets/NAME.tokens) against what the devnet
 * provider charges: same token count, same fee. Usage:
 * estimate DEVNET_JSON WORKDIR TOKENIZER_DIR */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/check.h"
#include "zg/estimate.h"
#include "zg/ftprovider.h"
#include "zg/tasks.h"

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "r");
    static char text[65536];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = 0;
    return cJSON_Parse(text);
}

/* The fee column of the line for model in the estimate text. */
static bool fee_of(const char *text, const char *model, char *tokens, char *fee)
{
    char pat[80];
    snprintf(pat, sizeof pat, "%s ", model);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, pat, strlen(pat)) == 0)
            return sscanf(p + strlen(pat), "%31s %79s", tokens, fee) == 2;
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    cJSON *dn = read_json(argv[1]);
    cJSON *ftj = cJSON_GetObjectItem(cJSON_GetObjectItem(dn, "providers"), "fineTuning");
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(ftj, "url"));
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(dn, "accounts"), "user"), "privateKey"));
    zg_network net;
    zg_key key;
    zg_client *c;
    zg_journal *j;
    zg_err e = {0};
    uint8_t prov[20];
    char jdir[600], ds[600];
    snprintf(jdir, sizeof jdir, "%s/journal", argv[2]);
    snprintf(ds, sizeof ds, "%s/qa.jsonl", argv[2]);
    if (zg_network_from_devnet(&net, argv[1], &e) || !hex || !url ||
        zg_addr_parse(prov, cJSON_GetStringValue(cJSON_GetObjectItem(ftj, "address")), &e) ||
        zg_key_from_hex(&key, hex, &e) || zg_client_open(&c, &net, &key, NULL, &e) ||
        zg_journal_open(&j, jdir, &e)) {
        printf("# setup: %s\n", e.msg);
        return 2;
    }
    FILE *f = fopen(ds, "w");
    fprintf(f, "{\"instruction\":\"Translate to French: good morning\",\"input\":\"\","
               "\"output\":\"Bonjour.\"}\n"
               "{\"messages\":[{\"role\":\"user\",\"content\":\"你好，今天天气怎么样？\"},"
               "{\"role\":\"assistant\",\"content\":\"今天天气很好 ☀️\"}]}\n"
               "{\"text\":\"def add(a, b):\\n    return a + b  # 🚀\"}\n");
    fclose(f);

    zg_buf out;
    zg_buf_init(&out, 0);
    CHECK(zg_estimate_lines(c, url, prov, ds, argv[3], &out, &e) == 0, "estimate made: %s", e.msg);
    for (char *l = strtok((char *)out.data, "\n"); l; l = strtok(NULL, "\n"))
        printf("# %s\n", l);
    zg_buf_reset(&out);
    zg_estimate_lines(c, url, prov, ds, argv[3], &out, &e);
    char tokens[32], fee[80];
    CHECK(fee_of((char *)out.data, "Qwen2.5-0.5B-Instruct", tokens, fee), "a Qwen2.5 line");
    CHECK(fee_of((char *)out.data, "Qwen3-32B", tokens, fee), "a Qwen3 line");
    CHECK(fee_of((char *)out.data, "zg-tiny-lora", tokens, fee) && strcmp(tokens, "-") != 0,
          "the customized model's line has a count: %s tokens, %s OG per epoch", tokens, fee);

    zg_buf none;
    zg_buf_init(&none, 0);
    CHECK(zg_estimate_lines(c, url, prov, ds, NULL, &none, &e) == 0 &&
              strstr((char *)none.data, "zg-tiny-lora - - no tokenizer"),
          "without tokenizers every line says why");
    zg_buf_free(&none);

    /* The provider's charge for the same dataset, 2 epochs. */
    char hash[67];
    zg_err_clear(&e);
    CHECK(zg_ftp_upload_dataset(c, url, ds, "qa.jsonl", hash, &e) == 0, "dataset uploaded: %s",
          e.msg);
    const char *params = "{\"neftune_noise_alpha\":5,\"num_train_epochs\":2,"
                         "\"per_device_train_batch_size\":2,\"learning_rate\":0.0002,"
                         "\"max_steps\":-1}";
    zg_task_new t = {
        .provider = prov, .url = url, .model = "zg-tiny-lora", .dataset = hash, .params = params};
    char id[37];
    zg_err_clear(&e);
    CHECK(zg_task_create(c, j, &t, id, &e) == 0, "task created: %s", e.msg);
    const char *charged = NULL;
    cJSON *task = NULL;
    for (int i = 0; i < 300 && !charged; i++) {
        cJSON_Delete(task);
        task = NULL;
        zg_ftp_get_task(c, url, id, &task, NULL);
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(task, "progress"));
        if (p && strcmp(p, "Init") != 0 && strcmp(p, "SettingUp") != 0)
            charged = cJSON_GetStringValue(cJSON_GetObjectItem(task, "fee"));
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    /* fee = per-epoch x epochs + storage units x 0.001 OG */
    zg_u256 per, want, storage;
    zg_amount_parse(&per, fee, NULL);
    zg_u256_mul_u64(&want, &per, 2);
    zg_u256_from_u64(&storage, ZG_CUSTOM_STORAGE_UNITS * ZG_STORAGE_FEE_UNIT);
    zg_u256_add(&want, &want, &storage);
    char want_dec[ZG_U256_DEC_MAX];
    zg_u256_to_dec(want_dec, &want);
    CHECK_STR(charged, want_dec,
              "the provider charges what the estimate says (2 epochs + storage fee)");
    cJSON_Delete(task);
    zg_ftp_cancel_task(c, url, id, NULL);
    zg_buf_free(&out);
    zg_journal_close(j);
    zg_client_close(c);
    zg_key_wipe(&key);
    cJSON_Delete(dn);
    return check_done();
}

/* The local estimate (datasets/NAME.tokens) against what the devnet
 * provider charges: same token count, same fee, for the customized model
 * and the devnet's predefined one. The predefined models per network
 * (zg/predefined.h): a client of the devnet sees and accepts mock-model
 * only; the same chain and provider under a network record named mainnet
 * or testnet shows those networks' tables, so their lines (Qwen3-32B's
 * coefficient 8, the Hugging Face source of the Qwen tokenizers) are
 * checked here too. Usage: estimate DEVNET_JSON WORKDIR TOKENIZER_DIR */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"
#include "zg/estimate.h"
#include "zg/ftprovider.h"
#include "zg/predefined.h"
#include "zg/tasks.h"
#include "zg/toksrc.h"

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

/* The first word of each line, space-joined. */
static void models_of(const char *text, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t n = strcspn(p, " \n");
        if (n && *p != '#' && o + n + 2 < cap) {
            if (o)
                out[o++] = ' ';
            memcpy(out + o, p, n);
            o += n;
            out[o] = 0;
        }
    }
}

/* The estimate text of client c with tokenizers from dir. */
static char *estimate(zg_client *c, const char *url, const uint8_t prov[20], const char *ds,
                      const char *dir)
{
    zg_buf out;
    zg_err e = {0};
    zg_buf_init(&out, 0);
    if (zg_estimate_lines(c, url, prov, ds, dir, &out, &e)) {
        printf("# estimate: %s\n", e.msg);
        zg_buf_free(&out);
        return strdup("");
    }
    for (const char *p = (const char *)out.data; p && *p;
         p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        printf("#   %.*s\n", (int)strcspn(p, "\n"), p);
    return (char *)zg_buf_steal(&out, NULL);
}

/* The number of task records in the journal and of tasks at the provider. */
static int n_tasks(zg_client *c, zg_journal *j, const char *url)
{
    cJSON *recs = NULL, *list = NULL;
    zg_journal_records(j, "task", &recs, NULL);
    zg_ftp_list_tasks(c, url, false, &list, NULL);
    int n = cJSON_GetArraySize(recs) + cJSON_GetArraySize(list);
    cJSON_Delete(recs);
    cJSON_Delete(list);
    return n;
}

/* Create a task for model with the uploaded dataset, 2 epochs, and wait for
 * the fee the provider writes after setup; it is cancelled afterwards. */
static char *charged_fee(zg_client *c, zg_journal *j, const uint8_t prov[20], const char *url,
                         const char *model, const char *dataset)
{
    const char *params = "{\"neftune_noise_alpha\":5,\"num_train_epochs\":2,"
                         "\"per_device_train_batch_size\":2,\"learning_rate\":0.0002,"
                         "\"max_steps\":-1}";
    zg_task_new t = {
        .provider = prov, .url = url, .model = model, .dataset = dataset, .params = params};
    char id[37];
    zg_err e = {0};
    CHECK(zg_task_create(c, j, &t, id, &e) == 0, "a task with %s created: %s", model, e.msg);
    if (e.code)
        return NULL;
    char *charged = NULL;
    cJSON *task = NULL;
    for (int i = 0; i < 300 && !charged; i++) {
        cJSON_Delete(task);
        task = NULL;
        zg_ftp_get_task(c, url, id, &task, NULL);
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(task, "progress"));
        const char *fee = cJSON_GetStringValue(cJSON_GetObjectItem(task, "fee"));
        if (p && fee && strcmp(p, "Init") != 0 && strcmp(p, "SettingUp") != 0)
            charged = strdup(fee);
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    cJSON_Delete(task);
    zg_err_clear(&e);
    CHECK(zg_ftp_cancel_task(c, url, id, &e) == 0, "...cancelled after setup: %s", e.msg);
    return charged;
}

/* fee per epoch (OG text) x 2 epochs + units x 0.001 OG, in neuron. */
static void two_epochs(char out[ZG_U256_DEC_MAX], const char *fee, uint64_t units)
{
    zg_u256 per, want, storage;
    zg_amount_parse(&per, fee, NULL);
    zg_u256_mul_u64(&want, &per, 2);
    zg_u256_from_u64(&storage, units * ZG_STORAGE_FEE_UNIT);
    zg_u256_add(&want, &want, &storage);
    zg_u256_to_dec(out, &want);
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
    zg_network net, as_main, as_test;
    zg_key key;
    zg_client *c, *cmain, *ctest;
    zg_journal *j;
    zg_err e = {0};
    uint8_t prov[20];
    char jdir[600], ds[600];
    snprintf(jdir, sizeof jdir, "%s/journal", argv[2]);
    snprintf(ds, sizeof ds, "%s/qa.jsonl", argv[2]);
    if (zg_network_from_devnet(&net, argv[1], &e) || !hex || !url ||
        zg_addr_parse(prov, cJSON_GetStringValue(cJSON_GetObjectItem(ftj, "address")), &e) ||
        zg_key_from_hex(&key, hex, &e)) {
        printf("# setup: %s\n", e.msg);
        return 2;
    }
    /* The devnet's chain and contracts under the names of the other
     * networks: only the predefined models' table follows the name. */
    as_main = as_test = net;
    snprintf(as_main.name, sizeof as_main.name, "mainnet");
    snprintf(as_test.name, sizeof as_test.name, "testnet");
    if (zg_client_open(&c, &net, &key, NULL, &e) ||
        zg_client_open(&cmain, &as_main, &key, NULL, &e) ||
        zg_client_open(&ctest, &as_test, &key, NULL, &e) || zg_journal_open(&j, jdir, &e)) {
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

    /* ---- the devnet's lines: its predefined model, then the provider's */
    char names[200], tokens[32], fee[80], mtokens[32], mfee[80];
    char *dev = estimate(c, url, prov, ds, argv[3]);
    models_of(dev, names, sizeof names);
    CHECK_STR(names, "mock-model zg-tiny-lora deadbeef-lora",
              "devnet: the SDK's HARDHAT_MODELS (mock-model), then the customized models");
    CHECK(fee_of(dev, "zg-tiny-lora", tokens, fee) && strcmp(tokens, "-") != 0,
          "the customized model's line has a count: %s tokens, %s OG per epoch", tokens, fee);
    CHECK(fee_of(dev, "mock-model", mtokens, mfee) && strcmp(mtokens, tokens) == 0 &&
              strcmp(mfee, fee) == 0,
          "mock-model (coefficient 1, the same tokenizer file): the same count and fee");

    zg_buf none;
    zg_buf_init(&none, 0);
    CHECK(zg_estimate_lines(c, url, prov, ds, NULL, &none, &e) == 0 &&
              strstr((char *)none.data, "zg-tiny-lora - - no tokenizer"),
          "without tokenizers every line says why");
    zg_buf_free(&none);

    /* ---- the same chain under the other networks' tables */
    char *mn = estimate(cmain, url, prov, ds, argv[3]);
    models_of(mn, names, sizeof names);
    CHECK_STR(names, "Qwen2.5-0.5B-Instruct Qwen3-32B zg-tiny-lora deadbeef-lora",
              "mainnet: the SDK's MAINNET_MODELS, no mock-model");
    char qt[32], qf[80], q3t[32], q3f[80];
    CHECK(fee_of(mn, "Qwen2.5-0.5B-Instruct", qt, qf) && fee_of(mn, "Qwen3-32B", q3t, q3f) &&
              strcmp(qt, tokens) == 0 && strcmp(q3t, tokens) == 0,
          "mainnet: both Qwen lines count with the family's tokenizer");
    zg_u256 a, b;
    zg_amount_parse(&a, qf, NULL);
    zg_amount_parse(&b, q3f, NULL);
    zg_u256_mul_u64(&a, &a, 8);
    CHECK(zg_u256_cmp(&a, &b) == 0, "mainnet: Qwen3-32B's fee is 8 x Qwen2.5's (%s, %s OG)", qf,
          q3f);
    char *tn = estimate(ctest, url, prov, ds, argv[3]);
    models_of(tn, names, sizeof names);
    CHECK_STR(names, "Qwen2.5-0.5B-Instruct zg-tiny-lora deadbeef-lora",
              "testnet: the SDK's TESTNET_MODELS");
    free(mn);
    free(tn);

    /* ---- names of another network's model are refused, naming it */
    char hash[67];
    zg_err_clear(&e);
    CHECK(zg_task_model_hash(c, url, "Qwen3-32B", hash, &e) == -1 && e.code == ENOENT &&
              strstr(e.msg, "of mainnet, not of devnet") && strstr(e.msg, "mock-model"),
          "devnet: Qwen3-32B is refused, naming mainnet and the devnet's models: %s", e.msg);
    zg_err_clear(&e);
    CHECK(zg_task_model_hash(c, url, "Qwen2.5-0.5B-Instruct", hash, &e) == -1 && e.code == ENOENT &&
              strstr(e.msg, "mainnet and testnet"),
          "devnet: Qwen2.5-0.5B-Instruct is refused: %s", e.msg);
    zg_err_clear(&e);
    CHECK(zg_task_model_hash(c, url, "mock-model", hash, &e) == 0 &&
              strcmp(hash, zg_predefined_find("devnet", "mock-model")->hash) == 0 &&
              strcmp(hash, "0xcb42b5ca9e998c82dd239ef2d20d22a4ae16b3dc0ce0a855c93b52c7c2bab6dc") ==
                  0,
          "devnet: mock-model resolves to the SDK's hash");
    zg_err_clear(&e);
    CHECK(zg_task_model_hash(cmain, url, "mock-model", hash, &e) == -1 && e.code == ENOENT &&
              strstr(e.msg, "of devnet, not of mainnet"),
          "mainnet: mock-model is refused: %s", e.msg);
    zg_err_clear(&e);
    CHECK(zg_task_model_hash(cmain, url, "Qwen3-32B", hash, &e) == 0 &&
              strcmp(hash, "0x2e6f9620c35bdcb2b753cc7aa34e78077a8ed133e36fa36008fd6bdfd29af3a5") ==
                  0,
          "mainnet: Qwen3-32B resolves to the SDK's hash");

    /* ---- what the provider charges = the estimate, for both kinds */
    char dhash[67], want[ZG_U256_DEC_MAX];
    zg_err_clear(&e);
    CHECK(zg_ftp_upload_dataset(c, url, ds, "qa.jsonl", dhash, &e) == 0, "dataset uploaded: %s",
          e.msg);
    int before = n_tasks(c, j, url);
    zg_task_new bad = {.provider = prov,
                       .url = url,
                       .model = "Qwen3-32B",
                       .dataset = dhash,
                       .params = "{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,"
                                 "\"per_device_train_batch_size\":2,\"learning_rate\":0.0002,"
                                 "\"max_steps\":-1}"};
    char id[37];
    zg_err_clear(&e);
    CHECK(zg_task_create(c, j, &bad, id, &e) == -1 && e.code == ENOENT &&
              n_tasks(c, j, url) == before,
          "devnet: a task naming Qwen3-32B is refused before anything is journaled or sent");

    char *charged = charged_fee(c, j, prov, url, "zg-tiny-lora", dhash);
    two_epochs(want, fee, ZG_CUSTOM_STORAGE_UNITS);
    CHECK_STR(charged, want,
              "zg-tiny-lora: the provider charges what the estimate says (2 epochs + storage)");
    free(charged);
    charged = charged_fee(c, j, prov, url, "mock-model", dhash);
    two_epochs(want, mfee, zg_predefined_find("devnet", "mock-model")->storage_units);
    CHECK_STR(charged, want,
              "mock-model: the provider charges what the estimate says (2 epochs + storage)");
    free(charged);

    /* ---- the Hugging Face source of a Qwen tokenizer (testnet's table) */
    char cache[700], marker[800];
    snprintf(cache, sizeof cache, "%s/tokcache", argv[2]);
    zg_toksrc offline = {.cache_dir = cache, .hub_url = "http://127.0.0.1:1"};
    zg_buf hub;
    zg_buf_init(&hub, 0);
    zg_err_clear(&e);
    CHECK(zg_estimate_lines_src(ctest, url, prov, ds, NULL, &offline, &hub, &e) == 0 &&
              strstr((char *)hub.data, "Qwen2.5-0.5B-Instruct - - ") &&
              strstr((char *)hub.data, "http://127.0.0.1:1/Qwen/Qwen2.5-0.5B-Instruct/resolve/"
                                       "main/tokenizer.json") &&
              strstr((char *)hub.data, "tokenizers=DIR"),
          "an unreachable hub: Qwen2.5's line names the download that failed");
    snprintf(marker, sizeof marker, "%s/failed/hf-Qwen--Qwen2.5-0.5B-Instruct", cache);
    CHECK(access(marker, F_OK) == 0, "...and the failure is remembered");
    zg_toksrc copy = {.hub_copy = argv[3]};
    zg_buf_reset(&hub);
    CHECK(zg_estimate_lines_src(ctest, url, prov, ds, NULL, &copy, &hub, &e) == 0 &&
              fee_of((char *)hub.data, "Qwen2.5-0.5B-Instruct", qt, qf) && strcmp(qt, tokens) == 0,
          "a local stand-in for the hub: Qwen2.5 counts with it");
    zg_buf_free(&hub);

    free(dev);
    zg_journal_close(j);
    zg_client_close(c);
    zg_client_close(cmain);
    zg_client_close(ctest);
    zg_key_wipe(&key);
    cJSON_Delete(dn);
    return check_done();
}

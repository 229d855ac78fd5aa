/* The rules the filesystem's command files forward to, without a network:
 * what a written line or document means, and what it is refused with. The
 * mount's suites (tests/fs) prove the same functions behind the files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/adapter.h"
#include "zg/custmodel.h"
#include "zg/tasks.h"
#include "zg/teecheck.h"

static const char task[] = "0F6E2C8A-1B2C-4D5E-8F90-A1B2C3D4E5F6";
static const char task_lc[] = "0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
static const char ft[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

static int names_dataset(void *arg, const char *name, char hash[67], zg_err *err)
{
    (void)arg;
    if (strcmp(name, "both") && strcmp(name, "mine"))
        return zg_err_set(err, ENOENT, "no such dataset");
    snprintf(hash, 67, "0x%064d", 1);
    return 0;
}

static int names_storage(void *arg, const char *name, char root[67], zg_err *err)
{
    (void)arg;
    if (!strcmp(name, "unreadable"))
        return zg_err_set(err, EIO, "index unreadable");
    if (strcmp(name, "both") && strcmp(name, "stored"))
        return zg_err_set(err, ENOENT, "no such name");
    snprintf(root, 67, "0x%064d", 2);
    return 0;
}

static void tasks(void)
{
    char id[37], h[67];
    zg_err e = {0};
    CHECK(zg_task_id_parse(task, id, &e) == 0 && !strcmp(id, task_lc), "a task id, lower-cased");
    CHECK(zg_task_id_parse("0f6e2c8a1b2c-4d5e-8f90-a1b2c3d4e5f6x", id, &e) == -1 &&
              e.code == ENOENT,
          "a misplaced dash is no task id");

    zg_dataset_names n = {names_dataset, names_storage, NULL};
    char given[67];
    snprintf(given, sizeof given, "0x%064d", 7);
    CHECK(zg_task_dataset_resolve(&n, given, h, &e) == 0 && !strcmp(h, given), "a hash as given");
    CHECK(zg_task_dataset_resolve(&n, "both", h, &e) == 0 && h[65] == '1',
          "a datasets/ name wins over the same storage/ name");
    CHECK(zg_task_dataset_resolve(&n, "stored", h, &e) == 0 && h[65] == '2', "a storage/ name");
    CHECK(zg_task_dataset_resolve(&n, "absent", h, &e) == -1 && e.code == ENOENT &&
              strstr(e.msg, "neither in datasets/ nor in storage/"),
          "a name in neither: %s", e.msg);
    CHECK(zg_task_dataset_resolve(&n, "unreadable", h, &e) == -1 && e.code == EIO,
          "another error is passed on, not turned into ENOENT");
    CHECK(zg_task_dataset_resolve(NULL, "mine", h, &e) == -1 && e.code == ENOENT,
          "no names at all");
}

static void adapters(void)
{
    zg_adapter_target t;
    zg_err e = {0};
    CHECK(zg_adapter_name_ok("Qwen2.5-0.5B_task-1") && !zg_adapter_name_ok(".hidden") &&
              !zg_adapter_name_ok("a/b") && !zg_adapter_name_ok(""),
          "adapter names: letters, digits, - _ ., no leading dot");
    CHECK(zg_adapter_target_parse(task, &t, &e) == 0 && !strcmp(t.task_id, task_lc) && !t.has_ft &&
              !t.name[0],
          "deploy by task id");
    char line[200];
    snprintf(line, sizeof line, "%s %s", ft, task);
    CHECK(zg_adapter_target_parse(line, &t, &e) == 0 && t.has_ft && t.ft[0] == 0x70 &&
              !strcmp(t.task_id, task_lc),
          "deploy by fine-tuning provider and task id");
    CHECK(zg_adapter_target_parse("my-adapter", &t, &e) == 0 && !strcmp(t.name, "my-adapter") &&
              !t.task_id[0],
          "deploy by name");
    CHECK(zg_adapter_target_parse("a b c", &t, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "FTPROVIDER TASK-ID"),
          "anything else: %s", e.msg);
    snprintf(line, sizeof line, "notanaddress %s", task);
    CHECK(zg_adapter_target_parse(line, &t, &e) == -1 && e.code == EINVAL,
          "a task id after something that is no address");

    uint8_t inf[20];
    bool given = true;
    CHECK(zg_adapter_inf_parse(" \t", inf, &given, &e) == 0 && !given, "an empty line: default");
    CHECK(zg_adapter_inf_parse(ft, inf, &given, &e) == 0 && given && inf[19] == 0xc8, "an address");
    CHECK(zg_adapter_inf_parse("nope", inf, &given, &e) == -1 && e.code == EINVAL,
          "anything else: %s", e.msg);

    zg_inf_service svc[3] = {{.provider = {1}, .tee_acknowledged = true},
                             {.provider = {2}, .tee_acknowledged = false},
                             {.provider = {3}, .tee_acknowledged = true}};
    uint8_t self[20] = {2}, other[20] = {9};
    CHECK(zg_adapter_default_inf(self, svc, 3, inf, &e) == 0 && inf[0] == 2,
          "a provider that serves inference deploys its own tasks");
    CHECK(zg_adapter_default_inf(other, svc, 3, inf, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "2 inference providers are listed"),
          "else there must be one listed provider: %s", e.msg);
    CHECK(zg_adapter_default_inf(other, svc, 2, inf, &e) == 0 && inf[0] == 1,
          "the only listed one (an unlisted one does not count)");

    char *body = NULL;
    CHECK(zg_adapter_chat_body("ad", "hello?\n", 7, &body, &e) == 0 && body &&
              !strcmp(body, "{\"messages\":[{\"role\":\"user\",\"content\":\"hello?\"}],"
                            "\"model\":\"ad\"}"),
          "a question is one user message: %s", body ? body : e.msg);
    free(body);
    const char *req = "{\"messages\":[],\"stream\":true,\"model\":\"ad\",\"temperature\":0}";
    CHECK(zg_adapter_chat_body("ad", req, strlen(req), &body, &e) == 0 && body &&
              !strstr(body, "stream") && strstr(body, "\"temperature\":0") &&
              strstr(body, "\"model\":\"ad\""),
          "a request keeps its members, without stream: %s", body ? body : e.msg);
    free(body);
    req = "{\"messages\":[],\"model\":\"other\"}";
    CHECK(zg_adapter_chat_body("ad", req, strlen(req), &body, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "leave \"model\" out"),
          "another model is refused: %s", e.msg);
    req = "{\"prompt\":\"x\"}";
    CHECK(zg_adapter_chat_body("ad", req, strlen(req), &body, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "\"messages\""),
          "a request without messages: %s", e.msg);
    CHECK(zg_adapter_chat_body("ad", " \n\n", 3, &body, &e) == -1 && e.code == EINVAL,
          "an empty prompt");
    CHECK(zg_adapter_chat_body("ad", "a\0b", 3, &body, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "NUL"),
          "NUL bytes");
}

static void models(void)
{
    cJSON *list = cJSON_Parse("[{\"name\":\"Qwen3-32B\",\"hash\":\"0x01\"},"
                              "{\"name\":\"mine\",\"hash\":\"0x02\"},"
                              "{\"name\":\"mine\",\"hash\":\"0x03\"},"
                              "{\"name\":\"a b\",\"hash\":\"0x04\"}]");
    const cJSON *m = zg_custmodel_lookup(list, "mine");
    CHECK(m && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(m, "hash")), "0x02"),
          "a customized model by name: its first entry");
    CHECK(!zg_custmodel_lookup(list, "Qwen3-32B"),
          "a predefined model's name (any network) is never a customized one");
    CHECK(!zg_custmodel_lookup(list, "a b"), "a name that cannot be a file is not looked up");
    CHECK(!zg_custmodel_lookup(list, "other"), "an absent name");
    cJSON_Delete(list);

    char stem[ZG_CUSTMODEL_NAME_MAX + 1], longer[ZG_CUSTMODEL_NAME_MAX + 20];
    CHECK(zg_custmodel_stem("mine.usage.zip", ".usage.zip", stem) && !strcmp(stem, "mine"),
          "the model of NAME.usage.zip");
    CHECK(!zg_custmodel_stem("mine.json", ".usage.zip", stem) &&
              !zg_custmodel_stem(".json", ".json", stem) &&
              !zg_custmodel_stem("...json", ".json", stem),
          "another suffix, an empty or all-dots name");
    memset(longer, 'a', sizeof longer);
    strcpy(longer + ZG_CUSTMODEL_NAME_MAX, ".json");
    CHECK(zg_custmodel_stem(longer, ".json", stem), "a name of the longest length");
    strcpy(longer + ZG_CUSTMODEL_NAME_MAX + 1, ".json");
    CHECK(!zg_custmodel_stem(longer, ".json", stem), "one byte longer is refused");
}

static void attestation(void)
{
    zg_tee_policy pol = {0};
    zg_buf doc, out;
    zg_buf_init(&doc, 0);
    zg_buf_init(&out, 0);
    zg_buf_append_str(&doc, "not a document", NULL);
    uint8_t signer[20] = {0};
    zg_tee_verdict v;
    zg_err e = {0};
    CHECK(zg_tee_check_layouts(NULL, &pol, &doc, &doc, signer, 1700000000, &v, &e) == 0 &&
              v.fails == 2 && strstr((const char *)v.text.data, "FAIL format (default layout)") &&
              strstr((const char *)v.text.data, "FAIL format (legacy layout)"),
          "each layout is checked and named");
    zg_tee_verdict_result(&v, true, &out, NULL);
    zg_buf_append_byte(&out, 0, NULL);
    CHECK_STR((const char *)out.data, "RESULT FAIL: 2 checks failed\n", "two failures fail it");
    zg_tee_verdict_free(&v);
    zg_tee_verdict pass = {.skips = 1};
    zg_buf_reset(&out);
    zg_tee_verdict_result(&pass, false, &out, NULL);
    zg_buf_append_byte(&out, 0, NULL);
    CHECK_STR((const char *)out.data,
              "RESULT PASS: every check that ran passed (default layout only); 1 skipped (SKIP "
              "lines)\n",
              "a pass with skipped steps says so");
    zg_buf_free(&doc);
    zg_buf_free(&out);
}

int main(void)
{
    attestation();
    models();
    tasks();
    adapters();
    return check_done();
}

/* The files of models/ (zg/modelfiles.h): which file names are a model,
 * which NAME.json is built in, when NAME.usage.zip is there, and where a
 * bundle is kept. tests/fs/models.sh reads the same files through a mount
 * against the provider simulator (bundles, "no bundle", sizes). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/modelfiles.h"

static const char prov[] = "0xAbCdEf0123456789aBcDeF0123456789abCDef01";

static void names(void)
{
    char name[ZG_CUSTMODEL_NAME_MAX + 1], canon[ZG_MODEL_FILE_MAX];
    zg_err e = {0};
    CHECK(zg_model_file_name(ZG_MF_JSON, "my-lora.json", name, &e) == 0 && !strcmp(name, "my-lora"),
          "NAME.json: the model NAME");
    CHECK(zg_model_file_name(ZG_MF_ZIP, "my-lora.usage.zip", name, &e) == 0 &&
              !strcmp(name, "my-lora"),
          "NAME.usage.zip: the model NAME");
    CHECK(zg_model_file_name(ZG_MF_JSON, "my-lora.usage.zip", name, &e) == -1,
          "NAME.usage.zip is no NAME.json");
    CHECK(zg_model_file_name(ZG_MF_JSON, "a b.json", name, &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "not a model file"),
          "an unusable name: ENOENT \"not a model file\"");
    CHECK(zg_model_file_name(ZG_MF_ZIP, "x.json", name, &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "not a usage bundle"),
          "no .usage.zip: ENOENT \"not a usage bundle\"");
    CHECK(zg_model_json_file_parse("Qwen.json", canon, &e) == 0 && !strcmp(canon, "Qwen.json"),
          "the namespace takes NAME.json as spelled (names are case-sensitive)");
    CHECK(zg_model_zip_file_parse(".usage.zip", canon, &e) == -1, "no name, no bundle");
    CHECK_STR(zg_model_file_suffix(ZG_MF_ZIP), ".usage.zip", "the bundle's suffix");
}

static void builtin(void)
{
    const zg_predefined_model *pm;
    zg_err e = {0};
    CHECK(zg_model_json_builtin("devnet", "mock-model.json", &pm, &e) == 0 && pm &&
              !strcmp(pm->name, "mock-model"),
          "a predefined model of the network is built in");
    CHECK(zg_model_json_builtin("devnet", "custom.json", &pm, &e) == 0 && !pm,
          "any other name is the provider's to answer");
    CHECK(zg_model_json_builtin("devnet", "Qwen3-32B.json", &pm, &e) == -1 && !pm &&
              e.code == ENOENT && strstr(e.msg, "not of devnet"),
          "another network's predefined model: ENOENT naming the network");
}

static void bundles(void)
{
    cJSON *list = cJSON_Parse("[{\"name\":\"lora-a\",\"hash\":\"0x" // a usable hash: the version
                              "1111111111111111111111111111111111111111111111111111111111111111\"},"
                              "{\"name\":\"lora-b\"}]");
    zg_marks *marks;
    zg_err e = {0};
    if (!list || zg_marks_new(&marks, 16, NULL))
        abort();
    CHECK(zg_model_zip_present(marks, list, prov, "lora-a.usage.zip", &e) == 0,
          "a customized model's bundle is there until the provider says otherwise");
    CHECK(zg_model_zip_present(marks, list, prov, "lora-c.usage.zip", &e) == -1 &&
              e.code == ENOENT && strstr(e.msg, "has no customized model lora-c"),
          "no such model: ENOENT");
    char name[ZG_CUSTMODEL_NAME_MAX + 1];
    const cJSON *m;
    CHECK(zg_model_custom(list, prov, ZG_MF_ZIP, "lora-b.usage.zip", true, name, &m, &e) == 0 &&
              m == cJSON_GetArrayItem(list, 1) && !strcmp(name, "lora-b"),
          "a usage bundle's model, found in the list");
    CHECK(zg_model_custom(list, prov, ZG_MF_JSON, "lora-a.json", false, name, &m, &e) == 0 &&
              m == cJSON_GetArrayItem(list, 0),
          "a NAME.json's");
    CHECK(zg_model_custom(list, prov, ZG_MF_JSON, "lora-c.json", false, name, &m, &e) == -1 && !m &&
              e.code == ENOENT && !strcmp(e.msg + strlen(prov), " has no model lora-c"),
          "a name the list lacks: ENOENT (%s)", e.msg);
    CHECK(zg_model_custom(list, prov, ZG_MF_ZIP, "lora-c.usage.zip", true, name, &m, &e) == -1 &&
              e.code == ENOENT && !strcmp(e.msg + strlen(prov), " no longer has model lora-c"),
          "one seen before: it went (%s)", e.msg);
    CHECK(zg_model_custom(list, prov, ZG_MF_ZIP, "lora-a.json", true, name, &m, &e) == -1 &&
              e.code == ENOENT,
          "a file of another kind names no bundle");
    zg_model_bundle b = {.marks = marks,
                         .state_dir = "/state",
                         .provider = prov,
                         .name = "lora-a",
                         .entry = cJSON_GetArrayItem(list, 0)};
    zg_model_bundle_lacking(&b);
    CHECK(zg_model_zip_present(marks, list, prov, "lora-a.usage.zip", &e) == -1 &&
              e.code == ENOENT && strstr(e.msg, "has no usage bundle for lora-a"),
          "a bundle the provider lacks is hidden");
    CHECK(zg_model_zip_present(marks, list, prov, "lora-b.usage.zip", &e) == 0,
          "another model is not");
    cJSON *changed = cJSON_Parse("[{\"name\":\"lora-a\",\"hash\":\"0x"
                                 "2222222222222222222222222222222222222222222222222222222222222222"
                                 "\"}]");
    CHECK(changed && zg_model_zip_present(marks, changed, prov, "lora-a.usage.zip", &e) == 0,
          "a new version of the model is asked again");
    char path[512];
    CHECK(zg_model_bundle_path(&b, path, sizeof path, &e) == 0, "bundle path");
    CHECK_STR(path,
              "/state/usage/0xAbCdEf0123456789aBcDeF0123456789abCDef01/lora-a-0x1111111111111111"
              "111111111111111111111111111111111111111111111111.zip",
              "one file per provider, model and version");
    CHECK(zg_model_bundle_path(&b, path, 16, &e) == -1 && e.code == ENAMETOOLONG,
          "a path that does not fit: ENAMETOOLONG");
    zg_marks_free(marks);
    cJSON_Delete(list);
    cJSON_Delete(changed);
}

int main(void)
{
    names();
    builtin();
    bundles();
    return check_done();
}

/* The text of providers/P/models/ and providers/P/attestation/report,
 * built in the core without a network: which models are listed, their
 * documents, where a usage bundle is kept and what is said of it, and the
 * attestation report's lines. The mount's suites (fs/models,
 * fs/attestation) read the same functions behind the files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/custmodel.h"
#include "zg/hex.h"
#include "zg/teecheck.h"

static const char h02[] = "0x0000000000000000000000000000000000000000000000000000000000000002";

static int add_line(void *arg, const char *file, zg_err *err)
{
    return zg_buf_printf(arg, err, "%s\n", file);
}

static int add_fail(void *arg, const char *file, zg_err *err)
{
    (void)file;
    ++*(int *)arg;
    return zg_err_set(err, ENOSPC, "full");
}

static void listing(void)
{
    char json[1024];
    snprintf(json, sizeof json,
             "[{\"name\":\"Qwen3-32B\",\"hash\":\"0x01\"},"
             "{\"name\":\"mine\",\"hash\":\"%s\"},"
             "{\"name\":\"mine\",\"hash\":\"0x03\"},"
             "{\"name\":\"a b\",\"hash\":\"0x04\"},{\"hash\":\"0x05\"},"
             "{\"name\":\"other.v2\",\"hash\":\"../x\"}]",
             h02);
    cJSON *list = cJSON_Parse(json);
    const char *want[] = {NULL, "mine", NULL, NULL, NULL, "other.v2"};
    size_t i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, list)
    {
        const char *n = zg_custmodel_listed(list, m);
        CHECK(want[i] ? n && !strcmp(n, want[i]) : !n, "entry %zu listed as %s", i,
              want[i] ? want[i] : "nothing");
        i++;
    }
    CHECK(i == 6, "every entry seen");

    zg_buf got;
    zg_buf_init(&got, 0);
    CHECK(zg_model_files("testnet", false, list, ".usage.zip", add_line, &got, NULL) == 0,
          "bundles");
    zg_buf_append(&got, "", 1, NULL);
    CHECK_STR((const char *)got.data, "mine.usage.zip\nother.v2.usage.zip\n",
              "the bundles: the customized models listed, nothing predefined");
    zg_buf_free(&got);
    zg_buf_init(&got, 0);
    CHECK(zg_model_files("testnet", true, list, ".json", add_line, &got, NULL) == 0, "documents");
    zg_buf_append(&got, "", 1, NULL);
    char want_all[1024] = "";
    for (const zg_predefined_model *const *pm = zg_predefined_models("testnet"); *pm; pm++)
        snprintf(want_all + strlen(want_all), sizeof want_all - strlen(want_all), "%s.json\n",
                 (*pm)->name);
    strcat(want_all, "mine.json\nother.v2.json\n");
    CHECK(strlen(want_all) > strlen("mine.json\nother.v2.json\n"), "testnet has predefined models");
    CHECK_STR((const char *)got.data, want_all, "the documents: the network's predefined first");
    zg_buf_free(&got);
    int calls = 0;
    zg_err e = {0};
    CHECK(zg_model_files("testnet", false, list, ".json", add_fail, &calls, &e) == -1 &&
              calls == 1 && e.code == ENOSPC,
          "a failing add ends the walk with its error");
    cJSON_Delete(list);
}

static void documents(void)
{
    uint8_t prov[20];
    memset(prov, 0x11, 20);
    char p[43];
    zg_addr_checksum(p, prov);
    cJSON *m = cJSON_Parse("{\"hash\":\"0x02\",\"kind\":\"lora\",\"name\":\"mine\","
                           "\"provider\":\"0xforged\",\"size\":7,\"tags\":[\"a\"]}");
    cJSON *j = zg_custmodel_json(m, prov);
    char *s = cJSON_PrintUnformatted(j), want[512];
    snprintf(want, sizeof want,
             "{\"name\":\"mine\",\"kind\":\"customized\",\"hash\":\"0x02\",\"size\":7,"
             "\"tags\":[\"a\"],\"provider\":\"%s\"}",
             p);
    CHECK_STR(s, want, "a customized model: name, kind, the record as served, the provider last");
    free(s);
    cJSON_Delete(j);
    cJSON_Delete(m);

    const zg_predefined_model *pm = zg_predefined_find_any("Qwen3-32B");
    CHECK(pm != NULL, "a predefined model");
    if (!pm)
        return;
    j = zg_predefined_json(pm);
    s = cJSON_PrintUnformatted(j);
    snprintf(want, sizeof want,
             "{\"name\":\"Qwen3-32B\",\"kind\":\"predefined\",\"hash\":\"%s\",\"dataType\":"
             "\"text\",\"tokenizer\":\"%s\",\"description\":\"%s\"}",
             pm->hash, pm->tokenizer, pm->description);
    CHECK_STR(s, want, "a predefined model: a text model with its hash and tokenizer");
    free(s);
    cJSON_Delete(j);
}

static void bundles(void)
{
    char json[256];
    snprintf(json, sizeof json,
             "[{\"name\":\"mine\",\"hash\":\"%s\"},{\"name\":\"bad\","
             "\"hash\":\"0x1/../..\"},{\"name\":\"none\"}]",
             h02);
    cJSON *l = cJSON_Parse(json);
    const cJSON *mine = cJSON_GetArrayItem(l, 0), *bad = cJSON_GetArrayItem(l, 1),
                *none = cJSON_GetArrayItem(l, 2);
    CHECK_STR(zg_custmodel_version(mine), h02, "the hash names the version");
    CHECK_STR(zg_custmodel_version(bad), "nohash", "a hash that is no file name: nohash");
    CHECK_STR(zg_custmodel_version(none), "nohash", "no hash: nohash");

    char path[256];
    zg_err e = {0};
    CHECK(zg_custmodel_bundle_path(path, sizeof path, "/st", "0xP", "mine", mine, &e) == 0, "path");
    char want[256];
    snprintf(want, sizeof want, "/st/usage/0xP/mine-%s.zip", h02);
    CHECK_STR(path, want, "STATE/usage/PROVIDER/NAME-VERSION.zip");
    CHECK(zg_custmodel_bundle_path(path, 40, "/st", "0xP", "mine", mine, &e) == -1 &&
              e.code == ENAMETOOLONG,
          "a path that does not fit: ENAMETOOLONG");
    CHECK(zg_custmodel_bundle_dir(path, sizeof path, "/st", NULL, &e) == 0 &&
              !strcmp(path, "/st/usage"),
          "the top directory");
    CHECK(zg_custmodel_bundle_dir(path, sizeof path, "/st", "0xP", &e) == 0 &&
              !strcmp(path, "/st/usage/0xP"),
          "one provider's");

    zg_err inval = {.code = EINVAL}, noent = {.code = ENOENT}, io = {.code = EIO};
    CHECK(zg_custmodel_no_bundle(&inval) && zg_custmodel_no_bundle(&noent) &&
              !zg_custmodel_no_bundle(&io),
          "400 or 404: no bundle; anything else: asking failed");

    zg_buf ok;
    zg_buf_init(&ok, 0);
    zg_custmodel_usage_said(&ok, 123, mine, "mine", NULL);
    zg_custmodel_usage_said(&ok, 4, none, "none", NULL);
    zg_buf_append(&ok, "", 1, NULL);
    snprintf(want, sizeof want,
             "123 bytes from GET /v1/model/desc/%s4 bytes from GET "
             "/v1/model/desc/none",
             h02);
    CHECK_STR((const char *)ok.data, want, "asked by hash, else by name");
    zg_buf_free(&ok);
    cJSON_Delete(l);
}

static void report(void)
{
    CHECK(zg_tee_legacy_answered(EINVAL) && zg_tee_legacy_answered(ENOENT) &&
              zg_tee_legacy_answered(EPROTO) && !zg_tee_legacy_answered(ECONNREFUSED) &&
              !zg_tee_legacy_answered(ETIMEDOUT),
          "a refusal of the legacy layout is an answer; no answer is not");

    zg_ft_service s = {.url = "http://127.0.0.1:9/", .tee_acknowledged = true};
    memset(s.provider, 0x11, 20);
    memset(s.tee_signer, 0x22, 20);
    zg_buf doc = {.data = (uint8_t *)"abc", .len = 3}, leg = {.data = (uint8_t *)"", .len = 0};
    zg_tee_verdict d = {0};
    zg_buf_init(&d.text, 0);
    zg_buf_printf(&d.text, NULL, "PASS default: quote\n");
    char k1[256], k2[256], k3[256];
    zg_tee_verdict_key(k1, sizeof k1, s.provider, s.tee_signer, &doc, NULL);
    zg_tee_verdict_key(k2, sizeof k2, s.provider, s.tee_signer, &doc, &leg);
    zg_tee_verdict_key(k3, sizeof k3, s.provider, s.provider, &doc, &leg);
    CHECK(strcmp(k1, k2) && strcmp(k2, k3) && strstr(k1, ":-"),
          "the verdict's key follows the signer and both documents");

    char p[43], sg[43], want[2048];
    zg_addr_checksum(p, s.provider);
    zg_addr_checksum(sg, s.tee_signer);
    zg_buf out;
    zg_buf_init(&out, 0);
    zg_tee_report_ctx x = {.test_root = true, .pccs = "http://pccs"};
    CHECK(zg_tee_report(&s, &doc, &leg, NULL, &d, &x, &out, NULL) == 0, "report");
    zg_buf_append(&out, "", 1, NULL);
    snprintf(want, sizeof want,
             "provider %s: fine-tuning service at http://127.0.0.1:9/\n"
             "TEE signer on chain (getService): %s, acknowledged by the contract owner\n"
             "quote (default layout): GET /v1/quote, 3 bytes, sha256 "
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
             "trust anchor: the devnet's test root (devnet.json tdx.root); collateral from "
             "http://pccs\n"
             "quote (legacy layout): GET /v1/quote?legacy=true, 0 bytes, sha256 "
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
             "PASS default: quote\n"
             "RESULT PASS: every check passed in both layouts\n",
             p, sg);
    CHECK_STR((const char *)out.data, want, "both layouts: what was checked, then the verdict");
    zg_buf_free(&out);

    s.tee_acknowledged = false;
    d.fails = 1;
    zg_err le = {.code = ENOENT};
    snprintf(le.msg, sizeof le.msg, "404 not found");
    x = (zg_tee_report_ctx){0};
    zg_buf_init(&out, 0);
    zg_tee_report(&s, &doc, NULL, &le, &d, &x, &out, NULL);
    zg_buf_append(&out, "", 1, NULL);
    const char *o = (const char *)out.data;
    CHECK(strstr(o, ", NOT acknowledged by the contract owner\n") &&
              strstr(o, "trust anchor: Intel SGX Root CA; collateral from nowhere (-o pccs)\n") &&
              strstr(o, "NOTE legacy layout: not checked, the provider did not serve it: 404 "
                        "not found\nPASS default: quote\nRESULT FAIL: 1 check failed\n"),
          "the legacy layout not served, the signer not acknowledged, Intel's root: %s", o);
    zg_buf_free(&out);
    zg_buf_free(&d.text);
}

int main(void)
{
    listing();
    documents();
    bundles();
    report();
    return check_done();
}

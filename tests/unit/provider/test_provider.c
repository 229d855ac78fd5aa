/* Provider-side client pieces that need no network: known vectors of the
 * session header and the create-task signature, the kinds of deploy
 * answers, adapter lookups in a list, and training-parameter checks. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "../check.h"
#include "zg/adapter.h"
#include "zg/attest.h"
#include "zg/ftprovider.h"
#include "zg/hex.h"
#include "zg/infprovider.h"

static const char *dev_key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

static void session_vector(void)
{
    zg_key key;
    zg_key_from_hex(&key, dev_key, NULL);
    uint8_t prov[20];
    zg_addr_parse(prov, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", NULL);
    char *hdr = NULL;
    int rc = zg_infp_session_header_at(&key, prov, 1700000000000LL,
                                       "0123456789abcdef0123456789abcdef", 0, &hdr, NULL);
    CHECK(rc == 0, "session header built");
    CHECK_STR(hdr,
              "Authorization: Bearer "
              "app-sk-"
              "eyJhZGRyZXNzIjoiMHhmMzlGZDZlNTFhYWQ4OEY2RjRjZTZhQjg4MjcyNzljZmZGYjkyMjY2IiwicHJvdm"
              "lkZXIiOiIweDcwOTk3OTcwQzUxODEyZGMzQTAxMEM3ZDAxYjUwZTBkMTdkYzc5QzgiLCJ0aW1lc3RhbXAi"
              "OjE3MDAwMDAwMDAwMDAsImV4cGlyZXNBdCI6MTcwMDA4NjQwMDAwMCwibm9uY2UiOiIwMTIzNDU2Nzg5YW"
              "JjZGVmMDEyMzQ1Njc4OWFiY2RlZiIsImdlbmVyYXRpb24iOjAsInRva2VuSWQiOjI1NX18MHgzZGY1ZTkx"
              "NjVjM2IwZjFmMGM5MjMyNzA2ZTg0M2JkYjE4YjMyMTE3MDQ3MDVjMGVmMGZlNTJkYTUxOWMyMDViNzNlMD"
              "dmYzhhYWRhNmJkMDY0NmU3YWIwNTMxOGVmMzcxZWE0YTM4NzJmNWJlM2JhOWMxNDk3ZWM2NjA5NzQ1ZTFi",
              "session header equals the Appendix A vector");
    free(hdr);
    zg_key_wipe(&key);
}

static void task_signature_vector(void)
{
    zg_key key;
    zg_key_from_hex(&key, dev_key, NULL);
    zg_u256 nonce;
    zg_u256_from_dec(&nonce, "17000000000000040", NULL);
    char ds[67] = "0x";
    for (int i = 0; i < 32; i++)
        strcat(ds, "cd");
    uint8_t sig[65];
    char hx[140] = "0x";
    CHECK(zg_ftp_task_signature(&key, &nonce, ds, sig, NULL) == 0, "task signature made");
    zg_hex_encode(hx + 2, sig, 65);
    CHECK_STR(hx,
              "0x99998da8d715dbb5d124913cabce85ee54058abd9afeed39865c1c790b0602870251c2685cc063"
              "88adc8ee625ab0e2c29198f88faaa0d7abf40582e2ae6326971c",
              "create-task signature equals the §7.3 vector (dataset hash signed as text)");
    zg_key_wipe(&key);
}

/* The deploy answers of 0g-serving-broker (lora/manager.go
 * UserDeployAdapter through handler/lora.go DeployAdapter, and the
 * owner-checked DeployAdapter's 404) and what each means to a client. */
static void deploy_kinds(void)
{
    static const struct {
        long status;
        const char *text;
        zg_infp_deploy_kind want;
        const char *what;
    } v[] = {
        {200, NULL, ZG_DEPLOY_STARTED, "200 started"},
        {409, "adapter ft-qwen2-5-0-5b-instruct-3e385c46-f5d not found", ZG_DEPLOY_UNREGISTERED,
         "409 not found: not registered yet"},
        {409,
         "adapter ft-qwen2-5-0-5b-instruct-3e385c46-f5d is still being downloaded or deployed, "
         "please wait",
         ZG_DEPLOY_LOADING, "409 still being downloaded or deployed: loading"},
        {409, "adapter ft-x-abc is already deployed", ZG_DEPLOY_ACTIVE, "409 already deployed"},
        {404, "adapter not found", ZG_DEPLOY_UNREGISTERED, "404 of the owner-checked handler"},
        {409, "adapter ft-x-abc is in state offloaded, cannot deploy", ZG_DEPLOY_REFUSED,
         "409 in another state: refused"},
        {409, "adapter ft-x-abc is not ready yet", ZG_DEPLOY_REFUSED, "409 of other words"},
        {409, "adapter  not found", ZG_DEPLOY_REFUSED, "409 without a name"},
        {409, "adapter ft-x-abc not found, really", ZG_DEPLOY_REFUSED, "409 with more after"},
        {409, NULL, ZG_DEPLOY_REFUSED, "409 without a text"},
        {404, "404 page not found", ZG_DEPLOY_REFUSED, "404 of a provider without the route"},
        {404, "adapter ft-x-abc not found", ZG_DEPLOY_REFUSED, "a 409 text under 404"},
        {400, "provide either adapterName, or both taskId and baseModel", ZG_DEPLOY_REFUSED, "400"},
        {403, "you do not own this adapter", ZG_DEPLOY_REFUSED, "403"},
        {503, "LoRA serving not enabled", ZG_DEPLOY_REFUSED, "503"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        CHECK(zg_infp_deploy_kind_of(v[i].status, v[i].text) == v[i].want, "deploy answer: %s",
              v[i].what);
}

/* The provider's list names the adapter: by task id or by name. */
static void adapter_lookup(void)
{
    cJSON *list =
        cJSON_Parse("[{\"adapterName\":\"ft-a-111\",\"taskId\":\"111\",\"state\":\"ready\"},"
                    "{\"adapterName\":\"ft-b-222\",\"taskId\":\"222\"},{\"taskId\":7},{}]");
    const cJSON *e = zg_adapter_of_task(list, "222");
    CHECK_STR(e ? cJSON_GetStringValue(cJSON_GetObjectItem(e, "adapterName")) : "(none)",
              "ft-b-222", "the entry of a task gives its name");
    CHECK(zg_adapter_of_task(list, "333") == NULL, "a task not listed: none");
    CHECK(zg_adapter_of_task(list, "7") == NULL, "a task id that is not a string: none");
    e = zg_adapter_named(list, "ft-a-111");
    CHECK_STR(e ? cJSON_GetStringValue(cJSON_GetObjectItem(e, "taskId")) : "(none)", "111",
              "the entry of a name gives its task");
    CHECK(zg_adapter_named(list, "ft-a") == NULL, "names match whole");
    CHECK(zg_adapter_of_task(NULL, "111") == NULL, "no list: none");
    cJSON_Delete(list);
}

static void params(const char *text, int want_code, const char *what)
{
    cJSON *j = cJSON_Parse(text);
    zg_err e = {0};
    int rc = zg_ftp_check_params(j, text, &e);
    if (want_code == 0)
        CHECK(rc == 0, "%s", what);
    else
        CHECK(rc == -1 && e.code == want_code, "%s: %s", what, e.msg);
    cJSON_Delete(j);
}

/* A quote document in the provider's shape, with report_data in base64 and
 * a TDX quote v4 (header + TD report body) carrying quoted_rd. */
static char *make_quote(const char *report_b64, const uint8_t quoted_rd[64],
                        const char *compose_hash)
{
    uint8_t q[48 + 584] = {4, 0, 2, 0, 0x81};
    memcpy(q + 48 + 520, quoted_rd, 64);
    char qhex[2 * sizeof q + 1];
    zg_hex_encode(qhex, q, sizeof q);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "quote", qhex);
    cJSON_AddStringToObject(d, "report_data", report_b64);
    char ev[300];
    snprintf(ev, sizeof ev, "[{\"event\":\"compose-hash\",\"event_payload\":\"%s\"}]",
             compose_hash);
    cJSON_AddStringToObject(d, "event_log", ev);
    cJSON_AddStringToObject(d, "tcb_info",
                            "{\"app_compose\":\"services:\\n  tee:\\n    image: "
                            "zg/finetune:1.0\\n\"}");
    char *s = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    return s;
}

static void attestation(void)
{
    /* Not the sha256 of the compose text below: the first document lies. */
    const char *wrong_hash = "5b1f6e0c5e2c5a1e1b2a8a0ac7e7cd77e6b8d7bb0f0f47f5d1a5e8c0a3fb2e11";
    uint8_t signer[20];
    zg_addr_parse(signer, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", NULL);
    /* Legacy layout: "0x" + EIP-55 address, NUL padded to 64 bytes. */
    uint8_t rd[64] = {0};
    memcpy(rd, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 42);
    char b64[100];
    EVP_EncodeBlock((unsigned char *)b64, rd, 64);
    zg_buf rep;
    zg_buf_init(&rep, 0);
    bool pass = true;
    char *q = make_quote(b64, rd, wrong_hash);
    int rc = zg_attest_verify((const uint8_t *)q, strlen(q), signer, &rep, &pass, NULL);
    CHECK(rc == 0 && strstr((char *)rep.data, "PASS signer"),
          "legacy report_data binds the signer");
    CHECK(strstr((char *)rep.data, "PASS quote: the TDX quote (v4, 632 bytes) carries this "
                                   "document's report_data") != NULL,
          "the quote carries the document's report_data");
    CHECK(strstr((char *)rep.data, "FAIL compose") != NULL && !pass,
          "a wrong compose hash is reported as FAIL");
    CHECK(strstr((char *)rep.data, "NOTE image: zg/finetune:1.0") != NULL, "image named");
    CHECK(strstr((char *)rep.data, "not verified") != NULL, "says what it does not verify");
    free(q);

    /* The right compose hash, computed here. */
    const char *compose = "services:\n  tee:\n    image: zg/finetune:1.0\n";
    uint8_t h[32];
    unsigned int hl;
    EVP_Digest(compose, strlen(compose), h, &hl, EVP_sha256(), NULL);
    char hx[65];
    zg_hex_encode(hx, h, 32);
    /* New layout: enc_pub(32) || address(20) || version(4) || zeros. */
    memset(rd, 0x11, 32);
    memcpy(rd + 32, signer, 20);
    rd[52] = rd[53] = rd[54] = 0;
    rd[55] = 1;
    memset(rd + 56, 0, 8);
    EVP_EncodeBlock((unsigned char *)b64, rd, 64);
    zg_buf_reset(&rep);
    q = make_quote(b64, rd, hx);
    rc = zg_attest_verify((const uint8_t *)q, strlen(q), signer, &rep, &pass, NULL);
    CHECK(rc == 0 && pass, "new layout and a matching compose hash pass");
    free(q);

    /* A genuine-looking quote whose own report_data is another one: the
     * document's report_data field alone must not be believed. */
    uint8_t other_rd[64];
    memcpy(other_rd, rd, 64);
    other_rd[40] ^= 1;
    q = make_quote(b64, other_rd, hx);
    zg_buf_reset(&rep);
    zg_attest_verify((const uint8_t *)q, strlen(q), signer, &rep, &pass, NULL);
    CHECK(!pass && strstr((char *)rep.data, "PASS signer") &&
              strstr((char *)rep.data, "FAIL quote: the TDX quote (v4, 632 bytes) carries "
                                       "ANOTHER report_data"),
          "a quote carrying another report_data fails");
    uint8_t other[20];
    memset(other, 0x42, 20);
    zg_buf_reset(&rep);
    zg_attest_verify((const uint8_t *)q, strlen(q), other, &rep, &pass, NULL);
    CHECK(!pass && strstr((char *)rep.data, "FAIL signer"), "another signer fails");
    free(q);
    zg_err e;
    CHECK(zg_attest_verify((const uint8_t *)"nope", 4, signer, &rep, &pass, &e) == -1 &&
              e.code == EPROTO,
          "a non-JSON quote is EPROTO");
    zg_buf_free(&rep);
}

int main(void)
{
    attestation();
    session_vector();
    task_signature_vector();
    deploy_kinds();
    adapter_lookup();
    const char *good = "{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,"
                       "\"per_device_train_batch_size\":2,\"learning_rate\":0.0002,"
                       "\"max_steps\":-1}";
    params(good, 0, "the reference parameters pass");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1,\"lora_r\":8}",
           EINVAL, "an extra key is refused");
    params("{\"num_train_epochs\":1}", EINVAL, "missing keys are refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":11,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1}",
           EINVAL, "11 epochs refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":2e-4,\"max_steps\":-1}",
           EINVAL, "exponent notation refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1.5,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1}",
           EINVAL, "fractional epochs refused");
    params("[1,2]", EINVAL, "a non-object refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1,\"num_train_epochs\":1000}",
           EINVAL, "a key given twice is refused (the provider would read the second)");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1,\"learning_rate\":2e-4}",
           EINVAL, "an exponent behind a duplicate is refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1,\"learning_r\\u0061te\":0.0002}",
           EINVAL, "a key given twice, once escaped, is refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1e0,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1}",
           EINVAL, "an exponent in any parameter is refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":01,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":0.0002,\"max_steps\":-1}",
           EINVAL, "a leading zero (not JSON) is refused");
    params("{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"
           "\"learning_rate\":.0002,\"max_steps\":-1}",
           EINVAL, "a number without its leading digit (not JSON) is refused");
    {
        const char *dup = "{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,"
                          "\"per_device_train_batch_size\":2,\"learning_rate\":0.0002,"
                          "\"max_steps\":-1,\"num_train_epochs\":1000}";
        cJSON *j = cJSON_Parse(dup);
        zg_err e = {0};
        zg_ftp_check_params(j, dup, &e);
        CHECK(strstr(e.msg, "key \"num_train_epochs\" appears twice") != NULL,
              "...naming the key: %s", e.msg);
        cJSON_Delete(j);
        const char *ex = "{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,"
                         "\"per_device_train_batch_size\":2,\"learning_rate\":2e-4,"
                         "\"max_steps\":-1}";
        j = cJSON_Parse(ex);
        zg_ftp_check_params(j, ex, &e);
        CHECK(strstr(e.msg,
                     "write learning_rate as a plain decimal (0.0002), not with an exponent") !=
                  NULL,
              "...an exponent's sentence: %s", e.msg);
        cJSON_Delete(j);
    }

    zg_u256 floor_n, n1, n2;
    zg_u256_from_dec(&floor_n, "99999999999999999999999", NULL);
    zg_ftp_next_nonce(&n1, &floor_n);
    zg_u256 one, want;
    zg_u256_from_u64(&one, 1);
    zg_u256_add(&want, &floor_n, &one);
    CHECK(zg_u256_cmp(&n1, &want) == 0, "nonce stays above a high floor");
    zg_u256_from_u64(&floor_n, 0);
    zg_ftp_next_nonce(&n2, &floor_n);
    uint64_t v;
    CHECK(zg_u256_to_u64(&n2, &v) && v % 10000 == 40 && v > 17000000000000000ULL,
          "nonce follows the ms x 10^4 + 40 scheme");
    return check_done();
}

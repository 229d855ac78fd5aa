/* Provider-side client pieces that need no network: the vectors of
 * provider-protocol.md Appendix A and chain-protocol.md §7.3, the adapter
 * name rule, and training-parameter checks. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "../check.h"
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

static void adapter_names(void)
{
    char n[160];
    zg_adapter_name(n, "Qwen2.5-0.5B-Instruct", "3e385c46-f5dc-4e93-b713-63ab7a987ae3");
    CHECK_STR(n, "ft-Qwen2-5-0-5B-Instruct-3e385c46-f5d", "adapter name vector");
    zg_adapter_name(n, "/models/Qwen2.5-0.5B-Instruct", "3e385c46-f5dc-4e93-b713-63ab7a987ae3");
    CHECK_STR(n, "ft-Qwen2-5-0-5B-Instruct-3e385c46-f5d",
              "adapter name keeps the last path element");
    zg_adapter_name(n, "-x-", "abc");
    CHECK_STR(n, "ft-x-abc", "adapter name trims dashes; short task id kept whole");
}

#define BODY(s) (const uint8_t *)(s), strlen(s)

/* The readers of answer bodies: what they hand back has the shape their
 * callers rely on (task ids name directories and go into URL paths). */
static void answers(void)
{
    char id[37], hash[67];
    uint64_t n = 99;
    zg_err e = {0};
    CHECK(zg_ftp_answer_task_id(BODY("{\"id\":\"9e2b5c6a-1f0e-4c3b-8a7d-2d4e6f8a0b1c\"}"), id,
                                &e) == 0 &&
              !strcmp(id, "9e2b5c6a-1f0e-4c3b-8a7d-2d4e6f8a0b1c"),
          "a task id is taken");
    CHECK(zg_ftp_answer_task_id(BODY("{\"id\":\"../../../../../etc/zgfs-escape-xxxxx\"}"), id,
                                &e) == -1 &&
              e.code == EPROTO,
          "an id of 36 characters that is no UUID is refused: %s", e.msg);
    CHECK(zg_ftp_answer_dataset_hash(
              BODY("{\"datasetHash\":\"0x5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de"
                   "12df9d1b02\"}"),
              hash, &e) == 0 &&
              !strncmp(hash, "0x5f16f4c7", 10),
          "a dataset hash is taken");
    CHECK(zg_ftp_answer_dataset_hash(
              BODY("{\"datasetHash\":\"0x5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de"
                   "12df9d1\nzz\"}"),
              hash, &e) == -1 &&
              e.code == EPROTO,
          "66 characters that are not 0x + hex are refused: %s", e.msg);
    CHECK(zg_ftp_answer_pending(BODY(" 12\n"), &n, &e) == 0 && n == 12, "pending count 12");
    CHECK(zg_ftp_answer_pending(BODY("-1"), &n, &e) == -1 && e.code == EPROTO && n == 12,
          "a negative pending count is refused (%s)", e.msg);
    CHECK(zg_ftp_answer_pending(BODY("12abc"), &n, &e) == -1 &&
              zg_ftp_answer_pending(BODY(""), &n, &e) == -1 &&
              zg_ftp_answer_pending(BODY("18446744073709551616"), &n, &e) == -1,
          "trailing text, nothing, or more than 64 bits: refused (%s)", e.msg);
    cJSON *out = NULL;
    CHECK(zg_ftp_answer_list("tasks", BODY("null"), true, &out, &e) == 0 && cJSON_IsArray(out) &&
              cJSON_GetArraySize(out) == 0,
          "tasks: null is no tasks");
    cJSON_Delete(out);
    CHECK(zg_ftp_answer_list("models", BODY("null"), false, &out, &e) == -1 && e.code == EPROTO &&
              !out,
          "models: null is not a list (%s)", e.msg);
    CHECK(zg_infp_answer_adapters(BODY("{\"adapters\":null}"), &out, &e) == 0 &&
              cJSON_GetArraySize(out) == 0,
          "adapters: null is none");
    cJSON_Delete(out);
    CHECK(zg_infp_answer_adapters(BODY("[]"), &out, &e) == -1 && e.code == EPROTO,
          "adapters: a bare list is not the answer's shape (%s)", e.msg);
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

    /* The provider writes much of the report's detail: a compose hash that
     * carries a line of its own, or a legacy report_data with an escape
     * sequence, must not show up as lines or bytes of the report file. */
    q = make_quote(b64, rd, "00\nPASS compose: forged\x1b[2J");
    zg_buf_reset(&rep);
    zg_attest_verify((const uint8_t *)q, strlen(q), signer, &rep, &pass, NULL);
    bool clean = true;
    for (size_t i = 0; i < rep.len; i++)
        clean &= rep.data[i] == '\n' || (rep.data[i] >= 0x20 && rep.data[i] != 0x7f);
    CHECK(!pass && clean && !strstr((char *)rep.data, "\nPASS compose") &&
              strstr((char *)rep.data, "compose-hash 00?PASS compose: forged?[2J\n"),
          "provider text with a newline and an escape stays on its line, as '?'");
    free(q);
    memcpy(rd, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 42);
    rd[20] = '\n';
    memset(rd + 42, 0, 22);
    EVP_EncodeBlock((unsigned char *)b64, rd, 64);
    q = make_quote(b64, rd, hx);
    zg_buf_reset(&rep);
    zg_attest_verify((const uint8_t *)q, strlen(q), signer, &rep, &pass, NULL);
    CHECK(!pass && strstr((char *)rep.data, "FAIL signer: report_data (legacy layout) names "
                                            "0xf39Fd6e51aad88F6F4?e6aB"),
          "...also in a legacy report_data");
    free(q);
    zg_err e;
    CHECK(zg_attest_verify((const uint8_t *)"nope", 4, signer, &rep, &pass, &e) == -1 &&
              e.code == EPROTO,
          "a non-JSON quote is EPROTO");
    zg_buf_free(&rep);
}

int main(void)
{
    answers();
    attestation();
    session_vector();
    task_signature_vector();
    adapter_names();
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

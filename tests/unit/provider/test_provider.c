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
#include "../slurp.h"

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

/* The fine-tuning broker's error answers the core acts on, read once by
 * zg_ftp_kind_of; the kind travels in the error the calls return. */
static void ft_kinds(void)
{
    static const struct {
        long status;
        const char *text;
        zg_err_kind want;
        const char *what;
    } v[] = {
        {500,
         "Failed to read log file: open /app/progress.log: no such file or directory, please "
         "ensure the task is running",
         ZG_EK_NO_LOG, "the broker's 500 before the task runs: no log yet"},
        {500, "Failed to read log file. Please ensure the task is running", ZG_EK_NO_LOG,
         "the same in other punctuation"},
        {500, "failed to get task: record not found", ZG_EK_NONE, "another 500"},
        {409, "Failed to read log file", ZG_EK_NONE, "the log text under another status"},
        {409, "task is not ready for download. Please wait for 'Delivered' status", ZG_EK_NOT_READY,
         "409 before Delivered: not ready"},
        {409, "cannot create a new task while there are in-progress tasks", ZG_EK_NONE,
         "another 409"},
        {409, "task is already being set up", ZG_EK_NONE, "a 409 that says already, not ready"},
        {500, "task is not ready for download", ZG_EK_NONE, "the 409 text under 500"},
        {500, NULL, ZG_EK_NONE, "no text"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        CHECK(zg_ftp_kind_of(v[i].status, v[i].text) == v[i].want, "ft answer: %s", v[i].what);

    zg_buf body;
    zg_buf_init(&body, 0);
    zg_buf_append_str(&body,
                      "{\"error\":\"Failed to read log file: open x: no such file or directory, "
                      "please ensure the task is running\"}",
                      NULL);
    zg_err e = {0};
    CHECK(zg_ftp_http_error(&e, "log", 500, &body) == -1 && e.code == EAGAIN &&
              e.kind == ZG_EK_NO_LOG,
          "a log answer of 500: EAGAIN and ZG_EK_NO_LOG (%s)", e.msg);
    zg_buf_reset(&body);
    zg_buf_append_str(&body, "task is not ready for download. Please wait for 'Delivered' status",
                      NULL);
    CHECK(zg_ftp_http_error(&e, "model download", 409, &body) == -1 && e.code == EAGAIN &&
              e.kind == ZG_EK_NOT_READY,
          "a plain-text 409 of the download: EAGAIN and ZG_EK_NOT_READY (%s)", e.msg);
    zg_buf_reset(&body);
    zg_buf_append_str(&body, "{\"error\":\"task queue is full\"}", NULL);
    CHECK(zg_ftp_http_error(&e, "create", 409, &body) == -1 && e.code == EAGAIN &&
              e.kind == ZG_EK_NONE,
          "any other 409: EAGAIN of no kind");
    zg_buf_free(&body);
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

/* The broker's document with one member of it (or of its tcb_info or one
 * event) changed by edit; returns the new text. */
static char *edited(const char *doc, void (*edit)(cJSON *d, cJSON *tcb, cJSON *ev))
{
    cJSON *d = cJSON_Parse(doc);
    cJSON *tcb = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(d, "tcb_info")));
    cJSON *ev = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(d, "event_log")));
    edit(d, tcb, ev);
    char *t = cJSON_PrintUnformatted(tcb), *e = cJSON_PrintUnformatted(ev);
    cJSON_ReplaceItemInObject(d, "tcb_info", cJSON_CreateString(t));
    cJSON_ReplaceItemInObject(d, "event_log", cJSON_CreateString(e));
    char *out = cJSON_PrintUnformatted(d);
    free(t);
    free(e);
    cJSON_Delete(tcb);
    cJSON_Delete(ev);
    cJSON_Delete(d);
    return out;
}

static cJSON *event_named(cJSON *ev, const char *name)
{
    cJSON *e;
    cJSON_ArrayForEach(e, ev)
    {
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "event")), name))
            return e;
    }
    return NULL;
}

static void edit_payload(cJSON *d, cJSON *tcb, cJSON *ev)
{
    cJSON_ReplaceItemInObject(event_named(ev, "instance-id"), "event_payload",
                              cJSON_CreateString("00112233445566778899aabbccddeeff"));
}

/* A new payload with the digest recomputed the dstack way: each event is
 * self-consistent, but RTMR3 no longer replays. */
static void edit_payload_and_digest(cJSON *d, cJSON *tcb, cJSON *ev)
{
    cJSON *e = event_named(ev, "instance-id");
    uint8_t pre[4 + 1 + 11 + 1 + 16] = {0x01, 0x00, 0x00, 0x08, ':'};
    memcpy(pre + 5, "instance-id:", 12);
    for (int i = 0; i < 16; i++)
        pre[17 + i - 0] = (uint8_t)(i * 0x11);
    uint8_t h[48];
    unsigned hl;
    EVP_Digest(pre, sizeof pre, h, &hl, EVP_sha384(), NULL);
    char hx[97];
    zg_hex_encode(hx, h, 48);
    cJSON_ReplaceItemInObject(e, "event_payload",
                              cJSON_CreateString("00112233445566778899aabbccddeeff"));
    cJSON_ReplaceItemInObject(e, "digest", cJSON_CreateString(hx));
}

static void edit_compose(cJSON *d, cJSON *tcb, cJSON *ev)
{
    const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(tcb, "app_compose"));
    char *n = malloc(strlen(c) + 2);
    sprintf(n, "%s ", c);
    cJSON_ReplaceItemInObject(tcb, "app_compose", cJSON_CreateString(n));
    free(n);
}

static void edit_mr_aggregated(cJSON *d, cJSON *tcb, cJSON *ev)
{
    cJSON_ReplaceItemInObject(
        tcb, "mr_aggregated",
        cJSON_CreateString("1c8383c7344df77de159a1554b1ca89a58524618ff9c3377e3dcccd41cde6b48"));
}

static void edit_report_data(cJSON *d, cJSON *tcb, cJSON *ev)
{
    /* the document's own copy: another signer's legacy text */
    cJSON_ReplaceItemInObject(d, "report_data",
                              cJSON_CreateString("MHhmMzlGZDZlNTFhYWQ4OEY2RjRjZTZhQjg4MjcyNzljZm"
                                                 "ZGYjkyMjY2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="));
}

static void edit_quote(cJSON *d, cJSON *tcb, cJSON *ev)
{
    char *q = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(d, "quote")));
    q[2 * (48 + 200)] = q[2 * (48 + 200)] == '0' ? '1' : '0'; /* a byte of MRTD */
    cJSON_ReplaceItemInObject(d, "quote", cJSON_CreateString(q));
    free(q);
}

/* One run of the checks; the report's text. */
static const char *run_checks(const char *doc, const uint8_t signer[20],
                              const zg_tdx_collateral *col, zg_buf *rep, zg_attest_result *res)
{
    zg_buf_reset(rep);
    zg_attest_opts o = {.now = 1771500000, .col = col, .col_missing = "offline in this test"};
    zg_err e = {0};
    if (zg_attest_verify((const uint8_t *)doc, strlen(doc), signer, &o, rep, res, &e) ||
        zg_buf_append_byte(rep, 0, NULL))
        return "";
    return (const char *)rep->data;
}

/* The attestation document a 0G broker served (0g-compute-ts-sdk's
 * broker_attestation_report.json, tests/fixtures/tdx/README.md): a real
 * Intel-signed TDX quote, verified offline at a time its PCK chain is
 * valid, then with dcap-qvl's collateral for its FMSPC. */
static void attestation(void)
{
    size_t n;
    char *doc = test_slurp(
        ZG_SOURCE_ROOT "/tests/fixtures/tdx/0g-compute-ts-sdk/broker_attestation_report.json", &n);
    char *colj = test_slurp(
        ZG_SOURCE_ROOT "/tests/fixtures/tdx/dcap-qvl/tdx_quote_outdated_collateral.json", &n);
    CHECK(doc && colj, "the fixtures are there");
    if (!doc || !colj)
        return;
    uint8_t signer[20];
    zg_addr_parse(signer, "0xDC1A4da6BdCD90c20d7FF53a6cDc11fBf0E2303C", NULL);
    zg_buf rep;
    zg_buf_init(&rep, 0);
    zg_attest_result res;
    const char *r = run_checks(doc, signer, NULL, &rep, &res);

    CHECK(res.fails == 0 && res.skips == 5, "offline: every check passes, 5 SKIPped");
    const char *pass[] = {"PASS format",        "PASS tdx quote", "PASS quote signature",
                          "PASS pck chain",     "PASS qe report", "PASS qe binding",
                          "PASS td attributes", "PASS signer",    "PASS quote",
                          "PASS event log",     "PASS compose",   "PASS mr_aggregated",
                          "SKIP crl",           "SKIP tcb info",  "SKIP qe identity",
                          "SKIP tcb status",    "SKIP tdx module"};
    for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s: ", pass[i]);
        CHECK(strstr(r, want) != NULL, "%s", pass[i]);
    }
    CHECK(strstr(r, "PASS signer: the quote's report_data (legacy layout) names "
                    "0xDC1A4da6BdCD90c20d7FF53a6cDc11fBf0E2303C"),
          "the signer is read from inside the signed quote");
    CHECK(strstr(r, "PASS event log: 28 events replay to RTMR0-3 of the signed quote"),
          "28 events replay");
    CHECK(
        strstr(
            r,
            "PASS mr_aggregated: 1c8383c7344df77de159a1554b1ca89a58524618ff9c3377e3dcccd41cde6b47"),
        "mr_aggregated recomputed");
    CHECK(strstr(r, "SKIP tcb info: not checked: offline in this test"), "SKIP says why");
    CHECK(strstr(r, "NOTE image: "), "images named");

    zg_tdx_collateral col;
    CHECK(zg_tdx_collateral_parse(&col, colj, strlen(colj), NULL) == 0, "collateral read");
    r = run_checks(doc, signer, &col, &rep, &res);
    CHECK(res.fails == 0 && res.skips == 0 && !strcmp(res.status, "UpToDate"),
          "with its collateral: every step passes, UpToDate (%s)", res.first_fail);
    CHECK(strstr(r, "PASS tcb status: UpToDate"), "PASS tcb status");
    CHECK(strstr(r, "PASS tdx module: TDX_01 (major version 1), SVN 11: "),
          "PASS tdx module: the broker's module is TDX_01 at SVN 11");

    uint8_t other[20];
    memset(other, 0x42, 20);
    run_checks(doc, other, &col, &rep, &res);
    CHECK(res.fails == 1 && !strncmp(res.first_fail, "signer: ", 8),
          "another on-chain signer: FAIL signer only (%s)", res.first_fail);

    struct {
        void (*edit)(cJSON *, cJSON *, cJSON *);
        const char *step, *what;
    } cases[] = {
        {edit_payload,
         "event log: event 23 (instance-id): its digest is not the hash of its "
         "payload",
         "an edited event payload"},
        {edit_payload_and_digest, "event log: the 28 events do not replay to RTMR3",
         "an edited event with its digest recomputed"},
        {edit_compose, "compose: ", "an edited app_compose"},
        {edit_mr_aggregated, "mr_aggregated: the document's", "a wrong mr_aggregated"},
        {edit_report_data, "quote: the signed TDX quote carries ANOTHER report_data",
         "the document's report_data naming someone else"},
        {edit_quote, "quote signature: ", "a flipped byte of MRTD in the quote"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *d = edited(doc, cases[i].edit);
        run_checks(d, signer, &col, &rep, &res);
        CHECK(res.fails >= 1 && !strncmp(res.first_fail, cases[i].step, strlen(cases[i].step)),
              "%s: FAIL %s (%s)", cases[i].what, cases[i].step, res.first_fail);
        free(d);
    }
    zg_tdx_collateral_free(&col);
    zg_err e;
    CHECK(zg_attest_verify((const uint8_t *)"nope", 4, signer, &(zg_attest_opts){.now = 1771500000},
                           &rep, &res, &e) == -1 &&
              e.code == EPROTO,
          "a non-JSON document is EPROTO");
    zg_buf_free(&rep);
    free(doc);
    free(colj);
}

int main(void)
{
    answers();
    attestation();
    session_vector();
    task_signature_vector();
    deploy_kinds();
    ft_kinds();
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

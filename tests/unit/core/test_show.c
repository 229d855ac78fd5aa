/* What the wallet, ledger and provider files show (zg/show.h), built from
 * hand-made read-model values and operation results: the exact text of
 * each document (member names, their order, amounts as neuron strings in
 * JSON and as decimal OG in text), so a renamed member or a changed amount
 * spelling shows here before it shows in a mount; and the read model's
 * lookups of a task and a deliverable on values put in a cache by hand. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "zg/adapter.h"
#include "zg/secp.h"
#include "zg/show.h"

static const uint8_t USER[20] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
                                 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05};
static const uint8_t PROV[20] = {0xab, 0xcd, 1,  2,  3,  4,  5,  6,  7,  8,
                                 9,    10,   11, 12, 13, 14, 15, 16, 17, 18};
static const uint8_t SIGNER[20] = {0xfe, 0xdc, 0xba, 9, 8, 7, 6, 5, 4, 3,
                                   2,    1,    0,    1, 2, 3, 4, 5, 6, 7};

static char user[43], prov[43], signer[43];

/* n OG in neuron, plus extra neuron. */
static zg_u256 og(uint64_t whole, uint64_t extra)
{
    zg_u256 v, e;
    zg_u256_from_u64(&v, whole);
    zg_u256_mul_u64(&v, &v, 1000000000000000000ull);
    zg_u256_from_u64(&e, extra);
    zg_u256_add(&v, &v, &e);
    return v;
}

static zg_u256 n(uint64_t v)
{
    zg_u256 r;
    zg_u256_from_u64(&r, v);
    return r;
}

#define SHOWN(call, want, ...)                                                                     \
    do {                                                                                           \
        zg_buf b_;                                                                                 \
        zg_buf_init(&b_, 1 << 20);                                                                 \
        int rc_ = (call);                                                                          \
        CHECK(rc_ == 0, "%s: rendered", #call);                                                    \
        CHECK_STR(rc_ ? NULL : (const char *)b_.data, want, __VA_ARGS__);                          \
        zg_buf_free(&b_);                                                                          \
    } while (0)
#define B (&b_)

static void test_service(void)
{
    char *models[] = {"Qwen2.5-0.5B-Instruct", "deepseek-r1-distill-qwen-1.5b"};
    zg_ft_service s = {.url = "http://p.example:3080",
                       .cpu = n(8),
                       .memory = n(32),
                       .gpu_count = n(1),
                       .storage = n(100),
                       .gpu_type = "H100",
                       .price_per_token = n(7),
                       .occupied = true,
                       .models = models,
                       .nmodels = 2,
                       .tee_acknowledged = true};
    memcpy(s.provider, PROV, 20);
    memcpy(s.tee_signer, SIGNER, 20);
    char want[2048];
    snprintf(want, sizeof want,
             "{\n"
             "  \"provider\": \"%s\",\n"
             "  \"url\": \"http://p.example:3080\",\n"
             "  \"quota\": {\n"
             "    \"cpuCount\": \"8\",\n"
             "    \"nodeMemory\": \"32\",\n"
             "    \"gpuCount\": \"1\",\n"
             "    \"nodeStorage\": \"100\",\n"
             "    \"gpuType\": \"H100\"\n"
             "  },\n"
             "  \"pricePerToken\": \"7\",\n"
             "  \"occupied\": true,\n"
             "  \"models\": [\n"
             "    \"Qwen2.5-0.5B-Instruct\",\n"
             "    \"deepseek-r1-distill-qwen-1.5b\"\n"
             "  ],\n"
             "  \"teeSignerAddress\": \"%s\",\n"
             "  \"teeSignerAcknowledged\": true\n"
             "}\n",
             prov, signer);
    SHOWN(zg_show_ft_service(B, &s, NULL), want,
          "service.json: every member by name, quota nested, amounts as neuron strings");

    zg_inf_service i = {.service_type = "chatbot",
                        .url = "http://p.example:8080",
                        .model = NULL,
                        .input_price = og(1, 5),
                        .output_price = n(0),
                        .updated_at = 1700000000};
    memcpy(i.provider, PROV, 20);
    memcpy(i.tee_signer, SIGNER, 20);
    snprintf(want, sizeof want,
             "{\n"
             "  \"provider\": \"%s\",\n"
             "  \"serviceType\": \"chatbot\",\n"
             "  \"url\": \"http://p.example:8080\",\n"
             "  \"model\": \"\",\n"
             "  \"verifiability\": \"\",\n"
             "  \"additionalInfo\": \"\",\n"
             "  \"inputPrice\": \"1000000000000000005\",\n"
             "  \"outputPrice\": \"0\",\n"
             "  \"updatedAt\": 1700000000,\n"
             "  \"teeSignerAddress\": \"%s\",\n"
             "  \"teeSignerAcknowledged\": false\n"
             "}\n",
             prov, signer);
    SHOWN(zg_show_inf_service(B, &i, NULL), want,
          "inference.json: a missing string is \"\", exact neuron prices, a number for the time");

    zg_rv_provider inf_only = {.inf = &i}, both = {.ft = &s, .inf = &i};
    SHOWN(zg_show_service(B, &inf_only, ZG_SVC_INFERENCE, "0xP", NULL), want,
          "inference.json of the provider's services-list record");
    zg_err e = {0};
    CHECK(zg_show_service(NULL, &both, ZG_SVC_FINETUNING, "0xP", &e) == 0,
          "service.json is there when the record has fine-tuning");
    CHECK(zg_show_service(NULL, &inf_only, ZG_SVC_FINETUNING, "0xP", &e) == -1 &&
              e.code == ENOENT && !strcmp(e.msg, "0xP offers no fine-tuning"),
          "no fine-tuning: ENOENT \"P offers no fine-tuning\"");
    zg_rv_provider ft_only = {.ft = &s};
    CHECK(zg_show_service(NULL, &ft_only, ZG_SVC_INFERENCE, "0xP", &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "0xP serves no inference"),
          "no inference: ENOENT \"P serves no inference\"");
}

static void test_accounts(void)
{
    zg_refund refunds[] = {
        {.index = 3, .amount = og(0, 250000000000000000ull), .created_at = 1000}};
    uint8_t root[4] = {0xde, 0xad, 0xbe, 0xef}, secret[1] = {1};
    zg_deliverable dl[] = {{.id = "task-1",
                            .root = root,
                            .root_len = 4,
                            .secret = secret,
                            .secret_len = 1,
                            .acknowledged = true,
                            .timestamp = 1234,
                            .settled = false}};
    zg_rv_ft_account ft = {.exists = true,
                           .lock_time = 86400,
                           .a = {.nonce = n(2),
                                 .balance = og(3, 0),
                                 .pending_refund = og(0, 250000000000000000ull),
                                 .refunds = refunds,
                                 .nrefunds = 1,
                                 .deliverables = dl,
                                 .ndeliverables = 1,
                                 .acknowledged = true}};
    char want[4096];
    snprintf(want, sizeof want,
             "{\n"
             "  \"service\": \"fine-tuning-v1\",\n"
             "  \"user\": \"%s\",\n"
             "  \"provider\": \"%s\",\n"
             "  \"exists\": true,\n"
             "  \"balance\": \"3000000000000000000\",\n"
             "  \"pendingRefund\": \"250000000000000000\",\n"
             "  \"available\": \"2750000000000000000\",\n"
             "  \"acknowledged\": true,\n"
             "  \"nonce\": \"2\",\n"
             "  \"refunds\": [\n"
             "    {\n"
             "      \"index\": 3,\n"
             "      \"amount\": \"250000000000000000\",\n"
             "      \"createdAt\": 1000,\n"
             "      \"unlocksAt\": 87400\n"
             "    }\n"
             "  ],\n"
             "  \"deliverables\": [\n"
             "    {\n"
             "      \"id\": \"task-1\",\n"
             "      \"modelRootHash\": \"0xdeadbeef\",\n"
             "      \"acknowledged\": true,\n"
             "      \"settled\": false,\n"
             "      \"secretPresent\": true,\n"
             "      \"timestamp\": 1234\n"
             "    }\n"
             "  ]\n"
             "}\n",
             user, prov);
    SHOWN(zg_show_ft_account(B, "fine-tuning-v1", USER, PROV, &ft, NULL), want,
          "fine-tuning account.json: available = balance - pending, unlocksAt = createdAt + "
          "lock time, deliverables with their root in hex");

    ft.exists = false; /* the rest is what a failed read leaves: not shown */
    snprintf(want, sizeof want,
             "{\n"
             "  \"service\": \"fine-tuning-v1\",\n"
             "  \"user\": \"%s\",\n"
             "  \"provider\": \"%s\",\n"
             "  \"exists\": false,\n"
             "  \"balance\": \"0\",\n"
             "  \"pendingRefund\": \"0\",\n"
             "  \"available\": \"0\",\n"
             "  \"acknowledged\": false,\n"
             "  \"nonce\": \"0\",\n"
             "  \"refunds\": [],\n"
             "  \"deliverables\": []\n"
             "}\n",
             user, prov);
    SHOWN(zg_show_ft_account(B, "fine-tuning-v1", USER, PROV, &ft, NULL), want,
          "no sub-account: zeros and empty lists, nothing of the stale value");

    zg_rv_inf_account inf = {.exists = true,
                             .a = {.nonce = n(9),
                                   .balance = og(1, 0),
                                   .pending_refund = og(1, 0),
                                   .refunds = refunds,
                                   .nrefunds = 1}};
    snprintf(want, sizeof want,
             "{\n"
             "  \"service\": \"inference-v1.0\",\n"
             "  \"user\": \"%s\",\n"
             "  \"provider\": \"%s\",\n"
             "  \"exists\": true,\n"
             "  \"balance\": \"1000000000000000000\",\n"
             "  \"pendingRefund\": \"1000000000000000000\",\n"
             "  \"available\": \"0\",\n"
             "  \"acknowledged\": false,\n"
             "  \"nonce\": \"9\",\n"
             "  \"refunds\": [\n"
             "    {\n"
             "      \"index\": 3,\n"
             "      \"amount\": \"250000000000000000\",\n"
             "      \"createdAt\": 1000\n"
             "    }\n"
             "  ]\n"
             "}\n",
             user, prov);
    SHOWN(zg_show_inf_account(B, "inference-v1.0", USER, PROV, &inf, NULL), want,
          "inference account.json: no unlocksAt, no deliverables");

    zg_show_acct a = {.acknowledged = true};
    SHOWN(zg_show_trust(B, &a, NULL), "acknowledged\n", "trust of an acknowledged signer");
    a.acknowledged = false;
    SHOWN(zg_show_trust(B, &a, NULL), "not acknowledged\n", "trust of one not acknowledged");
}

static void test_ledger(void)
{
    zg_rv_ledger l = {.exists = true,
                      .l = {.available = og(2, 500000000000000000ull),
                            .total = og(5, 0),
                            .additional_info = "note"}};
    zg_subaccount ft[] = {{.balance = og(2, 0), .acknowledged = true}};
    zg_subaccount inf[] = {
        {.balance = og(0, 500000000000000000ull), .pending_refund = og(0, 500000000000000000ull)}};
    memcpy(ft[0].provider, PROV, 20);
    memcpy(inf[0].provider, PROV, 20);
    zg_rv_subs subs = {.ft = ft, .nft = 1, .inf = inf, .ninf = 1};
    char want[4096];
    snprintf(want, sizeof want,
             "{\n"
             "  \"user\": \"%s\",\n"
             "  \"exists\": true,\n"
             "  \"total\": \"5000000000000000000\",\n"
             "  \"available\": \"2500000000000000000\",\n"
             "  \"locked\": \"2500000000000000000\",\n"
             "  \"additionalInfo\": \"note\",\n"
             "  \"subAccounts\": [\n"
             "    {\n"
             "      \"service\": \"ft\",\n"
             "      \"provider\": \"%s\",\n"
             "      \"balance\": \"2000000000000000000\",\n"
             "      \"pendingRefund\": \"0\",\n"
             "      \"acknowledged\": true\n"
             "    },\n"
             "    {\n"
             "      \"service\": \"inf\",\n"
             "      \"provider\": \"%s\",\n"
             "      \"balance\": \"500000000000000000\",\n"
             "      \"pendingRefund\": \"500000000000000000\",\n"
             "      \"acknowledged\": false\n"
             "    }\n"
             "  ]\n"
             "}\n",
             user, prov, prov);
    SHOWN(zg_show_ledger(B, USER, &l, &subs, "ft", "inf", NULL), want,
          "ledger.json: locked = total - available, fine-tuning sub-accounts first");
    SHOWN(zg_show_ledger_balance(B, &l, NULL), "2.5\n", "ledger/balance in decimal OG");
    l.exists = false;
    SHOWN(zg_show_ledger_balance(B, &l, NULL), "0\n", "no ledger: 0");
    zg_u256 tiny = n(1);
    SHOWN(zg_show_amount_line(B, &tiny, NULL), "0.000000000000000001\n",
          "one neuron is all 18 decimals");
    zg_u256 big = og(12, 0);
    SHOWN(zg_show_amount_line(B, &big, NULL), "12\n", "whole OG without a fraction");
    zg_network net = {.name = "devnet", .chain_id = 31337, .rpc = "http://127.0.0.1:8545"};
    SHOWN(zg_show_network(B, &net, NULL), "devnet chain=31337 rpc=http://127.0.0.1:8545\n",
          "network");
}

/* ---- lookups in the read model, on values put in its cache by hand */

static int give(void *ctx, void **val, zg_err *err)
{
    (void)err;
    *val = ctx;
    return 0;
}

static void keep(void *val)
{
    (void)val; /* the test's own */
}

static void seed(zg_cache *c, zg_rv v, const uint8_t *provider, void *val, void (*fr)(void *))
{
    char key[256];
    zg_cache_val *ref;
    zg_rm_key(key, sizeof key, v, provider, NULL, NULL);
    if (zg_cache_get(c, key, -1, give, fr, val, &ref, NULL) == 0)
        zg_cache_put(ref);
}

static void test_lookups(void)
{
    zg_cache *c;
    if (zg_cache_new(&c, 600000, 16, NULL)) {
        CHECK(0, "a cache");
        return;
    }
    zg_readmodel rm = {.cache = c};
    uint8_t root[2] = {0xab, 0xcd};
    zg_deliverable dl[] = {{.id = "t-2", .root = root, .root_len = 2, .timestamp = 77}};
    zg_rv_ft_account ft = {.exists = true, .a = {.deliverables = dl, .ndeliverables = 1}};
    seed(c, ZG_RV_FT_ACCOUNT, PROV, &ft, keep);
    zg_deliverable d;
    zg_err e = {0};
    CHECK(zg_rm_deliverable(&rm, PROV, "t-2", -1, &d, &e) == 0 && d.id != dl[0].id &&
              !strcmp(d.id, "t-2") && d.root_len == 2 && d.root != root && d.root[1] == 0xcd &&
              d.timestamp == 77,
          "a deliverable is found by its task and copied");
    zg_deliverable_free(&d);
    e = (zg_err){0};
    CHECK(zg_rm_deliverable(&rm, PROV, "t-3", -1, &d, &e) == -1 && e.code == ENOENT,
          "a task without a deliverable is ENOENT");

    cJSON *tasks = cJSON_Parse("[{\"id\":\"t-1\",\"progress\":\"Finished\"}]");
    seed(c, ZG_RV_TASKS, PROV, tasks, (void (*)(void *))cJSON_Delete);
    cJSON *t = NULL;
    CHECK(zg_rm_task(&rm, PROV, "t-1", &t, NULL) == 0 && t != tasks->child &&
              !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(t, "progress")), "Finished"),
          "a task is a copy of its record in the cached list");
    cJSON_Delete(t);
    zg_cache_free(c);
}

/* tasks/ID/deploy through the read model, as the handler reads it: the
 * default inference provider chosen from the services list, or the hint
 * to name one when there is no single choice. */
static void test_task_deploy(void)
{
    zg_cache *c;
    if (zg_cache_new(&c, 600000, 16, NULL)) {
        CHECK(0, "a cache");
        return;
    }
    zg_readmodel rm = {.cache = c};
    zg_inf_service svc[3] = {{.provider = {1}, .tee_acknowledged = true},
                             {.provider = {2}, .tee_acknowledged = false},
                             {.provider = {3}, .tee_acknowledged = true}};
    zg_rv_services services = {.inf = svc, .ninf = 3};
    seed(c, ZG_RV_SERVICES, NULL, &services, keep);
    const uint8_t other[20] = {9}, self[20] = {2}, funded[20] = {1};
    zg_rv_inf_account none = {.exists = false}, one = {.exists = true};
    seed(c, ZG_RV_INF_ACCOUNT, self, &none, keep);
    seed(c, ZG_RV_INF_ACCOUNT, funded, &one, keep);
    cJSON *list = cJSON_Parse("[{\"adapterName\":\"ft-b\",\"taskId\":\"t2\"}]");
    seed(c, ZG_RV_ADAPTERS, funded, list, (void (*)(void *))cJSON_Delete);

    zg_buf b;
    zg_buf_init(&b, 0);
    zg_err e = {0};
    CHECK(zg_adapter_task_deploy_text(&rm, other, "t2", &b, &e) == 0 &&
              !strcmp((char *)b.data, "(the adapter name comes from the inference provider: "
                                      "write its address to deploy there)\n"),
          "two listed inference providers and the task's is none: the hint to write one");
    b.len = 0;
    char a[43], want[256];
    zg_addr_checksum(a, self);
    snprintf(want, sizeof want,
             "(the adapter name comes from %s: write an amount to providers/%s/fund first)\n", a,
             a);
    CHECK(zg_adapter_task_deploy_text(&rm, self, "t2", &b, &e) == 0 &&
              !strcmp((char *)b.data, want),
          "its own provider, without an inference sub-account: fund it first");
    b.len = 0;
    CHECK(zg_adapter_task_deploy_text(&rm, funded, "t2", &b, &e) == 0 &&
              !strcmp((char *)b.data, "ft-b\n"),
          "with one: the name of the task's adapter");
    zg_buf_free(&b);

    uint8_t inf[20];
    CHECK(zg_adapter_task_target(&rm, other, "", inf, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "2 inference providers are listed"),
          "a deploy with no default and no provider written: %s", e.msg);
    CHECK(zg_adapter_task_target(&rm, self, "\t", inf, &e) == 0 && !memcmp(inf, self, 20),
          "an empty line deploys on the default");
    char line[64];
    zg_addr_checksum(line, funded);
    CHECK(zg_adapter_task_target(&rm, other, line, inf, &e) == 0 && !memcmp(inf, funded, 20),
          "a provider written is the one");
    CHECK(zg_adapter_task_target(&rm, other, "nope", inf, &e) == -1 && e.code == EINVAL,
          "anything else is refused");
    zg_cache_free(c);
}

static int collect(void *ctx, const char *name, zg_err *err)
{
    (void)err;
    strcat(strcat(ctx, name), " ");
    return 0;
}

static void test_providers(void)
{
    zg_ft_service ft[2] = {{.tee_acknowledged = true}, {.tee_acknowledged = false}};
    zg_inf_service inf[3] = {
        {.tee_acknowledged = true}, {.tee_acknowledged = true}, {.tee_acknowledged = true}};
    memcpy(ft[0].provider, PROV, 20);
    memcpy(ft[1].provider, SIGNER, 20);
    memcpy(inf[0].provider, PROV, 20);   /* offers both: listed once */
    memcpy(inf[1].provider, SIGNER, 20); /* unacknowledged fine-tuning, acknowledged inference */
    memcpy(inf[2].provider, SIGNER, 20);
    zg_rv_services s = {.ft = ft, .nft = 2, .inf = inf, .ninf = 3};
    char got[200] = "", want[200];
    zg_show_providers(&s, false, collect, got, NULL);
    snprintf(want, sizeof want, "%s %s ", prov, signer);
    CHECK_STR(got, want, "providers/: acknowledged ones, each once");
    inf[1].tee_acknowledged = inf[2].tee_acknowledged = false;
    got[0] = 0;
    zg_show_providers(&s, false, collect, got, NULL);
    snprintf(want, sizeof want, "%s ", prov);
    CHECK_STR(got, want, "providers/: an unacknowledged provider is left out");
    got[0] = 0;
    zg_show_providers(&s, true, collect, got, NULL);
    snprintf(want, sizeof want, "%s %s ", prov, signer);
    CHECK_STR(got, want, "providers/ with all_providers: every one, each once");
}

static void test_readme(void)
{
    SHOWN(zg_show_readme_row(B, "/providers/{provider}/fund", false, true, "move OG", NULL),
          "providers/0xPROVIDER/fund            rw  move OG\n",
          "README row: {provider} spelled out, padded to the column, rw");
    SHOWN(zg_show_readme_row(B, "/providers/{provider}/tasks/{task}", true, false, NULL, NULL),
          "providers/0xPROVIDER/tasks/task/         \n",
          "README row of a directory: other placeholders bare, a '/', no access, no help");
}

static void test_sentences(void)
{
    zg_funds_result r = {.amount = og(1, 500000000000000000ull)};
    zg_u256 avail = og(4, 0);
    SHOWN(zg_show_deposit_said(B, &r, &avail, NULL),
          "deposited 1.5 OG; the ledger has 4 OG available", "deposit, balance known");
    SHOWN(zg_show_deposit_said(B, &r, NULL, NULL), "deposited 1.5 OG", "deposit, not known");
    SHOWN(zg_show_refund_said(B, &r, NULL, NULL),
          "refunded 1.5 OG to the wallet; the ledger is deleted", "refund that emptied it");

    r = (zg_funds_result){.amount = og(2, 0), .cancelled = og(0, 0), .moved = og(2, 0)};
    zg_show_acct after = {.balance = og(2, 0)};
    SHOWN(zg_show_fund_said(B, ZG_SVC_FINETUNING, &r, &after, NULL),
          "moved 2 OG from the ledger into the fine-tuning sub-account; its balance is 2 OG, 0 "
          "OG of it pending refund",
          "fund: nothing cancelled");
    r.cancelled = og(2, 0);
    r.moved = n(0);
    SHOWN(zg_show_fund_said(B, ZG_SVC_INFERENCE, &r, NULL, NULL),
          "cancelled 2 OG of the inference sub-account's pending refund; nothing left the ledger",
          "fund: all of it cancelled refunds");
    r.cancelled = og(1, 0);
    r.moved = og(1, 0);
    SHOWN(zg_show_fund_said(B, ZG_SVC_INFERENCE, &r, NULL, NULL),
          "cancelled 1 OG of the inference sub-account's pending refund and moved 1 OG from the "
          "ledger into it",
          "fund: both");

    r = (zg_funds_result){.after_known = true, .moved = og(1, 0), .pending = og(0, 1)};
    uint64_t lock = 600;
    SHOWN(zg_show_retrieve_said(B, &r, &lock, NULL),
          "1 OG of matured refunds moved to the ledger; 0.000000000000000001 OG pending, "
          "retrieve again after 600 s",
          "retrieve with refunds still locked names the lock time");
    r.pending = n(0);
    SHOWN(zg_show_retrieve_said(B, &r, &lock, NULL),
          "1 OG of matured refunds moved to the ledger; 0 OG pending",
          "retrieve with nothing pending");
    CHECK(zg_show_retrieve_names_lock(ZG_SVC_FINETUNING, &r) &&
              !zg_show_retrieve_names_lock(ZG_SVC_INFERENCE, &r),
          "the lock time is the fine-tuning contract's: named for that sub-account only");
    r.after_known = false;
    SHOWN(zg_show_retrieve_said(B, &r, NULL, NULL), "refund requested", "retrieve, not known");
    CHECK(!zg_show_retrieve_names_lock(ZG_SVC_FINETUNING, &r),
          "...and only when the sub-account was read afterwards");

    r = (zg_funds_result){.yes = true};
    SHOWN(zg_show_trust_said(B, &r, prov, "TEE attestation verified, TCB status UpToDate", NULL),
          strcat(strcat(strcpy((char[200]){0}, "acknowledged the TEE signer of "), prov),
                 " (TEE attestation verified, TCB status UpToDate)"),
          "trust yes names the verdict");
    r.already = true;
    SHOWN(zg_show_trust_said(B, &r, prov, "", NULL), "already acknowledged; nothing sent",
          "trust as it already was");
}

int main(void)
{
    zg_addr_checksum(user, USER);
    zg_addr_checksum(prov, PROV);
    zg_addr_checksum(signer, SIGNER);
    test_service();
    test_accounts();
    test_ledger();
    test_lookups();
    test_task_deploy();
    test_providers();
    test_readme();
    test_sentences();
    return check_done();
}

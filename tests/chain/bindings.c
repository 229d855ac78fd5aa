/* Every contract binding against the real 0G contracts on a devnet, with
 * effects checked on chain. Usage: bindings DEVNET_JSON (a fresh devnet:
 * the test moves funds and time). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "zg/bind.h"
#include "zg/client.h"
#include "zg/rpc.h"
#include "zg/ftserving.h"
#include "zg/infserving.h"
#include "zg/keccak.h"
#include "zg/ledger.h"

static cJSON *devnet;

static const char *acct(const char *role, const char *field)
{
    cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(devnet, "accounts"), role);
    return cJSON_GetStringValue(cJSON_GetObjectItem(a, field));
}

static void addr_of(uint8_t out[20], const char *role)
{
    zg_addr_parse(out, acct(role, "address"), NULL);
}

static zg_client *open_as(const zg_network *net, const char *role)
{
    zg_key key;
    zg_err e = {0};
    zg_client *c = NULL;
    if (zg_key_from_hex(&key, acct(role, "privateKey"), &e) ||
        zg_client_open(&c, net, &key, NULL, &e)) {
        printf("# cannot open client as %s: %s\n", role, e.msg);
        exit(2);
    }
    zg_key_wipe(&key);
    return c;
}

static zg_u256 og(const char *text)
{
    zg_u256 v;
    zg_amount_parse(&v, text, NULL);
    return v;
}

static bool eq(const zg_u256 *a, const char *og_text)
{
    zg_u256 b = og(og_text);
    return zg_u256_cmp(a, &b) == 0;
}

static const char *fmt(const zg_u256 *v)
{
    static char s[4][ZG_U256_DEC_MAX + 2];
    static int i;
    i = (i + 1) % 4;
    zg_amount_format(s[i], v);
    return s[i];
}

static uint64_t nonce_of(zg_client *c)
{
    uint64_t n = 0;
    zg_rpc_nonce(c->rpc, zg_chain_address(c->chain), "latest", &n, NULL);
    return n;
}

static void advance_time(zg_client *c, long seconds)
{
    cJSON *p = cJSON_CreateArray(), *r = NULL;
    cJSON_AddItemToArray(p, cJSON_CreateNumber((double)seconds));
    zg_rpc_call(c->rpc, "evm_increaseTime", p, &r, NULL, NULL);
    cJSON_Delete(r);
    r = NULL;
    zg_rpc_call(c->rpc, "evm_mine", NULL, &r, NULL, NULL);
    cJSON_Delete(r);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DEVNET_JSON\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    char text[65536];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = 0;
    devnet = cJSON_Parse(text);
    zg_network net;
    zg_err e = {0};
    if (!devnet || zg_network_from_devnet(&net, argv[1], &e)) {
        printf("# bad devnet file: %s\n", e.msg);
        return 2;
    }

    /* --- connecting --- */
    zg_network wrong = net;
    wrong.chain_id = 16661;
    zg_client *bad = NULL;
    CHECK(zg_client_open(&bad, &wrong, NULL, NULL, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "chain id 31337"),
          "wrong chain id refused: %s", e.msg);
    zg_network dead = net;
    snprintf(dead.rpc, sizeof dead.rpc, "http://127.0.0.1:1");
    zg_http_opts quick = {.max_retries = 0};
    CHECK(zg_client_open(&bad, &dead, NULL, &quick, &e) == -1 && e.code == ECONNREFUSED,
          "unreachable RPC refused: %s", e.msg);

    zg_client *user = open_as(&net, "user");
    zg_client *user2 = open_as(&net, "user2");
    zg_client *prov = open_as(&net, "ftProvider");
    zg_client *infp = open_as(&net, "infProvider");
    uint8_t me[20], me2[20], ftp[20], ftp2[20], infpa[20], nobody[20];
    addr_of(me, "user");
    addr_of(me2, "user2");
    addr_of(ftp, "ftProvider");
    addr_of(ftp2, "ftProvider2");
    addr_of(infpa, "infProvider");
    memset(nobody, 0x42, 20);

    char name[64];
    CHECK(zg_client_service_name(user, ZG_SVC_FINETUNING, name, &e) == 0 &&
              strcmp(name, "fine-tuning-v1.0") == 0,
          "fine-tuning service name resolved via getServiceInfo: %s", name);
    CHECK(zg_client_service_name(user, ZG_SVC_INFERENCE, name, &e) == 0 &&
              strcmp(name, "inference-v1.0") == 0,
          "inference service name resolved via getServiceInfo: %s", name);
    zg_u256 minb, mint;
    CHECK(zg_ledger_min_account_balance(user, &minb, &e) == 0 && eq(&minb, "3"),
          "MIN_ACCOUNT_BALANCE is 3 OG");
    CHECK(zg_ledger_min_transfer(user, &mint, &e) == 0 && eq(&mint, "1"),
          "MIN_TRANSFER_AMOUNT is 1 OG");

    /* --- ledger --- */
    zg_ledger l;
    bool exists = false;
    CHECK(zg_ledger_get(user, me, &l, &exists, &e) == 0 && exists && eq(&l.total, "10") &&
              eq(&l.available, "8"),
          "seeded ledger: total %s, available %s", fmt(&l.total), fmt(&l.available));
    zg_ledger_free(&l);
    CHECK(zg_ledger_get(user2, me2, &l, &exists, &e) == 0 && !exists, "user2 has no ledger");

    zg_u256 amt = og("1.5"), w0, w1;
    zg_rpc_balance(user->rpc, me, &w0, NULL);
    zg_err_clear(&e);
    CHECK(zg_ledger_deposit(user, &amt, NULL, &e) == 0, "deposit 1.5 OG: %s", e.msg);
    zg_rpc_balance(user->rpc, me, &w1, NULL);
    zg_ledger_get(user, me, &l, &exists, &e);
    CHECK(eq(&l.available, "9.5") && eq(&l.total, "11.5"), "deposit moved: available %s",
          fmt(&l.available));
    zg_u256 spent;
    zg_u256_sub(&spent, &w0, &w1);
    CHECK(zg_u256_cmp(&spent, &amt) > 0, "wallet paid the deposit plus gas");
    zg_ledger_free(&l);

    amt = og("0.5");
    uint64_t n0 = nonce_of(user2);
    CHECK(zg_ledger_deposit(user2, &amt, NULL, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "at least 3 OG"),
          "creating a ledger below the minimum refused: %s", e.msg);
    CHECK(nonce_of(user2) == n0, "nothing was sent for the refused deposit");
    amt = og("3");
    CHECK(zg_ledger_deposit(user2, &amt, NULL, &e) == 0, "deposit 3 OG creates user2's ledger");
    CHECK(zg_ledger_get(user2, me2, &l, &exists, &e) == 0 && exists && eq(&l.total, "3"),
          "user2 ledger exists with 3 OG");
    zg_ledger_free(&l);
    zg_u256 zero;
    zg_u256_from_u64(&zero, 0);
    CHECK(zg_ledger_deposit(user, &zero, NULL, &e) == -1 && e.code == EINVAL,
          "zero deposit refused");

    /* --- transfers into sub-accounts --- */
    zg_ft_account a;
    CHECK(zg_ft_get_account(user, me, ftp, &a, &exists, &e) == 0 && exists && eq(&a.balance, "2") &&
              a.acknowledged && a.ndeliverables == 0,
          "seeded fine-tuning sub-account: balance %s, acknowledged", fmt(&a.balance));
    zg_ft_account_free(&a);
    amt = og("1");
    zg_err_clear(&e);
    CHECK(zg_ledger_transfer(user, ZG_SVC_FINETUNING, ftp, &amt, NULL, &e) == 0,
          "transferFund 1 OG to the fine-tuning provider: %s", e.msg);
    zg_ft_get_account(user, me, ftp, &a, &exists, &e);
    CHECK(eq(&a.balance, "3"), "sub-account balance is now %s", fmt(&a.balance));
    zg_ft_account_free(&a);
    zg_ledger_get(user, me, &l, &exists, &e);
    CHECK(eq(&l.available, "8.5") && eq(&l.total, "11.5"), "ledger available fell to %s",
          fmt(&l.available));
    zg_ledger_free(&l);

    n0 = nonce_of(user);
    CHECK(zg_ledger_transfer(user, ZG_SVC_FINETUNING, nobody, &amt, NULL, &e) == -1 &&
              e.code == ENOENT && strstr(e.msg, "not a registered provider"),
          "transfer to a non-provider refused before sending: %s", e.msg);
    amt = og("100");
    CHECK(zg_ledger_transfer(user, ZG_SVC_FINETUNING, ftp, &amt, NULL, &e) == -1 &&
              e.code == EDQUOT && strstr(e.msg, "8.5 OG available"),
          "transfer above the available balance is EDQUOT: %s", e.msg);
    CHECK(nonce_of(user) == n0, "no transaction was sent for either refusal");

    /* CallFailed: the inference contract refuses provider == user, and the
     * ledger reports only CallFailed(). */
    amt = og("3");
    CHECK(zg_ledger_deposit(infp, &amt, NULL, &e) == 0, "inference provider opens a ledger");
    amt = og("1");
    CHECK(zg_ledger_transfer(infp, ZG_SVC_INFERENCE, infpa, &amt, NULL, &e) == -1 &&
              e.code == EINVAL && strstr(e.msg, "hides its reason"),
          "CallFailed explained: %s", e.msg);

    /* --- providers --- */
    zg_ft_service *svcs = NULL;
    size_t ns = 0;
    CHECK(zg_ft_all_services(user, &svcs, &ns, &e) == 0 && ns == 2, "two fine-tuning services");
    int acked = 0;
    for (size_t i = 0; i < ns; i++)
        acked += svcs[i].tee_acknowledged;
    CHECK(acked == 1, "exactly one TEE signer acknowledged by the owner");
    zg_ft_services_free(svcs, ns);
    zg_ft_service s;
    CHECK(zg_ft_get_service(user, ftp, &s, &e) == 0 && s.tee_acknowledged && s.nmodels == 2 &&
              strcmp(s.models[0], "zg-tiny-lora") == 0 &&
              strcmp(s.models[1], "deadbeef-lora") == 0 &&
              strncmp(s.url, "http://127.0.0.1:", 17) == 0,
          "getService decodes url, models, quota and flags");
    uint8_t tee[20];
    memcpy(tee, s.tee_signer, 20);
    zg_ft_service_free(&s);
    uint8_t tee_expect[20];
    addr_of(tee_expect, "ftTeeSigner");
    CHECK(memcmp(tee, tee_expect, 20) == 0, "TEE signer address matches the devnet");
    CHECK(zg_ft_get_service(user, ftp2, &s, &e) == 0 && !s.tee_acknowledged,
          "second provider is not acknowledged");
    zg_ft_service_free(&s);
    CHECK(zg_ft_get_service(user, nobody, &s, &e) == -1 && e.code == ENOENT,
          "unknown provider is ENOENT: %s", e.msg);

    uint64_t lt = 0, pp = 0;
    CHECK(zg_ft_lock_time(user, &lt, &e) == 0 && lt == 86400, "lockTime 86400");
    CHECK(zg_ft_penalty_percentage(user, &pp, &e) == 0 && pp == 30, "penalty 30%%");

    /* --- reads a file needs together, in one round trip (a JSON-RPC batch) --- */
    unsigned long r0 = zg_rpc_requests(user->rpc);
    uint64_t lt2 = 0;
    CHECK(zg_ft_get_account_lock_time(user, me, ftp, &a, &exists, &lt2, &e) == 0 && exists &&
              eq(&a.balance, "3") && a.acknowledged && lt2 == 86400 &&
              zg_rpc_requests(user->rpc) == r0 + 1,
          "sub-account (balance %s) and lockTime %llu in %lu request(s)", fmt(&a.balance),
          (unsigned long long)lt2, zg_rpc_requests(user->rpc) - r0);
    zg_ft_account_free(&a);
    CHECK(zg_ft_get_account_lock_time(user, me, nobody, &a, &exists, &lt2, &e) == 0 && !exists &&
              lt2 == 86400,
          "in a batch, a sub-account that does not exist is absent, not an error");
    zg_ft_account_free(&a);
    zg_ft_service *fl = NULL;
    zg_inf_service *il = NULL;
    size_t nf = 0, ni = 0;
    r0 = zg_rpc_requests(user->rpc);
    CHECK(zg_all_services(user, &fl, &nf, &il, &ni, &e) == 0 && nf == 2 && ni == 1 &&
              zg_rpc_requests(user->rpc) == r0 + 1,
          "both services lists (%zu fine-tuning, %zu inference) in %lu request(s)", nf, ni,
          zg_rpc_requests(user->rpc) - r0);
    zg_ft_services_free(fl, nf);
    zg_inf_services_free(il, ni);
    zg_view_req v[2] = {{.to = user->net.finetuning,
                         .what = "fine-tuning account",
                         .signature = "getAccount(address,address)",
                         .args = zg_abi_tuple(zg_abi_addr(me), zg_abi_addr(nobody)),
                         .ret_type = "(uint256)"},
                        {.to = user->net.finetuning,
                         .what = "lockTime()",
                         .signature = "lockTime()",
                         .ret_type = "(uint256)"}};
    zg_err_clear(&e);
    int vr = zg_view_batch(user, v, 2, &e);
    uint64_t lt3 = 0;
    CHECK(vr == -1 && v[0].rc == -1 && strstr(v[0].err.msg, "has no sub-account") &&
              strcmp(e.msg, v[0].err.msg) == 0 && v[1].rc == 0 &&
              zg_abi_get_u64(v[1].out, 0, &lt3, NULL) == 0 && lt3 == 86400,
          "a revert in a batch is that call's error (%s); the other call still answers",
          v[0].err.msg);
    zg_abi_value_free(v[0].out);
    zg_abi_value_free(v[1].out);

    uint8_t(*plist)[20] = NULL;
    size_t np = 0;
    CHECK(zg_ledger_providers(user, ZG_SVC_FINETUNING, me, &plist, &np, &e) == 0 && np == 1 &&
              memcmp(plist[0], ftp, 20) == 0,
          "getLedgerProviders lists the fine-tuning provider");
    free(plist);

    /* --- trust --- */
    CHECK(zg_ft_ack_tee_signer(user, ftp, false, NULL, &e) == -1 && e.code == EBUSY,
          "revoking with funds in the sub-account is EBUSY: %s", e.msg);
    CHECK(zg_ft_ack_tee_signer(user, ftp, true, NULL, &e) == 0, "acknowledgeTEESigner(true)");

    /* --- inference --- */
    zg_inf_service is;
    CHECK(zg_inf_get_service(user, infpa, &is, &e) == 0 && is.tee_acknowledged &&
              strcmp(is.model, "Qwen2.5-0.5B-Instruct") == 0,
          "inference getService decodes: model %s", is.model ? is.model : "?");
    zg_inf_service_free(&is);
    zg_inf_service *isv = NULL;
    CHECK(zg_inf_all_services(user, &isv, &ns, &e) == 0 && ns == 1, "one inference service");
    zg_inf_services_free(isv, ns);
    zg_inf_account ia;
    CHECK(zg_inf_get_account(user, me, infpa, &ia, &exists, &e) == 0 && !exists,
          "no inference sub-account yet");
    amt = og("1");
    zg_err_clear(&e);
    CHECK(zg_ledger_transfer(user, ZG_SVC_INFERENCE, infpa, &amt, NULL, &e) == 0,
          "transferFund to the inference provider: %s", e.msg);
    CHECK(zg_inf_get_account(user, me, infpa, &ia, &exists, &e) == 0 && exists &&
              eq(&ia.balance, "1") && ia.acknowledged,
          "inference sub-account funded and acknowledged");
    zg_inf_account_free(&ia);
    CHECK(zg_inf_ack_tee_signer(user, infpa, true, NULL, &e) == 0,
          "inference acknowledgeTEESigner");

    /* --- deliverables: provider delivers, user acknowledges, provider settles --- */
    zg_deliverable d;
    zg_err_clear(&e);
    CHECK(zg_ft_get_deliverable(user, me, ftp, "3e385c46-f5dc-4e93-b713-63ab7a987ae3", &d, &e) ==
                  -1 &&
              e.code == ENOENT,
          "absent deliverable is ENOENT: %s", e.msg);
    uint8_t root[32];
    zg_keccak256(root, "model", 5);
    const char *id1 = "3e385c46-f5dc-4e93-b713-63ab7a987ae3";
    zg_err_clear(&e);
    CHECK(zg_ft_add_deliverable(prov, me, id1, root, 32, NULL, &e) == 0, "addDeliverable: %s",
          e.msg);
    CHECK(zg_ft_get_deliverable(user, me, ftp, id1, &d, &e) == 0 && d.root_len == 32 &&
              memcmp(d.root, root, 32) == 0 && !d.acknowledged && !d.settled && d.secret_len == 0 &&
              d.timestamp > 0,
          "deliverable decoded: root, flags, timestamp");
    zg_deliverable_free(&d);
    CHECK(zg_ft_add_deliverable(prov, me, "second-task", root, 32, NULL, &e) == -1 &&
              e.code == EAGAIN && strstr(e.msg, id1),
          "a second delivery before acknowledgement refused: %s", e.msg);
    CHECK(zg_ft_ack_deliverable(user, ftp, id1, NULL, &e) == 0, "acknowledgeDeliverable");
    zg_ft_get_account(user, me, ftp, &a, &exists, &e);
    CHECK(a.ndeliverables == 1 && a.deliverables[0].acknowledged, "account shows it acknowledged");
    zg_ft_account_free(&a);

    zg_key tee_key;
    zg_key_from_hex(&tee_key, acct("ftTeeSigner", "privateKey"), NULL);
    uint8_t secret[129];
    memset(secret, 0xab, sizeof secret);
    zg_ft_settlement st = {
        .id = id1, .secret = secret, .secret_len = sizeof secret, .root = root, .root_len = 32};
    zg_u256_from_u64(&st.nonce, 17000000000000040ULL);
    st.fee = og("0.25");
    memcpy(st.user, me, 20);
    zg_ledger_get(user, me, &l, &exists, &e);
    zg_u256 total_before = l.total;
    zg_ledger_free(&l);

    zg_key wrong_key;
    zg_key_from_hex(&wrong_key, acct("user2", "privateKey"), NULL);
    CHECK(zg_ft_settle_fees(prov, &st, &wrong_key, NULL, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "TEE settlement validation failed"),
          "settlement signed by another key refused: %s", e.msg);
    zg_err_clear(&e);
    CHECK(zg_ft_settle_fees(prov, &st, &tee_key, NULL, &e) == 0,
          "settleFees with the TEE signer's EIP-712 signature: %s", e.msg);
    CHECK(zg_ft_get_deliverable(user, me, ftp, id1, &d, &e) == 0 && d.settled &&
              d.secret_len == sizeof secret && memcmp(d.secret, secret, sizeof secret) == 0,
          "settled deliverable carries the encrypted secret");
    zg_deliverable_free(&d);
    zg_ledger_get(user, me, &l, &exists, &e);
    zg_u256 fee_paid;
    zg_u256_sub(&fee_paid, &total_before, &l.total);
    CHECK(eq(&fee_paid, "0.25"), "the ledger total fell by the fee: %s", fmt(&fee_paid));
    zg_ledger_free(&l);
    zg_ft_get_account(user, me, ftp, &a, &exists, &e);
    CHECK(zg_u256_cmp(&a.nonce, &st.nonce) == 0, "account nonce is the settled task's");
    zg_ft_account_free(&a);
    CHECK(zg_ft_ack_deliverable(user, ftp, id1, NULL, &e) == -1 && e.code == EPERM,
          "acknowledging a settled deliverable is refused: %s", e.msg);
    zg_key_wipe(&tee_key);
    zg_key_wipe(&wrong_key);

    /* --- retrieving funds: two phases, lockTime apart --- */
    zg_ledger_get(user, me, &l, &exists, &e);
    zg_u256 avail_before = l.available;
    zg_ledger_free(&l);
    const uint8_t(*one)[20] = (const uint8_t(*)[20])ftp;
    CHECK(zg_ledger_retrieve(user, ZG_SVC_FINETUNING, one, 1, NULL, &e) == 0,
          "retrieveFund starts a refund");
    zg_ft_get_account(user, me, ftp, &a, &exists, &e);
    CHECK(a.nrefunds == 1 && zg_u256_cmp(&a.pending_refund, &a.balance) == 0,
          "the whole free balance is pending refund (%s OG)", fmt(&a.pending_refund));
    zg_u256 refunded = a.pending_refund;
    zg_ft_account_free(&a);
    advance_time(user, 86401);
    CHECK(zg_ledger_retrieve(user, ZG_SVC_FINETUNING, one, 1, NULL, &e) == 0,
          "second retrieveFund after the lock time");
    zg_ledger_get(user, me, &l, &exists, &e);
    zg_u256 gained;
    zg_u256_sub(&gained, &l.available, &avail_before);
    CHECK(zg_u256_cmp(&gained, &refunded) == 0, "the matured refund is back in the ledger");
    zg_ledger_free(&l);
    CHECK(zg_ledger_retrieve(user, ZG_SVC_FINETUNING, NULL, 0, NULL, &e) == -1 && e.code == EINVAL,
          "retrieve with no provider refused");

    /* --- refunds to the wallet --- */
    amt = og("1");
    zg_rpc_balance(user->rpc, me, &w0, NULL);
    zg_err_clear(&e);
    CHECK(zg_ledger_refund(user, &amt, false, NULL, &e) == 0, "refund 1 OG: %s", e.msg);
    zg_rpc_balance(user->rpc, me, &w1, NULL);
    CHECK(zg_u256_cmp(&w1, &w0) > 0, "the wallet received the refund");
    zg_ledger_get(user2, me2, &l, &exists, &e);
    zg_u256 all = l.total;
    zg_ledger_free(&l);
    n0 = nonce_of(user2);
    CHECK(zg_ledger_refund(user2, &all, false, NULL, &e) == -1 && e.code == EPERM &&
              strstr(e.msg, "delete the ledger"),
          "withdrawing the last neuron refused without consent: %s", e.msg);
    CHECK(nonce_of(user2) == n0, "nothing sent for the refused refund");
    amt = og("1000");
    CHECK(zg_ledger_refund(user2, &amt, false, NULL, &e) == -1 && e.code == EDQUOT,
          "refund above available is EDQUOT: %s", e.msg);
    CHECK(zg_ledger_refund(user2, &all, true, NULL, &e) == 0, "refund of everything with consent");
    CHECK(zg_ledger_get(user2, me2, &l, &exists, &e) == 0 && !exists, "the ledger is gone");

    zg_client_close(user);
    zg_client_close(user2);
    zg_client_close(prov);
    zg_client_close(infp);
    cJSON_Delete(devnet);
    return check_done();
}

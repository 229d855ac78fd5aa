/* The money files' rules (zg/funds.h) against the devnet's contracts:
 * each refusal sends nothing, each accepted line moves what it says.
 * Usage: funds DEVNET_JSON WORKDIR */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "zg/ftserving.h"
#include "zg/funds.h"
#include "zg/infserving.h"
#include "zg/ledger.h"
#include "../unit/slurp.h"

static zg_u256 og(const char *s)
{
    zg_u256 v = {{0}};
    zg_amount_parse(&v, s, NULL);
    return v;
}

static zg_u256 available(zg_client *c)
{
    zg_ledger l;
    bool exists = false;
    zg_u256 v = {{0}};
    if (zg_ledger_get(c, zg_chain_address(c->chain), &l, &exists, NULL) == 0 && exists)
        v = l.available;
    zg_ledger_free(&l);
    return v;
}

static bool diff_is(const zg_u256 *more, const zg_u256 *less, const char *amount)
{
    zg_u256 d, want = og(amount);
    zg_u256_sub(&d, more, less);
    return zg_u256_cmp(&d, &want) == 0;
}

/* The inference sub-account: exists, and its pending refund. */
static bool inf_account(zg_client *c, const uint8_t p[20], zg_u256 *pending)
{
    zg_inf_account a;
    bool exists = false;
    zg_inf_get_account(c, zg_chain_address(c->chain), p, &a, &exists, NULL);
    if (exists && pending)
        *pending = a.pending_refund;
    zg_inf_account_free(&a);
    return exists;
}

typedef struct vetted {
    int calls;
    bool vouched;
    bool refuse;
} vetted;

static int vet(void *arg, bool vouched, zg_err *err)
{
    vetted *v = arg;
    v->calls++;
    v->vouched = vouched;
    return v->refuse ? zg_err_set(err, EACCES, "the attestation does not verify") : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char jdir[512];
    snprintf(jdir, sizeof jdir, "%s/journal", argv[2]);
    char *dn_text = test_slurp(argv[1], NULL);
    cJSON *dn = cJSON_Parse(dn_text);
    free(dn_text);
    const cJSON *prov = cJSON_GetObjectItem(dn, "providers");
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(dn, "accounts"), "user"), "privateKey"));
    zg_network net;
    zg_err e = {0};
    zg_key key;
    zg_client *c;
    zg_journal *j;
    uint8_t ft[20], ft2[20], inf[20];
    if (zg_network_from_devnet(&net, argv[1], &e) || !hex ||
        zg_addr_parse(ft,
                      cJSON_GetStringValue(
                          cJSON_GetObjectItem(cJSON_GetObjectItem(prov, "fineTuning"), "address")),
                      &e) ||
        zg_addr_parse(ft2,
                      cJSON_GetStringValue(cJSON_GetObjectItem(
                          cJSON_GetObjectItem(prov, "fineTuningUnacknowledged"), "address")),
                      &e) ||
        zg_addr_parse(inf,
                      cJSON_GetStringValue(
                          cJSON_GetObjectItem(cJSON_GetObjectItem(prov, "inference"), "address")),
                      &e) ||
        zg_key_from_hex(&key, hex, &e) || zg_client_open(&c, &net, &key, NULL, &e) ||
        zg_journal_open(&j, jdir, &e)) {
        printf("# setup: %s\n", e.msg);
        return 2;
    }
    zg_funds_result r;
    zg_u256 v;

    CHECK(zg_funds_amount("", &v, &e) == -1 && e.code == EINVAL, "an empty amount: %s", e.msg);
    CHECK(zg_funds_amount("0", &v, &e) == -1 && e.code == EINVAL, "zero: %s", e.msg);
    CHECK(zg_funds_amount("1.5", &v, &e) == 0 && zg_u256_cmp(&v, &(zg_u256){{0}}) > 0, "1.5 OG");

    /* ledger/deposit */
    zg_u256 before = available(c);
    CHECK(zg_funds_deposit(c, j, "1000000000", &r, &e) == -1 && e.code == EDQUOT &&
              strstr(e.msg, "the wallet has") && !r.sent,
          "a deposit above the wallet's balance is refused: %s", e.msg);
    zg_u256 after = available(c);
    CHECK(zg_u256_cmp(&before, &after) == 0, "and the ledger is as it was");
    zg_err_clear(&e);
    CHECK(zg_funds_deposit(c, j, "0.5", &r, &e) == 0 && r.sent, "deposit 0.5: %s", e.msg);
    after = available(c);
    CHECK(diff_is(&after, &before, "0.5"), "the ledger has 0.5 OG more");

    /* ledger/refund */
    CHECK(zg_funds_refund(c, j, "", &r, &e) == -1 && e.code == EINVAL && !r.sent,
          "an empty refund: %s", e.msg);
    CHECK(zg_funds_refund(c, j, "1 2", &r, &e) == -1 && e.code == EINVAL,
          "a second word other than --delete-ledger: %s", e.msg);
    CHECK(zg_funds_refund(c, j, "--delete-ledger", &r, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "follows"),
          "--delete-ledger alone: %s", e.msg);
    CHECK(zg_funds_refund(c, j, "100", &r, &e) == -1 && e.code == EDQUOT && !r.sent,
          "more than is available: %s", e.msg);
    before = available(c);
    zg_err_clear(&e);
    CHECK(zg_funds_refund(c, j, "0.25", &r, &e) == 0 && r.sent, "refund 0.25: %s", e.msg);
    after = available(c);
    CHECK(diff_is(&before, &after, "0.25"), "the ledger has 0.25 OG less");

    /* providers/P/fund */
    vetted vt = {0};
    CHECK(zg_funds_transfer(c, j, ZG_SVC_FINETUNING, ft, "none", vet, &vt, &r, &e) == -1 &&
              e.code == EINVAL && !r.sent,
          "not an amount: %s", e.msg);
    CHECK(zg_funds_transfer(c, j, ZG_SVC_FINETUNING, ft, "1000", vet, &vt, &r, &e) == -1 &&
              e.code == EDQUOT && strstr(e.msg, "the ledger has") && !r.sent,
          "more than the ledger has: %s", e.msg);
    before = available(c);
    zg_err_clear(&e);
    CHECK(zg_funds_transfer(c, j, ZG_SVC_FINETUNING, ft, "0.1", vet, &vt, &r, &e) == 0 &&
              zg_u256_is_zero(&r.cancelled) && vt.calls == 0,
          "0.1 OG into an existing sub-account, no TEE check: %s", e.msg);
    after = available(c);
    CHECK(diff_is(&before, &after, "0.1"), "0.1 OG left the ledger");

    vt.refuse = true;
    CHECK(zg_funds_transfer(c, j, ZG_SVC_INFERENCE, inf, "2", vet, &vt, &r, &e) == -1 &&
              e.code == EACCES && vt.calls == 1 && !vt.vouched && !r.sent,
          "a new sub-account waits for the TEE check, and its refusal: %s", e.msg);
    CHECK(!inf_account(c, inf, NULL), "no sub-account was made");
    vt = (vetted){0};
    zg_err_clear(&e);
    CHECK(zg_funds_transfer(c, j, ZG_SVC_INFERENCE, inf, "2 --unverified", vet, &vt, &r, &e) == 0 &&
              vt.calls == 1 && vt.vouched && inf_account(c, inf, NULL),
          "\"--unverified\" vouches for it: %s", e.msg);

    /* providers/P/retrieve */
    CHECK(zg_funds_retrieve(c, j, ZG_SVC_INFERENCE, inf, "some", &r, &e) == -1 &&
              e.code == EINVAL && !r.sent,
          "retrieve takes \"all\": %s", e.msg);
    CHECK(zg_funds_retrieve(c, j, ZG_SVC_FINETUNING, ft2, "all", &r, &e) == -1 &&
              e.code == ENOENT && strstr(e.msg, "nothing to retrieve"),
          "nothing to retrieve without a sub-account: %s", e.msg);
    zg_err_clear(&e);
    CHECK(zg_funds_retrieve(c, j, ZG_SVC_INFERENCE, inf, "all", &r, &e) == 0 && r.after_known &&
              diff_is(&r.pending, &(zg_u256){{0}}, "2"),
          "retrieving requests the refund: 2 OG pending until the lock time: %s", e.msg);

    /* A transfer cancels pending refunds first: nothing leaves the ledger. */
    before = available(c);
    CHECK(zg_funds_transfer(c, j, ZG_SVC_INFERENCE, inf, "0.5", vet, &vt, &r, &e) == 0 &&
              diff_is(&r.cancelled, &(zg_u256){{0}}, "0.5") && zg_u256_is_zero(&r.moved),
          "0.5 OG of the pending refund cancelled: %s", e.msg);
    after = available(c);
    zg_u256 pending = {{0}};
    inf_account(c, inf, &pending);
    CHECK(zg_u256_cmp(&before, &after) == 0 && diff_is(&pending, &(zg_u256){{0}}, "1.5"),
          "as the contract did: the ledger as it was, 1.5 OG still pending");

    /* providers/P/trust */
    CHECK(zg_funds_trust(c, j, ZG_SVC_FINETUNING, ft, "maybe", vet, &vt, &r, &e) == -1 &&
              e.code == EINVAL,
          "trust takes yes or no: %s", e.msg);
    vt = (vetted){0};
    zg_err_clear(&e);
    CHECK(zg_funds_trust(c, j, ZG_SVC_FINETUNING, ft, "yes", vet, &vt, &r, &e) == 0 && r.already &&
              !r.sent && vt.calls == 0,
          "already acknowledged: nothing checked, nothing sent: %s", e.msg);
    CHECK(zg_funds_trust(c, j, ZG_SVC_FINETUNING, ft, "no", vet, &vt, &r, &e) == -1 &&
              e.code == EBUSY && !r.sent,
          "revoking a funded sub-account is refused: %s", e.msg);
    CHECK(zg_funds_trust(c, j, ZG_SVC_FINETUNING, ft2, "yes", vet, &vt, &r, &e) == -1 &&
              e.code == ENOENT,
          "no sub-account to acknowledge with: %s", e.msg);

    zg_journal_close(j);
    zg_client_close(c);
    zg_key_wipe(&key);
    cJSON_Delete(dn);
    return check_done();
}

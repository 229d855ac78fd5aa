/* ledger/: the main account. ledger.json and balance read it; deposit and
 * refund move money between it and the wallet. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "zg/funds.h"

/* What a deposit or a refund changes (zgfs_changed). */
#define LEDGER_VALUES (ZG_RV_BIT(ZG_RV_WALLET) | ZG_RV_BIT(ZG_RV_LEDGER) | ZG_RV_BIT(ZG_RV_SUBS))

static cJSON *subs_json(zgfs *fs, zg_service_kind kind, const zg_subaccount *s, size_t n)
{
    char name[64];
    zg_err ignore;
    if (zg_client_service_name(fs->client, kind, name, &ignore))
        snprintf(name, sizeof name, "%s", kind == ZG_SVC_FINETUNING ? "fine-tuning" : "inference");
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "service", name);
        zgfs_json_addr(o, "provider", s[i].provider);
        zgfs_json_neuron(o, "balance", &s[i].balance);
        zgfs_json_neuron(o, "pendingRefund", &s[i].pending_refund);
        cJSON_AddBoolToObject(o, "acknowledged", s[i].acknowledged);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

int zgfs_ledger_json_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_cache_val *lref, *sref;
    if (zgfs_get_ledger(fs, -1, &lref, err))
        return -1;
    if (zgfs_get_subs(fs, -1, &sref, err)) {
        zg_cache_put(lref);
        return -1;
    }
    const zgfs_ledger_view *lv = zg_cache_value(lref);
    const zgfs_subs *sv = zg_cache_value(sref);
    cJSON *j = cJSON_CreateObject();
    if (j) {
        zg_u256 zero = {{0}}, locked = zero;
        const zg_u256 *total = lv->exists ? &lv->l.total : &zero;
        const zg_u256 *avail = lv->exists ? &lv->l.available : &zero;
        zg_u256_sub(&locked, total, avail);
        zgfs_json_addr(j, "user", fs->addr);
        cJSON_AddBoolToObject(j, "exists", lv->exists);
        zgfs_json_neuron(j, "total", total);
        zgfs_json_neuron(j, "available", avail);
        zgfs_json_neuron(j, "locked", &locked);
        cJSON_AddStringToObject(j, "additionalInfo",
                                lv->exists && lv->l.additional_info ? lv->l.additional_info : "");
        cJSON *subs = subs_json(fs, ZG_SVC_FINETUNING, sv->ft, sv->nft);
        cJSON *inf = subs_json(fs, ZG_SVC_INFERENCE, sv->inf, sv->ninf);
        if (subs && inf) {
            cJSON *it;
            while ((it = cJSON_DetachItemFromArray(inf, 0)))
                cJSON_AddItemToArray(subs, it);
        }
        cJSON_Delete(inf);
        if (subs)
            cJSON_AddItemToObject(j, "subAccounts", subs);
    }
    zg_cache_put(lref);
    zg_cache_put(sref);
    return zgfs_json_out(j, out, err);
}

int zgfs_ledger_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_ledger(c->fs, -1, &ref, err))
        return -1;
    const zgfs_ledger_view *lv = zg_cache_value(ref);
    zg_u256 zero = {{0}};
    char og[ZGFS_OG_MAX];
    zgfs_og(og, lv->exists ? &lv->l.available : &zero);
    zg_cache_put(ref);
    return zg_buf_printf(out, err, "%s\n", og);
}

/* The ledger's available balance now (0 when there is no ledger). */
static int ledger_now(zgfs *fs, bool *exists, zg_u256 *avail, zg_u256 *total, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_ledger(fs, 0, &ref, err))
        return -1;
    const zgfs_ledger_view *lv = zg_cache_value(ref);
    *exists = lv->exists;
    memset(avail, 0, sizeof *avail);
    memset(total, 0, sizeof *total);
    if (lv->exists) {
        *avail = lv->l.available;
        *total = lv->l.total;
    }
    zg_cache_put(ref);
    return 0;
}

int zgfs_ledger_deposit_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_funds_result r;
    int rc = zg_funds_deposit(fs->client, fs->journal, line, &r, err);
    if (r.sent)
        zgfs_changed(fs, LEDGER_VALUES, NULL, NULL);
    if (rc)
        return -1;
    char want[ZGFS_OG_MAX], have[ZGFS_OG_MAX];
    zgfs_og(want, &r.amount);
    bool exists;
    zg_u256 avail, total;
    zg_err ignore;
    if (ledger_now(fs, &exists, &avail, &total, &ignore) == 0) {
        zgfs_og(have, &avail);
        return zg_buf_printf(ok, err, "deposited %s OG; the ledger has %s OG available", want,
                             have);
    }
    return zg_buf_printf(ok, err, "deposited %s OG", want);
}

int zgfs_ledger_refund_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_funds_result r;
    int rc = zg_funds_refund(fs->client, fs->journal, line, &r, err);
    if (r.sent)
        /* a deleted ledger takes every sub-account with it */
        zgfs_changed(fs, ZG_RV_FUNDS, NULL, NULL);
    if (rc)
        return -1;
    char want[ZGFS_OG_MAX], have[ZGFS_OG_MAX];
    zgfs_og(want, &r.amount);
    bool exists;
    zg_u256 avail, total;
    zg_err ignore;
    if (ledger_now(fs, &exists, &avail, &total, &ignore) == 0 && exists) {
        zgfs_og(have, &avail);
        return zg_buf_printf(
            ok, err, "refunded %s OG to the wallet; the ledger has %s OG available", want, have);
    }
    return zg_buf_printf(ok, err, "refunded %s OG to the wallet; the ledger is deleted", want);
}

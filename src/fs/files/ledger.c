/* ledger/: the main account. ledger.json and balance read it; deposit and
 * refund move money between it and the wallet. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "zg/funds.h"
#include "zg/show.h"

/* What a deposit or a refund changes (zgfs_changed). */
#define LEDGER_VALUES (ZG_RV_BIT(ZG_RV_WALLET) | ZG_RV_BIT(ZG_RV_LEDGER) | ZG_RV_BIT(ZG_RV_SUBS))

int zgfs_ledger_json_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_cache_val *lref, *sref;
    if (zgfs_get(fs, ZG_RV_LEDGER, NULL, NULL, -1, &lref, err))
        return -1;
    if (zgfs_get(fs, ZG_RV_SUBS, NULL, NULL, -1, &sref, err)) {
        zg_cache_put(lref);
        return -1;
    }
    char ft[64], inf[64];
    zg_show_service_name(fs->client, ZG_SVC_FINETUNING, ft);
    zg_show_service_name(fs->client, ZG_SVC_INFERENCE, inf);
    int rc = zg_show_ledger(out, zg_session_addr(fs->session), zg_cache_value(lref),
                            zg_cache_value(sref), ft, inf, err);
    zg_cache_put(lref);
    zg_cache_put(sref);
    return rc;
}

int zgfs_ledger_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get(c->fs, ZG_RV_LEDGER, NULL, NULL, -1, &ref, err))
        return -1;
    int rc = zg_show_ledger_balance(out, zg_cache_value(ref), err);
    zg_cache_put(ref);
    return rc;
}

/* The ledger's available balance now (0 when there is no ledger). */
static int ledger_now(zgfs *fs, bool *exists, zg_u256 *avail)
{
    zg_cache_val *ref;
    zg_err ignore;
    if (zgfs_get(fs, ZG_RV_LEDGER, NULL, NULL, 0, &ref, &ignore))
        return -1;
    const zg_rv_ledger *lv = zg_cache_value(ref);
    *exists = lv->exists;
    memset(avail, 0, sizeof *avail);
    if (lv->exists)
        *avail = lv->l.available;
    zg_cache_put(ref);
    return 0;
}

int zgfs_ledger_deposit_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_funds_result r;
    int rc = zg_funds_deposit(fs->client, zg_session_journal(fs->session), line, &r, err);
    if (r.sent)
        zgfs_changed(fs, LEDGER_VALUES, NULL, NULL);
    if (rc)
        return -1;
    bool exists;
    zg_u256 avail;
    return zg_show_deposit_said(ok, &r, ledger_now(fs, &exists, &avail) ? NULL : &avail, err);
}

int zgfs_ledger_refund_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_funds_result r;
    int rc = zg_funds_refund(fs->client, zg_session_journal(fs->session), line, &r, err);
    if (r.sent)
        /* a deleted ledger takes every sub-account with it */
        zgfs_changed(fs, ZG_RV_FUNDS, NULL, NULL);
    if (rc)
        return -1;
    bool exists;
    zg_u256 avail;
    bool known = ledger_now(fs, &exists, &avail) == 0 && exists;
    return zg_show_refund_said(ok, &r, known ? &avail : NULL, err);
}

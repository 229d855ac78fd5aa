/* providers/ and the files in each providers/0xPROVIDER/ directory.
 *
 * One services list (fine-tuning getAllServices + inference pages) answers
 * listings, lookups and the service records, so `ls -l providers/` costs
 * O(1) requests. A provider that offers fine-tuning has its fine-tuning
 * sub-account behind account.json, fund, retrieve and trust; an
 * inference-only provider has its inference sub-account there. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "zg/funds.h"

int zgfs_provider_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    uint8_t a[20];
    if (strncmp(name, "0x", 2) && strncmp(name, "0X", 2))
        return zg_err_set(err, ENOENT, "not a provider address");
    if (zg_addr_parse(a, name, err))
        return -1;
    zg_addr_checksum(canon, a);
    return 0;
}

int zgfs_providers_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_cache_val *ref;
    if (zgfs_get_services(fs, -1, &ref, err))
        return -1;
    const zgfs_services *s = zg_cache_value(ref);
    bool all = fs->opts.all_providers;
    char a[43];
    int rc = 0;
    for (size_t i = 0; i < s->nft && !rc; i++)
        if (all || s->ft[i].tee_acknowledged) {
            zg_addr_checksum(a, s->ft[i].provider);
            rc = zgfs_names_add(out, a, err);
        }
    for (size_t i = 0; i < s->ninf && !rc; i++) {
        if (!all && !s->inf[i].tee_acknowledged)
            continue;
        zg_addr_checksum(a, s->inf[i].provider);
        bool dup = false;
        for (size_t k = 0; k < out->n && !dup; k++)
            dup = !strcmp(out->v[k], a);
        if (!dup)
            rc = zgfs_names_add(out, a, err);
    }
    zg_cache_put(ref);
    return rc;
}

/* Which services the path's provider offers (from the cached list). */
/* The services record of the path's provider; *ref holds it (put it). */
static int services_of(const zgfs_call *c, zg_cache_val **ref, zgfs_provider *pr, zg_err *err)
{
    uint8_t p[20];
    if (zgfs_call_addr(c, 0, p, err) || zgfs_get_services(c->fs, -1, ref, err))
        return -1;
    zgfs_services_find(zg_cache_value(*ref), p, pr);
    return 0;
}

static int provider_of(const zgfs_call *c, bool *ft, bool *inf, zg_err *err)
{
    zg_cache_val *ref;
    zgfs_provider pr;
    if (services_of(c, &ref, &pr, err))
        return -1;
    *ft = pr.ft != NULL;
    *inf = pr.inf != NULL;
    zg_cache_put(ref);
    return 0;
}

int zgfs_provider_present(const zgfs_call *c, zg_err *err)
{
    bool ft, inf;
    if (provider_of(c, &ft, &inf, err))
        return -1;
    if (!ft && !inf)
        return zg_err_set(err, ENOENT, "%s is not a registered provider", c->params[0]);
    return 0;
}

int zgfs_service_present(const zgfs_call *c, zg_err *err)
{
    bool ft, inf;
    if (provider_of(c, &ft, &inf, err))
        return -1;
    return ft ? 0 : zg_err_set(err, ENOENT, "%s offers no fine-tuning", c->params[0]);
}

int zgfs_inference_present(const zgfs_call *c, zg_err *err)
{
    bool ft, inf;
    if (provider_of(c, &ft, &inf, err))
        return -1;
    return inf ? 0 : zg_err_set(err, ENOENT, "%s serves no inference", c->params[0]);
}

int zgfs_service_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_cache_val *ref;
    zgfs_provider pr;
    if (services_of(c, &ref, &pr, err))
        return -1;
    const zg_ft_service *s = pr.ft;
    if (!s) {
        zg_cache_put(ref);
        return zg_err_set(err, ENOENT, "%s offers no fine-tuning", c->params[0]);
    }
    cJSON *j = cJSON_CreateObject();
    if (j) {
        zgfs_json_addr(j, "provider", s->provider);
        cJSON_AddStringToObject(j, "url", s->url ? s->url : "");
        cJSON *q = cJSON_AddObjectToObject(j, "quota");
        if (q) {
            zgfs_json_neuron(q, "cpuCount", &s->cpu);
            zgfs_json_neuron(q, "nodeMemory", &s->memory);
            zgfs_json_neuron(q, "gpuCount", &s->gpu_count);
            zgfs_json_neuron(q, "nodeStorage", &s->storage);
            cJSON_AddStringToObject(q, "gpuType", s->gpu_type ? s->gpu_type : "");
        }
        zgfs_json_neuron(j, "pricePerToken", &s->price_per_token);
        cJSON_AddBoolToObject(j, "occupied", s->occupied);
        cJSON *m = cJSON_AddArrayToObject(j, "models");
        for (size_t i = 0; m && i < s->nmodels; i++)
            cJSON_AddItemToArray(m, cJSON_CreateString(s->models[i]));
        zgfs_json_addr(j, "teeSignerAddress", s->tee_signer);
        cJSON_AddBoolToObject(j, "teeSignerAcknowledged", s->tee_acknowledged);
    }
    zg_cache_put(ref);
    return zgfs_json_out(j, out, err);
}

int zgfs_inference_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_cache_val *ref;
    zgfs_provider pr;
    if (services_of(c, &ref, &pr, err))
        return -1;
    const zg_inf_service *s = pr.inf;
    if (!s) {
        zg_cache_put(ref);
        return zg_err_set(err, ENOENT, "%s serves no inference", c->params[0]);
    }
    cJSON *j = cJSON_CreateObject();
    if (j) {
        zgfs_json_addr(j, "provider", s->provider);
        cJSON_AddStringToObject(j, "serviceType", s->service_type ? s->service_type : "");
        cJSON_AddStringToObject(j, "url", s->url ? s->url : "");
        cJSON_AddStringToObject(j, "model", s->model ? s->model : "");
        cJSON_AddStringToObject(j, "verifiability", s->verifiability ? s->verifiability : "");
        cJSON_AddStringToObject(j, "additionalInfo", s->additional_info ? s->additional_info : "");
        zgfs_json_neuron(j, "inputPrice", &s->input_price);
        zgfs_json_neuron(j, "outputPrice", &s->output_price);
        cJSON_AddNumberToObject(j, "updatedAt", (double)s->updated_at);
        zgfs_json_addr(j, "teeSignerAddress", s->tee_signer);
        cJSON_AddBoolToObject(j, "teeSignerAcknowledged", s->tee_acknowledged);
    }
    zg_cache_put(ref);
    return zgfs_json_out(j, out, err);
}

/* ---- the sub-account behind account.json, fund, retrieve, trust */

typedef struct acct {
    zg_service_kind kind;
    uint8_t provider[20];
    bool exists;
    zg_u256 balance, pending;
    bool acknowledged;
} acct;

/* The sub-account summary for the path's provider (max_age_ms as in
 * remote.h), and the provider's kind. ENOENT if it is not a provider. */
static int get_acct(const zgfs_call *c, long max_age_ms, acct *a, zg_cache_val **keep, zg_err *err)
{
    memset(a, 0, sizeof *a);
    if (keep)
        *keep = NULL;
    bool ft, inf;
    if (zgfs_call_addr(c, 0, a->provider, err) || provider_of(c, &ft, &inf, err))
        return -1;
    if (!ft && !inf)
        return zg_err_set(err, ENOENT, "%s is not a registered provider", c->params[0]);
    a->kind = ft ? ZG_SVC_FINETUNING : ZG_SVC_INFERENCE;
    zg_cache_val *ref;
    if (ft) {
        if (zgfs_get_ft_account(c->fs, a->provider, max_age_ms, &ref, err))
            return -1;
        const zgfs_ft_acct_view *v = zg_cache_value(ref);
        a->exists = v->exists;
        if (v->exists) {
            a->balance = v->a.balance;
            a->pending = v->a.pending_refund;
            a->acknowledged = v->a.acknowledged;
        }
    } else {
        if (zgfs_get_inf_account(c->fs, a->provider, max_age_ms, &ref, err))
            return -1;
        const zgfs_inf_acct_view *v = zg_cache_value(ref);
        a->exists = v->exists;
        if (v->exists) {
            a->balance = v->a.balance;
            a->pending = v->a.pending_refund;
            a->acknowledged = v->a.acknowledged;
        }
    }
    if (keep)
        *keep = ref;
    else
        zg_cache_put(ref);
    return 0;
}

static cJSON *refunds_json(const zg_refund *r, size_t n, uint64_t lock_time, bool have_lock)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddNumberToObject(o, "index", (double)r[i].index);
        zgfs_json_neuron(o, "amount", &r[i].amount);
        cJSON_AddNumberToObject(o, "createdAt", (double)r[i].created_at);
        if (have_lock) {
            /* Chain time, not ours: compare with the latest block's time. */
            cJSON_AddNumberToObject(o, "unlocksAt", (double)(r[i].created_at + lock_time));
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

int zgfs_account_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    acct a;
    zg_cache_val *ref;
    if (get_acct(c, -1, &a, &ref, err))
        return -1;
    char name[64];
    if (zg_client_service_name(fs->client, a.kind, name, err)) {
        zg_cache_put(ref);
        return -1;
    }
    uint64_t lock = a.kind == ZG_SVC_FINETUNING
                        ? ((const zgfs_ft_acct_view *)zg_cache_value(ref))->lock_time
                        : 0;
    bool have_lock = a.kind == ZG_SVC_FINETUNING;

    cJSON *j = cJSON_CreateObject();
    if (j) {
        cJSON_AddStringToObject(j, "service", name);
        zgfs_json_addr(j, "user", fs->addr);
        zgfs_json_addr(j, "provider", a.provider);
        cJSON_AddBoolToObject(j, "exists", a.exists);
        zg_u256 free_bal = {{0}};
        zg_u256_sub(&free_bal, &a.balance, &a.pending);
        zgfs_json_neuron(j, "balance", &a.balance);
        zgfs_json_neuron(j, "pendingRefund", &a.pending);
        zgfs_json_neuron(j, "available", &free_bal);
        cJSON_AddBoolToObject(j, "acknowledged", a.acknowledged);
        if (a.kind == ZG_SVC_FINETUNING) {
            const zgfs_ft_acct_view *v = zg_cache_value(ref);
            zg_u256 zero = {{0}};
            zgfs_json_neuron(j, "nonce", v->exists ? &v->a.nonce : &zero);
            cJSON_AddItemToObject(j, "refunds",
                                  refunds_json(v->exists ? v->a.refunds : NULL,
                                               v->exists ? v->a.nrefunds : 0, lock, have_lock));
            cJSON *ds = cJSON_AddArrayToObject(j, "deliverables");
            for (size_t i = 0; ds && v->exists && i < v->a.ndeliverables; i++) {
                const zg_deliverable *d = &v->a.deliverables[i];
                cJSON *o = cJSON_CreateObject();
                if (!o)
                    break;
                cJSON_AddStringToObject(o, "id", d->id ? d->id : "");
                zgfs_json_hex(o, "modelRootHash", d->root, d->root_len);
                cJSON_AddBoolToObject(o, "acknowledged", d->acknowledged);
                cJSON_AddBoolToObject(o, "settled", d->settled);
                cJSON_AddBoolToObject(o, "secretPresent", d->secret_len > 0);
                cJSON_AddNumberToObject(o, "timestamp", (double)d->timestamp);
                cJSON_AddItemToArray(ds, o);
            }
        } else {
            const zgfs_inf_acct_view *v = zg_cache_value(ref);
            zg_u256 zero = {{0}};
            zgfs_json_neuron(j, "nonce", v->exists ? &v->a.nonce : &zero);
            cJSON_AddItemToObject(j, "refunds",
                                  refunds_json(v->exists ? v->a.refunds : NULL,
                                               v->exists ? v->a.nrefunds : 0, 0, false));
        }
    }
    zg_cache_put(ref);
    return zgfs_json_out(j, out, err);
}

/* The TEE check (zg/teecheck.h) before anything that acknowledges P's TEE
 * signer on chain (zg_funds_vet_fn); its verdict goes to `log` either way,
 * and so does a vouching "--unverified". */
typedef struct vet_ctx {
    const zgfs_call *c;
    zg_service_kind kind;
    const uint8_t *provider;
    const char *vouched_line; /* the log's line for "--unverified" */
    char said[128];           /* the verdict, for the sentence */
} vet_ctx;

static int vet(void *arg, bool vouched, zg_err *err)
{
    vet_ctx *x = arg;
    const zgfs_call *c = x->c;
    zgfs *fs = c->fs;
    if (vouched) {
        zg_oplog_add(fs->log, "%s: %s%s", c->path + 1, c->params[0], x->vouched_line);
        return 0;
    }
    zg_attest_result res;
    zg_err e = {0};
    if (zg_tee_vet(fs->client, &fs->tee, x->kind, x->provider, NULL, &res, &e)) {
        zg_oplog_add(fs->log, "%s: TEE check refused %s: %s", c->path + 1, c->params[0], e.msg);
        if (e.code == EACCES)
            return zg_err_set(err, EACCES,
                              "%.150s; nothing sent (write \"yes --unverified\" to trust it "
                              "anyway)",
                              e.msg);
        return zg_err_set(err, e.code, "cannot check the TEE attestation: %.150s; nothing sent",
                          e.msg);
    }
    if (!res.status[0])
        snprintf(x->said, sizeof x->said, "TEE attestation verified, %u collateral step%s skipped",
                 res.skips, res.skips == 1 ? "" : "s");
    else
        snprintf(x->said, sizeof x->said, "TEE attestation verified, TCB status %s", res.status);
    if (res.status[0] && strcmp(res.status, "UpToDate"))
        zg_oplog_add(fs->log, "%s: TCB status %s of %s accepted (tee_status)%s%s", c->path + 1,
                     res.status, c->params[0], res.advisories[0] ? "; advisories " : "",
                     res.advisories);
    else if (!res.status[0])
        zg_oplog_add(fs->log, "%s: %s's TCB status unknown: %u collateral steps skipped",
                     c->path + 1, c->params[0], res.skips);
    return 0;
}

/* The kind of sub-account behind the path's provider's money files. */
static int kind_of(const zgfs_call *c, zg_service_kind *kind, uint8_t provider[20], zg_err *err)
{
    bool ft, inf;
    if (zgfs_call_addr(c, 0, provider, err) || provider_of(c, &ft, &inf, err))
        return -1;
    if (!ft && !inf)
        return zg_err_set(err, ENOENT, "%s is not a registered provider", c->params[0]);
    *kind = ft ? ZG_SVC_FINETUNING : ZG_SVC_INFERENCE;
    return 0;
}

int zgfs_fund_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    vet_ctx x = {.c = c, .vouched_line = " funded (and its TEE signer acknowledged) unverified"};
    uint8_t prov[20];
    zg_funds_result r;
    if (kind_of(c, &x.kind, prov, err))
        return -1;
    x.provider = prov;
    int rc = zg_funds_transfer(fs->client, fs->journal, x.kind, prov, line, vet, &x, &r, err);
    if (r.sent)
        zgfs_changed(fs, ZG_RV_FUNDS, prov, NULL);
    if (rc)
        return -1;
    /* What the contract did: cancelled pending refunds first (nothing of
     * that leaves the ledger), then moved the rest. */
    char what[3 * ZGFS_OG_MAX + 160], want[ZGFS_OG_MAX], cancelled[ZGFS_OG_MAX], moved[ZGFS_OG_MAX],
        have[ZGFS_OG_MAX];
    const char *kind = zg_funds_kind_word(x.kind);
    zgfs_og(want, &r.amount);
    zgfs_og(cancelled, &r.cancelled);
    zgfs_og(moved, &r.moved);
    if (zg_u256_is_zero(&r.cancelled))
        snprintf(what, sizeof what, "moved %s OG from the ledger into the %s sub-account", want,
                 kind);
    else if (zg_u256_is_zero(&r.moved))
        snprintf(what, sizeof what,
                 "cancelled %s OG of the %s sub-account's pending refund; nothing left the "
                 "ledger",
                 cancelled, kind);
    else
        snprintf(what, sizeof what,
                 "cancelled %s OG of the %s sub-account's pending refund and moved %s OG from "
                 "the ledger into it",
                 cancelled, kind, moved);
    zg_err ignore;
    acct after;
    if (get_acct(c, 0, &after, NULL, &ignore) == 0) {
        char pend[ZGFS_OG_MAX];
        zgfs_og(have, &after.balance);
        zgfs_og(pend, &after.pending);
        return zg_buf_printf(ok, err, "%s; its balance is %s OG, %s OG of it pending refund", what,
                             have, pend);
    }
    return zg_buf_printf(ok, err, "%s", what);
}

int zgfs_retrieve_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_service_kind kind;
    uint8_t prov[20];
    zg_funds_result r;
    if (kind_of(c, &kind, prov, err))
        return -1;
    int rc = zg_funds_retrieve(fs->client, fs->journal, kind, prov, line, &r, err);
    if (r.sent)
        zgfs_changed(fs, ZG_RV_FUNDS, prov, NULL);
    if (rc)
        return -1;
    if (!r.after_known)
        return zg_buf_printf(ok, err, "refund requested");
    char pend[ZGFS_OG_MAX], back[ZGFS_OG_MAX];
    zgfs_og(pend, &r.pending);
    zgfs_og(back, &r.moved);
    uint64_t lock = 0;
    zg_err ignore;
    if (kind == ZG_SVC_FINETUNING && zgfs_get_lock_time(fs, &lock, &ignore) == 0 &&
        !zg_u256_is_zero(&r.pending))
        return zg_buf_printf(ok, err,
                             "%s OG of matured refunds moved to the ledger; %s OG pending, "
                             "retrieve again after %llu s",
                             back, pend, (unsigned long long)lock);
    return zg_buf_printf(ok, err, "%s OG of matured refunds moved to the ledger; %s OG pending",
                         back, pend);
}

int zgfs_trust_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    acct a;
    if (get_acct(c, -1, &a, NULL, err))
        return -1;
    return zg_buf_printf(out, err, "%s\n", a.acknowledged ? "acknowledged" : "not acknowledged");
}

int zgfs_trust_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    vet_ctx x = {.c = c, .vouched_line = "'s TEE signer acknowledged unverified"};
    uint8_t prov[20];
    zg_funds_result r;
    if (kind_of(c, &x.kind, prov, err))
        return -1;
    x.provider = prov;
    int rc = zg_funds_trust(fs->client, fs->journal, x.kind, prov, line, vet, &x, &r, err);
    if (r.sent)
        zgfs_changed(fs, ZG_RV_FUNDS, prov, NULL);
    if (rc)
        return -1;
    if (r.already)
        return zg_buf_printf(ok, err, "already %s; nothing sent",
                             r.yes ? "acknowledged" : "not acknowledged");
    if (r.vouched)
        return zg_buf_printf(ok, err,
                             "acknowledged the TEE signer of %s WITHOUT verifying its "
                             "attestation",
                             c->params[0]);
    if (r.yes)
        return zg_buf_printf(ok, err, "acknowledged the TEE signer of %s (%s)", c->params[0],
                             x.said);
    return zg_buf_printf(ok, err, "revoked the acknowledgement of the TEE signer of %s",
                         c->params[0]);
}

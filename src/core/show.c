/* The documents and sentences of the wallet, ledger and provider files
 * (zg/show.h). */
#include "zg/show.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/hex.h"
#include "zg/jsontext.h"
#include "zg/secp.h"

void zg_json_add_neuron(cJSON *obj, const char *name, const zg_u256 *v)
{
    char dec[ZG_U256_DEC_MAX];
    zg_u256_to_dec(dec, v);
    cJSON_AddStringToObject(obj, name, dec);
}

void zg_json_add_addr(cJSON *obj, const char *name, const uint8_t addr[20])
{
    char a[43];
    zg_addr_checksum(a, addr);
    cJSON_AddStringToObject(obj, name, a);
}

void zg_json_add_hex(cJSON *obj, const char *name, const uint8_t *p, size_t n)
{
    char *h = malloc(2 * n + 3);
    if (!h)
        return;
    h[0] = '0';
    h[1] = 'x';
    zg_hex_encode(h + 2, p, n);
    cJSON_AddStringToObject(obj, name, h);
    free(h);
}

int zg_show_json(zg_buf *out, cJSON *j, zg_err *err)
{
    if (!j)
        return zg_err_set(err, ENOMEM, "out of memory");
    int rc = zg_json_render(out, j, err);
    cJSON_Delete(j);
    return rc;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Whether provider i of the inference list is already among the names. */
static bool shown_before(const zg_rv_services *s, bool all, size_t i)
{
    const uint8_t *p = s->inf[i].provider;
    for (size_t k = 0; k < s->nft; k++)
        if ((all || s->ft[k].tee_acknowledged) && !memcmp(s->ft[k].provider, p, 20))
            return true;
    for (size_t k = 0; k < i; k++)
        if ((all || s->inf[k].tee_acknowledged) && !memcmp(s->inf[k].provider, p, 20))
            return true;
    return false;
}

int zg_show_providers(const zg_rv_services *s, bool all,
                      int (*fn)(void *ctx, const char *name, zg_err *err), void *ctx, zg_err *err)
{
    char a[43];
    for (size_t i = 0; i < s->nft; i++)
        if (all || s->ft[i].tee_acknowledged) {
            zg_addr_checksum(a, s->ft[i].provider);
            if (fn(ctx, a, err))
                return -1;
        }
    for (size_t i = 0; i < s->ninf; i++)
        if ((all || s->inf[i].tee_acknowledged) && !shown_before(s, all, i)) {
            zg_addr_checksum(a, s->inf[i].provider);
            if (fn(ctx, a, err))
                return -1;
        }
    return 0;
}

int zg_show_ft_service(zg_buf *out, const zg_ft_service *s, zg_err *err)
{
    cJSON *j = cJSON_CreateObject();
    if (j) {
        zg_json_add_addr(j, "provider", s->provider);
        cJSON_AddStringToObject(j, "url", or_empty(s->url));
        cJSON *q = cJSON_AddObjectToObject(j, "quota");
        if (q) {
            zg_json_add_neuron(q, "cpuCount", &s->cpu);
            zg_json_add_neuron(q, "nodeMemory", &s->memory);
            zg_json_add_neuron(q, "gpuCount", &s->gpu_count);
            zg_json_add_neuron(q, "nodeStorage", &s->storage);
            cJSON_AddStringToObject(q, "gpuType", or_empty(s->gpu_type));
        }
        zg_json_add_neuron(j, "pricePerToken", &s->price_per_token);
        cJSON_AddBoolToObject(j, "occupied", s->occupied);
        cJSON *m = cJSON_AddArrayToObject(j, "models");
        for (size_t i = 0; m && i < s->nmodels; i++)
            cJSON_AddItemToArray(m, cJSON_CreateString(s->models[i]));
        zg_json_add_addr(j, "teeSignerAddress", s->tee_signer);
        cJSON_AddBoolToObject(j, "teeSignerAcknowledged", s->tee_acknowledged);
    }
    return zg_show_json(out, j, err);
}

int zg_show_service(zg_buf *out, const zg_rv_provider *pr, zg_service_kind kind,
                    const char *provider, zg_err *err)
{
    if (kind == ZG_SVC_FINETUNING && !pr->ft)
        return zg_err_set(err, ENOENT, "%s offers no fine-tuning", provider);
    if (kind == ZG_SVC_INFERENCE && !pr->inf)
        return zg_err_set(err, ENOENT, "%s serves no inference", provider);
    if (!out)
        return 0;
    return kind == ZG_SVC_FINETUNING ? zg_show_ft_service(out, pr->ft, err)
                                     : zg_show_inf_service(out, pr->inf, err);
}

int zg_show_inf_service(zg_buf *out, const zg_inf_service *s, zg_err *err)
{
    cJSON *j = cJSON_CreateObject();
    if (j) {
        zg_json_add_addr(j, "provider", s->provider);
        cJSON_AddStringToObject(j, "serviceType", or_empty(s->service_type));
        cJSON_AddStringToObject(j, "url", or_empty(s->url));
        cJSON_AddStringToObject(j, "model", or_empty(s->model));
        cJSON_AddStringToObject(j, "verifiability", or_empty(s->verifiability));
        cJSON_AddStringToObject(j, "additionalInfo", or_empty(s->additional_info));
        zg_json_add_neuron(j, "inputPrice", &s->input_price);
        zg_json_add_neuron(j, "outputPrice", &s->output_price);
        cJSON_AddNumberToObject(j, "updatedAt", (double)s->updated_at);
        zg_json_add_addr(j, "teeSignerAddress", s->tee_signer);
        cJSON_AddBoolToObject(j, "teeSignerAcknowledged", s->tee_acknowledged);
    }
    return zg_show_json(out, j, err);
}

/* ---- account.json */

static cJSON *refunds_json(const zg_refund *r, size_t n, const uint64_t *lock_time)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddNumberToObject(o, "index", (double)r[i].index);
        zg_json_add_neuron(o, "amount", &r[i].amount);
        cJSON_AddNumberToObject(o, "createdAt", (double)r[i].created_at);
        if (lock_time) /* chain time, not ours: compare with the latest block's */
            cJSON_AddNumberToObject(o, "unlocksAt", (double)(r[i].created_at + *lock_time));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* The members every sub-account document starts with. */
static cJSON *account_head(const char *service, const uint8_t user[20], const uint8_t provider[20],
                           bool exists, const zg_u256 *balance, const zg_u256 *pending,
                           bool acknowledged, const zg_u256 *nonce)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    zg_u256 free_bal;
    zg_u256_sub(&free_bal, balance, pending);
    cJSON_AddStringToObject(j, "service", service);
    zg_json_add_addr(j, "user", user);
    zg_json_add_addr(j, "provider", provider);
    cJSON_AddBoolToObject(j, "exists", exists);
    zg_json_add_neuron(j, "balance", balance);
    zg_json_add_neuron(j, "pendingRefund", pending);
    zg_json_add_neuron(j, "available", &free_bal);
    cJSON_AddBoolToObject(j, "acknowledged", acknowledged);
    zg_json_add_neuron(j, "nonce", nonce);
    return j;
}

static const zg_u256 zero;

int zg_show_ft_account(zg_buf *out, const char *service, const uint8_t user[20],
                       const uint8_t provider[20], const zg_rv_ft_account *v, zg_err *err)
{
    bool e = v->exists;
    const zg_ft_account *a = &v->a;
    cJSON *j =
        account_head(service, user, provider, e, e ? &a->balance : &zero,
                     e ? &a->pending_refund : &zero, e && a->acknowledged, e ? &a->nonce : &zero);
    if (j) {
        cJSON_AddItemToObject(
            j, "refunds", refunds_json(e ? a->refunds : NULL, e ? a->nrefunds : 0, &v->lock_time));
        cJSON *ds = cJSON_AddArrayToObject(j, "deliverables");
        for (size_t i = 0; ds && e && i < a->ndeliverables; i++) {
            const zg_deliverable *d = &a->deliverables[i];
            cJSON *o = cJSON_CreateObject();
            if (!o)
                break;
            cJSON_AddStringToObject(o, "id", or_empty(d->id));
            zg_json_add_hex(o, "modelRootHash", d->root, d->root_len);
            cJSON_AddBoolToObject(o, "acknowledged", d->acknowledged);
            cJSON_AddBoolToObject(o, "settled", d->settled);
            cJSON_AddBoolToObject(o, "secretPresent", d->secret_len > 0);
            cJSON_AddNumberToObject(o, "timestamp", (double)d->timestamp);
            cJSON_AddItemToArray(ds, o);
        }
    }
    return zg_show_json(out, j, err);
}

int zg_show_inf_account(zg_buf *out, const char *service, const uint8_t user[20],
                        const uint8_t provider[20], const zg_rv_inf_account *v, zg_err *err)
{
    bool e = v->exists;
    const zg_inf_account *a = &v->a;
    cJSON *j =
        account_head(service, user, provider, e, e ? &a->balance : &zero,
                     e ? &a->pending_refund : &zero, e && a->acknowledged, e ? &a->nonce : &zero);
    if (j)
        cJSON_AddItemToObject(j, "refunds",
                              refunds_json(e ? a->refunds : NULL, e ? a->nrefunds : 0, NULL));
    return zg_show_json(out, j, err);
}

/* ---- ledger.json */

static void add_subs(cJSON *arr, const char *service, const zg_subaccount *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            return;
        cJSON_AddStringToObject(o, "service", service);
        zg_json_add_addr(o, "provider", s[i].provider);
        zg_json_add_neuron(o, "balance", &s[i].balance);
        zg_json_add_neuron(o, "pendingRefund", &s[i].pending_refund);
        cJSON_AddBoolToObject(o, "acknowledged", s[i].acknowledged);
        cJSON_AddItemToArray(arr, o);
    }
}

void zg_show_service_name(zg_client *c, zg_service_kind kind, char out[64])
{
    zg_err ignore;
    if (zg_client_service_name(c, kind, out, &ignore))
        snprintf(out, 64, "%s", zg_funds_kind_word(kind));
}

int zg_show_ledger(zg_buf *out, const uint8_t user[20], const zg_rv_ledger *l,
                   const zg_rv_subs *subs, const char *ft_name, const char *inf_name, zg_err *err)
{
    cJSON *j = cJSON_CreateObject();
    if (j) {
        zg_u256 locked;
        const zg_u256 *total = l->exists ? &l->l.total : &zero;
        const zg_u256 *avail = l->exists ? &l->l.available : &zero;
        zg_u256_sub(&locked, total, avail);
        zg_json_add_addr(j, "user", user);
        cJSON_AddBoolToObject(j, "exists", l->exists);
        zg_json_add_neuron(j, "total", total);
        zg_json_add_neuron(j, "available", avail);
        zg_json_add_neuron(j, "locked", &locked);
        cJSON_AddStringToObject(j, "additionalInfo",
                                l->exists ? or_empty(l->l.additional_info) : "");
        cJSON *arr = cJSON_AddArrayToObject(j, "subAccounts");
        if (arr) {
            add_subs(arr, ft_name, subs->ft, subs->nft);
            add_subs(arr, inf_name, subs->inf, subs->ninf);
        }
    }
    return zg_show_json(out, j, err);
}

/* ---- text files */

int zg_show_amount_line(zg_buf *out, const zg_u256 *neuron, zg_err *err)
{
    char og[ZG_AMOUNT_MAX];
    zg_amount_format(og, neuron);
    return zg_buf_printf(out, err, "%s\n", og);
}

int zg_show_ledger_balance(zg_buf *out, const zg_rv_ledger *l, zg_err *err)
{
    return zg_show_amount_line(out, l->exists ? &l->l.available : &zero, err);
}

int zg_show_network(zg_buf *out, const zg_network *net, zg_err *err)
{
    return zg_buf_printf(out, err, "%s chain=%llu rpc=%s\n", net->name,
                         (unsigned long long)net->chain_id, net->rpc);
}

static const char readme_head[] =
    "zgfs: the 0G Compute Network's fine-tuning service as files.\n"
    "\n"
    "One mount = one wallet on one network. Addresses are shown EIP-55 checksummed;\n"
    "lookups accept any case. Amounts read as decimal OG (12.5); JSON files carry\n"
    "exact integers in neuron (1 OG = 10^18 neuron) as strings. Amount writes accept\n"
    "3, 0.25, 0.25OG and 250000000000000000neuron.\n"
    "\n"
    "Control files (marked w:) act inside write(): one write is one command, e.g.\n"
    "`echo 1.5 > ledger/deposit`. A failure is the write's errno (EINVAL bad input,\n"
    "EDQUOT not enough funds, ENOENT no such thing, EACCES/EPERM not allowed,\n"
    "ETIMEDOUT/EHOSTUNREACH network) and a sentence: reading the control file\n"
    "returns your own last result, `ok: ...` or `error: ...`, and every result is\n"
    "also a line in `log`. Before your first write it returns a usage line.\n"
    "\n";

/* Pattern without the leading slash, {provider} spelled 0xPROVIDER,
 * padded to the table's column. */
static int show_pattern(zg_buf *out, const char *pattern, bool dir, zg_err *err)
{
    size_t start = out->len;
    for (const char *p = pattern + 1; *p; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (!end)
                break;
            if (!strncmp(p, "{provider}", 10)) {
                if (zg_buf_append_str(out, "0xPROVIDER", err))
                    return -1;
            } else if (zg_buf_append(out, p + 1, (size_t)(end - p - 1), err)) {
                return -1;
            }
            p = end;
        } else if (zg_buf_append_byte(out, (uint8_t)*p, err)) {
            return -1;
        }
    }
    if (dir && zg_buf_append_byte(out, '/', err))
        return -1;
    size_t w = out->len - start;
    while (w++ < 36)
        if (zg_buf_append_byte(out, ' ', err))
            return -1;
    return zg_buf_append_byte(out, ' ', err);
}

int zg_show_readme_head(zg_buf *out, const zg_network *net, const char *wallet, zg_err *err)
{
    return zg_buf_printf(out, err, "%sThis mount: %s chain %llu, wallet %s.\n\n", readme_head,
                         net->name, (unsigned long long)net->chain_id, wallet);
}

int zg_show_readme_row(zg_buf *out, const char *pattern, bool dir, bool writable, const char *help,
                       zg_err *err)
{
    if (show_pattern(out, pattern, dir, err))
        return -1;
    const char *access = dir ? "   " : writable ? "rw " : "r  ";
    return zg_buf_printf(out, err, "%s %s\n", access, help ? help : "");
}

int zg_show_readme_tail(zg_buf *out, zg_err *err)
{
    return zg_buf_append_str(
        out,
        "\nCaching: listings and records are cached for ttl= seconds (default 3); a write\n"
        "through this mount refreshes what it changed at once. Changes made elsewhere\n"
        "(another client, the official CLI) show within one ttl. See docs/semantics.md.\n",
        err);
}

/* ---- the sub-account behind fund, retrieve and trust */

/* Which sub-account a provider with these records has: the fine-tuning
 * one where it offers fine-tuning; ENOENT where it offers neither. */
static int kind_of(bool ft, bool inf, const uint8_t provider[20], zg_service_kind *kind,
                   zg_err *err)
{
    if (!ft && !inf) {
        char a[43];
        zg_addr_checksum(a, provider);
        return zg_err_set(err, ENOENT, "%s is not a registered provider", a);
    }
    *kind = ft ? ZG_SVC_FINETUNING : ZG_SVC_INFERENCE;
    return 0;
}

int zg_show_acct_kind(const zg_readmodel *rm, const uint8_t provider[20], zg_service_kind *kind,
                      zg_err *err)
{
    zg_cache_val *ref;
    zg_rv_provider pr;
    if (zg_rm_provider(rm, provider, &ref, &pr, err))
        return -1;
    bool ft = pr.ft != NULL, inf = pr.inf != NULL;
    zg_cache_put(ref);
    return kind_of(ft, inf, provider, kind, err);
}

int zg_show_acct_get(const zg_readmodel *rm, const uint8_t provider[20], long max_age_ms,
                     zg_show_acct *out, zg_cache_val **keep, zg_err *err)
{
    memset(out, 0, sizeof *out);
    memcpy(out->provider, provider, 20);
    if (keep)
        *keep = NULL;
    zg_cache_val *ref;
    if (zg_rm_get(rm, ZG_RV_STANDING, provider, NULL, max_age_ms, &ref, err))
        return -1;
    const zg_standing *s = zg_cache_value(ref);
    if (kind_of(s->ft_service, s->inf_service, provider, &out->kind, err)) {
        zg_cache_put(ref);
        return -1;
    }
    if (out->kind == ZG_SVC_FINETUNING) {
        out->exists = s->ft_exists;
        if (s->ft_exists) {
            out->balance = s->ft.balance;
            out->pending = s->ft.pending_refund;
            out->acknowledged = s->ft.acknowledged;
        }
    } else {
        out->exists = s->inf_exists;
        if (s->inf_exists) {
            out->balance = s->inf.balance;
            out->pending = s->inf.pending_refund;
            out->acknowledged = s->inf.acknowledged;
        }
    }
    if (keep)
        *keep = ref;
    else
        zg_cache_put(ref);
    return 0;
}

int zg_show_account(zg_buf *out, zg_client *c, const uint8_t user[20], const zg_show_acct *a,
                    const zg_cache_val *ref, zg_err *err)
{
    char name[64];
    if (zg_client_service_name(c, a->kind, name, err))
        return -1;
    /* Borrowed views of the cached standing, for as long as ref. */
    const zg_standing *s = zg_cache_value(ref);
    if (a->kind == ZG_SVC_FINETUNING) {
        zg_rv_ft_account v = {.exists = s->ft_exists, .a = s->ft, .lock_time = s->lock_time};
        return zg_show_ft_account(out, name, user, a->provider, &v, err);
    }
    zg_rv_inf_account v = {.exists = s->inf_exists, .a = s->inf};
    return zg_show_inf_account(out, name, user, a->provider, &v, err);
}

int zg_show_trust(zg_buf *out, const zg_show_acct *a, zg_err *err)
{
    return zg_buf_printf(out, err, "%s\n", a->acknowledged ? "acknowledged" : "not acknowledged");
}

/* ---- what a money write did */

int zg_show_deposit_said(zg_buf *out, const zg_funds_result *r, const zg_u256 *avail, zg_err *err)
{
    char want[ZG_AMOUNT_MAX], have[ZG_AMOUNT_MAX];
    zg_amount_format(want, &r->amount);
    if (!avail)
        return zg_buf_printf(out, err, "deposited %s OG", want);
    zg_amount_format(have, avail);
    return zg_buf_printf(out, err, "deposited %s OG; the ledger has %s OG available", want, have);
}

int zg_show_refund_said(zg_buf *out, const zg_funds_result *r, const zg_u256 *avail, zg_err *err)
{
    char want[ZG_AMOUNT_MAX], have[ZG_AMOUNT_MAX];
    zg_amount_format(want, &r->amount);
    if (!avail)
        return zg_buf_printf(out, err, "refunded %s OG to the wallet; the ledger is deleted", want);
    zg_amount_format(have, avail);
    return zg_buf_printf(out, err, "refunded %s OG to the wallet; the ledger has %s OG available",
                         want, have);
}

int zg_show_fund_said(zg_buf *out, zg_service_kind kind, const zg_funds_result *r,
                      const zg_show_acct *after, zg_err *err)
{
    /* What the contract did: cancelled pending refunds first (nothing of
     * that leaves the ledger), then moved the rest. */
    char want[ZG_AMOUNT_MAX], cancelled[ZG_AMOUNT_MAX], moved[ZG_AMOUNT_MAX];
    const char *k = zg_funds_kind_word(kind);
    zg_amount_format(want, &r->amount);
    zg_amount_format(cancelled, &r->cancelled);
    zg_amount_format(moved, &r->moved);
    int rc;
    if (zg_u256_is_zero(&r->cancelled))
        rc =
            zg_buf_printf(out, err, "moved %s OG from the ledger into the %s sub-account", want, k);
    else if (zg_u256_is_zero(&r->moved))
        rc = zg_buf_printf(out, err,
                           "cancelled %s OG of the %s sub-account's pending refund; nothing "
                           "left the ledger",
                           cancelled, k);
    else
        rc = zg_buf_printf(out, err,
                           "cancelled %s OG of the %s sub-account's pending refund and moved %s "
                           "OG from the ledger into it",
                           cancelled, k, moved);
    if (rc || !after)
        return rc;
    char have[ZG_AMOUNT_MAX], pend[ZG_AMOUNT_MAX];
    zg_amount_format(have, &after->balance);
    zg_amount_format(pend, &after->pending);
    return zg_buf_printf(out, err, "; its balance is %s OG, %s OG of it pending refund", have,
                         pend);
}

bool zg_show_retrieve_names_lock(zg_service_kind kind, const zg_funds_result *r)
{
    return r->after_known && kind == ZG_SVC_FINETUNING;
}

int zg_show_retrieve_said(zg_buf *out, const zg_funds_result *r, const uint64_t *lock, zg_err *err)
{
    if (!r->after_known)
        return zg_buf_printf(out, err, "refund requested");
    char pend[ZG_AMOUNT_MAX], back[ZG_AMOUNT_MAX];
    zg_amount_format(pend, &r->pending);
    zg_amount_format(back, &r->moved);
    if (lock && !zg_u256_is_zero(&r->pending))
        return zg_buf_printf(out, err,
                             "%s OG of matured refunds moved to the ledger; %s OG pending, "
                             "retrieve again after %llu s",
                             back, pend, (unsigned long long)*lock);
    return zg_buf_printf(out, err, "%s OG of matured refunds moved to the ledger; %s OG pending",
                         back, pend);
}

int zg_show_trust_said(zg_buf *out, const zg_funds_result *r, const char *name, const char *verdict,
                       zg_err *err)
{
    if (r->already)
        return zg_buf_printf(out, err, "already %s; nothing sent",
                             r->yes ? "acknowledged" : "not acknowledged");
    if (r->vouched)
        return zg_buf_printf(out, err,
                             "acknowledged the TEE signer of %s WITHOUT verifying its "
                             "attestation",
                             name);
    if (r->yes)
        return zg_buf_printf(out, err, "acknowledged the TEE signer of %s (%s)", name, verdict);
    return zg_buf_printf(out, err, "revoked the acknowledgement of the TEE signer of %s", name);
}

/* ---- the TEE check */

int zg_show_tee_vet(zg_client *c, const zg_tee_policy *p, zg_oplog *log, zg_service_kind kind,
                    const uint8_t provider[20], const char *where, const char *name, bool vouched,
                    const char *vouched_line, char verdict[ZG_SHOW_VERDICT_MAX], zg_err *err)
{
    if (vouched) {
        zg_oplog_add(log, "%s: %s%s", where, name, vouched_line);
        return 0;
    }
    zg_attest_result res;
    zg_err e = {0};
    if (zg_tee_vet(c, p, kind, provider, NULL, &res, &e)) {
        zg_oplog_add(log, "%s: TEE check refused %s: %s", where, name, e.msg);
        if (e.code == EACCES)
            return zg_err_set(err, EACCES,
                              "%.150s; nothing sent (write \"yes --unverified\" to trust it "
                              "anyway)",
                              e.msg);
        return zg_err_set(err, e.code, "cannot check the TEE attestation: %.150s; nothing sent",
                          e.msg);
    }
    if (!res.status[0])
        snprintf(verdict, ZG_SHOW_VERDICT_MAX,
                 "TEE attestation verified, %u collateral step%s skipped", res.skips,
                 res.skips == 1 ? "" : "s");
    else
        snprintf(verdict, ZG_SHOW_VERDICT_MAX, "TEE attestation verified, TCB status %s",
                 res.status);
    if (res.status[0] && strcmp(res.status, "UpToDate"))
        zg_oplog_add(log, "%s: TCB status %s of %s accepted (tee_status)%s%s", where, res.status,
                     name, res.advisories[0] ? "; advisories " : "", res.advisories);
    else if (!res.status[0])
        zg_oplog_add(log, "%s: %s's TCB status unknown: %u collateral steps skipped", where, name,
                     res.skips);
    return 0;
}

#include "zg/ftserving.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zg/bind.h"
#include "zg/eip712.h"
#include "zg/revert.h"

#define QUOTA_T       "(uint256,uint256,uint256,uint256,string)"
#define SERVICE_T     "(address,string," QUOTA_T ",uint256,bool,string[],address,bool)"
#define REFUND_T      "(uint256,uint256,uint256,bool)"
#define DELIVERABLE_T "(string,bytes,bytes,bool,uint248,bool)"
#define ACCOUNT_T                                                                                  \
    "(address,address,uint256,uint256,uint256," REFUND_T "[],string," DELIVERABLE_T                \
    "[],uint256,uint256,uint256,bool)"

void zg_ft_service_free(zg_ft_service *s)
{
    if (!s)
        return;
    free(s->url);
    free(s->gpu_type);
    for (size_t i = 0; i < s->nmodels; i++)
        free(s->models[i]);
    free(s->models);
    memset(s, 0, sizeof *s);
}

/* strdup of s into *out; NULL stays NULL. */
static int dup_str(char **out, const char *s, zg_err *err)
{
    *out = NULL;
    if (s && !(*out = strdup(s)))
        return zg_err_set(err, ENOMEM, "out of memory");
    return 0;
}

int zg_ft_service_copy(zg_ft_service *out, const zg_ft_service *s, zg_err *err)
{
    *out = *s;
    out->url = out->gpu_type = NULL;
    out->models = NULL;
    out->nmodels = 0;
    if (dup_str(&out->url, s->url, err) || dup_str(&out->gpu_type, s->gpu_type, err) ||
        (s->nmodels && !(out->models = calloc(s->nmodels, sizeof *out->models))))
        goto fail;
    for (; out->nmodels < s->nmodels; out->nmodels++)
        if (dup_str(&out->models[out->nmodels], s->models[out->nmodels], err))
            goto fail;
    return 0;
fail:
    zg_ft_service_free(out);
    return zg_err_set(err, ENOMEM, "out of memory");
}

void zg_ft_services_free(zg_ft_service *arr, size_t n)
{
    for (size_t i = 0; arr && i < n; i++)
        zg_ft_service_free(&arr[i]);
    free(arr);
}

static int dup_bytes(const zg_abi_value *t, size_t i, uint8_t **p, size_t *len, zg_err *err)
{
    const uint8_t *b;
    size_t n;
    if (zg_abi_get_bytes(t, i, &b, &n, err))
        return -1;
    *p = malloc(n ? n : 1);
    if (!*p)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (n)
        memcpy(*p, b, n);
    *len = n;
    return 0;
}

static int parse_service(zg_ft_service *s, const zg_abi_value *t, zg_err *err)
{
    memset(s, 0, sizeof *s);
    const zg_abi_value *q, *models;
    if (zg_abi_get_addr(t, 0, s->provider, err) || zg_abi_get_strdup(t, 1, &s->url, err) ||
        !(q = zg_abi_at_n(t, 2, ZG_ABI_TUPLE, 5, err)) || zg_abi_get_u256(q, 0, &s->cpu, err) ||
        zg_abi_get_u256(q, 1, &s->memory, err) || zg_abi_get_u256(q, 2, &s->gpu_count, err) ||
        zg_abi_get_u256(q, 3, &s->storage, err) || zg_abi_get_strdup(q, 4, &s->gpu_type, err) ||
        zg_abi_get_u256(t, 3, &s->price_per_token, err) ||
        zg_abi_get_bool(t, 4, &s->occupied, err) ||
        !(models = zg_abi_at(t, 5, ZG_ABI_ARRAY, err)) ||
        zg_abi_get_addr(t, 6, s->tee_signer, err) ||
        zg_abi_get_bool(t, 7, &s->tee_acknowledged, err))
        goto fail;
    size_t m = zg_abi_len(models);
    s->models = calloc(m ? m : 1, sizeof *s->models);
    if (!s->models) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < m; i++) {
        if (zg_abi_get_strdup(models, i, &s->models[i], err))
            goto fail;
        s->nmodels = i + 1;
    }
    return 0;
fail:
    zg_ft_service_free(s);
    return -1;
}

int zg_ft_get_service(zg_client *c, const uint8_t provider[20], zg_ft_service *out, zg_err *err)
{
    zg_abi_value *ret = NULL;
    memset(out, 0, sizeof *out);
    if (zg_view(c, c->net.finetuning, "fine-tuning provider", "getService(address)",
                zg_abi_tuple(zg_abi_addr(provider)), "(" SERVICE_T ")", &ret, NULL, err))
        return -1;
    const zg_abi_value *t = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 8, err);
    int rc = t ? parse_service(out, t, err) : -1;
    zg_abi_value_free(ret);
    return rc;
}

zg_view_req zg_ft_all_services_view(const zg_client *c)
{
    return (zg_view_req){.to = c->net.finetuning,
                         .what = "fine-tuning providers",
                         .signature = "getAllServices()",
                         .ret_type = "(" SERVICE_T "[])"};
}

int zg_ft_all_services_decode(const zg_abi_value *ret, zg_ft_service **out, size_t *n, zg_err *err)
{
    *out = NULL;
    *n = 0;
    const zg_abi_value *arr = zg_abi_at(ret, 0, ZG_ABI_ARRAY, err);
    if (!arr)
        return -1;
    size_t m = zg_abi_len(arr);
    zg_ft_service *list = calloc(m ? m : 1, sizeof *list);
    if (!list)
        return zg_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < m; i++) {
        const zg_abi_value *t = zg_abi_at_n(arr, i, ZG_ABI_TUPLE, 8, err);
        if (!t || parse_service(&list[i], t, err)) {
            zg_ft_services_free(list, i);
            return -1;
        }
    }
    *out = list;
    *n = m;
    return 0;
}

int zg_ft_all_services(zg_client *c, zg_ft_service **out, size_t *n, zg_err *err)
{
    *out = NULL;
    *n = 0;
    zg_view_req v = zg_ft_all_services_view(c);
    int rc = zg_view_batch(c, &v, 1, err) ? -1 : zg_ft_all_services_decode(v.out, out, n, err);
    zg_abi_value_free(v.out);
    return rc;
}

void zg_deliverable_free(zg_deliverable *d)
{
    if (!d)
        return;
    free(d->id);
    free(d->root);
    free(d->secret);
    memset(d, 0, sizeof *d);
}

static int parse_deliverable(zg_deliverable *d, const zg_abi_value *t, zg_err *err)
{
    memset(d, 0, sizeof *d);
    zg_u256 ts;
    if (zg_abi_get_strdup(t, 0, &d->id, err) || dup_bytes(t, 1, &d->root, &d->root_len, err) ||
        dup_bytes(t, 2, &d->secret, &d->secret_len, err) ||
        zg_abi_get_bool(t, 3, &d->acknowledged, err) || zg_abi_get_u256(t, 4, &ts, err) ||
        zg_abi_get_bool(t, 5, &d->settled, err)) {
        zg_deliverable_free(d);
        return -1;
    }
    if (!zg_u256_to_u64(&ts, &d->timestamp))
        d->timestamp = UINT64_MAX;
    return 0;
}

void zg_ft_account_free(zg_ft_account *a)
{
    if (!a)
        return;
    free(a->refunds);
    free(a->additional_info);
    for (size_t i = 0; i < a->ndeliverables; i++)
        zg_deliverable_free(&a->deliverables[i]);
    free(a->deliverables);
    memset(a, 0, sizeof *a);
}

int zg_parse_refunds(zg_refund **out, size_t *n, const zg_abi_value *arr, uint64_t valid,
                     zg_err *err)
{
    size_t m = zg_abi_len(arr);
    if (valid < m)
        m = (size_t)valid;
    *out = calloc(m ? m : 1, sizeof **out);
    *n = 0;
    if (!*out)
        return zg_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < m; i++) {
        const zg_abi_value *r = zg_abi_at_n(arr, i, ZG_ABI_TUPLE, 4, err);
        zg_refund *x = &(*out)[*n];
        if (!r || zg_abi_get_u64(r, 0, &x->index, err) || zg_abi_get_u256(r, 1, &x->amount, err) ||
            zg_abi_get_u64(r, 2, &x->created_at, err))
            return -1;
        if (!zg_u256_is_zero(&x->amount))
            (*n)++;
    }
    return 0;
}

/* The answer of getAccount (NULL: AccountNotExists) into *out. */
static int parse_account(zg_ft_account *out, bool *exists, const zg_abi_value *ret, zg_err *err)
{
    memset(out, 0, sizeof *out);
    *exists = false;
    if (!ret)
        return 0;
    const zg_abi_value *t = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 12, err), *refunds, *dels;
    uint64_t valid;
    if (!t || zg_abi_get_addr(t, 0, out->user, err) || zg_abi_get_addr(t, 1, out->provider, err) ||
        zg_abi_get_u256(t, 2, &out->nonce, err) || zg_abi_get_u256(t, 3, &out->balance, err) ||
        zg_abi_get_u256(t, 4, &out->pending_refund, err) ||
        !(refunds = zg_abi_at(t, 5, ZG_ABI_ARRAY, err)) ||
        zg_abi_get_strdup(t, 6, &out->additional_info, err) ||
        !(dels = zg_abi_at(t, 7, ZG_ABI_ARRAY, err)) || zg_abi_get_u64(t, 8, &valid, err) ||
        zg_abi_get_bool(t, 11, &out->acknowledged, err) ||
        zg_parse_refunds(&out->refunds, &out->nrefunds, refunds, valid, err))
        goto fail;
    size_t nd = zg_abi_len(dels);
    out->deliverables = calloc(nd ? nd : 1, sizeof *out->deliverables);
    if (!out->deliverables) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nd; i++) {
        const zg_abi_value *d = zg_abi_at_n(dels, i, ZG_ABI_TUPLE, 6, err);
        if (!d || parse_deliverable(&out->deliverables[i], d, err))
            goto fail;
        out->ndeliverables = i + 1;
    }
    *exists = true;
    return 0;
fail:
    zg_ft_account_free(out);
    return -1;
}

static zg_view_req account_view(const zg_client *c, const uint8_t user[20],
                                const uint8_t provider[20])
{
    return (zg_view_req){.to = c->net.finetuning,
                         .what = "fine-tuning account",
                         .signature = "getAccount(address,address)",
                         .args = zg_abi_tuple(zg_abi_addr(user), zg_abi_addr(provider)),
                         .ret_type = "(" ACCOUNT_T ")",
                         .absent_error = "AccountNotExists(address,address)"};
}

int zg_ft_get_account(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                      zg_ft_account *out, bool *exists, zg_err *err)
{
    memset(out, 0, sizeof *out);
    *exists = false;
    zg_view_req v = account_view(c, user, provider);
    int rc = zg_view_batch(c, &v, 1, err) ? -1 : parse_account(out, exists, v.out, err);
    zg_abi_value_free(v.out);
    return rc;
}

void zg_ft_account_lock_time_views(const zg_client *c, const uint8_t user[20],
                                   const uint8_t provider[20], zg_view_req v[2])
{
    v[0] = account_view(c, user, provider);
    v[1] = (zg_view_req){.to = c->net.finetuning,
                         .what = "lockTime()",
                         .signature = "lockTime()",
                         .ret_type = "(uint256)"};
}

int zg_ft_account_lock_time_decode(const zg_view_req v[2], zg_ft_account *out, bool *exists,
                                   uint64_t *lock_time, zg_err *err)
{
    memset(out, 0, sizeof *out);
    *exists = false;
    return zg_abi_get_u64(v[1].out, 0, lock_time, err) || parse_account(out, exists, v[0].out, err)
               ? -1
               : 0;
}

int zg_ft_get_account_lock_time(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                                zg_ft_account *out, bool *exists, uint64_t *lock_time, zg_err *err)
{
    memset(out, 0, sizeof *out);
    *exists = false;
    zg_view_req v[2];
    zg_ft_account_lock_time_views(c, user, provider, v);
    int rc = zg_view_batch(c, v, 2, err) ||
                     zg_ft_account_lock_time_decode(v, out, exists, lock_time, err)
                 ? -1
                 : 0;
    zg_abi_value_free(v[0].out);
    zg_abi_value_free(v[1].out);
    return rc;
}

static int ft_constant(zg_client *c, const char *sig, uint64_t *out, zg_err *err)
{
    zg_abi_value *ret = NULL;
    if (zg_view(c, c->net.finetuning, sig, sig, NULL, "(uint256)", &ret, NULL, err))
        return -1;
    int rc = zg_abi_get_u64(ret, 0, out, err);
    zg_abi_value_free(ret);
    return rc;
}

int zg_ft_lock_time(zg_client *c, uint64_t *seconds, zg_err *err)
{
    return ft_constant(c, "lockTime()", seconds, err);
}

int zg_ft_penalty_percentage(zg_client *c, uint64_t *pct, zg_err *err)
{
    return ft_constant(c, "penaltyPercentage()", pct, err);
}

int zg_ft_get_deliverable(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                          const char *id, zg_deliverable *out, zg_err *err)
{
    zg_abi_value *ret = NULL;
    memset(out, 0, sizeof *out);
    if (zg_view(c, c->net.finetuning, "deliverable", "getDeliverable(address,address,string)",
                zg_abi_tuple(zg_abi_addr(user), zg_abi_addr(provider), zg_abi_str(id)),
                "(" DELIVERABLE_T ")", &ret, NULL, err))
        return -1;
    const zg_abi_value *t = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 6, err);
    int rc = t ? parse_deliverable(out, t, err) : -1;
    zg_abi_value_free(ret);
    return rc;
}

int zg_ft_ack_tee_signer(zg_client *c, const uint8_t provider[20], bool acknowledged,
                         const zg_send_hooks *hooks, zg_err *err)
{
    return zg_transact(
        c, c->net.finetuning, "acknowledgeTEESigner", "acknowledgeTEESigner(address,bool)",
        zg_abi_tuple(zg_abi_addr(provider), zg_abi_bool(acknowledged)), NULL, hooks, err);
}

int zg_ft_ack_deliverable(zg_client *c, const uint8_t provider[20], const char *id,
                          const zg_send_hooks *hooks, zg_err *err)
{
    return zg_transact(c, c->net.finetuning, "acknowledgeDeliverable",
                       "acknowledgeDeliverable(address,string)",
                       zg_abi_tuple(zg_abi_addr(provider), zg_abi_str(id)), NULL, hooks, err);
}

int zg_ft_add_deliverable(zg_client *c, const uint8_t user[20], const char *id, const uint8_t *root,
                          size_t root_len, const zg_send_hooks *hooks, zg_err *err)
{
    return zg_transact(
        c, c->net.finetuning, "addDeliverable", "addDeliverable(address,string,bytes)",
        zg_abi_tuple(zg_abi_addr(user), zg_abi_str(id), zg_abi_bytes(root, root_len)), NULL, hooks,
        err);
}

int zg_ft_settle_fees(zg_client *c, const zg_ft_settlement *s, const zg_key *tee_signer,
                      const zg_send_hooks *hooks, zg_err *err)
{
    uint8_t digest[32], sig[65];
    zg_eip712_settlement_digest(digest, c->net.chain_id, c->net.finetuning, s->id, s->secret,
                                s->secret_len, s->root, s->root_len, &s->nonce, &s->fee, s->user);
    if (zg_sign_digest(sig, tee_signer, digest, err))
        return -1;
    sig[64] += 27; /* the contract's ECDSA.recover wants 27/28 */
    zg_abi_value *input =
        zg_abi_tuple(zg_abi_str(s->id), zg_abi_bytes(s->secret, s->secret_len),
                     zg_abi_bytes(s->root, s->root_len), zg_abi_uint(&s->nonce),
                     zg_abi_bytes(sig, 65), zg_abi_uint(&s->fee), zg_abi_addr(s->user));
    return zg_transact(c, c->net.finetuning, "settleFees",
                       "settleFees((string,bytes,bytes,uint256,bytes,uint256,address))",
                       zg_abi_tuple(input), NULL, hooks, err);
}

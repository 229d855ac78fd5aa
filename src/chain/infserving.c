#include "zg/infserving.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zg/bind.h"
#include "zg/revert.h"

#define SERVICE_T                                                                                  \
    "(address,string,string,uint256,uint256,uint256,string,string,string,address,bool)"
#define ACCOUNT_T                                                                                  \
    "(address,address,uint256,uint256,uint256,(uint256,uint256,uint256,bool)[],string,bool,"       \
    "uint256,uint256,uint256)"
#define PAGE 50

void zg_inf_service_free(zg_inf_service *s)
{
    if (!s)
        return;
    free(s->service_type);
    free(s->url);
    free(s->model);
    free(s->verifiability);
    free(s->additional_info);
    memset(s, 0, sizeof *s);
}

int zg_inf_service_copy(zg_inf_service *out, const zg_inf_service *s, zg_err *err)
{
    *out = *s;
    char **f[] = {&out->service_type, &out->url, &out->model, &out->verifiability,
                  &out->additional_info};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = NULL;
    const char *from[] = {s->service_type, s->url, s->model, s->verifiability, s->additional_info};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (from[i] && !(*f[i] = strdup(from[i]))) {
            zg_inf_service_free(out);
            return zg_err_set(err, ENOMEM, "out of memory");
        }
    return 0;
}

void zg_inf_services_free(zg_inf_service *arr, size_t n)
{
    for (size_t i = 0; arr && i < n; i++)
        zg_inf_service_free(&arr[i]);
    free(arr);
}

static int parse_service(zg_inf_service *s, const zg_abi_value *t, zg_err *err)
{
    memset(s, 0, sizeof *s);
    if (zg_abi_get_addr(t, 0, s->provider, err) || zg_abi_get_strdup(t, 1, &s->service_type, err) ||
        zg_abi_get_strdup(t, 2, &s->url, err) || zg_abi_get_u256(t, 3, &s->input_price, err) ||
        zg_abi_get_u256(t, 4, &s->output_price, err) || zg_abi_get_u64(t, 5, &s->updated_at, err) ||
        zg_abi_get_strdup(t, 6, &s->model, err) ||
        zg_abi_get_strdup(t, 7, &s->verifiability, err) ||
        zg_abi_get_strdup(t, 8, &s->additional_info, err) ||
        zg_abi_get_addr(t, 9, s->tee_signer, err) ||
        zg_abi_get_bool(t, 10, &s->tee_acknowledged, err)) {
        zg_inf_service_free(s);
        return -1;
    }
    return 0;
}

int zg_inf_get_service(zg_client *c, const uint8_t provider[20], zg_inf_service *out, zg_err *err)
{
    zg_abi_value *ret = NULL;
    memset(out, 0, sizeof *out);
    if (zg_view(c, c->net.inference, "inference provider", "getService(address)",
                zg_abi_tuple(zg_abi_addr(provider)), "(" SERVICE_T ")", &ret, NULL, err))
        return -1;
    const zg_abi_value *t = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 11, err);
    int rc = t ? parse_service(out, t, err) : -1;
    zg_abi_value_free(ret);
    return rc;
}

static zg_view_req page_view(const zg_client *c, size_t offset)
{
    return (zg_view_req){.to = c->net.inference,
                         .what = "inference providers",
                         .signature = "getAllServices(uint256,uint256)",
                         .args = zg_abi_tuple(zg_abi_u64(offset), zg_abi_u64(PAGE)),
                         .ret_type = "(" SERVICE_T "[],uint256)"};
}

/* Appends one page's services to *list (*have so far); *total is the
 * contract's count, *m the page's. */
static int add_page(const zg_abi_value *ret, zg_inf_service **list, size_t *have, uint64_t *total,
                    size_t *m, zg_err *err)
{
    const zg_abi_value *arr = zg_abi_at(ret, 0, ZG_ABI_ARRAY, err);
    if (!arr || zg_abi_get_u64(ret, 1, total, err))
        return -1;
    *m = zg_abi_len(arr);
    zg_inf_service *grown = realloc(*list, (*have + *m + 1) * sizeof **list);
    if (!grown)
        return zg_err_set(err, ENOMEM, "out of memory");
    *list = grown;
    for (size_t i = 0; i < *m; i++) {
        const zg_abi_value *t = zg_abi_at_n(arr, i, ZG_ABI_TUPLE, 11, err);
        if (!t || parse_service(&(*list)[*have], t, err))
            return -1;
        (*have)++;
    }
    return 0;
}

/* The pages after a first one already read (first: its answer, or NULL to
 * read it here), until the contract's total. */
static int pages_from(zg_client *c, const zg_abi_value *first, zg_inf_service **out, size_t *n,
                      zg_err *err)
{
    zg_inf_service *list = NULL;
    size_t have = 0, m = 0;
    uint64_t total = 0;
    *out = NULL;
    *n = 0;
    if (first && add_page(first, &list, &have, &total, &m, err))
        goto fail;
    while (!first || (m > 0 && have < total)) { /* a shrinking list must not loop forever */
        first = NULL;
        zg_view_req v = page_view(c, have);
        int rc = zg_view_batch(c, &v, 1, err) || add_page(v.out, &list, &have, &total, &m, err);
        zg_abi_value_free(v.out);
        if (rc)
            goto fail;
        if (m == 0 || have >= total)
            break;
    }
    *out = list ? list : calloc(1, sizeof *list);
    *n = have;
    return 0;
fail:
    zg_inf_services_free(list, have);
    return -1;
}

int zg_inf_all_services(zg_client *c, zg_inf_service **out, size_t *n, zg_err *err)
{
    return pages_from(c, NULL, out, n, err);
}

int zg_all_services(zg_client *c, zg_ft_service **ft, size_t *nft, zg_inf_service **inf,
                    size_t *ninf, zg_err *err)
{
    *ft = NULL;
    *inf = NULL;
    *nft = *ninf = 0;
    zg_view_req v[2] = {zg_ft_all_services_view(c), page_view(c, 0)};
    int rc = zg_view_batch(c, v, 2, err) || zg_ft_all_services_decode(v[0].out, ft, nft, err) ||
                     pages_from(c, v[1].out, inf, ninf, err)
                 ? -1
                 : 0;
    if (rc) {
        zg_ft_services_free(*ft, *nft);
        *ft = NULL;
        *nft = 0;
    }
    zg_abi_value_free(v[0].out);
    zg_abi_value_free(v[1].out);
    return rc;
}

void zg_inf_account_free(zg_inf_account *a)
{
    if (!a)
        return;
    free(a->refunds);
    free(a->additional_info);
    memset(a, 0, sizeof *a);
}

zg_view_req zg_inf_account_view(const zg_client *c, const uint8_t user[20],
                                const uint8_t provider[20])
{
    return (zg_view_req){.to = c->net.inference,
                         .what = "inference account",
                         .signature = "getAccount(address,address)",
                         .args = zg_abi_tuple(zg_abi_addr(user), zg_abi_addr(provider)),
                         .ret_type = "(" ACCOUNT_T ")",
                         .absent_error = "AccountNotExists(address,address)"};
}

int zg_inf_account_decode(const zg_abi_value *ret, zg_inf_account *out, bool *exists, zg_err *err)
{
    memset(out, 0, sizeof *out);
    *exists = false;
    if (!ret)
        return 0;
    const zg_abi_value *t = zg_abi_at_n(ret, 0, ZG_ABI_TUPLE, 11, err), *refunds;
    uint64_t valid;
    if (t && zg_abi_get_addr(t, 0, out->user, err) == 0 &&
        zg_abi_get_addr(t, 1, out->provider, err) == 0 &&
        zg_abi_get_u256(t, 2, &out->nonce, err) == 0 &&
        zg_abi_get_u256(t, 3, &out->balance, err) == 0 &&
        zg_abi_get_u256(t, 4, &out->pending_refund, err) == 0 &&
        (refunds = zg_abi_at(t, 5, ZG_ABI_ARRAY, err)) &&
        zg_abi_get_strdup(t, 6, &out->additional_info, err) == 0 &&
        zg_abi_get_bool(t, 7, &out->acknowledged, err) == 0 &&
        zg_abi_get_u64(t, 8, &valid, err) == 0 &&
        zg_abi_get_u256(t, 9, &out->generation, err) == 0 &&
        zg_abi_get_u256(t, 10, &out->revoked_bitmap, err) == 0 &&
        zg_parse_refunds(&out->refunds, &out->nrefunds, refunds, valid, err) == 0) {
        *exists = true;
        return 0;
    }
    zg_inf_account_free(out);
    return -1;
}

int zg_inf_get_account(zg_client *c, const uint8_t user[20], const uint8_t provider[20],
                       zg_inf_account *out, bool *exists, zg_err *err)
{
    memset(out, 0, sizeof *out);
    *exists = false;
    zg_view_req v = zg_inf_account_view(c, user, provider);
    int rc = zg_view_batch(c, &v, 1, err) ? -1 : zg_inf_account_decode(v.out, out, exists, err);
    zg_abi_value_free(v.out);
    return rc;
}

/* A view of a batch that did not answer: its own error, or the batch's
 * when the batch as a whole failed. */
static int failed(const zg_view_req *v, const zg_err *batch, zg_err *err)
{
    if (err)
        *err = v->err.code ? v->err : *batch;
    return -1;
}

void zg_standing_free(zg_standing *s)
{
    if (!s)
        return;
    zg_ft_service_free(s->ft_service);
    free(s->ft_service);
    zg_inf_service_free(s->inf_service);
    free(s->inf_service);
    zg_ft_services_free(s->ft_all, s->nft_all);
    zg_inf_services_free(s->inf_all, s->ninf_all);
    zg_ft_account_free(&s->ft);
    zg_inf_account_free(&s->inf);
    memset(s, 0, sizeof *s);
}

void zg_services_find(const zg_ft_service *ft, size_t nft, const zg_inf_service *inf, size_t ninf,
                      const uint8_t provider[20], const zg_ft_service **ft_out,
                      const zg_inf_service **inf_out)
{
    *ft_out = NULL;
    *inf_out = NULL;
    for (size_t i = 0; i < nft && !*ft_out; i++)
        if (!memcmp(ft[i].provider, provider, 20))
            *ft_out = &ft[i];
    for (size_t i = 0; i < ninf && !*inf_out; i++)
        if (!memcmp(inf[i].provider, provider, 20))
            *inf_out = &inf[i];
}

/* A copy of a provider's record into *out (NULL stays NULL). */
static int copy_ft(zg_ft_service **out, const zg_ft_service *s, zg_err *err)
{
    if (!s)
        return 0;
    if (!(*out = calloc(1, sizeof **out)))
        return zg_err_set(err, ENOMEM, "out of memory");
    return zg_ft_service_copy(*out, s, err);
}

static int copy_inf(zg_inf_service **out, const zg_inf_service *s, zg_err *err)
{
    if (!s)
        return 0;
    if (!(*out = calloc(1, sizeof **out)))
        return zg_err_set(err, ENOMEM, "out of memory");
    return zg_inf_service_copy(*out, s, err);
}

int zg_standing_get(zg_client *c, const uint8_t user[20], const uint8_t provider[20], bool known,
                    const zg_ft_service *ft_known, const zg_inf_service *inf_known,
                    zg_standing *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    /* Views: [services lists 0, 1 unless known] [ft account, lock time]
     * [inf account]; a sub-account is asked of a contract the provider
     * may not be registered in: only the lists, and the sub-accounts of
     * the services it offers, must answer. */
    zg_view_req v[5];
    size_t n = 0, ia = 0, ib = 0;
    if (!known) {
        v[n++] = zg_ft_all_services_view(c);
        v[n++] = page_view(c, 0);
    }
    if (!known || ft_known) {
        ia = n;
        zg_ft_account_lock_time_views(c, user, provider, &v[n]);
        n += 2;
    }
    if (!known || inf_known) {
        ib = n;
        v[n++] = zg_inf_account_view(c, user, provider);
    }
    int rc = -1;
    zg_err be = {0};
    if (n)
        zg_view_batch(c, v, n, &be);
    if (!known) {
        if (v[0].rc || v[1].rc) {
            failed(&v[v[0].rc ? 0 : 1], &be, err);
            goto out;
        }
        if (zg_ft_all_services_decode(v[0].out, &out->ft_all, &out->nft_all, err) ||
            pages_from(c, v[1].out, &out->inf_all, &out->ninf_all, err))
            goto out;
        zg_services_find(out->ft_all, out->nft_all, out->inf_all, out->ninf_all, provider,
                         &ft_known, &inf_known);
    }
    if (copy_ft(&out->ft_service, ft_known, err) || copy_inf(&out->inf_service, inf_known, err))
        goto out;
    if (out->ft_service && (v[ia].rc || v[ia + 1].rc
                                ? failed(&v[v[ia].rc ? ia : ia + 1], &be, err)
                                : zg_ft_account_lock_time_decode(&v[ia], &out->ft, &out->ft_exists,
                                                                 &out->lock_time, err)))
        goto out;
    if (out->inf_service &&
        (v[ib].rc ? failed(&v[ib], &be, err)
                  : zg_inf_account_decode(v[ib].out, &out->inf, &out->inf_exists, err)))
        goto out;
    rc = 0;
out:
    if (rc)
        zg_standing_free(out);
    for (size_t i = 0; i < n; i++)
        zg_abi_value_free(v[i].out);
    return rc;
}

int zg_inf_ack_tee_signer(zg_client *c, const uint8_t provider[20], bool acknowledged,
                          const zg_send_hooks *hooks, zg_err *err)
{
    return zg_transact(
        c, c->net.inference, "acknowledgeTEESigner", "acknowledgeTEESigner(address,bool)",
        zg_abi_tuple(zg_abi_addr(provider), zg_abi_bool(acknowledged)), NULL, hooks, err);
}

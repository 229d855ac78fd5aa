/* Cached remote reads (see remote.h). Cache keys: "wallet", "ledger",
 * "subs", "services", "locktime", "acct:ft:0xADDR", "acct:inf:0xADDR". */
#include "remote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/rpc.h"

typedef struct fetch_ctx {
    zgfs *fs;
    uint8_t provider[20];
} fetch_ctx;

/* ---- wallet */

static int fetch_wallet(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    zg_u256 *v = malloc(sizeof *v);
    if (!v)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_rpc_balance(x->fs->client->rpc, x->fs->addr, v, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

int zgfs_get_wallet(zgfs *fs, long max_age_ms, zg_cache_val **ref, zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    return zg_cache_get(fs->cache, "wallet", max_age_ms, fetch_wallet, free, &x, ref, err);
}

/* ---- ledger */

static void free_ledger(void *p)
{
    zgfs_ledger_view *v = p;
    if (v->exists)
        zg_ledger_free(&v->l);
    free(v);
}

static int fetch_ledger(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    zgfs_ledger_view *v = calloc(1, sizeof *v);
    if (!v)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_ledger_get(x->fs->client, x->fs->addr, &v->l, &v->exists, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

int zgfs_get_ledger(zgfs *fs, long max_age_ms, zg_cache_val **ref, zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    return zg_cache_get(fs->cache, "ledger", max_age_ms, fetch_ledger, free_ledger, &x, ref, err);
}

/* ---- sub-accounts of the wallet, both services */

static void free_subs(void *p)
{
    zgfs_subs *s = p;
    free(s->ft);
    free(s->inf);
    free(s);
}

static int fetch_subs(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    zgfs_subs *s = calloc(1, sizeof *s);
    if (!s)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_subaccounts_by_user(x->fs->client, ZG_SVC_FINETUNING, x->fs->addr, &s->ft, &s->nft,
                               err) ||
        zg_subaccounts_by_user(x->fs->client, ZG_SVC_INFERENCE, x->fs->addr, &s->inf, &s->ninf,
                               err)) {
        free_subs(s);
        return -1;
    }
    *val = s;
    return 0;
}

int zgfs_get_subs(zgfs *fs, long max_age_ms, zg_cache_val **ref, zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    return zg_cache_get(fs->cache, "subs", max_age_ms, fetch_subs, free_subs, &x, ref, err);
}

/* ---- services */

static void free_services(void *p)
{
    zgfs_services *s = p;
    zg_ft_services_free(s->ft, s->nft);
    zg_inf_services_free(s->inf, s->ninf);
    free(s);
}

static int fetch_services(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    zgfs_services *s = calloc(1, sizeof *s);
    if (!s)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_all_services(x->fs->client, &s->ft, &s->nft, &s->inf, &s->ninf, err)) {
        free_services(s);
        return -1;
    }
    *val = s;
    return 0;
}

int zgfs_get_services(zgfs *fs, long max_age_ms, zg_cache_val **ref, zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    return zg_cache_get(fs->cache, "services", max_age_ms, fetch_services, free_services, &x, ref,
                        err);
}

void zgfs_services_find(const zgfs_services *s, const uint8_t addr[20], zgfs_provider *out)
{
    out->ft = NULL;
    out->inf = NULL;
    for (size_t i = 0; i < s->nft && !out->ft; i++)
        if (!memcmp(s->ft[i].provider, addr, 20))
            out->ft = &s->ft[i];
    for (size_t i = 0; i < s->ninf && !out->inf; i++)
        if (!memcmp(s->inf[i].provider, addr, 20))
            out->inf = &s->inf[i];
}

/* ---- sub-accounts with one provider */

static void acct_key(char out[64], const char *kind, const uint8_t provider[20])
{
    char a[43];
    zg_addr_checksum(a, provider);
    snprintf(out, 64, "acct:%s:%s", kind, a);
}

static void free_ft_acct(void *p)
{
    zgfs_ft_acct_view *v = p;
    if (v->exists)
        zg_ft_account_free(&v->a);
    free(v);
}

static int fetch_ft_acct(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    zgfs_ft_acct_view *v = calloc(1, sizeof *v);
    if (!v)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_ft_get_account_lock_time(x->fs->client, x->fs->addr, x->provider, &v->a, &v->exists,
                                    &v->lock_time, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

int zgfs_get_ft_account(zgfs *fs, const uint8_t provider[20], long max_age_ms, zg_cache_val **ref,
                        zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    memcpy(x.provider, provider, 20);
    char key[64];
    acct_key(key, "ft", provider);
    return zg_cache_get(fs->cache, key, max_age_ms, fetch_ft_acct, free_ft_acct, &x, ref, err);
}

static void free_inf_acct(void *p)
{
    zgfs_inf_acct_view *v = p;
    if (v->exists)
        zg_inf_account_free(&v->a);
    free(v);
}

static int fetch_inf_acct(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    zgfs_inf_acct_view *v = calloc(1, sizeof *v);
    if (!v)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_inf_get_account(x->fs->client, x->fs->addr, x->provider, &v->a, &v->exists, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

int zgfs_get_inf_account(zgfs *fs, const uint8_t provider[20], long max_age_ms, zg_cache_val **ref,
                         zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    memcpy(x.provider, provider, 20);
    char key[64];
    acct_key(key, "inf", provider);
    return zg_cache_get(fs->cache, key, max_age_ms, fetch_inf_acct, free_inf_acct, &x, ref, err);
}

/* ---- lock time */

static int fetch_lock_time(void *p, void **val, zg_err *err)
{
    fetch_ctx *x = p;
    uint64_t *v = malloc(sizeof *v);
    if (!v)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_ft_lock_time(x->fs->client, v, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

int zgfs_get_lock_time(zgfs *fs, uint64_t *seconds, zg_err *err)
{
    fetch_ctx x = {.fs = fs};
    zg_cache_val *ref;
    if (zg_cache_get(fs->cache, "locktime", -1, fetch_lock_time, free, &x, &ref, err))
        return -1;
    *seconds = *(uint64_t *)zg_cache_value(ref);
    zg_cache_put(ref);
    return 0;
}

/* ---- after a change */

void zgfs_changed(zgfs *fs, const uint8_t *provider)
{
    zg_cache_invalidate(fs->cache, "wallet");
    zg_cache_invalidate(fs->cache, "ledger");
    zg_cache_invalidate(fs->cache, "subs");
    zgfs_notify_inode(fs->notify, "/wallet/balance");
    zgfs_notify_inode(fs->notify, "/ledger/ledger.json");
    zgfs_notify_inode(fs->notify, "/ledger/balance");
    if (provider) {
        char a[43], key[64], path[ZGFS_PATH_MAX];
        zg_addr_checksum(a, provider);
        snprintf(key, sizeof key, "acct:ft:%s", a);
        zg_cache_invalidate(fs->cache, key);
        snprintf(key, sizeof key, "acct:inf:%s", a);
        zg_cache_invalidate(fs->cache, key);
        snprintf(path, sizeof path, "/providers/%s/account.json", a);
        zgfs_notify_inode(fs->notify, path);
    }
}

/* The remote state the namespace shows: the core's read model
 * (zg/readmodel.h) of the mount's wallet, through the mount's cache.
 *
 * Each getter returns a cache reference (release with zg_cache_put) whose
 * value is the type named in zg/readmodel.h. max_age_ms < 0 means the
 * value's lifetime (the mount's ttl; ordinary reads); 0 means fetch now
 * (checks before moving money). One remote answer feeds several files: the
 * services list answers every providers/ lookup and listing, so `ls -l`
 * stays O(1) requests. */
#ifndef ZGFS_REMOTE_H
#define ZGFS_REMOTE_H

#include "zg/readmodel.h"
#include "zgfs.h"

typedef zg_rv_ledger zgfs_ledger_view;
typedef zg_rv_services zgfs_services;
typedef zg_rv_subs zgfs_subs;
typedef zg_rv_ft_account zgfs_ft_acct_view;
typedef zg_rv_inf_account zgfs_inf_acct_view;
typedef zg_rv_provider zgfs_provider;

/* Value v of the mount's wallet (provider, task: as zg_rm_get). */
static inline int zgfs_get(zgfs *fs, zg_rv v, const uint8_t *provider, const char *task,
                           long max_age_ms, zg_cache_val **ref, zg_err *err)
{
    return zg_rm_get(&fs->rm, v, provider, task, max_age_ms, ref, err);
}
#define zgfs_get_wallet(fs, age, ref, err)   zgfs_get(fs, ZG_RV_WALLET, NULL, NULL, age, ref, err)
#define zgfs_get_ledger(fs, age, ref, err)   zgfs_get(fs, ZG_RV_LEDGER, NULL, NULL, age, ref, err)
#define zgfs_get_subs(fs, age, ref, err)     zgfs_get(fs, ZG_RV_SUBS, NULL, NULL, age, ref, err)
#define zgfs_get_services(fs, age, ref, err) zgfs_get(fs, ZG_RV_SERVICES, NULL, NULL, age, ref, err)
#define zgfs_get_ft_account(fs, p, age, ref, err)                                                  \
    zgfs_get(fs, ZG_RV_FT_ACCOUNT, p, NULL, age, ref, err)
#define zgfs_get_inf_account(fs, p, age, ref, err)                                                 \
    zgfs_get(fs, ZG_RV_INF_ACCOUNT, p, NULL, age, ref, err)
#define zgfs_get_tasks(fs, p, age, ref, err) zgfs_get(fs, ZG_RV_TASKS, p, NULL, age, ref, err)
#define zgfs_services_find                   zg_rv_services_find

/* From the cached services list (zg_rm_ft_service, zg_rm_inf_service). */
#define zgfs_ft_service(fs, p, url, announces, err)                                                \
    zg_rm_ft_service(&(fs)->rm, p, url, announces, err)
#define zgfs_ft_url(fs, p, url, err)             zg_rm_ft_service(&(fs)->rm, p, url, NULL, err)
#define zgfs_inf_service(fs, p, url, model, err) zg_rm_inf_service(&(fs)->rm, p, url, model, err)

/* A number-valued remote value (lock time, chain time). */
static inline int zgfs_get_u64(zgfs *fs, zg_rv v, long max_age_ms, uint64_t *out, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get(fs, v, NULL, NULL, max_age_ms, &ref, err))
        return -1;
    *out = *(const uint64_t *)zg_cache_value(ref);
    zg_cache_put(ref);
    return 0;
}
#define zgfs_get_lock_time(fs, out, err) zgfs_get_u64(fs, ZG_RV_LOCK_TIME, -1, out, err)

/* After a write: it changed values (a mask of ZG_RV_BIT) of provider and
 * task (either may be NULL: of all of them). Drops them from the cache at
 * once, so the next read is fresh, and queues kernel invalidation of every
 * file the read model says shows them (notify.c). */
void zgfs_changed(zgfs *fs, unsigned values, const uint8_t *provider, const char *task);

#endif

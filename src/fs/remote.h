/* The remote state the namespace shows, read through the mount's cache.
 *
 * Each getter returns a cache reference (release with zg_cache_put) whose
 * value is the struct named in its comment. max_age_ms < 0 means the
 * mount's ttl (ordinary reads); 0 means fetch now (checks before moving
 * money). One remote answer feeds several files: the services list answers
 * every providers/ lookup and listing, so `ls -l` stays O(1) requests. Each
 * fetch is one round trip: the services lists of both contracts come in one
 * JSON-RPC batch, a fine-tuning sub-account with the lock time. */
#ifndef ZGFS_REMOTE_H
#define ZGFS_REMOTE_H

#include "zg/ftserving.h"
#include "zg/infserving.h"
#include "zg/ledger.h"
#include "zg/subaccounts.h"
#include "zgfs.h"

typedef struct zgfs_ledger_view {
    bool exists;
    zg_ledger l;
} zgfs_ledger_view;

typedef struct zgfs_services {
    zg_ft_service *ft;
    size_t nft;
    zg_inf_service *inf;
    size_t ninf;
} zgfs_services;

typedef struct zgfs_subs {
    zg_subaccount *ft, *inf;
    size_t nft, ninf;
} zgfs_subs;

typedef struct zgfs_ft_acct_view {
    bool exists;
    zg_ft_account a;
    uint64_t lock_time; /* the contract's, read in the same round trip */
} zgfs_ft_acct_view;

typedef struct zgfs_inf_acct_view {
    bool exists;
    zg_inf_account a;
} zgfs_inf_acct_view;

int zgfs_get_wallet(zgfs *fs, long max_age_ms, zg_cache_val **ref, zg_err *err); /* zg_u256 */
int zgfs_get_ledger(zgfs *fs, long max_age_ms, zg_cache_val **ref,
                    zg_err *err); /* zgfs_ledger_view */
int zgfs_get_subs(zgfs *fs, long max_age_ms, zg_cache_val **ref, zg_err *err); /* zgfs_subs */
int zgfs_get_services(zgfs *fs, long max_age_ms, zg_cache_val **ref,
                      zg_err *err); /* zgfs_services */
int zgfs_get_ft_account(zgfs *fs, const uint8_t provider[20], long max_age_ms, zg_cache_val **ref,
                        zg_err *err); /* zgfs_ft_acct_view */
int zgfs_get_inf_account(zgfs *fs, const uint8_t provider[20], long max_age_ms, zg_cache_val **ref,
                         zg_err *err); /* zgfs_inf_acct_view */
int zgfs_get_lock_time(zgfs *fs, uint64_t *seconds, zg_err *err);

/* A provider in the services list (either pointer may be NULL). */
typedef struct zgfs_provider {
    const zg_ft_service *ft;
    const zg_inf_service *inf;
} zgfs_provider;

void zgfs_services_find(const zgfs_services *s, const uint8_t addr[20], zgfs_provider *out);

/* After a transaction: drop what it may have changed from the cache (at
 * once, so the next read is fresh) and queue kernel invalidation of the
 * files showing it. provider may be NULL (ledger-only change). */
void zgfs_changed(zgfs *fs, const uint8_t *provider);

#endif

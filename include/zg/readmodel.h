/* The read model: every remote value a wallet's view of the network is
 * made of (chain reads, provider replies), declared in ONE table in
 * src/core/readmodel.c. Each row says how the value is keyed in the cache,
 * fetched and freed, how long it lives, and which paths of the namespace
 * show it. The paths are data to the core: it only fills in the provider
 * and the task and hands them to whoever shows them (the mount turns them
 * into kernel invalidations).
 *
 * A write declares the values it changed (a mask of ZG_RV_BIT) with
 * zg_rm_changed: their cache entries are dropped at once, so the next read
 * is fresh, and the paths showing them are reported.
 *
 * Thread-safe as the cache is; the structure itself is read only. */
#ifndef ZG_READMODEL_H
#define ZG_READMODEL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/cache.h"
#include "zg/client.h"
#include "zg/err.h"
#include "zg/ftserving.h"
#include "zg/infserving.h"
#include "zg/ledger.h"
#include "zg/subaccounts.h"

/* The values, each with the type zg_cache_value gives for it. "per
 * provider" and "per task" values need those arguments of zg_rm_get. */
typedef enum zg_rv {
    ZG_RV_WALLET,       /* zg_u256: the wallet's native balance */
    ZG_RV_LEDGER,       /* zg_rv_ledger */
    ZG_RV_SUBS,         /* zg_rv_subs: the wallet's sub-accounts, both services */
    ZG_RV_SERVICES,     /* zg_rv_services: both services lists, one round trip */
    ZG_RV_LOCK_TIME,    /* uint64_t: the fine-tuning contract's lock time, s */
    ZG_RV_CHAIN_TIME,   /* uint64_t: the latest block's timestamp */
    ZG_RV_FT_ACCOUNT,   /* zg_rv_ft_account, per provider */
    ZG_RV_INF_ACCOUNT,  /* zg_rv_inf_account, per provider */
    ZG_RV_STANDING,     /* zg_standing, per provider: its services and both
                         * sub-accounts, one round trip (account.json) */
    ZG_RV_FT_SERVICE,   /* zg_ft_service, per provider: getService, on its own */
    ZG_RV_TASKS,        /* cJSON array, per provider: the wallet's tasks, newest first */
    ZG_RV_TASK,         /* cJSON object, per task: one the list has not seen yet */
    ZG_RV_TASK_LOG,     /* zg_buf, per task: the training log (empty before it starts) */
    ZG_RV_ADAPTERS,     /* cJSON array, per provider: the wallet's adapters (none
                         * without an inference sub-account) */
    ZG_RV_MODELS,       /* cJSON array, per provider: its customized models */
    ZG_RV_QUOTE,        /* zg_buf, per provider: the attestation document */
    ZG_RV_QUOTE_LEGACY, /* zg_buf, per provider: the same, ?legacy=true */
    ZG_RV_COUNT
} zg_rv;

#define ZG_RV_BIT(v) (1u << (v))
/* What a transaction that moves funds may change. */
#define ZG_RV_FUNDS                                                                                \
    (ZG_RV_BIT(ZG_RV_WALLET) | ZG_RV_BIT(ZG_RV_LEDGER) | ZG_RV_BIT(ZG_RV_SUBS) |                   \
     ZG_RV_BIT(ZG_RV_FT_ACCOUNT) | ZG_RV_BIT(ZG_RV_INF_ACCOUNT))

typedef struct zg_rv_ledger {
    bool exists;
    zg_ledger l;
} zg_rv_ledger;

typedef struct zg_rv_services {
    zg_ft_service *ft;
    size_t nft;
    zg_inf_service *inf;
    size_t ninf;
} zg_rv_services;

typedef struct zg_rv_subs {
    zg_subaccount *ft, *inf;
    size_t nft, ninf;
} zg_rv_subs;

typedef struct zg_rv_ft_account {
    bool exists;
    zg_ft_account a;
    uint64_t lock_time; /* the contract's, read in the same round trip */
} zg_rv_ft_account;

typedef struct zg_rv_inf_account {
    bool exists;
    zg_inf_account a;
} zg_rv_inf_account;

/* Whose view: the wallet on a client, through a cache (both borrowed). */
typedef struct zg_readmodel {
    zg_client *client;
    zg_cache *cache;
    uint8_t user[20];
} zg_readmodel;

/* A reference (release with zg_cache_put) to value v of provider (per
 * provider and per task values; else ignored, may be NULL) and task (per
 * task values), at most max_age_ms old: < 0 the value's own lifetime (the
 * cache's ttl unless the table says otherwise), 0 fetched now. EINVAL when
 * a needed argument is missing. */
int zg_rm_get(const zg_readmodel *rm, zg_rv v, const uint8_t *provider, const char *task,
              long max_age_ms, zg_cache_val **ref, zg_err *err);

/* A provider's entries in the services list (either may be NULL). */
typedef struct zg_rv_provider {
    const zg_ft_service *ft;
    const zg_inf_service *inf;
} zg_rv_provider;
void zg_rv_services_find(const zg_rv_services *s, const uint8_t addr[20], zg_rv_provider *out);
/* provider's entries in the services lists: from the cached lists while
 * they are fresh, else from the provider's standing (ZG_RV_STANDING, which
 * brings its sub-accounts in the same round trip). *pr points into *ref,
 * which the caller releases with zg_cache_put. */
int zg_rm_provider(const zg_readmodel *rm, const uint8_t provider[20], zg_cache_val **ref,
                   zg_rv_provider *pr, zg_err *err);

/* From the cached services list: the fine-tuning URL of provider (malloc'd)
 * and whether its record announces models (may be NULL); ENOENT when it
 * offers no fine-tuning. */
int zg_rm_ft_service(const zg_readmodel *rm, const uint8_t provider[20], char **url,
                     bool *announces_models, zg_err *err);
/* Likewise the inference URL and base model (malloc'd; model may be NULL
 * and be left NULL); ENOENT when it serves no inference. */
int zg_rm_inf_service(const zg_readmodel *rm, const uint8_t provider[20], char **url, char **model,
                      zg_err *err);

/* The cache key of v for provider and task (NULL: the prefix shared by
 * every provider, or every task of provider). ENAMETOOLONG if it does not
 * fit. */
int zg_rm_key(char *out, size_t cap, zg_rv v, const uint8_t *provider, const char *task,
              zg_err *err);

/* Called once per distinct path showing a changed value: a glob (fnmatch,
 * FNM_PATHNAME; '*' stands for every provider or task not named, and the
 * named ones are escaped). name NULL: the file at path; else the directory
 * entry name in the directory at path (a link whose target moved). */
typedef void (*zg_rm_shown_fn)(void *ctx, const char *path, const char *name);

/* The paths showing any of values (a mask of ZG_RV_BIT) or of the values
 * the table computes from them, without duplicates. */
void zg_rm_shown(unsigned values, const uint8_t *provider, const char *task, zg_rm_shown_fn fn,
                 void *ctx);

/* After a write: drop values and those computed from them (for provider
 * and task; NULL: all of them) from the cache, then report their paths
 * through fn (may be NULL). */
void zg_rm_changed(const zg_readmodel *rm, unsigned values, const uint8_t *provider,
                   const char *task, zg_rm_shown_fn fn, void *ctx);

/* A copy (cJSON_Delete it) of provider's task id of the wallet: from the
 * cached list, else fetched alone (a task the list has not seen yet).
 * ENOENT when the provider has no such task of this wallet. */
int zg_rm_task(const zg_readmodel *rm, const uint8_t provider[20], const char *id, cJSON **out,
               zg_err *err);
/* A copy (zg_deliverable_free it) of the on-chain deliverable of task_id
 * from provider's fine-tuning sub-account, at most max_age_ms old (as
 * zg_rm_get); ENOENT when it was not delivered. */
int zg_rm_deliverable(const zg_readmodel *rm, const uint8_t provider[20], const char *task_id,
                      long max_age_ms, zg_deliverable *out, zg_err *err);

#endif

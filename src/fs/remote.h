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

/* Value v of the mount's wallet (provider, task: as zg_rm_get). */
static inline int zgfs_get(zgfs *fs, zg_rv v, const uint8_t *provider, const char *task,
                           long max_age_ms, zg_cache_val **ref, zg_err *err)
{
    return zg_rm_get(&fs->rm, v, provider, task, max_age_ms, ref, err);
}

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

/* After a write: it changed values (a mask of ZG_RV_BIT) of provider and
 * task (either may be NULL: of all of them). Drops them from the cache at
 * once, so the next read is fresh, and queues kernel invalidation of every
 * file the read model says shows them (notify.c). */
void zgfs_changed(zgfs *fs, unsigned values, const uint8_t *provider, const char *task);

#endif

/* An in-memory cache of remote answers with a time to live, so that many
 * readers of the same record cost one remote request.
 *
 * - Values are immutable once stored and reference counted: a reader keeps
 *   its reference while it renders, and a writer may replace or drop the
 *   entry meanwhile without pulling the value from under the reader.
 * - Singleflight: while a fetch for a key runs, other callers for that key
 *   wait for its answer instead of fetching again.
 * - Generations: zg_cache_invalidate() detaches fetches in flight for the
 *   keys it drops. Such a fetch may have read the remote state before the
 *   change that caused the invalidation, so its answer goes only to the
 *   callers that were already waiting for it and is never stored; callers
 *   arriving after the invalidation start a fresh fetch.
 * - Errors are not cached, except a time-out: a fetch that ended with
 *   ETIMEDOUT (the peer stayed silent) is the answer for the same key for
 *   at most the ttl (and the caller's max age), so the next reader within
 *   it is not made to wait the whole time-out again. (A `cat` is a lookup
 *   and an open, each of which renders.) A value stored later, or an
 *   invalidation, ends it.
 * - A caller waiting for another's fetch waits only as long as its own
 *   thread's wait descriptor allows (zg/wait.h: EINTR, ETIMEDOUT). A fetch
 *   that ended with EINTR (its own caller gave up) answers nobody else:
 *   they fetch again.
 *
 * Thread-safe. Nothing here knows FUSE or the network: the caller supplies
 * the fetch function. */
#ifndef ZG_CACHE_H
#define ZG_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "zg/err.h"

typedef struct zg_cache zg_cache;
typedef struct zg_cache_val zg_cache_val;

/* Produce a fresh value for the key in *val (ownership passes to the cache).
 * Runs without any cache lock held. */
typedef int (*zg_cache_fetch_fn)(void *ctx, void **val, zg_err *err);
/* Release a value produced by a fetch function. */
typedef void (*zg_cache_free_fn)(void *val);

/* ttl_ms: default age limit for zg_cache_get (0 = every get fetches, but
 * concurrent gets still share one fetch). max_entries bounds memory: expired
 * entries are evicted past it. */
int zg_cache_new(zg_cache **out, long ttl_ms, size_t max_entries, zg_err *err);
/* All references must have been released. */
void zg_cache_free(zg_cache *c);

/* A reference to the value for key that is at most max_age_ms old
 * (max_age_ms < 0: the cache's ttl; 0: fetched now or by a fetch in flight).
 * On success *out is a reference the caller releases with zg_cache_put();
 * on failure the fetch's error is in err and nothing is cached. */
int zg_cache_get(zg_cache *c, const char *key, long max_age_ms, zg_cache_fetch_fn fetch,
                 zg_cache_free_fn free_fn, void *ctx, zg_cache_val **out, zg_err *err);
/* The stored value for key if it is at most max_age_ms old (as
 * zg_cache_get), without fetching or waiting for a fetch: true with *out a
 * reference the caller releases, false with *out NULL. For a caller that
 * can get the same facts another way when they are not at hand. */
bool zg_cache_peek(zg_cache *c, const char *key, long max_age_ms, zg_cache_val **out);
/* A count of the invalidations so far: taken before a caller reads
 * remote state it may offer (zg_cache_offer). */
unsigned long zg_cache_generation(zg_cache *c);
/* Store val (ownership passes to the cache) for key as fetched now, the
 * way a fetch would, by a caller that read it on the side of another
 * fetch; generation: zg_cache_generation before that read. Dropped (and
 * freed) when anything was invalidated since, or a fetch for key is in
 * flight. */
void zg_cache_offer(zg_cache *c, const char *key, unsigned long generation, void *val,
                    zg_cache_free_fn free_fn);
/* The value behind a reference (borrowed for as long as the reference). */
void *zg_cache_value(const zg_cache_val *v);
void zg_cache_put(zg_cache_val *v);

/* Drop every entry whose key starts with prefix (NULL or "" = all) and
 * detach fetches in flight for them. */
void zg_cache_invalidate(zg_cache *c, const char *prefix);

/* How many fetches the cache started (for tests and benchmarks). */
unsigned long zg_cache_fetches(zg_cache *c);

#endif

/* TTL cache with singleflight and generations (see zg/cache.h).
 *
 * One mutex and one condition variable for the whole cache: the critical
 * sections are a few pointer moves, and the expensive part (the fetch) runs
 * unlocked. Entries live in a chained hash table; a fetch in flight is a
 * separate, reference-counted object so that invalidation can detach it
 * from its entry while the fetcher and its waiters still hold it. */
#include "zg/cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/wait.h"

#define NBUCKETS 256

struct zg_cache_val {
    atomic_uint refs;
    void *p;
    zg_cache_free_fn free_fn;
};

typedef struct flight {
    unsigned refs; /* the fetcher + each waiter; guarded by the cache lock */
    bool done;
    int rc;
    zg_err err;
    zg_cache_val *val; /* one reference held by the flight when rc == 0 */
} flight;

typedef struct entry {
    struct entry *next;
    char *key;
    zg_cache_val *val; /* NULL when nothing is stored */
    int64_t fetched_ms;
    flight *fl;           /* fetch in flight that may store here, or NULL */
    bool timed_out;       /* the last fetch found the peer silent: */
    int64_t timed_out_ms; /* when it gave up, */
    zg_err timeout;       /* and what it said */
} entry;

struct zg_cache {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    long ttl_ms;
    size_t max_entries;
    size_t nentries;
    unsigned long fetches;
    unsigned long invalidations; /* zg_cache_generation */
    entry *buckets[NBUCKETS];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned hash_key(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h % NBUCKETS;
}

static zg_cache_val *val_ref(zg_cache_val *v)
{
    atomic_fetch_add(&v->refs, 1);
    return v;
}

void zg_cache_put(zg_cache_val *v)
{
    if (v && atomic_fetch_sub(&v->refs, 1) == 1) {
        if (v->free_fn)
            v->free_fn(v->p);
        free(v);
    }
}

void *zg_cache_value(const zg_cache_val *v)
{
    return v->p;
}

int zg_cache_new(zg_cache **out, long ttl_ms, size_t max_entries, zg_err *err)
{
    zg_cache *c = calloc(1, sizeof *c);
    if (!c)
        return zg_err_set(err, ENOMEM, "out of memory");
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->ttl_ms = ttl_ms < 0 ? 0 : ttl_ms;
    c->max_entries = max_entries ? max_entries : 1024;
    *out = c;
    return 0;
}

static void flight_unref(flight *f)
{
    if (--f->refs == 0) {
        zg_cache_put(f->val);
        free(f);
    }
}

void zg_cache_free(zg_cache *c)
{
    if (!c)
        return;
    for (size_t b = 0; b < NBUCKETS; b++) {
        entry *e = c->buckets[b];
        while (e) {
            entry *next = e->next;
            zg_cache_put(e->val);
            free(e->key);
            free(e);
            e = next;
        }
    }
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static entry *find(zg_cache *c, const char *key)
{
    for (entry *e = c->buckets[hash_key(key)]; e; e = e->next)
        if (!strcmp(e->key, key))
            return e;
    return NULL;
}

/* Drop expired, idle entries once the table is over its bound. */
static void evict(zg_cache *c, int64_t now)
{
    if (c->nentries <= c->max_entries)
        return;
    for (size_t b = 0; b < NBUCKETS; b++) {
        entry **pp = &c->buckets[b];
        while (*pp) {
            entry *e = *pp;
            if (!e->fl && (!e->val || now - e->fetched_ms > c->ttl_ms) &&
                (!e->timed_out || now - e->timed_out_ms > c->ttl_ms)) {
                *pp = e->next;
                zg_cache_put(e->val);
                free(e->key);
                free(e);
                c->nentries--;
            } else {
                pp = &e->next;
            }
        }
    }
}

static entry *find_or_add(zg_cache *c, const char *key, int64_t now)
{
    entry *e = find(c, key);
    if (e)
        return e;
    evict(c, now);
    e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->key = strdup(key);
    if (!e->key) {
        free(e);
        return NULL;
    }
    unsigned b = hash_key(key);
    e->next = c->buckets[b];
    c->buckets[b] = e;
    c->nentries++;
    return e;
}

/* Wait for f to finish, a slice at a time so the caller's wait (the
 * thread's zg_wait) can end it: 0 when done, else -1 with its reason.
 * Lock held. */
static int join_flight(zg_cache *c, flight *f, const zg_wait *w, zg_err *err)
{
    while (!f->done) {
        if (zg_wait_check(w, err))
            return -1;
        if (!w) {
            pthread_cond_wait(&c->cv, &c->lock);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 2 * ZG_WAIT_SLICE_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->cv, &c->lock, &until);
    }
    return 0;
}

bool zg_cache_peek(zg_cache *c, const char *key, long max_age_ms, zg_cache_val **out)
{
    *out = NULL;
    if (max_age_ms < 0)
        max_age_ms = c->ttl_ms;
    pthread_mutex_lock(&c->lock);
    entry *e = find(c, key);
    if (e && e->val && max_age_ms > 0 && now_ms() - e->fetched_ms < max_age_ms)
        *out = val_ref(e->val);
    pthread_mutex_unlock(&c->lock);
    return *out != NULL;
}

/* A value of one reference over p; NULL (p freed) when out of memory. */
static zg_cache_val *val_new(void *p, zg_cache_free_fn free_fn)
{
    zg_cache_val *v = malloc(sizeof *v);
    if (!v) {
        if (free_fn)
            free_fn(p);
        return NULL;
    }
    atomic_init(&v->refs, 1);
    v->p = p;
    v->free_fn = free_fn;
    return v;
}

/* e's value becomes v (its reference passes to e), fetched at now. Under
 * the lock. */
static void store(entry *e, zg_cache_val *v, int64_t now)
{
    zg_cache_put(e->val);
    e->val = v;
    e->fetched_ms = now;
    e->timed_out = false;
}

int zg_cache_get(zg_cache *c, const char *key, long max_age_ms, zg_cache_fetch_fn fetch,
                 zg_cache_free_fn free_fn, void *ctx, zg_cache_val **out, zg_err *err)
{
    *out = NULL;
    if (max_age_ms < 0)
        max_age_ms = c->ttl_ms;
    const zg_wait *w = zg_wait_current();
    pthread_mutex_lock(&c->lock);
again:;
    int64_t now = now_ms();
    entry *e = find_or_add(c, key, now);
    if (!e) {
        pthread_mutex_unlock(&c->lock);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    if (e->val && max_age_ms > 0 && now - e->fetched_ms < max_age_ms) {
        *out = val_ref(e->val);
        pthread_mutex_unlock(&c->lock);
        return 0;
    }
    if (e->timed_out && !e->fl &&
        now - e->timed_out_ms < (max_age_ms < c->ttl_ms ? max_age_ms : c->ttl_ms)) {
        if (err)
            *err = e->timeout;
        pthread_mutex_unlock(&c->lock);
        return -1;
    }
    flight *f = e->fl;
    if (f) {
        /* Join the fetch in flight: it started before us but is not older
         * than the last invalidation of this key, which is what matters. */
        f->refs++;
        if (join_flight(c, f, w, err)) {
            flight_unref(f);
            pthread_mutex_unlock(&c->lock);
            return -1;
        }
        if (f->rc && f->err.code == EINTR) {
            /* The fetcher's own caller gave up, not this one: fetch anew. */
            flight_unref(f);
            goto again;
        }
    } else {
        f = calloc(1, sizeof *f);
        if (!f) {
            pthread_mutex_unlock(&c->lock);
            return zg_err_set(err, ENOMEM, "out of memory");
        }
        f->refs = 1;
        e->fl = f;
        c->fetches++;
        pthread_mutex_unlock(&c->lock);

        void *p = NULL;
        zg_err ferr = {0};
        int rc = fetch(ctx, &p, &ferr);
        zg_cache_val *v = NULL;
        if (rc == 0 && !(v = val_new(p, free_fn)))
            rc = zg_err_set(&ferr, ENOMEM, "out of memory");

        pthread_mutex_lock(&c->lock);
        f->done = true;
        f->rc = rc;
        f->err = ferr;
        f->val = v;
        /* The entry may have been invalidated (detached from f) meanwhile,
         * and a detached entry may even have been evicted: look it up again
         * and store only if it still points at this flight. */
        e = find(c, key);
        if (e && rc == 0 && e->fl == f) {
            store(e, val_ref(v), now_ms());
        } else if (e && e->fl == f && ferr.code == ETIMEDOUT) {
            e->timed_out = true;
            e->timed_out_ms = now_ms();
            e->timeout = ferr;
        }
        if (e && e->fl == f)
            e->fl = NULL;
        pthread_cond_broadcast(&c->cv);
    }
    int rc = f->rc;
    if (rc == 0)
        *out = val_ref(f->val);
    else if (err)
        *err = f->err;
    flight_unref(f);
    pthread_mutex_unlock(&c->lock);
    return rc ? -1 : 0;
}

void zg_cache_invalidate(zg_cache *c, const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    pthread_mutex_lock(&c->lock);
    for (size_t b = 0; b < NBUCKETS; b++) {
        for (entry *e = c->buckets[b]; e; e = e->next) {
            if (n && strncmp(e->key, prefix, n))
                continue;
            zg_cache_put(e->val);
            e->val = NULL;
            e->timed_out = false;
            e->fl = NULL; /* the fetcher sees this and does not store */
        }
    }
    c->invalidations++;
    pthread_mutex_unlock(&c->lock);
}

unsigned long zg_cache_generation(zg_cache *c)
{
    pthread_mutex_lock(&c->lock);
    unsigned long g = c->invalidations;
    pthread_mutex_unlock(&c->lock);
    return g;
}

void zg_cache_offer(zg_cache *c, const char *key, unsigned long generation, void *val,
                    zg_cache_free_fn free_fn)
{
    zg_cache_val *v = val_new(val, free_fn);
    if (!v)
        return;
    pthread_mutex_lock(&c->lock);
    int64_t now = now_ms();
    entry *e = c->invalidations == generation ? find_or_add(c, key, now) : NULL;
    /* A fetch in flight or a value at least as new wins. */
    bool take = e && !e->fl && (!e->val || e->fetched_ms < now);
    if (take)
        store(e, v, now);
    pthread_mutex_unlock(&c->lock);
    if (!take)
        zg_cache_put(v);
}

unsigned long zg_cache_fetches(zg_cache *c)
{
    pthread_mutex_lock(&c->lock);
    unsigned long n = c->fetches;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* Unit checks of the core helpers zgfs builds on: the TTL cache
 * (singleflight, invalidation during a fetch, values offered on the side
 * of another fetch) and the operation log ring
 * (filler for dropped lines, chunked reads). Prints TAP lines and
 * "N passed, N failed". */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zg/cache.h"
#include "zg/oplog.h"

static int passed, failed;

static void check(int ok, const char *what)
{
    if (ok)
        passed++;
    else
        failed++;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", passed + failed, what);
}

static int fetches;
static zg_cache *cache;

static int slow_fetch(void *ctx, void **val, zg_err *err)
{
    (void)err;
    __atomic_fetch_add(&fetches, 1, __ATOMIC_SEQ_CST);
    usleep(200000);
    int *v = malloc(sizeof *v);
    *v = *(int *)ctx;
    *val = v;
    return 0;
}

static void *reader(void *out)
{
    zg_cache_val *r;
    int k = 7;
    zg_err e;
    if (zg_cache_get(cache, "k", -1, slow_fetch, free, &k, &r, &e) == 0) {
        *(int *)out = *(int *)zg_cache_value(r);
        zg_cache_put(r);
    }
    return NULL;
}

static void test_oplog(void)
{
    zg_oplog *l;
    zg_err e;
    zg_oplog_new(&l, 4096, &e);
    for (int i = 0; i < 200; i++)
        zg_oplog_add(l, "line %d %s", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    uint64_t n = zg_oplog_size(l);
    char *all = malloc(n + 1), *chunked = malloc(n + 1);
    size_t got = zg_oplog_read(l, 0, all, n);
    all[got] = '\0';
    check(got == n, "the log reads as many bytes as its size");
    check(!strncmp(all, "(older log lines dropped)", 25), "dropped lines read as a filler line");
    check(strstr(all, "line 199 ") && !strstr(all, "line 0 "), "newest kept, oldest dropped");
    check(all[n - 1] == '\n', "ends with a newline");
    size_t off = 0;
    while (off < n)
        off += zg_oplog_read(l, off, chunked + off, 7);
    check(!memcmp(all, chunked, n), "reading in 7-byte chunks gives the same bytes");
    check(zg_oplog_read(l, n, all, 10) == 0, "reading at the end gives nothing");
    free(all);
    free(chunked);
    zg_oplog_free(l);
}

static void test_cache(void)
{
    zg_err e;
    zg_cache_new(&cache, 10000, 16, &e);
    pthread_t t[10];
    int out[10] = {0};
    for (int i = 0; i < 10; i++)
        pthread_create(&t[i], NULL, reader, &out[i]);
    for (int i = 0; i < 10; i++)
        pthread_join(t[i], NULL);
    check(fetches == 1 && out[0] == 7 && out[9] == 7, "10 concurrent gets share one fetch");
    reader(&out[0]);
    check(fetches == 1, "a get within the ttl is served from the cache");
    zg_cache_invalidate(cache, "k");
    reader(&out[0]);
    check(fetches == 2, "after invalidation the next get fetches");
    zg_cache_invalidate(cache, NULL);
    pthread_create(&t[0], NULL, reader, &out[0]);
    usleep(50000);
    zg_cache_invalidate(cache, NULL); /* while the fetch runs */
    pthread_join(t[0], NULL);
    reader(&out[1]);
    check(fetches == 4, "a fetch that raced an invalidation is not stored");
    zg_cache_free(cache);
}

static int *boxed(int v)
{
    int *p = malloc(sizeof *p);
    *p = v;
    return p;
}

/* zg_cache_peek and zg_cache_offer: a value read on the side of another
 * fetch is stored as that fetch would store it, unless anything was
 * invalidated since it was read or a fetch for its key is in flight. */
static void test_offer(void)
{
    zg_err e;
    zg_cache_val *r;
    zg_cache_new(&cache, 10000, 16, &e);
    fetches = 0;
    check(!zg_cache_peek(cache, "o", -1, &r) && !r, "a peek at nothing finds nothing");
    unsigned long g = zg_cache_generation(cache);
    zg_cache_offer(cache, "o", g, boxed(5), free);
    int k = 6;
    bool seen = zg_cache_peek(cache, "o", -1, &r) && *(int *)zg_cache_value(r) == 5;
    if (r)
        zg_cache_put(r);
    check(seen, "an offered value is there for a peek");
    seen = zg_cache_get(cache, "o", -1, slow_fetch, free, &k, &r, &e) == 0 &&
           *(int *)zg_cache_value(r) == 5 && fetches == 0;
    if (seen)
        zg_cache_put(r);
    check(seen, "...and for a get, without a fetch");
    g = zg_cache_generation(cache);
    zg_cache_invalidate(cache, "x"); /* any invalidation, even of another key */
    zg_cache_offer(cache, "p", g, boxed(8), free);
    check(!zg_cache_peek(cache, "p", -1, &r), "an offer read before an invalidation is dropped");
    /* An offer while a fetch for the key runs: the fetch's answer wins. */
    zg_cache_invalidate(cache, NULL);
    int got = 0;
    pthread_t t;
    pthread_create(&t, NULL, reader, &got); /* fetches "k" = 7 for 200 ms */
    usleep(50000);
    zg_cache_offer(cache, "k", zg_cache_generation(cache), boxed(9), free);
    pthread_join(t, NULL);
    seen = zg_cache_peek(cache, "k", -1, &r) && *(int *)zg_cache_value(r) == 7;
    if (r)
        zg_cache_put(r);
    check(seen && got == 7, "an offer during a fetch of its key is dropped");
    zg_cache_free(cache);
}

int main(void)
{
    test_oplog();
    test_cache();
    test_offer();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

/* Unit checks of the core helpers zgfs builds on: the TTL cache
 * (singleflight, invalidation during a fetch) and the operation log ring
 * (filler for dropped lines, chunked reads). Prints TAP lines and
 * "N passed, N failed". */
#include <pthread.h>
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

int main(void)
{
    test_oplog();
    test_cache();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

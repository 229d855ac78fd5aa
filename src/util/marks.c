/* Marks (see zg/marks.h): a short array searched linearly, which is all
 * the few marks a mount sets need. */
#include "zg/marks.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct mark {
    char *key; /* owned; NULL: a free slot */
    int64_t at_ms;
} mark;

struct zg_marks {
    pthread_mutex_t lock;
    mark *v;
    size_t max;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int zg_marks_new(zg_marks **out, size_t max, zg_err *err)
{
    zg_marks *m = calloc(1, sizeof *m);
    if (!m || !max || !(m->v = calloc(max, sizeof *m->v))) {
        free(m);
        return zg_err_set(err, max ? ENOMEM : EINVAL, max ? "out of memory" : "no room for marks");
    }
    m->max = max;
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return 0;
}

void zg_marks_free(zg_marks *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->max; i++)
        free(m->v[i].key);
    free(m->v);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* The mark of key, or NULL. Called with the lock held. */
static mark *find(zg_marks *m, const char *key)
{
    for (size_t i = 0; i < m->max; i++)
        if (m->v[i].key && !strcmp(m->v[i].key, key))
            return &m->v[i];
    return NULL;
}

static bool is_recent(const mark *k, long within_ms, int64_t now)
{
    return k && (within_ms < 0 || now - k->at_ms < within_ms);
}

/* Set key at now; false when out of memory. Called with the lock held. */
static bool set(zg_marks *m, const char *key, int64_t now)
{
    mark *k = find(m, key);
    if (!k) {
        /* A free slot, else the oldest mark. */
        k = &m->v[0];
        for (size_t i = 0; i < m->max && k->key; i++)
            if (!m->v[i].key || m->v[i].at_ms < k->at_ms)
                k = &m->v[i];
        char *dup = strdup(key);
        if (!dup)
            return false;
        free(k->key);
        k->key = dup;
    }
    k->at_ms = now;
    return true;
}

bool zg_marks_recent(zg_marks *m, const char *key, long within_ms)
{
    pthread_mutex_lock(&m->lock);
    bool r = is_recent(find(m, key), within_ms, now_ms());
    pthread_mutex_unlock(&m->lock);
    return r;
}

void zg_marks_set(zg_marks *m, const char *key)
{
    pthread_mutex_lock(&m->lock);
    set(m, key, now_ms());
    pthread_mutex_unlock(&m->lock);
}

bool zg_marks_first(zg_marks *m, const char *key, long within_ms)
{
    pthread_mutex_lock(&m->lock);
    int64_t now = now_ms();
    bool first = !is_recent(find(m, key), within_ms, now);
    if (first)
        set(m, key, now); /* out of memory: first again next time */
    pthread_mutex_unlock(&m->lock);
    return first;
}

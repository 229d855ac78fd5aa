#include "zg/feeder.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct zg_feeder {
    zg_feeder_fn fn;
    void *ctx;
    size_t block;
    unsigned nblocks;
    uint8_t **buf;
    size_t *len;
    /* Blocks r .. r+queued-1 (mod nblocks) are full and wait for the
     * consumer, which takes block r; the producer fills block w =
     * r+queued, free while queued < nblocks. */
    unsigned r, w, queued;
    size_t fill; /* bytes in block w */
    bool done;   /* no more bytes will come */
    bool failed; /* the consumer stopped */
    pthread_mutex_t lock;
    pthread_cond_t more, room;
    pthread_t th;
};

static void *consume(void *arg)
{
    zg_feeder *f = arg;
    pthread_mutex_lock(&f->lock);
    for (;;) {
        while (f->queued == 0 && !f->done)
            pthread_cond_wait(&f->more, &f->lock);
        if (f->queued == 0)
            break;
        unsigned i = f->r;
        pthread_mutex_unlock(&f->lock);
        int rc = f->failed ? 0 : f->fn(f->ctx, f->buf[i], f->len[i]);
        pthread_mutex_lock(&f->lock);
        if (rc)
            f->failed = true;
        f->r = (f->r + 1) % f->nblocks;
        f->queued--;
        pthread_cond_signal(&f->room);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static void release(zg_feeder *f)
{
    /* The blocks may have held plaintext or keys' work. */
    for (unsigned i = 0; f->buf && i < f->nblocks; i++) {
        if (f->buf[i])
            explicit_bzero(f->buf[i], f->block);
        free(f->buf[i]);
    }
    free(f->buf);
    free(f->len);
    free(f);
}

int zg_feeder_start(zg_feeder **out, size_t block, unsigned nblocks, zg_feeder_fn fn, void *ctx,
                    zg_err *err)
{
    *out = NULL;
    if (block == 0 || nblocks < 2)
        return zg_err_set(err, EINVAL, "a feeder needs two blocks of at least a byte");
    zg_feeder *f = calloc(1, sizeof *f);
    if (!f)
        return zg_err_set(err, ENOMEM, "out of memory");
    f->fn = fn;
    f->ctx = ctx;
    f->block = block;
    f->nblocks = nblocks;
    f->buf = calloc(nblocks, sizeof *f->buf);
    f->len = calloc(nblocks, sizeof *f->len);
    bool ok = f->buf && f->len;
    for (unsigned i = 0; ok && i < nblocks; i++)
        ok = (f->buf[i] = malloc(block)) != NULL;
    if (!ok) {
        release(f);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->more, NULL);
    pthread_cond_init(&f->room, NULL);
    int e = pthread_create(&f->th, NULL, consume, f);
    if (e) {
        pthread_mutex_destroy(&f->lock);
        pthread_cond_destroy(&f->more);
        pthread_cond_destroy(&f->room);
        release(f);
        return zg_err_set(err, e, "cannot start a thread: %s", strerror(e));
    }
    *out = f;
    return 0;
}

/* Queue block w (fill bytes) and wait for a free one. false when the
 * consumer stopped. */
static bool push(zg_feeder *f)
{
    pthread_mutex_lock(&f->lock);
    f->len[f->w] = f->fill;
    f->queued++;
    f->w = (f->w + 1) % f->nblocks;
    pthread_cond_signal(&f->more);
    while (f->queued == f->nblocks && !f->failed)
        pthread_cond_wait(&f->room, &f->lock);
    bool ok = !f->failed;
    pthread_mutex_unlock(&f->lock);
    f->fill = 0;
    return ok;
}

static bool stopped(zg_feeder *f)
{
    pthread_mutex_lock(&f->lock);
    bool failed = f->failed;
    pthread_mutex_unlock(&f->lock);
    return failed;
}

int zg_feeder_put(zg_feeder *f, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (stopped(f))
        return -1;
    while (len > 0) {
        size_t n = f->block - f->fill < len ? f->block - f->fill : len;
        memcpy(f->buf[f->w] + f->fill, p, n);
        f->fill += n;
        p += n;
        len -= n;
        if (f->fill == f->block && !push(f))
            return -1;
    }
    return 0;
}

uint8_t *zg_feeder_room(zg_feeder *f, size_t *room)
{
    *room = f->block - f->fill;
    return f->buf[f->w] + f->fill;
}

int zg_feeder_commit(zg_feeder *f, size_t n)
{
    f->fill += n;
    if (f->fill == f->block && !push(f))
        return -1;
    return stopped(f) ? -1 : 0;
}

int zg_feeder_flush(zg_feeder *f)
{
    if (f->fill && !push(f))
        return -1;
    return stopped(f) ? -1 : 0;
}

int zg_feeder_finish(zg_feeder *f)
{
    if (f->fill && !stopped(f))
        push(f);
    pthread_mutex_lock(&f->lock);
    f->done = true;
    pthread_cond_signal(&f->more);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->th, NULL);
    bool failed = f->failed;
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->more);
    pthread_cond_destroy(&f->room);
    release(f);
    return failed ? -1 : 0;
}

/* Worker pool (see zg/workq.h): one mutex-protected FIFO, N threads, and
 * the table of keyed jobs queued or running. */
#include "zg/workq.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct job {
    struct job *next;
    uint64_t seq; /* submission order, from 1 */
    void (*fn)(void *);
    void *arg;
} job;

/* A job of zg_workq_join: listed under its key while queued or running. */
typedef struct keyed {
    struct keyed *next;
    zg_workq *q;
    char *key; /* NULL: not listed */
    zg_workq_job job;
} keyed;

struct zg_workq {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    pthread_cond_t done_cv; /* a job finished */
    job *head, *tail;
    bool stopping;
    unsigned nthreads, started;
    pthread_t *threads;
    uint64_t submitted;
    uint64_t *running;         /* per thread: the seq of its job, 0 when idle */
    pthread_mutex_t keys_lock; /* guards keyed; taken before lock */
    keyed *keyed;
};

/* Every job up to this seq has finished: the lowest one queued or running
 * is the first that has not. Lock held. */
static uint64_t finished_upto(const zg_workq *q)
{
    uint64_t low = q->head ? q->head->seq : q->submitted + 1;
    for (unsigned i = 0; i < q->nthreads; i++)
        if (q->running[i] && q->running[i] < low)
            low = q->running[i];
    return low - 1;
}

static void *worker(void *p)
{
    zg_workq *q = p;
    pthread_mutex_lock(&q->lock);
    unsigned me = q->started++;
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->cv, &q->lock);
        job *j = q->head;
        if (!j)
            break; /* stopping and drained */
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        q->running[me] = j->seq;
        pthread_mutex_unlock(&q->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&q->lock);
        q->running[me] = 0;
        pthread_cond_broadcast(&q->done_cv);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

int zg_workq_new(zg_workq **out, unsigned nthreads, zg_err *err)
{
    if (nthreads == 0)
        nthreads = 1;
    zg_workq *q = calloc(1, sizeof *q);
    if (!q || !(q->threads = calloc(nthreads, sizeof *q->threads)) ||
        !(q->running = calloc(nthreads, sizeof *q->running))) {
        if (q)
            free(q->threads);
        free(q);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_mutex_init(&q->keys_lock, NULL);
    pthread_cond_init(&q->cv, NULL);
    pthread_cond_init(&q->done_cv, NULL);
    for (unsigned i = 0; i < nthreads; i++) {
        int rc = pthread_create(&q->threads[i], NULL, worker, q);
        if (rc) {
            q->nthreads = i;
            zg_workq_free(q);
            return zg_err_set(err, rc, "cannot start a worker thread");
        }
    }
    q->nthreads = nthreads;
    *out = q;
    return 0;
}

int zg_workq_submit(zg_workq *q, void (*fn)(void *), void *arg, zg_err *err)
{
    job *j = malloc(sizeof *j);
    if (!j)
        return zg_err_set(err, ENOMEM, "out of memory");
    j->next = NULL;
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&q->lock);
    if (q->stopping) {
        pthread_mutex_unlock(&q->lock);
        free(j);
        return zg_err_set(err, EAGAIN, "the file system is shutting down");
    }
    j->seq = ++q->submitted;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

bool zg_workq_sync(zg_workq *q, long timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&q->lock);
    uint64_t want = q->submitted;
    while (finished_upto(q) < want)
        if (pthread_cond_timedwait(&q->done_cv, &q->lock, &until) == ETIMEDOUT)
            break;
    bool done = finished_upto(q) >= want;
    pthread_mutex_unlock(&q->lock);
    return done;
}

static void unlist(zg_workq *q, keyed *k)
{
    for (keyed **pp = &q->keyed; *pp; pp = &(*pp)->next)
        if (*pp == k) {
            *pp = k->next;
            return;
        }
}

static void keyed_main(void *p)
{
    keyed *k = p;
    zg_err err = {0};
    int rc = k->job.run(k->job.arg, &err);
    if (rc && !err.code)
        zg_err_set(&err, EIO, "internal error: the job failed without a reason");
    /* Off the table first: an end that starts the same work again must
     * start a new job, not join this finished one. The lock also waits
     * for the attach of whoever started the job. */
    pthread_mutex_lock(&k->q->keys_lock);
    unlist(k->q, k);
    pthread_mutex_unlock(&k->q->keys_lock);
    if (k->job.done)
        k->job.done(k->job.done_ctx, k, rc ? &err : NULL);
    if (k->job.arg_free)
        k->job.arg_free(k->job.arg);
    free(k->key);
    free(k);
}

int zg_workq_join(zg_workq *q, const zg_workq_job *spec, void (*attach)(void *actx, const void *id),
                  void *actx, zg_err *err)
{
    pthread_mutex_lock(&q->keys_lock);
    keyed *k = q->keyed;
    while (spec->key && k && strcmp(k->key, spec->key))
        k = k->next;
    if (spec->key && k) {
        if (attach)
            attach(actx, k);
        pthread_mutex_unlock(&q->keys_lock);
        if (spec->arg_free)
            spec->arg_free(spec->arg); /* joined a job that has its own */
        return 0;
    }
    k = calloc(1, sizeof *k);
    if (!k || (spec->key && !(k->key = strdup(spec->key)))) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto fail;
    }
    *k = (keyed){.next = q->keyed, .q = q, .key = k->key, .job = *spec};
    k->job.key = k->key;
    if (zg_workq_submit(q, keyed_main, k, err))
        goto fail;
    if (k->key)
        q->keyed = k;
    if (attach)
        attach(actx, k);
    pthread_mutex_unlock(&q->keys_lock);
    return 0;

fail:
    pthread_mutex_unlock(&q->keys_lock);
    if (k)
        free(k->key);
    free(k);
    if (spec->arg_free)
        spec->arg_free(spec->arg);
    return -1;
}

void zg_workq_free(zg_workq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->lock);
    for (unsigned i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    pthread_cond_destroy(&q->cv);
    pthread_cond_destroy(&q->done_cv);
    pthread_mutex_destroy(&q->lock);
    pthread_mutex_destroy(&q->keys_lock);
    free(q->threads);
    free(q->running);
    free(q);
}

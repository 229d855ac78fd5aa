/* Worker pool (see zg/workq.h): one mutex-protected FIFO, N threads. */
#include "zg/workq.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
    struct job *next;
    void (*fn)(void *);
    void *arg;
} job;

struct zg_workq {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    job *head, *tail;
    bool stopping;
    unsigned nthreads;
    pthread_t *threads;
};

static void *worker(void *p)
{
    zg_workq *q = p;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->cv, &q->lock);
        job *j = q->head;
        if (!j)
            break; /* stopping and drained */
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

int zg_workq_new(zg_workq **out, unsigned nthreads, zg_err *err)
{
    if (nthreads == 0)
        nthreads = 1;
    zg_workq *q = calloc(1, sizeof *q);
    if (!q || !(q->threads = calloc(nthreads, sizeof *q->threads))) {
        free(q);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cv, NULL);
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
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->lock);
    return 0;
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
    pthread_mutex_destroy(&q->lock);
    free(q->threads);
    free(q);
}

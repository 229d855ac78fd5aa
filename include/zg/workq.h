/* A fixed pool of worker threads running queued jobs in submission order.
 * Used to take long remote work (transactions that wait for a receipt) off
 * the threads that must stay responsive. A job may have a key, so that work
 * several callers ask for at once (two readers of one model file) runs
 * once and the later callers join it.
 *
 * Create it only after any fork() (threads do not survive a fork). */
#ifndef ZG_WORKQ_H
#define ZG_WORKQ_H

#include <stdbool.h>

#include "zg/err.h"

typedef struct zg_workq zg_workq;

int zg_workq_new(zg_workq **out, unsigned nthreads, zg_err *err);
/* Queue fn(arg). fn owns arg. EAGAIN once the queue is shutting down. */
int zg_workq_submit(zg_workq *q, void (*fn)(void *arg), void *arg, zg_err *err);
/* Wait (at most timeout_ms) until every job submitted before the call has
 * finished; false when the time ran out first. With one thread the jobs
 * also run in order, so a caller knows that what it queued took effect. */
bool zg_workq_sync(zg_workq *q, long timeout_ms);
/* A job that others may join, and whom it tells its end. */
typedef struct zg_workq_job {
    const char *key;                    /* borrowed for the call; NULL: nobody can join it */
    int (*run)(void *arg, zg_err *err); /* the work; fails with err set */
    void *arg;                          /* owned by the job from the call on */
    void (*arg_free)(void *arg);        /* may be NULL */
    /* Called on the worker when the job ended (outcome NULL on success; a
     * run that failed without an error is EIO), after the job left the
     * table, so whoever the end makes ask for the same work starts a new
     * job; id is the job's identity, as given to attach. May be NULL. */
    void (*done)(void *ctx, const void *id, const zg_err *outcome);
    void *done_ctx;
} zg_workq_job;

/* Queue the job spec describes, or join the job of its key that is queued
 * or running (spec->arg is then freed unused and spec->done not kept). attach(actx, id)
 * (may be NULL) is called, under the lock that finds the job, with the
 * identity of the job joined or started: a waiter it lists cannot miss the
 * end. -1 (attach not called, arg freed) when the job cannot be queued:
 * ENOMEM, or EAGAIN once the queue is shutting down. */
int zg_workq_join(zg_workq *q, const zg_workq_job *spec, void (*attach)(void *actx, const void *id),
                  void *actx, zg_err *err);
/* Run what is queued, then stop and join the threads, and free q. */
void zg_workq_free(zg_workq *q);

#endif

/* A fixed pool of worker threads running queued jobs in submission order.
 * Used to take long remote work (transactions that wait for a receipt) off
 * the threads that must stay responsive.
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
/* Run what is queued, then stop and join the threads, and free q. */
void zg_workq_free(zg_workq *q);

#endif

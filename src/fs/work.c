/* Long jobs and the FUSE requests waiting for them.
 *
 * Uploading a dataset at close(), downloading and verifying a model at the
 * first read, waiting for the provider's settlement: such work can take
 * minutes, so it runs on a pool of its own (never on a FUSE thread, never
 * in front of money commands) and the requests that wait for it get
 * deferred replies. A job has an optional key: a second reader of the same
 * lora.bin joins the job already running instead of starting another.
 *
 * A waiting request whose caller is being stopped (Ctrl-C, kill) is
 * answered with EINTR at once; the job itself runs on, because it may have
 * sent a transaction, and records its outcome (result and log) as always.
 * The waiting requests are deferred replies (req.c) whose group is the
 * job. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"

#define LONG_THREADS 16

typedef struct job {
    struct job *next;
    zgfs_work *w;
    char *key; /* NULL: nobody can join it */
    int (*run)(void *arg, zg_err *err);
    void *arg;
    void (*arg_free)(void *arg);
} job;

struct zgfs_work {
    zgfs *fs;
    zg_workq *q;
    pthread_mutex_t lock; /* guards jobs */
    job *jobs;            /* keyed jobs queued or running */
    zg_wait stopping;     /* stopped when the mount goes away; no deadline */
};

int zgfs_work_new(zgfs_work **out, zgfs *fs, zg_err *err)
{
    zgfs_work *w = calloc(1, sizeof *w);
    if (!w)
        return zg_err_set(err, ENOMEM, "out of memory");
    w->fs = fs;
    pthread_mutex_init(&w->lock, NULL);
    zg_wait_init(&w->stopping, NULL, 0, 0);
    *out = w;
    return 0;
}

int zgfs_work_start(zgfs_work *w, zg_err *err)
{
    return zg_workq_new(&w->q, LONG_THREADS, err);
}

bool zgfs_work_stopping(zgfs_work *w)
{
    return zg_wait_stopped(&w->stopping);
}

const zg_wait *zgfs_work_wait(zgfs_work *w)
{
    return &w->stopping;
}

void zgfs_work_free(zgfs_work *w)
{
    if (!w)
        return;
    zg_wait_stop(&w->stopping);
    zg_workq_free(w->q); /* runs what is queued, joins */
    zgfs_defer_free_all(w->fs);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

int zgfs_work_submit(zgfs_work *w, void (*fn)(void *arg), void *arg, zg_err *err)
{
    if (!w->q)
        return zg_err_set(err, EAGAIN, "the mount is not ready");
    return zg_workq_submit(w->q, fn, arg, err);
}

static void unlist(zgfs_work *w, job *j)
{
    for (job **pp = &w->jobs; *pp; pp = &(*pp)->next)
        if (*pp == j) {
            *pp = j->next;
            return;
        }
}

static void job_main(void *p)
{
    job *j = p;
    zgfs_work *w = j->w;
    zg_err err = {0};
    int rc = j->run(j->arg, &err);
    if (rc && !err.code)
        zg_err_set(&err, EIO, "internal error: the job failed without a reason");

    /* Off the table first: an answer that starts the same work again
     * must start a new job, not join this finished one. */
    pthread_mutex_lock(&w->lock);
    unlist(w, j);
    pthread_mutex_unlock(&w->lock);
    zgfs_defer_done(w->fs, j, rc ? &err : NULL);
    if (j->arg_free)
        j->arg_free(j->arg);
    free(j->key);
    free(j);
}

int zgfs_work_join(zgfs_work *w, const char *key, int (*run)(void *arg, zg_err *err), void *arg,
                   void (*arg_free)(void *arg), fuse_req_t req, zgfs_answer_fn answer_fn,
                   void *actx, void (*actx_free)(void *actx), zg_err *err)
{
    zgfs_pending *x = NULL;
    if (req && !(x = zgfs_defer_new(req, answer_fn, actx, actx_free)))
        goto nomem;
    job *j = NULL, *fresh = NULL;
    pthread_mutex_lock(&w->lock);
    for (j = key ? w->jobs : NULL; j; j = j->next)
        if (!strcmp(j->key, key))
            break;
    if (!j) {
        fresh = calloc(1, sizeof *fresh);
        if (!fresh || (key && !(fresh->key = strdup(key)))) {
            pthread_mutex_unlock(&w->lock);
            free(fresh);
            goto nomem;
        }
        *fresh = (job){.next = key ? w->jobs : NULL,
                       .w = w,
                       .key = fresh->key,
                       .run = run,
                       .arg = arg,
                       .arg_free = arg_free};
        if (key)
            w->jobs = fresh;
        j = fresh;
    }
    /* Listed under the lock that finds the job: it cannot end unseen. */
    if (x)
        zgfs_defer_add(w->fs, x, j);
    pthread_mutex_unlock(&w->lock);
    if (!fresh && arg_free)
        arg_free(arg); /* joined a job that has its own */

    if (fresh && zgfs_work_submit(w, job_main, fresh, err)) {
        pthread_mutex_lock(&w->lock);
        unlist(w, fresh);
        pthread_mutex_unlock(&w->lock);
        if (x)
            zgfs_defer_drop(w->fs, x); /* the caller still owns actx */
        if (arg_free)
            arg_free(arg);
        free(fresh->key);
        free(fresh);
        return -1;
    }
    if (x)
        zgfs_defer_arm(w->fs, x);
    return 0;

nomem:
    free(x);
    if (arg_free)
        arg_free(arg);
    return zg_err_set(err, ENOMEM, "out of memory");
}

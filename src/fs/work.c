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
 *
 * Waiters and the race with the job's end: a waiter is put on the list
 * before its interrupt callback is registered (fuse_req_interrupt_func may
 * call it at once), and only an "armed" waiter is answered by the job. One
 * that the job finished before it was armed keeps the outcome, and the
 * joining thread answers it. Whoever takes a waiter off the list answers
 * it, so every request gets exactly one reply. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zgfs.h"

#define LONG_THREADS 16

typedef struct job {
    struct job *next;
    zgfs_work *w;
    char *key; /* NULL: nobody can join it */
    int (*run)(void *arg, zg_err *err);
    void *arg;
    void (*arg_free)(void *arg);
} job;

typedef struct waiter {
    struct waiter *next;
    uint64_t id;
    job *job;
    fuse_req_t req;
    zgfs_answer_fn answer;
    void *actx;
    void (*actx_free)(void *actx);
    bool armed;
    bool finished; /* the job ended before the waiter was armed */
    bool failed;
    zg_err outcome;
} waiter;

struct zgfs_work {
    zgfs *fs;
    zg_workq *q;
    pthread_mutex_t lock; /* guards jobs, waiters, next_id */
    job *jobs;            /* keyed jobs queued or running */
    waiter *waiters;
    uint64_t next_id;
    zg_wait stopping; /* stopped when the mount goes away; no deadline */
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

static void waiter_free(waiter *x)
{
    if (x->actx_free)
        x->actx_free(x->actx);
    free(x);
}

void zgfs_work_free(zgfs_work *w)
{
    if (!w)
        return;
    zg_wait_stop(&w->stopping);
    zg_workq_free(w->q); /* runs what is queued, joins */
    /* No FUSE thread runs any more: whatever is left was never armed. */
    for (waiter *x = w->waiters, *next; x; x = next) {
        next = x->next;
        waiter_free(x);
    }
    pthread_mutex_destroy(&w->lock);
    free(w);
}

int zgfs_work_submit(zgfs_work *w, void (*fn)(void *arg), void *arg, zg_err *err)
{
    if (!w->q)
        return zg_err_set(err, EAGAIN, "the mount is not ready");
    return zg_workq_submit(w->q, fn, arg, err);
}

/* Take waiter id off the list (NULL when someone else did). Lock held. */
static waiter *take(zgfs_work *w, uint64_t id)
{
    waiter **pp = &w->waiters;
    while (*pp && (*pp)->id != id)
        pp = &(*pp)->next;
    waiter *x = *pp;
    if (x)
        *pp = x->next;
    return x;
}

static void answer(waiter *x, const zg_err *outcome)
{
    x->answer(x->req, x->actx, outcome);
    waiter_free(x);
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
    waiter *done = NULL;
    pthread_mutex_lock(&w->lock);
    for (job **pp = &w->jobs; *pp; pp = &(*pp)->next)
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    for (waiter **pp = &w->waiters; *pp;) {
        waiter *x = *pp;
        if (x->job != j) {
            pp = &x->next;
            continue;
        }
        if (x->armed) {
            *pp = x->next;
            x->next = done;
            done = x;
            continue;
        }
        x->finished = true;
        x->failed = rc != 0;
        x->outcome = err;
        x->job = NULL;
        pp = &x->next;
    }
    pthread_mutex_unlock(&w->lock);
    while (done) {
        waiter *x = done;
        done = x->next;
        answer(x, rc ? &err : NULL);
    }
    if (j->arg_free)
        j->arg_free(j->arg);
    free(j->key);
    free(j);
}

static void on_interrupt(fuse_req_t req, void *data)
{
    zgfs *fs = fuse_req_userdata(req);
    zgfs_work *w = fs->work;
    if (!zgfs_caller_stopping(fuse_req_ctx(req)->pid))
        return; /* a harmless signal: keep waiting */
    pthread_mutex_lock(&w->lock);
    waiter *x = take(w, (uint64_t)(uintptr_t)data);
    pthread_mutex_unlock(&w->lock);
    if (x) {
        fuse_reply_err(x->req, EINTR);
        waiter_free(x);
    }
}

int zgfs_work_join(zgfs_work *w, const char *key, int (*run)(void *arg, zg_err *err), void *arg,
                   void (*arg_free)(void *arg), fuse_req_t req, zgfs_answer_fn answer_fn,
                   void *actx, void (*actx_free)(void *actx), zg_err *err)
{
    waiter *x = NULL;
    if (req) {
        x = calloc(1, sizeof *x);
        if (!x)
            goto nomem;
        x->req = req;
        x->answer = answer_fn;
        x->actx = actx;
        x->actx_free = actx_free;
    }
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
        fresh->w = w;
        fresh->run = run;
        fresh->arg = arg;
        fresh->arg_free = arg_free;
        if (key) {
            fresh->next = w->jobs;
            w->jobs = fresh;
        }
        j = fresh;
    }
    uint64_t id = 0;
    if (x) {
        x->id = id = ++w->next_id;
        x->job = j;
        x->next = w->waiters;
        w->waiters = x;
    }
    pthread_mutex_unlock(&w->lock);
    if (!fresh && arg_free)
        arg_free(arg); /* joined a job that has its own */

    if (fresh && zgfs_work_submit(w, job_main, fresh, err)) {
        pthread_mutex_lock(&w->lock);
        for (job **pp = &w->jobs; *pp; pp = &(*pp)->next)
            if (*pp == fresh) {
                *pp = fresh->next;
                break;
            }
        if (x)
            take(w, id);
        pthread_mutex_unlock(&w->lock);
        if (x) {
            x->actx_free = NULL; /* the caller still owns actx on failure */
            waiter_free(x);
        }
        if (arg_free)
            arg_free(arg);
        free(fresh->key);
        free(fresh);
        return -1;
    }
    if (!x)
        return 0;
    /* May call on_interrupt right here if the caller was already hit. */
    fuse_req_interrupt_func(req, on_interrupt, (void *)(uintptr_t)id);
    pthread_mutex_lock(&w->lock);
    waiter *mine = NULL;
    for (waiter *y = w->waiters; y; y = y->next)
        if (y->id == id) {
            mine = y;
            break;
        }
    if (mine && mine->finished)
        take(w, id);
    else if (mine)
        mine->armed = true;
    pthread_mutex_unlock(&w->lock);
    if (mine && mine->finished)
        answer(mine, mine->failed ? &mine->outcome : NULL);
    return 0;

nomem:
    free(x);
    if (arg_free)
        arg_free(arg);
    return zg_err_set(err, ENOMEM, "out of memory");
}

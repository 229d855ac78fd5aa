/* Long jobs and the FUSE requests waiting for them.
 *
 * Uploading a dataset at close(), downloading and verifying a model at the
 * first read, waiting for the provider's settlement: such work can take
 * minutes, so it runs on a pool of its own (never on a FUSE thread, never
 * in front of money commands) and the requests that wait for it get
 * deferred replies. A job has an optional key: a second reader of the same
 * lora.bin joins the job already running instead of starting another
 * (zg_workq_join).
 *
 * A waiting request whose caller is being stopped (Ctrl-C, kill) is
 * answered with EINTR at once; the job itself runs on, because it may have
 * sent a transaction, and records its outcome (result and log) as always.
 * The waiting requests are deferred replies (req.c) whose group is the
 * job. */
#include <errno.h>
#include <stdlib.h>

#include "req.h"

#define LONG_THREADS 16

struct zgfs_work {
    zgfs *fs;
    zg_workq *q;
    zg_wait stopping; /* stopped when the mount goes away; no deadline */
};

int zgfs_work_new(zgfs_work **out, zgfs *fs, zg_err *err)
{
    zgfs_work *w = calloc(1, sizeof *w);
    if (!w)
        return zg_err_set(err, ENOMEM, "out of memory");
    w->fs = fs;
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
    free(w);
}

int zgfs_work_submit(zgfs_work *w, void (*fn)(void *arg), void *arg, zg_err *err)
{
    if (!w->q)
        return zg_err_set(err, EAGAIN, "the mount is not ready");
    return zg_workq_submit(w->q, fn, arg, err);
}

/* A job's end answers the requests that wait for it: the job is their
 * group. */
static void job_done(void *fs, const void *id, const zg_err *outcome)
{
    zgfs_defer_done(fs, id, outcome);
}

typedef struct waiter {
    zgfs *fs;
    zgfs_pending *x;
} waiter;

static void attach(void *p, const void *id)
{
    waiter *wt = p;
    zgfs_defer_add(wt->fs, wt->x, id);
}

int zgfs_work_join(zgfs_work *w, const char *key, int (*run)(void *arg, zg_err *err), void *arg,
                   void (*arg_free)(void *arg), fuse_req_t req, zgfs_answer_fn answer_fn,
                   void *actx, void (*actx_free)(void *actx), zg_err *err)
{
    zgfs_pending *x = NULL;
    if (!w->q || (req && !(x = zgfs_defer_new(req, answer_fn, actx, actx_free)))) {
        if (arg_free)
            arg_free(arg);
        return w->q ? zg_err_set(err, ENOMEM, "out of memory")
                    : zg_err_set(err, EAGAIN, "the mount is not ready");
    }
    zg_workq_job job = {.key = key,
                        .run = run,
                        .arg = arg,
                        .arg_free = arg_free,
                        .done = job_done,
                        .done_ctx = w->fs};
    waiter wt = {.fs = w->fs, .x = x};
    if (zg_workq_join(w->q, &job, x ? attach : NULL, &wt, err)) {
        free(x); /* never listed; the caller still owns actx */
        return -1;
    }
    if (x)
        zgfs_defer_arm(w->fs, x);
    return 0;
}

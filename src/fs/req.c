/* FUSE requests that can be interrupted: one list, one callback.
 *
 * Records, listings and lookups are answered on the FUSE thread that
 * received them, and their rendering may ask the chain or a provider; a
 * SIGKILLed reader is stuck in the kernel until its request is answered,
 * so stopping the op's wait is what lets it die. Commands and long jobs
 * (control.c, work.c) answer later; their requests are answered with EINTR
 * when the caller is stopped, and the work, which may already have sent a
 * transaction, runs on and records its outcome.
 *
 * The race with the work's end: libfuse may call the interrupt callback as
 * soon as it is registered, and a request must not be answered before its
 * callback is registered (the reply frees it). So an entry goes on the
 * list unarmed, the work only answers armed entries, and one whose work
 * ended before its arm keeps the outcome for the arming thread. The
 * callback gets an id, never a pointer: it may run after the entry is
 * gone. */
#include <errno.h>
#include <stdlib.h>

#include "caller.h"
#include "req.h"

/* Take entry id off the list (NULL when someone else did). Lock held. */
static zgfs_pending *take(zgfs *fs, uint64_t id)
{
    zgfs_pending **pp = &fs->pending;
    while (*pp && (*pp)->id != id)
        pp = &(*pp)->next;
    zgfs_pending *p = *pp;
    if (p)
        *pp = p->next;
    return p;
}

static void put(zgfs *fs, zgfs_pending *p)
{
    p->id = ++fs->next_pending_id;
    p->next = fs->pending;
    fs->pending = p;
}

static void answer(zgfs_pending *p, const zg_err *outcome)
{
    p->answer(p->req, p->actx, outcome);
    if (p->actx_free)
        p->actx_free(p->actx);
    free(p);
}

static void on_interrupt(fuse_req_t req, void *data)
{
    zgfs *fs = fuse_req_userdata(req);
    if (!zg_proc_stopping(fuse_req_ctx(req)->pid))
        return; /* a harmless signal: keep waiting */
    uint64_t id = (uint64_t)(uintptr_t)data;
    zgfs_pending *p = NULL;
    pthread_mutex_lock(&fs->pending_lock);
    for (zgfs_pending *q = fs->pending; q; q = q->next)
        if (q->id == id) {
            if (q->wait)
                zg_wait_stop(q->wait); /* its handler answers */
            else
                p = take(fs, id);
            break;
        }
    pthread_mutex_unlock(&fs->pending_lock);
    if (p) {
        fuse_reply_err(p->req, EINTR);
        if (p->actx_free)
            p->actx_free(p->actx);
        free(p);
    }
}

void zgfs_op_begin(fuse_req_t req, zgfs_op *op)
{
    zgfs *fs = fuse_req_userdata(req);
    op->fs = fs;
    zg_wait_init(&op->w, NULL, (long)fs->opts.session.timeout * 1000, 0);
    op->entry = (zgfs_pending){.req = req, .wait = &op->w};
    pthread_mutex_lock(&fs->pending_lock);
    put(fs, &op->entry);
    uint64_t id = op->entry.id;
    pthread_mutex_unlock(&fs->pending_lock);
    op->outer = zg_wait_bind(&op->w);
    /* May call on_interrupt at once if the caller was already hit. */
    fuse_req_interrupt_func(req, on_interrupt, (void *)(uintptr_t)id);
}

void zgfs_op_end(zgfs_op *op)
{
    zg_wait_bind(op->outer);
    pthread_mutex_lock(&op->fs->pending_lock);
    take(op->fs, op->entry.id);
    pthread_mutex_unlock(&op->fs->pending_lock);
}

zgfs_pending *zgfs_defer_new(fuse_req_t req, zgfs_answer_fn answer_fn, void *actx,
                             void (*actx_free)(void *actx))
{
    zgfs_pending *p = calloc(1, sizeof *p);
    if (p) {
        p->req = req;
        p->answer = answer_fn;
        p->actx = actx;
        p->actx_free = actx_free;
    }
    return p;
}

void zgfs_defer_add(zgfs *fs, zgfs_pending *p, const void *group)
{
    pthread_mutex_lock(&fs->pending_lock);
    p->group = group;
    put(fs, p);
    pthread_mutex_unlock(&fs->pending_lock);
}

void zgfs_defer_arm(zgfs *fs, zgfs_pending *p)
{
    uint64_t id = p->id;
    fuse_req_interrupt_func(p->req, on_interrupt, (void *)(uintptr_t)id);
    pthread_mutex_lock(&fs->pending_lock);
    /* The interrupt may have answered and freed it already. */
    zgfs_pending *mine = fs->pending;
    while (mine && mine->id != id)
        mine = mine->next;
    if (mine && mine->finished)
        take(fs, id);
    else if (mine)
        mine->armed = true;
    pthread_mutex_unlock(&fs->pending_lock);
    if (mine && mine->finished)
        answer(mine, mine->failed ? &mine->outcome : NULL);
}

void zgfs_defer_drop(zgfs *fs, zgfs_pending *p)
{
    pthread_mutex_lock(&fs->pending_lock);
    take(fs, p->id);
    pthread_mutex_unlock(&fs->pending_lock);
    free(p);
}

void zgfs_defer_done(zgfs *fs, const void *group, const zg_err *outcome)
{
    zgfs_pending *done = NULL;
    pthread_mutex_lock(&fs->pending_lock);
    for (zgfs_pending **pp = &fs->pending; *pp;) {
        zgfs_pending *p = *pp;
        if (p->wait || p->group != group) {
            pp = &p->next;
            continue;
        }
        if (p->armed) {
            *pp = p->next;
            p->next = done;
            done = p;
            continue;
        }
        p->finished = true;
        p->failed = outcome != NULL;
        if (outcome)
            p->outcome = *outcome;
        p->group = NULL; /* its memory may be reused by new work */
        pp = &p->next;
    }
    pthread_mutex_unlock(&fs->pending_lock);
    while (done) {
        zgfs_pending *p = done;
        done = p->next;
        answer(p, outcome);
    }
}

void zgfs_defer_free_all(zgfs *fs)
{
    while (fs->pending) {
        zgfs_pending *p = fs->pending;
        fs->pending = p->next;
        if (p->actx_free)
            p->actx_free(p->actx);
        free(p);
    }
}

void zgfs_answer_status(fuse_req_t req, void *actx, const zg_err *err)
{
    (void)actx;
    fuse_reply_err(req, err ? zgfs_errno(err) : 0);
}

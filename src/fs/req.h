/* FUSE requests that can be interrupted (req.c): one list per mount, one
 * interrupt callback, two ways to wait.
 *
 * - An op: a request answered on the FUSE thread that received it, whose
 *   handler may wait on the network. It carries a wait (zg/wait.h) bound
 *   to the thread; the interrupt stops that wait, and the handler answers.
 * - A deferred reply: a request answered later, when a piece of work (a
 *   "group": a command, a long job) ends. The interrupt answers it with
 *   EINTR at once; the work goes on and its end answers nobody.
 *
 * Only a caller that is being stopped counts (zg_proc_stopping):
 * the kernel also interrupts for harmless signals. Whoever takes an entry
 * off the list answers its request, so every request gets one reply. */
#ifndef ZGFS_REQ_H
#define ZGFS_REQ_H

#include "zgfs.h"

/* One entry of the mount's list (fs->pending). An op's lives on the
 * handler's stack; a deferred one is allocated (zgfs_defer_new). */
typedef struct zgfs_pending {
    struct zgfs_pending *next;
    uint64_t id; /* what the interrupt callback gets: never a pointer */
    fuse_req_t req;
    zg_wait *wait;     /* op: stopped by the interrupt; NULL when deferred */
    const void *group; /* deferred: the work it waits for; NULL once it ended */
    zgfs_answer_fn answer;
    void *actx; /* owned once queued: freed with actx_free after the answer */
    void (*actx_free)(void *actx);
    bool armed;    /* its interrupt callback is registered: the work may answer */
    bool finished; /* the work ended before it was armed: arm answers */
    bool failed;
    zg_err outcome;
} zgfs_pending;

/* The wait of one request served on its own thread: it ends at the mount's
 * timeout= and is stopped when the kernel interrupts a caller that is
 * being stopped, so the network request, retry or poll the core is in
 * returns EINTR within a slice. Bound to the thread (zg_wait_current) from
 * begin to end; lives on the handler's stack. */
typedef struct zgfs_op {
    zg_wait w;
    zgfs *fs;
    zg_wait *outer; /* the thread's wait before begin */
    zgfs_pending entry;
} zgfs_op;
void zgfs_op_begin(fuse_req_t req, zgfs_op *op);
/* After the reply (or the hand-over to a job); never touches the request. */
void zgfs_op_end(zgfs_op *op);

/* A deferred reply for req: answer(req, actx, outcome) when its work ends,
 * or EINTR first. NULL when out of memory (nothing owned then). */
zgfs_pending *zgfs_defer_new(fuse_req_t req, zgfs_answer_fn answer, void *actx,
                             void (*actx_free)(void *actx));
/* Put p on the list, waiting for group. The caller may hold its own lock
 * (taken before the list's); group must not have ended yet. */
void zgfs_defer_add(zgfs *fs, zgfs_pending *p, const void *group);
/* Register the interrupt (which may answer at once) and let the work
 * answer; when the group ended in between, answer here. p may be freed
 * on return. Never with a lock held that an answer needs. */
void zgfs_defer_arm(zgfs *fs, zgfs_pending *p);
/* Take back an entry that was never armed: its request is not answered and
 * actx stays the caller's. */
void zgfs_defer_drop(zgfs *fs, zgfs_pending *p);
/* The work group ended (outcome NULL = success): answer every armed entry
 * waiting for it; the others keep the outcome for their arm. */
void zgfs_defer_done(zgfs *fs, const void *group, const zg_err *outcome);

/* Free what is left at the end of the session (no FUSE thread runs). */
void zgfs_defer_free_all(zgfs *fs);

/* An answer that is the outcome's errno, 0 on success (a flush). */
void zgfs_answer_status(fuse_req_t req, void *actx, const zg_err *err);

#endif

/* The wait of a FUSE request served on its own thread.
 *
 * Records, listings, lookups and logs are answered on the FUSE thread
 * that received the request, and their rendering may ask the chain or a
 * provider. Each such request gets a wait descriptor (zg/wait.h) bound to
 * its thread: its deadline is the mount's timeout=, and the kernel's
 * interrupt of the request stops it when the caller is being stopped
 * (Ctrl-C, kill; zgfs_caller_stopping), so whatever the core waits for --
 * an HTTP answer, a retry's backoff, another reader's fetch of the same
 * record -- ends with EINTR within a slice and the request is answered.
 * A SIGKILLed reader is stuck in the kernel until its request is
 * answered, so this is what lets it die.
 *
 * Requests answered later by a job (control.c, work.c) register their own
 * interrupt callback over this one; their work goes on after the EINTR.
 *
 * The interrupt callback gets the entry's id, never a pointer: libfuse
 * may call it after the request was answered and its wait is gone. */
#include <stdint.h>

#include "zgfs.h"

static void on_interrupt(fuse_req_t req, void *data)
{
    zgfs *fs = fuse_req_userdata(req);
    if (!zgfs_caller_stopping(fuse_req_ctx(req)->pid))
        return; /* a harmless signal: keep waiting */
    uint64_t id = (uint64_t)(uintptr_t)data;
    pthread_mutex_lock(&fs->pending_lock);
    for (zgfs_op *op = fs->ops; op; op = op->next)
        if (op->id == id) {
            zg_wait_stop(&op->w);
            break;
        }
    pthread_mutex_unlock(&fs->pending_lock);
}

void zgfs_op_begin(fuse_req_t req, zgfs_op *op)
{
    zgfs *fs = fuse_req_userdata(req);
    op->fs = fs;
    zg_wait_init(&op->w, NULL, (long)fs->opts.timeout * 1000, 0);
    pthread_mutex_lock(&fs->pending_lock);
    op->id = ++fs->next_pending_id;
    op->next = fs->ops;
    fs->ops = op;
    pthread_mutex_unlock(&fs->pending_lock);
    op->outer = zg_wait_bind(&op->w);
    /* May call on_interrupt at once if the caller was already hit. */
    fuse_req_interrupt_func(req, on_interrupt, (void *)(uintptr_t)op->id);
}

void zgfs_op_end(zgfs_op *op)
{
    zgfs *fs = op->fs;
    zg_wait_bind(op->outer);
    pthread_mutex_lock(&fs->pending_lock);
    for (zgfs_op **pp = &fs->ops; *pp; pp = &(*pp)->next)
        if (*pp == op) {
            *pp = op->next;
            break;
        }
    pthread_mutex_unlock(&fs->pending_lock);
}

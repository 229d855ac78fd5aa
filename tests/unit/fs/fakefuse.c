/* The kernel's side of FUSE requests (fakefuse.h). */
#include "fakefuse.h"

#include <errno.h>
#include <string.h>
#include <time.h>

void fake_req_init(struct fuse_req *r, void *userdata, pid_t pid)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    r->userdata = userdata;
    r->ctx.pid = pid;
    r->ctx.uid = 1000;
    r->ctx.gid = 1000;
}

void fake_req_free(struct fuse_req *r)
{
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
}

static int reply(fuse_req_t r, int kind, int err, size_t written, const char *buf, size_t len)
{
    pthread_mutex_lock(&r->lock);
    if (r->replies++ == 0) {
        r->kind = kind;
        r->err = err;
        r->written = written;
        r->len = len < sizeof r->data ? len : sizeof r->data;
        if (buf)
            memcpy(r->data, buf, r->len);
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return 0;
}

int fuse_reply_err(fuse_req_t req, int err)
{
    return reply(req, REPLY_ERR, err, 0, NULL, 0);
}

int fuse_reply_write(fuse_req_t req, size_t count)
{
    return reply(req, REPLY_WRITE, 0, count, NULL, 0);
}

int fuse_reply_buf(fuse_req_t req, const char *buf, size_t size)
{
    return reply(req, REPLY_BUF, 0, 0, buf, size);
}

void *fuse_req_userdata(fuse_req_t req)
{
    return req->userdata;
}

const struct fuse_ctx *fuse_req_ctx(fuse_req_t req)
{
    return &req->ctx;
}

/* As libfuse: a request already interrupted calls the callback at once. */
void fuse_req_interrupt_func(fuse_req_t req, fuse_interrupt_func_t func, void *data)
{
    pthread_mutex_lock(&req->lock);
    if (req->replies)
        req->late_intr++;
    req->intr = func;
    req->intr_data = data;
    bool now = req->interrupted && !req->replies;
    pthread_mutex_unlock(&req->lock);
    if (now)
        func(req, data);
}

/* The kernel finds no request to interrupt once it was answered. */
void fake_interrupt(struct fuse_req *r)
{
    pthread_mutex_lock(&r->lock);
    r->interrupted = true;
    fuse_interrupt_func_t f = r->replies ? NULL : r->intr;
    void *data = r->intr_data;
    pthread_mutex_unlock(&r->lock);
    if (f)
        f(r, data);
}

bool fake_wait(struct fuse_req *r, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    while (!r->replies && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&r->cond, &r->lock, &until);
    bool got = r->replies > 0;
    pthread_mutex_unlock(&r->lock);
    return got;
}

/* What is known about the caller of a FUSE request. */
#include "caller.h"

void zgfs_caller_set(fuse_req_t req, zgfs_call *c)
{
    const struct fuse_ctx *ctx = fuse_req_ctx(req);
    c->uid = ctx->uid;
    c->gid = ctx->gid;
    c->pid = ctx->pid;
}

zgfs_call zgfs_caller_call(fuse_req_t req, const zgfs_call *base)
{
    zgfs_call c = *base;
    zgfs_caller_set(req, &c);
    return c;
}

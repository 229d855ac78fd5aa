/* What is known about the caller of a FUSE request (caller.c): who it is
 * (the kernel's uid, gid and thread id). What /proc says about it (its
 * process, a signal that kills or stops it, the files it still holds) is
 * zg/proc.h: payloads and control files tell a writer's last close from
 * the early or borrowed closes shells make by it, and an interrupt that
 * stops a caller from a harmless one. */
#ifndef ZGFS_CALLER_H
#define ZGFS_CALLER_H

#include "zg/proc.h"
#include "zgfs.h"

/* Put the request's caller (uid, gid, thread id) into c. */
void zgfs_caller_set(fuse_req_t req, zgfs_call *c);
/* c: the handle's call (base) as made by the request's caller. */
zgfs_call zgfs_caller_call(fuse_req_t req, const zgfs_call *base);

#endif

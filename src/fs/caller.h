/* What is known about the caller of a FUSE request (caller.c): who it is
 * (the kernel's uid, gid and thread id) and what /proc says about it. A
 * FUSE request names a thread; these helpers tell which process it
 * belongs to, whether it is dying of a signal or being stopped, and
 * whether it still holds the file open, which is how payloads and control
 * files tell a writer's last close from the early or borrowed closes
 * shells make. Every /proc read about a caller is here. */
#ifndef ZGFS_CALLER_H
#define ZGFS_CALLER_H

#include "zgfs.h"

/* Put the request's caller (uid, gid, thread id) into c. */
void zgfs_caller_set(fuse_req_t req, zgfs_call *c);
/* c: the handle's call (base) as made by the request's caller. */
zgfs_call zgfs_caller_call(fuse_req_t req, const zgfs_call *base);

/* The thread-group id of thread tid (tid itself when /proc says nothing). */
pid_t zgfs_tgid(pid_t tid);
/* Is thread tid dying of a signal? The flush of a killed writer comes from
 * its exit (PF_EXITING), and its exit code carries the signal. */
bool zgfs_killed(pid_t tid);
/* Does process tgid still hold a descriptor of inode ino? At the flush of
 * close(fd), fd is already gone from its table. */
bool zgfs_holds_inode(pid_t tgid, fuse_ino_t ino);
/* Does the thread that made a request have a signal pending that asks it
 * to stop (Ctrl-C, kill)? Harmless signals (SIGCHLD) do not count. */
bool zgfs_caller_stopping(pid_t tid);

#endif

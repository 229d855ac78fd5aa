/* What each node kind does with an open file: one table of operations per
 * kind (kinds.c), as nodes.c is one table of the namespace. ll.c forwards
 * each request to the kind's operation; the kind answers it, now or when
 * its job ends. A kind's per-open state (h->state) is its own: only its
 * state_free knows the type. */
#ifndef ZGFS_KINDS_H
#define ZGFS_KINDS_H

#include "handle.h"

typedef struct zgfs_kind_ops {
    /* Set up a fresh handle (fi: open flags in; reply flags out, direct_io
     * preset). NULL: nothing to set up. */
    int (*open)(zgfs_handle *h, struct fuse_file_info *fi, zg_err *err);
    /* NULL: EINVAL. off is never negative. */
    void (*read)(fuse_req_t req, zgfs_handle *h, size_t size, off_t off);
    /* NULL: EACCES (and truncation too). */
    void (*write)(fuse_req_t req, zgfs_handle *h, const char *buf, size_t size, off_t off);
    /* Every close(2) of a descriptor. NULL: success. */
    void (*flush)(fuse_req_t req, zgfs_handle *h);
    /* Before the open's reference is dropped. NULL: nothing. */
    void (*release)(zgfs_handle *h);
    /* What stat shows: the size (NULL: 0); *live (preset false) when it
     * changes all the time, so the times are now, not the mount's. */
    off_t (*size)(const zgfs_call *c, bool *live);
    void (*state_free)(void *state);
} zgfs_kind_ops;

/* The operations of c's node kind. */
const zgfs_kind_ops *zgfs_kind_of(const zgfs_call *c);

/* The kinds with more than a snapshot. */
extern const zgfs_kind_ops zgfs_payload_ops; /* payload.c: spooled, committed at close */
extern const zgfs_kind_ops zgfs_control_ops; /* control.c: one command line per open */
extern const zgfs_kind_ops zgfs_file_ops;    /* fileops.c: made by a long job at first read */

/* The call for a name that open(O_CREAT) may create in the directory
 * parent (a ZGFS_F_CREATE row); ENOENT/EPERM when it cannot be created.
 * (payload.c) */
int zgfs_resolve_create(const zgfs_call *parent, const char *name, zgfs_call *child, zg_err *err);

/* The descriptor's reply text (h->snap) through its cursor, independent
 * of the file offset; with refresh, a read at offset 0 (or one with no
 * text) first takes what the file reads as for this caller
 * (zgfs_control_text). Handle lock held; released here. (control.c) */
void zgfs_reply_read_locked(fuse_req_t req, zgfs_handle *h, size_t size, off_t off, bool refresh);

/* fileops.c */
void zgfs_file_read(fuse_req_t req, zgfs_handle *h, size_t size, off_t off);
/* Does the node's local file exist? Its size in *size (may be NULL). */
bool zgfs_local_have(const zgfs_call *c, off_t *size);
/* What stat shows: the local file's size, else what the node's size
 * handler knows, else 0. */
off_t zgfs_file_size(const zgfs_call *c);
/* Answer a read from the handle's local file (opened on first use). */
void zgfs_serve_local(fuse_req_t req, zgfs_handle *h, size_t size, off_t off);

/* A read waiting for a long job (zgfs_work_join's answer context): the
 * handle, referenced, and what the read asked for. NULL on ENOMEM; freed
 * with zgfs_read_wait_free (which drops the reference). */
typedef struct zgfs_read_wait {
    zgfs_handle *h;
    size_t size;
    off_t off;
} zgfs_read_wait;

zgfs_read_wait *zgfs_read_wait_new(zgfs_handle *h, size_t size, off_t off);
void zgfs_read_wait_free(void *w);
/* A zgfs_answer_fn for a zgfs_read_wait: the job's errno, or the read
 * served from the local file the job made. */
void zgfs_answer_local(fuse_req_t req, void *w, const zg_err *err);

#endif

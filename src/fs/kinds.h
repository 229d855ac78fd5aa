/* Node kinds whose open files carry more than a snapshot: PAYLOAD
 * (payload.c: spooled writes committed at the opener's close), LINECTL
 * (control.c: a command line gathered across writes) and FILE (fileops.c:
 * a local file made by a long job at the first read). ll.c
 * hands them the request; they answer it, now or when their job ends. */
#ifndef ZGFS_KINDS_H
#define ZGFS_KINDS_H

#include "handle.h"

/* payload.c */
/* Set up a freshly opened payload handle (fi: open flags in, reply flags out). */
int zgfs_payload_open(zgfs_handle *h, struct fuse_file_info *fi, zg_err *err);
void zgfs_payload_write(fuse_req_t req, zgfs_handle *h, const char *buf, size_t size, off_t off);
void zgfs_payload_read(fuse_req_t req, zgfs_handle *h, size_t size, off_t off);
void zgfs_payload_flush(fuse_req_t req, zgfs_handle *h);
/* Before the open's reference is dropped: commit what nobody committed. */
void zgfs_payload_release(zgfs_handle *h);
/* The call for a name that open(O_CREAT) may create in the directory
 * parent (a ZGFS_F_CREATE row); ENOENT/EPERM when it cannot be created. */
int zgfs_resolve_create(const zgfs_call *parent, const char *name, zgfs_call *child, zg_err *err);

/* control.c: LINECTL, one command line per open. */
/* Set up a freshly opened control file (-1: out of memory). */
int zgfs_control_open(zgfs_handle *h, int flags);
/* Add one write to the open's command; the write that completes the line
 * runs it and is answered when it is done (or refused at once). */
void zgfs_control_write(fuse_req_t req, zgfs_handle *h, const zgfs_call *c, const char *buf,
                        size_t size);
/* A line still without its newline runs at the opener's last close. */
void zgfs_control_flush(fuse_req_t req, zgfs_handle *h);
/* Before the open's reference is dropped: run what no close ran. */
void zgfs_control_release(zgfs_handle *h);

/* fileops.c */
int zgfs_file_open(zgfs_handle *h, struct fuse_file_info *fi, zg_err *err);
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

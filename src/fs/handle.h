/* Per-open state of files and directories (handle.c), shared by ll.c and
 * the kinds (kinds.h). */
#ifndef ZGFS_HANDLE_H
#define ZGFS_HANDLE_H

#include <stdatomic.h>

#include "zgfs.h"

/* An open file. Reference counted: release drops the open's reference and
 * each request holds one until its reply has been sent, so the buffer a
 * reply points at is never freed under it. */
typedef struct zgfs_handle {
    struct zgfs_handle *prev, *next; /* the mount's open files */
    atomic_uint refs;
    zgfs_call call;       /* the node and the opener */
    pthread_mutex_t lock; /* guards the members below */
    zg_buf snap;          /* RECORD: content at open; LINECTL, PAYLOAD: the reply being read */
    bool have_snap;
    size_t cursor; /* LINECTL read position, independent of the file offset */
    fuse_ino_t ino;
    int flags;              /* open(2) flags */
    int fd;                 /* PAYLOAD/FILE: the local file reads come from, or -1 */
    zg_model_reader *model; /* FILE with open_model: the reader reads come from, or NULL */
    void *state;            /* the kind's own (kinds.h): freed by its state_free */
} zgfs_handle;

/* NULL when out of memory. The caller owns the one reference. */
zgfs_handle *zgfs_handle_new(const zgfs_call *c);
/* Take a reference on the handle behind fi->fh. */
zgfs_handle *zgfs_handle_get(uint64_t fh);
/* Drop a reference; the last one frees. NULL is a no-op. */
void zgfs_handle_put(zgfs_handle *h);

/* An open directory: its listing, fixed at opendir. */
typedef struct zgfs_dirent {
    char name[ZGFS_PARAM_MAX];
    zgfs_call call;
} zgfs_dirent;

typedef struct zgfs_dir {
    struct zgfs_dir *prev, *next; /* the mount's open directories */
    zgfs *fs;
    fuse_ino_t ino;
    char spelled[ZGFS_PATH_MAX]; /* the directory's path as the user spelled it */
    zgfs_dirent *ents;           /* owned */
    size_t n, cap;
} zgfs_dir;

/* A new, empty open directory of fs (NULL when out of memory). */
zgfs_dir *zgfs_dir_new(zgfs *fs);
/* Fill d with the children of directory c: literal rows whose presence
 * check passes and the names of {param} rows' list handlers. */
int zgfs_dir_list(zgfs_dir *d, const zgfs_call *c, zg_err *err);
void zgfs_dir_free(zgfs_dir *d);

/* Free what is still open when the session ends: the kernel sends no
 * release for files open at unmount. No FUSE thread may run. */
void zgfs_open_free_all(zgfs *fs);

#endif

/* Files served from a local file (datasets/NAME, lora.enc) or from the
 * core's reader over one (lora.bin: lora.enc decrypted as it is read), and
 * the FILE kind: content that a long job makes readable at the first read.
 *
 * FILE (lora.enc, lora.bin): once it can be read it is complete and
 * verified (the core writes .part/.tmp files and renames), so the open gets
 * keep_cache and reads come from the page cache. Otherwise the open is
 * direct I/O and the first read starts the node's prepare job on the
 * long-job pool -- or joins the one running for the same file -- with a
 * deferred reply: no FUSE thread waits. Ctrl-C answers the waiting read
 * with EINTR; the job goes on (a sent acknowledgement is journaled) and a
 * later read finds its result. A failure is the read's errno, with the
 * sentence in the caller's result and in log; the next read tries again.
 *
 * O_NONBLOCK: a job that moves money (a FILE with ZGFS_F_MONEY: lora.bin's
 * acknowledgement) is never started by a non-blocking read, which gets
 * EAGAIN until a blocking read made the file; any other job (a download)
 * is waited for as by a blocking read, because O_NONBLOCK means nothing
 * for a regular file and tar opens every file with it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "kinds.h"

#define READ_MAX (1u << 20) /* largest read answered at once */

static const zgfs_node *node_of(const zgfs_call *c)
{
    return &zgfs_nodes[c->node];
}

static int local_path(const zgfs_call *c, char *path, size_t cap)
{
    const zgfs_node *n = node_of(c);
    return n->local ? n->local(c, path, cap, NULL) : -1;
}

bool zgfs_local_have(const zgfs_call *c, off_t *size)
{
    char path[PATH_MAX];
    struct stat st;
    const zgfs_node *n = node_of(c);
    if (n->have) {
        uint64_t known;
        if (!n->have(c, &known) || known > (uint64_t)INT64_MAX)
            return false;
        if (size)
            *size = (off_t)known;
        return true;
    }
    if (local_path(c, path, sizeof path) || stat(path, &st))
        return false;
    if (size)
        *size = st.st_size;
    return true;
}

off_t zgfs_file_size(const zgfs_call *c)
{
    const zgfs_node *n = node_of(c);
    off_t size = 0;
    uint64_t known;
    if (!zgfs_local_have(c, &size) && n->size && n->size(c, &known, NULL) == 0 &&
        known <= (uint64_t)INT64_MAX)
        size = (off_t)known;
    return size;
}

/* Under h->lock: the handle's source, opened when it is not yet (the
 * local file, or the reader of a FILE made as it is read). -1 with err
 * when the reader cannot be opened for another reason than its content
 * not being there yet (a damaged key file, a foreign lora.enc). */
static int source_open(zgfs_handle *h, zg_err *err)
{
    const zgfs_node *n = node_of(&h->call);
    char path[PATH_MAX];
    if (n->open_model) {
        if (!h->model && n->open_model(&h->call, &h->model, err) && err->code != ENOENT)
            return -1;
    } else if (h->fd < 0 && local_path(&h->call, path, sizeof path) == 0) {
        h->fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    return 0;
}

void zgfs_serve_local(fuse_req_t req, zgfs_handle *h, size_t size, off_t off)
{
    zg_err err = {0};
    pthread_mutex_lock(&h->lock);
    int opened = source_open(h, &err);
    int fd = h->fd;
    zg_model_reader *model = h->model; /* freed only with h, which this request holds */
    pthread_mutex_unlock(&h->lock);
    if (opened) {
        zgfs_record(h->call.fs, &h->call, "read", NULL, &err);
        fuse_reply_err(req, zgfs_errno(&err));
        return;
    }
    if (fd < 0 && !model) {
        fuse_reply_buf(req, NULL, 0); /* nothing there (yet): empty */
        return;
    }
    if (size > READ_MAX)
        size = READ_MAX;
    char *buf = malloc(size ? size : 1);
    if (!buf) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    ssize_t n;
    if (model) {
        n = zg_model_reader_pread(model, buf, size, (uint64_t)off, &err);
        if (n < 0) /* a damaged file: say which chunk in log */
            zgfs_record(h->call.fs, &h->call, "read", NULL, &err);
    } else {
        do
            n = pread(fd, buf, size, off);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            err.code = errno;
    }
    if (n < 0)
        fuse_reply_err(req, err.code ? err.code : EIO);
    else
        fuse_reply_buf(req, buf, (size_t)n);
    free(buf);
}

static int file_open(zgfs_handle *h, struct fuse_file_info *fi, zg_err *err)
{
    zg_err ignored = {0}; /* the first read says it, where its caller sees it */
    source_open(h, &ignored);
    /* Verified, immutable content may stay in the page cache; until then
     * every read must reach us. */
    bool have = h->fd >= 0 || h->model;
    fi->keep_cache = have;
    fi->direct_io = !have;
    return 0;
}

/* ------------------------------------------------------------ the job */

typedef struct prep {
    zgfs_call call;
} prep;

static int prepare_run(void *arg, zg_err *err)
{
    prep *p = arg;
    zgfs *fs = p->call.fs;
    const zgfs_node *n = node_of(&p->call);
    zg_buf ok;
    zg_buf_init(&ok, 1024);
    int rc = n->prepare(&p->call, &ok, err);
    if (rc && err && !err->code)
        zg_err_set(err, EIO, "internal error: preparing the file failed without a reason");
    zgfs_record(fs, &p->call, "read", rc ? NULL : (const char *)ok.data, rc ? err : NULL);
    zg_buf_free(&ok);
    /* Its size changed from 0: drop cached attributes before answering. */
    zgfs_notify_inode(fs->notify, p->call.path);
    zgfs_notify_sync(fs->notify, 2000);
    return rc;
}

zgfs_read_wait *zgfs_read_wait_new(zgfs_handle *h, size_t size, off_t off)
{
    zgfs_read_wait *w = malloc(sizeof *w);
    if (w) {
        w->h = zgfs_handle_get((uint64_t)(uintptr_t)h);
        w->size = size;
        w->off = off;
    }
    return w;
}

void zgfs_read_wait_free(void *p)
{
    zgfs_read_wait *w = p;
    if (w) {
        zgfs_handle_put(w->h);
        free(w);
    }
}

void zgfs_answer_local(fuse_req_t req, void *p, const zg_err *err)
{
    zgfs_read_wait *w = p;
    if (err)
        fuse_reply_err(req, zgfs_errno(err));
    else
        zgfs_serve_local(req, w->h, w->size, w->off);
}

void zgfs_file_read(fuse_req_t req, zgfs_handle *h, size_t size, off_t off)
{
    pthread_mutex_lock(&h->lock);
    bool have = h->fd >= 0 || h->model;
    pthread_mutex_unlock(&h->lock);
    if (have || zgfs_local_have(&h->call, NULL)) {
        zgfs_serve_local(req, h, size, off);
        return;
    }
    zgfs *fs = h->call.fs;
    zgfs_call c = zgfs_caller_call(req, &h->call);
    /* A payload's ZGFS_F_MONEY is about writing it: reading storage/NAME
     * again only downloads. */
    const zgfs_node *n = node_of(&c);
    if ((h->flags & O_NONBLOCK) && n->kind == ZGFS_FILE && (n->flags & ZGFS_F_MONEY)) {
        fuse_reply_err(req, EAGAIN); /* nothing started: spending needs a blocking read */
        return;
    }
    prep *p = malloc(sizeof *p);
    zgfs_read_wait *r = p ? zgfs_read_wait_new(h, size, off) : NULL;
    if (!p || !r) {
        free(p);
        fuse_reply_err(req, ENOMEM);
        return;
    }
    p->call = c;
    zg_err err = {0};
    if (zgfs_work_join(fs->work, c.path, prepare_run, p, free, req, zgfs_answer_local, r,
                       zgfs_read_wait_free, &err)) {
        zgfs_read_wait_free(r);
        fuse_reply_err(req, zgfs_errno(&err));
    }
}

static off_t file_size(const zgfs_call *c, bool *live)
{
    *live = true;
    return zgfs_file_size(c);
}

const zgfs_kind_ops zgfs_file_ops = {.open = file_open, .read = zgfs_file_read, .size = file_size};

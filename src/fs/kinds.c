/* The kinds whose open files are a snapshot or a stream, and the table of
 * every kind's operations (kinds.h).
 *
 * - RECORD: rendered at open into the handle (a snapshot, so a JSON read
 *   in several read() calls never mixes two versions); direct_io, so every
 *   open shows fresh data; its size is the rendered length.
 * - STATIC: like RECORD but cached by the kernel (content fixed per mount).
 * - STREAM: read by offset from the log's ring or the node's stream
 *   handler; the size grows honestly, so `tail -f` sees new lines.
 * - SYMLINK: only its readlink (ll.c); the size is the target's length.
 * - DIR: listings (handle.c); never opened as a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "caller.h"
#include "kinds.h"

static const zgfs_node *node_of(const zgfs_call *c)
{
    return &zgfs_nodes[c->node];
}

/* The length of what a handler renders now; a failure (network down)
 * shows as 0, and the open reports the error. */
static off_t rendered(const zgfs_call *c, int (*fn)(const zgfs_call *, zg_buf *, zg_err *))
{
    zg_buf b;
    zg_buf_init(&b, 0);
    off_t len = fn && fn(c, &b, NULL) == 0 ? (off_t)b.len : 0;
    zg_buf_free(&b);
    return len;
}

static void reply_slice(fuse_req_t req, const zg_buf *b, off_t off, size_t size)
{
    size_t at = (size_t)off < b->len ? (size_t)off : b->len;
    size_t n = b->len - at < size ? b->len - at : size;
    fuse_reply_buf(req, n ? (const char *)b->data + at : NULL, n);
}

/* ------------------------------------------------------------ records */

static int record_open(zgfs_handle *h, struct fuse_file_info *fi, zg_err *err)
{
    const zgfs_node *n = node_of(&h->call);
    fi->direct_io = n->kind != ZGFS_STATIC;
    fi->keep_cache = n->kind == ZGFS_STATIC;
    if ((fi->flags & O_ACCMODE) == O_WRONLY)
        return 0;
    if (n->render(&h->call, &h->snap, err))
        return -1;
    h->have_snap = true;
    return 0;
}

static void record_read(fuse_req_t req, zgfs_handle *h, size_t size, off_t off)
{
    reply_slice(req, &h->snap, off, size);
}

static off_t record_size(const zgfs_call *c, bool *live)
{
    *live = node_of(c)->kind == ZGFS_RECORD;
    return rendered(c, node_of(c)->render);
}

static const zgfs_kind_ops record_ops = {
    .open = record_open, .read = record_read, .size = record_size};

/* ------------------------------------------------------------ streams */

static void stream_read(fuse_req_t req, zgfs_handle *h, size_t size, off_t off)
{
    const zgfs_node *n = node_of(&h->call);
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_err err = {0};
    zgfs_call c = zgfs_caller_call(req, &h->call);
    if (!n->stream) {
        /* The mount's log: straight from its ring. */
        if (zg_buf_reserve(&b, size ? size : 1, &err)) {
            fuse_reply_err(req, ENOMEM);
        } else {
            size_t got = zg_oplog_read(c.fs->log, (uint64_t)off, (char *)b.data, size);
            fuse_reply_buf(req, (const char *)b.data, got);
        }
    } else if (n->stream(&c, &b, &err)) {
        fuse_reply_err(req, zgfs_errno(&err));
    } else {
        reply_slice(req, &b, off, size);
    }
    zg_buf_free(&b);
}

static off_t stream_size(const zgfs_call *c, bool *live)
{
    *live = true;
    if (!node_of(c)->stream)
        return (off_t)zg_oplog_size(c->fs->log);
    return rendered(c, node_of(c)->stream);
}

static const zgfs_kind_ops stream_ops = {.read = stream_read, .size = stream_size};

/* ------------------------------------------------------------ links */

static off_t symlink_size(const zgfs_call *c, bool *live)
{
    (void)live;
    return rendered(c, node_of(c)->readlink);
}

static const zgfs_kind_ops symlink_ops = {.size = symlink_size};

static const zgfs_kind_ops dir_ops = {0};

/* ------------------------------------------------------------ the table */

static const zgfs_kind_ops *const kinds[] = {
    [ZGFS_DIR] = &dir_ops,
    [ZGFS_RECORD] = &record_ops,
    [ZGFS_STATIC] = &record_ops,
    [ZGFS_STREAM] = &stream_ops,
    [ZGFS_LINECTL] = &zgfs_control_ops,
    [ZGFS_PAYLOAD] = &zgfs_payload_ops,
    [ZGFS_SYMLINK] = &symlink_ops,
    [ZGFS_FILE] = &zgfs_file_ops,
};

const zgfs_kind_ops *zgfs_kind_of(const zgfs_call *c)
{
    return kinds[node_of(c)->kind];
}

/* The FUSE low-level operations. Requests and replies live here and in
 * the kinds (kinds.h: what an open file of each node kind does); the
 * handlers (files/) never see a fuse_req_t. Names, attributes, listings,
 * links and extended attributes come from the table (nodes.c); opens,
 * reads, writes and closes are forwarded to the node's kind. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "caller.h"
#include "kinds.h"
#include "req.h"

/* ------------------------------------------------------------ helpers */

static zgfs *fs_of(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

static void reply_err(fuse_req_t req, const zg_err *e)
{
    fuse_reply_err(req, zgfs_errno(e));
}

/* The inode's call with the caller filled in; false (ENOENT replied) if
 * the kernel asked about an inode we do not know. */
static bool get_call(fuse_req_t req, fuse_ino_t ino, zgfs_call *c, char *spelled, size_t len)
{
    if (zgfs_inode_get(fs_of(req)->inodes, ino, c, spelled, len)) {
        fuse_reply_err(req, ENOENT);
        return false;
    }
    zgfs_caller_set(req, c);
    return true;
}

static const zgfs_node *node_of(const zgfs_call *c)
{
    return &zgfs_nodes[c->node];
}

/* get_call for a directory: ENOTDIR for anything else. */
static bool get_dir_call(fuse_req_t req, fuse_ino_t ino, zgfs_call *c, char *spelled, size_t len)
{
    if (!get_call(req, ino, c, spelled, len))
        return false;
    if (node_of(c)->kind != ZGFS_DIR) {
        fuse_reply_err(req, ENOTDIR);
        return false;
    }
    return true;
}

static void fill_attr(zgfs *fs, const zgfs_call *c, fuse_ino_t ino, struct stat *st)
{
    const zgfs_kind_ops *k = zgfs_kind_of(c);
    bool live = false;
    memset(st, 0, sizeof *st);
    st->st_ino = ino;
    st->st_mode = zgfs_node_mode(fs, c->node);
    st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
    st->st_uid = fs->uid;
    st->st_gid = fs->gid;
    /* Programs size their reads and writes by it (cp takes the larger of
     * its two files'): 1 MiB pieces, the most one FUSE request carries,
     * cost an eighth of the round trips of cp's 128 KiB default. */
    st->st_blksize = 1 << 20;
    /* Honest sizes: what an open would show now. LINECTL: 0, because its
     * content is the caller's own result and the kernel's attribute cache
     * is shared by all uids. */
    st->st_size = k->size ? k->size(c, &live) : 0;
    st->st_blocks = (st->st_size + 511) / 512;
    st->st_atime = st->st_mtime = st->st_ctime = live ? time(NULL) : fs->mounted_at;
}

static int spelled_join(char *out, size_t len, const char *dir, const char *name)
{
    int n = snprintf(out, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Resolve and reference a child: fills e (attributes and timeouts). */
static int make_entry(zgfs *fs, const zgfs_call *child, const char *spelled_path,
                      struct fuse_entry_param *e)
{
    memset(e, 0, sizeof *e);
    fuse_ino_t ino = zgfs_inode_ref(fs->inodes, child, spelled_path, 1);
    if (!ino)
        return -1;
    const zgfs_node *n = node_of(child);
    e->ino = ino;
    e->generation = 1;
    e->entry_timeout = zgfs_ttl_seconds(fs, n->entry_ttl);
    e->attr_timeout = zgfs_ttl_seconds(fs, n->attr_ttl);
    fill_attr(fs, child, ino, &e->attr);
    return 0;
}

/* ------------------------------------------------------------ operations */

static void ll_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    /* ls -l in one round: names and attributes together. */
    if (conn->capable & FUSE_CAP_READDIRPLUS)
        conn->want |= FUSE_CAP_READDIRPLUS;
    conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
    /* No writeback cache: a control file must see each write(2). */
    conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    zgfs *fs = fs_of(req);
    zgfs_call pc, child;
    char pspelled[ZGFS_PATH_MAX], spelled[ZGFS_PATH_MAX];
    if (!get_dir_call(req, parent, &pc, pspelled, sizeof pspelled))
        return;
    zg_err err = {0};
    if (zgfs_resolve_child(&pc, name, &child, NULL, &err)) {
        reply_err(req, &err);
        return;
    }
    if (spelled_join(spelled, sizeof spelled, pspelled, name)) {
        fuse_reply_err(req, ENAMETOOLONG);
        return;
    }
    struct fuse_entry_param e;
    if (make_entry(fs, &child, spelled, &e)) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    if (fuse_reply_entry(req, &e))
        zgfs_inode_forget(fs->inodes, e.ino, 1);
}

static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    zgfs_inode_forget(fs_of(req)->inodes, ino, nlookup);
    fuse_reply_none(req);
}

static void ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    for (size_t i = 0; i < count; i++)
        zgfs_inode_forget(fs_of(req)->inodes, forgets[i].ino, forgets[i].nlookup);
    fuse_reply_none(req);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    zgfs *fs = fs_of(req);
    zgfs_call c;
    if (!get_call(req, ino, &c, NULL, 0))
        return;
    struct stat st;
    fill_attr(fs, &c, ino, &st);
    fuse_reply_attr(req, &st, zgfs_ttl_seconds(fs, node_of(&c)->attr_ttl));
}

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
    (void)attr;
    (void)fi;
    zgfs *fs = fs_of(req);
    zgfs_call c;
    if (!get_call(req, ino, &c, NULL, 0))
        return;
    const zgfs_node *n = node_of(&c);
    if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
        fuse_reply_err(req, EPERM);
        return;
    }
    /* Shell redirections truncate; a control file has nothing to truncate. */
    if ((to_set & FUSE_SET_ATTR_SIZE) && !zgfs_kind_of(&c)->write) {
        fuse_reply_err(req, n->kind == ZGFS_DIR ? EISDIR : EACCES);
        return;
    }
    struct stat st;
    fill_attr(fs, &c, ino, &st);
    fuse_reply_attr(req, &st, zgfs_ttl_seconds(fs, n->attr_ttl));
}

/* A new handle of c for an open with fi, set up by its kind; NULL when
 * the open failed (replied). */
static zgfs_handle *open_handle(fuse_req_t req, const zgfs_call *c, fuse_ino_t ino,
                                struct fuse_file_info *fi)
{
    zgfs_handle *h = zgfs_handle_new(c);
    if (!h) {
        fuse_reply_err(req, ENOMEM);
        return NULL;
    }
    h->ino = ino;
    h->flags = fi->flags;
    fi->direct_io = 1; /* every read reaches us, unless the kind says otherwise */
    fi->keep_cache = 0;
    const zgfs_kind_ops *k = zgfs_kind_of(c);
    zg_err err = {0};
    if (k->open && k->open(h, fi, &err)) {
        zgfs_handle_put(h);
        reply_err(req, &err);
        return NULL;
    }
    fi->fh = (uint64_t)(uintptr_t)h;
    return h;
}

static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    zgfs_call c;
    if (!get_call(req, ino, &c, NULL, 0))
        return;
    if (node_of(&c)->kind == ZGFS_DIR) {
        fuse_reply_err(req, EISDIR);
        return;
    }
    if (((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) &&
        !zgfs_node_writable(c.node)) {
        fuse_reply_err(req, EACCES);
        return;
    }
    zgfs_handle *h = open_handle(req, &c, ino, fi);
    if (h && fuse_reply_open(req, fi))
        zgfs_handle_put(h);
}

/* Reads, writes and closes go to the kind, holding a reference on the
 * handle until the reply is sent. */
static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)ino;
    zgfs_handle *h = zgfs_handle_get(fi->fh);
    const zgfs_kind_ops *k = zgfs_kind_of(&h->call);
    if (off < 0 || !k->read)
        fuse_reply_err(req, EINVAL);
    else
        k->read(req, h, size, off);
    zgfs_handle_put(h);
}

static void ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    (void)ino;
    zgfs_handle *h = zgfs_handle_get(fi->fh);
    const zgfs_kind_ops *k = zgfs_kind_of(&h->call);
    if (!k->write)
        fuse_reply_err(req, EACCES);
    else
        k->write(req, h, buf, size, off);
    zgfs_handle_put(h);
}

static void ll_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    zgfs_handle *h = zgfs_handle_get(fi->fh);
    const zgfs_kind_ops *k = zgfs_kind_of(&h->call);
    if (!k->flush)
        fuse_reply_err(req, 0);
    else
        k->flush(req, h); /* payloads and command lines act at the opener's close */
    zgfs_handle_put(h);
}

static void ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    zgfs_handle *h = (zgfs_handle *)(uintptr_t)fi->fh;
    const zgfs_kind_ops *k = zgfs_kind_of(&h->call);
    if (k->release)
        k->release(h);
    zgfs_handle_put(h);
    fuse_reply_err(req, 0);
}

static void ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)ino;
    (void)datasync;
    (void)fi;
    fuse_reply_err(req, 0);
}

/* ------------------------------------------------------------ directories */

static void ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    zgfs_call c;
    zgfs_dir *d = zgfs_dir_new(fs_of(req));
    if (!d) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    if (!get_dir_call(req, ino, &c, d->spelled, sizeof d->spelled)) {
        zgfs_dir_free(d);
        return;
    }
    d->ino = ino;
    zg_err err = {0};
    if (zgfs_dir_list(d, &c, &err)) {
        zgfs_dir_free(d);
        reply_err(req, &err);
        return;
    }
    fi->fh = (uint64_t)(uintptr_t)d;
    fi->cache_readdir = 0;
    if (fuse_reply_open(req, fi))
        zgfs_dir_free(d);
}

static void readdir_common(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi,
                           bool plus)
{
    zgfs *fs = fs_of(req);
    zgfs_dir *d = (zgfs_dir *)(uintptr_t)fi->fh;
    char *buf = malloc(size);
    if (!buf) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    size_t used = 0;
    for (size_t i = (size_t)off; i < d->n + 2; i++) {
        const char *name;
        struct fuse_entry_param e;
        memset(&e, 0, sizeof e);
        bool counted = false;
        if (i < 2) {
            name = i == 0 ? "." : "..";
            e.ino = i == 0 ? d->ino : FUSE_ROOT_ID;
            e.attr.st_ino = e.ino;
            e.attr.st_mode = S_IFDIR;
        } else {
            const zgfs_dirent *s = &d->ents[i - 2];
            name = s->name;
            char spelled[ZGFS_PATH_MAX];
            if (spelled_join(spelled, sizeof spelled, d->spelled, name))
                continue;
            if (plus) {
                if (make_entry(fs, &s->call, spelled, &e))
                    break;
                counted = true;
            } else {
                /* Plain readdir: the number the name gets at lookup. */
                e.ino = zgfs_inode_number(fs->inodes, spelled);
                e.attr.st_ino = e.ino;
                e.attr.st_mode = zgfs_node_mode(fs, s->call.node);
            }
        }
        size_t rem = size - used;
        size_t need = plus ? fuse_add_direntry_plus(req, buf + used, rem, name, &e, (off_t)i + 1)
                           : fuse_add_direntry(req, buf + used, rem, name, &e.attr, (off_t)i + 1);
        if (need > rem) {
            if (counted)
                zgfs_inode_forget(fs->inodes, e.ino, 1);
            break;
        }
        used += need;
    }
    fuse_reply_buf(req, buf, used);
    free(buf);
}

static void ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    (void)ino;
    readdir_common(req, size, off, fi, false);
}

static void ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                           struct fuse_file_info *fi)
{
    (void)ino;
    readdir_common(req, size, off, fi, true);
}

static void ll_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    zgfs_dir_free((zgfs_dir *)(uintptr_t)fi->fh);
    fuse_reply_err(req, 0);
}

/* ------------------------------------------------------------ the rest */

static void ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
    (void)ino;
    /* Plausible numbers so df stays quiet. */
    struct statvfs st;
    memset(&st, 0, sizeof st);
    st.f_bsize = 4096;
    st.f_frsize = 4096;
    st.f_namemax = 255;
    fuse_reply_statfs(req, &st);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
    zgfs_call c;
    if (!get_call(req, ino, &c, NULL, 0))
        return;
    const zgfs_node *n = node_of(&c);
    if (!n->readlink) {
        fuse_reply_err(req, EINVAL);
        return;
    }
    zg_buf b;
    zg_buf_init(&b, ZGFS_PATH_MAX);
    zg_err err = {0};
    if (n->readlink(&c, &b, &err))
        reply_err(req, &err);
    else
        fuse_reply_readlink(req, b.data ? (const char *)b.data : "");
    zg_buf_free(&b);
}

/* Extended attributes come from the node (user.zg.hash on datasets);
 * unknown names are ENODATA, so tools that probe for ACLs stay quiet. */
static void ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    zgfs_call c;
    if (!get_call(req, ino, &c, NULL, 0))
        return;
    const zgfs_node *n = node_of(&c);
    bool known = false;
    for (const char *const *x = n->xattrs; x && *x && !known; x++)
        known = !strcmp(*x, name);
    if (!known || !n->xattr) {
        fuse_reply_err(req, ENODATA);
        return;
    }
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_err err = {0};
    if (n->xattr(&c, name, &b, &err))
        reply_err(req, &err);
    else if (size == 0)
        fuse_reply_xattr(req, b.len);
    else if (size < b.len)
        fuse_reply_err(req, ERANGE);
    else
        fuse_reply_buf(req, (const char *)b.data, b.len);
    zg_buf_free(&b);
}

static void ll_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    zgfs_call c;
    if (!get_call(req, ino, &c, NULL, 0))
        return;
    zg_buf b;
    zg_buf_init(&b, 0);
    for (const char *const *x = node_of(&c)->xattrs; x && *x; x++)
        zg_buf_append(&b, *x, strlen(*x) + 1, NULL); /* NUL-separated */
    if (size == 0)
        fuse_reply_xattr(req, b.len);
    else if (size < b.len)
        fuse_reply_err(req, ERANGE);
    else
        fuse_reply_buf(req, (const char *)b.data, b.len);
    zg_buf_free(&b);
}

/* The tree is fixed by the table: no new names, no renames. */
static void ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
    (void)parent;
    (void)name;
    (void)mode;
    (void)rdev;
    fuse_reply_err(req, EPERM);
}

static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    (void)parent;
    (void)name;
    (void)mode;
    fuse_reply_err(req, EPERM);
}

static void ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    (void)parent;
    (void)name;
    fuse_reply_err(req, EPERM);
}

static void ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                      const char *newname, unsigned int flags)
{
    (void)parent;
    (void)name;
    (void)newparent;
    (void)newname;
    (void)flags;
    fuse_reply_err(req, EPERM);
}

/* Only payload rows marked ZGFS_F_CREATE take new names (cp FILE datasets/):
 * the name exists while it is written and stays if its commit succeeds. */
static void ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                      struct fuse_file_info *fi)
{
    (void)mode;
    zgfs *fs = fs_of(req);
    zgfs_call pc, child;
    char pspelled[ZGFS_PATH_MAX], spelled[ZGFS_PATH_MAX];
    if (!get_dir_call(req, parent, &pc, pspelled, sizeof pspelled))
        return;
    zg_err err = {0};
    if (zgfs_resolve_create(&pc, name, &child, &err)) {
        reply_err(req, &err);
        return;
    }
    if (spelled_join(spelled, sizeof spelled, pspelled, name)) {
        fuse_reply_err(req, ENAMETOOLONG);
        return;
    }
    if ((fi->flags & O_ACCMODE) == O_RDONLY) {
        fuse_reply_err(req, EACCES);
        return;
    }
    fi->flags |= O_CREAT;
    zgfs_handle *h = open_handle(req, &child, 0, fi);
    if (!h)
        return;
    struct fuse_entry_param e;
    if (make_entry(fs, &child, spelled, &e)) {
        zgfs_handle_put(h);
        fuse_reply_err(req, ENOMEM);
        return;
    }
    h->ino = e.ino;
    if (fuse_reply_create(req, &e, fi)) {
        zgfs_inode_forget(fs->inodes, e.ino, 1);
        zgfs_handle_put(h);
    }
}

/* ------------------------------------------------------------ waits */

/* Every operation that may ask the network runs under a wait of its own
 * (zgfs_op, req.c): it ends at timeout= and when the kernel interrupts a
 * caller that is being stopped, so no reader hangs on a silent peer. */
#define WAITING(op, params, ...)                                                                   \
    static void op##_waiting params                                                                \
    {                                                                                              \
        zgfs_op w;                                                                                 \
        zgfs_op_begin(req, &w);                                                                    \
        op(__VA_ARGS__);                                                                           \
        zgfs_op_end(&w);                                                                           \
    }

WAITING(ll_lookup, (fuse_req_t req, fuse_ino_t parent, const char *name), req, parent, name)
WAITING(ll_getattr, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), req, ino, fi)
WAITING(ll_setattr,
        (fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi),
        req, ino, attr, to_set, fi)
WAITING(ll_open, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), req, ino, fi)
WAITING(ll_read,
        (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi), req,
        ino, size, off, fi)
WAITING(ll_write,
        (fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
         struct fuse_file_info *fi),
        req, ino, buf, size, off, fi)
WAITING(ll_flush, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), req, ino, fi)
WAITING(ll_opendir, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), req, ino, fi)
WAITING(ll_readdirplus,
        (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi), req,
        ino, size, off, fi)
WAITING(ll_readlink, (fuse_req_t req, fuse_ino_t ino), req, ino)
WAITING(ll_getxattr, (fuse_req_t req, fuse_ino_t ino, const char *name, size_t size), req, ino,
        name, size)
WAITING(ll_create,
        (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
         struct fuse_file_info *fi),
        req, parent, name, mode, fi)

const struct fuse_lowlevel_ops zgfs_ll_ops = {
    .init = ll_init,
    .lookup = ll_lookup_waiting,
    .forget = ll_forget,
    .forget_multi = ll_forget_multi,
    .getattr = ll_getattr_waiting,
    .readlink = ll_readlink_waiting,
    .setattr = ll_setattr_waiting,
    .mknod = ll_mknod,
    .mkdir = ll_mkdir,
    .unlink = ll_unlink,
    .rmdir = ll_unlink,
    .rename = ll_rename,
    .open = ll_open_waiting,
    .read = ll_read_waiting,
    .write = ll_write_waiting,
    .flush = ll_flush_waiting,
    .release = ll_release,
    .fsync = ll_fsync,
    .opendir = ll_opendir_waiting,
    .readdir = ll_readdir,
    .readdirplus = ll_readdirplus_waiting,
    .releasedir = ll_releasedir,
    .statfs = ll_statfs,
    .getxattr = ll_getxattr_waiting,
    .listxattr = ll_listxattr,
    .create = ll_create_waiting,
};

/* Payload files (datasets/NAME, tasks/new, chat): the bytes written to one
 * open file are one request, acted on when the process that opened the
 * file closes it.
 *
 * - Writes accumulate in the handle's spool (zg/spool.h): in memory up to
 *   the node's cap, or in a spool file in the state directory
 *   (ZGFS_F_SPOOL: datasets), so a large file costs flat memory. Past the
 *   cap a write is EFBIG.
 * - The commit runs at the opener's flush, matched by thread-group id (a
 *   FUSE pid is a thread id; Node opens, writes and closes on different
 *   threads): never at a flush without data (bash flushes before it writes)
 *   nor at a child's flush (`{ echo a; echo b; } > f` flushes in each
 *   child). The flush answers only when the remote work is done: 0, or its
 *   errno, so `cp` reports a failed upload. The commit runs on the
 *   long-job pool (work.c) with a deferred reply; Ctrl-C stops the waiting,
 *   not the work.
 * - Or at the first read on the same descriptor (`exec 3<>chat; echo q >&3;
 *   cat <&3`), which then returns the reply through a cursor of its own
 *   (the file offset is past the written bytes).
 * - Or, last resort, at release (nobody waits; the outcome goes to the
 *   caller's result and log).
 * - A writer killed by a signal (Ctrl-C on cp) flushes as it dies: that
 *   payload is incomplete and is dropped, never sent.
 * - A file created or truncated and closed without a single byte (`cp
 *   /dev/null datasets/x`) is committed empty at the opener's last close,
 *   so the refusal reaches cp; bash's early flush is told apart by the
 *   descriptor the shell still holds.
 * - After a commit, a further write starts a new request (ZGFS_F_REPEAT:
 *   chat) or is EINVAL.
 *
 * Reads of a node with a local file (datasets/NAME) return that file; the
 * others return the reply of this descriptor's commit, or on a fresh open
 * the caller's kept result (per uid) or the node's usage line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zg/spool.h"

#include "kinds.h"
#include "caller.h"
#include "req.h"

typedef enum { PL_IDLE, PL_DIRTY, PL_COMMITTING, PL_DONE } pl_state;

typedef struct pstate {
    pl_state state;
    pid_t opener;   /* thread-group id of the process that opened the file */
    bool fresh;     /* opened with O_CREAT or O_TRUNC: an empty close is a commit */
    bool failed;    /* the last commit failed (last_err) */
    bool committed; /* a commit ran on this descriptor: reads show its reply */
    zg_err last_err;
    zg_spool bytes; /* the request */
} pstate;

static const zgfs_node *node_of(const zgfs_handle *h)
{
    return &zgfs_nodes[h->call.node];
}

static void pstate_free(void *p)
{
    pstate *pl = p;
    if (!pl)
        return;
    zg_spool_free(&pl->bytes);
    free(pl);
}

/* ------------------------------------------------------------ open */

static int payload_open(zgfs_handle *h, struct fuse_file_info *fi, zg_err *err)
{
    const zgfs_node *n = node_of(h);
    int acc = fi->flags & O_ACCMODE;
    fi->direct_io = 1; /* every read and write reaches us */
    if (acc == O_RDONLY) {
        /* A local copy is read from the version that was there at open. */
        if (n->local) {
            char path[PATH_MAX];
            if (n->local(&h->call, path, sizeof path, NULL) == 0)
                h->fd = open(path, O_RDONLY | O_CLOEXEC);
        }
        return 0;
    }
    pstate *pl = calloc(1, sizeof *pl);
    if (!pl)
        return zg_err_set(err, ENOMEM, "out of memory");
    pl->opener = zg_proc_tgid(h->call.pid);
    pl->fresh = (fi->flags & (O_CREAT | O_TRUNC)) != 0;
    const char *name = zgfs_node_name(h->call.node);
    zg_spool_init(&pl->bytes,
                  n->flags & ZGFS_F_SPOOL ? zg_session_state_dir(h->call.fs->session) : NULL,
                  n->payload_max, name[0] == '{' ? NULL : name);
    h->state = pl;
    return 0;
}

/* ------------------------------------------------------------ commit */

static void put_handle(void *p)
{
    zgfs_handle_put(p);
}

/* Replace the descriptor's reply text. Handle lock held. */
static void set_reply(zgfs_handle *h, const zg_buf *reply, const zg_err *err)
{
    zg_buf_reset(&h->snap);
    if (err)
        zg_buf_printf(&h->snap, NULL, "error: %s\n",
                      err->msg[0] ? err->msg : strerror(zgfs_errno(err)));
    else if (reply->len)
        zg_buf_printf(&h->snap, NULL, "%s%s", (const char *)reply->data,
                      reply->data[reply->len - 1] == '\n' ? "" : "\n");
    h->have_snap = true;
    h->cursor = 0;
}

static int commit_run(void *arg, zg_err *err)
{
    zgfs_handle *h = arg;
    zgfs *fs = h->call.fs;
    const zgfs_node *n = node_of(h);
    pstate *pl = h->state;

    pthread_mutex_lock(&h->lock);
    if (pl->state != PL_COMMITTING) {
        /* Joined after the commit ended: its outcome stands. */
        int rc = pl->failed ? -1 : 0;
        if (rc && err)
            *err = pl->last_err;
        pthread_mutex_unlock(&h->lock);
        return rc;
    }
    /* No write can change the payload while it is COMMITTING. */
    zgfs_payload p;
    zg_spool_view(&pl->bytes, &p.path, &p.data, &p.len);
    pthread_mutex_unlock(&h->lock);

    zg_buf reply, ok;
    zg_buf_init(&reply, 0);
    zg_buf_init(&ok, 1024);
    zg_err e = {0};
    int rc = n->commit(&h->call, &p, &reply, &ok, &e);
    if (rc && !e.code)
        zg_err_set(&e, EIO, "internal error: the commit failed without a reason");

    char cmd[64];
    snprintf(cmd, sizeof cmd, "%zu bytes", p.len);
    zgfs_record(fs, &h->call, cmd, rc ? NULL : (const char *)ok.data, rc ? &e : NULL);
    /* What a fresh open shows this uid: the reply itself when there is one
     * (the task id, the chat answer), else the ok/error line. */
    if (!rc && reply.len) {
        size_t k = reply.len;
        while (k && reply.data[k - 1] == '\n')
            k--;
        reply.data[k] = '\0';
        zg_results_set(fs->results, h->call.uid, h->call.path, (const char *)reply.data);
        reply.len = k;
    }

    pthread_mutex_lock(&h->lock);
    set_reply(h, &reply, rc ? &e : NULL);
    pl->state = PL_DONE;
    pl->failed = rc != 0;
    pl->last_err = e;
    pl->committed = true;
    zg_spool_discard(&pl->bytes);
    pthread_mutex_unlock(&h->lock);
    if (rc && (n->flags & ZGFS_F_CREATE)) {
        /* The name open(O_CREAT) made is gone again: drop the kernel's entry. */
        char parent[ZGFS_PATH_MAX];
        snprintf(parent, sizeof parent, "%s", h->call.path);
        char *slash = strrchr(parent, '/');
        if (slash) {
            *slash = '\0';
            zgfs_notify_entry(fs->notify, parent[0] ? parent : "/", slash + 1);
        }
    }

    zg_buf_free(&reply);
    zg_buf_free(&ok);
    if (rc && err)
        *err = e;
    return rc;
}

/* Start the descriptor's commit, or join it when it runs; req (may be
 * NULL) is answered by answer(req, ctx, outcome). The handle lock must be
 * held by the caller, who saw state DIRTY (or an empty close) or
 * COMMITTING; it is released here. */
static void commit_locked(fuse_req_t req, zgfs_handle *h, zgfs_answer_fn answer, void *ctx,
                          void (*ctx_free)(void *))
{
    pstate *pl = h->state;
    pl->state = PL_COMMITTING;
    pthread_mutex_unlock(&h->lock);
    char key[64];
    snprintf(key, sizeof key, "payload:%p", (void *)h);
    zg_err err = {0};
    zgfs *fs = h->call.fs;
    if (zgfs_work_join(fs->work, key, commit_run, zgfs_handle_get((uint64_t)(uintptr_t)h),
                       put_handle, req, answer, ctx, ctx_free, &err)) {
        pthread_mutex_lock(&h->lock);
        if (pl->state == PL_COMMITTING)
            pl->state = PL_DIRTY; /* a later close may try again */
        pthread_mutex_unlock(&h->lock);
        zgfs_record(fs, &h->call, "commit", NULL, &err);
        if (req)
            fuse_reply_err(req, zgfs_errno(&err));
        if (ctx_free)
            ctx_free(ctx);
    }
}

/* ------------------------------------------------------------ write */

static void payload_write(fuse_req_t req, zgfs_handle *h, const char *buf, size_t size, off_t off)
{
    zgfs *fs = h->call.fs;
    const zgfs_node *n = node_of(h);
    zgfs_call c = zgfs_caller_call(req, &h->call);
    zg_err err = {0};
    char shown[32];
    snprintf(shown, sizeof shown, "%zu bytes", size);

    pthread_mutex_lock(&h->lock);
    pstate *pl = h->state;
    if (!pl) {
        pthread_mutex_unlock(&h->lock);
        fuse_reply_err(req, EBADF);
        return;
    }
    if (pl->state == PL_COMMITTING) {
        pthread_mutex_unlock(&h->lock);
        fuse_reply_err(req, EBUSY);
        return;
    }
    if (pl->state == PL_DONE) {
        if (!(n->flags & ZGFS_F_REPEAT)) {
            pthread_mutex_unlock(&h->lock);
            zg_err_set(&err, EINVAL,
                       "this descriptor already sent its payload; open the file again for "
                       "another one");
            zgfs_record(fs, &c, shown, NULL, &err);
            fuse_reply_err(req, EINVAL);
            return;
        }
        pl->state = PL_IDLE; /* a new request (chat: the next turn) */
    }
    if (pl->state == PL_IDLE)
        zg_spool_restart(&pl->bytes, (uint64_t)off);
    if (zg_spool_write(&pl->bytes, (uint64_t)off, buf, size, &err)) {
        /* A payload that cannot be whole is never sent. */
        zg_spool_discard(&pl->bytes);
        pl->state = PL_DONE;
        pl->failed = true;
        pl->last_err = err;
        set_reply(h, NULL, &err);
        pl->committed = true;
        pthread_mutex_unlock(&h->lock);
        zgfs_record(fs, &c, shown, NULL, &err);
        fuse_reply_err(req, zgfs_errno(&err));
        return;
    }
    pl->state = PL_DIRTY;
    pthread_mutex_unlock(&h->lock);
    fuse_reply_write(req, size);
}

/* ------------------------------------------------------------ answers */

static void answer_reply(fuse_req_t req, void *p, const zg_err *err)
{
    zgfs_read_wait *r = p;
    if (err)
        fuse_reply_err(req, zgfs_errno(err));
    else {
        pthread_mutex_lock(&r->h->lock);
        zgfs_reply_read_locked(req, r->h, r->size, r->off, false);
    }
}

/* ------------------------------------------------------------ read */

static void payload_read(fuse_req_t req, zgfs_handle *h, size_t size, off_t off)
{
    const zgfs_node *n = node_of(h);
    pthread_mutex_lock(&h->lock);
    pstate *pl = h->state;
    if (pl && (pl->state == PL_DIRTY || pl->state == PL_COMMITTING)) {
        zgfs_read_wait *r = zgfs_read_wait_new(h, size, off);
        if (!r) {
            pthread_mutex_unlock(&h->lock);
            fuse_reply_err(req, ENOMEM);
            return;
        }
        commit_locked(req, h, n->local ? zgfs_answer_local : answer_reply, r, zgfs_read_wait_free);
        return;
    }
    if (n->local) {
        pthread_mutex_unlock(&h->lock);
        /* A local copy that can be made again (storage/NAME) is, at this read. */
        if (n->prepare)
            zgfs_file_read(req, h, size, off);
        else
            zgfs_serve_local(req, h, size, off);
        return;
    }
    /* A fresh descriptor: the caller's kept result, like a control file. */
    zgfs_reply_read_locked(req, h, size, off, !(pl && pl->committed));
}

/* ------------------------------------------------------------ flush, release */

static void payload_flush(fuse_req_t req, zgfs_handle *h)
{
    zgfs *fs = h->call.fs;
    pid_t tid = fuse_req_ctx(req)->pid;
    pthread_mutex_lock(&h->lock);
    pstate *pl = h->state;
    pl_state st = pl ? pl->state : PL_IDLE;
    bool empty_close = pl && st == PL_IDLE && pl->fresh && !pl->committed;
    if (!pl || !(st == PL_DIRTY || st == PL_COMMITTING || empty_close)) {
        pthread_mutex_unlock(&h->lock);
        fuse_reply_err(req, 0);
        return;
    }
    pthread_mutex_unlock(&h->lock);
    /* Only the opener commits; /proc reads happen without the lock. */
    pid_t tgid = zg_proc_tgid(tid);
    bool dying = st == PL_DIRTY && tgid == pl->opener && zg_proc_killed(tid);
    bool last = !empty_close || (tgid == pl->opener && !zg_proc_holds_inode(tgid, h->ino));
    pthread_mutex_lock(&h->lock);
    if (tgid != pl->opener || !last || pl->state != st) {
        pthread_mutex_unlock(&h->lock);
        fuse_reply_err(req, 0);
        return;
    }
    if (dying) {
        uint64_t len = pl->bytes.len;
        zg_spool_discard(&pl->bytes);
        pl->state = PL_IDLE;
        pl->fresh = false;
        pthread_mutex_unlock(&h->lock);
        zg_oplog_add(fs->log, "uid %u %s: the writer was killed after %llu byte%s; nothing sent",
                     (unsigned)h->call.uid, h->call.path + 1, (unsigned long long)len,
                     len == 1 ? "" : "s");
        fuse_reply_err(req, 0);
        return;
    }
    commit_locked(req, h, zgfs_answer_status, NULL, NULL);
}

static void payload_release(zgfs_handle *h)
{
    pthread_mutex_lock(&h->lock);
    pstate *pl = h->state;
    if (pl && pl->state == PL_DIRTY) {
        commit_locked(NULL, h, NULL, NULL, NULL);
        return;
    }
    pthread_mutex_unlock(&h->lock);
}

/* With a local copy (datasets/NAME), that copy's size; else 0. */
static off_t payload_size(const zgfs_call *c, bool *live)
{
    if (!zgfs_nodes[c->node].local)
        return 0;
    *live = true;
    return zgfs_file_size(c);
}

const zgfs_kind_ops zgfs_payload_ops = {.open = payload_open,
                                        .read = payload_read,
                                        .write = payload_write,
                                        .flush = payload_flush,
                                        .release = payload_release,
                                        .size = payload_size,
                                        .state_free = pstate_free};

/* ------------------------------------------------------------ names */

int zgfs_resolve_create(const zgfs_call *parent, const char *name, zgfs_call *child, zg_err *err)
{
    char canon[ZGFS_PARAM_MAX];
    if (strlen(name) >= ZGFS_PARAM_MAX)
        return zg_err_set(err, ENAMETOOLONG, "name too long");
    for (size_t j = 0; j < zgfs_nnodes; j++) {
        const zgfs_node *n = &zgfs_nodes[j];
        if (zgfs_node_parent(j) != (int)parent->node || !zgfs_node_is_param(j) ||
            !(n->flags & ZGFS_F_CREATE) || !n->parse_param || n->parse_param(name, canon, NULL))
            continue;
        *child = *parent;
        child->node = j;
        if (child->nparams >= ZGFS_MAX_PARAMS)
            return zg_err_set(err, ENAMETOOLONG, "path too deep");
        strcpy(child->params[child->nparams++], canon);
        int k = snprintf(child->path, sizeof child->path, "%s%s%s", parent->path,
                         strcmp(parent->path, "/") ? "/" : "", canon);
        if (k < 0 || k >= (int)sizeof child->path)
            return zg_err_set(err, ENAMETOOLONG, "path too long");
        return 0;
    }
    return zg_err_set(err, EPERM, "no file can be created here");
}

bool zgfs_payload_pending(zgfs *fs, const char *canon)
{
    bool found = false;
    pthread_mutex_lock(&fs->open_lock);
    for (zgfs_handle *h = fs->open_files; h && !found; h = h->next) {
        if (strcmp(h->call.path, canon) || zgfs_kind_of(&h->call) != &zgfs_payload_ops)
            continue;
        pthread_mutex_lock(&h->lock);
        pstate *pl = h->state;
        found = pl && pl->fresh && pl->state != PL_DONE;
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_unlock(&fs->open_lock);
    return found;
}

/* One-line control files (fund, deposit, refund, retrieve, trust, ...).
 *
 * One line is one command, however many write() calls carry it: the bytes
 * of an open are gathered until the newline (or the opener's last close)
 * and checked here (no NUL, at most 4 KiB, one line per open), then the
 * whole line runs once on the job pool with a deferred reply: a
 * transaction may wait minutes for its receipt and FUSE worker threads must
 * stay free for everyone else. What the line means is the handler's and
 * the core's business, and the line's framing is zg/cmdline.h's; this file
 * runs it. The outcome becomes the caller's result ("ok: ..." /
 * "error: ...", per uid; zg/results.h) and a line in `log`, and the write
 * that completed the line (or the close) returns success or the error's
 * errno.
 *
 * Interrupts: a caller that is being stopped (Ctrl-C, kill) gets EINTR at
 * once; the command itself, which may already have broadcast a
 * transaction, runs to completion and records its outcome. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/cmdline.h"

#include "kinds.h"
#include "caller.h"
#include "req.h"

int zgfs_errno(const zg_err *e)
{
    return zg_err_errno(e);
}

int zgfs_control_text(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    const zgfs_node *n = &zgfs_nodes[c->node];
    if (n->render && n->render(c, out, err))
        return -1;
    if (zg_results_get(fs->results, c->uid, c->path, out))
        return 0;
    if (n->usage)
        return zg_buf_printf(out, err, "%s\n", n->usage);
    return 0;
}

void zgfs_record(zgfs *fs, const zgfs_call *c, const char *cmd, const char *ok, const zg_err *err)
{
    zg_results_record(fs->results, fs->log, c->uid, c->path, cmd, ok, err);
}

typedef struct job {
    zgfs *fs;
    zgfs_call call;
    char line[];
} job;

static void run_job(void *arg)
{
    job *j = arg;
    zgfs *fs = j->fs;
    zg_buf ok;
    zg_buf_init(&ok, 1024);
    zg_err err = {0};
    int rc = zgfs_nodes[j->call.node].act(&j->call, j->line, &ok, &err);
    if (rc && !err.code)
        zg_err_set(&err, EIO, "internal error: the command failed without a reason");
    zgfs_record(fs, &j->call, j->line, rc ? NULL : (const char *)ok.data, rc ? &err : NULL);
    zg_buf_free(&ok);
    /* Kernel caches of the files the command changed are dropped before
     * the write returns, so the next stat already sees new sizes. The
     * written file itself is not among them (it is size 0, direct I/O). */
    zgfs_notify_sync(fs->notify, 2000);
    zgfs_defer_done(fs, j, rc ? &err : NULL);
    free(j);
}

/* The write that completed the line: the bytes it carried (in actx). */
static void answer_write(fuse_req_t req, void *actx, const zg_err *err)
{
    if (err)
        fuse_reply_err(req, zgfs_errno(err));
    else
        fuse_reply_write(req, (size_t)(uintptr_t)actx);
}

/* Run one whole command line on the job pool; req (NULL: nobody waits) is
 * answered by how(req, actx, outcome) when it is done. */
static void run_line(fuse_req_t req, const zgfs_call *c, const char *line, zgfs_answer_fn how,
                     size_t size)
{
    zgfs *fs = c->fs;
    size_t len = strlen(line);
    job *j = malloc(sizeof *j + len + 1);
    zgfs_pending *p = req ? zgfs_defer_new(req, how, (void *)(uintptr_t)size, NULL) : NULL;
    if (!j || (req && !p)) {
        free(j);
        free(p);
        if (req)
            fuse_reply_err(req, ENOMEM);
        return;
    }
    j->fs = fs;
    j->call = *c;
    memcpy(j->line, line, len + 1);
    if (p) {
        zgfs_defer_add(fs, p, j);
        zgfs_defer_arm(fs, p); /* before the job can answer */
    }
    zg_err err = {0};
    /* Commands that may wait minutes (deploy waits for the adapter) use
     * the long-job pool, so money commands never queue behind them. */
    int rc = zgfs_nodes[c->node].flags & ZGFS_F_LONG ? zgfs_work_submit(fs->work, run_job, j, &err)
                                                     : zg_workq_submit(fs->jobs, run_job, j, &err);
    if (rc) {
        zgfs_record(fs, c, line, NULL, &err);
        zgfs_defer_done(fs, j, &err);
        free(j);
    }
}

/* ------------------------------------------------------------ the line */

/* The command of one open (zg/cmdline.h) and who opened it. */
typedef struct cline {
    pid_t opener; /* thread-group id of the process that opened the file */
    zg_cmdline cmd;
} cline;

static int control_open(zgfs_handle *h, struct fuse_file_info *fi, zg_err *err)
{
    if ((fi->flags & O_ACCMODE) == O_RDONLY)
        return 0;
    cline *cl = calloc(1, sizeof *cl);
    if (!cl)
        return zg_err_set(err, ENOMEM, "out of memory");
    cl->opener = zg_proc_tgid(h->call.pid);
    h->state = cl;
    return 0;
}

void zgfs_reply_read_locked(fuse_req_t req, zgfs_handle *h, size_t size, off_t off, bool refresh)
{
    if (refresh && (off == 0 || !h->have_snap)) {
        zgfs_call c = zgfs_caller_call(req, &h->call);
        zg_err err = {0};
        zg_buf_reset(&h->snap);
        h->have_snap = zgfs_control_text(&c, &h->snap, &err) == 0;
        h->cursor = 0;
        if (!h->have_snap) {
            pthread_mutex_unlock(&h->lock);
            fuse_reply_err(req, zgfs_errno(&err));
            return;
        }
    }
    size_t at = h->cursor;
    size_t n = at < h->snap.len ? h->snap.len - at : 0;
    if (n > size)
        n = size;
    h->cursor += n;
    fuse_reply_buf(req, (const char *)h->snap.data + at, n);
    pthread_mutex_unlock(&h->lock);
}

/* Reading returns the caller's own last result (or a usage line), so
 * `exec 3<>f; echo x >&3; cat <&3` works. */
static void control_read(fuse_req_t req, zgfs_handle *h, size_t size, off_t off)
{
    pthread_mutex_lock(&h->lock);
    zgfs_reply_read_locked(req, h, size, off, true);
}

/* Add one write to the open's command, wherever the offset is; the write
 * that completes the line runs it and is answered when it is done (or
 * refused at once). */
static void control_write(fuse_req_t req, zgfs_handle *h, const char *buf, size_t size, off_t off)
{
    (void)off;
    zg_err err = {0};
    zgfs_call call = zgfs_caller_call(req, &h->call), *c = &call;
    pthread_mutex_lock(&h->lock);
    h->have_snap = false; /* a read on this descriptor shows the new result */
    cline *cl = h->state;
    if (!cl) {
        pthread_mutex_unlock(&h->lock);
        fuse_reply_err(req, EBADF);
        return;
    }
    char shown[ZG_RESULTS_CMD_SHOWN + 1];
    int rc = zg_cmdline_add(&cl->cmd, buf, size, shown, &err);
    if (rc < 0) /* refused: kept and logged like any result */
        zgfs_record(c->fs, c, shown, NULL, &err);
    if (rc <= 0) {
        pthread_mutex_unlock(&h->lock);
        if (rc < 0)
            fuse_reply_err(req, zgfs_errno(&err));
        else
            fuse_reply_write(req, size);
        return;
    }
    char line[ZG_CMDLINE_MAX + 1];
    memcpy(line, cl->cmd.text, cl->cmd.len + 1);
    pthread_mutex_unlock(&h->lock);
    run_line(req, c, line, answer_write, size);
}

/* Take the open's command if it has one that did not run yet (its length,
 * 0 when none): whoever takes it runs it. */
static size_t take_line(zgfs_handle *h, char line[ZG_CMDLINE_MAX + 1])
{
    pthread_mutex_lock(&h->lock);
    cline *cl = h->state;
    size_t len = cl ? zg_cmdline_take(&cl->cmd, line) : 0;
    pthread_mutex_unlock(&h->lock);
    return len;
}

/* A line without its newline runs at the opener's last close. Not at a
 * close by another process (a child that wrote part of it), nor while the
 * opener still holds the file (a shell's `printf 1 >&3` closes a copy of
 * fd 3), and never for a writer that is being killed: a command cut short
 * is dropped, not run. */
static void control_flush(fuse_req_t req, zgfs_handle *h)
{
    pthread_mutex_lock(&h->lock);
    cline *cl = h->state;
    bool waiting = cl && !cl->cmd.done && cl->cmd.len;
    pthread_mutex_unlock(&h->lock);
    if (!waiting) {
        fuse_reply_err(req, 0);
        return;
    }
    zgfs_call c = zgfs_caller_call(req, &h->call);
    pid_t tgid = zg_proc_tgid(c.pid);
    if (tgid != cl->opener || zg_proc_holds_inode(tgid, h->ino)) {
        fuse_reply_err(req, 0);
        return;
    }
    bool dying = zg_proc_killed(c.pid);
    char line[ZG_CMDLINE_MAX + 1];
    size_t len = take_line(h, line);
    if (!len) {
        fuse_reply_err(req, 0);
    } else if (dying) {
        zg_oplog_add(c.fs->log,
                     "uid %u %s: the writer was killed after %zu byte%s of a command; nothing "
                     "run",
                     (unsigned)c.uid, c.path + 1, len, len == 1 ? "" : "s");
        fuse_reply_err(req, 0);
    } else {
        run_line(req, &c, line, zgfs_answer_status, 0);
    }
}

/* Before the open's reference is dropped: run what no close ran. */
static void control_release(zgfs_handle *h)
{
    char line[ZG_CMDLINE_MAX + 1];
    if (take_line(h, line))
        run_line(NULL, &h->call, line, NULL, 0);
}

const zgfs_kind_ops zgfs_control_ops = {.open = control_open,
                                        .read = control_read,
                                        .write = control_write,
                                        .flush = control_flush,
                                        .release = control_release,
                                        .state_free = free};

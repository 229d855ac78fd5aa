/* One-line control files (fund, deposit, refund, retrieve, trust).
 *
 * One write() is one command. It is checked here (one line, no NUL, at
 * most 4 KiB), then run on the job pool with a deferred reply: a
 * transaction may wait minutes for its receipt and FUSE worker threads must
 * stay free for everyone else. The outcome becomes the caller's result
 * ("ok: ..." / "error: ...", per uid) and a line in `log`, and the write
 * returns the full count or the error's errno.
 *
 * Interrupts: a caller that is being stopped (Ctrl-C, kill) gets EINTR at
 * once; the command itself, which may already have broadcast a
 * transaction, runs to completion and records its outcome. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zgfs.h"

#define LOG_CMD_MAX 64 /* command text shown in log lines */

int zgfs_errno(const zg_err *e)
{
    /* EIO is reserved for verification failures: a core that forgot to
     * classify an error still gives a usable errno. */
    if (e->code <= 0 || e->code >= 4096)
        return EIO;
    return e->code;
}

int zgfs_control_text(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    const zgfs_node *n = &zgfs_nodes[c->node];
    if (n->render && n->render(c, out, err))
        return -1;
    if (zgfs_result_get(fs->results, c->uid, c->path, out))
        return 0;
    if (n->usage)
        return zg_buf_printf(out, err, "%s\n", n->usage);
    return 0;
}

void zgfs_record(zgfs *fs, const zgfs_call *c, const char *cmd, const char *ok, const zg_err *err)
{
    char line[ZG_ERR_MSG_MAX + 1024];
    if (err)
        snprintf(line, sizeof line, "error: %s",
                 err->msg[0] ? err->msg : strerror(zgfs_errno(err)));
    else
        snprintf(line, sizeof line, "ok: %s", ok && *ok ? ok : "done");
    zgfs_result_set(fs->results, c->uid, c->path, line);
    zg_oplog_add(fs->log, "uid %u %s <- \"%.*s%s\": %s", (unsigned)c->uid, c->path + 1, LOG_CMD_MAX,
                 cmd, strlen(cmd) > LOG_CMD_MAX ? "..." : "", line);
}

/* ------------------------------------------------------------ deferred replies */

/* Requests a job will answer, so an interrupt can answer first. Whoever
 * removes the entry (job or interrupt) owns the reply. The interrupt
 * callback gets the entry's id, never a pointer, because it may run after
 * the job has answered and freed its memory. */
typedef struct zgfs_pending {
    struct zgfs_pending *next;
    uint64_t id;
    fuse_req_t req;
} pending;

static bool pending_take(zgfs *fs, uint64_t id, fuse_req_t *req)
{
    pthread_mutex_lock(&fs->pending_lock);
    pending **pp = &fs->pending;
    while (*pp && (*pp)->id != id)
        pp = &(*pp)->next;
    pending *p = *pp;
    if (p) {
        *pp = p->next;
        *req = p->req;
        free(p);
    }
    pthread_mutex_unlock(&fs->pending_lock);
    return p != NULL;
}

/* Does the interrupted thread have a signal pending that asks it to stop
 * (Ctrl-C, kill, hang-up)? The kernel also interrupts a waiting write for
 * harmless signals such as SIGCHLD (a shell whose background job ended);
 * answering those with EINTR would report a failure for a command that
 * goes on to succeed. The signal stays pending while the thread waits for
 * us, so /proc shows it. Unreadable (the caller is gone): stop. */
bool zgfs_caller_stopping(pid_t tid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return true;
    unsigned long long pend = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long m;
        if (sscanf(line, "SigPnd: %llx", &m) == 1 || sscanf(line, "ShdPnd: %llx", &m) == 1)
            pend |= m;
    }
    fclose(f);
    const int stop[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        if (pend & (1ull << (stop[i] - 1)))
            return true;
    return false;
}

static void on_interrupt(fuse_req_t req, void *data)
{
    zgfs *fs = fuse_req_userdata(req);
    fuse_req_t r;
    if (!zgfs_caller_stopping(fuse_req_ctx(req)->pid))
        return; /* the reply comes when the command is done */
    if (pending_take(fs, (uint64_t)(uintptr_t)data, &r))
        fuse_reply_err(r, EINTR);
}

static int pending_add(zgfs *fs, fuse_req_t req, uint64_t *id)
{
    pending *p = malloc(sizeof *p);
    if (!p)
        return -1;
    pthread_mutex_lock(&fs->pending_lock);
    p->id = ++fs->next_pending_id;
    p->req = req;
    p->next = fs->pending;
    fs->pending = p;
    *id = p->id;
    pthread_mutex_unlock(&fs->pending_lock);
    /* May call on_interrupt at once if the caller was already signalled. */
    fuse_req_interrupt_func(req, on_interrupt, (void *)(uintptr_t)*id);
    return 0;
}

typedef struct job {
    zgfs *fs;
    uint64_t id;
    zgfs_call call;
    size_t size; /* bytes the write reports on success */
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
    fuse_req_t req;
    if (pending_take(fs, j->id, &req)) {
        if (rc)
            fuse_reply_err(req, zgfs_errno(&err));
        else
            fuse_reply_write(req, j->size);
    }
    free(j);
}

/* ------------------------------------------------------------ the write */

/* A one-line command: reject what is not one line. */
static char *check_line(const char *buf, size_t size, zg_err *err)
{
    if (size > ZGFS_LINE_MAX) {
        zg_err_set(err, EINVAL, "a command is at most %d bytes, in one write", ZGFS_LINE_MAX);
        return NULL;
    }
    if (memchr(buf, '\0', size)) {
        zg_err_set(err, EINVAL, "a command is text; NUL bytes are refused");
        return NULL;
    }
    size_t n = size;
    if (n && buf[n - 1] == '\n')
        n--;
    if (memchr(buf, '\n', n)) {
        zg_err_set(err, EINVAL, "one command per write: write a single line");
        return NULL;
    }
    char *line = malloc(n + 1);
    if (!line) {
        zg_err_set(err, ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(line, buf, n);
    line[n] = '\0';
    return line;
}

void zgfs_control_write(fuse_req_t req, const zgfs_call *c, const char *buf, size_t size)
{
    zgfs *fs = c->fs;
    zg_err err = {0};
    char *line = check_line(buf, size, &err);
    if (!line) {
        /* Refused input is a result like any other: kept and logged. */
        char shown[LOG_CMD_MAX + 1];
        size_t k = size < LOG_CMD_MAX ? size : LOG_CMD_MAX;
        for (size_t i = 0; i < k; i++)
            shown[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?';
        shown[k] = '\0';
        zgfs_record(fs, c, shown, NULL, &err);
        fuse_reply_err(req, zgfs_errno(&err));
        return;
    }
    size_t len = strlen(line);
    job *j = malloc(sizeof *j + len + 1);
    if (!j) {
        free(line);
        fuse_reply_err(req, ENOMEM);
        return;
    }
    j->fs = fs;
    j->call = *c;
    j->size = size;
    memcpy(j->line, line, len + 1);
    free(line);
    if (pending_add(fs, req, &j->id)) {
        free(j);
        fuse_reply_err(req, ENOMEM);
        return;
    }
    /* Commands that may wait minutes (deploy waits for the adapter) use
     * the long-job pool, so money commands never queue behind them. */
    int rc = zgfs_nodes[c->node].flags & ZGFS_F_LONG ? zgfs_work_submit(fs->work, run_job, j, &err)
                                                     : zg_workq_submit(fs->jobs, run_job, j, &err);
    if (rc) {
        fuse_req_t r;
        if (pending_take(fs, j->id, &r))
            fuse_reply_err(r, zgfs_errno(&err));
        free(j);
    }
}

/* The FUSE layer's request logic without a kernel: deferred replies and
 * their races with interrupts (req.c, work.c), and the payload state
 * machine (payload.c) driven through its kind's operations as ll.c
 * drives them. The kernel's side is fakefuse.c; callers are real
 * processes, read through /proc as in a mount: this process (the opener),
 * a child (another process) and a child with SIGTERM pending (a caller
 * being stopped). */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check.h"
#include "../child.h"
#include "fakefuse.h"
#include "kinds.h"
#include "req.h"

/* ------------------------------------------------------------ the table */

static sem_t gate; /* a commit or job waits here when closed */
static bool gated;
static int commits;
static char committed[64];
static size_t committed_len;
static pthread_mutex_t seen = PTHREAD_MUTEX_INITIALIZER;

static void pass_gate(void)
{
    if (__atomic_load_n(&gated, __ATOMIC_SEQ_CST)) {
        sem_wait(&gate);
        sem_post(&gate); /* open for everyone after */
    }
}

static void close_gate(void)
{
    __atomic_store_n(&gated, true, __ATOMIC_SEQ_CST);
}

static void open_gate(void)
{
    sem_post(&gate);
}

static void reset_gate(void)
{
    while (sem_trywait(&gate) == 0)
        ;
    __atomic_store_n(&gated, false, __ATOMIC_SEQ_CST);
}

static int t_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                    zg_err *err)
{
    (void)c;
    (void)ok;
    pass_gate();
    pthread_mutex_lock(&seen);
    commits++;
    committed_len = p->len < sizeof committed ? p->len : sizeof committed - 1;
    memcpy(committed, p->data ? (const char *)p->data : "", committed_len);
    committed[committed_len] = '\0';
    pthread_mutex_unlock(&seen);
    if (p->len >= 4 && !memcmp(p->data, "fail", 4))
        return zg_err_set(err, EPERM, "refused");
    return zg_buf_printf(reply, err, "answer: %s", committed);
}

static int acts;
static char acted[64];

static int t_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    (void)c;
    pass_gate();
    pthread_mutex_lock(&seen);
    acts++;
    snprintf(acted, sizeof acted, "%s", line);
    pthread_mutex_unlock(&seen);
    if (!strcmp(line, "bad"))
        return zg_err_set(err, EINVAL, "bad amount");
    return zg_buf_printf(ok, err, "funded %s", line);
}

const zgfs_node zgfs_nodes[] = {
    {.pattern = "/", .kind = ZGFS_DIR, .perm = 0555},
    {.pattern = "/chat",
     .kind = ZGFS_PAYLOAD,
     .perm = 0660,
     .flags = ZGFS_F_REPEAT,
     .usage = "write a question",
     .payload_max = 16,
     .commit = t_commit},
    {.pattern = "/send",
     .kind = ZGFS_PAYLOAD,
     .perm = 0660,
     .payload_max = 1024,
     .commit = t_commit},
    {.pattern = "/fund", .kind = ZGFS_LINECTL, .perm = 0660, .usage = "an amount", .act = t_act},
};
const size_t zgfs_nnodes = sizeof zgfs_nodes / sizeof zgfs_nodes[0];

int zgfs_node_parent(size_t i)
{
    return i ? 0 : -1;
}

const char *zgfs_node_name(size_t i)
{
    return zgfs_nodes[i].pattern + 1;
}

bool zgfs_node_is_param(size_t i)
{
    (void)i;
    return false;
}

int zgfs_resolve_child(const zgfs_call *parent, const char *name, zgfs_call *child,
                       char spelled[ZGFS_PARAM_MAX], zg_err *err)
{
    (void)parent;
    (void)name;
    (void)child;
    (void)spelled;
    return zg_err_set(err, ENOENT, "no such file");
}

void zgfs_names_free(zgfs_names *l)
{
    free(l->v);
}

/* Kernel invalidations: there is no kernel. */
void zgfs_notify_inode(zgfs_notify *n, const char *canon)
{
    (void)n;
    (void)canon;
}

void zgfs_notify_entry(zgfs_notify *n, const char *parent_canon, const char *name)
{
    (void)n;
    (void)parent_canon;
    (void)name;
}

void zgfs_notify_sync(zgfs_notify *n, long timeout_ms)
{
    (void)n;
    (void)timeout_ms;
}

/* ------------------------------------------------------------ callers */

static zgfs fs;
static pid_t me, other, stopping;

/* A child that blocks SIGTERM; with term, one is then pending. */
static pid_t child(bool term)
{
    pid_t pid = test_blocking_child(SIGTERM, 0);
    if (term && pid > 0)
        kill(pid, SIGTERM);
    return pid;
}

/* ------------------------------------------------------------ deferred replies */

static int freed;

static void count_free(void *actx)
{
    (void)actx;
    __atomic_add_fetch(&freed, 1, __ATOMIC_SEQ_CST);
}

static void answer_ok(fuse_req_t req, void *actx, const zg_err *err)
{
    (void)actx;
    if (err)
        fuse_reply_err(req, zgfs_errno(err));
    else
        fuse_reply_write(req, 7);
}

static const char group_a[1], group_b[1];

static zgfs_pending *deferred(struct fuse_req *r, pid_t caller, const void *group)
{
    fake_req_init(r, &fs, caller);
    zgfs_pending *p = zgfs_defer_new(r, answer_ok, NULL, count_free);
    zgfs_defer_add(&fs, p, group);
    return p;
}

static void test_deferred(void)
{
    struct fuse_req r;
    zg_err boom = {0};
    zg_err_set(&boom, ENOSPC, "full");

    freed = 0;
    zgfs_defer_arm(&fs, deferred(&r, me, group_a));
    CHECK(r.replies == 0, "an armed request waits for its work");
    zgfs_defer_done(&fs, group_b, NULL);
    CHECK(r.replies == 0, "...not for other work");
    zgfs_defer_done(&fs, group_a, NULL);
    CHECK(r.replies == 1 && r.kind == REPLY_WRITE && r.written == 7,
          "the work's end answers it with the outcome");
    CHECK(freed == 1, "...and frees its context once");
    fake_req_free(&r);

    freed = 0;
    zgfs_defer_arm(&fs, deferred(&r, stopping, group_a));
    fake_interrupt(&r);
    CHECK(r.replies == 1 && r.kind == REPLY_ERR && r.err == EINTR,
          "interrupt before the reply: EINTR at once");
    zgfs_defer_done(&fs, group_a, NULL);
    CHECK(r.replies == 1, "the reply after the requester gave up answers nobody");
    CHECK(freed == 1, "...and the context is freed once");
    CHECK(r.late_intr == 0, "no interrupt callback registered after a reply");
    fake_req_free(&r);

    freed = 0;
    zgfs_pending *p = deferred(&r, stopping, group_a);
    r.interrupted = true; /* the kernel's interrupt came before the callback */
    zgfs_defer_arm(&fs, p);
    CHECK(r.replies == 1 && r.err == EINTR, "interrupted before it was armed: EINTR at the arm");
    zgfs_defer_done(&fs, group_a, NULL);
    CHECK(r.replies == 1 && freed == 1, "...and nothing more at the work's end");
    fake_req_free(&r);

    freed = 0;
    p = deferred(&r, me, group_a);
    zgfs_defer_done(&fs, group_a, &boom);
    CHECK(r.replies == 0, "work that ends before the arm does not answer an unarmed request");
    zgfs_defer_arm(&fs, p);
    CHECK(r.replies == 1 && r.kind == REPLY_ERR && r.err == ENOSPC,
          "...the arm answers it with the work's error");
    CHECK(r.late_intr == 0 && freed == 1, "...after its callback was registered");
    fake_req_free(&r);

    freed = 0;
    zgfs_defer_arm(&fs, deferred(&r, me, group_a));
    fake_interrupt(&r);
    CHECK(r.replies == 0, "an interrupt for a harmless signal leaves the request waiting");
    zgfs_defer_done(&fs, group_a, NULL);
    CHECK(r.replies == 1 && r.kind == REPLY_WRITE, "...and the work answers it");
    fake_req_free(&r);

    freed = 0;
    p = deferred(&r, me, group_a);
    zgfs_defer_drop(&fs, p);
    zgfs_defer_done(&fs, group_a, NULL);
    CHECK(r.replies == 0 && freed == 0, "a dropped entry is not answered; its context stays");
    CHECK(fs.pending == NULL, "the list is empty again");
    fake_req_free(&r);

    /* An op: the interrupt stops its wait; its handler answers. */
    zgfs_op op;
    fake_req_init(&r, &fs, stopping);
    zgfs_op_begin(&r, &op);
    CHECK(zg_wait_current() == &op.w, "an op's wait is bound to its thread");
    fake_interrupt(&r);
    CHECK(zg_wait_stopped(&op.w) && r.replies == 0,
          "interrupting an op stops its wait and answers nothing");
    zgfs_op_end(&op);
    CHECK(zg_wait_current() != &op.w && fs.pending == NULL, "op end unbinds and unlists it");
    fake_interrupt(&r); /* a late interrupt finds nothing */
    CHECK(r.replies == 0, "a late interrupt finds nothing");
    fake_req_free(&r);
}

/* Long jobs: requests joining one keyed job. */
static int runs;

static int slow_job(void *arg, zg_err *err)
{
    (void)arg;
    (void)err;
    pass_gate();
    __atomic_add_fetch(&runs, 1, __ATOMIC_SEQ_CST);
    return 0;
}

static void test_join(void)
{
    struct fuse_req a, b;
    zg_err err = {0};
    fake_req_init(&a, &fs, stopping);
    fake_req_init(&b, &fs, me);
    freed = 0;
    runs = 0;
    close_gate();
    int ra =
        zgfs_work_join(fs.work, "k", slow_job, NULL, NULL, &a, answer_ok, NULL, count_free, &err);
    int rb =
        zgfs_work_join(fs.work, "k", slow_job, NULL, NULL, &b, answer_ok, NULL, count_free, &err);
    CHECK(ra == 0 && rb == 0, "two readers join one job");
    fake_interrupt(&a);
    CHECK(a.replies == 1 && a.err == EINTR, "the stopped one gets EINTR while the job runs");
    CHECK(b.replies == 0, "the other keeps waiting");
    open_gate();
    CHECK(fake_wait(&b, 5000) && b.kind == REPLY_WRITE, "the job's end answers the other");
    CHECK(a.replies == 1, "...and not the one that gave up");
    CHECK(runs == 1, "the job ran once");
    for (int i = 0; i < 100 && __atomic_load_n(&freed, __ATOMIC_SEQ_CST) < 2; i++)
        usleep(10000);
    CHECK(freed == 2, "both answer contexts are freed");
    reset_gate();
    fake_req_free(&a);
    fake_req_free(&b);
}

/* ------------------------------------------------------------ payloads */

#define INO 0x7fffabcd /* no descriptor of this process has it */

static zgfs_handle *open_node(size_t node, int flags)
{
    zgfs_call c = {.fs = &fs, .node = node, .uid = 1000, .gid = 1000, .pid = me};
    snprintf(c.path, sizeof c.path, "%s", zgfs_nodes[node].pattern);
    zgfs_handle *h = zgfs_handle_new(&c);
    struct fuse_file_info fi = {.flags = flags};
    zg_err err = {0};
    h->ino = INO;
    h->flags = flags;
    if (zgfs_kind_of(&c)->open(h, &fi, &err)) {
        zgfs_handle_put(h);
        return NULL;
    }
    return h;
}

static void close_node(zgfs_handle *h)
{
    zgfs_kind_of(&h->call)->release(h);
    zgfs_handle_put(h);
}

/* One request to h from pid; its reply in *r (initialized here). */
static void do_write(struct fuse_req *r, zgfs_handle *h, pid_t pid, const char *s, off_t off)
{
    fake_req_init(r, &fs, pid);
    zgfs_kind_of(&h->call)->write(r, h, s, strlen(s), off);
}

static void do_flush(struct fuse_req *r, zgfs_handle *h, pid_t pid)
{
    fake_req_init(r, &fs, pid);
    zgfs_kind_of(&h->call)->flush(r, h);
}

static void do_read(struct fuse_req *r, zgfs_handle *h, off_t off)
{
    fake_req_init(r, &fs, me);
    zgfs_kind_of(&h->call)->read(r, h, sizeof r->data, off);
}

static int commits_now(void)
{
    pthread_mutex_lock(&seen);
    int n = commits;
    pthread_mutex_unlock(&seen);
    return n;
}

static void test_payload(void)
{
    struct fuse_req w, f, r;
    commits = 0;

    zgfs_handle *h = open_node(1, O_RDWR | O_TRUNC);
    CHECK(h && h->state, "a payload opened for writing has its state");
    do_write(&w, h, me, "hel", 0);
    CHECK(w.kind == REPLY_WRITE && w.written == 3, "a write is taken");
    do_write(&w, h, me, "lo", 3);
    do_flush(&f, h, other);
    CHECK(f.replies == 1 && f.err == 0 && commits_now() == 0,
          "another process's close commits nothing");
    do_flush(&f, h, me);
    CHECK(fake_wait(&f, 5000) && f.kind == REPLY_ERR && f.err == 0,
          "the opener's close is answered when the commit is done");
    CHECK(commits_now() == 1 && !strcmp(committed, "hello"), "...which got the whole payload");
    do_read(&r, h, 5);
    CHECK(r.kind == REPLY_BUF && r.len == 14 && !memcmp(r.data, "answer: hello\n", 14),
          "a read on the descriptor returns the commit's reply");
    do_write(&w, h, me, "again", 5);
    CHECK(w.kind == REPLY_WRITE, "a repeatable payload takes a new request after a commit");
    do_read(&r, h, 10);
    CHECK(fake_wait(&r, 5000) && commits_now() == 2 && !strcmp(committed, "again"),
          "a read commits the new request first");
    CHECK(r.len == 14 && !memcmp(r.data, "answer: again\n", 14), "...and returns its reply");
    do_write(&w, h, me, "0123456789abcdefg", 15);
    CHECK(w.kind == REPLY_ERR && w.err == EFBIG, "past the node's cap: EFBIG");
    do_flush(&f, h, me);
    CHECK(f.replies == 1 && f.err == 0 && commits_now() == 2,
          "a payload that cannot be whole is never sent");
    close_node(h);

    h = open_node(2, O_WRONLY);
    do_flush(&f, h, me);
    CHECK(f.replies == 1 && f.err == 0 && commits_now() == 2,
          "a close before any write (a shell's early flush) commits nothing");
    do_write(&w, h, me, "b", 5);
    do_write(&w, h, me, "a", 0);
    CHECK(w.kind == REPLY_ERR && w.err == EINVAL, "payloads are written front to back");
    close_node(h);

    h = open_node(2, O_WRONLY);
    do_write(&w, h, me, "fail now", 0);
    do_flush(&f, h, me);
    CHECK(fake_wait(&f, 5000) && f.err == EPERM, "a failed commit is the close's errno");
    zg_buf kept;
    zg_buf_init(&kept, 0);
    CHECK(zg_results_get(fs.results, 1000, "/send", &kept) &&
              !strcmp((const char *)kept.data, "error: refused\n"),
          "the caller's result keeps the sentence");
    zg_buf_free(&kept);
    do_write(&w, h, me, "more", 8);
    CHECK(w.kind == REPLY_ERR && w.err == EINVAL, "one payload per open: a later write is EINVAL");
    close_node(h);

    h = open_node(2, O_WRONLY | O_TRUNC);
    do_flush(&f, h, me);
    CHECK(fake_wait(&f, 5000) && f.err == 0 && commits_now() == 4 && committed_len == 0,
          "an empty file closed by its opener is committed empty");
    close_node(h);

    /* A commit that takes time: writes wait, an interrupt frees the closer. */
    close_gate();
    h = open_node(2, O_WRONLY);
    do_write(&w, h, me, "slow", 0);
    do_flush(&f, h, me);
    CHECK(f.replies == 0, "the close waits for the commit");
    do_write(&w, h, me, "x", 4);
    CHECK(w.kind == REPLY_ERR && w.err == EBUSY, "a write during the commit is EBUSY");
    f.ctx.pid = stopping; /* Ctrl-C on the closer */
    fake_interrupt(&f);
    CHECK(f.replies == 1 && f.err == EINTR, "a stopped closer gets EINTR at once");
    open_gate();
    for (int i = 0; i < 500 && commits_now() < 5; i++)
        usleep(10000);
    CHECK(commits_now() == 5 && !strcmp(committed, "slow"), "...and the commit runs to its end");
    reset_gate();
    close_node(h);

    h = open_node(2, O_WRONLY);
    do_write(&w, h, me, "bye", 0);
    close_node(h); /* released without a close that committed */
    for (int i = 0; i < 500 && commits_now() < 6; i++)
        usleep(10000);
    CHECK(commits_now() == 6 && !strcmp(committed, "bye"), "release commits what no close did");
}

static int acts_now(void)
{
    pthread_mutex_lock(&seen);
    int n = acts;
    pthread_mutex_unlock(&seen);
    return n;
}

/* ------------------------------------------------------------ control files */

static void test_control(void)
{
    struct fuse_req w, f, r;
    zgfs_handle *h = open_node(3, O_RDWR);
    do_write(&w, h, me, "1.5", 0);
    CHECK(w.kind == REPLY_WRITE && w.written == 3 && acts_now() == 0,
          "a write without its newline is kept");
    do_write(&w, h, me, "\n", 3);
    CHECK(fake_wait(&w, 5000) && w.kind == REPLY_WRITE && w.written == 1,
          "the newline's write is answered when the command is done");
    CHECK(acts_now() == 1 && !strcmp(acted, "1.5"), "...which got the whole line");
    do_read(&r, h, 0);
    CHECK(r.len == 15 && !memcmp(r.data, "ok: funded 1.5\n", 15),
          "a read on the descriptor shows the result");
    do_write(&w, h, me, "2\n", 4);
    CHECK(w.kind == REPLY_ERR && w.err == EINVAL && acts_now() == 1, "one command per open");
    close_node(h);

    h = open_node(3, O_WRONLY);
    do_write(&w, h, me, "bad\n", 0);
    CHECK(fake_wait(&w, 5000) && w.kind == REPLY_ERR && w.err == EINVAL,
          "a failed command is the write's errno");
    close_node(h);
    h = open_node(3, O_RDONLY);
    do_read(&r, h, 0);
    CHECK(r.len == 18 && !memcmp(r.data, "error: bad amount\n", 18),
          "a fresh open reads the caller's last result");
    close_node(h);

    h = open_node(3, O_WRONLY);
    do_write(&w, h, me, "3", 0);
    do_flush(&f, h, other);
    CHECK(f.replies == 1 && f.err == 0 && acts_now() == 2, "another process's close runs nothing");
    do_flush(&f, h, me);
    CHECK(fake_wait(&f, 5000) && f.err == 0 && acts_now() == 3 && !strcmp(acted, "3"),
          "the opener's last close runs a line without its newline");
    close_node(h);

    close_gate();
    h = open_node(3, O_WRONLY);
    do_write(&w, h, stopping, "4\n", 0);
    CHECK(w.replies == 0, "the write waits for the command");
    fake_interrupt(&w);
    CHECK(w.replies == 1 && w.err == EINTR, "a stopped writer gets EINTR at once");
    open_gate();
    for (int i = 0; i < 500 && acts_now() < 4; i++)
        usleep(10000);
    CHECK(acts_now() == 4 && !strcmp(acted, "4") && w.replies == 1,
          "...and the command runs to its end, answering nobody");
    reset_gate();
    close_node(h);

    h = open_node(3, O_WRONLY);
    do_write(&w, h, me, "5", 0);
    close_node(h);
    for (int i = 0; i < 500 && acts_now() < 5; i++)
        usleep(10000);
    CHECK(acts_now() == 5 && !strcmp(acted, "5"), "release runs what no close did");
}

int main(void)
{
    zg_err err = {0};
    sem_init(&gate, 0, 0);
    me = getpid();
    other = child(false);
    stopping = child(true);
    pthread_mutex_init(&fs.pending_lock, NULL);
    pthread_mutex_init(&fs.open_lock, NULL);
    fs.opts.session.timeout = 60;
    if (zg_oplog_new(&fs.log, 1 << 16, &err) || zg_results_new(&fs.results, &err) ||
        zgfs_work_new(&fs.work, &fs, &err) || zgfs_work_start(fs.work, &err) ||
        zg_workq_new(&fs.jobs, 2, &err)) {
        printf("not ok - setup: %s\n", err.msg);
        return 1;
    }

    test_deferred();
    test_join();
    test_payload();
    test_control();

    zg_workq_free(fs.jobs);
    zgfs_work_free(fs.work);
    zgfs_open_free_all(&fs);
    zg_results_free(fs.results);
    zg_oplog_free(fs.log);
    pthread_mutex_destroy(&fs.pending_lock);
    pthread_mutex_destroy(&fs.open_lock);
    sem_destroy(&gate);
    kill(other, SIGKILL);
    kill(stopping, SIGKILL);
    waitpid(other, NULL, 0);
    waitpid(stopping, NULL, 0);
    return check_done();
}

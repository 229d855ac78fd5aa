/* The deadline watch of a mount: one long job that asks the core what is
 * due about the wallet's deliverables (zg/deadline.h) every few seconds
 * and does it: a warning in log (once per task and kind, the same marks
 * deliverable.json uses), or with -o autoack the core's safe path for the
 * model (zg_lora_fetch, through files/artifacts.c), one job per task so a
 * provider slow to settle holds up no other task.
 *
 * A model that fails its checks (EIO: nothing was acknowledged) is
 * refused for the rest of the mount: it is said once in log and never
 * tried again, so a bad file cannot turn into an acknowledgement by
 * asking until something else answers; its deadline warnings come as
 * without autoack. Any other failure (the network, a provider slow to
 * settle) is tried again at the next look, and said in log when its
 * errno or kind differs from the task's last one. A reader of lora.bin at the
 * same time takes turns with the job in the core (zg_lora_fetch), so a
 * deliverable is acknowledged once. */
#include <errno.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files/files.h"
#include "zg/deadline.h"
#include "zgfs.h"

#define LOOK_AUTOACK_MS 10000   /* how often the watch looks with autoack */
#define LOOK_PLAIN_MS   30000   /* without: warnings have an hour of slack */
#define LOOK_IDLE_MS    300000  /* without, while nothing waits for an acknowledgement */
#define BUSY_AFTER_TASK 7200000 /* a task created here: looks as if something waited */

typedef struct zgfs_watch zgfs_watch;

/* What the watch remembers of a task it acknowledged for. */
typedef struct seen {
    char key[128]; /* "0xP/ID" */
    bool refused;  /* the model failed its checks */
    bool failing;  /* the last attempt failed, and was said in log */
    int last_code; /* its errno */
    zg_err_kind last_kind;
} seen;

struct zgfs_watch {
    pthread_mutex_t lock; /* guards the list */
    seen *v;
    size_t n;
    atomic_llong busy_until_ms; /* zg_now_ms() until which a task created here is awaited */
};

int zgfs_autoack_parse(const char *text, long *seconds, zg_err *err)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    long unit = 1;
    if (end != text && !strcmp(end, "m"))
        unit = 60;
    else if (end != text && !strcmp(end, "h"))
        unit = 3600;
    else if (end == text || (*end && strcmp(end, "s")))
        unit = 0;
    if (!unit || errno || *text == '-' || *text == '+' || v < 1 || v > 86400 / unit)
        return zg_err_set(err, EINVAL,
                          "autoack=%s is not a duration from 1 s to 24 h before the deadline; "
                          "give seconds, 90s, 30m or 2h (or autoack alone: at delivery)",
                          text);
    *seconds = v * unit;
    return 0;
}

static void task_key(char out[128], const zg_open_task *t)
{
    char p[43];
    zg_addr_checksum(p, t->provider);
    snprintf(out, 128, "%s/%s", p, t->id);
}

/* The record of t, added when missing; NULL when out of memory. Lock
 * held. */
static seen *find_seen(zgfs_watch *w, const zg_open_task *t, bool add)
{
    char k[128];
    task_key(k, t);
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->v[i].key, k))
            return &w->v[i];
    if (!add)
        return NULL;
    seen *v = realloc(w->v, (w->n + 1) * sizeof *v);
    if (!v)
        return NULL;
    w->v = v;
    seen *x = &v[w->n++];
    memset(x, 0, sizeof *x);
    memcpy(x->key, k, sizeof x->key);
    return x;
}

static bool is_refused(zgfs_watch *w, const zg_open_task *t)
{
    pthread_mutex_lock(&w->lock);
    seen *x = find_seen(w, t, false);
    bool refused = x && x->refused;
    pthread_mutex_unlock(&w->lock);
    return refused;
}

/* Record the outcome of an attempt; true when it is worth a line in log
 * (a failure of another errno or kind than the last one: a provider down
 * for hours is one line, not one per look). */
static bool note_outcome(zgfs_watch *w, const zg_open_task *t, const zg_err *failure, bool refuse)
{
    pthread_mutex_lock(&w->lock);
    seen *x = find_seen(w, t, true);
    bool say = true;
    if (x) {
        x->refused = x->refused || refuse;
        if (!failure) {
            x->failing = false;
        } else if (x->failing && x->last_code == failure->code && x->last_kind == failure->kind) {
            say = false;
        } else {
            x->failing = true;
            x->last_code = failure->code;
            x->last_kind = failure->kind;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return say;
}

void zgfs_deadline_warn(zgfs *fs, const zg_open_task *t, uint64_t now, int due)
{
    if (due != ZG_DUE_WARN && due != ZG_DUE_PASSED)
        return;
    char key[160];
    snprintf(key, sizeof key, "warned:%s:%s", t->id, due == ZG_DUE_PASSED ? "passed" : "near");
    if (!zg_marks_first(fs->marks, key, -1))
        return;
    char line[512];
    zg_deadline_warning(line, sizeof line, t, now, (zg_due)due);
    zg_oplog_add(fs->log, "%s", line);
}

/* ---- one automatic acknowledgement */

typedef struct autoack {
    zgfs *fs;
    zg_open_task t; /* id owned */
} autoack;

static void autoack_free(void *p)
{
    autoack *a = p;
    free(a->t.id);
    free(a);
}

static int autoack_run(void *arg, zg_err *err)
{
    autoack *a = arg;
    zgfs *fs = a->fs;
    char p[43], who[256];
    zg_addr_checksum(p, a->t.provider);
    snprintf(who, sizeof who, "autoack: providers/%s/tasks/%s/lora.bin", p, a->t.id);
    zg_buf ok;
    zg_buf_init(&ok, 256);
    int rc = zgfs_lora_autoack(fs, a->t.provider, a->t.id, who, &ok, err);
    bool refused = rc && err && err->code == EIO;
    bool say = note_outcome(fs->watch, &a->t, rc ? err : NULL, refused);
    if (rc == 0)
        zg_oplog_add(fs->log, "%s: ok: %s", who, (const char *)ok.data);
    else if (refused)
        zg_oplog_add(fs->log,
                     "%s: error: %s; not acknowledged, and not tried again while mounted "
                     "(write yes to its ack to acknowledge it anyway)",
                     who, err->msg);
    else if (say && !zgfs_work_stopping(fs->work))
        zg_oplog_add(fs->log, "%s: error: %s%s", who, err ? err->msg : "",
                     err && err->code == ETIMEDOUT ? "" : "; tried again at the next look");
    zg_buf_free(&ok);
    return rc;
}

static void schedule(zgfs *fs, const zg_open_task *t)
{
    autoack *a = calloc(1, sizeof *a);
    if (!a || !(a->t.id = strdup(t->id))) {
        free(a);
        return;
    }
    a->fs = fs;
    memcpy(a->t.provider, t->provider, 20);
    char key[160], p[43];
    zg_addr_checksum(p, t->provider);
    snprintf(key, sizeof key, "autoack:%s/%s", p, t->id);
    /* A job still running for the task is joined (a freed). */
    zgfs_work_join(fs->work, key, autoack_run, a, autoack_free, NULL, NULL, NULL, NULL, NULL);
}

/* ---- the watch */

/* One look: what is due is done. Whether anything waits for an
 * acknowledgement or a settlement (true too when the chain could not be
 * asked). */
static bool look(zgfs *fs)
{
    zg_wait w;
    zg_wait_init(&w, zgfs_work_wait(fs->work), (long)fs->opts.timeout * 1000, 0);
    zg_wait *outer = zg_wait_bind(&w);
    zg_open_tasks t;
    int rc = zg_deadline_scan(fs->client, false, &t, NULL);
    zg_wait_bind(outer);
    if (rc)
        return true; /* the network: look again soon */
    for (size_t i = 0; i < t.n; i++) {
        const zg_open_task *e = &t.v[i];
        long setting = is_refused(fs->watch, e) ? ZG_AUTOACK_OFF : fs->autoack;
        zg_due due = zg_deadline_due(e, t.now, setting);
        if (due == ZG_DUE_ACK)
            schedule(fs, e);
        else
            zgfs_deadline_warn(fs, e, t.now, due);
    }
    bool open = t.n > 0;
    zg_open_tasks_free(&t);
    return open;
}

/* Without autoack an idle mount asks the chain every few minutes only:
 * a delivery is seen within LOOK_IDLE_MS, far inside its window, and
 * after it the deliverable keeps the watch at LOOK_PLAIN_MS until it is
 * settled. */
static int watch_run(void *arg, zg_err *err)
{
    (void)err;
    zgfs *fs = arg;
    bool acking = fs->autoack != ZG_AUTOACK_OFF, open = true;
    int64_t last = 0;
    /* The first look comes one period after the mount, not with it: the
     * mount's first requests are the caller's. */
    while (zg_wait_sleep(zgfs_work_wait(fs->work), acking ? LOOK_AUTOACK_MS : LOOK_PLAIN_MS,
                         NULL) == 0) {
        int64_t now = zg_now_ms();
        if (acking || open || now < atomic_load(&fs->watch->busy_until_ms) ||
            now - last >= LOOK_IDLE_MS) {
            open = look(fs);
            last = now;
        }
    }
    return 0; /* the mount is going away */
}

void zgfs_watch_poke(zgfs *fs)
{
    if (fs->watch)
        atomic_store(&fs->watch->busy_until_ms, zg_now_ms() + BUSY_AFTER_TASK);
}

int zgfs_watch_start(zgfs *fs, zg_err *err)
{
    zgfs_watch *w = calloc(1, sizeof *w);
    if (!w)
        return zg_err_set(err, ENOMEM, "out of memory");
    pthread_mutex_init(&w->lock, NULL);
    atomic_init(&w->busy_until_ms, 0);
    fs->watch = w;
    if (fs->autoack == ZG_AUTOACK_AT_DELIVERY)
        zg_oplog_add(fs->log, "autoack: delivered models are acknowledged at delivery");
    else if (fs->autoack != ZG_AUTOACK_OFF)
        zg_oplog_add(fs->log,
                     "autoack: delivered models are acknowledged %ld s before their deadline",
                     fs->autoack);
    return zgfs_work_join(fs->work, "deadline-watch", watch_run, fs, NULL, NULL, NULL, NULL, NULL,
                          err);
}

void zgfs_watch_free(zgfs *fs)
{
    zgfs_watch *w = fs->watch;
    if (!w)
        return;
    free(w->v);
    pthread_mutex_destroy(&w->lock);
    free(w);
    fs->watch = NULL;
}

/* The deadline watch's decisions (zg/deadline.h): when to look, what a
 * look does, and what it remembers of the acknowledgements it started. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/deadline.h"
#include "zg/hex.h"

/* What the watch remembers of a task it acknowledged for. */
typedef struct seen {
    uint8_t provider[20];
    char *id;      /* owned */
    bool refused;  /* the model failed its checks */
    bool failing;  /* the last attempt failed, and was said */
    int last_code; /* its errno */
    zg_err_kind last_kind;
} seen;

struct zg_watch {
    long autoack;
    zg_marks *marks;      /* borrowed */
    pthread_mutex_t lock; /* guards v and n */
    seen *v;
    size_t n;
    atomic_llong busy_until_ms; /* a task created here is awaited until then */
    bool open;                  /* the last look found something waiting (or failed) */
    int64_t last_ms;            /* the last look, 0 before the first */
};

int zg_autoack_parse(const char *text, long *seconds, zg_err *err)
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

bool zg_deadline_warn_once(zg_marks *marks, const zg_open_task *t, uint64_t now, zg_due due,
                           char *out, size_t cap)
{
    if (due != ZG_DUE_WARN && due != ZG_DUE_PASSED)
        return false;
    char key[160];
    snprintf(key, sizeof key, "warned:%s:%s", t->id, due == ZG_DUE_PASSED ? "passed" : "near");
    if (!zg_marks_first(marks, key, -1))
        return false;
    zg_deadline_warning(out, cap, t, now, due);
    return true;
}

int zg_watch_new(zg_watch **out, long autoack, zg_marks *marks, zg_err *err)
{
    zg_watch *w = calloc(1, sizeof *w);
    if (!w)
        return zg_err_set(err, ENOMEM, "out of memory");
    w->autoack = autoack;
    w->marks = marks;
    w->open = true; /* nothing is known before the first look */
    pthread_mutex_init(&w->lock, NULL);
    atomic_init(&w->busy_until_ms, 0);
    *out = w;
    return 0;
}

void zg_watch_free(zg_watch *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i].id);
    free(w->v);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void zg_watch_banner(char *out, size_t cap, long autoack)
{
    if (cap)
        out[0] = 0;
    if (autoack == ZG_AUTOACK_AT_DELIVERY)
        snprintf(out, cap, "autoack: delivered models are acknowledged at delivery");
    else if (autoack != ZG_AUTOACK_OFF)
        snprintf(out, cap, "autoack: delivered models are acknowledged %ld s before their deadline",
                 autoack);
}

long zg_watch_period_ms(const zg_watch *w)
{
    return w->autoack != ZG_AUTOACK_OFF ? ZG_WATCH_AUTOACK_MS : ZG_WATCH_PLAIN_MS;
}

bool zg_watch_look_due(zg_watch *w, int64_t now_ms)
{
    return w->autoack != ZG_AUTOACK_OFF || w->open || now_ms < atomic_load(&w->busy_until_ms) ||
           now_ms - w->last_ms >= ZG_WATCH_IDLE_MS;
}

void zg_watch_poke(zg_watch *w, int64_t now_ms)
{
    atomic_store(&w->busy_until_ms, now_ms + ZG_WATCH_BUSY_MS);
}

/* The record of t, added when asked; NULL when missing or out of memory.
 * Lock held. */
static seen *find_seen(zg_watch *w, const zg_open_task *t, bool add)
{
    for (size_t i = 0; i < w->n; i++)
        if (!memcmp(w->v[i].provider, t->provider, 20) && !strcmp(w->v[i].id, t->id))
            return &w->v[i];
    if (!add)
        return NULL;
    char *id = strdup(t->id);
    seen *v = id ? realloc(w->v, (w->n + 1) * sizeof *v) : NULL;
    if (!v) {
        free(id);
        return NULL;
    }
    w->v = v;
    seen *x = &v[w->n++];
    memset(x, 0, sizeof *x);
    memcpy(x->provider, t->provider, 20);
    x->id = id;
    return x;
}

static bool is_refused(zg_watch *w, const zg_open_task *t)
{
    pthread_mutex_lock(&w->lock);
    seen *x = find_seen(w, t, false);
    bool refused = x && x->refused;
    pthread_mutex_unlock(&w->lock);
    return refused;
}

void zg_watch_look(zg_watch *w, int64_t now_ms, const zg_open_tasks *t, const zg_watch_ops *ops)
{
    w->last_ms = now_ms;
    w->open = !t || t->n > 0; /* a failed scan: the network, look again soon */
    for (size_t i = 0; t && i < t->n; i++) {
        const zg_open_task *e = &t->v[i];
        long setting = is_refused(w, e) ? ZG_AUTOACK_OFF : w->autoack;
        zg_due due = zg_deadline_due(e, t->now, setting);
        char line[512];
        if (due == ZG_DUE_ACK)
            ops->ack(ops->arg, e);
        else if (zg_deadline_warn_once(w->marks, e, t->now, due, line, sizeof line))
            ops->say(ops->arg, line);
    }
}

void zg_watch_name(char *out, size_t cap, const zg_open_task *t)
{
    char p[43];
    zg_addr_checksum(p, t->provider);
    snprintf(out, cap, "autoack: providers/%s/tasks/%s/lora.bin", p, t->id);
}

bool zg_watch_outcome(zg_watch *w, const zg_open_task *t, const char *ok, const zg_err *failure,
                      bool stopping, char *out, size_t cap)
{
    bool refuse = failure && failure->code == EIO;
    bool changed = true;
    pthread_mutex_lock(&w->lock);
    seen *x = find_seen(w, t, true);
    if (x) {
        x->refused = x->refused || refuse;
        if (!failure) {
            x->failing = false;
        } else if (x->failing && x->last_code == failure->code && x->last_kind == failure->kind) {
            changed = false;
        } else {
            x->failing = true;
            x->last_code = failure->code;
            x->last_kind = failure->kind;
        }
    }
    pthread_mutex_unlock(&w->lock);
    char who[256];
    zg_watch_name(who, sizeof who, t);
    if (cap)
        out[0] = 0;
    if (!failure) {
        snprintf(out, cap, "%s: ok: %s", who, ok ? ok : "");
        return true;
    }
    if (refuse) {
        snprintf(out, cap,
                 "%s: error: %s; not acknowledged, and not tried again while mounted "
                 "(write yes to its ack to acknowledge it anyway)",
                 who, failure->msg);
        return true;
    }
    if (!changed || stopping)
        return false;
    snprintf(out, cap, "%s: error: %s%s", who, failure->msg,
             failure->code == ETIMEDOUT ? "" : "; tried again at the next look");
    return true;
}

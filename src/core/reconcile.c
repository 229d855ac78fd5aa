#include "zg/reconcile.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/hex.h"
#include "zg/tasks.h"

/* How long one pass waits for a transaction it broadcast again: enough for
 * a chain that mines at once, short enough that a pending one does not hold
 * up the records after it (a later pass looks again). */
#define LOOK_MS 1000

static void say_line(zg_say_fn say, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say_line(zg_say_fn say, void *ctx, const char *fmt, ...)
{
    if (!say)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say(ctx, line);
}

static void fail(zg_journal *j, const char *id, const char *why)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "error", why);
    zg_journal_update(j, id, "failed", f, NULL);
}

/* A signed transaction an operation left open: settled only by a receipt
 * for its hash or by its nonce taken by another transaction. true when the
 * record is final now. */
static bool settle_tx(zg_client *c, zg_journal *j, const char *id, const char *op, const cJSON *rec,
                      const cJSON *tx, zg_say_fn say, void *ctx)
{
    /* An operation on a task names it: the journal id alone means nothing
     * to whoever reads the log. */
    const char *task = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "task"));
    char what[160];
    snprintf(what, sizeof what, "%s %s%s%.40s%s", op, id, task ? " (task " : "", task ? task : "",
             task ? ")" : "");
    const char *hh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "hash"));
    zg_receipt r;
    zg_tx_fate fate;
    zg_err e = {0};
    if (zg_chain_recover(c->chain, tx, LOOK_MS, &fate, &r, &e)) {
        fail(j, id, "journal record damaged; check the chain by hand");
        say_line(say, ctx, "recovery: %s: the journal record is damaged", what);
        return true;
    }
    bool final = true;
    switch (fate) {
    case ZG_TX_MINED:
        if (r.success) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddBoolToObject(f, "recovered", true);
            zg_journal_update(j, id, "done", f, NULL);
            say_line(say, ctx, "recovery: %s, sent before the crash, finished on chain (tx %s)",
                     what, hh);
        } else {
            fail(j, id, "the transaction was reverted on chain");
            say_line(say, ctx, "recovery: %s was reverted on chain (tx %s)", what, hh);
        }
        break;
    case ZG_TX_REPLACED:
        fail(j, id,
             "superseded by another transaction of this wallet with the same nonce; nothing "
             "happened");
        say_line(say, ctx,
                 "recovery: %s never happened (its nonce was used by another transaction)", what);
        break;
    case ZG_TX_PENDING:
        say_line(say, ctx, "recovery: %s is still pending (tx %s: %s); will look again", what, hh,
                 e.msg);
        final = false;
        break;
    }
    zg_receipt_free(&r);
    return final;
}

static int pass(zg_client *c, zg_journal *j, zg_say_fn say, void *ctx, const atomic_bool *stop,
                zg_err *err)
{
    cJSON *recs = NULL;
    if (zg_journal_open_records(j, &recs, err))
        return -1;
    int settled = 0;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, recs)
    {
        if (stop && atomic_load(stop))
            break;
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id"));
        const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "op"));
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "state"));
        const cJSON *tx = cJSON_GetObjectItemCaseSensitive(rec, "tx");
        if (!id || !op || !st)
            continue;
        if (tx) {
            if (settle_tx(c, j, id, op, rec, tx, say, ctx))
                settled++;
        } else if (strcmp(op, "task") == 0) {
            char line[512] = "";
            int rc = zg_task_reconcile(c, j, rec, line, sizeof line);
            if (line[0])
                say_line(say, ctx, "%s", line);
            if (rc == 0)
                settled++;
        } else if (strcmp(st, "intent") == 0) {
            /* Nothing was signed, so nothing can have reached the chain. */
            fail(j, id, "interrupted before anything was sent");
            say_line(say, ctx,
                     "recovery: %s %s was interrupted before anything was sent; nothing happened",
                     op, id);
            settled++;
        }
    }
    cJSON_Delete(recs);
    return settled;
}

int zg_reconcile(zg_client *c, zg_journal *j, zg_say_fn say, void *ctx, zg_err *err)
{
    return pass(c, j, say, ctx, NULL, err);
}

struct zg_reconciler {
    zg_client *c;
    zg_journal *j;
    long interval_ms;
    zg_say_fn say;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_bool stop;
};

static void *loop(void *arg)
{
    zg_reconciler *r = arg;
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += r->interval_ms / 1000;
        until.tv_nsec += (r->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&r->lock);
        while (!atomic_load(&r->stop) &&
               pthread_cond_timedwait(&r->wake, &r->lock, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&r->lock);
        if (atomic_load(&r->stop))
            return NULL;
        pass(r->c, r->j, r->say, r->ctx, &r->stop, NULL);
    }
}

int zg_reconciler_start(zg_reconciler **out, zg_client *c, zg_journal *j, long interval_ms,
                        zg_say_fn say, void *ctx, zg_err *err)
{
    if (interval_ms <= 0)
        return zg_err_set(err, EINVAL, "the reconciler's interval must be positive");
    zg_reconciler *r = calloc(1, sizeof *r);
    if (!r)
        return zg_err_set(err, ENOMEM, "out of memory");
    *r = (zg_reconciler){.c = c, .j = j, .interval_ms = interval_ms, .say = say, .ctx = ctx};
    atomic_init(&r->stop, false);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&r->lock, NULL);
    int rc = pthread_create(&r->thread, NULL, loop, r);
    if (rc) {
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return zg_err_set(err, rc, "cannot start the reconciler: %s", strerror(rc));
    }
    *out = r;
    return 0;
}

void zg_reconciler_stop(zg_reconciler *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->stop, true);
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

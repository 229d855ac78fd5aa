/* The settlement loop (docs/protocol.md §P3.3, §C4.5):
 * every cfg.settle_ms, for each Delivered task read the deliverable on chain.
 * Acknowledged: UserAcknowledged, hand the adapter to the inference side,
 * settleFees with the AES key ECIES-encrypted to the user's recovered public
 * key, Finished. Not acknowledged past min(ack timeout, lockTime/2) of chain
 * time: settleFees with an empty secret (penalty), Finished. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "prov.h"
#include "zg/ecies.h"
#include "zg/ftserving.h"

#define SETTLE_MAX_FAILURES 10

static void finish(prov_ctx *ctx, prov_task *t, const char *how)
{
    pthread_mutex_lock(&ctx->lock);
    task_set_progress(ctx, t, P_FINISHED);
    pthread_mutex_unlock(&ctx->lock);
    task_log(ctx, t->id, "Settle task %s successfully%s", t->id, how);
    plog("task %s settled%s", t->id, how);
}

static void settle_failed(prov_ctx *ctx, prov_task *t, const char *msg)
{
    pthread_mutex_lock(&ctx->lock);
    int n = ++t->settle_failures;
    if (n >= SETTLE_MAX_FAILURES)
        task_set_progress(ctx, t, P_FAILED);
    pthread_mutex_unlock(&ctx->lock);
    task_log(ctx, t->id, "Error settling task %s (attempt %d of %d): %s", t->id, n,
             SETTLE_MAX_FAILURES, msg);
    if (n >= SETTLE_MAX_FAILURES)
        task_log(ctx, t->id, "Task %s failed: settlement retries exhausted", t->id);
}

static int settle(prov_ctx *ctx, prov_task *t, const uint8_t *secret, size_t secret_len,
                  zg_err *err)
{
    zg_ft_settlement s;
    memset(&s, 0, sizeof s);
    s.id = t->id;
    s.secret = secret;
    s.secret_len = secret_len;
    /* The settlement signs the bytes that were posted, whatever their form. */
    pthread_mutex_lock(&ctx->lock);
    size_t root_len = t->root_len;
    uint8_t *root = root_len ? malloc(root_len) : NULL;
    if (root)
        memcpy(root, t->root, root_len);
    char fee[ZG_U256_DEC_MAX];
    snprintf(fee, sizeof fee, "%s", t->fee);
    pthread_mutex_unlock(&ctx->lock);
    if (!root)
        return zg_err_set(err, EINVAL, "task %s has no model root hash", t->id);
    s.root = root;
    s.root_len = root_len;
    memcpy(s.user, t->user, 20);
    int rc = -1;
    if (zg_u256_from_dec(&s.nonce, t->nonce, err) == 0 && zg_u256_from_dec(&s.fee, fee, err) == 0)
        rc = zg_ft_settle_fees(ctx->ft, &s, &ctx->ft_tee, NULL, err);
    free(root);
    return rc;
}

static void settle_one(prov_ctx *ctx, prov_task *t, uint64_t now, uint64_t timeout)
{
    zg_err err;
    zg_deliverable d;
    memset(&d, 0, sizeof d);
    if (zg_ft_get_deliverable(ctx->ft, t->user, ctx->ft_key.addr, t->id, &d, &err)) {
        plog("task %s: reading the deliverable: %s", t->id, err.msg);
        return;
    }
    bool acked = d.acknowledged, settled = d.settled;
    zg_deliverable_free(&d);
    if (settled) {
        finish(ctx, t, " (already settled on chain)");
        return;
    }
    if (acked) {
        pthread_mutex_lock(&ctx->lock);
        bool first = t->progress == P_DELIVERED;
        if (first)
            task_set_progress(ctx, t, P_USERACK);
        if (!t->adapter_registered)
            adapter_ack_seen(ctx, t);
        bool ready = t->has_key && t->has_pub;
        uint8_t key[32], pub[65];
        memcpy(key, t->key, 32);
        memcpy(pub, t->user_pub, 65);
        pthread_mutex_unlock(&ctx->lock);
        if (first)
            task_log(ctx, t->id, "User acknowledged the deliverable of task %s", t->id);
        if (!ready) {
            OPENSSL_cleanse(key, sizeof key);
            settle_failed(ctx, t, "the model key or the user's public key is missing");
            return;
        }
        zg_buf blob;
        zg_buf_init(&blob, 0);
        int rc = zg_ecies_encrypt(&blob, pub, key, 32, &err);
        OPENSSL_cleanse(key, sizeof key);
        if (!rc)
            rc = settle(ctx, t, blob.data, blob.len, &err);
        zg_buf_free(&blob);
        if (rc)
            settle_failed(ctx, t, err.msg);
        else
            finish(ctx, t, "");
        return;
    }
    pthread_mutex_lock(&ctx->lock);
    uint64_t due = t->deliver_time + timeout;
    pthread_mutex_unlock(&ctx->lock);
    if (now < due)
        return;
    task_log(ctx, t->id,
             "The deliverable of task %s was not acknowledged within %llu seconds; settling "
             "with the penalty fee, the model key is not published",
             t->id, (unsigned long long)timeout);
    if (settle(ctx, t, NULL, 0, &err))
        settle_failed(ctx, t, err.msg);
    else
        finish(ctx, t, " (penalty: not acknowledged in time)");
}

void *settle_main(void *arg)
{
    prov_ctx *ctx = arg;
    while (sleep_ms(ctx, ctx->cfg.settle_ms)) {
        pthread_mutex_lock(&ctx->lock);
        size_t n = 0;
        prov_task **due = calloc(ctx->ntasks ? ctx->ntasks : 1, sizeof *due);
        for (size_t i = 0; due && i < ctx->ntasks; i++)
            if (ctx->tasks[i]->progress == P_DELIVERED || ctx->tasks[i]->progress == P_USERACK)
                due[n++] = ctx->tasks[i];
        pthread_mutex_unlock(&ctx->lock);
        if (n) {
            zg_err err;
            uint64_t now = 0, lock_time = 0;
            if (chain_now(ctx->ft, &now, &err))
                plog("reading the chain time: %s", err.msg);
            uint64_t timeout = ctx->cfg.ack_timeout_s;
            if (zg_ft_lock_time(ctx->ft, &lock_time, &err) == 0 && lock_time / 2 < timeout)
                timeout = lock_time / 2;
            for (size_t i = 0; i < n && !zg_wait_stopped(&ctx->stopping); i++)
                if (now)
                    settle_one(ctx, due[i], now, timeout);
        }
        free(due);
    }
    return NULL;
}

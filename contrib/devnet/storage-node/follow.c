/* Following the chain: poll eth_getLogs on the Flow for Submit events and
 * turn each into a file the node expects (as 0g-storage-node's log sync
 * does: the root is the fold of the submission's node roots, never the
 * event's identity). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node.h"
#include "zg/hex.h"

static cJSON *qty(uint64_t v)
{
    char s[32];
    snprintf(s, sizeof s, "0x%llx", (unsigned long long)v);
    return cJSON_CreateString(s);
}

int follow_sync(sn_ctx *ctx, zg_err *err)
{
    cJSON *blk = NULL;
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString("latest"));
    cJSON_AddItemToArray(p, cJSON_CreateFalse());
    if (zg_rpc_call(ctx->rpc, "eth_getBlockByNumber", p, &blk, NULL, err))
        return -1;
    uint64_t latest = 0;
    uint8_t hash[32] = {0};
    const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(blk, "hash"));
    if (zg_json_quantity_u64(cJSON_GetObjectItemCaseSensitive(blk, "number"), &latest, err) || !h ||
        zg_hex_decode_exact(hash, 32, h, NULL)) {
        cJSON_Delete(blk);
        return zg_err_prefix(err, "eth_getBlockByNumber");
    }
    cJSON_Delete(blk);
    pthread_mutex_lock(&ctx->lock);
    uint64_t from = ctx->synced_block + 1;
    pthread_mutex_unlock(&ctx->lock);
    if (from < ctx->deploy_block)
        from = ctx->deploy_block;
    if (latest < from)
        return 0;

    cJSON *filter = cJSON_CreateObject();
    cJSON_AddItemToObject(filter, "address", zg_json_hex(ctx->flow, 20));
    cJSON *topics = cJSON_AddArrayToObject(filter, "topics");
    cJSON_AddItemToArray(topics, zg_json_hex(zg_storage_submit_topic, 32));
    cJSON_AddItemToObject(filter, "fromBlock", qty(from));
    cJSON_AddItemToObject(filter, "toBlock", qty(latest));
    p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, filter);
    cJSON *logs = NULL;
    if (zg_rpc_call(ctx->rpc, "eth_getLogs", p, &logs, NULL, err))
        return zg_err_prefix(err, "eth_getLogs");
    int rc = 0;
    pthread_mutex_lock(&ctx->lock);
    const cJSON *lg;
    cJSON_ArrayForEach(lg, logs)
    {
        zg_storage_submit_event ev;
        zg_err e = {0};
        if (zg_storage_decode_submit(lg, &ev, &e)) {
            slog("ignoring a log: %s", e.msg);
            continue;
        }
        if (store_add_tx(ctx, &ev, &e)) {
            /* Retry the whole range next time rather than skip a file. */
            slog("cannot take Submit #%llu: %s", (unsigned long long)ev.tx_seq, e.msg);
            rc = zg_err_set(err, e.code, "%s", e.msg);
            break;
        }
    }
    if (rc == 0) {
        ctx->synced_block = latest;
        memcpy(ctx->synced_hash, hash, 32);
    }
    pthread_mutex_unlock(&ctx->lock);
    cJSON_Delete(logs);
    return rc;
}

static void *follower(void *arg)
{
    sn_ctx *ctx = arg;
    bool failing = false;
    while (!atomic_load(&ctx->stopping)) {
        /* A devnet whose directory is gone (a test that died without its
         * clean-up) has no use for its node: stop rather than linger. */
        struct stat st;
        if (stat(ctx->cfg.devnet_path, &st) != 0 && errno == ENOENT) {
            slog("%s is gone; stopping", ctx->cfg.devnet_path);
            kill(getpid(), SIGTERM);
            break;
        }
        zg_err e = {0};
        if (follow_sync(ctx, &e)) {
            if (!failing)
                slog("chain sync failed (will retry): %s", e.msg);
            failing = true;
        } else if (failing) {
            slog("chain sync works again");
            failing = false;
        }
        zg_sleep_ms(ctx->cfg.poll_ms);
    }
    return NULL;
}

int follow_start(sn_ctx *ctx, zg_err *err)
{
    if (pthread_create(&ctx->follower, NULL, follower, ctx) != 0)
        return zg_err_set(err, EAGAIN, "cannot start the chain follower");
    ctx->follower_up = true;
    return 0;
}

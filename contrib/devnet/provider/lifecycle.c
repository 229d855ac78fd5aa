/* The task lifecycle worker (docs/protocol.md §P3): one task at a time,
 * oldest first, through Init -> SettingUp -> SetUp -> Training -> Trained ->
 * Delivering -> Delivered, dwelling cfg.step_ms per step and writing a log
 * that grows line by line. Setup does the deferred checks of §2.6 (dataset,
 * signature, nonce, fee, balance); delivery builds and encrypts the artifact
 * and calls addDeliverable from the provider wallet. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <time.h>

#include "prov.h"
#include "zg/storage.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/keccak.h"

/* Move t from `from` to `to` unless someone (cancel) moved it meanwhile. */
static bool advance(prov_ctx *ctx, prov_task *t, prov_progress from, prov_progress to)
{
    pthread_mutex_lock(&ctx->lock);
    bool ok = t->progress == from;
    if (ok)
        task_set_progress(ctx, t, to);
    pthread_mutex_unlock(&ctx->lock);
    return ok;
}

static void fail(prov_ctx *ctx, prov_task *t, const char *why)
{
    task_log(ctx, t->id, "Error executing task %s: %s", t->id, why);
    task_log(ctx, t->id, "Task %s failed", t->id);
    plog("task %s failed: %s", t->id, why);
    pthread_mutex_lock(&ctx->lock);
    if (!prov_progress_terminal(t->progress))
        task_set_progress(ctx, t, P_FAILED);
    pthread_mutex_unlock(&ctx->lock);
}

struct setup_out {
    size_t rows;
    uint64_t tokens;
    int batch;
    long max_steps;
    double lr;
};

/* The deferred checks; on failure *why is set and -1 returned. */
static int setup(prov_ctx *ctx, prov_task *t, struct setup_out *o, char *why, size_t wl)
{
    zg_err err;
    /* The dataset: only uploads (§2.5) exist on the devnet. */
    uint8_t h[32];
    char hash[67] = "0x";
    if (zg_hex_decode_exact(h, 32, t->dataset_hash, NULL)) {
        snprintf(why, wl, "dataset hash %.80s is not a 32-byte hex hash", t->dataset_hash);
        return -1;
    }
    zg_hex_encode(hash + 2, h, 32);
    char path[PATH_MAX];
    dataset_path(ctx, path, t->user, hash);
    zg_buf ds;
    zg_buf_init(&ds, 0);
    /* Not uploaded to the TEE: a real provider then takes the hash as a 0G
     * Storage root and fetches the file, every segment checked by proof. */
    if (access(path, R_OK) != 0 && ctx->storage) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        if (zg_mkdirs(dir, 0700, &err) ||
            zg_storage_pool_download(ctx->storage, h, path, NULL, NULL, &err)) {
            snprintf(why, wl, "dataset %s is neither uploaded to the TEE nor on 0G Storage: %s",
                     hash, err.msg);
            return -1;
        }
        task_log(ctx, t->id, "Dataset %s fetched from 0G Storage, verified by Merkle proofs", hash);
    }
    if (read_file(path, &ds, (size_t)200 << 20, &err)) {
        zg_buf_free(&ds);
        snprintf(why, wl,
                 "dataset %s not found for this user: upload it with POST "
                 "/v1/user/{user}/dataset or store it on 0G Storage",
                 hash);
        return -1;
    }
    prov_row *rows = NULL;
    size_t nrows = 0;
    if (dataset_rows(ds.data, ds.len, &rows, &nrows, &err)) {
        zg_buf_free(&ds);
        snprintf(why, wl, "reading the dataset: %s", err.msg);
        return -1;
    }
    dataset_rows_free(rows, nrows);
    o->rows = nrows;
    const char *counter = "stand-in count: whitespace words";
    if (ctx->tok) {
        if (dataset_tokens_bpe(ctx->tok, ds.data, ds.len, &o->tokens, &err)) {
            zg_buf_free(&ds);
            snprintf(why, wl, "counting tokens: %s", err.msg);
            return -1;
        }
        counter = "counted with the model's tokenizer";
    } else {
        o->tokens = dataset_tokens(ds.data, ds.len);
    }
    zg_buf_free(&ds);
    task_log(ctx, t->id, "Dataset %s: %zu rows, %llu tokens (%s)", hash, nrows,
             (unsigned long long)o->tokens, counter);

    cJSON *p = cJSON_Parse(t->training_params);
    o->batch = (int)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(p, "per_device_train_batch_size"));
    o->max_steps = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "max_steps"));
    o->lr = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "learning_rate"));
    cJSON_Delete(p);
    if (o->batch < 1)
        o->batch = 1;

    /* Signature over user || nonce || datasetHash-as-text (§1.4). */
    zg_u256 nonce;
    if (zg_u256_from_dec(&nonce, t->nonce, &err)) {
        snprintf(why, wl, "invalid nonce: %s", err.msg);
        return -1;
    }
    size_t dl = strlen(t->dataset_hash);
    uint8_t *msg = malloc(52 + dl);
    if (!msg) {
        snprintf(why, wl, "out of memory");
        return -1;
    }
    memcpy(msg, t->user, 20);
    zg_u256_to_be(msg + 20, &nonce);
    memcpy(msg + 52, t->dataset_hash, dl);
    uint8_t got[20], pub[65];
    int rc = recover_personal(got, pub, msg, 52 + dl, t->signature, true, &err);
    free(msg);
    if (rc || !addr_eq(got, t->user)) {
        snprintf(why, wl, "signature verification failed: the create-task signature %s",
                 rc ? err.msg : "does not recover to the task's userAddress");
        return -1;
    }

    /* Chain state. */
    zg_ft_service svc;
    memset(&svc, 0, sizeof svc);
    if (zg_ft_get_service(ctx->ft, ctx->ft_key.addr, &svc, &err)) {
        snprintf(why, wl, "reading the service: %s", err.msg);
        return -1;
    }
    zg_u256 price = svc.price_per_token;
    bool tee_ok = svc.tee_acknowledged;
    zg_ft_service_free(&svc);
    if (!tee_ok) {
        snprintf(why, wl, "the service's TEE signer is not acknowledged on chain");
        return -1;
    }
    zg_ft_account a;
    bool exists = false;
    memset(&a, 0, sizeof a);
    if (zg_ft_get_account(ctx->ft, t->user, ctx->ft_key.addr, &a, &exists, &err)) {
        snprintf(why, wl, "reading the account: %s", err.msg);
        return -1;
    }
    if (!exists) {
        snprintf(why, wl, "the user has no fine-tuning sub-account with this provider");
        return -1;
    }
    zg_u256 acct_nonce = a.nonce, bal = a.balance, pend = a.pending_refund;
    bool acked = a.acknowledged;
    zg_ft_account_free(&a);
    if (!acked) {
        snprintf(why, wl, "the user has not acknowledged the provider's TEE signer");
        return -1;
    }
    if (zg_u256_cmp(&nonce, &acct_nonce) <= 0) {
        char an[ZG_U256_DEC_MAX];
        zg_u256_to_dec(an, &acct_nonce);
        snprintf(why, wl, "nonce %s is not larger than the account's on-chain nonce %s", t->nonce,
                 an);
        return -1;
    }

    /* fee = tokens x pricePerToken x epochs x coefficient + storageFee (§7.3) */
    prov_model model, *m = model_for_task(t->model_hash, &model) ? &model : NULL;
    zg_u256 fee, tmp, sfee;
    bool of = zg_u256_mul_u64(&fee, &price, o->tokens ? o->tokens : 0);
    of |= zg_u256_mul_u64(&tmp, &fee, (uint64_t)t->epochs);
    of |= zg_u256_mul_u64(&fee, &tmp, m ? m->coefficient : 1);
    zg_u256 unit;
    zg_u256_from_u64(&unit, ZG_STORAGE_FEE_UNIT);
    of |= zg_u256_mul_u64(&sfee, &unit, m ? m->storage_units : 0);
    of |= zg_u256_add(&fee, &fee, &sfee);
    if (of) {
        snprintf(why, wl, "the fee overflows 256 bits");
        return -1;
    }
    char fee_dec[ZG_U256_DEC_MAX], avail_dec[ZG_U256_DEC_MAX];
    zg_u256_to_dec(fee_dec, &fee);
    zg_u256 avail;
    bool under = zg_u256_sub(&avail, &bal, &pend);
    if (under)
        zg_u256_from_u64(&avail, 0);
    zg_u256_to_dec(avail_dec, &avail);
    if (zg_u256_cmp(&avail, &fee) < 0) {
        snprintf(why, wl,
                 "insufficient balance: the task fee is %s neuron but the sub-account has %s "
                 "neuron available (balance minus pending refunds)",
                 fee_dec, avail_dec);
        return -1;
    }
    pthread_mutex_lock(&ctx->lock);
    snprintf(t->fee, sizeof t->fee, "%s", fee_dec);
    memcpy(t->user_pub, pub, 65);
    t->has_pub = true;
    tasks_save(ctx);
    pthread_mutex_unlock(&ctx->lock);
    task_log(ctx, t->id,
             "Fee: %llu tokens x price x %d epochs x coefficient %llu + storage fee = %s neuron",
             (unsigned long long)o->tokens, t->epochs, (unsigned long long)(m ? m->coefficient : 1),
             fee_dec);
    return 0;
}

static void train(prov_ctx *ctx, prov_task *t, const struct setup_out *o)
{
    long per_epoch = (long)((o->rows + (size_t)o->batch - 1) / (size_t)o->batch);
    if (per_epoch < 1)
        per_epoch = 1;
    long total = per_epoch * t->epochs;
    if (o->max_steps > 0 && o->max_steps < total)
        total = o->max_steps;
    /* At most 12 log lines, whatever the step count. */
    long every = total > 12 ? (total + 11) / 12 : 1;
    long dwell = ctx->cfg.train_step_ms ? ctx->cfg.train_step_ms : ctx->cfg.step_ms;
    uint8_t h[32];
    zg_keccak256(h, t->id, strlen(t->id));
    task_log(ctx, t->id, "Training started: %zu rows, %d epochs, batch size %d, %ld steps", o->rows,
             t->epochs, o->batch, total);
    for (long s = every;; s += every) {
        if (s > total)
            s = total;
        if (!sleep_ms(ctx, dwell))
            return;
        double epoch = (double)s / (double)per_epoch;
        double loss = 0.4 + 2.1 * exp(-2.5 * (double)s / (double)total) + (h[s % 32] % 50) / 1000.0;
        task_log(ctx, t->id,
                 "{'loss': %.4f, 'learning_rate': %.6g, 'epoch': %.2f, 'step': %ld/%ld}", loss,
                 o->lr * (1.0 - (double)s / (double)(total + 1)), epoch, s, total);
        if (s >= total)
            break;
    }
    task_log(ctx, t->id, "Training finished: %ld steps", total);
}

static void deliver(prov_ctx *ctx, prov_task *t)
{
    uint8_t key[32];
    zg_buf root;
    zg_buf_init(&root, 0);
    zg_err err;
    task_log(ctx, t->id, "Packing and encrypting the LoRA adapter");
    if (artifact_build(ctx, t, key, &root, &err)) {
        zg_buf_free(&root);
        fail(ctx, t, err.msg);
        return;
    }
    char *rh = artifact_root_text(root.data, root.len);
    pthread_mutex_lock(&ctx->lock);
    memcpy(t->key, key, 32);
    t->has_key = true;
    free(t->root);
    t->root = zg_buf_steal(&root, &t->root_len);
    tasks_save(ctx);
    pthread_mutex_unlock(&ctx->lock);
    task_log(ctx, t->id, "Encrypted model ready, model root hash %s", rh ? rh : "?");
    int tries = 0;
    for (;;) {
        if (zg_ft_add_deliverable(ctx->ft, t->user, t->id, t->root, t->root_len, NULL, &err) == 0)
            break;
        if (strcasestr(err.msg, "previous deliverable")) {
            char why[512];
            snprintf(why, sizeof why,
                     "addDeliverable failed: %s. Hint: the previous deliverable of this user is "
                     "not acknowledged on chain; acknowledge it (acknowledgeDeliverable) and "
                     "create a new task",
                     err.msg);
            fail(ctx, t, why);
            free(rh);
            return;
        }
        if (++tries >= 3 || zg_wait_stopped(&ctx->stopping)) {
            char why[400];
            snprintf(why, sizeof why, "addDeliverable failed: %s", err.msg);
            fail(ctx, t, why);
            free(rh);
            return;
        }
        task_log(ctx, t->id, "addDeliverable failed (%s); retrying", err.msg);
        sleep_ms(ctx, ctx->cfg.step_ms);
    }
    uint64_t when = 0;
    zg_deliverable d;
    memset(&d, 0, sizeof d);
    if (zg_ft_get_deliverable(ctx->ft, t->user, ctx->ft_key.addr, t->id, &d, &err) == 0) {
        when = d.timestamp;
        zg_deliverable_free(&d);
    } else if (chain_now(ctx->ft, &when, &err)) {
        when = (uint64_t)time(NULL);
    }
    pthread_mutex_lock(&ctx->lock);
    t->deliver_time = when;
    task_set_progress(ctx, t, P_DELIVERED);
    pthread_mutex_unlock(&ctx->lock);
    task_log(ctx, t->id,
             "Task %s delivered (model root hash %s). Download it and acknowledge the "
             "deliverable on chain within %llu seconds.",
             t->id, rh ? rh : "?", (unsigned long long)ctx->cfg.ack_timeout_s);
    plog("task %s delivered", t->id);
    free(rh);
}

static void run(prov_ctx *ctx, prov_task *t)
{
    if (!sleep_ms(ctx, ctx->cfg.step_ms) || !advance(ctx, t, P_INIT, P_SETTINGUP))
        return;
    task_log(ctx, t->id, "Setting up task %s: dataset, chain state, signature and fee", t->id);
    struct setup_out o;
    memset(&o, 0, sizeof o);
    char why[512];
    if (!sleep_ms(ctx, ctx->cfg.step_ms))
        return;
    if (setup(ctx, t, &o, why, sizeof why)) {
        pthread_mutex_lock(&ctx->lock);
        bool still = t->progress == P_SETTINGUP;
        pthread_mutex_unlock(&ctx->lock);
        if (still)
            fail(ctx, t, why);
        return;
    }
    if (!advance(ctx, t, P_SETTINGUP, P_SETUP))
        return;
    task_log(ctx, t->id, "Task %s set up", t->id);
    if (!sleep_ms(ctx, ctx->cfg.step_ms) || !advance(ctx, t, P_SETUP, P_TRAINING))
        return;
    train(ctx, t, &o);
    if (zg_wait_stopped(&ctx->stopping) || !advance(ctx, t, P_TRAINING, P_TRAINED))
        return;
    if (!sleep_ms(ctx, ctx->cfg.step_ms) || !advance(ctx, t, P_TRAINED, P_DELIVERING))
        return;
    deliver(ctx, t);
}

void *lifecycle_main(void *arg)
{
    prov_ctx *ctx = arg;
    while (!zg_wait_stopped(&ctx->stopping)) {
        pthread_mutex_lock(&ctx->lock);
        prov_task *t = NULL;
        for (size_t i = 0; i < ctx->ntasks && !t; i++)
            if (ctx->tasks[i]->progress == P_INIT)
                t = ctx->tasks[i];
        if (!t) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&ctx->wake, &ctx->lock, &ts);
            pthread_mutex_unlock(&ctx->lock);
            continue;
        }
        pthread_mutex_unlock(&ctx->lock);
        run(ctx, t);
    }
    return NULL;
}

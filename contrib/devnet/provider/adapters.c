/* The inference side's LoRA adapters, after 0g-serving-broker
 * api/inference/internal/lora/manager.go. An adapter is registered when the
 * settlement loop sees the user's on-chain acknowledgement, or
 * cfg.lora_watch_ms later (the broker's event_watcher.go polls for
 * DeliverableAcknowledged every pollBlockInterval; the fine-tuning side
 * hands over the key in memory), named by MakeAdapterName from the LoRA
 * base model, and is `loading` for cfg.lora_loading_ms (the broker's 0G
 * Storage download) while the artifact is really decrypted with that key
 * and training_data.json loaded; then `ready`, or `failed` for a damaged
 * artifact. A deploy (Manager.UserDeployAdapter, http_inf.c) moves ready
 * or failed to `loading` again and, one step later, to `active` (or back
 * to `failed` when there is nothing to deploy). Chat answers with the
 * completion of the closest training prompt. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "prov.h"
#include "zg/hex.h"
#include "zg/modelroot.h"

static const char *const astate_names[] = {"loading", "ready", "active", "failed"};

const char *prov_astate_name(prov_astate s)
{
    return (size_t)s < sizeof astate_names / sizeof *astate_names ? astate_names[s] : "failed";
}

void adapter_name(char out[160], const char *base_model, const char *task_id)
{
    /* MakeAdapterName: filepath.Base of the base model (trailing slashes
     * dropped; "" gives "." and only slashes give "/"), then '/', '.' and
     * ' ' become '-', '-' is trimmed from both ends, and "ft-" + that + "-"
     * + the first 12 characters of the task id. */
    char base[128];
    size_t n = strlen(base_model);
    while (n > 1 && base_model[n - 1] == '/')
        n--;
    const char *b = base_model;
    if (n == 0) {
        b = ".";
        n = 1;
    } else if (!(n == 1 && b[0] == '/')) {
        const char *slash = memrchr(b, '/', n);
        if (slash) {
            n -= (size_t)(slash + 1 - b);
            b = slash + 1;
        }
    }
    if (n >= sizeof base)
        n = sizeof base - 1;
    for (size_t i = 0; i < n; i++)
        base[i] = (b[i] == '/' || b[i] == '.' || b[i] == ' ') ? '-' : b[i];
    base[n] = 0;
    char *p = base;
    while (*p == '-')
        p++;
    size_t l = strlen(p);
    while (l && p[l - 1] == '-')
        p[--l] = 0;
    snprintf(out, 160, "ft-%s-%.12s", p, task_id);
}

void adapter_set_state(prov_adapter *a, prov_astate s)
{
    a->state = s;
    a->state_since_ms = now_ms();
}

prov_adapter *adapter_by_name(prov_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nadapters; i++)
        if (strcmp(ctx->adapters[i]->name, name) == 0)
            return ctx->adapters[i];
    return NULL;
}

prov_adapter *adapter_by_task(prov_ctx *ctx, const char *task_id)
{
    for (size_t i = 0; i < ctx->nadapters; i++)
        if (strcmp(ctx->adapters[i]->task_id, task_id) == 0)
            return ctx->adapters[i];
    return NULL;
}

void adapter_register(prov_ctx *ctx, prov_task *t)
{
    if (adapter_by_task(ctx, t->id))
        return;
    if (ctx->nadapters == ctx->cap_adapters) {
        size_t cap = ctx->cap_adapters ? 2 * ctx->cap_adapters : 8;
        prov_adapter **p = realloc(ctx->adapters, cap * sizeof *p);
        if (!p)
            return;
        ctx->adapters = p;
        ctx->cap_adapters = cap;
    }
    prov_adapter *a = calloc(1, sizeof *a);
    if (!a)
        return;
    adapter_name(a->name, ctx->cfg.lora_base_model, t->id);
    snprintf(a->task_id, sizeof a->task_id, "%s", t->id);
    snprintf(a->base_model, sizeof a->base_model, "%s", ctx->cfg.lora_base_model);
    memcpy(a->user, t->user, 20);
    /* The first root the deliverable names (the one file, or the first
     * fragment). */
    zg_model_roots r;
    snprintf(a->root_hex, sizeof a->root_hex, "0x");
    if (t->root_len && zg_model_roots_parse(&r, t->root, t->root_len, NULL) == 0) {
        zg_hex_encode(a->root_hex + 2, r.root[0], 32);
        zg_model_roots_free(&r);
    }
    adapter_set_state(a, A_LOADING);
    ctx->adapters[ctx->nadapters++] = a;
    t->adapter_registered = true;
    tasks_save(ctx);
    plog("adapter %s registered for task %s (loading)", a->name, t->id);
}

void adapter_ack_seen(prov_ctx *ctx, prov_task *t)
{
    if (!t->ack_seen_ms) {
        t->ack_seen_ms = now_ms();
        tasks_save(ctx);
    }
    if (ctx->cfg.lora_watch_ms == 0)
        adapter_register(ctx, t);
}

cJSON *adapter_json(const prov_adapter *a)
{
    char addr[43];
    addr_text(addr, a->user);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "adapterName", a->name);
    cJSON_AddStringToObject(j, "taskId", a->task_id);
    cJSON_AddStringToObject(j, "baseModel", a->base_model);
    cJSON_AddStringToObject(j, "state", prov_astate_name(a->state));
    cJSON_AddStringToObject(j, "userAddress", addr);
    cJSON_AddStringToObject(j, "storageRootHash", a->root_hex);
    if (a->state == A_FAILED && a->error[0])
        cJSON_AddStringToObject(j, "error", a->error);
    return j;
}

/* One tick: finish every download older than lora_loading_ms and every
 * deploy older than a step. The download (decrypt + load) runs without
 * the lock. */
static void tick(prov_ctx *ctx)
{
    int64_t now = now_ms();
    prov_adapter *load = NULL;
    uint8_t key[32];
    bool have_key = false;
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < ctx->ntasks; i++) {
        prov_task *t = ctx->tasks[i];
        if (t->ack_seen_ms && !t->adapter_registered &&
            now - t->ack_seen_ms >= ctx->cfg.lora_watch_ms)
            adapter_register(ctx, t);
    }
    for (size_t i = 0; i < ctx->nadapters; i++) {
        prov_adapter *a = ctx->adapters[i];
        if (a->state != A_LOADING)
            continue;
        if (a->deploying) {
            if (now - a->state_since_ms < ctx->cfg.step_ms)
                continue;
            /* The broker deploys what it downloaded; a failed download left
             * nothing, so the deploy fails too. */
            a->deploying = false;
            adapter_set_state(a, a->npairs ? A_ACTIVE : A_FAILED);
            plog("adapter %s %s", a->name, a->npairs ? "active" : "failed to deploy");
        } else if (!load && now - a->state_since_ms >= ctx->cfg.lora_loading_ms) {
            prov_task *t = task_find(ctx, a->task_id);
            load = a;
            if (t && t->has_key) {
                memcpy(key, t->key, 32);
                have_key = true;
            }
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    if (!load)
        return;
    prov_pair *pairs = NULL;
    size_t n = 0;
    zg_err err;
    int rc = have_key ? artifact_load_pairs(ctx, load->task_id, key, &pairs, &n, &err)
                      : zg_err_set(&err, ENOKEY, "the model key is not available");
    OPENSSL_cleanse(key, sizeof key);
    pthread_mutex_lock(&ctx->lock);
    if (rc) {
        snprintf(load->error, sizeof load->error, "%s", err.msg);
        adapter_set_state(load, A_FAILED);
    } else {
        pairs_free(load->pairs, load->npairs);
        load->pairs = pairs;
        load->npairs = n;
        load->error[0] = 0;
        adapter_set_state(load, A_READY);
    }
    pthread_mutex_unlock(&ctx->lock);
    if (rc)
        plog("adapter %s failed: %s", load->name, err.msg);
    else
        plog("adapter %s ready (%zu training pairs)", load->name, n);
}

void *adapters_main(void *arg)
{
    prov_ctx *ctx = arg;
    long period = ctx->cfg.step_ms;
    if (ctx->cfg.lora_loading_ms < period)
        period = ctx->cfg.lora_loading_ms;
    if (ctx->cfg.lora_watch_ms && ctx->cfg.lora_watch_ms < period)
        period = ctx->cfg.lora_watch_ms;
    period /= 4;
    if (period < 20)
        period = 20;
    while (sleep_ms(ctx, period))
        tick(ctx);
    return NULL;
}

/* Lower-case alphanumeric words, at most max of them. */
static size_t words_of(const char *s, char (*w)[32], size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        while (*s && !isalnum((unsigned char)*s))
            s++;
        size_t k = 0;
        while (isalnum((unsigned char)*s)) {
            if (k + 1 < 32)
                w[n][k++] = (char)tolower((unsigned char)*s);
            s++;
        }
        if (k) {
            w[n][k] = 0;
            n++;
        }
    }
    return n;
}

/* Distinct words of text into a heap array (caller frees). */
static size_t word_set(const char *text, char (**out)[32])
{
    enum { MAXW = 512 };
    char(*w)[32] = calloc(MAXW, sizeof *w);
    *out = w;
    if (!w)
        return 0;
    size_t n = words_of(text, w, MAXW), k = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp(w[j], w[i]) == 0;
        if (!dup)
            memmove(w[k++], w[i], 32);
    }
    return k;
}

const char *adapter_answer(const prov_adapter *a, const char *question)
{
    if (!a->npairs)
        return NULL;
    char(*q)[32] = NULL;
    size_t nq = word_set(question, &q);
    size_t best = 0;
    double best_score = -1;
    for (size_t i = 0; i < a->npairs; i++) {
        char(*p)[32] = NULL;
        size_t np = word_set(a->pairs[i].prompt, &p);
        size_t common = 0;
        for (size_t x = 0; x < nq; x++)
            for (size_t y = 0; y < np; y++)
                if (strcmp(q[x], p[y]) == 0) {
                    common++;
                    break;
                }
        free(p);
        /* Jaccard similarity of the word sets; the first best wins ties. */
        size_t uni = nq + np - common;
        double score = uni ? (double)common / (double)uni : 0;
        if (score > best_score) {
            best_score = score;
            best = i;
        }
    }
    free(q);
    return a->pairs[best].completion;
}

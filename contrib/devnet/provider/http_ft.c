/* The fine-tuning provider API (docs/protocol.md §P2, newest generation):
 * quote, models, dataset upload, tasks, cancel, log, pending counter, LoRA
 * download; plus POST /admin/restart (the restart fault knob). Status codes
 * follow §2.13: 400 validation, 401 signature/timestamp, 403 wrong owner,
 * 404 unknown task, 409 state/queue conflicts, 503 artifact missing. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "prov.h"
#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/keccak.h"

#define MAX_SEGS    8
#define DATASET_MAX ((size_t)104857600)

/* Split "/a/b/c" into segments (in place in a copy the caller owns). */
static size_t split_path(char *path, char **seg, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(path, "/", &save); p && n < max; p = strtok_r(NULL, "/", &save))
        seg[n++] = p;
    return n;
}

/* ------------------------------------------------------------------ quote */

static int h_quote(prov_req *r, const uint8_t signer[20])
{
    const char *l = req_query(r, "legacy");
    /* Go strconv.ParseBool truth values. */
    bool legacy =
        l && (strcmp(l, "1") == 0 || strcasecmp(l, "t") == 0 || strcasecmp(l, "true") == 0);
    char *doc = quote_document(r->ctx, signer, legacy);
    if (!doc)
        return reply_error(r, 500, "cannot build the quote");
    int rc = reply_text(r, 200, "text/plain; charset=utf-8", doc);
    free(doc);
    return rc;
}

/* ------------------------------------------------------------------ models */

static cJSON *model_json(const prov_ctx *ctx, const prov_model *m)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", m->name);
    cJSON_AddStringToObject(j, "hash", m->hash);
    cJSON_AddStringToObject(j, "image", "ghcr.io/0gfoundation/zg-devnet-trainer:tiny-lora");
    cJSON_AddStringToObject(j, "dataType", "text");
    cJSON_AddStringToObject(j, "trainingScript", "/app/train_tiny_lora.py");
    cJSON_AddStringToObject(j, "description", m->description);
    cJSON_AddStringToObject(j, "tokenizer",
                            ctx->custom_tokenizer[0] ? ctx->custom_tokenizer : m->tokenizer);
    return j;
}

static int h_models(prov_req *r)
{
    size_t n;
    const prov_model *m = models_customized(&n);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, model_json(r->ctx, &m[i]));
    return reply_json(r, 200, arr);
}

static int h_model(prov_req *r, const char *name)
{
    const prov_model *m = model_lookup(name);
    if (!m)
        return reply_error(r, 400, "Model %s not found", name);
    return reply_json(r, 200, model_json(r->ctx, m));
}

static int h_model_desc(prov_req *r, const char *name)
{
    const prov_model *m = model_lookup(name);
    if (!m)
        return reply_error(r, 400, "Model %s not found", name);
    zg_buf z;
    zg_buf_init(&z, 0);
    zg_err err;
    if (model_usage_zip(m, &z, &err)) {
        zg_buf_free(&z);
        return reply_error(r, 400, "Model %s detail usage file not found", name);
    }
    char disp[256];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.zip\"", m->name);
    int rc = reply_attachment(r, "application/zip", z.data, z.len, disp);
    zg_buf_free(&z);
    return rc;
}

/* ------------------------------------------------------------- signatures */

/* The time window of §1.4: at most 300 s old, at most 60 s ahead. */
static const char *ts_window(int64_t ts)
{
    int64_t now = (int64_t)time(NULL);
    if (now - ts > 300)
        return "timestamp expired (older than 300 seconds)";
    if (ts - now > 60)
        return "timestamp is too far in the future";
    return NULL;
}

/* ----------------------------------------------------------------- dataset */

static const mp_part *part(const mp_part *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].name, name) == 0)
            return &p[i];
    return NULL;
}

static int h_dataset(prov_req *r, const char *user_text)
{
    if (r->too_big)
        return reply_error(r, 400, "File too large. Maximum size is 100MB");
    mp_part parts[16];
    size_t n = 0;
    zg_err err;
    if (multipart_parse(req_header(r, "Content-Type"), r->body.data, r->body.len, parts, 16, &n,
                        &err))
        return reply_error(r, 400, "invalid multipart form: %s", err.msg);
    const mp_part *sig = part(parts, n, "signature"), *ts = part(parts, n, "timestamp"),
                  *file = part(parts, n, "file");
    if (!sig || sig->len == 0)
        return reply_error(r, 401, "Signature is required");
    if (!ts || ts->len == 0)
        return reply_error(r, 401, "Timestamp is required");
    char tsbuf[32], sigbuf[200];
    if (ts->len >= sizeof tsbuf)
        return reply_error(r, 400, "Invalid timestamp format");
    memcpy(tsbuf, ts->data, ts->len);
    tsbuf[ts->len] = 0;
    char *end;
    errno = 0;
    long long tsv = strtoll(tsbuf, &end, 10);
    if (errno || *end || end == tsbuf)
        return reply_error(r, 400, "Invalid timestamp format");
    uint8_t user[20], got[20];
    if (addr_parse_loose(user, user_text))
        return reply_error(r, 401, "Authentication failed: invalid user address %s", user_text);
    const char *w = ts_window(tsv);
    if (w)
        return reply_error(r, 401, "Authentication failed: %s", w);
    snprintf(sigbuf, sizeof sigbuf, "%.*s", (int)(sig->len < 199 ? sig->len : 199),
             (const char *)sig->data);
    char msg[128];
    /* The signed text is the address exactly as it appears in the URL. */
    int ml = snprintf(msg, sizeof msg, "%s%lld", user_text, tsv);
    if (recover_personal(got, NULL, msg, (size_t)ml, sigbuf, true, &err))
        return reply_error(r, 401, "Authentication failed: %s", err.msg);
    if (!addr_eq(got, user))
        return reply_error(r, 401,
                           "Authentication failed: signature does not match the user address");
    if (!file)
        return reply_error(r, 400, "No file provided");
    if (file->len > DATASET_MAX)
        return reply_error(r, 400, "File too large. Maximum size is 100MB");
    const char *fn = file->filename;
    size_t fl = strlen(fn);
    char lower[256];
    for (size_t i = 0; i <= fl; i++)
        lower[i] = (char)tolower((unsigned char)fn[i]);
    if (!(fl > 6 && strcmp(lower + fl - 6, ".jsonl") == 0) &&
        !(fl > 5 && strcmp(lower + fl - 5, ".json") == 0))
        return reply_error(r, 400, "Invalid file type. Only JSONL/JSON files are allowed");
    if (strchr(fn, '/') || strchr(fn, '\\') || strcmp(fn, "..") == 0)
        return reply_error(r, 400, "Invalid file name");
    if (dataset_validate(file->data, file->len, &err))
        return reply_error(r, 400, "%s", err.msg);
    uint8_t h[32];
    zg_keccak256(h, file->data, file->len);
    if (r->ctx->cfg.dataset_hash_wrong)
        h[31] ^= 1;
    char hash[67] = "0x";
    zg_hex_encode(hash + 2, h, 32);
    char path[PATH_MAX], dir[PATH_MAX];
    dataset_path(r->ctx, path, user, hash);
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    if (zg_mkdirs(dir, 0700, &err) || zg_write_atomic(path, file->data, file->len, &err))
        return reply_error(r, 500, "cannot store the dataset: %s", err.msg);
    plog("dataset %s uploaded by %s (%zu bytes)", hash, user_text, file->len);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "datasetHash", hash);
    cJSON_AddStringToObject(j, "message",
                            "Dataset uploaded successfully. Use this hash when creating a "
                            "fine-tuning task.");
    return reply_json(r, 200, j);
}

/* ----------------------------------------------------------- create task */

static const char *const forbidden_params[] = {
    "fp16",
    "bf16",
    "gradient_accumulation_steps",
    "warmup_ratio",
    "warmup_steps",
    "logging_steps",
    "save_steps",
    "save_total_limit",
    "max_seq_length",
    "lora_r",
    "lora_alpha",
    "lora_dropout",
    "use_4bit",
    "use_8bit",
    "optim",
    "lr_scheduler_type",
};
static const char *const allowed_params[] = {
    "neftune_noise_alpha", "num_train_epochs", "per_device_train_batch_size",
    "learning_rate",       "max_steps",
};

/* The raw JSON text of the value of key in obj text (top level is enough here). */
static bool raw_value(const char *text, const char *key, char *out, size_t max)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(text, pat);
    if (!p)
        return false;
    p += strlen(pat);
    while (isspace((unsigned char)*p))
        p++;
    if (*p != ':')
        return false;
    p++;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = 0;
    while (p[n] && p[n] != ',' && p[n] != '}' && !isspace((unsigned char)p[n]) && n + 1 < max) {
        out[n] = p[n];
        n++;
    }
    out[n] = 0;
    return n > 0;
}

static bool is_int(double v)
{
    return v == floor(v) && fabs(v) < 1e15;
}

/* §2.6 validateTrainingParams; fills *epochs. */
static int check_params(const char *text, int *epochs, char *why, size_t wl)
{
    cJSON *j = cJSON_Parse(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        snprintf(why, wl, "invalid training params: not a JSON object");
        return -1;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, j)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof forbidden_params / sizeof *forbidden_params; i++)
            if (strcmp(it->string, forbidden_params[i]) == 0) {
                snprintf(why, wl, "invalid training params: forbidden parameter: %s", it->string);
                cJSON_Delete(j);
                return -1;
            }
        for (size_t i = 0; i < sizeof allowed_params / sizeof *allowed_params; i++)
            ok |= strcmp(it->string, allowed_params[i]) == 0;
        if (!ok) {
            snprintf(why, wl, "invalid training params: unexpected parameter: %s", it->string);
            cJSON_Delete(j);
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof allowed_params / sizeof *allowed_params; i++)
        if (!cJSON_GetObjectItemCaseSensitive(j, allowed_params[i])) {
            snprintf(why, wl, "invalid training params: missing parameter: %s", allowed_params[i]);
            cJSON_Delete(j);
            return -1;
        }
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "neftune_noise_alpha");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "num_train_epochs");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "per_device_train_batch_size");
    const cJSON *lr = cJSON_GetObjectItemCaseSensitive(j, "learning_rate");
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "max_steps");
    char raw[64];
    const char *bad = NULL;
    if (!cJSON_IsNumber(a) || a->valuedouble < 0 || a->valuedouble > 10)
        bad = "neftune_noise_alpha must be a number from 0 to 10";
    else if (!cJSON_IsNumber(e) || !is_int(e->valuedouble) || e->valuedouble < 1 ||
             e->valuedouble > 10)
        bad = "num_train_epochs must be an integer from 1 to 10";
    else if (!cJSON_IsNumber(b) || !is_int(b->valuedouble) || b->valuedouble < 1 ||
             b->valuedouble > 4)
        bad = "per_device_train_batch_size must be an integer from 1 to 4";
    else if (!cJSON_IsNumber(lr) || lr->valuedouble < 0.00001 || lr->valuedouble > 0.001)
        bad = "learning_rate must be a number from 0.00001 to 0.001";
    else if (raw_value(text, "learning_rate", raw, sizeof raw) &&
             (strchr(raw, 'e') || strchr(raw, 'E')))
        bad = "learning_rate must be written without an exponent (e.g. 0.0002)";
    else if (!cJSON_IsNumber(ms) || !is_int(ms->valuedouble) ||
             !(ms->valuedouble == -1 || ms->valuedouble > 0))
        bad = "max_steps must be -1 or a positive integer";
    if (bad) {
        snprintf(why, wl, "invalid training params: %s", bad);
        cJSON_Delete(j);
        return -1;
    }
    *epochs = (int)e->valuedouble;
    cJSON_Delete(j);
    return 0;
}

static const char *required_str(const cJSON *body, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static int h_create(prov_req *r)
{
    prov_ctx *ctx = r->ctx;
    cJSON *body = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        return reply_error(r, 400, "invalid request body: expected a JSON object");
    }
    static const char *const req[][2] = {
        {"userAddress", "UserAddress"},
        {"preTrainedModelHash", "PreTrainedModelHash"},
        {"datasetHash", "DatasetHash"},
        {"trainingParams", "TrainingParams"},
        {"fee", "Fee"},
        {"nonce", "Nonce"},
        {"signature", "Signature"},
    };
    for (size_t i = 0; i < sizeof req / sizeof *req; i++)
        if (!required_str(body, req[i][0])) {
            cJSON_Delete(body);
            /* gin's validator sentence, as the real provider answers */
            return reply_error(r, 400,
                               "Key: 'Task.%s' Error:Field validation for '%s' failed on the "
                               "'required' tag",
                               req[i][1], req[i][1]);
        }
    const cJSON *wait = cJSON_GetObjectItemCaseSensitive(body, "wait");
    bool want_wait = cJSON_IsTrue(wait);
    uint8_t user[20];
    zg_u256 nonce;
    zg_err err;
    if (addr_parse_loose(user, required_str(body, "userAddress"))) {
        cJSON_Delete(body);
        return reply_error(r, 400, "invalid userAddress");
    }
    if (zg_u256_from_dec(&nonce, required_str(body, "nonce"), &err)) {
        cJSON_Delete(body);
        return reply_error(r, 400, "invalid nonce: %s", err.msg);
    }
    prov_model m;
    if (!model_for_task(required_str(body, "preTrainedModelHash"), &m)) {
        int rc =
            reply_error(r, 400, "unsupported model: %s", required_str(body, "preTrainedModelHash"));
        cJSON_Delete(body);
        return rc;
    }
    int epochs = 0;
    char why[256];
    if (check_params(required_str(body, "trainingParams"), &epochs, why, sizeof why)) {
        cJSON_Delete(body);
        return reply_error(r, 400, "%s", why);
    }
    /* Chain checks: the service's TEE signer vetted, the user's acknowledgement. */
    zg_ft_service svc;
    memset(&svc, 0, sizeof svc);
    if (zg_ft_get_service(ctx->ft, ctx->ft_key.addr, &svc, &err)) {
        cJSON_Delete(body);
        return reply_error(r, 500, "reading the service from the chain: %s", err.msg);
    }
    bool tee_ok = svc.tee_acknowledged;
    zg_ft_service_free(&svc);
    if (!tee_ok) {
        cJSON_Delete(body);
        return reply_error(r, 400, "the provider's TEE signer is not acknowledged on chain");
    }
    zg_ft_account acct;
    bool exists = false;
    memset(&acct, 0, sizeof acct);
    if (zg_ft_get_account(ctx->ft, user, ctx->ft_key.addr, &acct, &exists, &err)) {
        cJSON_Delete(body);
        return reply_error(r, 500, "reading the account from the chain: %s", err.msg);
    }
    bool acked = exists && acct.acknowledged;
    if (exists)
        zg_ft_account_free(&acct);
    if (!exists) {
        cJSON_Delete(body);
        return reply_error(r, 400, "the user has no fine-tuning sub-account with this provider");
    }
    if (!acked) {
        cJSON_Delete(body);
        return reply_error(r, 400, "the user has not acknowledged the provider's TEE signer");
    }

    prov_task *t = calloc(1, sizeof *t);
    if (!t || uuid_v4(t->id)) {
        free(t);
        cJSON_Delete(body);
        return reply_error(r, 500, "out of memory");
    }
    memcpy(t->user, user, 20);
    t->model_hash = strdup(required_str(body, "preTrainedModelHash"));
    t->model_type = m.type;
    t->dataset_hash = strdup(required_str(body, "datasetHash"));
    t->training_params = strdup(required_str(body, "trainingParams"));
    t->nonce = strdup(required_str(body, "nonce"));
    t->signature = strdup(required_str(body, "signature"));
    t->epochs = epochs;
    t->created_us = t->updated_us = now_us();
    snprintf(t->fee, sizeof t->fee, "0");
    t->progress = P_INIT;
    cJSON_Delete(body);
    if (!t->model_hash || !t->dataset_hash || !t->training_params || !t->nonce || !t->signature) {
        task_free(t);
        return reply_error(r, 500, "out of memory");
    }

    pthread_mutex_lock(&ctx->lock);
    size_t pending = 0;
    bool unfinished = false;
    for (size_t i = 0; i < ctx->ntasks; i++) {
        const prov_task *o = ctx->tasks[i];
        pending += prov_progress_pending(o->progress);
        unfinished |= addr_eq(o->user, user) && !prov_progress_terminal(o->progress);
    }
    const char *conflict = NULL;
    unsigned status = 0;
    if (unfinished) {
        conflict = "cannot create a new task while there is an unfinished task";
        status = 400;
    } else if (pending > ctx->cfg.max_queue) {
        conflict = "task queue is full";
        status = 409;
    } else if (pending && !want_wait) {
        conflict = "cannot create a new task while there are in-progress tasks";
        status = 409;
    }
    if (conflict || tasks_add(ctx, t)) {
        pthread_mutex_unlock(&ctx->lock);
        task_free(t);
        return reply_error(r, status ? status : 500, "%s", conflict ? conflict : "out of memory");
    }
    tasks_save(ctx);
    pthread_cond_broadcast(&ctx->wake);
    pthread_mutex_unlock(&ctx->lock);
    char addr[43];
    addr_text(addr, user);
    task_log(ctx, t->id, "Task %s created by %s (model %s, dataset %s)", t->id, addr, m.name,
             t->dataset_hash);
    if (pending)
        task_log(ctx, t->id, "There are %zu tasks in the queue ahead.", pending);
    plog("task %s created for %s", t->id, addr);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", t->id);
    return reply_json(r, 201, j);
}

/* ------------------------------------------------------------- task reads */

static int h_list(prov_req *r, const char *user_text)
{
    uint8_t user[20];
    if (addr_parse_loose(user, user_text))
        return reply_error(r, 400, "invalid user address %s", user_text);
    const char *latest = req_query(r, "latest"), *order = req_query(r, "order");
    bool only_latest = latest && strcmp(latest, "true") == 0;
    bool asc = order && strcmp(order, "asc") == 0;
    prov_ctx *ctx = r->ctx;
    cJSON *arr = cJSON_CreateArray();
    pthread_mutex_lock(&ctx->lock);
    if (only_latest) {
        for (size_t i = ctx->ntasks; i-- > 0;)
            if (addr_eq(ctx->tasks[i]->user, user)) {
                cJSON_AddItemToArray(arr, task_json(ctx->tasks[i]));
                break;
            }
    } else {
        for (size_t k = 0; k < ctx->ntasks; k++) {
            size_t i = asc ? k : ctx->ntasks - 1 - k;
            if (addr_eq(ctx->tasks[i]->user, user))
                cJSON_AddItemToArray(arr, task_json(ctx->tasks[i]));
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    return reply_json(r, 200, arr);
}

static int h_get(prov_req *r, const char *id_text)
{
    uint8_t b[16];
    char id[37];
    if (uuid_parse(b, id, id_text))
        return reply_error(r, 400, "invalid task id %s", id_text);
    prov_ctx *ctx = r->ctx;
    pthread_mutex_lock(&ctx->lock);
    prov_task *t = task_find(ctx, id);
    cJSON *j = t ? task_json(t) : NULL;
    pthread_mutex_unlock(&ctx->lock);
    if (!j)
        return reply_error(r, 404, "task %s not found", id);
    return reply_json(r, 200, j);
}

static int h_cancel(prov_req *r, const char *user_text, const char *id_text)
{
    prov_ctx *ctx = r->ctx;
    uint8_t user[20], b[16], got[20];
    char id[37];
    cJSON *body = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(body, "signature");
    if (!cJSON_IsString(sig) || !sig->valuestring[0]) {
        cJSON_Delete(body);
        return reply_error(r, 400,
                           "Key: 'CancelTaskRequest.Signature' Error:Field validation for "
                           "'Signature' failed on the 'required' tag");
    }
    char sigtext[200];
    snprintf(sigtext, sizeof sigtext, "%s", sig->valuestring);
    cJSON_Delete(body);
    if (uuid_parse(b, id, id_text))
        return reply_error(r, 400, "invalid task id %s", id_text);
    if (addr_parse_loose(user, user_text))
        return reply_error(r, 400, "invalid user address %s", user_text);
    zg_err err;
    if (recover_personal(got, NULL, b, 16, sigtext, true, &err))
        return reply_error(r, 401, "invalid signature: %s", err.msg);
    if (!addr_eq(got, user))
        return reply_error(r, 401, "invalid signature: it does not recover to %s", user_text);
    pthread_mutex_lock(&ctx->lock);
    prov_task *t = task_find(ctx, id);
    if (!t) {
        pthread_mutex_unlock(&ctx->lock);
        return reply_error(r, 404, "task %s not found", id);
    }
    if (!addr_eq(t->user, user)) {
        pthread_mutex_unlock(&ctx->lock);
        return reply_error(r, 403, "task %s belongs to another user", id);
    }
    prov_progress p = t->progress;
    if (p != P_INIT && p != P_SETTINGUP && p != P_SETUP) {
        pthread_mutex_unlock(&ctx->lock);
        return reply_error(r, 409, "task cannot be cancelled in its current state (%s)",
                           prov_progress_name(p));
    }
    task_set_progress(ctx, t, P_FAILED);
    pthread_mutex_unlock(&ctx->lock);
    task_log(ctx, id, "Task %s cancelled by the user", id);
    char msg[64];
    snprintf(msg, sizeof msg, "task %s cancelled", id);
    return reply_text(r, 200, "text/plain; charset=utf-8", msg);
}

static int h_log(prov_req *r, const char *user_text, const char *id_text)
{
    prov_ctx *ctx = r->ctx;
    uint8_t user[20], b[16];
    char id[37];
    if (uuid_parse(b, id, id_text))
        return reply_error(r, 400, "invalid task id %s", id_text);
    if (addr_parse_loose(user, user_text))
        return reply_error(r, 400, "invalid user address %s", user_text);
    pthread_mutex_lock(&ctx->lock);
    prov_task *t = task_find(ctx, id);
    bool owner = t && addr_eq(t->user, user);
    pthread_mutex_unlock(&ctx->lock);
    if (!t)
        return reply_error(r, 404, "task %s not found", id);
    if (!owner)
        return reply_error(r, 403, "task %s belongs to another user", id);
    char path[PATH_MAX];
    task_log_path(ctx, path, id);
    zg_buf b2;
    zg_buf_init(&b2, 0);
    zg_err err;
    if (read_file(path, &b2, (size_t)64 << 20, &err)) {
        zg_buf_free(&b2);
        return reply_error(r, 500, "Failed to read log file. Please ensure the task is running");
    }
    int rc = reply_bytes(r, 200, "text/plain; charset=utf-8", b2.data ? b2.data : (uint8_t *)"",
                         b2.len, NULL);
    zg_buf_free(&b2);
    return rc;
}

static int h_pending(prov_req *r)
{
    prov_ctx *ctx = r->ctx;
    size_t n = 0;
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < ctx->ntasks; i++)
        n += prov_progress_pending(ctx->tasks[i]->progress);
    pthread_mutex_unlock(&ctx->lock);
    char s[32];
    snprintf(s, sizeof s, "%zu", n);
    return reply_text(r, 200, "text/plain; charset=utf-8", s);
}

static int h_lora(prov_req *r, const char *user_text, const char *id_text)
{
    prov_ctx *ctx = r->ctx;
    cJSON *body = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(body, "signature");
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(body, "timestamp");
    if (!cJSON_IsString(sig) || !sig->valuestring[0] || !cJSON_IsNumber(ts) ||
        !is_int(ts->valuedouble)) {
        cJSON_Delete(body);
        return reply_error(r, 400,
                           "invalid request body: signature (string) and timestamp (integer) "
                           "are required");
    }
    char sigtext[200];
    snprintf(sigtext, sizeof sigtext, "%s", sig->valuestring);
    int64_t tsv = (int64_t)ts->valuedouble;
    cJSON_Delete(body);
    uint8_t user[20], b[16], got[20];
    char id[37];
    if (uuid_parse(b, id, id_text))
        return reply_error(r, 400, "invalid task id %s", id_text);
    if (addr_parse_loose(user, user_text))
        return reply_error(r, 401, "authentication failed: invalid user address %s", user_text);
    const char *w = ts_window(tsv);
    if (w)
        return reply_error(r, 401, "authentication failed: %s", w);
    char msg[80], hex[33];
    zg_hex_encode(hex, b, 16);
    int ml = snprintf(msg, sizeof msg, "%s%" PRId64, hex, tsv);
    zg_err err;
    if (recover_personal(got, NULL, msg, (size_t)ml, sigtext, true, &err))
        return reply_error(r, 401, "authentication failed: %s", err.msg);
    if (!addr_eq(got, user))
        return reply_error(r, 401, "authentication failed: signature does not match %s", user_text);
    pthread_mutex_lock(&ctx->lock);
    prov_task *t = task_find(ctx, id);
    bool owner = t && addr_eq(t->user, user);
    prov_progress p = t ? t->progress : P_INIT;
    pthread_mutex_unlock(&ctx->lock);
    if (!t)
        return reply_error(r, 404, "task %s not found", id);
    if (!owner)
        return reply_error(r, 403, "task %s belongs to another user", id);
    if (p != P_DELIVERED && p != P_USERACK && p != P_FINISHED)
        return reply_error(r, 409,
                           "task is not ready for download. Please wait for 'Delivered' status");
    char path[PATH_MAX], disp[128];
    artifact_path(ctx, path, id);
    snprintf(disp, sizeof disp, "attachment; filename=lora_encrypted_%s.data", id);
    return reply_file(r, path, disp);
}

/* The restart signal, a moment after the handler queued its answer. */
static void *restart_later(void *arg)
{
    prov_ctx *ctx = arg;
    zg_sleep_ms(200);
    pthread_kill(ctx->main_thread, SIGUSR1);
    return NULL;
}

static int h_restart(prov_req *r)
{
    prov_ctx *ctx = r->ctx;
    plog("restart requested through /admin/restart");
    atomic_store(&ctx->restart, true);
    /* Let this answer leave before the main thread closes the ports. */
    pthread_t t;
    if (pthread_create(&t, NULL, restart_later, ctx) == 0)
        pthread_detach(t);
    else
        pthread_kill(ctx->main_thread, SIGUSR1);
    return reply_text(r, 200, "text/plain; charset=utf-8", "restarting\n");
}

int ft_route(prov_req *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", r->url);
    char *s[MAX_SEGS];
    size_t n = split_path(path, s, MAX_SEGS);
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool post = strcmp(r->method, "POST") == 0;
    if (n == 2 && post && strcmp(s[0], "admin") == 0 && strcmp(s[1], "restart") == 0)
        return h_restart(r);
    bool pcs = false;
    int prc = get ? pcs_route(r, &pcs) : 0;
    if (pcs)
        return prc;
    if (n < 2 || strcmp(s[0], "v1") != 0)
        return reply_error(r, 404, "404 page not found");
    if (n == 2 && get && strcmp(s[1], "quote") == 0)
        return h_quote(r, r->ctx->ft_tee.addr);
    if (strcmp(s[1], "model") == 0 && get) {
        if (n == 2)
            return h_models(r);
        if (n == 3)
            return h_model(r, s[2]);
        if (n == 4 && strcmp(s[2], "desc") == 0)
            return h_model_desc(r, s[3]);
    }
    if (n == 3 && get && strcmp(s[1], "task") == 0 && strcmp(s[2], "pending") == 0)
        return h_pending(r);
    if (n >= 4 && strcmp(s[1], "user") == 0) {
        const char *u = s[2];
        if (n == 4 && post && strcmp(s[3], "dataset") == 0)
            return h_dataset(r, u);
        if (strcmp(s[3], "task") == 0) {
            if (n == 4 && post)
                return h_create(r);
            if (n == 4 && get)
                return h_list(r, u);
            if (n == 5 && get)
                return h_get(r, s[4]);
            if (n == 6 && post && strcmp(s[5], "cancel") == 0)
                return h_cancel(r, u, s[4]);
            if (n == 6 && get && strcmp(s[5], "log") == 0)
                return h_log(r, u, s[4]);
            if (n == 6 && post && strcmp(s[5], "lora") == 0)
                return h_lora(r, u, s[4]);
        }
    }
    return reply_error(r, 404, "404 page not found");
}

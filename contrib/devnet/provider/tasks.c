/* The task store: creation-ordered list in ctx, the Task JSON of
 * docs/protocol.md §P2.8, per-task log files, and a state file
 * (<data>/tasks.json) so a restarted provider knows its tasks. The state
 * file holds each delivered task's AES key and the user's public key: this
 * is a devnet simulator, the data directory is private (0700). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prov.h"
#include "zg/hex.h"

static const char *const progress_names[P_NPROGRESS] = {
    "Init",      "SettingUp",        "SetUp",    "Training", "Trained", "Delivering",
    "Delivered", "UserAcknowledged", "Finished", "Failed",
};

const char *prov_progress_name(prov_progress p)
{
    return p < P_NPROGRESS ? progress_names[p] : "Unknown";
}

static int progress_parse(const char *s)
{
    for (int i = 0; i < P_NPROGRESS; i++)
        if (s && strcmp(s, progress_names[i]) == 0)
            return i;
    return -1;
}

bool prov_progress_pending(prov_progress p)
{
    return p == P_INIT || p == P_SETTINGUP || p == P_SETUP || p == P_TRAINING;
}

bool prov_progress_terminal(prov_progress p)
{
    return p == P_FINISHED || p == P_FAILED;
}

void task_free(prov_task *t)
{
    if (!t)
        return;
    free(t->model_hash);
    free(t->dataset_hash);
    free(t->training_params);
    free(t->nonce);
    free(t->signature);
    free(t->root);
    free(t);
}

prov_task *task_find(prov_ctx *ctx, const char *id)
{
    for (size_t i = 0; i < ctx->ntasks; i++)
        if (strcmp(ctx->tasks[i]->id, id) == 0)
            return ctx->tasks[i];
    return NULL;
}

int tasks_add(prov_ctx *ctx, prov_task *t)
{
    if (ctx->ntasks == ctx->cap_tasks) {
        size_t cap = ctx->cap_tasks ? ctx->cap_tasks * 2 : 16;
        prov_task **p = realloc(ctx->tasks, cap * sizeof *p);
        if (!p)
            return -1;
        ctx->tasks = p;
        ctx->cap_tasks = cap;
    }
    ctx->tasks[ctx->ntasks++] = t;
    return 0;
}

void task_set_progress(prov_ctx *ctx, prov_task *t, prov_progress p)
{
    t->progress = p;
    t->updated_us = now_us();
    tasks_save(ctx);
}

void task_log_path(prov_ctx *ctx, char out[PATH_MAX], const char *id)
{
    snprintf(out, PATH_MAX, "%s/tasks/%s.log", ctx->cfg.data_dir, id);
}

void task_log(prov_ctx *ctx, const char *id, const char *fmt, ...)
{
    char line[2048], ts[40];
    fmt_rfc3339(ts, now_us());
    int n = snprintf(line, sizeof line, "[%s] ", ts);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len++] = '\n';
    char path[PATH_MAX];
    task_log_path(ctx, path, id);
    /* O_APPEND: one write per line keeps concurrent writers line-atomic. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (write(fd, line, len) < 0)
        plog("cannot write the log of task %s: %s", id, strerror(errno));
    close(fd);
}

cJSON *task_json(const prov_task *t)
{
    char c[40], u[40], addr[43];
    fmt_rfc3339(c, t->created_us);
    fmt_rfc3339(u, t->updated_us);
    addr_text(addr, t->user);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", t->id);
    cJSON_AddStringToObject(j, "createdAt", c);
    cJSON_AddStringToObject(j, "updatedAt", u);
    cJSON_AddStringToObject(j, "userAddress", addr);
    cJSON_AddStringToObject(j, "preTrainedModelHash", t->model_hash);
    cJSON_AddStringToObject(j, "datasetHash", t->dataset_hash);
    cJSON_AddStringToObject(j, "trainingParams", t->training_params);
    cJSON_AddStringToObject(j, "fee", t->fee);
    cJSON_AddStringToObject(j, "nonce", t->nonce);
    cJSON_AddStringToObject(j, "signature", t->signature);
    cJSON_AddStringToObject(j, "progress", prov_progress_name(t->progress));
    cJSON_AddNumberToObject(j, "deliverIndex", 0);
    cJSON_AddNumberToObject(j, "deliverTime", (double)t->deliver_time);
    cJSON_AddNumberToObject(j, "modelType", t->model_type);
    cJSON_AddBoolToObject(j, "wait", false);
    return j;
}

static void add_hex(cJSON *j, const char *k, const uint8_t *p, size_t n)
{
    char *h = malloc(2 * n + 1);
    if (!h)
        return;
    zg_hex_encode(h, p, n);
    cJSON_AddStringToObject(j, k, h);
    free(h);
}

void tasks_save(prov_ctx *ctx)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < ctx->ntasks; i++) {
        const prov_task *t = ctx->tasks[i];
        cJSON *j = task_json(t);
        cJSON_AddNumberToObject(j, "createdUs", (double)t->created_us);
        cJSON_AddNumberToObject(j, "updatedUs", (double)t->updated_us);
        cJSON_AddNumberToObject(j, "epochs", t->epochs);
        if (t->has_pub)
            add_hex(j, "userPub", t->user_pub, 65);
        if (t->has_key)
            add_hex(j, "key", t->key, 32);
        if (t->root_len)
            add_hex(j, "root", t->root, t->root_len);
        cJSON_AddBoolToObject(j, "adapterRegistered", t->adapter_registered);
        cJSON_AddBoolToObject(j, "ackSeen", t->ack_seen_ms != 0);
        cJSON_AddItemToArray(arr, j);
    }
    char *text = cJSON_Print(arr);
    cJSON_Delete(arr);
    if (!text)
        return;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tasks.json", ctx->cfg.data_dir);
    zg_err err;
    if (zg_write_atomic(path, text, strlen(text), &err))
        plog("cannot save the task state: %s", err.msg);
    free(text);
}

static char *jstr(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return strdup(cJSON_IsString(v) ? v->valuestring : "");
}

static double jnum(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool jhex(const cJSON *j, const char *k, uint8_t *out, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsString(v) && zg_hex_decode_exact(out, n, v->valuestring, NULL) == 0;
}

int tasks_load(prov_ctx *ctx)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tasks.json", ctx->cfg.data_dir);
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_err err;
    if (read_file(path, &b, (size_t)64 << 20, &err)) {
        zg_buf_free(&b);
        return 0; /* first start */
    }
    cJSON *arr = cJSON_ParseWithLength((const char *)b.data, b.len);
    zg_buf_free(&b);
    if (!cJSON_IsArray(arr)) {
        plog("ignoring an unreadable %s", path);
        cJSON_Delete(arr);
        return 0;
    }
    const cJSON *j;
    size_t failed = 0;
    cJSON_ArrayForEach(j, arr)
    {
        prov_task *t = calloc(1, sizeof *t);
        if (!t)
            break;
        char *id = jstr(j, "id"), *user = jstr(j, "userAddress"), *prog = jstr(j, "progress"),
             *fee = jstr(j, "fee");
        snprintf(t->id, sizeof t->id, "%s", id);
        snprintf(t->fee, sizeof t->fee, "%s", fee);
        int p = progress_parse(prog);
        bool ok = strlen(id) == 36 && addr_parse_loose(t->user, user) == 0 && p >= 0;
        free(id);
        free(user);
        free(prog);
        free(fee);
        t->model_hash = jstr(j, "preTrainedModelHash");
        t->dataset_hash = jstr(j, "datasetHash");
        t->training_params = jstr(j, "trainingParams");
        t->nonce = jstr(j, "nonce");
        t->signature = jstr(j, "signature");
        t->model_type = (int)jnum(j, "modelType");
        t->deliver_time = (uint64_t)jnum(j, "deliverTime");
        t->created_us = (int64_t)jnum(j, "createdUs");
        t->updated_us = (int64_t)jnum(j, "updatedUs");
        t->epochs = (int)jnum(j, "epochs");
        t->has_pub = jhex(j, "userPub", t->user_pub, 65);
        t->has_key = jhex(j, "key", t->key, 32);
        const cJSON *rj = cJSON_GetObjectItemCaseSensitive(j, "root");
        zg_buf rb;
        zg_buf_init(&rb, 0);
        if (cJSON_IsString(rj) && zg_hex_decode_buf(&rb, rj->valuestring, NULL) == 0 && rb.len)
            t->root = zg_buf_steal(&rb, &t->root_len);
        zg_buf_free(&rb);
        t->adapter_registered =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "adapterRegistered"));
        /* Seen before the restart: the watch starts again. */
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "ackSeen")))
            t->ack_seen_ms = now_ms();
        if (!ok || !t->model_hash || !t->dataset_hash || !t->training_params || !t->nonce ||
            !t->signature || tasks_add(ctx, t)) {
            task_free(t);
            continue;
        }
        t->progress = (prov_progress)p;
        /* Restart rule: work in flight is lost (the real provider fails every
         * unfinished task on start-up); delivered tasks keep their key and
         * are settled as usual, so a restart never locks a user out. */
        if (t->progress < P_DELIVERED) {
            task_log(ctx, t->id,
                     "Error executing task %s: the provider restarted while the task was %s; "
                     "the task is marked Failed. Create a new task.",
                     t->id, prov_progress_name(t->progress));
            t->progress = P_FAILED;
            t->updated_us = now_us();
            failed++;
        }
    }
    cJSON_Delete(arr);
    plog("loaded %zu task(s) from %s; %zu unfinished marked Failed", ctx->ntasks, path, failed);
    tasks_save(ctx);
    return 0;
}

/* providers/P/tasks/: the wallet's fine-tuning tasks with P.
 *
 * One cached task list (GET /v1/user/ME/task) answers the listing, every
 * lookup, latest, task.json and progress, so `ls -l tasks/` costs one
 * request whatever the number of tasks. A task the list has not seen yet
 * (made by another client a moment ago) is fetched alone.
 *
 * tasks/new is a payload: one JSON object with "model", "dataset" and the
 * training parameters, committed at close() through zg_task_create (every
 * check before anything is signed, journaled, nonce-safe); reading the same
 * descriptor returns the new id. The deliverable's acknowledgement window
 * is watched: the mount's log warns before it closes. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wf.h"
#include "zg/chaintime.h"
#include "zg/dsindex.h"
#include "zg/ftprovider.h"
#include "zg/hex.h"
#include "zg/modelroot.h"
#include "zg/tasks.h"

#define ACK_WINDOW_MAX 21600 /* the provider's acknowledgement window: 6 h ... */
#define WARN_BEFORE    3600  /* warn this long before it closes */
#define WATCH_PERIOD_S 30

/* ------------------------------------------------------------ names */

int zgfs_task_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    if (strlen(name) != 36)
        return zg_err_set(err, ENOENT, "not a task id");
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? name[i] != '-' : !isxdigit((unsigned char)name[i]))
            return zg_err_set(err, ENOENT, "not a task id");
        canon[i] = (char)tolower((unsigned char)name[i]);
    }
    canon[36] = '\0';
    return 0;
}

static int provider(const zgfs_call *c, uint8_t p[20], zg_err *err)
{
    return zgfs_call_addr(c, 0, p, err);
}

int zgfs_tasks_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    if (provider(c, p, err) || zgfs_get_tasks(c->fs, p, -1, &ref, err))
        return -1;
    int rc = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, (const cJSON *)zg_cache_value(ref))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
        char canon[ZGFS_PARAM_MAX];
        if (id && zgfs_task_parse(id, canon, NULL) == 0 && (rc = zgfs_names_add(out, canon, err)))
            break;
    }
    zg_cache_put(ref);
    return rc;
}

int zgfs_task_present(const zgfs_call *c, zg_err *err)
{
    cJSON *t;
    if (zgfs_task_record(c, &t, err))
        return -1;
    cJSON_Delete(t);
    return 0;
}

/* The newest task's id (ENOENT without tasks). */
static int latest_id(const zgfs_call *c, char id[ZGFS_PARAM_MAX], zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    if (provider(c, p, err) || zgfs_get_tasks(c->fs, p, -1, &ref, err))
        return -1;
    const cJSON *t = cJSON_GetArrayItem(zg_cache_value(ref), 0);
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
    int rc = s ? zgfs_task_parse(s, id, err) : zg_err_set(err, ENOENT, "no tasks yet");
    zg_cache_put(ref);
    return rc;
}

int zgfs_tasks_latest_present(const zgfs_call *c, zg_err *err)
{
    char id[ZGFS_PARAM_MAX];
    return latest_id(c, id, err);
}

int zgfs_tasks_latest_readlink(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    char id[ZGFS_PARAM_MAX];
    if (latest_id(c, id, err))
        return -1;
    return zg_buf_append_str(out, id, err);
}

/* ------------------------------------------------------------ records */

int zgfs_task_json_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    cJSON *t;
    if (zgfs_task_record(c, &t, err))
        return -1;
    return zgfs_json_out(t, out, err);
}

int zgfs_task_progress_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    cJSON *t;
    if (zgfs_task_record(c, &t, err))
        return -1;
    const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "progress"));
    int rc = zg_buf_printf(out, err, "%s\n", p ? p : "unknown");
    cJSON_Delete(t);
    return rc;
}

/* ---- log: the provider's training log, refetched at most once a second */

int zgfs_task_log_stream(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    if (provider(c, p, err) || zgfs_get(c->fs, ZG_RV_TASK_LOG, p, c->params[1], -1, &ref, err))
        return -1;
    const zg_buf *b = zg_cache_value(ref);
    int rc = b->len ? zg_buf_append(out, b->data, b->len, err) : 0;
    zg_cache_put(ref);
    return rc;
}

/* ------------------------------------------------------------ cancel */

int zgfs_task_cancel_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    (void)line; /* anything cancels */
    uint8_t p[20];
    char *url = NULL;
    if (provider(c, p, err) || zgfs_ft_url(c->fs, p, &url, err))
        return -1;
    int rc = zg_ftp_cancel_task(c->fs->client, url, c->params[1], err);
    free(url);
    zgfs_changed(c->fs, ZGFS_TASK_VALUES, p, c->params[1]);
    if (rc)
        return -1;
    return zg_buf_printf(ok, err, "cancelled task %s; its progress ends Failed", c->params[1]);
}

/* ------------------------------------------------------------ deliverable */

/* How long the provider waits for the acknowledgement: min(6 h, lockTime/2). */
static uint64_t ack_window(zgfs *fs)
{
    uint64_t lock = 0;
    uint64_t w = ACK_WINDOW_MAX;
    if (zgfs_get_lock_time(fs, &lock, NULL) == 0 && lock / 2 < w)
        w = lock / 2;
    return w;
}

/* Warn in log (once per task and stage) when an unacknowledged
 * deliverable's window is about to close or has closed. */
static void warn_deadline(zgfs *fs, const char *prov, const zg_deliverable *d, long max_age_ms)
{
    if (d->acknowledged || d->settled)
        return;
    uint64_t now;
    if (zgfs_get_u64(fs, ZG_RV_CHAIN_TIME, max_age_ms, &now, NULL))
        return;
    uint64_t deadline = d->timestamp + ack_window(fs);
    const char *stage = now >= deadline ? "passed" : now + WARN_BEFORE >= deadline ? "near" : NULL;
    if (!stage)
        return;
    char key[160];
    snprintf(key, sizeof key, "warned:%s:%s", d->id, stage);
    if (!zg_marks_first(fs->marks, key, -1))
        return;
    if (now >= deadline)
        zg_oplog_add(fs->log,
                     "warning: the acknowledgement window of task %s with %s closed %llu s ago; "
                     "the provider settles it with a penalty and its key is lost",
                     d->id, prov, (unsigned long long)(now - deadline));
    else
        zg_oplog_add(fs->log,
                     "warning: the deliverable of task %s with %s must be acknowledged within "
                     "%llu min: read providers/%s/tasks/%s/lora.bin (or write yes to its ack); "
                     "after that the provider settles it with a penalty and the key is lost",
                     d->id, prov, (unsigned long long)((deadline - now + 59) / 60), prov, d->id);
}

int zgfs_deliverable_present(const zgfs_call *c, zg_err *err)
{
    uint8_t p[20];
    zg_deliverable d;
    if (provider(c, p, err) || zgfs_find_deliverable(c->fs, p, c->params[1], -1, &d, err))
        return -1;
    zg_deliverable_free(&d);
    return 0;
}

/* What the posted modelRootHash names, as the core reads it: its form and
 * its roots ("unknown" and none when it is in no known form; lora.bin then
 * refuses it with the sentence). */
static void add_roots(cJSON *j, const zg_deliverable *d)
{
    zg_model_roots r;
    bool known = zg_model_roots_parse(&r, d->root, d->root_len, NULL) == 0;
    cJSON_AddStringToObject(j, "modelRootForm", known ? zg_root_form_name(r.form) : "unknown");
    cJSON *a = cJSON_AddArrayToObject(j, "modelRoots");
    for (size_t i = 0; a && known && i < r.n; i++) {
        char h[67] = "0x";
        zg_hex_encode(h + 2, r.root[i], 32);
        cJSON_AddItemToArray(a, cJSON_CreateString(h));
    }
    if (known)
        zg_model_roots_free(&r);
}

int zgfs_deliverable_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    uint8_t p[20];
    zg_deliverable d;
    if (provider(c, p, err) || zgfs_find_deliverable(fs, p, c->params[1], -1, &d, err))
        return -1;
    warn_deadline(fs, c->params[0], &d, -1);
    uint64_t window = ack_window(fs);
    cJSON *j = cJSON_CreateObject();
    if (j) {
        cJSON_AddStringToObject(j, "id", d.id);
        zgfs_json_hex(j, "modelRootHash", d.root, d.root_len);
        add_roots(j, &d);
        cJSON_AddBoolToObject(j, "acknowledged", d.acknowledged);
        cJSON_AddBoolToObject(j, "settled", d.settled);
        cJSON_AddBoolToObject(j, "secretPresent", d.secret_len > 0);
        cJSON_AddNumberToObject(j, "deliverTime", (double)d.timestamp);
        cJSON_AddNumberToObject(j, "acknowledgeDeadline", (double)(d.timestamp + window));
    }
    zg_deliverable_free(&d);
    return zgfs_json_out(j, out, err);
}

/* ---- the watcher: after a task is created through this mount, one job
 * per provider looks at the sub-account's deliverables every 30 s and
 * warns before an acknowledgement window closes, even when nobody looks.
 * It ends when no deliverable waits for an acknowledgement and no task of
 * the provider is still on its way to delivery. */

typedef struct watch {
    zgfs *fs;
    uint8_t provider[20];
} watch;

/* Is any task of the list still before delivery? */
static bool tasks_running(zgfs *fs, const uint8_t prov[20])
{
    static const char *const before[] = {"Init",    "SettingUp",  "SetUp", "Training",
                                         "Trained", "Delivering", NULL};
    zg_cache_val *ref;
    if (zgfs_get_tasks(fs, prov, -1, &ref, NULL))
        return true; /* cannot tell: keep watching */
    bool running = false;
    const cJSON *t;
    cJSON_ArrayForEach(t, (const cJSON *)zg_cache_value(ref))
    {
        const char *pr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "progress"));
        for (int i = 0; pr && before[i] && !running; i++)
            running = !strcmp(pr, before[i]);
    }
    zg_cache_put(ref);
    return running;
}

static int watch_run(void *arg, zg_err *err)
{
    (void)err;
    watch *w = arg;
    zgfs *fs = w->fs;
    char prov[43];
    zg_addr_checksum(prov, w->provider);
    for (;;) {
        if (zg_wait_sleep(zgfs_work_wait(fs->work), WATCH_PERIOD_S * 1000L, NULL))
            return 0; /* the mount is going away */
        zg_cache_val *ref;
        if (zgfs_get_ft_account(fs, w->provider, -1, &ref, NULL))
            continue; /* network: look again later */
        const zgfs_ft_acct_view *v = zg_cache_value(ref);
        bool waiting = false;
        for (size_t i = 0; v->exists && i < v->a.ndeliverables; i++) {
            const zg_deliverable *d = &v->a.deliverables[i];
            if (d->acknowledged || d->settled)
                continue;
            waiting = true;
            warn_deadline(fs, prov, d, 0);
        }
        zg_cache_put(ref);
        if (!waiting && !tasks_running(fs, w->provider))
            return 0;
    }
}

static void watch_provider(zgfs *fs, const uint8_t provider_addr[20])
{
    watch *w = calloc(1, sizeof *w);
    if (!w)
        return;
    w->fs = fs;
    memcpy(w->provider, provider_addr, 20);
    char key[64], a[43];
    zg_addr_checksum(a, provider_addr);
    snprintf(key, sizeof key, "watch:%s", a);
    /* One watcher per provider: a running one is joined (w freed). */
    zgfs_work_join(fs->work, key, watch_run, w, free, NULL, NULL, NULL, NULL, NULL);
}

/* ------------------------------------------------------------ ack */

int zgfs_task_ack_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    if (strcmp(line, "yes"))
        return zg_err_set(err, EINVAL,
                          "write \"yes\" to acknowledge the deliverable without downloading it "
                          "(reading lora.bin downloads, verifies and acknowledges)");
    uint8_t p[20];
    zg_deliverable d;
    if (provider(c, p, err))
        return -1;
    zg_err e = {0};
    if (zgfs_find_deliverable(fs, p, c->params[1], 0, &d, &e)) {
        if (e.code == ENOENT)
            return zg_err_set(err, ENOENT,
                              "task %s has no deliverable on chain yet; wait until its progress "
                              "is Delivered",
                              c->params[1]);
        if (err)
            *err = e;
        return -1;
    }
    bool acked = d.acknowledged, settled = d.settled;
    zg_deliverable_free(&d);
    char tx[67];
    if (acked && zg_op_ack_recovered(fs->journal, p, c->params[1], tx))
        return zg_buf_printf(ok, err,
                             "already acknowledged: the acknowledgement sent before the crash is "
                             "on chain (tx %s); nothing sent",
                             tx);
    if (acked)
        return zg_buf_printf(ok, err, "already acknowledged; nothing sent");
    if (settled)
        return zg_err_set(err, EPERM,
                          "the provider settled task %s with a penalty before it was "
                          "acknowledged; there is nothing left to acknowledge",
                          c->params[1]);
    int rc = zg_op_ack_deliverable(fs->client, fs->journal, p, c->params[1], err);
    zgfs_changed(fs, ZG_RV_FUNDS, p, NULL);
    if (rc)
        return -1;
    return zg_buf_printf(ok, err,
                         "acknowledged the deliverable of task %s without downloading it; the "
                         "provider can take a new task",
                         c->params[1]);
}

/* ------------------------------------------------------------ new */

static bool is_hash(const char *s)
{
    if (strlen(s) != 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return false;
    for (int i = 2; i < 66; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

int zgfs_tasks_new_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                          zg_err *err)
{
    zgfs *fs = c->fs;
    zg_task_doc doc;
    if (zg_task_doc_parse(&doc, p->data ? (const char *)p->data : "", p->data ? p->len : 0, err))
        return -1;
    const char *model = doc.model, *dataset = doc.dataset;
    int rc = -1;
    char *url = NULL;
    char hash[67], id[37];
    uint8_t prov[20];
    if (is_hash(dataset)) {
        snprintf(hash, sizeof hash, "%s", dataset);
    } else {
        char dir[4096];
        zg_dsentry e;
        zg_err le = {0};
        if (zgfs_datasets_dir(fs, dir, sizeof dir, err))
            goto out;
        /* A datasets/ NAME wins over a storage/ NAME of the same spelling:
         * the provider's own copy needs no download. */
        if (zg_dsindex_get(dir, c->params[0], dataset, &e, &le) == 0) {
            snprintf(hash, sizeof hash, "%s", e.hash);
        } else if (le.code != ENOENT) {
            if (err)
                *err = le;
            goto out;
        } else if (zgfs_storage_name_root(fs, dataset, hash, &le)) {
            if (le.code == ENOENT)
                zg_err_set(err, ENOENT,
                           "dataset \"%.60s\" is neither in datasets/ nor in storage/; cp it "
                           "to one of them first, or give its 0x hash",
                           dataset);
            else if (err)
                *err = le;
            goto out;
        }
    }
    if (provider(c, prov, err) || zgfs_ft_url(fs, prov, &url, err))
        goto out;
    zg_task_new t = {.provider = prov,
                     .url = url,
                     .model = model,
                     .dataset = hash,
                     .params = (const char *)doc.params.data};
    if (zg_task_create(fs->client, fs->journal, &t, id, err)) {
        zgfs_changed(fs, ZGFS_TASK_VALUES, prov, NULL); /* a lost answer may still have made one */
        goto out;
    }
    zgfs_changed(fs, ZGFS_TASK_VALUES, prov, id);
    watch_provider(fs, prov);
    if (zg_buf_printf(reply, err, "%s\n", id) ||
        zg_buf_printf(ok, err, "created task %s: model %.60s, dataset %.60s%s%s%s", id, model,
                      dataset, is_hash(dataset) ? "" : " (", is_hash(dataset) ? "" : hash,
                      is_hash(dataset) ? "" : ")"))
        goto out;
    rc = 0;
out:
    zg_task_doc_free(&doc);
    free(url);
    return rc;
}

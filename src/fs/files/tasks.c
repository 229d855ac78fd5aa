/* providers/P/tasks/: the wallet's fine-tuning tasks with P.
 *
 * One cached task list (GET /v1/user/ME/task) answers the listing, every
 * lookup, latest, task.json and progress, so `ls -l tasks/` costs one
 * request whatever the number of tasks. A task the list has not seen yet
 * (made by another client a moment ago) is fetched alone.
 *
 * tasks/new is a payload: one JSON object with "model", "dataset" and the
 * training parameters, handed at close() to zg_task_submit with the
 * mount's dataset names (every check before anything is signed,
 * journaled, nonce-safe); reading the same descriptor returns the new id.
 * The deliverable's acknowledgement window is watched: the mount's log
 * warns before it closes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wf.h"
#include "zg/chaintime.h"
#include "zg/deadline.h"
#include "zg/dsindex.h"
#include "zg/ftprovider.h"
#include "zg/hex.h"
#include "zg/modelroot.h"
#include "zg/tasks.h"

/* ------------------------------------------------------------ names */

int zgfs_task_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    return zg_task_id_parse(name, canon, err);
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

/* How long the provider waits for the acknowledgement (zg/deadline.h). */
static uint64_t ack_window(zgfs *fs)
{
    uint64_t lock = 0;
    if (zgfs_get_lock_time(fs, &lock, NULL))
        return ZG_ACK_WINDOW_MAX;
    return zg_ack_window(lock);
}

/* Warn in log (once per task and stage) when an unacknowledged
 * deliverable's window is about to close or has closed: the core decides
 * (zg_deadline_due), the mount's deadline watch says it the same way. */
static void warn_deadline(zgfs *fs, const char *prov, const zg_deliverable *d, long max_age_ms)
{
    if (d->acknowledged || d->settled)
        return;
    uint64_t now;
    if (zgfs_get_u64(fs, ZG_RV_CHAIN_TIME, max_age_ms, &now, NULL))
        return;
    zg_open_task t = {.id = d->id,
                      .delivered = true,
                      .deliver_time = d->timestamp,
                      .deadline = d->timestamp + ack_window(fs)};
    if (zg_addr_parse(t.provider, prov, NULL))
        return;
    zgfs_deadline_warn(fs, &t, now, zg_deadline_due(&t, now, ZG_AUTOACK_OFF));
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

/* ------------------------------------------------------------ ack */

int zgfs_task_ack_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    uint8_t p[20];
    zg_task_acked how;
    char tx[67];
    if (provider(c, p, err))
        return -1;
    int rc = zg_task_ack(c->fs->client, c->fs->journal, p, c->params[1], line, &how, tx, err);
    zgfs_changed(c->fs, ZG_RV_FUNDS, p, NULL);
    if (rc)
        return -1;
    if (how == ZG_ACK_RECOVERED)
        return zg_buf_printf(ok, err,
                             "already acknowledged: the acknowledgement sent before the crash is "
                             "on chain (tx %s); nothing sent",
                             tx);
    if (how == ZG_ACK_ALREADY)
        return zg_buf_printf(ok, err, "already acknowledged; nothing sent");
    return zg_buf_printf(ok, err,
                         "acknowledged the deliverable of task %s without downloading it; the "
                         "provider can take a new task",
                         c->params[1]);
}

/* ------------------------------------------------------------ new */

/* The mount's dataset names for zg_task_submit. */
static int dataset_name(void *arg, const char *name, char hash[67], zg_err *err)
{
    const zgfs_call *c = arg;
    char dir[4096];
    zg_dsentry e;
    if (zgfs_datasets_dir(c->fs, dir, sizeof dir, err) ||
        zg_dsindex_get(dir, c->params[0], name, &e, err))
        return -1;
    snprintf(hash, 67, "%s", e.hash);
    return 0;
}

static int storage_name(void *arg, const char *name, char root[67], zg_err *err)
{
    const zgfs_call *c = arg;
    return zgfs_storage_name_root(c->fs, name, root, err);
}

int zgfs_tasks_new_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                          zg_err *err)
{
    zgfs *fs = c->fs;
    uint8_t prov[20];
    char *url = NULL;
    if (provider(c, prov, err) || zgfs_ft_url(fs, prov, &url, err))
        return -1;
    zg_dataset_names names = {dataset_name, storage_name, (void *)c};
    zg_task_submitted t;
    int rc = zg_task_submit(fs->client, fs->journal, prov, url, (const char *)p->data, p->len,
                            &names, &t, err);
    free(url);
    if (rc) {
        if (t.posted)
            zgfs_changed(fs, ZGFS_TASK_VALUES, prov,
                         NULL); /* a lost answer may still have made one */
        return -1;
    }
    zgfs_changed(fs, ZGFS_TASK_VALUES, prov, t.id);
    zgfs_watch_poke(fs); /* the deadline watch looks often until it is delivered */
    if (zg_buf_printf(reply, err, "%s\n", t.id) ||
        zg_buf_printf(ok, err, "created task %s: model %s, dataset %s%s%s%s", t.id, t.model,
                      t.dataset, t.by_name ? " (" : "", t.by_name ? t.hash : "",
                      t.by_name ? ")" : ""))
        return -1;
    return 0;
}

/* The task files' documents (see zg/taskdoc.h). */
#include "zg/taskdoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zg/hex.h"
#include "zg/jsontext.h"
#include "zg/modelroot.h"
#include "zg/show.h"

const cJSON *zg_task_find(const cJSON *list, const char *id)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, list)
    {
        const char *tid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
        if (tid && !strcmp(tid, id))
            return t;
    }
    return NULL;
}

void zg_task_lookup_errno(zg_err *e)
{
    if (e->code == EINVAL || e->code == EPERM)
        e->code = ENOENT;
}

int zg_task_latest(const cJSON *list, char id[37], zg_err *err)
{
    const cJSON *t = cJSON_GetArrayItem(list, 0);
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
    return s ? zg_task_id_parse(s, id, err) : zg_err_set(err, ENOENT, "no tasks yet");
}

int zg_task_ids(const cJSON *list, int (*add)(void *arg, const char *id, zg_err *err), void *arg,
                zg_err *err)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, list)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
        char canon[37];
        if (id && zg_task_id_parse(id, canon, NULL) == 0 && add(arg, canon, err))
            return -1;
    }
    return 0;
}

int zg_task_progress_text(const cJSON *task, zg_buf *out, zg_err *err)
{
    const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(task, "progress"));
    return zg_buf_printf(out, err, "%s\n", p ? p : "unknown");
}

uint64_t zg_task_ack_window(int lock_known, uint64_t lock_time)
{
    return lock_known ? zg_ack_window(lock_time) : ZG_ACK_WINDOW_MAX;
}

int zg_deliverable_copy(const zg_ft_account *a, const char *id, zg_deliverable *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    const zg_deliverable *d = NULL;
    for (size_t i = 0; a && i < a->ndeliverables && !d; i++)
        if (a->deliverables[i].id && !strcmp(a->deliverables[i].id, id))
            d = &a->deliverables[i];
    if (!d)
        return zg_err_set(err, ENOENT, "task %s has no deliverable on chain yet", id);
    *out = *d;
    out->id = strdup(d->id);
    out->root = d->root_len ? malloc(d->root_len) : NULL;
    out->secret = d->secret_len ? malloc(d->secret_len) : NULL;
    if (!out->id || (d->root_len && !out->root) || (d->secret_len && !out->secret)) {
        zg_deliverable_free(out);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    if (d->root_len)
        memcpy(out->root, d->root, d->root_len);
    if (d->secret_len)
        memcpy(out->secret, d->secret, d->secret_len);
    return 0;
}

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

int zg_deliverable_doc(const zg_deliverable *d, uint64_t window, zg_buf *out, zg_err *err)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return zg_err_set(err, ENOMEM, "out of memory");
    cJSON_AddStringToObject(j, "id", d->id ? d->id : "");
    zg_json_add_hex(j, "modelRootHash", d->root, d->root_len);
    add_roots(j, d);
    cJSON_AddBoolToObject(j, "acknowledged", d->acknowledged);
    cJSON_AddBoolToObject(j, "settled", d->settled);
    cJSON_AddBoolToObject(j, "secretPresent", d->secret_len > 0);
    cJSON_AddNumberToObject(j, "deliverTime", (double)d->timestamp);
    cJSON_AddNumberToObject(j, "acknowledgeDeadline", (double)(d->timestamp + window));
    int rc = zg_json_render(out, j, err);
    cJSON_Delete(j);
    return rc;
}

void zg_deliverable_open_task(const zg_deliverable *d, const uint8_t provider[20], uint64_t window,
                              zg_open_task *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->provider, provider, 20);
    out->id = d->id;
    out->delivered = true;
    out->acknowledged = d->acknowledged;
    out->settled = d->settled;
    out->deliver_time = d->timestamp;
    out->deadline = d->timestamp + window;
}

int zg_task_cancel_text(const char *id, zg_buf *ok, zg_err *err)
{
    return zg_buf_printf(ok, err, "cancelled task %s; its progress ends Failed", id);
}

int zg_task_ack_text(const char *id, zg_task_acked how, const char *tx, zg_buf *ok, zg_err *err)
{
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
                         id);
}

int zg_task_submitted_text(const zg_task_submitted *t, zg_buf *reply, zg_buf *ok, zg_err *err)
{
    if (zg_buf_printf(reply, err, "%s\n", t->id) ||
        zg_buf_printf(ok, err, "created task %s: model %s, dataset %s%s%s%s", t->id, t->model,
                      t->dataset, t->by_name ? " (" : "", t->by_name ? t->hash : "",
                      t->by_name ? ")" : ""))
        return -1;
    return 0;
}

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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"
#include "zg/deadline.h"
#include "zg/namedir.h"
#include "zg/ftprovider.h"
#include "zg/taskdoc.h"
#include "zg/tasks.h"

/* ------------------------------------------------------------ names */

static int provider(const zgfs_call *c, uint8_t p[20], zg_err *err)
{
    return zgfs_call_addr(c, 0, p, err);
}

int zgfs_tasks_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    if (provider(c, p, err) || zgfs_get(c->fs, ZG_RV_TASKS, p, NULL, -1, &ref, err))
        return -1;
    int rc = zg_task_ids(zg_cache_value(ref), zgfs_names_add_cb, out, err);
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
    if (provider(c, p, err) || zgfs_get(c->fs, ZG_RV_TASKS, p, NULL, -1, &ref, err))
        return -1;
    int rc = zg_task_latest(zg_cache_value(ref), id, err);
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
    return zg_show_json(out, t, err);
}

int zgfs_task_progress_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    cJSON *t;
    if (zgfs_task_record(c, &t, err))
        return -1;
    int rc = zg_task_progress_text(t, out, err);
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
    if (provider(c, p, err) || zg_rm_ft_service(&c->fs->rm, p, &url, NULL, err))
        return -1;
    int rc = zg_ftp_cancel_task(c->fs->client, url, c->params[1], err);
    free(url);
    zgfs_changed(c->fs, ZGFS_TASK_VALUES, p, c->params[1]);
    return rc ? -1 : zg_task_cancel_text(c->params[1], ok, err);
}

/* ------------------------------------------------------------ deliverable */

/* How long the provider waits for the acknowledgement (zg/deadline.h). */
static uint64_t ack_window(zgfs *fs)
{
    uint64_t lock = 0;
    int known = zgfs_get_u64(fs, ZG_RV_LOCK_TIME, -1, &lock, NULL) == 0;
    return zg_task_ack_window(known, lock);
}

/* Warn in log (once per task and stage) as the mount's deadline watch
 * does, when the core finds the window about to close or closed. */
static void warn_deadline(zgfs *fs, const uint8_t prov[20], const zg_deliverable *d,
                          uint64_t window)
{
    uint64_t now;
    zg_open_task t;
    zg_deliverable_open_task(d, prov, window, &t);
    if (!zg_deadline_watched(&t) || zgfs_get_u64(fs, ZG_RV_CHAIN_TIME, -1, &now, NULL))
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

int zgfs_deliverable_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint8_t p[20];
    zg_deliverable d;
    if (provider(c, p, err) || zgfs_find_deliverable(c->fs, p, c->params[1], -1, &d, err))
        return -1;
    uint64_t window = ack_window(c->fs);
    warn_deadline(c->fs, p, &d, window);
    int rc = zg_deliverable_doc(&d, window, out, err);
    zg_deliverable_free(&d);
    return rc;
}

/* ------------------------------------------------------------ ack */

int zgfs_task_ack_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    uint8_t p[20];
    zg_task_acked how;
    char tx[67];
    if (provider(c, p, err))
        return -1;
    int rc = zg_task_ack(c->fs->client, zg_session_journal(c->fs->session), p, c->params[1], line,
                         &how, tx, err);
    zgfs_changed(c->fs, ZG_RV_FUNDS, p, NULL);
    return rc ? -1 : zg_task_ack_text(c->params[1], how, tx, ok, err);
}

/* ------------------------------------------------------------ new */

int zgfs_tasks_new_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                          zg_err *err)
{
    zgfs *fs = c->fs;
    uint8_t prov[20];
    char *url = NULL;
    if (provider(c, prov, err) || zg_rm_ft_service(&fs->rm, prov, &url, NULL, err))
        return -1;
    zg_nameref at = {.state_dir = zg_session_state_dir(fs->session), .provider = c->params[0]};
    zg_dataset_names names;
    zg_namedir_resolver(&at, &names);
    zg_task_submitted t;
    int rc = zg_task_submit(fs->client, zg_session_journal(fs->session), prov, url,
                            (const char *)p->data, p->len, &names, &t, err);
    free(url);
    if (rc) {
        if (t.posted)
            zgfs_changed(fs, ZGFS_TASK_VALUES, prov,
                         NULL); /* a lost answer may still have made one */
        return -1;
    }
    zgfs_changed(fs, ZGFS_TASK_VALUES, prov, t.id);
    zgfs_watch_poke(fs); /* the deadline watch looks often until it is delivered */
    return zg_task_submitted_text(&t, reply, ok, err);
}

/* providers/P/adapters/ (providers that serve inference): the wallet's
 * fine-tuned adapters on P, their state, deployment, and chat; plus
 * tasks/TASK-ID/deploy on the fine-tuning side.
 *
 * Every call needs the inference session of the wallet with P, which the
 * provider checks against the on-chain inference sub-account: without one
 * the directory is empty and deploy/chat say to fund it. One cached list
 * (GET /v1/lora/adapters, filtered to this wallet: the provider lists
 * everyone's) answers the listing and the records.
 *
 * Adapter names are the provider's (zg/adapter.h): tasks/ID/deploy shows
 * the name of the listed adapter of the task. A deploy is the core's
 * deploy-and-wait (zg_adapter_deploy) on the long-job pool; Ctrl-C stops
 * the waiting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "zg/adapter.h"

/* ------------------------------------------------------------ the list */

/* Does the wallet have an inference sub-account with provider? */
static int has_session(zgfs *fs, const uint8_t provider[20], long max_age_ms, bool *yes,
                       zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get(fs, ZG_RV_INF_ACCOUNT, provider, NULL, max_age_ms, &ref, err))
        return -1;
    *yes = ((const zg_rv_inf_account *)zg_cache_value(ref))->exists;
    zg_cache_put(ref);
    return 0;
}

int zgfs_adapters_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    if (zgfs_call_addr(c, 0, p, err) || zgfs_get(c->fs, ZG_RV_ADAPTERS, p, NULL, -1, &ref, err))
        return -1;
    int rc = zg_adapter_names(zg_cache_value(ref), zgfs_names_add_cb, out, err);
    zg_cache_put(ref);
    return rc;
}

/* A copy of the adapter record of the path (cJSON_Delete). */
static int adapter_record(const zgfs_call *c, long max_age_ms, cJSON **out, zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    const cJSON *found;
    if (zgfs_call_addr(c, 0, p, err) ||
        zgfs_get(c->fs, ZG_RV_ADAPTERS, p, NULL, max_age_ms, &ref, err))
        return -1;
    int rc = zg_adapter_record(zg_cache_value(ref), c->params[1], c->params[0], &found, err);
    *out = rc ? NULL : cJSON_Duplicate(found, true);
    zg_cache_put(ref);
    return rc || *out ? rc : zg_err_set(err, ENOMEM, "out of memory");
}

int zgfs_adapter_present(const zgfs_call *c, zg_err *err)
{
    cJSON *a;
    if (adapter_record(c, -1, &a, err))
        return -1;
    cJSON_Delete(a);
    return 0;
}

int zgfs_adapter_state_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    cJSON *a;
    if (adapter_record(c, -1, &a, err))
        return -1;
    int rc = zg_adapter_state_text(a, out, err);
    cJSON_Delete(a);
    return rc;
}

int zgfs_adapter_json_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    cJSON *a;
    if (adapter_record(c, -1, &a, err))
        return -1;
    return zg_show_json(out, a, err);
}

/* ------------------------------------------------------------ deploy */

/* Deploy task_id's adapter (or the adapter `given`) on inf and wait until
 * it is active. ft (may be NULL) is the task's fine-tuning provider. */
static int deploy(zgfs *fs, const uint8_t inf[20], const char *task_id, const uint8_t *ft,
                  const char *given, zg_buf *ok, zg_err *err)
{
    zg_adapter_deploy_req req = {.task_id = task_id,
                                 .name = given,
                                 .wait_s = (long)fs->opts.wait,
                                 .ft = ft,
                                 .wait = zgfs_work_wait(fs->work)};
    bool asked;
    memcpy(req.provider, inf, 20);
    int rc = zg_adapter_deploy_on(fs->client, &fs->rm, &req, &asked, ok, err);
    if (asked)
        zgfs_changed(fs, ZG_RV_BIT(ZG_RV_ADAPTERS), inf, NULL);
    return rc;
}

int zgfs_adapters_deploy_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    uint8_t inf[20];
    zg_adapter_target t;
    if (zgfs_call_addr(c, 0, inf, err) || zg_adapter_target_parse(line, &t, err))
        return -1;
    return deploy(c->fs, inf, t.task_id[0] ? t.task_id : NULL, t.has_ft ? t.ft : NULL,
                  t.name[0] ? t.name : NULL, ok, err);
}

/* ---- tasks/TASK-ID/deploy */

int zgfs_task_deploy_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint8_t ft[20];
    if (zgfs_call_addr(c, 0, ft, err))
        return -1;
    return zg_adapter_task_deploy_text(&c->fs->rm, ft, c->params[1], out, err);
}

int zgfs_task_deploy_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    uint8_t ft[20], inf[20];
    if (zgfs_call_addr(c, 0, ft, err) || zg_adapter_task_target(&c->fs->rm, ft, line, inf, err))
        return -1;
    return deploy(c->fs, inf, c->params[1], ft, NULL, ok, err);
}

/* ------------------------------------------------------------ chat */

int zgfs_adapter_chat_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                             zg_err *err)
{
    zgfs *fs = c->fs;
    uint8_t prov[20];
    char *url = NULL, *content = NULL, *body = NULL;
    bool session;
    if (zg_adapter_chat_body(c->params[1], (const char *)p->data, p->len, &body, err))
        return -1;
    int rc = -1;
    if (zgfs_call_addr(c, 0, prov, err) || has_session(fs, prov, -1, &session, err) ||
        zg_adapter_chat_ready(session, c->params[0], err) ||
        zg_rm_inf_service(&fs->rm, prov, &url, NULL, err) ||
        zg_adapter_chat(fs->client, url, prov, c->params[1], body, &content, err))
        goto out;
    rc = zg_adapter_chat_text(content, reply, ok, err);
out:
    free(url);
    free(body);
    free(content);
    return rc;
}

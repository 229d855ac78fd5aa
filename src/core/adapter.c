/* Deploying an adapter the way the provider signals its progress: its
 * name and task come from the provider's list, the deploy answer's kind
 * (zg_infp_deploy_kind_of) says whether to wait, and the adapter's state
 * says when it is done. */
#include "zg/adapter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "zg/infprovider.h"
#include "zg/secp.h"

#define RETRY_MS 1000 /* asking again while unregistered or loading */
#define POLL_MS  300  /* following the state after the deploy started */

static const cJSON *entry_with(const cJSON *list, const char *key, const char *value)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, key));
        if (v && strcmp(v, value) == 0)
            return a;
    }
    return NULL;
}

const cJSON *zg_adapter_of_task(const cJSON *list, const char *task_id)
{
    return entry_with(list, "taskId", task_id);
}

const cJSON *zg_adapter_named(const cJSON *list, const char *name)
{
    return entry_with(list, "adapterName", name);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* What the provider's list says of the adapter: its name, task and base
 * model (all "" when it lists none). */
typedef struct listed {
    char name[160], task[80], base_model[256];
} listed;

static int look_up(zg_client *c, const zg_adapter_deploy_req *r, listed *l, zg_err *err)
{
    memset(l, 0, sizeof *l);
    cJSON *list = NULL;
    if (zg_infp_adapters(c, r->url, r->provider, &list, err))
        return -1;
    const cJSON *a =
        r->task_id ? zg_adapter_of_task(list, r->task_id) : zg_adapter_named(list, r->name);
    if (a) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "adapterName");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(a, "taskId");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(a, "baseModel");
        copy(l->name, sizeof l->name, cJSON_GetStringValue(n));
        copy(l->task, sizeof l->task, cJSON_GetStringValue(t));
        copy(l->base_model, sizeof l->base_model, cJSON_GetStringValue(b));
    }
    cJSON_Delete(list);
    if (a && (!l->name[0] || !l->task[0]))
        return zg_err_set(err, EPROTO, "the provider lists an adapter without a name or task id");
    return 0;
}

static bool past(time_t until)
{
    return time(NULL) >= until;
}

/* One pause between looks, on the caller's wait: ECANCELED once it was
 * stopped. */
static int pause_ms(const zg_adapter_deploy_req *r, long ms, const char *what, zg_err *err)
{
    zg_err e = {0};
    if (zg_wait_sleep(r->wait, ms, &e) == 0)
        return 0;
    if (e.code == EINTR)
        return zg_err_set(err, ECANCELED, "stopped waiting for %s", what);
    if (err)
        *err = e;
    return -1;
}

/* Follow the adapter's state until it is active. */
static int follow(zg_client *c, const zg_adapter_deploy_req *r, const char *name, time_t until,
                  const char *prov, zg_err *err)
{
    for (;;) {
        cJSON *a = NULL;
        if (zg_infp_adapter(c, r->url, r->provider, name, &a, err))
            return -1;
        char state[32], why[200];
        copy(state, sizeof state,
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "state")));
        copy(why, sizeof why, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "error")));
        cJSON_Delete(a);
        if (strcmp(state, "active") == 0)
            return 0;
        if (strcmp(state, "failed") == 0)
            return zg_err_set(err, EIO, "adapter %s failed on %s: %s", name, prov,
                              why[0] ? why : "no reason given");
        if (past(until))
            return zg_err_set(err, ETIMEDOUT,
                              "adapter %s is still %s on %s; read providers/%s/adapters/%s/state",
                              name, state[0] ? state : "not active", prov, prov, name);
        char what[200];
        snprintf(what, sizeof what, "adapter %s", name);
        if (pause_ms(r, POLL_MS, what, err))
            return -1;
    }
}

int zg_adapter_deploy(zg_client *c, const zg_adapter_deploy_req *r, zg_adapter_deployed *out,
                      zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!r->task_id == !r->name)
        return zg_err_set(err, EINVAL, "deploy either a task's adapter or a named one");
    char prov[43];
    zg_addr_checksum(prov, r->provider);
    time_t until = time(NULL) + (time_t)r->wait_s;
    bool acked = r->acked == NULL;
    zg_infp_deploy_kind last = ZG_DEPLOY_UNREGISTERED;
    for (;;) {
        listed l;
        if (look_up(c, r, &l, err))
            return -1;
        if (r->name && !l.name[0])
            return zg_err_set(err, ENOENT, "%s lists no adapter %s", prov, r->name);
        const char *task = l.task[0] ? l.task : r->task_id;
        zg_infp_deploy_ans ans;
        if (zg_infp_deploy(c, r->url, r->provider, task,
                           l.base_model[0] ? l.base_model : r->base_model, &ans, err))
            return -1;
        last = ans.kind;
        if (ans.kind == ZG_DEPLOY_STARTED || ans.kind == ZG_DEPLOY_ACTIVE) {
            copy(out->name, sizeof out->name, ans.name[0] ? ans.name : l.name);
            if (!out->name[0]) {
                /* Registered between the list and the deploy. */
                if (look_up(c, r, &l, err))
                    return -1;
                if (!l.name[0])
                    return zg_err_set(err, EPROTO,
                                      "%s deployed the adapter of task %s without naming it", prov,
                                      task);
                copy(out->name, sizeof out->name, l.name);
            }
            out->already = ans.kind == ZG_DEPLOY_ACTIVE;
            return out->already ? 0 : follow(c, r, out->name, until, prov, err);
        }
        if (ans.kind == ZG_DEPLOY_UNREGISTERED && !acked) {
            /* Nothing registers an adapter before the acknowledgement. */
            if (r->acked(r->arg, &acked, err))
                return -1;
            if (!acked)
                return zg_err_set(err, ENOENT,
                                  "%s has no adapter for task %s: it registers one once the "
                                  "deliverable is acknowledged on chain; read tasks/%s/lora.bin "
                                  "(or write yes to its ack file) first",
                                  prov, task, task);
        }
        if (past(until))
            break;
        char what[200];
        snprintf(what, sizeof what, "the adapter of task %s", task);
        if (pause_ms(r, RETRY_MS, what, err))
            return -1;
    }
    const char *what = r->task_id ? r->task_id : r->name;
    if (last == ZG_DEPLOY_LOADING)
        return zg_err_set(err, ETIMEDOUT,
                          "the adapter of %s is still loading on %s after %ld s (the provider "
                          "downloads it from storage before it can deploy it); deploy again later",
                          what, prov, r->wait_s);
    return zg_err_set(err, ETIMEDOUT,
                      "%s has not registered the adapter of task %s within %ld s (it does once "
                      "it sees the acknowledgement on chain); deploy again later",
                      prov, what, r->wait_s);
}

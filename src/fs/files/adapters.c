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
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wf.h"
#include "zg/adapter.h"
#include "zg/infprovider.h"

/* ------------------------------------------------------------ the list */

int zgfs_adapter_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n >= ZGFS_PARAM_MAX || name[0] == '.')
        return zg_err_set(err, ENOENT, "not an adapter name");
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
            return zg_err_set(err, ENOENT, "not an adapter name");
    strcpy(canon, name);
    return 0;
}

/* Does the wallet have an inference sub-account with provider? */
static int has_session(zgfs *fs, const uint8_t provider[20], long max_age_ms, bool *yes,
                       zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_inf_account(fs, provider, max_age_ms, &ref, err))
        return -1;
    *yes = ((const zgfs_inf_acct_view *)zg_cache_value(ref))->exists;
    zg_cache_put(ref);
    return 0;
}

#define get_adapters(fs, p, age, ref, err) zgfs_get(fs, ZG_RV_ADAPTERS, p, NULL, age, ref, err)

int zgfs_adapters_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    if (zgfs_call_addr(c, 0, p, err) || get_adapters(c->fs, p, -1, &ref, err))
        return -1;
    int rc = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, (const cJSON *)zg_cache_value(ref))
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "adapterName"));
        char canon[ZGFS_PARAM_MAX];
        if (n && zgfs_adapter_parse(n, canon, NULL) == 0 && (rc = zgfs_names_add(out, canon, err)))
            break;
    }
    zg_cache_put(ref);
    return rc;
}

/* A copy of the adapter record of the path (cJSON_Delete). */
static int adapter_record(const zgfs_call *c, long max_age_ms, cJSON **out, zg_err *err)
{
    uint8_t p[20];
    zg_cache_val *ref;
    if (zgfs_call_addr(c, 0, p, err) || get_adapters(c->fs, p, max_age_ms, &ref, err))
        return -1;
    const cJSON *a, *found = NULL;
    cJSON_ArrayForEach(a, (const cJSON *)zg_cache_value(ref))
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "adapterName"));
        if (n && !strcmp(n, c->params[1]))
            found = a;
    }
    *out = found ? cJSON_Duplicate(found, true) : NULL;
    zg_cache_put(ref);
    if (!found)
        return zg_err_set(err, ENOENT, "no adapter %s of this wallet on %s", c->params[1],
                          c->params[0]);
    return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
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
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "state"));
    int rc = zg_buf_printf(out, err, "%s\n", s ? s : "unknown");
    cJSON_Delete(a);
    return rc;
}

int zgfs_adapter_json_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    cJSON *a;
    if (adapter_record(c, -1, &a, err))
        return -1;
    return zgfs_json_out(a, out, err);
}

/* ------------------------------------------------------------ deploy */

/* The fine-tuning provider whose deliverable task_id is (from the
 * wallet's sub-accounts); ENOENT when none has it. */
static int ft_of_task(zgfs *fs, const char *task_id, uint8_t ft[20], zg_deliverable *d, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_subs(fs, -1, &ref, err))
        return -1;
    const zgfs_subs *s = zg_cache_value(ref);
    int rc = zg_err_set(err, ENOENT, "no fine-tuning provider has delivered task %s to this wallet",
                        task_id);
    for (size_t i = 0; i < s->nft && rc; i++)
        if (zgfs_find_deliverable(fs, s->ft[i].provider, task_id, -1, d, NULL) == 0) {
            memcpy(ft, s->ft[i].provider, 20);
            rc = 0;
        }
    zg_cache_put(ref);
    return rc;
}

typedef struct deploy_ctx {
    zgfs *fs;
    const char *task_id;
    const uint8_t *ft; /* may be NULL: found among the sub-accounts */
} deploy_ctx;

static int task_acked(void *arg, bool *yes, zg_err *err)
{
    deploy_ctx *x = arg;
    zg_deliverable d = {0};
    uint8_t f[20];
    zg_err e = {0};
    int rc = x->ft ? zgfs_find_deliverable(x->fs, x->ft, x->task_id, 0, &d, &e)
                   : ft_of_task(x->fs, x->task_id, f, &d, &e);
    *yes = rc == 0 && d.acknowledged;
    zg_deliverable_free(&d);
    if (rc && e.code != ENOENT) {
        if (err)
            *err = e;
        return -1;
    }
    return 0;
}

/* Deploy task_id's adapter (or the adapter `given`) on inf and wait until
 * it is active. ft (may be NULL) is the task's fine-tuning provider. */
static int deploy(zgfs *fs, const uint8_t inf[20], const char *task_id, const uint8_t *ft,
                  const char *given, zg_buf *ok, zg_err *err)
{
    char infa[43];
    zg_addr_checksum(infa, inf);
    bool session;
    if (has_session(fs, inf, 0, &session, err))
        return -1;
    if (!session)
        return zg_err_set(err, EDQUOT,
                          "there is no inference sub-account with %s; write an amount to "
                          "providers/%s/fund first (adapters are served from it)",
                          infa, infa);
    char *url = NULL, *model = NULL;
    if (zgfs_inf_service(fs, inf, &url, &model, err))
        return -1;
    deploy_ctx x = {.fs = fs, .task_id = task_id, .ft = ft};
    zg_adapter_deploy_req req = {.url = url,
                                 .task_id = task_id,
                                 .name = given,
                                 .base_model = model ? model : "",
                                 .wait_s = (long)fs->opts.wait,
                                 .acked = task_id ? task_acked : NULL,
                                 .arg = &x,
                                 .wait = zgfs_work_wait(fs->work)};
    memcpy(req.provider, inf, 20);
    zg_adapter_deployed d;
    int rc = zg_adapter_deploy(fs->client, &req, &d, err);
    zgfs_changed(fs, ZG_RV_BIT(ZG_RV_ADAPTERS), inf, NULL);
    if (rc == 0)
        rc = zg_buf_printf(ok, err,
                           "%s %s on %s: it is active; chat through providers/%s/adapters/%s/chat",
                           d.already ? "already deployed" : "deployed", d.name, infa, infa, d.name);
    free(url);
    free(model);
    return rc;
}

static bool is_task_id(const char *s)
{
    char canon[ZGFS_PARAM_MAX];
    return zgfs_task_parse(s, canon, NULL) == 0;
}

int zgfs_adapters_deploy_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    uint8_t inf[20], ft[20];
    if (zgfs_call_addr(c, 0, inf, err))
        return -1;
    char a[ZGFS_LINE_MAX], b[ZGFS_LINE_MAX], extra[8];
    int n = sscanf(line, "%4095s %4095s %7s", a, b, extra);
    if (n == 1 && is_task_id(a)) {
        char id[ZGFS_PARAM_MAX];
        zgfs_task_parse(a, id, NULL);
        return deploy(c->fs, inf, id, NULL, NULL, ok, err);
    }
    if (n == 2 && is_task_id(b) && zg_addr_parse(ft, a, NULL) == 0) {
        char id[ZGFS_PARAM_MAX];
        zgfs_task_parse(b, id, NULL);
        return deploy(c->fs, inf, id, ft, NULL, ok, err);
    }
    char canon[ZGFS_PARAM_MAX];
    if (n == 1 && zgfs_adapter_parse(a, canon, NULL) == 0)
        return deploy(c->fs, inf, NULL, NULL, a, ok, err);
    return zg_err_set(err, EINVAL,
                      "write a task id, \"0xFTPROVIDER TASK-ID\" or an adapter name to deploy "
                      "it on this provider");
}

/* ---- tasks/TASK-ID/deploy */

/* The inference provider a task deploys to by default: its own provider
 * when that serves inference, else the only listed inference provider. */
static int default_inf(zgfs *fs, const uint8_t ft[20], uint8_t inf[20], zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get_services(fs, -1, &ref, err))
        return -1;
    const zgfs_services *s = zg_cache_value(ref);
    zgfs_provider pr;
    zgfs_services_find(s, ft, &pr);
    int rc = 0;
    if (pr.inf) {
        memcpy(inf, ft, 20);
    } else {
        size_t listed = 0;
        for (size_t i = 0; i < s->ninf; i++)
            if (s->inf[i].tee_acknowledged && listed++ == 0)
                memcpy(inf, s->inf[i].provider, 20);
        if (listed != 1)
            rc = zg_err_set(err, EINVAL,
                            "%zu inference providers are listed; write the address of the one "
                            "to deploy on",
                            listed);
    }
    zg_cache_put(ref);
    return rc;
}

int zgfs_task_deploy_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint8_t ft[20], inf[20];
    zg_err e = {0};
    if (zgfs_call_addr(c, 0, ft, err))
        return -1;
    if (default_inf(c->fs, ft, inf, &e)) {
        if (e.code != EINVAL) {
            if (err)
                *err = e;
            return -1;
        }
        /* Several inference providers: each names the adapter itself. */
        return zg_buf_printf(out, err,
                             "(the adapter name comes from the inference provider: write its "
                             "address to deploy there)\n");
    }
    char infa[43];
    zg_addr_checksum(infa, inf);
    bool session;
    if (has_session(c->fs, inf, -1, &session, err))
        return -1;
    if (!session)
        return zg_buf_printf(out, err,
                             "(the adapter name comes from %s: write an amount to "
                             "providers/%s/fund first)\n",
                             infa, infa);
    zg_cache_val *ref;
    if (get_adapters(c->fs, inf, -1, &ref, err))
        return -1;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        zg_adapter_of_task(zg_cache_value(ref), c->params[1]), "adapterName"));
    int rc = name ? zg_buf_printf(out, err, "%s\n", name)
                  : zg_buf_printf(out, err,
                                  "(%s has no adapter for this task yet: it registers one once "
                                  "the deliverable is acknowledged)\n",
                                  infa);
    zg_cache_put(ref);
    return rc;
}

int zgfs_task_deploy_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    uint8_t ft[20], inf[20];
    if (zgfs_call_addr(c, 0, ft, err))
        return -1;
    while (*line == ' ' || *line == '\t')
        line++;
    if (!*line) {
        if (default_inf(c->fs, ft, inf, err))
            return -1;
    } else if (zg_addr_parse(inf, line, NULL)) {
        return zg_err_set(err, EINVAL,
                          "write nothing (an empty line) or the address of an inference "
                          "provider");
    }
    return deploy(c->fs, inf, c->params[1], ft, NULL, ok, err);
}

/* ------------------------------------------------------------ chat */

static const char chat_shape[] =
    "write a question, or a JSON chat request without \"model\" ({\"messages\": [...]})";

int zgfs_adapter_chat_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                             zg_err *err)
{
    zgfs *fs = c->fs;
    const char *name = c->params[1];
    size_t len = p->len;
    const char *text = (const char *)p->data;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    size_t lead = 0;
    while (lead < len && isspace((unsigned char)text[lead]))
        lead++;
    if (lead == len)
        return zg_err_set(err, EINVAL, "empty; %s", chat_shape);
    if (memchr(text, '\0', len))
        return zg_err_set(err, EINVAL, "a prompt is text; NUL bytes are refused");
    cJSON *req = NULL;
    if (text[lead] == '{') {
        req = cJSON_ParseWithLength(text, len);
        if (!cJSON_IsObject(req)) {
            cJSON_Delete(req);
            return zg_err_set(err, EINVAL, "not a JSON object; %s", chat_shape);
        }
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, "model");
        if (m && !(cJSON_IsString(m) && !strcmp(m->valuestring, name))) {
            cJSON_Delete(req);
            return zg_err_set(err, EINVAL, "leave \"model\" out: this file is adapter %s", name);
        }
        if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(req, "messages"))) {
            cJSON_Delete(req);
            return zg_err_set(err, EINVAL, "\"messages\" (an array) is missing; %s", chat_shape);
        }
        cJSON_DeleteItemFromObjectCaseSensitive(req, "model");
        cJSON_DeleteItemFromObjectCaseSensitive(req, "stream"); /* one answer, not a stream */
    } else {
        req = cJSON_CreateObject();
        cJSON *msgs = cJSON_AddArrayToObject(req, "messages");
        cJSON *m = cJSON_CreateObject();
        char *q = strndup(text, len);
        if (!msgs || !m || !q) {
            free(q);
            cJSON_Delete(m);
            cJSON_Delete(req);
            return zg_err_set(err, ENOMEM, "out of memory");
        }
        cJSON_AddStringToObject(m, "role", "user");
        cJSON_AddStringToObject(m, "content", q);
        free(q);
        cJSON_AddItemToArray(msgs, m);
    }
    cJSON_AddStringToObject(req, "model", name);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (!body)
        return zg_err_set(err, ENOMEM, "out of memory");

    int rc = -1;
    uint8_t prov[20];
    char *url = NULL;
    bool session;
    zg_buf ans;
    zg_buf_init(&ans, 16u << 20);
    cJSON *j = NULL;
    if (zgfs_call_addr(c, 0, prov, err) || has_session(fs, prov, -1, &session, err))
        goto out;
    if (!session) {
        zg_err_set(err, EDQUOT,
                   "there is no inference sub-account with %s; write an amount to its fund "
                   "file first",
                   c->params[0]);
        goto out;
    }
    if (zgfs_inf_service(fs, prov, &url, NULL, err))
        goto out;
    if (zg_infp_chat(fs->client, url, prov, body, &ans, err)) {
        if (err && err->code == EAGAIN && strlen(err->msg) < 150)
            zg_err_prefix(err, "adapter %s is not active (write its name to adapters/deploy)",
                          name);
        goto out;
    }
    j = cJSON_ParseWithLength((const char *)ans.data, ans.len);
    const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
    const char *content = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ch, "message"), "content"));
    if (!content) {
        zg_err_set(err, EPROTO, "the provider's answer holds no message");
        goto out;
    }
    if (zg_buf_printf(reply, err, "%s\n", content) ||
        zg_buf_printf(ok, err, "answered (%zu bytes)", strlen(content)))
        goto out;
    rc = 0;
out:
    cJSON_Delete(j);
    zg_buf_free(&ans);
    free(url);
    free(body);
    return rc;
}

/* Deploying an adapter the way the provider signals its progress: its
 * name and task come from the provider's list, the deploy answer's kind
 * (zg_infp_deploy_kind_of) says whether to wait, and the adapter's state
 * says when it is done. */
#include "zg/adapter.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/infprovider.h"
#include "zg/ftserving.h"
#include "zg/infserving.h"
#include "zg/subaccounts.h"
#include "zg/secp.h"
#include "zg/tasks.h"

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

/* Is task_id's deliverable in the wallet's sub-account with ft: 1 with
 * *yes its acknowledgement, 0 when it is not there. */
static int acked_with(zg_client *c, const uint8_t ft[20], const char *task_id, bool *yes,
                      zg_err *err)
{
    zg_ft_account a;
    bool exists;
    if (zg_ft_get_account(c, zg_chain_address(c->chain), ft, &a, &exists, err)) {
        zg_ft_account_free(&a);
        return -1;
    }
    int found = 0;
    for (size_t i = 0; exists && i < a.ndeliverables && !found; i++)
        if (a.deliverables[i].id && !strcmp(a.deliverables[i].id, task_id)) {
            *yes = a.deliverables[i].acknowledged;
            found = 1;
        }
    zg_ft_account_free(&a);
    return found;
}

int zg_adapter_task_acked(zg_client *c, const uint8_t *ft, const char *task_id, bool *yes,
                          zg_err *err)
{
    *yes = false;
    if (ft)
        return acked_with(c, ft, task_id, yes, err) < 0 ? -1 : 0;
    zg_subaccount *s;
    size_t n;
    if (zg_subaccounts_by_user(c, ZG_SVC_FINETUNING, zg_chain_address(c->chain), &s, &n, err))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (s[i].ndeliverables)
            rc = acked_with(c, s[i].provider, task_id, yes, err);
    free(s);
    return rc < 0 ? -1 : 0;
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
    bool acked = r->task_id == NULL;
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
            if (zg_adapter_task_acked(c, r->ft, r->task_id, &acked, err))
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

bool zg_adapter_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= ZG_ADAPTER_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
            return false;
    return true;
}

int zg_adapter_deploy_on(zg_client *c, const zg_readmodel *rm, zg_adapter_deploy_req *r,
                         bool *asked, zg_buf *ok, zg_err *err)
{
    char inf[43], *url = NULL, *model = NULL;
    zg_adapter_deployed d;
    *asked = false;
    zg_addr_checksum(inf, r->provider);
    if (zg_adapter_session_check(c, r->provider, err) ||
        zg_rm_inf_service(rm, r->provider, &url, &model, err))
        return -1;
    r->url = url;
    r->base_model = model ? model : "";
    *asked = true;
    int rc = zg_adapter_deploy(c, r, &d, err);
    if (rc == 0)
        rc = zg_adapter_deployed_text(&d, inf, ok, err);
    free(url);
    free(model);
    r->url = r->base_model = NULL;
    return rc;
}

int zg_adapter_name_parse(const char *name, char canon[ZG_ADAPTER_NAME_MAX], zg_err *err)
{
    if (!zg_adapter_name_ok(name))
        return zg_err_set(err, ENOENT, "not an adapter name");
    strcpy(canon, name);
    return 0;
}

int zg_adapter_names(const cJSON *list, int (*add)(void *arg, const char *name, zg_err *err),
                     void *arg, zg_err *err)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "adapterName"));
        if (n && zg_adapter_name_ok(n) && add(arg, n, err))
            return -1;
    }
    return 0;
}

int zg_adapter_target_parse(const char *line, zg_adapter_target *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    char a[4096], b[4096], extra[8];
    int n = sscanf(line, "%4095s %4095s %7s", a, b, extra);
    if (n == 1 && zg_task_id_parse(a, out->task_id, NULL) == 0)
        return 0;
    if (n == 2 && zg_task_id_parse(b, out->task_id, NULL) == 0 &&
        zg_addr_parse(out->ft, a, NULL) == 0) {
        out->has_ft = true;
        return 0;
    }
    out->task_id[0] = '\0';
    if (n == 1 && zg_adapter_name_ok(a)) {
        memcpy(out->name, a, strlen(a) + 1); /* zg_adapter_name_ok bounds it */
        return 0;
    }
    return zg_err_set(err, EINVAL,
                      "write a task id, \"0xFTPROVIDER TASK-ID\" or an adapter name to deploy "
                      "it on this provider");
}

int zg_adapter_inf_parse(const char *line, uint8_t inf[20], bool *given, zg_err *err)
{
    while (*line == ' ' || *line == '\t')
        line++;
    *given = *line != '\0';
    if (*given && zg_addr_parse(inf, line, NULL))
        return zg_err_set(err, EINVAL,
                          "write nothing (an empty line) or the address of an inference "
                          "provider");
    return 0;
}

int zg_adapter_session_check(zg_client *c, const uint8_t provider[20], zg_err *err)
{
    zg_inf_account a;
    bool exists;
    int rc = zg_inf_get_account(c, zg_chain_address(c->chain), provider, &a, &exists, err);
    zg_inf_account_free(&a);
    if (rc)
        return -1;
    if (exists)
        return 0;
    char p[43];
    zg_addr_checksum(p, provider);
    return zg_err_set(err, EDQUOT,
                      "there is no inference sub-account with %s; write an amount to "
                      "providers/%s/fund first (adapters are served from it)",
                      p, p);
}

static const char chat_shape[] =
    "write a question, or a JSON chat request without \"model\" ({\"messages\": [...]})";

/* A question as the one user message. */
static cJSON *question(const char *text, size_t len)
{
    cJSON *req = cJSON_CreateObject();
    cJSON *msgs = cJSON_AddArrayToObject(req, "messages");
    cJSON *m = cJSON_CreateObject();
    char *q = strndup(text, len);
    if (!msgs || !m || !q) {
        free(q);
        cJSON_Delete(m);
        cJSON_Delete(req);
        return NULL;
    }
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", q);
    free(q);
    cJSON_AddItemToArray(msgs, m);
    return req;
}

int zg_adapter_chat_body(const char *name, const char *text, size_t len, char **body, zg_err *err)
{
    *body = NULL;
    if (!text)
        len = 0;
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
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, "model");
        int rc = 0;
        if (!cJSON_IsObject(req))
            rc = zg_err_set(err, EINVAL, "not a JSON object; %s", chat_shape);
        else if (m && !(cJSON_IsString(m) && !strcmp(m->valuestring, name)))
            rc = zg_err_set(err, EINVAL, "leave \"model\" out: this file is adapter %s", name);
        else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(req, "messages")))
            rc = zg_err_set(err, EINVAL, "\"messages\" (an array) is missing; %s", chat_shape);
        if (rc) {
            cJSON_Delete(req);
            return -1;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(req, "model");
        cJSON_DeleteItemFromObjectCaseSensitive(req, "stream"); /* one answer, not a stream */
    } else if (!(req = question(text, len))) {
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    cJSON_AddStringToObject(req, "model", name);
    *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    return *body ? 0 : zg_err_set(err, ENOMEM, "out of memory");
}

int zg_adapter_chat(zg_client *c, const char *url, const uint8_t provider[20], const char *name,
                    const char *body, char **content, zg_err *err)
{
    *content = NULL;
    zg_buf ans;
    zg_buf_init(&ans, 16u << 20);
    int rc = zg_infp_chat(c, url, provider, body, &ans, err);
    if (rc) {
        if (err && err->code == EAGAIN && strlen(err->msg) < 150)
            zg_err_prefix(err, "adapter %s is not active (write its name to adapters/deploy)",
                          name);
        zg_buf_free(&ans);
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength((const char *)ans.data, ans.len);
    zg_buf_free(&ans);
    const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ch, "message"), "content"));
    if (s && !(*content = strdup(s)))
        rc = zg_err_set(err, ENOMEM, "out of memory");
    else if (!s)
        rc = zg_err_set(err, EPROTO, "the provider's answer holds no message");
    cJSON_Delete(j);
    return rc;
}

/* The providers zg_adapter_default_inf chooses from: 1 with out set when
 * it finds one, else how many there are (out then meaningless). */
static size_t default_inf(const uint8_t ft[20], const zg_inf_service *inf, size_t ninf,
                          uint8_t out[20])
{
    for (size_t i = 0; i < ninf; i++)
        if (!memcmp(inf[i].provider, ft, 20)) {
            memcpy(out, ft, 20);
            return 1;
        }
    size_t n = 0;
    for (size_t i = 0; i < ninf; i++)
        if (inf[i].tee_acknowledged && n++ == 0)
            memcpy(out, inf[i].provider, 20);
    return n;
}

static int not_one(size_t n, zg_err *err)
{
    return zg_err_set(err, EINVAL,
                      "%zu inference providers are listed; write the address of the one to "
                      "deploy on",
                      n);
}

int zg_adapter_default_inf(const uint8_t ft[20], const zg_inf_service *inf, size_t ninf,
                           uint8_t out[20], zg_err *err)
{
    size_t n = default_inf(ft, inf, ninf, out);
    return n == 1 ? 0 : not_one(n, err);
}

/* default_inf over rm's services list. */
static int rm_default_inf(const zg_readmodel *rm, const uint8_t ft[20], uint8_t out[20], size_t *n,
                          zg_err *err)
{
    zg_cache_val *ref;
    if (zg_rm_get(rm, ZG_RV_SERVICES, NULL, NULL, -1, &ref, err))
        return -1;
    const zg_rv_services *s = zg_cache_value(ref);
    *n = default_inf(ft, s->inf, s->ninf, out);
    zg_cache_put(ref);
    return 0;
}

int zg_adapter_task_target(const zg_readmodel *rm, const uint8_t ft[20], const char *line,
                           uint8_t inf[20], zg_err *err)
{
    bool given;
    size_t n;
    if (zg_adapter_inf_parse(line, inf, &given, err))
        return -1;
    if (given)
        return 0;
    if (rm_default_inf(rm, ft, inf, &n, err))
        return -1;
    return n == 1 ? 0 : not_one(n, err);
}

int zg_adapter_task_deploy_text(const zg_readmodel *rm, const uint8_t ft[20], const char *task_id,
                                zg_buf *out, zg_err *err)
{
    uint8_t inf[20];
    size_t n;
    if (rm_default_inf(rm, ft, inf, &n, err))
        return -1;
    if (n != 1) /* no default: the user names the provider, which names the adapter */
        return zg_adapter_deploy_hint(NULL, false, NULL, task_id, out, err);
    char infa[43];
    zg_addr_checksum(infa, inf);
    zg_cache_val *acct, *list = NULL;
    if (zg_rm_get(rm, ZG_RV_INF_ACCOUNT, inf, NULL, -1, &acct, err))
        return -1;
    bool session = ((const zg_rv_inf_account *)zg_cache_value(acct))->exists;
    zg_cache_put(acct);
    if (session && zg_rm_get(rm, ZG_RV_ADAPTERS, inf, NULL, -1, &list, err))
        return -1;
    int rc = zg_adapter_deploy_hint(infa, session, list ? zg_cache_value(list) : NULL, task_id, out,
                                    err);
    if (list)
        zg_cache_put(list);
    return rc;
}

int zg_adapter_record(const cJSON *list, const char *name, const char *provider, const cJSON **out,
                      zg_err *err)
{
    *out = zg_adapter_named(list, name);
    return *out ? 0 : zg_err_set(err, ENOENT, "no adapter %s of this wallet on %s", name, provider);
}

int zg_adapter_state_text(const cJSON *a, zg_buf *out, zg_err *err)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "state"));
    return zg_buf_printf(out, err, "%s\n", s ? s : "unknown");
}

int zg_adapter_deploy_hint(const char *inf, bool session, const cJSON *list, const char *task_id,
                           zg_buf *out, zg_err *err)
{
    if (!inf)
        return zg_buf_printf(out, err,
                             "(the adapter name comes from the inference provider: write its "
                             "address to deploy there)\n");
    if (!session)
        return zg_buf_printf(out, err,
                             "(the adapter name comes from %s: write an amount to "
                             "providers/%s/fund first)\n",
                             inf, inf);
    const char *name = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(zg_adapter_of_task(list, task_id), "adapterName"));
    if (name)
        return zg_buf_printf(out, err, "%s\n", name);
    return zg_buf_printf(out, err,
                         "(%s has no adapter for this task yet: it registers one once the "
                         "deliverable is acknowledged)\n",
                         inf);
}

int zg_adapter_deployed_text(const zg_adapter_deployed *d, const char *inf, zg_buf *ok, zg_err *err)
{
    return zg_buf_printf(ok, err,
                         "%s %s on %s: it is active; chat through providers/%s/adapters/%s/chat",
                         d->already ? "already deployed" : "deployed", d->name, inf, inf, d->name);
}

int zg_adapter_chat_ready(bool session, const char *provider, zg_err *err)
{
    if (session)
        return 0;
    return zg_err_set(err, EDQUOT,
                      "there is no inference sub-account with %s; write an amount to its fund "
                      "file first",
                      provider);
}

int zg_adapter_chat_text(const char *content, zg_buf *reply, zg_buf *ok, zg_err *err)
{
    if (zg_buf_printf(reply, err, "%s\n", content) ||
        zg_buf_printf(ok, err, "answered (%zu bytes)", strlen(content)))
        return -1;
    return 0;
}

/* The inference provider API for fine-tuned adapters: session-token
 * authentication (0g-serving-broker api/inference/internal/ctrl
 * ValidateSession), the LoRA adapter routes (handler/lora.go), the
 * OpenAI-shaped chat proxy for ft-* models (ctrl CheckLoRAOwnership), and
 * the small endpoints the SDK calls on the way (unsettled fee, models,
 * quote). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/rand.h>

#include "prov.h"
#include "zg/hex.h"
#include "zg/infserving.h"

#define EPHEMERAL_TOKEN_ID 255
#define EPHEMERAL_MAX_MS   (24LL * 3600 * 1000)

/* Validate the Authorization header; fills the session's user address. */
static int session(prov_req *r, uint8_t user[20], char *why, size_t wl)
{
    prov_ctx *ctx = r->ctx;
    const char *h = req_header(r, "Authorization");
    static const char prefix[] = "Bearer app-sk-";
    if (!h || strncmp(h, prefix, sizeof prefix - 1) != 0) {
        snprintf(why, wl, "missing or malformed Authorization header (want Bearer app-sk-...)");
        return -1;
    }
    const char *b64 = h + sizeof prefix - 1;
    zg_buf raw;
    zg_buf_init(&raw, 64 * 1024);
    zg_err err;
    if (b64_decode(&raw, b64, strlen(b64), &err)) {
        zg_buf_free(&raw);
        snprintf(why, wl, "the session token is not valid base64");
        return -1;
    }
    char *text = (char *)raw.data;
    char *bar = text ? memchr(text, '|', raw.len) : NULL;
    if (!bar) {
        zg_buf_free(&raw);
        snprintf(why, wl, "the session token has no signature");
        return -1;
    }
    size_t tlen = (size_t)(bar - text);
    char sig[160];
    snprintf(sig, sizeof sig, "%s", bar + 1);
    cJSON *tok = cJSON_ParseWithLength(text, tlen);
    int rc = -1;
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(tok, "address");
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(tok, "provider");
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(tok, "timestamp");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(tok, "expiresAt");
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(tok, "generation");
    const cJSON *tid = cJSON_GetObjectItemCaseSensitive(tok, "tokenId");
    uint8_t a[20], p[20], got[20];
    if (!cJSON_IsObject(tok) || !cJSON_IsString(addr) || !cJSON_IsString(prov) ||
        !cJSON_IsNumber(ts) || !cJSON_IsNumber(exp) || !cJSON_IsNumber(gen) ||
        !cJSON_IsNumber(tid)) {
        snprintf(why, wl, "the session token is not a valid token JSON");
        goto out;
    }
    if (addr_parse_loose(a, addr->valuestring) || addr_parse_loose(p, prov->valuestring)) {
        snprintf(why, wl, "the session token has an invalid address");
        goto out;
    }
    if (!addr_eq(p, ctx->inf_key.addr)) {
        snprintf(why, wl, "the session token is for provider %s, not this one", prov->valuestring);
        goto out;
    }
    int64_t exp_ms = (int64_t)exp->valuedouble, ts_ms = (int64_t)ts->valuedouble;
    int token_id = (int)tid->valuedouble;
    if (token_id < 0 || token_id > EPHEMERAL_TOKEN_ID) {
        snprintf(why, wl, "invalid tokenId %d", token_id);
        goto out;
    }
    if (token_id == EPHEMERAL_TOKEN_ID && (exp_ms == 0 || exp_ms - ts_ms > EPHEMERAL_MAX_MS)) {
        snprintf(why, wl, "an ephemeral token must expire within 24 hours");
        goto out;
    }
    if (exp_ms > 0 && (int64_t)time(NULL) > exp_ms / 1000) {
        snprintf(why, wl, "the session token expired");
        goto out;
    }
    if (recover_personal(got, NULL, text, tlen, sig, false, &err)) {
        snprintf(why, wl, "invalid session signature: %.160s", err.msg);
        goto out;
    }
    if (!addr_eq(got, a)) {
        snprintf(why, wl, "the session signature does not match %s", addr->valuestring);
        goto out;
    }
    zg_inf_account acct;
    bool exists = false;
    memset(&acct, 0, sizeof acct);
    if (zg_inf_get_account(ctx->inf, a, ctx->inf_key.addr, &acct, &exists, &err)) {
        snprintf(why, wl, "cannot read the inference account: %.160s", err.msg);
        goto out;
    }
    if (!exists) {
        snprintf(why, wl, "the user has no inference sub-account with this provider");
        goto out;
    }
    uint64_t g = 0;
    bool g_ok = zg_u256_to_u64(&acct.generation, &g) && (double)g == gen->valuedouble;
    bool revoked = false;
    if (token_id < EPHEMERAL_TOKEN_ID) {
        uint64_t word = acct.revoked_bitmap.w[token_id / 64];
        revoked = (word >> (token_id % 64)) & 1;
    }
    zg_inf_account_free(&acct);
    if (!g_ok) {
        snprintf(why, wl,
                 "the session token's generation is revoked (call the SDK again for a new token)");
        goto out;
    }
    if (revoked) {
        snprintf(why, wl, "API key %d is revoked", token_id);
        goto out;
    }
    memcpy(user, a, 20);
    rc = 0;
out:
    cJSON_Delete(tok);
    zg_buf_free(&raw);
    return rc;
}

#define AUTH_OR_401(r, user)                                                                       \
    do {                                                                                           \
        char why_[256];                                                                            \
        if (session((r), (user), why_, sizeof why_))                                               \
            return reply_error((r), 401, "authentication required: %s", why_);                     \
    } while (0)

/* The LoRA routes follow 0g-serving-broker
 * api/inference/internal/handler/lora.go. By default its main-branch
 * version: every route checks the session itself, the list is everyone's,
 * a status is found by name or by task id, and a deploy names the adapter
 * by adapterName or by {taskId, baseModel} (MakeAdapterName, then the task
 * id when that name is unknown) and answers every refusal of
 * Manager.UserDeployAdapter with 409. ZG_PROVIDER_LORA_HANDLER=strict
 * serves the owner-checked version instead: taskId and baseModel are
 * required, an unknown adapter is 404, another user's is 403 (deploy and
 * status), a status is found by name only, and the list holds the caller's
 * adapters only. */

static int h_adapters(prov_req *r)
{
    uint8_t user[20];
    AUTH_OR_401(r, user);
    prov_ctx *ctx = r->ctx;
    cJSON *j = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(j, "adapters");
    pthread_mutex_lock(&ctx->lock);
    for (size_t i = 0; i < ctx->nadapters; i++)
        if (!ctx->cfg.lora_strict || addr_eq(ctx->adapters[i]->user, user))
            cJSON_AddItemToArray(arr, adapter_json(ctx->adapters[i]));
    pthread_mutex_unlock(&ctx->lock);
    return reply_json(r, 200, j);
}

static int h_adapter(prov_req *r, const char *name)
{
    uint8_t user[20];
    AUTH_OR_401(r, user);
    prov_ctx *ctx = r->ctx;
    bool strict = ctx->cfg.lora_strict, other = false;
    pthread_mutex_lock(&ctx->lock);
    prov_adapter *a = adapter_by_name(ctx, name);
    if (!a && !strict)
        a = adapter_by_task(ctx, name);
    other = a && strict && !addr_eq(a->user, user);
    cJSON *j = a && !other ? adapter_json(a) : NULL;
    pthread_mutex_unlock(&ctx->lock);
    if (other)
        return reply_error(r, 403, "you do not own this adapter");
    if (!j)
        return reply_error(r, 404, "adapter not found: %s", name);
    return reply_json(r, 200, j);
}

/* Manager.UserDeployAdapter, caller holds the lock: ready or failed starts
 * a deploy (0); anything else is its refusal in why (-1). */
static int user_deploy(prov_ctx *ctx, const char *name, char *why, size_t wl)
{
    prov_adapter *a = adapter_by_name(ctx, name);
    if (!a) {
        snprintf(why, wl, "adapter %s not found", name);
        return -1;
    }
    switch (a->state) {
    case A_READY:
    case A_FAILED:
        a->deploying = true;
        adapter_set_state(a, A_LOADING);
        return 0;
    case A_ACTIVE:
        snprintf(why, wl, "adapter %s is already deployed", name);
        return -1;
    case A_LOADING:
        snprintf(why, wl, "adapter %s is still being downloaded or deployed, please wait", name);
        return -1;
    }
    snprintf(why, wl, "adapter %s is in state %s, cannot deploy", name, prov_astate_name(a->state));
    return -1;
}

static int deploy_answer(prov_req *r, unsigned status, const char *name, const char *why)
{
    plog("deploy %s: %u %s", name, status, status == 200 ? "started" : why);
    if (status != 200)
        return reply_error(r, status, "%s", why);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", "deploying");
    cJSON_AddStringToObject(j, "adapterName", name);
    char msg[256];
    snprintf(msg, sizeof msg,
             "Adapter deployment started. Poll GET /v1/lora/adapters/%s for status.", name);
    cJSON_AddStringToObject(j, "message", msg);
    return reply_json(r, 200, j);
}

static int h_deploy(prov_req *r)
{
    uint8_t user[20];
    AUTH_OR_401(r, user);
    prov_ctx *ctx = r->ctx;
    bool strict = ctx->cfg.lora_strict;
    cJSON *body = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        return reply_error(r, 400, "invalid request body: expected a JSON object");
    }
    const char *an = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "adapterName"));
    const char *tid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "taskId"));
    const char *bm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "baseModel"));
    bool has_an = an && an[0], has_tid = tid && tid[0], has_bm = bm && bm[0];
    char name[160] = "", task[64] = "";
    if (has_an && !strict)
        snprintf(name, sizeof name, "%s", an);
    else if (has_tid && has_bm)
        adapter_name(name, bm, tid);
    if (has_tid)
        snprintf(task, sizeof task, "%s", tid);
    cJSON_Delete(body);
    if (strict && (!has_tid || !has_bm))
        /* gin's binding:"required" report, one line per missing field. */
        return reply_error(r, 400, "%s%s%s",
                           has_tid ? ""
                                   : "Key: 'deployAdapterRequest.TaskID' Error:Field validation "
                                     "for 'TaskID' failed on the 'required' tag",
                           !has_tid && !has_bm ? "\n" : "",
                           has_bm ? ""
                                  : "Key: 'deployAdapterRequest.BaseModel' Error:Field "
                                    "validation for 'BaseModel' failed on the 'required' tag");
    if (!name[0])
        return reply_error(r, 400, "provide either adapterName, or both taskId and baseModel");
    char why[320] = "";
    unsigned status = 200;
    pthread_mutex_lock(&ctx->lock);
    /* The base model a client sends may not be the broker's LoRA base
     * model: a miss falls back to the task id. */
    prov_adapter *a = adapter_by_name(ctx, name);
    if (!a && !(has_an && !strict) && (a = adapter_by_task(ctx, task)))
        snprintf(name, sizeof name, "%s", a->name);
    if (strict && !a) {
        status = 404;
        snprintf(why, sizeof why, "adapter not found");
    } else if (strict && !addr_eq(a->user, user)) {
        status = 403;
        snprintf(why, sizeof why, "you do not own this adapter");
    } else if (user_deploy(ctx, name, why, sizeof why)) {
        status = 409;
    }
    pthread_mutex_unlock(&ctx->lock);
    return deploy_answer(r, status, name, why);
}

/* The text of the last user message (string content or text parts). */
static char *last_user_text(const cJSON *messages)
{
    const cJSON *m, *last = NULL;
    cJSON_ArrayForEach(m, messages)
    {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        if (cJSON_IsString(role) && strcmp(role->valuestring, "user") == 0)
            last = m;
    }
    if (!last)
        return NULL;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(last, "content");
    if (cJSON_IsString(c))
        return strdup(c->valuestring);
    zg_buf b;
    zg_buf_init(&b, 1 << 20);
    const cJSON *part;
    cJSON_ArrayForEach(part, c)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");
        if (cJSON_IsString(t)) {
            if (b.len)
                zg_buf_append_str(&b, " ", NULL);
            zg_buf_append_str(&b, t->valuestring, NULL);
        }
    }
    return b.data ? (char *)zg_buf_steal(&b, NULL) : strdup("");
}

static int h_chat(prov_req *r)
{
    uint8_t user[20];
    AUTH_OR_401(r, user);
    prov_ctx *ctx = r->ctx;
    cJSON *body = cJSON_ParseWithLength((const char *)r->body.data, r->body.len);
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(body, "model");
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(body, "messages");
    if (!cJSON_IsObject(body) || !cJSON_IsArray(messages)) {
        cJSON_Delete(body);
        return reply_error(r, 400, "invalid request body: model and messages are required");
    }
    bool stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream"));
    char mname[160];
    snprintf(mname, sizeof mname, "%s",
             cJSON_IsString(model) && model->valuestring[0] ? model->valuestring
                                                            : ctx->inf_base_model);
    char *question = last_user_text(messages);
    cJSON_Delete(body);
    if (!question)
        return reply_error(r, 400, "the request has no user message");
    char *answer = NULL;
    if (strncmp(mname, "ft-", 3) == 0) {
        pthread_mutex_lock(&ctx->lock);
        prov_adapter *a = adapter_by_name(ctx, mname);
        unsigned status = 0;
        char why[640] = "";
        if (!a) {
            status = 404;
            snprintf(why, sizeof why, "fine-tuned model not found: %s", mname);
        } else if (!addr_eq(a->user, user)) {
            status = 403;
            snprintf(why, sizeof why, "access denied: fine-tuned model %s belongs to another user",
                     mname);
        } else if (a->state == A_READY) {
            status = 409;
            snprintf(
                why, sizeof why,
                "fine-tuned model %s is downloaded but not deployed; call deploy-adapter first",
                mname);
        } else if (a->state == A_FAILED) {
            status = 409;
            snprintf(why, sizeof why, "fine-tuned model %s failed (%s); deploy it again to retry",
                     mname, a->error);
        } else if (a->state != A_ACTIVE) {
            status = 503;
            snprintf(why, sizeof why, "fine-tuned model %s is %s; retry later", mname,
                     prov_astate_name(a->state));
        } else {
            const char *c = adapter_answer(a, question);
            answer = strdup(c ? c : "");
        }
        pthread_mutex_unlock(&ctx->lock);
        if (status) {
            free(question);
            return reply_error(r, status, "%s", why);
        }
    } else {
        if (strcmp(mname, ctx->inf_base_model) != 0) {
            free(question);
            return reply_error(r, 400, "model %s is not served by this provider", mname);
        }
        size_t n = strlen(question) + 128;
        answer = malloc(n);
        if (answer)
            snprintf(answer, n, "[%s on the zgfs devnet] You said: %s", ctx->inf_base_model,
                     question);
    }
    if (!answer) {
        free(question);
        return reply_error(r, 500, "out of memory");
    }
    uint8_t rnd[12];
    RAND_bytes(rnd, sizeof rnd);
    char id[40] = "chatcmpl-";
    zg_hex_encode(id + 9, rnd, sizeof rnd);
    uint64_t pt = text_words(question), ct = text_words(answer);
    free(question);
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "role", "assistant");
    cJSON_AddStringToObject(msg, "content", answer);
    free(answer);
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddNumberToObject(choice, "index", 0);
    cJSON_AddItemToObject(choice, stream ? "delta" : "message", msg);
    cJSON_AddStringToObject(choice, "finish_reason", "stop");
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", id);
    cJSON_AddStringToObject(j, "object", stream ? "chat.completion.chunk" : "chat.completion");
    cJSON_AddNumberToObject(j, "created", (double)time(NULL));
    cJSON_AddStringToObject(j, "model", mname);
    cJSON *choices = cJSON_AddArrayToObject(j, "choices");
    cJSON_AddItemToArray(choices, choice);
    cJSON *usage = cJSON_AddObjectToObject(j, "usage");
    cJSON_AddNumberToObject(usage, "prompt_tokens", (double)pt);
    cJSON_AddNumberToObject(usage, "completion_tokens", (double)ct);
    cJSON_AddNumberToObject(usage, "total_tokens", (double)(pt + ct));
    if (!stream)
        return reply_json(r, 200, j);
    /* One chunk and the terminator: enough for OpenAI-style stream readers. */
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        return 0;
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_buf_printf(&b, NULL, "data: %s\n\ndata: [DONE]\n\n", text);
    free(text);
    int rc = reply_bytes(r, 200, "text/event-stream", b.data, b.len, NULL);
    zg_buf_free(&b);
    return rc;
}

static int h_models(prov_req *r)
{
    prov_ctx *ctx = r->ctx;
    char addr[43];
    addr_text(addr, ctx->inf_key.addr);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(j, "data");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", ctx->inf_base_model);
    cJSON_AddStringToObject(m, "object", "model");
    cJSON_AddStringToObject(m, "owned_by", addr);
    cJSON_AddItemToArray(data, m);
    return reply_json(r, 200, j);
}

static int h_unsettled(prov_req *r)
{
    uint8_t user[20];
    AUTH_OR_401(r, user);
    /* The devnet does not bill inference: nothing is ever unsettled. */
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "unsettledFee", "0");
    return reply_json(r, 200, j);
}

static int h_quote(prov_req *r)
{
    const char *l = req_query(r, "legacy");
    bool legacy =
        l && (strcmp(l, "1") == 0 || strcasecmp(l, "true") == 0 || strcasecmp(l, "t") == 0);
    char *doc = quote_document(r->ctx, r->ctx->inf_tee.addr, legacy);
    if (!doc)
        return reply_error(r, 500, "cannot build the quote");
    int rc = reply_text(r, 200, "text/plain; charset=utf-8", doc);
    free(doc);
    return rc;
}

int inf_route(prov_req *r)
{
    const char *u = r->url;
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool post = strcmp(r->method, "POST") == 0;
    if (get && strcmp(u, "/v1/lora/adapters") == 0)
        return h_adapters(r);
    if (post && strcmp(u, "/v1/lora/adapters/deploy") == 0)
        return h_deploy(r);
    if (get && strncmp(u, "/v1/lora/adapters/", 18) == 0 && u[18] && !strchr(u + 18, '/'))
        return h_adapter(r, u + 18);
    if (post && strcmp(u, "/v1/proxy/chat/completions") == 0)
        return h_chat(r);
    if (get && (strcmp(u, "/v1/models") == 0 || strcmp(u, "/v1/proxy/models") == 0))
        return h_models(r);
    if (get && strcmp(u, "/v1/quote") == 0)
        return h_quote(r);
    if (get && strncmp(u, "/v1/user/", 9) == 0) {
        const char *slash = strchr(u + 9, '/');
        if (slash && strcmp(slash, "/unsettledfee") == 0)
            return h_unsettled(r);
    }
    return reply_error(r, 404, "404 page not found");
}

#include "zg/tasks.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zg/custmodel.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/jsoncheck.h"
#include "zg/ops.h"

int zg_task_model_hash(zg_client *c, const char *url, const char *model, char hash[67], zg_err *err)
{
    if (zg_hex_is_hash(model)) {
        for (int i = 0; i < 66; i++)
            hash[i] = (char)tolower((unsigned char)model[i]);
        hash[66] = 0;
        return 0;
    }
    const zg_predefined_model *pm = zg_predefined_find(c->net.name, model);
    if (pm) {
        snprintf(hash, 67, "%s", pm->hash);
        return 0;
    }
    /* Another network's model: the provider would take its hash (it knows
     * every network's), but this network's SDK table has no such name. */
    if (zg_predefined_check_network(c->net.name, model, err))
        return -1;
    /* By name in the list: asking GET /v1/model/{name} fails for names
     * that begin with hex digits (zg/custmodel.h). */
    cJSON *list = NULL;
    if (zg_ftp_models(c, url, &list, err))
        return -1;
    const cJSON *m = zg_custmodel_find(list, model);
    int rc = m ? zg_custmodel_hash(m, hash, err)
               : zg_err_set(err, ENOENT,
                            "model \"%.60s\" is neither a predefined model nor one of this "
                            "provider's; see the provider's models/ directory",
                            model);
    cJSON_Delete(list);
    return rc;
}

int zg_task_precheck(zg_client *c, const uint8_t provider[20], zg_err *err)
{
    zg_ft_service s;
    if (zg_ft_get_service(c, provider, &s, err))
        return -1;
    bool vetted = s.tee_acknowledged;
    zg_ft_service_free(&s);
    if (!vetted)
        return zg_err_set(err, EPERM,
                          "the provider's TEE signer is not acknowledged by the "
                          "contract owner; it would refuse the task");
    zg_ft_account a;
    bool exists;
    if (zg_ft_get_account(c, zg_chain_address(c->chain), provider, &a, &exists, err))
        return -1;
    if (!exists)
        return zg_err_set(err, EDQUOT,
                          "no sub-account with this provider; write an amount to "
                          "its fund file first");
    int rc = 0;
    zg_u256 free_bal;
    zg_u256_sub(&free_bal, &a.balance, &a.pending_refund);
    if (!a.acknowledged) {
        rc = zg_err_set(err, EPERM,
                        "this wallet has not acknowledged the provider's TEE "
                        "signer; write yes to its trust file");
    } else if (a.ndeliverables && !a.deliverables[a.ndeliverables - 1].acknowledged) {
        const zg_deliverable *d = &a.deliverables[a.ndeliverables - 1];
        rc = zg_err_set(err, EAGAIN,
                        d->settled ? "deliverable %s was settled without acknowledgement; the "
                                     "provider cannot deliver new models to this account"
                                   : "deliverable %s is not acknowledged yet; read "
                                     "tasks/%s/lora.bin (or write yes to its ack file) first",
                        d->id, d->id);
    } else if (zg_u256_is_zero(&free_bal)) {
        rc = zg_err_set(err, EDQUOT,
                        "the sub-account has no free balance (all of it is "
                        "pending refund); write an amount to the fund file");
    }
    zg_ft_account_free(&a);
    return rc;
}

static const char doc_shape[] =
    "write one JSON object: {\"model\": NAME or 0x hash, \"dataset\": a NAME in datasets/ or "
    "storage/, or a 0x hash, and the training parameters}";

typedef struct doc_split {
    const char *text;
    zg_buf *params;
    bool first;
} doc_split;

/* Every member but "model" and "dataset" goes into the parameters, as
 * written (zg_json_check already refused a second "model"). */
static int split_member(void *ctx, const zg_json_member *m, zg_err *err)
{
    doc_split *d = ctx;
    if (!strcmp(m->name, "model") || !strcmp(m->name, "dataset"))
        return 0;
    if ((!d->first && zg_buf_append_byte(d->params, ',', err)) ||
        zg_buf_append(d->params, d->text + m->key_off, m->key_len, err) ||
        zg_buf_append_byte(d->params, ':', err) ||
        zg_buf_append(d->params, d->text + m->value_off, m->value_len, err))
        return -1;
    d->first = false;
    return 0;
}

int zg_task_doc_parse(zg_task_doc *out, const char *text, size_t n, zg_err *err)
{
    size_t k = 0;
    while (k < n && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r'))
        k++;
    if (k == n)
        return zg_err_set(err, EINVAL, "empty; %s", doc_shape);
    zg_buf params;
    zg_buf_init(&params, 0);
    doc_split d = {.text = text, .params = &params, .first = true};
    if (zg_buf_append_byte(&params, '{', err))
        return -1;
    if (zg_json_check(text, n, split_member, &d, err) || zg_buf_append_byte(&params, '}', err)) {
        zg_buf_free(&params);
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength(text, n);
    const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "model"));
    const char *dataset = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "dataset"));
    int rc = -1;
    if (!cJSON_IsObject(j))
        zg_err_set(err, EINVAL, "not a JSON object; %s", doc_shape);
    else if (!model || !*model)
        zg_err_set(err, EINVAL, "\"model\" is missing; %s", doc_shape);
    else if (!dataset || !*dataset)
        zg_err_set(err, EINVAL, "\"dataset\" is missing; %s", doc_shape);
    else {
        cJSON *pj = cJSON_Parse((const char *)params.data);
        rc = zg_ftp_check_params(pj, (const char *)params.data, err);
        cJSON_Delete(pj);
    }
    if (rc == 0) {
        out->model = strdup(model);
        out->dataset = strdup(dataset);
        out->params = params;
        if (!out->model || !out->dataset) {
            zg_task_doc_free(out);
            rc = zg_err_set(err, ENOMEM, "out of memory");
        }
    } else {
        zg_buf_free(&params);
    }
    cJSON_Delete(j);
    return rc;
}

void zg_task_doc_free(zg_task_doc *d)
{
    if (!d)
        return;
    free(d->model);
    free(d->dataset);
    zg_buf_free(&d->params);
    memset(d, 0, sizeof *d);
}

/* The highest nonce this wallet ever sent to provider, from the journal:
 * on-chain nonces only move at settlement, so a task created but not yet
 * settled must not have its nonce reused. */
static void journal_floor(zg_journal *j, const char *prov, zg_u256 *floor_nonce)
{
    cJSON *recs = NULL;
    if (zg_journal_records(j, "task", &recs, NULL))
        return;
    const cJSON *r;
    cJSON_ArrayForEach(r, recs)
    {
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "provider"));
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "nonce"));
        zg_u256 v;
        if (p && n && strcasecmp(p, prov) == 0 && zg_u256_from_dec(&v, n, NULL) == 0 &&
            zg_u256_cmp(&v, floor_nonce) > 0)
            *floor_nonce = v;
    }
    cJSON_Delete(recs);
}

int zg_task_create(zg_client *c, zg_journal *j, const zg_task_new *t, char id[37], zg_err *err)
{
    char model_hash[67], prov[43];
    cJSON *params = cJSON_Parse(t->params);
    int rc = zg_ftp_check_params(params, t->params, err);
    cJSON_Delete(params);
    if (rc)
        return -1;
    if (!zg_hex_is_hash(t->dataset))
        return zg_err_set(err, EINVAL, "dataset \"%.70s\" is not a 0x dataset hash", t->dataset);
    if (zg_task_model_hash(c, t->url, t->model, model_hash, err) ||
        zg_task_precheck(c, t->provider, err))
        return -1;

    zg_ft_account a;
    bool exists;
    if (zg_ft_get_account(c, zg_chain_address(c->chain), t->provider, &a, &exists, err))
        return -1;
    zg_u256 floor_nonce = a.nonce;
    zg_ft_account_free(&a);
    zg_addr_checksum(prov, t->provider);
    journal_floor(j, prov, &floor_nonce);

    uint64_t pending = 0;
    zg_ftp_pending(c, t->url, &pending, NULL);
    zg_ftp_task_req req = {.model_hash = model_hash,
                           .dataset_hash = t->dataset,
                           .training_params = t->params,
                           .wait = pending > 0};
    zg_ftp_next_nonce(&req.nonce, &floor_nonce);

    char nonce[ZG_U256_DEC_MAX];
    zg_u256_to_dec(nonce, &req.nonce);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "provider", prov);
    cJSON_AddStringToObject(f, "url", t->url);
    cJSON_AddStringToObject(f, "nonce", nonce);
    cJSON_AddStringToObject(f, "model", model_hash);
    cJSON_AddStringToObject(f, "dataset", t->dataset);
    char rid[40];
    if (zg_journal_begin(j, "task", f, rid, err))
        return -1;
    zg_crash_point("task.intent");
    /* The POST has a time-out of its own, and the record says until when
     * it may still reach the provider: before that, its absence from the
     * provider's list proves nothing. */
    req.timeout_ms = zg_http_timeout_ms(c->http);
    if (req.timeout_ms <= 0)
        req.timeout_ms = ZG_TASK_POST_TIMEOUT_MS;
    cJSON *sent = cJSON_CreateObject();
    cJSON_AddNumberToObject(sent, "deadline", (double)(time(NULL) + req.timeout_ms / 1000 + 1));
    /* "sent" goes to disk before the POST: from here on a task may exist. */
    if (zg_journal_update(j, rid, "sent", sent, err)) {
        zg_journal_release(j, rid);
        return -1;
    }
    zg_crash_point("task.sent");
    zg_err e = {0};
    rc = zg_ftp_create_task(c, t->url, &req, id, &e);
    zg_crash_point("task.created");
    cJSON *end = cJSON_CreateObject();
    if (rc == 0) {
        cJSON_AddStringToObject(end, "result", id);
        zg_journal_update(j, rid, "done", end, NULL);
    } else if (e.code == ETIMEDOUT || e.code == ECONNREFUSED || e.code == EHOSTUNREACH ||
               e.code == ECONNRESET || e.code == EPROTO || e.code == EINTR || e.code == EIO) {
        /* No answer that can be read as a refusal (none, a cut one, one
         * that is not HTTP): the provider may have created it. Leave the
         * record "sent" for the reconciler, which looks the nonce up in
         * the task list. */
        cJSON_Delete(end);
    } else {
        cJSON_AddStringToObject(end, "error", e.msg);
        zg_journal_update(j, rid, "failed", end, NULL);
    }
    zg_journal_release(j, rid);
    if (rc && err)
        *err = e;
    return rc;
}

/* The nonce's task in the provider's list: 1 found (*found_id), 0 absent,
 * -1 the provider did not answer. */
static int find_nonce(zg_client *c, const char *url, const char *nonce, char found_id[37],
                      zg_err *err)
{
    cJSON *tasks = NULL;
    if (zg_ftp_list_tasks(c, url, false, &tasks, err))
        return -1;
    int rc = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tasks)
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "nonce"));
        const char *tid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
        if (n && tid && strcmp(n, nonce) == 0) {
            snprintf(found_id, 37, "%s", tid);
            rc = 1;
            break;
        }
    }
    cJSON_Delete(tasks);
    return rc;
}

int zg_task_reconcile(zg_client *c, zg_journal *j, const cJSON *rec, char *line, size_t cap)
{
    const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id"));
    const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "state"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "url"));
    const char *nonce = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "nonce"));
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(rec, "deadline");
    const cJSON *upd = cJSON_GetObjectItemCaseSensitive(rec, "updated");
    const cJSON *absent = cJSON_GetObjectItemCaseSensitive(rec, "absent");
    if (!rid || !st)
        return -1;
    cJSON *f = cJSON_CreateObject();
    if (strcmp(st, "intent") == 0 || !url || !nonce) {
        cJSON_AddStringToObject(f, "error", "interrupted before the request was sent");
        zg_journal_update(j, rid, "failed", f, NULL);
        snprintf(line, cap,
                 "recovery: task %s was interrupted before it was sent; no task "
                 "exists",
                 rid);
        return 0;
    }
    /* Until the POST's time-out has passed it may still arrive, however
     * dead the process that sent it. A record without a deadline (an older
     * version's) gets the default time-out from its last update. */
    double deadline = cJSON_IsNumber(dl)    ? dl->valuedouble
                      : cJSON_IsNumber(upd) ? upd->valuedouble + ZG_TASK_POST_TIMEOUT_MS / 1000
                                            : 0;
    time_t now = time(NULL);
    if ((double)now < deadline) {
        cJSON_Delete(f);
        snprintf(line, cap,
                 "recovery: task %s: its request may still reach the provider for %.0f s; "
                 "will look again",
                 rid, deadline - (double)now);
        return -1;
    }
    char found[37];
    zg_err e = {0};
    int got = find_nonce(c, url, nonce, found, &e);
    if (got < 0) {
        cJSON_Delete(f);
        snprintf(line, cap, "recovery: task %s: cannot ask the provider (%s); will look again", rid,
                 e.msg);
        return -1;
    }
    if (got == 1) {
        cJSON_AddStringToObject(f, "result", found);
        zg_journal_update(j, rid, "done", f, NULL);
        snprintf(line, cap, "recovery: task %s was created by the provider as %s", rid, found);
        return 0;
    }
    if (!cJSON_IsNumber(absent)) {
        /* One look after the deadline is not yet a proof: a provider still
         * busy with the request lists the task a moment later. The next
         * pass looks again. */
        cJSON_AddNumberToObject(f, "absent", (double)now);
        zg_journal_update(j, rid, NULL, f, NULL);
        snprintf(line, cap,
                 "recovery: task %s is not in the provider's list yet; will look once more", rid);
        return -1;
    }
    cJSON_AddStringToObject(f, "error", "the provider has no task with this nonce");
    zg_journal_update(j, rid, "failed", f, NULL);
    snprintf(line, cap, "recovery: task %s never reached the provider; nothing will be charged",
             rid);
    return 0;
}

int zg_task_dataset_resolve(const zg_dataset_names *names, const char *dataset, char hash[67],
                            zg_err *err)
{
    if (zg_hex_is_hash(dataset)) {
        snprintf(hash, 67, "%s", dataset);
        return 0;
    }
    zg_err e = {0};
    if (names && names->dataset && names->dataset(names->arg, dataset, hash, &e) == 0)
        return 0;
    if (e.code && e.code != ENOENT)
        goto pass;
    zg_err_clear(&e);
    if (names && names->storage && names->storage(names->arg, dataset, hash, &e) == 0)
        return 0;
    if (e.code && e.code != ENOENT)
        goto pass;
    return zg_err_set(err, ENOENT,
                      "dataset \"%.60s\" is neither in datasets/ nor in storage/; cp it "
                      "to one of them first, or give its 0x hash",
                      dataset);
pass:
    if (err)
        *err = e;
    return -1;
}

int zg_task_submit(zg_client *c, zg_journal *j, const uint8_t provider[20], const char *url,
                   const char *text, size_t n, const zg_dataset_names *names,
                   zg_task_submitted *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    zg_task_doc doc;
    if (zg_task_doc_parse(&doc, text ? text : "", text ? n : 0, err))
        return -1;
    snprintf(out->model, sizeof out->model, "%s", doc.model);
    snprintf(out->dataset, sizeof out->dataset, "%s", doc.dataset);
    out->by_name = !zg_hex_is_hash(doc.dataset);
    int rc = zg_task_dataset_resolve(names, doc.dataset, out->hash, err);
    if (rc == 0) {
        zg_task_new t = {.provider = provider,
                         .url = url,
                         .model = doc.model,
                         .dataset = out->hash,
                         .params = (const char *)doc.params.data};
        out->posted = true;
        rc = zg_task_create(c, j, &t, out->id, err);
    }
    zg_task_doc_free(&doc);
    return rc;
}

/* The deliverable task id of this wallet's sub-account with provider, read
 * afresh; ENOENT when it is not on chain (yet). */
static int deliverable_now(zg_client *c, const uint8_t provider[20], const char *id, bool *acked,
                           bool *settled, zg_err *err)
{
    zg_ft_account a;
    bool exists;
    if (zg_ft_get_account(c, zg_chain_address(c->chain), provider, &a, &exists, err))
        return -1;
    const zg_deliverable *d = NULL;
    for (size_t i = 0; exists && i < a.ndeliverables && !d; i++)
        if (a.deliverables[i].id && !strcmp(a.deliverables[i].id, id))
            d = &a.deliverables[i];
    if (d) {
        *acked = d->acknowledged;
        *settled = d->settled;
    }
    zg_ft_account_free(&a);
    if (!d)
        return zg_err_set(err, ENOENT,
                          "task %s has no deliverable on chain yet; wait until its progress "
                          "is Delivered",
                          id);
    return 0;
}

int zg_task_ack(zg_client *c, zg_journal *j, const uint8_t provider[20], const char *id,
                const char *confirm, zg_task_acked *out, char tx[67], zg_err *err)
{
    if (strcmp(confirm, "yes"))
        return zg_err_set(err, EINVAL,
                          "write \"yes\" to acknowledge the deliverable without downloading it "
                          "(reading lora.bin downloads, verifies and acknowledges)");
    bool acked = false, settled = false;
    if (deliverable_now(c, provider, id, &acked, &settled, err))
        return -1;
    if (acked) {
        *out = zg_op_ack_recovered(j, provider, id, tx) ? ZG_ACK_RECOVERED : ZG_ACK_ALREADY;
        return 0;
    }
    if (settled)
        return zg_err_set(err, EPERM,
                          "the provider settled task %s with a penalty before it was "
                          "acknowledged; there is nothing left to acknowledge",
                          id);
    *out = ZG_ACK_SENT;
    return zg_op_ack_deliverable(c, j, provider, id, err);
}

int zg_task_id_parse(const char *name, char canon[37], zg_err *err)
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

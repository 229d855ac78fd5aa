#include "zg/tasks.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "zg/custmodel.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"

static bool is_hash(const char *s)
{
    if (strlen(s) != 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return false;
    for (int i = 2; i < 66; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

int zg_task_model_hash(zg_client *c, const char *url, const char *model, char hash[67], zg_err *err)
{
    if (is_hash(model)) {
        for (int i = 0; i < 66; i++)
            hash[i] = (char)tolower((unsigned char)model[i]);
        hash[66] = 0;
        return 0;
    }
    for (const zg_predefined_model *m = zg_ftp_predefined_models(); m->name; m++)
        if (strcmp(m->name, model) == 0) {
            snprintf(hash, 67, "%s", m->hash);
            return 0;
        }
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
    if (!is_hash(t->dataset))
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
    /* "sent" goes to disk before the POST: from here on a task may exist. */
    if (zg_journal_update(j, rid, "sent", NULL, err))
        return -1;
    zg_crash_point("task.sent");
    zg_err e = {0};
    rc = zg_ftp_create_task(c, t->url, &req, id, &e);
    zg_crash_point("task.created");
    cJSON *end = cJSON_CreateObject();
    if (rc == 0) {
        cJSON_AddStringToObject(end, "result", id);
        zg_journal_update(j, rid, "done", end, NULL);
        return 0;
    }
    if (e.code == ETIMEDOUT || e.code == ECONNREFUSED || e.code == EHOSTUNREACH || e.code == EIO) {
        /* The provider may have created it: leave the record "sent" for
         * the reconciler, which looks the nonce up in the task list. */
        cJSON_Delete(end);
        if (err)
            *err = e;
        return -1;
    }
    cJSON_AddStringToObject(end, "error", e.msg);
    zg_journal_update(j, rid, "failed", end, NULL);
    if (err)
        *err = e;
    return -1;
}

int zg_task_reconcile(zg_client *c, zg_journal *j, const cJSON *rec, char *line, size_t cap)
{
    const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id"));
    const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "state"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "url"));
    const char *nonce = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "nonce"));
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
    cJSON *tasks = NULL;
    zg_err e = {0};
    if (zg_ftp_list_tasks(c, url, false, &tasks, &e)) {
        cJSON_Delete(f);
        snprintf(line, cap, "recovery: task %s: cannot ask the provider (%s); will look again", rid,
                 e.msg);
        return -1;
    }
    const cJSON *t;
    const char *found = NULL;
    cJSON_ArrayForEach(t, tasks)
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "nonce"));
        if (n && strcmp(n, nonce) == 0) {
            found = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "id"));
            break;
        }
    }
    if (found) {
        cJSON_AddStringToObject(f, "result", found);
        zg_journal_update(j, rid, "done", f, NULL);
        snprintf(line, cap, "recovery: task %s was created by the provider as %s", rid, found);
    } else {
        cJSON_AddStringToObject(f, "error", "the provider has no task with this nonce");
        zg_journal_update(j, rid, "failed", f, NULL);
        snprintf(line, cap,
                 "recovery: task %s never reached the provider; nothing will be "
                 "charged",
                 rid);
    }
    cJSON_Delete(tasks);
    return 0;
}

#include "zg/ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/infserving.h"
#include "zg/ledger.h"
#include "zg/secp.h"
#include "zg/tasks.h"
#include "zg/txjournal.h"

/* The binding call of one operation, given the journaling hooks. */
typedef int (*send_fn)(zg_client *c, const void *arg, const zg_send_hooks *hooks, zg_err *err);

static int run(zg_client *c, zg_journal *j, const char *op, cJSON *fields, send_fn fn,
               const void *arg, zg_err *err)
{
    zg_journal_tx t = {.j = j};
    if (zg_journal_begin(j, op, fields, t.id, err))
        return zg_err_prefix(err, "%s not started", op);
    char point[64];
    snprintf(point, sizeof point, "%s.intent", op);
    zg_crash_point(point);
    zg_send_hooks h = zg_journal_hooks(&t);
    zg_err e = {0};
    int rc = fn(c, arg, &h, &e);
    snprintf(point, sizeof point, "%s.mined", op);
    zg_crash_point(point);
    cJSON *end = cJSON_CreateObject();
    if (rc == 0) {
        zg_journal_update(j, t.id, "done", end, NULL);
    } else if (t.sent && e.code == ETIMEDOUT) {
        /* Broadcast, and the chain has not told yet: "failed" would be a
         * guess. The record stays "sent" for the reconciler. */
        cJSON_AddStringToObject(end, "waiting", e.msg);
        zg_journal_update(j, t.id, NULL, end, NULL);
    } else {
        cJSON_AddStringToObject(end, "error", e.msg);
        zg_journal_update(j, t.id, "failed", end, NULL);
    }
    zg_journal_release(j, t.id);
    if (rc && err)
        *err = e;
    return rc;
}

static cJSON *amount_fields(const zg_u256 *amount)
{
    cJSON *f = cJSON_CreateObject();
    char dec[ZG_U256_DEC_MAX];
    zg_u256_to_dec(dec, amount);
    cJSON_AddStringToObject(f, "amount", dec);
    return f;
}

static void add_addr(cJSON *f, const char *key, const uint8_t a[20])
{
    char s[43];
    zg_addr_checksum(s, a);
    cJSON_AddStringToObject(f, key, s);
}

static int do_deposit(zg_client *c, const void *arg, const zg_send_hooks *h, zg_err *err)
{
    return zg_ledger_deposit(c, arg, h, err);
}

int zg_op_deposit(zg_client *c, zg_journal *j, const zg_u256 *amount, zg_err *err)
{
    return run(c, j, "deposit", amount_fields(amount), do_deposit, amount, err);
}

struct refund_arg {
    const zg_u256 *amount;
    bool allow_delete;
};

static int do_refund(zg_client *c, const void *arg, const zg_send_hooks *h, zg_err *err)
{
    const struct refund_arg *a = arg;
    return zg_ledger_refund(c, a->amount, a->allow_delete, h, err);
}

int zg_op_refund(zg_client *c, zg_journal *j, const zg_u256 *amount, bool allow_delete, zg_err *err)
{
    struct refund_arg a = {amount, allow_delete};
    return run(c, j, "refund", amount_fields(amount), do_refund, &a, err);
}

struct transfer_arg {
    zg_service_kind kind;
    const uint8_t *provider;
    const zg_u256 *amount;
};

static int do_transfer(zg_client *c, const void *arg, const zg_send_hooks *h, zg_err *err)
{
    const struct transfer_arg *a = arg;
    return zg_ledger_transfer(c, a->kind, a->provider, a->amount, h, err);
}

static const char *kind_name(zg_service_kind k)
{
    return k == ZG_SVC_FINETUNING ? "fine-tuning" : "inference";
}

int zg_op_transfer(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                   const zg_u256 *amount, zg_err *err)
{
    struct transfer_arg a = {kind, provider, amount};
    cJSON *f = amount_fields(amount);
    add_addr(f, "provider", provider);
    cJSON_AddStringToObject(f, "service", kind_name(kind));
    return run(c, j, "transfer", f, do_transfer, &a, err);
}

struct retrieve_arg {
    zg_service_kind kind;
    const uint8_t (*providers)[20];
    size_t n;
};

static int do_retrieve(zg_client *c, const void *arg, const zg_send_hooks *h, zg_err *err)
{
    const struct retrieve_arg *a = arg;
    return zg_ledger_retrieve(c, a->kind, a->providers, a->n, h, err);
}

int zg_op_retrieve(zg_client *c, zg_journal *j, zg_service_kind kind,
                   const uint8_t (*providers)[20], size_t n, zg_err *err)
{
    struct retrieve_arg a = {kind, providers, n};
    cJSON *f = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(f, "providers");
    for (size_t i = 0; i < n; i++) {
        char s[43];
        zg_addr_checksum(s, providers[i]);
        cJSON_AddItemToArray(list, cJSON_CreateString(s));
    }
    cJSON_AddStringToObject(f, "service", kind_name(kind));
    return run(c, j, "retrieve", f, do_retrieve, &a, err);
}

struct ack_tee_arg {
    zg_service_kind kind;
    const uint8_t *provider;
    bool yes;
};

static int do_ack_tee(zg_client *c, const void *arg, const zg_send_hooks *h, zg_err *err)
{
    const struct ack_tee_arg *a = arg;
    if (a->kind == ZG_SVC_FINETUNING)
        return zg_ft_ack_tee_signer(c, a->provider, a->yes, h, err);
    return zg_inf_ack_tee_signer(c, a->provider, a->yes, h, err);
}

int zg_op_ack_tee(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                  bool acknowledged, zg_err *err)
{
    struct ack_tee_arg a = {kind, provider, acknowledged};
    cJSON *f = cJSON_CreateObject();
    add_addr(f, "provider", provider);
    cJSON_AddStringToObject(f, "service", kind_name(kind));
    cJSON_AddBoolToObject(f, "acknowledged", acknowledged);
    return run(c, j, "trust", f, do_ack_tee, &a, err);
}

struct ack_del_arg {
    const uint8_t *provider;
    const char *id;
};

static int do_ack_del(zg_client *c, const void *arg, const zg_send_hooks *h, zg_err *err)
{
    const struct ack_del_arg *a = arg;
    return zg_ft_ack_deliverable(c, a->provider, a->id, h, err);
}

int zg_op_ack_deliverable(zg_client *c, zg_journal *j, const uint8_t provider[20], const char *id,
                          zg_err *err)
{
    struct ack_del_arg a = {provider, id};
    cJSON *f = cJSON_CreateObject();
    add_addr(f, "provider", provider);
    cJSON_AddStringToObject(f, "task", id);
    return run(c, j, "ack", f, do_ack_del, &a, err);
}

bool zg_op_ack_recovered(zg_journal *j, const uint8_t provider[20], const char *id, char tx[67])
{
    cJSON *recs = NULL;
    if (zg_journal_records(j, "ack", &recs, NULL))
        return false;
    char prov[43];
    zg_addr_checksum(prov, provider);
    bool found = false;
    const cJSON *r;
    cJSON_ArrayForEach(r, recs)
    {
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "provider"));
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "task"));
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "state"));
        const cJSON *txo = cJSON_GetObjectItemCaseSensitive(r, "tx");
        const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(txo, "hash"));
        if (p && t && st && h && !strcasecmp(p, prov) && !strcmp(t, id) && !strcmp(st, "done") &&
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "recovered")) && strlen(h) == 66) {
            memcpy(tx, h, 67);
            found = true;
        }
    }
    cJSON_Delete(recs);
    return found;
}

#include "zg/ops.h"

#include <errno.h>
#include <stdarg.h>
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
    } else {
        cJSON_AddStringToObject(end, "error", e.msg);
        zg_journal_update(j, t.id, "failed", end, NULL);
        if (err)
            *err = e;
    }
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

/* ---- reconciler ---- */

static void say_line(zg_say_fn say, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say_line(zg_say_fn say, void *ctx, const char *fmt, ...)
{
    if (!say)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say(ctx, line);
}

/* A signed transaction from before the crash: mined, still pending, lost by
 * the node (re-broadcast the same bytes: the same transaction, so it can
 * happen at most once), or superseded by another transaction that took its
 * nonce (then it can never happen). */
static void settle_tx(zg_client *c, zg_journal *j, const char *id, const char *op, const cJSON *rec,
                      const cJSON *tx, zg_say_fn say, void *ctx)
{
    /* An operation on a task names it: the journal id alone means nothing
     * to whoever reads the log. */
    const char *task = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "task"));
    char what[160];
    snprintf(what, sizeof what, "%s %s%s%.40s%s", op, id, task ? " (task " : "", task ? task : "",
             task ? ")" : "");
    const char *hh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "hash"));
    const char *rawhex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tx, "raw"));
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(tx, "nonce");
    uint8_t hash[32];
    zg_buf raw;
    zg_buf_init(&raw, 0);
    zg_err e = {0};
    if (!hh || !rawhex || !cJSON_IsNumber(jn) || zg_hex_decode_exact(hash, 32, hh, &e) ||
        zg_hex_decode_buf(&raw, rawhex, &e)) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "error", "journal record damaged; check the chain by hand");
        zg_journal_update(j, id, "failed", f, NULL);
        say_line(say, ctx, "recovery: %s: the journal record is damaged", what);
        zg_buf_free(&raw);
        return;
    }
    uint64_t nonce = (uint64_t)jn->valuedouble;
    for (int attempt = 0; attempt < 2; attempt++) {
        cJSON *r = NULL;
        if (zg_rpc_receipt(c->rpc, hash, &r, &e) == 0 && r) {
            uint64_t status = 0;
            zg_json_quantity_u64(cJSON_GetObjectItemCaseSensitive(r, "status"), &status, NULL);
            cJSON_Delete(r);
            cJSON *f = cJSON_CreateObject();
            if (status == 1) {
                cJSON_AddBoolToObject(f, "recovered", true);
                zg_journal_update(j, id, "done", f, NULL);
                say_line(say, ctx, "recovery: %s, sent before the crash, finished on chain (tx %s)",
                         what, hh);
            } else {
                cJSON_AddStringToObject(f, "error", "the transaction was reverted on chain");
                zg_journal_update(j, id, "failed", f, NULL);
                say_line(say, ctx, "recovery: %s was reverted on chain (tx %s)", what, hh);
            }
            zg_buf_free(&raw);
            return;
        }
        uint64_t latest = 0;
        if (zg_rpc_nonce(c->rpc, zg_chain_address(c->chain), "latest", &latest, &e) == 0 &&
            latest > nonce) {
            /* The nonce is used, and not by our hash (no receipt above). */
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "error",
                                    "superseded by another transaction of this "
                                    "wallet with the same nonce; nothing happened");
            zg_journal_update(j, id, "failed", f, NULL);
            say_line(say, ctx,
                     "recovery: %s never happened (its nonce was used by another "
                     "transaction)",
                     what);
            zg_buf_free(&raw);
            return;
        }
        if (attempt == 0) {
            zg_receipt rc;
            if (zg_chain_wait(c->chain, op, hash, raw.data, raw.len, &rc, &e) == 0) {
                zg_receipt_free(&rc);
                continue; /* read the receipt through the common path */
            }
        }
    }
    say_line(say, ctx, "recovery: %s is still pending (tx %s); will look again", what, hh);
    zg_buf_free(&raw);
}

int zg_reconcile(zg_client *c, zg_journal *j, zg_say_fn say, void *ctx, zg_err *err)
{
    cJSON *recs = NULL;
    if (zg_journal_open_records(j, &recs, err))
        return -1;
    int settled = 0;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, recs)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id"));
        const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "op"));
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "state"));
        const cJSON *tx = cJSON_GetObjectItemCaseSensitive(rec, "tx");
        if (!id || !op || !st)
            continue;
        if (tx) {
            settle_tx(c, j, id, op, rec, tx, say, ctx);
        } else if (strcmp(st, "intent") == 0 && strcmp(op, "task") != 0) {
            /* Nothing was signed, so nothing can have reached the chain. */
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "error", "interrupted before anything was sent");
            zg_journal_update(j, id, "failed", f, NULL);
            say_line(say, ctx,
                     "recovery: %s %s was interrupted before anything was sent; "
                     "nothing happened",
                     op, id);
        } else if (strcmp(op, "task") == 0) {
            char line[512];
            if (zg_task_reconcile(c, j, rec, line, sizeof line) == 0)
                say_line(say, ctx, "%s", line);
            else
                continue;
        } else {
            continue;
        }
        settled++;
    }
    cJSON_Delete(recs);
    return settled;
}

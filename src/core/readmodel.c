/* The read model's table and its fetchers (see zg/readmodel.h). */
#include "zg/readmodel.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/chaintime.h"
#include "zg/ftprovider.h"
#include "zg/infprovider.h"
#include "zg/rpc.h"
#include "zg/secp.h"
#include "zg/taskdoc.h"

/* A dstack document with its event log and compose file is tens of KiB. */
#define QUOTE_MAX (4u << 20)
/* tail -f asks for the size every second: one request a second at most. */
#define TASK_LOG_MS 1000L

typedef struct args {
    const zg_readmodel *rm;
    const uint8_t *provider;
    const char *task;
} args;

typedef int (*fetch_fn)(const args *a, void **val, zg_err *err);

/* One path showing a value; name: the entry in that directory instead. */
typedef struct shown {
    const char *path, *name;
} shown;

#define MAX_SHOWN 6

/* One row. Key and paths: {P} the provider (EIP-55), {T} the task. */
typedef struct decl {
    const char *key;
    fetch_fn fetch;
    zg_cache_free_fn free;
    long ttl_ms; /* < 0: the cache's */
    shown shown[MAX_SHOWN];
    unsigned from; /* values this one is computed from: their change is its */
} decl;

static void *alloc(size_t n, zg_err *err)
{
    void *p = calloc(1, n);
    if (!p)
        zg_err_set(err, ENOMEM, "out of memory");
    return p;
}

/* ---- chain reads */

static int fetch_wallet(const args *a, void **val, zg_err *err)
{
    zg_u256 *v = alloc(sizeof *v, err);
    if (!v || zg_rpc_balance(a->rm->client->rpc, a->rm->user, v, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

static void free_ledger(void *p)
{
    zg_rv_ledger *v = p;
    if (v->exists)
        zg_ledger_free(&v->l);
    free(v);
}

static int fetch_ledger(const args *a, void **val, zg_err *err)
{
    zg_rv_ledger *v = alloc(sizeof *v, err);
    if (!v || zg_ledger_get(a->rm->client, a->rm->user, &v->l, &v->exists, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

static void free_subs(void *p)
{
    zg_rv_subs *s = p;
    free(s->ft);
    free(s->inf);
    free(s);
}

static int fetch_subs(const args *a, void **val, zg_err *err)
{
    zg_rv_subs *s = alloc(sizeof *s, err);
    if (!s)
        return -1;
    if (zg_subaccounts_by_user(a->rm->client, ZG_SVC_FINETUNING, a->rm->user, &s->ft, &s->nft,
                               err) ||
        zg_subaccounts_by_user(a->rm->client, ZG_SVC_INFERENCE, a->rm->user, &s->inf, &s->ninf,
                               err)) {
        free_subs(s);
        return -1;
    }
    *val = s;
    return 0;
}

static void free_services(void *p)
{
    zg_rv_services *s = p;
    zg_ft_services_free(s->ft, s->nft);
    zg_inf_services_free(s->inf, s->ninf);
    free(s);
}

static int fetch_services(const args *a, void **val, zg_err *err)
{
    zg_rv_services *s = alloc(sizeof *s, err);
    if (!s)
        return -1;
    if (zg_all_services(a->rm->client, &s->ft, &s->nft, &s->inf, &s->ninf, err)) {
        free_services(s);
        return -1;
    }
    *val = s;
    return 0;
}

static int fetch_lock_time(const args *a, void **val, zg_err *err)
{
    uint64_t *v = alloc(sizeof *v, err);
    if (!v || zg_ft_lock_time(a->rm->client, v, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

static int fetch_chain_time(const args *a, void **val, zg_err *err)
{
    uint64_t *v = alloc(sizeof *v, err);
    if (!v || zg_chain_time(a->rm->client->rpc, v, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

static void free_ft_account(void *p)
{
    zg_rv_ft_account *v = p;
    if (v->exists)
        zg_ft_account_free(&v->a);
    free(v);
}

static int fetch_ft_account(const args *a, void **val, zg_err *err)
{
    zg_rv_ft_account *v = alloc(sizeof *v, err);
    if (!v || zg_ft_get_account_lock_time(a->rm->client, a->rm->user, a->provider, &v->a,
                                          &v->exists, &v->lock_time, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

static void free_inf_account(void *p)
{
    zg_rv_inf_account *v = p;
    if (v->exists)
        zg_inf_account_free(&v->a);
    free(v);
}

static int fetch_inf_account(const args *a, void **val, zg_err *err)
{
    zg_rv_inf_account *v = alloc(sizeof *v, err);
    if (!v || zg_inf_get_account(a->rm->client, a->rm->user, a->provider, &v->a, &v->exists, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

static void free_standing(void *p)
{
    zg_standing_free(p);
    free(p);
}

static bool services_at_hand(const zg_readmodel *rm, zg_cache_val **ref);
static void offer_services(const zg_readmodel *rm, unsigned long gen, zg_rv_services *s);

static int fetch_standing(const args *a, void **val, zg_err *err)
{
    zg_standing *v = alloc(sizeof *v, err);
    if (!v)
        return -1;
    /* With the services lists fresh in the cache only the sub-accounts are
     * asked. */
    zg_cache_val *ref;
    zg_rv_provider pr = {0};
    unsigned long gen = zg_cache_generation(a->rm->cache);
    bool known = services_at_hand(a->rm, &ref);
    if (known)
        zg_rv_services_find(zg_cache_value(ref), a->provider, &pr);
    int rc = zg_standing_get(a->rm->client, a->rm->user, a->provider, known, pr.ft, pr.inf, v, err);
    if (known)
        zg_cache_put(ref);
    if (rc) {
        free(v);
        return -1;
    }
    /* Otherwise the lists came in the same answer: they serve the next
     * provider's lookups too. */
    zg_rv_services *s = v->ft_all ? calloc(1, sizeof *s) : NULL;
    if (s) {
        *s = (zg_rv_services){v->ft_all, v->nft_all, v->inf_all, v->ninf_all};
        v->ft_all = NULL;
        v->inf_all = NULL;
        v->nft_all = v->ninf_all = 0;
        offer_services(a->rm, gen, s);
    }
    *val = v;
    return 0;
}

static void free_ft_service(void *p)
{
    zg_ft_service_free(p);
    free(p);
}

static int fetch_ft_service(const args *a, void **val, zg_err *err)
{
    zg_ft_service *s = alloc(sizeof *s, err);
    if (!s || zg_ft_get_service(a->rm->client, a->provider, s, err)) {
        free(s);
        return -1;
    }
    *val = s;
    return 0;
}

/* ---- provider replies */

static void free_json(void *p)
{
    cJSON_Delete(p);
}

static void free_buf(void *p)
{
    zg_buf_free(p);
    free(p);
}

static int fetch_tasks(const args *a, void **val, zg_err *err)
{
    char *url = NULL;
    cJSON *list = NULL;
    if (zg_rm_ft_service(a->rm, a->provider, &url, NULL, err))
        return -1;
    int rc = zg_ftp_list_tasks(a->rm->client, url, false, &list, err);
    free(url);
    if (rc)
        return -1;
    *val = list;
    return 0;
}

static int fetch_task(const args *a, void **val, zg_err *err)
{
    char *url = NULL;
    cJSON *t = NULL;
    if (zg_rm_ft_service(a->rm, a->provider, &url, NULL, err))
        return -1;
    int rc = zg_ftp_get_task(a->rm->client, url, a->task, &t, err);
    free(url);
    if (rc)
        return -1;
    /* The provider answers any id; only this wallet's tasks are ours. */
    const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "userAddress"));
    uint8_t u[20];
    if (!user || zg_addr_parse(u, user, NULL) || memcmp(u, a->rm->user, 20)) {
        cJSON_Delete(t);
        return zg_err_set(err, ENOENT, "task %s is not one of this wallet's", a->task);
    }
    *val = t;
    return 0;
}

static int fetch_task_log(const args *a, void **val, zg_err *err)
{
    char *url = NULL;
    if (zg_rm_ft_service(a->rm, a->provider, &url, NULL, err))
        return -1;
    zg_buf *b = alloc(sizeof *b, err);
    if (!b) {
        free(url);
        return -1;
    }
    zg_buf_init(b, 0);
    zg_err e = {0};
    int rc = zg_ftp_log(a->rm->client, url, a->task, b, &e);
    free(url);
    /* Before the task starts there is no log file: that is an empty log. */
    if (rc && e.kind == ZG_EK_NO_LOG) {
        zg_buf_reset(b);
        rc = 0;
    }
    if (rc) {
        free_buf(b);
        if (err)
            *err = e;
        return -1;
    }
    *val = b;
    return 0;
}

static int fetch_adapters(const args *a, void **val, zg_err *err)
{
    /* The provider checks the session against the inference sub-account:
     * without one there is nothing to ask. */
    zg_cache_val *ref;
    if (zg_rm_get(a->rm, ZG_RV_INF_ACCOUNT, a->provider, NULL, -1, &ref, err))
        return -1;
    bool session = ((const zg_rv_inf_account *)zg_cache_value(ref))->exists;
    zg_cache_put(ref);
    cJSON *all = NULL, *out = cJSON_CreateArray();
    if (!out)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (session) {
        char *url = NULL;
        if (zg_rm_inf_service(a->rm, a->provider, &url, NULL, err) ||
            zg_infp_adapters(a->rm->client, url, a->provider, &all, err)) {
            free(url);
            cJSON_Delete(out);
            return -1;
        }
        free(url);
        /* The provider lists everyone's. */
        cJSON *it;
        while ((it = cJSON_DetachItemFromArray(all, 0))) {
            const char *u =
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "userAddress"));
            uint8_t addr[20];
            if (u && zg_addr_parse(addr, u, NULL) == 0 && !memcmp(addr, a->rm->user, 20))
                cJSON_AddItemToArray(out, it);
            else
                cJSON_Delete(it);
        }
        cJSON_Delete(all);
    }
    *val = out;
    return 0;
}

static int fetch_models(const args *a, void **val, zg_err *err)
{
    char *url = NULL;
    bool announces = false;
    cJSON *list = NULL;
    if (zg_rm_ft_service(a->rm, a->provider, &url, &announces, err))
        return -1;
    /* As the official list_model: a provider announcing no models on chain
     * is not asked. */
    int rc = 0;
    if (!announces) {
        if (!(list = cJSON_CreateArray()))
            rc = zg_err_set(err, ENOMEM, "out of memory");
    } else {
        rc = zg_ftp_models(a->rm->client, url, &list, err);
    }
    free(url);
    if (rc)
        return -1;
    *val = list;
    return 0;
}

static int fetch_quote_in(const args *a, bool legacy, void **val, zg_err *err)
{
    char *url = NULL;
    if (zg_rm_ft_service(a->rm, a->provider, &url, NULL, err))
        return -1;
    zg_buf *b = alloc(sizeof *b, err);
    if (b) {
        zg_buf_init(b, QUOTE_MAX);
        if (zg_ftp_quote(a->rm->client, url, legacy, b, err)) {
            free_buf(b);
            b = NULL;
        }
    }
    free(url);
    if (!b)
        return -1;
    *val = b;
    return 0;
}

static int fetch_quote(const args *a, void **val, zg_err *err)
{
    return fetch_quote_in(a, false, val, err);
}

static int fetch_quote_legacy(const args *a, void **val, zg_err *err)
{
    return fetch_quote_in(a, true, val, err);
}

/* ---- the table
 *
 * One row per value: cache key, fetcher, free function, lifetime (-1: the
 * cache's ttl), the paths showing it ({path, name}: the entry name in the
 * directory at path), and the values it is computed from. */

#define PROV "/providers/{P}"
#define TASK PROV "/tasks/{T}"

/* Designated members throughout: a row gives only the paths it has. */
/* clang-format off */
#define S(p) {.path = (p)}
#define SN(p, n) {.path = (p), .name = (n)}
#define ROW(k, f, fr, ttl, ...) \
    {.key = (k), .fetch = (f), .free = (fr), .ttl_ms = (ttl), .shown = {__VA_ARGS__}}
#define ROWF(k, f, fr, ttl, deps, ...) \
    {.key = (k), .fetch = (f), .free = (fr), .ttl_ms = (ttl), .from = (deps), \
     .shown = {__VA_ARGS__}}

static const decl table[ZG_RV_COUNT] = {
    [ZG_RV_WALLET] = ROW("wallet", fetch_wallet, free, -1, S("/wallet/balance")),
    [ZG_RV_LEDGER] = ROW("ledger", fetch_ledger, free_ledger, -1,
        S("/ledger/ledger.json"), S("/ledger/balance")),
    [ZG_RV_SUBS] = ROW("subs", fetch_subs, free_subs, -1, S("/ledger/ledger.json")),
    [ZG_RV_SERVICES] = ROW("services", fetch_services, free_services, -1,
        S("/providers"), S(PROV "/service.json"), S(PROV "/inference.json")),
    [ZG_RV_LOCK_TIME] = ROW("locktime", fetch_lock_time, free, -1, S("/lock_time")),
    [ZG_RV_CHAIN_TIME] = ROW("chaintime", fetch_chain_time, free, -1, S(NULL)),
    [ZG_RV_FT_ACCOUNT] = ROW("acct:ft:{P}", fetch_ft_account, free_ft_account, -1,
        S(PROV "/account.json"), S(PROV "/tasks/*/deliverable.json")),
    [ZG_RV_INF_ACCOUNT] = ROW("acct:inf:{P}", fetch_inf_account, free_inf_account, -1,
        S(PROV "/account.json"), S(PROV "/adapters")),
    [ZG_RV_STANDING] = ROWF("standing:{P}", fetch_standing, free_standing, -1,
        ZG_RV_BIT(ZG_RV_SERVICES) | ZG_RV_BIT(ZG_RV_FT_ACCOUNT) | ZG_RV_BIT(ZG_RV_INF_ACCOUNT),
        S(PROV "/account.json")),
    [ZG_RV_FT_SERVICE] = ROW("ftp:service:{P}", fetch_ft_service, free_ft_service, -1,
        S(PROV "/attestation/report")),
    [ZG_RV_TASKS] = ROW("tasks:{P}", fetch_tasks, free_json, -1,
        S(PROV "/tasks"), S(PROV "/tasks/latest"), SN(PROV "/tasks", "latest"), S(TASK "/progress"), S(TASK "/task.json")),
    [ZG_RV_TASK] = ROW("task:{P}:{T}", fetch_task, free_json, -1,
        S(TASK "/progress"), S(TASK "/task.json")),
    [ZG_RV_TASK_LOG] = ROW("tlog:{P}:{T}", fetch_task_log, free_buf, TASK_LOG_MS, S(TASK "/log")),
    [ZG_RV_ADAPTERS] = ROWF("adapters:{P}", fetch_adapters, free_json, -1, ZG_RV_BIT(ZG_RV_INF_ACCOUNT),
        S(PROV "/adapters")),
    [ZG_RV_MODELS] = ROW("ftp:models:{P}", fetch_models, free_json, -1, S(PROV "/models")),
    [ZG_RV_QUOTE] = ROW("ftp:quote:{P}:default", fetch_quote, free_buf, -1,
        S(PROV "/attestation/quote.json"), S(PROV "/attestation/report")),
    [ZG_RV_QUOTE_LEGACY] = ROW("ftp:quote:{P}:legacy", fetch_quote_legacy, free_buf, -1,
        S(PROV "/attestation/report")),
};
/* clang-format on */

/* ---- keys and paths */

/* pattern with {P} and {T} filled in; a missing one ends the text there
 * (cut) or becomes '*' (glob, which also escapes what it fills in). */
static int fill(char *out, size_t cap, const char *pattern, const uint8_t *provider,
                const char *task, bool glob)
{
    char addr[43] = "";
    if (provider)
        zg_addr_checksum(addr, provider);
    size_t n = 0;
    for (const char *p = pattern; *p; p++) {
        const char *val = NULL;
        if (!strncmp(p, "{P}", 3))
            val = provider ? addr : NULL;
        else if (!strncmp(p, "{T}", 3))
            val = task;
        else {
            if (n + 1 >= cap)
                return -1;
            out[n++] = *p;
            continue;
        }
        p += 2;
        if (!val && !glob)
            break;
        for (const char *v = val ? val : "*"; *v; v++) {
            if (n + 2 >= cap)
                return -1;
            if (glob && val && strchr("*?[]\\", *v))
                out[n++] = '\\';
            out[n++] = *v;
        }
    }
    out[n] = 0;
    return 0;
}

int zg_rm_key(char *out, size_t cap, zg_rv v, const uint8_t *provider, const char *task,
              zg_err *err)
{
    if ((unsigned)v >= ZG_RV_COUNT)
        return zg_err_set(err, EINVAL, "internal error: no such remote value");
    if (fill(out, cap, table[v].key, provider, task, false))
        return zg_err_set(err, ENAMETOOLONG, "a task id of this length cannot be looked up");
    return 0;
}

typedef struct fetch_ctx {
    args a;
    fetch_fn fetch;
} fetch_ctx;

static int run_fetch(void *ctx, void **val, zg_err *err)
{
    fetch_ctx *x = ctx;
    return x->fetch(&x->a, val, err);
}

int zg_rm_get(const zg_readmodel *rm, zg_rv v, const uint8_t *provider, const char *task,
              long max_age_ms, zg_cache_val **ref, zg_err *err)
{
    char key[512];
    if (zg_rm_key(key, sizeof key, v, provider, task, err))
        return -1;
    const decl *d = &table[v];
    if ((strstr(d->key, "{P}") && !provider) || (strstr(d->key, "{T}") && !task))
        return zg_err_set(err, EINVAL, "internal error: %s needs its provider and task", d->key);
    if (max_age_ms < 0)
        max_age_ms = d->ttl_ms;
    fetch_ctx x = {.a = {rm, provider, task}, .fetch = d->fetch};
    return zg_cache_get(rm->cache, key, max_age_ms, run_fetch, d->free, &x, ref, err);
}

#define MAX_PATHS (ZG_RV_COUNT * MAX_SHOWN)

/* values with those computed from them. */
static unsigned closure(unsigned values)
{
    for (unsigned before = 0; before != values;) {
        before = values;
        for (unsigned v = 0; v < ZG_RV_COUNT; v++)
            if (table[v].from & values)
                values |= ZG_RV_BIT(v);
    }
    return values;
}

void zg_rm_shown(unsigned values, const uint8_t *provider, const char *task, zg_rm_shown_fn fn,
                 void *ctx)
{
    values = closure(values);
    /* A path shown by several changed values is reported once. */
    static const size_t cap = 512;
    char(*seen)[512] = malloc(MAX_PATHS * cap);
    const char *names[MAX_PATHS];
    size_t nseen = 0;
    for (unsigned v = 0; v < ZG_RV_COUNT; v++) {
        if (!(values & ZG_RV_BIT(v)))
            continue;
        for (const shown *s = table[v].shown; s < table[v].shown + MAX_SHOWN && s->path; s++) {
            char path[512];
            if (fill(path, sizeof path, s->path, provider, task, true))
                continue;
            bool dup = false;
            for (size_t i = 0; seen && i < nseen && !dup; i++)
                dup = !strcmp(seen[i], path) &&
                      (names[i] == s->name || (names[i] && s->name && !strcmp(names[i], s->name)));
            if (dup)
                continue;
            if (seen) {
                strcpy(seen[nseen], path);
                names[nseen++] = s->name;
            }
            fn(ctx, path, s->name);
        }
    }
    free(seen);
}

void zg_rm_changed(const zg_readmodel *rm, unsigned values, const uint8_t *provider,
                   const char *task, zg_rm_shown_fn fn, void *ctx)
{
    unsigned all = closure(values);
    for (unsigned v = 0; v < ZG_RV_COUNT; v++) {
        char key[512];
        if ((all & ZG_RV_BIT(v)) && zg_rm_key(key, sizeof key, (zg_rv)v, provider, task, NULL) == 0)
            zg_cache_invalidate(rm->cache, key);
    }
    if (fn)
        zg_rm_shown(values, provider, task, fn, ctx);
}

/* ---- the services list, asked for one provider */

void zg_rv_services_find(const zg_rv_services *s, const uint8_t addr[20], zg_rv_provider *out)
{
    zg_services_find(s->ft, s->nft, s->inf, s->ninf, addr, &out->ft, &out->inf);
}

/* The services lists read on the side of another value (see
 * zg_cache_offer; s passes to the cache). */
static void offer_services(const zg_readmodel *rm, unsigned long gen, zg_rv_services *s)
{
    zg_cache_offer(rm->cache, table[ZG_RV_SERVICES].key, gen, s, free_services);
}

/* The services lists, if the cache holds them fresh (*ref to release). */
static bool services_at_hand(const zg_readmodel *rm, zg_cache_val **ref)
{
    /* Its key has no placeholder: the table's is the cache's. */
    return zg_cache_peek(rm->cache, table[ZG_RV_SERVICES].key, table[ZG_RV_SERVICES].ttl_ms, ref);
}

int zg_rm_provider(const zg_readmodel *rm, const uint8_t provider[20], zg_cache_val **ref,
                   zg_rv_provider *pr, zg_err *err)
{
    if (services_at_hand(rm, ref)) {
        zg_rv_services_find(zg_cache_value(*ref), provider, pr);
        return 0;
    }
    /* Not at hand: the provider's standing holds its records too, and what
     * a read under providers/P needs next (its sub-accounts) comes in the
     * same round trip. */
    if (zg_rm_get(rm, ZG_RV_STANDING, provider, NULL, -1, ref, err))
        return -1;
    const zg_standing *s = zg_cache_value(*ref);
    pr->ft = s->ft_service;
    pr->inf = s->inf_service;
    return 0;
}

int zg_rm_ft_service(const zg_readmodel *rm, const uint8_t provider[20], char **url,
                     bool *announces_models, zg_err *err)
{
    zg_cache_val *ref;
    zg_rv_provider pr;
    if (zg_rm_provider(rm, provider, &ref, &pr, err))
        return -1;
    int rc = 0;
    char a[43];
    zg_addr_checksum(a, provider);
    if (!pr.ft)
        rc = zg_err_set(err, ENOENT, "%s offers no fine-tuning", a);
    else if (!(*url = strdup(pr.ft->url ? pr.ft->url : "")))
        rc = zg_err_set(err, ENOMEM, "out of memory");
    else if (announces_models)
        *announces_models = pr.ft->nmodels > 0;
    zg_cache_put(ref);
    return rc;
}

int zg_rm_inf_service(const zg_readmodel *rm, const uint8_t provider[20], char **url, char **model,
                      zg_err *err)
{
    zg_cache_val *ref;
    zg_rv_provider pr;
    if (zg_rm_provider(rm, provider, &ref, &pr, err))
        return -1;
    int rc = 0;
    char a[43];
    zg_addr_checksum(a, provider);
    *url = NULL;
    if (model)
        *model = NULL;
    if (!pr.inf) {
        rc = zg_err_set(err, ENOENT, "%s serves no inference", a);
    } else if (!(*url = strdup(pr.inf->url ? pr.inf->url : "")) ||
               (model && pr.inf->model && !(*model = strdup(pr.inf->model)))) {
        free(*url);
        *url = NULL;
        rc = zg_err_set(err, ENOMEM, "out of memory");
    }
    zg_cache_put(ref);
    return rc;
}

int zg_rm_task(const zg_readmodel *rm, const uint8_t provider[20], const char *id, cJSON **out,
               zg_err *err)
{
    zg_cache_val *ref;
    if (zg_rm_get(rm, ZG_RV_TASKS, provider, NULL, -1, &ref, err))
        return -1;
    const cJSON *t = zg_task_find(zg_cache_value(ref), id);
    *out = t ? cJSON_Duplicate(t, true) : NULL;
    zg_cache_put(ref);
    if (t)
        return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
    /* Newer than the cached list (another client just made it). */
    zg_err e = {0};
    if (zg_rm_get(rm, ZG_RV_TASK, provider, id, -1, &ref, &e)) {
        zg_task_lookup_errno(&e);
        if (err)
            *err = e;
        return -1;
    }
    *out = cJSON_Duplicate(zg_cache_value(ref), true);
    zg_cache_put(ref);
    return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
}

int zg_rm_deliverable(const zg_readmodel *rm, const uint8_t provider[20], const char *task_id,
                      long max_age_ms, zg_deliverable *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    zg_cache_val *ref;
    if (zg_rm_get(rm, ZG_RV_FT_ACCOUNT, provider, NULL, max_age_ms, &ref, err))
        return -1;
    const zg_rv_ft_account *v = zg_cache_value(ref);
    int rc = zg_deliverable_copy(v->exists ? &v->a : NULL, task_id, out, err);
    zg_cache_put(ref);
    return rc;
}

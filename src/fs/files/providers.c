/* providers/ and the files in each providers/0xPROVIDER/ directory.
 *
 * One services list (fine-tuning getAllServices + inference pages) answers
 * listings, lookups and the service records, so `ls -l providers/` costs
 * O(1) requests. A provider that offers fine-tuning has its fine-tuning
 * sub-account behind account.json, fund, retrieve and trust; an
 * inference-only provider has its inference sub-account there. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "zg/funds.h"
#include "zg/namefiles.h"
#include "zg/show.h"

int zgfs_providers_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    zg_cache_val *ref;
    if (zgfs_get(c->fs, ZG_RV_SERVICES, NULL, NULL, -1, &ref, err))
        return -1;
    int rc = zg_show_providers(zg_cache_value(ref), c->fs->opts.all_providers, zgfs_names_add_cb,
                               out, err);
    zg_cache_put(ref);
    return rc;
}

/* The services record of the path's provider; *ref holds it (put it). */
static int services_of(const zgfs_call *c, zg_cache_val **ref, zg_rv_provider *pr, zg_err *err)
{
    uint8_t p[20];
    if (zgfs_call_addr(c, 0, p, err))
        return -1;
    return zg_rm_provider(&c->fs->rm, p, ref, pr, err);
}

/* The path's provider's service.json or inference.json (out NULL: only
 * whether it has one). */
static int service(const zgfs_call *c, zg_service_kind kind, zg_buf *out, zg_err *err)
{
    zg_cache_val *ref;
    zg_rv_provider pr;
    if (services_of(c, &ref, &pr, err))
        return -1;
    int rc = zg_show_service(out, &pr, kind, c->params[0], err);
    zg_cache_put(ref);
    return rc;
}

/* The kind of sub-account behind the path's provider's money files. */
static int kind_of(const zgfs_call *c, zg_show_acct *a, zg_err *err)
{
    memset(a, 0, sizeof *a);
    if (zgfs_call_addr(c, 0, a->provider, err))
        return -1;
    return zg_show_acct_kind(&c->fs->rm, a->provider, &a->kind, err);
}

int zgfs_provider_present(const zgfs_call *c, zg_err *err)
{
    zg_show_acct a;
    return kind_of(c, &a, err);
}

int zgfs_service_present(const zgfs_call *c, zg_err *err)
{
    return service(c, ZG_SVC_FINETUNING, NULL, err);
}

int zgfs_inference_present(const zgfs_call *c, zg_err *err)
{
    return service(c, ZG_SVC_INFERENCE, NULL, err);
}

int zgfs_service_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return service(c, ZG_SVC_FINETUNING, out, err);
}

int zgfs_inference_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return service(c, ZG_SVC_INFERENCE, out, err);
}

/* The sub-account behind account.json, fund, retrieve and trust. */
static int get_acct(const zgfs_call *c, long max_age_ms, zg_show_acct *a, zg_cache_val **keep,
                    zg_err *err)
{
    uint8_t p[20];
    if (zgfs_call_addr(c, 0, p, err))
        return -1;
    return zg_show_acct_get(&c->fs->rm, p, max_age_ms, a, keep, err);
}

int zgfs_account_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_show_acct a;
    zg_cache_val *ref;
    if (get_acct(c, -1, &a, &ref, err))
        return -1;
    int rc = zg_show_account(out, c->fs->client, zg_session_addr(c->fs->session), &a, ref, err);
    zg_cache_put(ref);
    return rc;
}

/* The TEE check before anything that acknowledges P's TEE signer. */
typedef struct vet_ctx {
    const zgfs_call *c;
    const zg_show_acct *a;
    const char *vouched_line; /* the log's line for "--unverified" */
    char said[ZG_SHOW_VERDICT_MAX];
} vet_ctx;

static int vet(void *arg, bool vouched, zg_err *err)
{
    vet_ctx *x = arg;
    zgfs *fs = x->c->fs;
    return zg_show_tee_vet(fs->client, zg_session_tee(fs->session), fs->log, x->a->kind,
                           x->a->provider, x->c->path + 1, x->c->params[0], vouched,
                           x->vouched_line, x->said, err);
}

int zgfs_fund_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_show_acct a, after;
    vet_ctx x = {
        .c = c, .a = &a, .vouched_line = " funded (and its TEE signer acknowledged) unverified"};
    zg_funds_result r;
    if (kind_of(c, &a, err))
        return -1;
    int rc = zg_funds_transfer(fs->client, zg_session_journal(fs->session), a.kind, a.provider,
                               line, vet, &x, &r, err);
    if (r.sent)
        zgfs_changed(fs, ZG_RV_FUNDS, a.provider, NULL);
    if (rc)
        return -1;
    zg_err ignore;
    bool known = get_acct(c, 0, &after, NULL, &ignore) == 0;
    return zg_show_fund_said(ok, a.kind, &r, known ? &after : NULL, err);
}

int zgfs_retrieve_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_show_acct a;
    zg_funds_result r;
    if (kind_of(c, &a, err))
        return -1;
    int rc = zg_funds_retrieve(fs->client, zg_session_journal(fs->session), a.kind, a.provider,
                               line, &r, err);
    if (r.sent)
        zgfs_changed(fs, ZG_RV_FUNDS, a.provider, NULL);
    if (rc)
        return -1;
    uint64_t lock;
    zg_err ignore;
    bool known = zg_show_retrieve_names_lock(a.kind, &r) &&
                 zgfs_get_u64(fs, ZG_RV_LOCK_TIME, -1, &lock, &ignore) == 0;
    return zg_show_retrieve_said(ok, &r, known ? &lock : NULL, err);
}

int zgfs_trust_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zg_show_acct a;
    if (get_acct(c, -1, &a, NULL, err))
        return -1;
    return zg_show_trust(out, &a, err);
}

int zgfs_trust_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err)
{
    zgfs *fs = c->fs;
    zg_show_acct a;
    vet_ctx x = {.c = c, .a = &a, .vouched_line = "'s TEE signer acknowledged unverified"};
    zg_funds_result r;
    if (kind_of(c, &a, err))
        return -1;
    int rc = zg_funds_trust(fs->client, zg_session_journal(fs->session), a.kind, a.provider, line,
                            vet, &x, &r, err);
    if (r.sent)
        zgfs_changed(fs, ZG_RV_FUNDS, a.provider, NULL);
    if (rc)
        return -1;
    return zg_show_trust_said(ok, &r, c->params[0], x.said, err);
}

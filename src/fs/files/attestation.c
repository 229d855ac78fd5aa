/* providers/P/attestation/: the fine-tuning provider's TEE attestation
 * document (GET /v1/quote, 0g-serving-broker
 * api/fine-tuning/internal/handler/quote.go) and a report of checking it
 * (zg/teecheck.h, zg/attest.h, zg/tdx.h).
 *
 * quote.json is the document in the provider's default layout, byte for
 * byte. report fetches BOTH layouts, the default one (the newest provider's
 * enc_pub | address | version report_data) and ?legacy=true (the "0x..."
 * text the official SDK reads), and checks each: its TDX quote to the
 * mount's trust anchor with the collateral of its platform, and the
 * document bound to that quote and to the TEE signer of the provider's
 * on-chain record (getService). A provider passes only if both do. The
 * checks run at most once per ttl per distinct pair of documents and
 * signer (the clock and the collateral's dates move on). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ftremote.h"
#include "zg/teecheck.h"
#include "zg/ftserving.h"

/* The on-chain record (getService) and the documents, cached per provider
 * by the read model. A failed request lands in the mount's log. */
static int get_quote(const zgfs_call *c, const uint8_t addr[20], bool legacy, zg_cache_val **ref,
                     zg_err *err)
{
    zg_err e = {0};
    if (zgfs_get(c->fs, legacy ? ZG_RV_QUOTE_LEGACY : ZG_RV_QUOTE, addr, NULL, -1, ref, &e) == 0)
        return 0;
    if (err)
        *err = e;
    return zgfs_ftp_failed(c->fs, c->path, &e);
}

int zgfs_quote_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs_ftp p;
    zg_cache_val *ref;
    if (zgfs_ftp_get(c, &p, err))
        return -1;
    int rc = get_quote(c, p.addr, false, &ref, err);
    if (rc == 0) {
        const zg_buf *q = zg_cache_value(ref);
        rc = zg_buf_append(out, q->data, q->len, err);
        zg_cache_put(ref);
    }
    zgfs_ftp_free(&p);
    return rc;
}

/* ---- the checks, cached per (signer, default document, legacy document) */

typedef struct verify_ctx {
    zgfs *fs;
    const uint8_t *signer;
    const zg_buf *doc, *legacy; /* legacy may be NULL (not served) */
} verify_ctx;

static void free_verdict(void *v)
{
    zg_tee_verdict_free(v);
    free(v);
}

static int run_checks(void *ctx, void **val, zg_err *err)
{
    verify_ctx *x = ctx;
    zg_tee_verdict *d = malloc(sizeof *d);
    if (!d)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (zg_tee_check_layouts(x->fs->client, zg_session_tee(x->fs->session), x->doc, x->legacy,
                             x->signer, (int64_t)time(NULL), d, err)) {
        free_verdict(d);
        return -1;
    }
    *val = d;
    return 0;
}

static int write_report(const zgfs_call *c, const zg_ft_service *s, const zg_buf *doc,
                        const zg_buf *legacy, const zg_err *legacy_err, zg_buf *out, zg_err *err)
{
    char key[ZGFS_PATH_MAX];
    snprintf(key, sizeof key, "ftp:");
    zg_tee_verdict_key(key + 4, sizeof key - 4, s->provider, s->tee_signer, doc, legacy);
    verify_ctx x = {.fs = c->fs, .signer = s->tee_signer, .doc = doc, .legacy = legacy};
    zg_cache_val *ref;
    /* Within ttl only: the collateral's dates and the clock move on. */
    if (zg_cache_get(c->fs->cache, key, -1, run_checks, free_verdict, &x, &ref, err))
        return -1;
    zg_tee_report_ctx rx = {.test_root = zg_session_tee(c->fs->session)->root_pem != NULL,
                            .pccs = zg_session_tee(c->fs->session)->pccs};
    int rc = zg_tee_report(s, doc, legacy, legacy_err, zg_cache_value(ref), &rx, out, err);
    zg_cache_put(ref);
    return rc;
}

int zgfs_report_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint8_t addr[20];
    if (zgfs_call_addr(c, 0, addr, err))
        return -1;
    /* The signer and the URL from one record of the provider (fresh within
     * ttl), the one the official verify_service reads. */
    zg_cache_val *sref, *dref = NULL, *lref = NULL;
    if (zgfs_get(c->fs, ZG_RV_FT_SERVICE, addr, NULL, -1, &sref, err))
        return -1;
    const zg_ft_service *s = zg_cache_value(sref);
    int rc = get_quote(c, addr, false, &dref, err);
    zg_err lerr = {0};
    if (rc == 0 && get_quote(c, addr, true, &lref, &lerr)) {
        lref = NULL;
        if (!zg_tee_legacy_answered(lerr.code)) {
            if (err)
                *err = lerr;
            rc = -1;
        }
    }
    if (rc == 0)
        rc = write_report(c, s, zg_cache_value(dref), lref ? zg_cache_value(lref) : NULL, &lerr,
                          out, err);
    if (lref)
        zg_cache_put(lref);
    if (dref)
        zg_cache_put(dref);
    zg_cache_put(sref);
    return rc;
}

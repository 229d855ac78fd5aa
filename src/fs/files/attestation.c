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
#include "zg/attest.h"
#include "zg/teecheck.h"
#include "zg/ftprovider.h"
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

typedef struct verdict {
    zg_buf text; /* the PASS/FAIL/SKIP/NOTE lines */
    unsigned fails, skips;
} verdict;

typedef struct verify_ctx {
    zgfs *fs;
    const uint8_t *signer;
    const zg_buf *doc, *legacy; /* legacy may be NULL (not served) */
} verify_ctx;

static void free_verdict(void *v)
{
    verdict *d = v;
    zg_buf_free(&d->text);
    free(d);
}

/* Check one document; its step lines name the layout. NOTE lines (images,
 * what is not verified) are the same for both layouts: kept once. */
static int check_layout(zgfs *fs, verdict *d, const char *layout, const zg_buf *doc,
                        const uint8_t signer[20], bool notes, zg_err *err)
{
    zg_buf r;
    zg_buf_init(&r, 0);
    zg_attest_result res;
    zg_err e = {0};
    int rc = 0;
    if (zg_tee_check_doc(fs->client, &fs->tee, doc->data, doc->len, signer, (int64_t)time(NULL), &r,
                         &res, &e)) {
        d->fails++;
        rc = zg_buf_printf(&d->text, err, "FAIL format (%s layout): %s\n", layout, e.msg);
        zg_buf_free(&r);
        return rc;
    }
    const char *s = r.len ? (const char *)r.data : "";
    while (*s && rc == 0) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        const char *colon = memchr(s, ':', n);
        bool note = !strncmp(s, "NOTE", 4);
        if (!strncmp(s, "FAIL", 4))
            d->fails++;
        else if (!strncmp(s, "SKIP", 4))
            d->skips++;
        if (note && notes)
            rc = zg_buf_printf(&d->text, err, "%.*s\n", (int)n, s);
        else if (!note && colon)
            rc = zg_buf_printf(&d->text, err, "%.*s (%s layout)%.*s\n", (int)(colon - s), s, layout,
                               (int)(n - (size_t)(colon - s)), colon);
        else if (!note)
            rc = zg_buf_printf(&d->text, err, "%.*s (%s layout)\n", (int)n, s, layout);
        s += n + (nl != NULL);
    }
    zg_buf_free(&r);
    return rc;
}

static int run_checks(void *ctx, void **val, zg_err *err)
{
    verify_ctx *x = ctx;
    verdict *d = calloc(1, sizeof *d);
    if (!d)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_buf_init(&d->text, 0);
    if (check_layout(x->fs, d, "default", x->doc, x->signer, !x->legacy, err) ||
        (x->legacy && check_layout(x->fs, d, "legacy", x->legacy, x->signer, true, err))) {
        free_verdict(d);
        return -1;
    }
    *val = d;
    return 0;
}

/* A failure that says the provider did answer, only not with the legacy
 * layout (as opposed to not answering at all, which fails the report). */
static bool answered(int code)
{
    return code == EINVAL || code == ENOENT || code == EACCES || code == EPERM || code == EPROTO ||
           code == EFBIG;
}

static int write_report(const zgfs_call *c, const zg_ft_service *s, const zg_buf *doc,
                        const zg_buf *legacy, const zg_err *legacy_err, zg_buf *out, zg_err *err)
{
    char prov[43], signer[43], hdoc[65], hleg[65];
    zg_addr_checksum(prov, s->provider);
    zg_addr_checksum(signer, s->tee_signer);
    zgfs_sha256_hex(hdoc, doc->data, doc->len);
    if (legacy)
        zgfs_sha256_hex(hleg, legacy->data, legacy->len);
    else
        strcpy(hleg, "-");

    /* The checks are pure functions of these three: cache by them. */
    char key[ZGFS_PATH_MAX];
    snprintf(key, sizeof key, "ftp:attest:%s:%s:%s:%s", prov, signer, hdoc, hleg);
    verify_ctx x = {.fs = c->fs, .signer = s->tee_signer, .doc = doc, .legacy = legacy};
    zg_cache_val *ref;
    /* Within ttl only: the collateral's dates and the clock move on. */
    if (zg_cache_get(c->fs->cache, key, -1, run_checks, free_verdict, &x, &ref, err))
        return -1;
    const verdict *d = zg_cache_value(ref);

    int rc = zg_buf_printf(
        out, err,
        "provider %s: fine-tuning service at %s\n"
        "TEE signer on chain (getService): %s, %sacknowledged by the contract "
        "owner\n"
        "quote (default layout): GET /v1/quote, %zu bytes, sha256 %s\n"
        "trust anchor: %s; collateral from %s\n",
        prov, s->url ? s->url : "", signer, s->tee_acknowledged ? "" : "NOT ", doc->len, hdoc,
        c->fs->tee_root ? "the devnet's test root (devnet.json tdx.root)" : "Intel SGX Root CA",
        c->fs->tee.pccs && *c->fs->tee.pccs ? c->fs->tee.pccs : "nowhere (-o pccs)");
    if (rc == 0 && legacy)
        rc = zg_buf_printf(out, err,
                           "quote (legacy layout): GET /v1/quote?legacy=true, %zu bytes, "
                           "sha256 %s\n",
                           legacy->len, hleg);
    if (rc == 0 && !legacy)
        rc = zg_buf_printf(out, err,
                           "NOTE legacy layout: not checked, the provider did not serve it: %s\n",
                           legacy_err->msg);
    if (rc == 0)
        rc = zg_buf_append(out, d->text.data, d->text.len, err);
    if (rc == 0 && d->fails == 0 && d->skips)
        rc = zg_buf_printf(out, err,
                           "RESULT PASS: every check that ran passed%s; %u skipped (SKIP "
                           "lines)\n",
                           legacy ? " in both layouts" : " (default layout only)", d->skips);
    else if (rc == 0 && d->fails == 0)
        rc = zg_buf_printf(out, err, "RESULT PASS: every check passed%s\n",
                           legacy ? " in both layouts" : " (default layout only)");
    else if (rc == 0)
        rc = zg_buf_printf(out, err, "RESULT FAIL: %u check%s failed\n", d->fails,
                           d->fails == 1 ? "" : "s");
    zg_cache_put(ref);
    return rc;
}

int zgfs_report_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint8_t addr[20];
    char prov[43];
    if (zgfs_call_addr(c, 0, addr, err))
        return -1;
    zg_addr_checksum(prov, addr);
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
        if (!answered(lerr.code)) {
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

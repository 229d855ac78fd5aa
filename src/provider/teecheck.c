/* Collateral from a PCCS and the check before trust (zg/teecheck.h).
 *
 * The PCS API v4 answers the pieces separately: the TCB info and QE
 * identity as {"tcbInfo"|"enclaveIdentity": {...}, "signature": "hex"},
 * signed over the exact text of the inner object, with their issuer chain
 * URL-encoded in a response header; the PCK CRL as DER with its chain in
 * another header; the root CA CRL from the PCCS's rootcacrl, or where the
 * PCK CA certificate's CRL distribution point says (Intel's PCS has no
 * rootcacrl). They are gathered into one zg_tdx_collateral. */
#include "zg/teecheck.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zg/fdio.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/infserving.h"

/* ---- the signed text inside a PCS answer */

/* The exact text of the value of top-level member key when it is an
 * object: [*at, *at + *n). A small scanner: strings with escapes, depth. */
static bool member_span(const char *t, size_t len, const char *key, size_t *at, size_t *n)
{
    int depth = 0;
    size_t klen = strlen(key);
    for (size_t i = 0; i < len; i++) {
        char ch = t[i];
        if (ch == '"') {
            size_t s = ++i;
            while (i < len && t[i] != '"')
                i += t[i] == '\\' ? 2 : 1;
            if (i >= len)
                return false;
            size_t j = i + 1;
            while (j < len && (t[j] == ' ' || t[j] == '\n' || t[j] == '\r' || t[j] == '\t'))
                j++;
            if (depth == 1 && i - s == klen && !memcmp(t + s, key, klen) && j < len &&
                t[j] == ':') {
                j++;
                while (j < len && (t[j] == ' ' || t[j] == '\n' || t[j] == '\r' || t[j] == '\t'))
                    j++;
                if (j >= len || t[j] != '{')
                    return false;
                int d = 0;
                for (size_t k = j; k < len; k++) {
                    if (t[k] == '"') {
                        for (k++; k < len && t[k] != '"'; k += t[k] == '\\' ? 2 : 1)
                            ;
                    } else if (t[k] == '{') {
                        d++;
                    } else if (t[k] == '}' && --d == 0) {
                        *at = j;
                        *n = k + 1 - j;
                        return true;
                    }
                }
                return false;
            }
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return false;
}

static char *url_decode(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1), *p = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (s[i] == '%' && i + 2 < n + 1 && sscanf(s + i + 1, "%2x", &v) == 1) {
            *p++ = (char)v;
            i += 2;
        } else {
            *p++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *p = 0;
    return o;
}

/* ---- fetching */

/* GET url; the body into body, header's value (URL-decoded) into *hv. */
static int get(zg_client *c, const char *url, const char *header, zg_buf *body, char **hv,
               zg_err *err)
{
    zg_http_req req = {.url = url, .idempotent = true, .capture_header = header};
    zg_http_resp resp;
    zg_http_resp_init(&resp);
    if (zg_http_do(c->http, &req, &resp, err)) {
        zg_http_resp_free(&resp);
        return zg_err_prefix(err, "%s", url);
    }
    int rc = 0;
    if (resp.status != 200)
        rc = zg_err_set(err, resp.status == 404 ? ENOENT : EPROTO, "%s answered HTTP %ld", url,
                        resp.status);
    else if (header && !resp.header)
        rc = zg_err_set(err, EPROTO, "%s answered without the %s header", url, header);
    if (rc == 0 && hv && !(*hv = url_decode(resp.header)))
        rc = zg_err_set(err, ENOMEM, "out of memory");
    if (rc == 0)
        rc = zg_buf_append(body, resp.body.data, resp.body.len, err);
    zg_http_resp_free(&resp);
    return rc;
}

/* A CRL answer: DER, or hex of it (some PCCS versions). */
static int crl_bytes(zg_buf *out, const zg_buf *body, const char *url, zg_err *err)
{
    if (body->len && body->data[0] == 0x30)
        return zg_buf_append(out, body->data, body->len, err);
    zg_buf t;
    zg_buf_init(&t, 0);
    int rc = zg_buf_append(&t, body->data, body->len, err) || zg_buf_append_byte(&t, 0, err);
    if (rc == 0) {
        char *h = (char *)t.data;
        h[strcspn(h, "\r\n")] = 0;
        if (zg_hex_decode_buf(out, h, NULL))
            rc = zg_err_set(err, EPROTO, "%s answered no CRL", url);
    }
    zg_buf_free(&t);
    return rc;
}

/* The signed object inside a PCS answer and its signature. */
static int signed_member(const zg_buf *body, const char *key, char **text, uint8_t sig[64],
                         const char *url, zg_err *err)
{
    size_t at, n;
    const char *t = (const char *)body->data;
    cJSON *j = cJSON_ParseWithLength(t, body->len);
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "signature"));
    int rc = 0;
    if (!s || zg_hex_decode_exact(sig, 64, s, NULL) || !member_span(t, body->len, key, &at, &n))
        rc = zg_err_set(err, EPROTO, "%s answered no signed %s", url, key);
    else if (!(*text = strndup(t + at, n)))
        rc = zg_err_set(err, ENOMEM, "out of memory");
    cJSON_Delete(j);
    return rc;
}

/* Where the CA that issued the PCK CRL says its own CRL is. */
static char *root_crl_url(const char *chain_pem)
{
    BIO *b = BIO_new_mem_buf(chain_pem, -1);
    X509 *ca = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    char *url = NULL;
    STACK_OF(DIST_POINT) *dps =
        ca ? X509_get_ext_d2i(ca, NID_crl_distribution_points, NULL, NULL) : NULL;
    for (int i = 0; dps && i < sk_DIST_POINT_num(dps) && !url; i++) {
        DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (!dp->distpoint || dp->distpoint->type != 0)
            continue;
        GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int k = 0; k < sk_GENERAL_NAME_num(names) && !url; k++) {
            GENERAL_NAME *g = sk_GENERAL_NAME_value(names, k);
            if (g->type == GEN_URI)
                url = strndup((const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
                              (size_t)ASN1_STRING_length(g->d.uniformResourceIdentifier));
        }
    }
    CRL_DIST_POINTS_free(dps);
    X509_free(ca);
    BIO_free(b);
    ERR_clear_error();
    return url;
}

static int fetch(zg_client *c, const char *base, const char *fmspc, const char *ca,
                 zg_tdx_collateral *col, zg_err *err)
{
    char url[1024];
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    zg_buf b;
    zg_buf_init(&b, 8u << 20);
    memset(col, 0, sizeof *col);
    zg_buf_init(&col->root_ca_crl, 0);
    zg_buf_init(&col->pck_crl, 0);
    int rc;

    snprintf(url, sizeof url, "%.*s/tdx/certification/v4/tcb?fmspc=%s", (int)bl, base, fmspc);
    rc = get(c, url, "TCB-Info-Issuer-Chain", &b, &col->tcb_info_issuer_chain, err) ||
         signed_member(&b, "tcbInfo", &col->tcb_info, col->tcb_info_sig, url, err);
    zg_buf_reset(&b);
    if (rc == 0) {
        snprintf(url, sizeof url, "%.*s/tdx/certification/v4/qe/identity", (int)bl, base);
        rc =
            get(c, url, "SGX-Enclave-Identity-Issuer-Chain", &b, &col->qe_identity_issuer_chain,
                err) ||
            signed_member(&b, "enclaveIdentity", &col->qe_identity, col->qe_identity_sig, url, err);
        zg_buf_reset(&b);
    }
    if (rc == 0) {
        snprintf(url, sizeof url, "%.*s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", (int)bl,
                 base, ca);
        rc = get(c, url, "SGX-PCK-CRL-Issuer-Chain", &b, &col->pck_crl_issuer_chain, err) ||
             crl_bytes(&col->pck_crl, &b, url, err);
        zg_buf_reset(&b);
    }
    if (rc == 0) {
        snprintf(url, sizeof url, "%.*s/sgx/certification/v4/rootcacrl", (int)bl, base);
        zg_err e = {0};
        rc = get(c, url, NULL, &b, NULL, &e) || crl_bytes(&col->root_ca_crl, &b, url, &e);
        if (rc && e.code == ENOENT) {
            char *alt = root_crl_url(col->pck_crl_issuer_chain);
            zg_buf_reset(&b);
            rc =
                alt ? get(c, alt, NULL, &b, NULL, err) || crl_bytes(&col->root_ca_crl, &b, alt, err)
                    : zg_err_set(err, EPROTO, "%s", e.msg);
            free(alt);
        } else if (rc && err) {
            *err = e;
        }
    }
    zg_buf_free(&b);
    if (rc)
        zg_tdx_collateral_free(col);
    return rc;
}

/* ---- the cache */

static bool crl_current(const zg_buf *der, int64_t now)
{
    const unsigned char *p = der->data;
    X509_CRL *c = der->len ? d2i_X509_CRL(NULL, &p, (long)der->len) : NULL;
    time_t t = (time_t)now;
    bool ok =
        c && X509_CRL_get0_nextUpdate(c) && X509_cmp_time(X509_CRL_get0_nextUpdate(c), &t) > 0;
    X509_CRL_free(c);
    ERR_clear_error();
    return ok;
}

static bool doc_current(const char *text, int64_t now)
{
    cJSON *j = cJSON_Parse(text);
    const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "nextUpdate"));
    struct tm tm = {0};
    bool ok = n && strptime(n, "%Y-%m-%dT%H:%M:%S", &tm) && (int64_t)timegm(&tm) > now;
    cJSON_Delete(j);
    return ok;
}

static bool current(const zg_tdx_collateral *c, int64_t now)
{
    return doc_current(c->tcb_info, now) && doc_current(c->qe_identity, now) &&
           crl_current(&c->pck_crl, now) && crl_current(&c->root_ca_crl, now);
}

static void cache_path(char *out, size_t n, const zg_tee_policy *p, const char *fmspc,
                       const char *ca)
{
    snprintf(out, n, "%s/%s-%s.json", p->cache_dir, fmspc, ca);
}

static int read_cache(const char *path, zg_tdx_collateral *col)
{
    zg_buf b;
    zg_buf_init(&b, 4u << 20);
    int rc = zg_file_read(path, &b, NULL);
    if (rc == 0)
        rc = zg_tdx_collateral_parse(col, (const char *)b.data, b.len, NULL);
    zg_buf_free(&b);
    return rc;
}

static void write_cache(const char *dir, const char *path, const zg_tdx_collateral *col)
{
    char *json = zg_tdx_collateral_json(col);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    mkdir(dir, 0700);
    FILE *f = json ? fopen(tmp, "w") : NULL;
    bool ok = f && fputs(json, f) >= 0;
    if (f)
        ok &= fclose(f) == 0;
    if (ok && rename(tmp, path) == 0)
        tmp[0] = 0;
    if (tmp[0])
        unlink(tmp);
    free(json);
}

int zg_tee_collateral(zg_client *c, const zg_tee_policy *p, const char *fmspc, const char *ca,
                      int64_t now, zg_tdx_collateral *col, char why[256], zg_err *err)
{
    char path[4096] = "";
    if (p->cache_dir && *p->cache_dir) {
        cache_path(path, sizeof path, p, fmspc, ca);
        if (read_cache(path, col) == 0) {
            if (current(col, now))
                return 0;
            zg_tdx_collateral_free(col);
        }
    }
    if (!p->pccs || !*p->pccs) {
        snprintf(why, 256, "no PCCS is set (-o pccs=URL) and no current collateral is cached");
        return 1;
    }
    zg_err e = {0};
    if (fetch(c, p->pccs, fmspc, ca, col, &e)) {
        if (e.code == ENOMEM)
            return zg_err_set(err, ENOMEM, "out of memory");
        snprintf(why, 256, "the collateral could not be fetched: %.200s", e.msg);
        return 1;
    }
    if (path[0])
        write_cache(p->cache_dir, path, col);
    return 0;
}

int zg_tee_check_doc(zg_client *c, const zg_tee_policy *p, const uint8_t *doc, size_t len,
                     const uint8_t signer[20], int64_t now, zg_buf *report, zg_attest_result *res,
                     zg_err *err)
{
    char fmspc[13], ca[16], why[256] = "";
    zg_tdx_collateral col;
    bool have = false;
    zg_err e = {0};
    if (zg_attest_pck_info(doc, len, fmspc, ca, &e) == 0) {
        int rc = zg_tee_collateral(c, p, fmspc, ca, now, &col, why, err);
        if (rc < 0)
            return -1;
        have = rc == 0;
    } else {
        snprintf(why, sizeof why, "%s", e.msg);
    }
    zg_attest_opts o = {.root_pem = p->root_pem,
                        .col = have ? &col : NULL,
                        .col_missing = why,
                        .accept = p->accept,
                        .now = now};
    int rc = zg_attest_verify(doc, len, signer, &o, report, res, err);
    if (have)
        zg_tdx_collateral_free(&col);
    return rc;
}

int zg_tee_vet(zg_client *c, const zg_tee_policy *p, zg_service_kind kind,
               const uint8_t provider[20], zg_buf *report, zg_attest_result *res, zg_err *err)
{
    uint8_t signer[20];
    char *url = NULL;
    if (kind == ZG_SVC_FINETUNING) {
        zg_ft_service s;
        if (zg_ft_get_service(c, provider, &s, err))
            return -1;
        memcpy(signer, s.tee_signer, 20);
        url = s.url ? strdup(s.url) : NULL;
        zg_ft_service_free(&s);
    } else {
        zg_inf_service s;
        if (zg_inf_get_service(c, provider, &s, err))
            return -1;
        memcpy(signer, s.tee_signer, 20);
        url = s.url ? strdup(s.url) : NULL;
        zg_inf_service_free(&s);
    }
    if (!url)
        return zg_err_set(err, EACCES, "the provider's service has no URL to ask for its quote");
    zg_buf doc, own;
    zg_buf_init(&doc, 4u << 20);
    zg_buf_init(&own, 0);
    zg_buf *r = report ? report : &own;
    int rc = zg_ftp_quote(c, url, false, &doc, err);
    free(url);
    if (rc == 0)
        rc = zg_tee_check_doc(c, p, doc.data, doc.len, signer, (int64_t)time(NULL), r, res, err);
    if (rc == 0 && res->fails)
        rc = zg_err_set(err, EACCES, "its TEE attestation fails: %s", res->first_fail);
    zg_buf_free(&doc);
    zg_buf_free(&own);
    return rc;
}

/* Check one document; its step lines name the layout. */
static int check_layout(zg_client *c, const zg_tee_policy *p, zg_tee_verdict *d, const char *layout,
                        const zg_buf *doc, const uint8_t signer[20], int64_t now, bool notes,
                        zg_err *err)
{
    zg_buf r;
    zg_buf_init(&r, 0);
    zg_attest_result res;
    zg_err e = {0};
    int rc = 0;
    if (zg_tee_check_doc(c, p, doc->data, doc->len, signer, now, &r, &res, &e)) {
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

int zg_tee_check_layouts(zg_client *c, const zg_tee_policy *p, const zg_buf *doc,
                         const zg_buf *legacy, const uint8_t signer[20], int64_t now,
                         zg_tee_verdict *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    zg_buf_init(&out->text, 0);
    if (check_layout(c, p, out, "default", doc, signer, now, !legacy, err) ||
        (legacy && check_layout(c, p, out, "legacy", legacy, signer, now, true, err)))
        return -1;
    return 0;
}

void zg_tee_verdict_free(zg_tee_verdict *v)
{
    zg_buf_free(&v->text);
}

int zg_tee_verdict_result(const zg_tee_verdict *v, bool legacy_checked, zg_buf *out, zg_err *err)
{
    const char *which = legacy_checked ? " in both layouts" : " (default layout only)";
    if (v->fails)
        return zg_buf_printf(out, err, "RESULT FAIL: %u check%s failed\n", v->fails,
                             v->fails == 1 ? "" : "s");
    if (v->skips)
        return zg_buf_printf(out, err,
                             "RESULT PASS: every check that ran passed%s; %u skipped (SKIP "
                             "lines)\n",
                             which, v->skips);
    return zg_buf_printf(out, err, "RESULT PASS: every check passed%s\n", which);
}

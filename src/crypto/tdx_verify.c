/* The DCAP verification of a TDX quote, offline, with OpenSSL:
 *
 *   quote signature    the attestation key signed header + TD report
 *   QE report          the PCK certificate signed the quoting enclave's report
 *   QE binding         its report data is SHA-256(attestation key || QE auth
 *                      data) followed by 32 zero bytes
 *   PCK chain          leaf <- PCK platform/processor CA <- the trusted root,
 *                      every certificate valid at the time of the check
 *   TD attributes      no debug TD, no reserved bits, SEPT_VE_DISABLE on
 *   CRLs               root CA CRL and PCK CA CRL: signed by their issuers,
 *                      current, and revoking none of the chain
 *   TCB info           signed by the TCB signing chain, current, for this
 *                      FMSPC and PCE id; the first TCB level the platform
 *                      meets gives the platform's status (TEE_TCB_SVN bytes
 *                      0-1 are the TDX module's and left out once its major
 *                      version is above 0)
 *   TDX module         MRSIGNERSEAM and SEAMATTRIBUTES (zero, and equal to the
 *                      attributes, unmasked) against the TCB info's tdxModule, or for a major
 * version above 0 its tdxModuleIdentities entry "TDX_<major>", whose TCB level for the module's SVN
 * gives the module's status QE identity        signed likewise, current, matching the QE report;
 *                      its TCB level gives the QE's status
 *   TCB status         the platform's status converged with the module's,
 *                      for a TD 1.5 the relaunch advice (TEE_TCB_SVN2), then
 *                      merged with the QE's, as Intel's QVL does, with the
 *                      advisories
 *
 * The steps without collateral are SKIPped with the reason, never passed.
 * The order and rules follow Intel's Quote Verification Library as the
 * PCS API v4 documents them. */
#include "zg/tdx.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zg/hex.h"

static const char *const status_names[] = {
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
    "Revoked",
    /* The two a TD 1.5 quote can end with (Intel's QVL,
     * Checks/TDRelaunchCheck.cpp), never a TCB level's word. */
    "TDRelaunchAdvised",
    "TDRelaunchAdvisedConfigurationNeeded",
};
#define NSTATUS (int)(sizeof status_names / sizeof status_names[0])

static int status_index(const char *s)
{
    for (int i = 0; s && i < NSTATUS; i++)
        if (!strcmp(s, status_names[i]))
            return i;
    return -1;
}

int zg_tdx_status_parse(unsigned *bits, const char *list, zg_err *err)
{
    unsigned b = 0;
    const char *p = list;
    while (p && *p) {
        size_t n = strcspn(p, ",+");
        char w[48];
        if (n == 0 || n >= sizeof w)
            return zg_err_set(err, EINVAL, "tee_status: an empty or overlong word in \"%.60s\"",
                              list);
        memcpy(w, p, n);
        w[n] = 0;
        int i;
        for (i = 0; i < NSTATUS; i++)
            if (!strcasecmp(w, status_names[i]))
                break;
        if (i < NSTATUS)
            b |= 1u << i;
        else if (!strcasecmp(w, "all"))
            b |= ZG_TDX_ST_DEFAULT | ZG_TDX_ST_REVOKED;
        else if (!strcasecmp(w, "default"))
            b |= ZG_TDX_ST_DEFAULT;
        else
            return zg_err_set(err, EINVAL,
                              "tee_status: \"%s\" is no TCB status; use UpToDate, "
                              "SWHardeningNeeded, ConfigurationNeeded, "
                              "ConfigurationAndSWHardeningNeeded, OutOfDate, "
                              "OutOfDateConfigurationNeeded, Revoked, TDRelaunchAdvised, "
                              "TDRelaunchAdvisedConfigurationNeeded, all or default",
                              w);
        p += n + (p[n] == ',' || p[n] == '+');
    }
    if (!b)
        return zg_err_set(err, EINVAL, "tee_status: name at least one TCB status");
    *bits = b;
    return 0;
}

/* ---- the report lines */

typedef struct run {
    zg_buf *r;
    zg_tdx_result *res;
    int rc; /* -1 once an append failed */
} run;

static void line(run *x, const char *verdict, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void line(run *x, const char *verdict, const char *step, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!strcmp(verdict, "FAIL"))
        x->res->fails++;
    else if (!strcmp(verdict, "SKIP"))
        x->res->skips++;
    if (zg_buf_printf(x->r, NULL, "%-4s %s: %s\n", verdict, step, msg))
        x->rc = -1;
}

static void when(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void asn1_when(char out[32], const ASN1_TIME *t)
{
    struct tm tm;
    if (t && ASN1_TIME_to_tm(t, &tm))
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(out, 32, "?");
}

/* ---- certificates and signatures */

static STACK_OF(X509) * pem_chain(const char *pem, size_t len)
{
    /* The quote's chain ends with a NUL; PEM readers stop at it anyway. */
    while (len && pem[len - 1] == 0)
        len--;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    STACK_OF(X509) *sk = sk_X509_new_null();
    if (!b || !sk) {
        BIO_free(b);
        sk_X509_free(sk);
        return NULL;
    }
    X509 *c;
    while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
        sk_X509_push(sk, c);
    ERR_clear_error();
    BIO_free(b);
    return sk;
}

static void cn(char out[96], const X509 *c)
{
    out[0] = 0;
    X509_NAME *n = X509_get_subject_name(c);
    if (n && X509_NAME_get_text_by_NID(n, NID_commonName, out, 96) < 0)
        snprintf(out, 96, "(no CN)");
}

static bool same_cert(const X509 *a, const X509 *b)
{
    return X509_cmp(a, b) == 0;
}

/* Verify leaf up to the root with OpenSSL's path validation at time now,
 * without CRLs (those are their own step). NULL on success. */
static const char *chain_problem(X509 *leaf, STACK_OF(X509) * rest, X509 *root, int64_t now)
{
    X509_STORE *st = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    const char *why = "out of memory";
    if (!st || !ctx || !X509_STORE_add_cert(st, root) || !X509_STORE_CTX_init(ctx, st, leaf, rest))
        goto out;
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(vp, (time_t)now);
    /* Intel's certificates carry no extended key usage; any purpose. */
    X509_VERIFY_PARAM_set_purpose(vp, X509_PURPOSE_ANY);
    why = X509_verify_cert(ctx) == 1 ? NULL
                                     : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
    if (!why) {
        /* The path must end at our root, not at a look-alike in the chain. */
        STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
        int n = built ? sk_X509_num(built) : 0;
        if (n < 2 || !same_cert(sk_X509_value(built, n - 1), root))
            why = "the chain does not end at the trusted root";
        else if (same_cert(leaf, root))
            why = "the leaf is the root itself";
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(st);
    return why;
}

/* ECDSA P-256 / SHA-256 of data by key, the signature as raw r || s. */
static bool ecdsa_ok(EVP_PKEY *key, const void *data, size_t len, const uint8_t sig[64])
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    unsigned char *der = NULL;
    int dlen = -1;
    bool ok = false;
    if (s && r && ss && ECDSA_SIG_set0(s, r, ss)) {
        r = ss = NULL;
        dlen = i2d_ECDSA_SIG(s, &der);
    }
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (dlen > 0 && m && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, key) == 1)
        ok = EVP_DigestVerify(m, der, (size_t)dlen, data, len) == 1;
    EVP_MD_CTX_free(m);
    OPENSSL_free(der);
    BN_free(r);
    BN_free(ss);
    ECDSA_SIG_free(s);
    ERR_clear_error();
    return ok;
}

static EVP_PKEY *p256_key(const uint8_t xy[64])
{
    uint8_t pt[65];
    pt[0] = 4;
    memcpy(pt + 1, xy, 64);
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *p = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;
    if (b && ctx &&
        OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt) &&
        (p = OSSL_PARAM_BLD_to_param(b)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, p) != 1)
        k = NULL;
    OSSL_PARAM_free(p);
    OSSL_PARAM_BLD_free(b);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return k;
}

/* ---- the SGX extension of the PCK certificate (OID 1.2.840.113741.1.13.1) */

typedef struct pck_ext {
    uint8_t fmspc[6], pceid[2], cpusvn[16];
    unsigned comp[16], pcesvn;
    bool have_fmspc, have_pceid, have_tcb;
} pck_ext;

static const char *oid_text(const ASN1_OBJECT *o, char buf[64])
{
    OBJ_obj2txt(buf, 64, o, 1);
    return buf;
}

static bool octets(const ASN1_TYPE *t, uint8_t *out, size_t n)
{
    if (!t || t->type != V_ASN1_OCTET_STRING || (size_t)t->value.octet_string->length != n)
        return false;
    memcpy(out, t->value.octet_string->data, n);
    return true;
}

static bool small_int(const ASN1_TYPE *t, unsigned *out)
{
    int64_t v;
    if (!t || t->type != V_ASN1_INTEGER || !ASN1_INTEGER_get_int64(&v, t->value.integer) || v < 0 ||
        v > 65535)
        return false;
    *out = (unsigned)v;
    return true;
}

/* A SEQUENCE of { OID, value } pairs, as the extension nests them. */
static STACK_OF(ASN1_TYPE) * seq_of(const ASN1_TYPE *t)
{
    if (!t || t->type != V_ASN1_SEQUENCE)
        return NULL;
    const unsigned char *p = t->value.sequence->data;
    return d2i_ASN1_SEQUENCE_ANY(NULL, &p, t->value.sequence->length);
}

static bool pair(STACK_OF(ASN1_TYPE) * kv, char oid[64], ASN1_TYPE **val)
{
    if (!kv || sk_ASN1_TYPE_num(kv) != 2)
        return false;
    ASN1_TYPE *k = sk_ASN1_TYPE_value(kv, 0);
    if (k->type != V_ASN1_OBJECT)
        return false;
    oid_text(k->value.object, oid);
    *val = sk_ASN1_TYPE_value(kv, 1);
    return true;
}

static void parse_tcb(pck_ext *e, const ASN1_TYPE *t)
{
    STACK_OF(ASN1_TYPE) *items = seq_of(t);
    int got = 0;
    for (int i = 0; items && i < sk_ASN1_TYPE_num(items); i++) {
        STACK_OF(ASN1_TYPE) *kv = seq_of(sk_ASN1_TYPE_value(items, i));
        char oid[64];
        ASN1_TYPE *v;
        if (pair(kv, oid, &v) && !strncmp(oid, "1.2.840.113741.1.13.1.2.", 24)) {
            int n = atoi(oid + 24);
            if (n >= 1 && n <= 16 && small_int(v, &e->comp[n - 1]))
                got |= 1 << (n - 1);
            else if (n == 17 && small_int(v, &e->pcesvn))
                got |= 1 << 16;
            else if (n == 18 && octets(v, e->cpusvn, 16))
                got |= 1 << 17;
        }
        sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
    }
    sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
    e->have_tcb = got == (1 << 18) - 1;
}

static bool pck_extension(const X509 *leaf, pck_ext *e)
{
    memset(e, 0, sizeof *e);
    ASN1_OBJECT *sgx = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
    int at = sgx ? X509_get_ext_by_OBJ(leaf, sgx, -1) : -1;
    ASN1_OBJECT_free(sgx);
    if (at < 0)
        return false;
    ASN1_OCTET_STRING *d = X509_EXTENSION_get_data(X509_get_ext(leaf, at));
    const unsigned char *p = d->data;
    STACK_OF(ASN1_TYPE) *items = d2i_ASN1_SEQUENCE_ANY(NULL, &p, d->length);
    for (int i = 0; items && i < sk_ASN1_TYPE_num(items); i++) {
        STACK_OF(ASN1_TYPE) *kv = seq_of(sk_ASN1_TYPE_value(items, i));
        char oid[64];
        ASN1_TYPE *v;
        if (pair(kv, oid, &v)) {
            if (!strcmp(oid, "1.2.840.113741.1.13.1.4"))
                e->have_fmspc = octets(v, e->fmspc, 6);
            else if (!strcmp(oid, "1.2.840.113741.1.13.1.3"))
                e->have_pceid = octets(v, e->pceid, 2);
            else if (!strcmp(oid, "1.2.840.113741.1.13.1.2"))
                parse_tcb(e, v);
        }
        sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
    }
    sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
    ERR_clear_error();
    return e->have_fmspc && e->have_pceid && e->have_tcb;
}

/* ---- collateral helpers */

/* ISO 8601 "2025-06-19T10:16:03Z" (fractions allowed) to unix seconds. */
static bool iso_time(const char *s, int64_t *out)
{
    struct tm tm = {0};
    if (!s)
        return false;
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return false;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (strcmp(p, "Z") && strcmp(p, "+00:00"))
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

static const char *jstr(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static bool jnum(const cJSON *o, const char *k, unsigned *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 65535 ||
        v->valuedouble != (double)(unsigned)v->valuedouble)
        return false;
    *out = (unsigned)v->valuedouble;
    return true;
}

static bool jhex(const cJSON *o, const char *k, uint8_t *out, size_t n)
{
    const char *s = jstr(o, k);
    return s && strlen(s) == 2 * n && zg_hex_decode_exact(out, n, s, NULL) == 0;
}

static void add_advisories(zg_tdx_result *res, const cJSON *level)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(level, "advisoryIDs"), *id;
    cJSON_ArrayForEach(id, ids)
    {
        const char *s = cJSON_GetStringValue(id);
        if (!s || strstr(res->advisories, s))
            continue;
        size_t n = strlen(res->advisories);
        snprintf(res->advisories + n, sizeof res->advisories - n, "%s%s", n ? "," : "", s);
    }
}

/* A signed collateral document: its chain to the root, its signature,
 * its dates. Returns the parsed JSON body or NULL with why set. */
static cJSON *signed_doc(const char *chain_pem, const char *text, const uint8_t sig[64], X509 *root,
                         int64_t now, char why[256], X509 **signer_out)
{
    STACK_OF(X509) *ch = chain_pem ? pem_chain(chain_pem, strlen(chain_pem)) : NULL;
    cJSON *doc = NULL;
    *signer_out = NULL;
    if (!ch || sk_X509_num(ch) < 1) {
        snprintf(why, 256, "its issuer chain holds no certificate");
        goto out;
    }
    X509 *signer = sk_X509_value(ch, 0);
    const char *p = chain_problem(signer, ch, root, now);
    if (p) {
        char c[96];
        cn(c, signer);
        snprintf(why, 256, "its signing certificate (%s) does not chain to the trusted root: %s", c,
                 p);
        goto out;
    }
    EVP_PKEY *k = X509_get0_pubkey(signer);
    if (!k || !ecdsa_ok(k, text, strlen(text), sig)) {
        snprintf(why, 256, "the signature over its text does not verify");
        goto out;
    }
    cJSON *body = cJSON_Parse(text);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        snprintf(why, 256, "its signed text is no JSON object");
        goto out;
    }
    int64_t issued, next;
    if (!iso_time(jstr(body, "issueDate"), &issued) || !iso_time(jstr(body, "nextUpdate"), &next)) {
        cJSON_Delete(body);
        snprintf(why, 256, "its issueDate or nextUpdate is no date");
        goto out;
    }
    char a[32], b[32], n[32];
    when(a, issued);
    when(b, next);
    when(n, now);
    if (now < issued || now > next) {
        cJSON_Delete(body);
        snprintf(why, 256, "it is valid from %s to %s, not at %s", a, b, n);
        goto out;
    }
    doc = body;
    *signer_out = X509_dup(signer);
out:
    sk_X509_pop_free(ch, X509_free);
    return doc;
}

/* ---- CRLs */

static X509_CRL *crl_of(const zg_buf *der)
{
    const unsigned char *p = der->data;
    X509_CRL *c = der->len ? d2i_X509_CRL(NULL, &p, (long)der->len) : NULL;
    if (c && p != der->data + der->len) {
        X509_CRL_free(c);
        c = NULL;
    }
    ERR_clear_error();
    return c;
}

/* The CRL is signed by issuer and current at now; NULL or why not. */
static const char *crl_problem(X509_CRL *crl, X509 *issuer, int64_t now, char buf[256])
{
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
        return "it is not issued by the CA it should be";
    EVP_PKEY *k = X509_get0_pubkey(issuer);
    if (!k || X509_CRL_verify(crl, k) != 1) {
        ERR_clear_error();
        return "its signature does not verify";
    }
    time_t t = (time_t)now;
    const ASN1_TIME *last = X509_CRL_get0_lastUpdate(crl), *next = X509_CRL_get0_nextUpdate(crl);
    if (!last || !next || X509_cmp_time(last, &t) > 0 || X509_cmp_time(next, &t) < 0) {
        char a[32], b[32];
        asn1_when(a, last);
        asn1_when(b, next);
        snprintf(buf, 256, "it is valid from %s to %s", a, b);
        return buf;
    }
    return NULL;
}

static bool revoked_by(X509_CRL *crl, X509 *c)
{
    X509_REVOKED *r = NULL;
    return X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(c)) == 0 &&
           X509_CRL_get0_by_cert(crl, &r, c) == 1;
}

static void serial_hex(char out[80], const X509 *c)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL);
    char *h = bn ? BN_bn2hex(bn) : NULL;
    snprintf(out, 80, "%s", h ? h : "?");
    OPENSSL_free(h);
    BN_free(bn);
}

/* ---- the verification */

typedef struct state {
    run x;
    const zg_tdx_opts *o;
    zg_tdx_quote q;
    X509 *root;
    STACK_OF(X509) * chain; /* the quote's PCK chain */
    X509 *leaf;
    pck_ext ext;
    bool have_ext;
    int platform_st, qe_st, module_st; /* status indexes, -1 when not found */
    int sgx_st; /* the status of the first level the SGX SVNs and PCE SVN meet */
    bool crl_ok;
    cJSON *tcb; /* the TCB info once it is trusted and for this platform, else NULL */
} state;

static void check_signatures(state *s)
{
    run *x = &s->x;
    const zg_tdx_quote *q = &s->q;
    EVP_PKEY *ak = p256_key(q->attest_key);
    bool quote_ok = ak && ecdsa_ok(ak, q->header, q->signed_len, q->signature);
    EVP_PKEY_free(ak);
    if (quote_ok)
        line(x, "PASS", "quote signature",
             "the attestation key signed the header and the TD report (%zu bytes)", q->signed_len);
    else
        line(x, "FAIL", "quote signature",
             "the quote's signature does not verify with its attestation key");

    char c[96], ca[96], rc[96];
    const char *p = NULL;
    if (!s->chain || sk_X509_num(s->chain) < 1) {
        p = "the quote carries no PCK certificate";
    } else {
        s->leaf = sk_X509_value(s->chain, 0);
        p = chain_problem(s->leaf, s->chain, s->root, s->o->now);
    }
    bool chain_ok = p == NULL;
    char t[32];
    when(t, s->o->now);
    if (chain_ok) {
        cn(c, s->leaf);
        cn(ca, sk_X509_num(s->chain) > 1 ? sk_X509_value(s->chain, 1) : s->root);
        cn(rc, s->root);
        line(x, "PASS", "pck chain", "%s <- %s <- %s (the trusted root), each within its dates", c,
             ca, rc);
        if (strstr(ca, "Processor"))
            snprintf(s->x.res->pck_ca, sizeof s->x.res->pck_ca, "processor");
        else
            snprintf(s->x.res->pck_ca, sizeof s->x.res->pck_ca, "platform");
    } else {
        line(x, "FAIL", "pck chain",
             "the PCK certificate chain does not lead to the trusted root at %s: %s", t, p);
    }

    bool qe_ok = false;
    if (s->leaf && X509_get0_pubkey(s->leaf))
        qe_ok = ecdsa_ok(X509_get0_pubkey(s->leaf), q->qe_report, 384, q->qe_report_sig);
    if (qe_ok)
        line(x, "PASS", "qe report", "the PCK certificate signed the quoting enclave's report");
    else
        line(x, "FAIL", "qe report",
             "the quoting enclave's report is not signed by the quote's PCK certificate");

    uint8_t want[64] = {0};
    unsigned hl = 32;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    bool hashed = m && EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1 &&
                  EVP_DigestUpdate(m, q->attest_key, 64) == 1 &&
                  EVP_DigestUpdate(m, q->qe_auth, q->qe_auth_len) == 1 &&
                  EVP_DigestFinal_ex(m, want, &hl) == 1;
    EVP_MD_CTX_free(m);
    bool bound = hashed && memcmp(want, q->qe_report + 320, 64) == 0;
    if (bound)
        line(x, "PASS", "qe binding",
             "the QE report's data is SHA-256(attestation key || %zu bytes of QE "
             "authentication data)",
             q->qe_auth_len);
    else
        line(x, "FAIL", "qe binding",
             "the QE report does not vouch for this attestation key and authentication data");

    const char *attr = zg_tdx_td_attributes_problem(q->td_attributes);
    bool svc = false;
    for (int i = 0; q->mr_service_td && i < 48; i++)
        svc |= q->mr_service_td[i] != 0;
    if (!attr && svc)
        attr = "MRSERVICETD is set: a service TD is bound to this TD";
    char ah[17];
    zg_hex_encode(ah, q->td_attributes, 8);
    if (attr)
        line(x, "FAIL", "td attributes", "%s (attributes %s)", attr, ah);
    else
        line(x, "PASS", "td attributes", "a production TD (attributes %s, SEPT_VE_DISABLE on)", ah);
    s->x.res->chain_ok = quote_ok && chain_ok && qe_ok && bound;

    s->have_ext = s->leaf && pck_extension(s->leaf, &s->ext);
    if (s->have_ext)
        zg_hex_encode(s->x.res->fmspc, s->ext.fmspc, 6);
}

static void check_crls(state *s, X509 **signers, int nsigners)
{
    run *x = &s->x;
    const zg_tdx_collateral *col = s->o->col;
    X509_CRL *root_crl = crl_of(&col->root_ca_crl), *pck_crl = crl_of(&col->pck_crl);
    STACK_OF(X509) *ich = col->pck_crl_issuer_chain ? pem_chain(col->pck_crl_issuer_chain,
                                                                strlen(col->pck_crl_issuer_chain))
                                                    : NULL;
    char buf[256];
    const char *p;
    X509 *pck_ca = NULL;
    if (!root_crl || !pck_crl) {
        line(x, "FAIL", "crl", "the collateral's %s is no DER CRL",
             root_crl ? "PCK CRL" : "root CA CRL");
        goto out;
    }
    if ((p = crl_problem(root_crl, s->root, s->o->now, buf)) != NULL) {
        line(x, "FAIL", "crl", "the root CA CRL: %s", p);
        goto out;
    }
    for (int i = 0; ich && i < sk_X509_num(ich) && !pck_ca; i++) {
        X509 *c = sk_X509_value(ich, i);
        if (X509_NAME_cmp(X509_get_subject_name(c), X509_CRL_get_issuer(pck_crl)) == 0)
            pck_ca = c;
    }
    if (!pck_ca) {
        line(x, "FAIL", "crl", "the PCK CRL's issuer is not in its issuer chain");
        goto out;
    }
    if ((p = chain_problem(pck_ca, ich, s->root, s->o->now)) != NULL) {
        line(x, "FAIL", "crl", "the PCK CRL's issuer does not chain to the trusted root: %s", p);
        goto out;
    }
    if ((p = crl_problem(pck_crl, pck_ca, s->o->now, buf)) != NULL) {
        line(x, "FAIL", "crl", "the PCK CRL: %s", p);
        goto out;
    }
    /* Every certificate on the way, against the CRL of its issuer. */
    X509 *certs[8];
    int n = 0;
    for (int i = 0; s->chain && i < sk_X509_num(s->chain) && n < 4; i++)
        certs[n++] = sk_X509_value(s->chain, i);
    for (int i = 0; i < nsigners && n < 8; i++)
        if (signers[i])
            certs[n++] = signers[i];
    for (int i = 0; i < n; i++) {
        if (same_cert(certs[i], s->root))
            continue;
        if (revoked_by(root_crl, certs[i]) || revoked_by(pck_crl, certs[i])) {
            char c[96], ser[80];
            cn(c, certs[i]);
            serial_hex(ser, certs[i]);
            line(x, "FAIL", "crl", "%s (serial %s) is revoked", c, ser);
            snprintf(s->x.res->status, sizeof s->x.res->status, "Revoked");
            goto out;
        }
    }
    char a[32], b[32];
    asn1_when(a, X509_CRL_get0_lastUpdate(pck_crl));
    asn1_when(b, X509_CRL_get0_nextUpdate(pck_crl));
    STACK_OF(X509_REVOKED) *rv = X509_CRL_get_REVOKED(pck_crl);
    s->crl_ok = true;
    line(x, "PASS", "crl",
         "root CA CRL and PCK CRL (%d serials, issued %s, next update %s) are signed and "
         "current; no certificate of the chains is revoked",
         rv ? sk_X509_REVOKED_num(rv) : 0, a, b);
out:
    sk_X509_pop_free(ich, X509_free);
    X509_CRL_free(root_crl);
    X509_CRL_free(pck_crl);
}

/* have[i] >= comps[i].svn for i in [from, 16); the 16 components must all
 * be there. */
static bool svn_at_least(const uint8_t *have, const cJSON *comps, int from)
{
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, comps)
    {
        unsigned v;
        if (i >= 16 || !jnum(c, "svn", &v) || (i >= from && have[i] < v))
            return false;
        i++;
    }
    return i == 16;
}

/* A TCB info level's status: one of the seven Intel's QVL accepts there
 * (VALID_TCB_INFO_STATUSES), else -1. */
static int level_status(const char *w)
{
    int i = status_index(w);
    return i >= 0 && i <= 6 ? i : -1;
}

static void check_tcb_info(state *s, X509 **signer)
{
    run *x = &s->x;
    const zg_tdx_collateral *col = s->o->col;
    char why[256];
    cJSON *t = signed_doc(col->tcb_info_issuer_chain, col->tcb_info, col->tcb_info_sig, s->root,
                          s->o->now, why, signer);
    if (!t) {
        line(x, "FAIL", "tcb info", "%s", why);
        return;
    }
    unsigned ver = 0;
    const char *id = jstr(t, "id");
    uint8_t fmspc[6], pceid[2];
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(t, "tcbLevels");
    if (!id || strcmp(id, "TDX") || !jnum(t, "version", &ver) || ver < 3) {
        line(x, "FAIL", "tcb info", "it is not TDX TCB info of version 3 or later");
    } else if (!jhex(t, "fmspc", fmspc, 6) || !jhex(t, "pceId", pceid, 2) ||
               !cJSON_IsArray(levels)) {
        line(x, "FAIL", "tcb info", "it lacks fmspc, pceId or tcbLevels");
    } else if (!s->have_ext) {
        line(x, "FAIL", "tcb info", "the PCK certificate has no readable SGX extension");
    } else if (memcmp(fmspc, s->ext.fmspc, 6) || memcmp(pceid, s->ext.pceid, 2)) {
        char a[13], b[13], c[5], d[5];
        zg_hex_encode(a, fmspc, 6);
        zg_hex_encode(b, s->ext.fmspc, 6);
        zg_hex_encode(c, pceid, 2);
        zg_hex_encode(d, s->ext.pceid, 2);
        line(x, "FAIL", "tcb info",
             "it is for FMSPC %s / PCE id %s, the PCK certificate for FMSPC %s / PCE id %s", a, c,
             b, d);
    } else {
        /* TEE_TCB_SVN bytes 0 and 1 are the TDX module's SVN and major
         * version; from major version 1 on the module has TCB levels of its
         * own (the tdx module step), and Intel's QVL leaves those two bytes
         * out here (TcbLevelCheck.cpp, isTdxTcbHigherOrEqual). */
        int from = s->q.tee_tcb_svn[1] > 0 ? 2 : 0;
        const cJSON *lv;
        cJSON_ArrayForEach(lv, levels)
        {
            const cJSON *tcb = cJSON_GetObjectItemCaseSensitive(lv, "tcb");
            unsigned pcesvn;
            if (!jnum(tcb, "pcesvn", &pcesvn) || s->ext.pcesvn < pcesvn ||
                !svn_at_least(s->ext.cpusvn,
                              cJSON_GetObjectItemCaseSensitive(tcb, "sgxtcbcomponents"), 0))
                continue;
            /* Intel's matchTcbLevels: the first level the SGX side meets
             * gives the SGX status (the TD relaunch advice reads it), the
             * first the TDX side meets too the platform's. */
            if (s->sgx_st < 0)
                s->sgx_st = level_status(jstr(lv, "tcbStatus"));
            if (!svn_at_least(s->q.tee_tcb_svn,
                              cJSON_GetObjectItemCaseSensitive(tcb, "tdxtcbcomponents"), from))
                continue;
            s->platform_st = level_status(jstr(lv, "tcbStatus"));
            if (s->platform_st >= 0)
                add_advisories(s->x.res, lv);
            break;
        }
        char f[13];
        zg_hex_encode(f, fmspc, 6);
        if (s->platform_st < 0)
            line(x, "FAIL", "tcb info",
                 "signed and current for FMSPC %s, but the platform meets none of its TCB "
                 "levels",
                 f);
        else
            line(x, "PASS", "tcb info",
                 "signed by the TCB signing chain, current, for FMSPC %s; the platform's TCB "
                 "level: %s",
                 f, status_names[s->platform_st]);
        /* Trusted and for this platform: the module step reads it. */
        s->tcb = t;
        t = NULL;
    }
    cJSON_Delete(t);
}

/* ---- the TDX module (Intel's QVL: QuoteVerifier.cpp step 4.1.2.4.11 for
 * MRSIGNERSEAM and SEAMATTRIBUTES; Checks/TdxModuleCheck.cpp for the
 * identity, its TCB level and how its status converges with the
 * platform's) */

enum {
    ST_UPTODATE,
    ST_SWH,
    ST_CONFIG,
    ST_CONFIG_SWH,
    ST_OUTOFDATE,
    ST_OOD_CONFIG,
    ST_REVOKED,
    ST_RELAUNCH,
    ST_RELAUNCH_CONFIG
};

/* Intel's convergeTcbStatusWithTdxModuleStatus: an OutOfDate module makes
 * an up-to-date platform OutOfDate and a platform that needs configuration
 * OutOfDateConfigurationNeeded; a Revoked module revokes; otherwise the
 * platform's status stands. */
static int converge_module(int platform, int module)
{
    if (module == ST_OUTOFDATE && (platform == ST_UPTODATE || platform == ST_SWH))
        return ST_OUTOFDATE;
    if (module == ST_OUTOFDATE && (platform == ST_CONFIG || platform == ST_CONFIG_SWH))
        return ST_OOD_CONFIG;
    if (module == ST_REVOKED)
        return ST_REVOKED;
    return platform;
}

const char *zg_tdx_status_with_module(const char *platform, const char *module)
{
    int p = level_status(platform), m = status_index(module);
    if (p < 0 || (m != ST_UPTODATE && m != ST_OUTOFDATE && m != ST_REVOKED))
        return NULL;
    return status_names[converge_module(p, m)];
}

/* The statuses a QE identity's TCB level may carry: Intel's QVL parses them
 * with parseStringToTcbStatus (Verifiers/TcbStatus.h) and refuses the
 * identity for any other word. */
static bool qe_status_ok(int qe)
{
    return qe == ST_UPTODATE || qe == ST_CONFIG || qe == ST_OUTOFDATE || qe == ST_OOD_CONFIG ||
           qe == ST_REVOKED;
}

/* Intel's convergeTcbStatusWithQeTcbStatus (Checks/TcbLevelCheck.cpp). The
 * QE's level reaches it through EnclaveReportVerifier::verify, which knows
 * three outcomes: UpToDate, Revoked, and "ISVSVN out of date" for every
 * other status. An out-of-date QE makes UpToDate or SWHardeningNeeded
 * OutOfDate and ConfigurationNeeded or ConfigurationAndSWHardeningNeeded
 * OutOfDateConfigurationNeeded, and leaves every other status as it is; a
 * Revoked QE revokes. Not "the worse of the two": ConfigurationNeeded with
 * an OutOfDate QE is OutOfDateConfigurationNeeded, not OutOfDate. */
static int converge_qe(int tcb, int qe)
{
    bool ood = qe == ST_CONFIG || qe == ST_OUTOFDATE || qe == ST_OOD_CONFIG;
    if (ood && (tcb == ST_UPTODATE || tcb == ST_SWH))
        return ST_OUTOFDATE;
    if (ood && (tcb == ST_CONFIG || tcb == ST_CONFIG_SWH))
        return ST_OOD_CONFIG;
    if (qe == ST_REVOKED)
        return ST_REVOKED;
    return tcb;
}

const char *zg_tdx_status_with_qe(const char *tcb, const char *qe)
{
    int t = status_index(tcb), q = status_index(qe);
    if (t < 0 || !qe_status_ok(q))
        return NULL;
    return status_names[converge_qe(t, q)];
}

typedef struct module_id {
    uint8_t mrsigner[48], attributes[8], mask[8];
} module_id;

static bool module_fields(const cJSON *o, module_id *m)
{
    return jhex(o, "mrsigner", m->mrsigner, 48) && jhex(o, "attributes", m->attributes, 8) &&
           jhex(o, "attributesMask", m->mask, 8);
}

/* The identity "TDX_<major>" (Intel compares the id case-insensitively). */
static const cJSON *find_identity(const cJSON *ids, const char *want)
{
    const cJSON *id;
    cJSON_ArrayForEach(id, ids)
    {
        const char *s = jstr(id, "id");
        if (s && !strcasecmp(s, want))
            return id;
    }
    return NULL;
}

/* The module's TCB level: Intel's QVL keeps the levels sorted by isvsvn,
 * highest first, refuses duplicates, and takes the first whose isvsvn the
 * module's SVN meets; that is the highest isvsvn <= svn, whatever the order
 * of the text. NULL with why set. */
static const cJSON *module_level(const cJSON *levels, unsigned svn, char why[256])
{
    const cJSON *lv, *best = NULL;
    unsigned best_svn = 0, lowest = 65536;
    int n = 0;
    uint8_t seen[65536 / 8] = {0};
    cJSON_ArrayForEach(lv, levels)
    {
        unsigned v;
        if (!jnum(cJSON_GetObjectItemCaseSensitive(lv, "tcb"), "isvsvn", &v) ||
            !jstr(lv, "tcbStatus")) {
            snprintf(why, 256, "a TCB level lacks tcb.isvsvn or tcbStatus");
            return NULL;
        }
        if (seen[v / 8] & (1u << (v % 8))) {
            snprintf(why, 256, "two TCB levels have isvsvn %u", v);
            return NULL;
        }
        seen[v / 8] |= (uint8_t)(1u << (v % 8));
        n++;
        if (v < lowest)
            lowest = v;
        if (v <= svn && (!best || v > best_svn)) {
            best = lv;
            best_svn = v;
        }
    }
    if (n == 0)
        snprintf(why, 256, "it has no TCB levels");
    else if (!best)
        snprintf(why, 256,
                 "the module's SVN %u (TEE_TCB_SVN byte 0) is below every TCB level (the lowest "
                 "has isvsvn %u)",
                 svn, lowest);
    return best;
}

static void check_tdx_module(state *s)
{
    run *x = &s->x;
    const cJSON *t = s->tcb;
    const uint8_t *svn = s->q.tee_tcb_svn;
    unsigned major = svn[1], msvn = svn[0];
    if (!t) {
        line(x, "SKIP", "tdx module",
             "not checked: the TCB info it would be checked against failed its step");
        return;
    }
    module_id m;
    if (!module_fields(cJSON_GetObjectItemCaseSensitive(t, "tdxModule"), &m)) {
        line(x, "FAIL", "tdx module",
             "the TCB info's tdxModule lacks mrsigner, attributes or attributesMask (48, 8 and "
             "8 bytes of hex)");
        return;
    }
    char name[16] = "tdxModule";
    const cJSON *identity = NULL;
    if (major > 0) {
        /* A module from major version 1 on has its own identity and TCB
         * levels; without them Intel's QVL refuses the TCB info. */
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(t, "tdxModuleIdentities");
        snprintf(name, sizeof name, "TDX_%02X", major);
        if (!ids) {
            line(x, "FAIL", "tdx module",
                 "the TDX module is of major version %u (TEE_TCB_SVN byte 1), but the TCB info "
                 "has no tdxModuleIdentities to check it against",
                 major);
            return;
        }
        if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) == 0) {
            line(x, "FAIL", "tdx module",
                 "the TCB info's tdxModuleIdentities is no non-empty array");
            return;
        }
        if (!(identity = find_identity(ids, name))) {
            line(x, "FAIL", "tdx module",
                 "the TCB info names no TDX module identity %s for the module's major version %u "
                 "(TEE_TCB_SVN byte 1)",
                 name, major);
            return;
        }
        if (!module_fields(identity, &m) ||
            !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(identity, "tcbLevels"))) {
            line(x, "FAIL", "tdx module",
                 "the TDX module identity %s lacks mrsigner, attributes, attributesMask or "
                 "tcbLevels",
                 name);
            return;
        }
    }
    char got[97], want[97];
    if (memcmp(m.mrsigner, s->q.mr_signer_seam, 48)) {
        zg_hex_encode(got, s->q.mr_signer_seam, 48);
        zg_hex_encode(want, m.mrsigner, 48);
        line(x, "FAIL", "tdx module",
             "the quote's MRSIGNERSEAM %s is not the mrsigner %s of the TCB info's %s: another "
             "signer's TDX module",
             got, want, name);
        return;
    }
    const uint8_t *sa = s->q.seam_attributes;
    char a[17], b[17], k[17];
    zg_hex_encode(a, sa, 8);
    zg_hex_encode(b, m.attributes, 8);
    zg_hex_encode(k, m.mask, 8);
    /* Intel's QVL (QuoteVerifier.cpp, 4.1.2.4.11.2) wants every byte of
     * SEAMATTRIBUTES zero and equal to the attributes, attributesMask
     * unused: attributes with a bit set, even one the mask leaves out, fail
     * every quote. */
    bool set = false;
    for (int i = 0; i < 8; i++)
        set |= sa[i] != 0;
    if (set) {
        line(x, "FAIL", "tdx module",
             "the quote's SEAMATTRIBUTES %s are not zero: Intel's verification accepts a TDX "
             "module only with no SEAM attribute set",
             a);
        return;
    }
    if (memcmp(sa, m.attributes, 8)) {
        line(x, "FAIL", "tdx module",
             "the TCB info's %s has attributes %s, not the quote's SEAMATTRIBUTES %s: Intel's "
             "verification compares all 8 bytes, attributesMask %s unused",
             name, b, a, k);
        return;
    }
    if (!identity) {
        s->module_st = ST_UPTODATE;
        line(x, "PASS", "tdx module",
             "major version 0, SVN %u: MRSIGNERSEAM and SEAMATTRIBUTES match the TCB info's "
             "tdxModule; a module of major version 0 has no TCB levels of its own",
             msvn);
        return;
    }
    char why[256];
    const cJSON *lv =
        module_level(cJSON_GetObjectItemCaseSensitive(identity, "tcbLevels"), msvn, why);
    if (!lv) {
        line(x, "FAIL", "tdx module", "MRSIGNERSEAM and SEAMATTRIBUTES match %s, but %s", name,
             why);
        return;
    }
    const char *st = jstr(lv, "tcbStatus");
    int i = status_index(st);
    if (i != ST_UPTODATE && i != ST_OUTOFDATE && i != ST_REVOKED) {
        line(x, "FAIL", "tdx module",
             "the TCB level of %s for SVN %u says \"%.40s\", which is no module status (UpToDate, "
             "OutOfDate or Revoked)",
             name, msvn, st);
        return;
    }
    unsigned lsvn = 0;
    jnum(cJSON_GetObjectItemCaseSensitive(lv, "tcb"), "isvsvn", &lsvn);
    s->module_st = i;
    add_advisories(s->x.res, lv);
    line(x, "PASS", "tdx module",
         "%s (major version %u), SVN %u: MRSIGNERSEAM and SEAMATTRIBUTES match its identity; the "
         "module's TCB level (isvsvn %u): %s",
         name, major, msvn, lsvn, status_names[i]);
}

/* ---- TD relaunch advice (Intel's QVL, Checks/TDRelaunchCheck.cpp
 * checkForRelaunch, step 4.1.2.4.17.4.3): a TD 1.5 that launched on a TDX
 * module now OutOfDate, on a host that has since updated the module in
 * place (TEE_TCB_SVN2, the SVNs of the module running now) to the latest
 * level, only needs a relaunch. */

/* The 16 SVNs of a TCB level's components into out; false when absent. */
static bool level_svns(const cJSON *lv, const char *key, uint8_t out[16])
{
    const cJSON *c;
    int i = 0;
    cJSON_ArrayForEach(
        c, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(lv, "tcb"), key))
    {
        unsigned v;
        if (i >= 16 || !jnum(c, "svn", &v) || v > 255)
            return false;
        out[i++] = (uint8_t)v;
    }
    return i == 16;
}

/* Intel's "latest" TCB level: the first of the levels as its parser sorts
 * them (TcbLevel::operator>: SGX SVNs, then PCE SVN, then TDX SVNs, each
 * compared as a sequence), whatever the order of the text. Its TDX SVNs
 * into tdx; false when there is none. */
static bool latest_level(const cJSON *levels, uint8_t tdx[16])
{
    uint8_t best[34] = {0}, k[34];
    bool any = false;
    const cJSON *lv;
    cJSON_ArrayForEach(lv, levels)
    {
        unsigned pce;
        uint8_t t[16];
        if (!level_svns(lv, "sgxtcbcomponents", k) || !level_svns(lv, "tdxtcbcomponents", t) ||
            !jnum(cJSON_GetObjectItemCaseSensitive(lv, "tcb"), "pcesvn", &pce))
            continue;
        k[16] = (uint8_t)(pce >> 8);
        k[17] = (uint8_t)pce;
        memcpy(k + 18, t, 16);
        if (!any || memcmp(k, best, sizeof k) > 0) {
            memcpy(best, k, sizeof k);
            memcpy(tdx, t, 16);
            any = true;
        }
    }
    return any;
}

static bool config_needed(int st)
{
    return st == ST_CONFIG || st == ST_OOD_CONFIG || st == ST_CONFIG_SWH ||
           st == ST_RELAUNCH_CONFIG;
}

/* The status after the relaunch check, or -1 with why set when Intel's QVL
 * ends in an error (TEE_TCB_SVN2 names a module the TCB info has no
 * identity or level for); note gets a sentence when the advice is given.
 * tdx is the platform's status converged with the module's. */
static int relaunch(const state *s, int tdx, char why[256], char note[256])
{
    const uint8_t *v2 = s->q.tee_tcb_svn2;
    note[0] = 0;
    if (s->qe_st != ST_UPTODATE ||
        !(s->sgx_st == ST_UPTODATE || s->sgx_st == ST_SWH || s->sgx_st == ST_CONFIG ||
          s->sgx_st == ST_CONFIG_SWH) ||
        !(tdx == ST_OUTOFDATE || tdx == ST_OOD_CONFIG) || s->module_st != ST_OUTOFDATE)
        return tdx;
    uint8_t latest[16];
    if (!latest_level(cJSON_GetObjectItemCaseSensitive(s->tcb, "tcbLevels"), latest)) {
        snprintf(why, 256, "the TCB info has no TCB level to compare TEE_TCB_SVN2 with");
        return -1;
    }
    unsigned want0;
    char name[16] = "";
    if (v2[1] == 0) {
        want0 = latest[0];
    } else {
        snprintf(name, sizeof name, "TDX_%02X", v2[1]);
        const cJSON *id =
            find_identity(cJSON_GetObjectItemCaseSensitive(s->tcb, "tdxModuleIdentities"), name);
        const cJSON *lv;
        bool any = false;
        want0 = 0;
        cJSON_ArrayForEach(lv, cJSON_GetObjectItemCaseSensitive(id, "tcbLevels"))
        {
            unsigned isv;
            if (jnum(cJSON_GetObjectItemCaseSensitive(lv, "tcb"), "isvsvn", &isv) &&
                (!any || isv > want0)) {
                want0 = isv;
                any = true;
            }
        }
        if (!id) {
            snprintf(why, 256,
                     "TEE_TCB_SVN2 names a TDX module of major version %u, and the TCB info has no "
                     "identity %s for it",
                     v2[1], name);
            return -1;
        }
        if (!any) {
            snprintf(why, 256, "the TCB info's %s (named by TEE_TCB_SVN2) has no TCB levels", name);
            return -1;
        }
    }
    if (v2[0] < want0 || v2[2] < latest[2])
        return tdx;
    int st = config_needed(s->sgx_st) || config_needed(tdx) ? ST_RELAUNCH_CONFIG : ST_RELAUNCH;
    snprintf(note, 256,
             "the TD launched on a TDX module at SVN %u (TEE_TCB_SVN), whose level is now %s; "
             "the host runs SVN %u (TEE_TCB_SVN2), %s%s: relaunch the TD (without this advice "
             "the status is %s)",
             s->q.tee_tcb_svn[0], status_names[ST_OUTOFDATE], v2[0],
             name[0] ? "the latest level of " : "at the latest TCB level's", name,
             status_names[tdx]);
    return st;
}

static void check_qe_identity(state *s, X509 **signer)
{
    run *x = &s->x;
    const zg_tdx_collateral *col = s->o->col;
    const uint8_t *r = s->q.qe_report;
    char why[256];
    cJSON *t = signed_doc(col->qe_identity_issuer_chain, col->qe_identity, col->qe_identity_sig,
                          s->root, s->o->now, why, signer);
    if (!t) {
        line(x, "FAIL", "qe identity", "%s", why);
        return;
    }
    unsigned ver = 0, prod = 0;
    const char *id = jstr(t, "id");
    uint8_t mrsigner[32], misc[4], miscmask[4], attr[16], attrmask[16];
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(t, "tcbLevels");
    unsigned qe_prod = (unsigned)(r[256] | r[257] << 8), qe_svn = (unsigned)(r[258] | r[259] << 8);
    if (!id || strcmp(id, "TD_QE") || !jnum(t, "version", &ver) || (ver != 2 && ver != 3)) {
        line(x, "FAIL", "qe identity", "it is not a TD_QE identity of version 2 or 3");
    } else if (!jhex(t, "mrsigner", mrsigner, 32) || !jnum(t, "isvprodid", &prod) ||
               !jhex(t, "miscselect", misc, 4) || !jhex(t, "miscselectMask", miscmask, 4) ||
               !jhex(t, "attributes", attr, 16) || !jhex(t, "attributesMask", attrmask, 16) ||
               !cJSON_IsArray(levels)) {
        line(x, "FAIL", "qe identity", "it lacks one of its fields");
    } else if (memcmp(mrsigner, r + 128, 32) || prod != qe_prod) {
        line(x, "FAIL", "qe identity",
             "the quoting enclave is not Intel's TD QE (MRSIGNER or ISVPRODID differ)");
    } else {
        bool ok = true;
        for (int i = 0; i < 4; i++)
            ok &= (r[16 + i] & miscmask[i]) == (misc[i] & miscmask[i]);
        for (int i = 0; i < 16; i++)
            ok &= (r[48 + i] & attrmask[i]) == (attr[i] & attrmask[i]);
        if (!ok || (r[48] & 2)) {
            line(x, "FAIL", "qe identity",
                 "the quoting enclave's MISCSELECT or ATTRIBUTES differ from its identity (or it "
                 "is a debug enclave)");
        } else {
            const cJSON *lv;
            const char *bad = NULL;
            cJSON_ArrayForEach(lv, levels)
            {
                const char *w = jstr(lv, "tcbStatus");
                if (!qe_status_ok(status_index(w))) {
                    bad = w ? w : "";
                    break;
                }
            }
            cJSON_ArrayForEach(lv, levels)
            {
                unsigned svn;
                if (bad)
                    break;
                if (jnum(cJSON_GetObjectItemCaseSensitive(lv, "tcb"), "isvsvn", &svn) &&
                    qe_svn >= svn) {
                    s->qe_st = status_index(jstr(lv, "tcbStatus"));
                    add_advisories(s->x.res, lv);
                    break;
                }
            }
            if (bad)
                line(x, "FAIL", "qe identity",
                     "a TCB level says \"%.40s\", which is no QE status (UpToDate, "
                     "ConfigurationNeeded, OutOfDate, OutOfDateConfigurationNeeded or Revoked)",
                     bad);
            else if (s->qe_st < 0)
                line(x, "FAIL", "qe identity",
                     "the quoting enclave's ISVSVN %u meets none of its TCB levels", qe_svn);
            else
                line(x, "PASS", "qe identity",
                     "signed by the TCB signing chain, current; the TD QE it names, ISVSVN %u: %s",
                     qe_svn, status_names[s->qe_st]);
        }
    }
    cJSON_Delete(t);
}

int zg_tdx_verify(const uint8_t *raw, size_t len, const zg_tdx_opts *o, zg_buf *report,
                  zg_tdx_result *res, zg_err *err)
{
    memset(res, 0, sizeof *res);
    state s = {.x = {.r = report, .res = res},
               .o = o,
               .platform_st = -1,
               .qe_st = -1,
               .module_st = -1,
               .sgx_st = -1};
    zg_err pe = {0};
    if (zg_tdx_parse(&s.q, raw, len, &pe)) {
        line(&s.x, "FAIL", "tdx quote", "%s", pe.msg);
        return s.x.rc ? zg_err_set(err, ENOMEM, "out of memory") : 0;
    }
    const char *body = s.q.body_type == ZG_TDX_BODY_TD15 ? "TD 1.5" : "TD 1.0";
    if (s.q.trailing)
        line(&s.x, "PASS", "tdx quote",
             "TDX quote v%u (%s report), %zu bytes, %zu trailing %s bytes", s.q.version, body, len,
             s.q.trailing, s.q.trailing_zero ? "zero" : "unsigned");
    else
        line(&s.x, "PASS", "tdx quote", "TDX quote v%u (%s report), %zu bytes", s.q.version, body,
             len);

    const char *pem = o->root_pem ? o->root_pem : zg_tdx_intel_root_pem;
    BIO *b = BIO_new_mem_buf(pem, -1);
    s.root = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    ERR_clear_error();
    if (!s.root) {
        line(&s.x, "FAIL", "pck chain", "the trusted root is no PEM certificate");
        return s.x.rc ? zg_err_set(err, ENOMEM, "out of memory") : 0;
    }
    s.chain = pem_chain(s.q.pck_chain, s.q.pck_chain_len);
    check_signatures(&s);

    unsigned accept = o->accept ? o->accept : ZG_TDX_ST_DEFAULT;
    if (!o->col) {
        const char *why = o->col_missing ? o->col_missing : "no collateral";
        line(&s.x, "SKIP", "crl", "not checked: %s", why);
        line(&s.x, "SKIP", "tcb info", "not checked: %s", why);
        line(&s.x, "SKIP", "tdx module", "not checked: %s", why);
        line(&s.x, "SKIP", "qe identity", "not checked: %s", why);
        line(&s.x, "SKIP", "tcb status", "unknown without the collateral");
    } else {
        X509 *signers[2] = {NULL, NULL};
        check_tcb_info(&s, &signers[0]);
        check_tdx_module(&s);
        check_qe_identity(&s, &signers[1]);
        check_crls(&s, signers, 2);
        X509_free(signers[0]);
        X509_free(signers[1]);
        const char *why = NULL;
        char rwhy[256] = "", note[256] = "";
        int pre = -1; /* the status a relaunch advice stands in for */
        if (res->status[0]) {
            /* Revoked by a CRL */
        } else if (!res->chain_ok) {
            why = "the quote's signature chain failed";
        } else if (!s.crl_ok) {
            why = "the CRL step failed";
        } else if (s.platform_st < 0 || s.qe_st < 0 || s.module_st < 0) {
            why = "the collateral steps failed";
        } else {
            int st = converge_module(s.platform_st, s.module_st);
            pre = st;
            if (st != ST_REVOKED && s.q.body_type == ZG_TDX_BODY_TD15)
                st = relaunch(&s, st, rwhy, note);
            if (st < 0)
                why = rwhy;
            else
                snprintf(res->status, sizeof res->status, "%s",
                         status_names[converge_qe(st, s.qe_st)]);
        }
        int st = status_index(res->status);
        if (st < 0) {
            line(&s.x, "FAIL", "tcb status", "not established: %s",
                 why ? why : "the collateral steps failed");
        } else {
            /* Relaunch advice never refuses what its OutOfDate status
             * would pass: it is accepted by its own name or by that one's. */
            bool advised = st == ST_RELAUNCH || st == ST_RELAUNCH_CONFIG;
            bool ok = (accept & (1u << st)) || (advised && (accept & (1u << pre)));
            line(&s.x, ok ? "PASS" : "FAIL", "tcb status", "%s%s%s%s", res->status,
                 res->advisories[0] ? " (advisories " : "", res->advisories,
                 res->advisories[0] ? ")" : "");
            if (note[0] && zg_buf_printf(report, NULL, "NOTE tcb status: %s\n", note))
                s.x.rc = -1;
            if (!ok && (advised ? zg_buf_printf(report, NULL,
                                                "NOTE tcb status: neither %s nor %s, which it "
                                                "stands in for, is among the accepted statuses "
                                                "(-o tee_status)\n",
                                                res->status, status_names[pre])
                                : zg_buf_printf(report, NULL,
                                                "NOTE tcb status: %s is not among the accepted "
                                                "statuses (-o tee_status)\n",
                                                res->status)))
                s.x.rc = -1;
        }
    }
    cJSON_Delete(s.tcb);
    sk_X509_pop_free(s.chain, X509_free);
    X509_free(s.root);
    return s.x.rc ? zg_err_set(err, ENOMEM, "out of memory") : 0;
}

int zg_tdx_pck_info(const uint8_t *raw, size_t len, char fmspc[13], char ca[16], zg_err *err)
{
    zg_tdx_quote q;
    if (zg_tdx_parse(&q, raw, len, err))
        return -1;
    STACK_OF(X509) *ch = pem_chain(q.pck_chain, q.pck_chain_len);
    pck_ext e;
    int rc = -1;
    if (ch && sk_X509_num(ch) >= 2 && pck_extension(sk_X509_value(ch, 0), &e)) {
        char c[96];
        cn(c, sk_X509_value(ch, 1));
        zg_hex_encode(fmspc, e.fmspc, 6);
        snprintf(ca, 16, "%s", strstr(c, "Processor") ? "processor" : "platform");
        rc = 0;
    } else {
        zg_err_set(err, EPROTO, "the quote's PCK certificate has no readable SGX extension");
    }
    sk_X509_pop_free(ch, X509_free);
    return rc;
}

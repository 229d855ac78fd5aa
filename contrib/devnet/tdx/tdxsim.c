#include "tdxsim.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zg/hex.h"

/* What the simulated platform runs at; the TCB info's first level is
 * exactly this, so the devnet's TD is UpToDate unless told otherwise.
 * TEE_TCB_SVN bytes 0-1 are the TDX module's SVN (6) and major version (1),
 * as on real TDX 1.5 hosts; like Intel's TCB info, the platform levels hold
 * other values there (those bytes count only in the module's own levels). */
static const uint8_t cpusvn[16] = {3, 3, 2, 2, 4, 1, 0, 5};
static const unsigned pcesvn = 13;
static const uint8_t tee_tcb_svn[16] = {6, 1, 3};
static const uint8_t platform_tdx[16] = {5, 0, 3};
static const unsigned qe_prod = 2, qe_svn = 8;
/* Intel's QE vendor id, as real quotes carry it. */
static const uint8_t qe_vendor[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                      0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

struct tdxsim {
    EVP_PKEY *pck, *attest;
    zg_buf chain; /* PEM, NUL-terminated as real quotes carry it */
};

static int slurp(zg_buf *b, const char *path, zg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return zg_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    char tmp[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
        rc = zg_buf_append(b, tmp, n, err);
    fclose(f);
    return rc;
}

static EVP_PKEY *load_key(const char *dir, const char *name, zg_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    ERR_clear_error();
    if (!k)
        zg_err_set(err, EINVAL, "cannot read the key %s; run contrib/devnet/tdx/pki", path);
    return k;
}

int tdxsim_load(tdxsim **out, const char *dir, zg_err *err)
{
    tdxsim *s = calloc(1, sizeof *s);
    if (!s)
        return zg_err_set(err, ENOMEM, "out of memory");
    zg_buf_init(&s->chain, 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/pck-chain.pem", dir);
    if (!(s->pck = load_key(dir, "pck.key", err)) ||
        !(s->attest = load_key(dir, "attest.key", err)) || slurp(&s->chain, path, err) ||
        zg_buf_append_byte(&s->chain, 0, err)) {
        tdxsim_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void tdxsim_free(tdxsim *s)
{
    if (!s)
        return;
    EVP_PKEY_free(s->pck);
    EVP_PKEY_free(s->attest);
    zg_buf_free(&s->chain);
    free(s);
}

/* ECDSA P-256 / SHA-256 as raw r || s. */
static int sign(EVP_PKEY *k, const void *data, size_t len, uint8_t out[64], zg_err *err)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char der[80];
    size_t dlen = sizeof der;
    int rc = -1;
    if (m && EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, k) == 1 &&
        EVP_DigestSign(m, der, &dlen, data, len) == 1) {
        const unsigned char *p = der;
        ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
        if (s && BN_bn2binpad(ECDSA_SIG_get0_r(s), out, 32) == 32 &&
            BN_bn2binpad(ECDSA_SIG_get0_s(s), out + 32, 32) == 32)
            rc = 0;
        ECDSA_SIG_free(s);
    }
    EVP_MD_CTX_free(m);
    ERR_clear_error();
    return rc ? zg_err_set(err, EIO, "signing failed") : 0;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

static void qe_mrsigner(uint8_t out[32])
{
    unsigned n = 32;
    EVP_Digest("zgfs devnet TD quoting enclave", 30, out, &n, EVP_sha256(), NULL);
}

int tdxsim_quote(tdxsim *s, const tdxsim_td *td, zg_buf *out, zg_err *err)
{
    int v5 = td->version == 5;
    size_t blen = v5 ? 648 : 584, boff = v5 ? 54 : 48, signed_len = boff + blen;
    uint8_t ak[65];
    size_t aklen = 0;
    if (EVP_PKEY_get_octet_string_param(s->attest, OSSL_PKEY_PARAM_PUB_KEY, ak, sizeof ak,
                                        &aklen) != 1 ||
        aklen != 65 || ak[0] != 4) {
        ERR_clear_error();
        return zg_err_set(err, EINVAL, "the attestation key is no uncompressed P-256 key");
    }
    uint8_t auth[32];
    for (int i = 0; i < 32; i++)
        auth[i] = (uint8_t)i;
    size_t chain_len = s->chain.len;
    size_t cert_len = 384 + 64 + 2 + sizeof auth + 6 + chain_len;
    size_t sig_len = 64 + 64 + 6 + cert_len;
    size_t total = signed_len + 4 + sig_len + td->pad;
    uint8_t *q = calloc(1, total);
    if (!q)
        return zg_err_set(err, ENOMEM, "out of memory");

    put16(q, v5 ? 5 : 4);
    put16(q + 2, 2);
    put32(q + 4, 0x81);
    memcpy(q + 12, qe_vendor, 16);
    if (v5) {
        put16(q + 48, 3);
        put32(q + 50, (uint32_t)blen);
    }
    uint8_t *b = q + boff;
    const uint8_t *svn = td->have_tee_tcb_svn ? td->tee_tcb_svn : tee_tcb_svn;
    memcpy(b, svn, 16);
    memcpy(b + 64, td->mr_signer_seam, 48);
    memcpy(b + 112, td->seam_attributes, 8);
    static const uint8_t prod_attr[8] = {0, 0, 0, 0x10};
    bool given = td->zero_attributes;
    for (int i = 0; i < 8; i++)
        given |= td->td_attributes[i] != 0;
    memcpy(b + 120, given ? td->td_attributes : prod_attr, 8);
    static const uint8_t xfam[8] = {0xe7, 0x02, 0x06};
    memcpy(b + 128, xfam, 8);
    memcpy(b + 136, td->mr_td, 48);
    for (int i = 0; i < 4; i++)
        memcpy(b + 328 + 48 * i, td->rtmr[i], 48);
    memcpy(b + 520, td->report_data, 64);
    if (v5)
        memcpy(b + 584, td->have_tee_tcb_svn2 ? td->tee_tcb_svn2 : svn, 16);

    uint8_t *sd = q + signed_len + 4;
    put32(q + signed_len, (uint32_t)sig_len);
    memcpy(sd + 64, ak + 1, 64);
    put16(sd + 128, 6);
    put32(sd + 130, (uint32_t)cert_len);
    uint8_t *qe = sd + 134;
    memcpy(qe, cpusvn, 16);
    qe[48] = 0x11; /* INIT | MODE64BIT, not DEBUG */
    unsigned n = 32;
    EVP_Digest("zgfs devnet TD QE image", 23, qe + 64, &n, EVP_sha256(), NULL);
    qe_mrsigner(qe + 128);
    put16(qe + 256, qe_prod);
    put16(qe + 258, qe_svn);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned hl = 32;
    int ok = m && EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(m, ak + 1, 64) == 1 && EVP_DigestUpdate(m, auth, sizeof auth) == 1 &&
             EVP_DigestFinal_ex(m, qe + 320, &hl) == 1;
    EVP_MD_CTX_free(m);
    uint8_t *p = qe + 384 + 64;
    put16(p, sizeof auth);
    memcpy(p + 2, auth, sizeof auth);
    p += 2 + sizeof auth;
    put16(p, 5);
    put32(p + 2, (uint32_t)chain_len);
    memcpy(p + 6, s->chain.data, chain_len);

    int rc = ok ? 0 : zg_err_set(err, EIO, "hashing failed");
    if (rc == 0)
        rc = sign(s->pck, qe, 384, qe + 384, err);
    if (rc == 0)
        rc = sign(s->attest, q, signed_len, sd, err);
    if (rc == 0)
        rc = zg_buf_append(out, q, total, err);
    free(q);
    return rc;
}

/* ---- collateral */

static void iso(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static cJSON *svns(const uint8_t v[16])
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < 16; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "svn", v[i]);
        cJSON_AddItemToArray(a, c);
    }
    return a;
}

static cJSON *level(const uint8_t cpu[16], unsigned pce, const uint8_t tdx[16], const char *date,
                    const char *status)
{
    cJSON *l = cJSON_CreateObject(), *t = cJSON_AddObjectToObject(l, "tcb");
    cJSON_AddItemToObject(t, "sgxtcbcomponents", svns(cpu));
    cJSON_AddNumberToObject(t, "pcesvn", pce);
    cJSON_AddItemToObject(t, "tdxtcbcomponents", svns(tdx));
    cJSON_AddStringToObject(l, "tcbDate", date);
    cJSON_AddStringToObject(l, "tcbStatus", status);
    if (strcmp(status, "UpToDate")) {
        cJSON *ids = cJSON_AddArrayToObject(l, "advisoryIDs");
        cJSON_AddItemToArray(ids, cJSON_CreateString("ZG-DEVNET-SA-00001"));
    }
    return l;
}

static cJSON *module_level(unsigned isvsvn, const char *date, const char *status)
{
    cJSON *l = cJSON_CreateObject();
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(l, "tcb"), "isvsvn", isvsvn);
    cJSON_AddStringToObject(l, "tcbDate", date);
    cJSON_AddStringToObject(l, "tcbStatus", status);
    if (strcmp(status, "UpToDate")) {
        cJSON *ids = cJSON_AddArrayToObject(l, "advisoryIDs");
        cJSON_AddItemToArray(ids, cJSON_CreateString("ZG-DEVNET-SA-00002"));
    }
    return l;
}

/* tdxModule and the identity of the devnet's module (major version 1), in
 * the shape of Intel's TCB info v3: its level for SVN 6 and an OutOfDate
 * one for SVN 4 and 5. */
static void add_module(cJSON *t, const char *date, const tdxsim_col_opts *o)
{
    static const char zero48[] = "000000000000000000000000000000000000000000000000"
                                 "000000000000000000000000000000000000000000000000";
    cJSON *m = cJSON_AddObjectToObject(t, "tdxModule");
    cJSON_AddStringToObject(m, "mrsigner", zero48);
    cJSON_AddStringToObject(m, "attributes", "0000000000000000");
    cJSON_AddStringToObject(m, "attributesMask", "FFFFFFFFFFFFFFFF");
    if (o->no_module_identities)
        return;
    cJSON *ids = cJSON_AddArrayToObject(t, "tdxModuleIdentities"), *id = cJSON_CreateObject();
    cJSON_AddStringToObject(id, "id", "TDX_01");
    cJSON_AddStringToObject(id, "mrsigner", zero48);
    cJSON_AddStringToObject(id, "attributes",
                            o->module_attributes ? o->module_attributes : "0000000000000000");
    cJSON_AddStringToObject(id, "attributesMask",
                            o->module_mask ? o->module_mask : "FFFFFFFFFFFFFFFF");
    cJSON *lv = cJSON_AddArrayToObject(id, "tcbLevels");
    cJSON_AddItemToArray(
        lv, module_level(tee_tcb_svn[0], date, o->module_status ? o->module_status : "UpToDate"));
    cJSON_AddItemToArray(lv, module_level(4, "2024-01-01T00:00:00Z", "OutOfDate"));
    cJSON_AddItemToArray(ids, id);
}

/* Sign the compact text of doc; fills *text and sig_hex. */
static int signed_text(const char *dir, cJSON *doc, char **text, char sig_hex[129], zg_err *err)
{
    *text = cJSON_PrintUnformatted(doc);
    if (!*text)
        return zg_err_set(err, ENOMEM, "out of memory");
    EVP_PKEY *k = load_key(dir, "tcb-signing.key", err);
    uint8_t sig[64];
    int rc = k ? sign(k, *text, strlen(*text), sig, err) : -1;
    EVP_PKEY_free(k);
    if (rc == 0)
        zg_hex_encode(sig_hex, sig, 64);
    return rc;
}

static int add_file(cJSON *j, const char *key, const char *dir, const char *name, bool hex,
                    zg_err *err)
{
    char path[4096];
    if (name[0] == '/')
        snprintf(path, sizeof path, "%s", name);
    else
        snprintf(path, sizeof path, "%s/%s", dir, name);
    zg_buf b;
    zg_buf_init(&b, 0);
    int rc = slurp(&b, path, err);
    if (rc == 0 && hex) {
        char *h = malloc(2 * b.len + 1);
        if (!h)
            rc = zg_err_set(err, ENOMEM, "out of memory");
        else {
            zg_hex_encode(h, b.data, b.len);
            cJSON_AddStringToObject(j, key, h);
        }
        free(h);
    } else if (rc == 0) {
        rc = zg_buf_append_byte(&b, 0, err);
        if (rc == 0)
            cJSON_AddStringToObject(j, key, (const char *)b.data);
    }
    zg_buf_free(&b);
    return rc;
}

int tdxsim_collateral(const char *dir, const tdxsim_col_opts *o, char **json, zg_err *err)
{
    int64_t issued = o->issued ? o->issued : (int64_t)time(NULL);
    int days = o->days ? o->days : 30;
    char a[32], b[32], fmspc[16] = {0};
    iso(a, issued);
    iso(b, issued + (int64_t)days * 86400);
    if (o->fmspc) {
        snprintf(fmspc, sizeof fmspc, "%s", o->fmspc);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/fmspc", dir);
        FILE *f = fopen(path, "r");
        if (!f || !fgets(fmspc, sizeof fmspc, f)) {
            if (f)
                fclose(f);
            return zg_err_set(err, ENOENT, "no %s; run contrib/devnet/tdx/pki", path);
        }
        fclose(f);
        fmspc[strcspn(fmspc, "\n")] = 0;
    }
    for (char *p = fmspc; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 32);

    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "id", "TDX");
    cJSON_AddNumberToObject(t, "version", 3);
    cJSON_AddStringToObject(t, "issueDate", a);
    cJSON_AddStringToObject(t, "nextUpdate", b);
    cJSON_AddStringToObject(t, "fmspc", fmspc);
    cJSON_AddStringToObject(t, "pceId", "0000");
    cJSON_AddNumberToObject(t, "tcbType", 0);
    cJSON_AddNumberToObject(t, "tcbEvaluationDataNumber", 1);
    cJSON *levels = cJSON_AddArrayToObject(t, "tcbLevels");
    cJSON_AddItemToArray(
        levels, level(cpusvn, pcesvn, platform_tdx, a, o->status ? o->status : "UpToDate"));
    static const uint8_t old_cpu[16] = {2, 2, 2, 2, 3, 1, 0, 5}, old_tdx[16] = {3, 0, 2};
    cJSON_AddItemToArray(levels, level(old_cpu, 5, old_tdx, "2024-01-01T00:00:00Z", "OutOfDate"));
    add_module(t, a, o);

    cJSON *q = cJSON_CreateObject();
    uint8_t mrs[32];
    char mrs_hex[65];
    qe_mrsigner(mrs);
    zg_hex_encode(mrs_hex, mrs, 32);
    for (char *p = mrs_hex; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 32);
    cJSON_AddStringToObject(q, "id", "TD_QE");
    cJSON_AddNumberToObject(q, "version", 2);
    cJSON_AddStringToObject(q, "issueDate", a);
    cJSON_AddStringToObject(q, "nextUpdate", b);
    cJSON_AddNumberToObject(q, "tcbEvaluationDataNumber", 1);
    cJSON_AddStringToObject(q, "miscselect", "00000000");
    cJSON_AddStringToObject(q, "miscselectMask", "FFFFFFFF");
    cJSON_AddStringToObject(q, "attributes", "11000000000000000000000000000000");
    cJSON_AddStringToObject(q, "attributesMask", "FBFFFFFFFFFFFFFF0000000000000000");
    cJSON_AddStringToObject(q, "mrsigner", mrs_hex);
    cJSON_AddNumberToObject(q, "isvprodid", qe_prod);
    cJSON *ql = cJSON_AddArrayToObject(q, "tcbLevels"), *l = cJSON_CreateObject();
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(l, "tcb"), "isvsvn", qe_svn);
    cJSON_AddStringToObject(l, "tcbDate", a);
    cJSON_AddStringToObject(l, "tcbStatus", o->qe_status ? o->qe_status : "UpToDate");
    cJSON_AddItemToArray(ql, l);

    cJSON *col = cJSON_CreateObject();
    char *tt = NULL, *qt = NULL, ts[129], qs[129];
    int rc =
        add_file(col, "pck_crl_issuer_chain", dir, "pck-crl-chain.pem", false, err) ||
                add_file(col, "root_ca_crl", dir, "root.crl.der", true, err) ||
                add_file(col, "pck_crl", dir, o->pck_crl ? o->pck_crl : "pck.crl.der", true, err) ||
                add_file(col, "tcb_info_issuer_chain", dir, "tcb-chain.pem", false, err) ||
                add_file(col, "qe_identity_issuer_chain", dir, "tcb-chain.pem", false, err) ||
                signed_text(dir, t, &tt, ts, err) || signed_text(dir, q, &qt, qs, err)
            ? -1
            : 0;
    if (rc == 0) {
        cJSON_AddStringToObject(col, "tcb_info", tt);
        cJSON_AddStringToObject(col, "tcb_info_signature", ts);
        cJSON_AddStringToObject(col, "qe_identity", qt);
        cJSON_AddStringToObject(col, "qe_identity_signature", qs);
        *json = cJSON_Print(col);
        if (!*json)
            rc = zg_err_set(err, ENOMEM, "out of memory");
    }
    free(tt);
    free(qt);
    cJSON_Delete(t);
    cJSON_Delete(q);
    cJSON_Delete(col);
    return rc;
}

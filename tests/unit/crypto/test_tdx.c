/* zg/tdx.h without a network or a PKI: the embedded root is Intel's, the
 * parser is strict inside the signature data and tolerant after it, the
 * TD attributes rule, the tee_status words, and the collateral reader. The
 * signature chain is tested on real and synthetic quotes by tests/tdx/. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/hex.h"
#include "zg/tdx.h"

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

static const char chain[] = "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n";

/* A quote shaped right (signatures are garbage): version 4 or 5, body
 * TD 1.0 or 1.5, pad zero bytes after the signature data. */
static size_t build(uint8_t *q, int version, int body, size_t pad)
{
    size_t blen = body == ZG_TDX_BODY_TD15 ? 648 : 584, at = 48;
    memset(q, 0, 8192);
    put16(q, (unsigned)version);
    put16(q + 2, 2);
    put32(q + 4, 0x81);
    if (version == 5) {
        put16(q + 48, (unsigned)body);
        put32(q + 50, (uint32_t)blen);
        at += 6;
    }
    for (size_t i = 0; i < blen; i++)
        q[at + i] = (uint8_t)(i * 7);
    at += blen;
    size_t auth = 32, inner = sizeof chain, cert = 384 + 64 + 2 + auth + 6 + inner;
    size_t sig = 128 + 6 + cert;
    put32(q + at, (uint32_t)sig);
    uint8_t *s = q + at + 4;
    put16(s + 128, 6);
    put32(s + 130, (uint32_t)cert);
    put16(s + 134 + 448, (unsigned)auth);
    put16(s + 134 + 450 + auth, 5);
    put32(s + 134 + 452 + auth, (uint32_t)inner);
    memcpy(s + 134 + 456 + auth, chain, inner);
    return at + 4 + sig + pad;
}

static void test_root(void)
{
    BIO *b = BIO_new_mem_buf(zg_tdx_intel_root_pem, -1);
    X509 *c = PEM_read_bio_X509(b, NULL, NULL, NULL);
    unsigned char md[32];
    unsigned n = 0;
    CHECK(c && X509_digest(c, EVP_sha256(), md, &n) == 1 && n == 32, "the embedded root parses");
    char hex[65];
    zg_hex_encode(hex, md, 32);
    CHECK_STR(hex, "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3",
              "the embedded root is the Intel SGX Root CA (SHA-256 fingerprint)");
    char cn[96] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof cn);
    CHECK_STR(cn, "Intel SGX Root CA", "...its subject");
    X509_free(c);
    BIO_free(b);
}

static void test_parse(void)
{
    uint8_t *q = malloc(8192);
    zg_tdx_quote p;
    zg_err e = {0};

    size_t n = build(q, 4, ZG_TDX_BODY_TD10, 0);
    CHECK(zg_tdx_parse(&p, q, n, &e) == 0, "v4 parses: %s", e.msg);
    CHECK(p.version == 4 && p.body_type == ZG_TDX_BODY_TD10 && p.signed_len == 632 &&
              p.trailing == 0,
          "v4: TD 1.0 body, 632 signed bytes");
    CHECK(p.report_data == q + 48 + 520 && p.rtmr[3] == q + 48 + 472 && p.mr_td == q + 48 + 136,
          "v4: report data, RTMR3 and MRTD where Intel's layout puts them");
    CHECK(p.mr_service_td == NULL, "v4: no MRSERVICETD");
    CHECK(p.qe_auth_len == 32 && p.pck_chain_len == sizeof chain &&
              !memcmp(p.pck_chain, chain, sizeof chain),
          "v4: QE auth data and the PCK chain found");

    n = build(q, 5, ZG_TDX_BODY_TD15, 70);
    CHECK(zg_tdx_parse(&p, q, n, &e) == 0, "v5 TD 1.5 with 70 zero bytes parses: %s", e.msg);
    CHECK(p.signed_len == 48 + 6 + 648 && p.trailing == 70 && p.trailing_zero,
          "v5: 702 signed bytes, 70 trailing zero bytes counted");
    CHECK(p.mr_service_td == q + 54 + 600 && p.report_data == q + 54 + 520, "v5: TD 1.5 fields");
    q[n - 1] = 7;
    CHECK(zg_tdx_parse(&p, q, n, &e) == 0 && !p.trailing_zero,
          "non-zero bytes after the signature data: tolerated, told apart");

    n = build(q, 5, ZG_TDX_BODY_TD10, 0);
    CHECK(zg_tdx_parse(&p, q, n, &e) == 0 && p.body_type == ZG_TDX_BODY_TD10 &&
              p.signed_len == 48 + 6 + 584,
          "v5 with a TD 1.0 body");

    /* Every cut of a good quote is refused with EPROTO, none reads past it. */
    n = build(q, 4, ZG_TDX_BODY_TD10, 0);
    bool all = true;
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, q, cut);
        e.code = 0;
        all &= zg_tdx_parse(&p, c, cut, &e) == -1 && e.code == EPROTO;
        free(c);
    }
    CHECK(all, "every one of the %zu shorter prefixes is refused (EPROTO)", n);

    struct {
        size_t at, width;
        uint32_t v;
        const char *what;
    } bad[] = {
        {0, 2, 3, "version 3"},
        {4, 4, 0, "TEE type SGX"},
        {2, 2, 3, "attestation key type 3"},
        {636 + 128, 2, 5, "certification data type 5 where 6 belongs"},
        {636 + 130, 4, 0, "certification data size 0"},
        {636 + 134 + 450 + 32, 2, 4, "inner certification data type 4"},
        {636 + 134 + 452 + 32, 4, sizeof chain - 1, "PCK chain size one short"},
        {636 + 134 + 448, 2, 0xffff, "QE auth data size past its container"},
        {632, 4, 0xffffff, "signature data length past the end"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = build(q, 4, ZG_TDX_BODY_TD10, 16);
        if (bad[i].width == 2)
            put16(q + bad[i].at, bad[i].v);
        else
            put32(q + bad[i].at, bad[i].v);
        e.code = 0;
        CHECK(zg_tdx_parse(&p, q, n, &e) == -1 && e.code == EPROTO, "%s: refused (%s)", bad[i].what,
              e.msg);
    }
    n = build(q, 5, ZG_TDX_BODY_TD15, 0);
    put32(q + 50, 584);
    CHECK(zg_tdx_parse(&p, q, n, &e) == -1 && e.code == EPROTO,
          "v5: a TD 1.5 body that says it is 584 bytes: refused");
    n = build(q, 5, 1, 0);
    CHECK(zg_tdx_parse(&p, q, n, &e) == -1 && strstr(e.msg, "body type"),
          "v5: an SGX body: refused (%s)", e.msg);
    free(q);
}

static void test_attributes(void)
{
    uint8_t a[8] = {0, 0, 0, 0x10};
    CHECK(zg_tdx_td_attributes_problem(a) == NULL, "SEPT_VE_DISABLE alone: a production TD");
    a[3] |= 0x40 | 0x80;
    a[7] = 0x80;
    CHECK(zg_tdx_td_attributes_problem(a) == NULL, "PKS, KL and PERFMON are allowed");
    uint8_t d[8] = {1, 0, 0, 0x10};
    CHECK(zg_tdx_td_attributes_problem(d) && strstr(zg_tdx_td_attributes_problem(d), "DEBUG"),
          "the DEBUG bit");
    uint8_t r[8] = {0, 0, 0, 0x30};
    CHECK(zg_tdx_td_attributes_problem(r) != NULL, "a reserved SEC bit");
    uint8_t s[8] = {0};
    CHECK(zg_tdx_td_attributes_problem(s) != NULL, "SEPT_VE_DISABLE off");
}

static void test_status(void)
{
    unsigned b = 0;
    zg_err e = {0};
    CHECK(zg_tdx_status_parse(&b, "UpToDate,outofdate", &e) == 0 &&
              b == (ZG_TDX_ST_UPTODATE | ZG_TDX_ST_OUTOFDATE),
          "two statuses, any case");
    CHECK(zg_tdx_status_parse(&b, "default", &e) == 0 && b == ZG_TDX_ST_DEFAULT &&
              !(b & ZG_TDX_ST_REVOKED),
          "default: everything but Revoked");
    CHECK(b & ZG_TDX_ST_RELAUNCH && b & ZG_TDX_ST_RELAUNCH_CONFIG,
          "default: the TD relaunch advice too");
    CHECK(zg_tdx_status_parse(&b, "all", &e) == 0 && (b & ZG_TDX_ST_REVOKED), "all");
    CHECK(zg_tdx_status_parse(&b, "UpToDate+tdrelaunchadvised", &e) == 0 &&
              b == (ZG_TDX_ST_UPTODATE | ZG_TDX_ST_RELAUNCH),
          "TDRelaunchAdvised is a word of its own");
    CHECK(zg_tdx_status_parse(&b, "TDRelaunchAdvisedConfigurationNeeded", &e) == 0 &&
              b == ZG_TDX_ST_RELAUNCH_CONFIG,
          "and TDRelaunchAdvisedConfigurationNeeded");
    CHECK(zg_tdx_status_parse(&b, "UpToDate,Fine", &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "\"Fine\""),
          "an unknown word is named (%s)", e.msg);
    CHECK(zg_tdx_status_parse(&b, "", &e) == -1 && e.code == EINVAL, "nothing named: EINVAL");
    CHECK(zg_tdx_status_parse(&b, "UpToDate,", &e) == 0 && b == ZG_TDX_ST_UPTODATE,
          "a trailing comma is fine");
}

/* Intel's QVL, TdxModuleCheck.cpp convergeTcbStatusWithTdxModuleStatus:
 * every platform status against each status a module level may carry. */
static void test_module_status(void)
{
    static const struct {
        const char *platform, *module, *want;
    } t[] = {
        {"UpToDate", "UpToDate", "UpToDate"},
        {"SWHardeningNeeded", "UpToDate", "SWHardeningNeeded"},
        {"OutOfDate", "UpToDate", "OutOfDate"},
        {"UpToDate", "OutOfDate", "OutOfDate"},
        {"SWHardeningNeeded", "OutOfDate", "OutOfDate"},
        {"ConfigurationNeeded", "OutOfDate", "OutOfDateConfigurationNeeded"},
        {"ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded"},
        {"OutOfDate", "OutOfDate", "OutOfDate"},
        {"OutOfDateConfigurationNeeded", "OutOfDate", "OutOfDateConfigurationNeeded"},
        {"Revoked", "OutOfDate", "Revoked"},
        {"UpToDate", "Revoked", "Revoked"},
        {"ConfigurationNeeded", "Revoked", "Revoked"},
        {"Revoked", "UpToDate", "Revoked"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *got = zg_tdx_status_with_module(t[i].platform, t[i].module);
        CHECK(got && !strcmp(got, t[i].want), "platform %s, module %s: %s (got %s)", t[i].platform,
              t[i].module, t[i].want, got ? got : "NULL");
    }
    CHECK(zg_tdx_status_with_module("UpToDate", "ConfigurationNeeded") == NULL,
          "ConfigurationNeeded is no module status");
    CHECK(zg_tdx_status_with_module("UpToDate", "SWHardeningNeeded") == NULL,
          "SWHardeningNeeded is no module status");
    CHECK(zg_tdx_status_with_module("Fine", "UpToDate") == NULL, "an unknown platform status");
    CHECK(zg_tdx_status_with_module("TDRelaunchAdvised", "UpToDate") == NULL,
          "TDRelaunchAdvised is no TCB level's status");
}

/* Intel's QVL, TcbLevelCheck.cpp convergeTcbStatusWithQeTcbStatus, after
 * EnclaveReportVerifier::verify turns the QE's level into UpToDate, Revoked
 * or "ISVSVN out of date" (any other status): every TCB status against
 * every status a QE level may carry. Rows: the TCB status; columns: the QE
 * level UpToDate, ConfigurationNeeded, OutOfDate,
 * OutOfDateConfigurationNeeded, Revoked. */
static void test_qe_status(void)
{
    static const char *const qe[5] = {"UpToDate", "ConfigurationNeeded", "OutOfDate",
                                      "OutOfDateConfigurationNeeded", "Revoked"};
    static const struct {
        const char *tcb, *want[5];
    } t[] = {
        {"UpToDate", {"UpToDate", "OutOfDate", "OutOfDate", "OutOfDate", "Revoked"}},
        {"SWHardeningNeeded",
         {"SWHardeningNeeded", "OutOfDate", "OutOfDate", "OutOfDate", "Revoked"}},
        {"ConfigurationNeeded",
         {"ConfigurationNeeded", "OutOfDateConfigurationNeeded", "OutOfDateConfigurationNeeded",
          "OutOfDateConfigurationNeeded", "Revoked"}},
        {"ConfigurationAndSWHardeningNeeded",
         {"ConfigurationAndSWHardeningNeeded", "OutOfDateConfigurationNeeded",
          "OutOfDateConfigurationNeeded", "OutOfDateConfigurationNeeded", "Revoked"}},
        {"OutOfDate", {"OutOfDate", "OutOfDate", "OutOfDate", "OutOfDate", "Revoked"}},
        {"OutOfDateConfigurationNeeded",
         {"OutOfDateConfigurationNeeded", "OutOfDateConfigurationNeeded",
          "OutOfDateConfigurationNeeded", "OutOfDateConfigurationNeeded", "Revoked"}},
        {"Revoked", {"Revoked", "Revoked", "Revoked", "Revoked", "Revoked"}},
        {"TDRelaunchAdvised",
         {"TDRelaunchAdvised", "TDRelaunchAdvised", "TDRelaunchAdvised", "TDRelaunchAdvised",
          "Revoked"}},
        {"TDRelaunchAdvisedConfigurationNeeded",
         {"TDRelaunchAdvisedConfigurationNeeded", "TDRelaunchAdvisedConfigurationNeeded",
          "TDRelaunchAdvisedConfigurationNeeded", "TDRelaunchAdvisedConfigurationNeeded",
          "Revoked"}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        for (int j = 0; j < 5; j++) {
            const char *got = zg_tdx_status_with_qe(t[i].tcb, qe[j]);
            CHECK(got && !strcmp(got, t[i].want[j]), "TCB %s, QE %s: %s (got %s)", t[i].tcb, qe[j],
                  t[i].want[j], got ? got : "NULL");
        }
    CHECK(zg_tdx_status_with_qe("UpToDate", "SWHardeningNeeded") == NULL,
          "SWHardeningNeeded is no QE status");
    CHECK(zg_tdx_status_with_qe("UpToDate", "ConfigurationAndSWHardeningNeeded") == NULL,
          "ConfigurationAndSWHardeningNeeded is no QE status");
    CHECK(zg_tdx_status_with_qe("Fine", "UpToDate") == NULL, "an unknown TCB status");
}

static void test_collateral(void)
{
    zg_tdx_collateral c;
    zg_err e = {0};
    const char *sig = "\"" /* 64 bytes of hex */
                      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
                      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"";
    char json[2048];
    snprintf(json, sizeof json,
             "{\"pck_crl_issuer_chain\":\"P\",\"root_ca_crl\":\"3001\",\"pck_crl\":\"3002\","
             "\"tcb_info_issuer_chain\":\"T\",\"tcb_info\":\"{}\",\"tcb_info_signature\":%s,"
             "\"qe_identity_issuer_chain\":\"Q\",\"qe_identity\":\"{}\","
             "\"qe_identity_signature\":%s}",
             sig, sig);
    CHECK(zg_tdx_collateral_parse(&c, json, strlen(json), &e) == 0, "collateral parses: %s", e.msg);
    CHECK(c.root_ca_crl.len == 2 && c.pck_crl.data[1] == 2 && c.tcb_info_sig[1] == 0x11,
          "CRLs and signatures decoded from hex");
    char *back = zg_tdx_collateral_json(&c);
    zg_tdx_collateral d;
    CHECK(back && zg_tdx_collateral_parse(&d, back, strlen(back), &e) == 0 &&
              !memcmp(d.qe_identity_sig, c.qe_identity_sig, 64) &&
              !strcmp(d.pck_crl_issuer_chain, "P"),
          "written back and read again: the same");
    free(back);
    zg_tdx_collateral_free(&d);
    zg_tdx_collateral_free(&c);
    char *cut = strstr(json, ",\"qe_identity_signature\"");
    strcpy(cut, "}");
    CHECK(zg_tdx_collateral_parse(&c, json, strlen(json), &e) == -1 && e.code == EPROTO &&
              strstr(e.msg, "qe_identity_signature"),
          "a missing member is named (%s)", e.msg);
    CHECK(zg_tdx_collateral_parse(&c, "[]", 2, &e) == -1, "not an object: refused");
}

static void test_verify_garbage(void)
{
    zg_buf r;
    zg_buf_init(&r, 0);
    zg_tdx_result res;
    zg_tdx_opts o = {.now = 1771500000};
    zg_err e = {0};
    CHECK(zg_tdx_verify((const uint8_t *)"<html>", 6, &o, &r, &res, &e) == 0 && res.fails == 1 &&
              !res.chain_ok,
          "garbage: one FAIL, no chain");
    CHECK(r.len && !strncmp((char *)r.data, "FAIL tdx quote: not a TDX quote", 31),
          "...FAIL tdx quote");
    zg_buf_free(&r);
}

int main(void)
{
    test_root();
    test_parse();
    test_attributes();
    test_status();
    test_module_status();
    test_qe_status();
    test_collateral();
    test_verify_garbage();
    return check_done();
}

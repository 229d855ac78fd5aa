/* Intel TDX DCAP quotes: parsing (quote versions 4 and 5, TD 1.0 and TD 1.5
 * report bodies), the signature chain up to a trusted root (Intel's SGX Root
 * CA, embedded, or a test root the devnet names), and the collateral Intel
 * publishes for it (TCB info, QE identity, CRLs). Offline: the caller hands
 * in the collateral (zg/tdxcol.h fetches and caches it) and the time.
 *
 * Layouts: Intel "TDX DCAP Quote Generation Library and Quote Verification
 * Library" API (quote format v4/v5, ECDSA quote signature data, QE
 * certification data type 6 around PCK chain type 5); the PCS API v4 for TCB
 * info and QE identity. */
#ifndef ZG_TDX_H
#define ZG_TDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"

#define ZG_TDX_TEE_TYPE  0x81
#define ZG_TDX_BODY_TD10 2 /* v5 body type of a TD 1.0 report */
#define ZG_TDX_BODY_TD15 3 /* v5 body type of a TD 1.5 report */

/* A parsed quote. The pointers point into the caller's quote bytes, which
 * must outlive this struct; nothing here is owned. */
typedef struct zg_tdx_quote {
    uint16_t version;  /* 4 or 5 */
    uint16_t key_type; /* 2: ECDSA-256 with P-256 */
    uint32_t tee_type; /* 0x81: TDX */
    uint16_t qe_svn, pce_svn;
    const uint8_t *header; /* 48 bytes */
    uint16_t body_type;    /* ZG_TDX_BODY_TD10 or _TD15 (v4: always TD10) */

    /* The TD report (offsets of the TD 1.0 body; TD 1.5 adds the last two). */
    const uint8_t *tee_tcb_svn;    /* 16 */
    const uint8_t *mr_seam;        /* 48 */
    const uint8_t *mr_signer_seam; /* 48 */
    const uint8_t *seam_attributes;
    const uint8_t *td_attributes; /* 8 */
    const uint8_t *xfam;          /* 8 */
    const uint8_t *mr_td;         /* 48 */
    const uint8_t *mr_config_id, *mr_owner, *mr_owner_config;
    const uint8_t *rtmr[4];       /* 48 each */
    const uint8_t *report_data;   /* 64 */
    const uint8_t *tee_tcb_svn2;  /* TD 1.5 only, else NULL */
    const uint8_t *mr_service_td; /* TD 1.5 only, else NULL */

    size_t signed_len;            /* bytes [0, signed_len) are what the attestation key signs */
    const uint8_t *signature;     /* 64: r || s, big-endian */
    const uint8_t *attest_key;    /* 64: x || y of the P-256 attestation key */
    const uint8_t *qe_report;     /* 384: SGX enclave report of the quoting enclave */
    const uint8_t *qe_report_sig; /* 64 */
    const uint8_t *qe_auth;       /* QE authentication data */
    size_t qe_auth_len;
    const char *pck_chain; /* PEM: PCK leaf, then its CAs (certification data type 5) */
    size_t pck_chain_len;
    size_t trailing; /* bytes after the signature data (ignored, not signed) */
    bool trailing_zero;
} zg_tdx_quote;

/* Parse a quote: strict about every length and type inside it, tolerant of
 * bytes after the signature data (quote generators pad). EPROTO with a
 * sentence naming the field when the bytes are no TDX v4/v5 quote. */
int zg_tdx_parse(zg_tdx_quote *q, const uint8_t *raw, size_t len, zg_err *err);

/* Collateral in the JSON shape Phala's dcap-qvl calls QuoteCollateralV3
 * (the PCS answers gathered in one object): PEM issuer chains, the TCB info
 * and QE identity as the exact signed JSON text, signatures as hex r || s,
 * CRLs as hex DER. All owned; free with zg_tdx_collateral_free. */
typedef struct zg_tdx_collateral {
    char *pck_crl_issuer_chain;
    zg_buf root_ca_crl, pck_crl; /* DER */
    char *tcb_info_issuer_chain;
    char *tcb_info; /* signed text */
    uint8_t tcb_info_sig[64];
    char *qe_identity_issuer_chain;
    char *qe_identity; /* signed text */
    uint8_t qe_identity_sig[64];
} zg_tdx_collateral;

int zg_tdx_collateral_parse(zg_tdx_collateral *c, const char *json, size_t len, zg_err *err);
/* The same object back as JSON text (for the cache): malloc'd, or NULL. */
char *zg_tdx_collateral_json(const zg_tdx_collateral *c);
void zg_tdx_collateral_free(zg_tdx_collateral *c);

/* Intel SGX Root CA (PEM), SHA-256 fingerprint of its DER
 * 44:A0:19:6B:2B:99:F8:89:B8:E1:49:E9:5B:80:7A:35:0E:74:24:96:43:99:E8:85:A7:CB:B8:CC:FA:B6:74:D3.
 */
extern const char zg_tdx_intel_root_pem[];

typedef struct zg_tdx_opts {
    const char *root_pem;         /* the trust anchor; NULL: Intel's SGX Root CA */
    int64_t now;                  /* unix seconds the checks are made at */
    const zg_tdx_collateral *col; /* NULL: the collateral steps are SKIPped */
    const char *col_missing;      /* why there is none (for the SKIP lines) */
    unsigned accept; /* ZG_TDX_ST_* bits of the TCB statuses that pass; 0: the default */
} zg_tdx_opts;

/* TCB statuses, Intel's words (PCS API v4), best first, then the two of
 * the TD relaunch advice. */
enum {
    ZG_TDX_ST_UPTODATE = 1u << 0,           /* UpToDate */
    ZG_TDX_ST_SWHARDENING = 1u << 1,        /* SWHardeningNeeded */
    ZG_TDX_ST_CONFIG = 1u << 2,             /* ConfigurationNeeded */
    ZG_TDX_ST_CONFIG_SWHARDENING = 1u << 3, /* ConfigurationAndSWHardeningNeeded */
    ZG_TDX_ST_OUTOFDATE = 1u << 4,          /* OutOfDate */
    ZG_TDX_ST_OUTOFDATE_CONFIG = 1u << 5,   /* OutOfDateConfigurationNeeded */
    ZG_TDX_ST_REVOKED = 1u << 6,            /* Revoked */
    /* A TD 1.5 whose TDX module was OutOfDate at launch and has since been
     * updated in place to the latest level (Intel's QVL,
     * TDRelaunchCheck.cpp): TD_RELAUNCH_ADVISED and its variant for a
     * platform that needs configuration. Accepted by their own name or by
     * the name of the status they stand in for (OutOfDate,
     * OutOfDateConfigurationNeeded). */
    ZG_TDX_ST_RELAUNCH = 1u << 7,                     /* TDRelaunchAdvised */
    ZG_TDX_ST_RELAUNCH_CONFIG = 1u << 8,              /* TDRelaunchAdvisedConfigurationNeeded */
    ZG_TDX_ST_DEFAULT = ((1u << 9) - 1) & ~(1u << 6), /* all but Revoked */
};

/* "UpToDate+OutOfDate+..." (Intel's words, case-insensitive, separated by
 * '+' or ','; "all" and "default" too) to bits; EINVAL naming the word it
 * does not know. */
int zg_tdx_status_parse(unsigned *bits, const char *list, zg_err *err);

/* The TCB status of a platform whose TDX module's own TCB level says
 * module, as Intel's QVL converges them (TdxModuleCheck.cpp,
 * convergeTcbStatusWithTdxModuleStatus): a static string in Intel's words,
 * or NULL when platform is no TCB status or module is none of the three a
 * module level may carry (UpToDate, OutOfDate, Revoked). */
const char *zg_tdx_status_with_module(const char *platform, const char *module);

/* That status merged with the QE identity's TCB level qe, as Intel's QVL
 * does (TcbLevelCheck.cpp, convergeTcbStatusWithQeTcbStatus): a static
 * string, or NULL when tcb is no TCB status or qe none of the five a QE
 * level may carry (UpToDate, ConfigurationNeeded, OutOfDate,
 * OutOfDateConfigurationNeeded, Revoked). */
const char *zg_tdx_status_with_qe(const char *tcb, const char *qe);

typedef struct zg_tdx_result {
    unsigned fails, skips;
    bool chain_ok;        /* quote signature, QE report and PCK chain to the root all PASS */
    char status[40];      /* the TCB status (Intel's words; for TD_RELAUNCH_ADVISED
                           * "TDRelaunchAdvised[ConfigurationNeeded]"), "" when not evaluated */
    char advisories[512]; /* comma-separated advisory ids, may be empty */
    char fmspc[13];       /* hex, from the PCK certificate */
    char pck_ca[16];      /* "platform" or "processor": the PCK CRL to ask for */
} zg_tdx_result;

/* Verify a quote. One "PASS|FAIL|SKIP step: detail" line per step goes to
 * report. Returns -1 only for an unusable argument or out of memory; a
 * quote that fails a check is res->fails > 0. */
int zg_tdx_verify(const uint8_t *raw, size_t len, const zg_tdx_opts *o, zg_buf *report,
                  zg_tdx_result *res, zg_err *err);

/* The FMSPC (hex) and PCK CA ("platform" or "processor") of the quote's
 * PCK certificate: what to ask a PCCS for. Nothing is verified here. */
int zg_tdx_pck_info(const uint8_t *raw, size_t len, char fmspc[13], char ca[16], zg_err *err);

/* The TD attributes rule (debug off, no reserved bits, SEPT_VE_DISABLE on):
 * NULL when fine, else a sentence. */
const char *zg_tdx_td_attributes_problem(const uint8_t attr[8]);

#endif

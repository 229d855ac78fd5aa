/* The TEE check before trusting a provider: its attestation document
 * (zg/attest.h) verified to the network's trust anchor with the collateral
 * of its platform, fetched from a PCCS (Intel's PCS API v4 paths) and kept
 * in a cache directory while it is current. Every path that acknowledges a
 * provider's TEE signer on chain calls zg_tee_vet first. */
#ifndef ZG_TEECHECK_H
#define ZG_TEECHECK_H

#include <stdint.h>

#include "zg/attest.h"
#include "zg/client.h"
#include "zg/ftserving.h"

typedef struct zg_tee_policy {
    const char *root_pem;  /* PEM text of the trust anchor; NULL: Intel's SGX Root CA */
    const char *pccs;      /* PCCS/PCS base URL; NULL or "": offline */
    const char *cache_dir; /* where collateral is kept; NULL: nowhere */
    unsigned accept;       /* accepted TCB statuses (ZG_TDX_ST_*); 0: the default */
} zg_tee_policy;

/* The collateral of a platform (FMSPC hex, PCK CA "platform"/"processor"):
 * the cached copy when it is current at now, else the PCCS's (then cached).
 * Returns 0 with *col filled (free with zg_tdx_collateral_free), 1 when none
 * can be had (why says why, for the SKIP lines), -1 only for ENOMEM. */
int zg_tee_collateral(zg_client *c, const zg_tee_policy *p, const char *fmspc, const char *ca,
                      int64_t now, zg_tdx_collateral *col, char why[256], zg_err *err);

/* zg_attest_verify of one document with the collateral its quote needs. */
int zg_tee_check_doc(zg_client *c, const zg_tee_policy *p, const uint8_t *doc, size_t len,
                     const uint8_t signer[20], int64_t now, zg_buf *report, zg_attest_result *res,
                     zg_err *err);

/* The verdict on a provider's document in both layouts (the default one
 * and ?legacy=true): each checked by zg_tee_check_doc, its step lines
 * named by layout, NOTE lines once (they say the same for both). The
 * provider passes only when no step of either failed. */
typedef struct zg_tee_verdict {
    zg_buf text; /* the PASS/FAIL/SKIP/NOTE lines; owned */
    unsigned fails, skips;
} zg_tee_verdict;

/* legacy may be NULL (the provider did not serve it). out is initialized
 * whatever the result; free with zg_tee_verdict_free. */
int zg_tee_check_layouts(zg_client *c, const zg_tee_policy *p, const zg_buf *doc,
                         const zg_buf *legacy, const uint8_t signer[20], int64_t now,
                         zg_tee_verdict *out, zg_err *err);
void zg_tee_verdict_free(zg_tee_verdict *v);

/* The verdict's closing line ("RESULT PASS: ..." or "RESULT FAIL: ..."),
 * appended to out. */
int zg_tee_verdict_result(const zg_tee_verdict *v, bool legacy_checked, zg_buf *out, zg_err *err);

/* Fetch the provider's document (GET /v1/quote at the URL of its kind of
 * service) and check it against its on-chain TEE signer. 0 when every
 * check passed; -1 with EACCES and a sentence naming the step that failed,
 * or the network's errno when the provider or chain cannot be asked.
 * report (may be NULL) gets the lines. */
int zg_tee_vet(zg_client *c, const zg_tee_policy *p, zg_service_kind kind,
               const uint8_t provider[20], zg_buf *report, zg_attest_result *res, zg_err *err);

/* ---- the report of a fine-tuning provider (providers/P/attestation/report) */

/* Whether a failure to fetch the ?legacy=true layout says the provider
 * answered, only not with that layout (the report then says it was not
 * checked), as opposed to not answering at all (the report fails). */
bool zg_tee_legacy_answered(int code);

/* The key a verdict may be kept under: the checks are pure functions of
 * the signer and both documents (legacy may be NULL), given the clock
 * and the collateral's dates, so keep it within a ttl only. */
void zg_tee_verdict_key(char *out, size_t cap, const uint8_t provider[20], const uint8_t signer[20],
                        const zg_buf *doc, const zg_buf *legacy);

/* What the report says besides the documents and the verdict. */
typedef struct zg_tee_report_ctx {
    bool test_root;   /* the trust anchor is the devnet's test root */
    const char *pccs; /* where collateral comes from; NULL or "": nowhere */
} zg_tee_report_ctx;

/* The report: the provider's record (s), each document's size and
 * sha256, the trust anchor, the collateral's source, then the verdict's
 * lines and its RESULT line. legacy NULL: not served, legacy_err says
 * why. Appended to out. */
int zg_tee_report(const zg_ft_service *s, const zg_buf *doc, const zg_buf *legacy,
                  const zg_err *legacy_err, const zg_tee_verdict *d, const zg_tee_report_ctx *x,
                  zg_buf *out, zg_err *err);

#endif

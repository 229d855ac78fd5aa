/* Checking a fine-tuning provider's attestation document (GET /v1/quote of
 * 0g-serving-broker, a dstack document: quote, event_log, report_data,
 * tcb_info or info): the TDX quote verified to its root (zg/tdx.h), then
 * what binds the document to it:
 *
 *   signer         report_data INSIDE the signed quote names the on-chain TEE
 *                  signer (legacy "0x..." text, or enc_pub | address |
 *                  version | zeros)
 *   quote          the document's own report_data is the quote's
 *   event log      the log replays to RTMR0-3 of the quote (SHA-384 extend
 *                  from 48 zero bytes; dstack runtime events' digests
 *                  recomputed from their payloads, dstack cc-eventlog)
 *   compose        the compose-hash event is SHA-256 of tcb_info.app_compose
 *   mr_aggregated  when the document carries it: dstack-attest's definition
 *                  over MRTD, RTMR0-3 and the owner fields of the quote */
#ifndef ZG_ATTEST_H
#define ZG_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/tdx.h"

typedef struct zg_attest_opts {
    const char *root_pem;         /* trust anchor; NULL: Intel's SGX Root CA */
    const zg_tdx_collateral *col; /* NULL: the collateral steps are SKIPped */
    const char *col_missing;      /* why there is none */
    unsigned accept;              /* accepted TCB statuses (ZG_TDX_ST_*); 0: the default */
    int64_t now;                  /* unix seconds the checks are made at */
} zg_attest_opts;

typedef struct zg_attest_result {
    unsigned fails, skips;
    char status[40]; /* TCB status, "" when not established */
    char advisories[512];
    char first_fail[256]; /* "step: sentence" of the first FAIL, "" when none */
} zg_attest_result;

/* Run every check of the document against the on-chain TEE signer. One
 * "PASS|FAIL|SKIP|NOTE step: detail" line per step goes to report. Returns
 * -1 only when the document cannot be read at all (EPROTO) or memory runs
 * out; a document that fails a check is res->fails > 0. */
int zg_attest_verify(const uint8_t *doc, size_t len, const uint8_t tee_signer[20],
                     const zg_attest_opts *o, zg_buf *report, zg_attest_result *res, zg_err *err);

/* The FMSPC and PCK CA of the document's quote, to fetch its collateral. */
int zg_attest_pck_info(const uint8_t *doc, size_t len, char fmspc[13], char ca[16], zg_err *err);

#endif

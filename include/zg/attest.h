/* Checking a fine-tuning provider's attestation document (GET /v1/quote,
 * provider-protocol.md §5): every check the official verify_service makes,
 * plus one it does not (the TDX quote itself carries the document's
 * report_data), and a plain statement of what is not checked. */
#ifndef ZG_ATTEST_H
#define ZG_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"

/* Run the checks on the quote body against the on-chain TEE signer. Appends
 * a human-readable report (one "PASS|FAIL|NOTE step: detail" line per step)
 * to report; *all_pass says whether every check passed. Returns -1 only when
 * the document cannot be read at all (EPROTO). */
int zg_attest_verify(const uint8_t *quote, size_t len, const uint8_t tee_signer[20], zg_buf *report,
                     bool *all_pass, zg_err *err);

#endif

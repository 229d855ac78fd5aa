/* The attestation document (zg/attest.h): GET /v1/quote's body, checked
 * against a fixed on-chain TEE signer (the one the seeds were made for, so
 * the fuzzer starts from documents that pass).
 *
 * Invariants: only a body that is not a JSON object is refused outright;
 * otherwise the report is lines of "PASS|FAIL|NOTE step: detail" with no
 * control characters (the provider chooses much of the detail, and the
 * report is a file people cat), each of the four checks reports exactly
 * once, and "all passed" is true exactly when none of them failed. */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "zg/attest.h"
#include "zg/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t signer[20];
    zg_hex_decode_exact(signer, 20, FUZZ_TEE_SIGNER, NULL);
    zg_buf report;
    zg_buf_init(&report, 0);
    bool all = (size & 1) != 0; /* whatever it was, it must be overwritten */
    zg_err e = {0};
    int rc = zg_attest_verify(data, size, signer, &report, &all, &e);
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    FUZZ_CHECK((rc == 0) == cJSON_IsObject(doc), "refusal and JSON object disagree");
    cJSON_Delete(doc);
    if (rc) {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EPROTO && report.len == 0, "a refusal with a report");
        zg_buf_free(&report);
        return 0;
    }
    static const char *const steps[] = {"format", "signer", "quote", "compose"};
    int seen[4] = {0}, failed = 0;
    const char *p = (const char *)report.data, *end = p + report.len;
    FUZZ_CHECK(report.len > 0 && end[-1] == '\n', "the report does not end a line");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        FUZZ_CHECK(nl, "unterminated line");
        for (const char *c = p; c < nl; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "control byte 0x%02x in \"%.*s\"",
                       (unsigned char)*c, (int)(nl - p), p);
        FUZZ_CHECK(nl - p >= 5 && (!strncmp(p, "PASS ", 5) || !strncmp(p, "FAIL ", 5) ||
                                   !strncmp(p, "NOTE ", 5)),
                   "line \"%.*s\"", (int)(nl - p), p);
        for (int i = 0; i < 4; i++) {
            size_t sl = strlen(steps[i]);
            if ((size_t)(nl - p) > 5 + sl && !strncmp(p + 5, steps[i], sl) && p[5 + sl] == ':') {
                FUZZ_CHECK(strncmp(p, "NOTE", 4) != 0, "step %s only noted", steps[i]);
                seen[i]++;
                failed += !strncmp(p, "FAIL", 4);
            }
        }
        p = nl + 1;
    }
    for (int i = 0; i < 4; i++)
        FUZZ_CHECK(seen[i] == 1, "step %s reported %d times", steps[i], seen[i]);
    FUZZ_CHECK(all == (failed == 0), "all passed = %d with %d failed steps", all, failed);
    zg_buf_free(&report);
    return 0;
}

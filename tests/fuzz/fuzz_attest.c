/* The attestation document (zg/attest.h): GET /v1/quote's body, checked
 * against a fixed on-chain TEE signer (the one the seeds were made for, so
 * the fuzzer starts from documents that pass), with Intel's root and no
 * collateral (those steps SKIP).
 *
 * Invariants: only a body that is not a JSON object is refused outright;
 * otherwise the report is lines of "PASS|FAIL|SKIP|NOTE step: detail" with
 * no control characters (the provider chooses much of the detail, and the
 * report is a file people cat), the format and signer checks report
 * exactly once, and the result counts exactly the FAIL and SKIP lines. */
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
    zg_attest_opts o = {.col_missing = "no collateral while fuzzing", .now = 1771500000};
    zg_attest_result res;
    memset(&res, 0xa5, sizeof res); /* whatever it was, it must be overwritten */
    zg_err e = {0};
    int rc = zg_attest_verify(data, size, signer, &o, &report, &res, &e);
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    FUZZ_CHECK((rc == 0) == cJSON_IsObject(doc), "refusal and JSON object disagree");
    cJSON_Delete(doc);
    if (rc) {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EPROTO && report.len == 0, "a refusal with a report");
        zg_buf_free(&report);
        return 0;
    }
    static const char *const steps[] = {"format", "signer"};
    int seen[2] = {0};
    unsigned failed = 0, skipped = 0;
    const char *p = (const char *)report.data, *end = p + report.len;
    FUZZ_CHECK(report.len > 0 && end[-1] == '\n', "the report does not end a line");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        FUZZ_CHECK(nl, "unterminated line");
        for (const char *c = p; c < nl; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "control byte 0x%02x in \"%.*s\"",
                       (unsigned char)*c, (int)(nl - p), p);
        FUZZ_CHECK(nl - p >= 5 && (!strncmp(p, "PASS ", 5) || !strncmp(p, "FAIL ", 5) ||
                                   !strncmp(p, "SKIP ", 5) || !strncmp(p, "NOTE ", 5)),
                   "line \"%.*s\"", (int)(nl - p), p);
        failed += !strncmp(p, "FAIL", 4);
        skipped += !strncmp(p, "SKIP", 4);
        for (int i = 0; i < 2; i++) {
            size_t sl = strlen(steps[i]);
            if ((size_t)(nl - p) > 5 + sl && !strncmp(p + 5, steps[i], sl) && p[5 + sl] == ':' &&
                strncmp(p, "NOTE", 4) != 0)
                seen[i]++;
        }
        p = nl + 1;
    }
    for (int i = 0; i < 2; i++)
        FUZZ_CHECK(seen[i] == 1, "step %s reported %d times", steps[i], seen[i]);
    FUZZ_CHECK(res.fails == failed && res.skips == skipped,
               "result counts %u FAIL and %u SKIP, the report %u and %u", res.fails, res.skips,
               failed, skipped);
    zg_buf_free(&report);
    return 0;
}

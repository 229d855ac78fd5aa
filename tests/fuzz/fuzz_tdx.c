/* TDX quotes (zg/tdx.h): the parser on any bytes. The seeds are the real
 * quotes of tests/fixtures/tdx (their origin and licence are stated there).
 *
 * Invariants: a refusal is EPROTO with a sentence; an accepted quote is a
 * version 4 or 5 ECDSA P-256 TDX quote whose every field lies inside the
 * input, with the TD 1.5 fields exactly when the body says TD 1.5 (never in
 * version 4), the signed part ahead of the signature data, and the trailing
 * bytes counted and flagged as zero exactly when they are. */
#include "fuzz.h"
#include "zg/tdx.h"

static const uint8_t *lo, *hi;

static void inside(const uint8_t *p, size_t n, const char *what)
{
    FUZZ_CHECK(p && p >= lo && n <= (size_t)(hi - p), "%s (%zu bytes) outside the quote", what, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zg_tdx_quote q;
    zg_err e = {0};
    if (zg_tdx_parse(&q, data, size, &e)) {
        fuzz_check_err(&e);
        FUZZ_CHECK(e.code == EPROTO, "errno %d", e.code);
        return 0;
    }
    lo = data;
    hi = data + size;
    FUZZ_CHECK(q.version == 4 || q.version == 5, "version %u", q.version);
    FUZZ_CHECK(q.key_type == 2 && q.tee_type == 0x81, "key type %u, tee type 0x%x", q.key_type,
               q.tee_type);
    FUZZ_CHECK(q.body_type == ZG_TDX_BODY_TD10 ||
                   (q.body_type == ZG_TDX_BODY_TD15 && q.version == 5),
               "body type %u in version %u", q.body_type, q.version);
    bool td15 = q.body_type == ZG_TDX_BODY_TD15;
    FUZZ_CHECK(!td15 == !q.tee_tcb_svn2 && !td15 == !q.mr_service_td,
               "TD 1.5 fields and body type disagree");
    inside(q.header, 48, "header");
    inside(q.tee_tcb_svn, 16, "tee_tcb_svn");
    inside(q.mr_seam, 48, "mr_seam");
    inside(q.mr_signer_seam, 48, "mr_signer_seam");
    inside(q.td_attributes, 8, "td_attributes");
    inside(q.xfam, 8, "xfam");
    inside(q.mr_td, 48, "mr_td");
    for (int i = 0; i < 4; i++)
        inside(q.rtmr[i], 48, "rtmr");
    inside(q.report_data, 64, "report_data");
    if (td15) {
        inside(q.tee_tcb_svn2, 16, "tee_tcb_svn2");
        inside(q.mr_service_td, 48, "mr_service_td");
    }
    FUZZ_CHECK(q.signed_len <= size && q.report_data + 64 <= data + q.signed_len,
               "signed part %zu of %zu bytes", q.signed_len, size);
    inside(q.signature, 64, "signature");
    inside(q.attest_key, 64, "attestation key");
    inside(q.qe_report, 384, "QE report");
    inside(q.qe_report_sig, 64, "QE report signature");
    FUZZ_CHECK(q.signature >= data + q.signed_len, "the signature lies in the signed part");
    if (q.qe_auth_len)
        inside(q.qe_auth, q.qe_auth_len, "QE authentication data");
    inside((const uint8_t *)q.pck_chain, q.pck_chain_len, "PCK chain");
    FUZZ_CHECK(q.trailing <= size, "%zu trailing bytes of %zu", q.trailing, size);
    bool zero = true;
    for (size_t i = size - q.trailing; i < size; i++)
        zero &= data[i] == 0;
    FUZZ_CHECK(q.trailing_zero == zero, "trailing bytes flagged %szero",
               q.trailing_zero ? "" : "non-");
    FUZZ_CHECK((const uint8_t *)q.pck_chain + q.pck_chain_len <= data + size - q.trailing,
               "the PCK chain reaches into the trailing bytes");
    return 0;
}

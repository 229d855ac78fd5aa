/* The attestation report of a fine-tuning provider (zg/teecheck.h): what
 * was checked, against what, and the verdict. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "zg/hex.h"
#include "zg/teecheck.h"

bool zg_tee_legacy_answered(int code)
{
    return code == EINVAL || code == ENOENT || code == EACCES || code == EPERM || code == EPROTO ||
           code == EFBIG;
}

static void sha256_hex(char out[65], const zg_buf *b)
{
    uint8_t h[32];
    unsigned int hl = 0;
    EVP_Digest(b->data, b->len, h, &hl, EVP_sha256(), NULL);
    zg_hex_encode(out, h, 32);
}

void zg_tee_verdict_key(char *out, size_t cap, const uint8_t provider[20], const uint8_t signer[20],
                        const zg_buf *doc, const zg_buf *legacy)
{
    char prov[43], sig[43], hdoc[65], hleg[65] = "-";
    zg_addr_checksum(prov, provider);
    zg_addr_checksum(sig, signer);
    sha256_hex(hdoc, doc);
    if (legacy)
        sha256_hex(hleg, legacy);
    snprintf(out, cap, "attest:%s:%s:%s:%s", prov, sig, hdoc, hleg);
}

int zg_tee_report(const zg_ft_service *s, const zg_buf *doc, const zg_buf *legacy,
                  const zg_err *legacy_err, const zg_tee_verdict *d, const zg_tee_report_ctx *x,
                  zg_buf *out, zg_err *err)
{
    char prov[43], signer[43], hdoc[65], hleg[65];
    zg_addr_checksum(prov, s->provider);
    zg_addr_checksum(signer, s->tee_signer);
    sha256_hex(hdoc, doc);
    int rc = zg_buf_printf(
        out, err,
        "provider %s: fine-tuning service at %s\n"
        "TEE signer on chain (getService): %s, %sacknowledged by the contract owner\n"
        "quote (default layout): GET /v1/quote, %zu bytes, sha256 %s\n"
        "trust anchor: %s; collateral from %s\n",
        prov, s->url ? s->url : "", signer, s->tee_acknowledged ? "" : "NOT ", doc->len, hdoc,
        x->test_root ? "the devnet's test root (devnet.json tdx.root)" : "Intel SGX Root CA",
        x->pccs && *x->pccs ? x->pccs : "nowhere (-o pccs)");
    if (rc == 0 && legacy) {
        sha256_hex(hleg, legacy);
        rc = zg_buf_printf(out, err,
                           "quote (legacy layout): GET /v1/quote?legacy=true, %zu bytes, "
                           "sha256 %s\n",
                           legacy->len, hleg);
    }
    if (rc == 0 && !legacy)
        rc = zg_buf_printf(out, err,
                           "NOTE legacy layout: not checked, the provider did not serve it: %s\n",
                           legacy_err ? legacy_err->msg : "");
    if (rc == 0)
        rc = zg_buf_append(out, d->text.data, d->text.len, err);
    if (rc == 0)
        rc = zg_tee_verdict_result(d, legacy != NULL, out, err);
    return rc;
}

/* TDX quote layout, versions 4 and 5 (Intel's TDX DCAP quote format):
 *
 *   header (48)                       version, key type, TEE type, QE/PCE SVN
 *   v5 only: body type (2), size (4)  2 = TD 1.0 (584 bytes), 3 = TD 1.5 (648)
 *   TD report body                    v4: always TD 1.0
 *   signature data length (4), then   signature (64), attestation key (64),
 *     certification data: type 6 (QE report), size (4):
 *       QE report (384), its signature (64), auth data size (2) + data,
 *       certification data: type 5 (PCK chain, PEM), size (4), chain
 *
 * Everything inside the signature data must add up exactly; what follows it
 * is not signed and generators pad there, so it is counted, not refused. */
#include "zg/tdx.h"

#include <errno.h>
#include <string.h>

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define HEADER_LEN   48
#define TD10_LEN     584
#define TD15_LEN     648
#define QE_REPORT    384
#define CERT_QE      6
#define CERT_PCK_PEM 5

static int bad(zg_err *err, const char *what, size_t at)
{
    return zg_err_set(err, EPROTO, "not a TDX quote: %s (at byte %zu)", what, at);
}

static void body(zg_tdx_quote *q, const uint8_t *b)
{
    q->tee_tcb_svn = b;
    q->mr_seam = b + 16;
    q->mr_signer_seam = b + 64;
    q->seam_attributes = b + 112;
    q->td_attributes = b + 120;
    q->xfam = b + 128;
    q->mr_td = b + 136;
    q->mr_config_id = b + 184;
    q->mr_owner = b + 232;
    q->mr_owner_config = b + 280;
    for (int i = 0; i < 4; i++)
        q->rtmr[i] = b + 328 + 48 * i;
    q->report_data = b + 520;
    if (q->body_type == ZG_TDX_BODY_TD15) {
        q->tee_tcb_svn2 = b + 584;
        q->mr_service_td = b + 600;
    }
}

int zg_tdx_parse(zg_tdx_quote *q, const uint8_t *raw, size_t len, zg_err *err)
{
    memset(q, 0, sizeof *q);
    if (!raw || len < HEADER_LEN)
        return bad(err, "shorter than its 48-byte header", len);
    q->header = raw;
    q->version = le16(raw);
    q->key_type = le16(raw + 2);
    q->tee_type = le32(raw + 4);
    q->qe_svn = le16(raw + 8);
    q->pce_svn = le16(raw + 10);
    if (q->version != 4 && q->version != 5)
        return zg_err_set(err, EPROTO, "not a TDX quote of version 4 or 5 (version %u)",
                          q->version);
    if (q->tee_type != ZG_TDX_TEE_TYPE)
        return zg_err_set(err, EPROTO, "not a TDX quote (TEE type 0x%x, TDX is 0x81)",
                          (unsigned)q->tee_type);
    if (q->key_type != 2)
        return zg_err_set(err, EPROTO,
                          "the quote's attestation key type is %u; only 2 (ECDSA P-256) is known",
                          q->key_type);
    size_t at = HEADER_LEN, blen = TD10_LEN;
    q->body_type = ZG_TDX_BODY_TD10;
    if (q->version == 5) {
        if (len < at + 6)
            return bad(err, "cut short in the body descriptor", at);
        q->body_type = le16(raw + at);
        uint32_t size = le32(raw + at + 2);
        if (q->body_type == ZG_TDX_BODY_TD10)
            blen = TD10_LEN;
        else if (q->body_type == ZG_TDX_BODY_TD15)
            blen = TD15_LEN;
        else
            return bad(err, "body type is neither TD 1.0 (2) nor TD 1.5 (3)", at);
        if (size != blen)
            return bad(err, "the body size does not match its type", at + 2);
        at += 6;
    }
    if (len - at < blen)
        return bad(err, "cut short in the TD report", len);
    body(q, raw + at);
    at += blen;
    q->signed_len = at;

    if (len - at < 4)
        return bad(err, "no signature data length", at);
    uint32_t slen = le32(raw + at);
    at += 4;
    if (slen > len - at)
        return bad(err, "the signature data runs past the end", at - 4);
    const uint8_t *s = raw + at;
    size_t send = at + slen;
    q->trailing = len - send;
    q->trailing_zero = true;
    for (size_t i = send; i < len; i++)
        q->trailing_zero &= raw[i] == 0;

    /* signature(64) | key(64) | type(2) | size(4) | certification data */
    if (slen < 134)
        return bad(err, "the signature data is too short", at);
    q->signature = s;
    q->attest_key = s + 64;
    uint16_t ctype = le16(s + 128);
    uint32_t csize = le32(s + 130);
    if (ctype != CERT_QE)
        return bad(err, "the certification data is not of type 6 (QE report)", at + 128);
    if (csize != slen - 134)
        return bad(err, "the certification data size does not fill the signature data", at + 130);
    const uint8_t *c = s + 134;
    size_t cat = at + 134;
    if (csize < QE_REPORT + 64 + 2)
        return bad(err, "the QE report certification data is too short", cat);
    q->qe_report = c;
    q->qe_report_sig = c + QE_REPORT;
    size_t p = QE_REPORT + 64;
    q->qe_auth_len = le16(c + p);
    p += 2;
    if (q->qe_auth_len > csize - p)
        return bad(err, "the QE authentication data runs past its container", cat + p - 2);
    q->qe_auth = c + p;
    p += q->qe_auth_len;
    if (csize - p < 6)
        return bad(err, "no PCK certification data after the QE authentication data", cat + p);
    uint16_t itype = le16(c + p);
    uint32_t isize = le32(c + p + 2);
    if (itype != CERT_PCK_PEM)
        return bad(err, "the inner certification data is not a PCK chain (type 5)", cat + p);
    p += 6;
    if (isize != csize - p)
        return bad(err, "the PCK chain size does not fill the certification data", cat + p - 4);
    q->pck_chain = (const char *)(c + p);
    q->pck_chain_len = isize;
    return 0;
}

const char *zg_tdx_td_attributes_problem(const uint8_t a[8])
{
    /* TDX module ABI: byte 0 is TUD (bit 0 DEBUG, others reserved);
     * bytes 1-3 SEC with bit 28 SEPT_VE_DISABLE, bits 30-31 PKS/KL allowed;
     * bytes 4-7 OTHER with bit 63 PERFMON allowed. */
    if (a[0] & 1)
        return "the TD runs in DEBUG mode: its memory is open to the host";
    if (a[0])
        return "reserved TUD bits of the TD attributes are set";
    if (a[1] || a[2] || (a[3] & 0x0f) || (a[3] & 0x20) || a[4] || a[5] || a[6] || (a[7] & 0x7f))
        return "reserved bits of the TD attributes are set";
    if (!(a[3] & 0x10))
        return "SEPT_VE_DISABLE is off in the TD attributes";
    return NULL;
}

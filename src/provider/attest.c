#include "zg/attest.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zg/hex.h"
#include "zg/tdx.h"
#include "zg/secp.h"

/* A member that may be an object or JSON text holding one (the provider
 * serialises some members twice). *owned is set when we parsed it. */
static const cJSON *object_or_text(const cJSON *v, cJSON **owned)
{
    *owned = NULL;
    if (cJSON_IsString(v)) {
        *owned = cJSON_Parse(v->valuestring);
        return *owned;
    }
    return v;
}

static int b64_decode(uint8_t *out, size_t max, size_t *n, const char *in)
{
    size_t len = strlen(in);
    if (len % 4 || len / 4 * 3 > max + 2)
        return -1;
    uint8_t tmp[256];
    if (len / 4 * 3 > sizeof tmp)
        return -1;
    int got = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
    if (got < 0)
        return -1;
    size_t pad = (len && in[len - 1] == '=') + (len > 1 && in[len - 2] == '=');
    *n = (size_t)got - pad;
    if (*n > max)
        return -1;
    memcpy(out, tmp, *n);
    return 0;
}

typedef struct run {
    zg_buf *r;
    zg_attest_result *res;
} run;

/* Much of a detail is the provider's text (report_data, the compose hash,
 * image names): control bytes in it become '?', so that it can neither
 * start a line of its own in the report nor drive the terminal of whoever
 * reads the report file. */
static void line(run *x, const char *verdict, const char *step, const char *detail)
{
    if (!strcmp(verdict, "FAIL")) {
        if (!x->res->fails++)
            snprintf(x->res->first_fail, sizeof x->res->first_fail, "%s: %s", step, detail);
    } else if (!strcmp(verdict, "SKIP")) {
        x->res->skips++;
    }
    size_t at = x->r->len;
    if (zg_buf_printf(x->r, NULL, "%-4s %s: %s\n", verdict, step, detail))
        return;
    for (size_t i = at; i + 1 < x->r->len; i++)
        if (x->r->data[i] < 0x20 || x->r->data[i] == 0x7f)
            x->r->data[i] = '?';
}

/* report_data binds the signer in one of two layouts (0g-serving-broker
 * tee/quote.go): the legacy ASCII "0x..." address padded with NULs, or
 * enc_pub(32) || address(20) || version(4, big-endian) || zeros(8). data is
 * the report_data of the signed quote. */
static void check_signer(run *r, const uint8_t data[64], const uint8_t signer[20])
{
    char want[43], msg[256];
    zg_addr_checksum(want, signer);
    if (data[0] == '0' && (data[1] == 'x' || data[1] == 'X')) {
        char text[43];
        memcpy(text, data, 42);
        text[42] = 0;
        uint8_t got[20];
        bool ok = zg_addr_parse(got, text, NULL) == 0 && memcmp(got, signer, 20) == 0;
        for (size_t i = 42; i < 64; i++)
            ok &= data[i] == 0;
        snprintf(msg, sizeof msg,
                 "the quote's report_data (legacy layout) names %s; on-chain TEE signer %s", text,
                 want);
        line(r, ok ? "PASS" : "FAIL", "signer", msg);
        return;
    }
    uint32_t ver =
        (uint32_t)data[52] << 24 | (uint32_t)data[53] << 16 | (uint32_t)data[54] << 8 | data[55];
    char got[43];
    zg_addr_checksum(got, data + 32);
    bool ok = ver != 0 && memcmp(data + 32, signer, 20) == 0;
    for (int i = 56; i < 64; i++)
        ok &= data[i] == 0;
    snprintf(msg, sizeof msg,
             "the quote's report_data (layout version %u) names %s; on-chain TEE signer %s", ver,
             got, want);
    line(r, ok ? "PASS" : "FAIL", "signer", msg);
}

/* The document's report_data must be the quote's: the document is what
 * the official SDK reads, the quote what Intel's chain vouches for. */
static void check_document_rd(run *r, const cJSON *doc, const uint8_t quote_rd[64])
{
    const cJSON *rd = cJSON_GetObjectItemCaseSensitive(doc, "report_data");
    uint8_t want[64] = {0};
    size_t n = 0;
    bool ok = false;
    if (cJSON_IsString(rd) && b64_decode(want, sizeof want, &n, rd->valuestring) == 0)
        ok = true;
    else if (cJSON_IsString(rd) && strlen(rd->valuestring) == 128 &&
             zg_hex_decode_exact(want, 64, rd->valuestring, NULL) == 0)
        ok = true; /* dstack's own tools write it as hex */
    if (!ok) {
        line(r, "FAIL", "quote", "the document has no readable report_data");
        return;
    }
    ok = memcmp(quote_rd, want, 64) == 0;
    line(r, ok ? "PASS" : "FAIL", "quote",
         ok ? "the document's report_data is the one inside the signed TDX quote"
            : "the signed TDX quote carries ANOTHER report_data than the document");
}

/* ---- the event log (dstack cc-eventlog: TdxEvent, RuntimeEvent) */

#define RUNTIME_EVENT 0x08000001u

static void sha384_2(uint8_t out[48], const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned n = 48;
    if (!m || EVP_DigestInit_ex(m, EVP_sha384(), NULL) != 1 || EVP_DigestUpdate(m, a, an) != 1 ||
        EVP_DigestUpdate(m, b, bn) != 1 || EVP_DigestFinal_ex(m, out, &n) != 1)
        memset(out, 0, 48);
    EVP_MD_CTX_free(m);
}

/* A runtime event's digest from its payload: version 1 hashes
 * event_type (u32 LE) ":" name ":" payload; version 2 the canonical JSON
 * {"name":...,"payload":"hex","type":134217729}. */
static int runtime_digest(uint8_t out[48], const char *name, const char *payload_hex, int version)
{
    zg_buf pre;
    zg_buf_init(&pre, 0);
    int rc = 0;
    if (version == 2) {
        cJSON *n = cJSON_CreateString(name);
        char *q = n ? cJSON_PrintUnformatted(n) : NULL;
        rc = !q || zg_buf_printf(&pre, NULL, "{\"name\":%s,\"payload\":\"", q) ||
             zg_buf_append_str(&pre, payload_hex, NULL) ||
             zg_buf_printf(&pre, NULL, "\",\"type\":%u}", RUNTIME_EVENT);
        free(q);
        cJSON_Delete(n);
    } else {
        zg_buf payload;
        zg_buf_init(&payload, 0);
        uint8_t t[4] = {RUNTIME_EVENT & 0xff, (RUNTIME_EVENT >> 8) & 0xff,
                        (RUNTIME_EVENT >> 16) & 0xff, RUNTIME_EVENT >> 24};
        rc = zg_hex_decode_buf(&payload, payload_hex, NULL) || zg_buf_append(&pre, t, 4, NULL) ||
             zg_buf_append_byte(&pre, ':', NULL) || zg_buf_append_str(&pre, name, NULL) ||
             zg_buf_append_byte(&pre, ':', NULL) ||
             (payload.len && zg_buf_append(&pre, payload.data, payload.len, NULL));
        zg_buf_free(&payload);
    }
    if (rc == 0)
        sha384_2(out, pre.data ? pre.data : (const uint8_t *)"", pre.len, NULL, 0);
    zg_buf_free(&pre);
    return rc ? -1 : 0;
}

/* Replay; rtmr3_boot gets RTMR3 up to and including "boot-mr-done". */
static bool replay(run *r, const cJSON *ev, const zg_tdx_quote *q, uint8_t rtmr3_full[48],
                   uint8_t rtmr3_boot[48])
{
    uint8_t rt[4][48] = {{0}};
    bool boot_done = false;
    int i = 0;
    char msg[256];
    const cJSON *e;
    memset(rtmr3_boot, 0, 48);
    cJSON_ArrayForEach(e, ev)
    {
        const cJSON *imr = cJSON_GetObjectItemCaseSensitive(e, "imr");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "event_type");
        const char *dig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "digest"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "event"));
        const char *payload =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "event_payload"));
        const cJSON *ver = cJSON_GetObjectItemCaseSensitive(e, "version");
        if (!cJSON_IsNumber(imr) || imr->valuedouble < 0 || imr->valuedouble > 3 ||
            !cJSON_IsNumber(type)) {
            snprintf(msg, sizeof msg, "event %d has no imr 0-3 or no event_type", i);
            line(r, "FAIL", "event log", msg);
            return false;
        }
        int m = (int)imr->valuedouble;
        uint8_t d[48];
        bool runtime = (uint32_t)type->valuedouble == RUNTIME_EVENT;
        if (runtime) {
            if (!name || !payload ||
                runtime_digest(d, name, payload, cJSON_IsNumber(ver) ? (int)ver->valuedouble : 1)) {
                snprintf(msg, sizeof msg, "runtime event %d has no readable name or payload", i);
                line(r, "FAIL", "event log", msg);
                return false;
            }
            uint8_t logged[48];
            if (dig && *dig &&
                (zg_hex_decode_exact(logged, 48, dig, NULL) || memcmp(logged, d, 48))) {
                snprintf(msg, sizeof msg,
                         "event %d (%.40s): its digest is not the hash of its payload", i, name);
                line(r, "FAIL", "event log", msg);
                return false;
            }
        } else if (!dig || zg_hex_decode_exact(d, 48, dig, NULL)) {
            snprintf(msg, sizeof msg, "event %d has no SHA-384 digest", i);
            line(r, "FAIL", "event log", msg);
            return false;
        }
        sha384_2(rt[m], rt[m], 48, d, 48);
        if (m == 3 && !boot_done) {
            memcpy(rtmr3_boot, rt[3], 48);
            boot_done = name && !strcmp(name, "boot-mr-done");
        }
        i++;
    }
    memcpy(rtmr3_full, rt[3], 48);
    for (int m = 0; m < 4; m++)
        if (memcmp(rt[m], q->rtmr[m], 48)) {
            snprintf(msg, sizeof msg,
                     "the %d events do not replay to RTMR%d of the quote (the log was edited, or "
                     "is another TD's)",
                     i, m);
            line(r, "FAIL", "event log", msg);
            return false;
        }
    snprintf(msg, sizeof msg, "%d events replay to RTMR0-3 of the signed quote", i);
    line(r, "PASS", "event log", msg);
    return true;
}

static void check_compose(run *r, const cJSON *tcb, const cJSON *ev)
{
    const cJSON *compose = cJSON_GetObjectItemCaseSensitive(tcb, "app_compose");
    if (!cJSON_IsString(compose)) {
        line(r, "FAIL", "compose", "tcb_info has no app_compose");
        return;
    }
    uint8_t h[32];
    unsigned int hl = 0;
    EVP_Digest(compose->valuestring, strlen(compose->valuestring), h, &hl, EVP_sha256(), NULL);
    char calc[65];
    zg_hex_encode(calc, h, 32);
    const char *logged = NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, ev)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "event");
        const cJSON *payload = cJSON_GetObjectItemCaseSensitive(e, "event_payload");
        if (cJSON_IsString(name) && strcmp(name->valuestring, "compose-hash") == 0 &&
            cJSON_IsString(payload)) {
            logged = payload->valuestring;
            break;
        }
    }
    char msg[256];
    if (!logged) {
        line(r, "FAIL", "compose", "the event log has no compose-hash event");
        return;
    }
    bool ok = strcasecmp(calc, logged) == 0;
    snprintf(msg, sizeof msg, "sha256(app_compose) %s %s the event log's compose-hash %.64s", calc,
             ok ? "equals" : "differs from", logged);
    line(r, ok ? "PASS" : "FAIL", "compose", msg);
}

/* dstack-attest decode_mr_tdx_from_quote: SHA-256 over MRTD, RTMR0-2, the
 * replayed RTMR3, then MRCONFIGID, MROWNER, MROWNERCONFIG unless all zero. */
static void mr_aggregated(uint8_t out[32], const zg_tdx_quote *q, const uint8_t rtmr3[48])
{
    static const uint8_t zero[48];
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned n = 32;
    EVP_DigestInit_ex(m, EVP_sha256(), NULL);
    EVP_DigestUpdate(m, q->mr_td, 48);
    for (int i = 0; i < 3; i++)
        EVP_DigestUpdate(m, q->rtmr[i], 48);
    EVP_DigestUpdate(m, rtmr3, 48);
    if (memcmp(q->mr_config_id, zero, 48) || memcmp(q->mr_owner, zero, 48) ||
        memcmp(q->mr_owner_config, zero, 48)) {
        EVP_DigestUpdate(m, q->mr_config_id, 48);
        EVP_DigestUpdate(m, q->mr_owner, 48);
        EVP_DigestUpdate(m, q->mr_owner_config, 48);
    }
    EVP_DigestFinal_ex(m, out, &n);
    EVP_MD_CTX_free(m);
}

static void check_mr_aggregated(run *r, const cJSON *tcb, const zg_tdx_quote *q,
                                const uint8_t full[48], const uint8_t boot[48], bool replayed)
{
    const char *doc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tcb, "mr_aggregated"));
    if (!doc) {
        line(r, "NOTE", "mr_aggregated", "the document carries none");
        return;
    }
    if (!replayed) {
        line(r, "FAIL", "mr_aggregated", "not recomputed: the event log does not replay");
        return;
    }
    uint8_t a[32], b[32], want[32];
    mr_aggregated(a, q, full);
    mr_aggregated(b, q, boot);
    char msg[256], hex[65];
    zg_hex_encode(hex, a, 32);
    bool ok = strlen(doc) == 64 && zg_hex_decode_exact(want, 32, doc, NULL) == 0;
    if (ok && !memcmp(want, a, 32)) {
        snprintf(msg, sizeof msg, "%s, recomputed from the quote and the replayed RTMR3", hex);
        line(r, "PASS", "mr_aggregated", msg);
    } else if (ok && !memcmp(want, b, 32)) {
        zg_hex_encode(hex, b, 32);
        snprintf(msg, sizeof msg,
                 "%s, recomputed from the quote and RTMR3 replayed to boot-mr-done", hex);
        line(r, "PASS", "mr_aggregated", msg);
    } else {
        snprintf(msg, sizeof msg, "the document's %.64s is not %s, recomputed from the quote", doc,
                 hex);
        line(r, "FAIL", "mr_aggregated", msg);
    }
}

/* Name the container images the compose file runs, for a manual check. */
static void list_images(run *r, const cJSON *tcb)
{
    const cJSON *compose = cJSON_GetObjectItemCaseSensitive(tcb, "app_compose");
    if (!cJSON_IsString(compose))
        return;
    const char *p = compose->valuestring;
    while ((p = strstr(p, "image")) != NULL) {
        p += 5;
        while (*p == '"' || *p == '\\' || *p == ':' || *p == ' ')
            p++;
        char img[160];
        size_t n = 0;
        while (*p && !strchr("\"\\\n, }", *p) && n < sizeof img - 1)
            img[n++] = *p++;
        img[n] = 0;
        if (n)
            line(r, "NOTE", "image", img);
    }
}

static int quote_bytes(zg_buf *raw, const cJSON *doc)
{
    const char *q = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "quote"));
    if (q && q[0] == '0' && q[1] == 'x')
        q += 2;
    return q ? zg_hex_decode_buf(raw, q, NULL) : -1;
}

int zg_attest_pck_info(const uint8_t *doc, size_t len, char fmspc[13], char ca[16], zg_err *err)
{
    cJSON *d = cJSON_ParseWithLength((const char *)doc, len);
    zg_buf raw;
    zg_buf_init(&raw, 0);
    int rc = cJSON_IsObject(d) && quote_bytes(&raw, d) == 0
                 ? zg_tdx_pck_info(raw.data, raw.len, fmspc, ca, err)
                 : zg_err_set(err, EPROTO, "the document has no TDX quote (hex)");
    zg_buf_free(&raw);
    cJSON_Delete(d);
    return rc;
}

int zg_attest_verify(const uint8_t *doc, size_t len, const uint8_t tee_signer[20],
                     const zg_attest_opts *o, zg_buf *report, zg_attest_result *res, zg_err *err)
{
    memset(res, 0, sizeof *res);
    cJSON *d = cJSON_ParseWithLength((const char *)doc, len);
    if (!cJSON_IsObject(d)) {
        cJSON_Delete(d);
        return zg_err_set(err, EPROTO, "the provider's quote is not a JSON document");
    }
    run r = {.r = report, .res = res};
    cJSON *tcb_owned = NULL, *log_owned = NULL;
    const cJSON *tcb = cJSON_GetObjectItemCaseSensitive(d, "tcb_info");
    if (!tcb)
        tcb = cJSON_GetObjectItemCaseSensitive(d, "info");
    tcb = tcb ? object_or_text(tcb, &tcb_owned) : NULL;
    const cJSON *ev = object_or_text(cJSON_GetObjectItemCaseSensitive(d, "event_log"), &log_owned);
    if (!cJSON_IsObject(tcb))
        line(&r, "FAIL", "format", "the document has neither tcb_info nor info");
    else
        line(&r, "PASS", "format", "attestation document with tcb_info");

    /* The quote to its root: its lines follow, counted as ours. */
    zg_buf raw, tl;
    zg_buf_init(&raw, 0);
    zg_buf_init(&tl, 0);
    zg_tdx_result tr;
    zg_tdx_quote q;
    bool parsed = false;
    if (quote_bytes(&raw, d)) {
        line(&r, "FAIL", "tdx quote", "the document has no TDX quote (hex)");
    } else {
        zg_tdx_opts to = {.root_pem = o->root_pem,
                          .now = o->now,
                          .col = o->col,
                          .col_missing = o->col_missing,
                          .accept = o->accept};
        if (zg_tdx_verify(raw.data, raw.len, &to, &tl, &tr, err)) {
            zg_buf_free(&raw);
            zg_buf_free(&tl);
            cJSON_Delete(tcb_owned);
            cJSON_Delete(log_owned);
            cJSON_Delete(d);
            return -1;
        }
        /* Re-emit each line through line() so the counts and the first
         * failure are ours. */
        const char *s = tl.len ? (const char *)tl.data : "";
        while (*s) {
            const char *nl = strchr(s, '\n');
            size_t n = nl ? (size_t)(nl - s) : strlen(s);
            char l[900];
            snprintf(l, sizeof l, "%.*s", (int)n, s);
            char *colon = strstr(l, ": ");
            if (strlen(l) > 5 && colon) {
                *colon = 0;
                char verdict[5];
                snprintf(verdict, sizeof verdict, "%.4s", l);
                line(&r, verdict, l + 5, colon + 2);
            }
            s += n + (nl != NULL);
        }
        snprintf(res->status, sizeof res->status, "%s", tr.status);
        snprintf(res->advisories, sizeof res->advisories, "%s", tr.advisories);
        parsed = zg_tdx_parse(&q, raw.data, raw.len, NULL) == 0;
    }
    if (parsed) {
        check_signer(&r, q.report_data, tee_signer);
        check_document_rd(&r, d, q.report_data);
        uint8_t full[48], boot[48];
        bool replayed = false;
        if (!cJSON_IsArray(ev))
            line(&r, "FAIL", "event log", "the document has no event log (a JSON array)");
        else
            replayed = replay(&r, ev, &q, full, boot);
        check_compose(&r, tcb, ev);
        check_mr_aggregated(&r, tcb, &q, full, boot, replayed);
    } else {
        line(&r, "FAIL", "signer", "no signed quote to read report_data from");
    }
    list_images(&r, tcb);
    line(&r, "NOTE", "not verified",
         "what the measurements stand for (MRTD, RTMR0-2: the dstack OS image; compare them "
         "with a build you trust), the GPU attestation (nvidia_payload) and the X25519 key in "
         "report_data");
    zg_buf_free(&raw);
    zg_buf_free(&tl);
    cJSON_Delete(tcb_owned);
    cJSON_Delete(log_owned);
    cJSON_Delete(d);
    return 0;
}

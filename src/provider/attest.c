#include "zg/attest.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "zg/hex.h"
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

/* Much of a detail is the provider's text (report_data, the compose hash,
 * image names): control bytes in it become '?', so that it can neither
 * start a line of its own in the report nor drive the terminal of whoever
 * reads the report file. */
static void line(zg_buf *r, const char *verdict, const char *step, const char *detail)
{
    size_t at = r->len;
    if (zg_buf_printf(r, NULL, "%-4s %s: %s\n", verdict, step, detail))
        return;
    for (size_t i = at; i + 1 < r->len; i++)
        if (r->data[i] < 0x20 || r->data[i] == 0x7f)
            r->data[i] = '?';
}

/* report_data binds the signer in one of two layouts (§5.2): the legacy
 * ASCII "0x..." address padded with NULs, or enc_pub(32) || address(20) ||
 * version(4, big-endian) || zeros(8). */
static bool check_signer(zg_buf *r, const cJSON *doc, const uint8_t signer[20])
{
    char want[43], msg[256];
    zg_addr_checksum(want, signer);
    const cJSON *rd = cJSON_GetObjectItemCaseSensitive(doc, "report_data");
    uint8_t data[64];
    size_t n = 0;
    if (!cJSON_IsString(rd) || b64_decode(data, sizeof data, &n, rd->valuestring)) {
        line(r, "FAIL", "signer", "the quote has no readable report_data");
        return false;
    }
    if (n >= 42 && data[0] == '0' && (data[1] == 'x' || data[1] == 'X')) {
        char text[43];
        memcpy(text, data, 42);
        text[42] = 0;
        uint8_t got[20];
        bool ok = zg_addr_parse(got, text, NULL) == 0 && memcmp(got, signer, 20) == 0;
        for (size_t i = 42; i < n; i++)
            ok &= data[i] == 0;
        snprintf(msg, sizeof msg, "report_data (legacy layout) names %s; on-chain TEE signer %s",
                 text, want);
        line(r, ok ? "PASS" : "FAIL", "signer", msg);
        return ok;
    }
    if (n == 64) {
        uint32_t ver = (uint32_t)data[52] << 24 | (uint32_t)data[53] << 16 |
                       (uint32_t)data[54] << 8 | data[55];
        char got[43];
        zg_addr_checksum(got, data + 32);
        bool ok = ver != 0 && memcmp(data + 32, signer, 20) == 0;
        for (int i = 56; i < 64; i++)
            ok &= data[i] == 0;
        snprintf(msg, sizeof msg,
                 "report_data (layout version %u) names %s; on-chain TEE signer %s", ver, got,
                 want);
        line(r, ok ? "PASS" : "FAIL", "signer", msg);
        return ok;
    }
    line(r, "FAIL", "signer", "report_data is in no known layout");
    return false;
}

/* The document's report_data must be the one inside the TDX quote itself:
 * that is what a quote verifier attests, so without this binding any
 * genuine quote could be served next to a report_data naming any signer.
 * TD report body: report_data at offset 520; quote v4 puts the body right
 * after the 48-byte header, v5 after a 6-byte body descriptor. */
static bool check_quote_binding(zg_buf *r, const cJSON *doc)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(doc, "quote");
    const cJSON *rd = cJSON_GetObjectItemCaseSensitive(doc, "report_data");
    uint8_t want[64] = {0};
    size_t n = 0;
    if (!cJSON_IsString(rd) || b64_decode(want, sizeof want, &n, rd->valuestring)) {
        line(r, "FAIL", "quote", "the document has no readable report_data to look for");
        return false;
    }
    zg_buf raw;
    zg_buf_init(&raw, 0);
    if (!cJSON_IsString(q) || zg_hex_decode_buf(&raw, q->valuestring, NULL) || raw.len < 48) {
        zg_buf_free(&raw);
        line(r, "FAIL", "quote", "the document has no TDX quote (hex) to bind report_data to");
        return false;
    }
    const uint8_t *b = raw.data;
    unsigned version = (unsigned)b[0] | (unsigned)b[1] << 8;
    uint32_t tee =
        (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
    size_t at = version == 4 ? 48 + 520 : version == 5 ? 48 + 6 + 520 : 0;
    char msg[256];
    bool ok = false;
    if (tee != 0x81 || at == 0) {
        snprintf(msg, sizeof msg, "not a TDX quote of a known version (version %u, TEE type 0x%x)",
                 version, (unsigned)tee);
        line(r, "FAIL", "quote", msg);
    } else if (raw.len < at + 64) {
        snprintf(msg, sizeof msg, "the TDX quote (v%u) is cut short: %zu bytes", version, raw.len);
        line(r, "FAIL", "quote", msg);
    } else {
        ok = memcmp(b + at, want, 64) == 0;
        snprintf(msg, sizeof msg, "the TDX quote (v%u, %zu bytes) carries %s report_data", version,
                 raw.len, ok ? "this document's" : "ANOTHER");
        line(r, ok ? "PASS" : "FAIL", "quote", msg);
    }
    zg_buf_free(&raw);
    return ok;
}

static bool check_compose(zg_buf *r, const cJSON *doc)
{
    cJSON *tcb_owned, *log_owned;
    const cJSON *tcb =
        object_or_text(cJSON_GetObjectItemCaseSensitive(doc, "tcb_info"), &tcb_owned);
    const cJSON *ev =
        object_or_text(cJSON_GetObjectItemCaseSensitive(doc, "event_log"), &log_owned);
    bool ok = false;
    const cJSON *compose = cJSON_GetObjectItemCaseSensitive(tcb, "app_compose");
    if (!cJSON_IsString(compose)) {
        line(r, "FAIL", "compose", "tcb_info has no app_compose");
        goto out;
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
        goto out;
    }
    ok = strcasecmp(calc, logged) == 0;
    snprintf(msg, sizeof msg, "sha256(app_compose) %s %s the event log's compose-hash %.64s", calc,
             ok ? "equals" : "differs from", logged);
    line(r, ok ? "PASS" : "FAIL", "compose", msg);
out:
    cJSON_Delete(tcb_owned);
    cJSON_Delete(log_owned);
    return ok;
}

/* Name the container images the compose file runs, for a manual check. */
static void list_images(zg_buf *r, const cJSON *doc)
{
    cJSON *owned;
    const cJSON *tcb = object_or_text(cJSON_GetObjectItemCaseSensitive(doc, "tcb_info"), &owned);
    const cJSON *compose = cJSON_GetObjectItemCaseSensitive(tcb, "app_compose");
    if (cJSON_IsString(compose)) {
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
    cJSON_Delete(owned);
}

int zg_attest_verify(const uint8_t *quote, size_t len, const uint8_t tee_signer[20], zg_buf *report,
                     bool *all_pass, zg_err *err)
{
    cJSON *doc = cJSON_ParseWithLength((const char *)quote, len);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return zg_err_set(err, EPROTO, "the provider's quote is not a JSON document");
    }
    bool ok = true;
    if (!cJSON_GetObjectItemCaseSensitive(doc, "tcb_info") &&
        !cJSON_GetObjectItemCaseSensitive(doc, "info")) {
        line(report, "FAIL", "format", "the document has neither tcb_info nor info");
        ok = false;
    } else {
        line(report, "PASS", "format", "attestation document with tcb_info");
    }
    ok &= check_signer(report, doc, tee_signer);
    ok &= check_quote_binding(report, doc);
    ok &= check_compose(report, doc);
    list_images(report, doc);
    line(report, "NOTE", "not verified",
         "the TDX quote's signature chain and measurements (neither does the official SDK); "
         "check quote.json with a TDX/dstack verifier");
    *all_pass = ok;
    cJSON_Delete(doc);
    return 0;
}

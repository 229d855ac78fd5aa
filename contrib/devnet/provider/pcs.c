/* The devnet's PCCS: Intel's PCS API v4 paths over the collateral `up`
 * made (tdx_dir/collateral.json, read at each request so that a test can
 * put other collateral in its place), on the fine-tuning port:
 *
 *   GET /tdx/certification/v4/tcb?fmspc=F     {"tcbInfo":..,"signature":..}
 *                                              + TCB-Info-Issuer-Chain
 *   GET /tdx/certification/v4/qe/identity      {"enclaveIdentity":..,..}
 *                                              + SGX-Enclave-Identity-Issuer-Chain
 *   GET /sgx/certification/v4/pckcrl?ca=platform&encoding=der
 *                                              DER + SGX-PCK-CRL-Issuer-Chain
 *   GET /sgx/certification/v4/rootcacrl        DER (as a PCCS serves it)
 *
 * Issuer chains are URL-encoded PEM, as Intel sends them. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prov.h"
#include "zg/hex.h"

static char *url_encode(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(3 * n + 1), *p = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-_.~", c))
            *p++ = (char)c;
        else
            p += sprintf(p, "%%%02X", c);
    }
    *p = 0;
    return o;
}

static int reply_with_chain(prov_req *r, const char *ctype, const void *body, size_t len,
                            const char *header, const char *chain)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    char *enc = chain ? url_encode(chain) : NULL;
    if (!resp) {
        free(enc);
        return 0;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (enc)
        MHD_add_response_header(resp, header, enc);
    free(enc);
    enum MHD_Result ok = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ok == MHD_YES;
}

static int signed_answer(prov_req *r, const cJSON *col, const char *key, const char *text_key,
                         const char *sig_key, const char *chain_key, const char *header)
{
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(col, text_key));
    const char *sig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(col, sig_key));
    const char *chain = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(col, chain_key));
    if (!text || !sig || !chain)
        return reply_error(r, 500, "the devnet collateral lacks %s", text_key);
    zg_buf b;
    zg_buf_init(&b, 0);
    int rc = zg_buf_printf(&b, NULL, "{\"%s\":%s,\"signature\":\"%s\"}", key, text, sig)
                 ? reply_error(r, 500, "out of memory")
                 : reply_with_chain(r, "application/json", b.data, b.len, header, chain);
    zg_buf_free(&b);
    return rc;
}

static int crl_answer(prov_req *r, const cJSON *col, const char *key, const char *header,
                      const char *chain_key)
{
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(col, key));
    zg_buf der;
    zg_buf_init(&der, 0);
    if (!hex || zg_hex_decode_buf(&der, hex, NULL)) {
        zg_buf_free(&der);
        return reply_error(r, 500, "the devnet collateral lacks %s", key);
    }
    const char *chain =
        chain_key ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(col, chain_key)) : NULL;
    int rc = reply_with_chain(r, "application/pkix-crl", der.data, der.len, header, chain);
    zg_buf_free(&der);
    return rc;
}

int pcs_route(prov_req *r, bool *handled)
{
    const char *u = r->url;
    *handled = strncmp(u, "/sgx/certification/v4/", 22) == 0 ||
               strncmp(u, "/tdx/certification/v4/", 22) == 0;
    if (!*handled)
        return 0;
    if (!r->ctx->tdx_dir[0])
        return reply_error(r, 404, "this devnet has no TDX collateral");
    char path[PROV_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/collateral.json", r->ctx->tdx_dir);
    zg_buf b;
    zg_buf_init(&b, 0);
    zg_err e = {0};
    if (read_file(path, &b, 4 << 20, &e)) {
        zg_buf_free(&b);
        return reply_error(r, 404, "no collateral: %s", e.msg);
    }
    cJSON *col = cJSON_ParseWithLength((const char *)b.data, b.len);
    zg_buf_free(&b);
    int rc;
    if (!strcmp(u, "/tdx/certification/v4/tcb")) {
        const char *want = req_query(r, "fmspc");
        cJSON *t =
            cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(col, "tcb_info")));
        const char *have = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "fmspc"));
        if (!want || !have || strcasecmp(want, have))
            rc = reply_error(r, 404, "no TCB info for FMSPC %s", want ? want : "(none)");
        else
            rc = signed_answer(r, col, "tcbInfo", "tcb_info", "tcb_info_signature",
                               "tcb_info_issuer_chain", "TCB-Info-Issuer-Chain");
        cJSON_Delete(t);
    } else if (!strcmp(u, "/tdx/certification/v4/qe/identity")) {
        rc = signed_answer(r, col, "enclaveIdentity", "qe_identity", "qe_identity_signature",
                           "qe_identity_issuer_chain", "SGX-Enclave-Identity-Issuer-Chain");
    } else if (!strcmp(u, "/sgx/certification/v4/pckcrl")) {
        const char *ca = req_query(r, "ca");
        if (!ca || strcmp(ca, "platform"))
            rc = reply_error(r, 404, "the devnet has only a platform CA");
        else
            rc = crl_answer(r, col, "pck_crl", "SGX-PCK-CRL-Issuer-Chain", "pck_crl_issuer_chain");
    } else if (!strcmp(u, "/sgx/certification/v4/rootcacrl")) {
        rc = crl_answer(r, col, "root_ca_crl", NULL, NULL);
    } else {
        rc = reply_error(r, 404, "404 page not found");
    }
    cJSON_Delete(col);
    return rc;
}

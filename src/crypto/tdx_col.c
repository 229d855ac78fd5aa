/* The collateral object (zg/tdx.h): parsed strictly, since every member
 * feeds a signature check, and written back for the cache. */
#include "zg/tdx.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zg/hex.h"

static const char *member(const cJSON *j, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, k));
}

static int text(char **out, const cJSON *j, const char *k, zg_err *err)
{
    const char *s = member(j, k);
    if (!s || !*s)
        return zg_err_set(err, EPROTO, "the collateral has no %s", k);
    *out = strdup(s);
    return *out ? 0 : zg_err_set(err, ENOMEM, "out of memory");
}

static int sig(uint8_t out[64], const cJSON *j, const char *k, zg_err *err)
{
    const char *s = member(j, k);
    if (!s || zg_hex_decode_exact(out, 64, s, NULL))
        return zg_err_set(err, EPROTO, "the collateral's %s is not 64 bytes of hex", k);
    return 0;
}

static int der(zg_buf *out, const cJSON *j, const char *k, zg_err *err)
{
    const char *s = member(j, k);
    zg_buf_init(out, 1u << 20);
    if (!s || !*s || zg_hex_decode_buf(out, s, NULL))
        return zg_err_set(err, EPROTO, "the collateral's %s is not hex", k);
    return 0;
}

int zg_tdx_collateral_parse(zg_tdx_collateral *c, const char *json, size_t len, zg_err *err)
{
    memset(c, 0, sizeof *c);
    zg_buf_init(&c->root_ca_crl, 0);
    zg_buf_init(&c->pck_crl, 0);
    cJSON *j = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return zg_err_set(err, EPROTO, "the collateral is not a JSON object");
    }
    int rc = text(&c->pck_crl_issuer_chain, j, "pck_crl_issuer_chain", err) ||
                     der(&c->root_ca_crl, j, "root_ca_crl", err) ||
                     der(&c->pck_crl, j, "pck_crl", err) ||
                     text(&c->tcb_info_issuer_chain, j, "tcb_info_issuer_chain", err) ||
                     text(&c->tcb_info, j, "tcb_info", err) ||
                     sig(c->tcb_info_sig, j, "tcb_info_signature", err) ||
                     text(&c->qe_identity_issuer_chain, j, "qe_identity_issuer_chain", err) ||
                     text(&c->qe_identity, j, "qe_identity", err) ||
                     sig(c->qe_identity_sig, j, "qe_identity_signature", err)
                 ? -1
                 : 0;
    cJSON_Delete(j);
    if (rc)
        zg_tdx_collateral_free(c);
    return rc;
}

static void add_hex(cJSON *j, const char *k, const uint8_t *p, size_t n)
{
    char *h = malloc(2 * n + 1);
    if (h) {
        zg_hex_encode(h, p, n);
        cJSON_AddStringToObject(j, k, h);
    }
    free(h);
}

char *zg_tdx_collateral_json(const zg_tdx_collateral *c)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    cJSON_AddStringToObject(j, "pck_crl_issuer_chain", c->pck_crl_issuer_chain);
    add_hex(j, "root_ca_crl", c->root_ca_crl.data, c->root_ca_crl.len);
    add_hex(j, "pck_crl", c->pck_crl.data, c->pck_crl.len);
    cJSON_AddStringToObject(j, "tcb_info_issuer_chain", c->tcb_info_issuer_chain);
    cJSON_AddStringToObject(j, "tcb_info", c->tcb_info);
    add_hex(j, "tcb_info_signature", c->tcb_info_sig, 64);
    cJSON_AddStringToObject(j, "qe_identity_issuer_chain", c->qe_identity_issuer_chain);
    cJSON_AddStringToObject(j, "qe_identity", c->qe_identity);
    add_hex(j, "qe_identity_signature", c->qe_identity_sig, 64);
    char *out = cJSON_Print(j);
    cJSON_Delete(j);
    return out;
}

void zg_tdx_collateral_free(zg_tdx_collateral *c)
{
    free(c->pck_crl_issuer_chain);
    free(c->tcb_info_issuer_chain);
    free(c->tcb_info);
    free(c->qe_identity_issuer_chain);
    free(c->qe_identity);
    zg_buf_free(&c->root_ca_crl);
    zg_buf_free(&c->pck_crl);
    memset(c, 0, sizeof *c);
}

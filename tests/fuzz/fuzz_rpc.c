/* JSON-RPC answers (zg/rpc.h) as a node sends them, and the readers of
 * their results: quantities and eth_call's hex data.
 *
 * Invariants: a result comes with no error and an error with no result; a
 * revert is reported as one exactly when revert data came back or the
 * error's code is 3, and the data handed back is the hex the node put in
 * error.data (or error.data.data), byte for byte; a quantity or hex data
 * that reads prints back to the same digits. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <strings.h>

#include "fuzz.h"
#include "zg/hex.h"
#include "zg/rpc.h"

/* The hex the node put in the error, found here independently. */
static const char *error_data(const cJSON *root)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "data");
    if (cJSON_IsObject(d))
        d = cJSON_GetObjectItemCaseSensitive(d, "data");
    return cJSON_IsString(d) ? d->valuestring : NULL;
}

static void check_result(const cJSON *res)
{
    zg_u256 v, w;
    zg_err e = {0};
    if (zg_json_quantity_u256(res, &v, &e) == 0) {
        char hx[72];
        zg_u256_to_hex(hx, &v);
        FUZZ_CHECK(zg_u256_from_hex(&w, hx, NULL) == 0 && zg_u256_cmp(&v, &w) == 0, "quantity %s",
                   hx);
        uint64_t u;
        if (zg_json_quantity_u64(res, &u, NULL) == 0) {
            zg_u256 x;
            zg_u256_from_u64(&x, u);
            FUZZ_CHECK(zg_u256_cmp(&x, &v) == 0, "64-bit reading of %s", hx);
        } else {
            FUZZ_CHECK(v.w[1] | v.w[2] | v.w[3], "%s refused as 64-bit", hx);
        }
    } else {
        fuzz_check_err(&e);
    }
    if (!cJSON_IsString(res))
        return;
    zg_buf b;
    zg_buf_init(&b, 0);
    memset(&e, 0, sizeof e);
    if (zg_hex_decode_buf(&b, res->valuestring, &e) == 0) {
        const char *digits = res->valuestring;
        if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
            digits += 2;
        FUZZ_CHECK(strlen(digits) == 2 * b.len, "%zu bytes from %zu digits", b.len, strlen(digits));
        char *back = malloc(2 * b.len + 1);
        if (!back)
            abort();
        zg_hex_encode(back, b.data, b.len);
        FUZZ_CHECK(strcasecmp(back, digits) == 0, "hex data does not print back");
        free(back);
    } else {
        fuzz_check_err(&e);
    }
    zg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *res = (cJSON *)1;
    zg_buf revert;
    zg_buf_init(&revert, 0);
    zg_buf_append(&revert, "x", 1, NULL); /* data is appended after what is there */
    zg_err e = {0};
    int rc = zg_rpc_parse_reply("eth_call", data, size, &res, &revert, &e);
    cJSON *root = cJSON_ParseWithLength((const char *)data, size);
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    bool has_error = error && !cJSON_IsNull(error);
    if (rc == 0) {
        FUZZ_CHECK(res != NULL && root && !has_error, "a result next to an error");
        FUZZ_CHECK(revert.len == 1, "revert data without an error");
        check_result(res);
        cJSON_Delete(res);
    } else {
        fuzz_check_err(&e);
        FUZZ_CHECK(res == NULL, "a failed call left a result");
        FUZZ_CHECK(e.code == EPROTO || e.code == ZG_EREVERT, "errno %d", e.code);
        const char *hex = has_error ? error_data(root) : NULL;
        zg_buf want;
        zg_buf_init(&want, 0);
        bool have = hex && zg_hex_decode_buf(&want, hex, NULL) == 0 && want.len > 0;
        FUZZ_CHECK(revert.len == 1 + (have ? want.len : 0) &&
                       (!have || memcmp(revert.data + 1, want.data, want.len) == 0),
                   "revert data of %zu bytes, the node sent %zu", revert.len - 1,
                   have ? want.len : 0);
        /* A revert is JSON-RPC code 3 or revert data, never the message's
         * wording. */
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(error, "code");
        bool code3 = cJSON_IsNumber(c) && c->valuedouble == ZG_RPC_CODE_REVERTED;
        FUZZ_CHECK((e.code == ZG_EREVERT) == (has_error && (have || code3)),
                   "revert %s, data %d, code 3 %d",
                   e.code == ZG_EREVERT ? "reported" : "not reported", have, code3);
        zg_buf_free(&want);
    }
    cJSON_Delete(root);
    zg_buf_free(&revert);
    return 0;
}

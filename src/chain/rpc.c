#include "zg/rpc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/hex.h"

struct zg_rpc {
    char *url;
    zg_http *http;
    zg_rpc_kind_fn kind_of; /* reads the node's error texts */
    atomic_ulong next_id;
    atomic_ulong requests;
};

int zg_rpc_new(zg_rpc **out, const char *url, zg_http *http, zg_err *err)
{
    zg_rpc *r = calloc(1, sizeof *r);
    if (!r || !(r->url = strdup(url))) {
        free(r);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    r->http = http;
    r->kind_of = zg_rpc_kind_of;
    atomic_init(&r->next_id, 1);
    atomic_init(&r->requests, 0);
    *out = r;
    return 0;
}

void zg_rpc_set_kind_of(zg_rpc *rpc, zg_rpc_kind_fn kind_of)
{
    rpc->kind_of = kind_of ? kind_of : zg_rpc_kind_of;
}

void zg_rpc_free(zg_rpc *rpc)
{
    if (!rpc)
        return;
    free(rpc->url);
    free(rpc);
}

const char *zg_rpc_url(const zg_rpc *rpc)
{
    return rpc->url;
}

unsigned long zg_rpc_requests(const zg_rpc *rpc)
{
    return atomic_load(&((zg_rpc *)rpc)->requests);
}

cJSON *zg_json_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 3);
    if (!s)
        return NULL;
    s[0] = '0';
    s[1] = 'x';
    zg_hex_encode(s + 2, p, n);
    cJSON *j = cJSON_CreateString(s);
    free(s);
    return j;
}

int zg_json_quantity_u64(const cJSON *node, uint64_t *v, zg_err *err)
{
    zg_u256 u;
    if (zg_json_quantity_u256(node, &u, err))
        return -1;
    if (!zg_u256_to_u64(&u, v))
        return zg_err_set(err, EPROTO, "quantity does not fit in 64 bits");
    return 0;
}

int zg_json_quantity_u256(const cJSON *node, zg_u256 *v, zg_err *err)
{
    if (!cJSON_IsString(node))
        return zg_err_set(err, EPROTO, "node answered a non-string quantity");
    return zg_u256_from_hex(v, node->valuestring, err);
}

/* Pull revert data out of the shapes nodes use: geth/anvil put a hex string
 * in error.data; some wrap it as {"data": "0x..."} or in the message. */
static void extract_revert(const cJSON *error, zg_buf *revert_data)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(error, "data");
    if (cJSON_IsObject(data))
        data = cJSON_GetObjectItemCaseSensitive(data, "data");
    if (!cJSON_IsString(data) || !revert_data)
        return;
    /* Decoded aside: the caller's buffer is appended to, never reset. */
    zg_buf tmp;
    zg_buf_init(&tmp, 0);
    if (zg_hex_decode_buf(&tmp, data->valuestring, NULL) == 0)
        zg_buf_append(revert_data, tmp.data, tmp.len, NULL);
    zg_buf_free(&tmp);
}

zg_err_kind zg_rpc_kind_of(long code, const char *message)
{
    /* JSON-RPC gives these refusals no code of their own (geth answers
     * -32000 for all of them, anvil -32003 for every refusal of its pool),
     * so the text tells them apart. go-ethereum: core/error.go
     * ErrInsufficientFunds "insufficient funds for gas * price + value",
     * ErrNonceTooLow "nonce too low"; core/txpool/errors.go ErrAlreadyKnown
     * "already known". anvil (crates/anvil/src/eth/error.rs): "transaction
     * already imported", "nonce too low", "insufficient funds for gas *
     * price + value". The case varies between versions. */
    static const struct {
        const char *text;
        zg_err_kind kind;
    } known[] = {
        {"insufficient funds", ZG_EK_FUNDS},
        {"already known", ZG_EK_TX_KNOWN},
        {"already imported", ZG_EK_TX_KNOWN},
        {"nonce too low", ZG_EK_NONCE_LOW},
    };
    if (!message || code == ZG_RPC_CODE_REVERTED)
        return ZG_EK_NONE;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcasestr(message, known[i].text))
            return known[i].kind;
    return ZG_EK_NONE;
}

/* A JSON-RPC error's code: any number may come, and only an integer a
 * long holds is one (3.3 is not code 3); anything else is 0. */
static long error_code(const cJSON *code)
{
    if (!cJSON_IsNumber(code))
        return 0;
    double d = code->valuedouble;
    if (!(d > -9e18 && d < 9e18))
        return 0;
    long c = (long)d;
    return (double)c == d ? c : 0;
}

/* The reading of one answer. *node_error (may be NULL) is set when the
 * node answered a JSON-RPC error object, with its code in *node_code. */
static int parse_reply(const char *method, const uint8_t *body, size_t len, cJSON **result,
                       zg_buf *revert_data, bool *node_error, long *node_code,
                       zg_rpc_kind_fn kind_of, zg_err *err)
{
    *result = NULL;
    cJSON *resp = cJSON_ParseWithLength((const char *)body, len);
    if (!resp)
        return zg_err_set(err, EPROTO, "RPC %s: the node's answer is not JSON", method);
    int rc = -1;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(resp, "error");
    if (error && !cJSON_IsNull(error)) {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(error, "message");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        const char *m = cJSON_IsString(msg) ? msg->valuestring : "";
        long c = error_code(code);
        if (node_error) {
            *node_error = true;
            *node_code = c;
        }
        /* Code 3 is "execution reverted" (EIP-1474 as geth, anvil and the
         * ethermint family answer it); revert data says so on its own. */
        bool reverted = c == ZG_RPC_CODE_REVERTED;
        size_t before = revert_data ? revert_data->len : 0;
        extract_revert(error, revert_data);
        if (revert_data && revert_data->len > before)
            reverted = true;
        /* The node's own words when it gave some. */
        if (*m)
            zg_err_set(err, reverted ? ZG_EREVERT : EPROTO, "%s", m);
        else
            zg_err_set(err, reverted ? ZG_EREVERT : EPROTO,
                       "RPC %s: the node answered an error without a message", method);
        if (!reverted)
            zg_err_mark(err, kind_of(c, m));
        goto out;
    }
    cJSON *res = cJSON_DetachItemFromObjectCaseSensitive(resp, "result");
    if (!res) {
        zg_err_set(err, EPROTO, "RPC %s: answer has no result", method);
        goto out;
    }
    *result = res;
    rc = 0;
out:
    cJSON_Delete(resp);
    return rc;
}

int zg_rpc_parse_reply(const char *method, const uint8_t *body, size_t len, cJSON **result,
                       zg_buf *revert_data, zg_err *err)
{
    return parse_reply(method, body, len, result, revert_data, NULL, NULL, zg_rpc_kind_of, err);
}

/* POST one JSON-RPC body (a call or a batch) to the node; `what` names it
 * in errors ("RPC eth_call"). 0 when the node answered 200, in *hr. */
static int post(zg_rpc *rpc, const char *body, bool idempotent, const char *what, zg_http_resp *hr,
                zg_err *err)
{
    static const char *const hdrs[] = {"Content-Type: application/json", NULL};
    zg_http_req hreq = {.method = "POST",
                        .url = rpc->url,
                        .headers = hdrs,
                        .body = body,
                        .body_len = strlen(body),
                        .idempotent = idempotent};
    atomic_fetch_add(&rpc->requests, 1);
    if (zg_http_do(rpc->http, &hreq, hr, err)) {
        zg_err_prefix(err, "%s", what);
        return -1;
    }
    if (hr->status != 200)
        return zg_err_set(err, hr->status >= 500 ? EAGAIN : EPROTO, "%s at %s: HTTP status %ld",
                          what, rpc->url, hr->status);
    return 0;
}

/* One call. idempotent: the HTTP layer may repeat it on a transport error
 * or a 5xx. *node_error is set when the node answered a JSON-RPC error
 * object (its code in *node_code): only then has the node told what it did
 * with the request. */
static int call(zg_rpc *rpc, const char *method, cJSON *params, bool idempotent, cJSON **result,
                zg_buf *revert_data, bool *node_error, long *node_code, zg_err *err)
{
    int rc = -1;
    cJSON *req = cJSON_CreateObject();
    char *body = NULL;
    zg_http_resp hr;
    zg_http_resp_init(&hr);
    if (node_error)
        *node_error = false;
    if (!params)
        params = cJSON_CreateArray();
    if (!req || !params) {
        cJSON_Delete(params);
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    cJSON_AddStringToObject(req, "jsonrpc", "2.0");
    cJSON_AddNumberToObject(req, "id", (double)atomic_fetch_add(&rpc->next_id, 1));
    cJSON_AddStringToObject(req, "method", method);
    cJSON_AddItemToObject(req, "params", params);
    body = cJSON_PrintUnformatted(req);
    if (!body) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    char what[96];
    snprintf(what, sizeof what, "RPC %s", method);
    if (post(rpc, body, idempotent, what, &hr, err))
        goto out;
    rc = parse_reply(method, hr.body.data, hr.body.len, result, revert_data, node_error, node_code,
                     rpc->kind_of, err);
out:
    cJSON_Delete(req);
    free(body);
    zg_http_resp_free(&hr);
    return rc;
}

int zg_rpc_call(zg_rpc *rpc, const char *method, cJSON *params, cJSON **result, zg_buf *revert_data,
                zg_err *err)
{
    return call(rpc, method, params, true, result, revert_data, NULL, NULL, err);
}

static int call_quantity(zg_rpc *rpc, const char *method, cJSON *params, zg_u256 *v, zg_err *err)
{
    cJSON *res = NULL;
    if (zg_rpc_call(rpc, method, params, &res, NULL, err))
        return -1;
    int rc = zg_json_quantity_u256(res, v, err);
    cJSON_Delete(res);
    return rc;
}

int zg_rpc_chain_id(zg_rpc *rpc, uint64_t *chain_id, zg_err *err)
{
    zg_u256 v;
    if (call_quantity(rpc, "eth_chainId", NULL, &v, err))
        return -1;
    if (!zg_u256_to_u64(&v, chain_id))
        return zg_err_set(err, EPROTO, "chain id out of range");
    return 0;
}

int zg_rpc_block_number(zg_rpc *rpc, uint64_t *num, zg_err *err)
{
    zg_u256 v;
    if (call_quantity(rpc, "eth_blockNumber", NULL, &v, err))
        return -1;
    if (!zg_u256_to_u64(&v, num))
        return zg_err_set(err, EPROTO, "block number out of range");
    return 0;
}

int zg_rpc_balance(zg_rpc *rpc, const uint8_t addr[20], zg_u256 *wei, zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, zg_json_hex(addr, 20));
    cJSON_AddItemToArray(p, cJSON_CreateString("latest"));
    return call_quantity(rpc, "eth_getBalance", p, wei, err);
}

int zg_rpc_nonce(zg_rpc *rpc, const uint8_t addr[20], const char *block, uint64_t *nonce,
                 zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, zg_json_hex(addr, 20));
    cJSON_AddItemToArray(p, cJSON_CreateString(block));
    zg_u256 v;
    if (call_quantity(rpc, "eth_getTransactionCount", p, &v, err))
        return -1;
    if (!zg_u256_to_u64(&v, nonce))
        return zg_err_set(err, EPROTO, "nonce out of range");
    return 0;
}

int zg_rpc_gas_price(zg_rpc *rpc, zg_u256 *price, zg_err *err)
{
    return call_quantity(rpc, "eth_gasPrice", NULL, price, err);
}

static cJSON *call_object(const uint8_t *from, const uint8_t *to, const uint8_t *data, size_t len,
                          const zg_u256 *value)
{
    cJSON *o = cJSON_CreateObject();
    if (from)
        cJSON_AddItemToObject(o, "from", zg_json_hex(from, 20));
    if (to)
        cJSON_AddItemToObject(o, "to", zg_json_hex(to, 20));
    cJSON_AddItemToObject(o, "data", zg_json_hex(data, len));
    if (value && !zg_u256_is_zero(value)) {
        char hx[72];
        zg_u256_to_hex(hx, value);
        cJSON_AddStringToObject(o, "value", hx);
    }
    return o;
}

int zg_rpc_eth_call(zg_rpc *rpc, const uint8_t *from, const uint8_t to[20], const uint8_t *data,
                    size_t len, const zg_u256 *value, zg_buf *ret, zg_buf *revert_data, zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, call_object(from, to, data, len, value));
    cJSON_AddItemToArray(p, cJSON_CreateString("latest"));
    cJSON *res = NULL;
    if (zg_rpc_call(rpc, "eth_call", p, &res, revert_data, err))
        return -1;
    int rc = -1;
    if (!cJSON_IsString(res)) {
        zg_err_set(err, EPROTO, "eth_call answered a non-string");
    } else {
        zg_buf tmp;
        zg_buf_init(&tmp, 0);
        if (zg_hex_decode_buf(&tmp, res->valuestring, err) == 0)
            rc = zg_buf_append(ret, tmp.data, tmp.len, err);
        zg_buf_free(&tmp);
    }
    cJSON_Delete(res);
    return rc;
}

void zg_rpc_eth_call_req_free(zg_rpc_eth_call_req *r)
{
    zg_buf_free(&r->ret);
    zg_buf_free(&r->revert);
}

/* One element of a batch answer into its request, as call() reads a
 * single answer. */
static void batch_item(zg_rpc_eth_call_req *r, const cJSON *item, zg_rpc_kind_fn kind_of)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(item, "error");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(item, "result");
    r->rc = -1;
    if (error && !cJSON_IsNull(error)) {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(error, "message");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        long c = error_code(code);
        size_t before = r->revert.len;
        extract_revert(error, &r->revert);
        bool reverted = c == ZG_RPC_CODE_REVERTED || r->revert.len > before;
        zg_err_set(&r->err, reverted ? ZG_EREVERT : EPROTO, "%s",
                   cJSON_IsString(msg) ? msg->valuestring : "unknown error");
        if (!reverted)
            zg_err_mark(&r->err, kind_of(c, cJSON_GetStringValue(msg)));
        return;
    }
    if (!cJSON_IsString(res)) {
        zg_err_set(&r->err, EPROTO, "eth_call answered a non-string");
        return;
    }
    if (zg_hex_decode_buf(&r->ret, res->valuestring, &r->err) == 0)
        r->rc = 0;
}

/* Every call on its own (a node without batches, or a batch of one). */
static int one_by_one(zg_rpc *rpc, const uint8_t *from, zg_rpc_eth_call_req *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        reqs[i].rc = zg_rpc_eth_call(rpc, from, reqs[i].to, reqs[i].data, reqs[i].len, NULL,
                                     &reqs[i].ret, &reqs[i].revert, &reqs[i].err);
    return 0;
}

int zg_rpc_eth_call_batch(zg_rpc *rpc, const uint8_t *from, zg_rpc_eth_call_req *reqs, size_t n,
                          zg_err *err)
{
    if (n <= 1)
        return one_by_one(rpc, from, reqs, n);
    int rc = -1;
    cJSON *batch = cJSON_CreateArray(), *resp = NULL;
    char *body = NULL;
    zg_http_resp hr;
    zg_http_resp_init(&hr);
    unsigned long first = atomic_fetch_add(&rpc->next_id, n);
    for (size_t i = 0; batch && i < n; i++) {
        cJSON *req = cJSON_CreateObject(), *p = cJSON_CreateArray();
        cJSON_AddItemToArray(batch, req);
        cJSON_AddItemToArray(p, call_object(from, reqs[i].to, reqs[i].data, reqs[i].len, NULL));
        cJSON_AddItemToArray(p, cJSON_CreateString("latest"));
        cJSON_AddStringToObject(req, "jsonrpc", "2.0");
        cJSON_AddNumberToObject(req, "id", (double)(first + i));
        cJSON_AddStringToObject(req, "method", "eth_call");
        cJSON_AddItemToObject(req, "params", p);
    }
    if (!batch || !(body = cJSON_PrintUnformatted(batch))) {
        zg_err_set(err, ENOMEM, "out of memory");
        goto out;
    }
    char what[64];
    snprintf(what, sizeof what, "RPC eth_call (a batch of %zu)", n);
    if (post(rpc, body, true, what, &hr, err))
        goto out;
    resp = cJSON_ParseWithLength((const char *)hr.body.data, hr.body.len);
    if (!resp) {
        zg_err_set(err, EPROTO, "RPC eth_call: the node's answer to a batch is not JSON");
        goto out;
    }
    if (!cJSON_IsArray(resp)) {
        rc = one_by_one(rpc, from, reqs, n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        reqs[i].rc = -1;
        zg_err_set(&reqs[i].err, EPROTO, "RPC eth_call: the node's batch answer lacks this call");
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, resp)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
        double k = cJSON_IsNumber(id) ? id->valuedouble - (double)first : -1;
        if (k >= 0 && k < (double)n && k == (double)(size_t)k)
            batch_item(&reqs[(size_t)k], item, rpc->kind_of);
    }
    rc = 0;
out:
    if (rc)
        for (size_t i = 0; i < n; i++) {
            reqs[i].rc = -1;
            if (err)
                reqs[i].err = *err;
        }
    cJSON_Delete(batch);
    cJSON_Delete(resp);
    free(body);
    zg_http_resp_free(&hr);
    return rc;
}

int zg_rpc_estimate_gas(zg_rpc *rpc, const uint8_t from[20], const uint8_t *to, const uint8_t *data,
                        size_t len, const zg_u256 *value, uint64_t *gas, zg_buf *revert_data,
                        zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, call_object(from, to, data, len, value));
    cJSON *res = NULL;
    if (zg_rpc_call(rpc, "eth_estimateGas", p, &res, revert_data, err))
        return -1;
    int rc = zg_json_quantity_u64(res, gas, err);
    cJSON_Delete(res);
    return rc;
}

int zg_rpc_send_raw(zg_rpc *rpc, const uint8_t *raw, size_t len, uint8_t hash[32],
                    zg_rpc_reply *reply, zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, zg_json_hex(raw, len));
    cJSON *res = NULL;
    zg_rpc_reply r = {0};
    /* Never repeated here: the caller decides what a lost answer means. */
    int rc = call(rpc, "eth_sendRawTransaction", p, false, &res, NULL, &r.node_error, &r.code, err);
    if (rc == 0) {
        rc = cJSON_IsString(res) ? zg_hex_decode_exact(hash, 32, res->valuestring, err)
                                 : zg_err_set(err, EPROTO, "node answered no transaction hash");
        r.answered = rc == 0;
    }
    cJSON_Delete(res);
    if (reply)
        *reply = r;
    return rc;
}

int zg_rpc_receipt(zg_rpc *rpc, const uint8_t hash[32], cJSON **receipt, zg_err *err)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, zg_json_hex(hash, 32));
    cJSON *res = NULL;
    if (zg_rpc_call(rpc, "eth_getTransactionReceipt", p, &res, NULL, err))
        return -1;
    if (cJSON_IsNull(res)) {
        cJSON_Delete(res);
        *receipt = NULL;
        return 0;
    }
    *receipt = res;
    return 0;
}

/* Ethereum JSON-RPC over zg_http. Reads are retried by the HTTP layer on
 * transport errors and 5xx; a revert is an answer, never retried. */
#ifndef ZG_RPC_H
#define ZG_RPC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/http.h"
#include "zg/u256.h"

/* err->code of a call the contract reverted; the revert data is handed back
 * so the caller can decode it (zg_revert_describe). */
#define ZG_EREVERT ECANCELED

/* The JSON-RPC error code of "execution reverted" (EIP-1474). */
#define ZG_RPC_CODE_REVERTED 3

typedef struct zg_rpc zg_rpc;

/* url is copied; http is borrowed and must outlive the zg_rpc. */
int zg_rpc_new(zg_rpc **out, const char *url, zg_http *http, zg_err *err);
void zg_rpc_free(zg_rpc *rpc);
const char *zg_rpc_url(const zg_rpc *rpc);
/* Count of JSON-RPC requests sent so far (for benchmarks and cache tests). */
unsigned long zg_rpc_requests(const zg_rpc *rpc);

/* Call `method` with `params` (a JSON array; ownership passes to the call,
 * NULL = []). On success *result is the "result" member, owned by the caller
 * (cJSON_Delete). On a JSON-RPC error the message is put into err; when the
 * error carries revert data, err->code is ZG_EREVERT and the data is
 * appended to revert_data (if non-NULL). */
int zg_rpc_call(zg_rpc *rpc, const char *method, cJSON *params, cJSON **result, zg_buf *revert_data,
                zg_err *err);

/* Reads a JSON-RPC error's code and message (message may be NULL) into a
 * kind (zg/err.h): every error zg_rpc_call and the calls below make from
 * a node's error answer carries the kind its handle's classifier gives. */
typedef zg_err_kind (*zg_rpc_kind_fn)(long code, const char *message);
/* The classifier of an Ethereum node (the default): ZG_EK_FUNDS,
 * ZG_EK_TX_KNOWN, ZG_EK_NONCE_LOW or ZG_EK_NONE. The one place that reads
 * an Ethereum node's error text. */
zg_err_kind zg_rpc_kind_of(long code, const char *message);
/* Another remote that speaks JSON-RPC (a 0G Storage indexer) brings its
 * own classifier; NULL restores zg_rpc_kind_of. */
void zg_rpc_set_kind_of(zg_rpc *rpc, zg_rpc_kind_fn kind_of);

/* The reading of one answer that zg_rpc_call makes, on body bytes got
 * elsewhere: the same result, errors and revert data, no I/O. */
int zg_rpc_parse_reply(const char *method, const uint8_t *body, size_t len, cJSON **result,
                       zg_buf *revert_data, zg_err *err);

int zg_rpc_chain_id(zg_rpc *rpc, uint64_t *chain_id, zg_err *err);
int zg_rpc_block_number(zg_rpc *rpc, uint64_t *num, zg_err *err);
int zg_rpc_balance(zg_rpc *rpc, const uint8_t addr[20], zg_u256 *wei, zg_err *err);
/* block: "latest" or "pending" */
int zg_rpc_nonce(zg_rpc *rpc, const uint8_t addr[20], const char *block, uint64_t *nonce,
                 zg_err *err);
int zg_rpc_gas_price(zg_rpc *rpc, zg_u256 *price, zg_err *err);

/* eth_call at "latest". from and value may be NULL. The return data is
 * appended to ret. */
int zg_rpc_eth_call(zg_rpc *rpc, const uint8_t *from, const uint8_t to[20], const uint8_t *data,
                    size_t len, const zg_u256 *value, zg_buf *ret, zg_buf *revert_data,
                    zg_err *err);

/* One eth_call of a batch. The caller fills to, data and len and zeroes the
 * rest; the batch fills rc (0 or -1), ret (the return data) or revert (the
 * revert data, when reverted) and err. Release with
 * zg_rpc_eth_call_req_free(). */
typedef struct zg_rpc_eth_call_req {
    const uint8_t *to;
    const uint8_t *data;
    size_t len;
    int rc;
    zg_buf ret, revert;
    zg_err err;
} zg_rpc_eth_call_req;

void zg_rpc_eth_call_req_free(zg_rpc_eth_call_req *r);

/* The eth_calls of reqs[0..n) at "latest" in one JSON-RPC batch: one HTTP
 * request, so one round trip however many calls (independent reads that a
 * file needs together cost the latency of one). Returns 0 when the node
 * answered, each call's own outcome in its rc/err; -1 when the exchange
 * failed (err, copied into every call). A node answering the batch with a
 * single object (no batch support) gets the calls one by one instead. */
int zg_rpc_eth_call_batch(zg_rpc *rpc, const uint8_t *from, zg_rpc_eth_call_req *reqs, size_t n,
                          zg_err *err);
int zg_rpc_estimate_gas(zg_rpc *rpc, const uint8_t from[20], const uint8_t *to, const uint8_t *data,
                        size_t len, const zg_u256 *value, uint64_t *gas, zg_buf *revert_data,
                        zg_err *err);
/* What the node's answer to a broadcast says, as far as it says anything. */
typedef struct zg_rpc_reply {
    bool answered;   /* a transaction hash came back: the node took it */
    bool node_error; /* the node answered a JSON-RPC error object ... */
    long code;       /* ... with this code; err holds its message */
} zg_rpc_reply;

/* Broadcast a signed transaction once (never repeated by the HTTP layer: a
 * lost answer leaves open whether the node took it, which only the caller
 * can settle); hash is what the node reports. reply may be NULL. */
int zg_rpc_send_raw(zg_rpc *rpc, const uint8_t *raw, size_t len, uint8_t hash[32],
                    zg_rpc_reply *reply, zg_err *err);
/* *receipt = NULL when the transaction is not mined yet; else caller frees. */
int zg_rpc_receipt(zg_rpc *rpc, const uint8_t hash[32], cJSON **receipt, zg_err *err);

/* Helpers for JSON-RPC values. */
cJSON *zg_json_hex(const uint8_t *p, size_t n); /* "0x..." string node */
int zg_json_quantity_u64(const cJSON *node, uint64_t *v, zg_err *err);
int zg_json_quantity_u256(const cJSON *node, zg_u256 *v, zg_err *err);

#endif

/* A wallet on one chain: read calls from its address, and transactions sent
 * one at a time so nonces never collide, however many threads send.
 *
 * Sending is: eth_call first (a revert becomes a sentence before any gas is
 * spent), eth_estimateGas with a margin, sign, hand the signed bytes to the
 * caller's journal hook, broadcast, and wait for the receipt. */
#ifndef ZG_CHAIN_H
#define ZG_CHAIN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/rpc.h"
#include "zg/secp.h"
#include "zg/u256.h"

typedef struct zg_chain zg_chain;

typedef struct zg_chain_opts {
    int tx_type;             /* 0 legacy (default, what 0G chains are known to take) or 2 */
    long receipt_timeout_ms; /* default 300000, as the reference client */
    long receipt_poll_ms;    /* default 200 */
    unsigned gas_margin_pct; /* added to eth_estimateGas; default 20 */
} zg_chain_opts;

/* rpc and key are borrowed and must outlive the zg_chain; key may be NULL
 * for a read-only chain. Checks the node's chain id against expected_chain_id
 * (0 = accept any) and fails with a sentence when they differ. */
int zg_chain_new(zg_chain **out, zg_rpc *rpc, uint64_t expected_chain_id, const zg_key *key,
                 const zg_chain_opts *opts, zg_err *err);
void zg_chain_free(zg_chain *c);
zg_rpc *zg_chain_rpc(zg_chain *c);
uint64_t zg_chain_id(const zg_chain *c);
/* The wallet address, or NULL for a read-only chain. */
const uint8_t *zg_chain_address(const zg_chain *c);

/* eth_call from the wallet address. On a revert, err is the decoded sentence
 * led by `what`, err->code the error's errno, and the raw revert data is
 * appended to revert_data when non-NULL. */
int zg_chain_call(zg_chain *c, const char *what, const uint8_t to[20], const uint8_t *data,
                  size_t len, zg_buf *ret, zg_buf *revert_data, zg_err *err);

/* Several zg_chain_call in one round trip (zg_rpc_eth_call_batch): each
 * failed call's err is the sentence zg_chain_call would give, led by
 * what[i], and its revert keeps the raw revert data. 0 when the node
 * answered (each call's outcome in its rc), -1 when the exchange failed. */
int zg_chain_call_batch(zg_chain *c, const char *const *what, zg_rpc_eth_call_req *reqs, size_t n,
                        zg_err *err);

typedef struct zg_receipt {
    uint8_t tx_hash[32];
    uint64_t block_number;
    uint64_t gas_used;
    bool success;
    bool has_contract;
    uint8_t contract[20]; /* for contract creations */
    cJSON *json;          /* the whole receipt (logs ...), owned; zg_receipt_free */
} zg_receipt;

void zg_receipt_free(zg_receipt *r);

/* Called after signing and before broadcast (the signed bytes must be on disk
 * before they can reach the network), and after the receipt. */
typedef struct zg_send_hooks {
    int (*signed_tx)(void *ctx, uint64_t nonce, const uint8_t hash[32], const uint8_t *raw,
                     size_t len, zg_err *err);
    void *ctx;
} zg_send_hooks;

/* Send a transaction from the wallet to `to` (NULL = contract creation) and
 * wait for its receipt. A reverted receipt returns -1 with the decoded reason
 * (re-run through eth_call). hooks may be NULL. Once hooks->signed_tx has
 * run, a failure is a proof (the node refused the bytes before any could
 * reach it, the receipt says reverted, or another transaction took the
 * nonce: EAGAIN), except err->code ETIMEDOUT: broadcast, and the chain has
 * not told yet whether it will be mined. rcpt is always initialized:
 * release it with zg_receipt_free whatever the result. */
int zg_chain_send(zg_chain *c, const char *what, const uint8_t *to, const zg_u256 *value,
                  const uint8_t *data, size_t len, const zg_send_hooks *hooks, zg_receipt *rcpt,
                  zg_err *err);

/* What the chain says of one signed transaction. */
typedef enum zg_tx_fate {
    ZG_TX_MINED,    /* a receipt for its hash (rcpt; success or reverted) */
    ZG_TX_REPLACED, /* no receipt, and the wallet's mined nonce passed its own:
                       another transaction took the nonce, it can never be mined */
    ZG_TX_PENDING,  /* neither yet: not mined, lost by the node, or the node
                       unreachable (err says which) */
} zg_tx_fate;

/* Settle a signed transaction (hash, nonce, raw bytes) by the only two
 * proofs there are: a receipt for its hash, or its nonce used by another
 * transaction. Looks for up to wait_ms (0 = one look); when the node does
 * not know it, broadcasts raw once more (the same bytes are the same
 * transaction, so it can happen at most once). raw may be NULL (no
 * re-broadcast); nonce UINT64_MAX = unknown (no replacement check). rcpt
 * is always initialized: release it with zg_receipt_free. */
zg_tx_fate zg_chain_settle(zg_chain *c, const uint8_t hash[32], uint64_t nonce, const uint8_t *raw,
                           size_t raw_len, long wait_ms, zg_receipt *rcpt, zg_err *err);

/* How long zg_chain_send waits for a receipt (default 300 s); set before
 * any send. */
void zg_chain_set_receipt_timeout(zg_chain *c, long ms);
long zg_chain_receipt_timeout(const zg_chain *c);

/* The recovery of a signed transaction kept across a crash: tx is what a
 * send's signed_tx hook handed over, as the journal keeps it ({"nonce":
 * N, "hash": "0x...", "raw": "0x..."}, zg/journal.h). One look at its
 * receipt; a node that does not answer it leaves *fate ZG_TX_PENDING with
 * the node's error in err at once; else zg_chain_settle for up to wait_ms.
 * 0 with *fate (rcpt for ZG_TX_MINED; err says why for ZG_TX_PENDING);
 * -1 (EIO) when tx cannot be read: then nothing is known, and the chain
 * must be checked by hand. rcpt is always initialized: release it with
 * zg_receipt_free. */
int zg_chain_recover(zg_chain *c, const cJSON *tx, long wait_ms, zg_tx_fate *fate, zg_receipt *rcpt,
                     zg_err *err);

#endif

/* Ethereum transactions as 0G chains accept them: EIP-155 legacy (type 0)
 * and EIP-1559 (type 2). */
#ifndef ZG_TX_H
#define ZG_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/secp.h"
#include "zg/u256.h"

typedef struct zg_tx {
    int type; /* 0 = legacy EIP-155, 2 = EIP-1559 */
    uint64_t chain_id;
    uint64_t nonce;
    uint64_t gas_limit;
    zg_u256 gas_price;    /* type 0 */
    zg_u256 max_fee;      /* type 2: maxFeePerGas */
    zg_u256 max_priority; /* type 2: maxPriorityFeePerGas */
    bool has_to;          /* false = contract creation */
    uint8_t to[20];
    zg_u256 value;
    const uint8_t *data; /* borrowed */
    size_t data_len;
} zg_tx;

/* Sign tx with key: raw receives the bytes for eth_sendRawTransaction
 * (appended), hash the transaction hash. */
int zg_tx_sign(zg_buf *raw, uint8_t hash[32], const zg_tx *tx, const zg_key *key, zg_err *err);

#endif

/* All sub-accounts of one user in one serving contract, in one call per 50
 * (getAccountsByUser), so a listing of the ledger costs O(1) requests
 * instead of one getAccount per provider. */
#ifndef ZG_SUBACCOUNTS_H
#define ZG_SUBACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/client.h"
#include "zg/u256.h"

typedef struct zg_subaccount {
    uint8_t provider[20];
    zg_u256 nonce;
    zg_u256 balance; /* includes pending refunds */
    zg_u256 pending_refund;
    uint64_t nrefunds;      /* live refunds */
    uint64_t ndeliverables; /* fine-tuning only */
    bool acknowledged;      /* the user's acknowledgement of the TEE signer */
} zg_subaccount;

/* *out is malloc'd (free()), *n entries, in the contract's order. */
int zg_subaccounts_by_user(zg_client *c, zg_service_kind kind, const uint8_t user[20],
                           zg_subaccount **out, size_t *n, zg_err *err);

#endif

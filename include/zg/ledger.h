/* LedgerManager: the wallet's main account ("ledger") and the transfers into
 * and out of provider sub-accounts (docs/protocol.md §C2.1). */
#ifndef ZG_LEDGER_H
#define ZG_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/chain.h"
#include "zg/client.h"
#include "zg/u256.h"

typedef struct zg_ledger {
    uint8_t user[20];
    zg_u256 available;     /* still in the main account */
    zg_u256 total;         /* available + what sits in sub-accounts */
    char *additional_info; /* owned; zg_ledger_free */
} zg_ledger;

void zg_ledger_free(zg_ledger *l);

/* *exists = false (and 0 returned) when the user has no ledger. *out is
 * always initialized, so zg_ledger_free is safe whatever the result. */
int zg_ledger_get(zg_client *c, const uint8_t user[20], zg_ledger *out, bool *exists, zg_err *err);

/* Create the ledger with amount (addLedger("")) when absent, else deposit.
 * hooks may be NULL (see zg_chain_send). */
int zg_ledger_deposit(zg_client *c, const zg_u256 *amount, const zg_send_hooks *hooks, zg_err *err);
/* refund(amount): ledger -> wallet. Refuses (EPERM, nothing sent) to take the
 * ledger's total balance to zero unless allow_delete, because the contract
 * then deletes every sub-account and the model keys stored there. */
int zg_ledger_refund(zg_client *c, const zg_u256 *amount, bool allow_delete,
                     const zg_send_hooks *hooks, zg_err *err);
/* transferFund(provider, <registered name of kind>, amount). For fine-tuning
 * the provider must be a registered service (checked first: the ledger
 * itself accepts any address and would lock the money there). */
int zg_ledger_transfer(zg_client *c, zg_service_kind kind, const uint8_t provider[20],
                       const zg_u256 *amount, const zg_send_hooks *hooks, zg_err *err);
/* retrieveFund(providers, name): at most 20 per call (EINVAL beyond). */
int zg_ledger_retrieve(zg_client *c, zg_service_kind kind, const uint8_t (*providers)[20], size_t n,
                       const zg_send_hooks *hooks, zg_err *err);
/* getLedgerProviders(user, name): *out is malloc'd (free()), *n entries. */
int zg_ledger_providers(zg_client *c, zg_service_kind kind, const uint8_t user[20],
                        uint8_t (**out)[20], size_t *n, zg_err *err);

typedef struct zg_service_info {
    uint8_t address[20];
    char type[32];
    char version[32];
    char full_name[64];
    char description[256];
    bool recommended;
    uint64_t registered_at;
} zg_service_info;

/* getServiceInfo(addr); full_name is "" when not registered. */
int zg_ledger_service_info(zg_client *c, const uint8_t addr[20], zg_service_info *out, zg_err *err);
int zg_ledger_min_account_balance(zg_client *c, zg_u256 *out, zg_err *err);
int zg_ledger_min_transfer(zg_client *c, zg_u256 *out, zg_err *err);

#endif

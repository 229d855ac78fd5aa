/* The money files' rules: what a line written to ledger/deposit,
 * ledger/refund, providers/P/fund, retrieve or trust asks for, every check
 * against the chain's state before anything is signed (read afresh, so a
 * refusal names today's balances), then the journaled operation
 * (zg/ops.h). A refusal sends nothing. */
#ifndef ZG_FUNDS_H
#define ZG_FUNDS_H

#include <stdbool.h>

#include "zg/client.h"
#include "zg/journal.h"
#include "zg/u256.h"

/* What a call did, for the caller's sentence. */
typedef struct zg_funds_result {
    bool sent;         /* a transaction was tried: state may have changed */
    bool already;      /* trust: it already was as asked; nothing sent */
    bool yes;          /* trust: acknowledge (false: revoke) */
    bool vouched;      /* "--unverified": no TEE check was made */
    zg_u256 amount;    /* what was asked */
    zg_u256 cancelled; /* fund: pending refunds the contract cancels first */
    zg_u256 moved;     /* fund: what leaves the ledger; retrieve: what came back */
    zg_u256 pending;   /* retrieve: still pending refund afterwards */
    bool after_known;  /* retrieve: moved and pending could be read after */
} zg_funds_result;

/* The TEE check before a transaction that acknowledges provider's TEE
 * signer (the first fund, trust yes); called with vouched when the line
 * said "--unverified" (the check is skipped, the caller may note that).
 * Returns -1 with err to refuse. */
typedef int (*zg_funds_vet_fn)(void *arg, bool vouched, zg_err *err);

/* A positive amount as written: OG ("1.5") or neuron ("250000neuron");
 * EINVAL with a sentence when empty, malformed or zero. */
int zg_funds_amount(const char *line, zg_u256 *out, zg_err *err);

/* ledger/deposit: line is an amount; EDQUOT naming the wallet when it holds
 * less (the gas comes on top). */
int zg_funds_deposit(zg_client *c, zg_journal *j, const char *line, zg_funds_result *out,
                     zg_err *err);

/* ledger/refund: "AMOUNT" or "all", optionally followed by
 * "--delete-ledger". ENOENT without a ledger, EDQUOT above what is
 * available, EPERM when it would empty (and so delete) the ledger without
 * "--delete-ledger". */
int zg_funds_refund(zg_client *c, zg_journal *j, const char *line, zg_funds_result *out,
                    zg_err *err);

/* providers/P/fund: "AMOUNT" or "AMOUNT --unverified" into the kind
 * sub-account with provider. The contract first cancels the sub-account's
 * pending refunds (out->cancelled), only the rest leaves the ledger
 * (out->moved): EDQUOT without a ledger or when the ledger has less than
 * that. The transfer that creates the sub-account acknowledges the
 * provider's TEE signer, so vet is asked first. */
int zg_funds_transfer(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                      const char *line, zg_funds_vet_fn vet, void *arg, zg_funds_result *out,
                      zg_err *err);

/* providers/P/retrieve: "all" (the contract has no partial retrieval);
 * ENOENT without a sub-account. */
int zg_funds_retrieve(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                      const char *line, zg_funds_result *out, zg_err *err);

/* providers/P/trust: "yes", "yes --unverified" or "no". ENOENT without a
 * sub-account, EBUSY revoking while the sub-account holds funds; nothing
 * is sent when it already is as asked (out->already). vet as for
 * zg_funds_transfer, before acknowledging. */
int zg_funds_trust(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                   const char *line, zg_funds_vet_fn vet, void *arg, zg_funds_result *out,
                   zg_err *err);

/* "fine-tuning" or "inference". */
const char *zg_funds_kind_word(zg_service_kind kind);

#endif

/* The bridge between the chain's sender and the journal: a signed
 * transaction is written into its journal record (state "sent", with its
 * nonce, hash and raw bytes) before it is broadcast, so a crash after the
 * broadcast leaves what the reconciler needs to find it on chain. It sits
 * in the chain layer because the journal (a foundation) knows nothing of
 * transactions. */
#ifndef ZG_TXJOURNAL_H
#define ZG_TXJOURNAL_H

#include <stdbool.h>

#include "zg/chain.h"
#include "zg/journal.h"

/* Send hooks that write the signed transaction into record id (state
 * "sent") before it is broadcast. ctx must stay valid during the send. */
typedef struct zg_journal_tx {
    zg_journal *j;
    char id[40];
    bool sent; /* set once the signed transaction is on disk ("sent") */
} zg_journal_tx;
zg_send_hooks zg_journal_hooks(zg_journal_tx *ctx);

#endif

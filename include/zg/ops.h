/* Money-moving operations, journaled (zg/journal.h) so that a crash at any
 * instruction leaves them finished exactly once or visibly failed. Each
 * wraps one binding: intent on disk -> signed transaction on disk ->
 * broadcast -> receipt -> done. A failure after the broadcast is written
 * "failed" only on a proof; ETIMEDOUT leaves the record "sent" for the
 * reconciler (zg/reconcile.h). The filesystem calls these, never the bare
 * bindings, for anything that spends. */
#ifndef ZG_OPS_H
#define ZG_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/client.h"
#include "zg/journal.h"
#include "zg/reconcile.h"
#include "zg/u256.h"

int zg_op_deposit(zg_client *c, zg_journal *j, const zg_u256 *amount, zg_err *err);
int zg_op_refund(zg_client *c, zg_journal *j, const zg_u256 *amount, bool allow_delete,
                 zg_err *err);
int zg_op_transfer(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                   const zg_u256 *amount, zg_err *err);
int zg_op_retrieve(zg_client *c, zg_journal *j, zg_service_kind kind,
                   const uint8_t (*providers)[20], size_t n, zg_err *err);
int zg_op_ack_tee(zg_client *c, zg_journal *j, zg_service_kind kind, const uint8_t provider[20],
                  bool acknowledged, zg_err *err);
int zg_op_ack_deliverable(zg_client *c, zg_journal *j, const uint8_t provider[20], const char *id,
                          zg_err *err);
/* Was the acknowledgement of task id's deliverable sent before a crash and
 * found on chain by zg_reconcile? Then tx (0x + 64 hex digits) is its
 * transaction, so a later "already acknowledged" can say whose it is. */
bool zg_op_ack_recovered(zg_journal *j, const uint8_t provider[20], const char *id, char tx[67]);

#endif

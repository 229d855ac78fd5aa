/* The chain's clock: deadlines on chain (the acknowledgement window of a
 * deliverable, refund locks) are in block time, which may differ from the
 * local clock (devnets move it with evm_increaseTime). */
#ifndef ZG_CHAINTIME_H
#define ZG_CHAINTIME_H

#include <stdint.h>

#include "zg/err.h"
#include "zg/rpc.h"

/* The timestamp of the latest block, unix seconds. */
int zg_chain_time(zg_rpc *rpc, uint64_t *unix_s, zg_err *err);

#endif

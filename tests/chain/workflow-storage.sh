#!/usr/bin/env bash
# The workflow with 0G Storage in the middle: the dataset goes to the
# devnet's storage node, the provider fetches it by root with proofs, and
# delivers the model through storage (its Merkle root on chain).
source "$(dirname "$0")/../lib.sh"
devnet_start ZG_PROVIDER_STEP_MS=100 ZG_PROVIDER_SETTLE_MS=300 ZG_PROVIDER_DELIVER=storage ||
    { not_ok "devnet up"; t_done; exit 1; }
"$ZG_BUILD/tests/chain/workflow" "$DEVNET_JSON" "$T_TMP" storage

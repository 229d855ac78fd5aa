#!/usr/bin/env bash
# The fine-tuning workflow through the core against the devnet provider.
source "$(dirname "$0")/../lib.sh"
devnet_start ZG_PROVIDER_STEP_MS=100 ZG_PROVIDER_SETTLE_MS=300 || { not_ok "devnet up"; t_done; exit 1; }
"$ZG_BUILD/tests/chain/workflow" "$DEVNET_JSON" "$T_TMP"

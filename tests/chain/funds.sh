#!/usr/bin/env bash
# The money files' rules through the core against the devnet's contracts.
source "$(dirname "$0")/../lib.sh"
devnet_start || { not_ok "devnet up"; t_done; exit 1; }
"$ZG_BUILD/tests/chain/funds" "$DEVNET_JSON" "$T_TMP"

#!/usr/bin/env bash
# Every contract binding of the core against the real 0G contracts on a
# private devnet (tests/chain/bindings.c does the checks).
source "$(dirname "$0")/../lib.sh"
devnet_start || { not_ok "devnet up"; t_done; exit 1; }
"$ZG_BUILD/tests/chain/bindings" "$DEVNET_JSON"

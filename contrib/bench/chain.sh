#!/usr/bin/env bash
# Core <-> chain speed on a private devnet: eth_call calls/s and the cost of
# one signed transaction round trip. Prints numbers only.
source "$(dirname "$0")/../../tests/lib.sh"
devnet_start >/dev/null || exit 1
"$ZG_BUILD/contrib/bench/chain_bench" "$DEVNET_JSON" "${1:-3}"

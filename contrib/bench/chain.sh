#!/usr/bin/env bash
# Core <-> chain speed on a private devnet: eth_call calls/s and the cost of
# one signed transaction round trip. Prints numbers, then bench-result lines
# (contrib/bench/result.sh; the issue sets no goal for these).
#
#   contrib/bench/chain.sh [SECONDS]      default 3
source "$(dirname "$0")/../../tests/lib.sh"
source "$ZG_ROOT/contrib/bench/result.sh"
devnet_start >/dev/null || exit 1
out=$("$ZG_BUILD/contrib/bench/chain_bench" "$DEVNET_JSON" "${1:-3}") || { printf '%s\n' "$out"; exit 1; }
printf '%s\n' "$out"
calls=$(sed -n 's/^eth_call.*: \([0-9.]*\) calls\/s, \([0-9.]*\) ms each$/\1 calls\/s, \2 ms each/p' <<<"$out")
tx=$(sed -n 's/^signed transaction.*: \([0-9.]*\) ms each over.*/\1 ms/p' <<<"$out")
bench_result "chain: eth_call getLedger through the core" "no goal" "${calls:-?}" - "no goal"
bench_result "chain: one signed transaction, signing to receipt" "no goal" "${tx:-?}" - "no goal"

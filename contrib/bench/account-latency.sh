#!/usr/bin/env bash
# Latency of reading one fine-tuning sub-account on a private devnet:
# `cat providers/P/account.json` through zgfs, warm (served from the
# mount's cache) and cold (the cache has expired: a ttl=1 mount, read every
# 1.2 s, so the provider lookup and the account are fetched again),
# against the official CLI's get-sub-account and get-account. Prints
# numbers, not a verdict.
#
#   contrib/bench/account-latency.sh [RUNS]      (default 20; the CLI runs RUNS/4, at least 3)
#
# Uses ZG_BUILD (default build/) for the zgfs binary, like the tests.
source "$(dirname "$0")/../../tests/lib.sh"

runs=${1:-20}
cli_runs=$((runs / 4 < 3 ? 3 : runs / 4))
cli_js=$ZG_NODE_MODULES/@0gfoundation/0g-compute-ts-sdk/cli.commonjs/cli/index.js
[[ -x $ZGFS ]] || { echo "zgfs not built at $ZGFS (set ZG_BUILD)" >&2; exit 1; }
[[ -f $cli_js ]] || { echo "official CLI missing at $cli_js (run contrib/setup)" >&2; exit 1; }
devnet_start >/dev/null || exit 1
KEY=$DEVNET/user.key
P=$(jq -r .providers.fineTuning.address "$DEVNET_JSON")

now_us() { echo $(($(date +%s%N) / 1000)); }

# stats LABEL FILE: median, mean, min, max of the microsecond samples in FILE.
stats() {
    sort -n "$2" | awk -v l="$1" '
        { v[NR] = $1; s += $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%-52s %5d %10.2f %10.2f %10.2f %10.2f\n", l, NR, m / 1000, s / NR / 1000, v[1] / 1000, v[NR] / 1000
        }'
}

# time_cmd N FILE CMD...: run CMD N times, microseconds per run into FILE
# (PAUSE seconds of untimed sleep before each run).
time_cmd() {
    local n=$1 out=$2 i t0 t1
    shift 2
    : >"$out"
    for ((i = 0; i < n; i++)); do
        [[ -z ${PAUSE:-} ]] || sleep "$PAUSE"
        t0=$(now_us)
        "$@" >/dev/null 2>&1 || echo "# run $i of $* failed" >&2
        t1=$(now_us)
        echo $((t1 - t0)) >>"$out"
    done
}

requests() { grep -cE '^(eth|net|web3|anvil|evm)_[A-Za-z]+$' "$DEVNET/anvil.log"; }

printf '%-52s %5s %10s %10s %10s %10s\n' "what (ms)" runs median mean min max

# Warm: a long ttl, one read to fill the cache, then reads from it.
zgfs_mount "$T_TMP/warm" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,ttl=3600" || exit 1
cat "$T_TMP/warm/providers/$P/account.json" >/dev/null
r0=$(requests)
time_cmd "$runs" "$T_TMP/warm.us" cat "$T_TMP/warm/providers/$P/account.json"
r1=$(requests)
stats "zgfs cat account.json, warm (cache)" "$T_TMP/warm.us"
zgfs_umount

# Cold: ttl=1 and a pause longer than that before each read, so the
# kernel's entries and the mount's cache have expired: the provider lookup
# (services list) and the sub-account are fetched again.
zgfs_mount "$T_TMP/cold" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,ttl=1" || exit 1
r2=$(requests)
PAUSE=1.2 time_cmd "$runs" "$T_TMP/cold.us" cat "$T_TMP/cold/providers/$P/account.json"
r3=$(requests)
stats "zgfs cat account.json, cold (cache expired)" "$T_TMP/cold.us"
zgfs_umount

# The official CLI (a Node process per call, as a user runs it).
home=$T_TMP/clihome
mkdir -p "$home/.0g-compute-cli"
(umask 077 && printf '{"privateKey":"%s","rpcEndpoint":"%s"}\n' "$(tr -d '[:space:]' <"$KEY")" "$RPC" \
    >"$home/.0g-compute-cli/config.json")
r4=$(requests)
HOME=$home time_cmd "$cli_runs" "$T_TMP/cli.us" node "$cli_js" get-sub-account --provider "$P" --service fine-tuning --rpc "$RPC"
r5=$(requests)
stats "official CLI get-sub-account --service fine-tuning" "$T_TMP/cli.us"
HOME=$home time_cmd "$cli_runs" "$T_TMP/cli2.us" node "$cli_js" get-account --rpc "$RPC"
stats "official CLI get-account" "$T_TMP/cli2.us"

echo
printf 'JSON-RPC requests per read: zgfs warm %s, zgfs cold %s, CLI get-sub-account %s\n' \
    "$(awk -v a=$((r1 - r0)) -v n="$runs" 'BEGIN { printf "%.1f", a / n }')" \
    "$(awk -v a=$((r3 - r2)) -v n="$runs" 'BEGIN { printf "%.1f", a / n }')" \
    "$(awk -v a=$((r5 - r4)) -v n="$cli_runs" 'BEGIN { printf "%.1f", a / n }')"

#!/usr/bin/env bash
# Latency of the two reads a user repeats most, on a private devnet:
# `cat providers/P/account.json` (the fine-tuning sub-account) and
# `cat providers/P/tasks/ID/progress`, through zgfs warm (served from the
# mount's cache) and cold (the cache has expired: a ttl=1 mount, read every
# 1.2 s, so everything on the path is asked again), against the official
# CLI's get-sub-account and get-task. Counts what each cold read asks: the
# mount's JSON-RPC requests (a counting proxy in front of the chain, so the
# devnet's other clients are not counted) and its requests to the provider
# (a counting proxy on the second provider's URL, tests/fs/wflib.sh).
# Prints a table, then bench-result lines (contrib/bench/result.sh): the
# CLI's median over the cold read's median, goal >= 20x, and the round
# trips of each cold read, goal 1.
#
#   contrib/bench/account-latency.sh [RUNS]      (default 20; the CLI runs RUNS/4, at least 3)
#
# Uses ZG_BUILD (default build/) for the zgfs binary, like the tests.
source "$(dirname "$0")/../../tests/fs/wflib.sh"
source "$ZG_ROOT/contrib/bench/result.sh"

runs=${1:-20}
cli_runs=$((runs / 4 < 3 ? 3 : runs / 4))
[[ -x $ZGFS ]] || { echo "zgfs not built at $ZGFS (set ZG_BUILD)" >&2; exit 1; }
[[ -f $FS_CLI ]] || { echo "official CLI missing at $FS_CLI (run contrib/setup)" >&2; exit 1; }
export ZG_PROVIDER_STEP_MS=100 ZG_PROVIDER_SETTLE_MS=400
devnet_start >/dev/null || exit 1
KEY=$DEVNET/user.key
FT=$(dj .providers.fineTuning.address)
FT2=$(dj .providers.fineTuningUnacknowledged.address)

# The mount talks to the chain through a counting proxy (one line per request).
RP_LOG=$T_TMP/rpc-proxy.log
rp_port=$(free_port)
echo proxy >"$T_TMP/rpc-proxy.mode"
(cd / && exec node "$ZG_ROOT/tests/fs/rpc-proxy.js" "$rp_port" "$RPC" "$RP_LOG" "$T_TMP/rpc-proxy.mode") \
    >"$T_TMP/rpc-proxy.out" 2>&1 &
at_exit "kill $!"
wait_until 10 grep -q listening "$T_TMP/rpc-proxy.out" || { echo "the JSON-RPC proxy did not start" >&2; exit 1; }
jq --arg u "http://127.0.0.1:$rp_port" '.rpc = $u' "$DEVNET_JSON" >"$T_TMP/devnet-proxied.json"
OPTS="devnet=$T_TMP/devnet-proxied.json,key_file=$KEY,state_dir=$T_TMP/state"

now_us() { echo $(($(date +%s%N) / 1000)); }
lines() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }

# median FILE: the median of the microsecond samples in FILE, in ms.
median() {
    sort -n "$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m / 1000 }'
}

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

# per_read BEFORE AFTER: requests per read over the runs.
per_read() { awk -v a=$(($2 - $1)) -v n="$runs" 'BEGIN { printf "%.1f", a / n }'; }

# ---- a task, made through the mount, and the provider proxy that counts
zgfs_mount "$T_TMP/mnt" -o "$OPTS,ttl=1" || exit 1
cd "$MNT" || exit 1
printf '{"text":"a short dataset"}\n' >"$T_TMP/s.jsonl"
cp "$T_TMP/s.jsonl" "providers/$FT/datasets/" || { echo "dataset upload failed" >&2; exit 1; }
id=$(new_task "providers/$FT" s.jsonl)
[[ -n $id ]] || { echo "no task was made" >&2; exit 1; }
count_proxy_start
cd / && zgfs_umount

printf '%-52s %5s %10s %10s %10s %10s\n' "what (ms)" runs median mean min max

# Warm: a long ttl, one read to fill the cache, then reads from it.
zgfs_mount "$T_TMP/warm" -o "$OPTS,ttl=3600" || exit 1
A=$MNT/providers/$FT/account.json
G=$MNT/providers/$FT2/tasks/$id/progress
cat "$A" "$G" >/dev/null
time_cmd "$runs" "$T_TMP/warm.us" cat "$A"
stats "zgfs cat account.json, warm (cache)" "$T_TMP/warm.us"
time_cmd "$runs" "$T_TMP/warmp.us" cat "$G"
stats "zgfs cat tasks/ID/progress, warm (cache)" "$T_TMP/warmp.us"
zgfs_umount

# Cold: ttl=1 and a pause longer than that before each read, so the
# kernel's entries and the mount's cache have expired.
zgfs_mount "$T_TMP/cold" -o "$OPTS,ttl=1" || exit 1
A=$MNT/providers/$FT/account.json
G=$MNT/providers/$FT2/tasks/$id/progress
r0=$(lines "$RP_LOG")
PAUSE=1.2 time_cmd "$runs" "$T_TMP/cold.us" cat "$A"
r1=$(lines "$RP_LOG")
stats "zgfs cat account.json, cold (cache expired)" "$T_TMP/cold.us"
p0=$(proxy_count .)
PAUSE=1.2 time_cmd "$runs" "$T_TMP/coldp.us" cat "$G"
r2=$(lines "$RP_LOG")
p1=$(proxy_count .)
stats "zgfs cat tasks/ID/progress, cold (cache expired)" "$T_TMP/coldp.us"
zgfs_umount

# The official CLI (a Node process per call, as a user runs it).
ccli() { cli "$@" >/dev/null; }
time_cmd "$cli_runs" "$T_TMP/cli.us" ccli get-sub-account --provider "$FT" --service fine-tuning
stats "official CLI get-sub-account --service fine-tuning" "$T_TMP/cli.us"
time_cmd "$cli_runs" "$T_TMP/clit.us" ccli get-task --provider "$FT" --task "$id"
stats "official CLI get-task" "$T_TMP/clit.us"

acct_rpc=$(per_read "$r0" "$r1")
prog_rpc=$(per_read "$r1" "$r2")
prog_http=$(per_read "$p0" "$p1")
echo
printf 'requests per cold read: account.json %s JSON-RPC; progress %s JSON-RPC + %s to the provider\n' \
    "$acct_rpc" "$prog_rpc" "$prog_http"

cold=$(median "$T_TMP/cold.us") coldp=$(median "$T_TMP/coldp.us")
cli_a=$(median "$T_TMP/cli.us") cli_t=$(median "$T_TMP/clit.us")
ra=$(awk -v a="$cli_a" -v b="$cold" 'BEGIN { printf "%.0f", a / b }')
rt=$(awk -v a="$cli_t" -v b="$coldp" 'BEGIN { printf "%.0f", a / b }')
bench_result "cold cat account.json vs CLI get-sub-account (medians)" "≥ 20x" \
    "zgfs ${cold} ms, CLI ${cli_a} ms" "${ra}x" "$(bench_verdict "$ra" 20)"
bench_result "cold cat tasks/ID/progress vs CLI get-task (medians)" "≥ 20x" \
    "zgfs ${coldp} ms, CLI ${cli_t} ms" "${rt}x" "$(bench_verdict "$rt" 20)"
trips() { awk -v a="$1" -v b="${2:-0}" 'BEGIN { t = a + b; print (t <= 1.05) ? "met" : "not met" }'; }
bench_result "round trips of a cold read of account.json" "1" "${acct_rpc} JSON-RPC requests" \
    "$acct_rpc" "$(trips "$acct_rpc")"
bench_result "round trips of a cold read of tasks/ID/progress" "1" \
    "${prog_rpc} JSON-RPC + ${prog_http} provider requests" \
    "$(awk -v a="$prog_rpc" -v b="$prog_http" 'BEGIN { print a + b }')" "$(trips "$prog_rpc" "$prog_http")"

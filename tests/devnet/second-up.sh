#!/usr/bin/env bash
# A second `up` reuses a running devnet quickly; `down` stops exactly the
# processes `up` recorded, and nothing else. Always uses devnets of its own
# (started in a temporary directory on free ports); an argument is ignored.
#
#   tests/devnet/second-up.sh
set -euo pipefail
# shellcheck source=tests/devnet/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp=$(t_tmpdir)
A=$tmp/a
B=$tmp/b
C=$tmp/c
now_ms() { echo $(($(date +%s%N) / 1000000)); }
gone() { ! alive "$1"; }
alive() { kill -0 "$1" 2>/dev/null && [[ $(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
chain_id() {
    curl -s --max-time 2 -H 'content-type: application/json' \
        --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1" |
        jq -r '.result // empty' 2>/dev/null || true
}

t0=$(now_ms)
start_devnet "$A" || bail "cold up of devnet A" "$(cat "$A.up.log")"
ok "cold up of devnet A ($(($(now_ms) - t0)) ms)"
a_pid=$(cat "$A/anvil.pid")
a_rpc=$(jq -r .rpc "$A/devnet.json")
a_port=$(jq -r .anvil.port "$A/devnet.json")
a_prov=$(cat "$A/provider.pid" 2>/dev/null || true)
a_sum=$(sha256sum <"$A/devnet.json")

t0=$(now_ms)
if ZG_DEVNET_PORT=$a_port "$t_up" "$A" >"$tmp/up2.log" 2>&1; then
    ok "second up of A exits 0"
else
    not_ok "second up of A exits 0" "$(cat "$tmp/up2.log")"
fi
dt=$(($(now_ms) - t0))
check "second up of A takes < 10 s ($dt ms)" test "$dt" -lt 10000
check "second up says 'devnet already running'" grep -q "devnet already running" "$tmp/up2.log"
check "second up kept the same anvil (pid $a_pid)" test "$(cat "$A/anvil.pid")" = "$a_pid"
check "second up left devnet.json unchanged" test "$(sha256sum <"$A/devnet.json")" = "$a_sum"
check "A still answers eth_chainId" test "$(chain_id "$a_rpc")" = 0x7a69

start_devnet "$B" || bail "cold up of devnet B" "$(cat "$B.up.log")"
ok "cold up of devnet B on another port"
b_pid=$(cat "$B/anvil.pid")
b_rpc=$(jq -r .rpc "$B/devnet.json")

if ZG_DEVNET_PORT=$a_port "$t_up" "$C" >"$tmp/upc.log" 2>&1; then
    not_ok "up of a new DIR on A's port fails" "$(cat "$tmp/upc.log")"
    "$t_down" "$C" >/dev/null 2>&1 || true
else
    ok "up of a new DIR on A's port fails"
fi
check "... with a clear sentence about the port" grep -q "port $a_port on 127.0.0.1 is already in use" "$tmp/upc.log"
check "... and A is untouched" test "$(chain_id "$a_rpc")" = 0x7a69 -a "$(cat "$A/anvil.pid")" = "$a_pid"

sleep 300 &
decoy=$!

if "$t_down" "$A" >"$tmp/down.log" 2>&1; then
    ok "down of A exits 0"
else
    not_ok "down of A exits 0" "$(cat "$tmp/down.log")"
fi
check "down of A stopped A's anvil (pid $a_pid)" gone "$a_pid"
if [[ -n $a_prov ]]; then
    check "down of A stopped A's provider simulator (pid $a_prov)" gone "$a_prov"
fi
check "down of A removed A's pid files" test ! -e "$A/anvil.pid" -a ! -e "$A/provider.pid"
check "A's RPC no longer answers" test -z "$(chain_id "$a_rpc")"
check "B's anvil (pid $b_pid) still runs" alive "$b_pid"
check "B still answers eth_chainId" test "$(chain_id "$b_rpc")" = 0x7a69
check "B's pid file is intact" test "$(cat "$B/anvil.pid")" = "$b_pid"
check "an unrelated process survived" alive "$decoy"

if "$t_down" "$A" >"$tmp/down2.log" 2>&1; then
    ok "second down of A exits 0"
else
    not_ok "second down of A exits 0" "$(cat "$tmp/down2.log")"
fi
check "second down says 'devnet not running'" grep -q "devnet not running" "$tmp/down2.log"

# A stale pid file pointing at an unrelated process must not get it killed.
echo "$decoy" >"$A/anvil.pid"
echo "$decoy" >"$A/provider.pid"
"$t_down" "$A" >"$tmp/down3.log" 2>&1 || true
check "down ignores a pid file naming a process that is not ours" alive "$decoy"
check "... and removes the stale pid files" test ! -e "$A/anvil.pid" -a ! -e "$A/provider.pid"
kill "$decoy" 2>/dev/null || true
wait "$decoy" 2>/dev/null || true

t0=$(now_ms)
if ZG_DEVNET_PORT=$a_port "$t_up" "$A" >"$tmp/up3.log" 2>&1; then
    ok "up of A after down starts a fresh devnet ($(($(now_ms) - t0)) ms)"
else
    not_ok "up of A after down starts a fresh devnet" "$(cat "$tmp/up3.log")"
fi
check "the fresh devnet has a new anvil pid" test "$(cat "$A/anvil.pid" 2>/dev/null)" != "$a_pid" -a -s "$A/anvil.pid"
check "the fresh devnet answers eth_chainId" test "$(chain_id "$a_rpc")" = 0x7a69

"$t_down" "$B" >/dev/null 2>&1 || true
check "down of B stopped B's anvil" gone "$b_pid"

finish

#!/usr/bin/env bash
# Caching and invalidation: writes invalidate kernel caches at once (and the
# same check fails with -o noinval, proving it can see staleness), remote
# changes show within one ttl and not before, concurrent readers share one
# fetch, and `tail -f log` follows the log.
. "$(dirname "$0")/fslib.sh"

fs_start ttl=10
cd "$MNT" || exit 1

# external_deposit OG: deposit for the user without zgfs (anvil impersonation).
external_deposit() {
    local hex
    hex=$(perl -MMath::BigInt -e 'print Math::BigInt->new($ARGV[0])->as_hex' "$(neuron "$1")")
    rpc anvil_impersonateAccount "[\"$USER_ADDR\"]" >/dev/null
    rpc eth_sendTransaction "[{\"from\":\"$USER_ADDR\",\"to\":\"$LEDGER_CA\",\"data\":\"0x8d0d8cb6\",\"value\":\"$hex\"}]" >/dev/null
    rpc anvil_stopImpersonatingAccount "[\"$USER_ADDR\"]" >/dev/null
}

# ---- a write invalidates the kernel's attribute cache (sizes) at once
s0=$(stat -c %s ledger/balance) # "8\n": 2 bytes, now cached for 10 s
echo 1.5 >ledger/deposit
check_eq "size of ledger/balance right after a deposit is the new one" \
    "$(stat -c %s ledger/balance)" "$(cat ledger/balance | wc -c)"
check "...and it changed" test "$(stat -c %s ledger/balance)" != "$s0"

# ---- a write drops what it changed from the daemon's cache too: a deposit
# reads the wallet's balance just before it spends (that answer is now
# cached for 10 s), and wallet/balance right after it is the chain's new
# balance, content and size.
cat wallet/balance >/dev/null
stat -c %s wallet/balance >/dev/null
check_eq "deposit 0.25" "$(wr ledger/deposit 0.25)" ok
ws=$(stat -c %s wallet/balance)
w=$(cat wallet/balance)
check_eq "wallet/balance right after a deposit is the chain's balance" "$(neuron "$w")" \
    "$(chain_balance "$USER_ADDR")"
check_eq "...and its size is that of the new balance" "$ws" "$(printf '%s\n' "$w" | wc -c)"
check_eq "(the ledger refunds the 0.25 for what follows)" "$(wr ledger/refund 0.25)" ok

cd /
fs_remount ttl=10,noinval || not_ok "remount with noinval"
cd "$MNT" || exit 1
s0=$(stat -c %s ledger/balance) # "9.5\n"
echo 0.5 >ledger/deposit          # "10\n"
s1=$(stat -c %s ledger/balance)
check_eq "with -o noinval the kernel keeps the stale size (the check above can fail)" "$s1" "$s0"
check_eq "...while the content (direct I/O) is fresh" "$(cat ledger/balance)" 10

# ---- remote changes: cached within the ttl, visible after it
cd /
fs_remount ttl=3 || not_ok "remount with ttl=3"
cd "$MNT" || exit 1
b0=$(cat ledger/balance)
external_deposit 2
check_eq "a change made elsewhere is not seen within the ttl (cached)" "$(cat ledger/balance)" "$b0"
sleep 3.2
check "...and is seen after it" og_eq "$(cat ledger/balance)" "$(perl -MMath::BigFloat -e 'print Math::BigFloat->new($ARGV[0]) + 2' "$b0")"

# ---- concurrent readers share one fetch (singleflight)
quiet_devnet
sleep 3.2 # let everything expire
n0=$(anvil_requests)
cat "providers/$FT/account.json" >/dev/null
n1=$(anvil_requests)
one=$((n1 - n0))
sleep 3.2
n0=$(anvil_requests)
pids=()
for i in $(seq 10); do
    cat "providers/$FT/account.json" >/dev/null &
    pids+=($!)
done
wait "${pids[@]}"
n1=$(anvil_requests)
check_eq "10 concurrent cold reads cost what one costs ($one requests)" "$((n1 - n0))" "$one"

# ---- round trips of a cold read. Behind a JSON-RPC proxy that logs each
# HTTP request, a cold `cat providers/P/account.json` (ttl=1, both caches
# expired) asks once: the kernel's lookup of the provider's directory reads
# the provider's standing (both services lists and both sub-accounts, the
# fine-tuning one with the lock time, in one batch), and the file is made
# of the same answer.
rp_port=$(free_port)
echo proxy >"$T_TMP/rpc-proxy.mode"
(cd / && exec node "$ZG_ROOT/tests/fs/rpc-proxy.js" "$rp_port" "$RPC" "$T_TMP/rpc-proxy.log" \
    "$T_TMP/rpc-proxy.mode") >"$T_TMP/rpc-proxy.out" 2>&1 &
at_exit "kill $!"
for ((i = 0; i < 100; i++)); do grep -q listening "$T_TMP/rpc-proxy.out" 2>/dev/null && break; sleep 0.1; done
check "the JSON-RPC proxy listens" grep -q listening "$T_TMP/rpc-proxy.out"
jq --arg u "http://127.0.0.1:$rp_port" '.rpc = $u' "$DEVNET_JSON" >"$T_TMP/proxied.json"
cd /
zgfs_umount || not_ok "daemon exits 0 on unmount"
zgfs_mount "$T_TMP/mnt" -o "devnet=$T_TMP/proxied.json,key_file=$KEY,state_dir=$T_TMP/state,ttl=1" ||
    not_ok "remount through the proxy"
cd "$MNT" || exit 1
# asked CMD...: run CMD once the cache has expired; ASKED is what it
# asked the chain (the proxy's lines, one per HTTP request), OUT its output.
asked() {
    sleep 1.3
    : >"$T_TMP/rpc-proxy.log"
    OUT=$("$@" 2>&1)
    ASKED=$(tr '\n' ' ' <"$T_TMP/rpc-proxy.log")
}
five="batch eth_call,eth_call,eth_call,eth_call,eth_call "
for p in "$FT" "$INF"; do
    warm=$(cat "providers/$p/account.json")
    asked cat "providers/$p/account.json"
    check_eq "a cold read of account.json ($p) is one JSON-RPC round trip" "$ASKED" "$five"
    check_eq "...and reads what the warm one read" "$OUT" "$warm"
    # The services lists came in that answer: another provider's record
    # costs nothing more.
    : >"$T_TMP/rpc-proxy.log"
    cat "providers/$FT2/service.json" >/dev/null
    check_eq "...after which another provider's service.json asks nothing" \
        "$(tr '\n' ' ' <"$T_TMP/rpc-proxy.log")" ""
done
# With the services lists fresh (ls providers/ just read them) only the
# sub-account is asked.
asked sh -c "ls providers >/dev/null && : >'$T_TMP/rpc-proxy.log' && cat 'providers/$FT/account.json'"
check_eq "after ls providers/, account.json asks only the sub-account and the lock time" \
    "$ASKED" "batch eth_call,eth_call "
asked stat "providers/0x00000000000000000000000000000000000000a1/account.json"
check_match "a cold lookup of an address that is no provider is ENOENT" "$OUT" \
    "No such file or directory"
check_eq "...after one JSON-RPC round trip" "$ASKED" "$five"


cd /
fs_remount ttl=0 || not_ok "remount with ttl=0"
cd "$MNT" || exit 1
b0=$(cat ledger/balance)
external_deposit 1
check "with ttl=0 a change made elsewhere shows at once" og_eq "$(cat ledger/balance)" "$(perl -MMath::BigFloat -e 'print Math::BigFloat->new($ARGV[0]) + 1' "$b0")"

# ---- tail -f log
timeout 6 tail -n0 -f log >"$T_TMP/tail.out" &
tp=$!
sleep 1.5
echo 0.1 >ledger/deposit
echo oops >ledger/deposit 2>/dev/null
sleep 2.5
kill "$tp" 2>/dev/null
wait "$tp" 2>/dev/null
check_match "tail -f log sees the deposit" "$(cat "$T_TMP/tail.out")" 'ledger/deposit <- "0.1": ok: deposited 0.1 OG'
check_match "tail -f log sees the error" "$(cat "$T_TMP/tail.out")" 'ledger/deposit <- "oops": error: "oops" is not a number'
check_eq "log's size is honest after growing" "$(stat -c %s log)" "$(cat log | wc -c)"
check_match "log: newest last" "$(tail -1 log)" 'oops'

# ---- the chain goes away: cached reads still answer, others fail with a
# network errno (never EIO), and the mount stays up.
cd /
fs_remount ttl=30 || not_ok "remount with ttl=30"
cd "$MNT" || exit 1
cached=$(cat ledger/balance)
kill -TERM "$(cat "$DEVNET/anvil.pid")"
for ((i = 0; i < 50; i++)); do rpc eth_chainId >/dev/null 2>&1 || break; sleep 0.1; done
check_eq "with the RPC down, a cached record still reads" "$(cat ledger/balance)" "$cached"
check_match "an uncached record fails with a network errno" "$(open_err "providers/$FT2/account.json" r)" '^(ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT)$'
check_match "a write fails with a network errno" "$(wr ledger/deposit 1)" '^(ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT)$'
check_match "...and says so" "$(cat ledger/deposit)" '^error: .*(reach|connect|refused)'
check_eq "the mount is still up" "$(cat wallet/address)" "$USER_ADDR"
cd /
zgfs_umount
check_eq "the daemon exits 0 on unmount with the RPC down" "$?" 0

t_done

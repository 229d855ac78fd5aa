#!/usr/bin/env bash
# Crash safety of money-moving operations (docs/durability.md): the process
# dies at each named point of a deposit and of a transfer; a fresh process
# runs the reconciler; the chain must show the operation exactly once when
# its transaction was signed and journaled, and not at all otherwise, and
# the journal must say which.
source "$(dirname "$0")/../lib.sh"
devnet_start || { not_ok "devnet up"; t_done; exit 1; }
tool=$ZG_BUILD/tests/chain/journal_tool
user=$(dj .accounts.user.address)

total() { "$tool" "$DEVNET_JSON" "$T_TMP/j-probe" total; }
nonce() { printf '%d' "$(rpc eth_getTransactionCount "[\"$user\",\"latest\"]")"; }
state_of_last() { # the state of the newest journal record in $1
    local f
    f=$(ls "$1"/*.json | sort | tail -n1)
    jq -r .state "$f"
}

# point  expected change of the ledger total (in OG)  expected final state
for spec in "deposit.intent 0 failed" "tx.signed 0 failed" "tx.journaled 1 done" \
    "deposit.mined 1 done"; do
    read -r point change want <<<"$spec"
    jdir=$T_TMP/journal-$point
    before=$(total)
    n0=$(nonce)
    ZGFS_CRASH_AT=$point "$tool" "$DEVNET_JSON" "$jdir" deposit 1 >/dev/null 2>&1
    rc=$?
    check_eq "deposit dies at $point" "$rc" 99
    out=$("$tool" "$DEVNET_JSON" "$jdir" reconcile 2>&1)
    check_match "reconciler reports the deposit ($point)" "$out" "recovery: deposit"
    after=$(total)
    diff=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%g", a - b }')
    check_eq "ledger total changed by exactly $change OG after a crash at $point" "$diff" "$change"
    check_eq "exactly $change transaction(s) sent for $point" $(($(nonce) - n0)) "$change"
    check_eq "journal says $want after $point" "$(state_of_last "$jdir")" "$want"
    again=$("$tool" "$DEVNET_JSON" "$jdir" reconcile 2>&1)
    check_eq "a second reconcile finds nothing to do ($point)" "$again" ""
    check_eq "and changes nothing ($point)" "$(total)" "$after"
done

# A transfer killed after its transaction was journaled but before the
# broadcast: recovery sends the very same signed bytes, once.
jdir=$T_TMP/journal-transfer
n0=$(nonce)
ZGFS_CRASH_AT=tx.journaled "$tool" "$DEVNET_JSON" "$jdir" transfer 1 >/dev/null 2>&1
check_eq "transfer dies after journaling its transaction" "$?" 99
hash=$(jq -r .tx.hash "$(ls "$jdir"/*.json)")
check_eq "nothing broadcast yet" "$(rpc eth_getTransactionReceipt "[\"$hash\"]")" ""
"$tool" "$DEVNET_JSON" "$jdir" reconcile >/dev/null 2>&1
status=$(rpc eth_getTransactionReceipt "[\"$hash\"]" | jq -r .status 2>/dev/null)
check_eq "recovery broadcast the journaled transaction itself (same hash, mined)" "$status" "0x1"
check_eq "one transaction in all" $(($(nonce) - n0)) 1

t_done

#!/usr/bin/env bash
# ledger/deposit and ledger/refund: effects on chain, every kind of bad
# input (errno + sentence + log line), the last-neuron guard, and interop
# with the official CLI in both directions.
. "$(dirname "$0")/fslib.sh"

fs_start ttl=2
cd "$MNT" || exit 1

# ---- deposit
read -r a0 t0 <<<"$(chain_ledger "$USER_ADDR")"
w0=$(chain_balance "$USER_ADDR")
echo 1.5 >ledger/deposit
check_eq "echo 1.5 > ledger/deposit succeeds" "$?" 0
read -r a1 t1 <<<"$(chain_ledger "$USER_ADDR")"
check_eq "deposit: available +1.5 OG on chain" "$a1" "$(nadd "$a0" "$(neuron 1.5)")"
check_eq "deposit: total +1.5 OG on chain" "$t1" "$(nadd "$t0" "$(neuron 1.5)")"
w1=$(chain_balance "$USER_ADDR")
check "deposit: the wallet paid 1.5 OG plus gas" perl -MMath::BigInt -e \
    'exit !(Math::BigInt->new($ARGV[0]) - Math::BigInt->new($ARGV[1]) > Math::BigInt->new($ARGV[2]))' "$w0" "$w1" "$(neuron 1.5)"
check_match "reading deposit returns the caller's ok line" "$(cat ledger/deposit)" '^ok: deposited 1.5 OG'
check_eq "ledger/balance shows it at once (no stale cache)" "$(neuron "$(cat ledger/balance)")" "$a1"
check_eq "wallet/balance shows it at once" "$(neuron "$(cat wallet/balance)")" "$w1"
check_match "the deposit is in log" "$(tail -1 log)" 'uid 0 ledger/deposit <- "1.5": ok: deposited 1.5 OG'

for spelling in 0.25OG "0.25 og" 250000000000000000neuron; do
    read -r b0 _ <<<"$(chain_ledger "$USER_ADDR")"
    r=$(wr ledger/deposit "$spelling")
    read -r b1 _ <<<"$(chain_ledger "$USER_ADDR")"
    check_eq "deposit accepts '$spelling'" "$r $(nsub "$b1" "$b0")" "ok $(neuron 0.25)"
done
# O_TRUNC and one trailing newline are accepted; no newline works too.
check_eq "deposit without a trailing newline" "$(wr ledger/deposit 0.1)" ok

# ---- bad input: errno on the write, sentence on read-back, line in log
read -r before _ <<<"$(chain_ledger "$USER_ADDR")"
bad() { # bad WHAT DATA ERRNO REGEX (DATA starting with "hex:" is hex bytes)
    local r line
    if [[ $2 == hex:* ]]; then r=$(wr_hex ledger/deposit "${2#hex:}"); else r=$(wr ledger/deposit "$2"); fi
    line=$(cat ledger/deposit)
    if [[ $r == "$3" && $line =~ ^error:\ .*$4 ]] && grep -qF "ledger/deposit <- " log &&
        [[ $(tail -1 log) == *"$line"* ]]; then
        ok "$1: $3, error line, log line"
    else
        not_ok "$1: $3, error line, log line"
        printf '#   errno %s, read-back: %s\n#   log: %s\n' "$r" "$line" "$(tail -1 log)"
    fi
}
bad "not a number" abc EINVAL 'not a number'
bad "negative" -1 EINVAL 'negative'
bad "too many decimals" 0.0000000000000000001 EINVAL '18 decimals'
bad "zero" 0 EINVAL 'more than 0'
bad "empty" $'\n' EINVAL 'empty'
bad "exponent" 1e3 EINVAL ''
bad "two lines" $'1\n2\n' EINVAL 'one command per open'
bad "NUL byte" hex:310032 EINVAL 'NUL'
bad "above the wallet's balance" 1000000 EDQUOT 'the wallet has .* OG, 1000000 OG asked'
check_eq "a line of more than 4 KiB: EINVAL" "$(wr ledger/deposit "$(printf '1%.0s' {1..5000})")" EINVAL
read -r after _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "bad input moved nothing" "$after" "$before"
out=$(echo abc 2>&1 >ledger/deposit)
check_match "bash's echo reports the errno" "$out" 'Invalid argument'

# ---- refund
read -r a0 t0 <<<"$(chain_ledger "$USER_ADDR")"
w0=$(chain_balance "$USER_ADDR")
check_eq "refund 1 OG" "$(wr ledger/refund 1)" ok
read -r a1 t1 <<<"$(chain_ledger "$USER_ADDR")"
check_eq "refund: available -1 OG on chain" "$a1" "$(nsub "$a0" "$(neuron 1)")"
check_match "refund result line" "$(cat ledger/refund)" '^ok: refunded 1 OG to the wallet'
check_eq "refund above the available balance: EDQUOT" "$(wr ledger/refund 1000)" EDQUOT
check_match "...with a sentence" "$(cat ledger/refund)" '^error: the ledger has .* OG available, 1000 OG asked'
check_eq "refund garbage: EINVAL" "$(wr ledger/refund 'all please')" EINVAL
check_eq "refund negative: EINVAL" "$(wr ledger/refund -2)" EINVAL
# "all" withdraws the available part; the sub-account keeps the ledger alive.
read -r a0 t0 <<<"$(chain_ledger "$USER_ADDR")"
check_eq "refund all (sub-accounts keep the ledger)" "$(wr ledger/refund all)" ok
read -r a1 t1 <<<"$(chain_ledger "$USER_ADDR")"
check_eq "refund all: available 0, total = what sits in sub-accounts" "$a1 $t1" "0 $(nsub "$t0" "$a0")"
check_eq "refund all with nothing available: EDQUOT" "$(wr ledger/refund all)" EDQUOT

# ---- the last-neuron guard, on user2's wallet (no sub-accounts)
cd /
zgfs_umount || not_ok "daemon exits 0 on unmount"
dj .accounts.user2.privateKey >"$T_TMP/user2.key"
chmod 600 "$T_TMP/user2.key"
U2=$(dj .accounts.user2.address)
zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$T_TMP/user2.key,state_dir=$T_TMP/state2" ||
    not_ok "mount with user2's key"
cd "$MNT" || exit 1
check_eq "user2 has no ledger: ledger.json says so" "$(jq -r .exists ledger/ledger.json)" false
check_eq "refund without a ledger: ENOENT" "$(wr ledger/refund 1)" ENOENT
check_eq "creating a ledger below the minimum is refused" "$(wr ledger/deposit 1)" EINVAL
check_match "...with the contract's reason" "$(cat ledger/deposit)" '^error: .*at least 3 OG'
check_eq "deposit creates the ledger" "$(wr ledger/deposit 4)" ok
check_eq "the ledger exists on chain" "$(chain_ledger "$U2")" "$(neuron 4) $(neuron 4)"
check_eq "refund all would delete the ledger: EPERM" "$(wr ledger/refund all)" EPERM
check_match "...and says which word does it" "$(cat ledger/refund)" 'write "all --delete-ledger"'
check_eq "refunding exactly the total is refused too" "$(wr ledger/refund 4)" EPERM
check_eq "the ledger is untouched" "$(chain_ledger "$U2")" "$(neuron 4) $(neuron 4)"
check_eq "refund all --delete-ledger" "$(wr ledger/refund 'all --delete-ledger')" ok
check_eq "the ledger is gone on chain" "$(chain_ledger "$U2")" none
check_match "...and the result says so" "$(cat ledger/refund)" 'ledger is deleted'

# ---- interop with the official CLI (user's wallet)
cd /
zgfs_umount || not_ok "daemon exits 0 on unmount"
zgfs_mount "$T_TMP/mnt" -o "devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state,ttl=1" || not_ok "remount"
cd "$MNT" || exit 1
check_eq "deposit 2 through zgfs" "$(wr ledger/deposit 2)" ok
acct=$(cli get-account)
total=$(cli_field Total <<<"$acct")
avail=$(cli_field Available <<<"$acct")
check "the CLI's get-account shows zgfs's deposit (total)" og_eq "$total" "$(jq -r .total ledger/ledger.json)e-18"
check "the CLI's get-account shows zgfs's deposit (available)" og_eq "$avail" "$(cat ledger/balance)"
b0=$(cat ledger/balance)
out=$(cli deposit --amount 3)
check_match "the CLI deposits 3 OG" "$out" '[Ss]uccess|[Dd]eposit'
sleep 1.2 # one ttl
check "zgfs shows the CLI's deposit within one ttl" og_eq "$(cat ledger/balance)" "$(perl -MMath::BigFloat -e 'print Math::BigFloat->new($ARGV[0]) + 3' "$b0")"

t_done

#!/usr/bin/env bash
# providers/P/{fund,retrieve,trust}: effects on chain, bad input, the refund
# clock (moved with evm_increaseTime), and interop with the official CLI.
. "$(dirname "$0")/fslib.sh"

fs_start ttl=1
cd "$MNT" || exit 1
P=providers/$FT
P2=providers/$FT2 # registered, TEE signer not acknowledged by the owner, no sub-account yet
PI=providers/$INF

# ---- trust without a sub-account
check_eq "trust yes without a sub-account: ENOENT" "$(wr "$P2/trust" yes)" ENOENT
check_match "...says to fund first" "$(cat "$P2/trust")" $'^not acknowledged\nerror: .*write an amount to fund'
check_eq "retrieve without a sub-account: ENOENT" "$(wr "$P2/retrieve" all)" ENOENT

# ---- fund
read -r la0 _ <<<"$(chain_ledger "$USER_ADDR")"
read -r b0 _ _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "fund 0.5 OG" "$(wr "$P/fund" 0.5)" ok
read -r la1 _ <<<"$(chain_ledger "$USER_ADDR")"
read -r b1 _ _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "fund: sub-account +0.5 OG on chain" "$b1" "$(nadd "$b0" "$(neuron 0.5)")"
check_eq "fund: ledger available -0.5 OG on chain" "$la1" "$(nsub "$la0" "$(neuron 0.5)")"
check_match "fund result line" "$(cat "$P/fund")" '^ok: moved 0.5 OG from the ledger into the fine-tuning sub-account; its balance is 2.5 OG'
check_eq "account.json shows it at once" "$(jq -r .balance "$P/account.json")" "$b1"
check_eq "ledger/balance shows it at once" "$(neuron "$(cat ledger/balance)")" "$la1"

check_eq "fund abc: EINVAL" "$(wr "$P/fund" abc)" EINVAL
check_eq "fund -1: EINVAL" "$(wr "$P/fund" -1)" EINVAL
check_eq "fund 0: EINVAL" "$(wr "$P/fund" 0)" EINVAL
check_eq "fund 1.0000000000000000001: EINVAL" "$(wr "$P/fund" 1.0000000000000000001)" EINVAL
check_eq "fund more than the ledger has: EDQUOT" "$(wr "$P/fund" 500)" EDQUOT
check_match "...with a sentence" "$(cat "$P/fund")" '^error: the ledger has .* OG available, 500 OG asked; write an amount to ledger/deposit'
check_eq "fund an unknown address: ENOENT" "$(wr providers/0x2222222222222222222222222222222222222222/fund 1)" ENOENT
check_eq "fund a wallet that is no provider (the user's own): ENOENT" "$(wr "providers/$USER_ADDR/fund" 1)" ENOENT
read -r la2 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "refused funds moved nothing" "$la2" "$la1"

# The unlisted provider: nothing answers at its URL, so its TEE attestation
# cannot be checked, and the first transfer (which acknowledges its TEE
# signer) is refused until the caller vouches for it.
check_eq "first fund while its quote cannot be fetched: ECONNREFUSED" "$(wr "$P2/fund" 1)" ECONNREFUSED
check_match "...says so, and that nothing was sent" "$(cat "$P2/fund")" \
    '^error: cannot check the TEE attestation: .*/v1/quote.*; nothing sent'
check_eq "...no sub-account on chain" "$(chain_ft_account "$USER_ADDR" "$FT2")" none
# The first transfer must reach the contract minimum.
check_eq "first fund below the minimum transfer: EINVAL" "$(wr "$P2/fund" "0.5 --unverified")" EINVAL
check_match "...with the contract's reason" "$(cat "$P2/fund")" '^error: .*1 OG'
check_eq "fund the unlisted provider 1 OG, unverified" "$(wr "$P2/fund" "1 --unverified")" ok
check_match "...log says it was unverified" "$(cat log)" "providers/$FT2/fund: $FT2 funded \\(and its TEE signer acknowledged\\) unverified"
check_eq "its sub-account exists on chain, acknowledged" "$(chain_ft_account "$USER_ADDR" "$FT2")" "$(neuron 1) 0 1"
check_eq "funding acknowledged the TEE signer (trust)" "$(head -1 "$P2/trust")" acknowledged

# The inference provider's files act on its inference sub-account.
check_eq "fund the inference provider 1 OG (its attestation verifies)" "$(wr "$PI/fund" 1)" ok
check_eq "its account.json shows the inference sub-account" \
    "$(jq -r '"\(.service) \(.balance)"' "$PI/account.json")" "inference-v1.0 $(neuron 1)"
check_eq "ledger.json lists both services" "$(jq -r '[.subAccounts[].service] | sort | unique | join(" ")' ledger/ledger.json)" \
    "fine-tuning-v1.0 inference-v1.0"

# ---- retrieve and the refund clock
check_eq "retrieve something-else: EINVAL" "$(wr "$P2/retrieve" 1)" EINVAL
check_match "...says to write all" "$(cat "$P2/retrieve")" 'write "all"'
check_eq "retrieve all" "$(wr "$P2/retrieve" all)" ok
check_eq "the whole balance is pending refund on chain" "$(chain_ft_account "$USER_ADDR" "$FT2")" "$(neuron 1) $(neuron 1) 1"
check_match "retrieve result: pending and when" "$(cat "$P2/retrieve")" '^ok: 0 OG of matured refunds moved to the ledger; 1 OG pending, retrieve again after 86400 s'
a=$(cat "$P2/account.json")
check_eq "account.json: one refund of 1 OG" "$(jq -r '.refunds | length' <<<"$a") $(jq -r '.refunds[0].amount' <<<"$a")" "1 $(neuron 1)"
check_eq "account.json: unlocksAt = createdAt + lock_time" \
    "$(jq -r '.refunds[0].unlocksAt - .refunds[0].createdAt' <<<"$a")" "$(cat lock_time)"
check_eq "account.json: available 0" "$(jq -r .available <<<"$a")" 0
check_eq "trust no with a balance: EBUSY" "$(wr "$P2/trust" no)" EBUSY
check_match "...says how to empty it" "$(tail -1 "$P2/trust")" '^error: revoking needs an empty sub-account'

read -r la0 _ <<<"$(chain_ledger "$USER_ADDR")"
chain_warp 86401
check_eq "retrieve all after the lock time" "$(wr "$P2/retrieve" all)" ok
read -r la1 _ <<<"$(chain_ledger "$USER_ADDR")"
check_eq "the matured refund is back in the ledger" "$la1" "$(nadd "$la0" "$(neuron 1)")"
check_eq "the sub-account is empty" "$(chain_ft_account "$USER_ADDR" "$FT2")" "0 0 1"
check_match "retrieve result: moved back" "$(cat "$P2/retrieve")" '^ok: 1 OG of matured refunds moved to the ledger; 0 OG pending'

# ---- trust
check_eq "trust maybe: EINVAL" "$(wr "$P2/trust" maybe)" EINVAL
check_eq "trust no on an empty sub-account" "$(wr "$P2/trust" no)" ok
check_eq "trust reads not acknowledged" "$(head -1 "$P2/trust")" "not acknowledged"
check_match "...then the caller's result" "$(tail -1 "$P2/trust")" '^ok: revoked'
check_eq "revoked on chain" "$(chain_ft_account "$USER_ADDR" "$FT2" | cut -d' ' -f3)" 0
check_eq "trust no again: nothing to do, ok" "$(wr "$P2/trust" no)" ok
check_match "...and says nothing was sent" "$(tail -1 "$P2/trust")" 'nothing sent'
check_eq "trust yes while its quote cannot be fetched: ECONNREFUSED" "$(wr "$P2/trust" yes)" ECONNREFUSED
check_match "...nothing sent" "$(tail -1 "$P2/trust")" '^error: cannot check the TEE attestation: .*nothing sent'
check_eq "...still not acknowledged on chain" "$(chain_ft_account "$USER_ADDR" "$FT2" | cut -d' ' -f3)" 0
check_eq "trust yes --unverified" "$(wr "$P2/trust" "yes --unverified")" ok
check_match "...says it was not verified" "$(tail -1 "$P2/trust")" '^ok: acknowledged the TEE signer of .* WITHOUT verifying'
check_eq "trust reads acknowledged" "$(head -1 "$P2/trust")" acknowledged
check_eq "acknowledged on chain" "$(chain_ft_account "$USER_ADDR" "$FT2" | cut -d' ' -f3)" 1

# ---- one write per command, in parallel
r1=$T_TMP/r1
r2=$T_TMP/r2
wr ledger/deposit 1 >"$r1" &
p1=$!
wr "$P/fund" 0.25 >"$r2" &
p2=$!
wait "$p1" "$p2"
check_eq "two money writes at once both succeed" "$(cat "$r1") $(cat "$r2")" "ok ok"

# ---- interop with the official CLI
read -r b0 _ _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "fund 0.75 through zgfs" "$(wr "$P/fund" 0.75)" ok
out=$(cli get-sub-account --provider "$FT" --service fine-tuning)
check "the CLI's get-sub-account shows zgfs's fund" og_eq "$(cli_field 'Balance' <<<"$out")" \
    "$(jq -r .balance "$P/account.json")e-18"
out=$(cli transfer-fund --provider "$FT" --amount 1 --service fine-tuning)
sleep 1.2 # one ttl
read -r b1 _ _ <<<"$(chain_ft_account "$USER_ADDR" "$FT")"
check_eq "the CLI's transfer is on chain" "$b1" "$(nadd "$b0" "$(neuron 1.75)")"
check_eq "zgfs's account.json shows the CLI's transfer within one ttl" "$(jq -r .balance "$P/account.json")" "$b1"

t_done

#!/usr/bin/env bash
# A model delivered through 0G Storage (the provider's modelRootHash is the
# file's storage Merkle root, not its keccak256): lora.bin fetches it from
# the storage nodes with proofs (each segment from the node of its shard),
# verifies it against that root and the TEE signature, acknowledges and
# decrypts. With the nodes gone, the same file comes from the TEE instead
# (the official client's "auto" order), and is held to the same root.
# Either way stat shows the true sizes of lora.enc and lora.bin before
# anything is fetched: from the nodes' file info, then from the TEE.
. "$(dirname "$0")/wflib.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500 ZG_PROVIDER_DELIVER=storage
fs_start
cd "$MNT" || exit 1
P=providers/$FT
acked() { chain_deliverable "$USER_ADDR" "$FT" "$1" | cut -d' ' -f1; }
printf '%s\n' '{"instruction":"Which river runs through Paris?","input":"","output":"The Seine."}' \
    >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"

# ---- from storage
id=$(new_task "$P" qa.jsonl)
check_match "a task on a provider that delivers through storage" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
root=$(jq -r .modelRootHash "$P/tasks/$id/deliverable.json")
enc=$(stat -c %s "$P/tasks/$id/lora.enc")
bin=$(stat -c %s "$P/tasks/$id/lora.bin")
check "cp lora.bin" cp "$P/tasks/$id/lora.bin" "$T_TMP/lora.bin"
check_eq "stat of lora.bin before: its size" "$bin" "$(stat -c %s "$T_TMP/lora.bin")"
check_eq "stat of lora.enc before (the storage node's file info): its size" "$enc" \
    "$(stat -c %s "$T_TMP/state/tasks/$FT/$id/lora.enc")"
check_eq "...a zip" "$(head -c 2 "$T_TMP/lora.bin")" PK
check_eq "...acknowledged on chain" "$(acked "$id")" true
check_match "...log says it came from 0G Storage" "$(grep "$id/lora.bin" log | tail -1)" \
    'ok: .*fetched from 0G Storage'
check_eq "the root on chain is lora.enc's storage root" \
    "$("$ZG_BUILD/tests/storage/zgstore" root "$P/tasks/$id/lora.enc")" "$root"
check "...not its keccak256" test "$(keccak "$P/tasks/$id/lora.enc")" != "$root"

# ---- the nodes are gone: the TEE serves the same file, held to the same root
id=$(new_task "$P" qa.jsonl)
check_match "a second task" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" wait_until 60 progress_is "$P/tasks/$id" Delivered
p0=$(cat "$DEVNET/storage0.pid") p1=$(cat "$DEVNET/storage1.pid")
kill "$p0" "$p1"
check "the storage nodes are stopped" wait_until 10 bash -c "! kill -0 $p0 2>/dev/null && ! kill -0 $p1 2>/dev/null"
enc=$(stat -c %s "$P/tasks/$id/lora.enc")
check "cp lora.bin" cp "$P/tasks/$id/lora.bin" "$T_TMP/lora2.bin"
check_eq "stat of lora.enc before (from the TEE): its size" "$enc" \
    "$(stat -c %s "$T_TMP/state/tasks/$FT/$id/lora.enc")"
check_eq "...a zip" "$(head -c 2 "$T_TMP/lora2.bin")" PK
check_eq "...acknowledged on chain" "$(acked "$id")" true
line=$(grep "$id/lora.bin" log | tail -1)
check_match "...log: decrypted" "$line" 'ok: verified, acknowledged and decrypted'
check "...from the TEE, not storage" test "${line/0G Storage/}" = "$line"
check_eq "...the same storage root" \
    "$("$ZG_BUILD/tests/storage/zgstore" root "$P/tasks/$id/lora.enc")" \
    "$(jq -r .modelRootHash "$P/tasks/$id/deliverable.json")"
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done

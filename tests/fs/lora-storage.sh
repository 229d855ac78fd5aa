#!/usr/bin/env bash
# The model's download in the official client's "auto" order: from 0G
# Storage when the mount's nodes serve the deliverable's root (every
# segment checked by its proof), and when they do not, from the provider's
# TEE, held to the same root, with a line in log saying why 0G Storage did
# not serve it: a segment that fails its proof, the storage node down, a
# root no node has.
. "$(dirname "$0")/wflib.sh"

FAST=(ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500)
export "${FAST[@]}" ZG_PROVIDER_DELIVER=root
fs_start
cd "$MNT" || exit 1
P=providers/$FT
ZGSTORE=$ZG_BUILD/tests/storage/zgstore
acked() { chain_deliverable "$USER_ADDR" "$FT" "$1" | cut -d' ' -f1; }
printf '%s\n' '{"instruction":"Which river runs through Paris?","input":"","output":"The Seine."}' \
    >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"

# storage_restart [KNOB...]: the devnet's storage node stopped and started
# again (its data kept) with these fault knobs.
storage_restart() {
    local pid i
    pid=$(cat "$DEVNET/storage.pid" 2>/dev/null)
    if [[ -n $pid ]]; then
        kill "$pid" 2>/dev/null
        for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$DEVNET/storage.pid"
    fi
    env "$@" "$ZG_ROOT/contrib/devnet/up" "$DEVNET" >>"$T_TMP/up.log" 2>&1
}

# delivered ID: the task is Delivered and deliverable.json shows it (the
# mount follows the chain within ttl of the provider's word).
delivered() {
    wait_until 60 progress_is "$P/tasks/$1" Delivered && wait_until 10 test -s "$P/tasks/$1/deliverable.json"
}

# fetched ID: cp lora.bin gives the zip, acknowledged on chain, and the
# task ends settled.
fetched() {
    cp "$P/tasks/$1/lora.bin" "$T_TMP/$1.bin" && [[ $(head -c 2 "$T_TMP/$1.bin") == PK ]] &&
        [[ $(acked "$1") == true ]] && wait_until 30 progress_is "$P/tasks/$1" Finished
}

# from_tee ID: log's last result for the task's lora.bin says the TEE served it.
from_tee() {
    grep "$1/lora.bin <-" log | tail -1 |
        grep -qE "ok: verified, acknowledged and decrypted .*, fetched from the provider's TEE\)"
}

# ---- from storage
id=$(new_task "$P" qa.jsonl)
check_match "a task on a provider that delivers through storage" "$id" '^[0-9a-f-]{36}$'
check "it reaches Delivered" delivered "$id"
root=$(jq -r '.modelRoots[0]' "$P/tasks/$id/deliverable.json")
check "cp lora.bin: verified, acknowledged, decrypted, settled" fetched "$id"
check_match "...log says it came from 0G Storage" "$(grep "$id/lora.bin" log | tail -1)" \
    'ok: .*, fetched from 0G Storage\)'
check "...and no fallback" bash -c "! grep -q '$id/lora.bin: 0G Storage did not serve' log"
check_eq "the root on chain is lora.enc's storage root" \
    "$("$ZGSTORE" root "$T_TMP/state/tasks/$FT/$id/lora.enc")" "$root"
check "...not its keccak256" test "$(keccak "$T_TMP/state/tasks/$FT/$id/lora.enc")" != "$root"

# ---- the node serves a segment that fails its proof: the TEE serves it
check "the storage node restarts, corrupting segment 0 of every download" \
    storage_restart ZG_STORAGE_FAULT_CORRUPT_SEGMENT=0
id=$(new_task "$P" qa.jsonl)
check "a task reaches Delivered" delivered "$id"
check "cp lora.bin works all the same" fetched "$id"
check_match "...log says 0G Storage served a bad segment, and falls back to the TEE" \
    "$(grep "$id/lora.bin: 0G Storage did not serve" log)" \
    "tasks/$id/lora.bin: 0G Storage did not serve the model \(segment 0 of 0x[0-9a-f]{64} failed its proof.*\); falling back to the provider's TEE"
check "...then: decrypted, from the TEE" from_tee "$id"
check_eq "...the same storage root" \
    "$("$ZGSTORE" root "$T_TMP/state/tasks/$FT/$id/lora.enc")" \
    "$(jq -r '.modelRoots[0]' "$P/tasks/$id/deliverable.json")"

# ---- the node is down: the TEE serves the same file, held to the same root
check "the storage node restarts without faults" storage_restart
id=$(new_task "$P" qa.jsonl)
check "a task reaches Delivered" delivered "$id"
spid=$(cat "$DEVNET/storage.pid")
kill "$spid"
check "the storage node is stopped" wait_until 10 bash -c "! kill -0 $spid 2>/dev/null"
check "cp lora.bin works all the same" fetched "$id"
check_match "...log says the node did not answer, and falls back to the TEE" \
    "$(grep "$id/lora.bin: 0G Storage did not serve" log)" \
    "0G Storage did not serve the model \(storage node http://127\.0\.0\.1:[0-9]+: .*\); falling back to the provider's TEE"
check "...then: decrypted, from the TEE" from_tee "$id"
check_eq "...the same storage root" \
    "$("$ZGSTORE" root "$T_TMP/state/tasks/$FT/$id/lora.enc")" \
    "$(jq -r '.modelRoots[0]' "$P/tasks/$id/deliverable.json")"

# ---- a root no node has: keccak256 on chain, the file only in the TEE
check "the storage node is back" storage_restart
check "the provider restarts, keeping models in the TEE" prov_restart "${FAST[@]}" ZG_PROVIDER_DELIVER=keccak
id=$(new_task "$P" qa.jsonl)
check "a task reaches Delivered" delivered "$id"
root=$(jq -r '.modelRoots[0]' "$P/tasks/$id/deliverable.json")
check "cp lora.bin works" fetched "$id"
check_match "...log says no node has the root, and falls back to the TEE" \
    "$(grep "$id/lora.bin: 0G Storage did not serve" log)" \
    "0G Storage did not serve the model \(no storage node has a file with root $root\); falling back to the provider's TEE"
check "...then: decrypted, from the TEE" from_tee "$id"
check_eq "...the root is lora.enc's keccak256" "$(keccak "$T_TMP/state/tasks/$FT/$id/lora.enc")" "$root"
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done

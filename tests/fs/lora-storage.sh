#!/usr/bin/env bash
# The model's download in the official client's "auto" order: from 0G
# Storage when the mount's nodes serve the deliverable's root (every
# segment checked by its proof, each from a node whose shard holds it),
# and when they do not, from the provider's TEE, held to the same root,
# with a line in log saying why 0G Storage did not serve it: a segment that
# fails its proof, the storage nodes down, a root no node has. stat shows
# the true sizes of lora.enc and lora.bin before anything is fetched: from
# the nodes' file info, else from the TEE.
. "$(dirname "$0")/wflib.sh"

FAST=(ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500)
export "${FAST[@]}" ZG_PROVIDER_DELIVER=root
fs_start
cd "$MNT" || exit 1
P=providers/$FT
ZGSTORE=$ZG_BUILD/tests/storage/zgstore
printf '%s\n' '{"instruction":"Which river runs through Paris?","input":"","output":"The Seine."}' \
    >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"

# storage_restart [KNOB...]: the devnet's shard nodes (storage0,
# storage1, ...) stopped and started again (their data kept) with these
# fault knobs. The untrusted node is not one of the mount's.
storage_restart() {
    local f pid i
    for f in "$DEVNET"/storage[0-9].pid; do
        [[ -e $f ]] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null
        for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$f"
    done
    env "$@" "$ZG_ROOT/contrib/devnet/up" "$DEVNET" >>"$T_TMP/up.log" 2>&1
}

# sizes ID: "lora.enc lora.bin" as stat shows them before anything is fetched.
sizes() {
    echo "$(stat -c %s "$P/tasks/$1/lora.enc") $(stat -c %s "$P/tasks/$1/lora.bin")"
}

# sizes_now ID: the sizes of the files the fetch left in the state directory.
sizes_now() {
    echo "$(stat -c %s "$T_TMP/state/tasks/$FT/$1/lora.enc") $(stat -c %s "$T_TMP/$1.bin")"
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
before=$(sizes "$id")
check "cp lora.bin: verified, acknowledged, decrypted, settled" fetched "$id"
check_eq "stat of lora.enc (the storage nodes' file info) and lora.bin before: their sizes" \
    "$before" "$(sizes_now "$id")"
check_match "...log says it came from 0G Storage" "$(grep "$id/lora.bin" log | tail -1)" \
    'ok: .*, fetched from 0G Storage\)'
check "...and no fallback" bash -c "! grep -q '$id/lora.bin: 0G Storage did not serve' log"
check_eq "the root on chain is lora.enc's storage root" \
    "$("$ZGSTORE" root "$T_TMP/state/tasks/$FT/$id/lora.enc")" "$root"
check "...not its keccak256" test "$(keccak "$T_TMP/state/tasks/$FT/$id/lora.enc")" != "$root"

# ---- the nodes serve a segment that fails its proof: the TEE serves it
check "the storage nodes restart, corrupting segment 0 of every download" \
    storage_restart ZG_STORAGE_FAULT_CORRUPT_SEGMENT=0
id=$(new_task "$P" qa.jsonl)
check "a task reaches Delivered" delivered "$id"
before=$(sizes "$id")
check "cp lora.bin works all the same" fetched "$id"
check_eq "...stat showed the sizes before (the nodes' file info is right)" "$before" "$(sizes_now "$id")"
check_match "...log says 0G Storage served a bad segment, and falls back to the TEE" \
    "$(grep "$id/lora.bin: 0G Storage did not serve" log)" \
    "tasks/$id/lora.bin: 0G Storage did not serve the model \(segment 0 of 0x[0-9a-f]{64} from http://127\.0\.0\.1:[0-9]+ failed its proof.*\); falling back to the provider's TEE"
check "...then: decrypted, from the TEE" from_tee "$id"
check_eq "...the same storage root" \
    "$("$ZGSTORE" root "$T_TMP/state/tasks/$FT/$id/lora.enc")" \
    "$(jq -r '.modelRoots[0]' "$P/tasks/$id/deliverable.json")"

# ---- the nodes are down: the TEE serves the same file, held to the same root
check "the storage nodes restart without faults" storage_restart
id=$(new_task "$P" qa.jsonl)
check "a task reaches Delivered" delivered "$id"
p0=$(cat "$DEVNET/storage0.pid") p1=$(cat "$DEVNET/storage1.pid")
kill "$p0" "$p1"
check "the storage nodes are stopped" \
    wait_until 10 bash -c "! kill -0 $p0 2>/dev/null && ! kill -0 $p1 2>/dev/null"
before=$(sizes "$id")
check "cp lora.bin works all the same" fetched "$id"
check_eq "...stat showed the sizes before (from the TEE)" "$before" "$(sizes_now "$id")"
check_match "...log says the nodes did not answer, and falls back to the TEE" \
    "$(grep "$id/lora.bin: 0G Storage did not serve" log)" \
    "0G Storage did not serve the model \(storage node http://127\.0\.0\.1:[0-9]+ zgs_getStatus: cannot reach .*\); falling back to the provider's TEE"
check "...then: decrypted, from the TEE" from_tee "$id"
check_eq "...the same storage root" \
    "$("$ZGSTORE" root "$T_TMP/state/tasks/$FT/$id/lora.enc")" \
    "$(jq -r '.modelRoots[0]' "$P/tasks/$id/deliverable.json")"

# ---- a root no node has: keccak256 on chain, the file only in the TEE
check "the storage nodes are back" storage_restart
check "the provider restarts, keeping models in the TEE" prov_restart "${FAST[@]}" ZG_PROVIDER_DELIVER=keccak
id=$(new_task "$P" qa.jsonl)
check "a task reaches Delivered" delivered "$id"
root=$(jq -r '.modelRoots[0]' "$P/tasks/$id/deliverable.json")
before=$(sizes "$id")
check "cp lora.bin works" fetched "$id"
check_eq "...stat showed the sizes before (from the TEE)" "$before" "$(sizes_now "$id")"
check_match "...log says no node has the root, and falls back to the TEE" \
    "$(grep "$id/lora.bin: 0G Storage did not serve" log)" \
    "0G Storage did not serve the model \(no storage node has a file with root $root\); falling back to the provider's TEE"
check "...then: decrypted, from the TEE" from_tee "$id"
check_eq "...the root is lora.enc's keccak256" "$(keccak "$T_TMP/state/tasks/$FT/$id/lora.enc")" "$root"
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done

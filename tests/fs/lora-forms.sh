#!/usr/bin/env bash
# modelRootHash in every form providers post with addDeliverable: 32 raw
# bytes (keccak256 of the file, or its 0G Storage root), 32 x n raw bytes
# (the roots of n fragments), raw roots joined by commas, "0x..." text and
# a comma-separated list of such roots (the broker's main). For each,
# `cp lora.bin` verifies, acknowledges on chain and decrypts, and
# deliverable.json names the form and the roots. A root that names other
# bytes is EIO and nothing is acknowledged; one in no known form is EIO with
# a sentence naming what was posted, before anything is downloaded. The
# tasks use both customized models, one of them named with leading hex
# digits (deadbeef-lora), which only its hash finds at the provider.
. "$(dirname "$0")/wflib.sh"

FAST=(ZG_PROVIDER_STEP_MS=100 ZG_PROVIDER_SETTLE_MS=400)
export "${FAST[@]}"
fs_start
cd "$MNT" || exit 1
P=providers/$FT
ZGSTORE=$ZG_BUILD/tests/storage/zgstore
printf '%s\n' '{"instruction":"Which river runs through Paris?","input":"","output":"The Seine."}' \
    >"$T_TMP/qa.jsonl"
check "cp the dataset" cp "$T_TMP/qa.jsonl" "$P/datasets/"

# deliver MODEL KNOB...: the provider restarted with the knobs delivers a
# task on MODEL; sets id.
deliver() {
    local model=$1
    shift
    id=
    prov_restart "${FAST[@]}" "$@" || return 1
    id=$(new_task "$P" qa.jsonl "$model")
    # deliverable.json follows the chain within ttl of the provider's word
    [[ -n $id ]] && wait_until 60 progress_is "$P/tasks/$id" Delivered &&
        wait_until 10 test -s "$P/tasks/$id/deliverable.json"
}

# roots_of FILE SIZE: the 0G Storage roots of FILE cut into SIZE-byte
# pieces (split(1), each piece rooted as a file of its own), comma-joined.
roots_of() {
    local d=$T_TMP/pieces.$RANDOM f out=
    mkdir "$d" && split -b "$2" -d -a 3 "$1" "$d/p."
    for f in "$d"/p.*; do out+=${out:+,}$("$ZGSTORE" root "$f"); done
    rm -rf "$d"
    printf '%s\n' "$out"
}

# form LABEL MODEL FORM N KNOB...: deliver with the knobs; deliverable.json
# names FORM and N roots; stat of lora.enc shows its size before the
# download; cp lora.bin verifies, acknowledges, decrypts.
# Sets id, d (deliverable.json before the read) and enc (lora.enc).
form() {
    local label=$1 model=$2 want=$3 n=$4
    shift 4
    check "$label: delivered" deliver "$model" "$@"
    d=$(cat "$P/tasks/$id/deliverable.json")
    check_eq "$label: deliverable.json: form and number of roots" \
        "$(jq -r '"\(.modelRootForm) \(.modelRoots | length)"' <<<"$d")" "$want $n"
    check_eq "$label: ...modelRootHash is the bytes on chain" "$(jq -r .modelRootHash <<<"$d")" \
        "$(chain_deliverable "$USER_ADDR" "$FT" "$id" | cut -d' ' -f4)"
    local size
    size=$(stat -c %s "$P/tasks/$id/lora.enc")
    check "$label: cp lora.bin" cp "$P/tasks/$id/lora.bin" "$T_TMP/$id.bin"
    check_eq "$label: ...a zip" "$(head -c 2 "$T_TMP/$id.bin")" PK
    check_eq "$label: ...acknowledged on chain" "$(acked "$id")" true
    check_match "$label: ...log: verified, acknowledged and decrypted" \
        "$(grep "$id/lora.bin" log | tail -1)" 'ok: verified, acknowledged and decrypted'
    check "$label: ...settled" wait_until 30 progress_is "$P/tasks/$id" Finished
    enc=$T_TMP/state/tasks/$FT/$id/lora.enc
    check_eq "$label: ...stat showed lora.enc's size before the download" \
        "$size" "$(stat -c %s "$enc")"
}

text_of() { perl -e 'print pack("H*", substr($ARGV[0], 2))' "$1"; }

# ---- 32 raw bytes: keccak256 (the TEE keeps the file; main without storage)
form "raw keccak256" zg-tiny-lora raw 1 ZG_PROVIDER_DELIVER=keccak
check_eq "...the root is the file's keccak256" "$(jq -r '.modelRoots[0]' <<<"$d")" "$(keccak "$enc")"

# ---- 32 raw bytes: the 0G Storage root
form "raw storage root" zg-tiny-lora raw 1 ZG_PROVIDER_DELIVER=root
check_eq "...the root is the file's 0G Storage root" "$(jq -r '.modelRoots[0]' <<<"$d")" \
    "$("$ZGSTORE" root "$enc")"
check_match "...fetched from 0G Storage" "$(grep "$id/lora.bin" log | tail -1)" 'fetched from 0G Storage'

# ---- 32 x n raw bytes: the roots of the fragments (8192-byte fragments)
form "raw fragment roots" deadbeef-lora raw-list 3 ZG_PROVIDER_DELIVER=fragments \
    ZG_PROVIDER_FRAGMENT_SIZE=5000
check_eq "...the task names deadbeef-lora's hash (asked by name through the mount)" \
    "$(jq -r .preTrainedModelHash "$P/tasks/$id/task.json")" \
    "$(jq -r .hash "$P/models/deadbeef-lora.json")"
check_eq "...the roots are the file's cut at 8192 bytes (a 5000-byte request, rounded up)" \
    "$(jq -r '.modelRoots | join(",")' <<<"$d")" "$(roots_of "$enc" 8192)"
check_match "...fetched from 0G Storage" "$(grep "$id/lora.bin" log | tail -1)" 'fetched from 0G Storage'

# ---- raw roots joined by ',' bytes
form "raw roots with commas" zg-tiny-lora raw-comma 2 ZG_PROVIDER_DELIVER=raw-comma \
    ZG_PROVIDER_FRAGMENT_SIZE=16384
check_eq "...the roots are the file's cut at 16384 bytes" \
    "$(jq -r '.modelRoots | join(",")' <<<"$d")" "$(roots_of "$enc" 16384)"

# ---- "0x..." text of one root (the default: the broker's main)
form "text, one root" deadbeef-lora text 1
check_eq "...modelRootHash is the text of the file's 0G Storage root" \
    "$(text_of "$(jq -r .modelRootHash <<<"$d")")" "$("$ZGSTORE" root "$enc")"

# ---- "0x...,0x..." text of the fragments' roots
form "text, fragment roots" zg-tiny-lora text-list 3 ZG_PROVIDER_FRAGMENT_SIZE=8192
check_eq "...modelRootHash is the comma-separated text of the fragments' roots" \
    "$(text_of "$(jq -r .modelRootHash <<<"$d")")" "$(roots_of "$enc" 8192)"
check_eq "...joined into one file of their sizes" "$(stat -c %s "$enc")" \
    "$(wc -c <"$DEVNET/provider-data/tasks/$id.data")"

# ---- a root that names other bytes: EIO, nothing acknowledged
check "a wrong root: delivered" deliver zg-tiny-lora ZG_FAULT_ROOT=wrong
check_eq "cat lora.bin: EIO" "$(read_err "$P/tasks/$id/lora.bin")" EIO
check_match "...the sentence in log" "$(grep "$id/lora.bin" log | tail -1)" \
    'error: the model does not match the chain: modelRootHash 0x.*; nothing was acknowledged'
check_eq "...nothing acknowledged on chain" "$(acked "$id")" false
check_eq "...nor journaled" \
    "$(jq -r "select(.op == \"ack\" and .task == \"$id\") | .state" "$T_TMP"/state/journal/*.json | wc -l)" 0
check_eq "lora.enc: EIO too" "$(read_err "$P/tasks/$id/lora.enc")" EIO
check_eq "the escape hatch: ack yes" "$(wr "$P/tasks/$id/ack" yes)" ok
check "...settled" wait_until 30 progress_is "$P/tasks/$id" Finished

# ---- no known form: text with a trailing comma
check "text with a trailing comma: delivered" deliver zg-tiny-lora ZG_FAULT_ROOT=malformed
check_eq "deliverable.json: form unknown, no roots" \
    "$(jq -r '"\(.modelRootForm) \(.modelRoots | length)"' "$P/tasks/$id/deliverable.json")" "unknown 0"
check_eq "cat lora.bin: EIO" "$(read_err "$P/tasks/$id/lora.bin")" EIO
check_match "...the sentence names what was posted" "$(grep "$id/lora.bin" log | tail -1)" \
    'error: the provider posted a modelRootHash in no known form \(67 bytes: "0x[0-9a-f]+\.\.\."\): entry 2 of the list is empty \(a trailing comma\); nothing was acknowledged'
check_eq "...nothing acknowledged on chain" "$(acked "$id")" false
check "...and nothing was downloaded" bash -c "! ls '$T_TMP/state/tasks/$FT/$id' | grep -q lora.enc"
check_eq "the escape hatch: ack yes" "$(wr "$P/tasks/$id/ack" yes)" ok
check "...settled" wait_until 30 progress_is "$P/tasks/$id" Finished

# ---- no known form: 31 raw bytes
check "31 raw bytes: delivered" deliver zg-tiny-lora ZG_PROVIDER_DELIVER=root ZG_FAULT_ROOT=malformed
check_eq "cat lora.bin: EIO" "$(read_err "$P/tasks/$id/lora.bin")" EIO
check_match "...the sentence names what was posted" "$(grep "$id/lora.bin" log | tail -1)" \
    'error: the provider posted a modelRootHash in no known form \(31 bytes: 0x[0-9a-f]+\.*\): 31 bytes are neither 32-byte roots nor text; nothing was acknowledged'
check_eq "...nothing acknowledged on chain" "$(acked "$id")" false
check_eq "the escape hatch: ack yes" "$(wr "$P/tasks/$id/ack" yes)" ok
check "...settled" wait_until 30 progress_is "$P/tasks/$id" Finished
# ---- lora.enc is read once: the download is checked as it is written
# (the TEE's bytes hashed on the way, 0G Storage's segments by their
# proofs), so apart from what comes over the network only the decryption
# reads it. rchar (/proc/PID/io) counts every byte the daemon reads,
# sockets included: the download once, the decryption once, and a little
# talk with the chain and the provider. A second pass over the file (a
# keccak256, a storage root) would add its size again.
rchar() { awk '/^rchar:/ {print $2}' "/proc/$ZGFS_PID/io"; }
# read_once LABEL TENTHS KNOB...: with an 8 MiB model, cp lora.bin reads
# fewer than TENTHS tenths of the file's size.
read_once() {
    local label=$1 max=$2 size r0 r1
    shift 2
    check "$label: delivered" deliver zg-tiny-lora ZG_PROVIDER_ARTIFACT_PAD_MB=8 "$@"
    size=$(stat -c %s "$P/tasks/$id/lora.enc")
    r0=$(rchar)
    check "$label: cp lora.bin" cp "$P/tasks/$id/lora.bin" "$T_TMP/$id.bin"
    r1=$(rchar)
    check "$label: ...the daemon read $((r1 - r0)) bytes for a $size-byte file, under $max tenths of it" \
        test $(((r1 - r0) * 10)) -lt $((size * max))
    check "$label: ...settled" wait_until 30 progress_is "$P/tasks/$id" Finished
}
read_once "an 8 MiB model from the TEE" 25 ZG_PROVIDER_DELIVER=keccak
read_once "an 8 MiB model from 0G Storage" 25
check_match "no daemon errors on stderr" "$(grep -ciE 'sanitizer|internal error' "$T_TMP/zgfs.log")" '^0$'

t_done

#!/usr/bin/env bash
# Bad input and faults: an empty file, a file over the cap, a fee above the
# balance, an unknown root, a corrupted segment on download, the nodes going
# down mid-upload, the client dying mid-upload and at every journal crash
# point, 5xx answers and a stall; and a node refusing bad segments the way
# the real node does.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

sto_start || { not_ok "devnet with a storage node starts"; t_done; exit 1; }
USER=$(dj .accounts.user.address)
USER2=$(dj .accounts.user2.address)
(umask 077 && dj .accounts.user2.privateKey >"$T_TMP/user2.key")

# --- empty file
: >"$T_TMP/empty"
s0=$(submits) n0=$(nonce "$USER")
out=$(zs upload "$T_TMP/empty" 2>&1)
check_match "empty file: EINVAL with a sentence" "$out" 'EINVAL: .*is empty; 0G Storage cannot store an empty file'
check_eq "  ... nothing submitted" "$(submits)/$(nonce "$USER")" "$s0/$n0"

# --- over the configured cap
mkfile "$T_TMP/big" 2000000
out=$(zs upload --max-size 1000000 "$T_TMP/big" 2>&1)
check_match "file over --max-size: EFBIG" "$out" 'EFBIG: .*over the 1000000-byte limit'
check_eq "  ... nothing submitted" "$(submits)/$(nonce "$USER")" "$s0/$n0"

# --- fee above the balance (user2 left with 10^12 neuron; 1 MiB costs 4096 x 10^9)
mkfile "$T_TMP/mib" 1048576
rich=$(rpc eth_getBalance "[\"$USER2\",\"latest\"]")
rpc anvil_setBalance "[\"$USER2\",\"0xe8d4a51000\"]" >/dev/null
m0=$(nonce "$USER2")
out=$("$ZGSTORE" upload --devnet "$DEVNET_JSON" --journal "$T_TMP/j2" --key-file "$T_TMP/user2.key" "$T_TMP/mib" 2>&1)
check_match "fee above the balance: EDQUOT" "$out" 'EDQUOT: the storage fee is 0.000004096 OG but the wallet holds 0.000001 OG; nothing was submitted'
check_eq "  ... nothing submitted, no transaction" "$(submits)/$(nonce "$USER2")" "$s0/$m0"
check_eq "  ... nothing journaled" "$(ls "$T_TMP/j2" 2>/dev/null | grep -c json)" 0
# --- the fee fits the balance, the fee and the gas do not (10^9 x 4096 + 1
# neuron): refused before anything is signed
rpc anvil_setBalance "[\"$USER2\",\"0x3b9aca00001\"]" >/dev/null
out=$("$ZGSTORE" upload --devnet "$DEVNET_JSON" --journal "$T_TMP/j2" --key-file "$T_TMP/user2.key" "$T_TMP/mib" 2>&1)
check_match "fee within the balance, fee and gas above it: EDQUOT" "$out" \
    "EDQUOT: the wallet's 0.000004096000000001 OG cannot pay the 0.000004096 OG storage fee and the gas; nothing was submitted"
check_eq "  ... nothing submitted, no transaction" "$(submits)/$(nonce "$USER2")" "$s0/$m0"
check_eq "  ... nothing journaled" "$(ls "$T_TMP/j2" 2>/dev/null | grep -c json)" 0
rpc anvil_setBalance "[\"$USER2\",\"$rich\"]" >/dev/null

# --- unknown root
out=$(zs download 0x1111111111111111111111111111111111111111111111111111111111111111 "$T_TMP/nope" 2>&1)
check_match "unknown root: ENOENT" "$out" 'ENOENT: no storage node has a file with root 0x1111'
check "  ... no file created" test ! -e "$T_TMP/nope"

# --- a corrupted segment on download
mkfile "$T_TMP/c1" 1000000
root=$(field root "$(zs upload "$T_TMP/c1" 2>&1)")
node_restart ZG_STORAGE_FAULT_CORRUPT_SEGMENT=2
mkdir -p "$T_TMP/dl"
out=$(zs download "$root" "$T_TMP/dl/c1" 2>&1)
check_match "corrupted segment 2: EIO naming it" "$out" 'EIO: segment 2 of .* failed its proof.*nothing was kept'
check_eq "  ... nothing kept (no file, no temporary)" "$(ls -A "$T_TMP/dl")" ""
node_restart
zs download "$root" "$T_TMP/dl/c1" >/dev/null 2>&1
check "  ... the same download works once the node is fixed" cmp -s "$T_TMP/c1" "$T_TMP/dl/c1"

# --- the nodes go down in the middle of an upload and come back
node_restart ZG_STORAGE_FAULT_LATENCY_MS=150
mkfile "$T_TMP/n6" 6000000
total=$(( (6000000 + 262143) / 262144 ))
s0=$(submits)
log_marks
zs upload --batch 1 --retry-ms 60000 "$T_TMP/n6" >"$T_TMP/n6.out" 2>&1 &
up=$!
for ((i = 0; i < 300; i++)); do
    (( $(since_marks | grep -c 'segments .* stored') >= 10 )) && break
    sleep 0.05
done
node_stop
stopped_at=$(since_marks | grep -c 'segments .* stored')
sleep 2
log_marks
node_start
wait $up
rc=$?
check_eq "nodes down mid-upload (after $stopped_at of $total segments), back 2 s later: upload completes" "$rc" 0
out=$(cat "$T_TMP/n6.out")
check_match "  ... paid once" "$out" 'submitted=yes'
check_eq "  ... one Submit" "$(submits)" $((s0 + 1))
# Each node's first segment after the restart: not the first of its shard.
start=$(( $(field start "$(zs info "$(field root "$out")" | head -n1)") / 1024 ))
for k in 0 1; do
    first=$(tail -c +$(( $( ((k == 0)) && echo "$M0" || echo "$M1") + 1)) "$DEVNET/storage$k.log" |
        grep -m1 -oE 'segments [0-9]+\.\.' | grep -oE '[0-9]+')
    own=$(( (k - start % 2 + 2) % 2 ))
    check_match "  ... node $k resumed where it stopped (first segment after restart: ${first:-none}, its first: $own)" \
        "$(( ${first:-0} > own ))" '^1$'
done
zs download "$(field root "$out")" "$T_TMP/n6.back" >/dev/null 2>&1
check "  ... the stored file is intact" cmp -s "$T_TMP/n6" "$T_TMP/n6.back"

# --- the client dies mid-upload; the next upload resumes, pays nothing more
mkfile "$T_TMP/k6" 6000000
s0=$(submits) n0=$(nonce "$USER")
node_restart ZG_STORAGE_FAULT_LATENCY_MS=150
log_marks
zs upload --batch 1 "$T_TMP/k6" >/dev/null 2>&1 &
up=$!
for ((i = 0; i < 300; i++)); do
    (( $(since_marks | grep -c 'segments .* stored') >= 10 )) && break
    sleep 0.05
done
kill -KILL $up
wait $up 2>/dev/null
node_restart
out=$(zs upload --batch 1 "$T_TMP/k6" 2>&1)
check_match "client killed mid-upload: the next upload completes without paying" "$out" 'submitted=no fee=0'
sent=$(field segments "$out")
check_match "  ... sending only the missing segments ($sent of $total)" "$sent" '^[0-9]+$'
# At least ten segments were stored before the kill (a loaded machine may
# have let it store every one): never all of them again.
((sent < total)) && ok "  ... fewer than all ($sent)" || not_ok "  ... fewer than all ($sent)"
check_eq "  ... one Submit, one transaction in all" "$(submits)/$(nonce "$USER")" "$((s0 + 1))/$((n0 + 1))"

# --- the client dies at each journal crash point; the rerun never pays twice
for point in storage-upload.intent tx.signed tx.journaled storage-upload.mined; do
    f=$T_TMP/cp-$point
    mkfile "$f" 300000
    s0=$(submits) n0=$(nonce "$USER")
    ZGFS_CRASH_AT=$point zs upload "$f" >/dev/null 2>&1
    rc=$?
    out=$(zs upload "$f" 2>&1)
    check_match "crash at $point (exit $rc), then again: stored" "$out" "^root=0x"
    check_eq "  ... exactly one Submit and one transaction" "$(submits)/$(nonce "$USER")" "$((s0 + 1))/$((n0 + 1))"
    zs download "$(field root "$out")" "$f.back" >/dev/null 2>&1
    check "  ... intact" cmp -s "$f" "$f.back"
done

# --- 5xx answers and a stalled request on the way
node_restart ZG_STORAGE_FAULT_5XX_EVERY=3 ZG_STORAGE_FAULT_STALL_AFTER=4 ZG_STORAGE_FAULT_STALL_MS=2000
mkfile "$T_TMP/x" 1500000
out=$(zs upload "$T_TMP/x" 2>&1)
check_match "every 3rd request a 503 and one 2 s stall: upload completes" "$out" 'submitted=yes'
zs download "$(field root "$out")" "$T_TMP/x.back" >/dev/null 2>&1
check "  ... and the download is intact" cmp -s "$T_TMP/x" "$T_TMP/x.back"
node_restart

# --- a node checks segments as the real one does (the node whose shard
# holds the file's one segment)
mkfile "$T_TMP/v" 1000
root=$("$ZGSTORE" root "$T_TMP/v")
ZGFS_CRASH_AT=storage-upload.mined zs upload "$T_TMP/v" >/dev/null 2>&1   # paid, no segments
for ((i = 0; i < 100; i++)); do
    seq=$(field txSeq "$(zs info "$root")")
    [[ -n $seq ]] && break
    sleep 0.1
done
NODE_URL=$(holder_of "$root" 0)
pad() { cat "$T_TMP/v"; head -c 24 /dev/zero; }
good=$(pad | base64 -w0)
bad=$( (printf 'X'; pad | tail -c +2) | base64 -w0)
short=$(base64 -w0 <"$T_TMP/v")
seg() { printf '{"root":"%s","data":"%s","index":%s,"proof":{"lemma":["%s"],"path":[]},"fileSize":%s}' "$root" "$1" "${3:-0}" "$root" "$2"; }
up() { node_rpc zgs_uploadSegmentsByTxSeq "[[$1],$seq]"; }
check_match "node: data not a whole number of chunks -> invalid params" "$(up "$(seg "$short" 1000)")" '"code":-32602,"message":"Invalid params: data"'
check_match "node: data that does not match the root -> invalid proof" "$(up "$(seg "$bad" 1000)")" 'Invalid params: proof.*invalid proof'
check_match "node: fileSize not the tx's -> refused" "$(up "$(seg "$good" 999)")" 'segment file size not matched with tx file size'
check_match "node: index past the file -> refused" "$(up "$(seg "$good" 1000 1)")" 'segment index out of bound'
check_match "node: a wrong root for the tx seq -> refused" \
    "$(node_rpc zgs_uploadSegmentsByTxSeq "[[$(seg "$good" 1000 | sed "s/\"root\":\"0x../\"root\":\"0x00/")],$seq]")" \
    'data root and tx seq not match|Invalid params'
check_eq "node: the right segment is taken" "$(up "$(seg "$good" 1000)" | jq -c .result)" null
check_eq "  ... and the file is finalized" "$(node_rpc zgs_getFileInfoByTxSeq "[$seq]" | jq .result.finalized)" true
check_match "node: more data for a finalized file -> already uploaded and finalized" \
    "$(up "$(seg "$good" 1000)")" '"message":"Invalid params: root","data":"already uploaded and finalized"'
check_eq "node: download range of chunks 0..4 is the padded data" \
    "$(node_rpc zgs_downloadSegmentByTxSeq "[$seq,0,4]" | jq -r .result)" "$good"
check_eq "node: an unknown tx seq downloads null" "$(node_rpc zgs_downloadSegmentByTxSeq "[99999,0,4]" | jq -c .result)" null

t_done

#!/usr/bin/env bash
# 0G Storage as the network shards it: the devnet's two trusted nodes hold
# shard 0 and 1 of 2 (flow segment index modulo 2). An upload reaches both
# nodes, each with the segments of its shard only; a download takes each
# segment from the node that holds it; a node set that cannot cover every
# shard is refused before anything is paid; what the untrusted node serves
# fails its proof and is replaced by a holder's (EIO only when no other
# node has it); and a node checks, then drops, a segment of another shard
# as the real node does.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

sto_start || { not_ok "devnet with its storage nodes starts"; t_done; exit 1; }
USER=$(dj .accounts.user.address)

# serves URL SEQ INDEX: "yes" when the node serves segment INDEX of tx SEQ
# (with a proof), "no" when it answers null.
serves() {
    local r
    r=$(rpc_at "$1" zgs_downloadSegmentWithProofByTxSeq "[$2,$3]")
    case $(jq -r 'if .result == null then "no" elif .result.index == '"$3"' then "yes" else "bad" end' <<<"$r") in
        yes) echo yes ;;
        no) echo no ;;
        *) echo "bad: $r" ;;
    esac
}
short() { printf '%s..' "${1:0:10}"; }

# ---- an upload reaches both shards, each node its own segments only
f=$T_TMP/f2m
mkfile "$f" 2000000
segs=$(( (2000000 + 262143) / 262144 ))
log_marks
out=$(zs upload "$f" 2>&1)
root=$(field root "$out")
seq=$(field txSeq "$out")
check_match "an upload of $segs segments to the devnet's nodes" "$out" 'submitted=yes'
check_eq "  ... all of them sent, once" "$(field segments "$out")" "$segs"
check_eq "  ... both nodes finalized it" "$(zs info "$root" | grep -c 'finalized=true')" 2
wrong=
for ((i = 0; i < segs; i++)); do
    h=$(holder_of "$root" "$i")
    [[ $h == "$NODE0" ]] && o=$NODE1 || o=$NODE0
    [[ $(serves "$h" "$seq" "$i") == yes ]] || wrong+=" $i:holder=$(serves "$h" "$seq" "$i")"
    [[ $(serves "$o" "$seq" "$i") == no ]] || wrong+=" $i:other=$(serves "$o" "$seq" "$i")"
done
check_eq "  ... every segment served by the node of its shard, null from the other" "${wrong:-none}" none
check_eq "  ... and neither node was sent a segment of the other shard" \
    "$(since_marks | grep -F "$(short "$root")" | grep -c 'outside shard')" 0

# ---- a download takes each segment from the node that holds it
out=$(zs download --node "$NODE1" --node "$NODE0" "$root" "$T_TMP/back1" 2>&1)
check_eq "a download from both nodes, node 1 listed first" "$out" "downloaded $T_TMP/back1"
check "  ... byte-identical" cmp -s "$f" "$T_TMP/back1"
out=$(zs download --node "$NODE0" "$root" "$T_TMP/half" 2>&1)
check_match "node 0 alone lacks the odd segments: EHOSTUNREACH naming one" "$out" \
    "EHOSTUNREACH: no storage node that has $root holds its segment [01]: the nodes that have it hold shards 0/2"
check "  ... nothing left behind" test ! -e "$T_TMP/half"

# ---- a node set that cannot cover every shard: refused before paying
mkfile "$T_TMP/g" 600000
s0=$(submits) n0=$(nonce "$USER")
out=$(zs upload --node "$NODE0" "$T_TMP/g" 2>&1)
check_match "an upload to node 0 alone: EHOSTUNREACH, the nodes cannot cover all shards" "$out" \
    "EHOSTUNREACH: the storage nodes cannot cover all shards: $NODE0 holds shard 0/2; nothing was submitted"
out=$(zs upload --node "$NODE1" "$T_TMP/g" 2>&1)
check_match "  ... to node 1 alone: the same" "$out" "EHOSTUNREACH: .*$NODE1 holds shard 1/2"
check_eq "  ... no Submit, no transaction" "$(submits)/$(nonce "$USER")" "$s0/$n0"

# ---- the untrusted node's made-up segments fail their proof
served0=$(grep -c 'made-up segment' "$DEVNET/untrusted.log")
out=$(zs download --node "$UNTRUSTED" --node "$NODE0" --node "$NODE1" "$root" "$T_TMP/back2" 2>&1)
check_eq "the untrusted node listed first: the download still works" "$out" "downloaded $T_TMP/back2"
check "  ... byte-identical" cmp -s "$f" "$T_TMP/back2"
check "  ... it was asked and its segments rejected" \
    test "$(grep -c 'made-up segment' "$DEVNET/untrusted.log")" -gt "$served0"
mkdir -p "$T_TMP/dl"
out=$(zs download --node "$UNTRUSTED" --node "$NODE0" "$root" "$T_TMP/dl/f" 2>&1)
check_match "with only the untrusted node for shard 1: EIO, naming it" "$out" \
    "EIO: segment [0-9]+ of $root from $UNTRUSTED failed its proof.*nothing was kept"
check_eq "  ... nothing kept" "$(ls -A "$T_TMP/dl")" ""
out=$(zs download --node "$UNTRUSTED" "$root" "$T_TMP/dl/f" 2>&1)
check_match "the untrusted node alone: EIO" "$out" "EIO: segment [0-9]+ of $root from $UNTRUSTED failed its proof"

# ---- a node checks a segment of another shard, then drops it
mkfile "$T_TMP/v" 600000
vroot=$("$ZGSTORE" root "$T_TMP/v")
ZGFS_CRASH_AT=storage-upload.mined zs upload "$T_TMP/v" >/dev/null 2>&1   # paid, no segments
for ((i = 0; i < 100; i++)); do
    vseq=$(field txSeq "$(zs info "$vroot" | head -n1)")
    [[ -n $vseq ]] && break
    sleep 0.1
done
for ((k = 0; k < 3; k++)); do
    [[ $(holder_of "$vroot" "$k") == "$NODE1" ]] && break
done
seg=$("$ZGSTORE" segment "$T_TMP/v" "$k")
log_marks
ans=$(rpc_at "$NODE0" zgs_uploadSegmentsByTxSeq "[[$seg],$vseq]")
check_eq "node 0 takes segment $k of shard 1 (as the real node does)" "$(jq -c .result <<<"$ans")" null
check_match "  ... checks and drops it" "$(since_marks)" "segment $k is outside shard 0/2: checked, not stored"
check_eq "  ... does not count it" "$(field uploadedSegNum "$(zs info "$vroot" | grep "^$NODE0 ")")" 0
bad=$(jq -c '.data = (if .data[0:1] == "A" then "B" else "A" end) + .data[1:]' <<<"$seg")
check_match "  ... but refuses one whose proof fails" \
    "$(rpc_at "$NODE0" zgs_uploadSegmentsByTxSeq "[[$bad],$vseq]")" 'Invalid params: proof.*invalid proof'
# node 0 gets its own segments: it has the file, node 1 not yet
for ((i = 0; i < 3; i++)); do
    [[ $(holder_of "$vroot" "$i") == "$NODE0" ]] &&
        rpc_at "$NODE0" zgs_uploadSegmentsByTxSeq "[[$("$ZGSTORE" segment "$T_TMP/v" "$i")],$vseq]" >/dev/null
done
check_eq "node 0 finalized its half" "$(field finalized "$(zs info "$vroot" | grep "^$NODE0 ")")" true
out=$(zs download "$vroot" "$T_TMP/v.early" 2>&1)
check_match "  ... a download while node 1 has none of its half: EAGAIN" "$out" \
    "EAGAIN: the file $vroot is not fully uploaded yet"
out=$(zs upload "$T_TMP/v" 2>&1)
check_match "the upload of that file then completes" "$out" 'submitted=no'
check_eq "  ... node 0 still serves no segment $k" "$(serves "$NODE0" "$vseq" "$k")" no
check_eq "  ... node 1 does" "$(serves "$NODE1" "$vseq" "$k")" yes

t_done

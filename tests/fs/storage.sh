#!/usr/bin/env bash
# storage/: cp FILE storage/ uploads to 0G Storage at close (root, Flow fee,
# segments); NAME.root and user.zg.root agree with the storage tool and the
# official Go client; NAME and by-root/ROOT read the bytes back, verified;
# files uploaded elsewhere read by root; unknown roots, empty and oversized
# files, a corrupted segment, a fee above the balance and a node that is
# down fail with their errno and nothing paid or cached; names survive a
# remount; storage_node= (repeatable) and indexer= choose the nodes: every
# upload reaches the nodes of both shards, a node set that cannot cover
# every shard is refused, the indexer's untrusted node gets no upload and
# its made-up segments are rejected; a task created with a storage/ NAME as
# its dataset is trained and delivered.
. "$(dirname "$0")/wflib.sh"
. "$(dirname "$0")/../storage/common.sh"

export ZG_PROVIDER_STEP_MS=150 ZG_PROVIDER_SETTLE_MS=500
fs_start ttl=1
sto_vars
S=$MNT/storage
C=$T_TMP/state/storage
P=$MNT/providers/$FT
KEY2=$(dj .accounts.user2.privateKey)
[[ -x $GO_CLIENT ]] || not_ok "Go storage client at $GO_CLIENT"
[[ -x $ZGSTORE ]] || not_ok "the storage tool at $ZGSTORE"

go_client() {
    timeout 180 "$GO_CLIENT" "$@" --log-color-disabled --rpc-retry-count 3 --rpc-retry-interval 1s
}
xattr() { python3 -c 'import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$@" 2>/dev/null || echo ENODATA; }
# cp_err SRC DST: cp's verdict: "ok" or the strerror text of its failure.
cp_err() {
    local out
    out=$(cp "$1" "$2" 2>&1) && { echo ok; return; }
    sed 's/.*: //' <<<"$out" | tail -n1
}
# cached: the files in the by-root cache (temporaries included).
cached() { ls -A "$C/by-root" 2>/dev/null | tr '\n' ' '; }

check_match "log names the devnet's storage nodes" "$(cat "$MNT/log")" "0G Storage: devnet nodes $NODE0, $NODE1"
check_eq "storage/ holds only by-root/ at first" "$(ls "$S")" "by-root"
check_eq "by-root/ lists nothing" "$(ls "$S/by-root")" ""

# ---- cp FILE storage/
mkfile "$T_TMP/f1" 1500000
root=$("$ZGSTORE" root "$T_TMP/f1")
s0=$(submits)
bal0=$(chain_balance "$USER_ADDR")
check "cp f1 storage/" cp "$T_TMP/f1" "$S/"
check_eq "...one Submit on the Flow" "$(submits)" $((s0 + 1))
check_eq "...the fee left the wallet" "$(perl -MMath::BigInt -e 'print Math::BigInt->new($ARGV[0]) > Math::BigInt->new($ARGV[1]) ? "yes" : "no"' "$bal0" "$(chain_balance "$USER_ADDR")")" yes
check_eq "ls storage/: by-root, NAME and NAME.root" "$(ls "$S" | tr '\n' ' ')" "by-root f1 f1.root "
check_eq "NAME.root = the root the storage tool computes" "$(cat "$S/f1.root")" "$root"
check_eq "xattr user.zg.root" "$(xattr "$S/f1" user.zg.root)" "$root"
check_eq "an unknown xattr: ENODATA" "$(xattr "$S/f1" user.zg.hash)" ENODATA
check "reading NAME returns the bytes" cmp "$S/f1" "$T_TMP/f1"
check_eq "...its size is honest" "$(stat -c %s "$S/f1")" 1500000
check_match "log: uploaded, root and fee" "$(grep 'storage/f1' "$MNT/log" | tail -1)" "ok: uploaded f1 \\(1500000 bytes\\) to 0G Storage; root $root, fee [0-9.]+ OG \\(tx 0x[0-9a-f]{64}\\)"
check_eq "both nodes have it, finalized" "$(zs info "$root" | grep -c 'finalized=true')" 2
check_eq "the upload was journaled as done" \
    "$(jq -r 'select(.op == "storage-upload") | .state' "$T_TMP"/state/journal/*.json | sort -u)" "done"
out=$(go_client upload --url "$RPC" --key "$KEY2" --node "$NODE0,$NODE1" --file "$T_TMP/f1" 2>&1)
check_match "the official Go client computes the same root for the file" "$out" "root = $root"
check_eq "...and finds it paid: no second Submit" "$(submits)" $((s0 + 1))

# ---- by-root/0xROOT
check_eq "by-root/ROOT is not listed" "$(ls "$S/by-root")" ""
check "by-root/ROOT reads the file (cmp)" cmp "$S/by-root/$root" "$T_TMP/f1"
check_eq "...into the cache" "$(cached)" "$root "
check "lookup in upper case works" cmp "$S/by-root/0x${root:2}" "$T_TMP/f1"
check "...and with 0X and upper-case digits" cmp "$S/by-root/0X$(tr a-f A-F <<<"${root:2}")" "$T_TMP/f1"
check_eq "...one cache file for every spelling" "$(cached)" "$root "
check_eq "by-root files are read-only" "$(wr "$S/by-root/$root" x)" EACCES
unknown=0x$(printf '1%.0s' {1..64})
check_eq "an unknown root: ENOENT" "$(open_err "$S/by-root/$unknown" r)" ENOENT
check "...stat fails too" bash -c "! stat '$S/by-root/$unknown' 2>/dev/null"
check_eq "not a root: ENOENT" "$(open_err "$S/by-root/0x1234" r)" ENOENT
check_eq "...nothing cached for them" "$(cached)" "$root "

# ---- files uploaded outside the mount
mkfile "$T_TMP/g1" 700000
out=$(go_client upload --url "$RPC" --key "$KEY2" --node "$NODE0,$NODE1" --file "$T_TMP/g1" 2>&1)
groot=$(sed -n 's/.*root = \(0x[0-9a-f]\{64\}\).*/\1/p' <<<"$out" | head -n1)
check_eq "the Go client uploads g1 (root = the tool's)" "$groot" "$("$ZGSTORE" root "$T_TMP/g1")"
check "by-root of the Go client's upload reads it" cmp "$S/by-root/$groot" "$T_TMP/g1"
mkfile "$T_TMP/z1" 300000
zroot=$(field root "$(zs upload "$T_TMP/z1" 2>&1)")
check "by-root of the storage tool's upload reads it" cmp "$S/by-root/$zroot" "$T_TMP/z1"

# ---- bad input: nothing submitted
s1=$(submits)
: >"$T_TMP/empty"
check_eq "an empty file: cp fails with EINVAL" "$(cp_err "$T_TMP/empty" "$S/empty")" "Invalid argument"
check_match "...the sentence in log" "$(grep 'storage/empty' "$MNT/log" | tail -1)" 'error: empty is empty; 0G Storage cannot store an empty file'
check_eq "...the name does not appear" "$(open_err "$S/empty" r)" ENOENT
big=$(perl -e '
    use strict; use Fcntl;
    sub en { for my $k (keys %!) { return $k if $!{$k} } return "E?" }
    sysopen(my $h, $ARGV[0], O_WRONLY | O_CREAT | O_TRUNC) or do { print en(), "\n"; exit 0 };
    defined syswrite($h, "x") or do { print en(), "\n"; exit 0 };
    sysseek($h, 4 << 30, 0);
    defined syswrite($h, "y") or do { print en(), "\n"; exit 0 };
    print "ok\n";' "$S/big")
check_eq "a write past 4 GiB: EFBIG" "$big" EFBIG
check_match "...the sentence in log" "$(grep 'storage/big' "$MNT/log" | tail -1)" 'error: this file takes at most 4096 MiB'
check_eq "...the name does not appear" "$(open_err "$S/big" r)" ENOENT
check_eq "names that cannot be stored: NAME.root" "$(put "$S/x.root" abc)" EPERM
check_eq "...a dot file" "$(put "$S/.hidden" abc)" EPERM
check_eq "NAME.root is read-only" "$(wr "$S/f1.root" x)" EACCES
check_eq "nothing was submitted for them" "$(submits)" "$s1"
check_eq "no spool file is left" "$(ls "$T_TMP/state/spool" 2>/dev/null | wc -l)" 0

# ---- a fee above the wallet's balance: EDQUOT, nothing sent
mkfile "$T_TMP/m1" 1048576
rich=$(rpc eth_getBalance "[\"$USER_ADDR\",\"latest\"]")
n0=$(nonce "$USER_ADDR")
rpc anvil_setBalance "[\"$USER_ADDR\",\"0xe8d4a51000\"]" >/dev/null
check_eq "fee above the balance: cp fails with EDQUOT" "$(cp_err "$T_TMP/m1" "$S/m1")" "Disk quota exceeded"
check_match "...log says how much" "$(grep 'storage/m1' "$MNT/log" | tail -1)" 'error: .*the storage fee is [0-9.]+ OG but the wallet holds 0.000001 OG; nothing was submitted'
check_eq "...no Submit, no transaction" "$(submits)/$(nonce "$USER_ADDR")" "$s1/$n0"
check_eq "...the name does not appear" "$(open_err "$S/m1" r)" ENOENT
rpc anvil_setBalance "[\"$USER_ADDR\",\"$rich\"]" >/dev/null

# ---- the nodes are down: the core's errno, quickly
node_stop
t0=$SECONDS
check_eq "nodes down: cp fails with ECONNREFUSED" "$(cp_err "$T_TMP/m1" "$S/m1")" "Connection refused"
check_match "...within seconds (took $((SECONDS - t0)) s)" "$((SECONDS - t0))" '^[0-9]$'
check_match "...log names the node" "$(grep 'storage/m1' "$MNT/log" | tail -1)" "error: storage node $NODE0"
check_eq "...nothing submitted" "$(submits)" "$s1"
check_eq "nodes down: by-root of an uncached root fails with ECONNREFUSED" "$(read_err "$S/by-root/0x$(printf '2%.0s' {1..64})")" ECONNREFUSED
node_start
node_stop storage1
check_eq "node 1 still down: cp fails, ECONNREFUSED naming it" "$(cp_err "$T_TMP/m1" "$S/m1")" "Connection refused"
check_match "...the sentence says node 0 alone cannot cover all shards" "$(grep 'storage/m1' "$MNT/log" | tail -1)" \
    "error: storage node $NODE1 .*; without it the storage nodes cannot cover all shards: $NODE0 holds shard 0/2"
check_eq "...nothing submitted" "$(submits)" "$s1"
node_start
check "once the nodes are back, the same cp works" cp "$T_TMP/m1" "$S/m1"

# ---- a corrupted segment: EIO, nothing cached
mkfile "$T_TMP/c1" 1000000
croot=$(field root "$(zs upload "$T_TMP/c1" 2>&1)")
node_restart ZG_STORAGE_FAULT_CORRUPT_SEGMENT=2
check_eq "a corrupted segment on download: EIO" "$(read_err "$S/by-root/$croot")" EIO
check_match "...log names the segment" "$(grep "by-root/$croot" "$MNT/log" | tail -1)" 'error: .*segment 2 of .* failed its proof'
check_eq "...nothing in the cache (no file, no temporary)" "$(cached | tr ' ' '\n' | grep -c "$croot")" 0
rm -f "$C/names/data/f1"
check_eq "NAME whose local copy is gone, served corrupted: EIO" "$(read_err "$S/f1")" EIO
check "...no local copy left behind" bash -c "! ls -A '$C/names/data' | grep -q '^f1'"
node_restart
check "with the node fixed, by-root reads it" cmp "$S/by-root/$croot" "$T_TMP/c1"
check "...and NAME is fetched again from storage" cmp "$S/f1" "$T_TMP/f1"
check "...into its local copy" cmp "$C/names/data/f1" "$T_TMP/f1"
check_match "...log says it was fetched and verified" "$(grep 'storage/f1' "$MNT/log" | tail -1)" "ok: downloaded $root from 0G Storage and verified it \\(1500000 bytes\\)"

# ---- a task whose dataset is a storage/ NAME
cat >"$T_TMP/sq.jsonl" <<'EOF'
{"instruction":"What is the capital of France?","input":"","output":"The capital of France is Paris."}
{"instruction":"How many legs does a spider have?","input":"","output":"A spider has eight legs."}
EOF
check "cp sq.jsonl storage/" cp "$T_TMP/sq.jsonl" "$S/"
sroot=$(cat "$S/sq.jsonl.root")
id=$(new_task "$P" sq.jsonl)
check_match "tasks/new takes a storage/ NAME as dataset" "$id" '^[0-9a-f-]{36}$'
check_match "...log shows its root" "$(grep 'tasks/new' "$MNT/log" | tail -1)" "ok: created task $id: model zg-tiny-lora, dataset sq.jsonl \\($sroot\\)"
T=$P/tasks/$id
check_eq "...the provider's record has the root as dataset hash" "$(jq -r .datasetHash "$T/task.json" 2>/dev/null)" "$sroot"
check "...the task reaches Delivered" wait_until 90 progress_is "$T" Delivered
check_match "...the provider fetched the dataset from 0G Storage" "$(cat "$T/log")" "Dataset $sroot fetched from 0G Storage, verified by Merkle proofs"
check_eq "an unknown name: ENOENT" "$(put "$P/tasks/new" "{\"model\":\"zg-tiny-lora\",\"dataset\":\"nope.jsonl\",$PARAMS}")" ENOENT
check_match "...naming both directories" "$(cat "$P/tasks/new")" 'nope.jsonl.*neither in datasets/ nor in storage/'
# A datasets/ NAME wins over a storage/ NAME of the same spelling.
check_eq "acknowledge the deliverable (frees the provider)" "$(wr "$T/ack" yes)" ok
wait_until 60 progress_is "$T" Finished UserAcknowledged >/dev/null
printf '{"text":"the provider copy"}\n' >"$T_TMP/dsq.jsonl"
cp "$T_TMP/dsq.jsonl" "$P/datasets/sq.jsonl"
id2=
for ((i = 0; i < 30; i++)); do
    id2=$(new_task "$P" sq.jsonl) && break
    sleep 1
done
check_eq "the same name in datasets/ and storage/: datasets/ wins" \
    "$(jq -r .datasetHash "$P/tasks/$id2/task.json" 2>/dev/null)" "$(keccak "$T_TMP/dsq.jsonl")"
[[ -n $id2 ]] && wr "$P/tasks/$id2/cancel" yes >/dev/null

# ---- a remount keeps the names
before=$(ls "$S" | tr '\n' ' ')
fs_remount ttl=1 || not_ok "remount"
check_eq "after a remount: the same names" "$(ls "$S" | tr '\n' ' ')" "$before"
check_eq "...the same roots" "$(cat "$S/f1.root")" "$root"
check "...the same bytes" cmp "$S/m1" "$T_TMP/m1"
check "...by-root reads as before" cmp "$S/by-root/$zroot" "$T_TMP/z1"

# ---- storage_node= (repeatable): the devnet's node 0 alone cannot cover
fs_remount "ttl=1,storage_node=$NODE0" || not_ok "remount with storage_node="
mkfile "$T_TMP/n1" 200000
s2=$(submits)
check_eq "storage_node= of one shard only: cp fails with EHOSTUNREACH" "$(cp_err "$T_TMP/n1" "$S/n1")" "No route to host"
check_match "...the sentence names the shards" "$(grep 'storage/n1' "$MNT/log" | tail -1)" \
    "error: the storage nodes cannot cover all shards: $NODE0 holds shard 0/2"
check_eq "...nothing submitted" "$(submits)" "$s2"
mkfile "$T_TMP/g2" 600000
zs upload "$T_TMP/g2" >/dev/null 2>&1
check_eq "...by-root of a file of both shards: EHOSTUNREACH" \
    "$(read_err "$S/by-root/$("$ZGSTORE" root "$T_TMP/g2")")" EHOSTUNREACH
# a dead node first, then the devnet's
dead=http://127.0.0.1:$(free_port)
fs_remount "ttl=1,storage_node=$dead,storage_node=$NODE0,storage_node=$NODE1" || not_ok "remount with storage_node="
check_match "log names the nodes in order" "$(cat "$MNT/log")" "0G Storage: nodes $dead, $NODE0, $NODE1"
s2=$(submits)
check "cp goes to the nodes that answer" cp "$T_TMP/n1" "$S/"
check_eq "...one Submit" "$(submits)" $((s2 + 1))
check_eq "...both nodes have it" "$(zs info "$(cat "$S/n1.root")" | grep -c 'finalized=true')" 2
check "by-root takes each segment from its node" cmp "$S/by-root/$("$ZGSTORE" root "$T_TMP/g2")" "$T_TMP/g2"

# ---- indexer=: the official Go indexer, trusting the devnet's two nodes
# and listing the untrusted one as discovered
check "the Go indexer listens" go_indexer_start
fs_remount "ttl=1,indexer=$INDEXER" || not_ok "remount with indexer="
check_match "log names the indexer" "$(cat "$MNT/log")" "0G Storage: indexer $INDEXER"
mkfile "$T_TMP/i1" 300000
check "cp uploads to the trusted nodes the indexer lists" cp "$T_TMP/i1" "$S/"
check_eq "...its root" "$(cat "$S/i1.root")" "$("$ZGSTORE" root "$T_TMP/i1")"
check_eq "...both nodes have it" "$(zs info "$(cat "$S/i1.root")" | grep -c 'finalized=true')" 2
check_eq "...the untrusted node received nothing" "$(grep -c 'received by the untrusted node' "$DEVNET/untrusted.log")" 0
mkfile "$T_TMP/g3" 500000
zs upload "$T_TMP/g3" >/dev/null 2>&1
check "by-root through the indexer's nodes" cmp "$S/by-root/$("$ZGSTORE" root "$T_TMP/g3")" "$T_TMP/g3"
mkfile "$T_TMP/g4" 800000
g4=$(field root "$(zs upload "$T_TMP/g4" 2>&1)")
node_stop storage1
s3=$(submits)
check_eq "node 1 down: cp through the indexer fails with EHOSTUNREACH" "$(cp_err "$T_TMP/i1" "$S/i2")" "No route to host"
check_eq "...nothing submitted, nothing sent to the untrusted node" \
    "$(submits)/$(grep -c 'received by the untrusted node' "$DEVNET/untrusted.log")" "$s3/0"
check_eq "...by-root of a file whose shard-1 segments only the untrusted node claims: EIO" "$(read_err "$S/by-root/$g4")" EIO
check_match "...log names the untrusted node" "$(grep "by-root/$g4" "$MNT/log" | tail -1)" "error: .*from $UNTRUSTED failed its proof"
check_eq "...nothing cached" "$(cached | tr ' ' '\n' | grep -c "$g4")" 0
node_start
check "node 1 back: by-root reads it (the untrusted node's segments rejected)" cmp "$S/by-root/$g4" "$T_TMP/g4"
kill "$IPID" 2>/dev/null
wait "$IPID" 2>/dev/null
fs_remount "ttl=1,indexer=http://127.0.0.1:$(free_port)" || not_ok "remount with a dead indexer"
check_eq "a dead indexer: ECONNREFUSED" "$(read_err "$S/by-root/0x$(printf '3%.0s' {1..64})")" ECONNREFUSED

# ---- options checked at start-up; a devnet without storage
zgfs_umount || not_ok "daemon exits 0 on unmount"
base="devnet=$DEVNET_JSON,key_file=$KEY,state_dir=$T_TMP/state"
out=$("$ZGFS" -f -o "$base,storage_node=ftp://x" "$T_TMP/mnt" 2>&1)
check_match "storage_node= that is not http(s): exit 1 with a sentence" "$?:$out" '^1:zgfs: storage_node=ftp://x is not an http:// or https:// URL'
out=$("$ZGFS" -f -o "$base,indexer=moon" "$T_TMP/mnt" 2>&1)
check_match "an unknown indexer name: exit 1 with a sentence" "$?:$out" '^1:zgfs: indexer=moon is neither .* testnet and mainnet'
jq 'del(.storage)' "$DEVNET_JSON" >"$T_TMP/nostorage.json"
zgfs_mount "$T_TMP/mnt" -o "devnet=$T_TMP/nostorage.json,key_file=$KEY,state_dir=$T_TMP/state2" ||
    not_ok "mount without storage"
check_eq "no storage configured: storage/ is there" "$(ls "$S" | tr '\n' ' ')" "by-root "
check_eq "...cp fails with EOPNOTSUPP" "$(cp_err "$T_TMP/n1" "$S/n1")" "Operation not supported"
check_match "...the sentence names the options" "$(grep 'storage/n1' "$MNT/log" | tail -1)" 'error: no 0G Storage node is configured for this mount; mount it with -o indexer=URL .* or -o storage_node=URL'
check_eq "...by-root: EOPNOTSUPP" "$(read_err "$S/by-root/$root")" EOPNOTSUPP

t_done

#!/usr/bin/env bash
# The storage core against the devnet's real Flow and its storage nodes
# (two shards): round trips of files of several shapes, the fee actually
# paid, one submission per root, the journal record, and the devnet's
# storage section.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

sto_start || { not_ok "devnet with a storage node starts"; t_done; exit 1; }
ok "devnet with a storage node starts"

# --- the devnet's storage section
check_match "storage.nodes: two URLs on 127.0.0.1" "$(dj '.storage.nodes | join(" ")')" \
    '^http://127\.0\.0\.1:[0-9]+ http://127\.0\.0\.1:[0-9]+$'
check_match "storage.untrusted is on 127.0.0.1" "$UNTRUSTED" '^http://127\.0\.0\.1:[0-9]+$'
market=$(dj .storage.market)
got=$(rpc eth_call "[{\"to\":\"$FLOW\",\"data\":\"0x80f55605\"},\"latest\"]")
check_eq "Flow.market() is storage.market" "0x${got: -40}" "$(tr 'A-F' 'a-f' <<<"$market")"
price=$(rpc eth_call "[{\"to\":\"$market\",\"data\":\"0x61ec5082\"},\"latest\"]")
check_eq "market.pricePerSector() is storage.pricePerSector" "$(printf '%d' "$price")" "$(dj .storage.pricePerSector)"
status=$(node_rpc zgs_getStatus)
check_eq "zgs_getStatus names the Flow" "$(jq -r .result.networkIdentity.flowAddress <<<"$status")" "$FLOW"
check_eq "zgs_getStatus names chain 31337" "$(jq -r .result.networkIdentity.chainId <<<"$status")" 31337
shard() { curl -s -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":7,"method":"zgs_getShardConfig"}' "$1" | jq -c .result; }
check_eq "zgs_getShardConfig of node 0: shard 0 of 2 (no params member)" "$(shard "$NODE0")" '{"shardId":0,"numShard":2}'
check_eq "zgs_getShardConfig of node 1: shard 1 of 2" "$(shard "$NODE1")" '{"shardId":1,"numShard":2}'
check_eq "zgs_getShardConfig of the untrusted node: the whole flow" "$(shard "$UNTRUSTED")" '{"shardId":0,"numShard":1}'
check_eq "the storage tool reads the same shards" "$(zs shards | tr '\n' ' ')" "$NODE0 shard=0/2 $NODE1 shard=1/2 "
# The Flow and market run exactly the storage SDK's creation bytecode: replay
# it with eth_call (constructor argument deployDelay 0 for the Flow) and
# compare with the deployed code.
replay=$(node -e '
const path = require("path");
const NM = process.env.NODE_PATH;
const base = path.join(NM, "@0gfoundation", "0g-ts-sdk", "lib.commonjs", "contracts");
const ethers = require(path.join(NM, "ethers"));
const F = require(path.join(base, "flow", "factories", "FixedPriceFlow__factory.js")).FixedPriceFlow__factory;
const M = require(path.join(base, "market", "factories", "FixedPrice__factory.js")).FixedPrice__factory;
const p = new ethers.JsonRpcProvider(process.argv[1]);
(async () => {
  const flowInit = F.bytecode + ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [0]).slice(2);
  const a = await p.call({ data: flowInit });
  const b = await p.call({ data: M.bytecode });
  const ca = await p.getCode(process.argv[2]);
  const cb = await p.getCode(process.argv[3]);
  console.log(`${a === ca} ${b === cb} ${F.bytecode.length > 30000}`);
  p.destroy();
})();' "$RPC" "$FLOW" "$market" 2>&1)
check_eq "Flow and market code = the storage SDK's creation bytecode replayed" "$replay" "true true true"
check_eq "the serving contracts kept the SDK's addresses" "$(dj .contracts.ledger)" 0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0
check_eq "the storage deployer is dev account 9, not account 0" "$(dj .storage.deployer)" 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720

# --- round trips: 1 byte, exactly one segment, several segments with a short
# last one, and 16385 chunks (the tree then has a segment of pure padding).
reward=$(dj .storage.reward)
for size in 1 262144 1000000 4194560; do
    f=$T_TMP/f$size
    mkfile "$f" "$size"
    root=$("$ZGSTORE" root "$f")
    js_root=$(node "$SDK_JS" root "$f" 2>/dev/null)
    check_eq "$size bytes: core root = JS SDK root" "$root" "$js_root"
    before=$(submits)
    rb=$(rpc eth_getBalance "[\"$reward\",\"latest\"]")
    out=$(zs upload "$f" 2>&1)
    check_match "$size bytes: upload pays and stores" "$out" "^root=$root txSeq=[0-9]+ submitted=yes"
    check_eq "$size bytes: exactly one Submit" "$(submits)" $((before + 1))
    ra=$(rpc eth_getBalance "[\"$reward\",\"latest\"]")
    sectors=$(( (size + 255) / 256 ))
    fee=$(field fee "$out")
    check_eq "$size bytes: the fee reached the reward contract" "$(( ra - rb ))" "$fee"
    if ((size == 1)); then
        check_eq "1 byte: fee = 1 sector x pricePerSector" "$fee" "$(dj .storage.pricePerSector)"
    fi
    if ((size == 4194560)); then
        check_eq "16385 chunks: fee = 18432 padded sectors x price" "$fee" "$((18432 * $(dj .storage.pricePerSector)))"
    fi
    info=$(zs info "$root")
    segs=$(( (size + 262143) / 262144 ))
    start=$(( $(field start "$info") / 1024 ))
    mine0=$(( (segs + (start % 2 == 0 ? 1 : 0)) / 2 ))
    check_match "$size bytes: node 0 has it finalized with the segments of its shard" \
        "$(grep "^$NODE0 " <<<"$info")" "finalized=true uploadedSegNum=$mine0\$"
    check_match "$size bytes: node 1 too" \
        "$(grep "^$NODE1 " <<<"$info")" "finalized=true uploadedSegNum=$(( segs - mine0 ))\$"
    zs download "$root" "$f.out" >/dev/null 2>"$T_TMP/dl.err"
    check "$size bytes: download is byte-identical" cmp -s "$f" "$f.out"
    : "$sectors"
done

# --- a root already on chain is not paid again
f=$T_TMP/f1000000
before=$(submits)
n0=$(nonce "$(dj .accounts.user.address)")
out=$(zs upload "$f" 2>&1)
check_match "second upload of the same file: nothing submitted" "$out" "submitted=no fee=0 segments=0"
check_eq "  ... no new Submit" "$(submits)" "$before"
check_eq "  ... no transaction sent" "$(nonce "$(dj .accounts.user.address)")" "$n0"
rec=$(grep -l '"storage-upload"' "$J"/* 2>/dev/null | head -n1)
check_match "the journal holds a done storage-upload record with txSeq" \
    "$(jq -c '{op, state, txSeq: (.txSeq|type), tx: (.tx.hash|type)}' "$rec" 2>/dev/null)" \
    '"op":"storage-upload","state":"done","txSeq":"number","tx":"string"'

# --- the same content under another wallet: the node already has the root
f2=$T_TMP/again
cp "$T_TMP/f262144" "$f2"
(umask 077 && dj .accounts.user2.privateKey >"$T_TMP/user2.key")
out=$("$ZGSTORE" upload --devnet "$DEVNET_JSON" --key-file "$T_TMP/user2.key" "$f2" 2>&1)
check_match "another wallet uploading a stored file pays nothing" "$out" "submitted=no"

# --- the Flow learned from the node's status (as the Go client does)
out=$(zs download --ask-flow --threads 1 "$("$ZGSTORE" root "$T_TMP/f1000000")" "$T_TMP/asked" 2>&1)
check_eq "Flow from zgs_getStatus (chain id checked), one thread: download works" "$out" "downloaded $T_TMP/asked"

# --- download into an existing file is refused, the file is untouched
echo keep >"$T_TMP/exists"
out=$(zs download "$("$ZGSTORE" root "$f")" "$T_TMP/exists" 2>&1)
check_match "download onto an existing file: EEXIST" "$out" "EEXIST"
check_eq "  ... the file is untouched" "$(cat "$T_TMP/exists")" keep

t_done
